/* System instructions: hints, barriers, CLREX, cache and TLB maintenance, AT, the undefined path. */
#include <string.h>

#include "cluster.h"
#include "dispatch.h"
#include "exception.h"
#include "exec_handlers.h"
#include "iss_state.h"
#include "mmu.h"
#include "sysreg.h"

#define WFX_ISS_COND_AL (1u << 24 | 0xeu << 20) /* CV = 1, COND = AL */
#define DCZ_BLOCK       64u                     /* DCZID_EL0.BS = 4: 64 bytes */

ISS_HANDLER(iss_exec_nop)
{
	(void)insn;
	cpu->pc += 4;
}

/* WFI and WFE at EL0 trap to EL1 unless SCTLR_EL1.nTWI/nTWE allow them; then at EL0 and EL1 to EL2 with HCR_EL2.TWI/TWE. */
static bool wfx_allowed(struct iss *cpu, bool wfe)
{
	uint32_t iss = WFX_ISS_COND_AL | (wfe ? 1u : 0u);

	if (cpu->el == 0 && !(cpu->sctlr_el1 & (wfe ? SCTLR_NTWE : SCTLR_NTWI))) {
		iss_exception(cpu, EC_WFX, iss, cpu->pc);
		return false;
	}
	if (cpu->el < 2 && (cpu->hcr_el2 & (wfe ? HCR_TWE : HCR_TWI))) {
		iss_exception_to(cpu, 2, EC_WFX, iss, cpu->pc);
		return false;
	}
	return true;
}

/* WFI completes at once while an interrupt line is high, masked or not (the architecture's wake-up). */
ISS_HANDLER(iss_exec_wfi)
{
	(void)insn;
	if (!wfx_allowed(cpu, false))
		return;
	if (!iss_interrupt_pending(cpu))
		iss_stop(cpu, CPU_STOP_WFI); /* before the PC moves (the budget, iss_state.h) */
	cpu->pc += 4;
}

/* WFE consumes a pending event and goes on; without one it idles like WFI. */
ISS_HANDLER(iss_exec_wfe)
{
	(void)insn;
	if (!wfx_allowed(cpu, true))
		return;
	if (cpu->event_register) {
		cpu->event_register = false;
	} else if (!iss_interrupt_pending(cpu)) {
		cpu->waiting_for_event = true;
		iss_stop(cpu, CPU_STOP_WFI); /* before the PC moves (the budget, iss_state.h) */
	}
	cpu->pc += 4;
}

/* SEV: an event for every CPU of the machine. */
ISS_HANDLER(iss_exec_sev)
{
	(void)insn;
	iss_cluster_send_event(cpu);
	cpu->pc += 4;
}

/* SEVL: an event for this CPU only. */
ISS_HANDLER(iss_exec_sevl)
{
	(void)insn;
	cpu->event_register = true;
	cpu->pc += 4;
}

ISS_HANDLER(iss_exec_clrex)
{
	(void)insn;
	cpu->exclusive_valid = false;
	cpu->pc += 4;
}

ISS_HANDLER(iss_exec_undefined)
{
	iss_undefined(cpu, (uint32_t)insn->imm, (enum iss_undefined_reason)insn->type);
}

/* ---- SYS: cache maintenance, AT, TLBI ---- */

#define SYS_OP(op1, crn, crm, op2) ((op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))

enum sys_kind {
	SYS_NONE,
	SYS_NOP_EL1,   /* set/way and whole-cache maintenance: nothing to do, EL1 only */
	SYS_BY_VA,     /* DC CVAC, CVAU, CIVAC, IC IVAU: EL0 if SCTLR_EL1.UCI */
	SYS_BY_VA_EL1, /* DC IVAC */
	SYS_ZVA,
	SYS_AT,
	SYS_AT_EL2,  /* AT S1E2R/W: EL2 only */
	SYS_AT_S12,  /* AT S12E1R/W, S12E0R/W: both stages of EL1&0, EL2 only */
	SYS_TLBI,
	SYS_TLBI_EL2, /* TLBI ALLE2, VAE2, ALLE1, VMALLS12E1, IPAS2E1 ...: EL2 only */
	SYS_AT_EL3,   /* AT S1E3R/W: EL3 only */
	SYS_TLBI_EL3, /* TLBI ALLE3, VAE3, VALE3 (+IS): EL3 only */
};

static enum sys_kind sys_kind_el2_tlbi(unsigned op);

static enum sys_kind sys_kind(unsigned op)
{
	switch (op) {
	case SYS_OP(0, 7, 1, 0): /* IC IALLUIS */
	case SYS_OP(0, 7, 5, 0): /* IC IALLU */
	case SYS_OP(0, 7, 6, 2): /* DC ISW */
	case SYS_OP(0, 7, 10, 2): /* DC CSW */
	case SYS_OP(0, 7, 14, 2): /* DC CISW */
		return SYS_NOP_EL1;
	case SYS_OP(3, 7, 5, 1):  /* IC IVAU */
	case SYS_OP(3, 7, 10, 1): /* DC CVAC */
	case SYS_OP(3, 7, 11, 1): /* DC CVAU */
	case SYS_OP(3, 7, 14, 1): /* DC CIVAC */
		return SYS_BY_VA;
	case SYS_OP(0, 7, 6, 1): /* DC IVAC */
		return SYS_BY_VA_EL1;
	case SYS_OP(3, 7, 4, 1): /* DC ZVA */
		return SYS_ZVA;
	case SYS_OP(0, 7, 8, 0): /* AT S1E1R */
	case SYS_OP(0, 7, 8, 1): /* AT S1E1W */
	case SYS_OP(0, 7, 8, 2): /* AT S1E0R */
	case SYS_OP(0, 7, 8, 3): /* AT S1E0W */
		return SYS_AT;
	case SYS_OP(0, 8, 3, 0): /* TLBI VMALLE1IS */
	case SYS_OP(0, 8, 3, 1): /* TLBI VAE1IS */
	case SYS_OP(0, 8, 3, 2): /* TLBI ASIDE1IS */
	case SYS_OP(0, 8, 3, 3): /* TLBI VAAE1IS */
	case SYS_OP(0, 8, 3, 5): /* TLBI VALE1IS */
	case SYS_OP(0, 8, 3, 7): /* TLBI VAALE1IS */
	case SYS_OP(0, 8, 7, 0): /* TLBI VMALLE1 */
	case SYS_OP(0, 8, 7, 1): /* TLBI VAE1 */
	case SYS_OP(0, 8, 7, 2): /* TLBI ASIDE1 */
	case SYS_OP(0, 8, 7, 3): /* TLBI VAAE1 */
	case SYS_OP(0, 8, 7, 5): /* TLBI VALE1 */
	case SYS_OP(0, 8, 7, 7): /* TLBI VAALE1 */
		return SYS_TLBI;
	case SYS_OP(4, 7, 8, 0): /* AT S1E2R */
	case SYS_OP(4, 7, 8, 1): /* AT S1E2W */
		return SYS_AT_EL2;
	case SYS_OP(4, 7, 8, 4): /* AT S12E1R */
	case SYS_OP(4, 7, 8, 5): /* AT S12E1W */
	case SYS_OP(4, 7, 8, 6): /* AT S12E0R */
	case SYS_OP(4, 7, 8, 7): /* AT S12E0W */
		return SYS_AT_S12;
	default:
		return sys_kind_el2_tlbi(op);
	}
}

/* The TLBI operations of op1 4 (EL2 only; IPAS2 forms need no stage 2 to be accepted). */
static enum sys_kind sys_kind_el2_tlbi(unsigned op)
{
	switch (op) {
	case SYS_OP(4, 8, 0, 1): /* TLBI IPAS2E1IS */
	case SYS_OP(4, 8, 0, 5): /* TLBI IPAS2LE1IS */
	case SYS_OP(4, 8, 4, 1): /* TLBI IPAS2E1 */
	case SYS_OP(4, 8, 4, 5): /* TLBI IPAS2LE1 */
	case SYS_OP(4, 8, 3, 0): /* TLBI ALLE2IS */
	case SYS_OP(4, 8, 3, 1): /* TLBI VAE2IS */
	case SYS_OP(4, 8, 3, 4): /* TLBI ALLE1IS */
	case SYS_OP(4, 8, 3, 5): /* TLBI VALE2IS */
	case SYS_OP(4, 8, 3, 6): /* TLBI VMALLS12E1IS */
	case SYS_OP(4, 8, 7, 0): /* TLBI ALLE2 */
	case SYS_OP(4, 8, 7, 1): /* TLBI VAE2 */
	case SYS_OP(4, 8, 7, 4): /* TLBI ALLE1 */
	case SYS_OP(4, 8, 7, 5): /* TLBI VALE2 */
	case SYS_OP(4, 8, 7, 6): /* TLBI VMALLS12E1 */
		return SYS_TLBI_EL2;
	case SYS_OP(6, 7, 8, 0): /* AT S1E3R */
	case SYS_OP(6, 7, 8, 1): /* AT S1E3W */
		return SYS_AT_EL3;
	case SYS_OP(6, 8, 3, 0): /* TLBI ALLE3IS */
	case SYS_OP(6, 8, 3, 1): /* TLBI VAE3IS */
	case SYS_OP(6, 8, 3, 5): /* TLBI VALE3IS */
	case SYS_OP(6, 8, 7, 0): /* TLBI ALLE3 */
	case SYS_OP(6, 8, 7, 1): /* TLBI VAE3 */
	case SYS_OP(6, 8, 7, 5): /* TLBI VALE3 */
		return SYS_TLBI_EL3;
	default:
		return SYS_NONE;
	}
}

/*
 * DC ZVA through the TLB: when it maps the block's page writable (RAM without decoded code,
 * no other CPU's reservation, no watchpoint) and Normal, the zeroes are a plain store.
 */
static bool dc_zva_fast(struct iss *cpu, uint64_t block)
{
	const struct iss_tlb_entry *e = &cpu->tlb[(block >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];

	if ((block & ~(PAGE_SIZE - 1)) != e->write || e->device)
		return false;
	memset((void *)(uintptr_t)(block + e->addend), 0, DCZ_BLOCK);
	cpu->pc += 4;
	return true;
}

/* DC ZVA: zeroes the 64-byte block holding the address, as a write; Device memory faults. */
static void dc_zva(struct iss *cpu, uint64_t va)
{
	uint64_t block = va & ~(uint64_t)(DCZ_BLOCK - 1), pa;
	struct iss_translation t;
	uint8_t *host;

	if (dc_zva_fast(cpu, block))
		return;
	if (!iss_translate(cpu, block, AT_WRITE, cpu->el, &t)) {
		iss_translation_abort(cpu, va, AT_WRITE, &t);
		return;
	}
	if (t.device) {
		iss_data_abort(cpu, va, AT_WRITE, FSC_ALIGNMENT, false);
		return;
	}
	host = iss_data_pointer(cpu, block, DCZ_BLOCK, AT_WRITE, &pa);
	if (!host)
		return;
	memset(host, 0, DCZ_BLOCK);
	iss_cluster_stored(cpu, pa, DCZ_BLOCK, PAGE_HAS_CODE);
	cpu->pc += 4;
}

/* imm holds the word, rd Rt (31 as ZR). */
ISS_HANDLER(iss_exec_sys)
{
	uint32_t word = (uint32_t)insn->imm;
	unsigned op = (word >> 5) & 0x3fff, op2 = (word >> 5) & 7;
	enum sys_kind kind = sys_kind(op);
	uint64_t value = cpu->x[insn->rd];
	struct iss_translation t;

	if (kind == SYS_NONE || ((kind == SYS_AT_EL2 || kind == SYS_AT_S12 || kind == SYS_TLBI_EL2) && cpu->el < 2) ||
	    ((kind == SYS_AT_EL3 || kind == SYS_TLBI_EL3) && cpu->el < 3)) {
		iss_undefined(cpu, word, UNDEF_SYSREG);
		return;
	}
	if (cpu->el == 0) {
		bool allowed = (kind == SYS_BY_VA && (cpu->sctlr_el1 & SCTLR_UCI)) ||
		               (kind == SYS_ZVA && (cpu->sctlr_el1 & SCTLR_DZE));
		if (!allowed) {
			if (kind == SYS_BY_VA || kind == SYS_ZVA)
				iss_exception(cpu, EC_SYSREG, iss_sysreg_syndrome(word), cpu->pc);
			else
				iss_undefined(cpu, word, UNDEF_SYSREG);
			return;
		}
	}
	switch (kind) {
	case SYS_BY_VA:
	case SYS_BY_VA_EL1:
		/* No data to move (RAM is coherent, decoded code follows stores), but the address must translate. */
		if (!iss_translate(cpu, value, AT_CACHE, cpu->el, &t)) {
			iss_translation_abort(cpu, value, AT_CACHE, &t);
			return;
		}
		break;
	case SYS_ZVA:
		dc_zva(cpu, value);
		return;
	case SYS_AT:
		if (!iss_address_translate(cpu, value, op2 & 1, op2 >= 2 ? 0 : 1, false))
			return;
		break;
	case SYS_AT_EL2:
		iss_address_translate(cpu, value, op2 & 1, 2, false);
		break;
	case SYS_AT_S12:
		iss_address_translate(cpu, value, op2 & 1, op2 >= 6 ? 0 : 1, true);
		break;
	case SYS_AT_EL3:
		iss_address_translate(cpu, value, op2 & 1, 3, false);
		break;
	case SYS_TLBI:
	case SYS_TLBI_EL2:
	case SYS_TLBI_EL3:
		iss_cluster_tlbi(cpu, op, value);
		break;
	case SYS_NOP_EL1:
	case SYS_NONE:
		break;
	}
	cpu->pc += 4;
}
