/* The interpreter against Unicorn (Debian libunicorn-dev), an oracle nobody here wrote: each
 * input is a register state and a sequence of integer data-processing instructions, the
 * classes where the Unicorn differential tests (tests/iss/test_unicorn_oracle.cpp) show that
 * Unicorn models a v8.0 CPU correctly. Both run the sequence one instruction at a time at EL1
 * with the MMU off; after each, every X register, SP, PC and NZCV must match. A difference
 * aborts, so libFuzzer keeps the input: a fuzzed difference is a bug report, not just a crash. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "bus.h"
#include "cpu.h"
#include "error.h"
#include "iss.h"

#define RAM       0x40000000ull
#define RAM_SIZE  (16ull << 20)
#define CODE      RAM
#define VBAR      (RAM + 0xa00000) /* qvp's vectors: the synchronous entry reads ESR_EL1 into x0 */
#define MAX_WORDS 64
#define STATE     (31 * 8 + 8 + 1) /* x0..x30, SP, NZCV */

/* An instruction class: base | (random & mask); `later` names encodings of a later architecture
 * version that Unicorn executes and this v8.0 CPU calls UNDEFINED. */
struct insn_class {
	uint32_t base, mask;
	bool (*later)(uint32_t word);
};

static bool pointer_authentication(uint32_t word)
{
	return ((word >> 10) & 0x3f) >= 6; /* data processing, one source: the PAC space */
}

static bool pacga_or_unallocated(uint32_t word)
{
	unsigned opcode = (word >> 10) & 0x3f;

	return opcode == 0x0c || opcode >= 0x18; /* data processing, two sources: PACGA is v8.3 */
}

static const struct insn_class classes[] = {
	{ 0x11000000, 0xe07fffff, NULL },                   /* add/sub immediate */
	{ 0x12000000, 0xe07fffff, NULL },                   /* logical immediate */
	{ 0x12800000, 0xe07fffff, NULL },                   /* move wide */
	{ 0x13000000, 0xe07fffff, NULL },                   /* bitfield */
	{ 0x13800000, 0x807fffff, NULL },                   /* extract */
	{ 0x10000000, 0xe0ffffff, NULL },                   /* adr/adrp */
	{ 0x0a000000, 0xe0ffffff, NULL },                   /* logical, shifted register */
	{ 0x0b000000, 0xe0dfffff, NULL },                   /* add/sub, shifted register */
	{ 0x0b200000, 0xe01fffff, NULL },                   /* add/sub, extended register */
	{ 0x1a000000, 0xe01f03ff, NULL },                   /* adc/sbc */
	{ 0x3a400000, 0xc01ffbef, NULL },                   /* ccmp/ccmn */
	{ 0x1a800000, 0xc01ff7ff, NULL },                   /* csel/csinc/csinv/csneg */
	{ 0x5ac00000, 0x80001fff, pointer_authentication }, /* data processing, one source */
	{ 0x1ac00000, 0x801fffff, pacga_or_unallocated },   /* data processing, two sources, CRC32 too */
	{ 0x1b000000, 0x80ffffff, NULL },                   /* data processing, three sources */
};

#define CLASS_COUNT (sizeof(classes) / sizeof(classes[0]))

struct state {
	uint64_t x[31], sp, pc;
	unsigned nzcv;
};

static uc_engine *unicorn;
static struct cpu *iss;

static int unicorn_x(int n)
{
	return n < 29 ? UC_ARM64_REG_X0 + n : n == 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30;
}

static void die(const char *what)
{
	fprintf(stderr, "fuzz_iss_unicorn: %s: %s\n", what, error_message());
	abort();
}

/* Unicorn and a qvp CPU over the same RAM; qvp's VBAR_EL1 is set by running two instructions. */
static void open_both(void)
{
	static const uint32_t mrs_esr = 0xd5385200, msr_vbar = 0xd518c000; /* mrs x0, esr_el1; msr vbar_el1, x0 */
	struct bus *bus = bus_create();

	if (uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &unicorn) != UC_ERR_OK ||
	    uc_mem_map(unicorn, RAM, RAM_SIZE, UC_PROT_ALL) != UC_ERR_OK)
		die("Unicorn");
	if (!bus || bus_add_ram(bus, "ram", RAM, RAM_SIZE) < 0 || !(iss = iss_create(bus)))
		die("qvp");
	iss->ops->write_memory(iss, VBAR + 0x200, &mrs_esr, 4);
	iss->ops->write_memory(iss, VBAR - 4, &msr_vbar, 4);
	iss->ops->set_register(iss, CPU_REG_X0, VBAR);
	iss->ops->set_register(iss, CPU_REG_PC, VBAR - 4);
	if (iss->ops->run(iss, 1).executed != 1)
		die("setting VBAR_EL1");
}

static uint64_t little_endian(const uint8_t *bytes, unsigned count)
{
	uint64_t value = 0;

	for (unsigned i = 0; i < count; i++)
		value |= (uint64_t)bytes[i] << (8 * i);
	return value;
}

/* Both CPUs at EL1h with interrupts unmasked (no line is high) in state `in`. */
static void set_state(const struct state *in)
{
	uint64_t nzcv = (uint64_t)in->nzcv << 28;

	for (int n = 0; n < 31; n++) {
		iss->ops->set_register(iss, (enum cpu_register)n, in->x[n]);
		uc_reg_write(unicorn, unicorn_x(n), &in->x[n]);
	}
	iss->ops->set_register(iss, CPU_REG_SP, in->sp);
	iss->ops->set_register(iss, CPU_REG_PC, in->pc);
	iss->ops->set_register(iss, CPU_REG_PSTATE, nzcv | 0x5);
	uc_reg_write(unicorn, UC_ARM64_REG_SP, &in->sp);
	uc_reg_write(unicorn, UC_ARM64_REG_NZCV, &nzcv);
	uc_reg_write(unicorn, UC_ARM64_REG_PC, &in->pc);
}

/* One instruction on qvp; false when it took an exception (its ESR in *esr). */
static bool step_iss(struct state *out, uint64_t *esr)
{
	uint64_t pstate = 0;

	if (iss->ops->run(iss, 1).reason == CPU_STOP_FATAL)
		die("qvp stopped");
	for (int n = 0; n < 31; n++)
		iss->ops->get_register(iss, (enum cpu_register)n, &out->x[n]);
	iss->ops->get_register(iss, CPU_REG_SP, &out->sp);
	iss->ops->get_register(iss, CPU_REG_PC, &out->pc);
	iss->ops->get_register(iss, CPU_REG_PSTATE, &pstate);
	out->nzcv = (unsigned)(pstate >> 28) & 0xf;
	if (!(pstate & 0x3c0))
		return true;
	iss->ops->run(iss, 1); /* the vector's MRS */
	iss->ops->get_register(iss, CPU_REG_X0, esr);
	return false;
}

/* One instruction on Unicorn; false when it faulted. */
static bool step_unicorn(uint64_t pc, struct state *out)
{
	uint64_t nzcv = 0;
	uc_err err = uc_emu_start(unicorn, pc, 0, 0, 1);

	for (int n = 0; n < 31; n++)
		uc_reg_read(unicorn, unicorn_x(n), &out->x[n]);
	uc_reg_read(unicorn, UC_ARM64_REG_SP, &out->sp);
	uc_reg_read(unicorn, UC_ARM64_REG_PC, &out->pc);
	uc_reg_read(unicorn, UC_ARM64_REG_NZCV, &nzcv);
	out->nzcv = (unsigned)(nzcv >> 28) & 0xf;
	return err == UC_ERR_OK;
}

static void report(uint32_t word, const char *what, const struct state *iss_state, const struct state *reference)
{
	fprintf(stderr, "fuzz_iss_unicorn: word 0x%08x: %s\n", word, what);
	for (int n = 0; n < 31; n++)
		if (iss_state->x[n] != reference->x[n])
			fprintf(stderr, "  x%d: qvp 0x%llx, Unicorn 0x%llx\n", n, (unsigned long long)iss_state->x[n],
				(unsigned long long)reference->x[n]);
	fprintf(stderr, "  pc: qvp 0x%llx, Unicorn 0x%llx; nzcv: qvp %x, Unicorn %x\n",
		(unsigned long long)iss_state->pc, (unsigned long long)reference->pc, iss_state->nzcv, reference->nzcv);
	abort();
}

/* Runs the word at state->pc on both and moves `state` on: to the common result, or past the
 * word when both refuse it (qvp's exception entry undone), so one input tests many words. */
static void compare_step(struct state *state, uint32_t word, const struct insn_class *class)
{
	struct state on_iss, on_unicorn;
	uint64_t esr = 0;
	bool iss_executed = step_iss(&on_iss, &esr);
	bool unicorn_executed = step_unicorn(state->pc, &on_unicorn);
	bool later = !iss_executed && (esr >> 26) == 0 && class->later && class->later(word);

	if (!iss_executed && (!unicorn_executed || later)) {
		state->pc += 4; /* refused by both, or a later architecture's: UNDEFINED here, rightly */
		set_state(state);
		return;
	}
	if (iss_executed != unicorn_executed)
		report(word, iss_executed ? "Unicorn faults, qvp executes" : "qvp faults, Unicorn executes", &on_iss,
		       &on_unicorn);
	if (memcmp(on_iss.x, on_unicorn.x, sizeof(on_iss.x)) || on_iss.sp != on_unicorn.sp ||
	    on_iss.pc != on_unicorn.pc || on_iss.nzcv != on_unicorn.nzcv)
		report(word, "the results differ", &on_iss, &on_unicorn);
	*state = on_iss;
}

/* Bytes 0-256: x0..x30, SP (kept 16-byte aligned), NZCV; then 4 bytes per instruction: the
 * first picks the class, all four its encoding bits. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t words[MAX_WORDS];
	const struct insn_class *picked[MAX_WORDS];
	struct state in = { .pc = CODE };
	unsigned count = 0;

	if (size < STATE)
		return 0;
	if (!unicorn)
		open_both();
	for (int n = 0; n < 31; n++)
		in.x[n] = little_endian(data + 8 * n, 8);
	in.sp = RAM + (little_endian(data + 248, 8) & (RAM_SIZE - 16));
	in.nzcv = data[256] & 0xf;
	for (size_t at = STATE; at + 4 <= size && count < MAX_WORDS; at += 4, count++) {
		uint32_t raw = (uint32_t)little_endian(data + at, 4);
		picked[count] = &classes[data[at] % CLASS_COUNT];
		words[count] = picked[count]->base | (raw & picked[count]->mask);
	}
	iss->ops->write_memory(iss, CODE, words, 4ull * count);
	uc_mem_write(unicorn, CODE, words, 4ull * count);
	uc_ctl_remove_cache(unicorn, CODE, CODE + 4ull * MAX_WORDS); /* no translation of an earlier input */
	set_state(&in);
	for (unsigned i = 0; i < count; i++)
		compare_step(&in, words[i], picked[i]);
	return 0;
}
