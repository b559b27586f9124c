/* The CPU backend interface: one vtable that both the iss and the kvm backend implement. */
#ifndef QVP_CPU_H
#define QVP_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Why run() returned. */
enum cpu_stop_reason {
	CPU_STOP_BUDGET,     /* executed exactly the budget */
	CPU_STOP_WFI,        /* the guest executed WFI (or WFE with no event): it is idle */
	CPU_STOP_KICKED,     /* kick() was called, e.g. a device asked the simulation to end */
	CPU_STOP_BREAKPOINT, /* a debugger breakpoint or watchpoint was hit */
	CPU_STOP_STEP,       /* a debugger single-step completed */
	CPU_STOP_FATAL,      /* the backend cannot go on; error_message() says why */
};

struct cpu_run_result {
	uint64_t executed; /* instructions retired during this run */
	enum cpu_stop_reason reason;
};

enum cpu_line {
	CPU_LINE_IRQ,
	CPU_LINE_FIQ,
	CPU_LINE_VIRQ, /* the GIC's virtual CPU interface: a virtual IRQ for EL1 (with EL2) */
	CPU_LINE_VFIQ,
	CPU_LINE_COUNT,
};

/* Register numbers follow gdb's AArch64 numbering. */
enum cpu_register {
	CPU_REG_X0 = 0, /* X0..X30 are 0..30 */
	CPU_REG_SP = 31,
	CPU_REG_PC = 32,
	CPU_REG_PSTATE = 33, /* NZCV, DAIF, CurrentEL, SPSel as in SPSR */
	CPU_REG_COUNT = 34,
	/* SIMD&FP: V0..V31 (128 bits, through get_vector/set_vector), then FPSR and FPCR. */
	CPU_REG_V0 = 34,
	CPU_REG_FPSR = 66,
	CPU_REG_FPCR = 67,
	/* EL1 system registers a debugger shows (read-only; a backend may not serve them). */
	CPU_REG_SCTLR_EL1 = 68,
	CPU_REG_TCR_EL1,
	CPU_REG_TTBR0_EL1,
	CPU_REG_TTBR1_EL1,
	CPU_REG_ESR_EL1,
	CPU_REG_FAR_EL1,
	CPU_REG_ELR_EL1,
	CPU_REG_SPSR_EL1,
	CPU_REG_VBAR_EL1,
	CPU_REG_CURRENT_EL,
	/* EL2's and EL3's, served only by a CPU that has that level (the iss backend's --el2, --el3). */
	CPU_REG_HCR_EL2,
	CPU_REG_SCTLR_EL2,
	CPU_REG_TCR_EL2,
	CPU_REG_TTBR0_EL2,
	CPU_REG_VTTBR_EL2,
	CPU_REG_ESR_EL2,
	CPU_REG_FAR_EL2,
	CPU_REG_ELR_EL2,
	CPU_REG_SPSR_EL2,
	CPU_REG_VBAR_EL2,
	CPU_REG_SCR_EL3,
	CPU_REG_SCTLR_EL3,
	CPU_REG_TCR_EL3,
	CPU_REG_TTBR0_EL3,
	CPU_REG_ESR_EL3,
	CPU_REG_FAR_EL3,
	CPU_REG_ELR_EL3,
	CPU_REG_SPSR_EL3,
	CPU_REG_VBAR_EL3,
	CPU_REG_MAIR_EL3,
	CPU_REG_CPTR_EL3,
	/* Added later, so after the first ones: recordings keep the numbers they were written with. */
	CPU_REG_TPIDR_EL3,
	CPU_REG_MDCR_EL3,
	CPU_REG_MAIR_EL2,
	CPU_REG_CPTR_EL2,
	CPU_REG_TPIDR_EL2,
	CPU_REG_CNTHCTL_EL2,
	CPU_REG_SYSTEM_END,
};

/* What a debugger asks the CPU to stop on: an instruction address or a data range. */
enum cpu_debug_kind {
	CPU_DEBUG_BREAK,       /* before the instruction at the address executes */
	CPU_DEBUG_WATCH_WRITE, /* before a store into the range */
	CPU_DEBUG_WATCH_READ,  /* before a load from the range */
	CPU_DEBUG_WATCH_ACCESS, /* before either */
};

struct cpu;
struct image;
struct snap_reader;
struct snap_writer;

struct cpu_ops {
	const char *name;
	void (*destroy)(struct cpu *cpu);
	/* Runs until `budget` instructions have retired (budget >= 1) or another stop reason. */
	struct cpu_run_result (*run)(struct cpu *cpu, uint64_t budget);
	/* Called during run() (from an MMIO handler): return at the next instruction boundary. */
	void (*kick)(struct cpu *cpu);
	/* Instructions retired so far in the current run(): lets models see the exact time. */
	uint64_t (*executed_in_run)(const struct cpu *cpu);
	void (*set_line)(struct cpu *cpu, enum cpu_line line, bool level);
	int (*get_register)(struct cpu *cpu, enum cpu_register reg, uint64_t *value);
	int (*set_register)(struct cpu *cpu, enum cpu_register reg, uint64_t value);
	/* SIMD&FP register V`index` (0..31): value[0] the low 64 bits, value[1] the high ones. */
	int (*get_vector)(struct cpu *cpu, unsigned index, uint64_t value[2]);
	int (*set_vector)(struct cpu *cpu, unsigned index, const uint64_t value[2]);
	/* Guest memory by virtual address, as the guest would see it now. */
	int (*read_memory)(struct cpu *cpu, uint64_t address, void *buffer, size_t length);
	int (*write_memory)(struct cpu *cpu, uint64_t address, const void *buffer, size_t length);
	/* Optional (may be NULL): one line saying why the guest can make no progress (it is
	 * stuck in an exception loop), NULL while nothing is known; the loop ends the run with it.
	 * `image` (may be NULL) names the faulting pc by its symbol. */
	const char *(*diagnose)(struct cpu *cpu, const struct image *image);
	/* Optional (NULL when the backend cannot): debugger stops, reported (CPU_STOP_BREAKPOINT)
	 * before the instruction executes; the next run executes it first, so it makes progress. */
	int (*insert_debug)(struct cpu *cpu, enum cpu_debug_kind kind, uint64_t address, uint64_t length);
	int (*remove_debug)(struct cpu *cpu, enum cpu_debug_kind kind, uint64_t address, uint64_t length);
	/* After a CPU_STOP_BREAKPOINT: true and the watchpoint's kind and data address if one hit. */
	bool (*watch_hit)(struct cpu *cpu, enum cpu_debug_kind *kind, uint64_t *address);
	/* Optional: picoseconds by which the guest's own clock ran ahead of the last run's
	 * instructions (kvm: the counter runs with the host's during a run); the loop adds them
	 * to virtual time, so the guest never sees its counter go back at the next run. */
	uint64_t (*clock_lead)(struct cpu *cpu);
	/* Optional (NULL when nothing is cached): a device wrote guest RAM at physical
	 * [address, address + length); instructions decoded from there are stale. */
	void (*ram_written)(struct cpu *cpu, uint64_t address, uint64_t length);
	/* Optional (NULL when nothing is cached): a ROM device at [address, address + length)
	 * switched between memory and MMIO (bus_set_romd); what was cached of it is stale. */
	void (*map_changed)(struct cpu *cpu, uint64_t address, uint64_t length);
	/* Optional: after a CPU_STOP_WFI, whether the CPU would leave its wait now (an interrupt
	 * line is high, or it waits in WFE and got an event). Without it, only a line wakes it. */
	bool (*wakes)(struct cpu *cpu);
	/* Optional (NULL: this backend cannot be saved): snapshots (snapshot.h), between runs.
	 * save() writes every piece of state that shapes what the CPU does next; load() reads it
	 * back, records its errors in the reader, and leaves no cache (TLB, decoded code) stale. */
	void (*save)(const struct cpu *cpu, struct snap_writer *w);
	void (*load)(struct cpu *cpu, struct snap_reader *r);
	/* Optional (NULL: the runtime's PSCI turns the CPU on and off, runtime/machine/psci.c):
	 * whether the CPU is on, for a backend whose PSCI is its own (KVM's, in the kernel). The
	 * loop asks before each CPU's turn and after its run. */
	bool (*powered)(struct cpu *cpu);
	/* Optional (NULL: not tracked): from now on, note which pages of writable RAM anything
	 * stores to (the CPUs, devices' DMA, the debugger); ram_unwritten() then says true
	 * for pages surely left alone since, so a history checkpoint need not compare it. */
	void (*watch_ram_writes)(struct cpu *cpu);
	bool (*ram_unwritten)(struct cpu *cpu, uint64_t address, uint64_t length); /* every page of it */
};

struct cpu {
	const struct cpu_ops *ops;
};

#ifdef __cplusplus
}
#endif
#endif
