/* System instructions: hints, barriers, PSTATE and system register moves, the undefined path. */
#include "iss_internal.h"

#define MIDR_CORTEX_A57_R1P3     0x411fd073ull
#define MPIDR_UNIPROCESSOR_CORE0 0x80000000ull /* RES1 bit 31, affinity 0.0.0 */
#define SCTLR_M                  1ull          /* stage 1 MMU enable */

ISS_HANDLER(iss_exec_nop)
{
	(void)insn;
	cpu->pc += 4;
}

ISS_HANDLER(iss_exec_wfi)
{
	(void)insn;
	cpu->pc += 4;
	iss_stop(cpu, CPU_STOP_WFI);
}

/* WFE consumes a pending event and goes on; without one it idles like WFI. */
ISS_HANDLER(iss_exec_wfe)
{
	(void)insn;
	cpu->pc += 4;
	if (cpu->event_register)
		cpu->event_register = false;
	else
		iss_stop(cpu, CPU_STOP_WFI);
}

ISS_HANDLER(iss_exec_sev)
{
	(void)insn;
	cpu->event_register = true;
	cpu->pc += 4;
}

ISS_HANDLER(iss_exec_undefined)
{
	iss_undefined(cpu, (uint32_t)insn->imm, (enum iss_undefined_reason)insn->type);
}

/* MRS/MSR of SP_EL0 while it is the current SP is UNDEFINED. */
static bool sp_el0_accessible(struct iss *cpu, const struct iss_insn *insn)
{
	if (insn->type != SYSREG_SP_EL0 || cpu->spsel)
		return true;
	iss_undefined(cpu, (uint32_t)insn->imm, UNDEF_UNALLOCATED);
	return false;
}

static uint64_t read_sysreg(const struct iss *cpu, enum iss_sysreg reg)
{
	switch (reg) {
	case SYSREG_NZCV:
		return (uint64_t)cpu->nzcv << 28;
	case SYSREG_DAIF:
		return (uint64_t)cpu->daif << 6;
	case SYSREG_CURRENTEL:
		return 1 << 2; /* EL1 */
	case SYSREG_SPSEL:
		return cpu->spsel;
	case SYSREG_SP_EL0:
		return cpu->sp_other;
	case SYSREG_VBAR_EL1:
		return cpu->vbar_el1;
	case SYSREG_SCTLR_EL1:
		return cpu->sctlr_el1;
	case SYSREG_CPACR_EL1:
		return cpu->cpacr_el1;
	case SYSREG_TPIDR_EL0:
		return cpu->tpidr_el0;
	case SYSREG_TPIDR_EL1:
		return cpu->tpidr_el1;
	case SYSREG_MPIDR_EL1:
		return MPIDR_UNIPROCESSOR_CORE0;
	case SYSREG_MIDR_EL1:
		return MIDR_CORTEX_A57_R1P3;
	case SYSREG_CNTFRQ_EL0:
		return cpu->cntfrq_el0;
	}
	return 0;
}

/* Returns false after a fatal stop. Read-only registers never get here: the decoder refuses them. */
static bool write_sysreg(struct iss *cpu, enum iss_sysreg reg, uint64_t value)
{
	switch (reg) {
	case SYSREG_NZCV:
		cpu->nzcv = (unsigned)(value >> 28) & 0xf;
		break;
	case SYSREG_DAIF:
		cpu->daif = (unsigned)(value >> 6) & 0xf;
		break;
	case SYSREG_SPSEL:
		iss_select_stack(cpu, value & 1);
		break;
	case SYSREG_SP_EL0:
		cpu->sp_other = value;
		break;
	case SYSREG_VBAR_EL1:
		cpu->vbar_el1 = value & ~0x7ffull;
		break; /* bits 10:0 are RES0 */
	case SYSREG_SCTLR_EL1:
		if (value & SCTLR_M) {
			iss_fatal(cpu, "SCTLR_EL1.M=1 at pc 0x%016llx: the MMU is not implemented yet",
			          (unsigned long long)cpu->pc);
			return false;
		}
		cpu->sctlr_el1 = value;
		break;
	case SYSREG_CPACR_EL1:
		cpu->cpacr_el1 = value;
		break;
	case SYSREG_TPIDR_EL0:
		cpu->tpidr_el0 = value;
		break;
	case SYSREG_TPIDR_EL1:
		cpu->tpidr_el1 = value;
		break;
	case SYSREG_CNTFRQ_EL0:
		cpu->cntfrq_el0 = (uint32_t)value;
		break;
	case SYSREG_CURRENTEL:
	case SYSREG_MPIDR_EL1:
	case SYSREG_MIDR_EL1:
		break;
	}
	return true;
}

/* MRS and MSR (register): type is the enum iss_sysreg, imm the raw word for the undefined path. */
ISS_HANDLER(iss_exec_mrs)
{
	if (!sp_el0_accessible(cpu, insn))
		return;
	cpu->x[insn->rd] = read_sysreg(cpu, (enum iss_sysreg)insn->type);
	cpu->pc += 4;
}

ISS_HANDLER(iss_exec_msr)
{
	if (!sp_el0_accessible(cpu, insn))
		return;
	if (!write_sysreg(cpu, (enum iss_sysreg)insn->type, cpu->x[insn->rd]))
		return;
	cpu->pc += 4;
}

/* MSR (immediate): imm holds CRm. */
ISS_HANDLER(iss_exec_msr_daifset)
{
	cpu->daif |= (unsigned)insn->imm;
	cpu->pc += 4;
}

ISS_HANDLER(iss_exec_msr_daifclr)
{
	cpu->daif &= ~(unsigned)insn->imm;
	cpu->pc += 4;
}

ISS_HANDLER(iss_exec_msr_spsel)
{
	iss_select_stack(cpu, insn->imm & 1);
	cpu->pc += 4;
}
