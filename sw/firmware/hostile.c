/*
 * A guest that is broken on purpose (issue 22): for ROUNDS rounds, driven by a deterministic
 * PRNG, it writes and reads random values of 1, 2, 4 and 8 bytes, aligned or not, at random
 * offsets of every device region of the virt board and at unmapped addresses; takes the
 * exceptions it can (SVC, HVC, SMC, BRK, HLT, UDF, random MRS, alignment, external and
 * translation aborts, an illegal exception return, IRQ/FIQ from whatever its writes left
 * pending and from random interrupts it raises, SError if one comes); jumps to random addresses
 * at EL1 (unmapped, device, RAM it may not execute, misaligned) and, with the MMU on, runs pages
 * of random words at EL0 and an endless loop there that only its watchdog (the virtual timer's
 * interrupt) ends. Vectors count
 * every exception by class and recover: skip the instruction, or end the excursion. Half of the
 * rounds run with the MMU off, half with an identity map on. At the end it repairs the UART,
 * prints the counts and exits with 0 through sim-control.
 *
 * The seed is "seed=N" in the semihosting command line (qvp run --semihosting
 * --semihosting-cmdline 'seed=N'), else DEFAULT_SEED. It protects itself where a write would
 * stop it for good: never sim-control's EXIT register, no PSCI call that powers off, resets or
 * suspends, no EL0 access to the GIC or sim-control (the watchdog's interrupt must get through),
 * no writes to RAM except its own scratch pages.
 */
#include <gicv2.h>
#include <pl011.h>
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <qvp/mmio.h>
#include <qvp/sdk.h>
#include <qvp/timer.h>
#include <qvp/uart.h>
#include <sim_control.h>
#include <stdint.h>
#include <stdio.h>

#define DEFAULT_SEED 0x9e3779b97f4a7c15ull
#define ROUNDS 128
#define ACCESSES_PER_ROUND 96
#define JUMPS_PER_ROUND 6
#define EXCURSIONS_PER_ROUND 3
#define WATCHDOG_US 20         /* an EL0 excursion ends at the latest after this much virtual time */
#define EXCURSION_EXCEPTIONS 24 /* or after this many exceptions it recovered from */
#define IRQ_STORM 64           /* interrupts in one window before the rest of it runs masked */

#define EC(esr) ((unsigned)((esr) >> 26) & 0x3f)
#define EC_UNKNOWN 0x00
#define EC_ILLEGAL_STATE 0x0e
#define EC_SVC 0x15
#define EC_HVC 0x16
#define EC_SMC 0x17
#define EC_IABORT_LOWER 0x20
#define EC_IABORT_SAME 0x21
#define EC_PC_ALIGNMENT 0x22
#define SPSR_IL (1ull << 20)
#define SPSR_EL1H_MASKED 0x3c5ull
#define SPSR_EL0 0x0ull
#define VECTOR_FROM_EL0 8 /* vector indexes 8..11: from EL0 AArch64 */
#define VIRTUAL_TIMER_PPI 27

/* ---- the PRNG: SplitMix64, so every seed gives its own fixed sequence ---- */

static uint64_t rng_state;

static uint64_t next_random(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t random_below(uint64_t n)
{
	return next_random() % n;
}

/* ---- the board: every device region of platforms/virt.dts (QEMU virt's map) ---- */

struct region {
	const char *name;
	uint64_t base, size;
};

#define SIM_CONTROL_BASE 0x0b000000ull
static const struct region regions[] = {
	{"flash0", 0x00000000, 0x04000000},   {"flash1", 0x04000000, 0x04000000},
	{"gicd", 0x08000000, 0x10000},        {"gicc", 0x08010000, 0x10000},
	{"pl011", 0x09000000, 0x1000},        {"pl031", 0x09010000, 0x1000},
	{"sp804", 0x09100000, 0x1000},        {"virtio", 0x0a000000, 0x800},
	{"sim-control", SIM_CONTROL_BASE, 0x1000},
	/* unmapped: gaps of the map, past RAM, beyond 4 GiB, beyond the 39-bit VA range */
	{"gap", 0x08020000, 0x00fe0000},      {"gap", 0x0c000000, 0x34000000},
	{"past-ram", 0x48000000, 0x10000000}, {"high", 0x100000000ull, 0x100000000ull},
	{"huge-va", 0x0000ff8000000000ull, 0x1000}, {"ttbr1", 0xffffff8000000000ull, 0x1000},
};
#define REGION_COUNT (sizeof(regions) / sizeof(regions[0]))

/* Sim-control's EXIT register would end the run: the only bytes never written. */
static int hits_exit_register(uint64_t address, unsigned size)
{
	uint64_t exit_lo = SIM_CONTROL_BASE + SIM_CONTROL_EXIT, exit_hi = exit_lo + 4;
	return address < exit_hi && address + size > exit_lo;
}

/* ---- what happened, by class ---- */

static uint64_t sync_counts[64];
static uint64_t irq_count, fiq_count, serror_count, spurious_count;
static uint64_t writes, reads, jumps, excursions, watchdog_ends, budget_ends, psci_calls;

/* ---- excursions (hostile_wild.S) ---- */

struct wild_context {
	uint64_t callee_saved[12]; /* x19-x30 */
	uint64_t sp, resume, target, spsr, sp_el0;
	uint64_t regs[31];
};
_Static_assert(__builtin_offsetof(struct wild_context, regs) == 136, "layout of hostile_wild.S");

uint64_t wild_enter(struct wild_context *ctx);

enum wild_end { WILD_FAULT = 1, WILD_WATCHDOG = 2, WILD_BUDGET = 3 };

static struct wild_context wild;
static volatile int wild_active;
static unsigned wild_exceptions;
static unsigned window_irqs;

/* Leaves the excursion: back in wild_enter at EL1h with its callee-saved registers. */
static void end_excursion(struct exception_frame *frame, enum wild_end why)
{
	for (int i = 0; i < 12; i++)
		frame->x[19 + i] = wild.callee_saved[i];
	frame->x[0] = why;
	frame->elr = wild.resume;
	frame->spsr = SPSR_EL1H_MASKED;
	wild_active = 0;
}

static int returns_after_instruction(unsigned ec)
{
	return ec == EC_SVC || ec == EC_HVC || ec == EC_SMC;
}

static void on_sync(struct exception_frame *frame)
{
	unsigned ec = EC(frame->esr);
	sync_counts[ec]++;
	if (wild_active) {
		int from_el0 = (frame->vector & 0xc) == VECTOR_FROM_EL0;
		int cannot_skip = ec == EC_IABORT_LOWER || ec == EC_IABORT_SAME || ec == EC_PC_ALIGNMENT ||
		                  ec == EC_ILLEGAL_STATE;
		if (!from_el0 || cannot_skip) {
			end_excursion(frame, WILD_FAULT);
			return;
		}
		if (++wild_exceptions >= EXCURSION_EXCEPTIONS) {
			end_excursion(frame, WILD_BUDGET);
			return;
		}
	}
	if (ec == EC_ILLEGAL_STATE) /* the ERET was refused: go on at its target, legally */
		frame->spsr &= ~SPSR_IL;
	else if (!returns_after_instruction(ec))
		frame->elr += 4;
}

/* IRQ and FIQ: acknowledge, count, and end the excursion when the watchdog fires. */
static void on_interrupt(struct exception_frame *frame, int fiq)
{
	uint32_t iar = gic_cpu_read(GICC_IAR); /* Group 0 as FIQ is acknowledged here too */
	unsigned id = iar & 0x3ff;
	if (fiq)
		fiq_count++;
	else
		irq_count++;
	if (id >= 1020)
		spurious_count++;
	else
		gic_cpu_write(GICC_EOIR, iar);
	if (id == VIRTUAL_TIMER_PPI)
		timer_virt_set_ctl(0);
	if (wild_active && (id == VIRTUAL_TIMER_PPI || (frame->vector & 0xc) == VECTOR_FROM_EL0)) {
		end_excursion(frame, WILD_WATCHDOG);
		return;
	}
	if (++window_irqs >= IRQ_STORM || id >= 1020) /* a line that stays asserted: stop listening */
		frame->spsr |= 0xc0;
}

static void on_irq(struct exception_frame *frame)
{
	on_interrupt(frame, 0);
}

static void on_fiq(struct exception_frame *frame)
{
	on_interrupt(frame, 1);
}

static void on_serror(struct exception_frame *frame)
{
	serror_count++;
	if (wild_active)
		end_excursion(frame, WILD_FAULT);
	else
		frame->spsr |= 0x100; /* masked until the next window: it may stay pending */
}

/* ---- accesses of every size; a fault skips the instruction, so each is one instruction ---- */

static void write_sized(uint64_t address, unsigned size, uint64_t value)
{
	switch (size) {
	case 1: __asm__ volatile("strb %w0, [%1]" ::"r"(value), "r"(address) : "memory"); break;
	case 2: __asm__ volatile("strh %w0, [%1]" ::"r"(value), "r"(address) : "memory"); break;
	case 4: __asm__ volatile("str %w0, [%1]" ::"r"(value), "r"(address) : "memory"); break;
	default: __asm__ volatile("str %0, [%1]" ::"r"(value), "r"(address) : "memory"); break;
	}
}

static uint64_t read_sized(uint64_t address, unsigned size)
{
	uint64_t value = 0;
	switch (size) {
	case 1: __asm__ volatile("ldrb %w0, [%1]" : "+r"(value) : "r"(address) : "memory"); break;
	case 2: __asm__ volatile("ldrh %w0, [%1]" : "+r"(value) : "r"(address) : "memory"); break;
	case 4: __asm__ volatile("ldr %w0, [%1]" : "+r"(value) : "r"(address) : "memory"); break;
	default: __asm__ volatile("ldr %0, [%1]" : "+r"(value) : "r"(address) : "memory"); break;
	}
	return value;
}

/* An offset in the region, near its start more often (where the registers are), aligned or not. */
static uint64_t random_address(const struct region *region, unsigned size)
{
	uint64_t span = random_below(4) == 0 ? region->size : (region->size < 0x400 ? region->size : 0x400);
	uint64_t offset = random_below(span);
	if (random_below(4) != 0)
		offset &= ~(uint64_t)(size - 1);
	return region->base + offset;
}

static uint64_t random_value(void)
{
	static const uint64_t special[] = {0, ~0ull, 1, 0x80000000u, 0xffffffffu, 0x100};
	return random_below(3) == 0 ? special[random_below(6)] : next_random();
}

static uint64_t checksum; /* everything read, so the console shows two runs read the same */

static void poke_devices(void)
{
	for (int i = 0; i < ACCESSES_PER_ROUND; i++) {
		const struct region *region = &regions[random_below(REGION_COUNT)];
		unsigned size = 1u << random_below(4);
		uint64_t address = random_address(region, size);
		if (random_below(2)) {
			checksum = checksum * 31 + read_sized(address, size);
			reads++;
		} else if (!hits_exit_register(address, size)) {
			write_sized(address, size, random_value());
			writes++;
		}
	}
}

/* ---- exceptions on purpose ---- */

static uint32_t mrs_cell[2] __attribute__((aligned(64))); /* "mrs x0, <random>; ret" */

static void sync_code_cell(void)
{
	__asm__ volatile("dc cvau, %0\n dsb ish\n ic ivau, %0\n dsb ish\n isb" ::"r"(mrs_cell) : "memory");
}

/* Reads a random system register (op0 2 or 3): implemented, trapped or undefined. */
static void random_mrs(void)
{
	uint32_t op0 = 2 + (uint32_t)random_below(2), sysreg = (uint32_t)random_below(1u << 14);
	mrs_cell[0] = 0xd5300000u | (op0 - 2) << 19 | sysreg << 5; /* MRS x0 */
	mrs_cell[1] = 0xd65f03c0u;                                  /* RET */
	sync_code_cell();
	__asm__ volatile("blr %0" ::"r"(mrs_cell)
	                 : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
	                   "x13", "x14", "x15", "x16", "x17", "x30", "memory", "cc");
}

/* PSCI through HVC: queries, CPU_ON to where no CPU can start, and function IDs that are not
 * PSCI's; never SYSTEM_OFF, SYSTEM_RESET(2), CPU_OFF or the suspends. */
static void random_psci(void)
{
	static const uint64_t functions[] = {0x84000000, 0xc4000004, 0x8400000a, 0x84000006, 0xc4000003};
	uint64_t function = functions[random_below(5)];
	uint64_t x1 = random_value(), x2 = random_value(), x3 = random_value();
	if (random_below(3) == 0)
		function = 0x86000000u | (uint32_t)random_below(0x10000); /* an owner that is not PSCI's */
	if (function == 0xc4000003) /* CPU_ON: an entry outside RAM, or misaligned */
		x2 = random_below(2) ? 0x10000000 + random_below(0x1000) * 4 : 0x40100002;
	register uint64_t r0 __asm__("x0") = function;
	register uint64_t r1 __asm__("x1") = x1, r2 __asm__("x2") = x2, r3 __asm__("x3") = x3;
	__asm__ volatile("hvc #0" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)::"memory");
	checksum = checksum * 31 + r0;
	psci_calls++;
}

/* An ERET to a mode this EL1-only CPU does not have: an illegal exception return. */
static void illegal_eret(void)
{
	static const uint64_t modes[] = {0x8, 0x9, 0xc, 0xd, 0x10, 0x13, 0x1f, 0x2};
	uint64_t spsr = 0x3c0 | modes[random_below(8)];
	__asm__ volatile("adr x9, 1f\n msr elr_el1, x9\n msr spsr_el1, %0\n eret\n1:\n" ::"r"(spsr)
	                 : "x9", "memory");
}

/* An interrupt nobody drives: a random SGI, PPI or SPI enabled with a random priority and
 * trigger and made pending, for the next interrupt window. */
static void random_interrupt(void)
{
	unsigned id = (unsigned)random_below(96);
	gic_enable_irq(id, (uint8_t)random_below(256), random_below(2));
	if (id < 16)
		gic_send_sgi_self(id);
	else
		gic_set_pending(id);
}

static void take_exceptions(void)
{
	switch (random_below(11)) {
	case 10: random_interrupt(); break;
	case 0: __asm__ volatile("svc #0x1234" ::: "memory"); break;
	case 1: random_psci(); break;
	case 2: __asm__ volatile("smc #0x42" ::: "memory"); break;
	case 3: __asm__ volatile("brk #0x77" ::: "memory"); break;
	case 4: __asm__ volatile("hlt #0x1" ::: "memory"); break;
	case 5: __asm__ volatile("udf #0xbad" ::: "memory"); break;
	case 6: random_mrs(); break;
	case 7: illegal_eret(); break;
	case 8: {
		uint64_t address = random_address(&regions[random_below(REGION_COUNT)], 64) & ~63ull;
		if (!hits_exit_register(address, 64))
			__asm__ volatile("dc zva, %0" ::"r"(address) : "memory");
		break;
	}
	default: {
		uint64_t status = 1, address = random_address(&regions[random_below(REGION_COUNT)], 8);
		if (hits_exit_register(address, 8))
			break;
		__asm__ volatile("ldxr x9, [%1]\n stxr %w0, x9, [%1]" : "+r"(status) : "r"(address) : "x9", "memory");
		checksum = checksum * 31 + status;
		break;
	}
	}
}

/* Lets whatever the writes left pending in: IRQ, FIQ and SError unmasked for a moment. */
static void interrupt_window(void)
{
	window_irqs = 0;
	__asm__ volatile("msr daifclr, #7\n isb\n nop\n nop\n nop\n nop\n msr daifset, #7\n isb" ::: "memory");
}

/* ---- the MMU: an identity map, 4 KiB granule, 39-bit VAs, 2 MiB blocks ---- */

#define RAM_BASE 0x40000000ull
#define BLOCK (2ull << 20)
#define EL0_CODE 0x44000000ull /* random words, EL0 read-write-execute */
#define EL0_DATA 0x44200000ull /* EL0's stack and data, read-write */
#define VALID_BLOCK 0x1ull
#define VALID_TABLE 0x3ull
#define AF (1ull << 10)
#define ISH (3ull << 8)
#define ATTR_DEVICE (0ull << 2)
#define ATTR_NORMAL (1ull << 2)
#define AP_EL0 (1ull << 6)
#define PXN (1ull << 53)
#define UXN (1ull << 54)

static uint64_t level1[512] __attribute__((aligned(4096)));
static uint64_t devices_l2[512] __attribute__((aligned(4096)));
static uint64_t ram_l2[512] __attribute__((aligned(4096)));

static void build_tables(void)
{
	level1[0] = (uint64_t)devices_l2 | VALID_TABLE;
	level1[1] = (uint64_t)ram_l2 | VALID_TABLE;
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t base = i * BLOCK;
		/* EL0 may touch (and try to run) devices, but not the GIC (the watchdog) or sim-control. */
		int el1_only = base == 0x08000000 || base == SIM_CONTROL_BASE;
		devices_l2[i] = base | VALID_BLOCK | AF | ATTR_DEVICE | PXN | (el1_only ? UXN : AP_EL0);
	}
	for (uint64_t i = 0; i < 64; i++) {
		uint64_t base = RAM_BASE + i * BLOCK;
		uint64_t entry = base | VALID_BLOCK | AF | ISH | ATTR_NORMAL | UXN | PXN;
		if (i == 0) /* this image: EL1 runs it */
			entry &= ~PXN;
		if (base == EL0_CODE)
			entry = base | VALID_BLOCK | AF | ISH | ATTR_NORMAL | AP_EL0 | PXN;
		if (base == EL0_DATA)
			entry |= AP_EL0;
		ram_l2[i] = entry;
	}
}

static void mmu_enable(void)
{
	__asm__ volatile("msr cntkctl_el1, xzr" ::: "memory"); /* EL0 cannot stop the watchdog */
	uint64_t mair = 0xff00, tcr = 25ull | 1ull << 23 /* EPD1 */ | 1ull << 8 | 1ull << 10 | 3ull << 12;
	__asm__ volatile("msr mair_el1, %0\n msr tcr_el1, %1\n msr ttbr0_el1, %2\n dsb sy\n isb\n"
	                 "tlbi vmalle1\n dsb sy\n isb\n"
	                 "mrs x9, sctlr_el1\n orr x9, x9, #1\n orr x9, x9, #(1 << 4)\n"
	                 "bic x9, x9, #(1 << 16)\n bic x9, x9, #(1 << 18)\n bic x9, x9, #(1 << 9)\n" /* WFx, DAIF trap */
	                 "bic x9, x9, #(1 << 14)\n bic x9, x9, #(1 << 15)\n bic x9, x9, #(1 << 26)\n" /* DC ZVA, CTR, caches */
	                 "msr sctlr_el1, x9\n isb" ::"r"(mair),
	                 "r"(tcr), "r"((uint64_t)level1)
	                 : "x9", "memory");
}

static int mmu_on;

/* ---- excursions: jumps at EL1, random words at EL0 ---- */

static void fill_registers(void)
{
	for (int i = 0; i < 31; i++) {
		switch (random_below(3)) {
		case 0: wild.regs[i] = EL0_DATA + random_below(BLOCK); break;
		case 1: wild.regs[i] = random_address(&regions[random_below(REGION_COUNT)], 8); break;
		default: wild.regs[i] = random_value(); break;
		}
	}
}

/* The watchdog: the virtual timer's PPI, the only interrupt enabled, fires after WATCHDOG_US. */
static void arm_watchdog(void)
{
	gic_init();
	for (uint32_t i = 0; i < 4; i++) { /* no active priority left by the writes may block it */
		gic_cpu_write(GICC_APR0 + 4 * i, 0);
		gic_cpu_write(GICC_NSAPR0 + 4 * i, 0);
	}
	gic_enable_irq(VIRTUAL_TIMER_PPI, 0x80, false);
	timer_virt_set_tval((int32_t)(timer_frequency() * WATCHDOG_US / 1000000));
	timer_virt_set_ctl(1);
}

static void run_excursion(uint64_t target, uint64_t spsr)
{
	fill_registers();
	wild.target = target;
	wild.spsr = spsr;
	wild.sp_el0 = EL0_DATA + BLOCK - 16 * random_below(64);
	wild_exceptions = 0;
	wild_active = 1;
	uint64_t why = wild_enter(&wild);
	wild_active = 0;
	timer_virt_set_ctl(0);
	if (why == WILD_WATCHDOG)
		watchdog_ends++;
	else if (why == WILD_BUDGET)
		budget_ends++;
}

/* EL1 jumps to where the first fetch faults: unmapped, misaligned, and with the MMU on
 * device memory and RAM this EL may not execute (PXN). */
static void random_jump(void)
{
	uint64_t target;
	switch (random_below(mmu_on ? 4 : 2)) {
	case 0: target = random_address(&regions[9 + random_below(REGION_COUNT - 9)], 4); break;
	case 1: target = 0x40100000 + random_below(0x1000) * 4 + 1 + random_below(3); break;
	case 2: target = random_address(&regions[random_below(9)], 4); break;
	default: target = RAM_BASE + BLOCK + random_below((126ull << 20) / 4) * 4; break;
	}
	jumps++;
	run_excursion(target, SPSR_EL1H_MASKED);
}

/* A page of random words at EL0, entered at a random word of it (or somewhere EL0 may not go). */
static void random_code(void)
{
	uint32_t *page = (uint32_t *)(EL0_CODE + random_below(BLOCK / 4096) * 4096);
	for (int i = 0; i < 1024; i++)
		page[i] = (uint32_t)next_random();
	__asm__ volatile("dsb ish\n ic iallu\n dsb ish\n isb" ::: "memory");
	uint64_t target = (uint64_t)&page[random_below(1024)];
	if (random_below(8) == 0)
		target = random_address(&regions[random_below(REGION_COUNT)], 4);
	excursions++;
	arm_watchdog();
	run_excursion(target, SPSR_EL0);
}

/* An EL0 loop that never ends (B .): only the watchdog stops it. */
static void endless_loop(void)
{
	uint32_t *word = (uint32_t *)(EL0_CODE + random_below(BLOCK / 4));
	word = (uint32_t *)((uint64_t)word & ~3ull);
	*word = 0x14000000u; /* B . */
	__asm__ volatile("dsb ish\n ic iallu\n dsb ish\n isb" ::: "memory");
	excursions++;
	arm_watchdog();
	run_excursion((uint64_t)word, SPSR_EL0);
}

/* ---- the end: repair what the writes may have broken, report, exit ---- */

static void repair_uart(void)
{
	uintptr_t uart = sdk_platform()->uart_base;
	mmio_write32(uart + PL011_IMSC, 0);
	mmio_write32(uart + PL011_LCR_H, PL011_LCR_H_FEN | 3u << 5); /* 8 bits, FIFOs */
	mmio_write32(uart + PL011_CR, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE); /* no loopback */
	uart_init(uart);
}

static uint64_t seed_from_cmdline(void)
{
	static char line[128];
	uint64_t block[2] = {(uint64_t)line, sizeof(line) - 1};
	register uint64_t x0 __asm__("x0") = 0x15; /* SYS_GET_CMDLINE */
	register uint64_t x1 __asm__("x1") = (uint64_t)block;
	/* Without --semihosting HLT is UNDEFINED: the handler skips it and x0 stays 0x15. */
	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	if (x0 != 0)
		return DEFAULT_SEED;
	for (const char *p = line; *p; p++) {
		if (p[0] == 's' && p[1] == 'e' && p[2] == 'e' && p[3] == 'd' && p[4] == '=') {
			uint64_t seed = 0;
			for (p += 5; *p >= '0' && *p <= '9'; p++)
				seed = seed * 10 + (uint64_t)(*p - '0');
			return seed;
		}
	}
	return DEFAULT_SEED;
}

static void print_summary(uint64_t seed)
{
	printf("\nhostile: seed %llu, %d rounds: %llu writes, %llu reads, %llu PSCI calls, %llu jumps, "
	       "%llu excursions (%llu ended by the watchdog, %llu by the exception budget)\n",
	       (unsigned long long)seed, ROUNDS, (unsigned long long)writes, (unsigned long long)reads,
	       (unsigned long long)psci_calls, (unsigned long long)jumps, (unsigned long long)excursions,
	       (unsigned long long)watchdog_ends, (unsigned long long)budget_ends);
	for (unsigned ec = 0; ec < 64; ec++)
		if (sync_counts[ec])
			printf("hostile: EC 0x%02x: %llu\n", ec, (unsigned long long)sync_counts[ec]);
	printf("hostile: IRQ %llu, FIQ %llu (spurious %llu), SError %llu\n", (unsigned long long)irq_count,
	       (unsigned long long)fiq_count, (unsigned long long)spurious_count, (unsigned long long)serror_count);
	printf("hostile: checksum of reads 0x%016llx\n", (unsigned long long)checksum);
	printf("hostile: done\n");
}

int main(void)
{
	exception_set_handler(EXCEPTION_SYNC, on_sync);
	exception_set_handler(EXCEPTION_IRQ, on_irq);
	exception_set_handler(EXCEPTION_FIQ, on_fiq);
	exception_set_handler(EXCEPTION_SERROR, on_serror);
	uint64_t seed = seed_from_cmdline();
	rng_state = seed;
	build_tables();
	for (int round = 0; round < ROUNDS; round++) {
		if (round == ROUNDS / 2) {
			mmu_enable();
			mmu_on = 1;
		}
		gic_init(); /* a working GIC for the writes to disturb: enables, pendings, priorities */
		poke_devices();
		for (int i = 0; i < 4; i++)
			take_exceptions();
		interrupt_window();
		for (int i = 0; i < JUMPS_PER_ROUND; i++)
			random_jump();
		if (mmu_on) {
			for (int i = 0; i < EXCURSIONS_PER_ROUND; i++)
				random_code();
			endless_loop();
		}
	}
	repair_uart();
	print_summary(seed);
	return 0;
}
