/* The terminal as console input, as QEMU's stdio character device: raw input (no echo, no line
 * editing, no signals from Ctrl-C or Ctrl-Z: those go to the guest), output processing kept.
 * The mode is restored when the terminal is closed, at exit and on the signals that end qvp. */
#include "console_terminal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "error.h"

#define CTRL_A 0x01

struct terminal {
	int fd;
	bool escape; /* the previous byte was Ctrl-A */
};

/* The one terminal in raw mode, for the exit and signal handlers. */
static int raw_fd = -1;
static struct termios saved_mode;

static const int restoring_signals[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };
static struct sigaction saved_actions[sizeof(restoring_signals) / sizeof(restoring_signals[0])];

static void restore_mode(void)
{
	if (raw_fd >= 0)
		tcsetattr(raw_fd, TCSANOW, &saved_mode);
}

/* Restores the mode, then lets the signal do what it did before (usually: end qvp). */
static void restore_and_reraise(int signal_number)
{
	restore_mode();
	for (size_t i = 0; i < sizeof(restoring_signals) / sizeof(restoring_signals[0]); i++)
		if (restoring_signals[i] == signal_number)
			sigaction(signal_number, &saved_actions[i], NULL);
	raise(signal_number);
}

static void install_restorers(void)
{
	static bool at_exit_registered;
	struct sigaction action;

	if (!at_exit_registered && atexit(restore_mode) == 0)
		at_exit_registered = true;
	memset(&action, 0, sizeof(action));
	action.sa_handler = restore_and_reraise;
	sigemptyset(&action.sa_mask);
	for (size_t i = 0; i < sizeof(restoring_signals) / sizeof(restoring_signals[0]); i++)
		sigaction(restoring_signals[i], &action, &saved_actions[i]);
}

static void remove_restorers(void)
{
	for (size_t i = 0; i < sizeof(restoring_signals) / sizeof(restoring_signals[0]); i++)
		sigaction(restoring_signals[i], &saved_actions[i], NULL);
}

/* QEMU's raw mode (qemu_chr_set_echo_stdio): 8-bit input, no echo, canonical mode or signal
 * keys; output processing (\n to \r\n) stays on. */
static struct termios raw_mode(const struct termios *mode)
{
	struct termios raw = *mode;

	raw.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	raw.c_oflag |= OPOST;
	raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | IEXTEN | ISIG);
	raw.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
	raw.c_cflag |= CS8;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	return raw;
}

struct terminal *terminal_open(int fd)
{
	struct terminal *terminal;
	struct termios raw;

	if (raw_fd >= 0) {
		error_set("console: a terminal is already in raw mode");
		return NULL;
	}
	if (!isatty(fd) || tcgetattr(fd, &saved_mode) < 0) {
		error_set("console: input is not a terminal");
		return NULL;
	}
	terminal = calloc(1, sizeof(*terminal));
	if (!terminal) {
		error_set("console: out of memory");
		return NULL;
	}
	terminal->fd = fd;
	raw = raw_mode(&saved_mode);
	raw_fd = fd;
	install_restorers();
	if (tcsetattr(fd, TCSANOW, &raw) < 0) {
		error_set("console: cannot put the terminal in raw mode: %s", strerror(errno));
		terminal_close(terminal);
		return NULL;
	}
	return terminal;
}

void terminal_restore(struct terminal *terminal)
{
	(void)terminal;
	restore_mode();
}

void terminal_close(struct terminal *terminal)
{
	if (!terminal)
		return;
	restore_mode();
	remove_restorers();
	raw_fd = -1;
	free(terminal);
}

int terminal_fd(const struct terminal *terminal)
{
	return terminal->fd;
}

static void print_escape_help(void)
{
	static const char help[] = "\r\nC-a h    print this help\r\n"
				   "C-a x    exit qvp (exit status 0)\r\n"
				   "C-a C-a  send C-a to the guest\r\n";
	fputs(help, stderr);
}

/* Applies the Ctrl-A escapes to `bytes` in place; returns how many bytes remain for the guest. */
static size_t apply_escapes(struct terminal *terminal, uint8_t *bytes, size_t length, bool *quit)
{
	size_t kept = 0;

	for (size_t i = 0; i < length && !*quit; i++) {
		if (!terminal->escape && bytes[i] == CTRL_A) {
			terminal->escape = true;
			continue;
		}
		if (!terminal->escape) {
			bytes[kept++] = bytes[i];
			continue;
		}
		terminal->escape = false;
		if (bytes[i] == 'x')
			*quit = true;
		else if (bytes[i] == CTRL_A)
			bytes[kept++] = CTRL_A;
		else if (bytes[i] == 'h')
			print_escape_help();
		/* anything else after Ctrl-A is dropped, as in QEMU */
	}
	return kept;
}

long terminal_read(struct terminal *terminal, bool wait, uint8_t *bytes, size_t size, bool *quit)
{
	struct pollfd input = { .fd = terminal->fd, .events = POLLIN };
	int ready = poll(&input, 1, wait ? -1 : 0);
	ssize_t got;

	if (ready < 0)
		return errno == EINTR ? 0 : -1;
	if (ready == 0)
		return 0;
	if (!(input.revents & POLLIN))
		return -1; /* hang-up or error with nothing left to read */
	got = read(terminal->fd, bytes, size);
	if (got < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (got == 0)
		return -1;
	return (long)apply_escapes(terminal, bytes, (size_t)got, quit);
}
