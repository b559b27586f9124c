/* The farm's runner: each run of a test is a `qvp run` child process, in its own process group,
 * with its console, stderr and stats in log files. Up to N run at once; a wall-clock watchdog
 * kills a child that hangs; SIGINT or SIGTERM stops every child and ends the run cleanly.
 * SIGCHLD and the stop signals wake the loop through a pipe (the self-pipe trick). */
#include "farm.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exit_status.h"

#define TICK_SECONDS       0.2
#define STOP_GRACE_SECONDS 2.0

static int wake_pipe[2] = {-1, -1};
static volatile sig_atomic_t stop_signal;

double farm_wall_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* ---- signals ---- */

static void on_signal(int signal_number)
{
	int saved = errno;
	ssize_t ignored;

	if (signal_number != SIGCHLD)
		stop_signal = signal_number;
	ignored = write(wake_pipe[1], "", 1);
	(void)ignored;
	errno = saved;
}

struct saved_signals {
	struct sigaction child, interrupt, terminate;
};

static int install_signals(struct saved_signals *saved)
{
	struct sigaction action = {0};

	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	stop_signal = 0;
	action.sa_handler = on_signal;
	action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&action.sa_mask);
	sigaction(SIGCHLD, &action, &saved->child);
	sigaction(SIGINT, &action, &saved->interrupt);
	sigaction(SIGTERM, &action, &saved->terminate);
	return 0;
}

static void restore_signals(const struct saved_signals *saved)
{
	sigaction(SIGCHLD, &saved->child, NULL);
	sigaction(SIGINT, &saved->interrupt, NULL);
	sigaction(SIGTERM, &saved->terminate, NULL);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
	wake_pipe[0] = wake_pipe[1] = -1;
}

static void drain_wake_pipe(void)
{
	char buffer[64];

	while (read(wake_pipe[0], buffer, sizeof(buffer)) > 0)
		continue;
}

/* ---- the child's command line ---- */

/* A relative path: next to the manifest if it is there, else in the build directory. */
static char *resolve(const struct farm_runner *runner, const char *path)
{
	const char *bases[2] = {runner->manifest_dir, runner->build_dir};
	char *candidate;

	if (path[0] == '/')
		return strdup(path);
	for (int i = 0; i < 2; i++) {
		if (!bases[i] || asprintf(&candidate, "%s/%s", bases[i], path) < 0)
			continue;
		if (access(candidate, F_OK) == 0)
			return candidate;
		free(candidate);
	}
	if (asprintf(&candidate, "%s/%s", runner->manifest_dir, path) < 0)
		abort();
	return candidate;
}

/* NULL if a relative `path` is found where resolve() looks, else a message naming every place
 * looked in (the child prints it as qvp would, so the verdict is qvp-error as for any bad input). */
static char *not_found(const struct farm_runner *runner, const char *what, const char *path)
{
	const char *bases[2] = {runner->manifest_dir, runner->build_dir};
	char *message, *candidate = NULL;

	if (path[0] == '/' || (candidate = resolve(runner, path), access(candidate, F_OK) == 0)) {
		free(candidate);
		return NULL;
	}
	free(candidate);
	if (asprintf(&message, "qvp: error: %s '%s' not found: looked for %s/%s and %s/%s\n", what, path, bases[0],
	             path, bases[1] ? bases[1] : "(no build directory)", path) < 0)
		abort();
	return message;
}

/* A board name ("virt") goes to qvp as is; a file name is resolved like firmware. */
static char *resolve_platform(const struct farm_runner *runner, const char *platform)
{
	if (!strchr(platform, '/') && !strchr(platform, '.'))
		return strdup(platform);
	return resolve(runner, platform);
}

struct arguments {
	char **items; /* NULL-terminated, for execv */
	size_t count;
};

static void add(struct arguments *args, char *owned)
{
	args->items = realloc(args->items, (args->count + 2) * sizeof(*args->items));
	if (!args->items)
		abort();
	args->items[args->count++] = owned;
	args->items[args->count] = NULL;
}

static char *with_suffix(const char *prefix, const char *suffix)
{
	char *path;

	if (asprintf(&path, "%s%s", prefix, suffix) < 0)
		abort();
	return path;
}

static void add_option(struct arguments *args, const char *option, char *owned_value)
{
	add(args, strdup(option));
	add(args, owned_value);
}

/* A test from a setup: its timeout counts from the snapshot, qvp's from reset. */
static char *timeout_argument(const struct farm_result *result)
{
	vtime_t timeout;
	char *text;

	if (!result->test->setup || vtime_parse(result->test->timeout, &timeout) < 0)
		return strdup(result->test->timeout);
	if (asprintf(&text, "%" PRIu64 "ps", result->start_time + timeout) < 0)
		abort();
	return text;
}

/* What the machine starts from: a setup's snapshot, a Linux kernel, or firmware (last, as
 * qvp run's FIRMWARE argument). */
static void add_start(const struct farm_runner *runner, const struct farm_result *result, struct arguments *args)
{
	const struct farm_test *test = result->test;

	if (test->is_setup) {
		add_option(args, "--snapshot-at", strdup("script"));
		add(args, strdup(result->snapshot));
		add(args, strdup("--stop"));
	}
	if (test->setup)
		add_option(args, "--restore", strdup(result->snapshot));
	if (test->kernel)
		add_option(args, "--kernel", resolve(runner, test->kernel));
	if (test->initrd)
		add_option(args, "--initrd", resolve(runner, test->initrd));
	if (test->firmware)
		add(args, resolve(runner, test->firmware));
}

static void build_arguments(const struct farm_runner *runner, const struct farm_job *job, struct arguments *args)
{
	const struct farm_test *test = job->result->test;

	*args = (struct arguments){0};
	add(args, strdup("qvp"));
	add(args, strdup("run"));
	add_option(args, "--stats-json", with_suffix(job->result->runs[job->run].log_prefix, ".stats.json"));
	if (test->platform)
		add_option(args, "--platform", resolve_platform(runner, test->platform));
	if (test->timeout)
		add_option(args, "--timeout", timeout_argument(job->result));
	if (test->cpus) {
		char count[12];
		snprintf(count, sizeof(count), "%u", test->cpus);
		add_option(args, "--cpus", strdup(count));
	}
	if (test->input)
		add_option(args, "--console-script", resolve(runner, test->input));
	/* repeated runs must be the same anyway; a restored run's lines are its setup's image's */
	if (runner->coverage_dir && job->run == 0 && !test->setup && !test->is_setup)
		add_option(args, "--coverage", farm_coverage_path(runner->coverage_dir, test->name));
	for (size_t i = 0; i < test->options.count; i++)
		add(args, strdup(test->options.items[i]));
	add_start(runner, job->result, args);
}

/* The first image of a test that is not where the manifest says, or NULL. */
static char *missing_image(const struct farm_runner *runner, const struct farm_test *test)
{
	char *missing = NULL;

	if (test->firmware)
		missing = not_found(runner, "firmware", test->firmware);
	if (!missing && test->kernel)
		missing = not_found(runner, "kernel", test->kernel);
	if (!missing && test->initrd)
		missing = not_found(runner, "initrd", test->initrd);
	return missing;
}

static void free_arguments(struct arguments *args)
{
	for (size_t i = 0; i < args->count; i++)
		free(args->items[i]);
	free(args->items);
}

/* ---- starting and ending children ---- */

static void redirect(int fd, const char *path, int flags)
{
	int opened = open(path, flags, 0600);

	if (opened >= 0 && opened != fd) {
		dup2(opened, fd);
		close(opened);
	}
}

/* In the child: own process group, dies with the runner, files in place, then qvp. */
static void exec_child(const struct farm_runner *runner, const struct farm_run *run, struct arguments *args,
                       const char *missing, pid_t parent)
{
	char *console = with_suffix(run->log_prefix, ".console");
	char *errors = with_suffix(run->log_prefix, ".stderr");

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	redirect(STDIN_FILENO, "/dev/null", O_RDONLY);
	redirect(STDOUT_FILENO, console, O_WRONLY | O_CREAT | O_TRUNC);
	redirect(STDERR_FILENO, errors, O_WRONLY | O_CREAT | O_TRUNC);
	if (missing) {
		fputs(missing, stderr);
		_exit(QVP_EXIT_ERROR);
	}
	execv(runner->qvp_path, args->items);
	fprintf(stderr, "qvp test: cannot execute %s: %s\n", runner->qvp_path, strerror(errno));
	_exit(127);
}

static void start_job(const struct farm_runner *runner, struct farm_job *job)
{
	struct farm_run *run = &job->result->runs[job->run];
	struct arguments args;
	pid_t parent = getpid();
	char *stats = with_suffix(run->log_prefix, ".stats.json");
	char *missing;

	unlink(stats); /* left by an earlier farm in the same --log-dir; a run that dies writes none */
	free(stats);
	build_arguments(runner, job, &args);
	missing = missing_image(runner, job->result->test);
	job->started = farm_wall_seconds();
	job->deadline = job->started + job->result->test->watchdog;
	job->pid = fork();
	if (job->pid == 0)
		exec_child(runner, run, &args, missing, parent);
	free(missing);
	free_arguments(&args);
	if (job->pid < 0) {
		run->end = FARM_RUN_SPAWN_FAILED;
		run->error_line = strdup(strerror(errno));
		return;
	}
	setpgid(job->pid, job->pid);
}

/* Records how a run ended (a watchdog or interruption already noted stays the reason) and
 * judges the test when it was the last of its runs. */
static void end_run(const struct farm_runner *runner, struct farm_job *job, enum farm_run_end end, int status)
{
	struct farm_result *result = job->result;
	struct farm_run *run = &result->runs[job->run];

	if (run->end == FARM_RUN_NOT_STARTED)
		run->end = end;
	if (run->end == FARM_RUN_EXITED)
		run->status = status;
	if (run->end == FARM_RUN_SIGNALED)
		run->signal = status;
	if (run->end == FARM_RUN_NOT_STARTED) {
		run->console = calloc(1, 1);
	} else {
		run->wall = farm_wall_seconds() - job->started;
		farm_collect_run(run);
	}
	farm_hash_run(run);
	job->pid = 0;
	if (++result->runs_finished == result->repeat) {
		farm_judge(result);
		if (runner->test_done)
			runner->test_done(result, runner->opaque);
	}
}

static struct farm_job *find_job(struct farm_job *jobs, size_t count, pid_t pid)
{
	for (size_t i = 0; i < count; i++)
		if (jobs[i].pid == pid)
			return &jobs[i];
	return NULL;
}

/* Collects every child that ended; returns how many. */
static size_t reap(const struct farm_runner *runner, struct farm_job *jobs, size_t count)
{
	size_t reaped = 0;
	struct farm_job *job;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (!(job = find_job(jobs, count, pid)))
			continue;
		if (WIFEXITED(status))
			end_run(runner, job, FARM_RUN_EXITED, WEXITSTATUS(status));
		else
			end_run(runner, job, FARM_RUN_SIGNALED, WTERMSIG(status));
		reaped++;
	}
	return reaped;
}

/* ---- the loop ---- */

static void enforce_watchdogs(struct farm_job *jobs, size_t count, double now)
{
	for (size_t i = 0; i < count; i++) {
		struct farm_run *run = &jobs[i].result->runs[jobs[i].run];
		if (jobs[i].pid > 0 && now >= jobs[i].deadline && run->end == FARM_RUN_NOT_STARTED) {
			run->end = FARM_RUN_WATCHDOG;
			kill(-jobs[i].pid, SIGKILL);
		}
	}
}

static int poll_timeout_ms(const struct farm_runner *runner, struct farm_job *jobs, size_t count, double now)
{
	double wait = runner->tick ? TICK_SECONDS : 3600;

	for (size_t i = 0; i < count; i++)
		if (jobs[i].pid > 0 && jobs[i].deadline - now < wait)
			wait = jobs[i].deadline - now;
	return wait <= 0 ? 0 : (int)(wait * 1000) + 1; /* rounded up: never wake before a deadline */
}

static void wait_for_news(const struct farm_runner *runner, struct farm_job *jobs, size_t count)
{
	struct pollfd wake = {.fd = wake_pipe[0], .events = POLLIN};

	if (poll(&wake, 1, poll_timeout_ms(runner, jobs, count, farm_wall_seconds())) > 0)
		drain_wake_pipe();
}

/* SIGTERM to every child, SIGKILL to those still there after a grace period. */
static void stop_children(const struct farm_runner *runner, struct farm_job *jobs, size_t count, size_t running)
{
	double give_up = farm_wall_seconds() + STOP_GRACE_SECONDS;

	for (size_t i = 0; i < count; i++)
		if (jobs[i].pid > 0) {
			jobs[i].result->runs[jobs[i].run].end = FARM_RUN_INTERRUPTED;
			kill(-jobs[i].pid, SIGTERM);
		}
	while (running > 0) {
		if (farm_wall_seconds() >= give_up)
			for (size_t i = 0; i < count; i++)
				if (jobs[i].pid > 0)
					kill(-jobs[i].pid, SIGKILL);
		running -= reap(runner, jobs, count);
		if (running > 0)
			poll(NULL, 0, 20);
	}
}

static void end_unstarted(const struct farm_runner *runner, struct farm_job *jobs, size_t count, size_t next)
{
	for (size_t i = next; i < count; i++)
		end_run(runner, &jobs[i], FARM_RUN_NOT_STARTED, 0);
}

static void start_more(const struct farm_runner *runner, struct farm_job *jobs, size_t count, size_t *next,
                       size_t *running)
{
	while (*running < runner->jobs && *next < count && !stop_signal) {
		struct farm_job *job = &jobs[(*next)++];
		start_job(runner, job);
		if (job->pid > 0)
			(*running)++;
		else
			end_run(runner, job, FARM_RUN_SPAWN_FAILED, 0);
	}
}

int farm_run_jobs(const struct farm_runner *runner, struct farm_job *jobs, size_t count)
{
	struct saved_signals saved;
	size_t next = 0, running = 0;

	if (install_signals(&saved) < 0)
		return -1;
	while ((next < count || running > 0) && !stop_signal) {
		start_more(runner, jobs, count, &next, &running);
		if (runner->tick)
			runner->tick(runner->opaque);
		if (running == 0)
			continue;
		wait_for_news(runner, jobs, count);
		running -= reap(runner, jobs, count);
		enforce_watchdogs(jobs, count, farm_wall_seconds());
	}
	if (stop_signal) {
		stop_children(runner, jobs, count, running);
		end_unstarted(runner, jobs, count, next);
	}
	restore_signals(&saved);
	return stop_signal ? 1 : 0;
}
