/*
 * The iss backend: the cpu vtable, the run loop, the decoded-page cache and the memory slow paths.
 *
 * Instructions are decoded lazily, one 4 KiB guest page of slots at a time: a fresh page has
 * every slot pointing at iss_exec_decode, which decodes that one word and runs it. A store to
 * a page holding decoded code puts the overwritten slots back to iss_exec_decode.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "iss.h"
#include "iss_internal.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the RAM fast path copies guest little-endian values as host integers"
#endif

#define RESET_SCTLR_EL1  0x30d00800ull /* the RES1 bits of Armv8.0; MMU and caches off */
#define RESET_CNTFRQ_EL0 62500000ull   /* 62.5 MHz, as QEMU's virt board */
#define NO_PAGE          1             /* code_base of no page: odd, so no aligned PC is inside */

static const struct cpu_ops iss_ops;

/* ---- Stopping ---- */

/*
 * Ends the run after the current instruction (or, for CPU_STOP_FATAL, before it retires).
 * `left` was decremented before the instruction started, so the current instruction's index
 * in the run is budget - left - 1. A fatal stop overrides any earlier reason.
 */
void iss_stop(struct iss *cpu, enum cpu_stop_reason reason)
{
	if (!cpu->stopping) {
		cpu->stopping = true;
		cpu->current = cpu->budget - cpu->left - 1;
		cpu->left = 0;
		cpu->stop_reason = reason;
	} else if (reason == CPU_STOP_FATAL) {
		cpu->stop_reason = reason;
	}
}

void iss_fatal(struct iss *cpu, const char *format, ...)
{
	char message[256];
	va_list args;

	va_start(args, format);
	vsnprintf(message, sizeof(message), format, args);
	va_end(args);
	error_set("%s", message);
	iss_stop(cpu, CPU_STOP_FATAL);
}

/* The one path for encodings the interpreter does not execute; the exception model will hook here. */
void iss_undefined(struct iss *cpu, uint32_t word, enum iss_undefined_reason reason)
{
	unsigned long long pc = cpu->pc;

	switch (reason) {
	case UNDEF_UNALLOCATED:
		iss_fatal(cpu, "undefined instruction 0x%08x at pc 0x%016llx", word, pc);
		break;
	case UNDEF_NOT_IMPLEMENTED:
		iss_fatal(cpu, "undefined instruction 0x%08x at pc 0x%016llx (not implemented yet)", word, pc);
		break;
	case UNDEF_SYSREG:
		iss_fatal(cpu,
		          "undefined instruction 0x%08x at pc 0x%016llx (%s S%u_%u_C%u_C%u_%u: system register not "
		          "implemented yet)",
		          word, pc, (word >> 21) & 1 ? "MRS" : "MSR", 2 + ((word >> 19) & 1), (word >> 16) & 7,
		          (word >> 12) & 15, (word >> 8) & 15, (word >> 5) & 7);
		break;
	case UNDEF_EXCEPTION:
		iss_fatal(cpu,
		          "undefined instruction 0x%08x at pc 0x%016llx (exception generation and return are not "
		          "implemented yet)",
		          word, pc);
		break;
	}
}

static bool data_abort(struct iss *cpu, uint64_t address, unsigned size, bool write, enum bus_result result)
{
	const char *region = bus_region_name(cpu->bus, address);

	if (result == BUS_UNMAPPED)
		iss_fatal(cpu, "data abort: %s of %u bytes %s unmapped address 0x%llx at pc 0x%016llx",
		          write ? "write" : "read", size, write ? "to" : "from", (unsigned long long)address,
		          (unsigned long long)cpu->pc);
	else
		iss_fatal(cpu, "data abort: %s of %u bytes %s address 0x%llx at pc 0x%016llx refused by %s (%s)",
		          write ? "write" : "read", size, write ? "to" : "from", (unsigned long long)address,
		          (unsigned long long)cpu->pc, region ? region : "a device", bus_result_name(result));
	return false;
}

/* ---- RAM regions ---- */

static struct iss_ram *add_ram(struct iss *cpu, const struct bus_ram *found)
{
	struct iss_ram *ram = calloc(1, sizeof(*ram));
	struct iss_ram **rams = realloc(cpu->rams, (cpu->ram_count + 1) * sizeof(*rams));
	uint64_t last_page = (found->base + (found->size - 1)) >> PAGE_SHIFT;

	if (rams)
		cpu->rams = rams;
	if (!ram || !rams)
		goto fail;
	ram->base = found->base;
	ram->size = found->size;
	ram->host = found->host;
	ram->fast_limit = found->size >= 8 ? found->size - 7 : 0;
	ram->first_page = found->base >> PAGE_SHIFT;
	ram->code_flags = calloc(last_page - ram->first_page + 1, 1);
	if (!ram->code_flags)
		goto fail;
	cpu->rams[cpu->ram_count++] = ram;
	return ram;
fail:
	free(ram);
	return NULL;
}

/* The RAM region holding `address`, learned from the bus on first use; NULL if it is not RAM. */
static struct iss_ram *find_ram(struct iss *cpu, uint64_t address)
{
	struct bus_ram found;

	for (unsigned k = 0; k < cpu->ram_count; k++)
		if (address - cpu->rams[k]->base < cpu->rams[k]->size)
			return cpu->rams[k];
	if (!bus_find_ram(cpu->bus, address, &found) || !found.size || !found.host)
		return NULL;
	return add_ram(cpu, &found);
}

/* Host pointer to [address, address + size) inside one RAM region, or NULL. */
static uint8_t *ram_pointer(struct iss *cpu, uint64_t address, unsigned size, struct iss_ram **region)
{
	struct iss_ram *ram = find_ram(cpu, address);
	uint64_t offset;

	if (!ram || ram->size < size)
		return NULL;
	offset = address - ram->base;
	if (offset > ram->size - size)
		return NULL;
	*region = ram;
	return ram->host + offset;
}

bool iss_load_slow(struct iss *cpu, uint64_t address, unsigned size, uint64_t *value)
{
	struct iss_ram *ram;
	uint8_t *host = ram_pointer(cpu, address, size, &ram);
	enum bus_result result;

	if (host) {
		cpu->ram = ram; /* the next access to this region takes the fast path */
		*value = 0;
		memcpy(value, host, size);
		return true;
	}
	result = bus_read(cpu->bus, address, size, value);
	if (result != BUS_OK)
		return data_abort(cpu, address, size, false, result);
	if (size < 8)
		*value &= (1ull << (size * 8)) - 1;
	return true;
}

bool iss_store_slow(struct iss *cpu, uint64_t address, unsigned size, uint64_t value)
{
	struct iss_ram *ram;
	uint8_t *host = ram_pointer(cpu, address, size, &ram);
	enum bus_result result;

	if (host) {
		cpu->ram = ram;
		memcpy(host, &value, size);
		iss_code_written(cpu, address, size);
		return true;
	}
	if (size < 8)
		value &= (1ull << (size * 8)) - 1; /* a device sees exactly the bytes stored */
	result = bus_write(cpu->bus, address, size, value);
	if (result != BUS_OK)
		return data_abort(cpu, address, size, true, result);
	return true;
}

/* ---- Decoded pages ---- */

static struct iss_page *cached_page(const struct iss *cpu, uint64_t base)
{
	struct iss_page *page = cpu->pages[(base >> PAGE_SHIFT) % PAGE_CACHE_SLOTS];

	return page && page->base == base ? page : NULL;
}

/* Puts the slots of [address, address + length) back to "decode me" in every cached page. */
void iss_code_written(struct iss *cpu, uint64_t address, uint64_t length)
{
	uint64_t last = address + length - 1;
	uint64_t base = address & ~(PAGE_SIZE - 1);

	if (!length)
		return;
	if (last < address)
		last = UINT64_MAX;
	for (;;) {
		struct iss_page *page = cached_page(cpu, base);
		if (page) {
			uint64_t from = address > base ? address - base : 0;
			uint64_t to = last - base < PAGE_SIZE ? last - base : PAGE_SIZE - 1;
			for (uint64_t k = from >> 2; k <= to >> 2; k++)
				page->insn[k].exec = iss_exec_decode;
		}
		if (last - base < PAGE_SIZE)
			break;
		base += PAGE_SIZE;
	}
}

/* Makes the page of the PC the current one, taking over its cache slot if another page held it. */
static bool enter_page(struct iss *cpu)
{
	uint64_t base = cpu->pc & ~(PAGE_SIZE - 1);
	struct iss_page **slot = &cpu->pages[(base >> PAGE_SHIFT) % PAGE_CACHE_SLOTS];
	struct iss_page *page = *slot;

	if (cpu->pc & 3) {
		iss_fatal(cpu, "pc alignment fault: pc 0x%016llx is not a multiple of 4", (unsigned long long)cpu->pc);
		return false;
	}
	if (!page) {
		page = malloc(sizeof(*page));
		if (!page) {
			iss_fatal(cpu, "out of memory for decoded instructions at pc 0x%016llx",
			          (unsigned long long)cpu->pc);
			return false;
		}
		page->base = ~0ull;
		*slot = page;
	}
	if (page->base != base) {
		for (unsigned k = 0; k < PAGE_INSNS; k++)
			page->insn[k].exec = iss_exec_decode;
		page->base = base;
	}
	cpu->code = page;
	cpu->code_base = base;
	return true;
}

ISS_HANDLER(iss_exec_decode)
{
	struct iss_insn *slot = &cpu->code->insn[insn - cpu->code->insn];
	struct iss_ram *ram;
	uint8_t *host = ram_pointer(cpu, cpu->pc, 4, &ram);
	uint64_t page;
	uint32_t word;

	if (!host) {
		const char *region = bus_region_name(cpu->bus, cpu->pc);
		iss_fatal(cpu, "instruction fetch from %s address 0x%016llx: only RAM is executable",
		          region ? region : "unmapped", (unsigned long long)cpu->pc);
		return;
	}
	memcpy(&word, host, 4);
	/* Mark the page, and the one before it for stores that straddle into it. */
	page = (cpu->pc >> PAGE_SHIFT) - ram->first_page;
	ram->code_flags[page] |= CODE_HERE;
	if (page > 0)
		ram->code_flags[page - 1] |= CODE_NEXT;
	iss_decode(word, slot);
	slot->exec(cpu, slot);
}

/* ---- The run loop ---- */

static struct cpu_run_result iss_run(struct cpu *base, uint64_t budget)
{
	struct iss *cpu = to_iss(base);
	struct cpu_run_result result;

	cpu->running = true;
	cpu->stopping = false;
	cpu->stop_reason = CPU_STOP_BUDGET;
	cpu->budget = budget;
	cpu->left = budget;
	while (cpu->left) {
		uint64_t offset;

		cpu->left--;
		offset = cpu->pc - cpu->code_base;
		/* Outside the current page, or not 4-byte aligned. */
		if (unlikely(offset & ~(PAGE_SIZE - 4))) {
			if (!enter_page(cpu))
				break;
			offset = cpu->pc - cpu->code_base;
		}
		const struct iss_insn *insn = &cpu->code->insn[offset >> 2];
		insn->exec(cpu, insn);
	}
	if (cpu->stopping)
		cpu->executed = cpu->current + (cpu->stop_reason == CPU_STOP_FATAL ? 0 : 1);
	else
		cpu->executed = budget;
	cpu->running = false;
	result.executed = cpu->executed;
	result.reason = cpu->stop_reason;
	return result;
}

static void iss_kick(struct cpu *base)
{
	struct iss *cpu = to_iss(base);

	if (cpu->running) /* outside a run there is no instruction to stop after */
		iss_stop(cpu, CPU_STOP_KICKED);
}

/*
 * During an instruction (from an MMIO callback): the instructions retired before it, so the
 * current one is not counted. Between runs: what the last run executed.
 */
static uint64_t iss_executed_in_run(const struct cpu *base)
{
	const struct iss *cpu = to_iss(base);

	if (!cpu->running)
		return cpu->executed;
	return cpu->stopping ? cpu->current : cpu->budget - cpu->left - 1;
}

static void iss_set_line(struct cpu *base, enum cpu_line line, bool level)
{
	struct iss *cpu = to_iss(base);

	if (line == CPU_LINE_IRQ)
		cpu->irq_line = level;
	else
		cpu->fiq_line = level;
}

/* ---- Registers ---- */

void iss_select_stack(struct iss *cpu, bool spsel)
{
	uint64_t other = cpu->sp_other;

	if (spsel == cpu->spsel)
		return;
	cpu->sp_other = cpu->x[REG_SP];
	cpu->x[REG_SP] = other;
	cpu->spsel = spsel;
}

/* PSTATE in SPSR layout: NZCV 31:28, DAIF 9:6, M[3:0] = EL1t (0b0100) or EL1h (0b0101). */
static uint64_t pstate_value(const struct iss *cpu)
{
	return (uint64_t)cpu->nzcv << 28 | (uint64_t)cpu->daif << 6 | 1u << 2 | (cpu->spsel ? 1u : 0u);
}

static int iss_get_register(struct cpu *base, enum cpu_register reg, uint64_t *value)
{
	struct iss *cpu = to_iss(base);

	if (reg >= CPU_REG_X0 && reg <= CPU_REG_SP)
		*value = cpu->x[reg];
	else if (reg == CPU_REG_PC)
		*value = cpu->pc;
	else if (reg == CPU_REG_PSTATE)
		*value = pstate_value(cpu);
	else
		return error_set("iss: no register number %d", (int)reg);
	return 0;
}

static int iss_set_register(struct cpu *base, enum cpu_register reg, uint64_t value)
{
	struct iss *cpu = to_iss(base);

	if (reg >= CPU_REG_X0 && reg <= CPU_REG_SP) {
		cpu->x[reg] = value;
	} else if (reg == CPU_REG_PC) {
		cpu->pc = value;
	} else if (reg == CPU_REG_PSTATE) {
		if ((value & 0x1e) != 0x4)
			return error_set("iss: PSTATE 0x%llx: only AArch64 EL1t and EL1h (M = 0x4, 0x5) are supported",
			                 (unsigned long long)value);
		cpu->nzcv = (unsigned)(value >> 28) & 0xf;
		cpu->daif = (unsigned)(value >> 6) & 0xf;
		iss_select_stack(cpu, value & 1);
	} else {
		return error_set("iss: no register number %d", (int)reg);
	}
	return 0;
}

/* ---- Guest memory for the debugger and loaders: RAM only, so reads have no device side effects ---- */

static int iss_read_memory(struct cpu *base, uint64_t address, void *buffer, size_t length)
{
	struct iss *cpu = to_iss(base);
	uint8_t *out = buffer;

	while (length) {
		struct bus_ram ram;
		uint64_t offset, chunk;

		if (!bus_find_ram(cpu->bus, address, &ram))
			return error_set("iss: cannot read guest memory at 0x%016llx: not RAM",
			                 (unsigned long long)address);
		offset = address - ram.base;
		chunk = ram.size - offset < length ? ram.size - offset : length;
		memcpy(out, ram.host + offset, chunk);
		out += chunk;
		address += chunk;
		length -= chunk;
	}
	return 0;
}

static int iss_write_memory(struct cpu *base, uint64_t address, const void *buffer, size_t length)
{
	struct iss *cpu = to_iss(base);
	const uint8_t *in = buffer;

	while (length) {
		struct bus_ram ram;
		uint64_t offset, chunk;

		if (!bus_find_ram(cpu->bus, address, &ram))
			return error_set("iss: cannot write guest memory at 0x%016llx: not RAM",
			                 (unsigned long long)address);
		offset = address - ram.base;
		chunk = ram.size - offset < length ? ram.size - offset : length;
		memcpy(ram.host + offset, in, chunk);
		iss_code_written(cpu, address, chunk);
		in += chunk;
		address += chunk;
		length -= chunk;
	}
	return 0;
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
		free(cpu->rams[k]->code_flags);
		free(cpu->rams[k]);
	}
	free(cpu->rams);
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
	cpu->ram = &cpu->no_ram;
	cpu->code_base = NO_PAGE;
	cpu->spsel = true; /* EL1h */
	cpu->daif = DAIF_D | DAIF_A | DAIF_I | DAIF_F;
	cpu->sctlr_el1 = RESET_SCTLR_EL1;
	cpu->cntfrq_el0 = RESET_CNTFRQ_EL0;
	return &cpu->cpu;
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
    .read_memory = iss_read_memory,
    .write_memory = iss_write_memory,
};
