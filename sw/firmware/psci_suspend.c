/* PSCI CPU_SUSPEND through HVC: a standby that ends at the next interrupt (the virtual timer's,
 * 1 ms ahead, masked at the CPU as Linux's idle loop has it), a powerdown state taken as
 * standby, and a reserved power_state bit refused. tests/test_psci.cpp compares the lines with
 * QEMU's answers; each ends with whether the timer had fired when the call returned. */
#include <psci_ids.h>
#include <qvp/smp.h> /* psci_call: HVC, as Linux calls PSCI here */
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <qvp/timer.h>
#include <stdint.h>
#include <stdio.h>

#define STANDBY 0u
#define POWERDOWN (1u << 16)
#define RESERVED (1u << 17)

/* CPU_SUSPEND with the virtual timer due in 1 ms: its result, and whether the timer fired by then. */
static void suspend(const char *name, uint64_t function, uint32_t power_state)
{
	uint64_t start = timer_count(), period = timer_frequency() / 1000;
	int64_t result;
	bool fired;

	timer_virt_set_cval(start + period);
	timer_virt_set_ctl(TIMER_CTL_ENABLE);
	result = psci_call(function, power_state, 0x40080000u, 0);
	fired = timer_virt_ctl() & TIMER_CTL_ISTATUS;
	timer_virt_set_ctl(0);
	printf("psci: %s = %ld, timer %s\n", name, (long)result, fired ? "fired" : "not yet");
}

int main(void)
{
	if (gic_init() != 0) {
		printf("psci_suspend: no GIC\n");
		return 1;
	}
	irq_disable(); /* the interrupt wakes the CPU without being taken */
	gic_enable_irq(TIMER_VIRT_IRQ, 0x80, false);
	printf("psci: FEATURES(CPU_SUSPEND) = %ld\n", (long)psci_call(PSCI_FEATURES, PSCI_CPU_SUSPEND, 0, 0));
	printf("psci: FEATURES(CPU_SUSPEND64) = %ld\n",
	       (long)psci_call(PSCI_FEATURES, PSCI_CPU_SUSPEND | PSCI_FN_SMC64, 0, 0));
	suspend("CPU_SUSPEND(standby)", PSCI_CPU_SUSPEND, STANDBY);
	suspend("CPU_SUSPEND64(standby)", PSCI_CPU_SUSPEND | PSCI_FN_SMC64, STANDBY);
	suspend("CPU_SUSPEND(powerdown)", PSCI_CPU_SUSPEND, POWERDOWN);
	suspend("CPU_SUSPEND(reserved bit)", PSCI_CPU_SUSPEND, RESERVED);
	printf("psci: SYSTEM_OFF\n");
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	return 1;
}
