/* `qvp test [OPTIONS] MANIFEST`: load the manifest, pick the shard, run every test's runs
 * through the runner, and write the reports, even when interrupted. */
#include "farm.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "exit_status.h"

static const char help_text[] =
    "Usage: qvp test [OPTIONS] MANIFEST\n"
    "\n"
    "Runs the firmware tests MANIFEST lists (a YAML file, e.g. sw/farm.yaml; see docs/farm.md),\n"
    "each in its own `qvp run` process, and reports a verdict per test.\n"
    "\n"
    "Options:\n"
    "  -j, --jobs N       simulations at once (default: the number of CPUs)\n"
    "  --repeat N         run each test N times; a test whose runs differ in console output,\n"
    "                     exit code, instructions or virtual time fails (default: 1)\n"
    "  --shard K/N        run shard K of N only: the tests at positions K-1, K-1+N, ...\n"
    "  --filter REGEX     run only the tests whose name matches REGEX (POSIX extended)\n"
    "  --junit FILE       write a JUnit XML report (GitLab, Jenkins)\n"
    "  --json FILE        write a JSON report\n"
    "  --coverage DIR     write each test's lcov tracefile (qvp run --coverage) to\n"
    "                     DIR/TEST.info and all of them merged to DIR/merged.info\n"
    "  --log-dir DIR      put each run's console, stderr and stats in DIR (default: a new\n"
    "                     directory in $TMPDIR, removed if every test passed)\n"
    "  --keep-logs        keep the logs of tests that passed too\n"
    "  --build-dir DIR    where relative firmware paths are looked for after the manifest's\n"
    "                     directory (default: the directory this qvp binary is in)\n"
    "  -h, --help         print this help\n"
    "\n"
    "Exit status:\n"
    "  0    every selected test passed\n"
    "  1    at least one test failed or had an error\n"
    "  125  bad options or a bad manifest (the message names the file, line and field)\n"
    "  130  interrupted (SIGINT or SIGTERM); the reports cover what ran\n";

struct farm_options {
	const char *manifest_path;
	unsigned jobs;
	unsigned repeat; /* 0: not given */
	unsigned shard_k, shard_n;
	const char *junit_path;
	const char *json_path;
	const char *coverage_dir;
	const char *log_dir;
	const char *build_dir;
	bool filtered;
	regex_t filter;
	const char *filter_text;
	bool keep_logs;
	bool help;
};

enum {
	OPTION_REPEAT = 256,
	OPTION_SHARD,
	OPTION_JUNIT,
	OPTION_JSON,
	OPTION_LOG_DIR,
	OPTION_KEEP_LOGS,
	OPTION_BUILD_DIR,
	OPTION_FILTER,
	OPTION_COVERAGE,
};

static const struct option long_options[] = {
    {"jobs", required_argument, NULL, 'j'},
    {"repeat", required_argument, NULL, OPTION_REPEAT},
    {"shard", required_argument, NULL, OPTION_SHARD},
    {"junit", required_argument, NULL, OPTION_JUNIT},
    {"json", required_argument, NULL, OPTION_JSON},
    {"log-dir", required_argument, NULL, OPTION_LOG_DIR},
    {"keep-logs", no_argument, NULL, OPTION_KEEP_LOGS},
    {"build-dir", required_argument, NULL, OPTION_BUILD_DIR},
    {"filter", required_argument, NULL, OPTION_FILTER},
    {"coverage", required_argument, NULL, OPTION_COVERAGE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_positive(const char *option, const char *text, unsigned *out)
{
	char *end;
	unsigned long value;

	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || value == 0 || value > 100000)
		return error_set("%s: expected a positive number, not '%s'", option, text);
	*out = (unsigned)value;
	return 0;
}

static int parse_filter(const char *text, struct farm_options *options)
{
	char problem[160];
	int code;

	if (options->filtered)
		regfree(&options->filter);
	options->filtered = false;
	code = regcomp(&options->filter, text, REG_EXTENDED | REG_NOSUB);
	if (code != 0) {
		regerror(code, &options->filter, problem, sizeof(problem));
		return error_set("--filter: invalid regular expression '%s': %s", text, problem);
	}
	options->filtered = true;
	options->filter_text = text;
	return 0;
}

static int parse_option(int id, const char *argument, struct farm_options *options)
{
	switch (id) {
	case 'j':
		return parse_positive("--jobs", argument, &options->jobs);
	case OPTION_REPEAT:
		return parse_positive("--repeat", argument, &options->repeat);
	case OPTION_SHARD:
		return farm_shard_parse(argument, &options->shard_k, &options->shard_n);
	case OPTION_JUNIT:
		options->junit_path = argument;
		return 0;
	case OPTION_JSON:
		options->json_path = argument;
		return 0;
	case OPTION_LOG_DIR:
		options->log_dir = argument;
		return 0;
	case OPTION_COVERAGE:
		options->coverage_dir = argument;
		return 0;
	case OPTION_KEEP_LOGS:
		options->keep_logs = true;
		return 0;
	case OPTION_BUILD_DIR:
		options->build_dir = argument;
		return 0;
	case OPTION_FILTER:
		return parse_filter(argument, options);
	case 'h':
		options->help = true;
		return 0;
	}
	return -1;
}

static int parse_arguments(int argc, char **argv, struct farm_options *options)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int id;

	memset(options, 0, sizeof(*options));
	options->jobs = cpus > 0 ? (unsigned)cpus : 1;
	options->shard_k = options->shard_n = 1;
	optind = 1;
	opterr = 0;
	while ((id = getopt_long(argc, argv, ":hj:", long_options, NULL)) != -1) {
		if (id == '?')
			return optopt ? error_set("test: unknown option '-%c'; see 'qvp test --help'", optopt)
			              : error_set("test: unknown option '%s'; see 'qvp test --help'", argv[optind - 1]);
		if (id == ':')
			return error_set("test: option '%s' needs a value; see 'qvp test --help'", argv[optind - 1]);
		if (parse_option(id, optarg, options) < 0)
			return -1;
	}
	if (options->help)
		return 0;
	if (optind >= argc)
		return error_set("test: missing MANIFEST (e.g. sw/farm.yaml); see 'qvp test --help'");
	if (optind + 1 < argc)
		return error_set("test: unexpected argument '%s' after MANIFEST", argv[optind + 1]);
	options->manifest_path = argv[optind];
	return 0;
}

/* ---- logs ---- */

struct farm_logs {
	char dir[PATH_MAX];
	bool created; /* a temporary directory of ours, removed when nothing in it is kept */
	bool keep_all;
	unsigned kept;
};

static int open_logs(const struct farm_options *options, struct farm_logs *logs)
{
	const char *tmp = getenv("TMPDIR");

	memset(logs, 0, sizeof(*logs));
	logs->keep_all = options->keep_logs;
	if (options->log_dir) {
		snprintf(logs->dir, sizeof(logs->dir), "%s", options->log_dir);
		if (mkdir(logs->dir, 0777) < 0 && errno != EEXIST)
			return error_set("--log-dir %s: %s", logs->dir, strerror(errno));
		return 0;
	}
	snprintf(logs->dir, sizeof(logs->dir), "%s/qvp-farm-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(logs->dir))
		return error_set("cannot create a log directory in %s: %s", tmp && tmp[0] ? tmp : "/tmp",
		                 strerror(errno));
	logs->created = true;
	return 0;
}

static void remove_run_logs(const struct farm_run *run)
{
	static const char *const suffixes[] = {".console", ".stderr", ".stats.json"};
	char path[PATH_MAX + 16];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", run->log_prefix, suffixes[i]);
		unlink(path);
	}
}

static void tidy_logs(struct farm_logs *logs, struct farm_result *result)
{
	if (result->verdict == FARM_PASS && !logs->keep_all) {
		for (unsigned i = 0; i < result->repeat; i++)
			remove_run_logs(&result->runs[i]);
		return;
	}
	result->logs_kept = true;
	logs->kept++;
}

/* ---- the farm ---- */

struct farm {
	struct farm_options options;
	struct farm_manifest *manifest;
	struct farm_summary summary;
	struct farm_logs logs;
	struct farm_progress progress;
	struct farm_result *setups; /* the setups the selected tests start from */
	size_t setup_count;
	char build_dir[PATH_MAX];
};

static unsigned repeat_of(const struct farm *farm, const struct farm_test *test)
{
	if (test->repeat)
		return test->repeat;
	if (farm->options.repeat)
		return farm->options.repeat;
	return farm->manifest->default_repeat ? farm->manifest->default_repeat : 1;
}

static void init_result(struct farm_result *result, const struct farm_test *test, unsigned repeat)
{
	memset(result, 0, sizeof(*result));
	result->test = test;
	result->repeat = repeat;
	result->runs = calloc(result->repeat, sizeof(*result->runs));
	if (!result->runs)
		abort();
}

static void add_result(struct farm *farm, const struct farm_test *test)
{
	struct farm_result *result = &farm->summary.results[farm->summary.count++];

	init_result(result, test, repeat_of(farm, test));
	for (unsigned i = 0; i < result->repeat; i++)
		if (asprintf(&result->runs[i].log_prefix, "%s/%s.%u", farm->logs.dir, test->name, i + 1) < 0)
			abort();
}

static const struct farm_result *setup_result(const struct farm *farm, const struct farm_test *setup)
{
	for (size_t i = 0; i < farm->setup_count; i++)
		if (farm->setups[i].test == setup)
			return &farm->setups[i];
	return NULL;
}

/* A setup runs once, before the tests that start from it: logs NAME.setup.*, snapshot NAME.setup.snap. */
static void add_setup(struct farm *farm, const struct farm_test *setup)
{
	struct farm_result *result;

	if (setup_result(farm, setup))
		return; /* another test's setup too */
	result = &farm->setups[farm->setup_count++];
	init_result(result, setup, 1);
	if (asprintf(&result->runs[0].log_prefix, "%s/%s.setup", farm->logs.dir, setup->name) < 0 ||
	    asprintf(&result->snapshot, "%s/%s.setup.snap", farm->logs.dir, setup->name) < 0)
		abort();
}

/* In the shard (by position in the whole manifest, so shards stay stable) and the filter. */
static bool selected(const struct farm *farm, size_t index)
{
	return farm_shard_contains(index, farm->options.shard_k, farm->options.shard_n) &&
	       (!farm->options.filtered ||
	        regexec(&farm->options.filter, farm->manifest->tests[index].name, 0, NULL, 0) == 0);
}

/* A filter that matches no test of the manifest is a mistake, not an empty suite (a shard
 * may still be empty: the filter is checked against the whole manifest). */
static int check_filter(const struct farm *farm)
{
	const struct farm_manifest *manifest = farm->manifest;
	char names[200] = "";
	size_t used = 0;

	if (!farm->options.filtered)
		return 0;
	for (size_t i = 0; i < manifest->test_count; i++) {
		if (regexec(&farm->options.filter, manifest->tests[i].name, 0, NULL, 0) == 0)
			return 0;
		if (used < sizeof(names))
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
			                         manifest->tests[i].name);
	}
	return error_set("--filter '%s': no test of %s matches (its tests: %s%s)", farm->options.filter_text,
	                 farm->options.manifest_path, names, used >= sizeof(names) ? "..." : "");
}

/* A report that cannot be written is refused before the suite runs, not after: its folder must
 * take a new file, or the file itself be writable. Nothing is created here. */
static int check_report_path(const char *option, const char *path)
{
	char folder[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (access(path, F_OK) == 0) {
		if (access(path, W_OK) != 0)
			return error_set("%s %s: cannot write: %s", option, path, strerror(errno));
		return 0;
	}
	snprintf(folder, sizeof(folder), "%.*s", slash ? (int)(slash - path) + (slash == path) : 1, slash ? path : ".");
	if (access(folder, W_OK | X_OK) != 0)
		return error_set("%s %s: cannot write there: %s: %s", option, path, folder, strerror(errno));
	return 0;
}

static void on_test_done(struct farm_result *result, void *opaque);

static void plan(struct farm *farm)
{
	const struct farm_manifest *manifest = farm->manifest;

	farm->summary.results = calloc(manifest->test_count + 1, sizeof(*farm->summary.results));
	farm->setups = calloc(manifest->setup_count + 1, sizeof(*farm->setups));
	if (!farm->summary.results || !farm->setups)
		abort();
	for (size_t i = 0; i < manifest->test_count; i++)
		if (selected(farm, i)) {
			add_result(farm, &manifest->tests[i]);
			if (manifest->tests[i].setup)
				add_setup(farm, manifest->tests[i].setup);
		}
}

/* One job per run of each result that is to run (not judged already: its setup failed). */
static struct farm_job *make_jobs(struct farm_result *results, size_t count, size_t *job_count)
{
	struct farm_job *jobs;
	size_t total = 0, job = 0;

	for (size_t i = 0; i < count; i++)
		total += results[i].runs_finished ? 0 : results[i].repeat;
	jobs = calloc(total + 1, sizeof(*jobs));
	if (!jobs)
		abort();
	for (size_t i = 0; i < count; i++)
		for (unsigned run = 0; run < results[i].repeat && !results[i].runs_finished; run++, job++)
			jobs[job] = (struct farm_job){ .result = &results[i], .run = run };
	*job_count = total;
	return jobs;
}

/* Each test from a setup restores the setup's snapshot, or is an error if the setup failed. */
static void hand_over_setups(struct farm *farm)
{
	for (size_t i = 0; i < farm->summary.count; i++) {
		struct farm_result *result = &farm->summary.results[i];
		const struct farm_result *setup = result->test->setup ? setup_result(farm, result->test->setup) : NULL;

		if (!setup)
			continue;
		if (setup->verdict != FARM_PASS) {
			farm_judge_setup_failed(result, setup);
			on_test_done(result, farm);
			continue;
		}
		result->snapshot = strdup(setup->snapshot);
		result->start_time = setup->start_time;
	}
}

static void on_test_done(struct farm_result *result, void *opaque)
{
	struct farm *farm = opaque;

	tidy_logs(&farm->logs, result);
	farm_progress_test_done(&farm->progress, result);
}

static void on_setup_done(struct farm_result *setup, void *opaque)
{
	struct farm *farm = opaque;

	farm_judge_setup(setup);
	tidy_logs(&farm->logs, setup);
	farm_progress_setup_done(&farm->progress, setup);
}

static void on_tick(void *opaque)
{
	struct farm *farm = opaque;

	farm_progress_tick(&farm->progress);
}

static void default_build_dir(struct farm *farm)
{
	ssize_t length = readlink("/proc/self/exe", farm->build_dir, sizeof(farm->build_dir) - 1);
	char *slash;

	farm->build_dir[length > 0 ? length : 0] = '\0';
	slash = strrchr(farm->build_dir, '/');
	if (slash)
		*slash = '\0';
}

/* Interrupted during the setups: no test ran. */
static void skip_tests(struct farm *farm)
{
	for (size_t i = 0; i < farm->summary.count; i++) {
		struct farm_result *result = &farm->summary.results[i];
		for (unsigned run = 0; run < result->repeat; run++)
			result->runs[run].console = calloc(1, 1);
		farm_judge(result);
		on_test_done(result, farm);
	}
}

/* Runs the results' jobs through the runner: 1 if interrupted, -1 on a host error. */
static int run_results(const struct farm_runner *runner, struct farm_result *results, size_t count)
{
	size_t job_count;
	struct farm_job *jobs = make_jobs(results, count, &job_count);
	int status = farm_run_jobs(runner, jobs, job_count);

	free(jobs);
	return status;
}

/* The setups first, each once, then every test (those from a setup restore its snapshot). */
static int run_farm(struct farm *farm)
{
	struct farm_runner runner = {
	    .qvp_path = "/proc/self/exe",
	    .manifest_dir = farm->manifest->dir,
	    .build_dir = farm->options.build_dir ? farm->options.build_dir : farm->build_dir,
	    .coverage_dir = farm->options.coverage_dir,
	    .jobs = farm->options.jobs,
	    .test_done = on_setup_done,
	    .tick = on_tick,
	    .opaque = farm,
	};
	double started = farm_wall_seconds();
	int status;

	farm->summary.started = time(NULL);

	farm->progress = (struct farm_progress){
	    .out = stdout, .tty = isatty(STDOUT_FILENO), .total = farm->summary.count, .started = started};
	status = run_results(&runner, farm->setups, farm->setup_count);
	if (status == 0) {
		hand_over_setups(farm);
		runner.test_done = on_test_done;
		status = run_results(&runner, farm->summary.results, farm->summary.count);
	} else if (status == 1)
		skip_tests(farm);
	for (size_t i = 0; i < farm->setup_count && !farm->options.keep_logs; i++)
		unlink(farm->setups[i].snapshot); /* big, and only this farm's tests need it */
	farm_progress_finish(&farm->progress);
	farm->summary.wall = farm_wall_seconds() - started;
	farm->summary.interrupted = status == 1;
	return status;
}

static int write_reports(struct farm *farm)
{
	int status = 0;

	farm_summary_count(&farm->summary);
	farm_print_table(stdout, &farm->summary);
	if (farm->logs.kept)
		printf("logs: %s\n", farm->logs.dir);
	else if (farm->logs.created)
		rmdir(farm->logs.dir);
	fflush(stdout);
	if (farm->options.junit_path && farm_write_junit(farm->options.junit_path, &farm->summary) < 0) {
		fprintf(stderr, "qvp: error: %s\n", error_message());
		status = -1;
	}
	if (farm->options.json_path && farm_write_json(farm->options.json_path, &farm->summary) < 0) {
		fprintf(stderr, "qvp: error: %s\n", error_message());
		status = -1;
	}
	if (farm->options.coverage_dir && farm_coverage_merge(farm->options.coverage_dir, &farm->summary) < 0) {
		fprintf(stderr, "qvp: error: %s\n", error_message());
		status = -1;
	}
	return status;
}

static void free_farm(struct farm *farm)
{
	for (size_t i = 0; i < farm->summary.count; i++)
		farm_result_free(&farm->summary.results[i]);
	free(farm->summary.results);
	for (size_t i = 0; i < farm->setup_count; i++)
		farm_result_free(&farm->setups[i]);
	free(farm->setups);
	farm_manifest_free(farm->manifest);
	if (farm->options.filtered)
		regfree(&farm->options.filter);
}

static int exit_status(const struct farm *farm, int run_status, int report_status)
{
	if (run_status < 0 || report_status < 0)
		return QVP_EXIT_ERROR;
	if (farm->summary.interrupted)
		return FARM_EXIT_INTERRUPTED;
	return farm->summary.failed || farm->summary.errors ? FARM_EXIT_FAILED : FARM_EXIT_PASSED;
}

static int start_farm(struct farm *farm)
{
	if ((farm->options.junit_path && check_report_path("--junit", farm->options.junit_path) < 0) ||
	    (farm->options.json_path && check_report_path("--json", farm->options.json_path) < 0) ||
	    (farm->options.coverage_dir && farm_coverage_open(farm->options.coverage_dir) < 0) ||
	    farm_manifest_load(farm->options.manifest_path, &farm->manifest) < 0 || check_filter(farm) < 0 ||
	    open_logs(&farm->options, &farm->logs) < 0)
		return -1;
	default_build_dir(farm);
	plan(farm);
	farm->summary.manifest = farm->manifest;
	farm->summary.shard_k = farm->options.shard_k;
	farm->summary.shard_n = farm->options.shard_n;
	farm->summary.jobs = farm->options.jobs;
	farm->summary.log_dir = farm->logs.dir;
	return 0;
}

int farm_main(int argc, char **argv)
{
	struct farm farm = {0};
	int run_status, report_status, status;

	if (parse_arguments(argc, argv, &farm.options) < 0 || (!farm.options.help && start_farm(&farm) < 0)) {
		fprintf(stderr, "qvp: error: %s\n", error_message());
		free_farm(&farm);
		return QVP_EXIT_ERROR;
	}
	if (farm.options.help) {
		fputs(help_text, stdout);
		free_farm(&farm);
		return 0;
	}
	run_status = run_farm(&farm);
	if (run_status < 0)
		fprintf(stderr, "qvp: error: the farm could not run: %s\n", strerror(errno));
	report_status = write_reports(&farm);
	status = exit_status(&farm, run_status, report_status);
	free_farm(&farm);
	return status;
}
