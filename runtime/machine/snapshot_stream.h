/* The bytes of one snapshot section (snapshot.h): a writer that grows a buffer and a reader that
 * checks every field against the section's end, so a model saves and loads its state field by
 * field in a few lines. Values are little-endian; a reader's first error sticks and says which
 * section and which byte of the file. */
#ifndef QVP_SNAPSHOT_STREAM_H
#define QVP_SNAPSHOT_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"
#include "irq.h"

#ifdef __cplusplus
extern "C" {
#endif

struct snap_writer {
	uint8_t *data;
	size_t length;
	size_t capacity;
	bool failed; /* the snapshot is not written: error_set() says why (out of memory, a part that cannot be saved) */
};

/* A part cannot be saved: records why (printf format) unless a failure is recorded already. */
void snap_writer_fail(struct snap_writer *w, const char *format, ...) __attribute__((format(printf, 2, 3)));

void snap_put_bytes(struct snap_writer *w, const void *data, size_t length);
void snap_put_u8(struct snap_writer *w, uint8_t value);
void snap_put_u32(struct snap_writer *w, uint32_t value);
void snap_put_u64(struct snap_writer *w, uint64_t value);
void snap_put_bool(struct snap_writer *w, bool value);
void snap_put_string(struct snap_writer *w, const char *text); /* NULL as the empty string */

struct snap_reader {
	const uint8_t *data;
	size_t length;
	size_t offset;
	size_t file_offset;  /* where data starts in the file, for messages */
	const char *section; /* the section's name, for messages */
	bool failed;         /* error_set() holds the first error */
};

void snap_get_bytes(struct snap_reader *r, void *data, size_t length);
uint8_t snap_get_u8(struct snap_reader *r);
uint32_t snap_get_u32(struct snap_reader *r);
uint64_t snap_get_u64(struct snap_reader *r);
bool snap_get_bool(struct snap_reader *r);  /* a byte that is not 0 or 1 is an error */
/* A string of at most `size - 1` bytes into `buffer`. */
void snap_get_string(struct snap_reader *r, char *buffer, size_t size);
/* A value that must be below `limit` (an index, a count): else an error naming `what`. */
uint32_t snap_get_index(struct snap_reader *r, uint32_t limit, const char *what);

/* Records an error at the reader's offset (unless one is already recorded); returns -1. */
int snap_fail(struct snap_reader *r, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* 0 when every byte was read without error, else -1 (error_set() says where). */
int snap_reader_finish(struct snap_reader *r);

/* An event of the component being saved, by its name (the component is its identity): whether
 * it is queued, and at which time and sequence number, so same-time events keep their order. */
void snap_put_event(struct snap_writer *w, const struct event *event);
/* Queues `event` as saved, or cancels it when it was not queued. */
void snap_get_event(struct snap_reader *r, struct event_queue *queue, struct event *event);

/* A model's interrupt output: its level only (the controller restores its own inputs). */
void snap_put_irq_line(struct snap_writer *w, const struct irq_line *line);
void snap_get_irq_line(struct snap_reader *r, struct irq_line *line);

#ifdef __cplusplus
}
#endif
#endif
