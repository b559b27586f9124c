/* Writing and reading the fields of a snapshot section, little-endian, bounds-checked. */
#include "snapshot_stream.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

void snap_put_bytes(struct snap_writer *w, const void *data, size_t length)
{
	if (w->failed || length == 0)
		return;
	if (w->length + length > w->capacity) {
		size_t capacity = w->capacity ? w->capacity : 4096;
		while (capacity < w->length + length)
			capacity *= 2;
		uint8_t *grown = realloc(w->data, capacity);
		if (!grown) {
			snap_writer_fail(w, "out of memory");
			return;
		}
		w->data = grown;
		w->capacity = capacity;
	}
	memcpy(w->data + w->length, data, length);
	w->length += length;
}

void snap_writer_fail(struct snap_writer *w, const char *format, ...)
{
	char message[512];
	va_list args;

	if (w->failed)
		return;
	va_start(args, format);
	vsnprintf(message, sizeof(message), format, args);
	va_end(args);
	error_set("%s", message);
	w->failed = true;
}

void snap_put_u8(struct snap_writer *w, uint8_t value)
{
	snap_put_bytes(w, &value, 1);
}

static void put_little_endian(struct snap_writer *w, uint64_t value, unsigned count)
{
	uint8_t bytes[8];

	for (unsigned k = 0; k < count; k++)
		bytes[k] = (uint8_t)(value >> (8 * k));
	snap_put_bytes(w, bytes, count);
}

void snap_put_u32(struct snap_writer *w, uint32_t value)
{
	put_little_endian(w, value, 4);
}

void snap_put_u64(struct snap_writer *w, uint64_t value)
{
	put_little_endian(w, value, 8);
}

void snap_put_bool(struct snap_writer *w, bool value)
{
	snap_put_u8(w, value ? 1 : 0);
}

void snap_put_string(struct snap_writer *w, const char *text)
{
	size_t length = text ? strlen(text) : 0;

	snap_put_u32(w, (uint32_t)length);
	snap_put_bytes(w, text, length);
}

int snap_fail(struct snap_reader *r, const char *format, ...)
{
	char message[384];
	va_list args;

	if (r->failed)
		return -1;
	va_start(args, format);
	vsnprintf(message, sizeof(message), format, args);
	va_end(args);
	r->failed = true;
	return error_set("section '%s', byte %zu of the file: %s", r->section, r->file_offset + r->offset, message);
}

void snap_get_bytes(struct snap_reader *r, void *data, size_t length)
{
	if (r->failed || length > r->length - r->offset) {
		snap_fail(r, "truncated: %zu more bytes expected, %zu left", length, r->length - r->offset);
		memset(data, 0, length);
		return;
	}
	memcpy(data, r->data + r->offset, length);
	r->offset += length;
}

uint8_t snap_get_u8(struct snap_reader *r)
{
	uint8_t value;

	snap_get_bytes(r, &value, 1);
	return value;
}

static uint64_t get_little_endian(struct snap_reader *r, unsigned count)
{
	uint8_t bytes[8];
	uint64_t value = 0;

	snap_get_bytes(r, bytes, count);
	for (unsigned k = 0; k < count; k++)
		value |= (uint64_t)bytes[k] << (8 * k);
	return value;
}

uint32_t snap_get_u32(struct snap_reader *r)
{
	return (uint32_t)get_little_endian(r, 4);
}

uint64_t snap_get_u64(struct snap_reader *r)
{
	return get_little_endian(r, 8);
}

bool snap_get_bool(struct snap_reader *r)
{
	uint8_t value = snap_get_u8(r);

	if (value > 1)
		snap_fail(r, "a flag holds %u (0 or 1 expected)", value);
	return value == 1;
}

void snap_get_string(struct snap_reader *r, char *buffer, size_t size)
{
	uint32_t length = snap_get_u32(r);

	buffer[0] = '\0';
	if (length >= size) {
		snap_fail(r, "a string of %" PRIu32 " bytes (at most %zu expected)", length, size - 1);
		return;
	}
	snap_get_bytes(r, buffer, length);
	buffer[r->failed ? 0 : length] = '\0';
}

uint32_t snap_get_index(struct snap_reader *r, uint32_t limit, const char *what)
{
	uint32_t value = snap_get_u32(r);

	if (value >= limit) {
		snap_fail(r, "%s is %" PRIu32 " (below %" PRIu32 " expected)", what, value, limit);
		return 0;
	}
	return value;
}

int snap_reader_finish(struct snap_reader *r)
{
	if (!r->failed && r->offset != r->length)
		snap_fail(r, "%zu bytes left over after its state", r->length - r->offset);
	return r->failed ? -1 : 0;
}

void snap_put_event(struct snap_writer *w, const struct event *event)
{
	bool queued = event_is_queued(event);

	snap_put_string(w, event->name);
	snap_put_bool(w, queued);
	snap_put_u64(w, queued ? event->time : 0); /* what an idle event last held means nothing */
	snap_put_u64(w, queued ? event->sequence : 0);
}

void snap_get_event(struct snap_reader *r, struct event_queue *queue, struct event *event)
{
	char name[128];
	bool queued;
	vtime_t time;
	uint64_t sequence;

	snap_get_string(r, name, sizeof(name));
	queued = snap_get_bool(r);
	time = snap_get_u64(r);
	sequence = snap_get_u64(r);
	if (!r->failed && strcmp(name, event->name) != 0)
		snap_fail(r, "event '%s' where '%s' was expected", name, event->name);
	if (r->failed)
		return;
	event_cancel(queue, event);
	if (queued && event_restore(queue, event, time, sequence) < 0)
		r->failed = true;
}

void snap_put_irq_line(struct snap_writer *w, const struct irq_line *line)
{
	snap_put_bool(w, line->level);
}

void snap_get_irq_line(struct snap_reader *r, struct irq_line *line)
{
	line->level = snap_get_bool(r);
}
