/* Sleeping on the generic timer (see <qvp/timer.h>). */
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <qvp/timer.h>

void timer_sleep_counts(uint64_t counts)
{
	uint64_t daif;

	__asm__ volatile("mrs %0, daif" : "=r"(daif));
	irq_disable();
	gic_enable_irq(TIMER_VIRT_IRQ, 0x80, false);
	timer_virt_set_cval(timer_count() + counts);
	timer_virt_set_ctl(TIMER_CTL_ENABLE);
	while (!(timer_virt_ctl() & TIMER_CTL_ISTATUS))
		wait_for_interrupt();
	timer_virt_set_ctl(0);
	__asm__ volatile("msr daif, %0" ::"r"(daif) : "memory");
}
