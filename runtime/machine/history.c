/* In-memory checkpoints of one run and replay between them (history.h). A checkpoint is the
 * machine's state without RAM (snapshot_checkpoint_save()) and its RAM regions' pages
 * (history_pages.h), shared with the checkpoint before where they have not changed, so a
 * checkpoint costs the pages written since, not the whole RAM. Checkpoints are kept in order of their
 * instruction count; when they outgrow the budget, the one whose loss leaves the smallest gap
 * goes, so coverage thins evenly and the newest and the first stay. */
#include "history.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "history_pages.h"
#include "input_log.h"
#include "snapshot.h"
#include "snapshot_parts.h"

#define MAX_REGIONS 8

struct checkpoint {
	uint64_t position; /* instructions retired since reset */
	size_t input_cursor; /* the machine's input log then: the next input to come again */
	uint8_t *state;    /* everything but RAM */
	size_t state_size;
	struct region_pages regions[MAX_REGIONS];
	unsigned region_count;
};

struct history {
	struct checkpoint *checkpoints; /* by position, ascending */
	unsigned count, capacity;
	uint64_t spacing;  /* the least distance between checkpoints */
	uint64_t distance; /* the distance now: more when checkpoints cost more (pace()) */
	uint64_t budget;
	uint64_t last_position; /* of the checkpoint taken last, and the host's clock after it */
	double last_taken;
	double spent, slowest; /* host seconds taking checkpoints: in all, and the longest one */
	uint64_t bytes;    /* the states (the pages are the store's) */
	struct page_store *store;
	uint64_t frontier; /* the furthest instruction count the run has reached */
	bool watching;     /* the CPU notes stores since the checkpoint at `watched_from` (watch_ram_writes) */
	uint64_t watched_from;
};

struct history *history_create(uint64_t spacing, uint64_t budget)
{
	struct history *history = calloc(1, sizeof(*history));

	if (!history) {
		error_set("history: out of memory");
		return NULL;
	}
	history->spacing = spacing ? spacing : HISTORY_SPACING;
	history->distance = history->spacing;
	history->budget = budget ? budget : HISTORY_BUDGET;
	history->store = page_store_create();
	if (!history->store) {
		free(history);
		return NULL;
	}
	return history;
}

static void drop_checkpoint(struct history *history, unsigned index)
{
	struct checkpoint *checkpoint = &history->checkpoints[index];

	for (unsigned r = 0; r < checkpoint->region_count; r++)
		region_pages_release(history->store, &checkpoint->regions[r]);
	history->bytes -= checkpoint->state_size;
	free(checkpoint->state);
	memmove(&history->checkpoints[index], &history->checkpoints[index + 1],
		(history->count - index - 1) * sizeof(history->checkpoints[0]));
	history->count--;
}

void history_destroy(struct history *history)
{
	if (!history)
		return;
	while (history->count)
		drop_checkpoint(history, history->count - 1);
	free(history->checkpoints);
	page_store_destroy(history->store);
	free(history);
}

bool history_supported(const struct machine *machine)
{
	if (machine->cpu_count > 1) {
		error_set("reverse execution needs a board with one CPU (this one has %u)", machine->cpu_count);
		return false;
	}
	if (!snapshot_supported(machine)) {
		error_set("reverse execution: %s", error_message());
		return false;
	}
	if (!machine->cpu->ops->save || !machine->cpu->ops->load) { /* going back loads a checkpoint */
		error_set("reverse execution needs the iss backend (the %s backend cannot be restored)",
			  machine->cpu->ops->name);
		return false;
	}
	return true;
}

/* The index of the latest checkpoint at or before `position`, or -1. */
static int latest_at_or_before(const struct history *history, uint64_t position)
{
	int found = -1;

	for (unsigned k = 0; k < history->count && history->checkpoints[k].position <= position; k++)
		found = (int)k;
	return found;
}

static uint64_t history_bytes(const struct history *history)
{
	return history->bytes + page_store_bytes(history->store);
}

/* Over budget: the checkpoint (never the first or the newest) whose neighbours lie closest. */
static void thin(struct history *history)
{
	while (history_bytes(history) > history->budget && history->count > 2) {
		unsigned victim = 1;
		uint64_t best = UINT64_MAX;
		for (unsigned k = 1; k + 1 < history->count; k++) {
			uint64_t gap = history->checkpoints[k + 1].position - history->checkpoints[k - 1].position;
			if (gap < best) {
				best = gap;
				victim = k;
			}
		}
		drop_checkpoint(history, victim);
	}
}

/* The checkpoint's RAM, sharing what has not changed since `previous` (or NULL). */
static int keep_ram(struct history *history, const struct machine *machine, const struct checkpoint *previous,
		    struct checkpoint *checkpoint)
{
	/* The CPU's notes count only from the checkpoint they started at (thinning may drop it) and
	 * only on the board they were made on (a reset or a restore builds a CPU without notes). */
	struct cpu *watcher = history->watching && previous && previous->position == history->watched_from
				      ? machine->cpu : NULL;
	struct bus_ram ram;

	for (size_t index = 0; bus_ram_at(machine->bus, index, &ram); index++) {
		const struct region_pages *before = previous && index < previous->region_count ? &previous->regions[index]
											: NULL;
		if (index == MAX_REGIONS || ram.size % HISTORY_PAGE_BYTES)
			return error_set("history: RAM region %zu at 0x%" PRIx64 " cannot be kept (more than %d regions, "
					 "or not whole pages)", index, ram.base, MAX_REGIONS);
		if (before && (before->base != ram.base || before->size != ram.size))
			before = NULL;
		checkpoint->region_count++;
		if (region_pages_keep(history->store, &ram, before, watcher, &checkpoint->regions[index]) < 0)
			return -1;
	}
	return 0;
}

static int make_room(struct history *history)
{
	unsigned capacity = history->capacity ? 2 * history->capacity : 16;
	struct checkpoint *grown;

	if (history->count < history->capacity)
		return 0;
	grown = realloc(history->checkpoints, capacity * sizeof(*grown));
	if (!grown)
		return error_set("history: out of memory");
	history->checkpoints = grown;
	history->capacity = capacity;
	return 0;
}

/* A checkpoint of the machine now, after the one at `before` (-1: none). */
static int take_checkpoint(struct history *history, struct machine *machine, int before)
{
	unsigned index = (unsigned)(before + 1);
	struct checkpoint *checkpoint;

	if (make_room(history) < 0)
		return -1;
	memmove(&history->checkpoints[index + 1], &history->checkpoints[index],
		(history->count - index) * sizeof(history->checkpoints[0]));
	history->count++;
	checkpoint = &history->checkpoints[index];
	*checkpoint = (struct checkpoint){ .position = machine->stats.instructions,
		                           .input_cursor = input_log_cursor(machine->input_log) };
	if (snapshot_checkpoint_save(machine, &checkpoint->state, &checkpoint->state_size) < 0 ||
	    keep_ram(history, machine, before >= 0 ? &history->checkpoints[before] : NULL, checkpoint) < 0) {
		drop_checkpoint(history, index);
		return -1;
	}
	history->bytes += checkpoint->state_size;
	thin(history);
	if (machine->cpu_count == 1 && machine->cpu->ops->watch_ram_writes) {
		machine->cpu->ops->watch_ram_writes(machine->cpu);
		history->watching = true;
		history->watched_from = machine->stats.instructions; /* the checkpoint's (thin() may have moved it) */
	}
	return 0;
}

/* The process's CPU time: a stop at which gdb sits, or paced idle, is not running. */
static double host_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
	return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

/* A step back replays at most this long from its checkpoint (the 99th-percentile goal, docs/gdb.md). */
#define LONGEST_REPLAY_SECONDS 0.2

/* The run goes on this many times as long as a checkpoint took before the next: checkpoints
 * take 2.5% of a forward run, which leaves room in the 5% goal (docs/gdb.md) for the first
 * one, the costlier ones the limit below brings closer, and the stores that clear the
 * interpreter's write flags after each. */
#define RUN_PER_CHECKPOINT_TIME 40.0

/* After a checkpoint that began at `started`: the next comes when the run has spent
 * RUN_PER_CHECKPOINT_TIME as long as this one took, but at most
 * LONGEST_REPLAY_SECONDS of running on (the first ones, which copy every page, would put the
 * next far off) and at least `spacing` on. The host's clock decides only where checkpoints
 * fall, never what the guest sees. */
static void pace(struct history *history, uint64_t position, double started)
{
	double now = host_seconds(), ran = started - history->last_taken;

	if (history->last_taken > 0 && ran > 0 && position > history->last_position) {
		double per_second = (double)(position - history->last_position) / ran;
		double distance = RUN_PER_CHECKPOINT_TIME * (now - started) * per_second;
		if (distance > LONGEST_REPLAY_SECONDS * per_second)
			distance = LONGEST_REPLAY_SECONDS * per_second;
		history->distance = distance > (double)history->spacing ? (uint64_t)distance : history->spacing;
	}
	history->last_position = position;
	history->last_taken = now;
}

/* A checkpoint now if one is due (`force`: unless there is one here already). */
static int record(struct history *history, struct machine *machine, bool force)
{
	uint64_t position = machine->stats.instructions;
	int before = latest_at_or_before(history, position);
	uint64_t since = before >= 0 ? position - history->checkpoints[before].position : UINT64_MAX;
	double started;

	if (position > history->frontier)
		history->frontier = position;
	machine->replay_frontier = history->frontier;
	if (since == 0 || (!force && since < history->distance))
		return 0;
	started = host_seconds();
	if (take_checkpoint(history, machine, before) < 0)
		return -1;
	pace(history, position, started);
	history->spent += history->last_taken - started;
	if (history->last_taken - started > history->slowest)
		history->slowest = history->last_taken - started;
	return 0;
}

int history_record(struct history *history, struct machine *machine)
{
	return record(history, machine, false);
}

int history_keep(struct history *history, struct machine *machine)
{
	return record(history, machine, true);
}

void history_forget_future(struct history *history, struct machine *machine)
{
	uint64_t position = machine->stats.instructions;

	while (history->count && history->checkpoints[history->count - 1].position > position)
		drop_checkpoint(history, history->count - 1);
	history->frontier = position;
	machine->replay_frontier = position;
}

void history_clear(struct history *history, struct machine *machine)
{
	while (history->count)
		drop_checkpoint(history, history->count - 1);
	history->frontier = machine->stats.instructions;
	machine->replay_frontier = history->frontier;
}

uint64_t history_begin(const struct history *history)
{
	return history->count ? history->checkpoints[0].position : UINT64_MAX;
}

bool history_checkpoint_before(const struct history *history, uint64_t position, uint64_t *checkpoint)
{
	int index = position ? latest_at_or_before(history, position - 1) : -1;

	if (index < 0)
		return false;
	*checkpoint = history->checkpoints[index].position;
	return true;
}

static int restore_ram(struct machine *machine, const struct checkpoint *checkpoint)
{
	struct bus_ram ram;

	for (unsigned r = 0; r < checkpoint->region_count; r++) {
		const struct region_pages *region = &checkpoint->regions[r];
		if (!bus_ram_at(machine->bus, r, &ram) || ram.base != region->base || ram.size != region->size)
			return error_set("history: the rebuilt board's RAM region %u is not the checkpoint's", r);
		region_pages_restore(&ram, region);
	}
	return 0;
}

int history_replay(struct history *history, struct machine *machine, uint64_t checkpoint, uint64_t position,
		   machine_replay_stop_fn on_stop, void *opaque)
{
	int index = latest_at_or_before(history, checkpoint);
	const struct checkpoint *from;

	if (index < 0 || history->checkpoints[index].position != checkpoint)
		return error_set("history: no checkpoint at instruction %" PRIu64, checkpoint);
	from = &history->checkpoints[index];
	if (snapshot_checkpoint_load(machine, from->state, from->state_size) < 0 || restore_ram(machine, from) < 0)
		return -1;
	machine_tell_debugger(machine, MACHINE_DEBUG_RESET, NULL); /* its points go into the new CPUs */
	machine->replay_frontier = history->frontier;
	input_log_set_cursor(machine->input_log, from->input_cursor); /* typed input and writes since come again */
	return machine_replay(machine, position, on_stop, opaque);
}

/* Forward to `position`, taking checkpoints on the way as a run under the debugger would. */
static int run_recording(struct history *history, struct machine *machine, uint64_t position)
{
	while (machine->stats.instructions < position) {
		uint64_t step = position - machine->stats.instructions;
		if (step > history->distance)
			step = history->distance;
		uint64_t frontier = history->frontier;
		if (machine_replay(machine, machine->stats.instructions + step, NULL, NULL) < 0) {
			if (machine->stop_cause != MACHINE_RUNNING && machine->stats.instructions >= frontier) {
				history->frontier = machine->stats.instructions; /* what it printed was shown */
				return error_set("the run ended at instruction %" PRIu64 ", before %" PRIu64 " (%s)",
						 machine->stats.instructions, position,
						 machine->stop_cause == MACHINE_GUEST_EXIT ? "the guest ended it" : "a timeout or an error");
			}
			return -1;
		}
		if (history_record(history, machine) < 0)
			return -1;
	}
	return 0;
}

int history_goto(struct history *history, struct machine *machine, uint64_t position)
{
	int index = latest_at_or_before(history, position);
	uint64_t now = machine->stats.instructions, checkpoint;

	if (index < 0)
		return error_set("instruction %" PRIu64 " is before the history, which begins at %" PRIu64, position,
				 history_begin(history));
	checkpoint = history->checkpoints[index].position;
	if ((now > position || now < checkpoint) && /* else it is on the way: no restore */
	    history_replay(history, machine, checkpoint, checkpoint, NULL, NULL) < 0)
		return -1;
	return run_recording(history, machine, position);
}

void history_describe(const struct history *history, char *out, size_t size)
{
	snprintf(out, size,
		 "history: %u checkpoints, %" PRIu64 " KiB of %" PRIu64 " KiB, one every %" PRIu64
		 " instructions now (at least %" PRIu64 "); from instruction %" PRIu64 " to %" PRIu64
		 "; taking them took %.1f ms of host CPU time (the longest %.1f ms)\n",
		 history->count, history_bytes(history) >> 10, history->budget >> 10, history->distance, history->spacing,
		 history->count ? history->checkpoints[0].position : 0, history->frontier, history->spent * 1e3,
		 history->slowest * 1e3);
}
