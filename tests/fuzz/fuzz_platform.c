/* The device-tree platform builder (runtime/machine/platform.c) on arbitrary blobs: each input
 * is the board of a whole machine (RAM, models, interrupt controllers, the CPU's clock, the
 * DTB placed in RAM) that then runs a WFI loop for 100 us of virtual time, so the models it
 * built get their events. A blob may be refused, never crash. */
#include <stdint.h>

#include "fuzz_support.h"
#include "loop.h"
#include "machine.h"

static const uint32_t idle_loop[] = {
	0xd503207f, /* wfi */
	0x17ffffff, /* b .-4 */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *board = fuzz_input_file(data, size);
	struct machine *machine = fuzz_machine(board, idle_loop, 2, 100 * VTIME_US);

	if (machine)
		machine_run(machine);
	machine_destroy(machine);
	return 0;
}
