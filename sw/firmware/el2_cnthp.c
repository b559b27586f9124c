/*
 * The EL2 physical timer and CNTHCTL_EL2 (issue 18): started at EL2 (qvp --el2; QEMU -M
 * virt,virtualization=on), the firmware arms CNTHP_TVAL_EL2 and CNTHP_CTL_EL2 and takes the
 * timer's PPI 26 at EL2 through the GIC (HCR_EL2.IMO routes IRQs to EL2), reads CVAL and CTL
 * back, then runs an EL1 guest that finds CNTHP_* UNDEFINED and whose reads of CNTPCT_EL0 and
 * CNTP_CTL_EL0 trap to EL2 (EC 0x18) while CNTHCTL_EL2.EL1PCTEN and EL1PCEN are clear. The
 * output is compared with QEMU's byte for byte (tests/iss/test_el2_virtual.cpp).
 */
#include "el2_guest.h"
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>


#define HCR_IMO (1ull << 4)
#define HCR_RW  (1ull << 31)

#define HYP_TIMER_PPI 26
#define CTL_ENABLE    1u
#define CTL_IMASK     2u

#define HVC_GATE_OFF 1 /* CNTHCTL_EL2 = 0 */
#define HVC_GATE_ON  2 /* CNTHCTL_EL2 = 3 */
#define HVC_FINISH   3


static uint64_t el1_stack[1024] __attribute__((aligned(16)));
static volatile unsigned hyp_ticks;

/* ---- EL2 ---- */

static void hyp_timer_irq(void)
{
	uint32_t iar = gic_ack();

	printf("el2: IRQ %u, CNTHP_CTL_EL2=0x%llx\n", (unsigned)(iar & 0x3ff),
	       (unsigned long long)READ_SYSREG(cnthp_ctl_el2));
	WRITE_SYSREG(cnthp_ctl_el2, CTL_ENABLE | CTL_IMASK); /* masked: the PPI falls */
	hyp_ticks++;
	gic_eoi(iar);
}

static void hypercall(struct exception_frame *frame)
{
	switch ((unsigned)frame->esr & 0xffff) {
	case HVC_GATE_OFF:
		WRITE_SYSREG(cnthctl_el2, 0);
		break;
	case HVC_GATE_ON:
		WRITE_SYSREG(cnthctl_el2, 3);
		break;
	default:
		printf("el2: done\n");
		exit(0);
	}
}

void el2_dispatch(struct exception_frame *frame)
{
	unsigned ec = (unsigned)(frame->esr >> 26);

	if (frame->vector == 5) {
		hyp_timer_irq();
	} else if (frame->vector == 8 && ec == 0x16) {
		hypercall(frame);
	} else if (frame->vector == 8 && ec == 0x18) {
		printf("el2: trapped from EL1: ESR_EL2=0x%08llx (%s of op0 %llu op1 %llu CRn %llu CRm %llu op2 %llu)\n",
		       (unsigned long long)frame->esr, frame->esr & 1 ? "read" : "write",
		       (unsigned long long)(frame->esr >> 20) & 3, (unsigned long long)(frame->esr >> 14) & 7,
		       (unsigned long long)(frame->esr >> 10) & 15, (unsigned long long)(frame->esr >> 1) & 15,
		       (unsigned long long)(frame->esr >> 17) & 7);
		if (frame->esr & 1)
			frame->x[(frame->esr >> 5) & 31] = 0xdead; /* what the trapped read gives */
		frame->elr += 4;
	} else {
		el2_unexpected(frame);
	}
}

static void el2_timer(void)
{
	uint64_t now;

	gic_enable_irq(HYP_TIMER_PPI, 0x80, false);
	WRITE_SYSREG(cnthp_cval_el2, 0x123456789abull);
	printf("el2: CNTHP_CVAL_EL2 reads 0x%llx\n", (unsigned long long)READ_SYSREG(cnthp_cval_el2));
	WRITE_SYSREG(cnthp_ctl_el2, CTL_ENABLE);
	printf("el2: far CVAL: CNTHP_CTL_EL2=0x%llx\n", (unsigned long long)READ_SYSREG(cnthp_ctl_el2));
	WRITE_SYSREG(cnthp_tval_el2, 6250); /* 100 us */
	now = READ_SYSREG(cntpct_el0);
	printf("el2: TVAL 6250 sets CVAL %s the counter\n",
	       READ_SYSREG(cnthp_cval_el2) > now && READ_SYSREG(cnthp_cval_el2) <= now + 6250 ? "within 6250 of"
	                                                                                       : "away from");
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	while (hyp_ticks == 0)
		__asm__ volatile("wfi" ::: "memory");
	__asm__ volatile("msr daifset, #2" ::: "memory");
	printf("el2: after it: CNTHP_CTL_EL2=0x%llx, TVAL %s\n", (unsigned long long)READ_SYSREG(cnthp_ctl_el2),
	       (int32_t)READ_SYSREG(cnthp_tval_el2) <= 0 ? "not positive" : "positive");
	WRITE_SYSREG(cnthp_ctl_el2, 0);
}

/* ---- EL1 ---- */

static void el1_sync(struct exception_frame *frame)
{
	printf("el1: synchronous exception: ESR_EL1=0x%08llx\n", (unsigned long long)frame->esr);
	frame->elr += 4;
}

static void el1_main(void)
{
	uint64_t value;

	printf("el1: running at EL%u\n", current_el());
	exception_set_handler(EXCEPTION_SYNC, el1_sync);
	__asm__ volatile("mrs %0, cnthp_ctl_el2" : "=r"(value) : : "memory");
	__asm__ volatile("hvc #1" ::: "memory");
	value = READ_SYSREG(cntpct_el0);
	printf("el1: CNTPCT_EL0 with EL1PCTEN clear gave 0x%llx\n", (unsigned long long)value);
	value = READ_SYSREG(cntp_ctl_el0);
	printf("el1: CNTP_CTL_EL0 with EL1PCEN clear gave 0x%llx\n", (unsigned long long)value);
	WRITE_SYSREG(cntp_cval_el0, 5);
	value = READ_SYSREG(cntvct_el0);
	printf("el1: CNTVCT_EL0 is never gated: %s\n", value != 0xdead ? "read" : "trapped");
	__asm__ volatile("hvc #2" ::: "memory");
	printf("el1: with the gate open, CNTP_CTL_EL0 reads 0x%llx\n", (unsigned long long)READ_SYSREG(cntp_ctl_el0));
	__asm__ volatile("hvc #3" ::: "memory");
	for (;;)
		;
}

int main(void)
{
	if (!el2_started())
		return 1;
	if (gic_init() != 0) {
		printf("el2: no GIC\n");
		return 1;
	}
	printf("el2: CNTHCTL_EL2 at reset: 0x%llx\n", (unsigned long long)READ_SYSREG(cnthctl_el2));
	WRITE_SYSREG(vbar_el2, (uint64_t)el2_vectors);
	WRITE_SYSREG(hcr_el2, HCR_RW | HCR_IMO);
	el2_timer();
	el2_enter_el1(el1_main, (uint64_t)&el1_stack[1024]);
	return 4;
}
