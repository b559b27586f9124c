/* The kvm backend: the vCPU runs natively under KVM on arm64 Linux hosts. */
#ifndef QVP_KVM_H
#define QVP_KVM_H

#include <stdbool.h>

#include "bus.h"
#include "cpu.h"
#include "vtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Why a vCPU's KVM_RUN returned, counted per vCPU (--stats). */
struct kvm_cpu_exits {
	uint64_t mmio;        /* KVM_EXIT_MMIO */
	uint64_t emulated;    /* KVM_EXIT_ARM_NISV: an access without a syndrome */
	uint64_t wfi;         /* KVM_EXIT_ARM_WFX: a WFI that would block */
	uint64_t wfe;         /* ... a WFE that would block */
	uint64_t stopped;     /* ... a vCPU that PSCI turned off */
	uint64_t budget;      /* the budget's signal (or a kick) interrupted KVM_RUN */
	uint64_t interrupted; /* KVM_EXIT_INTR: a timer output changed */
	uint64_t debug;       /* KVM_EXIT_DEBUG: breakpoints, watchpoints, steps, the guest's BRK */
	uint64_t system;      /* KVM_EXIT_SYSTEM_EVENT: PSCI SYSTEM_OFF or SYSTEM_RESET */
};

/* How the backend learns that the guest idles and that a budget is used up. */
struct kvm_cpu_modes {
	bool wfx_exit;     /* the kernel exits on WFI (KVM_CAP_ARM_EXIT_ON_WFX), else a host-timer kick */
	bool pmu_budget;   /* a PMU counter of guest instructions ends each run, else a host timer */
	bool precise;      /* runs end on their exact instruction (single-stepping the last ones) */
	uint64_t largest_overshoot; /* instructions a run retired past its budget, at most */
	uint64_t emulated_instructions; /* KVM_EXIT_ARM_NISV: executed by the interpreter */
	struct kvm_cpu_exits exits;     /* this vCPU's */
};

struct iss_sysreg_hook;

struct kvm_cpu_config {
	vtime_t time_per_instruction;
	/* The system registers the board's models serve (the generic timer), through which the
	 * guest's in-kernel timer is kept in step with virtual time. */
	const struct iss_sysreg_hook *const *timer_hooks;
	unsigned timer_hook_count;
	bool precise; /* stop on the exact instruction: needs a PMU that counts the guest */
	/* The guest's PSCI SYSTEM_OFF (reset false) or SYSTEM_RESET, from KVM's in-kernel PSCI. */
	void (*system_event)(void *opaque, bool reset);
	void *system_event_opaque;
	/* A board with several CPUs: one VM, one vCPU each. `join` is a CPU already made for the
	 * board (NULL for the first, which makes the VM); `index` is the vCPU's number (its
	 * KVM_IRQ_LINE lines), `affinity` its MPIDR from the tree; the others than the first
	 * start powered off, until KVM's PSCI CPU_ON starts them. */
	struct cpu *join;
	unsigned index;
	uint64_t affinity;
	bool powered_off;
	bool several_cpus; /* WFE exits too: a spinning vCPU gives its turn to the others */
};

/* Opens /dev/kvm and creates a VM (or joins config->join's) with one vCPU at reset (EL1h,
 * MMU off), with a memslot for every RAM region of the bus; NULL with error_message() when
 * KVM cannot be used here. */
struct cpu *kvm_cpu_create(struct bus *bus, const struct kvm_cpu_config *config);

/* Whether this host can run the kvm backend at all (for --backend auto). */
bool kvm_available(void);

const struct kvm_cpu_modes *kvm_cpu_modes(const struct cpu *cpu);

#ifdef __cplusplus
}
#endif
#endif
