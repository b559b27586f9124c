/* Recording files (`qvp run --record FILE`, `--replay FILE`, docs/user-guide.md): the snapshot
 * format's header (qvp, board, options, the SHA-256 of every image), a "recording" section, then
 * one section per input as it enters (input_log.h), written through so that a run killed
 * half-way leaves a file that replays up to its last input, and "end". */
#ifndef QVP_RECORDING_H
#define QVP_RECORDING_H

#include <stdbool.h>

#include "input_log.h"
#include "machine.h"
#include "snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

struct recording;

/* Starts `path` with the machine's header and makes the log's listener write each input to it.
 * NULL after error_set(). */
struct recording *recording_start(const char *path, struct machine *machine, const struct snapshot_inputs *inputs,
				  struct input_log *log);

/* Logs where the run ended (INPUT_END) and closes the file with "end"; -1 after error_set()
 * (the file could not be written, now or earlier). Frees the recording either way. */
int recording_finish(struct recording *recording, struct machine *machine);

/* Reads `path`: its options (checked as --restore checks a snapshot's: every image must still
 * have its SHA-256) into `config` and `inputs`, and its inputs into a new log. *complete is false
 * for a file without its end (the recorded run was killed). The returned snapshot holds the
 * strings `config` points to: free it after the run. NULL after error_set(). */
struct snapshot *recording_read(const char *path, struct machine_config *config, struct snapshot_inputs *inputs,
				struct input_log **log, bool *complete);

/* The inputs of a recording already parsed (snapshot_parse_cut_short()), without checking its
 * header against any file: the fuzz harness's way in. NULL after error_set(). */
struct input_log *recording_inputs(const struct snapshot *snapshot);

#ifdef __cplusplus
}
#endif
#endif
