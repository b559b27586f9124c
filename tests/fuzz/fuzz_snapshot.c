/* The snapshot reader (runtime/machine/snapshot.c): each input is a snapshot file, parsed with
 * the section checksums skipped (so mutations reach what lies behind them) and, when it parses,
 * loaded into a fresh virt machine whose firmware idles, which then runs for a while: whatever
 * state a file holds is refused with a message or runs as a guest, never crashes the host. The
 * seeds are real snapshots of the virt board, so their board matches: corpus/snapshot/idle.snap
 * (this idle loop, raw) and timer_irq.snap (sw/timer_irq.elf at 1 ms, its timer and GIC busy). */
#include <stdint.h>

#include "fuzz_support.h"
#include "loop.h"
#include "machine.h"
#include "snapshot.h"

static const uint32_t idle_loop[] = {
	0xd503207f, /* wfi */
	0x17ffffff, /* b .-4 */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot *snapshot = snapshot_parse("input", data, size, false);
	struct machine *machine;

	if (!snapshot)
		return 0;
	machine = fuzz_virt_machine(idle_loop, sizeof(idle_loop) / sizeof(idle_loop[0]), VTIME_NEVER);
	if (machine && snapshot_load(machine, snapshot) == 0)
		fuzz_advance(machine, 200 * VTIME_US);
	machine_destroy(machine);
	snapshot_free(snapshot);
	return 0;
}
