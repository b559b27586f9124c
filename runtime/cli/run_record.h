/* `qvp run --record FILE` and `qvp run --replay FILE` (docs/user-guide.md): the machine's input
 * log, the recording file it is written to, and a replay's checks. */
#ifndef QVP_RUN_RECORD_H
#define QVP_RUN_RECORD_H

#include <stdbool.h>

#include "cli.h"
#include "input_log.h"
#include "recording.h"

#ifdef __cplusplus
extern "C" {
#endif

struct run_record {
	struct input_log *log;       /* the machine's, or NULL: no recording, replay or debugger */
	struct recording *recording; /* --record */
	struct snapshot *replayed;   /* --replay: the file read, which holds the options' strings */
	bool complete;               /* --replay: the file has its end */
};

/* --replay FILE: reads and checks the recording and takes the machine's options and console
 * script from it. -1 after error_set(). */
int run_record_read_options(struct run_record *record, struct cli_options *options);

/* After the machine is built: gives it the log (also for gdb alone, so that history replayed
 * meets typed input again), starts the --record file, or checks that the machine is the one
 * the replayed run had. -1 after error_set(). */
int run_record_attach(struct run_record *record, const struct cli_options *options, struct machine *machine);

/* After the run: ends the --record file; for --replay, says where the recording ended and
 * whether the run met every input. Returns the run's exit status, or QVP_EXIT_ERROR. */
int run_record_finish(struct run_record *record, struct machine *machine, int exit_status);

/* Frees what is left; the machine must be gone or no longer run. */
void run_record_free(struct run_record *record);

#ifdef __cplusplus
}
#endif
#endif
