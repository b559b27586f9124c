/* Whole-machine snapshots (docs/snapshots.md): the machine at a quantum boundary, saved to a
 * versioned file of checksummed sections, and loaded into a fresh machine built from the
 * options the file names. A file is read and checked whole before any machine is touched;
 * loading into the fresh machine stops at the first error, and the caller throws it away. */
#ifndef QVP_SNAPSHOT_H
#define QVP_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "machine.h"
#include "snapshot_stream.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SNAPSHOT_FORMAT_VERSION 4

/* What the machine does not know but a restored run needs: the console script, an input. */
struct snapshot_inputs {
	const char *console_script; /* or NULL */
};

/* Whether the machine can be saved: not yet with the secure world (EL3); false after error_set(). */
bool snapshot_supported(const struct machine *machine);

/* Saves the machine (between turns of the loop: no CPU mid-run) to `path`; -1 after
 * error_set() if a part cannot be saved (the kvm backend) or the file cannot be written. */
int snapshot_save(const struct machine *machine, const struct snapshot_inputs *inputs, const char *path);

/* The same bytes in a malloc'd buffer (the caller frees it). */
int snapshot_save_buffer(const struct machine *machine, const struct snapshot_inputs *inputs, uint8_t **data,
                         size_t *size);

struct snapshot;

/* Reads and checks a snapshot file: magic, format version, every section's length and
 * checksum, the header's options. NULL after error_set() naming the file, the section and
 * the byte offset. */
struct snapshot *snapshot_read(const char *path);

/* The same for bytes in memory (named `name` in messages); `data` is copied. `checksums`
 * false skips the section checksums (the fuzz harness, to reach what lies behind them). */
struct snapshot *snapshot_parse(const char *name, const uint8_t *data, size_t size, bool checksums);
void snapshot_free(struct snapshot *snapshot);

/* The machine's options as saved (paths point into the snapshot, which must outlive them) and
 * the inputs; then checks that every image file still has the saved SHA-256 (-1 after
 * error_set() naming the one that differs). */
int snapshot_config(const struct snapshot *snapshot, struct machine_config *config, struct snapshot_inputs *inputs);

/* The snapshot's images (and its board, when a file) are looked for in `directory` by their
 * file names, not where they were when it was taken: a snapshot moved to another host. A board
 * file not there is this qvp's board of that name. Hashes are still checked. -1 after error_set(). */
int snapshot_find_images_in(struct snapshot *snapshot, const char *directory);

/* Loads the snapshot into `machine`, freshly built from snapshot_config()'s options (with the
 * console input attached as saved): board, RAM, CPUs, models, console, event queue. -1 after
 * error_set(); the machine is then half-loaded and must be destroyed. */
int snapshot_load(struct machine *machine, const struct snapshot *snapshot);

/* gdb's `monitor snapshot load`: loads a snapshot taken with this machine's qvp, board,
 * options and images (its header is the one this machine writes) into the running machine,
 * rebuilding the board; -1 after error_set(): refused before anything changed, or, should the
 * load fail half-way, with stop_cause MACHINE_FATAL. The caller tells the debugger. */
int snapshot_load_running(struct machine *machine, const struct snapshot *snapshot);
/* The same format holds a recording (recording.h): the magic, the version and the header this
 * machine's snapshot would have, then the recording's own sections, written as the run goes. */
int snapshot_write_preamble(const struct machine *machine, const struct snapshot_inputs *inputs,
			    struct snap_writer *file);

/* Reads a file whose last sections may be missing (a recording whose run was killed): it is
 * read up to its last whole section, and *complete says whether "end" was there. */
struct snapshot *snapshot_read_cut_short(const char *path, bool *complete);
struct snapshot *snapshot_parse_cut_short(const char *name, const uint8_t *data, size_t size, bool checksums,
					  bool *complete);

/* 1 when the file's header is the one `machine` writes (the same qvp, board, options and image
 * hashes), 0 when not, -1 after error_set(). */
int snapshot_header_matches(const struct machine *machine, const struct snapshot *snapshot);

/* Section `index` (0 is the header) as a reader; returns its tag. */
unsigned snapshot_section_count(const struct snapshot *snapshot);
const char *snapshot_section(const struct snapshot *snapshot, unsigned index, struct snap_reader *r);
const char *snapshot_name(const struct snapshot *snapshot);

/* In-memory checkpoints of one run (reverse debugging): the machine's sections without the
 * header (no options, no image hashes) and without RAM, which the caller keeps (history.c),
 * to be loaded back into the same machine only. */
int snapshot_checkpoint_save(const struct machine *machine, uint8_t **data, size_t *size);

/* Rebuilds the machine's board (machine_rebuild_board()) and loads the checkpoint into it, RAM
 * aside; -1 after error_set(), the machine then half-loaded. */
int snapshot_checkpoint_load(struct machine *machine, const uint8_t *data, size_t size);

#ifdef __cplusplus
}
#endif
#endif
