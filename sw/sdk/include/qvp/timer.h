/* The generic timer's EL1 virtual and physical timers, for SDK firmware. On the virt board
 * (platforms/virt.dts, like QEMU's) the virtual timer is PPI 11 (interrupt ID 27) and the
 * non-secure physical timer PPI 14 (ID 30). */
#ifndef QVP_SDK_TIMER_H
#define QVP_SDK_TIMER_H

#include <stdint.h>

#define TIMER_VIRT_IRQ 27
#define TIMER_PHYS_IRQ 30

#define TIMER_CTL_ENABLE 1u
#define TIMER_CTL_IMASK 2u
#define TIMER_CTL_ISTATUS 4u

static inline uint64_t timer_frequency(void)
{
	uint64_t value;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(value));
	return value;
}

/* CNTVCT_EL0 after an ISB, so it is not read early. */
static inline uint64_t timer_count(void)
{
	uint64_t value;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(value)::"memory");
	return value;
}

static inline uint64_t timer_physical_count(void)
{
	uint64_t value;
	__asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(value)::"memory");
	return value;
}

static inline void timer_virt_set_cval(uint64_t cval)
{
	__asm__ volatile("msr cntv_cval_el0, %0; isb" ::"r"(cval) : "memory");
}

static inline void timer_virt_set_tval(int32_t tval)
{
	__asm__ volatile("msr cntv_tval_el0, %0; isb" ::"r"((uint64_t)(int64_t)tval) : "memory");
}

static inline int32_t timer_virt_tval(void)
{
	uint64_t value;
	__asm__ volatile("mrs %0, cntv_tval_el0" : "=r"(value));
	return (int32_t)value;
}

static inline void timer_virt_set_ctl(uint32_t ctl)
{
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" ::"r"((uint64_t)ctl) : "memory");
}

static inline uint32_t timer_virt_ctl(void)
{
	uint64_t value;
	__asm__ volatile("mrs %0, cntv_ctl_el0" : "=r"(value));
	return (uint32_t)value;
}

static inline void timer_phys_set_cval(uint64_t cval)
{
	__asm__ volatile("msr cntp_cval_el0, %0; isb" ::"r"(cval) : "memory");
}

static inline void timer_phys_set_ctl(uint32_t ctl)
{
	__asm__ volatile("msr cntp_ctl_el0, %0; isb" ::"r"((uint64_t)ctl) : "memory");
}

static inline uint32_t timer_phys_ctl(void)
{
	uint64_t value;
	__asm__ volatile("mrs %0, cntp_ctl_el0" : "=r"(value));
	return (uint32_t)value;
}

/* Sleeps in WFI for `counts` ticks of the virtual timer, with IRQs masked at the CPU: the
 * timer's interrupt, enabled at the GIC (gic_init() first), only wakes it. Uses the virtual timer
 * and leaves it disabled. */
void timer_sleep_counts(uint64_t counts);

#endif
