/* Console input: the bytes the console UART receives, from a script (--console-script), from
 * the terminal qvp runs in, or from a pipe or file on standard input. Bytes enter the UART one
 * per character time of 115200 baud in virtual time, so a scripted or piped run repeats
 * exactly; typed input is the one documented source of nondeterminism (docs/user-guide.md). */
#ifndef QVP_CONSOLE_H
#define QVP_CONSOLE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One character time at 115200 baud, 8N1 (10 bits): how often a byte enters the UART. */
#define CONSOLE_BYTE_TIME (10 * VTIME_S / 115200)

struct console;

/* Console input for `machine` (machine->console_input); nothing is sent until a script or
 * a terminal is attached. Returns NULL after error_set() if the board has no console UART. */
struct console *console_create(struct machine *machine);
void console_destroy(struct console *console);

/* Loads and starts a console script (format: docs/user-guide.md); -1 after error_set() naming
 * the file and line of what is malformed. */
int console_run_script(struct console *console, const char *path);

/* Puts the terminal at `fd` in raw mode (restored by console_destroy(), at exit and on
 * fatal signals) and forwards what is typed; Ctrl-A x ends the run, Ctrl-A Ctrl-A sends
 * Ctrl-A. Sets machine->host_input. -1 after error_set() if `fd` is no terminal. */
int console_attach_terminal(struct console *console, int fd);

/* The board was rebuilt (PSCI SYSTEM_RESET) with a new event queue: what was waiting for an
 * event (queued bytes, a sleep or at) carries on from now. */
void console_board_reset(struct console *console);

/* Queues bytes for the UART, after those already queued. */
int console_send(struct console *console, const uint8_t *bytes, size_t length);

/* The console UART transmitted `byte` (called by the UART model): scripts wait for output. */
void console_output(struct console *console, uint8_t byte);

/* --pace: whether idle time keeps pace with the host's clock (console_pace.h). */
enum console_pace {
	CONSOLE_PACE_AUTO,     /* realtime when a person is at the console (a terminal, a socket), else none */
	CONSOLE_PACE_REALTIME,
	CONSOLE_PACE_NONE,
};

struct console_socket; /* console_socket.h */

/* The console input of a run: the client of `socket` (--console-socket, waited for here) if
 * given, else the script if `script_path` is given, else standard input if the board has a
 * console UART and standard input is a terminal (typed input), a pipe or a regular file (read
 * as the UART can take it), else none (*console NULL). Paces idle time as `pace` says. -1
 * after error_set(). */
int console_attach_input(struct machine *machine, const char *script_path, struct console_socket *socket,
			 enum console_pace pace, struct console **console);

/* --replay: console input comes from the machine's input log (typed bytes at their recorded
 * places, piped input in its order) and from the recorded run's script, if any; standard input
 * is not read. *console is NULL when the board has no console UART. -1 after error_set(). */
int console_attach_replay(struct machine *machine, const char *script_path, struct console **console);

/* The descriptors whose readability means typed input has arrived (at most
 * CONSOLE_MAX_INPUT_FDS), for a wait that typing should end. */
#define CONSOLE_MAX_INPUT_FDS 2
size_t console_input_fds(const struct console *console, struct pollfd *fds, size_t size);

/* The run's exit status: a console script whose expectations were not all met (said on
 * standard error after "PROGRAM: ") turns a successful run into QVP_EXIT_SCRIPT (123). */
int console_exit_status(const struct console *console, int exit_status, const char *program);

/* A script was given and has run its last step (--snapshot-at script). */
bool console_script_ended(const struct console *console);

/* A restored run's new --console-script: it starts at the snapshot and sees only what the guest
 * prints from then on; the snapshot's own script, if any, is dropped, and bytes it had queued
 * for the UART still enter it. Creates the console if the snapshot had none. -1 after error_set(). */
int console_restart_script(struct machine *machine, struct console **console, const char *path);

/* At the end of the run: 0 if the script (if any) ran to its end, else -1 after error_set()
 * saying which line it waited on. */
int console_check_finished(const struct console *console);

#ifdef __cplusplus
}
#endif
#endif
