/* The run loop and the decoded-page cache (dispatch.c); iss_stop() and iss_fatal() are in iss_state.h. */
#ifndef QVP_ISS_DISPATCH_H
#define QVP_ISS_DISPATCH_H

#include "iss_state.h"

/* The cpu_ops entries. */
struct cpu_run_result iss_run(struct cpu *base, uint64_t budget);
void iss_kick(struct cpu *base);
uint64_t iss_executed_in_run(const struct cpu *base);

uint64_t iss_instruction_count(const struct iss *cpu); /* retired before the current instruction */
ISS_HANDLER(iss_exec_decode); /* every slot of a fresh page: decodes, then executes */
void iss_code_written(struct iss *cpu, uint64_t pa, uint64_t length);

#endif
