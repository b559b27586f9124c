/*
 * Handlers of the integer, memory, branch and system instructions (exec_*.c, exception.c) for
 * their decoder (decode.c), and the encoding fields their tables are indexed by.
 */
#ifndef QVP_ISS_EXEC_HANDLERS_H
#define QVP_ISS_EXEC_HANDLERS_H

#include "iss_state.h"

/* Shift types of the shifted-register forms, as encoded. */
enum { SHIFT_LSL, SHIFT_LSR, SHIFT_ASR, SHIFT_ROR };

/* Extend types of the extended-register forms, as encoded in `option`. */
enum { EXTEND_UXTB, EXTEND_UXTH, EXTEND_UXTW, EXTEND_UXTX, EXTEND_SXTB, EXTEND_SXTH, EXTEND_SXTW, EXTEND_SXTX };

/* Handler tables the decoder indexes with encoding fields; NULL entries are unallocated. */

/* exec_data.c */
ISS_HANDLER(iss_exec_adr);
ISS_HANDLER(iss_exec_adrp);
ISS_HANDLER(iss_exec_mov_const);                         /* MOVZ, MOVN: the constant is decoded */
extern const iss_exec_fn iss_exec_addsub_imm[2][4];      /* [sf][op:S] */
extern const iss_exec_fn iss_exec_logic_imm[2][4];       /* [sf][opc] */
extern const iss_exec_fn iss_exec_movk[2];               /* [sf] */
extern const iss_exec_fn iss_exec_bitfield[2][3];        /* [sf][opc] */
extern const iss_exec_fn iss_exec_extr[2];               /* [sf] */
extern const iss_exec_fn iss_exec_logic_reg[2][8][4];    /* [sf][opc:N][shift] */
extern const iss_exec_fn iss_exec_mov_reg[2];            /* [sf]: ORR Rd, ZR, Rm */
extern const iss_exec_fn iss_exec_addsub_shift[2][4][3]; /* [sf][op:S][shift] */
extern const iss_exec_fn iss_exec_addsub_ext[2][4];      /* [sf][op:S] */
extern const iss_exec_fn iss_exec_addsub_carry[2][4];    /* [sf][op:S] */
extern const iss_exec_fn iss_exec_ccmp[2][2][2];         /* [sf][op][immediate] */
extern const iss_exec_fn iss_exec_csel[2][4];            /* [sf][op:o2] */
extern const iss_exec_fn iss_exec_dp1[2][6];             /* [sf][opcode] */
ISS_HANDLER(iss_exec_crc32); /* amount: bytes of Rm, type: 1 for CRC32C */
extern const iss_exec_fn iss_exec_dp2[2][12];            /* [sf][opcode] */
extern const iss_exec_fn iss_exec_dp3[2][16];            /* [sf][op31:o0] */

/* exec_memory.c */
enum iss_access {
	ACCESS_STRB,
	ACCESS_STRH,
	ACCESS_STRW,
	ACCESS_STRX,
	ACCESS_LDRB,
	ACCESS_LDRH,
	ACCESS_LDRW,
	ACCESS_LDRX,
	ACCESS_LDRSB_X,
	ACCESS_LDRSH_X,
	ACCESS_LDRSW,
	ACCESS_LDRSB_W,
	ACCESS_LDRSH_W,
	ACCESS_COUNT,
};
enum iss_address_mode { MODE_OFFSET, MODE_PRE, MODE_POST, MODE_REGISTER, MODE_COUNT };
enum iss_pair { PAIR_STP_W, PAIR_STP_X, PAIR_LDP_W, PAIR_LDP_X, PAIR_LDPSW, PAIR_COUNT };

extern const iss_exec_fn iss_exec_load_store[ACCESS_COUNT][MODE_COUNT];
extern const iss_exec_fn iss_exec_load_literal[3];     /* [opc]: W, X, SW */
extern const iss_exec_fn iss_exec_pair[PAIR_COUNT][3]; /* [pair][offset, pre, post] */

/* exec_branch.c */
ISS_HANDLER(iss_exec_b);
ISS_HANDLER(iss_exec_bl);
ISS_HANDLER(iss_exec_br); /* BR and RET */
ISS_HANDLER(iss_exec_blr);
extern const iss_exec_fn iss_exec_b_cond;
extern const iss_exec_fn iss_exec_cb[2][2]; /* [sf][op]: CBZ, CBNZ */
extern const iss_exec_fn iss_exec_tb[2];    /* [op]: TBZ, TBNZ */
/* Coverage: the handler of a conditional branch that records its direction, or NULL for
 * another handler; and back (any other handler is returned as it is). */
iss_exec_fn iss_branch_recording_handler(iss_exec_fn exec);
iss_exec_fn iss_branch_plain_handler(iss_exec_fn exec);

/* exception.c */
ISS_HANDLER(iss_exec_svc);
ISS_HANDLER(iss_exec_hvc);
ISS_HANDLER(iss_exec_smc);
ISS_HANDLER(iss_exec_brk);
#define SEMIHOSTING_HLT_IMM 0xf000 /* HLT #0xF000: the A64 semihosting trap */
ISS_HANDLER(iss_exec_hlt_semihosting);
ISS_HANDLER(iss_exec_eret);

/* exec_system.c */
ISS_HANDLER(iss_exec_nop); /* hints, barriers, PRFM */
ISS_HANDLER(iss_exec_clrex);
ISS_HANDLER(iss_exec_sys); /* SYS: DC, IC, AT, TLBI; imm holds the word */
ISS_HANDLER(iss_exec_wfi);
ISS_HANDLER(iss_exec_wfe);
ISS_HANDLER(iss_exec_sev);
ISS_HANDLER(iss_exec_sevl);
ISS_HANDLER(iss_exec_undefined); /* imm: the word, type: the reason */

/* sysreg.c */
ISS_HANDLER(iss_exec_mrs); /* imm: the word, type: iss_sysreg_slot() */
ISS_HANDLER(iss_exec_msr);
ISS_HANDLER(iss_exec_msr_daifset);
ISS_HANDLER(iss_exec_msr_daifclr);
ISS_HANDLER(iss_exec_msr_spsel);

/* exec_memory.c: exclusives and acquire/release; imm holds the word's size and kind */
ISS_HANDLER(iss_exec_exclusive);
ISS_HANDLER(iss_exec_unprivileged_load);  /* LDTR*: type holds enum iss_access */
ISS_HANDLER(iss_exec_unprivileged_store); /* STTR* */

#endif
