/*
 * `monitor snapshot save|load FILE` (docs/gdb.md): the whole machine to a snapshot file at a
 * debugger stop, and back. A file saved here restores with `qvp run --restore` too.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "gdb_stub_internal.h"
#include "input_log.h"
#include "snapshot.h"

static void save(struct gdb_stub *stub, const char *path, char *out, size_t size)
{
	struct snapshot_inputs inputs = { NULL };

	if (snapshot_save(stub->machine, &inputs, path) < 0) {
		snprintf(out, size, "snapshot: %s\n", error_message());
		return;
	}
	snprintf(out, size, "snapshot: saved %s at instruction %" PRIu64 "\n", path, stub->machine->stats.instructions);
}

static void load(struct gdb_stub *stub, const char *path, char *out, size_t size)
{
	struct machine *machine = stub->machine;
	struct snapshot *snapshot;

	if (input_log_recording(machine->input_log)) {
		snprintf(out, size, "snapshot: not while qvp records (--record): a replay could not load it\n");
		return;
	}
	snapshot = snapshot_read(path);
	if (!snapshot || snapshot_load_running(machine, snapshot) < 0) {
		snprintf(out, size, "snapshot: %s%s\n", error_message(),
			 machine->stop_cause == MACHINE_FATAL ? "; the run ends" : "");
		snapshot_free(snapshot);
		return;
	}
	snapshot_free(snapshot);
	machine_tell_debugger(machine, MACHINE_DEBUG_RESET, NULL); /* breakpoints into the new CPUs */
	if (stub->history)
		history_clear(stub->history, machine); /* neither past nor future of this run any more */
	gdb_format_stop(stub, SIGNAL_TRAP, "");
	snprintf(out, size, "snapshot: loaded %s, at instruction %" PRIu64 "; 'maintenance flush register-cache' "
		 "shows gdb the registers\n", path, machine->stats.instructions);
}

bool gdb_snapshot_monitor(struct gdb_stub *stub, const char *command, char *out, size_t size)
{
	if (strncmp(command, "snapshot save ", 14) == 0)
		save(stub, command + 14, out, size);
	else if (strncmp(command, "snapshot load ", 14) == 0)
		load(stub, command + 14, out, size);
	else if (strncmp(command, "snapshot", 8) == 0)
		snprintf(out, size, "snapshot: 'monitor snapshot save FILE' or 'monitor snapshot load FILE'\n");
	else
		return false;
	return true;
}
