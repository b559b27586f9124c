#include "run_report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

const char *run_report_stop_name(enum machine_stop_cause cause)
{
	switch (cause) {
	case MACHINE_GUEST_EXIT:
		return "exit";
	case MACHINE_TIMEOUT:
		return "timeout";
	case MACHINE_FATAL:
	case MACHINE_RUNNING:
		break;
	}
	return "fatal";
}

int run_report_write_json(const char *path, const struct machine *machine, const char *stop, int exit_status,
                          double wall_seconds)
{
	FILE *out = fopen(path, "w");

	if (!out)
		return error_set("--stats-json %s: %s", path, strerror(errno));
	fprintf(out,
	        "{\"stop\": \"%s\", \"exit_status\": %d, \"instructions\": %" PRIu64 ", \"virtual_time_ps\": %" PRIu64
	        ", \"idle_skipped_ps\": %" PRIu64 ", \"quanta\": %" PRIu64 ", \"events_fired\": %" PRIu64
	        ", \"wall_seconds\": %.6f}\n",
	        stop, exit_status, machine->stats.instructions, machine->now, machine->stats.idle_skipped,
	        machine->stats.quanta, machine->stats.events_fired, wall_seconds);
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
