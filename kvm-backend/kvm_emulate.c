/*
 * What KVM leaves to userspace that needs an instruction set: an MMIO access without a valid
 * syndrome (a load/store pair, writeback addressing, ...) and guest virtual addresses for the
 * debugger. Both borrow the interpreter (iss-backend) with the vCPU's state, so qvp has one
 * AArch64 decoder and one page-table walker, not two.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include "error.h"
#include "kvm_internal.h"

#define CORE_U64(field) KVM_CORE_REG(field, KVM_REG_SIZE_U64)

/* A 64-bit register of the vCPU and where it goes in struct iss_arch_state. */
struct state_register {
	uint64_t id;
	size_t offset; /* in struct iss_arch_state */
};

#define SYS(op0, op1, crn, crm, op2, field) { ARM64_SYS_REG(op0, op1, crn, crm, op2), offsetof(struct iss_arch_state, field) }
#define CORE(kvm_field, field) { CORE_U64(kvm_field), offsetof(struct iss_arch_state, field) }

static const struct state_register scalar_registers[] = {
	CORE(regs.sp, sp_el0),
	CORE(sp_el1, sp_el1),
	CORE(regs.pc, pc),
	CORE(regs.pstate, pstate),
	CORE(elr_el1, elr_el1),
	CORE(spsr[KVM_SPSR_EL1], spsr_el1),
	SYS(3, 0, 1, 0, 0, sctlr_el1),
	SYS(3, 0, 2, 0, 2, tcr_el1),
	SYS(3, 0, 2, 0, 0, ttbr0_el1),
	SYS(3, 0, 2, 0, 1, ttbr1_el1),
	SYS(3, 0, 10, 2, 0, mair_el1),
	SYS(3, 0, 12, 0, 0, vbar_el1),
	SYS(3, 0, 5, 2, 0, esr_el1),
	SYS(3, 0, 6, 0, 0, far_el1),
	SYS(3, 0, 1, 0, 2, cpacr_el1),
};

/* Moves the state between the vCPU and `state`; a write skips what `old` says is unchanged. */
static int transfer_state(struct kvm_cpu *kc, bool set, struct iss_arch_state *state, const struct iss_arch_state *old)
{
	uint8_t *bytes = (uint8_t *)state;
	const uint8_t *old_bytes = (const uint8_t *)old;
	unsigned long request = set ? KVM_SET_ONE_REG : KVM_GET_ONE_REG;
	int failed = 0;

	for (unsigned k = 0; k < 31; k++)
		if (!set || state->x[k] != old->x[k])
			failed |= kvm_one_reg(kc, request, CORE_U64(regs.regs[k]), &state->x[k]);
	for (size_t k = 0; k < sizeof(scalar_registers) / sizeof(scalar_registers[0]); k++) {
		size_t offset = scalar_registers[k].offset;
		if (!set || memcmp(bytes + offset, old_bytes + offset, sizeof(uint64_t)) != 0)
			failed |= kvm_one_reg(kc, request, scalar_registers[k].id, bytes + offset);
	}
	for (unsigned k = 0; k < 32; k++)
		if (!set || memcmp(state->v[k], old->v[k], sizeof(state->v[k])) != 0)
			failed |= kvm_one_reg(kc, request, KVM_CORE_REG(fp_regs.vregs[k], KVM_REG_SIZE_U128),
						  state->v[k]);
	if (!set || state->fpsr != old->fpsr)
		failed |= kvm_one_reg(kc, request, KVM_CORE_REG(fp_regs.fpsr, KVM_REG_SIZE_U32), &state->fpsr);
	if (!set || state->fpcr != old->fpcr)
		failed |= kvm_one_reg(kc, request, KVM_CORE_REG(fp_regs.fpcr, KVM_REG_SIZE_U32), &state->fpcr);
	return failed ? -1 : 0;
}

struct cpu *kvm_borrow_interpreter(struct kvm_cpu *kc, struct iss_arch_state *state)
{
	if (!kc->interpreter) {
		kc->interpreter = iss_create(kc->bus);
		if (!kc->interpreter)
			return NULL;
	}
	if (transfer_state(kc, false, state, NULL) < 0 || iss_set_arch_state(kc->interpreter, state) < 0)
		return NULL;
	return kc->interpreter;
}

/* KVM_EXIT_ARM_NISV: the interpreter executes the one instruction, its accesses go to the bus. */
int kvm_emulate_instruction(struct kvm_cpu *kc)
{
	struct iss_arch_state before, after;
	struct cpu *iss = kvm_borrow_interpreter(kc, &before);
	struct cpu_run_result result;

	if (!iss)
		return -1;
	result = iss->ops->run(iss, 1);
	if (result.reason == CPU_STOP_FATAL)
		return -1;
	if (result.executed != 1)
		return error_set("kvm: the access at 0x%llx (pc 0x%" PRIx64 ") could not be emulated",
				 (unsigned long long)kc->run->arm_nisv.fault_ipa, before.pc);
	iss_get_arch_state(iss, &after);
	kc->modes.emulated_instructions++;
	return transfer_state(kc, true, &after, &before);
}

/* Debugger access by guest virtual address, translated through the guest's own tables. */
int kvm_read_guest_memory(struct kvm_cpu *kc, uint64_t address, void *buffer, size_t length)
{
	struct iss_arch_state state;
	struct cpu *iss = kvm_borrow_interpreter(kc, &state);

	return iss ? iss->ops->read_memory(iss, address, buffer, length) : -1;
}

int kvm_write_guest_memory(struct kvm_cpu *kc, uint64_t address, const void *buffer, size_t length)
{
	struct iss_arch_state state;
	struct cpu *iss = kvm_borrow_interpreter(kc, &state);

	return iss ? iss->ops->write_memory(iss, address, buffer, length) : -1;
}
