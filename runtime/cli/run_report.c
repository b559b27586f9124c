#include "run_report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "error.h"

const char *run_report_stop_name(enum machine_stop_cause cause)
{
	switch (cause) {
	case MACHINE_GUEST_EXIT:
		return "exit";
	case MACHINE_TIMEOUT:
		return "timeout";
	case MACHINE_PAUSED:
		return "paused";
	case MACHINE_FATAL:
	case MACHINE_RUNNING:
		break;
	}
	return "fatal";
}

/* With several CPUs: each one's instructions, and the virtual time it did not run them in. */
static void print_cpu_stats(const struct machine *machine, unsigned index)
{
	const struct machine_cpu *cpu = &machine->cpus[index];
	vtime_t busy = cpu->instructions * machine->time_per_instruction;
	char waited[48];

	vtime_format(machine->now > busy ? machine->now - busy : 0, waited, sizeof(waited));
	fprintf(stderr, "cpu %u (MPIDR affinity 0x%" PRIx64 "): %" PRIu64 " instructions, %s waiting or off\n", index,
	        cpu->affinity, cpu->instructions, waited);
}

int run_report_write_json(const char *path, const struct machine *machine, const char *stop, int exit_status,
                          double wall_seconds)
{
	FILE *out = fopen(path, "w");

	if (!out)
		return error_set("--stats-json %s: %s", path, strerror(errno));
	fprintf(out,
	        "{\"stop\": \"%s\", \"exit_status\": %d, \"instructions\": %" PRIu64 ", \"virtual_time_ps\": %" PRIu64
	        ", \"idle_skipped_ps\": %" PRIu64 ", \"quanta\": %" PRIu64 ", \"events_fired\": %" PRIu64,
	        stop, exit_status, machine->stats.instructions, machine->now, machine->stats.idle_skipped,
	        machine->stats.quanta, machine->stats.events_fired);
	if (machine->stats.idle_forever_since != VTIME_NEVER)
		fprintf(out, ", \"idle_forever_since_ps\": %" PRIu64, machine->stats.idle_forever_since);
	for (unsigned k = 0; machine->cpu_count > 1 && k < machine->cpu_count; k++)
		fprintf(out, "%s%" PRIu64 "%s", k ? ", " : ", \"cpu_instructions\": [", machine->cpus[k].instructions,
		        k + 1 == machine->cpu_count ? "]" : "");
	fprintf(out, ", \"wall_seconds\": %.6f}\n", wall_seconds);
	if (fclose(out) != 0)
		return error_set("--stats-json %s: %s", path, strerror(errno));
	return 0;
}

void run_test_hooks_check(const struct run_test_hooks *hooks, const struct machine *machine)
{
	if (hooks->abort_enabled && machine->stats.instructions >= hooks->abort_after) {
		fprintf(stderr, "qvp: --test-abort-after: aborting the host process on purpose (test double)\n");
		abort();
	}
}

void run_test_hooks_finish(const struct run_test_hooks *hooks, FILE *console)
{
	if (hooks->perturb_output)
		fprintf(console, "test double: host process %ld\n", (long)getpid());
}

/* ": idle since T: ..." when the guest waited in WFI with nothing but the timeout to wake it,
 * else "". */
static void idle_forever_hint(const struct machine *machine, char *buffer, size_t size)
{
	char since[48];

	buffer[0] = '\0';
	if (machine->stats.idle_forever_since == VTIME_NEVER)
		return;
	vtime_format(machine->stats.idle_forever_since, since, sizeof(since));
	snprintf(buffer, size, ": idle since %s: no interrupt or event could wake the CPU", since);
}

int run_report_exit_status(const struct machine *machine, const char *program)
{
	char virtual_time[48], why[128];

	switch (machine->stop_cause) {
	case MACHINE_GUEST_EXIT:
		return machine->exit_code;
	case MACHINE_TIMEOUT:
		vtime_format(machine->now, virtual_time, sizeof(virtual_time));
		idle_forever_hint(machine, why, sizeof(why));
		fprintf(stderr, "%s: timeout: virtual time reached %s%s\n", program, virtual_time, why);
		return QVP_EXIT_TIMEOUT;
	case MACHINE_PAUSED: /* --snapshot-at TIME FILE --stop: saved, as asked */
		return 0;
	case MACHINE_FATAL:
	case MACHINE_RUNNING:
		break;
	}
	fprintf(stderr, "%s: error: %s\n", program, error_message());
	return QVP_EXIT_FATAL;
}

void run_report_print_stats(const struct machine *machine, double wall_seconds)
{
	char virtual_time[48], idle[48];

	vtime_format(machine->now, virtual_time, sizeof(virtual_time));
	vtime_format(machine->stats.idle_skipped, idle, sizeof(idle));
	fprintf(stderr, "--- qvp stats ---\n");
	fprintf(stderr, "instructions: %" PRIu64 "\n", machine->stats.instructions);
	fprintf(stderr, "virtual time: %s\n", virtual_time);
	fprintf(stderr, "wall time: %.3f s\n", wall_seconds);
	fprintf(stderr, "MIPS: %.1f\n", wall_seconds > 0 ? (double)machine->stats.instructions / wall_seconds / 1e6 : 0.0);
	fprintf(stderr, "quanta: %" PRIu64 "\n", machine->stats.quanta);
	fprintf(stderr, "events fired: %" PRIu64 "\n", machine->stats.events_fired);
	fprintf(stderr, "idle time skipped: %s\n", idle);
	if (machine->stats.idle_forever_since != VTIME_NEVER) {
		vtime_format(machine->stats.idle_forever_since, idle, sizeof(idle));
		fprintf(stderr, "idle since: %s (no interrupt or event could wake the CPU)\n", idle);
	}
	fprintf(stderr, "interrupts taken: %" PRIu64 "\n", machine->stats.interrupts_taken);
	if (machine->stats.resets)
		fprintf(stderr, "board resets: %" PRIu64 " (PSCI SYSTEM_RESET)\n", machine->stats.resets);
	fprintf(stderr, "backend: %s\n", machine->cpu->ops->name);
	for (unsigned k = 0; machine->cpu_count > 1 && k < machine->cpu_count; k++)
		print_cpu_stats(machine, k);
}
