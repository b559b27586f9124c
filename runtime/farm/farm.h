/* The regression farm, `qvp test MANIFEST`: firmware tests listed in a YAML manifest, each run
 * in its own `qvp run` child process, judged, and reported on the terminal, as JUnit XML and
 * as JSON. docs/farm.md describes the manifest, the options and the reports. */
#ifndef QVP_FARM_H
#define QVP_FARM_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "vtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the manifest (farm_manifest.c) ---- */

struct farm_pattern {
	char *text;    /* the POSIX extended regular expression as written */
	regex_t regex; /* compiled with REG_EXTENDED | REG_NEWLINE */
};

struct farm_list {
	char **items;
	size_t count;
};

struct farm_test {
	char *name;
	int line;                    /* where the test's entry starts in the manifest */
	char *firmware;              /* as written in the manifest; NULL with `kernel` or `setup` */
	char *kernel;                /* qvp run --kernel: a Linux Image instead of firmware */
	char *initrd;                /* qvp run --initrd, with `kernel` */
	const struct farm_test *setup; /* the setup whose snapshot the test starts from, or NULL */
	char *platform;              /* NULL: qvp's default board */
	struct farm_list options;    /* extra `qvp run` arguments: the defaults' first, then the test's */
	int exit_code;               /* the expected exit status */
	struct farm_pattern *expect; /* must each match the console output */
	size_t expect_count;
	struct farm_pattern *forbid; /* must none match */
	size_t forbid_count;
	char *timeout;   /* virtual-time limit as written ("10ms"), NULL for none */
	char *input;     /* console script (qvp run --console-script), NULL for none */
	double watchdog; /* wall-clock seconds before the child is killed */
	unsigned repeat; /* runs of this test; 0: --repeat or the defaults decide */
	unsigned cpus;   /* qvp run --cpus; 0: the board's own */
	bool is_setup;   /* a setup: runs its input to the end and saves a snapshot there */
};

struct farm_manifest {
	char *path;              /* as given */
	char *dir;               /* its directory, for relative paths */
	char *name;              /* the suite's name: the file name without extension */
	unsigned default_repeat; /* `defaults: repeat:`, 0 if not given */
	struct farm_test *setups; /* `setups:`: machines brought to a point once, tests start there */
	size_t setup_count;
	struct farm_test *tests;
	size_t test_count;
};

#define FARM_DEFAULT_WATCHDOG 300.0

/* Loads and checks a manifest; on error returns -1 and error_message() reads
 * "FILE:LINE: test 'NAME': field 'FIELD': what is wrong". */
int farm_manifest_load(const char *path, struct farm_manifest **manifest);
void farm_manifest_free(struct farm_manifest *manifest);

/* ---- selection (farm_select.c) ---- */

/* Parses "K/N" (1 <= K <= N). */
int farm_shard_parse(const char *text, unsigned *k, unsigned *n);

/* Test number `index` (0-based, manifest order) belongs to shard (index mod N) + 1. */
bool farm_shard_contains(size_t index, unsigned k, unsigned n);

/* ---- one run of a test, and a test's result (farm_judge.c) ---- */

enum farm_run_end {
	FARM_RUN_NOT_STARTED,
	FARM_RUN_EXITED,      /* `status` holds the exit status */
	FARM_RUN_SIGNALED,    /* the child crashed: `signal` killed it */
	FARM_RUN_WATCHDOG,    /* the wall-clock watchdog killed it */
	FARM_RUN_INTERRUPTED, /* stopped because the farm was interrupted (SIGINT, SIGTERM) */
	FARM_RUN_SPAWN_FAILED,
};

#define FARM_HASH_HEX 64 /* SHA-256 */

struct farm_run {
	enum farm_run_end end;
	int status;
	int signal;
	double wall;     /* seconds */
	bool have_stats; /* the child wrote --stats-json */
	uint64_t instructions;
	vtime_t virtual_time;
	bool idle_forever;          /* the guest waited in WFI with nothing but the timeout to wake it */
	vtime_t idle_forever_since; /* ... from then on (stats: idle_forever_since_ps) */
	char *console; /* the UART output, whole */
	size_t console_size;
	char *error_line; /* the last line qvp wrote on stderr, or NULL */
	char *errors;     /* all qvp wrote on stderr */
	size_t errors_size;
	char hash[FARM_HASH_HEX + 1];
	char *log_prefix; /* LOG_DIR/NAME.RUN: .console, .stderr and .stats.json follow */
};

enum farm_verdict {
	FARM_PASS,
	FARM_FAIL,    /* the guest did something other than expected */
	FARM_ERROR,   /* qvp crashed, hung, or could not run the test */
	FARM_SKIPPED, /* did not run: the farm was interrupted */
};

struct farm_result {
	const struct farm_test *test;
	unsigned repeat;
	struct farm_run *runs; /* `repeat` of them */
	unsigned runs_finished;
	enum farm_verdict verdict;
	const char *kind;   /* a word for the failure: "exit-code", "pattern", "crash" ... */
	char *message;      /* the first problem, one line */
	char *details;      /* every problem, one per line */
	unsigned shown_run; /* the run whose console the reports show */
	bool logs_kept;
	char *snapshot;     /* a setup's snapshot: written by a setup, restored by its tests */
	vtime_t start_time; /* a test from a setup: virtual time at the snapshot, where its timeout starts */
};

/* SHA-256 over the run's console, exit status, instructions and virtual time (docs/farm.md). */
void farm_hash_run(struct farm_run *run);

/* Reads a finished run's console, stderr and stats from its log files. */
void farm_collect_run(struct farm_run *run);

/* Decides the verdict once every run of the test has finished or been stopped. */
void farm_judge(struct farm_result *result);

/* A setup's verdict: as a test's (exit status 0), and its snapshot written. */
void farm_judge_setup(struct farm_result *setup);

/* A test that did not run because its setup failed: an error that names the setup's problem. */
void farm_judge_setup_failed(struct farm_result *result, const struct farm_result *setup);

void farm_result_free(struct farm_result *result);

/* ---- the runner (farm_run.c) ---- */

struct farm_job {
	struct farm_result *result;
	unsigned run; /* index into result->runs */
	pid_t pid;
	double started;
	double deadline; /* watchdog, host monotonic seconds */
};

struct farm_runner {
	const char *qvp_path; /* the binary to run, "/proc/self/exe" */
	const char *manifest_dir;
	const char *build_dir; /* where relative firmware paths are looked up second */
	const char *coverage_dir; /* --coverage DIR: each test's first run writes its tracefile there; or NULL */
	unsigned jobs;
	/* Called after each test's last run finished and was judged. */
	void (*test_done)(struct farm_result *result, void *opaque);
	/* Called every 200 ms while children run, and when one starts or ends. */
	void (*tick)(void *opaque);
	void *opaque;
};

/* Runs every job, up to runner->jobs at a time. Returns 1 if SIGINT or SIGTERM stopped it
 * (unfinished runs are marked interrupted), 0 otherwise, -1 on a host error. */
int farm_run_jobs(const struct farm_runner *runner, struct farm_job *jobs, size_t count);

/* Monotonic host seconds, for wall times and watchdogs. */
double farm_wall_seconds(void);

/* ---- reports (farm_report.c, farm_junit.c, farm_json.c, farm_text.c) ---- */

struct farm_summary {
	const struct farm_manifest *manifest;
	struct farm_result *results;
	size_t count;
	unsigned shard_k, shard_n;
	unsigned jobs;
	double wall;
	time_t started; /* host time the farm started, for the report's timestamp */
	bool interrupted;
	const char *log_dir;
	unsigned passed, failed, errors, skipped;
};

void farm_summary_count(struct farm_summary *summary);

struct farm_progress {
	FILE *out;
	bool tty;
	size_t total, done, failed;
	double started, last_drawn;
	bool bar_shown;
};

void farm_progress_tick(struct farm_progress *progress);
void farm_progress_test_done(struct farm_progress *progress, const struct farm_result *result);
/* A setup ended: one line (setups are not counted as tests). */
void farm_progress_setup_done(struct farm_progress *progress, const struct farm_result *setup);
void farm_progress_finish(struct farm_progress *progress);
int farm_write_junit(const char *path, const struct farm_summary *summary);
int farm_write_json(const char *path, const struct farm_summary *summary);
void farm_print_table(FILE *out, const struct farm_summary *summary);

/* Escapes text for XML character data and attributes: & < > " ' as entities; control
 * characters and bytes that are not UTF-8 as "\xNN" (XML 1.0 cannot carry them). */
void farm_write_xml_text(FILE *out, const char *text, size_t size);
/* Writes text as a JSON string literal, quotes included; bytes that are not UTF-8 as \ufffd. */
void farm_write_json_string(FILE *out, const char *text, size_t size);

/* The console shown in reports: at most this many bytes from its end. */
#define FARM_REPORT_CONSOLE_MAX (256 * 1024)

/* ---- coverage (farm_coverage.c) ---- */

/* Makes DIR (one level) or checks that it takes files. */
int farm_coverage_open(const char *dir);
/* DIR/<test>.info, malloc'd. */
char *farm_coverage_path(const char *dir, const char *test_name);
/* Merges the tests' tracefiles into DIR/merged.info (counts: in how many tests a line ran). */
int farm_coverage_merge(const char *dir, const struct farm_summary *summary);

/* ---- the command (farm_cli.c) ---- */

/* `qvp test ...`: argv[0] is "test". Returns the process exit status. */
int farm_main(int argc, char **argv);

enum farm_exit_status {
	FARM_EXIT_PASSED = 0,
	FARM_EXIT_FAILED = 1, /* at least one test failed or had an error */
	FARM_EXIT_INTERRUPTED = 130,
};

#ifdef __cplusplus
}
#endif
#endif
