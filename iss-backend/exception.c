/*
 * The exception model: EL0, EL1 and (when enabled) EL2 in AArch64. Synchronous exceptions
 * with their syndrome, IRQ and FIQ from the lines routed by HCR_EL2, PSTATE.IL, ERET, and the
 * banked stack pointers.
 *
 * Exceptions are taken to EL1, or to EL2 when they come from EL2, when HCR_EL2 routes or
 * traps them there (TGE, IMO/FMO, the trap bits), or for HVC. Taking one uses up the
 * instruction slot of the instruction that caused it (or of the boundary where an interrupt
 * was taken), so a guest stuck in a fault loop still uses up its budget.
 */
#include <stdio.h>

#include "exception.h"
#include "exec_handlers.h"
#include "iss_state.h"
#include "pmu.h"
#include "syndrome.h"

/* Vector offsets from VBAR_EL1. */
enum {
	VECTOR_SYNC = 0x000,
	VECTOR_IRQ = 0x080,
	VECTOR_FIQ = 0x100,
	VECTOR_SERROR = 0x180,
	VECTOR_CURRENT_SP0 = 0x000,
	VECTOR_CURRENT_SPX = 0x200,
	VECTOR_LOWER_A64 = 0x400,
};

#define ESR_IL (1u << 25) /* a 32-bit instruction caused it */
#define SPSR_IL (1ull << 20)
#define SPSR_SS (1ull << 21)

uint64_t iss_pstate(const struct iss *cpu)
{
	uint64_t m = cpu->el == 0 ? 0 : cpu->el << 2 | (cpu->spsel ? 1u : 0u);

	return (uint64_t)cpu->nzcv << 28 | (cpu->illegal ? SPSR_IL : 0) | (uint64_t)cpu->daif << 6 | m;
}

/* The SP in use is SP_EL0 at EL0 and at ELxt, SP_ELx at ELxh. */
void iss_set_sp_select(struct iss *cpu, unsigned el, bool spsel)
{
	unsigned from = cpu->spsel ? cpu->el : 0;
	unsigned to = spsel ? el : 0;

	if (from != to) {
		cpu->sp_banked[from] = cpu->x[REG_SP];
		cpu->x[REG_SP] = cpu->sp_banked[to];
	}
	cpu->spsel = spsel;
}

/* SP alignment checking follows SCTLR_EL1.SA (EL1) and SA0 (EL0), SCTLR_ELx.SA at EL2 and EL3. */
void iss_sctlr_changed(struct iss *cpu)
{
	uint64_t sctlr = cpu->el == 3 ? cpu->sctlr_el3 : cpu->el == 2 ? cpu->sctlr_el2 : cpu->sctlr_el1;
	uint64_t bit = cpu->el ? SCTLR_SA : SCTLR_SA0;

	cpu->sp_align = sctlr & bit ? 15 : 0;
}

/* The banked SP must be switched by the caller first (iss_set_sp_select with the new EL). */
void iss_set_el(struct iss *cpu, unsigned el)
{
	if (cpu->el == el)
		return;
	iss_pmu_sync(cpu); /* PMCCFILTR_EL0 counts by EL */
	cpu->el = el;
	cpu->tlb = cpu->tlbs[el];
	cpu->code_base = 1; /* execute permission depends on the EL: enter the page again */
	iss_sctlr_changed(cpu);
}

/* SPSR_ELx, ELR_ELx, ESR_ELx and FAR_ELx of an EL that takes exceptions (1, 2 or 3). */
static uint64_t *spsr_of(struct iss *cpu, unsigned el)
{
	return el == 3 ? &cpu->spsr_el3 : el == 2 ? &cpu->spsr_el2 : &cpu->spsr_el1;
}

static uint64_t *elr_of(struct iss *cpu, unsigned el)
{
	return el == 3 ? &cpu->elr_el3 : el == 2 ? &cpu->elr_el2 : &cpu->elr_el1;
}

static uint64_t *esr_of(struct iss *cpu, unsigned el)
{
	return el == 3 ? &cpu->esr_el3 : el == 2 ? &cpu->esr_el2 : &cpu->esr_el1;
}

static uint64_t *far_of(struct iss *cpu, unsigned el)
{
	return el == 3 ? &cpu->far_el3 : el == 2 ? &cpu->far_el2 : &cpu->far_el1;
}

/* Takes an exception to `target` (1, 2 or 3, never lower than the current EL). */
static void enter_el(struct iss *cpu, unsigned target, unsigned vector, uint64_t return_address)
{
	unsigned offset;

	if (cpu->el < target)
		offset = VECTOR_LOWER_A64;
	else
		offset = cpu->spsel ? VECTOR_CURRENT_SPX : VECTOR_CURRENT_SP0;
	*spsr_of(cpu, target) = iss_pstate(cpu);
	*elr_of(cpu, target) = return_address;
	iss_set_sp_select(cpu, target, true);
	iss_set_el(cpu, target);
	cpu->daif = DAIF_D | DAIF_A | DAIF_I | DAIF_F;
	cpu->illegal = false;
	cpu->exclusive_valid = false;
	cpu->exceptions_since_eret++;
	iss_update_attention(cpu); /* before the PC moves: it may settle the budget (iss_state.h) */
	iss_set_pc(cpu, (target == 3 ? cpu->vbar_el3 : target == 2 ? cpu->vbar_el2 : cpu->vbar_el1) + offset + vector);
}

/* Where a synchronous exception that nothing traps elsewhere goes: EL2 from EL2, and from EL0 with HCR_EL2.TGE. */
static unsigned sync_target(const struct iss *cpu)
{
	if (cpu->el == 3)
		return 3;
	if (cpu->el == 2 || (cpu->el == 0 && (cpu->hcr_el2 & HCR_TGE)))
		return 2;
	return 1;
}

bool iss_fp_trapped(struct iss *cpu)
{
	unsigned fpen = (unsigned)(cpu->cpacr_el1 >> 20) & 3;
	bool el2_nonsecure = cpu->el2 && (!cpu->el3 || (cpu->scr_el3 & SCR_NS)); /* v8.0 has no Secure EL2 */

	if (!(fpen == 3 || (fpen == 1 && cpu->el == 1) || cpu->el == 2)) { /* CPACR_EL1 does not reach EL2 */
		iss_exception(cpu, EC_FP_ACCESS, 0x1e00000, cpu->pc);
		return true;
	}
	if (cpu->el <= 2 && el2_nonsecure && (cpu->cptr_el2 & CPTR_EL2_TFP)) {
		iss_exception_to(cpu, 2, EC_FP_ACCESS, 0x1e00000, cpu->pc);
		return true;
	}
	return false;
}

void iss_exception_far(struct iss *cpu, unsigned ec, uint32_t iss, uint64_t return_address, uint64_t far)
{
	*far_of(cpu, sync_target(cpu)) = far;
	iss_exception(cpu, ec, iss, return_address);
}

void iss_exception(struct iss *cpu, unsigned ec, uint32_t iss, uint64_t return_address)
{
	iss_exception_to(cpu, sync_target(cpu), ec, iss, return_address);
}

void iss_exception_to(struct iss *cpu, unsigned target, unsigned ec, uint32_t iss, uint64_t return_address)
{
	/* EC 0 (unknown) has IL set too: it is always a 32-bit instruction in AArch64. */
	uint64_t esr = (uint64_t)ec << 26 | ESR_IL | (iss & 0x1ffffff);

	*esr_of(cpu, target) = esr;
	if (!cpu->loop_start_valid) {
		cpu->loop_start_valid = true;
		cpu->loop_start_esr = esr;
		cpu->loop_start_elr = return_address;
		cpu->loop_start_far = *far_of(cpu, target);
	}
	enter_el(cpu, target, VECTOR_SYNC, return_address);
}

void iss_undefined(struct iss *cpu, uint32_t word, enum iss_undefined_reason reason)
{
	(void)word;
	(void)reason;
	iss_exception(cpu, EC_UNKNOWN, 0, cpu->pc);
}

/* External aborts (FSC 0x10, and 0x14-0x17 on a table walk) go to EL3 with SCR_EL3.EA. */
static bool external_to_el3(const struct iss *cpu, unsigned fsc)
{
	return (cpu->scr_el3 & SCR_EA) && (fsc == 0x10 || (fsc & 0x3c) == 0x14);
}

/* An abort with its FAR to the EL it is taken to; `ec_same` is the same-EL class (lower is one less). */
static void abort_to(struct iss *cpu, unsigned fsc, unsigned ec_same, uint32_t iss, uint64_t va)
{
	unsigned target = external_to_el3(cpu, fsc) ? 3 : sync_target(cpu);

	*far_of(cpu, target) = va;
	iss_exception_to(cpu, target, cpu->el == target ? ec_same : ec_same - 1, iss, cpu->pc);
}

/* Data abort ISS: WnR (6), S1PTW (7), CM (8), DFSC (5:0). ISV is 0: no instruction syndrome. */
void iss_data_abort(struct iss *cpu, uint64_t va, enum iss_access_type type, unsigned fsc, bool s1ptw)
{
	uint32_t iss = fsc & 0x3f;

	if (type == AT_WRITE || type == AT_CACHE)
		iss |= 1u << 6;
	if (type == AT_CACHE)
		iss |= 1u << 8;
	if (s1ptw)
		iss |= 1u << 7;
	abort_to(cpu, fsc, EC_DABORT_SAME, iss, va);
}

void iss_instruction_abort(struct iss *cpu, uint64_t va, unsigned fsc, bool s1ptw)
{
	uint32_t iss = (fsc & 0x3f) | (s1ptw ? 1u << 7 : 0);

	abort_to(cpu, fsc, EC_IABORT_SAME, iss, va);
}

#define HPFAR_FIPA 0x00000ffffffffff0ull /* IPA[47:12] in bits 43:4 */
#define ESR_CM     (1u << 8)
#define ESR_S1PTW  (1u << 7)
#define ESR_WNR    (1u << 6)

/*
 * To EL2 (EL3 for an external abort SCR_EL3.EA routes there). The instruction syndrome (ISV and
 * the fields after it) is given for a data access of a single general-purpose register without
 * writeback, never for a stage 1 walk's read (S1PTW); WnR says whether the access that needed
 * the walk was a write, as the Arm ARM's pseudocode and QEMU have it.
 */
void iss_stage2_abort(struct iss *cpu, uint64_t va, enum iss_access_type type, unsigned fsc, bool s1ptw, uint64_t ipa)
{
	unsigned target = external_to_el3(cpu, fsc) ? 3 : 2;
	uint32_t iss = (fsc & 0x3f) | (s1ptw ? ESR_S1PTW : 0);
	unsigned ec_same = EC_DABORT_SAME;

	if (type == AT_EXEC) {
		ec_same = EC_IABORT_SAME;
	} else {
		if (type == AT_WRITE || type == AT_CACHE)
			iss |= ESR_WNR;
		if (type == AT_CACHE)
			iss |= ESR_CM;
		else if (!s1ptw)
			iss |= iss_load_store_syndrome(cpu);
	}
	cpu->hpfar_el2 = (ipa >> 8) & HPFAR_FIPA;
	*far_of(cpu, target) = va;
	iss_exception_to(cpu, target, cpu->el == target ? ec_same : ec_same - 1, iss, cpu->pc);
}

/* ---- Interrupts and PSTATE.IL: checked only when something they depend on changes ---- */

/* EL3 when SCR_EL3 routes the interrupt there (IRQ/FIQ), EL2 when HCR_EL2 does (IMO/FMO, or TGE), else EL1. */
static unsigned interrupt_target(const struct iss *cpu, uint64_t route, uint64_t scr_route)
{
	if (cpu->scr_el3 & scr_route)
		return 3;
	return cpu->hcr_el2 & (route | HCR_TGE) ? 2 : 1;
}

/* Taken to a higher EL whatever PSTATE masks; at the target EL when unmasked; never to a lower EL. */
static bool interrupt_due(const struct iss *cpu, bool line, unsigned mask, uint64_t route, uint64_t scr_route)
{
	unsigned target = interrupt_target(cpu, route, scr_route);

	if (!line || target < cpu->el)
		return false;
	return target > cpu->el || !(cpu->daif & mask);
}

static bool irq_due(const struct iss *cpu)
{
	return interrupt_due(cpu, cpu->irq_line, DAIF_I, HCR_IMO, SCR_IRQ);
}

static bool fiq_due(const struct iss *cpu)
{
	return interrupt_due(cpu, cpu->fiq_line, DAIF_F, HCR_FMO, SCR_FIQ);
}

bool iss_virq_pending(const struct iss *cpu)
{
	return (cpu->hcr_el2 & HCR_VI) || cpu->virq_line;
}

bool iss_vfiq_pending(const struct iss *cpu)
{
	return (cpu->hcr_el2 & HCR_VF) || cpu->vfiq_line;
}

bool iss_vserror_pending(const struct iss *cpu)
{
	return (cpu->hcr_el2 & HCR_VSE) != 0;
}

bool iss_interrupt_pending(const struct iss *cpu)
{
	return cpu->irq_line || cpu->fiq_line || iss_virq_pending(cpu) || iss_vfiq_pending(cpu) ||
	       iss_vserror_pending(cpu);
}

/* Virtual interrupts exist only in Non-secure EL1&0 with HCR_EL2 routing the physical kind to EL2 (not TGE). */
bool iss_virtual_view(const struct iss *cpu, uint64_t route)
{
	if (cpu->el > 1 || (cpu->el3 && !(cpu->scr_el3 & SCR_NS)))
		return false;
	return (cpu->hcr_el2 & (route | HCR_TGE)) == route;
}

/* A virtual interrupt is taken to EL1, from EL1 and EL0, when routed and unmasked by PSTATE. */
static bool virtual_due(const struct iss *cpu, bool pending, unsigned mask, uint64_t route)
{
	return pending && iss_virtual_view(cpu, route) && !(cpu->daif & mask);
}

static bool virq_due(const struct iss *cpu)
{
	return virtual_due(cpu, iss_virq_pending(cpu), DAIF_I, HCR_IMO);
}

static bool vfiq_due(const struct iss *cpu)
{
	return virtual_due(cpu, iss_vfiq_pending(cpu), DAIF_F, HCR_FMO);
}

static bool vserror_due(const struct iss *cpu)
{
	return virtual_due(cpu, iss_vserror_pending(cpu), DAIF_A, HCR_AMO);
}

/*
 * A virtual SError clears HCR_EL2.VSE; its ESR_EL1 is EC 0x2F with ISS 0 (there is no RAS
 * extension, so no VSESR_EL2 to give one), as QEMU builds it.
 */
static void take_vserror(struct iss *cpu)
{
	cpu->hcr_el2 &= ~HCR_VSE;
	cpu->esr_el1 = (uint64_t)EC_SERROR << 26 | ESR_IL;
	enter_el(cpu, 1, VECTOR_SERROR, cpu->pc);
}

/*
 * Sets `attention` when an interrupt can be taken or PSTATE.IL is set. During a run it also
 * ends the dispatch loop after the current instruction by parking the rest of the budget,
 * so the hot loop tests nothing but the budget.
 */
void iss_update_attention(struct iss *cpu)
{
	cpu->attention = irq_due(cpu) || fiq_due(cpu) || virq_due(cpu) || vfiq_due(cpu) || vserror_due(cpu) ||
	                 cpu->illegal;
	if (cpu->attention && cpu->running && cpu->left) {
		iss_settle(cpu);
		cpu->parked += cpu->left;
		cpu->left = 0;
		cpu->block_end = 0; /* the current instruction is the block's last */
	}
}

/* At an instruction boundary, with one slot of budget: FIQ, IRQ, then the virtual IRQ, FIQ and SError
 * (QEMU's order), then the illegal state. */
void iss_take_attention(struct iss *cpu)
{
	if (fiq_due(cpu)) {
		enter_el(cpu, interrupt_target(cpu, HCR_FMO, SCR_FIQ), VECTOR_FIQ, cpu->pc);
	} else if (irq_due(cpu)) {
		enter_el(cpu, interrupt_target(cpu, HCR_IMO, SCR_IRQ), VECTOR_IRQ, cpu->pc);
	} else if (virq_due(cpu)) {
		enter_el(cpu, 1, VECTOR_IRQ, cpu->pc);
	} else if (vfiq_due(cpu)) {
		enter_el(cpu, 1, VECTOR_FIQ, cpu->pc);
	} else if (vserror_due(cpu)) {
		take_vserror(cpu);
	} else if (cpu->illegal) {
		iss_exception(cpu, EC_ILLEGAL_STATE, 0, cpu->pc);
	} else {
		cpu->attention = false;
		return;
	}
	/* Its slot is charged when the PC moves to the vector: at this boundary block_pc is the PC - 4. */
}

/* ---- Instructions ---- */

/* SVC, HVC, SMC, BRK, HLT: imm holds the 16-bit immediate, type the opc:LL selector. */
ISS_HANDLER(iss_exec_svc)
{
	iss_exception(cpu, EC_SVC, (uint32_t)insn->imm, cpu->pc + 4);
}

/* HVC and SMC without EL2: the call hook (qvp's PSCI) at EL1, else UNDEFINED (no EL2, no EL3). */
static void firmware_call(struct iss *cpu, const struct iss_insn *insn, bool smc)
{
	if (cpu->el >= 1 && cpu->call_hook && cpu->call_hook(cpu->call_hook_opaque, &cpu->cpu, smc, (uint16_t)insn->imm)) {
		cpu->pc += 4;
		return;
	}
	iss_exception(cpu, EC_UNKNOWN, 0, cpu->pc);
}

/* With EL2: HVC from EL1 and EL2 is taken to EL2 (unless HCR_EL2.HCD); UNDEFINED at EL0. */
static void hypervisor_call(struct iss *cpu, const struct iss_insn *insn)
{
	if (cpu->el == 0 || (cpu->hcr_el2 & HCR_HCD)) {
		iss_exception(cpu, EC_UNKNOWN, 0, cpu->pc);
		return;
	}
	iss_exception_to(cpu, cpu->el == 3 ? 3 : 2, EC_HVC, (uint32_t)insn->imm & 0xffff, cpu->pc + 4);
}

/* With EL3: SMC from EL1 and above goes to EL3 (ELR the next instruction), unless HCR_EL2.TSC
 * traps it to EL2 first (from EL1) or SCR_EL3.SMD disables it (UNDEFINED). */
static void smc_to_el3(struct iss *cpu, const struct iss_insn *insn)
{
	if (cpu->el == 1 && (cpu->hcr_el2 & HCR_TSC)) {
		iss_exception_to(cpu, 2, EC_SMC, (uint32_t)insn->imm & 0xffff, cpu->pc);
		return;
	}
	if (cpu->el == 0 || (cpu->scr_el3 & SCR_SMD)) {
		iss_exception(cpu, EC_UNKNOWN, 0, cpu->pc);
		return;
	}
	iss_exception_to(cpu, 3, EC_SMC, (uint32_t)insn->imm & 0xffff, cpu->pc + 4);
}

/* With EL2: SMC at EL1 traps to EL2 with HCR_EL2.TSC (ELR the SMC itself); else qvp's PSCI stands in for EL3. */
static void secure_monitor_call(struct iss *cpu, const struct iss_insn *insn)
{
	if (cpu->el == 1 && (cpu->hcr_el2 & HCR_TSC)) {
		iss_exception_to(cpu, 2, EC_SMC, (uint32_t)insn->imm & 0xffff, cpu->pc);
		return;
	}
	firmware_call(cpu, insn, true);
}

ISS_HANDLER(iss_exec_hvc)
{
	if (cpu->el3 && !(cpu->el2 && (cpu->scr_el3 & SCR_HCE)))
		iss_exception(cpu, EC_UNKNOWN, 0, cpu->pc); /* no EL2, or SCR_EL3.HCE disables HVC */
	else if (cpu->el2)
		hypervisor_call(cpu, insn);
	else
		firmware_call(cpu, insn, false);
}

ISS_HANDLER(iss_exec_smc)
{
	if (cpu->el3)
		smc_to_el3(cpu, insn);
	else if (cpu->el2)
		secure_monitor_call(cpu, insn);
	else
		firmware_call(cpu, insn, true);
}

ISS_HANDLER(iss_exec_brk)
{
	iss_exception(cpu, EC_BRK, (uint32_t)insn->imm, cpu->pc);
}

/* HLT #0xF000: the semihosting hook at EL1 and above (QEMU's default refuses EL0), else UNDEFINED as any HLT. */
ISS_HANDLER(iss_exec_hlt_semihosting)
{
	(void)insn;
	if (cpu->el >= 1 && cpu->semihosting_hook && cpu->semihosting_hook(cpu->semihosting_hook_opaque, &cpu->cpu)) {
		cpu->pc += 4;
		return;
	}
	iss_exception(cpu, EC_UNKNOWN, 0, cpu->pc);
}

/*
 * Whether SPSR.M names a mode ERET may return to from the current EL: AArch64, not higher
 * than the current EL, EL0 only as EL0t, EL2 only when implemented, EL1 not while HCR_EL2.TGE.
 */
static bool return_mode_legal(const struct iss *cpu, unsigned m)
{
	unsigned el = (m >> 2) & 3;

	if ((m & 0x12) || el > cpu->el || (el == 0 && (m & 1)))
		return false;
	if (el == 2 && (!cpu->el2 || (cpu->el3 && !(cpu->scr_el3 & SCR_NS))))
		return false; /* no EL2, or Secure EL2, which v8.0 does not have */
	return !(el == 1 && (cpu->hcr_el2 & HCR_TGE));
}

/* ERET: SPSR_ELx and ELR_ELx back into PSTATE and the PC. UNDEFINED at EL0. */
ISS_HANDLER(iss_exec_eret)
{
	uint64_t spsr, elr;
	unsigned m;

	if (cpu->el == 0) {
		iss_undefined(cpu, (uint32_t)insn->imm, UNDEF_UNALLOCATED);
		return;
	}
	spsr = *spsr_of(cpu, cpu->el);
	elr = *elr_of(cpu, cpu->el);
	m = (unsigned)spsr & 0x1f;
	if (cpu->el == 3 && ((m >> 2) & 3) < 3 && !(cpu->scr_el3 & SCR_RW)) {
		iss_fatal(cpu, "iss: ERET from EL3 with SCR_EL3.RW = 0 (SCR_EL3 0x%llx): the lower levels would be "
		          "AArch32, which qvp does not implement; set SCR_EL3.RW (bit 10) first",
		          (unsigned long long)cpu->scr_el3);
		return;
	}
	cpu->nzcv = (unsigned)(spsr >> 28) & 0xf;
	cpu->daif = (unsigned)(spsr >> 6) & 0xf;
	if (return_mode_legal(cpu, m)) {
		unsigned el = m >> 2;
		iss_set_sp_select(cpu, el, el == 0 ? cpu->spsel : (m & 1) != 0);
		iss_set_el(cpu, el);
		cpu->illegal = (spsr & SPSR_IL) != 0;
	} else {
		cpu->illegal = true; /* an illegal return: EL and SP stay, the next instruction faults */
	}
	cpu->exclusive_valid = false;
	cpu->exceptions_since_eret = 0;
	cpu->loop_start_valid = false;
	iss_update_attention(cpu); /* before the PC moves: it may settle the budget (iss_state.h) */
	iss_set_pc(cpu, elr);
}
