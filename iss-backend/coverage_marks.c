/*
 * Coverage: which instructions ran and which way each conditional branch went, by physical
 * address, at almost no cost. A slot is decoded only when it is first executed, so marking
 * it at decode time (iss_exec_decode) records every instruction that ran without touching
 * the hot path; a conditional branch is decoded to a recording handler (exec_branch.c) that
 * gives its slot back to the plain handler once both directions were seen.
 */
#include <stdlib.h>

#include "coverage_marks.h"
#include "exec_handlers.h"
#include "iss_state.h"

/* Bit k of iss_coverage_marks() is kind k (iss.h's ISS_COVERAGE_*). */
enum { KIND_EXECUTED, KIND_TAKEN, KIND_NOT_TAKEN, MARK_KINDS };
#define WORDS_PER_MAP (PAGE_INSNS / 64)

/* The marks of one 4 KiB physical page: one bit per instruction word for each kind. */
struct coverage_page {
	uint64_t number; /* physical address >> PAGE_SHIFT */
	uint64_t bits[MARK_KINDS][WORDS_PER_MAP];
};

/* Pages by physical page number: open addressing, kept at most half full. */
struct iss_coverage {
	struct coverage_page **slots;
	size_t capacity; /* a power of two */
	size_t count;
	struct coverage_page *last; /* the page marked last: branches in a loop hit it again */
};

struct iss_coverage *iss_coverage_create(void)
{
	struct iss_coverage *coverage = calloc(1, sizeof(*coverage));

	if (!coverage)
		return NULL;
	coverage->capacity = 64;
	coverage->slots = calloc(coverage->capacity, sizeof(*coverage->slots));
	if (!coverage->slots) {
		free(coverage);
		return NULL;
	}
	return coverage;
}

void iss_coverage_destroy(struct iss_coverage *coverage)
{
	if (!coverage)
		return;
	for (size_t k = 0; k < coverage->capacity; k++)
		free(coverage->slots[k]);
	free(coverage->slots);
	free(coverage);
}

static size_t slot_of(const struct iss_coverage *coverage, uint64_t number)
{
	size_t k = (size_t)((number * 0x9e3779b97f4a7c15ull) >> 20) & (coverage->capacity - 1);

	while (coverage->slots[k] && coverage->slots[k]->number != number)
		k = (k + 1) & (coverage->capacity - 1);
	return k;
}

static const struct coverage_page *find_page(const struct iss_coverage *coverage, uint64_t number)
{
	return coverage->slots[slot_of(coverage, number)];
}

/* Doubles the table; false when out of memory (the marks already kept stay). */
static bool grow(struct iss_coverage *coverage)
{
	struct coverage_page **old = coverage->slots;
	size_t old_capacity = coverage->capacity;

	coverage->slots = calloc(old_capacity * 2, sizeof(*coverage->slots));
	if (!coverage->slots) {
		coverage->slots = old;
		return false;
	}
	coverage->capacity = old_capacity * 2;
	for (size_t k = 0; k < old_capacity; k++)
		if (old[k])
			coverage->slots[slot_of(coverage, old[k]->number)] = old[k];
	free(old);
	return true;
}

/* The page holding `pa`, created when first marked; NULL when out of memory. */
static struct coverage_page *page_for(struct iss_coverage *coverage, uint64_t pa)
{
	uint64_t number = pa >> PAGE_SHIFT;
	struct coverage_page *page = coverage->last;
	size_t k;

	if (page && page->number == number)
		return page;
	if (2 * (coverage->count + 1) > coverage->capacity && !grow(coverage))
		return NULL;
	k = slot_of(coverage, number);
	if (!coverage->slots[k]) {
		coverage->slots[k] = calloc(1, sizeof(struct coverage_page));
		if (!coverage->slots[k])
			return NULL;
		coverage->slots[k]->number = number;
		coverage->count++;
	}
	coverage->last = coverage->slots[k];
	return coverage->last;
}

static void set_mark(struct coverage_page *page, unsigned kind, uint64_t pa)
{
	uint64_t index = (pa & (PAGE_SIZE - 1)) >> 2;

	page->bits[kind][index / 64] |= 1ull << (index % 64);
}

static bool has_mark(const struct coverage_page *page, unsigned kind, uint64_t pa)
{
	uint64_t index = (pa & (PAGE_SIZE - 1)) >> 2;

	return (page->bits[kind][index / 64] >> (index % 64)) & 1;
}

unsigned iss_coverage_marks(const struct iss_coverage *coverage, uint64_t pa)
{
	const struct coverage_page *page = find_page(coverage, pa >> PAGE_SHIFT);
	unsigned marks = 0;

	for (unsigned kind = 0; page && kind < MARK_KINDS; kind++)
		if (has_mark(page, kind, pa))
			marks |= 1u << kind;
	return marks;
}

void iss_set_coverage(struct cpu *base, struct iss_coverage *coverage)
{
	to_iss(base)->coverage = coverage;
}

/* The physical address of the instruction at the PC, in the page being run. */
static uint64_t current_pa(const struct iss *cpu)
{
	return cpu->code->base | (cpu->pc & (PAGE_SIZE - 1));
}

void iss_coverage_decoded(struct iss *cpu, struct iss_insn *slot)
{
	struct coverage_page *page = page_for(cpu->coverage, current_pa(cpu));
	iss_exec_fn recording = iss_branch_recording_handler(slot->exec);

	if (!page)
		return; /* out of host memory: coverage is incomplete, the run goes on */
	set_mark(page, KIND_EXECUTED, current_pa(cpu));
	if (recording)
		slot->exec = recording;
}

void iss_coverage_branch(struct iss *cpu, bool taken)
{
	uint64_t pa = current_pa(cpu);
	struct coverage_page *page = page_for(cpu->coverage, pa);
	struct iss_insn *slot = &cpu->code->insn[(pa & (PAGE_SIZE - 1)) >> 2];

	if (!page)
		return;
	set_mark(page, taken ? KIND_TAKEN : KIND_NOT_TAKEN, pa);
	if (has_mark(page, KIND_TAKEN, pa) && has_mark(page, KIND_NOT_TAKEN, pa))
		slot->exec = iss_branch_plain_handler(slot->exec); /* nothing left to learn here */
}
