/* The GDB remote protocol's framing over a socket: $data#checksum, acks, and Ctrl-C. */
#ifndef QVP_GDB_PACKET_H
#define QVP_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>

#define GDB_PACKET_SIZE 0x4000 /* the largest packet we accept, announced in qSupported */

enum gdb_read_result {
	GDB_READ_PACKET,    /* a packet with a good checksum is in the buffer */
	GDB_READ_INTERRUPT, /* the client sent Ctrl-C (0x03) */
	GDB_READ_NOTHING,   /* no complete packet within the wait */
	GDB_READ_CLOSED,    /* the client disconnected or the socket failed */
};

struct gdb_connection {
	int fd;
	bool no_ack; /* after QStartNoAckMode: no '+'/'-' either way */
	unsigned char input[4096];
	size_t input_start, input_end;
};

void gdb_connection_init(struct gdb_connection *connection, int fd);
void gdb_connection_close(struct gdb_connection *connection);

/* Reads one packet into `packet` (binary escapes undone, NUL-terminated, *length without it).
 * wait_ms < 0 waits until something arrives; an oversized or badly checksummed packet is
 * NAKed and skipped; a packet cut off for over a second is dropped. */
enum gdb_read_result gdb_packet_read(struct gdb_connection *connection, char *packet, size_t *length, int wait_ms);

/* Sends one packet and, in ack mode, waits (bounded) for the client's '+'; -1 when it is gone. */
int gdb_packet_send(struct gdb_connection *connection, const char *data, size_t length);
int gdb_packet_send_text(struct gdb_connection *connection, const char *text);

#endif
