/*
 * The GICv2 virtualization extensions (issue 18): started at EL2 (qvp --el2; QEMU -M
 * virt,virtualization=on), a tiny hypervisor routes physical IRQs to itself (HCR_EL2.IMO) and
 * injects virtual interrupts into its EL1 guest through the GICH list registers; the guest
 * takes them at its own IRQ vector and acknowledges and ends them through the GICV frame, as
 * it would through a GICC. Shown: a software LR with an EOI maintenance request (the
 * maintenance interrupt, PPI 25, comes to EL2, which reads GICH_MISR, EISR0 and ELRSR0 and
 * frees the LR), two LRs taken in priority order, and the guest's virtual timer forwarded as a
 * hardware LR (the physical PPI 27 stays active until the guest's EOI deactivates it). The
 * output is compared with QEMU's byte for byte (tests/iss/test_el2_virtual.cpp).
 */
#include "el2_guest.h"
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <qvp/mmio.h>
#include <qvp/timer.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>


#define HCR_IMO (1ull << 4)
#define HCR_RW  (1ull << 31)

#define GICH 0x08030000ul /* QEMU virt's addresses: the guest uses GICV directly (no stage 2 here) */
#define GICV 0x08040000ul

#define HVC_INJECT_EOI   1 /* LR0: virtual 42, priority 0xa0, EOI maintenance */
#define HVC_INJECT_TWO   2 /* LR1 and LR2: virtual 50 (0x80) and 51 (0x40) */
#define HVC_FORWARD_TIMER 3 /* the guest's virtual timer goes through EL2 as a HW LR */
#define HVC_SHOW         4
#define HVC_FINISH       5


static uint64_t el1_stack[1024] __attribute__((aligned(16)));
static volatile unsigned guest_irqs;

static uint32_t gich_read(uint32_t offset)
{
	return mmio_read32(GICH + offset);
}

static void gich_write(uint32_t offset, uint32_t value)
{
	mmio_write32(GICH + offset, value);
}

static uint32_t list_register(unsigned id, unsigned priority, bool eoi)
{
	return id | (priority >> 3) << GICH_LR_PRIORITY_SHIFT | GICH_LR_PENDING | (eoi ? GICH_LR_EOI : 0);
}

/* ---- EL2 ---- */

static void show_lrs(const char *when)
{
	printf("el2: %s: LR0=0x%08x LR1=0x%08x LR2=0x%08x LR3=0x%08x APR=0x%x\n", when, gich_read(GICH_LR0),
	       gich_read(GICH_LR0 + 4), gich_read(GICH_LR0 + 8), gich_read(GICH_LR0 + 12), gich_read(GICH_APR));
}

/* A maintenance interrupt: report why, free the LRs whose EOI it was, end it (EOImode: drop and deactivate). */
static void maintenance(uint32_t iar)
{
	uint32_t eisr = gich_read(GICH_EISR0);

	printf("el2: maintenance interrupt: MISR=0x%x EISR0=0x%x ELRSR0=0x%x\n", gich_read(GICH_MISR), eisr,
	       gich_read(GICH_ELRSR0));
	for (unsigned k = 0; k < GICV2_NUM_LRS; k++)
		if (eisr >> k & 1)
			gich_write(GICH_LR0 + 4 * k, 0);
	printf("el2: after freeing: MISR=0x%x ELRSR0=0x%x\n", gich_read(GICH_MISR), gich_read(GICH_ELRSR0));
	gic_cpu_write(GICC_EOIR, iar);
	gic_cpu_write(GICC_DIR, iar);
}

/* The guest's timer: drop its priority, leave it active and hand it to the guest in LR3 (HW). */
static void forward_timer(uint32_t iar)
{
	printf("el2: physical IRQ %u: injected as virtual %u through a HW list register\n", iar & 0x3ff, iar & 0x3ff);
	gic_cpu_write(GICC_EOIR, iar);
	gich_write(GICH_LR0 + 12, list_register(TIMER_VIRT_IRQ, 0x60, false) | GICH_LR_HW |
	                                   TIMER_VIRT_IRQ << GICH_LR_PHYSICAL_ID_SHIFT);
}

static void el2_irq(void)
{
	uint32_t iar = gic_ack();

	if ((iar & 0x3ff) == GICV2_MAINTENANCE_PPI)
		maintenance(iar);
	else if ((iar & 0x3ff) == TIMER_VIRT_IRQ)
		forward_timer(iar);
	else
		printf("el2: unexpected physical IRQ %u\n", iar & 0x3ff);
}

static void hypercall(unsigned imm)
{
	switch (imm) {
	case HVC_INJECT_EOI:
		gich_write(GICH_LR0, list_register(42, 0xa0, true));
		show_lrs("injected 42");
		break;
	case HVC_INJECT_TWO:
		gich_write(GICH_LR0 + 4, list_register(50, 0x80, false));
		gich_write(GICH_LR0 + 8, list_register(51, 0x40, false));
		show_lrs("injected 50 and 51");
		break;
	case HVC_FORWARD_TIMER:
		gic_enable_irq(TIMER_VIRT_IRQ, 0x60, false);
		break;
	case HVC_SHOW:
		show_lrs("now");
		printf("el2: GICH_VMCR=0x%08x ELRSR0=0x%x, physical 27 %s\n", gich_read(GICH_VMCR),
		       gich_read(GICH_ELRSR0), gic_is_active(TIMER_VIRT_IRQ) ? "active" : "not active");
		break;
	default:
		printf("el2: done\n");
		exit(0);
	}
}

void el2_dispatch(struct exception_frame *frame)
{
	unsigned ec = (unsigned)(frame->esr >> 26);

	if (frame->vector == 9 || frame->vector == 5) {
		el2_irq();
	} else if (frame->vector == 8 && ec == 0x16) {
		hypercall((unsigned)frame->esr & 0xffff);
	} else {
		el2_unexpected(frame);
	}
}

/* ---- EL1 ---- */

static void el1_irq(struct exception_frame *frame)
{
	uint32_t iar;

	(void)frame;
	while ((iar = mmio_read32(GICV + GICC_IAR)) != GICV2_SPURIOUS) {
		printf("el1: GICV_IAR=%u, GICV_RPR=0x%x\n", iar, mmio_read32(GICV + GICC_RPR));
		if (iar == TIMER_VIRT_IRQ)
			timer_virt_set_ctl(TIMER_CTL_ENABLE | TIMER_CTL_IMASK);
		guest_irqs++;
		mmio_write32(GICV + GICC_EOIR, iar);
		printf("el1: ended %u\n", iar);
	}
}

static void el1_main(void)
{
	printf("el1: running at EL%u\n", current_el());
	exception_set_handler(EXCEPTION_IRQ, el1_irq);
	mmio_write32(GICV + GICC_CTLR, GICC_CTLR_ENABLE_GRP0);
	mmio_write32(GICV + GICC_PMR, 0xf0);
	printf("el1: GICV_CTLR=0x%x GICV_PMR=0x%x GICV_BPR=%u\n", mmio_read32(GICV + GICC_CTLR),
	       mmio_read32(GICV + GICC_PMR), mmio_read32(GICV + GICC_BPR));
	__asm__ volatile("hvc #1" ::: "memory");
	irq_enable();
	while (guest_irqs < 1)
		wait_for_interrupt();
	__asm__ volatile("hvc #2" ::: "memory");
	while (guest_irqs < 3)
		wait_for_interrupt();
	__asm__ volatile("hvc #3" ::: "memory");
	timer_virt_set_cval(timer_count() + 6250);
	timer_virt_set_ctl(TIMER_CTL_ENABLE);
	while (guest_irqs < 4)
		wait_for_interrupt();
	irq_disable();
	__asm__ volatile("hvc #4" ::: "memory");
	__asm__ volatile("hvc #5" ::: "memory");
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
	WRITE_SYSREG(vbar_el2, (uint64_t)el2_vectors);
	WRITE_SYSREG(hcr_el2, HCR_RW | HCR_IMO);
	gic_cpu_write(GICC_CTLR, gic_cpu_read(GICC_CTLR) | GICC_CTLR_EOI_MODE);
	gic_enable_irq(GICV2_MAINTENANCE_PPI, 0x40, false);
	printf("el2: GICH_VTR=0x%08x GICH_VMCR=0x%08x ELRSR0=0x%x\n", gich_read(GICH_VTR), gich_read(GICH_VMCR),
	       gich_read(GICH_ELRSR0));
	gich_write(GICH_HCR, GICH_HCR_EN);
	el2_enter_el1(el1_main, (uint64_t)&el1_stack[1024]);
	return 4;
}
