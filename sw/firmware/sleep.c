/* Sleeps SLEEP_TICKS periods of SLEEP_PERIOD_MS in WFI, woken by the virtual timer through the
 * GIC each time: an idle guest, which qvp runs by jumping virtual time to each timer event. */
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <qvp/timer.h>
#include <stdio.h>

#ifndef SLEEP_TICKS
#define SLEEP_TICKS 1000
#define SLEEP_PERIOD_MS 1
#endif

static volatile unsigned ticks;
static uint64_t cval, period;

static void on_irq(struct exception_frame *frame)
{
	uint32_t iar = gic_ack();

	(void)frame;
	if ((iar & 0x3ff) == TIMER_VIRT_IRQ) {
		ticks++;
		cval += period;
		timer_virt_set_cval(cval);
	}
	gic_eoi(iar);
}

int main(void)
{
	uint64_t start;

	if (gic_init() != 0) {
		printf("sleep: no GIC\n");
		return 1;
	}
	exception_set_handler(EXCEPTION_IRQ, on_irq);
	gic_enable_irq(TIMER_VIRT_IRQ, 0x80, false);
	period = timer_frequency() / 1000 * SLEEP_PERIOD_MS;
	start = cval = timer_count();
	cval += period;
	timer_virt_set_cval(cval);
	timer_virt_set_ctl(TIMER_CTL_ENABLE);
	irq_enable();
	while (ticks < SLEEP_TICKS)
		wait_for_interrupt();
	irq_disable();
	timer_virt_set_ctl(0);
	printf("sleep: %u ticks of %u ms, %llu counts\n", ticks, SLEEP_PERIOD_MS,
	       (unsigned long long)(timer_count() - start));
	return 0;
}
