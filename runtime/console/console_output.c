/* The console's output when qvp is ended by a signal: stdio keeps a partial line (a shell's
 * `/ # ` prompt) in its buffer until a newline, and a signal that ends the process would lose
 * it. The handler writes what is pending with write(2), which is safe in a signal handler, then
 * lets the signal do what it did before. */
#include "console_output.h"

#include <signal.h>
#include <stdio_ext.h>
#include <string.h>
#include <unistd.h>

static const int ending_signals[] = { SIGTERM, SIGINT, SIGHUP };
#define ENDING_SIGNAL_COUNT (sizeof(ending_signals) / sizeof(ending_signals[0]))

static FILE *guarded;
static int guarded_fd = -1;
static struct sigaction saved_actions[ENDING_SIGNAL_COUNT];

/* glibc's buffer: the pending bytes end at _IO_write_ptr (__fpending() counts them). */
static void write_pending(void)
{
	size_t pending = __fpending(guarded);
	const char *bytes = guarded->_IO_write_ptr - pending;

	while (pending > 0) {
		ssize_t written = write(guarded_fd, bytes, pending);
		if (written <= 0)
			return;
		bytes += written;
		pending -= (size_t)written;
	}
}

static void flush_and_reraise(int signal_number)
{
	if (guarded)
		write_pending();
	guarded = NULL; /* once: the bytes are out */
	for (size_t i = 0; i < ENDING_SIGNAL_COUNT; i++)
		if (ending_signals[i] == signal_number)
			sigaction(signal_number, &saved_actions[i], NULL);
	raise(signal_number);
}

void console_output_flush_on_signals(FILE *stream, int fd)
{
	struct sigaction action;

	guarded = stream;
	guarded_fd = fd;
	memset(&action, 0, sizeof(action));
	action.sa_handler = flush_and_reraise;
	sigemptyset(&action.sa_mask);
	for (size_t i = 0; i < ENDING_SIGNAL_COUNT; i++)
		sigaction(ending_signals[i], &action, &saved_actions[i]);
}

void console_output_unguard(void)
{
	if (guarded_fd < 0)
		return;
	for (size_t i = 0; i < ENDING_SIGNAL_COUNT; i++)
		sigaction(ending_signals[i], &saved_actions[i], NULL);
	guarded = NULL;
	guarded_fd = -1;
}
