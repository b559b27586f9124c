/* Coverage recording (coverage_marks.c): what the run loop and the branch handlers call. */
#ifndef QVP_ISS_COVERAGE_MARKS_H
#define QVP_ISS_COVERAGE_MARKS_H

#include <stdbool.h>

#include "iss_state.h"

/* The slot at the PC was just decoded to run: marks it executed, and a conditional branch
 * gets its recording handler. Only while cpu->coverage is set. */
void iss_coverage_decoded(struct iss *cpu, struct iss_insn *slot);

/* A recording branch handler at the PC went `taken` or not. */
void iss_coverage_branch(struct iss *cpu, bool taken);

#endif
