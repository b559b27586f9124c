/* Command-line parsing for `qvp`: options to a machine configuration. */
#ifndef QVP_CLI_H
#define QVP_CLI_H

#include <stdbool.h>

#include "console.h"
#include "exit_status.h"
#include "machine.h"
#include "run_report.h"

#ifdef __cplusplus
extern "C" {
#endif

enum cli_command {
	CLI_RUN,
	CLI_HELP,
	CLI_VERSION,
};

#define CLI_MAX_COVERAGE_IMAGES 15 /* besides FIRMWARE */

struct cli_options {
	enum cli_command command;
	struct machine_config machine;
	const char *console_path;
	const char *console_script_path; /* --console-script FILE: scripted console input */
	const char *console_socket_address; /* --console-socket [HOST:]PORT: the console on TCP */
	enum console_pace pace;          /* --pace */
	bool stats;
	const char *trace_path; /* --trace FILE.json */
	const char *insn_trace_spec; /* --trace-insns FILE[,OPTION...], or NULL */
	const char *stats_json_path;   /* --stats-json FILE, for the regression farm and tools */
	const char *gdb_address;       /* --gdb [HOST:]PORT, or NULL */
	bool gdb_wait;                 /* --gdb-wait: halted until gdb attaches */
	const char *coverage_path;     /* --coverage FILE.info: an lcov tracefile, or NULL */
	const char *coverage_images[CLI_MAX_COVERAGE_IMAGES]; /* --coverage-image FILE[@OFFSET] */
	unsigned coverage_image_count;
	struct run_test_hooks test_hooks; /* --test-* options: test doubles for the farm's tests */
	vtime_t snapshot_at;           /* --snapshot-at TIME FILE: when to save */
	bool snapshot_after_script;    /* --snapshot-at script FILE: when the console script has ended */
	const char *snapshot_path;     /* ... and where; NULL for no snapshot */
	bool snapshot_stop;            /* --stop: the run ends once saved */
	const char *restore_path;      /* --restore FILE: the run continues from a snapshot */
	const char *image_dir;         /* --image-dir DIR: where a restored snapshot's images are now */
	const char *snapshot_script_path; /* with --restore: the script the snapshot was taken with */
	bool timeout_given;            /* --timeout on the command line (a restored run may set its own) */
	const char *record_path;       /* --record FILE: the run's inputs from outside are kept there */
	const char *replay_path;       /* --replay FILE: a recorded run again */
	const char *machine_option;    /* the last option given that shapes the machine, or NULL */
};

/* The program named in usage and errors: "qvp" (the default) or "qvp-sc", which has no
 * `test` command. Call before cli_parse(). */
void cli_set_program(const char *name);

/* Fills `options`; on a usage error, error_message() says what is wrong. */
int cli_parse(int argc, char **argv, struct cli_options *options);
void cli_print_help(FILE *out);

/* --platform NAME: a path as given; a board name ("virt") is the .dtb built next to the
 * program, else the .dts in the sources. Returns `name` or `buffer`. */
const char *cli_resolve_platform(const char *name, char *buffer, size_t size);

#ifdef __cplusplus
}
#endif
#endif
