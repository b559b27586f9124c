/* The recording reader (runtime/machine/recording.c) and the replay of what it read
 * (input_log.c): each input is a recording file, parsed with the section checksums skipped (so
 * mutations reach the inputs behind them), its inputs then replayed on a fresh virt machine
 * whose firmware idles: typed bytes, memory and register writes of any CPU number, board resets
 * and ends at any place. Whatever a file holds is refused with a message or replayed as input,
 * never crashes the host. The seeds are real recordings (tests/test_record.cpp's kinds): typed
 * and piped console input and a gdb session's writes. */
#include <stdint.h>

#include "fuzz_support.h"
#include "input_log.h"
#include "loop.h"
#include "machine.h"
#include "recording.h"
#include "snapshot.h"

static const uint32_t idle_loop[] = {
	0xd503207f, /* wfi */
	0x17ffffff, /* b .-4 */
};

static int swallow_console(void *opaque, const uint8_t *bytes, size_t length)
{
	(void)opaque;
	(void)bytes;
	(void)length;
	return 0; /* the board's UART is not the subject here: the log's replay is */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool complete;
	struct snapshot *snapshot = snapshot_parse_cut_short("input", data, size, false, &complete);
	struct input_log *log;
	struct machine *machine;

	if (!snapshot)
		return 0;
	log = recording_inputs(snapshot);
	machine = log ? fuzz_virt_machine(idle_loop, sizeof(idle_loop) / sizeof(idle_loop[0]), VTIME_NEVER) : NULL;
	if (machine) {
		input_log_set_console(log, swallow_console, NULL);
		machine->input_log = log;
		machine->timeout = 200 * VTIME_US;
		machine_run(machine); /* the whole loop: replayed inputs enter at its boundaries */
		machine->input_log = NULL;
	}
	machine_destroy(machine);
	input_log_destroy(log);
	snapshot_free(snapshot);
	return 0;
}
