/* The JSON report, for tools: the run's settings, the counts, and every test with every run. */
#include "farm.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static void string(FILE *out, const char *text)
{
	if (text)
		farm_write_json_string(out, text, strlen(text));
	else
		fputs("null", out);
}

static const char *end_name(enum farm_run_end end)
{
	static const char *const names[] = {"not-started", "exited",      "crashed",
	                                    "watchdog",    "interrupted", "spawn-failed"};

	return names[end];
}

static void run_object(FILE *out, const struct farm_run *run)
{
	fprintf(out, "{\"end\": \"%s\", \"exit_code\": ", end_name(run->end));
	if (run->end == FARM_RUN_EXITED)
		fprintf(out, "%d", run->status);
	else
		fputs("null", out);
	fprintf(out, ", \"signal\": %d, \"wall_seconds\": %.3f, ", run->signal, run->wall);
	if (run->have_stats)
		fprintf(out, "\"instructions\": %" PRIu64 ", \"virtual_time_ps\": %" PRIu64 ", ", run->instructions,
		        run->virtual_time);
	else
		fputs("\"instructions\": null, \"virtual_time_ps\": null, ", out);
	fprintf(out, "\"hash\": \"sha256:%s\"}", run->hash);
}

static void test_object(FILE *out, const struct farm_result *result)
{
	static const char *const verdicts[] = {"pass", "fail", "error", "skipped"};
	const struct farm_run *shown = &result->runs[result->shown_run];
	size_t skip = shown->console_size > FARM_REPORT_CONSOLE_MAX ? shown->console_size - FARM_REPORT_CONSOLE_MAX : 0;

	fputs("    {\"name\": ", out);
	string(out, result->test->name);
	fprintf(out, ", \"line\": %d, \"result\": \"%s\", \"kind\": ", result->test->line, verdicts[result->verdict]);
	string(out, result->kind);
	fputs(", \"message\": ", out);
	string(out, result->message);
	fprintf(out, ", \"expected_exit_code\": %d, \"hash\": \"sha256:%s\",\n     \"log\": ", result->test->exit_code,
	        shown->hash);
	string(out, result->logs_kept ? shown->log_prefix : NULL);
	fprintf(out, ", \"console_bytes_left_out\": %zu, \"console\": ", skip);
	farm_write_json_string(out, shown->console + skip, shown->console_size - skip);
	fputs(",\n     \"runs\": [", out);
	for (unsigned i = 0; i < result->repeat; i++) {
		fputs(i ? ", " : "", out);
		run_object(out, &result->runs[i]);
	}
	fputs("]}", out);
}

int farm_write_json(const char *path, const struct farm_summary *summary)
{
	char temporary[4096];
	FILE *out;

	snprintf(temporary, sizeof(temporary), "%s.tmp", path);
	if (!(out = fopen(temporary, "w")))
		return error_set("--json %s: %s", path, strerror(errno));
	fputs("{\"manifest\": ", out);
	string(out, summary->manifest->path);
	fputs(", \"suite\": ", out);
	string(out, summary->manifest->name);
	fprintf(out, ", \"shard\": \"%u/%u\", \"jobs\": %u, \"interrupted\": %s, \"wall_seconds\": %.3f,\n",
	        summary->shard_k, summary->shard_n, summary->jobs, summary->interrupted ? "true" : "false",
	        summary->wall);
	fprintf(out,
	        " \"counts\": {\"tests\": %zu, \"passed\": %u, \"failed\": %u, \"errors\": %u, \"skipped\": %u},\n",
	        summary->count, summary->passed, summary->failed, summary->errors, summary->skipped);
	fputs(" \"tests\": [\n", out);
	for (size_t i = 0; i < summary->count; i++) {
		test_object(out, &summary->results[i]);
		fputs(i + 1 < summary->count ? ",\n" : "\n", out);
	}
	fputs(" ]}\n", out);
	if (fclose(out) != 0 || rename(temporary, path) != 0)
		return error_set("--json %s: %s", path, strerror(errno));
	return 0;
}
