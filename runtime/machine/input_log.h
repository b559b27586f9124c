/* Inputs from outside the simulated world, each with the instruction count and virtual time it
 * entered at: typed console bytes, an idle wait cut short by them (--pace), a debugger's writes
 * to memory and registers, the user's quit, and piped console input in the order the console
 * read it. `qvp run --record` keeps them in a file (recording.h) and `--replay` feeds them back
 * at the same places, so an interactive run repeats bit-exactly (docs/user-guide.md). */
#ifndef QVP_INPUT_LOG_H
#define QVP_INPUT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtime.h"

#ifdef __cplusplus
extern "C" {
#endif

struct machine;

enum input_kind {
	INPUT_CONSOLE = 1, /* typed bytes into the console's queue */
	INPUT_IDLE_CUT,    /* the loop's skip over idle time ended here (host input woke the host) */
	INPUT_MEMORY,      /* a debugger wrote the bytes at virtual address `value` of CPU `cpu` */
	INPUT_REGISTER,    /* ... register `value` (enum cpu_register) of CPU `cpu`: 8 bytes */
	INPUT_VECTOR,      /* ... V register `value` of CPU `cpu`: 16 bytes */
	INPUT_EXIT,        /* the user ended the run (Ctrl-A x) with exit status `value` */
	INPUT_RESET,       /* a debugger rebuilt the board (gdb's `monitor reset`) */
	INPUT_END,         /* where the recorded run ended: a replay stops here */
	INPUT_KIND_LIMIT,
};

struct input_record {
	enum input_kind kind;
	uint64_t instructions; /* all CPUs' retired count when it entered */
	vtime_t time;          /* and the virtual time */
	uint32_t cpu;
	uint64_t value;
	uint32_t length;
	uint8_t *bytes;        /* `length` bytes, owned by the log */
};

/* Where a console's typed bytes go when a record is replayed (console_send). */
typedef int (*input_console_fn)(void *opaque, const uint8_t *bytes, size_t length);

/* Told of every record as it is added, and of the log cut back to `kept` records (a debugger
 * went back and changed what followed): the recording file appends them. */
struct input_log_listener {
	void (*added)(void *opaque, const struct input_record *record);
	void (*stream)(void *opaque, const uint8_t *bytes, size_t length); /* length 0: its end */
	void (*cut)(void *opaque, size_t kept);
	void *opaque;
};

struct input_log *input_log_create(void);
void input_log_destroy(struct input_log *log);

void input_log_set_console(struct input_log *log, input_console_fn deliver, void *opaque);
void input_log_set_listener(struct input_log *log, const struct input_log_listener *listener);

/* Whether a recording file follows the log (recording_start()). */
bool input_log_recording(const struct input_log *log);

/* A record at the machine's present (record->instructions and time are set here). Records not
 * yet replayed are dropped first: from here on the run has another future. -1 after error_set(). */
int input_log_add(struct input_log *log, const struct machine *machine, struct input_record *record);

/* A record as read from a file, appended in order (positions must not go back); -1 after error_set(). */
int input_log_append(struct input_log *log, const struct input_record *record);
/* The first `kept` records stay (a recording file's cut). */
void input_log_truncate(struct input_log *log, size_t kept);
size_t input_log_count(const struct input_log *log);
const struct input_record *input_log_at(const struct input_log *log, size_t index);

/* At a boundary of the loop: applies the records due at the machine's present, in order. A
 * record the run has passed without meeting it means the run went another way: the machine
 * stops as MACHINE_FATAL with error_set() saying where. */
void input_log_apply_due(struct machine *machine);

/* The next record to replay (a checkpoint keeps it, history.c); both accept a NULL log. */
size_t input_log_cursor(const struct input_log *log);
void input_log_set_cursor(struct input_log *log, size_t cursor);

/* With one CPU: at most this many instructions before the next record (so the loop stops at
 * exactly its count, as a debugger's stop did); 0 when none is ahead. */
uint64_t input_log_budget(const struct input_log *log, const struct machine *machine);

/* The end of an idle skip up to `wake`: earlier when the next record enters meanwhile. */
vtime_t input_log_idle_end(const struct input_log *log, const struct machine *machine, vtime_t wake);

/* Whether records remain to be replayed (a replay's end before them is a divergence). */
bool input_log_pending(const struct input_log *log, const struct input_record **next);

/* Piped console input, in the order the console read it: kept while recording, given back
 * while replaying. `input_log_stream_take` returns bytes copied, 0 at its end. */
int input_log_stream_add(struct input_log *log, const uint8_t *bytes, size_t length);
void input_log_stream_end(struct input_log *log);
bool input_log_has_stream(const struct input_log *log);
size_t input_log_stream_take(struct input_log *log, uint8_t *bytes, size_t size);

/* The kind's name in messages ("console input"). */
const char *input_kind_name(enum input_kind kind);

#ifdef __cplusplus
}
#endif
#endif
