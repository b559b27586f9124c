/* The GDB remote protocol's framing over a socket: $data#checksum, acks, and Ctrl-C. */
#ifndef QVP_GDB_PACKET_H
#define QVP_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
	bool serial_line; /* a character device, not a socket */
	bool idle; /* a serial line that no gdb talks on now (it stays open for the next) */
	unsigned char input[4096];
	size_t input_start, input_end;
};

void gdb_connection_init(struct gdb_connection *connection, int fd);
void gdb_connection_close(struct gdb_connection *connection);
/* The client is gone: a socket is closed; a serial line stays open for the next gdb. */
void gdb_connection_end_session(struct gdb_connection *connection);

/* Whether bytes from the client wait to be read (they stay unread), within wait_ms; wait_ms < 0
 * waits until some come, through a serial line's hang-ups (a virtio console port reads as
 * hung up while nothing is connected at the host's end). */
bool gdb_connection_has_input(struct gdb_connection *connection, int wait_ms);

/* Reads one packet into `packet` (binary escapes undone, NUL-terminated, *length without it).
 * wait_ms < 0 waits until something arrives; an oversized or badly checksummed packet is
 * NAKed and skipped; a packet cut off for over a second is dropped. */
enum gdb_read_result gdb_packet_read(struct gdb_connection *connection, char *packet, size_t *length, int wait_ms);

/* Sends one packet and, in ack mode, waits (bounded) for the client's '+'; -1 when it is gone. */
int gdb_packet_send(struct gdb_connection *connection, const char *data, size_t length);
int gdb_packet_send_text(struct gdb_connection *connection, const char *text);

/* Packet fields: hex bytes, target-order (little-endian) register values, big-endian numbers. */
void gdb_hex_encode(char *out, const uint8_t *bytes, size_t count); /* NUL-terminates */
bool gdb_hex_decode(const char *text, uint8_t *bytes, size_t count);
void gdb_encode_register(char *out, uint64_t value, unsigned bytes);
uint64_t gdb_decode_register(const char *text, unsigned bytes);
int gdb_hex_value(char c); /* -1 if not a hex digit */
/* 1 to 16 hex digits; advances *text past them. */
bool gdb_parse_number(const char **text, uint64_t *value);
/* "ADDR,LENGTH" followed by `end` (':' or '\0'), the length at most `limit`. */
bool gdb_parse_range(const char **text, uint64_t *address, uint64_t *length, char end, uint64_t limit);

#endif
