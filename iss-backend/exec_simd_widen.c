/*
 * AdvSIMD operations between lanes of two widths: three different (long, wide, narrow-high),
 * pairwise long adds, extracting narrows and narrowing shifts, long shifts and long multiplies
 * by element. Tables are [narrow lane size][part]: part 1 is the "2" form, which reads or
 * writes the upper half of the 128-bit register (a narrowing "2" form keeps the lower half of Vd).
 * OP(WU, WS, a, b, o) works on lanes already extended to the wide type.
 */
#include "exec_simd_lanes.h"

enum { SHAPE_LONG, SHAPE_WIDE, SHAPE_ELEMENT };

/* Extends narrow lane x to the wide unsigned type, as signed when `sgn`. */
#define EXTEND(WU, S, sgn, x) ((sgn) ? (WU)(S)(x) : (WU)(x))

/* Vd.W[i] = OP(a, b, Vd.W[i]) for the 64 / esize wide lanes. */
#define WIDEN(fn, U, S, f, WU, WS, wf, lanes, part, sgn, shape, OP)                                                    \
	static ISS_HANDLER(fn)                                                                                         \
	{                                                                                                              \
		union iss_vreg n, m, d, r = {{0}};                                                                     \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		n = cpu->v[insn->rn];                                                                                  \
		m = cpu->v[insn->rm];                                                                                  \
		d = cpu->v[insn->rd];                                                                                  \
		(void)d;                                                                                               \
		for (unsigned i = 0; i < (lanes); i++) {                                                               \
			unsigned k = (part) * (lanes) + i;                                                             \
			WU a = (shape) == SHAPE_WIDE ? n.wf[i] : EXTEND(WU, S, sgn, n.f[k]);                           \
			WU b = EXTEND(WU, S, sgn, m.f[(shape) == SHAPE_ELEMENT ? insn->imm : k]);                      \
			(void)b;                                                                                       \
			r.wf[i] = (WU)(OP(WU, WS, a, b, d.wf[i]));                                                     \
		}                                                                                                      \
		cpu->v[insn->rd] = r;                                                                                  \
		iss_advance(cpu, insn);                                                                                \
	}

#define WIDEN_FORMS(name, sgn, shape, OP)                                                                              \
	WIDEN(name##_8b, uint8_t, int8_t, b, uint16_t, int16_t, h, 8, 0, sgn, shape, OP)                               \
	WIDEN(name##_16b, uint8_t, int8_t, b, uint16_t, int16_t, h, 8, 1, sgn, shape, OP)                              \
	WIDEN(name##_4h, uint16_t, int16_t, h, uint32_t, int32_t, s, 4, 0, sgn, shape, OP)                             \
	WIDEN(name##_8h, uint16_t, int16_t, h, uint32_t, int32_t, s, 4, 1, sgn, shape, OP)                             \
	WIDEN(name##_2s, uint32_t, int32_t, s, uint64_t, int64_t, d, 2, 0, sgn, shape, OP)                             \
	WIDEN(name##_4s, uint32_t, int32_t, s, uint64_t, int64_t, d, 2, 1, sgn, shape, OP)                             \
	WIDEN(name##_1b, uint8_t, int8_t, b, uint16_t, int16_t, h, 1, 0, sgn, shape, OP)                               \
	WIDEN(name##_1h, uint16_t, int16_t, h, uint32_t, int32_t, s, 1, 0, sgn, shape, OP)                             \
	WIDEN(name##_1s, uint32_t, int32_t, s, uint64_t, int64_t, d, 1, 0, sgn, shape, OP)                             \
	const iss_exec_fn name[3][3] = {                                                                               \
	    {name##_8b, name##_16b, name##_1b}, {name##_4h, name##_8h, name##_1h}, {name##_2s, name##_4s, name##_1s}};

/* The signed and unsigned tables of one long operation. */
#define WIDEN_PAIR(sname, uname, shape, OP)                                                                            \
	WIDEN_FORMS(sname, 1, shape, OP)                                                                               \
	WIDEN_FORMS(uname, 0, shape, OP)

static inline uint64_t pmull8(uint64_t a, uint64_t b)
{
	uint64_t r = 0;

	for (unsigned i = 0; i < 8; i++)
		if ((b >> i) & 1)
			r ^= a << i;
	return r;
}

#define W_ADD(WU, WS, a, b, o)  ((a) + (b))
#define W_SUB(WU, WS, a, b, o)  ((a) - (b))
#define W_MUL(WU, WS, a, b, o)  ((uint64_t)(a) * (b))
#define W_MLA(WU, WS, a, b, o)  ((o) + (uint64_t)(a) * (b))
#define W_MLS(WU, WS, a, b, o)  ((o) - (uint64_t)(a) * (b))
#define W_ABD(WU, WS, a, b, o)  ((WS)(a) > (WS)(b) ? (a) - (b) : (b) - (a))
#define W_UABD(WU, WS, a, b, o) ((a) > (b) ? (a) - (b) : (b) - (a))
#define W_ABA(WU, WS, a, b, o)  ((o) + W_ABD(WU, WS, a, b, o))
#define W_UABA(WU, WS, a, b, o) ((o) + W_UABD(WU, WS, a, b, o))
#define W_PMUL(WU, WS, a, b, o) pmull8(a, b)
#define W_SHL(WU, WS, a, b, o)  ((uint64_t)(a) << insn->amount)

WIDEN_PAIR(iss_simd_saddl, iss_simd_uaddl, SHAPE_LONG, W_ADD)
WIDEN_PAIR(iss_simd_ssubl, iss_simd_usubl, SHAPE_LONG, W_SUB)
WIDEN_PAIR(iss_simd_saddw, iss_simd_uaddw, SHAPE_WIDE, W_ADD)
WIDEN_PAIR(iss_simd_ssubw, iss_simd_usubw, SHAPE_WIDE, W_SUB)
WIDEN_PAIR(iss_simd_smull, iss_simd_umull, SHAPE_LONG, W_MUL)
WIDEN_PAIR(iss_simd_smlal, iss_simd_umlal, SHAPE_LONG, W_MLA)
WIDEN_PAIR(iss_simd_smlsl, iss_simd_umlsl, SHAPE_LONG, W_MLS)
WIDEN_FORMS(iss_simd_sabdl, 1, SHAPE_LONG, W_ABD)
WIDEN_FORMS(iss_simd_uabdl, 0, SHAPE_LONG, W_UABD)
WIDEN_FORMS(iss_simd_sabal, 1, SHAPE_LONG, W_ABA)
WIDEN_FORMS(iss_simd_uabal, 0, SHAPE_LONG, W_UABA)
WIDEN_FORMS(iss_simd_pmull, 0, SHAPE_LONG, W_PMUL)
WIDEN_PAIR(iss_simd_sshll, iss_simd_ushll, SHAPE_LONG, W_SHL)
WIDEN_PAIR(iss_simd_smull_elem, iss_simd_umull_elem, SHAPE_ELEMENT, W_MUL)

/* SQDMULL, SQDMLAL, SQDMLSL: 2 * a * b saturated to the wide lane, then the saturating sum. */
static inline int64_t doubling_product(struct iss *cpu, int64_t a, int64_t b, unsigned wide_size)
{
	__int128 product = (__int128)a * b * 2;

	if (product > (__int128)signed_max(wide_size)) { /* only MIN * MIN */
		cpu->fpsr |= FPSR_QC;
		return signed_max(wide_size);
	}
	return (int64_t)product;
}

#define WSIZE_OF(WU)               ((unsigned)(8 * sizeof(WU)))
#define W_SQDMULL(WU, WS, a, b, o) doubling_product(cpu, (WS)(a), (WS)(b), WSIZE_OF(WU))
#define W_SQDMLAL(WU, WS, a, b, o)                                                                                     \
	sat_add_signed(cpu, (WS)(o), doubling_product(cpu, (WS)(a), (WS)(b), WSIZE_OF(WU)), WSIZE_OF(WU))
#define W_SQDMLSL(WU, WS, a, b, o)                                                                                     \
	sat_sub_signed(cpu, (WS)(o), doubling_product(cpu, (WS)(a), (WS)(b), WSIZE_OF(WU)), WSIZE_OF(WU))

WIDEN_FORMS(iss_simd_sqdmull, 1, SHAPE_LONG, W_SQDMULL)
WIDEN_FORMS(iss_simd_sqdmlal, 1, SHAPE_LONG, W_SQDMLAL)
WIDEN_FORMS(iss_simd_sqdmlsl, 1, SHAPE_LONG, W_SQDMLSL)
WIDEN_FORMS(iss_simd_sqdmull_elem, 1, SHAPE_ELEMENT, W_SQDMULL)
WIDEN_FORMS(iss_simd_sqdmlal_elem, 1, SHAPE_ELEMENT, W_SQDMLAL)
WIDEN_FORMS(iss_simd_sqdmlsl_elem, 1, SHAPE_ELEMENT, W_SQDMLSL)
WIDEN_PAIR(iss_simd_smlal_elem, iss_simd_umlal_elem, SHAPE_ELEMENT, W_MLA)
WIDEN_PAIR(iss_simd_smlsl_elem, iss_simd_umlsl_elem, SHAPE_ELEMENT, W_MLS)

/*
 * Narrowing: Vd.N[part * lanes + i] = OP(Vn.W[i], Vm.W[i]); the "2" forms keep Vd's lower half.
 * OP(U, S, a, b) gets the wide lanes as uint64_t and returns the narrow lane.
 */
#define NARROW(fn, U, S, f, WU, WS, wf, lanes, part, OP)                                                               \
	static ISS_HANDLER(fn)                                                                                         \
	{                                                                                                              \
		union iss_vreg n, m, r = {{0}};                                                                        \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		n = cpu->v[insn->rn];                                                                                  \
		m = cpu->v[insn->rm];                                                                                  \
		if (part)                                                                                              \
			r.d[0] = cpu->v[insn->rd].d[0];                                                                \
		for (unsigned i = 0; i < (lanes); i++) {                                                               \
			uint64_t a = n.wf[i], b = m.wf[i];                                                             \
			(void)b;                                                                                       \
			r.f[(part) * (lanes) + i] = (U)(OP(U, S, WS, a, b));                                           \
		}                                                                                                      \
		cpu->v[insn->rd] = r;                                                                                  \
		iss_advance(cpu, insn);                                                                                \
	}

#define NARROW_FORMS(name, OP)                                                                                         \
	NARROW(name##_8b, uint8_t, int8_t, b, uint16_t, int16_t, h, 8, 0, OP)                                          \
	NARROW(name##_16b, uint8_t, int8_t, b, uint16_t, int16_t, h, 8, 1, OP)                                         \
	NARROW(name##_4h, uint16_t, int16_t, h, uint32_t, int32_t, s, 4, 0, OP)                                        \
	NARROW(name##_8h, uint16_t, int16_t, h, uint32_t, int32_t, s, 4, 1, OP)                                        \
	NARROW(name##_2s, uint32_t, int32_t, s, uint64_t, int64_t, d, 2, 0, OP)                                        \
	NARROW(name##_4s, uint32_t, int32_t, s, uint64_t, int64_t, d, 2, 1, OP)                                        \
	NARROW(name##_1b, uint8_t, int8_t, b, uint16_t, int16_t, h, 1, 0, OP)                                          \
	NARROW(name##_1h, uint16_t, int16_t, h, uint32_t, int32_t, s, 1, 0, OP)                                        \
	NARROW(name##_1s, uint32_t, int32_t, s, uint64_t, int64_t, d, 1, 0, OP)                                        \
	const iss_exec_fn name[3][3] = {                                                                               \
	    {name##_8b, name##_16b, name##_1b}, {name##_4h, name##_8h, name##_1h}, {name##_2s, name##_4s, name##_1s}};

#define WSX(WS, a)    ((int64_t)(WS)(a)) /* a wide lane sign-extended */
#define NSIZE(U)      ESIZE(U)
#define HALF_ROUND(U) (1ull << (ESIZE(U) - 1))

#define N_XTN(U, S, WS, a, b)      (a)
#define N_SQXTN(U, S, WS, a, b)    saturate_signed(cpu, WSX(WS, a), NSIZE(U))
#define N_UQXTN(U, S, WS, a, b)    saturate_unsigned(cpu, a, NSIZE(U))
#define N_SQXTUN(U, S, WS, a, b)   saturate_signed_to_unsigned(cpu, WSX(WS, a), NSIZE(U))
#define N_ADDHN(U, S, WS, a, b)    (((a) + (b)) >> NSIZE(U))
#define N_SUBHN(U, S, WS, a, b)    (((a) - (b)) >> NSIZE(U))
#define N_RADDHN(U, S, WS, a, b)   (((a) + (b) + HALF_ROUND(U)) >> NSIZE(U))
#define N_RSUBHN(U, S, WS, a, b)   (((a) - (b) + HALF_ROUND(U)) >> NSIZE(U))
#define N_SHRN(U, S, WS, a, b)     ((a) >> insn->amount)
#define N_RSHRN(U, S, WS, a, b)    urshr64(a, insn->amount)
#define N_SQSHRN(U, S, WS, a, b)   saturate_signed(cpu, asr64(WSX(WS, a), insn->amount), NSIZE(U))
#define N_SQRSHRN(U, S, WS, a, b)  saturate_signed(cpu, srshr64(WSX(WS, a), insn->amount), NSIZE(U))
#define N_UQSHRN(U, S, WS, a, b)   saturate_unsigned(cpu, (a) >> insn->amount, NSIZE(U))
#define N_UQRSHRN(U, S, WS, a, b)  saturate_unsigned(cpu, urshr64(a, insn->amount), NSIZE(U))
#define N_SQSHRUN(U, S, WS, a, b)  saturate_signed_to_unsigned(cpu, asr64(WSX(WS, a), insn->amount), NSIZE(U))
#define N_SQRSHRUN(U, S, WS, a, b) saturate_signed_to_unsigned(cpu, srshr64(WSX(WS, a), insn->amount), NSIZE(U))

NARROW_FORMS(iss_simd_xtn, N_XTN)
NARROW_FORMS(iss_simd_sqxtn, N_SQXTN)
NARROW_FORMS(iss_simd_uqxtn, N_UQXTN)
NARROW_FORMS(iss_simd_sqxtun, N_SQXTUN)
NARROW_FORMS(iss_simd_addhn, N_ADDHN)
NARROW_FORMS(iss_simd_subhn, N_SUBHN)
NARROW_FORMS(iss_simd_raddhn, N_RADDHN)
NARROW_FORMS(iss_simd_rsubhn, N_RSUBHN)
NARROW_FORMS(iss_simd_shrn, N_SHRN)
NARROW_FORMS(iss_simd_rshrn, N_RSHRN)
NARROW_FORMS(iss_simd_sqshrn, N_SQSHRN)
NARROW_FORMS(iss_simd_sqrshrn, N_SQRSHRN)
NARROW_FORMS(iss_simd_uqshrn, N_UQSHRN)
NARROW_FORMS(iss_simd_uqrshrn, N_UQRSHRN)
NARROW_FORMS(iss_simd_sqshrun, N_SQSHRUN)
NARROW_FORMS(iss_simd_sqrshrun, N_SQRSHRUN)

/* SADDLP, UADDLP, SADALP, UADALP: adjacent pairs summed into lanes of twice the width, [size][Q]. */
#define ADD_PAIRS(fn, U, S, f, WU, wf, lanes, sgn, accumulate)                                                         \
	static ISS_HANDLER(fn)                                                                                         \
	{                                                                                                              \
		union iss_vreg n, d, r = {{0}};                                                                        \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		n = cpu->v[insn->rn];                                                                                  \
		d = cpu->v[insn->rd];                                                                                  \
		(void)d;                                                                                               \
		for (unsigned i = 0; i < (lanes); i++) {                                                               \
			WU sum = (WU)(EXTEND(WU, S, sgn, n.f[2 * i]) + EXTEND(WU, S, sgn, n.f[2 * i + 1]));            \
			r.wf[i] = (WU)((accumulate) ? d.wf[i] + sum : sum);                                            \
		}                                                                                                      \
		cpu->v[insn->rd] = r;                                                                                  \
		iss_advance(cpu, insn);                                                                                \
	}

#define ADD_PAIRS_FORMS(name, sgn, accumulate)                                                                         \
	ADD_PAIRS(name##_8b, uint8_t, int8_t, b, uint16_t, h, 4, sgn, accumulate)                                      \
	ADD_PAIRS(name##_16b, uint8_t, int8_t, b, uint16_t, h, 8, sgn, accumulate)                                     \
	ADD_PAIRS(name##_4h, uint16_t, int16_t, h, uint32_t, s, 2, sgn, accumulate)                                    \
	ADD_PAIRS(name##_8h, uint16_t, int16_t, h, uint32_t, s, 4, sgn, accumulate)                                    \
	ADD_PAIRS(name##_2s, uint32_t, int32_t, s, uint64_t, d, 1, sgn, accumulate)                                    \
	ADD_PAIRS(name##_4s, uint32_t, int32_t, s, uint64_t, d, 2, sgn, accumulate)                                    \
	const iss_exec_fn name[3][2] = {{name##_8b, name##_16b}, {name##_4h, name##_8h}, {name##_2s, name##_4s}};

ADD_PAIRS_FORMS(iss_simd_saddlp, 1, 0)
ADD_PAIRS_FORMS(iss_simd_uaddlp, 0, 0)
ADD_PAIRS_FORMS(iss_simd_sadalp, 1, 1)
ADD_PAIRS_FORMS(iss_simd_uadalp, 0, 1)
