/* Debugger stops (debug.c): breakpoints and watchpoints, checked only while one is set. */
#ifndef QVP_ISS_DEBUG_H
#define QVP_ISS_DEBUG_H

#include "iss_state.h"

/* The cpu_ops entries. */
int iss_insert_debug(struct cpu *base, enum cpu_debug_kind kind, uint64_t address, uint64_t length);
int iss_remove_debug(struct cpu *base, enum cpu_debug_kind kind, uint64_t address, uint64_t length);
bool iss_watch_hit(struct cpu *base, enum cpu_debug_kind *kind, uint64_t *address);
/* For the dispatch loop (dispatch.c) and the memory slow paths (mmu.c). */
bool iss_debug_at_breakpoint(struct iss *cpu);
bool iss_debug_page_watched(const struct iss *cpu, uint64_t va_page);
bool iss_debug_watch(struct iss *cpu, uint64_t va, unsigned size, bool write);
/* For iss_run(): whether this run takes the checking loop (breakpoints, the tracer). */
bool iss_debug_run_checked(struct iss *cpu, uint64_t budget);
/* For the checking loop: the instruction at `offset` in the current page runs next. */
void iss_debug_trace(struct iss *cpu, uint64_t offset);

#endif
