/* The iss backend: qvp's own AArch64 interpreter. */
#ifndef QVP_ISS_H
#define QVP_ISS_H

#include "bus.h"
#include "cpu.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A CPU at reset: EL1h, interrupts masked, MMU off; PC and registers set by the caller.
 *
 * What the iss backend adds to the cpu.h contract:
 * - executed_in_run() during an instruction (an MMIO callback) counts the instructions
 *   retired before it: the accessing instruction is not counted yet.
 * - kick() outside run() is ignored; during run() the kicking instruction retires.
 * - Guest faults and every encoding the interpreter does not implement are exceptions to the
 *   guest (EL1 vectors at VBAR_EL1), never fatal stops. Taking an exception counts as one
 *   instruction of the budget, so a guest caught in a fault loop still uses up its budget.
 * - A fatal stop (only for what the host cannot model, e.g. out of memory) leaves the PC on
 *   the faulting instruction, which is not counted.
 * - Instructions are decoded once and cached: code changed behind the CPU's back (a model
 *   writing RAM through bus_ram_pointer()) must go through write_memory(), which invalidates.
 * - read_memory()/write_memory() translate through the guest's page tables when its MMU is on
 *   (without setting anything) and reach RAM only, so a debugger never triggers device side effects.
 */
struct cpu *iss_create(struct bus *bus);

#define ISS_MAX_CPUS 8

/*
 * Several CPUs of one machine: `cpu` joins the cluster of `member` (made on first use), right
 * after iss_create(). SEV reaches all of them, a store clears the others' exclusive monitors
 * on its granule (an event for them), a TLBI reaches every TLB, and a store invalidates every
 * CPU's decoded copy of the code it overwrites. Destroying a CPU takes it out.
 */
int iss_join(struct cpu *cpu, struct cpu *member);

/* MPIDR_EL1's affinity fields (Aff3 in bits 39:32, Aff2..Aff0 in 23:0); 0.0.0.0 by default. */
void iss_set_mpidr(struct cpu *cpu, uint64_t affinity);
/*
 * EL2 (AArch64, no VHE, no NV, no stage 2 yet; docs/iss.md): implements it and puts the CPU
 * at EL2h with interrupts masked, right after iss_create(). HVC from EL1 then goes to EL2 and
 * the call hook answers SMC only (the PSCI conduit of a board with EL2).
 */
void iss_enable_el2(struct cpu *cpu);

/* Whether EL1 runs in Secure state with SCR_EL3.ST set, where the secure physical timer
 * (CNTPS_*, served by the timer model) is accessible; false without EL3. */
bool iss_secure_el1_timer_enabled(struct cpu *cpu);

/*
 * EL3 (AArch64, SCR_EL3.RW = 1 only; Secure and Non-secure physical address spaces; docs/iss.md):
 * implements it and puts the CPU at EL3h with interrupts masked, right after iss_create()
 * (after iss_enable_el2() when both are wanted). SMC then goes to EL3 and the call hook is
 * never asked: PSCI is the firmware's.
 */
void iss_enable_el3(struct cpu *cpu);

/*
 * System registers served outside the interpreter, such as the generic timer's CNT*
 * registers, which a model implements on top of virtual time. `encoding` packs the MRS/MSR
 * operands as op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2 (bits 20:5 of the
 * instruction); `el` is the exception level of the access. A hook returns false for a
 * register it does not serve, or for an access the architecture makes UNDEFINED (e.g. EL0
 * access that CNTKCTL_EL1 does not allow); the interpreter then treats it as undefined.
 */
struct iss_sysreg_hook {
	bool (*read)(void *opaque, uint32_t encoding, unsigned el, uint64_t *value);
	bool (*write)(void *opaque, uint32_t encoding, unsigned el, uint64_t value);
	void *opaque;
};

/* Registers a hook; hooks are asked in the order they were added, after the interpreter's own registers. */
int iss_add_sysreg_hook(struct cpu *cpu, const struct iss_sysreg_hook *hook);

/*
 * HVC and SMC executed at EL1 (the runtime implements PSCI here); with EL2 SMC only, from EL1 and EL2. `smc` says which one, `imm`
 * is the instruction's 16-bit immediate. The hook reads and writes x0..x3 through the cpu's
 * get_register/set_register and returns true when it handled the call: the CPU then goes on
 * after the instruction. When it returns false (or there is no hook) the instruction is
 * UNDEFINED, as on a CPU without EL2 and EL3. At EL0 both are always UNDEFINED.
 */
typedef bool (*iss_call_hook)(void *opaque, struct cpu *cpu, bool smc, uint16_t imm);

/* An event from outside the CPU (the generic timer's event stream, models/generic_timer.c):
 * sets its event register, so the WFE it waits in, or its next one, returns. */
void iss_signal_event(struct cpu *cpu);

/* From a call hook (PSCI CPU_SUSPEND's standby): after the current instruction the CPU waits
 * as in WFI, unless an interrupt line is high already. */
void iss_wait_for_interrupt(struct cpu *cpu);

/* Installs the one call hook, replacing any earlier one; NULL removes it. */
void iss_set_call_hook(struct cpu *cpu, iss_call_hook hook, void *opaque);

/*
 * HLT #0xF000 executed at EL1 or above: an Arm semihosting call (the runtime serves it when
 * `qvp run --semihosting` is given). The hook reads W0 (the operation) and X1 (its parameter)
 * and writes X0 through the cpu's registers and memory calls; returning true, the CPU goes on
 * after the HLT. Without a hook, at EL0, or with another immediate, HLT is UNDEFINED (no
 * external debug), as it is on a CPU without semihosting.
 */
typedef bool (*iss_semihosting_hook)(void *opaque, struct cpu *cpu);

/* Installs the one semihosting hook, replacing any earlier one; NULL removes it. */
void iss_set_semihosting_hook(struct cpu *cpu, iss_semihosting_hook hook, void *opaque);

/*
 * The architectural state another backend hands over to have one instruction emulated or an
 * address translated the way the guest would (the kvm backend: MMIO accesses KVM cannot
 * decode, debugger memory access by virtual address). PSTATE is in SPSR layout.
 */
struct iss_arch_state {
	uint64_t x[31];
	uint64_t sp_el0, sp_el1, pc, pstate;
	uint64_t sctlr_el1, tcr_el1, ttbr0_el1, ttbr1_el1, mair_el1;
	uint64_t vbar_el1, elr_el1, spsr_el1, esr_el1, far_el1;
	uint64_t cpacr_el1; /* FPEN: whether a SIMD&FP access to a device may execute or traps */
	uint64_t v[32][2]; /* V0..V31, low doubleword first */
	uint32_t fpcr, fpsr;
};

/* Loads `state` into the interpreter, forgetting every decoded instruction and translation:
 * the other backend may have changed guest memory behind the interpreter's back. */
int iss_set_arch_state(struct cpu *cpu, const struct iss_arch_state *state);
void iss_get_arch_state(const struct cpu *cpu, struct iss_arch_state *state);
/* The physical address of `va` as a load at the current EL would see it, without side effects. */
int iss_translate_address(struct cpu *cpu, uint64_t va, uint64_t *pa);

/* The rest of an EL1 guest's state that a snapshot keeps (the kvm backend saves a vCPU as the
 * interpreter's state, so the snapshot continues on the iss backend): set after the arch state. */
struct iss_context_state {
	uint64_t tpidr_el0, tpidrro_el0, tpidr_el1, contextidr_el1;
	uint64_t amair_el1, par_el1, mdscr_el1, csselr_el1, afsr0_el1, afsr1_el1, mpidr_el1;
	uint64_t retired; /* instructions the CPU ran since reset */
	bool irq_line, fiq_line;
};
void iss_set_context_state(struct cpu *cpu, const struct iss_context_state *state);

/*
 * Coverage (runtime/coverage/ reads it): the instructions the interpreter ran and the
 * directions its conditional branches took, by physical address, recorded when an
 * instruction is first decoded to run, so the cost is at decode time, not per instruction.
 * The caller owns the map; several CPUs, and the CPUs of a rebuilt board, may share one.
 */
struct iss_coverage;

enum iss_coverage_mark {
	ISS_COVERAGE_EXECUTED = 1,  /* the instruction ran (at any EL) */
	ISS_COVERAGE_TAKEN = 2,     /* a conditional branch went to its target */
	ISS_COVERAGE_NOT_TAKEN = 4, /* a conditional branch fell through */
};

struct iss_coverage *iss_coverage_create(void); /* NULL when out of memory */
void iss_coverage_destroy(struct iss_coverage *coverage);
/* Marks what `cpu` runs from now on into `coverage` (NULL: stops). Set before the first run:
 * instructions decoded before are not marked until decoded again. */
void iss_set_coverage(struct cpu *cpu, struct iss_coverage *coverage);
/* The enum iss_coverage_mark bits of the instruction at physical address `pa`. */
unsigned iss_coverage_marks(const struct iss_coverage *coverage, uint64_t pa);

/*
 * Instruction trace (runtime/coverage/insn_trace.c). Before each run, `wants_run` says
 * whether the run may hold an instruction to trace; if so, the interpreter runs its checking
 * loop, as under a debugger, and calls `insn` just before each instruction executes (after
 * any breakpoint stop, so once per execution) with its address and encoding. `insn`
 * returning false removes the tracer from this CPU: its window is over.
 */
struct iss_insn_view {
	uint64_t pc;
	uint64_t pa;
	uint32_t word;
	unsigned el;
};
struct iss_insn_tracer {
	bool (*wants_run)(void *opaque, struct cpu *cpu, uint64_t budget);
	bool (*insn)(void *opaque, struct cpu *cpu, const struct iss_insn_view *insn);
	void *opaque;
};

/* Installs the one tracer (copied), replacing any earlier one; NULL removes it. */
void iss_set_insn_tracer(struct cpu *cpu, const struct iss_insn_tracer *tracer);

#ifdef __cplusplus
}
#endif
#endif
