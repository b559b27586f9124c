/*
 * Handlers of the scalar floating-point instructions and of the SIMD&FP loads and stores
 * (exec_fp.c, exec_fp_memory.c), for their decoder (decode_fp.c), and the scalar register
 * accessors they share. Every handler checks CPACR_EL1.FPEN first.
 *
 * Operands in struct iss_insn: rd, rn, rm, ra are V register numbers (X/W registers for the
 * general-register side of conversions and the base/index of loads and stores); `type` is the
 * floating-point size in bits (16, 32, 64).
 */
#ifndef QVP_ISS_FP_HANDLERS_H
#define QVP_ISS_FP_HANDLERS_H

#include "exception.h"
#include "exec_handlers.h"
#include "fp.h"
#include "iss_state.h"

static inline uint64_t fp_size_mask(unsigned size)
{
	return size >= 64 ? ~0ull : (1ull << size) - 1;
}

/* The low `size` bits of V[n]. */
static inline uint64_t read_scalar(const struct iss *cpu, unsigned n, unsigned size)
{
	return cpu->v[n].d[0] & fp_size_mask(size);
}

/* A scalar write: the value in the low `size` bits, the rest of the 128-bit register zeroed. */
static inline void write_scalar(struct iss *cpu, unsigned d, uint64_t value, unsigned size)
{
	cpu->v[d].d[0] = value & fp_size_mask(size);
	cpu->v[d].d[1] = 0;
}

/* The `cond` of FRINTI and FRINTX: the rounding mode FPCR selects when they execute. */
#define ROUNDING_FPCR 0xff

/* exec_fp.c: data processing; `cond` holds the rounding mode (FRINT*, FCVT*) or the condition. */
ISS_HANDLER(iss_exec_fmov_reg);
ISS_HANDLER(iss_exec_fabs);
ISS_HANDLER(iss_exec_fneg);
ISS_HANDLER(iss_exec_fsqrt);
ISS_HANDLER(iss_exec_fcvt);     /* type: from size, amount: to size */
ISS_HANDLER(iss_exec_frint);    /* cond: enum fp_rounding, or 0xff for FPCR's; nzcv: 1 for FRINTX */
ISS_HANDLER(iss_exec_fmov_imm); /* imm: the expanded constant */
ISS_HANDLER(iss_exec_fmul);
ISS_HANDLER(iss_exec_fdiv);
ISS_HANDLER(iss_exec_fadd);
ISS_HANDLER(iss_exec_fsub);
ISS_HANDLER(iss_exec_fmax);
ISS_HANDLER(iss_exec_fmin);
ISS_HANDLER(iss_exec_fmaxnm);
ISS_HANDLER(iss_exec_fminnm);
ISS_HANDLER(iss_exec_fnmul);
ISS_HANDLER(iss_exec_fmadd); /* ra: the addend */
ISS_HANDLER(iss_exec_fmsub);
ISS_HANDLER(iss_exec_fnmadd);
ISS_HANDLER(iss_exec_fnmsub);
ISS_HANDLER(iss_exec_fcmp);  /* amount: 1 compares with +0.0; nzcv: 1 for FCMPE */
ISS_HANDLER(iss_exec_fccmp); /* cond, nzcv: the flags when cond fails; amount: 1 for FCCMPE */
ISS_HANDLER(iss_exec_fcsel); /* cond */
/* Conversions: imm is the integer size (32, 64), amount the fraction bits, imm2 1 if unsigned. */
ISS_HANDLER(iss_exec_fcvt_to_int);     /* cond: enum fp_rounding; rd is an X register (zr_dest) */
ISS_HANDLER(iss_exec_int_to_fp);       /* rn is an X register (zr_source) */
ISS_HANDLER(iss_exec_fmov_to_general); /* imm: 64 for D, 32 for S; amount: 1 for V.D[1] */
ISS_HANDLER(iss_exec_fmov_from_general);

/*
 * exec_fp_memory.c: loads and stores of B, H, S, D and Q registers; type: bytes (1..16); the
 * register-offset form has the extend type in `cond` and the shift in `amount`.
 */
extern const iss_exec_fn iss_exec_fp_load_store[2][MODE_COUNT]; /* [load][mode] */
extern const iss_exec_fn iss_exec_fp_pair[2][3];                /* [load][offset, pre, post]; ra: Rt2 */
ISS_HANDLER(iss_exec_fp_load_literal);                          /* imm: PC offset */
/*
 * AdvSIMD structures. type: element bytes; amount: registers (selem); ra: repetitions (LD1 of
 * 2-4 registers); nzcv: element index (single structure); cond: flags STRUCT_*. Post-index: rm
 * is the index register, or REG_ZR with imm the byte count.
 */
enum {
	STRUCT_LOAD = 1,
	STRUCT_Q = 2,         /* 128-bit registers */
	STRUCT_SINGLE = 4,    /* one lane per register */
	STRUCT_REPLICATE = 8, /* LD1R-LD4R */
	STRUCT_POST = 16,
};
ISS_HANDLER(iss_exec_fp_structure);

#endif
