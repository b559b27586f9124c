/* Inside snapshots: the sections after the header (snapshot_parts.c: time, RAM, CPUs, models,
 * console, event queue) and the framing they are written in and read from (snapshot.c). */
#ifndef QVP_SNAPSHOT_PARTS_H
#define QVP_SNAPSHOT_PARTS_H

#include "machine.h"
#include "snapshot.h"
#include "snapshot_stream.h"

/* Appends a section: its tag, its length, the CRC-32 of its payload, the payload. */
void snapshot_put_section(struct snap_writer *file, const char *tag, const struct snap_writer *payload);

/* The next section of the snapshot, which must be `tag` (else -1 after error_set() naming
 * the one found and its byte offset); `r` then reads its payload. */
int snapshot_next_section(const struct snapshot *snapshot, unsigned *cursor, const char *tag, struct snap_reader *r);

/* The machine's sections, in order; the header comes before them and "end" after. */
int snapshot_parts_save(const struct machine *machine, struct snap_writer *file);
int snapshot_parts_load(struct machine *machine, const struct snapshot *snapshot, unsigned *cursor);

#endif
