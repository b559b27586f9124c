/* The quantum loop. Each turn: fire due events, run the CPU up to the next deadline, account
 * the instructions as virtual time, and if the guest went idle, jump to the next event. */
#include "loop.h"

#include <inttypes.h>

#include "error.h"

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

	return budget ? budget : 1;
}

static bool interrupt_pending(const struct machine *machine)
{
	return machine->line_level[CPU_LINE_IRQ] || machine->line_level[CPU_LINE_FIQ];
}

/* WFI with nothing pending: nothing can happen before the next event, so skip to it. */
static void skip_idle_time(struct machine *machine)
{
	vtime_t wake = earliest(event_queue_next_time(machine->events), machine->timeout);
	uint64_t pc = 0;

	if (interrupt_pending(machine) || wake <= machine->now)
		return;
	if (wake == VTIME_NEVER) {
		machine->cpu->ops->get_register(machine->cpu, CPU_REG_PC, &pc);
		error_set("the guest waits for an interrupt (WFI before pc 0x%" PRIx64 ") but no event can wake it", pc);
		machine->stop_cause = MACHINE_FATAL;
		return;
	}
	machine->stats.idle_skipped += wake - machine->now;
	machine->now = wake;
}

enum machine_stop_cause machine_run(struct machine *machine)
{
	struct cpu *cpu = machine->cpu;

	while (machine->stop_cause == MACHINE_RUNNING) {
		machine->stats.events_fired += event_queue_fire_due(machine->events, machine->now);
		if (machine->stop_cause != MACHINE_RUNNING)
			break;
		if (machine->now >= machine->timeout) {
			machine->stop_cause = MACHINE_TIMEOUT;
			break;
		}

		vtime_t deadline = earliest(saturating_add(machine->now, machine->quantum),
					    earliest(event_queue_next_time(machine->events), machine->timeout));
		machine->cpu_running = true;
		struct cpu_run_result result = cpu->ops->run(cpu, instruction_budget(machine, deadline));
		machine->cpu_running = false;
		machine->now += result.executed * machine->time_per_instruction;
		machine->stats.instructions += result.executed;
		machine->stats.quanta++;

		switch (result.reason) {
		case CPU_STOP_BUDGET:
		case CPU_STOP_KICKED:
		case CPU_STOP_BREAKPOINT:
		case CPU_STOP_STEP:
			break;
		case CPU_STOP_WFI:
			skip_idle_time(machine);
			break;
		case CPU_STOP_FATAL:
			machine->stop_cause = MACHINE_FATAL;
			break;
		}
		if (machine->progress)
			machine->progress(machine);
	}
	return machine->stop_cause;
}
