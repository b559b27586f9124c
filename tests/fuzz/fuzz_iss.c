/* The iss backend (iss-backend/) on random instruction words: each input is a flags byte and a
 * program of up to 1024 words loaded at 0x40080000 on the virt board, run for 4 us of virtual
 * time (about 4000 instructions) from a known state: vectors at VBAR_EL1 that step over the
 * instruction that trapped and return, registers pointing into RAM, and by the flags the MMU on
 * (an identity map, RAM normal memory and devices device memory), EL0 instead of EL1, SIMD&FP
 * enabled, four CPUs all running the program at once on the same data (the global monitor,
 * SEV/WFE, TLBI and code written under another CPU), and EL2 with stage 2 on: a prologue at EL2
 * sets VTCR_EL2/VTTBR_EL2/HCR_EL2.VM and ERETs to the program, whose data pages are partly
 * read-only, unmapped or not executable at stage 2; EL2's vectors step over what faults there.
 * Whatever the words do, the run ends by the timeout or a reported fatal stop, never by a host
 * crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "fuzz_support.h"
#include "iss.h"
#include "loop.h"
#include "machine.h"

#define MAX_WORDS 1024
#define VECTORS 0x40200000ull     /* 2 KiB aligned, as VBAR_EL1 wants */
#define PAGE_TABLE 0x40210000ull  /* 4 KiB aligned level-1 table */
#define DATA 0x40300000ull        /* where the registers point */

#define FLAG_MMU 1
#define FLAG_EL0 2
#define FLAG_FP 4
#define FLAG_SMP 8
#define FLAG_STAGE2 16
#define SMP_CPUS 4

#define EL2_VECTORS 0x40200800ull /* after EL1's, 2 KiB aligned */
#define PROLOGUE 0x40211000ull    /* the EL2 code that turns stage 2 on */
#define S2_ROOT 0x40212000ull     /* level 1: four 1 GiB entries (T0SZ 32, SL0 1) */
#define S2_LEVEL2 0x40213000ull   /* RAM's GiB in 2 MiB blocks */
#define S2_LEVEL3 0x40214000ull   /* the 2 MiB holding DATA, by pages */

/* Each vector: ELR_EL1 += 4 and return, so a trapping instruction is skipped. */
static const uint32_t vector_entry[] = {
	0xd5384031, /* mrs x17, elr_el1 */
	0x91001231, /* add x17, x17, #4 */
	0xd5184031, /* msr elr_el1, x17 */
	0xd69f03e0, /* eret */
};

/* EL2's: ELR_EL2 += 4 and return. */
static const uint32_t el2_vector_entry[] = {
	0xd53c4031, /* mrs x17, elr_el2 */
	0x91001231, /* add x17, x17, #4 */
	0xd51c4031, /* msr elr_el2, x17 */
	0xd69f03e0, /* eret */
};

static void install_vectors(struct machine *machine, uint64_t address, const uint32_t *entry, size_t size)
{
	uint8_t *table = bus_ram_pointer(machine->bus, address, 0x800);

	if (!table)
		abort();
	for (unsigned k = 0; k < 16; k++)
		memcpy(table + k * 0x80, entry, size);
}

/* Stage 2 descriptors: MemAttr Normal or Device, S2AP read (6) and write (7), AF, XN (54). */
#define S2_NORMAL (0xfull << 2 | 3ull << 8 | 1ull << 10 | 3ull << 6)
#define S2_DEVICE (0x1ull << 2 | 1ull << 10 | 3ull << 6 | 1ull << 54)

/* Identity at stage 2 except three pages of DATA: +0x1000 read-only, +0x2000 unmapped, +0x3000 XN. */
static void install_stage2_tables(struct machine *machine)
{
	uint64_t *root = (uint64_t *)bus_ram_pointer(machine->bus, S2_ROOT, 0x3000);
	uint64_t *level2 = root + 512, *level3 = root + 1024;
	uint64_t region = DATA & ~0x1fffffull;

	if (!root)
		abort();
	memset(root, 0, 0x1000);
	root[0] = 0x00000000ull | 1 | S2_DEVICE;
	root[1] = S2_LEVEL2 | 3;
	for (uint64_t k = 0; k < 512; k++)
		level2[k] = (0x40000000ull + (k << 21)) | 1 | S2_NORMAL;
	level2[(region >> 21) & 511] = S2_LEVEL3 | 3;
	for (uint64_t k = 0; k < 512; k++)
		level3[k] = (region + (k << 12)) | 3 | S2_NORMAL;
	level3[((DATA - region) >> 12) + 1] &= ~(1ull << 7);
	level3[((DATA - region) >> 12) + 2] = 0;
	level3[((DATA - region) >> 12) + 3] |= 1ull << 54;
}

/* At EL2: VTCR, VTTBR (VMID 1), VBAR_EL2, ELR_EL2, SPSR_EL2, HCR_EL2 from the literals, x17 back, ERET. */
static void install_prologue(struct machine *machine, uint64_t pstate)
{
	uint32_t code[16];
	uint64_t literals[7] = {
	    32 | 1 << 6 | 1 << 8 | 1 << 10 | 3 << 12 | 2ull << 16 | 1ull << 31, /* 4 GiB of IPA, 4 KiB, from level 1 */
	    S2_ROOT | 1ull << 48,
	    EL2_VECTORS,
	    FUZZ_RAM_ENTRY,
	    pstate,
	    1ull << 31 | 1, /* HCR_EL2.RW, VM */
	    DATA + 17 * 0x100,
	};
	static const uint32_t msr[6] = { 0xd51c2151, 0xd51c2111, 0xd51cc011, 0xd51c4031, 0xd51c4011, 0xd51c1111 };
	uint8_t *at = bus_ram_pointer(machine->bus, PROLOGUE, sizeof(code) + sizeof(literals));

	if (!at)
		abort();
	for (unsigned k = 0; k < 6; k++) {
		code[2 * k] = 0x58000211; /* ldr x17, the literal 0x40 bytes on */
		code[2 * k + 1] = msr[k];   /* msr vtcr_el2 ... hcr_el2, x17 */
	}
	code[12] = 0x58000211; /* ldr x17, its own value */
	code[13] = 0xd5033fdf; /* isb */
	code[14] = 0xd69f03e0; /* eret */
	code[15] = 0xd503201f; /* nop */
	memcpy(at, code, sizeof(code));
	memcpy(at + sizeof(code), literals, sizeof(literals));
}

/* An identity map of the low 4 GiB in 1 GiB blocks: device memory below RAM, normal above. */
static void install_page_table(struct machine *machine, struct iss_arch_state *state)
{
	uint64_t *table = (uint64_t *)bus_ram_pointer(machine->bus, PAGE_TABLE, 0x1000);
	const uint64_t block = 1, access_flag = 1ull << 10, inner_shareable = 3ull << 8, normal = 1ull << 2;

	if (!table)
		abort();
	memset(table, 0, 0x1000);
	table[0] = 0x00000000ull | block | access_flag;                             /* MAIR attr 0 */
	for (uint64_t gib = 1; gib < 4; gib++)
		table[gib] = (gib << 30) | block | access_flag | inner_shareable | normal; /* attr 1 */
	state->mair_el1 = 0xff00;  /* attr 0 Device-nGnRnE, attr 1 Normal write-back */
	state->tcr_el1 = 25 | (1ull << 8) | (1ull << 10) | (3ull << 12) | (2ull << 32); /* 39-bit VA, 4K, WB, inner, 40-bit PA */
	state->ttbr0_el1 = PAGE_TABLE;
	state->sctlr_el1 |= 1 | (1ull << 2) | (1ull << 12); /* M, C, I */
}

static void set_start_state(struct machine *machine, struct cpu *cpu, uint8_t flags)
{
	struct iss_arch_state state;

	iss_get_arch_state(cpu, &state);
	for (unsigned i = 0; i < 31; i++)
		state.x[i] = DATA + i * 0x100;
	state.sp_el0 = DATA + 0x8000;
	state.sp_el1 = DATA + 0x10000;
	state.vbar_el1 = VECTORS;
	if (flags & FLAG_STAGE2)
		state.pstate = 0x3c5; /* the CPU starts at EL2: the program runs at EL1h (EL0t below) after the prologue */
	if (flags & FLAG_MMU)
		install_page_table(machine, &state);
	if (flags & FLAG_EL0)
		state.pstate = 0; /* EL0t, interrupts unmasked */
	if (flags & FLAG_FP)
		state.cpacr_el1 = 3ull << 20;
	if (iss_set_arch_state(cpu, &state) < 0)
		abort();
	if (flags & FLAG_STAGE2) { /* start in the EL2 prologue, which enters the program as set above */
		install_prologue(machine, state.pstate);
		if (cpu->ops->set_register(cpu, CPU_REG_PSTATE, 0x3c9) < 0 || cpu->ops->set_register(cpu, CPU_REG_PC, PROLOGUE) < 0)
			abort();
	}
}

/* Every CPU on (PSCI CPU_ON's path) at the program, each from the same start state. */
static void start_every_cpu(struct machine *machine, uint8_t flags)
{
	for (unsigned k = 1; k < machine->cpu_count; k++)
		if (machine_start_cpu(machine, k, FUZZ_RAM_ENTRY, k) < 0)
			abort();
	for (unsigned k = 0; k < machine->cpu_count; k++)
		set_start_state(machine, machine->cpus[k].cpu, flags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t words[MAX_WORDS + 1];
	size_t count = size ? (size - 1) / 4 : 0;
	uint8_t flags = size ? data[0] : 0;
	struct machine_config config;
	struct machine *machine;

	if (count > MAX_WORDS)
		count = MAX_WORDS;
	if (count)
		memcpy(words, data + 1, count * 4);
	words[count++] = 0x14000000; /* b . : the end of the program waits for the timeout */
	fuzz_machine_config(&config, QVP_FUZZ_VIRT_DTB, words, count, 4 * VTIME_US);
	config.cpu_count = flags & FLAG_SMP ? SMP_CPUS : 0;
	config.start_el2 = (flags & FLAG_STAGE2) != 0;
	machine = machine_create(&config);
	if (!machine)
		abort();
	install_vectors(machine, VECTORS, vector_entry, sizeof(vector_entry));
	install_vectors(machine, EL2_VECTORS, el2_vector_entry, sizeof(el2_vector_entry));
	if (flags & FLAG_STAGE2)
		install_stage2_tables(machine);
	start_every_cpu(machine, flags);
	machine_run(machine);
	machine_destroy(machine);
	return 0;
}
