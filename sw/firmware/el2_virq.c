/*
 * Virtual interrupts from HCR_EL2 (issue 18): started at EL2 (qvp --el2; QEMU -M
 * virt,virtualization=on), a tiny hypervisor routes IRQ, FIQ and SError to EL2 (IMO, FMO, AMO)
 * and runs an EL1 guest that asks it by HVC to raise or drop HCR_EL2.VI, VF and VSE. The guest
 * reads ISR_EL1, takes each virtual interrupt at its own vectors once it unmasks it (the
 * virtual SError with ESR_EL1 and HCR_EL2.VSE cleared by taking it), sees a WFI complete while
 * a masked virtual IRQ is pending, and sees none when IMO no longer routes IRQs to EL2. EL2
 * itself never takes a virtual interrupt. The output is compared with QEMU's byte for byte
 * (tests/iss/test_el2_virtual.cpp).
 */
#include "el2_guest.h"
#include <qvp/exception.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>


#define HCR_FMO (1ull << 3)
#define HCR_IMO (1ull << 4)
#define HCR_AMO (1ull << 5)
#define HCR_VF  (1ull << 6)
#define HCR_VI  (1ull << 7)
#define HCR_VSE (1ull << 8)
#define HCR_RW  (1ull << 31)
#define HCR_ROUTED (HCR_RW | HCR_IMO | HCR_FMO | HCR_AMO)

/* Hypercalls: imm16 names what EL2 does to HCR_EL2. */
#define HVC_SET_VI    1
#define HVC_CLEAR_VI  2
#define HVC_SET_VF    3
#define HVC_CLEAR_VF  4
#define HVC_SET_VSE   5
#define HVC_NO_IMO    6
#define HVC_ROUTED    7
#define HVC_SHOW_HCR  8
#define HVC_FINISH    9


static uint64_t el1_stack[1024] __attribute__((aligned(16)));
static volatile unsigned taken_irq, taken_fiq, taken_serror;

/* ---- EL2 ---- */

static void set_hcr(uint64_t set, uint64_t clear)
{
	WRITE_SYSREG(hcr_el2, (READ_SYSREG(hcr_el2) | set) & ~clear);
}

static void hypercall(unsigned imm)
{
	switch (imm) {
	case HVC_SET_VI:
		set_hcr(HCR_VI, 0);
		break;
	case HVC_CLEAR_VI:
		set_hcr(0, HCR_VI);
		break;
	case HVC_SET_VF:
		set_hcr(HCR_VF, 0);
		break;
	case HVC_CLEAR_VF:
		set_hcr(0, HCR_VF);
		break;
	case HVC_SET_VSE:
		set_hcr(HCR_VSE, 0);
		break;
	case HVC_NO_IMO:
		set_hcr(0, HCR_IMO);
		break;
	case HVC_ROUTED:
		WRITE_SYSREG(hcr_el2, HCR_ROUTED);
		break;
	case HVC_SHOW_HCR:
		printf("el2: HCR_EL2 VSE=%llu VI=%llu VF=%llu\n", (unsigned long long)(READ_SYSREG(hcr_el2) >> 8) & 1,
		       (unsigned long long)(READ_SYSREG(hcr_el2) >> 7) & 1,
		       (unsigned long long)(READ_SYSREG(hcr_el2) >> 6) & 1);
		break;
	default:
		printf("el2: done\n");
		exit(0);
	}
}

void el2_dispatch(struct exception_frame *frame)
{
	unsigned ec = (unsigned)(frame->esr >> 26);

	if (frame->vector != 8 || ec != 0x16) {
		el2_unexpected(frame);
	}
	hypercall((unsigned)frame->esr & 0xffff);
}

/* At EL2 with VI, VF and VSE all set and nothing masked: virtual interrupts are EL1's only. */
static void el2_takes_none(void)
{
	set_hcr(HCR_VI | HCR_VF | HCR_VSE, 0);
	__asm__ volatile("msr daifclr, #7; isb; nop; nop; msr daifset, #7; isb" ::: "memory");
	printf("el2: with VI, VF and VSE set and DAIF clear at EL2, nothing taken\n");
	set_hcr(0, HCR_VI | HCR_VF | HCR_VSE);
}

/* ---- EL1 ---- */

#define HVC(imm) __asm__ volatile("hvc #" #imm ::: "memory")

static void el1_irq(struct exception_frame *frame)
{
	taken_irq++;
	printf("el1: IRQ taken at vector %llu, ISR_EL1=0x%llx\n", (unsigned long long)frame->vector,
	       (unsigned long long)READ_SYSREG(isr_el1));
	HVC(2); /* HVC_CLEAR_VI: the guest acknowledges it */
}

static void el1_fiq(struct exception_frame *frame)
{
	taken_fiq++;
	printf("el1: FIQ taken at vector %llu, ISR_EL1=0x%llx\n", (unsigned long long)frame->vector,
	       (unsigned long long)READ_SYSREG(isr_el1));
	HVC(4); /* HVC_CLEAR_VF */
}

static void el1_serror(struct exception_frame *frame)
{
	taken_serror++;
	printf("el1: SError taken at vector %llu, ESR_EL1=0x%08llx, ISR_EL1=0x%llx\n",
	       (unsigned long long)frame->vector, (unsigned long long)frame->esr,
	       (unsigned long long)READ_SYSREG(isr_el1));
}

static void show_isr(const char *when)
{
	printf("el1: %s: ISR_EL1=0x%llx\n", when, (unsigned long long)READ_SYSREG(isr_el1));
}

static void el1_virtual_irq_and_fiq(void)
{
	show_isr("nothing pending");
	HVC(1);
	show_isr("VI set, I masked");
	__asm__ volatile("msr daifclr, #2; isb; nop; msr daifset, #2" ::: "memory");
	printf("el1: after unmasking I: %u IRQ taken\n", taken_irq);
	HVC(3);
	show_isr("VF set, F masked");
	__asm__ volatile("msr daifclr, #1; isb; nop; msr daifset, #1" ::: "memory");
	printf("el1: after unmasking F: %u FIQ taken\n", taken_fiq);
}

static void el1_virtual_serror(void)
{
	HVC(5);
	show_isr("VSE set, A masked");
	HVC(8);
	__asm__ volatile("msr daifclr, #4; isb; nop; msr daifset, #4" ::: "memory");
	printf("el1: after unmasking A: %u SError taken\n", taken_serror);
	HVC(8); /* taking it cleared VSE */
	show_isr("after the SError");
}

/* A masked virtual IRQ wakes WFI; without IMO the virtual IRQ is not EL1's to see or take. */
static void el1_wfi_and_routing(void)
{
	HVC(1);
	__asm__ volatile("wfi" ::: "memory");
	printf("el1: WFI completed with a masked virtual IRQ pending\n");
	HVC(6);
	show_isr("VI set without IMO");
	__asm__ volatile("msr daifclr, #2; isb; nop; msr daifset, #2" ::: "memory");
	printf("el1: without IMO, after unmasking I: %u IRQ taken\n", taken_irq);
	HVC(7);
	HVC(8);
}

static void el1_main(void)
{
	printf("el1: running at EL%u\n", current_el());
	exception_set_handler(EXCEPTION_IRQ, el1_irq);
	exception_set_handler(EXCEPTION_FIQ, el1_fiq);
	exception_set_handler(EXCEPTION_SERROR, el1_serror);
	el1_virtual_irq_and_fiq();
	el1_virtual_serror();
	el1_wfi_and_routing();
	HVC(9);
	for (;;)
		;
}

int main(void)
{
	if (!el2_started())
		return 1;
	WRITE_SYSREG(vbar_el2, (uint64_t)el2_vectors);
	WRITE_SYSREG(hcr_el2, HCR_ROUTED);
	el2_takes_none();
	printf("el2: IMO, FMO and AMO set, entering EL1\n");
	el2_enter_el1(el1_main, (uint64_t)&el1_stack[1024]);
	return 4;
}
