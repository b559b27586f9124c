/* The console on a TCP socket (--console-socket [HOST:]PORT), as QEMU's -serial tcp::PORT,server:
 * one client (nc, telnet) gets the UART's output and what it sends is typed input. A raw byte
 * stream, with no telnet negotiation. */
#ifndef QVP_CONSOLE_SOCKET_H
#define QVP_CONSOLE_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct console_socket;

/* Listens on "[HOST:]PORT" (127.0.0.1 unless a host is given); NULL after error_set(). */
struct console_socket *console_socket_listen(const char *address);

/* Closes the connection and the socket; NULL is fine. After the stream is closed. */
void console_socket_close(struct console_socket *socket);

/* The stream for the UART's output: it goes to the client, and is dropped once the client has
 * gone. Close it with fclose() before console_socket_close(). NULL after error_set(). */
FILE *console_socket_output(struct console_socket *socket);

/* Says on stderr where qvp listens and waits for the client; -1 after error_set(). */
int console_socket_accept(struct console_socket *socket);

/* The client's descriptor (-1 before it connected): to wait for its input with other things,
 * and to write out what a signal that ends qvp leaves in the output stream's buffer. */
int console_socket_fd(const struct console_socket *socket);

/* What the client sent, into `bytes`; with `wait`, blocks until something arrives. The byte
 * count (0: nothing yet), or -1 once the client has closed its side (the end of the input). */
long console_socket_read(struct console_socket *socket, bool wait, uint8_t *bytes, size_t size);

#ifdef __cplusplus
}
#endif
#endif
