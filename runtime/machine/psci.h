/* PSCI 1.0 for the one CPU of the iss backend, through its HVC call hook (iss.h). */
#ifndef QVP_PSCI_H
#define QVP_PSCI_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PSCI_VERSION_IMPLEMENTED 0x00010000u /* 1.0: major << 16 | minor */

/* The iss_call_hook; `opaque` is the struct machine. The conduit is HVC, or SMC when the CPUs
 * start at EL2 (platform_start_el2), as the guest's psci node says; the other is left UNDEFINED.
 * Every call on the conduit is answered: unknown ones return NOT_SUPPORTED. */
bool psci_call(void *opaque, struct cpu *cpu, bool smc, uint16_t imm);

#ifdef __cplusplus
}
#endif
#endif
