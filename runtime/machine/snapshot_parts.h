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

/* The machine's sections, in order; the header comes before them and "end" after. Without
 * `with_ram` the RAM section is left out (a checkpoint keeps RAM itself: history.c). */
int snapshot_parts_save(const struct machine *machine, struct snap_writer *file, bool with_ram);
int snapshot_parts_load(struct machine *machine, const struct snapshot *snapshot, unsigned *cursor, bool with_ram);

/* Whether the host ever backed each host page (`host_page` bytes) of a RAM region: RAM is
 * anonymous memory, so a page it never backed reads as zero. A malloc'd array of `count`;
 * NULL if the host cannot tell (/proc/self/pagemap), and then any page may hold data. */
bool *snapshot_backed_pages(const struct bus_ram *ram, size_t host_page, size_t *count);
/* The same for `count` host pages from `host` (host-page aligned), read from `pagemap` (an open
 * /proc/self/pagemap) into `backed`; false if the host cannot tell. */
bool snapshot_backed_range(int pagemap, const uint8_t *host, size_t host_page, size_t count, bool *backed);

#endif
