/* AdvSIMD integer lane-wise operations: three same, two-register misc, across lanes. */
#include "exec_simd_lanes.h"

#define MASK(cond) (-(uint64_t)(cond)) /* all ones when cond holds */

static inline uint64_t clz_lane(uint64_t a, unsigned esize)
{
	return a ? (uint64_t)__builtin_clzll(a) - (64 - esize) : esize;
}

/* Leading bits equal to the sign bit, the sign bit not counted. */
static inline uint64_t cls_lane(uint64_t a, unsigned esize)
{
	return clz_lane(((a >> 1) ^ a) & ones(esize - 1), esize - 1);
}

/* Carry-less multiply of two bytes, truncated to 8 bits (PMUL). */
static inline uint64_t pmul8(uint64_t a, uint64_t b)
{
	uint64_t r = 0;

	for (unsigned i = 0; i < 8; i++)
		if ((b >> i) & 1)
			r ^= a << i;
	return r & 0xff;
}

/* Register shifts (SSHL, USHL and their rounding and saturating forms): the count is the
 * signed low byte of the Vm lane, negative counts shift right. */
static inline uint64_t shl_reg_signed(struct iss *cpu, int64_t a, uint64_t b, unsigned esize, bool round, bool sat)
{
	int shift = (int8_t)(uint8_t)b;

	if (shift >= 0)
		return sat ? sat_shl_signed(cpu, a, (unsigned)shift, esize) : lsl64((uint64_t)a, (unsigned)shift);
	return (uint64_t)(round ? srshr64(a, (unsigned)-shift) : asr64(a, (unsigned)-shift));
}

static inline uint64_t shl_reg_unsigned(struct iss *cpu, uint64_t a, uint64_t b, unsigned esize, bool round, bool sat)
{
	int shift = (int8_t)(uint8_t)b;

	if (shift >= 0)
		return sat ? sat_shl_unsigned(cpu, a, (unsigned)shift, esize) : lsl64(a, (unsigned)shift);
	return round ? urshr64(a, (unsigned)-shift) : lsr64(a, (unsigned)-shift);
}

static inline uint64_t abs_diff_signed(int64_t a, int64_t b)
{
	return a > b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
}

static inline uint64_t abs_diff_unsigned(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

#define SX(S, a) ((int64_t)(S)(a)) /* a lane sign-extended */

/* ---- Three same ---- */
#define OP_ADD(U, S, a, b, o)    ((a) + (b))
#define OP_SUB(U, S, a, b, o)    ((a) - (b))
#define OP_MUL(U, S, a, b, o)    ((uint64_t)(a) * (b))
#define OP_MLA(U, S, a, b, o)    ((o) + (uint64_t)(a) * (b))
#define OP_MLS(U, S, a, b, o)    ((o) - (uint64_t)(a) * (b))
#define OP_PMUL(U, S, a, b, o)   pmul8(a, b)
#define OP_AND(U, S, a, b, o)    ((a) & (b))
#define OP_BIC(U, S, a, b, o)    ((a) & ~(b))
#define OP_ORR(U, S, a, b, o)    ((a) | (b))
#define OP_ORN(U, S, a, b, o)    ((a) | ~(b))
#define OP_EOR(U, S, a, b, o)    ((a) ^ (b))
#define OP_BSL(U, S, a, b, o)    (((o) & (a)) | (~(o) & (b)))
#define OP_BIT(U, S, a, b, o)    (((o) & ~(b)) | ((a) & (b)))
#define OP_BIF(U, S, a, b, o)    (((o) & (b)) | ((a) & ~(b)))
#define OP_CMGT(U, S, a, b, o)   MASK((S)(a) > (S)(b))
#define OP_CMGE(U, S, a, b, o)   MASK((S)(a) >= (S)(b))
#define OP_CMHI(U, S, a, b, o)   MASK((a) > (b))
#define OP_CMHS(U, S, a, b, o)   MASK((a) >= (b))
#define OP_CMEQ(U, S, a, b, o)   MASK((a) == (b))
#define OP_CMTST(U, S, a, b, o)  MASK(((a) & (b)) != 0)
#define OP_SMAX(U, S, a, b, o)   ((S)(a) > (S)(b) ? (a) : (b))
#define OP_SMIN(U, S, a, b, o)   ((S)(a) < (S)(b) ? (a) : (b))
#define OP_UMAX(U, S, a, b, o)   ((a) > (b) ? (a) : (b))
#define OP_UMIN(U, S, a, b, o)   ((a) < (b) ? (a) : (b))
#define OP_SHADD(U, S, a, b, o)  ((SX(S, a) + SX(S, b)) >> 1)
#define OP_UHADD(U, S, a, b, o)  (((uint64_t)(a) + (b)) >> 1)
#define OP_SRHADD(U, S, a, b, o) ((SX(S, a) + SX(S, b) + 1) >> 1)
#define OP_URHADD(U, S, a, b, o) (((uint64_t)(a) + (b) + 1) >> 1)
#define OP_SHSUB(U, S, a, b, o)  ((SX(S, a) - SX(S, b)) >> 1)
#define OP_UHSUB(U, S, a, b, o)  (((int64_t)(a) - (int64_t)(b)) >> 1)
#define OP_SABD(U, S, a, b, o)   abs_diff_signed(SX(S, a), SX(S, b))
#define OP_UABD(U, S, a, b, o)   abs_diff_unsigned(a, b)
#define OP_SABA(U, S, a, b, o)   ((o) + abs_diff_signed(SX(S, a), SX(S, b)))
#define OP_UABA(U, S, a, b, o)   ((o) + abs_diff_unsigned(a, b))
#define OP_SQADD(U, S, a, b, o)  sat_add_signed(cpu, SX(S, a), SX(S, b), ESIZE(U))
#define OP_UQADD(U, S, a, b, o)  sat_add_unsigned(cpu, a, b, ESIZE(U))
#define OP_SQSUB(U, S, a, b, o)  sat_sub_signed(cpu, SX(S, a), SX(S, b), ESIZE(U))
#define OP_UQSUB(U, S, a, b, o)  sat_sub_unsigned(cpu, a, b, ESIZE(U))
#define OP_SSHL(U, S, a, b, o)   shl_reg_signed(cpu, SX(S, a), b, ESIZE(U), false, false)
#define OP_USHL(U, S, a, b, o)   shl_reg_unsigned(cpu, a, b, ESIZE(U), false, false)
#define OP_SRSHL(U, S, a, b, o)  shl_reg_signed(cpu, SX(S, a), b, ESIZE(U), true, false)
#define OP_URSHL(U, S, a, b, o)  shl_reg_unsigned(cpu, a, b, ESIZE(U), true, false)
#define OP_SQSHL(U, S, a, b, o)  shl_reg_signed(cpu, SX(S, a), b, ESIZE(U), false, true)
#define OP_UQSHL(U, S, a, b, o)  shl_reg_unsigned(cpu, a, b, ESIZE(U), false, true)
#define OP_SQRSHL(U, S, a, b, o) shl_reg_signed(cpu, SX(S, a), b, ESIZE(U), true, true)
#define OP_UQRSHL(U, S, a, b, o) shl_reg_unsigned(cpu, a, b, ESIZE(U), true, true)

SIMD_FORMS(LANEWISE, iss_simd_add, OP_ADD)
SIMD_FORMS(LANEWISE, iss_simd_sub, OP_SUB)
SIMD_FORMS(LANEWISE, iss_simd_mul, OP_MUL)
SIMD_FORMS(LANEWISE, iss_simd_mla, OP_MLA)
SIMD_FORMS(LANEWISE, iss_simd_mls, OP_MLS)
SIMD_FORMS(LANEWISE, iss_simd_cmgt, OP_CMGT)
SIMD_FORMS(LANEWISE, iss_simd_cmge, OP_CMGE)
SIMD_FORMS(LANEWISE, iss_simd_cmhi, OP_CMHI)
SIMD_FORMS(LANEWISE, iss_simd_cmhs, OP_CMHS)
SIMD_FORMS(LANEWISE, iss_simd_cmeq, OP_CMEQ)
SIMD_FORMS(LANEWISE, iss_simd_cmtst, OP_CMTST)
SIMD_FORMS(LANEWISE, iss_simd_smax, OP_SMAX)
SIMD_FORMS(LANEWISE, iss_simd_smin, OP_SMIN)
SIMD_FORMS(LANEWISE, iss_simd_umax, OP_UMAX)
SIMD_FORMS(LANEWISE, iss_simd_umin, OP_UMIN)
SIMD_FORMS(LANEWISE, iss_simd_shadd, OP_SHADD)
SIMD_FORMS(LANEWISE, iss_simd_uhadd, OP_UHADD)
SIMD_FORMS(LANEWISE, iss_simd_srhadd, OP_SRHADD)
SIMD_FORMS(LANEWISE, iss_simd_urhadd, OP_URHADD)
SIMD_FORMS(LANEWISE, iss_simd_shsub, OP_SHSUB)
SIMD_FORMS(LANEWISE, iss_simd_uhsub, OP_UHSUB)
SIMD_FORMS(LANEWISE, iss_simd_sabd, OP_SABD)
SIMD_FORMS(LANEWISE, iss_simd_uabd, OP_UABD)
SIMD_FORMS(LANEWISE, iss_simd_saba, OP_SABA)
SIMD_FORMS(LANEWISE, iss_simd_uaba, OP_UABA)
SIMD_FORMS(LANEWISE, iss_simd_sqadd, OP_SQADD)
SIMD_FORMS(LANEWISE, iss_simd_uqadd, OP_UQADD)
SIMD_FORMS(LANEWISE, iss_simd_sqsub, OP_SQSUB)
SIMD_FORMS(LANEWISE, iss_simd_uqsub, OP_UQSUB)
SIMD_FORMS(LANEWISE, iss_simd_sshl, OP_SSHL)
SIMD_FORMS(LANEWISE, iss_simd_ushl, OP_USHL)
SIMD_FORMS(LANEWISE, iss_simd_srshl, OP_SRSHL)
SIMD_FORMS(LANEWISE, iss_simd_urshl, OP_URSHL)
SIMD_FORMS(LANEWISE, iss_simd_sqshl, OP_SQSHL)
SIMD_FORMS(LANEWISE, iss_simd_uqshl, OP_UQSHL)
SIMD_FORMS(LANEWISE, iss_simd_sqrshl, OP_SQRSHL)
SIMD_FORMS(LANEWISE, iss_simd_uqrshl, OP_UQRSHL)
SIMD_FORMS(PAIRWISE, iss_simd_addp, OP_ADD)
SIMD_FORMS(PAIRWISE, iss_simd_smaxp, OP_SMAX)
SIMD_FORMS(PAIRWISE, iss_simd_sminp, OP_SMIN)
SIMD_FORMS(PAIRWISE, iss_simd_umaxp, OP_UMAX)
SIMD_FORMS(PAIRWISE, iss_simd_uminp, OP_UMIN)

/* Bitwise operations work on the whole register: 64-bit lanes, [Q]. */
#define BITWISE(name, OP)                                                                                              \
	LANEWISE(name##_1d, uint64_t, int64_t, d, 1, OP)                                                               \
	LANEWISE(name##_2d, uint64_t, int64_t, d, 2, OP)                                                               \
	const iss_exec_fn name[2] = {name##_1d, name##_2d};

BITWISE(iss_simd_and, OP_AND)
BITWISE(iss_simd_bic, OP_BIC)
BITWISE(iss_simd_orr, OP_ORR)
BITWISE(iss_simd_orn, OP_ORN)
BITWISE(iss_simd_eor, OP_EOR)
BITWISE(iss_simd_bsl, OP_BSL)
BITWISE(iss_simd_bit, OP_BIT)
BITWISE(iss_simd_bif, OP_BIF)

#define OP_NOT(U, S, a, b, o) (~(a))
BITWISE(iss_simd_not, OP_NOT)

LANEWISE(pmul_8b, uint8_t, int8_t, b, 8, OP_PMUL)
LANEWISE(pmul_16b, uint8_t, int8_t, b, 16, OP_PMUL)
const iss_exec_fn iss_simd_pmul[2] = {pmul_8b, pmul_16b};

/* ---- Two-register misc ---- */
#define OP_CMGT0(U, S, a, b, o) MASK((S)(a) > 0)
#define OP_CMGE0(U, S, a, b, o) MASK((S)(a) >= 0)
#define OP_CMEQ0(U, S, a, b, o) MASK((a) == 0)
#define OP_CMLE0(U, S, a, b, o) MASK((S)(a) <= 0)
#define OP_CMLT0(U, S, a, b, o) MASK((S)(a) < 0)
#define OP_ABS(U, S, a, b, o)   ((S)(a) < 0 ? -(uint64_t)(a) : (uint64_t)(a))
#define OP_NEG(U, S, a, b, o)   (-(uint64_t)(a))
#define OP_CNT(U, S, a, b, o)   __builtin_popcount(a)
#define OP_CLZ(U, S, a, b, o)   clz_lane(a, ESIZE(U))
#define OP_CLS(U, S, a, b, o)   cls_lane(a, ESIZE(U))
#define OP_SQABS(U, S, a, b, o) sat_sub_signed(cpu, 0, (S)(a) < 0 ? SX(S, a) : -SX(S, a), ESIZE(U))
#define OP_SQNEG(U, S, a, b, o) sat_sub_signed(cpu, 0, SX(S, a), ESIZE(U))

SIMD_FORMS(LANEWISE, iss_simd_cmgt0, OP_CMGT0)
SIMD_FORMS(LANEWISE, iss_simd_cmge0, OP_CMGE0)
SIMD_FORMS(LANEWISE, iss_simd_cmeq0, OP_CMEQ0)
SIMD_FORMS(LANEWISE, iss_simd_cmle0, OP_CMLE0)
SIMD_FORMS(LANEWISE, iss_simd_cmlt0, OP_CMLT0)
SIMD_FORMS(LANEWISE, iss_simd_abs, OP_ABS)
SIMD_FORMS(LANEWISE, iss_simd_neg, OP_NEG)
SIMD_FORMS(LANEWISE, iss_simd_clz, OP_CLZ)
SIMD_FORMS(LANEWISE, iss_simd_cls, OP_CLS)
SIMD_FORMS(LANEWISE, iss_simd_sqabs, OP_SQABS)
SIMD_FORMS(LANEWISE, iss_simd_sqneg, OP_SQNEG)

LANEWISE(cnt_8b, uint8_t, int8_t, b, 8, OP_CNT)
LANEWISE(cnt_16b, uint8_t, int8_t, b, 16, OP_CNT)
const iss_exec_fn iss_simd_cnt[2] = {cnt_8b, cnt_16b};

/* RBIT of each byte. */
static inline uint64_t rbit8(uint64_t a)
{
	uint64_t r = 0;

	for (unsigned i = 0; i < 8; i++)
		r |= ((a >> i) & 1) << (7 - i);
	return r;
}

#define OP_RBIT(U, S, a, b, o) rbit8(a)
LANEWISE(rbit_8b, uint8_t, int8_t, b, 8, OP_RBIT)
LANEWISE(rbit_16b, uint8_t, int8_t, b, 16, OP_RBIT)
const iss_exec_fn iss_simd_rbit[2] = {rbit_8b, rbit_16b};

/* REV16/REV32/REV64: byte j of the result is byte j ^ insn->imm of Vn, [Q]. */
static void reverse(struct iss *cpu, const struct iss_insn *insn, unsigned bytes)
{
	union iss_vreg n, r = {{0}};

	if (!iss_fp_enabled(cpu))
		return;
	n = cpu->v[insn->rn];
	for (unsigned j = 0; j < bytes; j++)
		r.b[j] = n.b[j ^ insn->imm];
	cpu->v[insn->rd] = r;
	iss_advance(cpu, insn);
}

static ISS_HANDLER(rev_8b)
{
	reverse(cpu, insn, 8);
}

static ISS_HANDLER(rev_16b)
{
	reverse(cpu, insn, 16);
}

const iss_exec_fn iss_simd_rev[2] = {rev_8b, rev_16b};

/* ---- Across lanes: the result is one lane (or a lane of twice the width) in lane 0 ---- */
#define REDUCE(fn, U, S, f, lanes, T, E, width, OP)                                                                    \
	static ISS_HANDLER(fn)                                                                                         \
	{                                                                                                              \
		union iss_vreg n, r = {{0}};                                                                           \
		T acc;                                                                                                 \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		n = cpu->v[insn->rn];                                                                                  \
		acc = (T)(E)n.f[0];                                                                                    \
		for (unsigned i = 1; i < (lanes); i++) {                                                               \
			T x = (T)(E)n.f[i];                                                                            \
			acc = OP(acc, x);                                                                              \
		}                                                                                                      \
		r.d[0] = (uint64_t)acc & ones(width);                                                                  \
		cpu->v[insn->rd] = r;                                                                                  \
		iss_advance(cpu, insn);                                                                                \
	}

#define R_ADD(acc, x) ((acc) + (x))
#define R_MAX(acc, x) ((x) > (acc) ? (x) : (acc))
#define R_MIN(acc, x) ((x) < (acc) ? (x) : (acc))

/* [size][Q] for 8B, 16B, 4H, 8H and 4S (the 2S slot is unallocated). */
#define REDUCE_FORMS(name, T, signedness, wide, OP)                                                                    \
	REDUCE(name##_8b, uint8_t, int8_t, b, 8, T, signedness##8_t, 8 * (wide), OP)                                   \
	REDUCE(name##_16b, uint8_t, int8_t, b, 16, T, signedness##8_t, 8 * (wide), OP)                                 \
	REDUCE(name##_4h, uint16_t, int16_t, h, 4, T, signedness##16_t, 16 * (wide), OP)                               \
	REDUCE(name##_8h, uint16_t, int16_t, h, 8, T, signedness##16_t, 16 * (wide), OP)                               \
	REDUCE(name##_4s, uint32_t, int32_t, s, 4, T, signedness##32_t, 32 * (wide), OP)                               \
	const iss_exec_fn name[3][2] = {{name##_8b, name##_16b}, {name##_4h, name##_8h}, {NULL, name##_4s}};

REDUCE_FORMS(iss_simd_addv, uint64_t, uint, 1, R_ADD)
REDUCE_FORMS(iss_simd_uaddlv, uint64_t, uint, 2, R_ADD)
REDUCE_FORMS(iss_simd_saddlv, int64_t, int, 2, R_ADD)
REDUCE_FORMS(iss_simd_umaxv, uint64_t, uint, 1, R_MAX)
REDUCE_FORMS(iss_simd_uminv, uint64_t, uint, 1, R_MIN)
REDUCE_FORMS(iss_simd_smaxv, int64_t, int, 1, R_MAX)
REDUCE_FORMS(iss_simd_sminv, int64_t, int, 1, R_MIN)

/* ---- Shift by immediate, same width: the count is insn->amount ---- */
#define OP_SSHR(U, S, a, b, o)   asr64(SX(S, a), insn->amount)
#define OP_USHR(U, S, a, b, o)   lsr64(a, insn->amount)
#define OP_SSRA(U, S, a, b, o)   ((o) + (uint64_t)asr64(SX(S, a), insn->amount))
#define OP_USRA(U, S, a, b, o)   ((o) + lsr64(a, insn->amount))
#define OP_SRSHR(U, S, a, b, o)  srshr64(SX(S, a), insn->amount)
#define OP_URSHR(U, S, a, b, o)  urshr64(a, insn->amount)
#define OP_SRSRA(U, S, a, b, o)  ((o) + (uint64_t)srshr64(SX(S, a), insn->amount))
#define OP_URSRA(U, S, a, b, o)  ((o) + urshr64(a, insn->amount))
#define OP_SHL(U, S, a, b, o)    lsl64(a, insn->amount)
#define OP_SLI(U, S, a, b, o)    (lsl64(a, insn->amount) | ((o)&ones(insn->amount)))
#define OP_SRI(U, S, a, b, o)    (lsr64(a, insn->amount) | ((o) & ~lsr64(ones(ESIZE(U)), insn->amount)))
#define OP_SQSHLI(U, S, a, b, o) sat_shl_signed(cpu, SX(S, a), insn->amount, ESIZE(U))
#define OP_UQSHLI(U, S, a, b, o) sat_shl_unsigned(cpu, a, insn->amount, ESIZE(U))
#define OP_SQSHLU(U, S, a, b, o) sat_shl_signed_to_unsigned(cpu, SX(S, a), insn->amount, ESIZE(U))

SIMD_FORMS(LANEWISE, iss_simd_sshr, OP_SSHR)
SIMD_FORMS(LANEWISE, iss_simd_ushr, OP_USHR)
SIMD_FORMS(LANEWISE, iss_simd_ssra, OP_SSRA)
SIMD_FORMS(LANEWISE, iss_simd_usra, OP_USRA)
SIMD_FORMS(LANEWISE, iss_simd_srshr, OP_SRSHR)
SIMD_FORMS(LANEWISE, iss_simd_urshr, OP_URSHR)
SIMD_FORMS(LANEWISE, iss_simd_srsra, OP_SRSRA)
SIMD_FORMS(LANEWISE, iss_simd_ursra, OP_URSRA)
SIMD_FORMS(LANEWISE, iss_simd_shl, OP_SHL)
SIMD_FORMS(LANEWISE, iss_simd_sli, OP_SLI)
SIMD_FORMS(LANEWISE, iss_simd_sri, OP_SRI)
SIMD_FORMS(LANEWISE, iss_simd_sqshli, OP_SQSHLI)
SIMD_FORMS(LANEWISE, iss_simd_uqshli, OP_UQSHLI)
SIMD_FORMS(LANEWISE, iss_simd_sqshlu, OP_SQSHLU)

/* ---- Saturating accumulates and doubling multiplies (high half) ---- */

/* SUQADD: signed Vd plus unsigned Vn; USQADD: unsigned Vd plus signed Vn. */
static inline uint64_t sat_accumulate_unsigned_into_signed(struct iss *cpu, int64_t d, uint64_t n, unsigned esize)
{
	__int128 sum = (__int128)d + n;

	if (sum > (__int128)signed_max(esize)) {
		cpu->fpsr |= FPSR_QC;
		return (uint64_t)signed_max(esize);
	}
	return (uint64_t)(int64_t)sum;
}

static inline uint64_t sat_accumulate_signed_into_unsigned(struct iss *cpu, uint64_t d, int64_t n, unsigned esize)
{
	__int128 sum = (__int128)d + n;

	if (sum < 0 || sum > (__int128)ones(esize)) {
		cpu->fpsr |= FPSR_QC;
		return sum < 0 ? 0 : ones(esize);
	}
	return (uint64_t)sum;
}

/* SQDMULH, SQRDMULH: the high half of 2 * a * b (rounded), saturated. */
static inline uint64_t doubling_multiply_high(struct iss *cpu, int64_t a, int64_t b, unsigned esize, bool round)
{
	__int128 product = (__int128)a * b * 2 + (round ? (__int128)1 << (esize - 1) : 0);
	__int128 high = product >> esize;

	if (high > (__int128)signed_max(esize)) {
		cpu->fpsr |= FPSR_QC;
		return (uint64_t)signed_max(esize);
	}
	return (uint64_t)(int64_t)high;
}

#define OP_SUQADD(U, S, a, b, o)   sat_accumulate_unsigned_into_signed(cpu, SX(S, o), a, ESIZE(U))
#define OP_USQADD(U, S, a, b, o)   sat_accumulate_signed_into_unsigned(cpu, o, SX(S, a), ESIZE(U))
#define OP_SQDMULH(U, S, a, b, o)  doubling_multiply_high(cpu, SX(S, a), SX(S, b), ESIZE(U), false)
#define OP_SQRDMULH(U, S, a, b, o) doubling_multiply_high(cpu, SX(S, a), SX(S, b), ESIZE(U), true)

SIMD_FORMS(LANEWISE, iss_simd_suqadd, OP_SUQADD)
SIMD_FORMS(LANEWISE, iss_simd_usqadd, OP_USQADD)
SIMD_FORMS(LANEWISE, iss_simd_sqdmulh, OP_SQDMULH)
SIMD_FORMS(LANEWISE, iss_simd_sqrdmulh, OP_SQRDMULH)
SIMD_FORMS(BY_ELEMENT, iss_simd_sqdmulh_elem, OP_SQDMULH)
SIMD_FORMS(BY_ELEMENT, iss_simd_sqrdmulh_elem, OP_SQRDMULH)

/* ---- By element: MUL, MLA, MLS with Vm's lane insn->imm ---- */
SIMD_FORMS(BY_ELEMENT, iss_simd_mul_elem, OP_MUL)
SIMD_FORMS(BY_ELEMENT, iss_simd_mla_elem, OP_MLA)
SIMD_FORMS(BY_ELEMENT, iss_simd_mls_elem, OP_MLS)
