/* The Arm generic timer as the CPU sees it (ARM DDI 0487, chapter D11): system-register
 * encodings as the iss backend's hooks receive them, and register fields. */
#ifndef QVP_GENERIC_TIMER_H
#define QVP_GENERIC_TIMER_H

#ifdef __cplusplus
extern "C" {
#endif

/* op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2, as in struct iss_sysreg_hook. */
#define GT_SYSREG(op0, op1, crn, crm, op2) ((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))

enum generic_timer_sysreg {
	GT_CNTFRQ_EL0 = GT_SYSREG(3, 3, 14, 0, 0),
	GT_CNTPCT_EL0 = GT_SYSREG(3, 3, 14, 0, 1),
	GT_CNTVCT_EL0 = GT_SYSREG(3, 3, 14, 0, 2),
	GT_CNTKCTL_EL1 = GT_SYSREG(3, 0, 14, 1, 0),
	GT_CNTP_TVAL_EL0 = GT_SYSREG(3, 3, 14, 2, 0),
	GT_CNTP_CTL_EL0 = GT_SYSREG(3, 3, 14, 2, 1),
	GT_CNTP_CVAL_EL0 = GT_SYSREG(3, 3, 14, 2, 2),
	GT_CNTV_TVAL_EL0 = GT_SYSREG(3, 3, 14, 3, 0),
	GT_CNTV_CTL_EL0 = GT_SYSREG(3, 3, 14, 3, 1),
	GT_CNTV_CVAL_EL0 = GT_SYSREG(3, 3, 14, 3, 2),
	GT_CNTVOFF_EL2 = GT_SYSREG(3, 4, 14, 0, 3), /* the virtual counter's offset, EL2 only */
	GT_CNTHP_TVAL_EL2 = GT_SYSREG(3, 4, 14, 2, 0), /* the EL2 physical timer, EL2 only */
	GT_CNTHP_CTL_EL2 = GT_SYSREG(3, 4, 14, 2, 1),
	GT_CNTHP_CVAL_EL2 = GT_SYSREG(3, 4, 14, 2, 2),
	GT_CNTPS_TVAL_EL1 = GT_SYSREG(3, 7, 14, 2, 0), /* the secure physical timer: EL3, Secure EL1 with SCR_EL3.ST */
	GT_CNTPS_CTL_EL1 = GT_SYSREG(3, 7, 14, 2, 1),
	GT_CNTPS_CVAL_EL1 = GT_SYSREG(3, 7, 14, 2, 2),
};

enum generic_timer_fields {
	GT_CTL_ENABLE = 1u << 0,
	GT_CTL_IMASK = 1u << 1,
	GT_CTL_ISTATUS = 1u << 2, /* read-only */

	GT_CNTKCTL_EL0PCTEN = 1u << 0, /* EL0 may read CNTPCT_EL0 (and CNTFRQ_EL0) */
	GT_CNTKCTL_EL0VCTEN = 1u << 1, /* EL0 may read CNTVCT_EL0 (and CNTFRQ_EL0) */
	GT_CNTKCTL_EVNTEN = 1u << 2,   /* the event stream is on */
	GT_CNTKCTL_EVNTDIR = 1u << 3,  /* its events at a 1-to-0 transition of the chosen bit, else 0-to-1 */
	GT_CNTKCTL_EVNTI_SHIFT = 4,    /* bits 7:4: which bit of CNTVCT_EL0 */
	GT_CNTKCTL_EL0VTEN = 1u << 8,  /* EL0 may access CNTV_CTL/CVAL/TVAL */
	GT_CNTKCTL_EL0PTEN = 1u << 9,  /* EL0 may access CNTP_CTL/CVAL/TVAL */
};

/* The counter's frequency when the timer node has no clock-frequency: 62.5 MHz, as on QEMU's
 * virt board, so one tick is exactly 16 ns. */
#define GT_DEFAULT_FREQUENCY 62500000u

#ifdef __cplusplus
}
#endif
#endif
