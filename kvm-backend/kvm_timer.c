/* The guest's generic timer under KVM. The in-kernel timer runs the guest's registers, but the
 * board's generic timer model owns virtual time and the timer PPIs: before each run the guest's
 * virtual counter is set to the model's count, and after a run (and before any MMIO, so an EOI
 * sees the guest's latest timer state) the virtual timer's CTL and CVAL are copied into the
 * model, which then fires at the exact virtual time. During a run the guest's counter runs
 * with the host's; after it, virtual time catches up with what the guest read (the loop adds
 * kvm_timer_lead()), so the guest never sees its counter go back. Without EL2 offsets (Linux
 * 6.1) the physical counter stays host time, so only the virtual timer is kept in step. */
#include <inttypes.h>
#include <string.h>

#include "error.h"
#include "generic_timer.h"
#include "kvm_internal.h"

static bool model_read(struct kvm_cpu *kc, uint32_t encoding, uint64_t *value)
{
	for (unsigned i = 0; i < kc->timer_hook_count; i++)
		if (kc->timer_hooks[i]->read(kc->timer_hooks[i]->opaque, encoding, 1, value))
			return true;
	return false;
}

static void model_write(struct kvm_cpu *kc, uint32_t encoding, uint64_t value)
{
	for (unsigned i = 0; i < kc->timer_hook_count; i++)
		if (kc->timer_hooks[i]->write(kc->timer_hooks[i]->opaque, encoding, 1, value))
			return;
}

static uint64_t host_counter_frequency(void)
{
	uint64_t frequency;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frequency));
	return frequency;
}

/* The guest reads CNTFRQ_EL0 from the hardware, so the board must agree with the host. */
int kvm_timer_check(struct kvm_cpu *kc)
{
	uint64_t board = 0, host = host_counter_frequency();

	if (!model_read(kc, GT_CNTFRQ_EL0, &board))
		return 0; /* no generic timer model on this board */
	if (board != host)
		return error_set("kvm: the board's generic timer runs at %" PRIu64 " Hz but this host's counter at %" PRIu64
				 " Hz; give the timer node clock-frequency = <%" PRIu64 ">",
				 board, host, host);
	return 0;
}

void kvm_timer_set_counter(struct kvm_cpu *kc)
{
	uint64_t count;

	kc->counter_set = model_read(kc, GT_CNTVCT_EL0, &count) &&
			  kvm_one_reg(kc, KVM_SET_ONE_REG, KVM_REG_ARM_TIMER_CNT, &count) == 0;
	kc->counter_at_start = count;
}

/* How far the guest's counter, running with the host's, got ahead of `executed` instructions
 * since kvm_timer_set_counter(), in picoseconds rounded up: at least the virtual time that
 * makes the model's count (floor) reach what the guest has read. */
uint64_t kvm_timer_lead(struct kvm_cpu *kc, uint64_t executed)
{
	uint64_t count, frequency;
	unsigned __int128 elapsed;
	uint64_t instructions = executed * kc->budget.time_per_instruction;

	if (!kc->counter_set || !model_read(kc, GT_CNTFRQ_EL0, &frequency) || frequency == 0 ||
	    kvm_one_reg(kc, KVM_GET_ONE_REG, KVM_REG_ARM_TIMER_CNT, &count) < 0 || count <= kc->counter_at_start)
		return 0;
	elapsed = ((unsigned __int128)(count - kc->counter_at_start) * VTIME_S + frequency - 1) / frequency;
	return elapsed > instructions ? (uint64_t)(elapsed - instructions) : 0;
}

#define CNTKCTL_EL1_ID ARM64_SYS_REG(3, 0, 14, 1, 0)

/* CNTKCTL_EL1 lives in KVM during runs; the timer model, saved after the CPUs, keeps it. */
int kvm_timer_sync_for_save(struct kvm_cpu *kc)
{
	uint64_t cntkctl;

	if (kvm_one_reg(kc, KVM_GET_ONE_REG, CNTKCTL_EL1_ID, &cntkctl) < 0)
		return -1;
	model_write(kc, GT_CNTKCTL_EL1, cntkctl);
	kvm_timer_sync(kc);
	return 0;
}

void kvm_timer_sync(struct kvm_cpu *kc)
{
	uint64_t ctl, cval, model_ctl = 0, model_cval = 0;

	if (!model_read(kc, GT_CNTV_CTL_EL0, &model_ctl) || !model_read(kc, GT_CNTV_CVAL_EL0, &model_cval))
		return;
	if (kvm_one_reg(kc, KVM_GET_ONE_REG, KVM_REG_ARM_TIMER_CTL, &ctl) < 0 ||
	    kvm_one_reg(kc, KVM_GET_ONE_REG, KVM_REG_ARM_TIMER_CVAL, &cval) < 0)
		return;
	/* Only changes reach the model, so its events keep their order when nothing changed. */
	if (cval != model_cval)
		model_write(kc, GT_CNTV_CVAL_EL0, cval);
	if ((ctl ^ model_ctl) & (GT_CTL_ENABLE | GT_CTL_IMASK))
		model_write(kc, GT_CNTV_CTL_EL0, ctl & (GT_CTL_ENABLE | GT_CTL_IMASK));
}
