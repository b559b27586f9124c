/* The quantum loop: the one place where virtual time advances. */
#ifndef QVP_LOOP_H
#define QVP_LOOP_H

#include "machine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Runs until the guest exits, the timeout passes or the CPU backend fails. */
enum machine_stop_cause machine_run(struct machine *machine);

/* One turn of the loop without the idle skip: fires the events due now, stops at the timeout,
 * runs the CPU up to the next deadline and accounts its instructions as virtual time. Returns
 * false, without running the CPU, once machine->stop_cause is set. */
bool machine_run_quantum(struct machine *machine, struct cpu_run_result *result);

/* After the quantum in which the guest asked for a reset (machine->reset_requested), or while
 * a debugger holds the CPU halted: builds the board anew and re-attaches the trace, console
 * input, machine->rebuilt and the debugger to it. machine->stop_cause says if it failed. */
void machine_restart_board(struct machine *machine);

/* The board built anew from the configuration, with the trace, console input and
 * machine->rebuilt following it (no debugger told, no check of stop_cause); -1 after error_set(). */
int machine_rebuild_board(struct machine *machine);

/* Told of each breakpoint or watchpoint stop (machine->cpu says which) while history replays. */
typedef void (*machine_replay_stop_fn)(void *opaque, struct machine *machine);

/* History replayed for a debugger that goes back (runtime/gdb/): from a restored checkpoint,
 * one CPU runs as the loop ran it before until `position` instructions have retired since
 * reset, without host input, pacing or progress. Breakpoint and watchpoint stops on the way go
 * to `on_stop` (may be NULL) and the run goes on past them. -1 after error_set() if the run
 * ended or passed `position` (the history was not the one recorded). */
int machine_replay(struct machine *machine, uint64_t position, machine_replay_stop_fn on_stop, void *opaque);

/* Tells an attached debugger (machine->debugger) about the run: before the first quantum,
 * after each (with its result) and at the end. It may keep the target halted meanwhile. */
void machine_tell_debugger(struct machine *machine, enum machine_debug_event event, const struct cpu_run_result *result);

/* The end of a turn, after any idle wait: a reset the guest asked for, the debugger's look at
 * the stop (it may keep the CPU halted), typed console input, and the progress hook. */
void machine_finish_quantum(struct machine *machine, const struct cpu_run_result *result);

/* After a WFI: when the guest can next wake (the next event or the timeout, VTIME_NEVER if
 * neither); machine->now when an interrupt is already pending. */
vtime_t machine_idle_wake_time(const struct machine *machine);

/* Jumps virtual time forward to `wake` (nothing if it is not later), counted as idle time. */
void machine_skip_idle(struct machine *machine, vtime_t wake);

/* Before skipping idle time to `wake`: when only the timeout can end the wait (no event, no
 * host input; the caller knows nothing else, such as SystemC, can), the guest can never wake,
 * and the run report says since when (stats.idle_forever_since). */
void machine_note_idle(struct machine *machine, vtime_t wake);

#ifdef __cplusplus
}
#endif
#endif
