/* Times loops of known length with the PMU's cycle counter, the way firmware measures code,
 * and prints what it saw: on qvp a cycle is one retired instruction, and so it is on
 * qemu-system-aarch64 -icount shift=0 (one instruction per nanosecond, a 1 GHz counter), so
 * tests/iss/test_pmu_firmware.cpp expects the same output from both. */
#include <stdint.h>
#include <stdio.h>

#define PMCR_E     (1u << 0)
#define PMCR_C     (1u << 2)
#define CYCLE_BIT  (1u << 31) /* PMCNTENSET/CLR, PMOVSSET/CLR */
#define FILTER_EL1 (1u << 31) /* PMCCFILTR_EL0.P: do not count at EL1 */

#define WRITE(reg, value) __asm__ volatile("msr " #reg ", %0\n isb" : : "r"((uint64_t)(value)) : "memory")

static uint64_t read_dfr0(void)
{
	uint64_t value;

	__asm__ volatile("mrs %0, id_aa64dfr0_el1" : "=r"(value));
	return value;
}

static uint64_t read_overflow(void)
{
	uint64_t value;

	__asm__ volatile("mrs %0, pmovsset_el0" : "=r"(value));
	return value;
}

/* PMCCNTR_EL0 across a loop of 2 * n instructions: the first MRS, the loop, not the second MRS. */
static uint64_t loop_cycles(uint64_t n)
{
	uint64_t before, after;

	__asm__ volatile("mrs %0, pmccntr_el0\n"
	                 "1: subs %2, %2, #1\n"
	                 "b.ne 1b\n"
	                 "mrs %1, pmccntr_el0"
	                 : "=&r"(before), "=&r"(after), "+r"(n)
	                 :
	                 : "cc");
	return after - before;
}

static void show_loops(const char *what)
{
	static const uint64_t lengths[] = {1, 10, 1000, 100000};

	for (unsigned k = 0; k < sizeof(lengths) / sizeof(lengths[0]); k++)
		printf("pmu: %s: loop of %llu: %llu cycles\n", what, (unsigned long long)lengths[k],
		       (unsigned long long)loop_cycles(lengths[k]));
}

int main(void)
{
	printf("pmu: PMUVer %u\n", (unsigned)(read_dfr0() >> 8) & 0xf);
	WRITE(pmccfiltr_el0, 0);
	WRITE(pmcntenset_el0, CYCLE_BIT);
	WRITE(pmcr_el0, PMCR_E | PMCR_C);
	show_loops("counting");

	WRITE(pmccfiltr_el0, FILTER_EL1);
	show_loops("EL1 filtered out");
	WRITE(pmccfiltr_el0, 0);

	WRITE(pmcntenclr_el0, CYCLE_BIT);
	show_loops("disabled");
	WRITE(pmcntenset_el0, CYCLE_BIT);

	/* 32-bit overflow (PMCR_EL0.LC = 0): the flag goes up when the low half wraps. */
	WRITE(pmovsclr_el0, CYCLE_BIT);
	WRITE(pmccntr_el0, 0xffffffffu - 1000);
	loop_cycles(100);
	printf("pmu: overflow after 200 of 1000: %u\n", (unsigned)(read_overflow() >> 31) & 1);
	loop_cycles(1000);
	printf("pmu: overflow after 2200 of 1000: %u\n", (unsigned)(read_overflow() >> 31) & 1);
	WRITE(pmovsclr_el0, CYCLE_BIT);
	printf("pmu: overflow cleared: %u\n", (unsigned)(read_overflow() >> 31) & 1);
	WRITE(pmcr_el0, 0);
	return 0;
}
