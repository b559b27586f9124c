/* `qvp run --snapshot-at TIME FILE [--stop]` and `qvp run --restore FILE` (docs/snapshots.md). */
#ifndef QVP_RUN_SNAPSHOT_H
#define QVP_RUN_SNAPSHOT_H

#include <stdbool.h>

#include "cli.h"
#include "snapshot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --snapshot-at: the boundary hook's state. */
struct run_snapshot_at {
	vtime_t time;
	const char *path;
	bool stop;
	const struct console *console; /* --snapshot-at script: saves once its script has ended */
	bool saved;
	bool failed; /* the file could not be written: the run ends with status 125 */
	struct snapshot_inputs inputs;
};

/* --restore FILE: reads and checks the snapshot and takes the machine's options and console
 * script from it. NULL after error_set(). */
struct snapshot *run_snapshot_read_options(struct cli_options *options);

/* --snapshot-at: saves at the first quantum boundary at or after the time, or after the console
 * script's last step (machine->boundary). */
void run_snapshot_at_attach(struct run_snapshot_at *at, const struct cli_options *options, struct machine *machine,
			    const struct console *console);

#ifdef __cplusplus
}
#endif
#endif
