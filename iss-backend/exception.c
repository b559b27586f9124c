/*
 * The exception model: EL0 and EL1 in AArch64. Synchronous exceptions with their syndrome,
 * IRQ and FIQ from the lines, PSTATE.IL, ERET, and the banked stack pointers.
 *
 * Every exception is taken to EL1 (there is no EL2 or EL3). Taking one uses up the
 * instruction slot of the instruction that caused it (or of the boundary where an interrupt
 * was taken), so a guest stuck in a fault loop still uses up its budget.
 */
#include <stdio.h>

#include "exception.h"
#include "exec_handlers.h"
#include "iss_state.h"
#include "pmu.h"

/* Vector offsets from VBAR_EL1. */
enum {
	VECTOR_SYNC = 0x000,
	VECTOR_IRQ = 0x080,
	VECTOR_FIQ = 0x100,
	VECTOR_CURRENT_SP0 = 0x000,
	VECTOR_CURRENT_SPX = 0x200,
	VECTOR_LOWER_A64 = 0x400,
};

#define ESR_IL (1u << 25) /* a 32-bit instruction caused it */
#define SPSR_IL (1ull << 20)
#define SPSR_SS (1ull << 21)

uint64_t iss_pstate(const struct iss *cpu)
{
	uint64_t m = cpu->el == 0 ? 0 : 4u | (cpu->spsel ? 1u : 0u);

	return (uint64_t)cpu->nzcv << 28 | (cpu->illegal ? SPSR_IL : 0) | (uint64_t)cpu->daif << 6 | m;
}

/* The SP in use is SP_EL0 at EL0 and at EL1t, SP_EL1 at EL1h. */
void iss_set_sp_select(struct iss *cpu, unsigned el, bool spsel)
{
	unsigned from = cpu->el == 1 && cpu->spsel ? 1 : 0;
	unsigned to = el == 1 && spsel ? 1 : 0;

	if (from != to) {
		cpu->sp_banked[from] = cpu->x[REG_SP];
		cpu->x[REG_SP] = cpu->sp_banked[to];
	}
	cpu->spsel = spsel;
}

/* SP alignment checking follows SCTLR_EL1.SA (EL1) and SA0 (EL0). */
void iss_sctlr_changed(struct iss *cpu)
{
	uint64_t bit = cpu->el ? SCTLR_SA : SCTLR_SA0;

	cpu->sp_align = cpu->sctlr_el1 & bit ? 15 : 0;
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

static void enter_el1(struct iss *cpu, unsigned vector, uint64_t return_address)
{
	unsigned offset;

	if (cpu->el == 0)
		offset = VECTOR_LOWER_A64;
	else
		offset = cpu->spsel ? VECTOR_CURRENT_SPX : VECTOR_CURRENT_SP0;
	cpu->spsr_el1 = iss_pstate(cpu);
	cpu->elr_el1 = return_address;
	iss_set_sp_select(cpu, 1, true);
	iss_set_el(cpu, 1);
	cpu->daif = DAIF_D | DAIF_A | DAIF_I | DAIF_F;
	cpu->illegal = false;
	cpu->exclusive_valid = false;
	cpu->pc = cpu->vbar_el1 + offset + vector;
	cpu->exceptions_since_eret++;
	iss_update_attention(cpu);
}

void iss_exception_far(struct iss *cpu, unsigned ec, uint32_t iss, uint64_t return_address, uint64_t far)
{
	cpu->far_el1 = far;
	iss_exception(cpu, ec, iss, return_address);
}

void iss_exception(struct iss *cpu, unsigned ec, uint32_t iss, uint64_t return_address)
{
	/* EC 0 (unknown) has IL set too: it is always a 32-bit instruction in AArch64. */
	cpu->esr_el1 = (uint64_t)ec << 26 | ESR_IL | (iss & 0x1ffffff);
	if (!cpu->loop_start_valid) {
		cpu->loop_start_valid = true;
		cpu->loop_start_esr = cpu->esr_el1;
		cpu->loop_start_elr = return_address;
		cpu->loop_start_far = cpu->far_el1;
	}
	enter_el1(cpu, VECTOR_SYNC, return_address);
}

void iss_undefined(struct iss *cpu, uint32_t word, enum iss_undefined_reason reason)
{
	(void)word;
	(void)reason;
	iss_exception(cpu, EC_UNKNOWN, 0, cpu->pc);
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
	iss_exception_far(cpu, cpu->el ? EC_DABORT_SAME : EC_DABORT_LOWER, iss, cpu->pc, va);
}

void iss_instruction_abort(struct iss *cpu, uint64_t va, unsigned fsc, bool s1ptw)
{
	uint32_t iss = (fsc & 0x3f) | (s1ptw ? 1u << 7 : 0);

	iss_exception_far(cpu, cpu->el ? EC_IABORT_SAME : EC_IABORT_LOWER, iss, cpu->pc, va);
}

/* ---- Interrupts and PSTATE.IL: checked only when something they depend on changes ---- */

static bool irq_due(const struct iss *cpu)
{
	return cpu->irq_line && !(cpu->daif & DAIF_I);
}

static bool fiq_due(const struct iss *cpu)
{
	return cpu->fiq_line && !(cpu->daif & DAIF_F);
}

/*
 * Sets `attention` when an interrupt can be taken or PSTATE.IL is set. During a run it also
 * ends the dispatch loop after the current instruction by parking the rest of the budget,
 * so the hot loop tests nothing but the budget.
 */
void iss_update_attention(struct iss *cpu)
{
	cpu->attention = irq_due(cpu) || fiq_due(cpu) || cpu->illegal;
	if (cpu->attention && cpu->running && cpu->left) {
		cpu->parked += cpu->left;
		cpu->left = 0;
	}
}

/* At an instruction boundary, with one slot of budget: FIQ, then IRQ, then the illegal state. */
void iss_take_attention(struct iss *cpu)
{
	if (fiq_due(cpu)) {
		enter_el1(cpu, VECTOR_FIQ, cpu->pc);
	} else if (irq_due(cpu)) {
		enter_el1(cpu, VECTOR_IRQ, cpu->pc);
	} else if (cpu->illegal) {
		iss_exception(cpu, EC_ILLEGAL_STATE, 0, cpu->pc);
	} else {
		cpu->attention = false;
		return;
	}
	cpu->left--;
}

/* ---- Instructions ---- */

/* SVC, HVC, SMC, BRK, HLT: imm holds the 16-bit immediate, type the opc:LL selector. */
ISS_HANDLER(iss_exec_svc)
{
	iss_exception(cpu, EC_SVC, (uint32_t)insn->imm, cpu->pc + 4);
}

static void hypervisor_call(struct iss *cpu, const struct iss_insn *insn, bool smc)
{
	if (cpu->el == 1 && cpu->call_hook && cpu->call_hook(cpu->call_hook_opaque, &cpu->cpu, smc, (uint16_t)insn->imm)) {
		cpu->pc += 4;
		return;
	}
	iss_exception(cpu, EC_UNKNOWN, 0, cpu->pc); /* no EL2, no EL3: UNDEFINED */
}

ISS_HANDLER(iss_exec_hvc)
{
	hypervisor_call(cpu, insn, false);
}

ISS_HANDLER(iss_exec_smc)
{
	hypervisor_call(cpu, insn, true);
}

ISS_HANDLER(iss_exec_brk)
{
	iss_exception(cpu, EC_BRK, (uint32_t)insn->imm, cpu->pc);
}

/* ERET: SPSR_EL1 and ELR_EL1 back into PSTATE and the PC. UNDEFINED at EL0. */
ISS_HANDLER(iss_exec_eret)
{
	uint64_t spsr = cpu->spsr_el1;
	unsigned m = (unsigned)spsr & 0x1f;
	bool legal = m == 0 || m == 4 || m == 5;

	if (cpu->el == 0) {
		iss_undefined(cpu, (uint32_t)insn->imm, UNDEF_UNALLOCATED);
		return;
	}
	cpu->nzcv = (unsigned)(spsr >> 28) & 0xf;
	cpu->daif = (unsigned)(spsr >> 6) & 0xf;
	if (legal) {
		unsigned el = m >> 2;
		iss_set_sp_select(cpu, el, el == 1 ? (m & 1) != 0 : cpu->spsel);
		iss_set_el(cpu, el);
		cpu->illegal = (spsr & SPSR_IL) != 0;
	} else {
		cpu->illegal = true; /* an illegal return: EL and SP stay, the next instruction faults */
	}
	cpu->pc = cpu->elr_el1;
	cpu->exclusive_valid = false;
	cpu->exceptions_since_eret = 0;
	cpu->loop_start_valid = false;
	iss_update_attention(cpu);
}
