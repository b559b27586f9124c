/* The iss backend: qvp's own AArch64 interpreter. */
#ifndef QVP_ISS_H
#define QVP_ISS_H

#include "bus.h"
#include "cpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A CPU at reset: EL1h, interrupts masked, MMU off; PC and registers set by the caller.
 *
 * What the iss backend adds to the cpu.h contract:
 * - executed_in_run() during an instruction (an MMIO callback) counts the instructions
 *   retired before it: the accessing instruction is not counted yet.
 * - kick() outside run() is ignored; during run() the kicking instruction retires.
 * - A fatal stop leaves the PC on the faulting instruction, which is not counted.
 * - Instructions are decoded once and cached: code changed behind the CPU's back (a model
 *   writing RAM through bus_ram_pointer()) must go through write_memory(), which invalidates.
 * - read_memory()/write_memory() reach RAM only, so a debugger never triggers device side effects.
 */
struct cpu *iss_create(struct bus *bus);

#ifdef __cplusplus
}
#endif
#endif
