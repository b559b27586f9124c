/* Console input: a queue of bytes that enter the console UART one per character time (an
 * event on the machine's queue, so the timing is virtual and repeats), fed by a script that
 * waits for output and time, or by the terminal (console_terminal.c). */
#include "console.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console_pace.h"
#include "console_script.h"
#include "console_socket.h"
#include "console_terminal.h"
#include "error.h"
#include "exit_status.h"
#include "input_log.h"
#include "loop.h"
#include "snapshot_stream.h"

struct byte_buffer {
	uint8_t *bytes;
	size_t start, length, capacity; /* the live bytes are bytes[start, start + length) */
};

struct console {
	struct machine *machine;
	struct byte_buffer pending; /* queued for the UART */
	struct event deliver;       /* puts the next pending byte into the UART */
	vtime_t last_delivery;      /* when the previous byte entered the UART, or VTIME_NEVER */

	struct script script;       /* empty without --console-script */
	size_t next_step;           /* the step running or next to run */
	bool waiting;               /* the current step (expect, sleep, at) has not finished */
	struct event wake;          /* the end of a sleep or at */
	vtime_t wake_time;          /* when `wake` is due */
	struct byte_buffer seen;    /* output since the last expect matched, while a script runs */

	struct terminal *terminal;  /* interactive input, or NULL */
	struct console_socket *socket; /* interactive input and output (--console-socket), or NULL */
	bool typed_gone;            /* the terminal or the client hung up: nothing more to wait for */
	bool wait_for_driver;       /* --kernel: input waits for Linux's driver (uart_ready) */
	int stream_fd;              /* a pipe or file read as the UART can take it, STREAM_FROM_LOG, or -1 */
	bool stream_noticed;        /* said that qvp waits for the pipe's writer */
};

static int buffer_append(struct byte_buffer *buffer, const uint8_t *bytes, size_t length)
{
	if (length == 0)
		return 0; /* an empty buffer has no storage yet, and memcpy must not see its NULL */
	if (buffer->start > 0 && buffer->start + buffer->length + length > buffer->capacity) {
		memmove(buffer->bytes, buffer->bytes + buffer->start, buffer->length);
		buffer->start = 0;
	}
	if (buffer->length + length > buffer->capacity) {
		size_t capacity = buffer->capacity ? buffer->capacity : 256;
		while (capacity < buffer->length + length)
			capacity *= 2;
		uint8_t *grown = realloc(buffer->bytes, capacity);
		if (!grown)
			return error_set("console: out of memory");
		buffer->bytes = grown;
		buffer->capacity = capacity;
	}
	memcpy(buffer->bytes + buffer->start + buffer->length, bytes, length);
	buffer->length += length;
	return 0;
}

static void buffer_consume(struct byte_buffer *buffer, size_t length)
{
	buffer->start += length;
	buffer->length -= length;
	if (buffer->length == 0)
		buffer->start = 0;
}

/* Piped input read back from a replayed recording, not from a descriptor. */
#define STREAM_FROM_LOG (-2)

static bool stream_open(const struct console *console)
{
	return console->stream_fd >= 0 || console->stream_fd == STREAM_FROM_LOG;
}

/* Waits for the stream's next bytes (its writer may be slow): after a second, says once why
 * qvp waits, as a silent open pipe (ssh without a terminal) would otherwise look like a hang. */
static long stream_read(struct console *console, uint8_t *bytes, size_t size)
{
	struct pollfd input = { .fd = console->stream_fd, .events = POLLIN };
	ssize_t got;

	if (!console->stream_noticed && poll(&input, 1, 1000) == 0) {
		console->stream_noticed = true;
		fprintf(stderr, "qvp: console: waiting for more input on standard input (a pipe; "
				"use < /dev/null for none)\n");
	}
	do
		got = read(console->stream_fd, bytes, size);
	while (got < 0 && errno == EINTR);
	return got;
}

/* The next bytes of piped input, read when the UART can take one: the bytes enter at the
 * same virtual times whenever the writer writes them, so a run repeats (docs/user-guide.md).
 * False at the end of the input, which is just no more input. */
static bool stream_pull(struct console *console)
{
	struct input_log *log = console->machine->input_log;
	uint8_t bytes[4096];
	long got;

	if (console->stream_fd == STREAM_FROM_LOG)
		got = (long)input_log_stream_take(log, bytes, sizeof(bytes));
	else if (console->stream_fd >= 0) {
		fflush(console->machine->console); /* a writer may wait for what the guest printed */
		got = stream_read(console, bytes, sizeof(bytes));
		if (log && input_log_stream_add(log, bytes, got > 0 ? (size_t)got : 0) == 0 && got <= 0)
			input_log_stream_end(log); /* --record keeps what the pipe gave */
	} else
		return false;
	if (got > 0)
		return buffer_append(&console->pending, bytes, (size_t)got) == 0;
	console->stream_fd = -1; /* end of input (or an error: the same for the guest) */
	return false;
}

/* Whether the UART takes a byte now: its receiver is enabled with room in the FIFO, and under
 * Linux (--kernel) its receive interrupt is unmasked too. Linux's driver unmasks it when a
 * program first opens the console, and throws away what the UART received before (it drains
 * the FIFO then), so input waits for that instead of being lost (docs/user-guide.md). */
static bool uart_ready(const struct console *console)
{
	const struct console_uart *uart = &console->machine->console_uart;

	return uart->can_receive(uart->uart) && (!console->wait_for_driver || uart->interrupt_unmasked(uart->uart));
}

/* One byte into the UART per character time; a UART that is not ready (uart_ready) holds the
 * queue, and the next try is one character time later. Piped input is read only when the
 * UART can take a byte, so the pipe's timing never shows. */
static void deliver_fire(void *opaque, vtime_t time)
{
	struct console *console = opaque;
	struct console_uart *uart = &console->machine->console_uart;

	if (uart_ready(console) && (console->pending.length > 0 || stream_pull(console))) {
		uart->receive(uart->uart, console->pending.bytes[console->pending.start]);
		buffer_consume(&console->pending, 1);
		console->last_delivery = time;
	}
	if (console->pending.length > 0 || stream_open(console))
		machine_schedule_event(console->machine, &console->deliver, time + CONSOLE_BYTE_TIME);
}

int console_send(struct console *console, const uint8_t *bytes, size_t length)
{
	vtime_t now = machine_now(console->machine), first = now;

	if (length == 0)
		return 0;
	if (buffer_append(&console->pending, bytes, length) < 0)
		return -1;
	if (event_is_queued(&console->deliver))
		return 0;
	if (console->last_delivery != VTIME_NEVER && console->last_delivery + CONSOLE_BYTE_TIME > now)
		first = console->last_delivery + CONSOLE_BYTE_TIME;
	return machine_schedule_event(console->machine, &console->deliver, first);
}

/* The expected text in what the console printed since the last match: consumed up to it. */
static bool expect_met(struct console *console, const struct script_step *step)
{
	const uint8_t *seen, *found;

	if (console->seen.length < step->length)
		return false; /* also: nothing seen yet, and no buffer */
	seen = console->seen.bytes + console->seen.start;
	found = memmem(seen, console->seen.length, step->text, step->length);
	if (!found)
		return false;
	buffer_consume(&console->seen, (size_t)(found - seen) + step->length);
	return true;
}

/* Starts the current step; true if it finished at once. */
static bool step_start(struct console *console, const struct script_step *step)
{
	vtime_t now = machine_now(console->machine);

	switch (step->op) {
	case SCRIPT_SEND:
		return console_send(console, (const uint8_t *)step->text, step->length) == 0;
	case SCRIPT_EXPECT:
		return expect_met(console, step);
	case SCRIPT_SLEEP:
		console->wake_time = step->time > VTIME_NEVER - 1 - now ? VTIME_NEVER - 1 : now + step->time;
		machine_schedule_event(console->machine, &console->wake, console->wake_time);
		return false;
	case SCRIPT_AT:
		if (step->time <= now)
			return true;
		console->wake_time = step->time;
		machine_schedule_event(console->machine, &console->wake, console->wake_time);
		return false;
	}
	return true;
}

/* Runs steps until one has to wait or the script ends. */
static void script_advance(struct console *console)
{
	console->waiting = false;
	while (console->next_step < console->script.count) {
		if (!step_start(console, &console->script.steps[console->next_step])) {
			console->waiting = true;
			return;
		}
		console->next_step++;
	}
}

static void step_done(struct console *console)
{
	console->next_step++;
	script_advance(console);
}

static void wake_fire(void *opaque, vtime_t time)
{
	(void)time;
	step_done(opaque);
}

static bool script_running(const struct console *console)
{
	return console->next_step < console->script.count;
}

void console_output(struct console *console, uint8_t byte)
{
	const struct script_step *step;

	if (!script_running(console))
		return;
	if (buffer_append(&console->seen, &byte, 1) < 0)
		return;
	step = &console->script.steps[console->next_step];
	if (console->waiting && step->op == SCRIPT_EXPECT && console->seen.length >= step->length &&
	    memcmp(console->seen.bytes + console->seen.start + console->seen.length - step->length, step->text,
		   step->length) == 0) {
		buffer_consume(&console->seen, console->seen.length);
		step_done(console);
	}
}

int console_run_script(struct console *console, const char *path)
{
	if (console_script_parse(path, &console->script) < 0)
		return -1;
	console->next_step = 0;
	script_advance(console);
	return 0;
}

bool console_script_ended(const struct console *console)
{
	return console->script.count > 0 && !script_running(console);
}

int console_restart_script(struct machine *machine, struct console **console, const char *path)
{
	if (!*console && !(*console = console_create(machine)))
		return -1;
	event_cancel(machine->events, &(*console)->wake);
	console_script_free(&(*console)->script);
	(*console)->waiting = false;
	buffer_consume(&(*console)->seen, (*console)->seen.length);
	return console_run_script(*console, path);
}

void console_board_reset(struct console *console)
{
	struct machine *machine = console->machine;
	vtime_t now = machine_now(machine);

	if ((console->pending.length > 0 || stream_open(console)) && !event_is_queued(&console->deliver))
		machine_schedule_event(machine, &console->deliver, now);
	if (script_running(console) && console->waiting && !event_is_queued(&console->wake) &&
	    console->script.steps[console->next_step].op != SCRIPT_EXPECT)
		machine_schedule_event(machine, &console->wake, console->wake_time > now ? console->wake_time : now);
}

/* Only expectations count: steps after the last expect (a final sleep, say) may be cut off. */
int console_check_finished(const struct console *console)
{
	const struct script *script = &console->script;

	for (size_t i = console->next_step; i < script->count; i++) {
		const struct script_step *step = &script->steps[i];
		if (step->op != SCRIPT_EXPECT)
			continue;
		if (i == console->next_step)
			return error_set("console script %s:%u: expect \"%.*s\" was never met", script->path, step->line,
					 (int)step->length, step->text);
		return error_set("console script %s:%u: expect \"%.*s\" was never reached (the run ended at line %u)",
				 script->path, step->line, (int)step->length, step->text,
				 script->steps[console->next_step].line);
	}
	return 0;
}

/* What was typed on the terminal or sent by the socket's client (see terminal_read()). */
static long read_typed(struct console *console, bool wait, uint8_t *bytes, size_t size, bool *quit)
{
	if (console->socket)
		return console_socket_read(console->socket, wait, bytes, size);
	return terminal_read(console->terminal, wait, bytes, size, quit);
}

/* Typed input from the input log: replayed, or history replayed for a debugger that went back. */
static int send_logged(void *opaque, const uint8_t *bytes, size_t length)
{
	return console_send(opaque, bytes, length);
}

/* Typed input and the user's quit go into the input log (--record, --gdb), if there is one; a
 * debugger that went back learns that what it recorded after now is not the run's future. */
static void record_input(struct machine *machine, struct input_record *record)
{
	if (machine->input_log && input_log_add(machine->input_log, machine, record) < 0)
		machine_request_fatal_stop(machine);
	machine_tell_debugger(machine, MACHINE_DEBUG_INPUT, NULL);
}

/* The machine's host-input hook: what was typed enters the UART from now on. */
static bool console_host_input(struct machine *machine, bool wait)
{
	struct console *console = machine->console_input;
	uint8_t bytes[256];
	bool quit = false;
	long got;

	fflush(machine->console); /* a prompt without a newline shows before we wait for typing */
	got = read_typed(console, wait, bytes, sizeof(bytes), &quit);

	if (got > 0) {
		record_input(machine, &(struct input_record){ .kind = INPUT_CONSOLE, .length = (uint32_t)got, .bytes = bytes });
		console_send(console, bytes, (size_t)got);
	}
	if (got < 0)
		console->typed_gone = true;
	if (quit) {
		terminal_restore(console->terminal);
		fputs("\nqvp: quit (Ctrl-A x)\n", stderr);
		record_input(machine, &(struct input_record){ .kind = INPUT_EXIT, .value = 0 });
		machine_request_exit(machine, 0);
		return true;
	}
	return got >= 0;
}

int console_attach_terminal(struct console *console, int fd)
{
	console->terminal = terminal_open(fd);
	if (!console->terminal)
		return -1;
	console->machine->host_input = console_host_input;
	return 0;
}

static void save_buffer(const struct byte_buffer *buffer, struct snap_writer *w)
{
	snap_put_u64(w, buffer->length);
	snap_put_bytes(w, buffer->bytes ? buffer->bytes + buffer->start : NULL, buffer->length);
}

/* Replaces the buffer's bytes with the saved ones. */
static void load_buffer(struct byte_buffer *buffer, struct snap_reader *r)
{
	uint64_t length = snap_get_u64(r);

	buffer->start = buffer->length = 0;
	if (r->failed || length > r->length - r->offset) {
		snap_fail(r, "a console buffer of %llu bytes runs past the section's end", (unsigned long long)length);
		return;
	}
	if (buffer_append(buffer, r->data + r->offset, (size_t)length) < 0)
		r->failed = true;
	r->offset += (size_t)length;
}

/* Snapshots: where the script is, what waits to enter the UART and what was seen of the output.
 * Piped or typed input is not saved: it comes from outside. */
static void console_save(const struct console *console, struct snap_writer *w)
{
	snap_put_u32(w, (uint32_t)console->script.count);
	snap_put_u32(w, (uint32_t)console->next_step);
	snap_put_bool(w, console->waiting);
	snap_put_u64(w, console->wake_time);
	snap_put_u64(w, console->last_delivery);
	save_buffer(&console->pending, w);
	save_buffer(&console->seen, w);
	snap_put_event(w, &console->deliver);
	snap_put_event(w, &console->wake);
}

static void console_load(struct console *console, struct snap_reader *r)
{
	if (snap_get_u32(r) != console->script.count)
		snap_fail(r, "saved with a console script of another length (%zu steps here)", console->script.count);
	console->next_step = snap_get_index(r, (uint32_t)console->script.count + 1, "the script's step");
	console->waiting = snap_get_bool(r);
	console->wake_time = snap_get_u64(r);
	console->last_delivery = snap_get_u64(r);
	load_buffer(&console->pending, r);
	load_buffer(&console->seen, r);
	snap_get_event(r, console->machine->events, &console->deliver);
	snap_get_event(r, console->machine->events, &console->wake);
}

struct console *console_create(struct machine *machine)
{
	struct console *console;

	if (!machine->console_uart.uart) {
		error_set("console input: the board has no UART to receive it (arm,pl011)");
		return NULL;
	}
	console = calloc(1, sizeof(*console));
	if (!console) {
		error_set("console: out of memory");
		return NULL;
	}
	console->machine = machine;
	console->last_delivery = VTIME_NEVER;
	console->stream_fd = -1;
	console->wait_for_driver = machine->config.kernel_path != NULL;
	event_init(&console->deliver, "console input", deliver_fire, console);
	event_init(&console->wake, "console script", wake_fire, console);
	machine->console_input = console;
	if (machine->input_log)
		input_log_set_console(machine->input_log, send_logged, console);
	machine->console_output = console_output;
	machine->console_board_reset = console_board_reset;
	machine->console_save = console_save;
	machine->console_load = console_load;
	return console;
}

void console_destroy(struct console *console)
{
	if (!console)
		return;
	event_cancel(console->machine->events, &console->deliver);
	event_cancel(console->machine->events, &console->wake);
	if (console->machine->console_input == console)
		console->machine->console_input = NULL;
	if (console->machine->input_log)
		input_log_set_console(console->machine->input_log, NULL, NULL);
	if (console->machine->host_input == console_host_input)
		console->machine->host_input = NULL;
	console_pace_forget(console);
	terminal_close(console->terminal);
	console_script_free(&console->script);
	free(console->pending.bytes);
	free(console->seen.bytes);
	free(console);
}

size_t console_input_fds(const struct console *console, struct pollfd *fds, size_t size)
{
	size_t count = 0;

	if (console->terminal && !console->typed_gone && count < size)
		fds[count++] = (struct pollfd){ .fd = terminal_fd(console->terminal), .events = POLLIN };
	if (console->socket && !console->typed_gone && count < size)
		fds[count++] = (struct pollfd){ .fd = console_socket_fd(console->socket), .events = POLLIN };
	return count;
}

/* Piped input or a file on standard input: read as the UART can take it (stream_pull). */
static void attach_stream(struct console *console, int fd)
{
	console->stream_fd = fd;
	machine_schedule_event(console->machine, &console->deliver, machine_now(console->machine));
}

/* A pipe or a regular file: input that is all there, whenever it is written (/dev/null, a
 * character device, is no input). */
static bool is_stream(int fd)
{
	struct stat input;

	return fstat(fd, &input) == 0 && (S_ISFIFO(input.st_mode) || S_ISREG(input.st_mode));
}

static int attach_standard_input(struct machine *machine, const char *script_path, struct console **console)
{
	bool terminal = isatty(STDIN_FILENO);

	if (!script_path && ((!terminal && !is_stream(STDIN_FILENO)) || !machine->console_uart.uart))
		return 0;
	*console = console_create(machine);
	if (!*console)
		return -1;
	if (script_path)
		return console_run_script(*console, script_path);
	if (terminal)
		return console_attach_terminal(*console, STDIN_FILENO);
	attach_stream(*console, STDIN_FILENO);
	return 0;
}

/* --console-socket: its client is the console instead of standard input; qvp waits for it
 * here, before the guest runs. */
static int attach_socket_input(struct machine *machine, struct console_socket *socket, struct console **console)
{
	*console = console_create(machine);
	if (!*console || console_socket_accept(socket) < 0)
		return -1;
	(*console)->socket = socket;
	machine->host_input = console_host_input;
	return 0;
}

int console_attach_input(struct machine *machine, const char *script_path, struct console_socket *socket,
			 enum console_pace pace, struct console **console)
{
	bool interactive;
	int attached;

	*console = NULL;
	if (socket)
		attached = attach_socket_input(machine, socket, console);
	else
		attached = attach_standard_input(machine, script_path, console);
	if (attached < 0)
		return -1;
	interactive = *console && ((*console)->terminal || (*console)->socket);
	if (pace == CONSOLE_PACE_REALTIME || (pace == CONSOLE_PACE_AUTO && interactive))
		console_pace_attach(machine, interactive ? *console : NULL);
	return 0;
}

int console_attach_replay(struct machine *machine, const char *script_path, struct console **console)
{
	struct input_log *log = machine->input_log;

	*console = NULL;
	if (!machine->console_uart.uart)
		return 0; /* nothing can have been typed */
	*console = console_create(machine);
	if (!*console)
		return -1;
	if (input_log_has_stream(log)) {
		(*console)->stream_fd = STREAM_FROM_LOG;
		machine_schedule_event(machine, &(*console)->deliver, machine_now(machine));
	}
	return script_path ? console_run_script(*console, script_path) : 0;
}

int console_exit_status(const struct console *console, int exit_status, const char *program)
{
	if (!console || console_check_finished(console) == 0)
		return exit_status;
	fprintf(stderr, "%s: %s\n", program, error_message());
	return exit_status == 0 ? QVP_EXIT_SCRIPT : exit_status;
}
