/* Every CPU adds 1 to one counter a million times with LDXR/STXR (no LSE on v8.0); the total
 * is exact only if a store by one CPU clears the others' exclusive monitors. The boot CPU
 * waits in WFE for the others to finish (each sends an event). */
#include <psci_ids.h>
#include <qvp/smp.h>
#include <stdio.h>

#define INCREMENTS 1000000u

static uint64_t counter;
static uint32_t finished;

static void add_many(unsigned index)
{
	(void)index;
	for (unsigned k = 0; k < INCREMENTS; k++)
		__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&finished, 1, __ATOMIC_RELEASE);
	send_event();
}

int main(void)
{
	unsigned cpus = 1;

	while (cpus < SMP_MAX_CPUS && smp_start_cpu(cpus, add_many) == PSCI_SUCCESS)
		cpus++;
	add_many(0);
	while (__atomic_load_n(&finished, __ATOMIC_ACQUIRE) != cpus)
		wait_for_event();
	printf("smp_atomic: %u CPUs x %u increments = %lu\n", cpus, INCREMENTS, (unsigned long)counter);
	return counter == (uint64_t)cpus * INCREMENTS ? 0 : 1;
}
