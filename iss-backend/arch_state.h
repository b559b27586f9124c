/* The debugger's SIMD&FP registers (arch_state.c); iss.h has the state other backends hand over. */
#ifndef QVP_ISS_ARCH_STATE_H
#define QVP_ISS_ARCH_STATE_H

#include "cpu.h"

int iss_get_vector(struct cpu *base, unsigned index, uint64_t value[2]);
int iss_set_vector(struct cpu *base, unsigned index, const uint64_t value[2]);

struct iss;
/* Drops every decoded page and translation: the state came from elsewhere (kvm, a snapshot). */
void iss_forget_decoded_code(struct iss *cpu);

#endif
