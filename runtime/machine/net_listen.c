/* Listening TCP sockets: "[HOST:]PORT" into an address, a bound and listening socket, and the
 * one client it serves. */
#include "net_listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"

/* "[HOST:]PORT" into host and port strings; the port is digits and at most 65535. */
static int split_address(const char *option, const char *address, char *host, size_t host_size, const char **port)
{
	const char *colon = strrchr(address, ':');
	size_t length = colon ? (size_t)(colon - address) : 0;

	*port = colon ? colon + 1 : address;
	if (length >= host_size)
		return error_set("%s %s: host name too long", option, address);
	snprintf(host, host_size, "%.*s", (int)length, address);
	if (!length)
		snprintf(host, host_size, "127.0.0.1");
	if (!**port || strspn(*port, "0123456789") != strlen(*port))
		return error_set("%s %s: expected [HOST:]PORT, e.g. 1234 or 0.0.0.0:1234", option, address);
	/* getaddrinfo takes the port modulo 65536: 70000 would be 4464 */
	if (strlen(*port) > 5 || strtoul(*port, NULL, 10) > 65535)
		return error_set("%s %s: port %s is out of range (1 to 65535, or 0 for any free port)", option, address,
				 *port);
	return 0;
}

static int bind_and_listen(const char *option, const char *address, const struct addrinfo *found)
{
	int fd = socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, 0), one = 1;

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)); /* a port just left by another run */
	if (fd < 0 || bind(fd, found->ai_addr, found->ai_addrlen) < 0 || listen(fd, 1) < 0) {
		error_set("%s %s: cannot listen: %s", option, address, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int net_listen(const char *option, const char *address)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *found;
	char host[256];
	const char *port;
	int fd, status;

	if (split_address(option, address, host, sizeof(host), &port) < 0)
		return -1;
	status = getaddrinfo(host, port, &hints, &found);
	if (status)
		return error_set("%s %s: %s", option, address,
				 status == EAI_SYSTEM ? strerror(errno) : gai_strerror(status));
	fd = bind_and_listen(option, address, found);
	freeaddrinfo(found);
	return fd;
}

void net_bound_address(int fd, char *out, size_t size)
{
	struct sockaddr_in bound;
	socklen_t length = sizeof(bound);
	char host[INET_ADDRSTRLEN] = "?";

	if (getsockname(fd, (struct sockaddr *)&bound, &length) < 0) {
		snprintf(out, size, "?");
		return;
	}
	inet_ntop(AF_INET, &bound.sin_addr, host, sizeof(host));
	snprintf(out, size, "%s:%u", host, ntohs(bound.sin_port));
}

int net_accept(int listen_fd, int wait_ms)
{
	struct pollfd poller = { .fd = listen_fd, .events = POLLIN };
	int fd, one = 1;

	if (poll(&poller, 1, wait_ms) <= 0 || !(poller.revents & POLLIN))
		return -1;
	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* a prompt or a packet goes out at once */
	return fd;
}
