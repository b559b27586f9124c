/* The farm on the terminal: counting verdicts and the summary table. */
#include "farm.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void farm_summary_count(struct farm_summary *summary)
{
	summary->passed = summary->failed = summary->errors = summary->skipped = 0;
	for (size_t i = 0; i < summary->count; i++)
		switch (summary->results[i].verdict) {
		case FARM_PASS:
			summary->passed++;
			break;
		case FARM_FAIL:
			summary->failed++;
			break;
		case FARM_ERROR:
			summary->errors++;
			break;
		case FARM_SKIPPED:
			summary->skipped++;
			break;
		}
}

static const char *verdict_word(enum farm_verdict verdict)
{
	static const char *const words[] = {"pass", "FAIL", "ERROR", "skipped"};

	return words[verdict];
}

static int name_width(const struct farm_summary *summary)
{
	size_t width = 4;

	for (size_t i = 0; i < summary->count; i++)
		if (strlen(summary->results[i].test->name) > width)
			width = strlen(summary->results[i].test->name);
	return (int)width;
}

static void print_row(FILE *out, int width, const struct farm_result *result)
{
	const struct farm_run *run = &result->runs[result->shown_run];
	char virtual_time[48] = "-", exit_code[16] = "-", instructions[24] = "-";

	if (run->end == FARM_RUN_EXITED)
		snprintf(exit_code, sizeof(exit_code), "%d", run->status);
	else if (run->end == FARM_RUN_SIGNALED)
		snprintf(exit_code, sizeof(exit_code), "sig %d", run->signal);
	if (run->have_stats) {
		vtime_format(run->virtual_time, virtual_time, sizeof(virtual_time));
		snprintf(instructions, sizeof(instructions), "%" PRIu64, run->instructions);
	}
	fprintf(out, "%-*s  %-7s  %5s  %12s  %18s  %8.3f s  %.12s\n", width, result->test->name,
	        verdict_word(result->verdict), exit_code, instructions, virtual_time, run->wall, run->hash);
}

static void print_problems(FILE *out, const struct farm_summary *summary)
{
	bool header = false;

	for (size_t i = 0; i < summary->count; i++) {
		const struct farm_result *result = &summary->results[i];
		if (result->verdict == FARM_PASS)
			continue;
		if (!header)
			fprintf(out, "\nproblems:\n");
		header = true;
		fprintf(out, "  %s: %s\n", result->test->name, result->message);
		if (result->logs_kept && result->runs[result->shown_run].end != FARM_RUN_NOT_STARTED)
			fprintf(out, "    console: %s.console\n", result->runs[result->shown_run].log_prefix);
	}
}

void farm_print_table(FILE *out, const struct farm_summary *summary)
{
	int width = name_width(summary);

	fprintf(out, "\n%-*s  %-7s  %5s  %12s  %18s  %10s  %s\n", width, "test", "result", "exit", "instructions",
	        "virtual time", "wall", "hash");
	for (size_t i = 0; i < summary->count; i++)
		print_row(out, width, &summary->results[i]);
	print_problems(out, summary);
	fprintf(out, "\n%zu tests: %u passed, %u failed, %u errors, %u skipped in %.2f s (-j %u, shard %u/%u)%s\n",
	        summary->count, summary->passed, summary->failed, summary->errors, summary->skipped, summary->wall,
	        summary->jobs, summary->shard_k, summary->shard_n, summary->interrupted ? ", INTERRUPTED" : "");
}

/* ---- progress while the farm runs: a bar on a terminal, one line per test otherwise ---- */

static void clear_bar(struct farm_progress *progress)
{
	if (progress->bar_shown)
		fputs("\r\033[K", progress->out);
	progress->bar_shown = false;
}

static void draw_bar(struct farm_progress *progress)
{
	const int width = 30;
	int filled = progress->total ? (int)(progress->done * (size_t)width / progress->total) : width;
	double elapsed = farm_wall_seconds() - progress->started;

	fprintf(progress->out, "\r\033[K[%.*s%*s] %zu/%zu tests, %zu failed, %.0f s", filled,
	        "##############################", width - filled, "", progress->done, progress->total, progress->failed,
	        elapsed);
	fflush(progress->out);
	progress->bar_shown = true;
	progress->last_drawn = farm_wall_seconds();
}

void farm_progress_tick(struct farm_progress *progress)
{
	if (progress->tty && farm_wall_seconds() - progress->last_drawn >= 0.2)
		draw_bar(progress);
}

void farm_progress_test_done(struct farm_progress *progress, const struct farm_result *result)
{
	progress->done++;
	if (result->verdict == FARM_FAIL || result->verdict == FARM_ERROR)
		progress->failed++;
	clear_bar(progress);
	if (result->verdict == FARM_PASS)
		fprintf(progress->out, "%-7s %s (%.3f s)\n", verdict_word(result->verdict), result->test->name,
		        result->runs[0].wall);
	else
		fprintf(progress->out, "%-7s %s: %s\n", verdict_word(result->verdict), result->test->name,
		        result->message);
	if (progress->tty)
		draw_bar(progress);
	fflush(progress->out);
}

void farm_progress_setup_done(struct farm_progress *progress, const struct farm_result *setup)
{
	char at[40];

	clear_bar(progress);
	vtime_format(setup->start_time, at, sizeof(at));
	if (setup->verdict == FARM_PASS)
		fprintf(progress->out, "%-7s %s (%.3f s; the snapshot at %s)\n", "SETUP", setup->test->name,
			setup->runs[0].wall, at);
	else
		fprintf(progress->out, "%-7s %s: failed: %s\n", "SETUP", setup->test->name, setup->message);
	if (progress->tty)
		draw_bar(progress);
	fflush(progress->out);
}

void farm_progress_finish(struct farm_progress *progress)
{
	clear_bar(progress);
	fflush(progress->out);
}
