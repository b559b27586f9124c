/* The virtual timer through the GIC: TICKS interrupts, each re-arming CVAL one period later.
 * Every tick must arrive at or just after its CVAL (checked against CNTVCT in the handler). */
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <qvp/timer.h>
#include <stdio.h>

#define TICKS 50
#define PERIOD 6250     /* counts: 100 us at 62.5 MHz */
#define MAX_LATENCY 64  /* counts: the handler runs within about a microsecond of CVAL */

static volatile unsigned ticks;
static uint64_t cval, worst;
static int errors;

static void on_irq(struct exception_frame *frame)
{
	uint32_t iar = gic_ack();
	uint64_t now = timer_count();

	(void)frame;
	if ((iar & 0x3ff) != TIMER_VIRT_IRQ) {
		printf("timer_irq: unexpected interrupt %u\n", (unsigned)(iar & 0x3ff));
		errors++;
	} else {
		if (now < cval || now - cval > MAX_LATENCY) {
			printf("timer_irq: tick %u: CNTVCT %llu, CVAL %llu\n", ticks, (unsigned long long)now,
			       (unsigned long long)cval);
			errors++;
		} else if (now - cval > worst) {
			worst = now - cval;
		}
		ticks++;
		cval += PERIOD;
		timer_virt_set_cval(cval);
	}
	gic_eoi(iar);
}

int main(void)
{
	if (gic_init() != 0) {
		printf("timer_irq: no GIC\n");
		return 1;
	}
	exception_set_handler(EXCEPTION_IRQ, on_irq);
	gic_enable_irq(TIMER_VIRT_IRQ, 0x80, false);
	cval = timer_count() + PERIOD;
	timer_virt_set_cval(cval);
	timer_virt_set_ctl(TIMER_CTL_ENABLE);
	irq_enable();
	while (ticks < TICKS)
		wait_for_interrupt();
	irq_disable();
	timer_virt_set_ctl(0);
	printf("timer_irq: %u ticks of %u counts at %llu Hz, each within %llu counts of CVAL\n", ticks, PERIOD,
	       (unsigned long long)timer_frequency(), (unsigned long long)worst);
	return errors ? 1 : 0;
}
