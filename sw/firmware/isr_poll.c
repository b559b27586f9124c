/* Waits for interrupts with IRQs masked, as boot code and drivers do before they unmask: WFI,
 * then ISR_EL1.I says whether the timer's interrupt is pending. Five timer periods, each
 * acknowledged at the GIC without ever taking the exception; then an SGI seen the same way. */
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <qvp/timer.h>
#include <stdio.h>

#define PERIODS 5
#define PERIOD 6250 /* counts: 100 us at 62.5 MHz */
#define ISR_I (1u << 7)
#define SGI 3

static uint64_t isr(void)
{
	uint64_t value;

	__asm__ volatile("mrs %0, isr_el1" : "=r"(value));
	return value;
}

/* WFI until ISR_EL1 shows a pending IRQ (WFI wakes on a pending interrupt even when masked). */
static void wait_pending(void)
{
	while (!(isr() & ISR_I))
		wait_for_interrupt();
}

int main(void)
{
	unsigned seen = 0;

	if (gic_init() != 0) {
		printf("isr_poll: no GIC\n");
		return 1;
	}
	irq_disable();
	printf("isr_poll: ISR_EL1 0x%llx before any interrupt\n", (unsigned long long)isr());
	gic_enable_irq(TIMER_VIRT_IRQ, 0x80, false);
	timer_virt_set_cval(timer_count() + PERIOD);
	timer_virt_set_ctl(TIMER_CTL_ENABLE);
	for (int period = 0; period < PERIODS; period++) {
		wait_pending();
		uint32_t iar = gic_ack();
		if ((iar & 0x3ff) == TIMER_VIRT_IRQ)
			seen++;
		timer_virt_set_cval(timer_count() + PERIOD);
		gic_eoi(iar);
	}
	timer_virt_set_ctl(0);
	printf("isr_poll: %u of %u timer interrupts seen in ISR_EL1 with IRQs masked\n", seen, PERIODS);
	printf("isr_poll: ISR_EL1 0x%llx once acknowledged\n", (unsigned long long)isr());

	gic_enable_irq(SGI, 0x80, false);
	gic_send_sgi_self(SGI);
	wait_pending();
	uint32_t iar = gic_ack();
	gic_eoi(iar);
	printf("isr_poll: SGI %u seen in ISR_EL1\n", (unsigned)(iar & 0x3ff));
	return seen == PERIODS && (iar & 0x3ff) == SGI ? 0 : 1;
}
