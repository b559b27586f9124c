/* The status line of a long run on a terminal. */
#include "status_line.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

double wall_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void show_status(struct machine *machine)
{
	struct status_line *status = machine->progress_opaque;
	double now = wall_seconds();
	char virtual_time[48];

	run_test_hooks_check(status->hooks, machine);
	if (!status->tty || status->console_line_open || (now - status->last_shown < 1.0 && !status->erased))
		return;
	status->last_shown = now;
	status->shown = true;
	status->erased = false;
	vtime_format(machine->now, virtual_time, sizeof(virtual_time));
	fprintf(stderr, "\r\033[K%s: virtual time %s, %" PRIu64 " instructions, %.1f MIPS", status->program, virtual_time,
		machine->stats.instructions, (double)machine->stats.instructions / (now - status->started) / 1e6);
}

void status_line_start(struct status_line *status, struct machine *machine, const char *program,
                       const struct run_test_hooks *hooks)
{
	status->program = program;
	status->tty = isatty(STDERR_FILENO) && !machine->host_input; /* no line over a typed-in console */
	status->hooks = hooks;
	status->shown = status->erased = status->console_line_open = false;
	status->started = status->last_shown = wall_seconds();
	machine->progress = show_status;
	machine->progress_opaque = status;
}

void status_line_clear(struct status_line *status)
{
	if (status->shown)
		fputs("\r\033[K", stderr);
	status->shown = false;
}

/* Console text for the terminal the line is on: the line goes first and comes back at the end
 * of the quantum, after the console's line is complete. */
static ssize_t console_write(void *cookie, const char *bytes, size_t size)
{
	struct status_line *status = cookie;
	size_t written;

	if (status->shown) {
		status_line_clear(status);
		status->erased = true;
	}
	written = fwrite(bytes, 1, size, stdout);
	fflush(stdout);
	if (written > 0)
		status->console_line_open = bytes[written - 1] != '\n';
	return (ssize_t)written;
}

FILE *status_line_console(struct status_line *status, FILE *console)
{
	cookie_io_functions_t functions = { .write = console_write };
	FILE *wrapped;

	status->shown = status->erased = status->console_line_open = false;
	if (console != stdout || !isatty(STDOUT_FILENO) || !isatty(STDERR_FILENO))
		return console;
	wrapped = fopencookie(status, "w", functions);
	return wrapped ? wrapped : console;
}
