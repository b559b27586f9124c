/* Judging a test: read what each run left in its log files, hash it, and compare it with what
 * the manifest expects and with the other runs. */
#include "farm.h"

#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <yaml.h>

#include "exit_status.h"

/* ---- reading the run's files ---- */

static char *read_whole(const char *path, size_t *size)
{
	FILE *file = fopen(path, "rb");
	char *data = NULL;
	size_t length = 0, capacity = 0, got;

	if (!file) {
		*size = 0;
		return calloc(1, 1);
	}
	do {
		if (capacity - length < 65536) {
			capacity = capacity * 2 + 65536;
			data = realloc(data, capacity + 1);
			if (!data)
				abort();
		}
		got = fread(data + length, 1, capacity - length, file);
		length += got;
	} while (got > 0);
	fclose(file);
	data[length] = '\0';
	*size = length;
	return data;
}

static char *path_with(const struct farm_run *run, const char *suffix)
{
	char *path;

	if (asprintf(&path, "%s%s", run->log_prefix, suffix) < 0)
		abort();
	return path;
}

static char *last_line(const char *text, size_t size)
{
	while (size > 0 && (text[size - 1] == '\n' || text[size - 1] == '\r'))
		size--;
	size_t start = size;
	while (start > 0 && text[start - 1] != '\n')
		start--;
	return size > start ? strndup(text + start, size - start) : NULL;
}

static const char *mapping_value(yaml_document_t *document, yaml_node_t *mapping, const char *name)
{
	for (yaml_node_pair_t *pair = mapping->data.mapping.pairs.start; pair < mapping->data.mapping.pairs.top;
	     pair++) {
		yaml_node_t *key = yaml_document_get_node(document, pair->key);
		yaml_node_t *value = yaml_document_get_node(document, pair->value);
		if (key->type == YAML_SCALAR_NODE && value->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)key->data.scalar.value, name) == 0)
			return (const char *)value->data.scalar.value;
	}
	return NULL;
}

/* The child's --stats-json: JSON is YAML, so libyaml reads it. */
static void read_stats(struct farm_run *run, const char *path)
{
	FILE *file = fopen(path, "rb");
	yaml_parser_t parser;
	yaml_document_t document;
	yaml_node_t *root;
	const char *instructions, *virtual_time, *idle_since;

	if (!file)
		return;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, file);
	if (yaml_parser_load(&parser, &document)) {
		root = yaml_document_get_root_node(&document);
		if (root && root->type == YAML_MAPPING_NODE) {
			instructions = mapping_value(&document, root, "instructions");
			virtual_time = mapping_value(&document, root, "virtual_time_ps");
			if (instructions && virtual_time) {
				run->instructions = strtoull(instructions, NULL, 10);
				run->virtual_time = strtoull(virtual_time, NULL, 10);
				run->have_stats = true;
			}
			idle_since = mapping_value(&document, root, "idle_forever_since_ps");
			if (idle_since) {
				run->idle_forever = true;
				run->idle_forever_since = strtoull(idle_since, NULL, 10);
			}
		}
		yaml_document_delete(&document);
	}
	yaml_parser_delete(&parser);
	fclose(file);
}

void farm_collect_run(struct farm_run *run)
{
	char *path, *line;

	path = path_with(run, ".console");
	run->console = read_whole(path, &run->console_size);
	free(path);
	path = path_with(run, ".stderr");
	run->errors = read_whole(path, &run->errors_size);
	line = last_line(run->errors, run->errors_size);
	if (line) {
		free(run->error_line);
		run->error_line = line;
	}
	free(path);
	path = path_with(run, ".stats.json");
	read_stats(run, path);
	free(path);
}

/* ---- the content hash ---- */

static void hash_text(EVP_MD_CTX *context, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void hash_text(EVP_MD_CTX *context, const char *format, ...)
{
	char line[128];
	va_list args;
	int length;

	va_start(args, format);
	length = vsnprintf(line, sizeof(line), format, args);
	va_end(args);
	EVP_DigestUpdate(context, line, (size_t)length);
}

/* How the run ended, as hashed: "exit N", "signal N", or the reason it has no status. */
static void hash_end(EVP_MD_CTX *context, const struct farm_run *run)
{
	static const char *const names[] = {"not-started", "exit", "signal", "watchdog", "interrupted", "spawn-failed"};

	if (run->end == FARM_RUN_EXITED)
		hash_text(context, "exit %d\n", run->status);
	else if (run->end == FARM_RUN_SIGNALED)
		hash_text(context, "signal %d\n", run->signal);
	else
		hash_text(context, "%s\n", names[run->end]);
}

void farm_hash_run(struct farm_run *run)
{
	EVP_MD_CTX *context = EVP_MD_CTX_new();
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned length = 0;

	if (!context)
		abort();
	EVP_DigestInit_ex(context, EVP_sha256(), NULL);
	hash_text(context, "qvp-farm-result-v1\nconsole %zu\n", run->console_size);
	EVP_DigestUpdate(context, run->console, run->console_size);
	hash_text(context, "\n");
	hash_end(context, run);
	hash_text(context, "instructions %" PRIu64 "\nvirtual-time-ps %" PRIu64 "\n", run->instructions,
	          run->virtual_time);
	EVP_DigestFinal_ex(context, digest, &length);
	EVP_MD_CTX_free(context);
	for (unsigned i = 0; i < length && i * 2 < FARM_HASH_HEX; i++)
		snprintf(run->hash + 2 * i, 3, "%02x", digest[i]);
}

/* ---- problems found while judging ---- */

struct problems {
	FILE *details;
	char *text;
	size_t size;
	const char *kind;
	char *first;
	bool error; /* qvp itself failed: a JUnit <error> rather than a <failure> */
	bool any;
	unsigned run;
	unsigned first_run;
};

static void problem(struct problems *found, bool error, const char *kind, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(struct problems *found, bool error, const char *kind, const char *format, ...)
{
	char message[600];
	va_list args;

	va_start(args, format);
	vsnprintf(message, sizeof(message), format, args);
	va_end(args);
	fprintf(found->details, "%s\n", message);
	if (!found->any) {
		found->first = strdup(message);
		found->kind = kind;
		found->first_run = found->run;
	}
	found->any = true;
	found->error |= error;
}

static const char *prefix(const struct farm_result *result, unsigned run, char *buffer, size_t size)
{
	if (result->repeat <= 1)
		buffer[0] = '\0';
	else
		snprintf(buffer, size, "run %u: ", run + 1);
	return buffer;
}

/* ---- checks on one run ---- */

static bool matches(const struct farm_pattern *pattern, const struct farm_run *run, regmatch_t *match)
{
	match->rm_so = 0;
	match->rm_eo = (regoff_t)run->console_size;
	return regexec(&pattern->regex, run->console, 1, match, REG_STARTEND) == 0;
}

static void check_patterns(const struct farm_result *result, unsigned index, struct problems *found)
{
	const struct farm_test *test = result->test;
	const struct farm_run *run = &result->runs[index];
	char p[32];
	regmatch_t match;

	prefix(result, index, p, sizeof(p));
	for (size_t i = 0; i < test->expect_count; i++)
		if (!matches(&test->expect[i], run, &match))
			problem(found, false, "pattern", "%sexpected pattern '%s' not found in the console output", p,
			        test->expect[i].text);
	for (size_t i = 0; i < test->forbid_count; i++)
		if (matches(&test->forbid[i], run, &match)) {
			size_t start = (size_t)match.rm_so, end = (size_t)match.rm_so;
			while (start > 0 && run->console[start - 1] != '\n')
				start--;
			while (end < run->console_size && run->console[end] != '\n')
				end++;
			problem(found, false, "pattern", "%sforbidden pattern '%s' found in the console output: '%.*s'",
			        p, test->forbid[i].text, (int)(end - start < 200 ? end - start : 200),
			        run->console + start);
		}
}

static const char *detail(const struct farm_run *run)
{
	return run->error_line ? run->error_line : "(nothing on stderr)";
}

static void check_status(const struct farm_result *result, unsigned index, struct problems *found)
{
	const struct farm_run *run = &result->runs[index];
	int expected = result->test->exit_code;
	char p[32], since[48];

	prefix(result, index, p, sizeof(p));
	if (run->status == expected)
		return;
	switch (run->status) {
	case QVP_EXIT_TIMEOUT:
		if (run->idle_forever) { /* not slow but stuck: say so, as qvp does without a timeout */
			vtime_format(run->idle_forever_since, since, sizeof(since));
			problem(found, false, "idle",
			        "%sidle: the guest waited for an interrupt from %s on, with nothing to wake it, until the "
			        "timeout (%s)",
			        p, since, result->test->timeout ? result->test->timeout : "from the options");
			break;
		}
		problem(found, false, "timeout",
		        "%stimed out: virtual time reached the timeout (%s) before the guest exited", p,
		        result->test->timeout ? result->test->timeout : "from the options");
		break;
	case QVP_EXIT_ERROR:
		problem(found, true, "qvp-error", "%sqvp could not run the test (status 125): %s", p, detail(run));
		break;
	case QVP_EXIT_FATAL:
		problem(found, false, "fatal", "%sthe simulated CPU could not go on (status 126): %s", p, detail(run));
		break;
	default:
		problem(found, false, "exit-code", "%sexit code %d, expected %d", p, run->status, expected);
	}
}

static void check_run(const struct farm_result *result, unsigned index, struct problems *found)
{
	const struct farm_run *run = &result->runs[index];
	char p[32];

	prefix(result, index, p, sizeof(p));
	found->run = index;
	switch (run->end) {
	case FARM_RUN_EXITED:
		check_status(result, index, found);
		check_patterns(result, index, found);
		break;
	case FARM_RUN_SIGNALED:
		problem(found, true, "crash", "%sqvp crashed: killed by signal %d (%s); last on stderr: %s", p,
		        run->signal, strsignal(run->signal), detail(run));
		break;
	case FARM_RUN_WATCHDOG:
		problem(found, true, "watchdog",
		        "%shung: no result after %g s of wall-clock time; the watchdog killed it", p,
		        result->test->watchdog);
		break;
	case FARM_RUN_SPAWN_FAILED:
		problem(found, true, "spawn", "%scould not start qvp: %s", p, detail(run));
		break;
	case FARM_RUN_NOT_STARTED:
	case FARM_RUN_INTERRUPTED:
		break;
	}
}

/* ---- repeatability: every run that exited must match the first one ---- */

static void compare_runs(const struct farm_result *result, struct problems *found)
{
	const struct farm_run *first = &result->runs[0];

	for (unsigned i = 1; i < result->repeat; i++) {
		const struct farm_run *run = &result->runs[i];
		char what[400] = "";
		size_t n = 0;

		if (run->end != FARM_RUN_EXITED || first->end != FARM_RUN_EXITED)
			continue;
		if (run->console_size != first->console_size || memcmp(run->console, first->console, run->console_size))
			n += (size_t)snprintf(what + n, sizeof(what) - n, ", console output");
		if (run->status != first->status)
			n += (size_t)snprintf(what + n, sizeof(what) - n, ", exit code (%d vs %d)", run->status,
			                      first->status);
		if (run->instructions != first->instructions)
			n += (size_t)snprintf(what + n, sizeof(what) - n, ", instructions (%" PRIu64 " vs %" PRIu64 ")",
			                      run->instructions, first->instructions);
		if (run->virtual_time != first->virtual_time && n < sizeof(what))
			n += (size_t)snprintf(what + n, sizeof(what) - n,
			                      ", virtual time (%" PRIu64 " vs %" PRIu64 " ps)", run->virtual_time,
			                      first->virtual_time);
		found->run = i;
		if (n)
			problem(found, false, "nondeterministic", "not repeatable: run %u differs from run 1 in %s",
			        i + 1, what + 2);
	}
}

static bool unfinished(const struct farm_result *result)
{
	for (unsigned i = 0; i < result->repeat; i++)
		if (result->runs[i].end == FARM_RUN_NOT_STARTED || result->runs[i].end == FARM_RUN_INTERRUPTED)
			return true;
	return false;
}

void farm_judge(struct farm_result *result)
{
	struct problems found = {0};

	found.details = open_memstream(&found.text, &found.size);
	if (!found.details)
		abort();
	for (unsigned i = 0; i < result->repeat; i++)
		check_run(result, i, &found);
	compare_runs(result, &found);
	if (unfinished(result) && !found.any) {
		found.run = 0;
		problem(&found, false, "interrupted", "not finished: the farm was interrupted");
	}
	fclose(found.details);
	result->verdict = !found.any                               ? FARM_PASS
	                  : strcmp(found.kind, "interrupted") == 0 ? FARM_SKIPPED
	                  : found.error                            ? FARM_ERROR
	                                                           : FARM_FAIL;
	result->kind = found.any ? found.kind : NULL;
	result->message = found.first;
	result->details = found.text;
	result->shown_run = found.any ? found.first_run : 0;
}

void farm_judge_setup(struct farm_result *setup)
{
	const struct farm_run *run = &setup->runs[0];

	setup->start_time = run->virtual_time;
	if (setup->verdict != FARM_PASS || access(setup->snapshot, R_OK) == 0)
		return;
	setup->verdict = FARM_FAIL;
	setup->kind = "setup";
	free(setup->message);
	if (asprintf(&setup->message, "no snapshot: %s", run->error_line ? run->error_line : "the run ended first") < 0)
		abort();
}

void farm_judge_setup_failed(struct farm_result *result, const struct farm_result *setup)
{
	result->verdict = FARM_ERROR;
	result->kind = "setup";
	if (asprintf(&result->message, "setup '%s' failed: %s", setup->test->name, setup->message) < 0)
		abort();
	result->details = strdup(result->message);
	for (unsigned i = 0; i < result->repeat; i++)
		if (!result->runs[i].console)
			result->runs[i].console = calloc(1, 1);
	result->runs_finished = result->repeat;
}

void farm_result_free(struct farm_result *result)
{
	for (unsigned i = 0; i < result->repeat; i++) {
		free(result->runs[i].console);
		free(result->runs[i].error_line);
		free(result->runs[i].errors);
		free(result->runs[i].log_prefix);
	}
	free(result->runs);
	free(result->message);
	free(result->details);
	free(result->snapshot);
}
