/* Per-CPU timers: every CPU runs its own virtual timer (PPI 27, banked) with a period of
 * (index + 1) ms for ten ticks, each interrupt taken on that CPU and never early; CPU 0 waits
 * for all (WFE, their SEVs) and prints what each saw. Run with --cpus N (QEMU: -smp N). */
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <qvp/smp.h>
#include <qvp/timer.h>
#include <stdio.h>

#define TICKS 10u

static uint32_t ticks[SMP_MAX_CPUS], early[SMP_MAX_CPUS], finished;
static uint64_t period[SMP_MAX_CPUS], deadline[SMP_MAX_CPUS];

static unsigned this_cpu(void)
{
	return (unsigned)(smp_mpidr() & 0xff);
}

static void on_irq(struct exception_frame *frame)
{
	uint32_t iar = gic_ack();
	unsigned me = this_cpu();

	(void)frame;
	if ((iar & 0x3ff) == TIMER_VIRT_IRQ) {
		if (timer_count() < deadline[me])
			early[me]++;
		ticks[me]++;
		deadline[me] += period[me];
		if (ticks[me] < TICKS)
			timer_virt_set_cval(deadline[me]);
		else
			timer_virt_set_ctl(TIMER_CTL_IMASK); /* done: off */
	}
	gic_eoi(iar);
}

static void tick_ten_times(unsigned index)
{
	if (index != 0)
		smp_gic_init_this_cpu();
	gic_enable_irq(TIMER_VIRT_IRQ, 0x80, false);
	period[index] = timer_frequency() / 1000 * (index + 1);
	deadline[index] = timer_count() + period[index];
	timer_virt_set_cval(deadline[index]);
	timer_virt_set_ctl(TIMER_CTL_ENABLE);
	irq_enable();
	while (__atomic_load_n(&ticks[index], __ATOMIC_ACQUIRE) < TICKS)
		wait_for_interrupt();
	irq_disable();
	__atomic_fetch_add(&finished, 1, __ATOMIC_RELEASE);
	send_event();
}

int main(void)
{
	unsigned cpus = 1;

	exception_set_handler(EXCEPTION_IRQ, on_irq);
	if (gic_init() != 0)
		return 1;
	while (cpus < SMP_MAX_CPUS && smp_start_cpu(cpus, tick_ten_times) == 0)
		cpus++;
	tick_ten_times(0);
	while (__atomic_load_n(&finished, __ATOMIC_ACQUIRE) != cpus)
		wait_for_event();
	for (unsigned k = 0; k < cpus; k++)
		printf("smp_timers: cpu %u: %u ticks of %u ms, %u early\n", k, ticks[k], k + 1, early[k]);
	return 0;
}
