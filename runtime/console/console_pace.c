/* Paced idle (--pace realtime, QEMU's -icount sleep=on): when a person is at the console, the
 * loop's skip over idle time takes as long on the host's clock as in virtual time, so a waiting
 * shell costs no CPU and `sleep 1` takes a second. Only the host sleeps: every skip still ends
 * at the virtual time it would have without pacing, unless typed input arrives first, which
 * then enters at the virtual time that matches the host's clock. */
#include "console_pace.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

/* How far virtual time may fall behind the host's clock (a busy guest) before pacing starts
 * afresh from now, so that a slow stretch is not paid back by skipping idle time at once. */
#define PACE_SLACK_NS 50000000ull

struct pace {
	struct console *console; /* whose input ends a wait early; NULL: none */
	uint64_t host_start;     /* host clock (ns) when virtual time was virtual_start */
	vtime_t virtual_start;
	bool started;
};

static struct pace pace; /* one machine per process */

static uint64_t host_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

/* The host time at which virtual time `time` is due. */
static uint64_t host_due(vtime_t time)
{
	return pace.host_start + (time - pace.virtual_start) / VTIME_NS;
}

/* Sleeps up to `ns`, or less if the console's interactive input becomes readable; true then. */
static bool wait_input(uint64_t ns)
{
	struct pollfd fds[CONSOLE_MAX_INPUT_FDS];
	size_t count = pace.console ? console_input_fds(pace.console, fds, CONSOLE_MAX_INPUT_FDS) : 0;
	struct timespec timeout = { .tv_sec = (time_t)(ns / 1000000000ull), .tv_nsec = (long)(ns % 1000000000ull) };
	int ready = ppoll(fds, count, &timeout, NULL);

	if (ready <= 0)
		return false;
	for (size_t i = 0; i < count; i++)
		if (fds[i].revents & POLLIN)
			return true;
	return false;
}

static vtime_t pace_idle(struct machine *machine, vtime_t wake)
{
	uint64_t now = host_ns(), due;

	if (!pace.started || host_due(machine->now) + PACE_SLACK_NS < now) {
		pace.host_start = now;
		pace.virtual_start = machine->now;
		pace.started = true;
	}
	fflush(machine->console); /* what the guest printed shows before the host sleeps */
	due = host_due(wake);
	while ((now = host_ns()) < due) {
		if (wait_input(due - now)) {
			vtime_t reached = pace.virtual_start + (host_ns() - pace.host_start) * VTIME_NS;
			return reached < machine->now ? machine->now : reached < wake ? reached : wake;
		}
	}
	return wake;
}

void console_pace_attach(struct machine *machine, struct console *console)
{
	pace.console = console;
	pace.started = false;
	machine->pace_idle = pace_idle;
}

void console_pace_forget(const struct console *console)
{
	if (pace.console == console)
		pace.console = NULL;
}
