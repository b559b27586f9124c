/* PSCI with several CPUs (run with 2 or more): the answers of CPU_ON, AFFINITY_INFO and CPU_OFF
 * for CPUs on, off, and missing, printed as "psci_smp: NAME = VALUE"; the context id reaches
 * the started CPU in x0. tests/test_smp.cpp compares them with the specification and QEMU. */
#include <psci_ids.h>
#include <qvp/smp.h>
#include <stdio.h>

#define SMC64 PSCI_FN_SMC64

static uint32_t ran;          /* the index (context id) cpu1 last started with */
static uint32_t going_off;    /* set by cpu1 just before its CPU_OFF */

static void show(const char *name, int64_t value)
{
	printf("psci_smp: %s = %ld\n", name, (long)value);
}

static void note_and_turn_off(unsigned index)
{
	__atomic_store_n(&ran, index, __ATOMIC_RELEASE);
	__atomic_store_n(&going_off, 1, __ATOMIC_RELEASE);
	send_event(); /* returning turns the CPU off (smp.c) */
}

static int64_t affinity(uint64_t mpidr)
{
	return psci_call(PSCI_AFFINITY_INFO | SMC64, mpidr, 0, 0);
}

/* Waits until cpu1 is off again: AFFINITY_INFO says so once its CPU_OFF has taken effect. */
static void wait_until_off(void)
{
	while (!__atomic_load_n(&going_off, __ATOMIC_ACQUIRE))
		wait_for_event();
	while (affinity(1) != PSCI_AFFINITY_OFF)
		__asm__ volatile("yield"); /* Linux's cpu_relax(): a peer running CPUs in turn switches here */
	__atomic_store_n(&going_off, 0, __ATOMIC_RELAXED);
}

int main(void)
{
	show("AFFINITY_INFO(cpu0)", affinity(0));
	show("AFFINITY_INFO(cpu1) before CPU_ON", affinity(1));
	show("AFFINITY_INFO(cpu9)", affinity(9));
	show("CPU_ON(cpu9)", psci_call(PSCI_CPU_ON | SMC64, 9, 0x40080000u, 0));
	show("CPU_ON(cpu0)", psci_call(PSCI_CPU_ON | SMC64, 0, 0x40080000u, 0));
	show("CPU_ON(cpu1)", smp_start_cpu(1, note_and_turn_off));
	wait_until_off();
	show("context id seen by cpu1", ran);
	show("AFFINITY_INFO(cpu1) after CPU_OFF", affinity(1));
	show("CPU_ON(cpu1) again", smp_start_cpu(1, note_and_turn_off));
	wait_until_off();
	show("AFFINITY_INFO(cpu1) after its second CPU_OFF", affinity(1));
	show("AFFINITY_INFO(cpu0, level 1)", psci_call(PSCI_AFFINITY_INFO | SMC64, 0, 1, 0));
	return 0;
}
