/* System registers (sysreg.c): MRS, MSR and SYS by table, and a debugger's writes. */
#ifndef QVP_ISS_SYSREG_H
#define QVP_ISS_SYSREG_H

#include "iss_state.h"

/*
 * FPCR: AHP, DN, FZ, RMode (no trap enables, as on the A57; no FZ16);
 * FPSR: QC and the cumulative flags.
 */
#define FPCR_WRITABLE 0x07c00000u
#define FPSR_WRITABLE 0x0800009fu

void iss_sysreg_reset(struct iss *cpu);
uint32_t iss_sysreg_syndrome(uint32_t word); /* ISS of EC 0x18 for an MRS/MSR/SYS word */
/* A system register's encoding as MRS/MSR hold it in bits 20:5. */
#define SYSREG(op0, op1, crn, crm, op2) ((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))
uint8_t iss_sysreg_slot(unsigned encoding); /* for the decoder: insn->type of MRS/MSR */
/* A debugger's write, with MSR's effects but not its access checks; -1 if read-only or unknown. */
int iss_write_system_register(struct iss *cpu, unsigned encoding, uint64_t value);

#endif
