/*
 * Exceptions (exception.c): taking synchronous exceptions and interrupts to EL1 or EL2, the PSTATE
 * changes that come with them, and the checks that raise an exception from a handler.
 */
#ifndef QVP_ISS_EXCEPTION_H
#define QVP_ISS_EXCEPTION_H

#include "iss_state.h"

/* Why an encoding is not executed: all are UNDEFINED to the guest (EC 0); kept for traces. */
enum iss_undefined_reason {
	UNDEF_UNALLOCATED,     /* not an instruction, or one the interpreter does not know */
	UNDEF_NOT_IMPLEMENTED, /* a real instruction the interpreter does not implement (FP/SIMD, ...) */
	UNDEF_SYSREG,          /* MRS/MSR/SYS of a register or operation nobody serves */
};

/* Exception classes (ESR_ELx.EC) the interpreter raises. */
enum {
	EC_UNKNOWN = 0x00,
	EC_WFX = 0x01,
	EC_FP_ACCESS = 0x07, /* SIMD&FP trapped by CPACR_EL1.FPEN */
	EC_ILLEGAL_STATE = 0x0e,
	EC_SVC = 0x15,
	EC_HVC = 0x16,
	EC_SMC = 0x17,
	EC_SYSREG = 0x18,
	EC_IABORT_LOWER = 0x20,
	EC_IABORT_SAME = 0x21,
	EC_PC_ALIGNMENT = 0x22,
	EC_DABORT_LOWER = 0x24,
	EC_DABORT_SAME = 0x25,
	EC_SP_ALIGNMENT = 0x26,
	EC_SERROR = 0x2f,
	EC_BRK = 0x3c,
};

/* Fault status codes (DFSC/IFSC); the level is added to the level-indexed ones. */
enum {
	FSC_ADDRESS_SIZE = 0x00,
	FSC_TRANSLATION = 0x04,
	FSC_ACCESS_FLAG = 0x08,
	FSC_PERMISSION = 0x0c,
	FSC_EXTERNAL = 0x10,
	FSC_EXTERNAL_WALK = 0x14,
	FSC_ALIGNMENT = 0x21,
};

/* Taking exceptions. */
void iss_undefined(struct iss *cpu, uint32_t word, enum iss_undefined_reason reason);
/* Takes a synchronous exception to EL1 (EL2 from EL2, or from EL0 with HCR_EL2.TGE); `return_address` goes to ELR_ELx. */
void iss_exception(struct iss *cpu, unsigned ec, uint32_t iss, uint64_t return_address);
/* The same to a given EL: traps to EL2 (HCR_EL2's trap bits, HVC). */
void iss_exception_to(struct iss *cpu, unsigned target, unsigned ec, uint32_t iss, uint64_t return_address);
void iss_exception_far(struct iss *cpu, unsigned ec, uint32_t iss, uint64_t return_address, uint64_t far);
void iss_data_abort(struct iss *cpu, uint64_t va, enum iss_access_type type, unsigned fsc, bool s1ptw);
void iss_instruction_abort(struct iss *cpu, uint64_t va, unsigned fsc, bool s1ptw);
/* A stage 2 fault of an access of `type` (AT_EXEC: a fetch) at `va`, whose IPA is `ipa`: to EL2
 * with FAR_EL2, HPFAR_EL2 and, for a single-register load or store, the instruction syndrome. */
void iss_stage2_abort(struct iss *cpu, uint64_t va, enum iss_access_type type, unsigned fsc, bool s1ptw, uint64_t ipa);

/* PSTATE and the interrupt lines. */
void iss_update_attention(struct iss *cpu); /* after a change of DAIF, the lines or PSTATE.IL */
void iss_take_attention(struct iss *cpu);   /* at an instruction boundary, with attention set */
uint64_t iss_pstate(const struct iss *cpu); /* PSTATE in SPSR layout */
/* Whether a virtual IRQ/FIQ/SError is pending (HCR_EL2.VI/VF/VSE or the GIC's virtual lines), routed or not. */
bool iss_virq_pending(const struct iss *cpu);
bool iss_vfiq_pending(const struct iss *cpu);
bool iss_vserror_pending(const struct iss *cpu);
/* What wakes a WFI: a physical line or a pending virtual interrupt, masked or not (QEMU's has_work). */
bool iss_interrupt_pending(const struct iss *cpu);
/* Whether EL1 sees the virtual interrupt of `route` (IMO, FMO, AMO): at EL1 with HCR_EL2 routing it. */
bool iss_virtual_view(const struct iss *cpu, uint64_t route);
void iss_set_sp_select(struct iss *cpu, unsigned el, bool spsel); /* switches the banked SP */
void iss_set_el(struct iss *cpu, unsigned el);
void iss_sctlr_changed(struct iss *cpu);

/* Takes the SIMD&FP access trap when CPACR_EL1.FPEN or CPTR_EL2.TFP disables the instruction. */
bool iss_fp_trapped(struct iss *cpu);

/*
 * The gate of every SIMD&FP instruction: true when enabled at the current EL, else the instruction
 * traps (EC 0x07; ISS CV=1, COND=0xe as for any AArch64 trap): CPACR_EL1.FPEN at EL0/EL1 to EL1
 * first, then CPTR_EL2.TFP at EL0-EL2 to EL2.
 */
static inline bool iss_fp_enabled(struct iss *cpu)
{
	unsigned fpen = (unsigned)(cpu->cpacr_el1 >> 20) & 3;

	if (likely((fpen == 3 || (fpen == 1 && cpu->el == 1)) && !(cpu->cptr_el2 & CPTR_EL2_TFP)))
		return true;
	return !iss_fp_trapped(cpu);
}

/* SP alignment check of a load/store whose base is SP (SCTLR_EL1.SA/SA0). */
static inline bool iss_sp_aligned(struct iss *cpu, unsigned base)
{
	if (likely(base != REG_SP || !(cpu->x[REG_SP] & cpu->sp_align)))
		return true;
	iss_exception(cpu, EC_SP_ALIGNMENT, 0, cpu->pc);
	return false;
}

#endif
