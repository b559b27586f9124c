/* The quantum loop. Each turn: fire due events, run the CPU up to the next deadline, account
 * the instructions as virtual time, and if the guest went idle, jump to the next event.
 * machine_run() is the native loop; the SystemC CPU thread (runtime/systemc/) calls the same
 * machine_run_quantum() and waits for SystemC time instead of skipping idle time itself. */
#include "loop.h"

#include <inttypes.h>

#include "error.h"
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

	if (machine->budget_limit && budget > machine->budget_limit)
		budget = machine->budget_limit; /* a debugger's single step */
	return budget ? budget : 1;
}

static bool interrupt_pending(const struct machine *machine)
{
	return machine->line_level[0][CPU_LINE_IRQ] || machine->line_level[0][CPU_LINE_FIQ];
}

vtime_t machine_idle_wake_time(const struct machine *machine)
{
	if (interrupt_pending(machine))
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

/* WFI with nothing pending: nothing can happen before the next event, so skip to it. */
static void skip_idle_time(struct machine *machine)
{
	vtime_t wake = machine_idle_wake_time(machine);
	uint64_t pc = 0;

	if (wake <= machine->now)
		return;
	machine_note_idle(machine, wake);
	if (wake == VTIME_NEVER && machine->host_input && machine->host_input(machine, true))
		return; /* typed input arrived (it enters at this virtual time) or the user quit */
	if (wake == VTIME_NEVER) {
		machine->cpu->ops->get_register(machine->cpu, CPU_REG_PC, &pc);
		error_set("the guest waits for an interrupt (WFI before pc 0x%" PRIx64 ") but no event can wake it", pc);
		machine->stop_cause = MACHINE_FATAL;
		return;
	}
	if (machine->pace_idle)
		wake = machine->pace_idle(machine, wake);
	machine_skip_idle(machine, wake);
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

bool machine_run_quantum(struct machine *machine, struct cpu_run_result *result)
{
	struct cpu *cpu = machine->cpu;

	if (machine->stop_cause != MACHINE_RUNNING)
		return false;
	machine->stats.events_fired += event_queue_fire_due(machine->events, machine->now);
	if (machine->stop_cause != MACHINE_RUNNING)
		return false;
	if (machine->now >= machine->timeout) {
		machine->stop_cause = MACHINE_TIMEOUT;
		return false;
	}

	/* an event scheduled during the run before its deadline kicks the CPU (machine.c) */
	vtime_t start = machine->now;
	machine->run_deadline = earliest(saturating_add(machine->now, machine->quantum),
					 earliest(event_queue_next_time(machine->events), machine->timeout));
	machine->cpu_running = true;
	*result = cpu->ops->run(cpu, instruction_budget(machine, machine->run_deadline));
	machine->cpu_running = false;
	machine->now += result->executed * machine->time_per_instruction + machine->stall;
	machine->stats.stalled += machine->stall;
	machine->stall = 0;
	if (cpu->ops->clock_lead) /* the guest's clock ran ahead of its instructions: never fall behind it */
		machine->now += cpu->ops->clock_lead(cpu);
	if (machine->trace)
		trace_quantum(machine->trace, start, machine->now, result->executed, result->reason);
	machine->stats.instructions += result->executed;
	machine->stats.quanta++;
	if (result->reason == CPU_STOP_FATAL)
		machine->stop_cause = MACHINE_FATAL;
	else
		check_stuck(machine);
	return true;
}

/* An attached debugger sees every stop; while it keeps the target halted, time stands still. */
void machine_tell_debugger(struct machine *machine, enum machine_debug_event event, const struct cpu_run_result *result)
{
	if (machine->debugger)
		machine->debugger(machine, event, result);
}

/* PSCI SYSTEM_RESET (or gdb's `monitor reset`): the board rebuilt, an attached trace following
 * the new bus, console input the new event queue and a debugger's breakpoints the new CPU. */
void machine_restart_board(struct machine *machine)
{
	if (machine->stop_cause != MACHINE_RUNNING)
		return;
	if (machine_reset(machine) < 0) {
		machine->stop_cause = MACHINE_FATAL;
		return;
	}
	if (machine->trace)
		trace_attach(machine->trace, machine);
	if (machine->console_input)
		machine->console_board_reset(machine->console_input);
	if (machine->rebuilt)
		machine->rebuilt(machine->rebuilt_opaque);
	machine_tell_debugger(machine, MACHINE_DEBUG_RESET, NULL);
}

void machine_finish_quantum(struct machine *machine, const struct cpu_run_result *result)
{
	if (machine->reset_requested)
		machine_restart_board(machine);
	machine_tell_debugger(machine, MACHINE_DEBUG_QUANTUM, result);
	if (machine->host_input)
		machine->host_input(machine, false);
	if (machine->progress)
		machine->progress(machine);
}

enum machine_stop_cause machine_run(struct machine *machine)
{
	struct cpu_run_result result;

	machine_tell_debugger(machine, MACHINE_DEBUG_START, NULL);
	while (machine_run_quantum(machine, &result)) {
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
