/* The kvm backend: one vCPU in a KVM VM without an in-kernel GIC. MMIO exits are served by
 * the runtime's bus, the runtime's interrupt lines drive the vCPU with KVM_IRQ_LINE, a PMU
 * counter (or a host timer) ends each run at its budget, and with our kernel capability a
 * WFI that would block returns here so the runtime can skip idle time. */
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

/* From our kernel series (kvm-backend/kernel/): not in Debian's kernel headers. */
#ifndef KVM_CAP_ARM_EXIT_ON_WFX
#define KVM_CAP_ARM_EXIT_ON_WFX 0x51560001
#define KVM_ARM_EXIT_ON_WFI (1ULL << 0)
#define KVM_EXIT_ARM_WFX 0x51560001
#endif

static uint64_t core_register_id(size_t offset)
{
	return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offset / sizeof(__u32));
}

int kvm_one_reg(struct kvm_cpu *kc, unsigned long request, uint64_t id, uint64_t *value)
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

static int kvm_cpu_get_register(struct cpu *cpu, enum cpu_register reg, uint64_t *value)
{
	struct kvm_cpu *kc = to_kvm_cpu(cpu);

	if ((unsigned)reg >= CPU_REG_COUNT)
		return error_set("kvm: no register %d", reg);
	return kvm_one_reg(kc, KVM_GET_ONE_REG, core_register_id(register_offset(kc, reg)), value);
}

static int kvm_cpu_set_register(struct cpu *cpu, enum cpu_register reg, uint64_t value)
{
	struct kvm_cpu *kc = to_kvm_cpu(cpu);

	if ((unsigned)reg >= CPU_REG_COUNT)
		return error_set("kvm: no register %d", reg);
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

static enum cpu_stop_reason system_event(struct kvm_cpu *kc)
{
	switch (kc->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		error_set("the guest powered off through PSCI SYSTEM_OFF (PSCI is not connected to the runtime yet)");
		break;
	case KVM_SYSTEM_EVENT_RESET:
		error_set("the guest asked for a reset through PSCI SYSTEM_RESET (not supported yet)");
		break;
	default:
		error_set("kvm: unexpected system event %u", kc->run->system_event.type);
		break;
	}
	return CPU_STOP_FATAL;
}

/* CPU_STOP_BUDGET means "go on": the exit was handled and the run continues. */
static enum cpu_stop_reason handle_exit(struct kvm_cpu *kc)
{
	switch (kc->run->exit_reason) {
	case KVM_EXIT_MMIO:
		if (serve_mmio(kc) < 0)
			return CPU_STOP_FATAL;
		return kc->kicked ? CPU_STOP_KICKED : CPU_STOP_BUDGET;
	case KVM_EXIT_ARM_WFX:
		return CPU_STOP_WFI;
	case KVM_EXIT_INTR: /* a timer output level changed (userspace irqchip) */
		return CPU_STOP_BUDGET;
	case KVM_EXIT_SYSTEM_EVENT:
		return system_event(kc);
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
			if (errno == EINTR) /* the budget's kick */
				return kc->kicked ? CPU_STOP_KICKED : CPU_STOP_BUDGET;
			error_set("kvm: KVM_RUN failed: %s", strerror(errno));
			return CPU_STOP_FATAL;
		}
		reason = handle_exit(kc);
	} while (reason == CPU_STOP_BUDGET);
	return reason;
}

static int set_single_step(struct kvm_cpu *kc, bool on)
{
	struct kvm_guest_debug debug = { .control = on ? KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP : 0 };

	if (ioctl(kc->vcpu_fd, KVM_SET_GUEST_DEBUG, &debug) < 0)
		return error_set("kvm: KVM_SET_GUEST_DEBUG failed: %s", strerror(errno));
	return 0;
}

/* --precise: the counter stopped the run early; single-step the rest of the budget. */
static enum cpu_stop_reason step_to_budget(struct kvm_cpu *kc, uint64_t budget)
{
	enum cpu_stop_reason reason = CPU_STOP_BUDGET;

	if (set_single_step(kc, true) < 0)
		return CPU_STOP_FATAL;
	while (reason == CPU_STOP_BUDGET && kvm_budget_executed(&kc->budget) < budget) {
		kc->run->immediate_exit = 0; /* a late counter or backstop signal: keep stepping */
		if (ioctl(kc->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno != EINTR) {
				error_set("kvm: KVM_RUN failed: %s", strerror(errno));
				reason = CPU_STOP_FATAL;
			}
			continue;
		}
		if (kc->run->exit_reason != KVM_EXIT_DEBUG)
			reason = handle_exit(kc);
	}
	if (set_single_step(kc, false) < 0)
		return CPU_STOP_FATAL;
	return reason;
}

/* The counter's overflow arrives late (skid): with --precise it is asked this much early. */
enum { PRECISE_MARGIN = 50000 };

static struct cpu_run_result kvm_cpu_run(struct cpu *cpu, uint64_t budget)
{
	struct kvm_cpu *kc = to_kvm_cpu(cpu);
	bool step_all = kc->modes.precise && budget <= PRECISE_MARGIN;
	struct cpu_run_result result;

	kc->kicked = false;
	kvm_budget_start(&kc->budget, kc->modes.precise && !step_all ? budget - PRECISE_MARGIN : budget);
	kvm_timer_set_counter(kc); /* after the start: virtual time now reads as the run's start */
	result.reason = step_all ? CPU_STOP_BUDGET : run_until_stop(kc);
	if (kc->modes.precise && result.reason == CPU_STOP_BUDGET)
		result.reason = step_to_budget(kc, budget);
	result.executed = kvm_budget_stop(&kc->budget);
	if (result.reason == CPU_STOP_BUDGET && result.executed > budget &&
	    result.executed - budget > kc->modes.largest_overshoot)
		kc->modes.largest_overshoot = result.executed - budget;
	kvm_timer_sync(kc);
	kc->modes.pmu_budget = kvm_budget_counts_instructions(&kc->budget);
	return result;
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

	irq.irq = (KVM_ARM_IRQ_TYPE_CPU << KVM_ARM_IRQ_TYPE_SHIFT) |
		  (line == CPU_LINE_IRQ ? KVM_ARM_IRQ_CPU_IRQ : KVM_ARM_IRQ_CPU_FIQ);
	ioctl(kc->vm_fd, KVM_IRQ_LINE, &irq);
}

/* Guest memory as the debugger sees it: physical while the guest's MMU is off. */
static uint8_t *guest_memory(struct kvm_cpu *kc, uint64_t address, size_t length)
{
	uint64_t sctlr = 0;
	uint8_t *host;

	if (kvm_one_reg(kc, KVM_GET_ONE_REG, ARM64_SYS_REG(3, 0, 1, 0, 0), &sctlr) < 0)
		return NULL;
	if (sctlr & 1) {
		error_set("kvm: guest virtual addresses with the MMU on are not supported yet");
		return NULL;
	}
	host = bus_ram_pointer(kc->bus, address, length);
	if (!host)
		error_set("kvm: 0x%" PRIx64 " (%zu bytes) is not in RAM", address, length);
	return host;
}

static int kvm_cpu_read_memory(struct cpu *cpu, uint64_t address, void *buffer, size_t length)
{
	uint8_t *host = guest_memory(to_kvm_cpu(cpu), address, length);

	if (!host)
		return -1;
	memcpy(buffer, host, length);
	return 0;
}

static int kvm_cpu_write_memory(struct cpu *cpu, uint64_t address, const void *buffer, size_t length)
{
	uint8_t *host = guest_memory(to_kvm_cpu(cpu), address, length);

	if (!host)
		return -1;
	memcpy(host, buffer, length);
	return 0;
}

static void kvm_cpu_destroy(struct cpu *cpu)
{
	struct kvm_cpu *kc = to_kvm_cpu(cpu);

	kvm_budget_destroy(&kc->budget);
	if (kc->run)
		munmap(kc->run, kc->run_size);
	if (kc->vcpu_fd >= 0)
		close(kc->vcpu_fd);
	if (kc->vm_fd >= 0)
		close(kc->vm_fd);
	if (kc->kvm_fd >= 0)
		close(kc->kvm_fd);
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
	.read_memory = kvm_cpu_read_memory,
	.write_memory = kvm_cpu_write_memory,
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

static int create_vcpu(struct kvm_cpu *kc)
{
	struct kvm_vcpu_init init;
	int size;

	kc->vcpu_fd = ioctl(kc->vm_fd, KVM_CREATE_VCPU, 0);
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
	if (ioctl(kc->vcpu_fd, KVM_ARM_VCPU_INIT, &init) < 0)
		return error_set("kvm: KVM_ARM_VCPU_INIT failed: %s", strerror(errno));
	return 0;
}

/* With our kernel capability a WFI that would block returns to us; else KVM_RUN blocks. */
static void enable_wfx_exit(struct kvm_cpu *kc)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_EXIT_ON_WFX, .args = { KVM_ARM_EXIT_ON_WFI } };
	int supported = ioctl(kc->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_EXIT_ON_WFX);

	kc->modes.wfx_exit = supported > 0 && (supported & KVM_ARM_EXIT_ON_WFI) &&
			     ioctl(kc->vm_fd, KVM_ENABLE_CAP, &cap) == 0;
}

static int open_vm(struct kvm_cpu *kc)
{
	kc->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kc->kvm_fd < 0)
		return error_set("kvm: cannot open /dev/kvm: %s", strerror(errno));
	if (ioctl(kc->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return error_set("kvm: /dev/kvm speaks an unexpected API version");
	kc->vm_fd = ioctl(kc->kvm_fd, KVM_CREATE_VM, 0);
	if (kc->vm_fd < 0)
		return error_set("kvm: cannot create a VM: %s", strerror(errno));
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
	kc->budget.counter_fd = -1;
	kc->timer_hooks = config->timer_hooks;
	kc->timer_hook_count = config->timer_hook_count;
	if (kvm_timer_check(kc) < 0 || open_vm(kc) < 0 || add_memslots(kc) < 0 || create_vcpu(kc) < 0 ||
	    kvm_budget_init(&kc->budget, kc->run, config->time_per_instruction) < 0) {
		kvm_cpu_destroy(&kc->cpu);
		return NULL;
	}
	enable_wfx_exit(kc);
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
