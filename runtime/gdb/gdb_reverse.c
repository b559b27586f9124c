/*
 * Reverse execution for gdb (docs/gdb.md): `bs` and `bc`, and `monitor when|goto|history`.
 * While gdb is attached the stub records the run's history (runtime/machine/history.c); going
 * back restores the checkpoint before the target and replays up to it, which on the iss
 * backend meets the same instructions, interrupts and device states as the run did.
 *
 * reverse-stepi goes to one instruction before now. reverse-continue replays the stretches
 * between checkpoints from the newest back and stops at the last breakpoint or watchpoint stop
 * before now, or at the beginning of the history ("replaylog:begin"). gdb builds
 * reverse-step, -next and -finish from these two.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "gdb_stub_internal.h"

#define NEAR_CHECKPOINT 100000 /* instructions: how far before a place gone back to a checkpoint is left */

/* A breakpoint or watchpoint stop met while replaying a stretch: the last one wins. */
struct stop_search {
	bool found;
	uint64_t position;
	bool watch;
	enum cpu_debug_kind kind;
	uint64_t address;
};

static void note_stop(void *opaque, struct machine *machine)
{
	struct stop_search *search = opaque;
	struct cpu *cpu = machine->cpu;

	search->found = true;
	search->position = machine->stats.instructions;
	search->watch = cpu->ops->watch_hit && cpu->ops->watch_hit(cpu, &search->kind, &search->address) &&
			search->kind != CPU_DEBUG_BREAK;
}

/* Whether the stub can go back here; if not, gdb is told why (an E.message reply). */
static bool can_go_back(struct gdb_stub *stub)
{
	char reply[200];

	if (stub->history && history_begin(stub->history) != UINT64_MAX)
		return true;
	if (!stub->history && !history_supported(stub->machine))
		snprintf(reply, sizeof(reply), "E.%s", error_message());
	else
		snprintf(reply, sizeof(reply), "E.no history is recorded (it failed: see qvp's messages)");
	gdb_reply(stub, reply);
	return false;
}

/* The history could not be replayed: the machine is in no known state, so the run ends. */
static enum gdb_action lost(struct gdb_stub *stub)
{
	error_set("reverse execution: %s", error_message());
	stub->machine->stop_cause = MACHINE_FATAL;
	return ACTION_CONTINUE; /* the loop ends the run and tells gdb */
}

static enum gdb_action report(struct gdb_stub *stub, const char *reason)
{
	gdb_format_stop(stub, SIGNAL_TRAP, reason);
	gdb_reply(stub, stub->last_stop);
	return ACTION_STAY;
}

static enum gdb_action go_to_beginning(struct gdb_stub *stub)
{
	if (history_goto(stub->history, stub->machine, history_begin(stub->history)) < 0)
		return lost(stub);
	return report(stub, "replaylog:begin;");
}

/* Back to `position`, leaving a checkpoint a little before it when the nearest one is far:
 * gdb's reverse-step and reverse-next go back one instruction at a time from there. */
static int go_back(struct gdb_stub *stub, uint64_t position)
{
	uint64_t checkpoint;

	if (history_checkpoint_before(stub->history, position + 1, &checkpoint) &&
	    position - checkpoint > 2 * NEAR_CHECKPOINT &&
	    (history_goto(stub->history, stub->machine, position - NEAR_CHECKPOINT) < 0 ||
	     history_keep(stub->history, stub->machine) < 0))
		return -1;
	return history_goto(stub->history, stub->machine, position);
}

enum gdb_action gdb_reverse_step(struct gdb_stub *stub)
{
	uint64_t now = stub->machine->stats.instructions;

	if (!can_go_back(stub))
		return ACTION_STAY;
	if (now <= history_begin(stub->history))
		return report(stub, "replaylog:begin;");
	if (go_back(stub, now - 1) < 0)
		return lost(stub);
	return report(stub, "");
}

static enum gdb_action stop_at(struct gdb_stub *stub, uint64_t checkpoint, const struct stop_search *hit)
{
	static const char *const names[] = {
		[CPU_DEBUG_WATCH_WRITE] = "watch", [CPU_DEBUG_WATCH_READ] = "rwatch", [CPU_DEBUG_WATCH_ACCESS] = "awatch"
	};
	char watch[48] = "";

	if (hit->position - checkpoint > 2 * NEAR_CHECKPOINT &&
	    (history_replay(stub->history, stub->machine, checkpoint, hit->position - NEAR_CHECKPOINT, NULL, NULL) < 0 ||
	     history_keep(stub->history, stub->machine) < 0))
		return lost(stub);
	if (go_back(stub, hit->position) < 0)
		return lost(stub);
	if (hit->watch)
		snprintf(watch, sizeof(watch), "%s:%" PRIx64 ";", names[hit->kind], hit->address);
	return report(stub, watch);
}

/* gdb's Ctrl-C while the search goes back (a packet is not expected then, and is dropped). */
static bool interrupted(struct gdb_stub *stub)
{
	size_t length = 0;

	return gdb_packet_read(&stub->connection, stub->packet, &length, 0) == GDB_READ_INTERRUPT;
}

/* Interrupted: the machine goes to where the search had got, the checkpoint at `position`. */
static enum gdb_action stop_searching(struct gdb_stub *stub, uint64_t position)
{
	if (history_goto(stub->history, stub->machine, position) < 0)
		return lost(stub);
	gdb_format_stop(stub, SIGNAL_INT, "");
	gdb_reply(stub, stub->last_stop);
	return ACTION_STAY;
}

enum gdb_action gdb_reverse_continue(struct gdb_stub *stub)
{
	uint64_t end, start;

	if (!can_go_back(stub))
		return ACTION_STAY;
	end = stub->machine->stats.instructions;
	while (history_checkpoint_before(stub->history, end, &start)) {
		struct stop_search search = { 0 };
		if (history_replay(stub->history, stub->machine, start, end, note_stop, &search) < 0)
			return lost(stub);
		if (search.found)
			return stop_at(stub, start, &search);
		end = start;
		if (interrupted(stub)) /* checked once per stretch between checkpoints */
			return stop_searching(stub, start);
	}
	return go_to_beginning(stub);
}

/* `monitor goto` went past the guest's exit, at instruction `end`: back to the instruction before
 * it, so the session goes on there (gdb cannot be told of an exit in a monitor command's answer). */
static bool stop_before_the_end(struct gdb_stub *stub, uint64_t position, char *out, size_t size)
{
	uint64_t end = stub->machine->stats.instructions;

	if (end == 0 || end - 1 < history_begin(stub->history))
		return false;
	machine_cancel_exit(stub->machine);
	if (history_goto(stub->history, stub->machine, end - 1) < 0)
		return false;
	gdb_format_stop(stub, SIGNAL_TRAP, "");
	snprintf(out, size,
		 "goto: the guest ends the run at instruction %" PRIu64 ", before %" PRIu64 "; stopped at %" PRIu64
		 ", before its last instruction ('continue' ends the run); 'maintenance flush register-cache' shows gdb "
		 "the registers\n",
		 end, position, end - 1);
	return true;
}

/* `monitor goto ICOUNT`: anywhere between the beginning of the history and the run's front. */
static void go_to(struct gdb_stub *stub, const char *value, char *out, size_t size)
{
	char *end;
	uint64_t position = strtoull(value, &end, 0);

	if (end == value || *end) {
		snprintf(out, size, "goto: '%s' is not an instruction count\n", value);
		return;
	}
	if (!stub->history || history_begin(stub->history) == UINT64_MAX) {
		snprintf(out, size, "goto: %s\n", history_supported(stub->machine) ? "no history yet" : error_message());
		return;
	}
	if (position < history_begin(stub->history)) {
		snprintf(out, size, "goto: the history begins at instruction %" PRIu64 "\n", history_begin(stub->history));
		return;
	}
	if (history_goto(stub->history, stub->machine, position) < 0) {
		if (stub->machine->stop_cause == MACHINE_GUEST_EXIT && stop_before_the_end(stub, position, out, size))
			return;
		if (stub->machine->stop_cause != MACHINE_GUEST_EXIT) /* else it ends with the guest's status */
			lost(stub);
		snprintf(out, size, "goto failed, the run ends: %s\n", error_message());
		return;
	}
	gdb_format_stop(stub, SIGNAL_TRAP, "");
	snprintf(out, size, "at instruction %" PRIu64 "; 'maintenance flush register-cache' shows gdb the registers\n",
		 position);
}

bool gdb_reverse_monitor(struct gdb_stub *stub, const char *command, char *out, size_t size)
{
	if (strncmp(command, "goto ", 5) == 0) {
		go_to(stub, command + 5, out, size);
		return true;
	}
	if (strcmp(command, "history off") == 0) {
		history_destroy(stub->history);
		stub->history = NULL;
		snprintf(out, size, "history: off; reverse execution is no longer possible in this session\n");
		return true;
	}
	if (strcmp(command, "history") == 0) {
		if (stub->history)
			history_describe(stub->history, out, size);
		else
			snprintf(out, size, "history: none (%s)\n",
				 history_supported(stub->machine) ? "off, or recording failed" : error_message());
		return true;
	}
	return false;
}

/* ---- Recording ---- */

void gdb_history_record(struct gdb_stub *stub)
{
	if (!stub->history || history_record(stub->history, stub->machine) == 0)
		return;
	fprintf(stderr, "qvp: gdb: reverse execution is off from here: %s\n", error_message());
	history_destroy(stub->history);
	stub->history = NULL;
}

void gdb_history_changed(struct gdb_stub *stub)
{
	if (stub->history)
		history_forget_future(stub->history, stub->machine);
}

void gdb_record_write(struct gdb_stub *stub, enum input_kind kind, uint64_t value, const void *bytes, size_t length)
{
	struct machine *machine = stub->machine;
	struct input_record record = { .kind = kind,
		                       .cpu = stub->thread < machine->cpu_count ? stub->thread : machine->current_cpu,
		                       .value = value,
		                       .length = (uint32_t)length,
		                       .bytes = (uint8_t *)bytes };

	if (machine->input_log && input_log_add(machine->input_log, machine, &record) < 0)
		fprintf(stderr, "qvp: gdb: the write is not recorded: %s\n", error_message());
}
