/* The instruction budget of one KVM run: a PMU counter of guest instructions that kicks
 * KVM_RUN when it overflows at the budget, or a host timer where the PMU cannot count. */
#ifndef QVP_KVM_BUDGET_H
#define QVP_KVM_BUDGET_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "vtime.h"

struct kvm_budget {
	struct kvm_run *run;   /* the vCPU's, which the kick interrupts */
	int counter_fd;        /* perf event counting guest instructions, or -1 */
	timer_t timer;         /* the host-timer fallback */
	bool timer_created;
	struct timespec started;
	vtime_t time_per_instruction;
	uint64_t budget;
	uint64_t uncounted_runs; /* runs the counter saw no guest instruction in */
};

/* Sets up the kick for `run` (vCPUs of one thread, run in turn): the counter if it works, else
 * the timer. */
int kvm_budget_init(struct kvm_budget *budget, struct kvm_run *run, vtime_t time_per_instruction);
void kvm_budget_destroy(struct kvm_budget *budget);

/* Arms the kick for a run of `instructions`; clears a kick left over from the last run. */
void kvm_budget_start(struct kvm_budget *budget, uint64_t instructions);

/* Guest instructions retired since kvm_budget_start() (estimated from host time without a PMU). */
uint64_t kvm_budget_executed(struct kvm_budget *budget);

/* Disarms the kick; returns what kvm_budget_executed() would. */
uint64_t kvm_budget_stop(struct kvm_budget *budget);

static inline bool kvm_budget_counts_instructions(const struct kvm_budget *budget)
{
	return budget->counter_fd >= 0;
}

#endif
