/* The GDB remote protocol's framing: bytes from a socket or serial line to checked packets, and back. */
#include "gdb_packet.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define STALLED_PACKET_MS 1000 /* a packet cut off for this long is dropped */
#define ACK_WAIT_MS 5000
#define ACK_RETRIES 3
#define HUNG_UP_RETRY_MS 100 /* how often a hung-up serial line is looked at again */

enum { BYTE_NONE = -1, BYTE_CLOSED = -2 };

void gdb_connection_init(struct gdb_connection *connection, int fd)
{
	struct stat info;

	memset(connection, 0, sizeof(*connection));
	connection->fd = fd;
	connection->serial_line = fd >= 0 && fstat(fd, &info) == 0 && !S_ISSOCK(info.st_mode);
	connection->idle = connection->serial_line; /* until a gdb talks on it */
}

void gdb_connection_close(struct gdb_connection *connection)
{
	if (connection->fd >= 0)
		close(connection->fd);
	connection->fd = -1;
}

void gdb_connection_end_session(struct gdb_connection *connection)
{
	if (!connection->serial_line) {
		gdb_connection_close(connection);
		return;
	}
	connection->idle = true;
	connection->no_ack = false; /* the next gdb on the line starts in ack mode */
	connection->input_start = connection->input_end = 0;
}

/* The next byte, waiting up to wait_ms (< 0: forever); BYTE_NONE or BYTE_CLOSED otherwise. */
static int next_byte(struct gdb_connection *connection, int wait_ms)
{
	struct pollfd poller = { .fd = connection->fd, .events = POLLIN };
	ssize_t got;

	if (connection->fd < 0)
		return BYTE_CLOSED;
	if (connection->input_start < connection->input_end)
		return connection->input[connection->input_start++];
	if (poll(&poller, 1, wait_ms) < 0)
		return errno == EINTR ? BYTE_NONE : BYTE_CLOSED;
	if (!(poller.revents & (POLLIN | POLLHUP | POLLERR)))
		return BYTE_NONE;
	got = read(connection->fd, connection->input, sizeof(connection->input));
	if (got <= 0)
		return got < 0 && errno == EINTR ? BYTE_NONE : BYTE_CLOSED;
	connection->input_start = 1;
	connection->input_end = (size_t)got;
	return connection->input[0];
}

bool gdb_connection_has_input(struct gdb_connection *connection, int wait_ms)
{
	for (;;) {
		int c = connection->fd >= 0 ? next_byte(connection, wait_ms) : BYTE_CLOSED;

		if (c >= 0) {
			connection->input_start--; /* looked at, not consumed */
			return true;
		}
		if (wait_ms >= 0 || connection->fd < 0)
			return false;
		if (c == BYTE_CLOSED) /* hung up: poll() would say so at once, every time */
			poll(NULL, 0, HUNG_UP_RETRY_MS);
	}
}

/* A serial line is written once it can take the bytes: a hung-up line (a virtio port with
 * nothing at the host's end would block a write until something connects) ends the session. */
static bool serial_line_writable(struct gdb_connection *connection)
{
	struct pollfd poller = { .fd = connection->fd, .events = POLLOUT };

	return poll(&poller, 1, ACK_WAIT_MS) > 0 && !(poller.revents & (POLLHUP | POLLERR)) &&
	       (poller.revents & POLLOUT);
}

static void send_raw(struct gdb_connection *connection, const void *data, size_t length)
{
	ssize_t sent = -1;

	if (connection->fd < 0 || connection->idle)
		return;
	if (!connection->serial_line)
		sent = send(connection->fd, data, length, MSG_NOSIGNAL); /* no SIGPIPE from a closed socket */
	else if (serial_line_writable(connection))
		sent = write(connection->fd, data, length);
	if (sent != (ssize_t)length)
		gdb_connection_end_session(connection);
}

static void send_ack(struct gdb_connection *connection, char ack)
{
	if (!connection->no_ack)
		send_raw(connection, &ack, 1);
}

/* A packet stopped arriving: refused, so the client may send it again. */
static enum gdb_read_result stalled(struct gdb_connection *connection, int c)
{
	if (c == BYTE_CLOSED)
		return GDB_READ_CLOSED;
	send_ack(connection, '-');
	return GDB_READ_NOTHING;
}

/* The body after '$': up to '#' and two checksum digits. */
static enum gdb_read_result read_body(struct gdb_connection *connection, char *packet, size_t *length)
{
	unsigned sum = 0, stated = 0;
	bool escaped = false, oversized = false;
	size_t size = 0;
	int c;

	for (;;) {
		c = next_byte(connection, STALLED_PACKET_MS);
		if (c < 0)
			return stalled(connection, c);
		if (c == '#')
			break;
		sum += (unsigned)c;
		if (c == '}' && !escaped) {
			escaped = true;
			continue;
		}
		if (size + 1 >= GDB_PACKET_SIZE)
			oversized = true;
		else
			packet[size++] = (char)(escaped ? c ^ 0x20 : c);
		escaped = false;
	}
	for (int k = 0; k < 2; k++) {
		c = next_byte(connection, STALLED_PACKET_MS);
		if (c < 0)
			return stalled(connection, c);
		if (gdb_hex_value((char)c) < 0)
			oversized = true; /* not a checksum: reject like one that does not match */
		stated = stated << 4 | (unsigned)(gdb_hex_value((char)c) & 0xf);
	}
	if (oversized || (!connection->no_ack && stated != (sum & 0xff))) {
		send_ack(connection, '-');
		return GDB_READ_NOTHING;
	}
	send_ack(connection, '+');
	packet[size] = '\0';
	*length = size;
	return GDB_READ_PACKET;
}

enum gdb_read_result gdb_packet_read(struct gdb_connection *connection, char *packet, size_t *length, int wait_ms)
{
	for (;;) {
		int c = next_byte(connection, wait_ms);
		if (c == BYTE_CLOSED)
			return GDB_READ_CLOSED;
		if (c == BYTE_NONE)
			return GDB_READ_NOTHING;
		if (c == 0x03)
			return GDB_READ_INTERRUPT;
		if (c == '$')
			return read_body(connection, packet, length);
		/* '+', '-' and noise between packets are skipped */
	}
}

/* Waits for '+'; true when it came (or acks are off). A '-' asks for the packet again. */
static bool acknowledged(struct gdb_connection *connection, bool *resend)
{
	*resend = false;
	if (connection->no_ack)
		return true;
	for (;;) {
		int c = next_byte(connection, ACK_WAIT_MS);
		if (c == '+')
			return true;
		if (c == '-') {
			*resend = true;
			return false;
		}
		if (c < 0)
			return false;
		if (c == '$' || c == 0x03) { /* the client went on without acking: keep the byte */
			connection->input_start--;
			return true;
		}
	}
}

int gdb_packet_send(struct gdb_connection *connection, const char *data, size_t length)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char sum = 0;
	char trailer[3];
	bool resend;

	for (size_t k = 0; k < length; k++)
		sum = (unsigned char)(sum + (unsigned char)data[k]);
	trailer[0] = '#';
	trailer[1] = digits[sum >> 4];
	trailer[2] = digits[sum & 0xf];
	for (int attempt = 0; attempt < ACK_RETRIES; attempt++) {
		send_raw(connection, "$", 1);
		send_raw(connection, data, length);
		send_raw(connection, trailer, 3);
		if (connection->fd < 0 || connection->idle)
			return -1;
		if (acknowledged(connection, &resend))
			return 0;
		if (!resend)
			break;
	}
	gdb_connection_end_session(connection);
	return -1;
}

int gdb_packet_send_text(struct gdb_connection *connection, const char *text)
{
	return gdb_packet_send(connection, text, strlen(text));
}

/* ---- Hex encoding of packet fields ---- */

static const char hex_digits[] = "0123456789abcdef";

void gdb_hex_encode(char *out, const uint8_t *bytes, size_t count)
{
	for (size_t k = 0; k < count; k++) {
		out[2 * k] = hex_digits[bytes[k] >> 4];
		out[2 * k + 1] = hex_digits[bytes[k] & 0xf];
	}
	out[2 * count] = '\0';
}

/* A register value as gdb wants it: target (little-endian) byte order. */
void gdb_encode_register(char *out, uint64_t value, unsigned bytes)
{
	uint8_t le[8];

	for (unsigned k = 0; k < bytes; k++)
		le[k] = (uint8_t)(value >> (8 * k));
	gdb_hex_encode(out, le, bytes);
}

int gdb_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A big-endian hex number (addresses, lengths); advances *text past it. */
bool gdb_parse_number(const char **text, uint64_t *value)
{
	const char *p = *text;
	unsigned digits = 0;

	*value = 0;
	while (gdb_hex_value(*p) >= 0 && digits <= 16) {
		*value = *value << 4 | (uint64_t)gdb_hex_value(*p++);
		digits++;
	}
	*text = p;
	return digits > 0 && digits <= 16;
}

bool gdb_hex_decode(const char *text, uint8_t *bytes, size_t count)
{
	for (size_t k = 0; k < count; k++) {
		int high = gdb_hex_value(text[2 * k]), low = high < 0 ? -1 : gdb_hex_value(text[2 * k + 1]);
		if (low < 0)
			return false;
		bytes[k] = (uint8_t)(high << 4 | low);
	}
	return true;
}

uint64_t gdb_decode_register(const char *text, unsigned bytes)
{
	uint8_t le[8] = { 0 };
	uint64_t value = 0;

	gdb_hex_decode(text, le, bytes);
	for (unsigned k = 0; k < bytes; k++)
		value |= (uint64_t)le[k] << (8 * k);
	return value;
}

/* "ADDR,LENGTH" followed by `end` (':' or '\0'); the length at most `limit`. */
bool gdb_parse_range(const char **text, uint64_t *address, uint64_t *length, char end, uint64_t limit)
{
	return gdb_parse_number(text, address) && *(*text)++ == ',' && gdb_parse_number(text, length) && **text == end &&
	       *length <= limit;
}

