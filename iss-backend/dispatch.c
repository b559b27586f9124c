/*
 * The run loop: iss_run() dispatches decoded instructions until the budget is used or an
 * instruction stops the run, and the bookkeeping that says how many retired.
 *
 * Instructions are decoded lazily, one 4 KiB guest page of slots at a time: a fresh page has
 * every slot pointing at iss_exec_decode, which decodes that one word and runs it. A store to
 * a page holding decoded code puts the overwritten slots back to iss_exec_decode.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cluster.h"
#include "coverage_marks.h"
#include "debug.h"
#include "decode.h"
#include "dispatch.h"
#include "error.h"
#include "exception.h"
#include "iss_state.h"
#include "mmu.h"

/* ---- Stopping ---- */

/*
 * The index in the run of the instruction now executing: the budget left (plus any parked by
 * iss_update_attention) was charged for the instructions up to block_pc, and those after it
 * in sequence up to this one are charged when the block ends (iss_state.h).
 */
static uint64_t current_index(const struct iss *cpu)
{
	return cpu->budget - (cpu->left + cpu->parked) - 1 + ((cpu->pc - cpu->block_pc) >> 2);
}

/*
 * Ends the run after the current instruction (or, for CPU_STOP_FATAL, before it retires).
 * Called before the instruction moves the PC. A fatal stop overrides any earlier reason.
 */
void iss_stop(struct iss *cpu, enum cpu_stop_reason reason)
{
	if (!cpu->stopping) {
		cpu->stopping = true;
		cpu->current = current_index(cpu);
		iss_settle(cpu);
		cpu->left = 0;
		cpu->parked = 0;
		cpu->block_end = 0; /* the current instruction is the block's last */
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

ISS_HANDLER(iss_exec_decode)
{
	struct iss_insn *slot = &cpu->code->insn[insn - cpu->code->insn];
	uint32_t word;

	memcpy(&word, cpu->code_host + (cpu->pc - cpu->code_base), 4);
	iss_decode(word, slot);
	if (unlikely(cpu->coverage)) /* a slot is decoded only to run: the one place coverage costs */
		iss_coverage_decoded(cpu, slot);
	slot->exec(cpu, slot);
}

/* ---- The run loop ---- */

/*
 * At an instruction boundary, after a block: charges the instructions that ran in sequence
 * after block_pc (the PC is past the last of them, or a jump made block_pc the PC - 4). A PC
 * still at block_pc is a stop before or during that instruction, which settled already.
 */
static inline void end_block(struct iss *cpu)
{
	uint64_t started = (cpu->pc - cpu->block_pc) >> 2;

	if (likely(started))
		cpu->left -= started - 1;
	cpu->block_pc = cpu->pc - 4;
}

/*
 * Dispatches until the budget is used; `checked` (a constant at each call) adds breakpoints.
 * Most handlers start the next instruction themselves (iss_advance() and the branches in
 * iss_state.h); this loop takes over at page changes, after exceptions, at the budget's end
 * and every CHAIN_DEPTH blocks.
 */
static inline __attribute__((always_inline)) void dispatch(struct iss *cpu, bool checked)
{
	for (;;) {
		/* An interrupt or PSTATE.IL, due at this boundary: taking it uses one slot. */
		if (unlikely(cpu->attention) && cpu->left)
			iss_take_attention(cpu); /* its jump to the vector charges it and leaves block_pc = PC - 4 */
		while (cpu->left) {
			uint64_t offset;

			cpu->left--;
			cpu->block_pc = cpu->pc;
			if (checked && iss_debug_at_breakpoint(cpu))
				break;
			offset = cpu->pc - cpu->code_base;
			/* Outside the current page, or not 4-byte aligned. */
			if (unlikely(offset & ~(PAGE_SIZE - 4))) {
				if (!iss_enter_page(cpu)) {
					end_block(cpu);
					continue; /* an abort was taken (or a fatal stop): it used this slot */
				}
				offset = cpu->pc - cpu->code_base;
			}
			if (checked && cpu->tracing)
				iss_debug_trace(cpu, offset);
			cpu->block_end = checked ? 0 : iss_block_end(cpu->pc, cpu->left);
			const struct iss_insn *insn = &cpu->code->insn[offset >> 2];
			cpu->chain_left = cpu->chain_depth;
			insn->exec(cpu, insn);
			end_block(cpu);
		}
		if (!cpu->parked)
			break;
		cpu->left = cpu->parked; /* iss_update_attention() ended the loop early */
		cpu->parked = 0;
	}
}

/* Out of line, so the free-running loop above is compiled exactly as without a debugger. */
static __attribute__((noinline)) void dispatch_checked(struct iss *cpu)
{
	dispatch(cpu, true);
}

struct cpu_run_result iss_run(struct cpu *base, uint64_t budget)
{
	struct iss *cpu = to_iss(base);
	struct cpu_run_result result;
	bool checked;

	cpu->running = true;
	cpu->waiting_for_event = false;
	if (cpu->cluster)
		iss_cluster_protect_reservations(cpu);
	cpu->debug_resuming = cpu->stop_before;
	cpu->stopping = false;
	cpu->stop_before = false;
	cpu->watch_hit = false;
	cpu->stop_reason = CPU_STOP_BUDGET;
	cpu->budget = budget;
	cpu->left = budget;
	cpu->parked = 0;
	cpu->block_pc = cpu->pc - 4; /* nothing charged yet: the loop charges the first instruction */
	cpu->block_end = 0;
	checked = (cpu->debug_active || cpu->tracer.insn) && iss_debug_run_checked(cpu, budget);
	cpu->chain_depth = checked ? 0 : CHAIN_DEPTH;
	if (unlikely(checked))
		dispatch_checked(cpu);
	else
		dispatch(cpu, false);
	if (cpu->stopping)
		cpu->executed = cpu->current + (cpu->stop_reason == CPU_STOP_FATAL || cpu->stop_before ? 0 : 1);
	else
		cpu->executed = budget;
	cpu->running = false;
	cpu->retired += cpu->executed;
	result.executed = cpu->executed;
	result.reason = cpu->stop_reason;
	return result;
}

void iss_kick(struct cpu *base)
{
	struct iss *cpu = to_iss(base);

	if (cpu->running) /* outside a run there is no instruction to stop after */
		iss_stop(cpu, CPU_STOP_KICKED);
}

/*
 * During an instruction (from an MMIO callback): the instructions retired before it, so the
 * current one is not counted. Between runs: what the last run executed.
 */
uint64_t iss_executed_in_run(const struct cpu *base)
{
	const struct iss *cpu = to_iss(base);

	if (!cpu->running)
		return cpu->executed;
	return cpu->stopping ? cpu->current : current_index(cpu);
}

uint64_t iss_instruction_count(const struct iss *cpu)
{
	return cpu->retired + (cpu->running ? iss_executed_in_run(&cpu->cpu) : 0);
}
