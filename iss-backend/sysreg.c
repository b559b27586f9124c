/*
 * System registers: one table of what the interpreter owns (MRS/MSR), the ID registers of the
 * CPU it claims to be, and the hooks that serve the rest (the generic timer's CNT*).
 *
 * The CPU is a Cortex-A57-class ARMv8.0-A with EL0, EL1 and optionally EL2 (no VHE, no NV) in AArch64 only, FP and AdvSIMD, no
 * LSE atomics, a PMUv3 with only the cycle counter (pmu.c), 4/16/64 KiB granules, 48-bit physical addresses, 16-bit ASIDs.
 */
#include <stdlib.h>

#include "error.h"
#include "exception.h"
#include "exec_handlers.h"
#include "iss_state.h"
#include "mmu.h"
#include "pmu.h"
#include "sysreg.h"

/* ID register values: what is implemented, nothing more. */
#define MIDR_CORTEX_A57_R1P3     0x411fd073ull
/* EL0 and EL1 AArch64 only (1, 1), no EL3, FP and AdvSIMD implemented without FP16 (0, 0), no GIC sysregs. */
#define ID_AA64PFR0  0x0000000000000011ull
#define ID_AA64PFR0_EL2 0x0000000000000100ull /* EL2 AArch64 only: set exactly when EL2 is enabled */
#define ID_AA64PFR0_EL3 0x0000000000001000ull /* EL3 AArch64 only: set exactly when EL3 is enabled */
/* DebugVer v8 (6), no trace, PMUVer 1 (PMUv3, pmu.c), 2 breakpoints, 2 watchpoints, 1 context-aware. */
#define ID_AA64DFR0  0x0000000000101106ull
/* CRC32 (1, bits 19:16: the Cortex-A57 has it, and Debian's U-Boot uses it unasked); no
 * AES/SHA/atomics/RDM. */
#define ID_AA64ISAR0 0x0000000000010000ull
/* PARange 48 bits (5), 16-bit ASIDs (2), TGran16 supported (1), TGran64 and TGran4 supported (0). */
#define ID_AA64MMFR0 0x0000000000100025ull
/* 8-bit VMIDs (VMIDBits 0), no VHE, no hardware access flag or dirty state, no PAN, no LOR. */
#define ID_AA64MMFR1 0x0000000000000000ull
#define CTR_EL0      0x0000000084448004ull /* IminLine/DminLine 64 B, ERG/CWG 64 B, L1Ip PIPT */
#define DCZID_EL0    4ull                  /* DC ZVA zeroes 2^4 words: 64 bytes */
#define CLIDR_EL1    0x000000000a200023ull /* L1 I+D, L2 unified, LoUU 1, LoC 2 */

#define OSLSR_OSLM 0x8ull /* OS lock implemented (OSLM = 0b10), unlocked */
#define ISR_I      (1ull << 7)
#define ISR_F      (1ull << 6)
#define ISR_A      (1ull << 8)
#define DCZID_DZP  (1ull << 4) /* DC ZVA prohibited at the reader's EL */

/* SCTLR_EL2 (no VHE): M, A, C, SA, I, WXN writable; the RES1 bits of v8.0; EE stays 0. */
#define SCTLR_EL2_WRITABLE 0x000000000008100full
#define SCTLR_EL2_RES1     0x0000000030c50830ull
/* TCR_EL2 (no VHE): T0SZ, IRGN0, ORGN0, SH0, TG0, PS, TBI; bits 31 and 23 RES1. */
#define TCR_EL2_WRITABLE 0x00000000001fffbfull
#define TCR_EL2_RES1     0x0000000080800000ull
/* HCR_EL2 of v8.0 without E2H; RW is RAO/WI as EL1 has no AArch32. */
#define HCR_EL2_WRITABLE 0x00000003ffffffffull
/* CPTR_EL2 (no VHE): TFP, TTA, TCPAC writable; bits 13:12 and 9:0 RES1. */
#define CPTR_EL2_WRITABLE 0x0000000080100400ull
#define CPTR_EL2_RES1     0x00000000000033ffull
/* SCR_EL3: NS, IRQ, FIQ, EA, SMD, HCE, SIF, RW, ST, TWI, TWE; bits 5:4 RES1. */
#define SCR_EL3_WRITABLE 0x0000000000003f8full
#define SCR_EL3_RES1     0x0000000000000030ull
/* VTTBR_EL2: VMID (55:48, 8 bits) and BADDR (47:1); CnP and bits 63:56 RES0 in v8.0. */
#define VTTBR_WRITABLE 0x00fffffffffffffeull
/* VTCR_EL2: T0SZ, SL0, IRGN0, ORGN0, SH0, TG0, PS; VS (16-bit VMIDs) RES0; bit 31 RES1. */
#define VTCR_WRITABLE 0x000000000007ffffull
#define VTCR_RES1     0x0000000080000000ull
/* HCR_EL2 bits whose change alters translations not tagged in the TLB: flushed. */
#define HCR_TRANSLATION (HCR_TGE | HCR_DC | HCR_PTW)
/* VMPIDR_EL2: Aff3 (39:32), U (30), MT (24), Aff2..Aff0 writable; bit 31 RES1. */
#define VMPIDR_WRITABLE 0x000000ff41ffffffull
#define VMPIDR_RES1     0x0000000080000000ull

/* What an entry does on MRS and MSR. */
enum sysreg_kind {
	KIND_FIELD,    /* a uint64_t in struct iss: MRS reads it, MSR writes the bits of `mask` */
	KIND_CONSTANT, /* read-only value */
	KIND_SPECIAL,  /* handled in read_special()/write_special() by `id` */
	KIND_PMU,      /* handled by pmu.c; the id is an enum iss_pmu_register */
};

enum special_id {
	SP_NZCV,
	SP_DAIF,
	SP_CURRENTEL,
	SP_SPSEL,
	SP_SP_EL0,
	SP_SCTLR,
	SP_TRANSLATION, /* TTBR0/1, TCR: the TLB follows the ASID; a TCR change flushes it */
	SP_CCSIDR,
	SP_OSLAR,
	SP_DBGCLAIMSET,
	SP_DBGCLAIMCLR,
	SP_TPIDRRO,
	SP_FPCR,
	SP_FPSR,
	SP_ISR,
	SP_DCZID,
	SP_MIDR,    /* VPIDR_EL2 at EL1 when EL2 is enabled */
	SP_MPIDR,   /* VMPIDR_EL2 at EL1 when EL2 is enabled */
	SP_PFR0,    /* ID_AA64PFR0_EL1: EL2 as enabled */
	SP_SP_EL1,  /* EL2 only */
	SP_HCR,     /* routing and stage 1 of EL1&0 change: the TLB and interrupts follow */
	SP_SCTLR_EL2,
	SP_EL2_TRANSLATION, /* TCR_EL2, TTBR0_EL2: the TLB is flushed */
	SP_CPTR_EL2,
	SP_VMPIDR,
	SP_STAGE2, /* VTTBR_EL2, VTCR_EL2: the TLB follows the VMID and table; a VTCR change flushes it */
	SP_SCR_EL3,   /* routing: interrupts follow */
	SP_SCTLR_EL3,
	SP_EL3_TRANSLATION, /* TCR_EL3, TTBR0_EL3: the TLB is flushed */
	SP_SP_EL2,    /* EL3 only */
};

/* Who may access: EL0 reads/writes are UNDEFINED unless the entry says otherwise. */
enum {
	EL0_NONE = 0,
	EL0_READ = 1,
	EL0_WRITE = 2,
	EL0_RW = 3,
	EL0_IF_UMA = 4, /* DAIF: SCTLR_EL1.UMA, trapped otherwise */
	EL0_IF_UCT = 8, /* CTR_EL0: SCTLR_EL1.UCT, trapped otherwise */
	EL0_IF_PMU = 16, /* PMU registers: PMUSERENR_EL0 decides (pmu.c) */
};

struct sysreg {
	uint16_t encoding;
	uint8_t kind;
	uint8_t el0;
	bool read_only;
	uint16_t offset; /* KIND_FIELD: offsetof(struct iss, ...); KIND_SPECIAL: the id */
	uint64_t value;  /* KIND_FIELD: write mask; KIND_CONSTANT: the value */
};

#define FIELD(enc, name, mask)         {enc, KIND_FIELD, EL0_NONE, false, offsetof(struct iss, name), mask}
#define FIELD_EL0(enc, name, mask, el0) {enc, KIND_FIELD, el0, false, offsetof(struct iss, name), mask}
#define CONSTANT(enc, v)               {enc, KIND_CONSTANT, EL0_NONE, true, 0, v}
#define CONSTANT_EL0(enc, v, el0)      {enc, KIND_CONSTANT, el0, true, 0, v}
#define SPECIAL(enc, id, el0, ro)      {enc, KIND_SPECIAL, el0, ro, id, 0}
#define READ_ONLY_FIELD(enc, name)     {enc, KIND_FIELD, EL0_NONE, true, offsetof(struct iss, name), 0}
#define RAZ_WI(enc)                    {enc, KIND_CONSTANT, EL0_NONE, false, 0, 0}
#define PMU(enc, id, ro)               {enc, KIND_PMU, EL0_IF_PMU, ro, id, 0}

static const struct sysreg sysregs[] = {
    /* PSTATE */
    SPECIAL(SYSREG(3, 3, 4, 2, 0), SP_NZCV, EL0_RW, false),
    SPECIAL(SYSREG(3, 3, 4, 2, 1), SP_DAIF, EL0_IF_UMA, false),
    SPECIAL(SYSREG(3, 0, 4, 2, 2), SP_CURRENTEL, EL0_NONE, true),
    SPECIAL(SYSREG(3, 0, 4, 2, 0), SP_SPSEL, EL0_NONE, false),
    SPECIAL(SYSREG(3, 0, 4, 1, 0), SP_SP_EL0, EL0_NONE, false),
    /* Floating point: EL0 may access, both trapped by CPACR_EL1.FPEN like the instructions */
    SPECIAL(SYSREG(3, 3, 4, 4, 0), SP_FPCR, EL0_RW, false),
    SPECIAL(SYSREG(3, 3, 4, 4, 1), SP_FPSR, EL0_RW, false),
    /* Exception handling */
    FIELD(SYSREG(3, 0, 4, 0, 0), spsr_el1, 0xf03003dfull), /* NZCV, SS, IL, DAIF, M[4:0] */
    FIELD(SYSREG(3, 0, 4, 0, 1), elr_el1, ~0ull),
    FIELD(SYSREG(3, 0, 5, 2, 0), esr_el1, 0xffffffffull),
    FIELD(SYSREG(3, 0, 6, 0, 0), far_el1, ~0ull),
    FIELD(SYSREG(3, 0, 5, 1, 0), afsr0_el1, 0),
    FIELD(SYSREG(3, 0, 5, 1, 1), afsr1_el1, 0),
    FIELD(SYSREG(3, 0, 12, 0, 0), vbar_el1, ~0x7ffull),
    SPECIAL(SYSREG(3, 0, 12, 1, 0), SP_ISR, EL0_NONE, true), /* ISR_EL1: the pending IRQ/FIQ lines */
    /* Memory system */
    SPECIAL(SYSREG(3, 0, 1, 0, 0), SP_SCTLR, EL0_NONE, false),
    RAZ_WI(SYSREG(3, 0, 1, 0, 1)), /* ACTLR_EL1 */
    /* The Cortex-A57's IMPLEMENTATION DEFINED controls, which TF-A's reset code and errata
     * workarounds read and write (QEMU's A57 has them too): RAZ/WI at EL1 and above. */
    RAZ_WI(SYSREG(3, 1, 15, 2, 0)), /* CPUACTLR_EL1 */
    RAZ_WI(SYSREG(3, 1, 15, 2, 1)), /* CPUECTLR_EL1 */
    RAZ_WI(SYSREG(3, 1, 15, 2, 2)), /* CPUMERRSR_EL1 */
    RAZ_WI(SYSREG(3, 1, 15, 2, 3)), /* L2MERRSR_EL1 */
    RAZ_WI(SYSREG(3, 1, 11, 0, 2)), /* L2CTLR_EL1 */
    RAZ_WI(SYSREG(3, 1, 11, 0, 3)), /* L2ECTLR_EL1 */
    RAZ_WI(SYSREG(3, 1, 15, 0, 0)), /* L2ACTLR_EL1 */
    FIELD(SYSREG(3, 0, 1, 0, 2), cpacr_el1, 3ull << 20), /* FPEN; no trace (TTA) */
    SPECIAL(SYSREG(3, 0, 2, 0, 0), SP_TRANSLATION, EL0_NONE, false), /* TTBR0_EL1 */
    SPECIAL(SYSREG(3, 0, 2, 0, 1), SP_TRANSLATION, EL0_NONE, false), /* TTBR1_EL1 */
    SPECIAL(SYSREG(3, 0, 2, 0, 2), SP_TRANSLATION, EL0_NONE, false), /* TCR_EL1 */
    FIELD(SYSREG(3, 0, 10, 2, 0), mair_el1, ~0ull),
    FIELD(SYSREG(3, 0, 10, 3, 0), amair_el1, 0),
    FIELD(SYSREG(3, 0, 7, 4, 0), par_el1, 0x0000fffffffffffeull | 0xff00000000000000ull | 0x3ffull),
    FIELD(SYSREG(3, 0, 13, 0, 1), contextidr_el1, 0xffffffffull),
    /* Thread IDs */
    FIELD_EL0(SYSREG(3, 3, 13, 0, 2), tpidr_el0, ~0ull, EL0_RW),
    SPECIAL(SYSREG(3, 3, 13, 0, 3), SP_TPIDRRO, EL0_READ, false),
    FIELD(SYSREG(3, 0, 13, 0, 4), tpidr_el1, ~0ull),
    /* Identification */
    SPECIAL(SYSREG(3, 0, 0, 0, 0), SP_MIDR, EL0_NONE, true),
    SPECIAL(SYSREG(3, 0, 0, 0, 5), SP_MPIDR, EL0_NONE, true),
    CONSTANT(SYSREG(3, 0, 0, 0, 6), 0), /* REVIDR_EL1 */
    SPECIAL(SYSREG(3, 0, 0, 4, 0), SP_PFR0, EL0_NONE, true),
    CONSTANT(SYSREG(3, 0, 0, 5, 0), ID_AA64DFR0),
    CONSTANT(SYSREG(3, 0, 0, 6, 0), ID_AA64ISAR0),
    CONSTANT(SYSREG(3, 0, 0, 7, 0), ID_AA64MMFR0),
    CONSTANT(SYSREG(3, 0, 0, 7, 1), ID_AA64MMFR1),
    CONSTANT(SYSREG(3, 1, 0, 0, 1), CLIDR_EL1),
    CONSTANT(SYSREG(3, 1, 0, 0, 7), 0), /* AIDR_EL1 */
    SPECIAL(SYSREG(3, 1, 0, 0, 0), SP_CCSIDR, EL0_NONE, true),
    FIELD(SYSREG(3, 2, 0, 0, 0), csselr_el1, 0xf),
    CONSTANT_EL0(SYSREG(3, 3, 0, 0, 1), CTR_EL0, EL0_IF_UCT),
    SPECIAL(SYSREG(3, 3, 0, 0, 7), SP_DCZID, EL0_READ, true),
    /* Debug, minimal: the registers Linux resets, as plain storage */
    FIELD(SYSREG(2, 0, 0, 2, 2), mdscr_el1, 0x0000000000208000ull | 0x1ull | 0x2000ull), /* KDE, MDE, SS, TDCC */
    FIELD(SYSREG(2, 0, 0, 2, 0), mdccint_el1, 0x60000000ull),
    SPECIAL(SYSREG(2, 0, 1, 0, 4), SP_OSLAR, EL0_NONE, false),
    FIELD(SYSREG(2, 0, 1, 1, 4), oslsr_el1, 0), /* read-only in effect: writes are ignored */
    FIELD(SYSREG(2, 0, 1, 3, 4), osdlr_el1, 1),
    SPECIAL(SYSREG(2, 0, 7, 8, 6), SP_DBGCLAIMSET, EL0_NONE, false),
    SPECIAL(SYSREG(2, 0, 7, 9, 6), SP_DBGCLAIMCLR, EL0_NONE, false),
    RAZ_WI(SYSREG(2, 0, 1, 4, 4)), /* DBGPRCR_EL1 */
    FIELD(SYSREG(2, 0, 0, 0, 4), dbgbvr[0], ~0ull),
    FIELD(SYSREG(2, 0, 0, 0, 5), dbgbcr[0], 0x00f001e7ull),
    FIELD(SYSREG(2, 0, 0, 0, 6), dbgwvr[0], ~0ull),
    FIELD(SYSREG(2, 0, 0, 0, 7), dbgwcr[0], 0x1f001fffull),
    FIELD(SYSREG(2, 0, 0, 1, 4), dbgbvr[1], ~0ull),
    FIELD(SYSREG(2, 0, 0, 1, 5), dbgbcr[1], 0x00f001e7ull),
    FIELD(SYSREG(2, 0, 0, 1, 6), dbgwvr[1], ~0ull),
    FIELD(SYSREG(2, 0, 0, 1, 7), dbgwcr[1], 0x1f001fffull),
    /* Performance monitors: the cycle counter only (PMCR_EL0.N = 0), so no PMEVCNTRn/PMEVTYPERn */
    PMU(SYSREG(3, 3, 9, 12, 0), PMU_PMCR, false),
    PMU(SYSREG(3, 3, 9, 12, 1), PMU_PMCNTENSET, false),
    PMU(SYSREG(3, 3, 9, 12, 2), PMU_PMCNTENCLR, false),
    PMU(SYSREG(3, 3, 9, 12, 3), PMU_PMOVSCLR, false),
    PMU(SYSREG(3, 3, 9, 12, 4), PMU_PMSWINC, false),
    PMU(SYSREG(3, 3, 9, 12, 5), PMU_PMSELR, false),
    PMU(SYSREG(3, 3, 9, 12, 6), PMU_PMCEID0, true),
    PMU(SYSREG(3, 3, 9, 12, 7), PMU_PMCEID1, true),
    PMU(SYSREG(3, 3, 9, 13, 0), PMU_PMCCNTR, false),
    PMU(SYSREG(3, 3, 9, 13, 1), PMU_PMXEVTYPER, false),
    PMU(SYSREG(3, 3, 9, 13, 2), PMU_PMXEVCNTR, false),
    PMU(SYSREG(3, 3, 9, 14, 0), PMU_PMUSERENR, false),
    PMU(SYSREG(3, 0, 9, 14, 1), PMU_PMINTENSET, false),
    PMU(SYSREG(3, 0, 9, 14, 2), PMU_PMINTENCLR, false),
    PMU(SYSREG(3, 3, 9, 14, 3), PMU_PMOVSSET, false),
    PMU(SYSREG(3, 3, 14, 15, 7), PMU_PMCCFILTR, false),
    /* EL2 (op1 4: UNDEFINED below EL2, and so everywhere without EL2) */
    SPECIAL(SYSREG(3, 4, 1, 1, 0), SP_HCR, EL0_NONE, false),
    SPECIAL(SYSREG(3, 4, 1, 0, 0), SP_SCTLR_EL2, EL0_NONE, false),
    RAZ_WI(SYSREG(3, 4, 1, 0, 1)), /* ACTLR_EL2 */
    SPECIAL(SYSREG(3, 4, 1, 1, 2), SP_CPTR_EL2, EL0_NONE, false),
    FIELD(SYSREG(3, 4, 1, 1, 1), mdcr_el2, 0x000000000000ffffull), /* HPMN, TPMCR ... TDRA: storage */
    FIELD(SYSREG(3, 4, 1, 1, 3), hstr_el2, 0xbfffull),
    RAZ_WI(SYSREG(3, 4, 1, 1, 7)), /* HACR_EL2 */
    SPECIAL(SYSREG(3, 4, 2, 0, 0), SP_EL2_TRANSLATION, EL0_NONE, false), /* TTBR0_EL2 */
    SPECIAL(SYSREG(3, 4, 2, 0, 2), SP_EL2_TRANSLATION, EL0_NONE, false), /* TCR_EL2 */
    SPECIAL(SYSREG(3, 4, 2, 1, 0), SP_STAGE2, EL0_NONE, false), /* VTTBR_EL2 */
    SPECIAL(SYSREG(3, 4, 2, 1, 2), SP_STAGE2, EL0_NONE, false), /* VTCR_EL2 */
    FIELD(SYSREG(3, 4, 4, 0, 0), spsr_el2, 0xf03003dfull),
    FIELD(SYSREG(3, 4, 4, 0, 1), elr_el2, ~0ull),
    SPECIAL(SYSREG(3, 4, 4, 1, 0), SP_SP_EL1, EL0_NONE, false),
    FIELD(SYSREG(3, 4, 5, 1, 0), afsr0_el2, 0),
    FIELD(SYSREG(3, 4, 5, 1, 1), afsr1_el2, 0),
    FIELD(SYSREG(3, 4, 5, 2, 0), esr_el2, 0xffffffffull),
    FIELD(SYSREG(3, 4, 6, 0, 0), far_el2, ~0ull),
    FIELD(SYSREG(3, 4, 6, 0, 4), hpfar_el2, 0x00000ffffffffff0ull),
    FIELD(SYSREG(3, 4, 10, 2, 0), mair_el2, ~0ull),
    FIELD(SYSREG(3, 4, 10, 3, 0), amair_el2, 0),
    FIELD(SYSREG(3, 4, 12, 0, 0), vbar_el2, ~0x7ffull),
    FIELD(SYSREG(3, 4, 13, 0, 2), tpidr_el2, ~0ull),
    FIELD(SYSREG(3, 4, 0, 0, 0), vpidr_el2, 0xffffffffull),
    SPECIAL(SYSREG(3, 4, 0, 0, 5), SP_VMPIDR, EL0_NONE, false), /* Aff3..0, U, MT; bit 31 RES1 */
    FIELD(SYSREG(3, 4, 14, 1, 0), cnthctl_el2, 3ull), /* EL1PCTEN, EL1PCEN: EL1's physical counter and timer (counter_allowed) */
    /* CNTVOFF_EL2 is the generic timer's (a sysreg hook): it offsets the virtual counter */
    /* EL3 (op1 6: UNDEFINED below EL3, and so everywhere without EL3) */
    SPECIAL(SYSREG(3, 6, 1, 1, 0), SP_SCR_EL3, EL0_NONE, false),
    SPECIAL(SYSREG(3, 6, 1, 0, 0), SP_SCTLR_EL3, EL0_NONE, false),
    RAZ_WI(SYSREG(3, 6, 1, 0, 1)), /* ACTLR_EL3 */
    FIELD(SYSREG(3, 6, 1, 1, 2), cptr_el3, 0x0000000080100400ull), /* TFP, TTA, TCPAC: storage */
    FIELD(SYSREG(3, 6, 1, 3, 1), mdcr_el3, 0x000000000033f6c0ull), /* TPM ... EPMAD: storage */
    SPECIAL(SYSREG(3, 6, 2, 0, 0), SP_EL3_TRANSLATION, EL0_NONE, false), /* TTBR0_EL3 */
    SPECIAL(SYSREG(3, 6, 2, 0, 2), SP_EL3_TRANSLATION, EL0_NONE, false), /* TCR_EL3 */
    FIELD(SYSREG(3, 6, 4, 0, 0), spsr_el3, 0xf03003dfull),
    FIELD(SYSREG(3, 6, 4, 0, 1), elr_el3, ~0ull),
    SPECIAL(SYSREG(3, 6, 4, 1, 0), SP_SP_EL2, EL0_NONE, false),
    RAZ_WI(SYSREG(3, 6, 5, 1, 0)), /* AFSR0_EL3 */
    RAZ_WI(SYSREG(3, 6, 5, 1, 1)), /* AFSR1_EL3 */
    FIELD(SYSREG(3, 6, 5, 2, 0), esr_el3, 0xffffffffull),
    FIELD(SYSREG(3, 6, 6, 0, 0), far_el3, ~0ull),
    FIELD(SYSREG(3, 6, 10, 2, 0), mair_el3, ~0ull),
    RAZ_WI(SYSREG(3, 6, 10, 3, 0)), /* AMAIR_EL3 */
    FIELD(SYSREG(3, 6, 12, 0, 0), vbar_el3, ~0x7ffull),
    FIELD(SYSREG(3, 6, 13, 0, 2), tpidr_el3, ~0ull),
};

/* The rest of the ID space (op0 3, op1 0, CRn 0, CRm 1..7) reads as zero: v8.0 reserves it RAZ. */
static bool is_id_space(unsigned encoding)
{
	return (encoding >> 7) == (SYSREG(3, 0, 0, 0, 0) >> 7) && ((encoding >> 3) & 15) >= 1 &&
	       ((encoding >> 3) & 15) <= 7;
}

static const struct sysreg id_raz = CONSTANT(0, 0);

#define SYSREG_COUNT (sizeof sysregs / sizeof sysregs[0])
_Static_assert(SYSREG_COUNT + 1 < 256, "slots are bytes");

/* The decoder resolves the register once: 0 for none of ours, else its slot (index + 1). */
uint8_t iss_sysreg_slot(unsigned encoding)
{
	for (size_t k = 0; k < SYSREG_COUNT; k++)
		if (sysregs[k].encoding == encoding)
			return (uint8_t)(k + 1);
	return is_id_space(encoding) ? (uint8_t)(SYSREG_COUNT + 1) : 0;
}

static const struct sysreg *slot_sysreg(uint8_t slot)
{
	if (!slot)
		return NULL;
	return slot <= SYSREG_COUNT ? &sysregs[slot - 1] : &id_raz;
}

static uint64_t *field(struct iss *cpu, const struct sysreg *r)
{
	return (uint64_t *)(void *)((char *)cpu + r->offset);
}

/* The identification registers EL2 virtualizes, and EL2's own special registers. */
static uint64_t read_special_el2(struct iss *cpu, const struct sysreg *r, unsigned encoding)
{
	bool virtual_id = cpu->el2 && cpu->el == 1;

	switch ((enum special_id)r->offset) {
	case SP_MIDR:
		return virtual_id ? cpu->vpidr_el2 : MIDR_CORTEX_A57_R1P3;
	case SP_MPIDR:
		return virtual_id ? cpu->vmpidr_el2 : cpu->mpidr_el1;
	case SP_PFR0:
		return ID_AA64PFR0 | (cpu->el2 ? ID_AA64PFR0_EL2 : 0) | (cpu->el3 ? ID_AA64PFR0_EL3 : 0);
	case SP_SP_EL1:
		return cpu->sp_banked[1]; /* at EL2 SP_EL1 is never the current SP */
	case SP_HCR:
		return cpu->hcr_el2;
	case SP_SCTLR_EL2:
		return cpu->sctlr_el2;
	case SP_EL2_TRANSLATION:
		return encoding == SYSREG(3, 4, 2, 0, 0) ? cpu->ttbr0_el2 : cpu->tcr_el2;
	case SP_CPTR_EL2:
		return cpu->cptr_el2;
	case SP_VMPIDR:
		return cpu->vmpidr_el2;
	case SP_STAGE2:
		return encoding == SYSREG(3, 4, 2, 1, 0) ? cpu->vttbr_el2 : cpu->vtcr_el2;
	case SP_SCR_EL3:
		return cpu->scr_el3;
	case SP_SCTLR_EL3:
		return cpu->sctlr_el3;
	case SP_EL3_TRANSLATION:
		return encoding == SYSREG(3, 6, 2, 0, 0) ? cpu->ttbr0_el3 : cpu->tcr_el3;
	case SP_SP_EL2:
		return cpu->sp_banked[2]; /* at EL3 SP_EL2 is never the current SP */
	default:
		return 0;
	}
}

/* EL3's special registers; SCTLR_EL3 and TCR_EL3 have the RES1 bits of their EL2 forms. */
static void write_special_el3(struct iss *cpu, const struct sysreg *r, unsigned encoding, uint64_t value)
{
	switch ((enum special_id)r->offset) {
	case SP_SCR_EL3:
		if ((cpu->scr_el3 ^ value) & SCR_NS)
			iss_tlb_flush(cpu); /* the lower levels change world: no translation of the other one stays */
		cpu->scr_el3 = (value & SCR_EL3_WRITABLE & (cpu->el2 ? ~0ull : ~SCR_HCE)) | SCR_EL3_RES1; /* HCE: RES0 without EL2 */
		iss_tlb_stage2_changed(cpu); /* NS: stage 2 applies in Non-secure state only */
		iss_update_attention(cpu); /* IRQ/FIQ route the interrupts */
		break;
	case SP_SCTLR_EL3:
		cpu->sctlr_el3 = (value & SCTLR_EL2_WRITABLE) | SCTLR_EL2_RES1;
		iss_sctlr_changed(cpu);
		iss_tlb_flush(cpu);
		break;
	case SP_EL3_TRANSLATION:
		if (encoding == SYSREG(3, 6, 2, 0, 0))
			cpu->ttbr0_el3 = value;
		else
			cpu->tcr_el3 = (value & TCR_EL2_WRITABLE) | TCR_EL2_RES1;
		iss_tlb_flush(cpu); /* no ASIDs in the EL3 regime either */
		break;
	case SP_SP_EL2:
		cpu->sp_banked[2] = value;
		break;
	default:
		break;
	}
}

static void write_special_el2(struct iss *cpu, const struct sysreg *r, unsigned encoding, uint64_t value)
{
	switch ((enum special_id)r->offset) {
	case SP_SP_EL1:
		cpu->sp_banked[1] = value;
		break;
	case SP_HCR: {
		uint64_t old = cpu->hcr_el2;
		cpu->hcr_el2 = (value & HCR_EL2_WRITABLE) | HCR_RW;
		if ((old ^ cpu->hcr_el2) & HCR_TRANSLATION)
			iss_tlb_flush(cpu); /* TGE and DC turn stage 1 of EL1&0 off */
		else
			iss_tlb_stage2_changed(cpu); /* VM on or off: another set */
		iss_update_attention(cpu); /* IMO/FMO/TGE route the interrupts */
		break;
	}
	case SP_STAGE2:
		if (encoding == SYSREG(3, 4, 2, 1, 0)) {
			cpu->vttbr_el2 = value & VTTBR_WRITABLE;
			iss_tlb_stage2_changed(cpu); /* sets are tagged by VTTBR_EL2: no flush */
		} else {
			cpu->vtcr_el2 = (value & VTCR_WRITABLE) | VTCR_RES1;
			iss_tlb_flush(cpu); /* another stage 2 layout */
		}
		break;
	case SP_SCTLR_EL2:
		cpu->sctlr_el2 = (value & SCTLR_EL2_WRITABLE) | SCTLR_EL2_RES1;
		iss_sctlr_changed(cpu);
		iss_tlb_flush(cpu);
		break;
	case SP_EL2_TRANSLATION:
		if (encoding == SYSREG(3, 4, 2, 0, 0))
			cpu->ttbr0_el2 = value;
		else
			cpu->tcr_el2 = (value & TCR_EL2_WRITABLE) | TCR_EL2_RES1;
		iss_tlb_flush(cpu); /* no ASIDs in the EL2 regime: flushing is the simple, allowed way */
		break;
	case SP_CPTR_EL2:
		cpu->cptr_el2 = (value & CPTR_EL2_WRITABLE) | CPTR_EL2_RES1;
		break;
	case SP_VMPIDR:
		cpu->vmpidr_el2 = (value & VMPIDR_WRITABLE) | VMPIDR_RES1;
		break;
	default:
		write_special_el3(cpu, r, encoding, value);
		break;
	}
}

/* ISR_EL1: at EL1 the virtual interrupts stand in for the kinds HCR_EL2 routes to EL2 (physical SErrors are not modelled). */
static uint64_t read_isr(const struct iss *cpu)
{
	bool irq = iss_virtual_view(cpu, HCR_IMO) ? iss_virq_pending(cpu) : cpu->irq_line;
	bool fiq = iss_virtual_view(cpu, HCR_FMO) ? iss_vfiq_pending(cpu) : cpu->fiq_line;
	bool serror = iss_virtual_view(cpu, HCR_AMO) && iss_vserror_pending(cpu);

	return (irq ? ISR_I : 0) | (fiq ? ISR_F : 0) | (serror ? ISR_A : 0);
}

static uint64_t read_special(struct iss *cpu, const struct sysreg *r, unsigned encoding)
{
	switch ((enum special_id)r->offset) {
	case SP_NZCV:
		return (uint64_t)cpu->nzcv << 28;
	case SP_DAIF:
		return (uint64_t)cpu->daif << 6;
	case SP_CURRENTEL:
		return (uint64_t)cpu->el << 2;
	case SP_SPSEL:
		return cpu->spsel;
	case SP_SP_EL0:
		return cpu->sp_banked[0]; /* accessible only while SP_EL1 is the current SP */
	case SP_SCTLR:
		return cpu->sctlr_el1;
	case SP_TRANSLATION:
		return encoding == SYSREG(3, 0, 2, 0, 0)   ? cpu->ttbr0_el1
		       : encoding == SYSREG(3, 0, 2, 0, 1) ? cpu->ttbr1_el1
		                                           : cpu->tcr_el1;
	case SP_CCSIDR:
		switch (cpu->csselr_el1) {
		case 0:
			return 0x701fe01aull; /* L1 D: 32 KiB, 2 ways, 64 B lines */
		case 1:
			return 0x201fe01aull; /* L1 I: 48 KiB, 3 ways, 64 B lines (as reported by the A57) */
		case 2:
			return 0x707fe07aull; /* L2: 2 MiB, 16 ways, 64 B lines */
		default:
			return 0;
		}
	case SP_OSLAR:
		return 0;
	case SP_DBGCLAIMSET:
		return 0xff; /* eight claim tags implemented */
	case SP_DBGCLAIMCLR:
		return cpu->dbgclaim;
	case SP_TPIDRRO:
		return cpu->tpidrro_el0;
	case SP_FPCR:
		return cpu->fpcr;
	case SP_FPSR:
		return cpu->fpsr;
	case SP_ISR:
		return read_isr(cpu);
	case SP_DCZID: /* DZP tells EL0 code (glibc's memset) whether DC ZVA would trap */
		return DCZID_EL0 | (cpu->el == 0 && !(cpu->sctlr_el1 & SCTLR_DZE) ? DCZID_DZP : 0);
	default:
		return read_special_el2(cpu, r, encoding);
	}
}

static void write_special(struct iss *cpu, const struct sysreg *r, unsigned encoding, uint64_t value)
{
	switch ((enum special_id)r->offset) {
	case SP_NZCV:
		cpu->nzcv = (unsigned)(value >> 28) & 0xf;
		break;
	case SP_DAIF:
		cpu->daif = (unsigned)(value >> 6) & 0xf;
		iss_update_attention(cpu);
		break;
	case SP_SPSEL:
		iss_set_sp_select(cpu, cpu->el, value & 1);
		break;
	case SP_SP_EL0:
		cpu->sp_banked[0] = value;
		break;
	case SP_SCTLR:
		/* RES1 bits of v8.0 stay set; EE/E0E (big-endian) are not implemented and stay 0. */
		cpu->sctlr_el1 = (value & 0x0000000004c5d93full & ~((1ull << 25) | (1ull << 24))) | 0x30d00800ull;
		iss_sctlr_changed(cpu);
		iss_tlb_flush(cpu);
		break;
	case SP_TRANSLATION:
		if (encoding == SYSREG(3, 0, 2, 0, 0)) {
			cpu->ttbr0_el1 = value;
		} else if (encoding == SYSREG(3, 0, 2, 0, 1)) {
			cpu->ttbr1_el1 = value;
		} else if (cpu->tcr_el1 != (value & 0x0000007fffffffffull)) {
			cpu->tcr_el1 = value & 0x0000007fffffffffull;
			iss_tlb_flush(cpu); /* cached translations of another layout, ASID size or A1 */
		}
		iss_tlb_asid_changed(cpu); /* TLB entries are tagged by ASID: a new one needs no flush */
		break;
	case SP_OSLAR:
		cpu->oslsr_el1 = OSLSR_OSLM | ((value & 1) << 1);
		break;
	case SP_DBGCLAIMSET:
		cpu->dbgclaim |= value & 0xff;
		break;
	case SP_DBGCLAIMCLR:
		cpu->dbgclaim &= ~(value & 0xff);
		break;
	case SP_TPIDRRO:
		if (cpu->el == 0)
			return; /* not reached: EL0 access is read-only */
		cpu->tpidrro_el0 = value;
		break;
	case SP_FPCR:
		cpu->fpcr = (uint32_t)value & FPCR_WRITABLE;
		break;
	case SP_FPSR:
		cpu->fpsr = (uint32_t)value & FPSR_WRITABLE;
		break;
	case SP_CURRENTEL:
	case SP_CCSIDR:
	case SP_ISR:
	case SP_DCZID:
		break;
	default:
		write_special_el2(cpu, r, encoding, value);
		break;
	}
}

/* EL0 may access it? Returns 1 yes, 0 UNDEFINED, -1 trapped to EL1 with EC 0x18. */
static int el0_access(const struct iss *cpu, const struct sysreg *r, bool read)
{
	if (r->el0 & EL0_IF_UMA)
		return cpu->sctlr_el1 & SCTLR_UMA ? 1 : -1;
	if (r->el0 & EL0_IF_UCT)
		return read ? (cpu->sctlr_el1 & SCTLR_UCT ? 1 : -1) : 0;
	if (r->el0 & EL0_IF_PMU)
		return iss_pmu_el0_access(cpu, (enum iss_pmu_register)r->offset, read);
	return (r->el0 & (read ? EL0_READ : EL0_WRITE)) ? 1 : 0;
}

/* The ISS of EC 0x18 for the MRS/MSR/SYS word. */
uint32_t iss_sysreg_syndrome(uint32_t word)
{
	unsigned op0 = (word >> 19) & 3, op1 = (word >> 16) & 7, crn = (word >> 12) & 15;
	unsigned crm = (word >> 8) & 15, op2 = (word >> 5) & 7, rt = word & 31, read = (word >> 21) & 1;

	return op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | rt << 5 | crm << 1 | read;
}

static bool ask_hooks_read(struct iss *cpu, unsigned encoding, uint64_t *value)
{
	for (unsigned k = 0; k < cpu->hook_count; k++)
		if (cpu->hooks[k].read && cpu->hooks[k].read(cpu->hooks[k].opaque, encoding, cpu->el, value))
			return true;
	return false;
}

static bool ask_hooks_write(struct iss *cpu, unsigned encoding, uint64_t value)
{
	for (unsigned k = 0; k < cpu->hook_count; k++)
		if (cpu->hooks[k].write && cpu->hooks[k].write(cpu->hooks[k].opaque, encoding, cpu->el, value))
			return true;
	return false;
}

/* The HCR_EL2 bit that traps an EL0/EL1 access to this register to EL2, or 0. */
static uint64_t hcr_trap(unsigned encoding, bool read)
{
	switch (encoding) {
	case SYSREG(3, 0, 1, 0, 0):  /* SCTLR_EL1 */
	case SYSREG(3, 0, 2, 0, 0):  /* TTBR0_EL1 */
	case SYSREG(3, 0, 2, 0, 1):  /* TTBR1_EL1 */
	case SYSREG(3, 0, 2, 0, 2):  /* TCR_EL1 */
	case SYSREG(3, 0, 5, 1, 0):  /* AFSR0_EL1 */
	case SYSREG(3, 0, 5, 1, 1):  /* AFSR1_EL1 */
	case SYSREG(3, 0, 5, 2, 0):  /* ESR_EL1 */
	case SYSREG(3, 0, 6, 0, 0):  /* FAR_EL1 */
	case SYSREG(3, 0, 10, 2, 0): /* MAIR_EL1 */
	case SYSREG(3, 0, 10, 3, 0): /* AMAIR_EL1 */
	case SYSREG(3, 0, 13, 0, 1): /* CONTEXTIDR_EL1 */
		return read ? HCR_TRVM : HCR_TVM;
	case SYSREG(3, 0, 0, 0, 6): /* REVIDR_EL1 */
	case SYSREG(3, 1, 0, 0, 7): /* AIDR_EL1 */
		return HCR_TID1;
	case SYSREG(3, 3, 0, 0, 1): /* CTR_EL0 */
	case SYSREG(3, 1, 0, 0, 0): /* CCSIDR_EL1 */
	case SYSREG(3, 1, 0, 0, 1): /* CLIDR_EL1 */
	case SYSREG(3, 2, 0, 0, 0): /* CSSELR_EL1 */
		return HCR_TID2;
	case SYSREG(3, 0, 1, 0, 1): /* ACTLR_EL1 */
		return HCR_TACR;
	default:
		return is_id_space(encoding) ? HCR_TID3 : 0; /* the ID group 3 registers, reads only */
	}
}

/* EL2's traps of EL0/EL1 accesses (HCR_EL2 TVM, TRVM, TID1-3, TACR): false after trapping. */
static bool el2_allows(struct iss *cpu, uint32_t word, bool read)
{
	unsigned encoding = (word >> 5) & 0xffff;

	if (!(cpu->hcr_el2 & hcr_trap(encoding, read)))
		return true;
	iss_exception_to(cpu, 2, EC_SYSREG, iss_sysreg_syndrome(word), cpu->pc);
	return false;
}

#define CNTHCTL_EL1PCTEN 1ull /* EL1 may read CNTPCT_EL0 */
#define CNTHCTL_EL1PCEN  2ull /* EL1 may use the EL1 physical timer, CNTP_* */

/*
 * CNTHCTL_EL2's gate of EL1's physical counter and timer (the generic timer's, served by a
 * hook): without the bit the access traps to EL2 with EC 0x18. Checked at EL1 only: at EL0
 * CNTKCTL_EL1's check, which is the timer model's, would come first.
 */
static bool counter_allowed(struct iss *cpu, uint32_t word)
{
	unsigned encoding = (word >> 5) & 0xffff;
	uint64_t needed;

	if (cpu->el != 1 || !cpu->el2 || (cpu->el3 && !(cpu->scr_el3 & SCR_NS)))
		return true;
	if (encoding == SYSREG(3, 3, 14, 0, 1)) /* CNTPCT_EL0 */
		needed = CNTHCTL_EL1PCTEN;
	else if ((encoding & ~7u) == SYSREG(3, 3, 14, 2, 0)) /* CNTP_TVAL, CTL, CVAL_EL0 */
		needed = CNTHCTL_EL1PCEN;
	else
		return true;
	if (cpu->cnthctl_el2 & needed)
		return true;
	iss_exception_to(cpu, 2, EC_SYSREG, iss_sysreg_syndrome(word), cpu->pc);
	return false;
}

/* MRS and MSR (register): imm holds the word, rd the register (31 as ZR/sink). */
/* EL0 access rules, EL2's registers and traps, SP_EL0 while it is the current SP; false after raising the exception. */
static bool access_allowed(struct iss *cpu, const struct sysreg *r, uint32_t word, bool read)
{
	unsigned op1 = (word >> 16) & 7;
	bool sp_el1 = r->kind == KIND_SPECIAL && r->offset == SP_SP_EL1; /* EL3's too, with or without EL2 */

	if ((op1 == 4 && (cpu->el < 2 || (!cpu->el2 && !sp_el1))) || (op1 == 6 && cpu->el < 3)) {
		iss_undefined(cpu, word, UNDEF_SYSREG); /* EL2's (no NV; none without EL2) and EL3's registers */
		return false;
	}
	if (cpu->el == 0) {
		int access = el0_access(cpu, r, read);
		if (access < 0)
			iss_exception(cpu, EC_SYSREG, iss_sysreg_syndrome(word), cpu->pc);
		else if (access == 0)
			iss_undefined(cpu, word, UNDEF_SYSREG);
		if (access <= 0)
			return false;
	}
	if (cpu->el < 2 && cpu->hcr_el2 && !el2_allows(cpu, word, read))
		return false;
	if (r->kind == KIND_SPECIAL && r->offset == SP_SP_EL0 && !cpu->spsel) {
		iss_undefined(cpu, word, UNDEF_SYSREG);
		return false;
	}
	if (r->kind == KIND_SPECIAL && (r->offset == SP_FPCR || r->offset == SP_FPSR))
		return iss_fp_enabled(cpu);
	return true;
}

ISS_HANDLER(iss_exec_mrs)
{
	uint32_t word = (uint32_t)insn->imm;
	unsigned encoding = (word >> 5) & 0xffff;
	const struct sysreg *r = slot_sysreg(insn->type);
	uint64_t value = 0;

	if (!r) {
		if (!counter_allowed(cpu, word))
			return;
		if (!ask_hooks_read(cpu, encoding, &value)) {
			iss_undefined(cpu, word, UNDEF_SYSREG);
			return;
		}
	} else {
		if (!access_allowed(cpu, r, word, true))
			return;
		if (r->kind == KIND_FIELD)
			value = *field(cpu, r);
		else if (r->kind == KIND_CONSTANT)
			value = r->value;
		else if (r->kind == KIND_SPECIAL)
			value = read_special(cpu, r, encoding);
		else if (!iss_pmu_read(cpu, (enum iss_pmu_register)r->offset, &value)) {
			iss_undefined(cpu, word, UNDEF_SYSREG);
			return;
		}
	}
	cpu->x[insn->rd] = value;
	cpu->pc += 4;
}

/* What MSR does once the access is allowed: the register's writable bits, and its effects. */
static void write_sysreg(struct iss *cpu, const struct sysreg *r, unsigned encoding, uint64_t value)
{
	if (r->kind == KIND_FIELD)
		*field(cpu, r) = value & r->value;
	else if (r->kind == KIND_SPECIAL)
		write_special(cpu, r, encoding, value);
	else if (r->kind == KIND_PMU)
		iss_pmu_write(cpu, (enum iss_pmu_register)r->offset, value);
}

ISS_HANDLER(iss_exec_msr)
{
	uint32_t word = (uint32_t)insn->imm;
	unsigned encoding = (word >> 5) & 0xffff;
	const struct sysreg *r = slot_sysreg(insn->type);
	uint64_t value = cpu->x[insn->rd];

	if (!r) {
		if (!counter_allowed(cpu, word))
			return;
		if (!ask_hooks_write(cpu, encoding, value)) {
			iss_undefined(cpu, word, UNDEF_SYSREG);
			return;
		}
		cpu->pc += 4;
		return;
	}
	if (r->read_only) {
		iss_undefined(cpu, word, UNDEF_SYSREG);
		return;
	}
	if (!access_allowed(cpu, r, word, false))
		return;
	write_sysreg(cpu, r, encoding, value); /* before the PC moves: it may count or park the budget (iss_state.h) */
	cpu->pc += 4;
}

int iss_write_system_register(struct iss *cpu, unsigned encoding, uint64_t value)
{
	const struct sysreg *r = slot_sysreg(iss_sysreg_slot(encoding));

	if (!r || r->read_only)
		return error_set("iss: system register 0x%04x cannot be written", encoding);
	write_sysreg(cpu, r, encoding, value);
	return 0;
}

/* MSR (immediate) DAIFSet/DAIFClr/SPSel: imm holds CRm. EL0 DAIF access follows SCTLR_EL1.UMA. */
static bool pstate_el0_check(struct iss *cpu, const struct iss_insn *insn, bool daif)
{
	if (cpu->el >= 1)
		return true;
	if (daif && !(cpu->sctlr_el1 & SCTLR_UMA))
		iss_exception(cpu, EC_SYSREG, iss_sysreg_syndrome((uint32_t)insn->imm2), cpu->pc);
	else if (!daif)
		iss_undefined(cpu, (uint32_t)insn->imm2, UNDEF_UNALLOCATED);
	else
		return true;
	return false;
}

ISS_HANDLER(iss_exec_msr_daifset)
{
	if (!pstate_el0_check(cpu, insn, true))
		return;
	cpu->daif |= (unsigned)insn->imm;
	cpu->pc += 4;
}

ISS_HANDLER(iss_exec_msr_daifclr)
{
	if (!pstate_el0_check(cpu, insn, true))
		return;
	cpu->daif &= ~(unsigned)insn->imm;
	iss_update_attention(cpu); /* before the PC moves (the budget, iss_state.h) */
	cpu->pc += 4;
}

ISS_HANDLER(iss_exec_msr_spsel)
{
	if (!pstate_el0_check(cpu, insn, false))
		return;
	iss_set_sp_select(cpu, cpu->el, insn->imm & 1);
	cpu->pc += 4;
}

void iss_sysreg_reset(struct iss *cpu)
{
	cpu->sctlr_el1 = 0x30d00800ull; /* the RES1 bits of v8.0; MMU and caches off */
	cpu->oslsr_el1 = OSLSR_OSLM | 2; /* the OS lock is set out of reset */
	cpu->osdlr_el1 = 0;
}

void iss_enable_el2(struct cpu *base)
{
	struct iss *cpu = to_iss(base);

	cpu->el2 = true;
	cpu->hcr_el2 = HCR_RW;
	cpu->sctlr_el2 = SCTLR_EL2_RES1;
	cpu->tcr_el2 = TCR_EL2_RES1;
	cpu->cptr_el2 = CPTR_EL2_RES1;
	cpu->vpidr_el2 = MIDR_CORTEX_A57_R1P3;
	cpu->vmpidr_el2 = cpu->mpidr_el1;
	cpu->vtcr_el2 = VTCR_RES1;
	cpu->cnthctl_el2 = CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN; /* IMPLEMENTATION DEFINED: 3 as QEMU */
	iss_set_sp_select(cpu, 2, true);
	iss_set_el(cpu, 2); /* EL2h; DAIF stays masked as at reset */
	iss_tlb_flush(cpu);
	iss_update_attention(cpu);
}

bool iss_secure_el1_timer_enabled(struct cpu *base)
{
	const struct iss *cpu = to_iss(base);

	return cpu->el3 && !(cpu->scr_el3 & SCR_NS) && (cpu->scr_el3 & SCR_ST);
}

void iss_enable_el3(struct cpu *base)
{
	struct iss *cpu = to_iss(base);

	cpu->el3 = true;
	cpu->scr_el3 = SCR_EL3_RES1; /* Secure, lower levels AArch32 until the firmware sets RW */
	cpu->sctlr_el3 = SCTLR_EL2_RES1;
	cpu->tcr_el3 = TCR_EL2_RES1;
	iss_set_sp_select(cpu, 3, true);
	iss_set_el(cpu, 3); /* EL3h; DAIF stays masked as at reset */
	iss_tlb_flush(cpu);
	iss_update_attention(cpu);
}

int iss_add_sysreg_hook(struct cpu *base, const struct iss_sysreg_hook *hook)
{
	struct iss *cpu = to_iss(base);
	struct iss_sysreg_hook *hooks;

	if (!hook || (!hook->read && !hook->write))
		return error_set("iss: a system-register hook needs a read or a write function");
	hooks = realloc(cpu->hooks, (cpu->hook_count + 1) * sizeof(*hooks));
	if (!hooks)
		return error_set("iss: out of memory for a system-register hook");
	hooks[cpu->hook_count++] = *hook;
	cpu->hooks = hooks;
	return 0;
}
