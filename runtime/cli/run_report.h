/* Machine-readable results of `qvp run` (--stats-json) and its test-only hooks (test doubles
 * the regression farm's own tests use to provoke a host crash or a non-repeatable run). */
#ifndef QVP_RUN_REPORT_H
#define QVP_RUN_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes the run's counters as one JSON object; error_message() says why it could not. */
int run_report_write_json(const char *path, const struct machine *machine, const char *stop, int exit_status,
                          double wall_seconds);

/* The run's exit status from how it stopped: the guest's code, or QVP_EXIT_TIMEOUT or
 * QVP_EXIT_FATAL after saying why on standard error ("PROGRAM: timeout: ...", "PROGRAM: error: ..."). */
int run_report_exit_status(const struct machine *machine, const char *program);

/* --stats: the counters every program prints on standard error, from "--- qvp stats ---" to
 * "backend: NAME"; a program adds its own lines after them. */
void run_report_print_stats(const struct machine *machine, double wall_seconds);

/* The name of a stop cause in the JSON: "exit", "timeout" or "fatal". */
const char *run_report_stop_name(enum machine_stop_cause cause);

struct run_test_hooks {
	bool abort_enabled;
	uint64_t abort_after; /* abort() the host process once this many instructions ran */
	bool perturb_output;  /* print a line that differs on every run */
};

/* Test double: calls abort() when the machine has run the configured instructions. */
void run_test_hooks_check(const struct run_test_hooks *hooks, const struct machine *machine);

/* Test double: appends a line holding the host's process id to the console. */
void run_test_hooks_finish(const struct run_test_hooks *hooks, FILE *console);

#ifdef __cplusplus
}
#endif
#endif
