/* State shared by the kvm backend's files. */
#ifndef QVP_KVM_INTERNAL_H
#define QVP_KVM_INTERNAL_H

#include "iss.h"
#include "kvm.h"
#include "kvm_budget.h"

/* A breakpoint: the BRK written over the guest's instruction, and what it replaced. Guest
 * memory is the VM's, so the VM holds one per address, for every vCPU that stops there. */
struct guest_breakpoint {
	uint64_t address;
	uint32_t original;
	uint32_t *host;
	uint64_t vcpus; /* bit N: vCPU N stops here (KVM_GUESTDBG_USE_SW_BP) */
};

struct guest_watchpoint {
	enum cpu_debug_kind kind;
	uint64_t address, length;
	uint32_t control; /* DBGWCR_EL1 */
};

/* Debugger state (kvm_debug.c). */
struct kvm_debug {
	unsigned break_count; /* of the VM's breakpoints, those this vCPU stops at */
	struct guest_watchpoint watch[16];
	unsigned watch_count, watch_slots;
	bool resume_pending; /* the last run stopped before an instruction the next one executes */
	bool watch_hit;
	enum cpu_debug_kind hit_kind;
	uint64_t hit_address;
	uint64_t steps; /* single steps completed in the current run */
};

/* The VM the board's vCPUs share (one per board): its memslots and VM-wide capabilities. */
struct kvm_vm {
	int kvm_fd;
	int vm_fd;
	unsigned users;      /* vCPUs made in it; the last one closes it */
	bool wfx_exit;       /* KVM_CAP_ARM_EXIT_ON_WFX with KVM_ARM_EXIT_ON_WFI */
	bool stopped_exit;   /* ... and KVM_ARM_EXIT_ON_STOPPED: an off vCPU returns from KVM_RUN */
	bool wfe_exit;       /* ... and KVM_ARM_EXIT_ON_WFE (several CPUs) */
	struct guest_breakpoint *breaks; /* in guest memory, shared by the vCPUs (kvm_debug.c) */
	unsigned break_count;
};

struct kvm_cpu {
	struct cpu cpu; /* first, so struct cpu * converts to struct kvm_cpu * */
	struct bus *bus;
	struct kvm_vm *vm;
	int kvm_fd; /* the VM's, copied */
	int vm_fd;
	int vcpu_fd;
	unsigned index;     /* vCPU number: KVM_CREATE_VCPU's id and KVM_IRQ_LINE's vcpu_index */
	bool stopped;       /* powered off, as far as the last run or MP state query told */
	bool waited_in_wfe; /* the run ended at a WFE that would block */
	struct kvm_run *run;
	size_t run_size;
	struct kvm_cpu_modes modes;
	struct kvm_budget budget;
	bool kicked;
	const struct iss_sysreg_hook *const *timer_hooks; /* the generic timer model, if the board has one */
	unsigned timer_hook_count;
	struct kvm_debug debug;
	bool counter_set;          /* the guest's virtual counter was set from the model for this run */
	uint64_t counter_at_start; /* to that count */
	uint64_t clock_lead;       /* picoseconds the guest's counter ran ahead in the last run */
	void (*system_event)(void *opaque, bool reset);
	void *system_event_opaque;
	struct cpu *interpreter; /* borrowed for what KVM cannot decode (kvm_emulate.c), made on first use */
	uint64_t retired;        /* instructions of every run so far, as counted */
	bool line_level[CPU_LINE_COUNT]; /* as the board's interrupt controller drives them */
};

static inline struct kvm_cpu *to_kvm_cpu(const struct cpu *cpu)
{
	return (struct kvm_cpu *)cpu;
}

/* KVM_GET_ONE_REG / KVM_SET_ONE_REG of a register whose size `id` gives, through `value`;
 * -1 after error_set() on failure. */
int kvm_one_reg(struct kvm_cpu *kc, unsigned long request, uint64_t id, void *value);

/* ONE_REG id of a field of struct kvm_regs (asm/kvm.h), of KVM_REG_SIZE_U32/U64/U128. */
#define KVM_CORE_REG(field, size) \
	(KVM_REG_ARM64 | (size) | KVM_REG_ARM_CORE | (offsetof(struct kvm_regs, field) / sizeof(__u32)))

/* The guest's generic timer (kvm_timer.c): the counter follows virtual time, and the model
 * that drives the timer PPIs learns what the guest programmed. */
int kvm_timer_check(struct kvm_cpu *kc);
void kvm_timer_set_counter(struct kvm_cpu *kc);
void kvm_timer_sync(struct kvm_cpu *kc);
int kvm_timer_sync_for_save(struct kvm_cpu *kc); /* and CNTKCTL_EL1, before a snapshot */
uint64_t kvm_timer_lead(struct kvm_cpu *kc, uint64_t executed);

/* Serves one exit of KVM_RUN; CPU_STOP_BUDGET means the run goes on (kvm_cpu.c). */
enum cpu_stop_reason kvm_handle_exit(struct kvm_cpu *kc);

/* Debugger stops (kvm_debug.c). */
void kvm_debug_init(struct kvm_cpu *kc);
void kvm_debug_release_vm(struct kvm_vm *vm);
int kvm_cpu_insert_debug(struct cpu *cpu, enum cpu_debug_kind kind, uint64_t address, uint64_t length);
int kvm_cpu_remove_debug(struct cpu *cpu, enum cpu_debug_kind kind, uint64_t address, uint64_t length);
bool kvm_cpu_watch_hit(struct cpu *cpu, enum cpu_debug_kind *kind, uint64_t *address);
enum cpu_stop_reason kvm_debug_exit(struct kvm_cpu *kc);
enum cpu_stop_reason kvm_debug_step(struct kvm_cpu *kc, bool without_watchpoints);
enum cpu_stop_reason kvm_debug_resume(struct kvm_cpu *kc);

/* The interpreter's help (kvm_emulate.c). */
struct cpu *kvm_borrow_interpreter(struct kvm_cpu *kc, struct iss_arch_state *state); /* loaded with the vCPU's state */
int kvm_emulate_instruction(struct kvm_cpu *kc); /* KVM_EXIT_ARM_NISV */
int kvm_read_guest_memory(struct kvm_cpu *kc, uint64_t address, void *buffer, size_t length);
int kvm_write_guest_memory(struct kvm_cpu *kc, uint64_t address, const void *buffer, size_t length);

/* The vCPU saved in the interpreter's layout, so its snapshot continues on the iss backend (kvm_snapshot.c). */
void kvm_cpu_save(const struct cpu *cpu, struct snap_writer *w);

#endif
