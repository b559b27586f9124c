/* The iss backend: qvp's own AArch64 interpreter. */
#ifndef QVP_ISS_H
#define QVP_ISS_H

#include "bus.h"
#include "cpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A CPU at reset: EL1h, interrupts masked, MMU off; PC and registers set by the caller. */
struct cpu *iss_create(struct bus *bus);

#ifdef __cplusplus
}
#endif
#endif
