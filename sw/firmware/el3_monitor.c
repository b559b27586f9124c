/*
 * A tiny secure monitor: started at EL3 (qvp --el3; QEMU -M virt,secure=on with the ELF as
 * -kernel), it installs VBAR_EL3, checks what ID_AA64PFR0_EL1 and SCR_EL3 say, sets SCR_EL3
 * (non-secure, AArch64 below, HVC enabled where EL2 exists) and drops with ERET to EL2 when EL2
 * is implemented, else to EL1. There the code makes SMC calls that EL3 answers, finds EL3's
 * registers UNDEFINED, and has an IRQ taken to EL3 through SCR_EL3.IRQ while its own PSTATE.I
 * masks it; a last SMC makes EL3 end the run with semihosting SYS_EXIT (qvp --semihosting,
 * QEMU -semihosting). Every syndrome is printed, so the output is compared with QEMU's
 * (tests/iss/test_el3_firmware.cpp).
 */
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <stdint.h>
#include <stdio.h>

#include "semihosting.h"

#define READ_SYSREG(name)                                                                                       \
	({                                                                                                      \
		uint64_t value_;                                                                                \
		__asm__ volatile("mrs %0, " #name : "=r"(value_));                                              \
		value_;                                                                                         \
	})
#define WRITE_SYSREG(name, value) __asm__ volatile("msr " #name ", %0; isb" : : "r"((uint64_t)(value)) : "memory")

#define SCR_NS  (1ull << 0)
#define SCR_IRQ (1ull << 1)
#define SCR_SMD (1ull << 7)
#define SCR_HCE (1ull << 8)
#define SCR_RW  (1ull << 10)

#define SMC_ADD    0x11 /* x0 + x1 */
#define SMC_ROUTE  0x12 /* SCR_EL3.IRQ = x0 */
#define SMC_FINISH 0x13
#define SGI_ID     5

extern char el3_vectors[];
void el3_enter_lower(void (*entry)(void), uint64_t stack, unsigned el);
void el3_dispatch(struct exception_frame *frame);

static uint64_t lower_stack[1024] __attribute__((aligned(16)));
static volatile unsigned irq_seen;
static uint64_t scr;

static unsigned current_el(void)
{
	return (unsigned)(READ_SYSREG(CurrentEL) >> 2) & 3;
}

static void finish(int code)
{
	uint64_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (uint64_t)code };

	printf("el3: exiting with %d\n", code);
	semihost_block(SYS_EXIT, block);
	for (;;)
		;
}

/* ---- EL3 ---- */

static void synchronous(struct exception_frame *frame)
{
	unsigned ec = (unsigned)(frame->esr >> 26) & 0x3f;
	unsigned from = (unsigned)(frame->spsr >> 2) & 3;

	if (ec != 0x17) {
		printf("el3: unexpected synchronous exception, ESR_EL3=0x%08llx ELR_EL3=0x%llx\n",
		       (unsigned long long)frame->esr, (unsigned long long)frame->elr);
		finish(3);
	}
	/* ELR_EL3 is the instruction after the SMC */
	printf("el3: SMC from EL%u: ESR_EL3=0x%08llx, after the SMC: %s\n", from, (unsigned long long)frame->esr,
	       *(uint32_t *)(frame->elr - 4) == (0xd4000003u | (uint32_t)(frame->esr & 0xffff) << 5) ? "yes" : "no");
	switch (frame->esr & 0xffff) {
	case SMC_ADD:
		frame->x[0] += frame->x[1];
		break;
	case SMC_ROUTE:
		scr = frame->x[0] ? scr | SCR_IRQ : scr & ~SCR_IRQ;
		WRITE_SYSREG(scr_el3, scr);
		break;
	case SMC_FINISH:
		finish((int)frame->x[0]);
		break;
	}
}

static void interrupt(struct exception_frame *frame)
{
	uint32_t iar = gic_ack();

	printf("el3: IRQ %u from EL%u taken at EL3, SPSR_EL3.I=%llu\n", (unsigned)(iar & 0x3ff),
	       (unsigned)(frame->spsr >> 2) & 3, (unsigned long long)(frame->spsr >> 7) & 1);
	gic_eoi(iar);
	irq_seen = 1;
}

void el3_dispatch(struct exception_frame *frame)
{
	if ((frame->vector & 3) == 0)
		synchronous(frame);
	else if ((frame->vector & 3) == 1)
		interrupt(frame);
	else
		finish(2);
}

/* ---- The lower level ---- */

static uint64_t smc(uint64_t x0, uint64_t x1, unsigned function)
{
	register uint64_t r0 __asm__("x0") = x0;
	register uint64_t r1 __asm__("x1") = x1;

	switch (function) {
	case SMC_ADD:
		__asm__ volatile("smc #0x11" : "+r"(r0) : "r"(r1) : "memory");
		break;
	case SMC_ROUTE:
		__asm__ volatile("smc #0x12" : "+r"(r0) : "r"(r1) : "memory");
		break;
	default:
		__asm__ volatile("smc #0x13" : "+r"(r0) : "r"(r1) : "memory");
		break;
	}
	return r0;
}

/* The SDK's vectors at EL1; at EL2 there are none, and nothing here faults there. */
static void lower_undefined(struct exception_frame *frame)
{
	printf("el%u: undefined: ESR_EL1=0x%08llx\n", current_el(), (unsigned long long)frame->esr);
	frame->elr += 4;
}

static void lower_main(void)
{
	unsigned el = current_el();
	uint64_t value = 0;

	printf("el%u: running at EL%u\n", el, el);
	value = smc(40, 2, SMC_ADD);
	printf("el%u: SMC returned %llu\n", el, (unsigned long long)value);
	if (el == 1) {
		exception_set_handler(EXCEPTION_SYNC, lower_undefined);
		__asm__ volatile("mrs %0, tpidr_el3" : "=r"(value) : : "memory"); /* EL3's: UNDEFINED */
		__asm__ volatile("msr scr_el3, xzr" ::: "memory");
		__asm__ volatile("hvc #0" ::: "memory"); /* no EL2: UNDEFINED */
	}
	smc(1, 0, SMC_ROUTE);
	gic_send_sgi_self(SGI_ID); /* PSTATE.I is set here: only the route to EL3 takes it */
	while (!irq_seen)
		;
	printf("el%u: the IRQ was taken at EL3\n", el);
	smc(0, 0, SMC_FINISH);
	for (;;)
		;
}

int main(void)
{
	unsigned lower;

	printf("el3: started at EL%u\n", current_el());
	if (current_el() != 3) {
		printf("el3: this firmware needs to start at EL3 (qvp --el3)\n");
		return 1;
	}
	WRITE_SYSREG(vbar_el3, (uint64_t)el3_vectors);
	printf("el3: VBAR_EL3 holds the vectors: %s\n", READ_SYSREG(vbar_el3) == (uint64_t)el3_vectors ? "yes" : "no");
	/* 1 on qvp (AArch64 only), 2 on QEMU's A57 (AArch32 too): both say EL3 is there */
	printf("el3: ID_AA64PFR0_EL1 says EL3 is implemented: %s\n",
	       (READ_SYSREG(id_aa64pfr0_el1) >> 12) & 0xf ? "yes" : "no");
	lower = (READ_SYSREG(id_aa64pfr0_el1) >> 8) & 0xf ? 2 : 1;
	WRITE_SYSREG(tpidr_el3, 0x1234);
	printf("el3: TPIDR_EL3=0x%llx\n", (unsigned long long)READ_SYSREG(tpidr_el3));
	WRITE_SYSREG(scr_el3, SCR_NS | SCR_RW | SCR_HCE);
	scr = READ_SYSREG(scr_el3);
	printf("el3: SCR_EL3 NS=%u RW=%u HCE=%u SMD=%u IRQ=%u\n", (unsigned)scr & 1, (unsigned)(scr >> 10) & 1,
	       (unsigned)(scr >> 8) & 1, (unsigned)(scr >> 7) & 1, (unsigned)(scr >> 1) & 1);
	if (gic_init() != 0) {
		printf("el3: no GIC\n");
		return 1;
	}
	gic_enable_irq(SGI_ID, 0x80, false);
	printf("el3: entering EL%u\n", lower);
	el3_enter_lower(lower_main, (uint64_t)&lower_stack[1024], lower);
	return 4;
}
