/* Listening TCP sockets for the rooms above the machine (--gdb, --console-socket): an address
 * "[HOST:]PORT" is parsed, checked and bound in one place. */
#ifndef QVP_NET_LISTEN_H
#define QVP_NET_LISTEN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Listens on "[HOST:]PORT" (host 127.0.0.1 unless given; port 0: any free port) for one
 * client. The listening descriptor, or -1 after error_set() naming `option` and `address`. */
int net_listen(const char *option, const char *address);

/* "HOST:PORT" that the listening socket `fd` is bound to (the port it got for port 0). */
void net_bound_address(int fd, char *out, size_t size);

/* A client of `listen_fd` within `wait_ms` (-1: however long it takes): its descriptor, with
 * small writes sent at once; -1 if none came. */
int net_accept(int listen_fd, int wait_ms);

#ifdef __cplusplus
}
#endif
#endif
