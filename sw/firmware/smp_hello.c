/* Every CPU says hello through one spinlock (LDAXR/STXR, waiting in WFE); the boot CPU starts
 * the others with PSCI CPU_ON until one does not exist, and waits (WFE) until each has arrived
 * and sent an event (SEV). Run with --cpus N (qvp) or -smp N (QEMU). */
#include <psci_ids.h>
#include <qvp/smp.h>
#include <stdio.h>

static struct spinlock print_lock;
static uint32_t arrived;

static void hello(unsigned index)
{
	spin_lock(&print_lock);
	printf("smp_hello: hello from cpu %u, MPIDR 0x%lx\n", index, (unsigned long)smp_mpidr());
	spin_unlock(&print_lock);
	__atomic_fetch_add(&arrived, 1, __ATOMIC_RELEASE);
	send_event();
}

int main(void)
{
	unsigned started = 0;

	for (unsigned index = 1; index < SMP_MAX_CPUS; index++) {
		int64_t answer = smp_start_cpu(index, hello);
		if (answer == PSCI_INVALID_PARAMETERS)
			break; /* no such CPU: all are running */
		if (answer != PSCI_SUCCESS) {
			printf("smp_hello: CPU_ON(%u) = %ld\n", index, (long)answer);
			return 1;
		}
		started++;
	}
	hello(0);
	while (__atomic_load_n(&arrived, __ATOMIC_ACQUIRE) != started + 1)
		wait_for_event();
	printf("smp_hello: %u CPUs said hello\n", started + 1);
	return 0;
}
