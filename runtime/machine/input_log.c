/* The input log: records in the order they entered, a cursor at the next one to replay, and
 * piped console input as one byte string read from the front. */
#include "input_log.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "loop.h"
#include "machine.h"

struct input_log {
	struct input_record *records;
	size_t count, capacity;
	size_t cursor; /* the next record to replay; == count while a live run records */

	uint8_t *stream;
	size_t stream_length, stream_capacity, stream_read;
	bool stream_seen; /* piped input was read (or recorded), even if empty */

	input_console_fn console;
	void *console_opaque;
	struct input_log_listener listener;
};

static const char *const kind_names[INPUT_KIND_LIMIT] = {
	[INPUT_CONSOLE] = "console input",       [INPUT_IDLE_CUT] = "an idle wait cut short",
	[INPUT_MEMORY] = "a debugger's memory write", [INPUT_REGISTER] = "a debugger's register write",
	[INPUT_VECTOR] = "a debugger's vector register write", [INPUT_EXIT] = "the user's quit",
	[INPUT_RESET] = "a debugger's board reset", [INPUT_END] = "the end of the recorded run",
};

const char *input_kind_name(enum input_kind kind)
{
	return kind > 0 && kind < INPUT_KIND_LIMIT ? kind_names[kind] : "an unknown input";
}

struct input_log *input_log_create(void)
{
	struct input_log *log = calloc(1, sizeof(*log));

	if (!log)
		error_set("input log: out of memory");
	return log;
}

void input_log_truncate(struct input_log *log, size_t kept)
{
	while (log->count > kept)
		free(log->records[--log->count].bytes);
	if (log->cursor > log->count)
		log->cursor = log->count;
}

void input_log_destroy(struct input_log *log)
{
	if (!log)
		return;
	input_log_truncate(log, 0);
	free(log->records);
	free(log->stream);
	free(log);
}

void input_log_set_console(struct input_log *log, input_console_fn deliver, void *opaque)
{
	log->console = deliver;
	log->console_opaque = opaque;
}

void input_log_set_listener(struct input_log *log, const struct input_log_listener *listener)
{
	log->listener = *listener;
}

bool input_log_recording(const struct input_log *log)
{
	return log && log->listener.added;
}

size_t input_log_count(const struct input_log *log)
{
	return log->count;
}

const struct input_record *input_log_at(const struct input_log *log, size_t index)
{
	return index < log->count ? &log->records[index] : NULL;
}

/* Whether `a` comes before `b` in the run: by instruction count, then virtual time (an idle CPU
 * retires nothing while time goes on). */
static bool position_before(uint64_t a_instructions, vtime_t a_time, uint64_t b_instructions, vtime_t b_time)
{
	return a_instructions < b_instructions || (a_instructions == b_instructions && a_time < b_time);
}

int input_log_append(struct input_log *log, const struct input_record *record)
{
	struct input_record *last = log->count ? &log->records[log->count - 1] : NULL;
	uint8_t *bytes = NULL;

	if (last && position_before(record->instructions, record->time, last->instructions, last->time))
		return error_set("an input at instruction %" PRIu64 " comes after one at instruction %" PRIu64,
				 record->instructions, last->instructions);
	if (log->count == log->capacity) {
		size_t capacity = log->capacity ? 2 * log->capacity : 64;
		struct input_record *grown = realloc(log->records, capacity * sizeof(*grown));
		if (!grown)
			return error_set("input log: out of memory");
		log->records = grown;
		log->capacity = capacity;
	}
	if (record->length && !(bytes = malloc(record->length)))
		return error_set("input log: out of memory");
	if (bytes)
		memcpy(bytes, record->bytes, record->length);
	log->records[log->count] = *record;
	log->records[log->count++].bytes = bytes;
	return 0;
}

int input_log_add(struct input_log *log, const struct machine *machine, struct input_record *record)
{
	record->instructions = machine->stats.instructions;
	record->time = machine->now;
	if (log->cursor < log->count) {
		input_log_truncate(log, log->cursor);
		if (log->listener.cut)
			log->listener.cut(log->listener.opaque, log->count);
	}
	if (input_log_append(log, record) < 0)
		return -1;
	log->cursor = log->count;
	if (log->listener.added)
		log->listener.added(log->listener.opaque, &log->records[log->count - 1]);
	return 0;
}

/* ---- Replaying ---- */

static int apply_register(struct machine *machine, const struct input_record *record)
{
	struct cpu *cpu = machine->cpus[record->cpu].cpu;
	uint64_t value[2] = { 0, 0 };

	memcpy(value, record->bytes, record->length);
	if (record->kind == INPUT_VECTOR)
		return cpu->ops->set_vector ? cpu->ops->set_vector(cpu, (unsigned)record->value, value) : -1;
	return cpu->ops->set_register(cpu, (enum cpu_register)record->value, value[0]);
}

static int apply(struct machine *machine, const struct input_log *log, const struct input_record *record)
{
	struct cpu *cpu;

	if ((record->kind == INPUT_MEMORY || record->kind == INPUT_REGISTER || record->kind == INPUT_VECTOR) &&
	    record->cpu >= machine->cpu_count)
		return error_set("for CPU %u of a board with %u", record->cpu, machine->cpu_count);
	switch (record->kind) {
	case INPUT_CONSOLE:
		return log->console ? log->console(log->console_opaque, record->bytes, record->length)
				    : error_set("the replay has no console for typed input");
	case INPUT_MEMORY:
		cpu = machine->cpus[record->cpu].cpu;
		return cpu->ops->write_memory(cpu, record->value, record->bytes, record->length);
	case INPUT_REGISTER:
	case INPUT_VECTOR:
		return apply_register(machine, record);
	case INPUT_EXIT:
		machine_request_exit(machine, (int)record->value);
		return 0;
	case INPUT_RESET:
		machine_restart_board(machine);
		return 0;
	case INPUT_END:
		if (machine->now < machine->timeout) /* else the timeout ends the run, as it ended the recorded one */
			machine->stop_cause = MACHINE_PAUSED;
		return 0;
	default:
		return 0; /* an idle cut only ends the skip, which input_log_idle_end() did */
	}
}

static int diverged(const struct machine *machine, const struct input_record *record)
{
	char recorded[32], now[32];

	vtime_format(record->time, recorded, sizeof(recorded));
	vtime_format(machine->now, now, sizeof(now));
	return error_set("replay: the run went another way: %s recorded at instruction %" PRIu64 " (%s) was not met; "
			 "the run is at instruction %" PRIu64 " (%s)",
			 input_kind_name(record->kind), record->instructions, recorded, machine->stats.instructions, now);
}

void input_log_apply_due(struct machine *machine)
{
	struct input_log *log = machine->input_log;

	while (log && log->cursor < log->count && machine->stop_cause == MACHINE_RUNNING) {
		const struct input_record *record = &log->records[log->cursor];
		if (position_before(machine->stats.instructions, machine->now, record->instructions, record->time))
			return; /* still ahead */
		log->cursor++;
		if (record->instructions != machine->stats.instructions || record->time != machine->now) {
			diverged(machine, record);
			machine->stop_cause = MACHINE_FATAL;
			return;
		}
		if (apply(machine, log, record) < 0) {
			error_set("replay: %s at instruction %" PRIu64 ": %s", input_kind_name(record->kind),
				  record->instructions, error_message());
			machine->stop_cause = MACHINE_FATAL;
			return;
		}
	}
}

size_t input_log_cursor(const struct input_log *log)
{
	return log ? log->cursor : 0;
}

void input_log_set_cursor(struct input_log *log, size_t cursor)
{
	if (log)
		log->cursor = cursor < log->count ? cursor : log->count;
}

uint64_t input_log_budget(const struct input_log *log, const struct machine *machine)
{
	const struct input_record *next;

	if (!log || log->cursor == log->count || machine->cpu_count != 1)
		return 0;
	next = &log->records[log->cursor];
	return next->instructions > machine->stats.instructions ? next->instructions - machine->stats.instructions : 0;
}

vtime_t input_log_idle_end(const struct input_log *log, const struct machine *machine, vtime_t wake)
{
	const struct input_record *next;

	if (!log || log->cursor == log->count)
		return wake;
	next = &log->records[log->cursor];
	if (next->kind != INPUT_END && next->instructions == machine->stats.instructions && next->time >= machine->now &&
	    next->time < wake)
		return next->time;
	return wake; /* the recorded run ended in this wait: by itself (a timeout, nothing to wake it) */
}

bool input_log_pending(const struct input_log *log, const struct input_record **next)
{
	if (!log || log->cursor == log->count)
		return false;
	*next = &log->records[log->cursor];
	return true;
}

/* ---- Piped input ---- */

int input_log_stream_add(struct input_log *log, const uint8_t *bytes, size_t length)
{
	log->stream_seen = true;
	if (length == 0)
		return 0;
	if (log->stream_length + length > log->stream_capacity) {
		size_t capacity = log->stream_capacity ? log->stream_capacity : 4096;
		while (capacity < log->stream_length + length)
			capacity *= 2;
		uint8_t *grown = realloc(log->stream, capacity);
		if (!grown)
			return error_set("input log: out of memory");
		log->stream = grown;
		log->stream_capacity = capacity;
	}
	memcpy(log->stream + log->stream_length, bytes, length);
	log->stream_length += length;
	if (log->listener.stream)
		log->listener.stream(log->listener.opaque, bytes, length);
	return 0;
}

void input_log_stream_end(struct input_log *log)
{
	log->stream_seen = true;
	if (log->listener.stream)
		log->listener.stream(log->listener.opaque, NULL, 0);
}

bool input_log_has_stream(const struct input_log *log)
{
	return log && log->stream_seen;
}

size_t input_log_stream_take(struct input_log *log, uint8_t *bytes, size_t size)
{
	size_t left = log->stream_length - log->stream_read;
	size_t taken = left < size ? left : size;

	if (taken == 0)
		return 0;
	memcpy(bytes, log->stream + log->stream_read, taken);
	log->stream_read += taken;
	return taken;
}
