/* The iss backend (iss-backend/) on random instruction words: each input is a flags byte and a
 * program of up to 1024 words loaded at 0x40080000 on the virt board, run for 4 us of virtual
 * time (about 4000 instructions) from a known state: vectors at VBAR_EL1 that step over the
 * instruction that trapped and return, registers pointing into RAM, and by the flags the MMU on
 * (an identity map, RAM normal memory and devices device memory), EL0 instead of EL1, SIMD&FP
 * enabled, and four CPUs all running the program at once on the same data (the global monitor,
 * SEV/WFE, TLBI and code written under another CPU). Whatever the words do, the run ends by the
 * timeout or a reported fatal stop, never by a host crash. */
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
#define SMP_CPUS 4

/* Each vector: ELR_EL1 += 4 and return, so a trapping instruction is skipped. */
static const uint32_t vector_entry[] = {
	0xd5384031, /* mrs x17, elr_el1 */
	0x91001231, /* add x17, x17, #4 */
	0xd5184031, /* msr elr_el1, x17 */
	0xd69f03e0, /* eret */
};

static void install_vectors(struct machine *machine)
{
	uint8_t *table = bus_ram_pointer(machine->bus, VECTORS, 0x800);

	if (!table)
		abort();
	for (unsigned entry = 0; entry < 16; entry++)
		memcpy(table + entry * 0x80, vector_entry, sizeof(vector_entry));
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
	if (flags & FLAG_MMU)
		install_page_table(machine, &state);
	if (flags & FLAG_EL0)
		state.pstate = 0; /* EL0t, interrupts unmasked */
	if (flags & FLAG_FP)
		state.cpacr_el1 = 3ull << 20;
	if (iss_set_arch_state(cpu, &state) < 0)
		abort();
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
	machine = machine_create(&config);
	if (!machine)
		abort();
	install_vectors(machine);
	start_every_cpu(machine, flags);
	machine_run(machine);
	machine_destroy(machine);
	return 0;
}
