/* The JUnit XML report, in the shape GitLab and Jenkins read: one <testsuite> per manifest, one
 * <testcase> per test with <failure>, <error> or <skipped>, the console in <system-out>, and
 * virtual time, instructions and the content hash as properties. */
#include "farm.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

static void attribute(FILE *out, const char *name, const char *value)
{
	fprintf(out, " %s=\"", name);
	farm_write_xml_text(out, value, strlen(value));
	fputc('"', out);
}

static void property(FILE *out, const char *indent, const char *name, const char *value)
{
	fprintf(out, "%s<property", indent);
	attribute(out, "name", name);
	attribute(out, "value", value);
	fputs("/>\n", out);
}

static void run_properties(FILE *out, const struct farm_result *result)
{
	const struct farm_run *run = &result->runs[result->shown_run];
	char text[FARM_HASH_HEX + 16];

	fputs("      <properties>\n", out);
	if (run->have_stats) {
		vtime_format(run->virtual_time, text, sizeof(text));
		property(out, "        ", "virtual_time", text);
		snprintf(text, sizeof(text), "%" PRIu64, run->virtual_time);
		property(out, "        ", "virtual_time_ps", text);
		snprintf(text, sizeof(text), "%" PRIu64, run->instructions);
		property(out, "        ", "instructions", text);
	}
	if (run->end == FARM_RUN_EXITED) {
		snprintf(text, sizeof(text), "%d", run->status);
		property(out, "        ", "exit_code", text);
	}
	snprintf(text, sizeof(text), "%u", result->repeat);
	property(out, "        ", "runs", text);
	snprintf(text, sizeof(text), "sha256:%s", run->hash);
	property(out, "        ", "content_hash", text);
	fputs("      </properties>\n", out);
}

static void verdict_element(FILE *out, const struct farm_result *result)
{
	const char *element = result->verdict == FARM_FAIL ? "failure" : result->verdict == FARM_ERROR ? "error" : NULL;

	if (result->verdict == FARM_SKIPPED) {
		fputs("      <skipped", out);
		attribute(out, "message", result->message);
		fputs("/>\n", out);
	}
	if (!element)
		return;
	fprintf(out, "      <%s", element);
	attribute(out, "message", result->message);
	attribute(out, "type", result->kind);
	fputs(">", out);
	farm_write_xml_text(out, result->details, strlen(result->details));
	fprintf(out, "</%s>\n", element);
}

static void run_output(FILE *out, const struct farm_result *result)
{
	const struct farm_run *run = &result->runs[result->shown_run];
	size_t skip = 0;

	if (run->console_size > FARM_REPORT_CONSOLE_MAX)
		skip = run->console_size - FARM_REPORT_CONSOLE_MAX;
	fputs("      <system-out>", out);
	if (skip)
		fprintf(out, "[qvp test: the first %zu bytes of the console are left out here]\n", skip);
	farm_write_xml_text(out, run->console + skip, run->console_size - skip);
	fputs("</system-out>\n", out);
	if (run->errors_size) {
		skip = run->errors_size > FARM_REPORT_CONSOLE_MAX ? run->errors_size - FARM_REPORT_CONSOLE_MAX : 0;
		fputs("      <system-err>", out);
		farm_write_xml_text(out, run->errors + skip, run->errors_size - skip);
		fputs("</system-err>\n", out);
	}
}

static void testcase(FILE *out, const struct farm_summary *summary, const struct farm_result *result)
{
	char number[32];

	fputs("    <testcase", out);
	attribute(out, "name", result->test->name);
	attribute(out, "classname", summary->manifest->name);
	attribute(out, "file", summary->manifest->path);
	snprintf(number, sizeof(number), "%d", result->test->line);
	attribute(out, "line", number);
	fprintf(out, " time=\"%.3f\">\n", result->runs[result->shown_run].wall);
	run_properties(out, result);
	verdict_element(out, result);
	run_output(out, result);
	fputs("    </testcase>\n", out);
}

/* Where and when the suite ran: shards of one farm may run on many machines. */
static void host_attributes(FILE *out, const struct farm_summary *summary)
{
	char text[256];
	struct tm utc;

	if (gmtime_r(&summary->started, &utc) && strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc))
		attribute(out, "timestamp", text);
	if (gethostname(text, sizeof(text) - 1) == 0) {
		text[sizeof(text) - 1] = '\0';
		attribute(out, "hostname", text);
	}
}

static void suite_header(FILE *out, const struct farm_summary *summary)
{
	char text[64];

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out,
	        "<testsuites name=\"qvp test\" tests=\"%zu\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" "
	        "time=\"%.3f\">\n",
	        summary->count, summary->failed, summary->errors, summary->skipped, summary->wall);
	fputs("  <testsuite", out);
	attribute(out, "name", summary->manifest->name);
	fprintf(out, " tests=\"%zu\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" time=\"%.3f\"", summary->count,
	        summary->failed, summary->errors, summary->skipped, summary->wall);
	host_attributes(out, summary);
	fputs(">\n", out);
	fputs("    <properties>\n", out);
	property(out, "      ", "manifest", summary->manifest->path);
	snprintf(text, sizeof(text), "%u/%u", summary->shard_k, summary->shard_n);
	property(out, "      ", "shard", text);
	snprintf(text, sizeof(text), "%u", summary->jobs);
	property(out, "      ", "jobs", text);
	property(out, "      ", "interrupted", summary->interrupted ? "true" : "false");
	fputs("    </properties>\n", out);
}

/* Written to FILE.tmp and renamed, so a reader never sees half a report. */
int farm_write_junit(const char *path, const struct farm_summary *summary)
{
	char temporary[4096];
	FILE *out;

	snprintf(temporary, sizeof(temporary), "%s.tmp", path);
	if (!(out = fopen(temporary, "w")))
		return error_set("--junit %s: %s", path, strerror(errno));
	suite_header(out, summary);
	for (size_t i = 0; i < summary->count; i++)
		testcase(out, summary, &summary->results[i]);
	fputs("  </testsuite>\n</testsuites>\n", out);
	if (fclose(out) != 0 || rename(temporary, path) != 0)
		return error_set("--junit %s: %s", path, strerror(errno));
	return 0;
}
