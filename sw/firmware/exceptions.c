/*
 * The exception model and the MMU, checked by the guest itself: SVC, undefined instruction,
 * data abort and alignment fault with their ESR/FAR, then the MMU on with a higher-half
 * kernel alias and a user (EL0) mapping, an SVC round trip from EL0, permission faults from
 * EL0 and EL1, and exclusives. Prints one line per check; exits 0 when all pass, 1 otherwise.
 */
#include <qvp/exception.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define EC(esr)  ((unsigned)((esr) >> 26) & 0x3f)
#define ISS(esr) ((unsigned)(esr)&0x1ffffff)

/* Vector-table entries, as indexes (<qvp/exception.h>): sync from EL1h, sync from EL0 AArch64. */
#define FROM_EL1H_SYNC 4
#define FROM_EL0_SYNC  8

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "pass" : "FAIL", what);
	if (!ok)
		failures++;
}

/* What the last synchronous exception looked like; the handler skips the instruction or
 * returns to `resume` at EL1h when one is set (the way back from EL0 code). */
static volatile struct {
	uint64_t esr, far, elr, spsr, vector;
	int count;
} seen;
static volatile uint64_t resume;

static void sync_handler(struct exception_frame *frame)
{
	seen.esr = frame->esr;
	seen.far = frame->far;
	seen.elr = frame->elr;
	seen.spsr = frame->spsr;
	seen.vector = frame->vector;
	seen.count++;
	if (resume) {
		frame->elr = resume;
		frame->spsr = 0x3c5; /* EL1h, masked */
		resume = 0;
	} else if (EC(frame->esr) != 0x15) { /* SVC's ELR is already past it */
		frame->elr += 4;
	}
	if (EC(frame->esr) == 0x15)
		frame->x[0] = frame->x[0] * 2 + ISS(frame->esr);
}

static void el1_checks(void)
{
	register uint64_t x0 __asm__("x0") = 20;
	__asm__ volatile("svc #0x33" : "+r"(x0) : : "memory");
	check(x0 == 20 * 2 + 0x33 && seen.esr == 0x56000033 && seen.vector == FROM_EL1H_SYNC,
	      "SVC at EL1: ESR 0x56000033, handler result in x0");

	uint64_t here;
	__asm__ volatile("adr %0, 1f\n1: .inst 0x00000000" : "=r"(here) : : "memory");
	check(seen.esr == 0x02000000 && seen.elr == here, "undefined instruction: ESR 0x02000000, ELR at it");

	volatile uint64_t *nowhere = (volatile uint64_t *)0x100000000ull;
	(void)*nowhere;
	check(seen.esr == 0x96000010 && seen.far == 0x100000000ull, "unmapped read: data abort, external, FAR");

	static uint64_t words[2];
	uint64_t odd = (uint64_t)words + 1, value;
	__asm__ volatile("ldr %0, [%1]" : "=r"(value) : "r"(odd) : "memory");
	check(seen.esr == 0x96000021 && seen.far == odd, "unaligned read with the MMU off: alignment fault");
	__asm__ volatile("str %0, [%1]" : : "r"(value), "r"(odd) : "memory");
	check(seen.esr == 0x96000061 && seen.far == odd, "unaligned write with the MMU off: WnR set");
}

/* ---- MMU: 4 KiB granule, 39-bit VAs in both halves ---- */

#define KERNEL_ALIAS 0xffffff8000000000ull /* the start of TTBR1 39-bit range -> physical 0x40000000 */
#define USER_DATA    0x80000000ull         /* 2 MiB at EL0, read-write, never executable */
#define USER_CODE    0x80200000ull         /* the image's 2 MiB at EL0, read-only, executable */
#define RAM_BASE     0x40000000ull

#define VALID_BLOCK 0x1ull
#define VALID_TABLE 0x3ull
#define AF          (1ull << 10)
#define ISH         (3ull << 8)
#define ATTR_DEVICE (1ull << 2)
#define AP_EL0      (1ull << 6)
#define AP_RO       (1ull << 7)
#define PXN         (1ull << 53)
#define UXN         (1ull << 54)

static uint64_t ttbr0_l1[512] __attribute__((aligned(4096)));
static uint64_t ttbr1_l1[512] __attribute__((aligned(4096)));
static uint64_t user_l2[512] __attribute__((aligned(4096)));
static uint8_t user_data[2 << 20] __attribute__((aligned(2 << 20)));
static volatile uint64_t kernel_only = 0x1234;
static const uint64_t read_only_word = 0x5678;

/* EL0 code, reached through USER_CODE: stores x1 at [x0], loads it back into x2, then SVC. */
void user_store(void);
__asm__(".text\n .balign 4\n .global user_store\nuser_store:\n"
        " str x1, [x0]\n ldr x2, [x0]\n mov x0, x2\n svc #0x10\n b .\n");

static void mmu_on(void)
{
	uint64_t image = (uint64_t)&user_store & ~((2ull << 20) - 1);

	ttbr0_l1[0] = 0x00000000 | VALID_BLOCK | AF | ATTR_DEVICE | PXN | UXN; /* devices */
	ttbr0_l1[1] = RAM_BASE | VALID_BLOCK | AF | ISH;                      /* RAM, EL1 only */
	ttbr0_l1[2] = (uint64_t)user_l2 | VALID_TABLE;
	user_l2[0] = (uint64_t)user_data | VALID_BLOCK | AF | ISH | AP_EL0 | PXN | UXN;
	user_l2[1] = image | VALID_BLOCK | AF | ISH | AP_EL0 | AP_RO | PXN;
	ttbr1_l1[0] = RAM_BASE | VALID_BLOCK | AF | ISH | UXN; /* KERNEL_ALIAS */
	__asm__ volatile("msr mair_el1, %0\n msr tcr_el1, %1\n msr ttbr0_el1, %2\n msr ttbr1_el1, %3\n"
	                 "dsb sy\n isb\n mrs x9, sctlr_el1\n orr x9, x9, #1\n msr sctlr_el1, x9\n isb\n"
	                 :
	                 : "r"(0x00ffull), "r"(25ull | 25ull << 16 | 2ull << 30), "r"((uint64_t)ttbr0_l1),
	                   "r"((uint64_t)ttbr1_l1)
	                 : "x9", "memory");
}

/* Runs user_store at EL0 with x0 = address, x1 = value; returns x0 as the SVC left it. */
static uint64_t run_user(uint64_t address, uint64_t value)
{
	uint64_t image = (uint64_t)&user_store & ~((2ull << 20) - 1);
	uint64_t entry = USER_CODE + ((uint64_t)&user_store - image);
	register uint64_t x0 __asm__("x0") = address;
	register uint64_t x1 __asm__("x1") = value;

	/* The SVC (or fault) handler resumes at label 1 at EL1h. Callee-saved registers survive:
	 * EL0 code does not touch them, and the frame restores everything else. */
	__asm__ volatile("adr x9, 1f\n str x9, [%2]\n msr spsr_el1, xzr\n msr elr_el1, %3\n eret\n1:\n"
	                 : "+r"(x0), "+r"(x1)
	                 : "r"(&resume), "r"(entry)
	                 : "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
	                   "x15", "x16", "x17", "x18", "x30", "memory", "cc");
	return x0;
}

static void mmu_checks(void)
{
	mmu_on();
	printf("MMU on\n");
	volatile uint64_t *alias = (volatile uint64_t *)(KERNEL_ALIAS + ((uint64_t)&kernel_only - RAM_BASE));
	check(*alias == 0x1234, "higher-half alias reads the kernel's data");
	*alias = 0x4321;
	check(kernel_only == 0x4321, "a write through the alias is seen through the identity map");

	uint64_t odd = (uint64_t)user_data + 3, value = 0;
	*(volatile uint32_t *)odd = 0xcafef00d;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(value) : "r"(odd) : "memory");
	check(value == 0xcafef00d, "unaligned access on Normal memory works");

	int before = seen.count;
	uint64_t result = run_user(USER_DATA + 0x100, 77);
	check(seen.count == before + 1 && seen.vector == FROM_EL0_SYNC && seen.esr == 0x56000010 &&
	          seen.spsr == 0 && result == 77 * 2 + 0x10 && user_data[0x100] == 77,
	      "EL0 code stores to user data and returns by SVC (lower-EL vector, SPSR EL0t)");

	run_user((uint64_t)&kernel_only, 5);
	check(seen.vector == FROM_EL0_SYNC && EC(seen.esr) == 0x24 && (ISS(seen.esr) & 0x7f) == 0x4d &&
	          seen.far == (uint64_t)&kernel_only && kernel_only == 0x4321,
	      "EL0 store to EL1-only memory: permission fault, level 1, WnR");

	run_user(USER_CODE + 0x100000, 5);
	check(EC(seen.esr) == 0x24 && (ISS(seen.esr) & 0x7f) == 0x4e, "EL0 store to its read-only code: permission fault, level 2");

	volatile uint64_t *ro = (volatile uint64_t *)(USER_CODE + ((uint64_t)&read_only_word & ((2ull << 20) - 1)));
	check(*ro == 0x5678, "EL1 reads the read-only user mapping");
	*ro = 1;
	check(EC(seen.esr) == 0x25 && (ISS(seen.esr) & 0x7f) == 0x4e && read_only_word == 0x5678,
	      "EL1 store to read-only memory: permission fault, same EL");

	uint64_t par;
	__asm__ volatile("at s1e1r, %1\n isb\n mrs %0, par_el1" : "=r"(par) : "r"(KERNEL_ALIAS + 0x1000));
	check((par & 1) == 0 && (par & 0xfffffffff000ull) == RAM_BASE + 0x1000, "AT S1E1R through TTBR1");
	__asm__ volatile("at s1e0r, %1\n isb\n mrs %0, par_el1" : "=r"(par) : "r"(RAM_BASE));
	check((par & 1) == 1 && ((par >> 1) & 0x3f) == 0x0d, "AT S1E0R of EL1-only memory: permission fault in PAR");
}

static void exclusive_checks(void)
{
	static volatile uint64_t counter;
	uint64_t status, value;

	for (int k = 0; k < 10; k++)
		__asm__ volatile("1: ldaxr %0, [%2]\n add %0, %0, #3\n stlxr %w1, %0, [%2]\n cbnz %w1, 1b"
		                 : "=&r"(value), "=&r"(status)
		                 : "r"(&counter)
		                 : "memory");
	check(counter == 30, "LDAXR/STLXR increment loop");
	__asm__ volatile("ldxr %0, [%2]\n clrex\n stxr %w1, %0, [%2]" : "=&r"(value), "=&r"(status) : "r"(&counter) : "memory");
	check(status == 1 && counter == 30, "STXR after CLREX fails and stores nothing");
}

int main(void)
{
	exception_set_handler(EXCEPTION_SYNC, sync_handler);
	el1_checks();
	mmu_checks();
	exclusive_checks();
	printf("exceptions: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
