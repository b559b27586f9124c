/* The kvm backend: one vCPU per board CPU in a KVM VM without an in-kernel GIC. MMIO exits
 * are served by the runtime's bus, the runtime's interrupt lines drive each vCPU with
 * KVM_IRQ_LINE, a PMU counter (or a host timer) ends each run at its budget, and with our
 * kernel capability a WFI that would block returns here so the runtime can skip idle time,
 * and so does a vCPU that KVM's PSCI turned off. */
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "kvm_internal.h"
#include "psci.h"

/* From our kernel series (kvm-backend/kernel/): not in Debian's kernel headers. */
#ifndef KVM_CAP_ARM_EXIT_ON_WFX
#define KVM_CAP_ARM_EXIT_ON_WFX 0x51560001
#define KVM_ARM_EXIT_ON_WFI (1ULL << 0)
#define KVM_EXIT_ARM_WFX 0x51560001
#endif
#ifndef KVM_ARM_EXIT_ON_WFE
#define KVM_ARM_EXIT_ON_WFE (1ULL << 1)
#endif
#ifndef KVM_ARM_EXIT_ON_STOPPED
#define KVM_ARM_EXIT_ON_STOPPED (1ULL << 2)
#define KVM_ARM_WFX_STOPPED 0x100
#endif
#ifndef KVM_ARM_WFX_WFE
#define KVM_ARM_WFX_WFE 1
#endif

/* kvm_run's arm_wfx record (the series' uapi), at the start of the exit union. */
struct wfx_record {
	uint64_t esr;
	uint64_t deadline;
	uint32_t kind;
	uint32_t pad;
};

/* MPIDR_EL1 (op0 3, op1 0, CRn 0, CRm 0, op2 5); bit 31 is RES1. */
#define MPIDR_EL1_ID ARM64_SYS_REG(3, 0, 0, 0, 5)
#define MPIDR_RES1 (1ULL << 31)

static uint64_t core_register_id(size_t offset)
{
	return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offset / sizeof(__u32));
}

int kvm_one_reg(struct kvm_cpu *kc, unsigned long request, uint64_t id, void *value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)value };

	if (ioctl(kc->vcpu_fd, request, &reg) < 0)
		return error_set("kvm: %s of register 0x%" PRIx64 " failed: %s",
				 request == KVM_GET_ONE_REG ? "KVM_GET_ONE_REG" : "KVM_SET_ONE_REG", id, strerror(errno));
	return 0;
}

/* The stack pointer gdb means is the one PSTATE.SP selects. */
static size_t register_offset(struct kvm_cpu *kc, enum cpu_register reg)
{
	uint64_t pstate = 0;

	if (reg <= 30)
		return offsetof(struct kvm_regs, regs.regs) + reg * sizeof(uint64_t);
	if (reg == CPU_REG_PC)
		return offsetof(struct kvm_regs, regs.pc);
	if (reg == CPU_REG_PSTATE)
		return offsetof(struct kvm_regs, regs.pstate);
	kvm_one_reg(kc, KVM_GET_ONE_REG, core_register_id(offsetof(struct kvm_regs, regs.pstate)), &pstate);
	return (pstate & 1) ? offsetof(struct kvm_regs, sp_el1) : offsetof(struct kvm_regs, regs.sp);
}

/* FPSR and FPCR: 32-bit fields of the vCPU's FP state. */
static int fp_control_register(struct kvm_cpu *kc, unsigned long request, enum cpu_register reg, uint64_t *value)
{
	uint64_t id = reg == CPU_REG_FPSR ? KVM_CORE_REG(fp_regs.fpsr, KVM_REG_SIZE_U32)
					  : KVM_CORE_REG(fp_regs.fpcr, KVM_REG_SIZE_U32);
	uint32_t word = (uint32_t)*value;

	if (kvm_one_reg(kc, request, id, &word) < 0)
		return -1;
	*value = word;
	return 0;
}

static int vector_register(struct cpu *cpu, unsigned long request, unsigned index, uint64_t value[2])
{
	if (index >= 32)
		return error_set("kvm: no register v%u", index);
	return kvm_one_reg(to_kvm_cpu(cpu), request, KVM_CORE_REG(fp_regs.vregs[index], KVM_REG_SIZE_U128), value);
}

static int kvm_cpu_get_vector(struct cpu *cpu, unsigned index, uint64_t value[2])
{
	return vector_register(cpu, KVM_GET_ONE_REG, index, value);
}

static int kvm_cpu_set_vector(struct cpu *cpu, unsigned index, const uint64_t value[2])
{
	uint64_t copy[2] = { value[0], value[1] };

	return vector_register(cpu, KVM_SET_ONE_REG, index, copy);
}

/* The EL1 system registers a debugger shows, in enum cpu_register's order. */
static uint64_t system_register_id(enum cpu_register reg)
{
	switch (reg) {
	case CPU_REG_SCTLR_EL1: return ARM64_SYS_REG(3, 0, 1, 0, 0);
	case CPU_REG_TCR_EL1: return ARM64_SYS_REG(3, 0, 2, 0, 2);
	case CPU_REG_TTBR0_EL1: return ARM64_SYS_REG(3, 0, 2, 0, 0);
	case CPU_REG_TTBR1_EL1: return ARM64_SYS_REG(3, 0, 2, 0, 1);
	case CPU_REG_ESR_EL1: return ARM64_SYS_REG(3, 0, 5, 2, 0);
	case CPU_REG_FAR_EL1: return ARM64_SYS_REG(3, 0, 6, 0, 0);
	case CPU_REG_ELR_EL1: return core_register_id(offsetof(struct kvm_regs, elr_el1));
	case CPU_REG_SPSR_EL1: return core_register_id(offsetof(struct kvm_regs, spsr[KVM_SPSR_EL1]));
	case CPU_REG_VBAR_EL1: return ARM64_SYS_REG(3, 0, 12, 0, 0);
	default: return 0;
	}
}

static int kvm_cpu_get_register(struct cpu *cpu, enum cpu_register reg, uint64_t *value)
{
	struct kvm_cpu *kc = to_kvm_cpu(cpu);

	if ((unsigned)reg < CPU_REG_COUNT)
		return kvm_one_reg(kc, KVM_GET_ONE_REG, core_register_id(register_offset(kc, reg)), value);
	if (reg == CPU_REG_CURRENT_EL) {
		int status = kvm_one_reg(kc, KVM_GET_ONE_REG, core_register_id(offsetof(struct kvm_regs, regs.pstate)), value);
		*value &= 0xc;
		return status;
	}
	if (reg == CPU_REG_FPSR || reg == CPU_REG_FPCR)
		return fp_control_register(kc, KVM_GET_ONE_REG, reg, value);
	if (system_register_id(reg))
		return kvm_one_reg(kc, KVM_GET_ONE_REG, system_register_id(reg), value);
	return error_set("kvm: no register %d", reg);
}

static int kvm_cpu_set_register(struct cpu *cpu, enum cpu_register reg, uint64_t value)
{
	struct kvm_cpu *kc = to_kvm_cpu(cpu);

	if (reg == CPU_REG_FPSR || reg == CPU_REG_FPCR)
		return fp_control_register(kc, KVM_SET_ONE_REG, reg, &value);
	if (system_register_id(reg))
		return kvm_one_reg(kc, KVM_SET_ONE_REG, system_register_id(reg), &value);
	if ((unsigned)reg >= CPU_REG_COUNT)
		return error_set("kvm: register %d cannot be written", reg);
	return kvm_one_reg(kc, KVM_SET_ONE_REG, core_register_id(register_offset(kc, reg)), &value);
}

/* An access no model claims: an external data abort for the guest, as on hardware. */
static int inject_external_abort(struct kvm_cpu *kc)
{
	struct kvm_vcpu_events events;

	memset(&events, 0, sizeof(events));
	events.exception.ext_dabt_pending = 1;
	if (ioctl(kc->vcpu_fd, KVM_SET_VCPU_EVENTS, &events) < 0)
		return error_set("kvm: cannot inject an external data abort: %s", strerror(errno));
	return 0;
}

static int serve_mmio(struct kvm_cpu *kc)
{
	struct kvm_run *run = kc->run;
	unsigned size = run->mmio.len;
	uint64_t value = 0;
	enum bus_result result;

	kvm_timer_sync(kc); /* e.g. an EOI to the GIC must see the timer the guest just rearmed */
	if (size > sizeof(value))
		return error_set("kvm: MMIO access of %u bytes at 0x%llx", size, (unsigned long long)run->mmio.phys_addr);
	if (run->mmio.is_write) {
		memcpy(&value, run->mmio.data, size);
		result = bus_write(kc->bus, run->mmio.phys_addr, size, value);
	} else {
		result = bus_read(kc->bus, run->mmio.phys_addr, size, &value);
		memcpy(run->mmio.data, &value, size); /* KVM loads it into the register on re-entry */
	}
	return result == BUS_OK ? 0 : inject_external_abort(kc);
}

/* PSCI SYSTEM_OFF and SYSTEM_RESET, which KVM's in-kernel PSCI passes on: the runtime decides. */
static enum cpu_stop_reason system_event(struct kvm_cpu *kc)
{
	unsigned type = kc->run->system_event.type;

	if (type != KVM_SYSTEM_EVENT_SHUTDOWN && type != KVM_SYSTEM_EVENT_RESET) {
		error_set("kvm: unexpected system event %u", type);
		return CPU_STOP_FATAL;
	}
	if (!kc->system_event) {
		error_set("the guest asked for PSCI %s, and nothing here can act on it",
			  type == KVM_SYSTEM_EVENT_RESET ? "SYSTEM_RESET" : "SYSTEM_OFF");
		return CPU_STOP_FATAL;
	}
	kc->system_event(kc->system_event_opaque, type == KVM_SYSTEM_EVENT_RESET);
	return CPU_STOP_KICKED;
}

/* A WFI/WFE that would block, or (KVM_ARM_EXIT_ON_STOPPED) a vCPU that is powered off: the
 * run ends either way; a WFE's is told apart for kvm_cpu_run(). */
static enum cpu_stop_reason wfx_exit(struct kvm_cpu *kc)
{
	struct wfx_record wfx;

	memcpy(&wfx, kc->run->padding, sizeof(wfx));
	if (wfx.kind == KVM_ARM_WFX_STOPPED)
		kc->stopped = true;
	kc->waited_in_wfe = wfx.kind == KVM_ARM_WFX_WFE;
	if (kc->stopped)
		kc->modes.exits.stopped++;
	else if (kc->waited_in_wfe)
		kc->modes.exits.wfe++;
	else
		kc->modes.exits.wfi++;
	return CPU_STOP_WFI;
}

enum cpu_stop_reason kvm_handle_exit(struct kvm_cpu *kc)
{
	struct kvm_cpu_exits *exits = &kc->modes.exits;

	switch (kc->run->exit_reason) {
	case KVM_EXIT_MMIO:
		exits->mmio++;
		if (serve_mmio(kc) < 0)
			return CPU_STOP_FATAL;
		return kc->kicked ? CPU_STOP_KICKED : CPU_STOP_BUDGET;
	case KVM_EXIT_ARM_WFX:
		return wfx_exit(kc);
	case KVM_EXIT_INTR: /* a timer output level changed (userspace irqchip) */
		exits->interrupted++;
		return CPU_STOP_BUDGET;
	case KVM_EXIT_SYSTEM_EVENT:
		exits->system++;
		return system_event(kc);
	case KVM_EXIT_ARM_NISV: /* e.g. a load pair from a device: no syndrome to go by */
		exits->emulated++;
		kvm_timer_sync(kc);
		if (kvm_emulate_instruction(kc) < 0)
			return CPU_STOP_FATAL;
		return kc->kicked ? CPU_STOP_KICKED : CPU_STOP_BUDGET;
	case KVM_EXIT_DEBUG: /* a breakpoint, a watchpoint, or a guest's own BRK */
		exits->debug++;
		return kvm_debug_exit(kc);
	default:
		error_set("kvm: unexpected exit reason %u", kc->run->exit_reason);
		return CPU_STOP_FATAL;
	}
}

static enum cpu_stop_reason run_until_stop(struct kvm_cpu *kc)
{
	enum cpu_stop_reason reason;

	do {
		if (ioctl(kc->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR) { /* the budget's kick */
				kc->modes.exits.budget++;
				return kc->kicked ? CPU_STOP_KICKED : CPU_STOP_BUDGET;
			}
			error_set("kvm: KVM_RUN failed: %s", strerror(errno));
			return CPU_STOP_FATAL;
		}
		reason = kvm_handle_exit(kc);
	} while (reason == CPU_STOP_BUDGET);
	return reason;
}

/* Instructions retired in this run: the counter's, or the steps taken where only they count. */
static uint64_t executed_so_far(struct kvm_cpu *kc)
{
	return kvm_budget_counts_instructions(&kc->budget) ? kvm_budget_executed(&kc->budget) : kc->debug.steps;
}

/* Single-steps (KVM_SET_GUEST_DEBUG) up to the exact budget. */
static enum cpu_stop_reason step_to_budget(struct kvm_cpu *kc, uint64_t budget)
{
	enum cpu_stop_reason reason = CPU_STOP_BUDGET;

	while (reason == CPU_STOP_BUDGET && executed_so_far(kc) < budget)
		reason = kvm_debug_step(kc, false);
	return reason;
}

/* The counter's overflow arrives late (skid): with --precise it is asked this much early. */
enum { PRECISE_MARGIN = 50000 };

/* Budgets up to this are single-stepped: a debugger's step, or the tail of a --precise run. */
static uint64_t step_threshold(const struct kvm_cpu *kc)
{
	return kc->modes.precise ? PRECISE_MARGIN : 1;
}

/* A WFE that would block (several CPUs): another vCPU's SEV or store is invisible from here,
 * and a WFE may complete at any time, so the vCPU waits out the rest of its turn; the next
 * round resumes it after the WFE. Its turn is over, but it does not wait for an interrupt. */
static void wait_out_budget(struct kvm_cpu *kc, uint64_t budget, struct cpu_run_result *result)
{
	uint64_t rest = result->executed < budget ? (budget - result->executed) * kc->budget.time_per_instruction : 0;

	if (rest > kc->clock_lead)
		kc->clock_lead = rest;
	result->reason = CPU_STOP_BUDGET;
}

static struct cpu_run_result kvm_cpu_run(struct cpu *cpu, uint64_t budget)
{
	struct kvm_cpu *kc = to_kvm_cpu(cpu);
	bool step_all = budget <= step_threshold(kc);
	struct cpu_run_result result;
	uint64_t counted;

	kc->kicked = false;
	kc->waited_in_wfe = false;
	kc->debug.steps = 0;
	kvm_budget_start(&kc->budget, kc->modes.precise && !step_all ? budget - PRECISE_MARGIN : budget);
	kvm_timer_set_counter(kc); /* after the start: virtual time now reads as the run's start */
	result.reason = kvm_debug_resume(kc);
	if (result.reason == CPU_STOP_BUDGET && !step_all)
		result.reason = run_until_stop(kc);
	if (result.reason == CPU_STOP_BUDGET && (kc->modes.precise || step_all))
		result.reason = step_to_budget(kc, budget);
	counted = kvm_budget_stop(&kc->budget);
	result.executed = step_all && !kvm_budget_counts_instructions(&kc->budget) ? kc->debug.steps : counted;
	if (result.reason == CPU_STOP_BUDGET && result.executed > budget &&
	    result.executed - budget > kc->modes.largest_overshoot)
		kc->modes.largest_overshoot = result.executed - budget;
	kc->clock_lead = kvm_timer_lead(kc, result.executed);
	if (kc->waited_in_wfe)
		wait_out_budget(kc, budget, &result);
	kvm_timer_sync(kc);
	kc->modes.pmu_budget = kvm_budget_counts_instructions(&kc->budget);
	kc->retired += result.executed;
	return result;
}

static uint64_t kvm_cpu_clock_lead(struct cpu *cpu)
{
	return to_kvm_cpu(cpu)->clock_lead;
}

static void kvm_cpu_kick(struct cpu *cpu)
{
	struct kvm_cpu *kc = to_kvm_cpu(cpu);

	kc->kicked = true;
	kc->run->immediate_exit = 1;
}

static uint64_t kvm_cpu_executed_in_run(const struct cpu *cpu)
{
	return kvm_budget_executed(&to_kvm_cpu(cpu)->budget);
}

static void kvm_cpu_set_line(struct cpu *cpu, enum cpu_line line, bool level)
{
	struct kvm_cpu *kc = to_kvm_cpu(cpu);
	struct kvm_irq_level irq = { .level = level };

	if (line != CPU_LINE_IRQ && line != CPU_LINE_FIQ)
		return; /* virtual lines exist only with EL2, which the host kernel owns here */
	kc->line_level[line] = level;
	irq.irq = (KVM_ARM_IRQ_TYPE_CPU << KVM_ARM_IRQ_TYPE_SHIFT) | (kc->index << KVM_ARM_IRQ_VCPU_SHIFT) |
		  (line == CPU_LINE_IRQ ? KVM_ARM_IRQ_CPU_IRQ : KVM_ARM_IRQ_CPU_FIQ);
	ioctl(kc->vm_fd, KVM_IRQ_LINE, &irq);
}

/* Guest memory as the debugger sees it: by virtual address, translated as the guest would. */
static int kvm_cpu_read_memory(struct cpu *cpu, uint64_t address, void *buffer, size_t length)
{
	return kvm_read_guest_memory(to_kvm_cpu(cpu), address, buffer, length);
}

static int kvm_cpu_write_memory(struct cpu *cpu, uint64_t address, const void *buffer, size_t length)
{
	return kvm_write_guest_memory(to_kvm_cpu(cpu), address, buffer, length);
}

/* KVM's in-kernel PSCI turns vCPUs on and off; the loop asks before each turn. A vCPU that
 * ran and did not come back STOPPED is still on (KVM_ARM_EXIT_ON_STOPPED says so); else
 * KVM's MP state tells, e.g. after another vCPU's CPU_ON. */
static bool kvm_cpu_powered(struct cpu *cpu)
{
	struct kvm_cpu *kc = to_kvm_cpu(cpu);
	struct kvm_mp_state state;

	if (!kc->stopped && (kc->vm->stopped_exit || kc->vm->users == 1))
		return true; /* the only vCPU: its CPU_OFF would leave nothing to turn it on */
	if (ioctl(kc->vcpu_fd, KVM_GET_MP_STATE, &state) < 0)
		return !kc->stopped;
	kc->stopped = state.mp_state == KVM_MP_STATE_STOPPED;
	return !kc->stopped;
}

static void release_vm(struct kvm_vm *vm)
{
	if (!vm || --vm->users > 0)
		return;
	kvm_debug_release_vm(vm);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	free(vm);
}

static void kvm_cpu_destroy(struct cpu *cpu)
{
	struct kvm_cpu *kc = to_kvm_cpu(cpu);

	kvm_budget_destroy(&kc->budget);
	if (kc->interpreter)
		kc->interpreter->ops->destroy(kc->interpreter);
	if (kc->run)
		munmap(kc->run, kc->run_size);
	if (kc->vcpu_fd >= 0)
		close(kc->vcpu_fd);
	release_vm(kc->vm);
	free(kc);
}

static const struct cpu_ops kvm_cpu_ops = {
	.name = "kvm",
	.destroy = kvm_cpu_destroy,
	.run = kvm_cpu_run,
	.kick = kvm_cpu_kick,
	.executed_in_run = kvm_cpu_executed_in_run,
	.set_line = kvm_cpu_set_line,
	.get_register = kvm_cpu_get_register,
	.set_register = kvm_cpu_set_register,
	.get_vector = kvm_cpu_get_vector,
	.set_vector = kvm_cpu_set_vector,
	.read_memory = kvm_cpu_read_memory,
	.write_memory = kvm_cpu_write_memory,
	.insert_debug = kvm_cpu_insert_debug,
	.remove_debug = kvm_cpu_remove_debug,
	.watch_hit = kvm_cpu_watch_hit,
	.clock_lead = kvm_cpu_clock_lead,
	.powered = kvm_cpu_powered,
	.save = kvm_cpu_save,
};

static int add_memslots(struct kvm_cpu *kc)
{
	struct bus_ram ram;

	for (size_t slot = 0; bus_ram_at(kc->bus, slot, &ram); slot++) {
		struct kvm_userspace_memory_region region = {
			.slot = (uint32_t)slot,
			.guest_phys_addr = ram.base,
			.memory_size = ram.size,
			.userspace_addr = (uint64_t)(uintptr_t)ram.host,
		};
		if (ioctl(kc->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
			return error_set("kvm: cannot map RAM at 0x%" PRIx64 " (0x%" PRIx64 " bytes): %s", ram.base,
					 ram.size, strerror(errno));
	}
	return 0;
}

/* The tree's MPIDR, where it differs from the one KVM derives from the vCPU's number: KVM's
 * PSCI finds CPU_ON's and AFFINITY_INFO's target by it. */
static int set_mpidr(struct kvm_cpu *kc, uint64_t affinity)
{
	uint64_t mpidr;

	if (kvm_one_reg(kc, KVM_GET_ONE_REG, MPIDR_EL1_ID, &mpidr) < 0)
		return -1;
	if ((mpidr & ~MPIDR_RES1) == affinity)
		return 0;
	mpidr = (mpidr & MPIDR_RES1) | affinity;
	return kvm_one_reg(kc, KVM_SET_ONE_REG, MPIDR_EL1_ID, &mpidr);
}

/* KVM's in-kernel PSCI answers as the iss backend's runtime/psci.c does: the same version. */
static int create_vcpu(struct kvm_cpu *kc, const struct kvm_cpu_config *config)
{
	uint64_t psci_version = PSCI_VERSION_IMPLEMENTED;
	struct kvm_vcpu_init init;
	int size;

	kc->vcpu_fd = ioctl(kc->vm_fd, KVM_CREATE_VCPU, (unsigned long)kc->index);
	size = ioctl(kc->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (kc->vcpu_fd < 0 || size <= 0)
		return error_set("kvm: cannot create a vCPU: %s", strerror(errno));
	kc->run_size = (size_t)size;
	kc->run = mmap(NULL, kc->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, kc->vcpu_fd, 0);
	if (kc->run == MAP_FAILED) {
		kc->run = NULL;
		return error_set("kvm: cannot map the vCPU's kvm_run: %s", strerror(errno));
	}
	if (ioctl(kc->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		return error_set("kvm: KVM_ARM_PREFERRED_TARGET failed: %s", strerror(errno));
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (config->powered_off) /* until another vCPU's PSCI CPU_ON */
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	kc->stopped = config->powered_off;
	if (ioctl(kc->vcpu_fd, KVM_ARM_VCPU_INIT, &init) < 0)
		return error_set("kvm: KVM_ARM_VCPU_INIT failed: %s", strerror(errno));
	if (config->join && set_mpidr(kc, config->affinity) < 0)
		return -1;
	return kvm_one_reg(kc, KVM_SET_ONE_REG, KVM_REG_ARM_PSCI_VERSION, &psci_version);
}

/* With our kernel capability a WFI that would block returns to us, else KVM_RUN blocks; so
 * does a powered-off vCPU where the kernel has that bit, and with several CPUs a WFE. */
static void enable_wfx_exit(struct kvm_vm *vm, bool several_cpus)
{
	uint64_t wanted = KVM_ARM_EXIT_ON_WFI | KVM_ARM_EXIT_ON_STOPPED | (several_cpus ? KVM_ARM_EXIT_ON_WFE : 0);
	int supported = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_EXIT_ON_WFX);
	struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_EXIT_ON_WFX };

	if (supported <= 0 || !(supported & KVM_ARM_EXIT_ON_WFI))
		return;
	cap.args[0] = wanted & (uint64_t)supported;
	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		return;
	vm->wfx_exit = true;
	vm->stopped_exit = cap.args[0] & KVM_ARM_EXIT_ON_STOPPED;
	vm->wfe_exit = cap.args[0] & KVM_ARM_EXIT_ON_WFE;
}

/* MMIO accesses without a valid syndrome come to us to decode instead of failing KVM_RUN. */
static int enable_nisv_exit(struct kvm_vm *vm)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_NISV_TO_USER };

	if (ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_NISV_TO_USER) <= 0 || ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		return error_set("kvm: the host kernel cannot pass MMIO accesses without a syndrome to userspace "
				 "(KVM_CAP_ARM_NISV_TO_USER, Linux 5.5 and later)");
	return 0;
}

static int open_vm(struct kvm_vm *vm)
{
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return error_set("kvm: cannot open /dev/kvm: %s", strerror(errno));
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return error_set("kvm: /dev/kvm speaks an unexpected API version");
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return error_set("kvm: cannot create a VM: %s", strerror(errno));
	return 0;
}

/* The board's first vCPU makes the VM (memslots, capabilities); the others join it. */
static int attach_vm(struct kvm_cpu *kc, const struct kvm_cpu_config *config)
{
	if (config->join) {
		kc->vm = to_kvm_cpu(config->join)->vm;
	} else {
		kc->vm = calloc(1, sizeof(*kc->vm));
		if (!kc->vm)
			return error_set("kvm: out of memory");
		kc->vm->kvm_fd = kc->vm->vm_fd = -1;
	}
	kc->vm->users++;
	if (!config->join && (open_vm(kc->vm) < 0 || enable_nisv_exit(kc->vm) < 0))
		return -1;
	kc->kvm_fd = kc->vm->kvm_fd;
	kc->vm_fd = kc->vm->vm_fd;
	if (!config->join && add_memslots(kc) < 0)
		return -1;
	if (!config->join)
		enable_wfx_exit(kc->vm, config->several_cpus);
	kc->modes.wfx_exit = kc->vm->wfx_exit;
	return 0;
}

struct cpu *kvm_cpu_create(struct bus *bus, const struct kvm_cpu_config *config)
{
	struct kvm_cpu *kc = calloc(1, sizeof(*kc));

	if (!kc) {
		error_set("kvm: out of memory");
		return NULL;
	}
	kc->cpu.ops = &kvm_cpu_ops;
	kc->bus = bus;
	kc->kvm_fd = kc->vm_fd = kc->vcpu_fd = -1;
	kc->index = config->index;
	kc->budget.counter_fd = -1;
	kc->timer_hooks = config->timer_hooks;
	kc->timer_hook_count = config->timer_hook_count;
	kc->system_event = config->system_event;
	kc->system_event_opaque = config->system_event_opaque;
	if (kvm_timer_check(kc) < 0 || attach_vm(kc, config) < 0 || create_vcpu(kc, config) < 0 ||
	    kvm_budget_init(&kc->budget, kc->run, config->time_per_instruction) < 0) {
		kvm_cpu_destroy(&kc->cpu);
		return NULL;
	}
	kvm_debug_init(kc);
	kc->modes.pmu_budget = kvm_budget_counts_instructions(&kc->budget);
	kc->modes.precise = config->precise;
	if (config->precise && !kc->modes.pmu_budget) {
		error_set("kvm: --precise needs a PMU that counts guest instructions, and this host has none");
		kvm_cpu_destroy(&kc->cpu);
		return NULL;
	}
	return &kc->cpu;
}

bool kvm_available(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

const struct kvm_cpu_modes *kvm_cpu_modes(const struct cpu *cpu)
{
	return &to_kvm_cpu(cpu)->modes;
}
