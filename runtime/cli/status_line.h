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
	bool shown;                         /* the line is on the terminal now */
	bool erased;                        /* console text took its place: draw it again */
	bool console_line_open;             /* console text on the terminal ends mid-line */
	bool tty;                           /* show the line at all */
	const struct run_test_hooks *hooks; /* test doubles, checked after every quantum */
};

/* Seconds of host time (CLOCK_MONOTONIC), for the status line and --stats. */
double wall_seconds(void);

/* Makes the machine's progress hook refresh the line (at most once a second) on standard
 * error when it is a terminal and no one types into the console there. */
void status_line_start(struct status_line *status, struct machine *machine, const char *program,
                       const struct run_test_hooks *hooks);

/* Erases the line if it is shown (before qvp's own messages). */
void status_line_clear(struct status_line *status);

/* The stream the console UART should write to instead of `console`: the same, unless console
 * and line share a terminal; then one that erases the line before console text (it is drawn
 * again after). Call before status_line_start(); close it (if not `console`) after the machine. */
FILE *status_line_console(struct status_line *status, FILE *console);

#ifdef __cplusplus
}
#endif
#endif
