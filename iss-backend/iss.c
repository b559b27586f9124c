/*
 * The iss backend's life cycle and its cpu vtable: creation and destruction, the IRQ/FIQ
 * lines, registers and guest memory for the debugger, and why a guest makes no progress.
 * The run loop and the decoded-page cache are in dispatch.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch_state.h"
#include "cluster.h"
#include "debug.h"
#include "dispatch.h"
#include "error.h"
#include "exception.h"
#include "iss.h"
#include "iss_state.h"
#include "loader.h"
#include "mmu.h"
#include "snapshot_state.h"
#include "sysreg.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the RAM fast path copies guest little-endian values as host integers"
#endif

#define MPIDR_RES1 0x80000000ull   /* bit 31; U (bit 30) = 0: part of a multiprocessor system */
#define MPIDR_AFFINITY 0xff00ffffffull /* Aff3, Aff2, Aff1, Aff0 */
#define NO_PAGE 1 /* code_base of no page: odd, so no aligned PC is inside */
/* Exceptions taken without an ERET in between after which a timeout is blamed on a loop. */
#define EXCEPTION_LOOP_THRESHOLD 1000

static const struct cpu_ops iss_ops;

static void iss_set_line(struct cpu *base, enum cpu_line line, bool level)
{
	struct iss *cpu = to_iss(base);

	if (line == CPU_LINE_IRQ)
		cpu->irq_line = level;
	else if (line == CPU_LINE_FIQ)
		cpu->fiq_line = level;
	else if (line == CPU_LINE_VIRQ)
		cpu->virq_line = level;
	else
		cpu->vfiq_line = level;
	iss_update_attention(cpu);
}

/* ---- Registers ---- */

/* EL2's and EL3's registers for a debugger: only a CPU that has the level has them. */
static bool has_level_of(const struct iss *cpu, enum cpu_register reg)
{
	if ((reg >= CPU_REG_HCR_EL2 && reg <= CPU_REG_VBAR_EL2) || (reg >= CPU_REG_MAIR_EL2 && reg <= CPU_REG_CNTHCTL_EL2))
		return cpu->el2;
	if (reg >= CPU_REG_SCR_EL3 && reg <= CPU_REG_MDCR_EL3)
		return cpu->el3;
	return true;
}

static int get_el2_el3_register(const struct iss *cpu, enum cpu_register reg, uint64_t *value)
{
	if (!has_level_of(cpu, reg))
		return error_set("iss: register number %d belongs to an exception level this CPU lacks", (int)reg);
	switch (reg) {
	case CPU_REG_HCR_EL2: *value = cpu->hcr_el2; return 0;
	case CPU_REG_SCTLR_EL2: *value = cpu->sctlr_el2; return 0;
	case CPU_REG_TCR_EL2: *value = cpu->tcr_el2; return 0;
	case CPU_REG_TTBR0_EL2: *value = cpu->ttbr0_el2; return 0;
	case CPU_REG_VTTBR_EL2: *value = cpu->vttbr_el2; return 0;
	case CPU_REG_ESR_EL2: *value = cpu->esr_el2; return 0;
	case CPU_REG_FAR_EL2: *value = cpu->far_el2; return 0;
	case CPU_REG_ELR_EL2: *value = cpu->elr_el2; return 0;
	case CPU_REG_SPSR_EL2: *value = cpu->spsr_el2; return 0;
	case CPU_REG_VBAR_EL2: *value = cpu->vbar_el2; return 0;
	case CPU_REG_SCR_EL3: *value = cpu->scr_el3; return 0;
	case CPU_REG_SCTLR_EL3: *value = cpu->sctlr_el3; return 0;
	case CPU_REG_TCR_EL3: *value = cpu->tcr_el3; return 0;
	case CPU_REG_TTBR0_EL3: *value = cpu->ttbr0_el3; return 0;
	case CPU_REG_ESR_EL3: *value = cpu->esr_el3; return 0;
	case CPU_REG_FAR_EL3: *value = cpu->far_el3; return 0;
	case CPU_REG_ELR_EL3: *value = cpu->elr_el3; return 0;
	case CPU_REG_SPSR_EL3: *value = cpu->spsr_el3; return 0;
	case CPU_REG_VBAR_EL3: *value = cpu->vbar_el3; return 0;
	case CPU_REG_MAIR_EL3: *value = cpu->mair_el3; return 0;
	case CPU_REG_CPTR_EL3: *value = cpu->cptr_el3; return 0;
	case CPU_REG_TPIDR_EL3: *value = cpu->tpidr_el3; return 0;
	case CPU_REG_MDCR_EL3: *value = cpu->mdcr_el3; return 0;
	case CPU_REG_MAIR_EL2: *value = cpu->mair_el2; return 0;
	case CPU_REG_CPTR_EL2: *value = cpu->cptr_el2; return 0;
	case CPU_REG_TPIDR_EL2: *value = cpu->tpidr_el2; return 0;
	case CPU_REG_CNTHCTL_EL2: *value = cpu->cnthctl_el2; return 0;
	default: return error_set("iss: no register number %d", (int)reg);
	}
}

static int get_system_register(const struct iss *cpu, enum cpu_register reg, uint64_t *value)
{
	switch (reg) {
	case CPU_REG_SCTLR_EL1: *value = cpu->sctlr_el1; return 0;
	case CPU_REG_TCR_EL1: *value = cpu->tcr_el1; return 0;
	case CPU_REG_TTBR0_EL1: *value = cpu->ttbr0_el1; return 0;
	case CPU_REG_TTBR1_EL1: *value = cpu->ttbr1_el1; return 0;
	case CPU_REG_ESR_EL1: *value = cpu->esr_el1; return 0;
	case CPU_REG_FAR_EL1: *value = cpu->far_el1; return 0;
	case CPU_REG_ELR_EL1: *value = cpu->elr_el1; return 0;
	case CPU_REG_SPSR_EL1: *value = cpu->spsr_el1; return 0;
	case CPU_REG_VBAR_EL1: *value = cpu->vbar_el1; return 0;
	case CPU_REG_CURRENT_EL: *value = (uint64_t)cpu->el << 2; return 0;
	case CPU_REG_FPSR: *value = cpu->fpsr; return 0;
	case CPU_REG_FPCR: *value = cpu->fpcr; return 0;
	default: return get_el2_el3_register(cpu, reg, value);
	}
}

static int iss_get_register(struct cpu *base, enum cpu_register reg, uint64_t *value)
{
	struct iss *cpu = to_iss(base);

	if (reg >= CPU_REG_X0 && reg <= CPU_REG_SP)
		*value = cpu->x[reg];
	else if (reg == CPU_REG_PC)
		*value = cpu->pc;
	else if (reg == CPU_REG_PSTATE)
		*value = iss_pstate(cpu);
	else
		return get_system_register(cpu, reg, value);
	return 0;
}

/* The MSR encoding of a system register a debugger may write; 0 for CurrentEL and others. */
static unsigned system_register_encoding(enum cpu_register reg)
{
	switch (reg) {
	case CPU_REG_SCTLR_EL1: return SYSREG(3, 0, 1, 0, 0);
	case CPU_REG_TCR_EL1: return SYSREG(3, 0, 2, 0, 2);
	case CPU_REG_TTBR0_EL1: return SYSREG(3, 0, 2, 0, 0);
	case CPU_REG_TTBR1_EL1: return SYSREG(3, 0, 2, 0, 1);
	case CPU_REG_ESR_EL1: return SYSREG(3, 0, 5, 2, 0);
	case CPU_REG_FAR_EL1: return SYSREG(3, 0, 6, 0, 0);
	case CPU_REG_ELR_EL1: return SYSREG(3, 0, 4, 0, 1);
	case CPU_REG_SPSR_EL1: return SYSREG(3, 0, 4, 0, 0);
	case CPU_REG_VBAR_EL1: return SYSREG(3, 0, 12, 0, 0);
	case CPU_REG_HCR_EL2: return SYSREG(3, 4, 1, 1, 0);
	case CPU_REG_SCTLR_EL2: return SYSREG(3, 4, 1, 0, 0);
	case CPU_REG_TCR_EL2: return SYSREG(3, 4, 2, 0, 2);
	case CPU_REG_TTBR0_EL2: return SYSREG(3, 4, 2, 0, 0);
	case CPU_REG_VTTBR_EL2: return SYSREG(3, 4, 2, 1, 0);
	case CPU_REG_ESR_EL2: return SYSREG(3, 4, 5, 2, 0);
	case CPU_REG_FAR_EL2: return SYSREG(3, 4, 6, 0, 0);
	case CPU_REG_ELR_EL2: return SYSREG(3, 4, 4, 0, 1);
	case CPU_REG_SPSR_EL2: return SYSREG(3, 4, 4, 0, 0);
	case CPU_REG_VBAR_EL2: return SYSREG(3, 4, 12, 0, 0);
	case CPU_REG_SCR_EL3: return SYSREG(3, 6, 1, 1, 0);
	case CPU_REG_SCTLR_EL3: return SYSREG(3, 6, 1, 0, 0);
	case CPU_REG_TCR_EL3: return SYSREG(3, 6, 2, 0, 2);
	case CPU_REG_TTBR0_EL3: return SYSREG(3, 6, 2, 0, 0);
	case CPU_REG_ESR_EL3: return SYSREG(3, 6, 5, 2, 0);
	case CPU_REG_FAR_EL3: return SYSREG(3, 6, 6, 0, 0);
	case CPU_REG_ELR_EL3: return SYSREG(3, 6, 4, 0, 1);
	case CPU_REG_SPSR_EL3: return SYSREG(3, 6, 4, 0, 0);
	case CPU_REG_VBAR_EL3: return SYSREG(3, 6, 12, 0, 0);
	case CPU_REG_MAIR_EL3: return SYSREG(3, 6, 10, 2, 0);
	case CPU_REG_CPTR_EL3: return SYSREG(3, 6, 1, 1, 2);
	case CPU_REG_TPIDR_EL3: return SYSREG(3, 6, 13, 0, 2);
	case CPU_REG_MDCR_EL3: return SYSREG(3, 6, 1, 3, 1);
	case CPU_REG_MAIR_EL2: return SYSREG(3, 4, 10, 2, 0);
	case CPU_REG_CPTR_EL2: return SYSREG(3, 4, 1, 1, 2);
	case CPU_REG_TPIDR_EL2: return SYSREG(3, 4, 13, 0, 2);
	case CPU_REG_CNTHCTL_EL2: return SYSREG(3, 4, 14, 1, 0);
	default: return 0;
	}
}

static int iss_set_register(struct cpu *base, enum cpu_register reg, uint64_t value)
{
	struct iss *cpu = to_iss(base);

	if (reg >= CPU_REG_X0 && reg <= CPU_REG_SP) {
		cpu->x[reg] = value;
	} else if (reg == CPU_REG_PC) {
		cpu->pc = value;
	} else if (reg == CPU_REG_PSTATE) {
		unsigned m = (unsigned)value & 0x1f, el = m >> 2;
		if (m != 0 && m != 4 && m != 5 && !(cpu->el2 && (m == 8 || m == 9)) && !(cpu->el3 && (m == 12 || m == 13)))
			return error_set("iss: PSTATE 0x%llx: only AArch64 EL0t, EL1t, EL1h (M = 0x0, 0x4, 0x5), "
			                 "with EL2 EL2t, EL2h (0x8, 0x9) and with EL3 EL3t, EL3h (0xc, 0xd) are supported",
			                 (unsigned long long)value);
		cpu->nzcv = (unsigned)(value >> 28) & 0xf;
		cpu->daif = (unsigned)(value >> 6) & 0xf;
		cpu->illegal = (value >> 20) & 1;
		iss_set_sp_select(cpu, el, el >= 1 ? (m & 1) != 0 : cpu->spsel);
		iss_set_el(cpu, el);
		iss_update_attention(cpu);
	} else if (reg == CPU_REG_FPSR) {
		cpu->fpsr = (uint32_t)value & FPSR_WRITABLE;
	} else if (reg == CPU_REG_FPCR) {
		cpu->fpcr = (uint32_t)value & FPCR_WRITABLE;
	} else if (system_register_encoding(reg)) {
		if (!has_level_of(cpu, reg))
			return error_set("iss: register number %d belongs to an exception level this CPU lacks", (int)reg);
		return iss_write_system_register(cpu, system_register_encoding(reg), value);
	} else {
		return error_set("iss: register number %d cannot be written", (int)reg);
	}
	return 0;
}

/* ---- Guest memory for the debugger and loaders: translated without side effects, RAM only ---- */

/* A debugger access's piece: the RAM behind an address up to the end of its page. */
struct debug_chunk {
	uint8_t *host; /* NULL: the address is not mapped or not RAM (the error is set) */
	uint64_t pa;
	uint64_t length;
};

static struct debug_chunk debug_chunk(struct iss *cpu, uint64_t address, size_t length)
{
	struct debug_chunk chunk = {0};
	struct iss_translation t;
	struct bus_ram ram;
	uint64_t in_page = PAGE_SIZE - (address & (PAGE_SIZE - 1));

	if (!iss_translate(cpu, address, AT_READ, cpu->el, &t)) {
		error_set("iss: guest address 0x%016llx is not mapped (fault status 0x%02x)", (unsigned long long)address,
		          t.fsc);
		return chunk;
	}
	if (!bus_find_memory(cpu->bus, t.pa, &ram)) {
		error_set("iss: guest address 0x%016llx (physical 0x%llx) is not RAM", (unsigned long long)address,
		          (unsigned long long)t.pa);
		return chunk;
	}
	chunk.length = ram.size - (t.pa - ram.base);
	if (chunk.length > in_page)
		chunk.length = in_page;
	if (chunk.length > length)
		chunk.length = length;
	chunk.host = ram.host + (t.pa - ram.base);
	chunk.pa = t.pa;
	return chunk;
}

static int iss_read_memory(struct cpu *base, uint64_t address, void *buffer, size_t length)
{
	struct iss *cpu = to_iss(base);
	uint8_t *out = buffer;

	while (length) {
		struct debug_chunk chunk = debug_chunk(cpu, address, length);

		if (!chunk.host)
			return -1;
		memcpy(out, chunk.host, chunk.length);
		out += chunk.length;
		address += chunk.length;
		length -= chunk.length;
	}
	return 0;
}

static int iss_write_memory(struct cpu *base, uint64_t address, const void *buffer, size_t length)
{
	struct iss *cpu = to_iss(base);
	const uint8_t *in = buffer;

	while (length) {
		struct debug_chunk chunk = debug_chunk(cpu, address, length);

		if (!chunk.host)
			return -1;
		memcpy(chunk.host, in, chunk.length);
		iss_cluster_stored(cpu, chunk.pa, chunk.length, PAGE_HAS_CODE);
		in += chunk.length;
		address += chunk.length;
		length -= chunk.length;
	}
	return 0;
}

/* What an exception class is, for people: the kinds a stuck guest starts its loop with. */
static const char *exception_class_name(unsigned ec)
{
	switch (ec) {
	case EC_UNKNOWN:
		return "undefined instruction";
	case EC_FP_ACCESS:
		return "SIMD&FP access trapped";
	case EC_ILLEGAL_STATE:
		return "illegal execution state";
	case EC_SVC:
		return "SVC";
	case EC_HVC:
		return "HVC";
	case EC_SMC:
		return "SMC";
	case EC_SYSREG:
		return "system register access trapped";
	case EC_IABORT_LOWER:
	case EC_IABORT_SAME:
		return "instruction abort";
	case EC_PC_ALIGNMENT:
		return "PC alignment fault";
	case EC_DABORT_LOWER:
	case EC_DABORT_SAME:
		return "data abort";
	case EC_SP_ALIGNMENT:
		return "SP alignment fault";
	case EC_BRK:
		return "BRK";
	default:
		return "synchronous exception";
	}
}

/* Why the guest makes no progress: an exception loop, named by the fault that started it. */
static const char *iss_diagnose(struct cpu *base, const struct image *image)
{
	static char message[400];
	struct iss *cpu = to_iss(base);
	const char *kind;
	char symbol[128];

	if (cpu->exceptions_since_eret < EXCEPTION_LOOP_THRESHOLD)
		return NULL;
	if (!cpu->loop_start_valid) {
		snprintf(message, sizeof(message),
		         "the guest is stuck in an exception loop: %llu interrupts taken without an ERET, VBAR_EL1 "
		         "0x%016llx",
		         (unsigned long long)cpu->exceptions_since_eret, (unsigned long long)cpu->vbar_el1);
		return message;
	}
	image_name_address(image, cpu->loop_start_elr, symbol, sizeof(symbol));
	kind = exception_class_name((unsigned)(cpu->loop_start_esr >> 26) & 0x3f);
	snprintf(message, sizeof(message),
	         "the guest is stuck in an exception loop: %llu exceptions without an ERET, started by %s %s "
	         "(ESR_EL1 0x%08llx, FAR_EL1 0x%llx) at pc 0x%016llx%s; VBAR_EL1 0x%016llx",
	         (unsigned long long)cpu->exceptions_since_eret, strchr("aeiouAEIOU", kind[0]) ? "an" : "a", kind,
	         (unsigned long long)cpu->loop_start_esr, (unsigned long long)cpu->loop_start_far,
	         (unsigned long long)cpu->loop_start_elr, symbol, (unsigned long long)cpu->vbar_el1);
	return message;
}

void iss_set_call_hook(struct cpu *base, iss_call_hook hook, void *opaque)
{
	struct iss *cpu = to_iss(base);

	cpu->call_hook = hook;
	cpu->call_hook_opaque = opaque;
}

void iss_set_semihosting_hook(struct cpu *base, iss_semihosting_hook hook, void *opaque)
{
	struct iss *cpu = to_iss(base);

	cpu->semihosting_hook = hook;
	cpu->semihosting_hook_opaque = opaque;
}

/* ---- Life cycle ---- */

static void iss_destroy(struct cpu *base)
{
	struct iss *cpu = to_iss(base);

	if (!cpu)
		return;
	for (unsigned k = 0; k < PAGE_CACHE_SLOTS; k++)
		free(cpu->pages[k]);
	for (unsigned k = 0; k < cpu->ram_count; k++) {
		if (!cpu->rams[k]->shared_flags)
			free(cpu->rams[k]->code_flags);
		free(cpu->rams[k]);
	}
	free(cpu->rams);
	free(cpu->hooks);
	free(cpu->debug_points);
	iss_cluster_leave(cpu);
	free(cpu);
}

struct cpu *iss_create(struct bus *bus)
{
	struct iss *cpu;

	if (!bus) {
		error_set("iss: no bus");
		return NULL;
	}
	cpu = calloc(1, sizeof(*cpu));
	if (!cpu) {
		error_set("iss: out of memory");
		return NULL;
	}
	cpu->cpu.ops = &iss_ops;
	cpu->bus = bus;
	cpu->el = 1;
	cpu->spsel = true; /* EL1h */
	cpu->daif = DAIF_D | DAIF_A | DAIF_I | DAIF_F;
	cpu->mpidr_el1 = MPIDR_RES1; /* affinity 0.0.0.0 until iss_set_mpidr() */
	iss_sysreg_reset(cpu);
	iss_sctlr_changed(cpu);
	iss_tlb_flush(cpu);
	cpu->code_base = NO_PAGE;
	return &cpu->cpu;
}

static void iss_watch_ram_writes(struct cpu *base)
{
	iss_cluster_watch_ram_writes(to_iss(base));
}

static bool iss_ram_unwritten(struct cpu *base, uint64_t address, uint64_t length)
{
	return iss_range_unwritten(to_iss(base), address, length);
}

static void iss_ram_written(struct cpu *base, uint64_t address, uint64_t length)
{
	iss_cluster_ram_written(to_iss(base), address, length);
}

static void iss_map_changed(struct cpu *base, uint64_t address, uint64_t length)
{
	iss_memory_map_changed(to_iss(base), address, length);
}

void iss_set_mpidr(struct cpu *base, uint64_t affinity)
{
	to_iss(base)->mpidr_el1 = MPIDR_RES1 | (affinity & MPIDR_AFFINITY);
	to_iss(base)->vmpidr_el2 = to_iss(base)->mpidr_el1; /* EL1 sees the real MPIDR until EL2 says otherwise */
}

void iss_signal_event(struct cpu *base)
{
	to_iss(base)->event_register = true;
}

void iss_wait_for_interrupt(struct cpu *base)
{
	struct iss *cpu = to_iss(base);

	if (cpu->running && !iss_interrupt_pending(cpu))
		iss_stop(cpu, CPU_STOP_WFI);
}

/* After a WFI or WFE stop: an interrupt line wakes either, an event only a WFE. */
static bool iss_wakes(struct cpu *base)
{
	const struct iss *cpu = to_iss(base);

	return iss_interrupt_pending(cpu) || (cpu->waiting_for_event && cpu->event_register);
}

static const struct cpu_ops iss_ops = {
    .name = "iss",
    .destroy = iss_destroy,
    .run = iss_run,
    .kick = iss_kick,
    .executed_in_run = iss_executed_in_run,
    .set_line = iss_set_line,
    .get_register = iss_get_register,
    .set_register = iss_set_register,
    .get_vector = iss_get_vector,
    .set_vector = iss_set_vector,
    .read_memory = iss_read_memory,
    .write_memory = iss_write_memory,
    .diagnose = iss_diagnose,
    .insert_debug = iss_insert_debug,
    .remove_debug = iss_remove_debug,
    .watch_hit = iss_watch_hit,
    .ram_written = iss_ram_written,
    .watch_ram_writes = iss_watch_ram_writes,
    .ram_unwritten = iss_ram_unwritten,
    .map_changed = iss_map_changed,
    .wakes = iss_wakes,
    .save = iss_snapshot_save,
    .load = iss_snapshot_load,
};
