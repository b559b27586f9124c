/*
 * A tiny hypervisor: started at EL2 (qvp --el2; QEMU -M virt,virtualization=on), it builds
 * stage 2 tables for an EL1 guest (4 KiB granule, 40-bit IPAs starting at level 1 with two
 * concatenated tables): devices and RAM identity, one page remapped to another, one
 * read-only, some unmapped, one not executable. The guest touches each of them; every stage 2
 * fault comes to EL2, which prints ESR_EL2, FAR_EL2 and HPFAR_EL2 with the syndrome fields,
 * fixes the mapping (TLBI IPAS2E1IS, VMALLE1IS) and resumes the access. A stage 1 table at an
 * unmapped IPA gives a fault on the stage 1 walk (S1PTW). A second VMID and HCR_EL2.VM off
 * show that no translation of one address space is served in another. The output is compared
 * with QEMU's byte for byte (tests/iss/test_el2_stage2.cpp).
 */
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

#define HCR_VM (1ull << 0)
#define HCR_RW (1ull << 31)

#define HVC_VMID2  1 /* run under VMID 2, whose stage 2 maps RAM identity */
#define HVC_VMID1  2
#define HVC_VM_OFF 3
#define HVC_VM_ON  4
#define HVC_FINISH 5

/* Stage 2 descriptors: MemAttr (5:2), S2AP (7:6: bit 6 read, bit 7 write), SH (9:8), AF (10), XN (54). */
#define S2_TABLE  0x3ull
#define S2_BLOCK  0x1ull
#define S2_PAGE   0x3ull
#define S2_NORMAL (0xfull << 2 | 3ull << 8 | 1ull << 10)  /* Normal write-back, inner shareable */
#define S2_DEVICE (0x1ull << 2 | 1ull << 10 | 1ull << 54) /* Device-nGnRE, XN */
#define S2_READ   (1ull << 6)
#define S2_WRITE  (1ull << 7)
#define S2_XN     (1ull << 54)
#define S2_RW     (S2_READ | S2_WRITE)

/* VTCR_EL2: T0SZ 24 (40-bit IPA), SL0 1 (start at level 1: 1024 entries, two tables), WB, inner shareable, PS 40 bits.
 */
#define VTCR (24ull | 1ull << 6 | 1ull << 8 | 1ull << 10 | 3ull << 12 | 2ull << 16 | 1ull << 31)

enum {
	PAGE_A, /* its IPA is remapped to B's page */
	PAGE_B,
	PAGE_C, /* read-only at stage 2 until the guest writes it */
	PAGE_D, /* unmapped until the guest reads it (LDP: no instruction syndrome) */
	PAGE_G, /* unmapped until the guest reads it (LDRSH: a syndrome) */
	PAGE_E, /* the guest's stage 1 table, which it finds at IPA table_ipa() */
	PAGE_F, /* code, not executable at stage 2 until the guest runs it */
	PAGE_COUNT,
};

extern char el2_vectors[];
void el2_enter_el1(void (*entry)(void), uint64_t stack);
void el2_dispatch(struct exception_frame *frame);

static uint64_t root[1024] __attribute__((aligned(8192)));  /* level 1: two concatenated tables */
static uint64_t root2[1024] __attribute__((aligned(8192))); /* VMID 2's */
static uint64_t level2[512] __attribute__((aligned(4096)));
static uint64_t level3[512] __attribute__((aligned(4096)));
static uint8_t pages[PAGE_COUNT][4096] __attribute__((aligned(32768)));
static uint64_t el1_stack[1024] __attribute__((aligned(16)));
static int failures;

static unsigned current_el(void)
{
	return (unsigned)(READ_SYSREG(CurrentEL) >> 2) & 3;
}

static uint64_t page_address(unsigned page)
{
	return (uint64_t)pages[page];
}

/*
 * The IPA the guest's TTBR0_EL1 names: E's page seen through the third GiB of IPA, which stage 2
 * maps (to RAM) only after the walk faulted there. Its level 1 entry is the one missing, so the
 * fault's level is 1 whether a CPU reports the stage 2 walk's level (the Arm ARM; qvp) or the
 * stage 1 walk's (QEMU 7.2, which starts at level 1 too): tests/iss/test_el2.cpp checks the
 * Arm ARM's level where the two differ.
 */
static uint64_t table_ipa(void)
{
	return 0x80000000ull + (page_address(PAGE_E) - 0x40000000ull);
}

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("FAILED: %s\n", what);
		failures++;
	}
}

/* ---- EL2 ---- */

static uint64_t *page_descriptor(uint64_t ipa)
{
	return &level3[(ipa >> 12) & 511];
}

static void stage2_tables(void)
{
	uint64_t region = page_address(0) & ~0x1fffffull; /* the 2 MiB the pages are in: level 3 */

	root[0] = 0x00000000ull | S2_BLOCK | S2_DEVICE | S2_RW; /* devices: 0 - 1 GiB */
	root[1] = (uint64_t)level2 | S2_TABLE;                  /* RAM: 1 - 2 GiB */
	for (unsigned k = 0; k < 512; k++)
		level2[k] = (0x40000000ull + ((uint64_t)k << 21)) | S2_BLOCK | S2_NORMAL | S2_RW;
	level2[(region >> 21) & 511] = (uint64_t)level3 | S2_TABLE;
	for (unsigned k = 0; k < 512; k++)
		level3[k] = (region + ((uint64_t)k << 12)) | S2_PAGE | S2_NORMAL | S2_RW;
	*page_descriptor(page_address(PAGE_A)) = page_address(PAGE_B) | S2_PAGE | S2_NORMAL | S2_RW;
	*page_descriptor(page_address(PAGE_C)) = page_address(PAGE_C) | S2_PAGE | S2_NORMAL | S2_READ;
	*page_descriptor(page_address(PAGE_D)) = 0;
	*page_descriptor(page_address(PAGE_G)) = 0;
	*page_descriptor(page_address(PAGE_F)) |= S2_XN;
	root2[0] = root[0];
	root2[1] = 0x40000000ull | S2_BLOCK | S2_NORMAL | S2_RW; /* VMID 2: RAM identity, one block */
	__asm__ volatile("dsb ish" ::: "memory");
}

/* After a descriptor change: the stage 2 entries of the IPA, then the combined ones of the VMID. */
static void invalidate_ipa(uint64_t ipa)
{
	__asm__ volatile("dsb ishst; tlbi ipas2e1is, %0; dsb ish; tlbi vmalle1is; dsb ish; isb"
	                 :
	                 : "r"(ipa >> 12)
	                 : "memory");
}

static void print_syndrome(struct exception_frame *frame)
{
	uint64_t esr = frame->esr, hpfar = READ_SYSREG(hpfar_el2);
	unsigned ec = (unsigned)(esr >> 26);

	printf("el2: %s abort from EL1: ESR_EL2=0x%08llx FAR_EL2=0x%llx HPFAR_EL2=0x%llx\n",
	       ec == 0x20 ? "instruction" : "data", (unsigned long long)esr, (unsigned long long)frame->far,
	       (unsigned long long)hpfar);
	if (ec == 0x24)
		printf("el2:   ISV=%u SAS=%u SSE=%u SRT=%u SF=%u AR=%u S1PTW=%u WnR=%u DFSC=0x%02x\n",
		       (unsigned)(esr >> 24) & 1, (unsigned)(esr >> 22) & 3, (unsigned)(esr >> 21) & 1,
		       (unsigned)(esr >> 16) & 31, (unsigned)(esr >> 15) & 1, (unsigned)(esr >> 14) & 1,
		       (unsigned)(esr >> 7) & 1, (unsigned)(esr >> 6) & 1, (unsigned)esr & 0x3f);
	else
		printf("el2:   S1PTW=%u IFSC=0x%02x\n", (unsigned)(esr >> 7) & 1, (unsigned)esr & 0x3f);
}

/* The fix for the faulting IPA: what the guest's access needs; the access is then retried. */
static void fix_mapping(uint64_t ipa)
{
	uint64_t *desc = page_descriptor(ipa);
	const char *what = "nothing";

	if (ipa == page_address(PAGE_C)) {
		*desc |= S2_WRITE;
		what = "C writable";
	} else if (ipa == page_address(PAGE_D) || ipa == page_address(PAGE_G)) {
		*desc = ipa | S2_PAGE | S2_NORMAL | S2_RW;
		what = ipa == page_address(PAGE_D) ? "D mapped" : "G mapped";
	} else if (ipa == table_ipa()) {
		root[2] = 0x40000000ull | S2_BLOCK | S2_NORMAL | S2_RW;
		what = "the third GiB of IPA mapped to RAM";
	} else if (ipa == page_address(PAGE_F)) {
		*desc &= ~S2_XN;
		what = "F executable";
	} else {
		printf("el2: unexpected IPA 0x%llx\n", (unsigned long long)ipa);
		exit(3);
	}
	invalidate_ipa(ipa);
	printf("el2:   fixed: %s\n", what);
}

static void hypercall(struct exception_frame *frame)
{
	unsigned imm = (unsigned)frame->esr & 0xffff;

	printf("el2: hvc #%u\n", imm);
	switch (imm) {
	case HVC_VMID2:
		WRITE_SYSREG(vttbr_el2, (uint64_t)root2 | 2ull << 48); /* no TLBI: another VMID */
		break;
	case HVC_VMID1:
		WRITE_SYSREG(vttbr_el2, (uint64_t)root | 1ull << 48);
		break;
	case HVC_VM_OFF:
		WRITE_SYSREG(hcr_el2, HCR_RW);
		break;
	case HVC_VM_ON:
		WRITE_SYSREG(hcr_el2, HCR_RW | HCR_VM);
		break;
	default:
		printf("el2: done, %d failures\n", failures);
		exit(failures ? 1 : 0);
	}
	/* ELR_EL2 is the instruction after the HVC already */
}

void el2_dispatch(struct exception_frame *frame)
{
	unsigned ec = (unsigned)(frame->esr >> 26);

	if ((frame->vector & 3) != 0 || frame->vector < 8) {
		printf("el2: unexpected exception, vector %llu ESR_EL2=0x%llx\n", (unsigned long long)frame->vector,
		       (unsigned long long)frame->esr);
		exit(2);
	}
	if (ec == 0x16) {
		hypercall(frame);
	} else if (ec == 0x20 || ec == 0x24) {
		print_syndrome(frame);
		fix_mapping((READ_SYSREG(hpfar_el2) >> 4) << 12);
	} else {
		printf("el2: unexpected EC 0x%x\n", ec);
		exit(3);
	}
}

/* ---- EL1 ---- */

static void hvc(unsigned imm)
{
	if (imm == HVC_VMID2)
		__asm__ volatile("hvc #1" ::: "memory");
	else if (imm == HVC_VMID1)
		__asm__ volatile("hvc #2" ::: "memory");
	else if (imm == HVC_VM_OFF)
		__asm__ volatile("hvc #3" ::: "memory");
	else if (imm == HVC_VM_ON)
		__asm__ volatile("hvc #4" ::: "memory");
	else
		__asm__ volatile("hvc #5" ::: "memory");
}

static uint64_t read_a(void)
{
	return *(volatile uint64_t *)page_address(PAGE_A);
}

/* Address spaces: the remapped page under VMID 1, VMID 2 and with stage 2 off. */
static void el1_address_spaces(void)
{
	uint64_t value = read_a();

	printf("el1: A reads 0x%llx (B's word: remapped)\n", (unsigned long long)value);
	check(value == 0xbbbb, "A remapped to B");
	hvc(HVC_VMID2);
	value = read_a();
	printf("el1: under VMID 2, A reads 0x%llx\n", (unsigned long long)value);
	check(value == 0xaaaa, "VMID 2 identity");
	hvc(HVC_VMID1);
	printf("el1: back under VMID 1, A reads 0x%llx\n", (unsigned long long)read_a());
	hvc(HVC_VM_OFF);
	printf("el1: stage 2 off, A reads 0x%llx\n", (unsigned long long)read_a());
	hvc(HVC_VM_ON);
	printf("el1: stage 2 on, A reads 0x%llx\n", (unsigned long long)read_a());
}

/* Data aborts: a store to the read-only page, a pair and a signed halfword from unmapped ones. */
static void el1_data_aborts(void)
{
	volatile uint32_t *c = (volatile uint32_t *)page_address(PAGE_C);
	uint64_t d = page_address(PAGE_D), g = page_address(PAGE_G), low, high;
	int64_t half;

	printf("el1: C reads %u\n", (unsigned)*c);
	__asm__ volatile("str %w1, [%0]" : : "r"(c), "r"(77u) : "memory");
	printf("el1: C after the store: %u\n", (unsigned)*c);
	__asm__ volatile("ldp %0, %1, [%2]" : "=&r"(low), "=&r"(high) : "r"(d) : "memory");
	printf("el1: D's pair: 0x%llx 0x%llx\n", (unsigned long long)low, (unsigned long long)high);
	__asm__ volatile("mov x0, %1; ldrsh x5, [x0, #6]; mov %0, x5" : "=r"(half) : "r"(g) : "x0", "x5", "memory");
	printf("el1: G's halfword 3 sign-extended: %lld\n", (long long)half);
	check(half == -2, "ldrsh");
}

/* Stage 1 on, its table at an IPA stage 2 does not map yet: the walk's read faults (S1PTW). */
static void el1_stage1(void)
{
	uint64_t *table = (uint64_t *)page_address(PAGE_E);

	table[0] = 0x00000000ull | 0x1 | 0 << 2 | 1ull << 10 | 1ull << 54; /* devices, AttrIndx 0 */
	table[1] = 0x40000000ull | 0x1 | 1 << 2 | 3ull << 8 | 1ull << 10;  /* RAM, AttrIndx 1 */
	WRITE_SYSREG(mair_el1, 0xff00ull);
	WRITE_SYSREG(tcr_el1, 25ull | 1ull << 8 | 1ull << 10 | 3ull << 12 | 1ull << 23 | 2ull << 32); /* EPD1 */
	WRITE_SYSREG(ttbr0_el1, table_ipa());
	__asm__ volatile("dsb ish; tlbi vmalle1; dsb ish; isb" ::: "memory");
	WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | 1 | 1 << 2 | 1 << 12);
	printf("el1: stage 1 on, SCTLR_EL1.M=%llu\n", (unsigned long long)(READ_SYSREG(sctlr_el1) & 1));
}

/* Code in a page stage 2 does not let execute: the fetch faults, EL2 allows it, the call completes. */
static void el1_execute(void)
{
	uint32_t *code = (uint32_t *)page_address(PAGE_F);
	uint64_t result;

	code[0] = 0x52800540u; /* mov w0, #42 */
	code[1] = 0xd65f03c0u; /* ret */
	__asm__ volatile("dc cvau, %0; dsb ish; ic ivau, %0; dsb ish; isb" : : "r"(code) : "memory");
	result = ((uint64_t(*)(void))(uintptr_t)code)();
	printf("el1: the code in F returned %llu\n", (unsigned long long)result);
}

static void el1_main(void)
{
	printf("el1: running at EL%u\n", current_el());
	el1_address_spaces();
	el1_data_aborts();
	el1_stage1();
	el1_execute();
	hvc(HVC_FINISH);
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
	printf("el2: ID_AA64MMFR1_EL1.VMIDBits=%llu\n", (unsigned long long)(READ_SYSREG(id_aa64mmfr1_el1) >> 4) & 0xf);
	*(uint64_t *)page_address(PAGE_A) = 0xaaaa;
	*(uint64_t *)page_address(PAGE_B) = 0xbbbb;
	*(uint32_t *)page_address(PAGE_C) = 5;
	*(uint64_t *)page_address(PAGE_D) = 0xd0;
	*(uint64_t *)(page_address(PAGE_D) + 8) = 0xd1;
	*(uint16_t *)(page_address(PAGE_G) + 6) = 0xfffe;
	stage2_tables();
	WRITE_SYSREG(vtcr_el2, VTCR);
	WRITE_SYSREG(vttbr_el2, (uint64_t)root | 1ull << 48);
	__asm__ volatile("tlbi vmalls12e1is; dsb ish; isb" ::: "memory");
	WRITE_SYSREG(hcr_el2, HCR_RW | HCR_VM);
	printf("el2: stage 2 on, entering EL1\n");
	el2_enter_el1(el1_main, (uint64_t)&el1_stack[1024]);
	return 4;
}
