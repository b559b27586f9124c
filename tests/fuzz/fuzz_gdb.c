/* The gdb remote protocol (runtime/gdb/) with a machine behind it: each input is the byte
 * stream a client sends on one connection (framing, acks, Ctrl-C, every packet), served by
 * the stub of a virt machine (1 MiB of RAM) on the iss backend whose firmware counts in RAM, for at most 5 us
 * of virtual time. The stub's replies are read and thrown away by a second thread. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_support.h"
#include "gdb_stub_internal.h"
#include "loop.h"
#include "machine.h"

/* A loop that loads, increments and stores a counter: memory for watchpoints, a PC to step. */
static const uint32_t counter_loop[] = {
	0xd2a80002, /* movz x2, #0x4000, lsl #16 */
	0xf9400041, /* ldr x1, [x2] */
	0x91000421, /* add x1, x1, #1 */
	0xf9000041, /* str x1, [x2] */
	0x17fffffd, /* b .-12 */
};

/* The client's end after its bytes are sent: reads what the stub says until it hangs up. */
static void *drain(void *opaque)
{
	int fd = *(int *)opaque;
	char buffer[4096];

	while (read(fd, buffer, sizeof(buffer)) > 0)
		continue;
	return NULL;
}

/* The whole input is in the socket before the machine starts, so what the stub reads (and
 * when) does not depend on thread timing: every run of an input is the same. */
static void connect_client(const uint8_t *data, size_t size, int ends[2])
{
	size_t sent = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, ends) < 0)
		abort();
	while (sent < size) {
		ssize_t wrote = write(ends[1], data + sent, size - sent);
		if (wrote <= 0)
			abort(); /* inputs are kept smaller than the socket's buffer (run.sh: -max_len) */
		sent += (size_t)wrote;
	}
	shutdown(ends[1], SHUT_WR);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct machine_config config;
	struct machine *machine;
	struct gdb_stub *stub;
	pthread_t reader;
	int ends[2];

	if (size > 64 * 1024)
		return 0;
	fuzz_machine_config(&config, QVP_FUZZ_VIRT_DTB, counter_loop, sizeof(counter_loop) / sizeof(counter_loop[0]),
			    5 * VTIME_US);
	config.memory_size = FUZZ_SMALL_RAM; /* addresses past it are the stub's error path, as on any board */
	machine = machine_create(&config);
	stub = calloc(1, sizeof(*stub));
	if (!machine || !stub)
		abort();
	connect_client(data, size, ends);
	stub->listen_fd = -1;
	stub->wait_for_client = true;
	gdb_connection_init(&stub->connection, ends[0]); /* what accepting a client does */
	gdb_stub_attach(stub, machine);
	if (pthread_create(&reader, NULL, drain, &ends[1]) != 0)
		abort();
	machine_run(machine);
	gdb_stub_destroy(stub); /* hangs up, if the session did not end already */
	pthread_join(reader, NULL);
	close(ends[1]);
	machine_destroy(machine);
	return 0;
}
