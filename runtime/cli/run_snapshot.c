/* Snapshots from the command line: saving at a virtual time through the loop's boundary hook,
 * and taking a restored run's options from the snapshot. */
#include "run_snapshot.h"

#include <string.h>

#include "error.h"

struct snapshot *run_snapshot_read_options(struct cli_options *options)
{
	struct snapshot *snapshot = snapshot_read(options->restore_path);
	vtime_t timeout = options->machine.timeout;
	struct snapshot_inputs inputs;
	struct snap_reader second;

	if (!snapshot)
		return NULL;
	if (snapshot_section_count(snapshot) > 1 && strcmp(snapshot_section(snapshot, 1, &second), "recording") == 0) {
		error_set("%s: a recording, not a snapshot (qvp run --replay %s)", options->restore_path,
			  options->restore_path);
		snapshot_free(snapshot);
		return NULL;
	}
	if ((options->image_dir && snapshot_find_images_in(snapshot, options->image_dir) < 0) ||
	    snapshot_config(snapshot, &options->machine, &inputs) < 0) {
		snapshot_free(snapshot);
		return NULL;
	}
	options->machine.ram_from_snapshot = true;
	options->snapshot_script_path = inputs.console_script;
	if (!options->console_script_path) /* a new script starts at the snapshot (console_restart_script) */
		options->console_script_path = inputs.console_script;
	if (options->timeout_given)
		options->machine.timeout = timeout;
	return snapshot;
}

/* Saves once, when virtual time has reached the asked time; false ends the run (--stop, or
 * the file could not be written). */
static bool save_at_boundary(struct machine *machine)
{
	struct run_snapshot_at *at = machine->boundary_opaque;

	if (at->saved || machine->now < at->time || (at->console && !console_script_ended(at->console)))
		return true;
	at->saved = true;
	if (snapshot_save(machine, &at->inputs, at->path) < 0) {
		at->failed = true;
		machine->stop_cause = MACHINE_FATAL;
		return false;
	}
	return !at->stop;
}

void run_snapshot_at_attach(struct run_snapshot_at *at, const struct cli_options *options, struct machine *machine,
			    const struct console *console)
{
	*at = (struct run_snapshot_at){ .time = options->snapshot_at, .path = options->snapshot_path,
	                                .stop = options->snapshot_stop,
	                                .console = options->snapshot_after_script ? console : NULL,
	                                .inputs = { .console_script = options->console_script_path } };
	if (!options->snapshot_path)
		return;
	machine->boundary = save_at_boundary;
	machine->boundary_opaque = at;
}
