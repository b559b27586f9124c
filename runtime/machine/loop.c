/*
 * The quantum loop. Each turn (a round): fire due events, let every CPU run in MPIDR order up
 * to the round's end (the next event, or a window ahead: a quantum with one CPU), account each
 * CPU's instructions as its own virtual time, and if every CPU went idle, jump to the next event.
 *
 * With several CPUs each has its own time within the round; the global time is where the CPU
 * furthest behind has got to, and events fire there. A CPU waiting in WFI/WFE sits out rounds
 * until an interrupt line or an event (WFE) wakes it; when all of them wait, time skips and
 * they all resume, as one CPU's WFI always has (it may complete at any event).
 *
 * machine_run() is the native loop; the SystemC CPU thread (runtime/systemc/) calls the same
 * machine_run_quantum() and waits for SystemC time instead of skipping idle time itself.
 */
#include "loop.h"

#include <inttypes.h>

#include "error.h"
#include "input_log.h"
#include "trace.h"

static vtime_t earliest(vtime_t a, vtime_t b)
{
	return a < b ? a : b;
}

static vtime_t saturating_add(vtime_t a, vtime_t b)
{
	return a > VTIME_NEVER - b ? VTIME_NEVER : a + b;
}

/* Instructions that fit before `deadline`; at least one, so every turn makes progress. */
static uint64_t instruction_budget(const struct machine *machine, vtime_t deadline)
{
	uint64_t budget = (deadline - machine->now) / machine->time_per_instruction;
	uint64_t to_input = input_log_budget(machine->input_log, machine);

	if (to_input && budget > to_input)
		budget = to_input; /* a recorded input enters exactly there */
	return budget ? budget : 1;
}

/* What CPU `index` may run of the `left` instructions of its turn: with a debugger's step (or
 * history replayed to a position), the CPU it steps at most that many. */
static uint64_t run_budget(const struct machine *machine, unsigned index, uint64_t left)
{
	if (machine->budget_limit && index == machine->debug_cpu && left > machine->budget_limit)
		return machine->budget_limit;
	return left;
}

/* Whether waiting CPU `index` would leave its WFI/WFE now. */
static bool cpu_wakes(const struct machine *machine, unsigned index)
{
	struct cpu *cpu = machine->cpus[index].cpu;

	if (cpu->ops->wakes)
		return cpu->ops->wakes(cpu);
	return machine->line_level[index][CPU_LINE_IRQ] || machine->line_level[index][CPU_LINE_FIQ];
}

static bool any_cpu_wakes(const struct machine *machine)
{
	for (unsigned k = 0; k < machine->cpu_count; k++)
		if (machine->cpus[k].powered && machine->cpus[k].waiting && cpu_wakes(machine, k))
			return true;
	return false;
}

static bool every_cpu_waits(const struct machine *machine)
{
	for (unsigned k = 0; k < machine->cpu_count; k++)
		if (machine->cpus[k].powered && !machine->cpus[k].waiting)
			return false;
	return true;
}

vtime_t machine_idle_wake_time(const struct machine *machine)
{
	if (any_cpu_wakes(machine))
		return machine->now;
	return earliest(event_queue_next_time(machine->events), machine->timeout);
}

void machine_skip_idle(struct machine *machine, vtime_t wake)
{
	if (wake <= machine->now)
		return;
	if (machine->trace)
		trace_idle(machine->trace, machine->now, wake);
	machine->stats.idle_skipped += wake - machine->now;
	machine->now = wake;
}

/* A timeout is then not mistaken for a slow guest. */
void machine_note_idle(struct machine *machine, vtime_t wake)
{
	if (wake == machine->timeout && wake != VTIME_NEVER && event_queue_next_time(machine->events) == VTIME_NEVER &&
	    !machine->host_input && machine->stats.idle_forever_since == VTIME_NEVER)
		machine->stats.idle_forever_since = machine->now;
}

/* An idle skip that paced idle ended early because host input arrived: recorded, so that a
 * replay ends the skip at the same time. */
static void record_idle_cut(struct machine *machine)
{
	struct input_record cut = { .kind = INPUT_IDLE_CUT };

	if (machine->input_log && input_log_add(machine->input_log, machine, &cut) < 0)
		machine_request_fatal_stop(machine);
}

/* Between two rounds no CPU is mid-run: the boundary hook may save the machine (a snapshot)
 * or end the run there. False when the run is to end. */
static bool at_boundary(struct machine *machine)
{
	if (!machine->boundary || machine->stop_cause != MACHINE_RUNNING || machine->round.open)
		return true; /* (a round a debugger stopped part-way is not a boundary) */
	if (machine->boundary(machine))
		return true;
	if (machine->stop_cause == MACHINE_RUNNING) /* else the hook failed and said why */
		machine->stop_cause = MACHINE_PAUSED;
	return false;
}

/* WFI with nothing pending: nothing can happen before the next event, so skip to it (or to
 * where a replayed input enters). */
static void skip_idle_time(struct machine *machine)
{
	vtime_t wake = input_log_idle_end(machine->input_log, machine, machine_idle_wake_time(machine));
	uint64_t pc = 0;

	if (wake <= machine->now || machine->stop_cause != MACHINE_RUNNING)
		return;
	machine_note_idle(machine, wake);
	if (wake == VTIME_NEVER && machine->host_input && machine->host_input(machine, true))
		return; /* typed input arrived (it enters at this virtual time) or the user quit */
	if ((wake == VTIME_NEVER || machine->stats.idle_forever_since != VTIME_NEVER) && !at_boundary(machine))
		return; /* only a timeout can end this wait: a snapshot of the idle machine (--snapshot-at script) first */
	if (wake == VTIME_NEVER) {
		machine->cpu->ops->get_register(machine->cpu, CPU_REG_PC, &pc); /* the last CPU to go idle */
		error_set("the guest waits for an interrupt (WFI before pc 0x%" PRIx64 ") but no event can wake it", pc);
		machine->stop_cause = MACHINE_FATAL;
		return;
	}
	vtime_t paced = machine->pace_idle ? machine->pace_idle(machine, wake) : wake;
	machine_skip_idle(machine, paced);
	if (paced < wake)
		record_idle_cut(machine);
}

/* A guest in an exception loop can never go on: end the run with the CPU's diagnosis (its
 * first fault) instead of spinning to a timeout, or for ever without one. Once per quantum:
 * the backend only compares a counter until it has something to say. */
static void check_stuck(struct machine *machine)
{
	const char *why;

	if (!machine->cpu->ops->diagnose)
		return;
	why = machine->cpu->ops->diagnose(machine->cpu, &machine->image);
	if (!why)
		return;
	error_set("%s", why);
	machine->stop_cause = MACHINE_FATAL;
}

/* The end of a round starting now: a window ahead (a quantum with one CPU), or sooner at the
 * next event or the timeout. */
static vtime_t round_end(const struct machine *machine)
{
	vtime_t window = machine->cpu_count > 1 ? machine->window : machine->quantum;

	return earliest(saturating_add(machine->now, window),
	                earliest(event_queue_next_time(machine->events), machine->timeout));
}

/* A backend whose PSCI is its own (KVM's) turns CPUs on and off itself: the loop follows it.
 * A CPU just turned on starts at the present, as the runtime's CPU_ON starts one. */
static void follow_power(struct machine *machine, unsigned index)
{
	struct machine_cpu *cpu = &machine->cpus[index];
	bool powered;

	if (!cpu->cpu->ops->powered)
		return;
	powered = cpu->cpu->ops->powered(cpu->cpu);
	if (powered && !cpu->powered) {
		cpu->waiting = false;
		cpu->local = machine->now;
	}
	cpu->powered = powered;
}

/* Whether CPU `index` runs in a round ending at `end`: powered on, behind `end`, and not
 * waiting for what has not come. A woken CPU's time catches up with the present. */
static bool takes_turn(struct machine *machine, unsigned index, vtime_t end)
{
	struct machine_cpu *cpu = &machine->cpus[index];

	follow_power(machine, index);

	if (!cpu->powered || cpu->local >= end)
		return false;
	if (cpu->waiting && !cpu_wakes(machine, index))
		return false;
	cpu->waiting = false;
	if (cpu->local < machine->now)
		cpu->local = machine->now;
	return true;
}

/* Whether a run that ended for `result` left the rest of the CPU's turn to go on with: with
 * several CPUs, a debugger's stop or step before the turn's budget was used, not a kick. */
static bool turn_cut_short(const struct machine *machine, unsigned index, const struct cpu_run_result *result)
{
	if (machine->cpu_count == 1 || machine->cpu_kicked || machine->round.turn_left == 0 ||
	    machine->stop_cause != MACHINE_RUNNING || machine->reset_requested || machine->cpus[index].waiting ||
	    !machine->cpus[index].powered)
		return false;
	return result->reason == CPU_STOP_BREAKPOINT || result->reason == CPU_STOP_STEP ||
	       (machine->budget_limit && index == machine->debug_cpu);
}

/* CPU `index` runs its turn, from its own time up to `end` at most, or the rest of a turn a
 * debugger's stop cut short (machine->now is its time meanwhile, and after the turn the time
 * the turn began, as if it had not been cut). Returns the round's end, which an event it
 * scheduled may have brought closer. */
static vtime_t run_cpu(struct machine *machine, unsigned index, vtime_t end, struct cpu_run_result *result)
{
	struct machine_round *round = &machine->round;
	struct machine_cpu *cpu = &machine->cpus[index];
	struct cpu *backend = cpu->cpu;
	uint64_t budget;

	machine->current_cpu = index;
	machine->cpu = backend;
	machine->now = cpu->local;
	if (!round->turn_open) {
		round->turn_now = cpu->local;
		round->turn_left = instruction_budget(machine, end);
	}
	budget = run_budget(machine, index, round->turn_left);
	machine->run_deadline = end; /* an event scheduled during the run before it kicks the CPU (machine.c) */
	machine->cpu_kicked = false;
	machine->cpu_running = true;
	*result = backend->ops->run(backend, budget);
	machine->cpu_running = false;
	round->turn_left -= result->executed < round->turn_left ? result->executed : round->turn_left;
	cpu->local += result->executed * machine->time_per_instruction + machine->stall;
	machine->stats.stalled += machine->stall;
	machine->stall = 0;
	if (backend->ops->clock_lead) /* the guest's clock ran ahead of its instructions: never fall behind it */
		cpu->local += backend->ops->clock_lead(backend);
	if (machine->trace)
		trace_quantum(machine->trace, index, machine->now, cpu->local, result->executed, result->reason);
	machine->now = round->turn_now;
	machine->stats.instructions += result->executed;
	cpu->instructions += result->executed;
	cpu->waiting = result->reason == CPU_STOP_WFI;
	follow_power(machine, index);
	if (result->reason == CPU_STOP_FATAL)
		machine->stop_cause = MACHINE_FATAL;
	else
		check_stuck(machine);
	round->turn_open = turn_cut_short(machine, index, result);
	return machine->run_deadline;
}

/* A debugger's stop or step, a fatal one, or a stop of the machine ends the round at once;
 * with several CPUs the round goes on from there at the next quantum (machine->round). */
static bool ends_round(const struct machine *machine, const struct cpu_run_result *result)
{
	bool stepped = machine->budget_limit && machine->current_cpu == machine->debug_cpu;

	return result->reason == CPU_STOP_BREAKPOINT || result->reason == CPU_STOP_STEP || stepped ||
	       machine->stop_cause != MACHINE_RUNNING || machine->reset_requested || machine->round.turn_open;
}

/* Global time after a round: where the CPU furthest behind has got to; when every CPU waits
 * (or is off), or the run has ended, the furthest any CPU got. Never back. */
static vtime_t round_time(const struct machine *machine, vtime_t start)
{
	vtime_t running = VTIME_NEVER, stopped = start;

	for (unsigned k = 0; k < machine->cpu_count; k++) {
		const struct machine_cpu *cpu = &machine->cpus[k];
		if (cpu->powered && !cpu->waiting && machine->stop_cause == MACHINE_RUNNING)
			running = earliest(running, cpu->local);
		else if (cpu->local > stopped)
			stopped = cpu->local;
	}
	if (running == VTIME_NEVER)
		return stopped;
	return running > start ? running : start;
}

/* When every CPU waited, time has skipped (or SystemC waited): they all resume, as a WFI may
 * complete at any event. */
static void resume_if_all_waited(struct machine *machine)
{
	if (!every_cpu_waits(machine))
		return;
	for (unsigned k = 0; k < machine->cpu_count; k++)
		machine->cpus[k].waiting = false;
}

/* A new round: the events due fire, and the run stops at the timeout. False when it stops. */
static bool begin_round(struct machine *machine)
{
	machine->stats.events_fired += event_queue_fire_due(machine->events, machine->now);
	if (machine->stop_cause != MACHINE_RUNNING)
		return false;
	if (machine->now >= machine->timeout) {
		machine->stop_cause = MACHINE_TIMEOUT;
		return false;
	}
	resume_if_all_waited(machine);
	machine->round = (struct machine_round){ .open = true, .start = machine->now, .end = round_end(machine) };
	return true;
}

/* The round's turns, from the CPU it is at, until all had theirs or one ends the round. */
static void run_turns(struct machine *machine, struct cpu_run_result *result)
{
	struct machine_round *round = &machine->round;
	struct cpu_run_result run = { 0, CPU_STOP_WFI };

	*result = run;
	for (; round->next < machine->cpu_count; round->next++) {
		unsigned k = round->next;
		if (!round->turn_open && !takes_turn(machine, k, round->end))
			continue;
		round->end = run_cpu(machine, k, round->end, &run);
		result->executed += run.executed;
		result->reason = run.reason;
		if (ends_round(machine, &run))
			break;
	}
	if (round->next < machine->cpu_count && !round->turn_open)
		round->next++; /* the CPU that stopped had its whole turn */
}

bool machine_run_quantum(struct machine *machine, struct cpu_run_result *result)
{
	struct machine_round *round = &machine->round;

	if (machine->stop_cause != MACHINE_RUNNING)
		return false;
	if (round->open)
		machine->now = round->turn_now; /* where the round stopped */
	else if (!begin_round(machine))
		return false;
	run_turns(machine, result);
	round->open = machine->cpu_count > 1 && round->next < machine->cpu_count &&
		      machine->stop_cause == MACHINE_RUNNING && !machine->reset_requested;
	if (!round->open)
		round->turn_open = false;
	machine->now = round_time(machine, round->start);
	if (!round->open && every_cpu_waits(machine))
		result->reason = CPU_STOP_WFI; /* (in a round not over, a CPU after these may still wake) */
	else if (result->reason == CPU_STOP_WFI)
		result->reason = CPU_STOP_BUDGET; /* another CPU goes on */
	machine->stats.quanta++;
	return true;
}

/* An attached debugger sees every stop; while it keeps the target halted, time stands still. */
void machine_tell_debugger(struct machine *machine, enum machine_debug_event event, const struct cpu_run_result *result)
{
	if (machine->debugger)
		machine->debugger(machine, event, result);
}

int machine_rebuild_board(struct machine *machine)
{
	machine->round = (struct machine_round){ 0 };
	if (machine_reset(machine) < 0)
		return -1;
	if (machine->trace)
		trace_attach(machine->trace, machine);
	if (machine->console_input)
		machine->console_board_reset(machine->console_input);
	if (machine->rebuilt)
		machine->rebuilt(machine->rebuilt_opaque);
	return 0;
}

/* PSCI SYSTEM_RESET (or gdb's `monitor reset`): the board rebuilt, an attached trace following
 * the new bus, console input the new event queue and a debugger's breakpoints the new CPU. */
void machine_restart_board(struct machine *machine)
{
	if (machine->stop_cause != MACHINE_RUNNING)
		return;
	if (machine_rebuild_board(machine) < 0) {
		machine->stop_cause = MACHINE_FATAL;
		return;
	}
	machine_tell_debugger(machine, MACHINE_DEBUG_RESET, NULL);
}

void machine_finish_quantum(struct machine *machine, const struct cpu_run_result *result)
{
	if (machine->reset_requested)
		machine_restart_board(machine);
	machine_tell_debugger(machine, MACHINE_DEBUG_QUANTUM, result);
	if (machine->host_input)
		machine->host_input(machine, false);
	input_log_apply_due(machine);
	if (machine->progress)
		machine->progress(machine);
}

enum machine_stop_cause machine_run(struct machine *machine)
{
	struct cpu_run_result result;

	machine_tell_debugger(machine, MACHINE_DEBUG_START, NULL);
	input_log_apply_due(machine); /* a debugger's writes before the first instruction */
	while (at_boundary(machine) && machine_run_quantum(machine, &result)) {
		switch (result.reason) {
		case CPU_STOP_BUDGET:
		case CPU_STOP_KICKED:
		case CPU_STOP_BREAKPOINT:
		case CPU_STOP_STEP:
		case CPU_STOP_FATAL:
			break;
		case CPU_STOP_WFI:
			skip_idle_time(machine);
			break;
		}
		machine_finish_quantum(machine, &result);
	}
	machine_tell_debugger(machine, MACHINE_DEBUG_END, NULL);
	return machine->stop_cause;
}

/* The hooks that reach outside the simulated world, which history replayed must not call. */
struct outside_hooks {
	bool (*host_input)(struct machine *machine, bool wait);
	vtime_t (*pace_idle)(struct machine *machine, vtime_t wake);
	void (*progress)(struct machine *machine);
};

int machine_replay(struct machine *machine, uint64_t position, machine_replay_stop_fn on_stop, void *opaque)
{
	struct outside_hooks saved = { machine->host_input, machine->pace_idle, machine->progress };
	struct cpu_run_result result;

	machine->host_input = NULL;
	machine->pace_idle = NULL;
	machine->progress = NULL;
	machine->debug_cpu = 0;
	input_log_apply_due(machine);
	while (machine->stats.instructions < position && machine->stop_cause == MACHINE_RUNNING) {
		machine->budget_limit = position - machine->stats.instructions;
		if (!machine_run_quantum(machine, &result))
			break;
		if (result.reason == CPU_STOP_WFI)
			skip_idle_time(machine);
		if (result.reason == CPU_STOP_BREAKPOINT && on_stop)
			on_stop(opaque, machine);
		if (machine->reset_requested)
			machine_restart_board(machine);
		input_log_apply_due(machine);
	}
	machine->budget_limit = 0;
	machine->host_input = saved.host_input;
	machine->pace_idle = saved.pace_idle;
	machine->progress = saved.progress;
	if (machine->stats.instructions == position)
		return 0;
	return error_set("replaying the history, the run ended after %" PRIu64 " of %" PRIu64
			 " instructions: it went another way than it had",
			 machine->stats.instructions, position);
}
