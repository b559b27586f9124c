/* The line a long run keeps up to date on a terminal (virtual time, instructions, MIPS), for
 * qvp and qvp-sc. Host time is read for it alone: nothing in the simulation sees it. */
#ifndef QVP_STATUS_LINE_H
#define QVP_STATUS_LINE_H

#include <stdbool.h>

#include "machine.h"
#include "run_report.h"

#ifdef __cplusplus
extern "C" {
#endif

struct status_line {
	const char *program;                /* the line's prefix: "qvp" */
	double started;
	double last_shown;
	bool shown;
	bool tty;                           /* show the line at all */
	const struct run_test_hooks *hooks; /* test doubles, checked after every quantum */
};

/* Seconds of host time (CLOCK_MONOTONIC), for the status line and --stats. */
double wall_seconds(void);

/* Makes the machine's progress hook refresh the line (at most once a second) on standard
 * error when it is a terminal and no one types into the console there. */
void status_line_start(struct status_line *status, struct machine *machine, const char *program,
                       const struct run_test_hooks *hooks);

/* Erases the line, if it was ever shown. */
void status_line_clear(const struct status_line *status);

#ifdef __cplusplus
}
#endif
#endif
