/*
 * Handing the architectural state in and out (iss.h): the kvm backend borrows the interpreter
 * to emulate an instruction KVM cannot, or to translate an address as the guest would.
 */
#include <string.h>

#include "arch_state.h"
#include "error.h"
#include "exception.h"
#include "iss_state.h"
#include "mmu.h"

/* Every decoded page and translation may be stale: the guest ran elsewhere meanwhile. */
void iss_forget_decoded_code(struct iss *cpu)
{
	for (unsigned k = 0; k < PAGE_CACHE_SLOTS; k++)
		if (cpu->pages[k])
			cpu->pages[k]->base = ~0ull;
	cpu->code_base = 1; /* odd: no PC is in it, so the next fetch enters its page again */
	iss_tlb_flush(cpu);
}

int iss_set_arch_state(struct cpu *base, const struct iss_arch_state *state)
{
	struct iss *cpu = to_iss(base);
	unsigned m = (unsigned)state->pstate & 0x1f;

	if (m != 0 && m != 4 && m != 5)
		return error_set("iss: PSTATE 0x%llx: only AArch64 EL0t, EL1t and EL1h can be emulated",
		                 (unsigned long long)state->pstate);
	memcpy(cpu->x, state->x, sizeof(state->x));
	cpu->sctlr_el1 = state->sctlr_el1;
	cpu->tcr_el1 = state->tcr_el1;
	cpu->ttbr0_el1 = state->ttbr0_el1;
	cpu->ttbr1_el1 = state->ttbr1_el1;
	cpu->mair_el1 = state->mair_el1;
	cpu->vbar_el1 = state->vbar_el1;
	cpu->elr_el1 = state->elr_el1;
	cpu->spsr_el1 = state->spsr_el1;
	cpu->esr_el1 = state->esr_el1;
	cpu->far_el1 = state->far_el1;
	cpu->cpacr_el1 = state->cpacr_el1;
	for (unsigned k = 0; k < 32; k++)
		memcpy(cpu->v[k].d, state->v[k], sizeof(cpu->v[k].d));
	cpu->fpcr = state->fpcr;
	cpu->fpsr = state->fpsr;
	cpu->pc = state->pc;
	cpu->nzcv = (unsigned)(state->pstate >> 28) & 0xf;
	cpu->daif = (unsigned)(state->pstate >> 6) & 0xf;
	cpu->illegal = (state->pstate >> 20) & 1;
	/* The SP of the new mode is the current one, the other waits in its bank. */
	cpu->el = m >> 2;
	cpu->spsel = m == 5;
	cpu->tlb = cpu->tlbs[cpu->el];
	cpu->x[REG_SP] = m == 5 ? state->sp_el1 : state->sp_el0;
	cpu->sp_banked[0] = state->sp_el0;
	cpu->sp_banked[1] = state->sp_el1;
	iss_sctlr_changed(cpu);
	iss_forget_decoded_code(cpu);
	iss_update_attention(cpu);
	return 0;
}

void iss_set_context_state(struct cpu *base, const struct iss_context_state *state)
{
	struct iss *cpu = to_iss(base);

	cpu->tpidr_el0 = state->tpidr_el0;
	cpu->tpidrro_el0 = state->tpidrro_el0;
	cpu->tpidr_el1 = state->tpidr_el1;
	cpu->contextidr_el1 = state->contextidr_el1;
	cpu->amair_el1 = state->amair_el1;
	cpu->par_el1 = state->par_el1;
	cpu->mdscr_el1 = state->mdscr_el1;
	cpu->csselr_el1 = state->csselr_el1;
	cpu->afsr0_el1 = state->afsr0_el1;
	cpu->afsr1_el1 = state->afsr1_el1;
	cpu->mpidr_el1 = state->mpidr_el1;
	cpu->retired = state->retired;
	cpu->pmu_since = state->retired; /* the PMU (the other backend gave the guest none) counts from here */
	base->ops->set_line(base, CPU_LINE_IRQ, state->irq_line);
	base->ops->set_line(base, CPU_LINE_FIQ, state->fiq_line);
}

void iss_get_arch_state(const struct cpu *base, struct iss_arch_state *state)
{
	const struct iss *cpu = to_iss(base);
	bool on_sp_el1 = cpu->el == 1 && cpu->spsel;

	memcpy(state->x, cpu->x, sizeof(state->x));
	state->sp_el0 = on_sp_el1 ? cpu->sp_banked[0] : cpu->x[REG_SP];
	state->sp_el1 = on_sp_el1 ? cpu->x[REG_SP] : cpu->sp_banked[1];
	state->pc = cpu->pc;
	state->pstate = iss_pstate(cpu);
	state->sctlr_el1 = cpu->sctlr_el1;
	state->tcr_el1 = cpu->tcr_el1;
	state->ttbr0_el1 = cpu->ttbr0_el1;
	state->ttbr1_el1 = cpu->ttbr1_el1;
	state->mair_el1 = cpu->mair_el1;
	state->vbar_el1 = cpu->vbar_el1;
	state->elr_el1 = cpu->elr_el1;
	state->spsr_el1 = cpu->spsr_el1;
	state->esr_el1 = cpu->esr_el1;
	state->far_el1 = cpu->far_el1;
	state->cpacr_el1 = cpu->cpacr_el1;
	for (unsigned k = 0; k < 32; k++)
		memcpy(state->v[k], cpu->v[k].d, sizeof(state->v[k]));
	state->fpcr = cpu->fpcr;
	state->fpsr = cpu->fpsr;
}

int iss_translate_address(struct cpu *base, uint64_t va, uint64_t *pa)
{
	struct iss *cpu = to_iss(base);
	struct iss_translation t;

	if (!iss_translate(cpu, va, AT_READ, cpu->el, &t))
		return error_set("0x%llx is not mapped for reading at EL%u (fault status 0x%02x)", (unsigned long long)va,
		                 cpu->el, t.fsc);
	*pa = t.pa;
	return 0;
}

/* The debugger's view of the SIMD&FP registers (cpu_ops get_vector/set_vector). */
int iss_get_vector(struct cpu *base, unsigned index, uint64_t value[2])
{
	struct iss *cpu = to_iss(base);

	if (index >= 32)
		return error_set("iss: no register v%u", index);
	value[0] = cpu->v[index].d[0];
	value[1] = cpu->v[index].d[1];
	return 0;
}

int iss_set_vector(struct cpu *base, unsigned index, const uint64_t value[2])
{
	struct iss *cpu = to_iss(base);

	if (index >= 32)
		return error_set("iss: no register v%u", index);
	cpu->v[index].d[0] = value[0];
	cpu->v[index].d[1] = value[1];
	return 0;
}
