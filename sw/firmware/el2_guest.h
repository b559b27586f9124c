/*
 * What the small hypervisors el2_virq.c, el2_cnthp.c and el2_vgic.c share: system register
 * access, the EL2 vector table of el2_vectors.S (which calls the firmware's own
 * el2_dispatch()) and the drop to the EL1 guest, the start check and the report of an
 * exception none of them expects.
 */
#ifndef QVP_FIRMWARE_EL2_GUEST_H
#define QVP_FIRMWARE_EL2_GUEST_H

#include <qvp/exception.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define READ_SYSREG(name)                                                                                              \
	({                                                                                                             \
		uint64_t value_;                                                                                       \
		__asm__ volatile("mrs %0, " #name : "=r"(value_));                                                     \
		value_;                                                                                                \
	})
#define WRITE_SYSREG(name, value) __asm__ volatile("msr " #name ", %0; isb" : : "r"((uint64_t)(value)) : "memory")

extern char el2_vectors[];
void el2_enter_el1(void (*entry)(void), uint64_t stack);
void el2_dispatch(struct exception_frame *frame);

static inline unsigned current_el(void)
{
	return (unsigned)(READ_SYSREG(CurrentEL) >> 2) & 3;
}

/* Says where the firmware started; 0 (after saying why) unless it is EL2. */
static inline int el2_started(void)
{
	printf("el2: started at EL%u\n", current_el());
	if (current_el() == 2)
		return 1;
	printf("el2: this firmware needs to start at EL2 (qvp --el2)\n");
	return 0;
}

/* An exception the firmware does not expect: reported, and the run ends with status 2. */
static inline _Noreturn void el2_unexpected(const struct exception_frame *frame)
{
	printf("el2: unexpected exception, vector %llu ESR_EL2=0x%llx\n", (unsigned long long)frame->vector,
	       (unsigned long long)frame->esr);
	exit(2);
}

#endif
