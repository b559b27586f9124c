/*
 * Debugger stops for the iss backend: breakpoints by PC and watchpoints on data ranges.
 *
 * Nothing here costs a free run anything: iss_run() takes its checking loop only while
 * `debug_active` is set, and watched pages are kept out of the software TLB so that only
 * accesses to them reach the slow path, where the watchpoints are compared.
 */
#include <stdlib.h>
#include <string.h>

#include "debug.h"
#include "error.h"
#include "iss_state.h"
#include "mmu.h"

/* A debugger breakpoint or watchpoint (debug.c). */
struct iss_debug_point {
	enum cpu_debug_kind kind;
	uint64_t address;
	uint64_t length;
};

/* Index in the current run of the instruction now starting (its slot is already taken). */
static uint64_t run_index(const struct iss *cpu)
{
	return cpu->budget - (cpu->left + cpu->parked) - 1 + ((cpu->pc - cpu->block_pc) >> 2);
}

/* Ends the run before the current instruction retires: it has not executed. */
static void stop_before(struct iss *cpu)
{
	iss_stop(cpu, CPU_STOP_BREAKPOINT);
	cpu->stop_before = true;
}

static bool is_watch(enum cpu_debug_kind kind)
{
	return kind != CPU_DEBUG_BREAK;
}

static bool overlaps(const struct iss_debug_point *point, uint64_t address, uint64_t length)
{
	return address < point->address + point->length && point->address < address + length;
}

static void update_counts(struct iss *cpu)
{
	cpu->watch_count = 0;
	for (unsigned k = 0; k < cpu->debug_count; k++)
		if (is_watch(cpu->debug_points[k].kind))
			cpu->watch_count++;
	cpu->debug_active = cpu->debug_count != 0;
}

int iss_insert_debug(struct cpu *base, enum cpu_debug_kind kind, uint64_t address, uint64_t length)
{
	struct iss *cpu = to_iss(base);
	struct iss_debug_point *points;

	if (length == 0)
		length = 1;
	points = realloc(cpu->debug_points, (cpu->debug_count + 1) * sizeof(*points));
	if (!points)
		return error_set("iss: out of memory for a breakpoint");
	cpu->debug_points = points;
	points[cpu->debug_count++] = (struct iss_debug_point){ kind, address, length };
	update_counts(cpu);
	if (is_watch(kind))
		iss_tlb_flush(cpu); /* watched pages must leave the fast path */
	return 0;
}

int iss_remove_debug(struct cpu *base, enum cpu_debug_kind kind, uint64_t address, uint64_t length)
{
	struct iss *cpu = to_iss(base);

	if (length == 0)
		length = 1;
	for (unsigned k = 0; k < cpu->debug_count; k++) {
		struct iss_debug_point *point = &cpu->debug_points[k];
		if (point->kind != kind || point->address != address || point->length != length)
			continue;
		*point = cpu->debug_points[--cpu->debug_count];
		update_counts(cpu);
		return 0;
	}
	return error_set("iss: no such breakpoint or watchpoint at 0x%llx", (unsigned long long)address);
}

void iss_set_insn_tracer(struct cpu *base, const struct iss_insn_tracer *tracer)
{
	struct iss *cpu = to_iss(base);

	cpu->tracer = tracer ? *tracer : (struct iss_insn_tracer){ 0 };
	if (!tracer)
		cpu->tracing = false;
}

/* At the start of a run: whether it takes the checking loop. */
bool iss_debug_run_checked(struct iss *cpu, uint64_t budget)
{
	cpu->tracing = cpu->tracer.insn && cpu->tracer.wants_run(cpu->tracer.opaque, &cpu->cpu, budget);
	return cpu->debug_count != 0 || cpu->tracing;
}

/* The instruction at `offset` in the current page is about to execute: tell the tracer. */
void iss_debug_trace(struct iss *cpu, uint64_t offset)
{
	struct iss_insn_view view = {
		.pc = cpu->pc,
		.pa = cpu->code->base + offset,
		.el = cpu->el,
	};

	memcpy(&view.word, cpu->code_host + offset, 4);
	if (!cpu->tracer.insn(cpu->tracer.opaque, &cpu->cpu, &view))
		iss_set_insn_tracer(&cpu->cpu, NULL);
}

bool iss_watch_hit(struct cpu *base, enum cpu_debug_kind *kind, uint64_t *address)
{
	struct iss *cpu = to_iss(base);

	if (!cpu->watch_hit)
		return false;
	*kind = cpu->watch_kind;
	*address = cpu->watch_address;
	return true;
}

/* The instruction a debugger stop was reported before runs when the target resumes. */
static bool resuming_here(const struct iss *cpu)
{
	return cpu->debug_resuming && run_index(cpu) == 0;
}

/* At an instruction boundary in the checking loop. */
bool iss_debug_at_breakpoint(struct iss *cpu)
{
	if (resuming_here(cpu))
		return false;
	for (unsigned k = 0; k < cpu->debug_count; k++) {
		const struct iss_debug_point *point = &cpu->debug_points[k];
		if (point->kind == CPU_DEBUG_BREAK && point->address == cpu->pc) {
			stop_before(cpu);
			return true;
		}
	}
	return false;
}

bool iss_debug_page_watched(const struct iss *cpu, uint64_t va_page)
{
	for (unsigned k = 0; k < cpu->debug_count; k++)
		if (is_watch(cpu->debug_points[k].kind) && overlaps(&cpu->debug_points[k], va_page, PAGE_SIZE))
			return true;
	return false;
}

static bool kind_matches(enum cpu_debug_kind kind, bool write)
{
	return kind == CPU_DEBUG_WATCH_ACCESS || kind == (write ? CPU_DEBUG_WATCH_WRITE : CPU_DEBUG_WATCH_READ);
}

/* A data access about to happen: true (the run stopped before the instruction) on a hit. */
bool iss_debug_watch(struct iss *cpu, uint64_t va, unsigned size, bool write)
{
	if (!cpu->running || cpu->stopping || resuming_here(cpu))
		return false;
	for (unsigned k = 0; k < cpu->debug_count; k++) {
		const struct iss_debug_point *point = &cpu->debug_points[k];
		if (!is_watch(point->kind) || !kind_matches(point->kind, write) || !overlaps(point, va, size))
			continue;
		cpu->watch_hit = true;
		cpu->watch_kind = point->kind;
		cpu->watch_address = va > point->address ? va : point->address;
		stop_before(cpu);
		return true;
	}
	return false;
}
