/* The terminal as console input: raw mode, restored at exit and on fatal signals; Ctrl-A
 * escapes as in QEMU. */
#ifndef QVP_CONSOLE_TERMINAL_H
#define QVP_CONSOLE_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct terminal;

/* Raw mode on `fd`; NULL after error_set() if it is not a terminal. Only one at a time. */
struct terminal *terminal_open(int fd);

/* Restores the terminal's mode and frees it; NULL is fine. */
void terminal_close(struct terminal *terminal);

/* Restores the terminal's mode now (before a message), keeping the terminal open. */
void terminal_restore(struct terminal *terminal);

/* The terminal's descriptor, to wait for typing together with other things. */
int terminal_fd(const struct terminal *terminal);

/* What was typed, Ctrl-A escapes applied, into `bytes`; with `wait`, blocks until something
 * arrives. Returns the byte count (0: nothing yet), -1 once the terminal is gone (end of
 * file, hang-up). Sets *quit on Ctrl-A x. */
long terminal_read(struct terminal *terminal, bool wait, uint8_t *bytes, size_t size, bool *quit);

#endif
