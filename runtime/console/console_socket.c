/* The console on a TCP socket: qvp listens, waits for one client before the guest runs, sends
 * it the UART's output and reads what it sends as typed input. The client closing its side ends
 * the input; output then still goes to it until it is gone altogether. */
#include "console_socket.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"
#include "net_listen.h"

struct console_socket {
	int listen_fd;
	int client_fd;       /* -1 until the client connected */
	bool input_ended;    /* the client closed its side */
	bool output_dropped; /* the client is gone: nothing more is sent */
};

struct console_socket *console_socket_listen(const char *address)
{
	struct console_socket *socket = calloc(1, sizeof(*socket));

	if (!socket) {
		error_set("console: out of memory");
		return NULL;
	}
	socket->client_fd = -1;
	socket->listen_fd = net_listen("--console-socket", address);
	if (socket->listen_fd < 0) {
		free(socket);
		return NULL;
	}
	return socket;
}

void console_socket_close(struct console_socket *socket)
{
	if (!socket)
		return;
	if (socket->client_fd >= 0)
		close(socket->client_fd);
	if (socket->listen_fd >= 0)
		close(socket->listen_fd);
	free(socket);
}

/* All of `bytes` to the client, or none once it is gone (no SIGPIPE: MSG_NOSIGNAL). */
static ssize_t output_write(void *cookie, const char *bytes, size_t size)
{
	struct console_socket *socket = cookie;
	size_t sent = 0;

	while (socket->client_fd >= 0 && !socket->output_dropped && sent < size) {
		ssize_t written = send(socket->client_fd, bytes + sent, size - sent, MSG_NOSIGNAL);
		if (written < 0 && errno == EINTR)
			continue;
		if (written <= 0)
			socket->output_dropped = true;
		else
			sent += (size_t)written;
	}
	return (ssize_t)size; /* what the client missed is dropped, as on a serial line nobody reads */
}

FILE *console_socket_output(struct console_socket *socket)
{
	cookie_io_functions_t functions = { .write = output_write };
	FILE *stream = fopencookie(socket, "w", functions);

	if (!stream)
		error_set("console: out of memory");
	return stream;
}

int console_socket_accept(struct console_socket *socket)
{
	char address[64];
	const char *port;

	net_bound_address(socket->listen_fd, address, sizeof(address));
	port = strrchr(address, ':');
	port = port ? port + 1 : address;
	fprintf(stderr, "qvp: console: listening on %s, the guest starts when a client connects (nc %.*s %s)\n",
		address, (int)(port - address - 1), address, port);
	for (;;) {
		socket->client_fd = net_accept(socket->listen_fd, -1);
		if (socket->client_fd >= 0)
			break;
		if (errno != EINTR && errno != ECONNABORTED)
			return error_set("--console-socket %s: %s", address, strerror(errno));
	}
	close(socket->listen_fd); /* one client: later ones are refused, not left waiting */
	socket->listen_fd = -1;
	return 0;
}

int console_socket_fd(const struct console_socket *socket)
{
	return socket->client_fd;
}

long console_socket_read(struct console_socket *socket, bool wait, uint8_t *bytes, size_t size)
{
	struct pollfd input = { .fd = socket->client_fd, .events = POLLIN };
	int ready;
	ssize_t got;

	if (socket->input_ended)
		return -1;
	ready = poll(&input, 1, wait ? -1 : 0);
	if (ready < 0)
		return errno == EINTR ? 0 : -1;
	if (ready == 0)
		return 0;
	got = recv(socket->client_fd, bytes, size, MSG_DONTWAIT);
	if (got < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (got <= 0)
		socket->input_ended = true;
	return got <= 0 ? -1 : (long)got;
}
