/*
 * A vCPU in a snapshot. The vCPU is saved as the interpreter's state (iss-backend's layout):
 * its registers go into the borrowed interpreter, which writes them, so a snapshot taken under
 * KVM continues on the iss backend (`qvp run --restore`, docs/snapshots.md). The board's
 * models, RAM and virtual time are the runtime's and are saved as with the iss backend.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include "error.h"
#include "kvm_internal.h"
#include "snapshot_stream.h"

/* A 64-bit system register of the vCPU and where it goes in struct iss_context_state. */
struct context_register {
	uint64_t id;
	size_t offset;
};

#define CONTEXT(op0, op1, crn, crm, op2, field) \
	{ ARM64_SYS_REG(op0, op1, crn, crm, op2), offsetof(struct iss_context_state, field) }

static const struct context_register context_registers[] = {
	CONTEXT(3, 3, 13, 0, 2, tpidr_el0),      CONTEXT(3, 3, 13, 0, 3, tpidrro_el0),
	CONTEXT(3, 0, 13, 0, 4, tpidr_el1),      CONTEXT(3, 0, 13, 0, 1, contextidr_el1),
	CONTEXT(3, 0, 10, 3, 0, amair_el1),      CONTEXT(3, 0, 7, 4, 0, par_el1),
	CONTEXT(2, 0, 0, 2, 2, mdscr_el1),       CONTEXT(3, 2, 0, 0, 0, csselr_el1),
	CONTEXT(3, 0, 5, 1, 0, afsr0_el1),       CONTEXT(3, 0, 5, 1, 1, afsr1_el1),
	CONTEXT(3, 0, 0, 0, 5, mpidr_el1),
};

/* An MMIO load's value or a PSCI call's result reaches the registers only when KVM_RUN is
 * entered again: entered with immediate_exit, it completes them and runs no guest code. */
static int complete_pending_exit(struct kvm_cpu *kc)
{
	uint8_t before = kc->run->immediate_exit;
	int status;

	kc->run->immediate_exit = 1;
	status = ioctl(kc->vcpu_fd, KVM_RUN, 0);
	kc->run->immediate_exit = before;
	if (status < 0 && errno != EINTR)
		return error_set("kvm: completing the last exit before saving failed: %s", strerror(errno));
	return 0;
}

static int read_context(struct kvm_cpu *kc, struct iss_context_state *context)
{
	uint8_t *bytes = (uint8_t *)context;

	for (size_t k = 0; k < sizeof(context_registers) / sizeof(context_registers[0]); k++)
		if (kvm_one_reg(kc, KVM_GET_ONE_REG, context_registers[k].id, bytes + context_registers[k].offset) < 0)
			return -1;
	context->retired = kc->retired;
	context->irq_line = kc->line_level[CPU_LINE_IRQ];
	context->fiq_line = kc->line_level[CPU_LINE_FIQ];
	return 0;
}

void kvm_cpu_save(const struct cpu *cpu, struct snap_writer *w)
{
	struct kvm_cpu *kc = to_kvm_cpu(cpu);
	struct iss_arch_state arch;
	struct iss_context_state context = { 0 };
	struct cpu *interpreter;

	if (kc->vm->break_count) {
		snap_writer_fail(w, "kvm: gdb's breakpoints are written into guest memory: delete them before saving");
		return;
	}
	if (complete_pending_exit(kc) < 0 || !(interpreter = kvm_borrow_interpreter(kc, &arch)) ||
	    read_context(kc, &context) < 0 || kvm_timer_sync_for_save(kc) < 0) {
		snap_writer_fail(w, "%s", error_message());
		return;
	}
	iss_set_context_state(interpreter, &context);
	interpreter->ops->save(interpreter, w);
}
