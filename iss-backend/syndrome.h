/*
 * The instruction syndrome of a data abort taken to EL2 (syndrome.c): what a hypervisor needs
 * to emulate the access without decoding the instruction itself.
 */
#ifndef QVP_ISS_SYNDROME_H
#define QVP_ISS_SYNDROME_H

#include <stdint.h>

#include "iss_state.h"

/*
 * ESR_ELx.ISS bits 24:14 (ISV, SAS, SSE, SRT, SF, AR) for the load or store at the PC, or 0
 * (ISV = 0) when it is not a single general-purpose register access without writeback.
 */
uint32_t iss_load_store_syndrome(const struct iss *cpu);
/* The same from the instruction's encoding. */
uint32_t iss_load_store_syndrome_of(uint32_t word);

#endif
