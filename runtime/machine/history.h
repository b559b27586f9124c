/* The past of a run, for a debugger that goes back (reverse debugging, docs/gdb.md): in-memory
 * checkpoints of the machine taken at quantum boundaries, and the way to any instruction count
 * since the first of them: restore the checkpoint before it, then replay up to it. Thinned to
 * stay within a memory budget. One CPU only: with several, where a debugger stops changes how
 * the CPUs' rounds fall, so a replay would not meet the same history. */
#ifndef QVP_HISTORY_H
#define QVP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "machine.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HISTORY_SPACING 1000000ull     /* instructions between checkpoints, at least */
#define HISTORY_BUDGET (1024ull << 20) /* bytes of checkpoints kept, at most */

struct history;

struct history *history_create(uint64_t spacing, uint64_t budget);
void history_destroy(struct history *history);

/* Whether reverse execution can work on this machine; if not, error_set() says why. */
bool history_supported(const struct machine *machine);

/* At a quantum boundary of the run: a checkpoint when one is due; the frontier follows the
 * run. -1 after error_set() if the machine cannot be saved. */
int history_record(struct history *history, struct machine *machine);

/* A checkpoint now, due or not (a debugger going back here will likely come back near it). */
int history_keep(struct history *history, struct machine *machine);

/* The debugger changed the machine (memory, registers, a reset), or input was typed: what was
 * recorded after now is no longer its future, and the console shows again from here. */
void history_forget_future(struct history *history, struct machine *machine);

/* Everything recorded goes (a board reset from the debugger). */
void history_clear(struct history *history, struct machine *machine);

/* The earliest instruction count that history reaches; UINT64_MAX before any checkpoint. */
uint64_t history_begin(const struct history *history);

/* The position of the latest checkpoint strictly before `position`; false if none. */
bool history_checkpoint_before(const struct history *history, uint64_t position, uint64_t *checkpoint);

/* The machine restored from the checkpoint at `checkpoint`, then replayed to `position`,
 * telling `on_stop` (may be NULL) of each breakpoint or watchpoint stop on the way. -1 after
 * error_set(): the machine is then unusable and the run must end. */
int history_replay(struct history *history, struct machine *machine, uint64_t checkpoint, uint64_t position,
		   machine_replay_stop_fn on_stop, void *opaque);

/* The machine at `position` (at or after history_begin()): replayed from where it is if that
 * is on the way, else from the latest checkpoint at or before it, taking checkpoints as it goes. */
int history_goto(struct history *history, struct machine *machine, uint64_t position);

/* For `monitor history`: checkpoints, their bytes, the first position, the frontier. */
void history_describe(const struct history *history, char *out, size_t size);

#ifdef __cplusplus
}
#endif
#endif
