/* Secondary CPUs through PSCI CPU_ON, and the spinlock (qvp/smp.h). */
#include <psci_ids.h>
#include <qvp/gic.h>
#include <qvp/smp.h>

#define SMP_STACK_SIZE 16384

/* smp_entry.S gives CPU `index` the stack below smp_stacks[index + 1]; index 0 is the boot CPU's. */
uint8_t smp_stacks[SMP_MAX_CPUS][SMP_STACK_SIZE] __attribute__((aligned(16)));
static void (*smp_functions[SMP_MAX_CPUS])(unsigned index);

void smp_secondary_main(unsigned index);

int64_t psci_call(uint32_t function, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = function;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (int64_t)x0;
}

int64_t smp_start_cpu(unsigned index, void (*function)(unsigned index))
{
	extern char smp_secondary_entry[];

	if (index == 0 || index >= SMP_MAX_CPUS)
		return PSCI_INVALID_PARAMETERS;
	smp_functions[index] = function;
	return psci_call(PSCI_CPU_ON | PSCI_FN_SMC64, index, (uint64_t)(uintptr_t)smp_secondary_entry, index);
}

/* Called by smp_entry.S on the CPU's own stack. */
void smp_secondary_main(unsigned index)
{
	smp_functions[index](index);
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
}

void spin_lock(struct spinlock *lock)
{
	uint32_t value, failed;

	__asm__ volatile("	sevl\n"
	                 "1:	wfe\n"
	                 "2:	ldaxr	%w0, [%2]\n"
	                 "	cbnz	%w0, 1b\n"
	                 "	stxr	%w1, %w3, [%2]\n"
	                 "	cbnz	%w1, 2b\n"
	                 : "=&r"(value), "=&r"(failed)
	                 : "r"(&lock->locked), "r"(1u)
	                 : "memory");
}

void spin_unlock(struct spinlock *lock)
{
	__asm__ volatile("stlr wzr, [%0]" : : "r"(&lock->locked) : "memory");
}

void smp_gic_init_this_cpu(void)
{
	gic_cpu_write(GICC_PMR, 0xff);
	gic_cpu_write(GICC_BPR, 2);
	gic_cpu_write(GICC_CTLR, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1);
}

void smp_send_sgi(unsigned id, unsigned target)
{
	gic_dist_write(GICD_SGIR, GICD_SGIR_FILTER_LIST | 1u << (16 + target) | (id & 0xf));
}
