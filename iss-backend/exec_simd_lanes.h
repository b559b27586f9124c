/*
 * Lane loops shared by the AdvSIMD handler files (exec_simd_*.c). Each generator defines one
 * handler per element size and register width, so the decoder picks the loop with constant
 * lane counts; the operation is a macro OP(U, S, a, b, o) over one lane, where U and S are the
 * lane's unsigned and signed types, a and b the lanes of Vn and Vm, o the old lane of Vd.
 * Every handler reads its sources before writing Vd, so Vd may be a source too.
 */
#ifndef QVP_ISS_EXEC_SIMD_LANES_H
#define QVP_ISS_EXEC_SIMD_LANES_H

#include "decode_fields.h"
#include "exception.h"
#include "simd_handlers.h"

#define FPSR_QC (1u << 27)

/* ---- Scalar helpers over lanes widened to 64 bits ---- */

static inline uint64_t lsl64(uint64_t a, unsigned shift)
{
	return shift >= 64 ? 0 : a << shift;
}

static inline uint64_t lsr64(uint64_t a, unsigned shift)
{
	return shift >= 64 ? 0 : a >> shift;
}

static inline int64_t asr64(int64_t a, unsigned shift)
{
	return a >> (shift >= 64 ? 63 : shift);
}

/* Right shifts that round to nearest (ties up), as the Arm ARM's infinitely precise sum does. */
static inline uint64_t urshr64(uint64_t a, unsigned shift)
{
	if (shift == 0)
		return a;
	if (shift > 64)
		return 0;
	return lsr64(a, shift) + ((a >> (shift - 1)) & 1);
}

static inline int64_t srshr64(int64_t a, unsigned shift)
{
	if (shift == 0)
		return a;
	if (shift > 64)
		shift = 64; /* rounds to 0 like 64: |a| < 2^63 */
	return asr64(a, shift) + (int64_t)(((uint64_t)a >> (shift - 1)) & 1);
}

static inline int64_t signed_max(unsigned esize)
{
	return (int64_t)ones(esize - 1);
}

static inline int64_t signed_min(unsigned esize)
{
	return -signed_max(esize) - 1;
}

/* Clamps to the element's range, setting FPSR.QC when it had to. */
static inline uint64_t saturate_signed(struct iss *cpu, int64_t v, unsigned esize)
{
	if (v > signed_max(esize)) {
		cpu->fpsr |= FPSR_QC;
		return (uint64_t)signed_max(esize);
	}
	if (v < signed_min(esize)) {
		cpu->fpsr |= FPSR_QC;
		return (uint64_t)signed_min(esize);
	}
	return (uint64_t)v;
}

static inline uint64_t saturate_unsigned(struct iss *cpu, uint64_t v, unsigned esize)
{
	if (v > ones(esize)) {
		cpu->fpsr |= FPSR_QC;
		return ones(esize);
	}
	return v;
}

/* A signed value to an unsigned element (SQXTUN, SQSHLU): negatives saturate to 0. */
static inline uint64_t saturate_signed_to_unsigned(struct iss *cpu, int64_t v, unsigned esize)
{
	if (v < 0) {
		cpu->fpsr |= FPSR_QC;
		return 0;
	}
	return saturate_unsigned(cpu, (uint64_t)v, esize);
}

/* The saturated value of an overflow past 64 bits (negative: the minimum). */
static inline uint64_t overflowed(struct iss *cpu, bool negative, unsigned esize)
{
	cpu->fpsr |= FPSR_QC;
	return (uint64_t)(negative ? signed_min(esize) : signed_max(esize));
}

static inline uint64_t sat_add_signed(struct iss *cpu, int64_t a, int64_t b, unsigned esize)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return overflowed(cpu, a < 0, esize);
	return saturate_signed(cpu, r, esize);
}

static inline uint64_t sat_sub_signed(struct iss *cpu, int64_t a, int64_t b, unsigned esize)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return overflowed(cpu, a < 0, esize);
	return saturate_signed(cpu, r, esize);
}

static inline uint64_t sat_add_unsigned(struct iss *cpu, uint64_t a, uint64_t b, unsigned esize)
{
	uint64_t r;

	if (__builtin_add_overflow(a, b, &r)) {
		cpu->fpsr |= FPSR_QC;
		return ones(esize);
	}
	return saturate_unsigned(cpu, r, esize);
}

static inline uint64_t sat_sub_unsigned(struct iss *cpu, uint64_t a, uint64_t b, unsigned esize)
{
	(void)esize; /* 0 is every element size's floor */
	if (b > a) {
		cpu->fpsr |= FPSR_QC;
		return 0;
	}
	return a - b;
}

/* Saturating left shifts of a lane (SQSHL, UQSHL, SQSHLU). */
static inline uint64_t sat_shl_signed(struct iss *cpu, int64_t a, unsigned shift, unsigned esize)
{
	int64_t r;

	if (a == 0)
		return 0;
	r = shift >= 64 ? 0 : (int64_t)((uint64_t)a << shift);
	if (shift >= esize || (r >> shift) != a)
		return overflowed(cpu, a < 0, esize);
	return saturate_signed(cpu, r, esize);
}

static inline uint64_t sat_shl_unsigned(struct iss *cpu, uint64_t a, unsigned shift, unsigned esize)
{
	if (a == 0)
		return 0;
	if (shift >= esize || ((a << shift) >> shift) != a) {
		cpu->fpsr |= FPSR_QC;
		return ones(esize);
	}
	return saturate_unsigned(cpu, a << shift, esize);
}

static inline uint64_t sat_shl_signed_to_unsigned(struct iss *cpu, int64_t a, unsigned shift, unsigned esize)
{
	if (a < 0)
		return saturate_signed_to_unsigned(cpu, a, esize);
	return sat_shl_unsigned(cpu, (uint64_t)a, shift, esize);
}

/* ---- Lane loops ---- */

/* Vd[i] = OP(Vn[i], Vm[i], Vd[i]) for each lane; the lanes past `lanes` become zero. */
#define LANEWISE(fn, U, S, f, lanes, OP)                                                                               \
	static ISS_HANDLER(fn)                                                                                         \
	{                                                                                                              \
		union iss_vreg n, m, d, r = {{0}};                                                                     \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		n = cpu->v[insn->rn];                                                                                  \
		m = cpu->v[insn->rm];                                                                                  \
		d = cpu->v[insn->rd];                                                                                  \
		(void)m, (void)d;                                                                                      \
		for (unsigned i = 0; i < (lanes); i++)                                                                 \
			r.f[i] = (U)(OP(U, S, n.f[i], m.f[i], d.f[i]));                                                \
		cpu->v[insn->rd] = r;                                                                                  \
		iss_advance(cpu, insn);                                                                                \
	}

/* By element: b is lane insn->imm of Vm for every lane. */
#define BY_ELEMENT(fn, U, S, f, lanes, OP)                                                                             \
	static ISS_HANDLER(fn)                                                                                         \
	{                                                                                                              \
		union iss_vreg n, d, r = {{0}};                                                                        \
		U b;                                                                                                   \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		n = cpu->v[insn->rn];                                                                                  \
		d = cpu->v[insn->rd];                                                                                  \
		b = cpu->v[insn->rm].f[insn->imm];                                                                     \
		(void)d;                                                                                               \
		for (unsigned i = 0; i < (lanes); i++)                                                                 \
			r.f[i] = (U)(OP(U, S, n.f[i], b, d.f[i]));                                                     \
		cpu->v[insn->rd] = r;                                                                                  \
		iss_advance(cpu, insn);                                                                                \
	}

/* Pairwise: the lanes of Vm:Vn taken two at a time, Vn's pairs first; the scalar form (one
 * lane) pairs Vn's two lanes. */
#define PAIRWISE(fn, U, S, f, lanes, OP)                                                                               \
	static ISS_HANDLER(fn)                                                                                         \
	{                                                                                                              \
		union iss_vreg n, m, r = {{0}};                                                                        \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		n = cpu->v[insn->rn];                                                                                  \
		m = cpu->v[insn->rm];                                                                                  \
		if ((lanes) == 1)                                                                                      \
			r.f[0] = (U)(OP(U, S, n.f[0], n.f[1], 0));                                                     \
		for (unsigned i = 0; 2 * i + 1 < (lanes); i++) {                                                       \
			r.f[i] = (U)(OP(U, S, n.f[2 * i], n.f[2 * i + 1], 0));                                         \
			r.f[(lanes) / 2 + i] = (U)(OP(U, S, m.f[2 * i], m.f[2 * i + 1], 0));                           \
		}                                                                                                      \
		cpu->v[insn->rd] = r;                                                                                  \
		iss_advance(cpu, insn);                                                                                \
	}

/* The eleven handlers of one operation and its [size][form] table (form: 64-bit, 128-bit,
 * scalar); a 64-bit lane has one handler for the 64-bit vector and the scalar. */
#define SIMD_FORMS(KIND, name, OP)                                                                                     \
	KIND(name##_8b, uint8_t, int8_t, b, 8, OP)                                                                     \
	KIND(name##_16b, uint8_t, int8_t, b, 16, OP)                                                                   \
	KIND(name##_1b, uint8_t, int8_t, b, 1, OP)                                                                     \
	KIND(name##_4h, uint16_t, int16_t, h, 4, OP)                                                                   \
	KIND(name##_8h, uint16_t, int16_t, h, 8, OP)                                                                   \
	KIND(name##_1h, uint16_t, int16_t, h, 1, OP)                                                                   \
	KIND(name##_2s, uint32_t, int32_t, s, 2, OP)                                                                   \
	KIND(name##_4s, uint32_t, int32_t, s, 4, OP)                                                                   \
	KIND(name##_1s, uint32_t, int32_t, s, 1, OP)                                                                   \
	KIND(name##_1d, uint64_t, int64_t, d, 1, OP)                                                                   \
	KIND(name##_2d, uint64_t, int64_t, d, 2, OP)                                                                   \
	const iss_exec_fn name[4][3] = {                                                                               \
	    {name##_8b, name##_16b, name##_1b},                                                                        \
	    {name##_4h, name##_8h, name##_1h},                                                                         \
	    {name##_2s, name##_4s, name##_1s},                                                                         \
	    {name##_1d, name##_2d, name##_1d},                                                                         \
	};

#define ESIZE(U) ((unsigned)(8 * sizeof(U)))

#endif
