/* Recording and replaying from the command line. */
#include "run_record.h"

#include <inttypes.h>
#include <stdio.h>

#include "error.h"

int run_record_read_options(struct run_record *record, struct cli_options *options)
{
	struct snapshot_inputs inputs;

	*record = (struct run_record){ 0 };
	if (!options->replay_path)
		return 0;
	record->replayed = recording_read(options->replay_path, &options->machine, &inputs, &record->log,
					  &record->complete);
	if (!record->replayed)
		return -1;
	options->console_script_path = inputs.console_script;
	if (!record->complete)
		fprintf(stderr, "qvp: replay: %s has no end (its run was killed): the run goes on past its last input\n",
			options->replay_path);
	return 0;
}

static int check_replayed_machine(const struct run_record *record, const struct cli_options *options,
				  const struct machine *machine)
{
	int same = snapshot_header_matches(machine, record->replayed);

	if (same < 0)
		return error_set("--replay %s: %s", options->replay_path, error_message());
	if (!same)
		return error_set("--replay %s: this qvp builds another board from the recorded options and images "
				 "(another qvp version, or a board file that changed)",
				 options->replay_path);
	return 0;
}

int run_record_attach(struct run_record *record, const struct cli_options *options, struct machine *machine)
{
	struct snapshot_inputs inputs = { .console_script = options->console_script_path };

	if (options->replay_path) {
		machine->input_log = record->log;
		return check_replayed_machine(record, options, machine);
	}
	if (!options->record_path && !options->gdb_address)
		return 0;
	if (options->record_path && options->gdb_address && machine->cpu_count > 1)
		return error_set("--record with --gdb needs one CPU (the board has %u): where gdb stops several CPUs "
				 "is not replayed", machine->cpu_count);
	record->log = input_log_create();
	if (!record->log)
		return -1;
	machine->input_log = record->log;
	if (!options->record_path)
		return 0;
	record->recording = recording_start(options->record_path, machine, &inputs, record->log);
	return record->recording ? 0 : -1;
}

/* A replay's end: where the recording ended, or the input the run did not reach. */
static int check_replay_end(const struct run_record *record, const struct machine *machine, int exit_status)
{
	const struct input_record *next;
	char time[32];

	if (machine->stop_cause == MACHINE_PAUSED) {
		vtime_format(machine->now, time, sizeof(time));
		fprintf(stderr, "qvp: replay: the recorded run ended here, at instruction %" PRIu64 " (%s)\n",
			machine->stats.instructions, time);
		return exit_status;
	}
	if (!input_log_pending(record->log, &next) ||
	    (next->kind == INPUT_END && next->instructions == machine->stats.instructions && next->time == machine->now))
		return exit_status;
	vtime_format(next->time, time, sizeof(time));
	fprintf(stderr, "qvp: replay: the run ended at instruction %" PRIu64 ", before %s recorded at instruction "
		"%" PRIu64 " (%s): it went another way than the recorded run\n",
		machine->stats.instructions, input_kind_name(next->kind), next->instructions, time);
	return QVP_EXIT_ERROR;
}

int run_record_finish(struct run_record *record, struct machine *machine, int exit_status)
{
	if (record->replayed)
		return check_replay_end(record, machine, exit_status);
	if (!record->recording)
		return exit_status;
	if (recording_finish(record->recording, machine) < 0) {
		record->recording = NULL;
		fprintf(stderr, "qvp: error: %s\n", error_message());
		return QVP_EXIT_ERROR;
	}
	record->recording = NULL;
	return exit_status;
}

void run_record_free(struct run_record *record)
{
	input_log_destroy(record->log);
	snapshot_free(record->replayed);
	*record = (struct run_record){ 0 };
}
