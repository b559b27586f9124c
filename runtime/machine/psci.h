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

/* The iss_call_hook; `opaque` is the struct machine. SMC is left UNDEFINED (the conduit is
 * HVC, as the board's psci node says); every HVC is a call: unknown ones return NOT_SUPPORTED. */
bool psci_call(void *opaque, struct cpu *cpu, bool smc, uint16_t imm);

#ifdef __cplusplus
}
#endif
#endif
