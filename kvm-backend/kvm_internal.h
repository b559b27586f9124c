/* State shared by the kvm backend's files. */
#ifndef QVP_KVM_INTERNAL_H
#define QVP_KVM_INTERNAL_H

#include "iss.h"
#include "kvm.h"
#include "kvm_budget.h"

struct kvm_cpu {
	struct cpu cpu; /* first, so struct cpu * converts to struct kvm_cpu * */
	struct bus *bus;
	int kvm_fd;
	int vm_fd;
	int vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	struct kvm_cpu_modes modes;
	struct kvm_budget budget;
	bool kicked;
	const struct iss_sysreg_hook *const *timer_hooks; /* the generic timer model, if the board has one */
	unsigned timer_hook_count;
};

static inline struct kvm_cpu *to_kvm_cpu(const struct cpu *cpu)
{
	return (struct kvm_cpu *)cpu;
}

/* KVM_GET_ONE_REG / KVM_SET_ONE_REG; -1 after error_set() on failure. */
int kvm_one_reg(struct kvm_cpu *kc, unsigned long request, uint64_t id, uint64_t *value);

/* The guest's generic timer (kvm_timer.c): the counter follows virtual time, and the model
 * that drives the timer PPIs learns what the guest programmed. */
int kvm_timer_check(struct kvm_cpu *kc);
void kvm_timer_set_counter(struct kvm_cpu *kc);
void kvm_timer_sync(struct kvm_cpu *kc);

#endif
