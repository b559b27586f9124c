/* Exceptions and interrupts for SDK firmware: install a C handler per kind; the vector code
 * saves the interrupted context in a frame, calls the handler, and returns to the (possibly
 * modified) context with ERET. Without a handler, the SDK reports the exception and exits. */
#ifndef QVP_EXCEPTION_H
#define QVP_EXCEPTION_H

#include <stdint.h>

enum exception_kind {
	EXCEPTION_SYNC,
	EXCEPTION_IRQ,
	EXCEPTION_FIQ,
	EXCEPTION_SERROR,
};

/* The interrupted context. A handler may change any field; ERET resumes from it. */
struct exception_frame {
	uint64_t x[31];
	uint64_t sp_el0;
	uint64_t elr;  /* ELR_EL1: where ERET returns */
	uint64_t spsr; /* SPSR_EL1: the PSTATE ERET restores */
	uint64_t esr;  /* ESR_EL1 at entry (read-only in effect) */
	uint64_t far;  /* FAR_EL1 at entry (read-only in effect) */
	uint64_t vector; /* index of the vector-table entry taken, 0..15 */
};

typedef void (*exception_handler)(struct exception_frame *frame);

/* Installs `handler` for `kind`; NULL restores the default (report and exit 127). */
void exception_set_handler(enum exception_kind kind, exception_handler handler);

static inline void irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

static inline void wait_for_interrupt(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

#endif
