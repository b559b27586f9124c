/*
 * AdvSIMD handler tables (exec_simd_*.c) that the AdvSIMD decoder (decode_simd.c) indexes.
 * Index names: [size] is the element size 8, 16, 32, 64 as 0..3; [form] is 0 for a 64-bit
 * vector, 1 for a 128-bit vector, 2 for a scalar (one lane); [Q] is 0 or 1; [part] selects
 * the lower (0) or upper ("2" forms, 1) half of the narrow operand.
 */
#ifndef QVP_ISS_SIMD_HANDLERS_H
#define QVP_ISS_SIMD_HANDLERS_H

#include "iss_state.h"

enum { FORM_64, FORM_128, FORM_SCALAR };

/* exec_simd_int.c: three same, two-register misc, shifts by immediate; [size][form]. */
#define SIMD_TABLE(name) extern const iss_exec_fn name[4][3]
SIMD_TABLE(iss_simd_add);
SIMD_TABLE(iss_simd_sub);
SIMD_TABLE(iss_simd_mul);
SIMD_TABLE(iss_simd_mla);
SIMD_TABLE(iss_simd_mls);
SIMD_TABLE(iss_simd_cmgt);
SIMD_TABLE(iss_simd_cmge);
SIMD_TABLE(iss_simd_cmhi);
SIMD_TABLE(iss_simd_cmhs);
SIMD_TABLE(iss_simd_cmeq);
SIMD_TABLE(iss_simd_cmtst);
SIMD_TABLE(iss_simd_smax);
SIMD_TABLE(iss_simd_smin);
SIMD_TABLE(iss_simd_umax);
SIMD_TABLE(iss_simd_umin);
SIMD_TABLE(iss_simd_shadd);
SIMD_TABLE(iss_simd_uhadd);
SIMD_TABLE(iss_simd_srhadd);
SIMD_TABLE(iss_simd_urhadd);
SIMD_TABLE(iss_simd_shsub);
SIMD_TABLE(iss_simd_uhsub);
SIMD_TABLE(iss_simd_sabd);
SIMD_TABLE(iss_simd_uabd);
SIMD_TABLE(iss_simd_saba);
SIMD_TABLE(iss_simd_uaba);
SIMD_TABLE(iss_simd_sqadd);
SIMD_TABLE(iss_simd_uqadd);
SIMD_TABLE(iss_simd_sqsub);
SIMD_TABLE(iss_simd_uqsub);
SIMD_TABLE(iss_simd_sshl);
SIMD_TABLE(iss_simd_ushl);
SIMD_TABLE(iss_simd_srshl);
SIMD_TABLE(iss_simd_urshl);
SIMD_TABLE(iss_simd_sqshl);
SIMD_TABLE(iss_simd_uqshl);
SIMD_TABLE(iss_simd_sqrshl);
SIMD_TABLE(iss_simd_uqrshl);
SIMD_TABLE(iss_simd_addp); /* the scalar form: ADDP Dd, Vn.2D */
SIMD_TABLE(iss_simd_smaxp);
SIMD_TABLE(iss_simd_sminp);
SIMD_TABLE(iss_simd_umaxp);
SIMD_TABLE(iss_simd_uminp);
SIMD_TABLE(iss_simd_cmgt0);
SIMD_TABLE(iss_simd_cmge0);
SIMD_TABLE(iss_simd_cmeq0);
SIMD_TABLE(iss_simd_cmle0);
SIMD_TABLE(iss_simd_cmlt0);
SIMD_TABLE(iss_simd_abs);
SIMD_TABLE(iss_simd_neg);
SIMD_TABLE(iss_simd_clz);
SIMD_TABLE(iss_simd_cls);
SIMD_TABLE(iss_simd_sqabs);
SIMD_TABLE(iss_simd_sqneg);
SIMD_TABLE(iss_simd_sshr);
SIMD_TABLE(iss_simd_ushr);
SIMD_TABLE(iss_simd_ssra);
SIMD_TABLE(iss_simd_usra);
SIMD_TABLE(iss_simd_srshr);
SIMD_TABLE(iss_simd_urshr);
SIMD_TABLE(iss_simd_srsra);
SIMD_TABLE(iss_simd_ursra);
SIMD_TABLE(iss_simd_shl);
SIMD_TABLE(iss_simd_sli);
SIMD_TABLE(iss_simd_sri);
SIMD_TABLE(iss_simd_sqshli);
SIMD_TABLE(iss_simd_uqshli);
SIMD_TABLE(iss_simd_sqshlu);
SIMD_TABLE(iss_simd_mul_elem); /* by element: insn->imm is Vm's lane */
SIMD_TABLE(iss_simd_mla_elem);
SIMD_TABLE(iss_simd_mls_elem);
SIMD_TABLE(iss_simd_suqadd);
SIMD_TABLE(iss_simd_usqadd);
SIMD_TABLE(iss_simd_sqdmulh);
SIMD_TABLE(iss_simd_sqrdmulh);
SIMD_TABLE(iss_simd_sqdmulh_elem);
SIMD_TABLE(iss_simd_sqrdmulh_elem);
SIMD_TABLE(iss_simd_dup_element); /* exec_simd_permute.c; DUP (scalar) is the scalar form */
SIMD_TABLE(iss_simd_dup_general);
#undef SIMD_TABLE

/* Whole-register operations, [Q]. */
extern const iss_exec_fn iss_simd_and[2], iss_simd_bic[2], iss_simd_orr[2], iss_simd_orn[2];
extern const iss_exec_fn iss_simd_eor[2], iss_simd_bsl[2], iss_simd_bit[2], iss_simd_bif[2];
extern const iss_exec_fn iss_simd_not[2], iss_simd_pmul[2], iss_simd_cnt[2], iss_simd_rbit[2];
extern const iss_exec_fn iss_simd_rev[2]; /* insn->imm: the byte index XOR of REV16/32/64 */

/* Across lanes, [size][Q] (4S only for 32-bit lanes). */
extern const iss_exec_fn iss_simd_addv[3][2], iss_simd_uaddlv[3][2], iss_simd_saddlv[3][2];
extern const iss_exec_fn iss_simd_umaxv[3][2], iss_simd_uminv[3][2], iss_simd_smaxv[3][2], iss_simd_sminv[3][2];

/* exec_simd_widen.c: [narrow size][part, or 2 for the scalar form] (ADDLP/ADALP: [narrow size][Q]). */
#define WIDEN_TABLE(name) extern const iss_exec_fn name[3][3]
WIDEN_TABLE(iss_simd_saddl);
WIDEN_TABLE(iss_simd_uaddl);
WIDEN_TABLE(iss_simd_ssubl);
WIDEN_TABLE(iss_simd_usubl);
WIDEN_TABLE(iss_simd_saddw);
WIDEN_TABLE(iss_simd_uaddw);
WIDEN_TABLE(iss_simd_ssubw);
WIDEN_TABLE(iss_simd_usubw);
WIDEN_TABLE(iss_simd_smull);
WIDEN_TABLE(iss_simd_umull);
WIDEN_TABLE(iss_simd_smlal);
WIDEN_TABLE(iss_simd_umlal);
WIDEN_TABLE(iss_simd_smlsl);
WIDEN_TABLE(iss_simd_umlsl);
WIDEN_TABLE(iss_simd_sabdl);
WIDEN_TABLE(iss_simd_uabdl);
WIDEN_TABLE(iss_simd_sabal);
WIDEN_TABLE(iss_simd_uabal);
WIDEN_TABLE(iss_simd_pmull);
WIDEN_TABLE(iss_simd_sshll); /* insn->amount: the shift; SHLL is USHLL by the element size */
WIDEN_TABLE(iss_simd_ushll);
WIDEN_TABLE(iss_simd_smull_elem);
WIDEN_TABLE(iss_simd_umull_elem);
WIDEN_TABLE(iss_simd_smlal_elem);
WIDEN_TABLE(iss_simd_umlal_elem);
WIDEN_TABLE(iss_simd_smlsl_elem);
WIDEN_TABLE(iss_simd_umlsl_elem);
WIDEN_TABLE(iss_simd_xtn);
WIDEN_TABLE(iss_simd_sqxtn);
WIDEN_TABLE(iss_simd_uqxtn);
WIDEN_TABLE(iss_simd_sqxtun);
WIDEN_TABLE(iss_simd_addhn);
WIDEN_TABLE(iss_simd_subhn);
WIDEN_TABLE(iss_simd_raddhn);
WIDEN_TABLE(iss_simd_rsubhn);
WIDEN_TABLE(iss_simd_shrn);
WIDEN_TABLE(iss_simd_rshrn);
WIDEN_TABLE(iss_simd_sqshrn);
WIDEN_TABLE(iss_simd_sqrshrn);
WIDEN_TABLE(iss_simd_uqshrn);
WIDEN_TABLE(iss_simd_uqrshrn);
WIDEN_TABLE(iss_simd_sqshrun);
WIDEN_TABLE(iss_simd_sqrshrun);
WIDEN_TABLE(iss_simd_sqdmull);
WIDEN_TABLE(iss_simd_sqdmlal);
WIDEN_TABLE(iss_simd_sqdmlsl);
WIDEN_TABLE(iss_simd_sqdmull_elem);
WIDEN_TABLE(iss_simd_sqdmlal_elem);
WIDEN_TABLE(iss_simd_sqdmlsl_elem);
#undef WIDEN_TABLE
extern const iss_exec_fn iss_simd_saddlp[3][2], iss_simd_uaddlp[3][2], iss_simd_sadalp[3][2], iss_simd_uadalp[3][2];

/* exec_simd_permute.c */
extern const iss_exec_fn iss_simd_ins_general[4]; /* [size]; insn->imm: the lane */
extern const iss_exec_fn iss_simd_ins_element[4]; /* [size]; insn->imm: Vd's lane, imm2: Vn's */
extern const iss_exec_fn iss_simd_umov[4];        /* [size] */
extern const iss_exec_fn iss_simd_smov[2][4];     /* [to X][size] */
extern const iss_exec_fn iss_simd_movi[2];        /* [Q]; insn->imm: the 64-bit pattern (MOVI, MVNI, FMOV) */
extern const iss_exec_fn iss_simd_orr_imm[2];
extern const iss_exec_fn iss_simd_bic_imm[2];
extern const iss_exec_fn iss_simd_zip1[4][2], iss_simd_zip2[4][2]; /* [size][Q] */
extern const iss_exec_fn iss_simd_uzp1[4][2], iss_simd_uzp2[4][2];
extern const iss_exec_fn iss_simd_trn1[4][2], iss_simd_trn2[4][2];
extern const iss_exec_fn iss_simd_ext[2];    /* [Q]; insn->imm: the first byte */
extern const iss_exec_fn iss_simd_tbl[2][2]; /* [TBX][Q]; insn->amount: table registers */

/* exec_simd_fp.c: [sz][form], sz 0 for single, 1 for double precision. */
#define FP_TABLE(name) extern const iss_exec_fn name[2][3]
FP_TABLE(iss_simd_fadd);
FP_TABLE(iss_simd_fsub);
FP_TABLE(iss_simd_fmul);
FP_TABLE(iss_simd_fmulx);
FP_TABLE(iss_simd_fdiv);
FP_TABLE(iss_simd_fmax);
FP_TABLE(iss_simd_fmin);
FP_TABLE(iss_simd_fmaxnm);
FP_TABLE(iss_simd_fminnm);
FP_TABLE(iss_simd_fmla);
FP_TABLE(iss_simd_fmls);
FP_TABLE(iss_simd_fabd);
FP_TABLE(iss_simd_frecps);
FP_TABLE(iss_simd_frsqrts);
FP_TABLE(iss_simd_fcmeq);
FP_TABLE(iss_simd_fcmge);
FP_TABLE(iss_simd_fcmgt);
FP_TABLE(iss_simd_facge);
FP_TABLE(iss_simd_facgt);
FP_TABLE(iss_simd_faddp); /* the scalar form pairs Vn's two lanes */
FP_TABLE(iss_simd_fmaxp);
FP_TABLE(iss_simd_fminp);
FP_TABLE(iss_simd_fmaxnmp);
FP_TABLE(iss_simd_fminnmp);
FP_TABLE(iss_simd_fmul_elem); /* by element: insn->imm is Vm's lane */
FP_TABLE(iss_simd_fmulx_elem);
FP_TABLE(iss_simd_fmla_elem);
FP_TABLE(iss_simd_fmls_elem);
FP_TABLE(iss_simd_fabs);
FP_TABLE(iss_simd_fneg);
FP_TABLE(iss_simd_fsqrt);
FP_TABLE(iss_simd_frecpe);
FP_TABLE(iss_simd_frsqrte);
FP_TABLE(iss_simd_frecpx);
FP_TABLE(iss_simd_fcmgt0);
FP_TABLE(iss_simd_fcmge0);
FP_TABLE(iss_simd_fcmeq0);
FP_TABLE(iss_simd_fcmle0);
FP_TABLE(iss_simd_fcmlt0);
/* insn->cond: the enum fp_rounding or FP_ROUND_FPCR; insn->amount: fraction bits */
FP_TABLE(iss_simd_frint);
FP_TABLE(iss_simd_frintx);
FP_TABLE(iss_simd_fcvts);
FP_TABLE(iss_simd_fcvtu);
FP_TABLE(iss_simd_scvtf);
FP_TABLE(iss_simd_ucvtf);
#undef FP_TABLE
#define FP_ROUND_FPCR 0xff
extern const iss_exec_fn iss_simd_urecpe[2];   /* [Q] */
extern const iss_exec_fn iss_simd_ursqrte[2];  /* [Q] */
extern const iss_exec_fn iss_simd_fcvtl[2][2]; /* [sz][part] */
extern const iss_exec_fn iss_simd_fcvtn[2][2]; /* [sz][part] */
extern const iss_exec_fn iss_simd_fcvtxn[3];   /* [form] */
ISS_HANDLER(iss_simd_fmaxv);                   /* 4S */
ISS_HANDLER(iss_simd_fminv);
ISS_HANDLER(iss_simd_fmaxnmv);
ISS_HANDLER(iss_simd_fminnmv);

#endif
