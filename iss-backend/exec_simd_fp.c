/*
 * AdvSIMD floating point on 32- and 64-bit lanes, vector and scalar forms, on top of fp.h.
 * Tables are [sz][form] (sz 0: single, 1: double; form as in simd_handlers.h, the 64-bit
 * vector of doubles unallocated). OP(U, S, a, b, o) as in exec_simd_lanes.h; ESIZE(U) is
 * the precision.
 */
#include "exec_simd_lanes.h"
#include "fp.h"

/* The lane loops of exec_simd_lanes.h on single and double lanes. */
#define FP_FORMS(KIND, name, OP)                                                                                       \
	KIND(name##_2s, uint32_t, int32_t, s, 2, OP)                                                                   \
	KIND(name##_4s, uint32_t, int32_t, s, 4, OP)                                                                   \
	KIND(name##_1s, uint32_t, int32_t, s, 1, OP)                                                                   \
	KIND(name##_2d, uint64_t, int64_t, d, 2, OP)                                                                   \
	KIND(name##_1d, uint64_t, int64_t, d, 1, OP)                                                                   \
	const iss_exec_fn name[2][3] = {{name##_2s, name##_4s, name##_1s}, {NULL, name##_2d, name##_1d}};

#define FP_MASK(cond) (-(uint64_t)(cond))

/* ---- Three same ---- */
#define F_ADD(U, S, a, b, o)    fp_add(cpu, a, b, ESIZE(U))
#define F_SUB(U, S, a, b, o)    fp_sub(cpu, a, b, ESIZE(U))
#define F_MUL(U, S, a, b, o)    fp_mul(cpu, a, b, ESIZE(U))
#define F_MULX(U, S, a, b, o)   fp_mulx(cpu, a, b, ESIZE(U))
#define F_DIV(U, S, a, b, o)    fp_div(cpu, a, b, ESIZE(U))
#define F_MAX(U, S, a, b, o)    fp_max(cpu, a, b, ESIZE(U))
#define F_MIN(U, S, a, b, o)    fp_min(cpu, a, b, ESIZE(U))
#define F_MAXNM(U, S, a, b, o)  fp_maxnm(cpu, a, b, ESIZE(U))
#define F_MINNM(U, S, a, b, o)  fp_minnm(cpu, a, b, ESIZE(U))
#define F_MLA(U, S, a, b, o)    fp_muladd(cpu, o, a, b, ESIZE(U))
#define F_MLS(U, S, a, b, o)    fp_muladd(cpu, o, fp_neg(a, ESIZE(U)), b, ESIZE(U))
#define F_ABD(U, S, a, b, o)    fp_abs(fp_sub(cpu, a, b, ESIZE(U)), ESIZE(U))
#define F_RECPS(U, S, a, b, o)  fp_recip_step(cpu, a, b, ESIZE(U))
#define F_RSQRTS(U, S, a, b, o) fp_rsqrt_step(cpu, a, b, ESIZE(U))
#define F_CMEQ(U, S, a, b, o)   FP_MASK(fp_compare_eq(cpu, a, b, ESIZE(U)))
#define F_CMGE(U, S, a, b, o)   FP_MASK(fp_compare_ge(cpu, a, b, ESIZE(U)))
#define F_CMGT(U, S, a, b, o)   FP_MASK(fp_compare_gt(cpu, a, b, ESIZE(U)))
#define F_ACGE(U, S, a, b, o)   FP_MASK(fp_compare_ge(cpu, fp_abs(a, ESIZE(U)), fp_abs(b, ESIZE(U)), ESIZE(U)))
#define F_ACGT(U, S, a, b, o)   FP_MASK(fp_compare_gt(cpu, fp_abs(a, ESIZE(U)), fp_abs(b, ESIZE(U)), ESIZE(U)))

FP_FORMS(LANEWISE, iss_simd_fadd, F_ADD)
FP_FORMS(LANEWISE, iss_simd_fsub, F_SUB)
FP_FORMS(LANEWISE, iss_simd_fmul, F_MUL)
FP_FORMS(LANEWISE, iss_simd_fmulx, F_MULX)
FP_FORMS(LANEWISE, iss_simd_fdiv, F_DIV)
FP_FORMS(LANEWISE, iss_simd_fmax, F_MAX)
FP_FORMS(LANEWISE, iss_simd_fmin, F_MIN)
FP_FORMS(LANEWISE, iss_simd_fmaxnm, F_MAXNM)
FP_FORMS(LANEWISE, iss_simd_fminnm, F_MINNM)
FP_FORMS(LANEWISE, iss_simd_fmla, F_MLA)
FP_FORMS(LANEWISE, iss_simd_fmls, F_MLS)
FP_FORMS(LANEWISE, iss_simd_fabd, F_ABD)
FP_FORMS(LANEWISE, iss_simd_frecps, F_RECPS)
FP_FORMS(LANEWISE, iss_simd_frsqrts, F_RSQRTS)
FP_FORMS(LANEWISE, iss_simd_fcmeq, F_CMEQ)
FP_FORMS(LANEWISE, iss_simd_fcmge, F_CMGE)
FP_FORMS(LANEWISE, iss_simd_fcmgt, F_CMGT)
FP_FORMS(LANEWISE, iss_simd_facge, F_ACGE)
FP_FORMS(LANEWISE, iss_simd_facgt, F_ACGT)
FP_FORMS(PAIRWISE, iss_simd_faddp, F_ADD)
FP_FORMS(PAIRWISE, iss_simd_fmaxp, F_MAX)
FP_FORMS(PAIRWISE, iss_simd_fminp, F_MIN)
FP_FORMS(PAIRWISE, iss_simd_fmaxnmp, F_MAXNM)
FP_FORMS(PAIRWISE, iss_simd_fminnmp, F_MINNM)
FP_FORMS(BY_ELEMENT, iss_simd_fmul_elem, F_MUL)
FP_FORMS(BY_ELEMENT, iss_simd_fmulx_elem, F_MULX)
FP_FORMS(BY_ELEMENT, iss_simd_fmla_elem, F_MLA)
FP_FORMS(BY_ELEMENT, iss_simd_fmls_elem, F_MLS)

/* ---- Two-register misc ---- */
#define F_ABS(U, S, a, b, o)    fp_abs(a, ESIZE(U))
#define F_NEG(U, S, a, b, o)    fp_neg(a, ESIZE(U))
#define F_SQRT(U, S, a, b, o)   fp_sqrt(cpu, a, ESIZE(U))
#define F_RECPE(U, S, a, b, o)  fp_recip_estimate(cpu, a, ESIZE(U))
#define F_RSQRTE(U, S, a, b, o) fp_rsqrt_estimate(cpu, a, ESIZE(U))
#define F_RECPX(U, S, a, b, o)  fp_recip_exponent(cpu, a, ESIZE(U))
#define F_CMGT0(U, S, a, b, o)  FP_MASK(fp_compare_gt(cpu, a, 0, ESIZE(U)))
#define F_CMGE0(U, S, a, b, o)  FP_MASK(fp_compare_ge(cpu, a, 0, ESIZE(U)))
#define F_CMEQ0(U, S, a, b, o)  FP_MASK(fp_compare_eq(cpu, a, 0, ESIZE(U)))
#define F_CMLE0(U, S, a, b, o)  FP_MASK(fp_compare_ge(cpu, 0, a, ESIZE(U)))
#define F_CMLT0(U, S, a, b, o)  FP_MASK(fp_compare_gt(cpu, 0, a, ESIZE(U)))

FP_FORMS(LANEWISE, iss_simd_fabs, F_ABS)
FP_FORMS(LANEWISE, iss_simd_fneg, F_NEG)
FP_FORMS(LANEWISE, iss_simd_fsqrt, F_SQRT)
FP_FORMS(LANEWISE, iss_simd_frecpe, F_RECPE)
FP_FORMS(LANEWISE, iss_simd_frsqrte, F_RSQRTE)
FP_FORMS(LANEWISE, iss_simd_frecpx, F_RECPX)
FP_FORMS(LANEWISE, iss_simd_fcmgt0, F_CMGT0)
FP_FORMS(LANEWISE, iss_simd_fcmge0, F_CMGE0)
FP_FORMS(LANEWISE, iss_simd_fcmeq0, F_CMEQ0)
FP_FORMS(LANEWISE, iss_simd_fcmle0, F_CMLE0)
FP_FORMS(LANEWISE, iss_simd_fcmlt0, F_CMLT0)

/* Rounding and conversions: insn->cond is the enum fp_rounding, or FP_ROUND_FPCR for FPCR's;
 * insn->amount the fraction bits of the fixed-point forms. */
static inline enum fp_rounding rounding_of(const struct iss *cpu, const struct iss_insn *insn)
{
	return insn->cond == FP_ROUND_FPCR ? fp_current_rounding(cpu) : (enum fp_rounding)insn->cond;
}

#define F_RINT(U, S, a, b, o)  fp_round_integral(cpu, a, ESIZE(U), rounding_of(cpu, insn), false)
#define F_RINTX(U, S, a, b, o) fp_round_integral(cpu, a, ESIZE(U), rounding_of(cpu, insn), true)
#define F_CVTS(U, S, a, b, o)  fp_to_fixed(cpu, a, ESIZE(U), ESIZE(U), insn->amount, false, rounding_of(cpu, insn))
#define F_CVTU(U, S, a, b, o)  fp_to_fixed(cpu, a, ESIZE(U), ESIZE(U), insn->amount, true, rounding_of(cpu, insn))
#define F_SCVTF(U, S, a, b, o) fp_from_fixed(cpu, a, ESIZE(U), insn->amount, false, ESIZE(U))
#define F_UCVTF(U, S, a, b, o) fp_from_fixed(cpu, a, ESIZE(U), insn->amount, true, ESIZE(U))

FP_FORMS(LANEWISE, iss_simd_frint, F_RINT)
FP_FORMS(LANEWISE, iss_simd_frintx, F_RINTX)
FP_FORMS(LANEWISE, iss_simd_fcvts, F_CVTS)
FP_FORMS(LANEWISE, iss_simd_fcvtu, F_CVTU)
FP_FORMS(LANEWISE, iss_simd_scvtf, F_SCVTF)
FP_FORMS(LANEWISE, iss_simd_ucvtf, F_UCVTF)

/* URECPE: UnsignedRecipEstimate() of the Arm ARM on 32-bit lanes. */
static inline uint64_t unsigned_recip_estimate(uint64_t a)
{
	uint64_t scaled, quotient;

	if (!(a >> 31))
		return 0xffffffff;
	scaled = (a >> 23) * 2 + 1; /* 9 bits, top bit set */
	quotient = (1ull << 19) / scaled;
	return ((quotient + 1) / 2) << 23;
}

/* URSQRTE: UnsignedRSqrtEstimate() and RecipSqrtEstimate() of the Arm ARM on 32-bit lanes. */
static inline uint64_t unsigned_rsqrt_estimate(uint64_t a)
{
	uint64_t scaled = a >> 23, b = 512;

	if (!(a >> 30))
		return 0xffffffff;
	if (scaled < 256)
		scaled = scaled * 2 + 1; /* 0.25 <= x < 0.5, in units of 1/512 */
	else
		scaled = ((scaled >> 1 << 1) + 1) * 2; /* 0.5 <= x < 1, bottom bit dropped, units of 1/512 */
	while (scaled * (b + 1) * (b + 1) < (1ull << 28))
		b++;
	return ((b + 1) / 2) << 23;
}

#define F_URECPE(U, S, a, b, o)  unsigned_recip_estimate(a)
#define F_URSQRTE(U, S, a, b, o) unsigned_rsqrt_estimate(a)
LANEWISE(urecpe_2s, uint32_t, int32_t, s, 2, F_URECPE)
LANEWISE(urecpe_4s, uint32_t, int32_t, s, 4, F_URECPE)
LANEWISE(ursqrte_2s, uint32_t, int32_t, s, 2, F_URSQRTE)
LANEWISE(ursqrte_4s, uint32_t, int32_t, s, 4, F_URSQRTE)
const iss_exec_fn iss_simd_urecpe[2] = {urecpe_2s, urecpe_4s};
const iss_exec_fn iss_simd_ursqrte[2] = {ursqrte_2s, ursqrte_4s};

/* FCVTL, FCVTN, FCVTXN: [sz][part]; sz 0 converts between half and single, 1 single and double. */
#define FP_WIDEN(fn, NU, nf, WU, wf, from, to, lanes, part)                                                            \
	static ISS_HANDLER(fn)                                                                                         \
	{                                                                                                              \
		union iss_vreg n, r = {{0}};                                                                           \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		n = cpu->v[insn->rn];                                                                                  \
		for (unsigned i = 0; i < (lanes); i++)                                                                 \
			r.wf[i] = (WU)fp_convert(cpu, n.nf[(part) * (lanes) + i], from, to, fp_current_rounding(cpu)); \
		cpu->v[insn->rd] = r;                                                                                  \
		iss_advance(cpu, insn);                                                                                \
	}

#define FP_NARROW(fn, NU, nf, WU, wf, from, to, lanes, part, rounding)                                                 \
	static ISS_HANDLER(fn)                                                                                         \
	{                                                                                                              \
		union iss_vreg n, r = {{0}};                                                                           \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		n = cpu->v[insn->rn];                                                                                  \
		if (part)                                                                                              \
			r.d[0] = cpu->v[insn->rd].d[0];                                                                \
		for (unsigned i = 0; i < (lanes); i++)                                                                 \
			r.nf[(part) * (lanes) + i] = (NU)fp_convert(cpu, n.wf[i], from, to, rounding);                 \
		cpu->v[insn->rd] = r;                                                                                  \
		iss_advance(cpu, insn);                                                                                \
	}

FP_WIDEN(fcvtl_4h, uint16_t, h, uint32_t, s, 16, 32, 4, 0)
FP_WIDEN(fcvtl_8h, uint16_t, h, uint32_t, s, 16, 32, 4, 1)
FP_WIDEN(fcvtl_2s, uint32_t, s, uint64_t, d, 32, 64, 2, 0)
FP_WIDEN(fcvtl_4s, uint32_t, s, uint64_t, d, 32, 64, 2, 1)
FP_NARROW(fcvtn_4h, uint16_t, h, uint32_t, s, 32, 16, 4, 0, fp_current_rounding(cpu))
FP_NARROW(fcvtn_8h, uint16_t, h, uint32_t, s, 32, 16, 4, 1, fp_current_rounding(cpu))
FP_NARROW(fcvtn_2s, uint32_t, s, uint64_t, d, 64, 32, 2, 0, fp_current_rounding(cpu))
FP_NARROW(fcvtn_4s, uint32_t, s, uint64_t, d, 64, 32, 2, 1, fp_current_rounding(cpu))
FP_NARROW(fcvtxn_2s, uint32_t, s, uint64_t, d, 64, 32, 2, 0, FP_ROUND_ODD)
FP_NARROW(fcvtxn_4s, uint32_t, s, uint64_t, d, 64, 32, 2, 1, FP_ROUND_ODD)
FP_NARROW(fcvtxn_1s, uint32_t, s, uint64_t, d, 64, 32, 1, 0, FP_ROUND_ODD)

const iss_exec_fn iss_simd_fcvtl[2][2] = {{fcvtl_4h, fcvtl_8h}, {fcvtl_2s, fcvtl_4s}};
const iss_exec_fn iss_simd_fcvtn[2][2] = {{fcvtn_4h, fcvtn_8h}, {fcvtn_2s, fcvtn_4s}};
const iss_exec_fn iss_simd_fcvtxn[3] = {fcvtxn_2s, fcvtxn_4s, fcvtxn_1s};

/* ---- Across lanes (4S): Arm's Reduce() pairs the halves recursively ---- */
#define FP_REDUCE(fn, OP)                                                                                              \
	ISS_HANDLER(fn)                                                                                                \
	{                                                                                                              \
		union iss_vreg n, r = {{0}};                                                                           \
		uint64_t low, high;                                                                                    \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		n = cpu->v[insn->rn];                                                                                  \
		low = OP(uint32_t, int32_t, n.s[0], n.s[1], 0);                                                        \
		high = OP(uint32_t, int32_t, n.s[2], n.s[3], 0);                                                       \
		r.s[0] = (uint32_t)OP(uint32_t, int32_t, low, high, 0);                                                \
		cpu->v[insn->rd] = r;                                                                                  \
		iss_advance(cpu, insn);                                                                                \
	}

FP_REDUCE(iss_simd_fmaxv, F_MAX)
FP_REDUCE(iss_simd_fminv, F_MIN)
FP_REDUCE(iss_simd_fmaxnmv, F_MAXNM)
FP_REDUCE(iss_simd_fminnmv, F_MINNM)
