/*
 * A tiny EL2 monitor: started at EL2 (qvp --el2; QEMU -M virt,virtualization=on), it installs
 * an EL2 vector table, checks its stage 1 translation (an alias and a permission fault), then
 * drops to an EL1 guest with ERET. The guest makes HVC calls, runs a WFI that HCR_EL2.TWI
 * traps, writes and reads VM registers under TVM/TRVM, executes an SMC that TSC traps, reads
 * MIDR/MPIDR as VPIDR/VMPIDR say, finds an EL2 register UNDEFINED, and has an IRQ taken to
 * EL2 through HCR_EL2.IMO while its own PSTATE.I masks it. Every syndrome is printed, so the
 * output is compared with QEMU's byte for byte (tests/iss/test_el2_firmware.cpp).
 */
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define READ_SYSREG(name)                                                                                       \
	({                                                                                                      \
		uint64_t value_;                                                                                \
		__asm__ volatile("mrs %0, " #name : "=r"(value_));                                              \
		value_;                                                                                         \
	})
#define WRITE_SYSREG(name, value) __asm__ volatile("msr " #name ", %0; isb" : : "r"((uint64_t)(value)) : "memory")

#define HCR_TWI  (1ull << 13)
#define HCR_TSC  (1ull << 19)
#define HCR_TVM  (1ull << 26)
#define HCR_IMO  (1ull << 4)
#define HCR_TRVM (1ull << 30)
#define HCR_RW   (1ull << 31)

#define HVC_ADD    1 /* x0 + x1 */
#define HVC_SET    2 /* HCR_EL2 = RW | x0 */
#define HVC_FINISH 3

/* ISV, SAS, SSE, SRT, SF, AR: IMPLEMENTATION DEFINED outside stage 2 (QEMU fills them, qvp not) */
#define ESR_INSTRUCTION_SYNDROME 0x01ffc000ull
#define EMULATED_READ 0x1234ull /* what a trapped MRS reads */
#define SGI_ID        5

extern char el2_vectors[];
void el2_enter_el1(void (*entry)(void), uint64_t stack);
void el2_dispatch(struct exception_frame *frame);

static uint64_t el1_stack[1024] __attribute__((aligned(16)));
static uint64_t tables[3][512] __attribute__((aligned(4096)));
static volatile unsigned irq_seen;
static volatile uint64_t readonly_word __attribute__((aligned(4096)));
static int failures;

static unsigned current_el(void)
{
	return (unsigned)(READ_SYSREG(CurrentEL) >> 2) & 3;
}

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("el2: FAILED: %s\n", what);
		failures++;
	}
}

/* ---- EL2 ---- */

#define ALIAS 0x4000000000ull /* VA of RAM's alias: L1 index 256; the read-only one follows */

static uint64_t ram_alias(const volatile void *p)
{
	return ALIAS + ((uint64_t)p - 0x40000000ull);
}

static uint64_t readonly_alias(void)
{
	return ram_alias(&readonly_word) + (1ull << 30);
}

static void trapped_sysreg(struct exception_frame *frame)
{
	uint32_t iss = (uint32_t)frame->esr & 0x1ffffff;
	unsigned rt = (iss >> 5) & 31, read = iss & 1;

	printf("el2:   sysreg op0=%u op1=%u CRn=%u CRm=%u op2=%u Rt=%u %s\n", (iss >> 20) & 3, (iss >> 14) & 7,
	       (iss >> 10) & 15, (iss >> 1) & 15, (iss >> 17) & 7, rt, read ? "read" : "write");
	if (read && rt < 31)
		frame->x[rt] = EMULATED_READ;
	frame->elr += 4;
}

static void hypercall(struct exception_frame *frame)
{
	unsigned imm = (unsigned)frame->esr & 0xffff;

	printf("el2:   hvc #%u x0=%llu x1=%llu\n", imm, (unsigned long long)frame->x[0], (unsigned long long)frame->x[1]);
	if (imm == HVC_ADD) {
		frame->x[0] += frame->x[1];
	} else if (imm == HVC_SET) {
		WRITE_SYSREG(hcr_el2, HCR_RW | frame->x[0]);
	} else if (imm == HVC_FINISH) {
		printf("el2: done, %d failures\n", failures);
		exit(failures ? 1 : 0);
	}
}

static void synchronous(struct exception_frame *frame)
{
	unsigned ec = (unsigned)(frame->esr >> 26);

	printf("el2: sync from %s: ESR_EL2=0x%08llx\n", frame->vector >= 8 ? "EL1" : "EL2",
	       (unsigned long long)(ec == 0x25 ? frame->esr & ~ESR_INSTRUCTION_SYNDROME : frame->esr));
	switch (ec) {
	case 0x16:
		hypercall(frame);
		break;
	case 0x01:
		printf("el2:   trapped %s\n", frame->esr & 1 ? "WFE" : "WFI");
		frame->elr += 4;
		break;
	case 0x18:
		trapped_sysreg(frame);
		break;
	case 0x17:
		printf("el2:   trapped smc #0x%llx, ELR_EL2 on the SMC: %s\n", (unsigned long long)(frame->esr & 0xffff),
		       *(uint32_t *)frame->elr == 0xd4000843u ? "yes" : "no");
		frame->elr += 4;
		break;
	case 0x25:
		printf("el2:   data abort, FAR_EL2 is the read-only alias: %s\n",
		       frame->far == readonly_alias() ? "yes" : "no");
		frame->elr += 4;
		break;
	default:
		printf("el2: unexpected EC 0x%x\n", ec);
		exit(3);
	}
}

static void interrupt(struct exception_frame *frame)
{
	uint32_t iar = gic_ack();

	printf("el2: IRQ %u from EL%llu with PSTATE.I=%llu\n", (unsigned)(iar & 0x3ff), (unsigned long long)((frame->spsr >> 2) & 3),
	       (unsigned long long)((frame->spsr >> 7) & 1));
	gic_eoi(iar);
	irq_seen = 1;
}

void el2_dispatch(struct exception_frame *frame)
{
	if ((frame->vector & 3) == 0) {
		synchronous(frame);
	} else if ((frame->vector & 3) == 1) {
		interrupt(frame);
	} else {
		printf("el2: unexpected exception, vector %llu\n", (unsigned long long)frame->vector);
		exit(2);
	}
}

/*
 * EL2 stage 1, 4 KiB granule, 39-bit VAs (T0SZ 25, starting at level 1): 1 GiB blocks,
 * identity for devices (0) and RAM (1), an alias of RAM at 256 GiB, a read-only one at 257 GiB.
 */
#define BLOCK_DEVICE   (0x1ull | 0 << 2 | 1ull << 10 | 1ull << 54)        /* AttrIndx 0, AF, XN */
#define BLOCK_NORMAL   (0x1ull | 1 << 2 | 3ull << 8 | 1ull << 10)          /* AttrIndx 1, inner shareable, AF */
#define BLOCK_READONLY (BLOCK_NORMAL | 2ull << 6 | 1ull << 54)             /* AP[2] = 1, XN */

static void el2_mmu(void)
{
	volatile uint64_t *alias = (volatile uint64_t *)ram_alias(&tables[1][0]);
	volatile uint64_t *readonly = (volatile uint64_t *)readonly_alias();

	tables[0][0] = BLOCK_DEVICE;
	tables[0][1] = 0x40000000ull | BLOCK_NORMAL;
	tables[0][256] = 0x40000000ull | BLOCK_NORMAL;
	tables[0][257] = 0x40000000ull | BLOCK_READONLY;
	WRITE_SYSREG(mair_el2, 0xff00ull);                   /* 0: Device-nGnRnE, 1: Normal write-back */
	WRITE_SYSREG(tcr_el2, 25 | 1 << 8 | 1 << 10 | 3 << 12 | 1ull << 16 | 1ull << 23 | 1ull << 31); /* PS 36 bits */
	WRITE_SYSREG(ttbr0_el2, (uint64_t)tables[0]);
	__asm__ volatile("tlbi alle2; dsb sy; isb" ::: "memory");
	WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) | 1 | 1 << 2 | 1 << 12);
	printf("el2: EL2 MMU on: SCTLR_EL2.M=%llu\n", (unsigned long long)(READ_SYSREG(sctlr_el2) & 1));
	*alias = 0x5eed;
	printf("el2: written through the alias, read back: 0x%llx\n", (unsigned long long)*(volatile uint64_t *)&tables[1][0]);
	readonly_word = 7;
	printf("el2: the read-only alias reads %llu\n", (unsigned long long)*readonly);
	*readonly = 8; /* permission fault, taken at EL2 with SPx */
	printf("el2: after the fault the word is %llu\n", (unsigned long long)readonly_word);
	__asm__ volatile("at s1e2r, %0; isb" : : "r"(readonly) : "memory");
	printf("el2: AT S1E2R of the alias: PA 0x%llx\n", (unsigned long long)(READ_SYSREG(par_el1) & 0xfffffffff000ull));
}

/* CNTVOFF_EL2: CNTVCT_EL0 is CNTPCT_EL0 minus it (the reads are a counter tick or so apart). */
static void virtual_counter_offset(void)
{
	uint64_t offset = 1ull << 40, physical, virtual;

	WRITE_SYSREG(cntvoff_el2, offset);
	physical = READ_SYSREG(cntpct_el0);
	virtual = READ_SYSREG(cntvct_el0);
	printf("el2: CNTVOFF_EL2=0x%llx, CNTPCT_EL0 - CNTVCT_EL0 - CNTVOFF_EL2 <= 1: %s\n",
	       (unsigned long long)READ_SYSREG(cntvoff_el2), virtual + offset - physical <= 1 ? "yes" : "no");
	WRITE_SYSREG(cntvoff_el2, 0);
}

/* ---- EL1 ---- */

static uint64_t hvc(uint64_t x0, uint64_t x1, unsigned imm)
{
	register uint64_t r0 __asm__("x0") = x0;
	register uint64_t r1 __asm__("x1") = x1;

	if (imm == HVC_ADD)
		__asm__ volatile("hvc #1" : "+r"(r0), "+r"(r1) : : "memory");
	else if (imm == HVC_SET)
		__asm__ volatile("hvc #2" : "+r"(r0), "+r"(r1) : : "memory");
	else
		__asm__ volatile("hvc #3" : "+r"(r0), "+r"(r1) : : "memory");
	return r0;
}

static void el1_undefined(struct exception_frame *frame)
{
	printf("el1: sync at EL1: ESR_EL1=0x%08llx\n", (unsigned long long)frame->esr);
	frame->elr += 4;
}

static void el1_main(void)
{
	uint64_t value;

	exception_set_handler(EXCEPTION_SYNC, el1_undefined);
	printf("el1: running at EL%u\n", current_el());
	value = hvc(5, 7, HVC_ADD);
	printf("el1: hvc returned %llu\n", (unsigned long long)value);
	check(value == 12, "hvc result");

	printf("el1: MIDR_EL1=0x%llx MPIDR_EL1=0x%llx\n", (unsigned long long)READ_SYSREG(midr_el1),
	       (unsigned long long)READ_SYSREG(mpidr_el1));

	hvc(HCR_TWI, 0, HVC_SET);
	__asm__ volatile("wfi" ::: "memory");
	printf("el1: after the trapped WFI\n");

	hvc(HCR_TVM | HCR_TRVM, 0, HVC_SET);
	__asm__ volatile("msr sctlr_el1, %0" : : "r"(READ_SYSREG(sctlr_el1)) : "memory");
	__asm__ volatile("mrs %0, ttbr0_el1" : "=r"(value) : : "memory");
	printf("el1: TTBR0_EL1 read as 0x%llx\n", (unsigned long long)value);
	__asm__ volatile("msr contextidr_el1, %0" : : "r"(value) : "memory");
	__asm__ volatile("msr tpidr_el1, %0" : : "r"(value) : "memory"); /* not a VM register: no trap */
	printf("el1: TPIDR_EL1=0x%llx\n", (unsigned long long)READ_SYSREG(tpidr_el1));

	hvc(HCR_TSC, 0, HVC_SET);
	__asm__ volatile("smc #0x42" ::: "memory");
	printf("el1: after the trapped SMC\n");

	__asm__ volatile("msr hcr_el2, xzr" ::: "memory"); /* EL2's register: UNDEFINED at EL1 */
	__asm__ volatile("mrs %0, vbar_el2" : "=r"(value) : : "memory");

	hvc(HCR_IMO, 0, HVC_SET);
	gic_send_sgi_self(SGI_ID); /* PSTATE.I is set here: only the route to EL2 takes it */
	while (!irq_seen)
		;
	printf("el1: the IRQ was taken at EL2\n");
	hvc(0, 0, HVC_FINISH);
	for (;;)
		;
}

int main(void)
{
	printf("el2: started at EL%u\n", current_el());
	if (current_el() != 2) {
		printf("el2: this firmware needs to start at EL2 (qvp --el2)\n");
		return 1;
	}
	WRITE_SYSREG(vbar_el2, (uint64_t)el2_vectors);
	/* 1 on qvp (AArch64 only), 2 on QEMU's A57 (AArch32 too): both say EL2 is there */
	printf("el2: ID_AA64PFR0_EL1 says EL2 is implemented: %s\n",
	       (READ_SYSREG(id_aa64pfr0_el1) >> 8) & 0xf ? "yes" : "no");
	el2_mmu();
	if (gic_init() != 0) {
		printf("el2: no GIC\n");
		return 1;
	}
	gic_enable_irq(SGI_ID, 0x80, false);
	virtual_counter_offset();
	WRITE_SYSREG(vpidr_el2, 0x410fd034ull);
	WRITE_SYSREG(vmpidr_el2, 0x80000103ull);
	WRITE_SYSREG(hcr_el2, HCR_RW);
	printf("el2: entering EL1\n");
	el2_enter_el1(el1_main, (uint64_t)&el1_stack[1024]);
	return 4;
}
