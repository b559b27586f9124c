/*
 * Arm floating-point arithmetic in software, after the Arm ARM's pseudocode (FPUnpack,
 * FPProcessNaNs, FPRoundBase, FPToFixed ...). Values are unpacked into a sign, an exponent and
 * a 64-bit significand; every operation computes its exact result (or the result with a
 * sticky bit below the rounding position) in 128-bit integers and rounds once. No host
 * floating point: results and flags are the same on every host.
 */
#include "fp.h"

#include "iss_state.h"

typedef unsigned __int128 u128;

/* The helpers of the hot paths: inlined, so no 128-bit value takes a trip through the stack. */
#define HOT static inline __attribute__((always_inline))

/* FPSR cumulative exception flags and the FPCR controls. */
enum {
	FPSR_IOC = 1u << 0,
	FPSR_DZC = 1u << 1,
	FPSR_OFC = 1u << 2,
	FPSR_UFC = 1u << 3,
	FPSR_IXC = 1u << 4,
	FPSR_IDC = 1u << 7,
	FPCR_FZ = 1u << 24,
	FPCR_DN = 1u << 25,
	FPCR_AHP = 1u << 26,
	FPCR_RMODE_SHIFT = 22,
};

enum fp_class { FP_ZERO, FP_FINITE, FP_INFINITY, FP_QNAN, FP_SNAN };

/*
 * An unpacked operand. Finite non-zero values are sig * 2^(exp - 63) with bit 63 of sig set,
 * so the value lies in [2^exp, 2^(exp + 1)); bit 0 of sig may be a sticky bit.
 */
struct fp_value {
	enum fp_class cls;
	bool sign;
	int exp;
	uint64_t sig;
};

/* An exact intermediate: m * 2^e0. */
struct fp_wide {
	bool sign;
	int e0;
	u128 m;
};

static uint64_t ones(unsigned n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

static unsigned exp_bits(unsigned size)
{
	return size == 16 ? 5 : size == 32 ? 8 : 11;
}

static unsigned frac_bits(unsigned size)
{
	return size == 16 ? 10 : size == 32 ? 23 : 52;
}

static int exp_bias(unsigned size)
{
	return (1 << (exp_bits(size) - 1)) - 1;
}

static uint64_t sign_bit(unsigned size)
{
	return 1ull << (size - 1);
}

static uint64_t quiet_bit(unsigned size)
{
	return 1ull << (frac_bits(size) - 1);
}

static uint64_t exp_mask(unsigned size)
{
	return ((1ull << exp_bits(size)) - 1) << frac_bits(size);
}

static uint64_t fp_zero(bool sign, unsigned size)
{
	return sign ? sign_bit(size) : 0;
}

static uint64_t fp_infinity(bool sign, unsigned size)
{
	return fp_zero(sign, size) | exp_mask(size);
}

static uint64_t fp_max_normal(bool sign, unsigned size)
{
	return fp_zero(sign, size) | (exp_mask(size) - (1ull << frac_bits(size))) | (quiet_bit(size) * 2 - 1);
}

static uint64_t fp_default_nan(unsigned size)
{
	return exp_mask(size) | quiet_bit(size);
}

/* A positive constant 1.f * 2^exp with the top fraction bits `top` (FPTwo, FPOnePointFive). */
static uint64_t fp_constant(int exp, bool top_fraction, unsigned size)
{
	return (uint64_t)(exp + exp_bias(size)) << frac_bits(size) | (uint64_t)top_fraction << (frac_bits(size) - 1);
}

static void raise_flags(struct iss *cpu, uint32_t flags)
{
	cpu->fpsr |= flags;
}

/* FPCR.AHP: halves in the alternative format, without infinities and NaNs. */
static bool alternative_half(const struct iss *cpu, unsigned size)
{
	return size == 16 && (cpu->fpcr & FPCR_AHP);
}

static bool flush_to_zero(const struct iss *cpu, unsigned size)
{
	return (cpu->fpcr & FPCR_FZ) && size != 16; /* FZ16 is not implemented: halves never flush */
}

enum fp_rounding fp_current_rounding(const struct iss *cpu)
{
	return (enum fp_rounding)((cpu->fpcr >> FPCR_RMODE_SHIFT) & 3);
}

HOT int leading_zeros128(u128 m)
{
	uint64_t high = (uint64_t)(m >> 64);

	return high ? __builtin_clzll(high) : 64 + __builtin_clzll((uint64_t)m);
}

/* FPUnpack: with FZ, a denormal input is zero and raises Input Denormal. */
HOT struct fp_value unpack(struct iss *cpu, uint64_t bits, unsigned size)
{
	unsigned f = frac_bits(size);
	uint64_t fraction = bits & ((1ull << f) - 1);
	uint64_t exponent = (bits & exp_mask(size)) >> f;
	struct fp_value v = {.sign = (bits & sign_bit(size)) != 0};

	if (exponent == (1ull << exp_bits(size)) - 1 && !alternative_half(cpu, size)) {
		v.cls = fraction == 0 ? FP_INFINITY : (fraction & quiet_bit(size)) ? FP_QNAN : FP_SNAN;
	} else if (exponent == 0) {
		if (fraction == 0 || flush_to_zero(cpu, size)) {
			if (fraction != 0)
				raise_flags(cpu, FPSR_IDC);
			v.cls = FP_ZERO;
		} else {
			int top = 63 - __builtin_clzll(fraction);
			v.cls = FP_FINITE;
			v.exp = top + 1 - exp_bias(size) - (int)f;
			v.sig = fraction << (63 - top);
		}
	} else {
		v.cls = FP_FINITE;
		v.exp = (int)exponent - exp_bias(size);
		v.sig = ((1ull << f) | fraction) << (63 - f);
	}
	return v;
}

static bool is_nan(const struct fp_value *v)
{
	return v->cls == FP_QNAN || v->cls == FP_SNAN;
}

/* FPProcessNaN: quiets a signalling NaN (Invalid Operation); DN gives the default NaN. */
HOT uint64_t process_nan(struct iss *cpu, const struct fp_value *v, uint64_t bits, unsigned size)
{
	if (v->cls == FP_SNAN) {
		raise_flags(cpu, FPSR_IOC);
		bits |= quiet_bit(size);
	}
	return (cpu->fpcr & FPCR_DN) ? fp_default_nan(size) : bits;
}

/* FPProcessNaNs: signalling NaNs first, then quiet ones, each in operand order. */
HOT bool process_nans(struct iss *cpu, const struct fp_value *v, const uint64_t *bits, unsigned count, unsigned size,
                      uint64_t *result)
{
	for (unsigned k = 0; k < count; k++) {
		if (v[k].cls == FP_SNAN) {
			*result = process_nan(cpu, &v[k], bits[k], size);
			return true;
		}
	}
	for (unsigned k = 0; k < count; k++) {
		if (v[k].cls == FP_QNAN) {
			*result = process_nan(cpu, &v[k], bits[k], size);
			return true;
		}
	}
	return false;
}

/* Whether a value below the rounding position rounds the magnitude up (sign-magnitude rounding). */
HOT bool rounds_up(enum fp_rounding rounding, bool sign, bool odd, bool round_bit, bool sticky)
{
	switch (rounding) {
	case FP_ROUND_NEAREST_EVEN:
		return round_bit && (sticky || odd);
	case FP_ROUND_PLUS_INF:
		return (round_bit || sticky) && !sign;
	case FP_ROUND_MINUS_INF:
		return (round_bit || sticky) && sign;
	case FP_ROUND_NEAREST_AWAY:
		return round_bit;
	default:
		return false;
	}
}

/* Whether an overflow gives infinity (else the largest normal number). */
static bool overflows_to_infinity(enum fp_rounding rounding, bool sign)
{
	switch (rounding) {
	case FP_ROUND_NEAREST_EVEN:
	case FP_ROUND_NEAREST_AWAY:
		return true;
	case FP_ROUND_PLUS_INF:
		return !sign;
	case FP_ROUND_MINUS_INF:
		return sign;
	default:
		return false;
	}
}

/* sig >> shift for shift in [0, 127], with the bit below and the OR of the bits below that. */
HOT uint64_t shift_right_round(uint64_t sig, unsigned shift, bool *round_bit, bool *sticky)
{
	if (shift == 0) {
		*round_bit = *sticky = false;
		return sig;
	}
	if (shift > 64) {
		*round_bit = false;
		*sticky = sig != 0;
		return 0;
	}
	*round_bit = (sig >> (shift - 1)) & 1;
	*sticky = (sig & ((1ull << (shift - 1)) - 1)) != 0;
	return shift == 64 ? 0 : sig >> shift;
}

/*
 * FPRoundBase: rounds a finite non-zero value to `size` bits. With FZ, a result whose exponent
 * is below the normal range before rounding is zero and raises Underflow only; otherwise
 * Underflow is a tiny (before rounding, as AArch64 detects it) inexact result.
 */
HOT uint64_t round_pack(struct iss *cpu, bool sign, int exp, uint64_t sig, unsigned size, enum fp_rounding rounding)
{
	unsigned f = frac_bits(size);
	int minimum_exp = 1 - exp_bias(size);
	int biased_exp = exp < minimum_exp ? 0 : exp - minimum_exp + 1;
	unsigned shift = 63 - f;
	bool round_bit, sticky;
	uint64_t mantissa, result;

	if (exp < minimum_exp && flush_to_zero(cpu, size)) {
		raise_flags(cpu, FPSR_UFC);
		return fp_zero(sign, size);
	}
	if (biased_exp == 0)
		shift += (unsigned)(minimum_exp - exp) > 64 ? 64 : (unsigned)(minimum_exp - exp);
	mantissa = shift_right_round(sig, shift, &round_bit, &sticky);
	bool inexact = round_bit || sticky;
	if (biased_exp == 0 && inexact)
		raise_flags(cpu, FPSR_UFC);
	if (rounds_up(rounding, sign, mantissa & 1, round_bit, sticky)) {
		mantissa++;
		if (mantissa == 1ull << f)
			biased_exp = 1;
		if (mantissa == 1ull << (f + 1)) {
			biased_exp++;
			mantissa >>= 1;
		}
	}
	if (inexact && rounding == FP_ROUND_ODD)
		mantissa |= 1;
	if (alternative_half(cpu, size) && biased_exp >= 1 << exp_bits(size)) {
		result = fp_zero(sign, size) | 0x7fff; /* saturates: Invalid Operation, not Overflow */
		raise_flags(cpu, FPSR_IOC);
		inexact = false;
	} else if (!alternative_half(cpu, size) && biased_exp >= (1 << exp_bits(size)) - 1) {
		result = overflows_to_infinity(rounding, sign) ? fp_infinity(sign, size) : fp_max_normal(sign, size);
		raise_flags(cpu, FPSR_OFC);
		inexact = true;
	} else {
		result = fp_zero(sign, size) | (uint64_t)biased_exp << f | (mantissa & ((1ull << f) - 1));
	}
	if (inexact)
		raise_flags(cpu, FPSR_IXC);
	return result;
}

/* Rounds an exact non-zero m * 2^e0 (compressing the bits below 64 significant ones to a sticky bit). */
HOT uint64_t round_wide(struct iss *cpu, struct fp_wide w, unsigned size, enum fp_rounding rounding)
{
	int lz = leading_zeros128(w.m);
	u128 normal = w.m << lz;
	uint64_t sig = (uint64_t)(normal >> 64) | ((uint64_t)normal != 0);

	return round_pack(cpu, w.sign, w.e0 + 127 - lz, sig, size, rounding);
}

/* A finite non-zero value as m * 2^e0 with its leading bit at bit 125 (room for a carry). */
HOT struct fp_wide widen(const struct fp_value *v)
{
	return (struct fp_wide){.sign = v->sign, .e0 = v->exp - 125, .m = (u128)v->sig << 62};
}

/* Shifts right keeping a sticky bit, for any shift. */
HOT u128 shift_right_sticky(u128 m, unsigned shift)
{
	if (shift == 0)
		return m;
	if (shift >= 127)
		return m != 0;
	return (m >> shift) | ((m & (((u128)1 << shift) - 1)) != 0);
}

/* Places m with its leading bit at bit 125: exactly when it had trailing zeros to spare. */
HOT struct fp_wide align125(struct fp_wide w)
{
	int lz = leading_zeros128(w.m);

	if (lz >= 2) {
		w.m <<= lz - 2;
		w.e0 -= lz - 2;
	} else {
		w.m = shift_right_sticky(w.m, (unsigned)(2 - lz));
		w.e0 += 2 - lz;
	}
	return w;
}

/* The sum of two non-zero values led at bit 125; m == 0 for an exact zero. */
HOT struct fp_wide add_wide(struct fp_wide a, struct fp_wide b)
{
	if (b.e0 > a.e0 || (b.e0 == a.e0 && b.m > a.m)) {
		struct fp_wide t = a;
		a = b;
		b = t;
	}
	b.m = shift_right_sticky(b.m, (unsigned)(a.e0 - b.e0) > 127 ? 127 : (unsigned)(a.e0 - b.e0));
	if (a.sign == b.sign)
		a.m += b.m;
	else
		a.m -= b.m;
	return a;
}

static uint64_t exact_zero(const struct iss *cpu, unsigned size)
{
	return fp_zero(fp_current_rounding(cpu) == FP_ROUND_MINUS_INF, size);
}

static uint64_t add_values(struct iss *cpu, uint64_t a, uint64_t b, unsigned size, bool subtract)
{
	struct fp_value v[2] = {unpack(cpu, a, size), unpack(cpu, b, size)};
	uint64_t bits[2] = {a, b}, result;

	if (process_nans(cpu, v, bits, 2, size, &result))
		return result;
	v[1].sign ^= subtract;
	if (v[0].cls == FP_INFINITY && v[1].cls == FP_INFINITY && v[0].sign != v[1].sign) {
		raise_flags(cpu, FPSR_IOC);
		return fp_default_nan(size);
	}
	if (v[0].cls == FP_INFINITY || v[1].cls == FP_INFINITY)
		return fp_infinity(v[v[0].cls == FP_INFINITY ? 0 : 1].sign, size);
	if (v[0].cls == FP_ZERO && v[1].cls == FP_ZERO)
		return v[0].sign == v[1].sign ? fp_zero(v[0].sign, size) : exact_zero(cpu, size);
	if (v[0].cls == FP_ZERO || v[1].cls == FP_ZERO) {
		const struct fp_value *x = &v[v[0].cls == FP_ZERO ? 1 : 0];
		return round_pack(cpu, x->sign, x->exp, x->sig, size, fp_current_rounding(cpu));
	}
	struct fp_wide sum = add_wide(widen(&v[0]), widen(&v[1]));
	if (sum.m == 0)
		return exact_zero(cpu, size);
	return round_wide(cpu, sum, size, fp_current_rounding(cpu));
}

uint64_t fp_add(struct iss *cpu, uint64_t a, uint64_t b, unsigned size)
{
	return add_values(cpu, a, b, size, false);
}

uint64_t fp_sub(struct iss *cpu, uint64_t a, uint64_t b, unsigned size)
{
	return add_values(cpu, a, b, size, true);
}

HOT struct fp_wide product(const struct fp_value *a, const struct fp_value *b)
{
	return (struct fp_wide){.sign = a->sign != b->sign, .e0 = a->exp + b->exp - 126, .m = (u128)a->sig * b->sig};
}

/* FPMul and FPMulX, which differ only in 0 * infinity (FPMulX: 2.0 with the product's sign). */
static uint64_t multiply(struct iss *cpu, uint64_t a, uint64_t b, unsigned size, bool mulx)
{
	struct fp_value v[2] = {unpack(cpu, a, size), unpack(cpu, b, size)};
	uint64_t bits[2] = {a, b}, result;
	bool sign = v[0].sign != v[1].sign;

	if (process_nans(cpu, v, bits, 2, size, &result))
		return result;
	if ((v[0].cls == FP_INFINITY && v[1].cls == FP_ZERO) || (v[0].cls == FP_ZERO && v[1].cls == FP_INFINITY)) {
		if (mulx)
			return fp_zero(sign, size) | fp_constant(1, 0, size);
		raise_flags(cpu, FPSR_IOC);
		return fp_default_nan(size);
	}
	if (v[0].cls == FP_INFINITY || v[1].cls == FP_INFINITY)
		return fp_infinity(sign, size);
	if (v[0].cls == FP_ZERO || v[1].cls == FP_ZERO)
		return fp_zero(sign, size);
	return round_wide(cpu, product(&v[0], &v[1]), size, fp_current_rounding(cpu));
}

uint64_t fp_mul(struct iss *cpu, uint64_t a, uint64_t b, unsigned size)
{
	return multiply(cpu, a, b, size, false);
}

uint64_t fp_mulx(struct iss *cpu, uint64_t a, uint64_t b, unsigned size)
{
	return multiply(cpu, a, b, size, true);
}

uint64_t fp_div(struct iss *cpu, uint64_t a, uint64_t b, unsigned size)
{
	struct fp_value v[2] = {unpack(cpu, a, size), unpack(cpu, b, size)};
	uint64_t bits[2] = {a, b}, result;
	bool sign = v[0].sign != v[1].sign;

	if (process_nans(cpu, v, bits, 2, size, &result))
		return result;
	if ((v[0].cls == FP_INFINITY && v[1].cls == FP_INFINITY) || (v[0].cls == FP_ZERO && v[1].cls == FP_ZERO)) {
		raise_flags(cpu, FPSR_IOC);
		return fp_default_nan(size);
	}
	if (v[0].cls == FP_INFINITY || v[1].cls == FP_ZERO) {
		if (v[0].cls != FP_INFINITY)
			raise_flags(cpu, FPSR_DZC);
		return fp_infinity(sign, size);
	}
	if (v[0].cls == FP_ZERO || v[1].cls == FP_INFINITY)
		return fp_zero(sign, size);
	/* sigA * 2^64 / sigB has 64 or 65 significant bits; a remainder is a sticky bit. */
	u128 dividend = (u128)v[0].sig << 64;
	u128 quotient = dividend / v[1].sig;
	quotient |= (dividend % v[1].sig) != 0;
	struct fp_wide w = {.sign = sign, .e0 = v[0].exp - v[1].exp - 64, .m = quotient};
	return round_wide(cpu, w, size, fp_current_rounding(cpu));
}

uint64_t fp_sqrt(struct iss *cpu, uint64_t a, unsigned size)
{
	struct fp_value v = unpack(cpu, a, size);

	if (is_nan(&v))
		return process_nan(cpu, &v, a, size);
	if (v.cls == FP_ZERO)
		return fp_zero(v.sign, size);
	if (v.sign) {
		raise_flags(cpu, FPSR_IOC);
		return fp_default_nan(size);
	}
	if (v.cls == FP_INFINITY)
		return fp_infinity(false, size);
	/* value = sig * 2^(exp - 63) = (sig << shift) * 2^(exp - 63 - shift) with an even exponent. */
	int e0 = v.exp - 63;
	unsigned shift = (e0 & 1) ? 63 : 62;
	u128 radicand = (u128)v.sig << shift;
	uint64_t root = 0;
	for (uint64_t probe = 1ull << 63; probe; probe >>= 1) {
		uint64_t candidate = root | probe;
		if ((u128)candidate * candidate <= radicand)
			root = candidate;
	}
	struct fp_wide w = {.sign = false, .e0 = (e0 - (int)shift) / 2, .m = root};
	w.m |= (u128)root * root != radicand;
	return round_wide(cpu, w, size, fp_current_rounding(cpu));
}

uint64_t fp_abs(uint64_t a, unsigned size)
{
	return a & ~sign_bit(size);
}

uint64_t fp_neg(uint64_t a, unsigned size)
{
	return a ^ sign_bit(size);
}

/* A non-NaN value as an integer that orders like the value (both zeros equal, flushed denormals zero). */
static int64_t order_key(const struct fp_value *v, uint64_t bits, unsigned size)
{
	int64_t magnitude = v->cls == FP_ZERO ? 0 : (int64_t)(bits & (sign_bit(size) - 1));

	return v->sign ? -magnitude : magnitude;
}

/* FPMax and FPMin: NaNs processed, +0 beats -0 for max and -0 beats +0 for min. */
static uint64_t max_min(struct iss *cpu, uint64_t a, uint64_t b, unsigned size, bool max)
{
	struct fp_value v[2] = {unpack(cpu, a, size), unpack(cpu, b, size)};
	uint64_t bits[2] = {a, b}, result;

	if (process_nans(cpu, v, bits, 2, size, &result))
		return result;
	int64_t ka = order_key(&v[0], a, size), kb = order_key(&v[1], b, size);
	unsigned pick = (max ? ka > kb : ka < kb) ? 0 : 1;
	if (v[pick].cls == FP_ZERO)
		return fp_zero(max ? v[0].sign && v[1].sign : v[0].sign || v[1].sign, size);
	return bits[pick];
}

/* FPMaxNum and FPMinNum: a quiet NaN against a number is replaced by the infinity that loses. */
static uint64_t max_min_number(struct iss *cpu, uint64_t a, uint64_t b, unsigned size, bool max)
{
	bool a_quiet = (a & ~sign_bit(size)) > exp_mask(size) && (a & quiet_bit(size));
	bool b_quiet = (b & ~sign_bit(size)) > exp_mask(size) && (b & quiet_bit(size));

	if (a_quiet && !b_quiet)
		a = fp_infinity(max, size);
	else if (!a_quiet && b_quiet)
		b = fp_infinity(max, size);
	return max_min(cpu, a, b, size, max);
}

uint64_t fp_max(struct iss *cpu, uint64_t a, uint64_t b, unsigned size)
{
	return max_min(cpu, a, b, size, true);
}

uint64_t fp_min(struct iss *cpu, uint64_t a, uint64_t b, unsigned size)
{
	return max_min(cpu, a, b, size, false);
}

uint64_t fp_maxnm(struct iss *cpu, uint64_t a, uint64_t b, unsigned size)
{
	return max_min_number(cpu, a, b, size, true);
}

uint64_t fp_minnm(struct iss *cpu, uint64_t a, uint64_t b, unsigned size)
{
	return max_min_number(cpu, a, b, size, false);
}

/* The exact value of addend + product, NaNs and infinities already excluded: m == 0 for zero. */
static struct fp_wide fused_sum(const struct fp_value *addend, const struct fp_value *a, const struct fp_value *b)
{
	bool product_zero = a->cls == FP_ZERO || b->cls == FP_ZERO;

	if (product_zero)
		return widen(addend);
	struct fp_wide p = align125(product(a, b));
	if (addend->cls == FP_ZERO)
		return p;
	return add_wide(widen(addend), p);
}

/* FPMulAdd with the operands unpacked (FRECPS/FRSQRTS use it with a constant addend). */
static uint64_t muladd_values(struct iss *cpu, struct fp_value v[3], const uint64_t bits[3], unsigned size,
                              int exp_adjust)
{
	uint64_t result;
	bool inf_zero =
	    (v[1].cls == FP_INFINITY && v[2].cls == FP_ZERO) || (v[1].cls == FP_ZERO && v[2].cls == FP_INFINITY);

	if (process_nans(cpu, v, bits, 3, size, &result)) {
		if (v[0].cls == FP_QNAN && inf_zero) {
			raise_flags(cpu, FPSR_IOC);
			return fp_default_nan(size);
		}
		return result;
	}
	bool product_sign = v[1].sign != v[2].sign;
	bool product_infinite = v[1].cls == FP_INFINITY || v[2].cls == FP_INFINITY;
	bool product_zero = v[1].cls == FP_ZERO || v[2].cls == FP_ZERO;
	if (inf_zero || (v[0].cls == FP_INFINITY && product_infinite && v[0].sign != product_sign)) {
		raise_flags(cpu, FPSR_IOC);
		return fp_default_nan(size);
	}
	if (v[0].cls == FP_INFINITY)
		return fp_infinity(v[0].sign, size);
	if (product_infinite)
		return fp_infinity(product_sign, size);
	if (v[0].cls == FP_ZERO && product_zero && v[0].sign == product_sign)
		return fp_zero(v[0].sign, size);
	struct fp_wide sum = fused_sum(&v[0], &v[1], &v[2]);
	if (sum.m == 0)
		return exact_zero(cpu, size);
	sum.e0 += exp_adjust;
	return round_wide(cpu, sum, size, fp_current_rounding(cpu));
}

uint64_t fp_muladd(struct iss *cpu, uint64_t addend, uint64_t a, uint64_t b, unsigned size)
{
	struct fp_value v[3] = {unpack(cpu, addend, size), unpack(cpu, a, size), unpack(cpu, b, size)};
	uint64_t bits[3] = {addend, a, b};

	return muladd_values(cpu, v, bits, size, 0);
}

/* FPCompare: NZCV; any NaN is unordered (0011) and raises Invalid Operation if signalling (or always, FCMPE). */
unsigned fp_compare(struct iss *cpu, uint64_t a, uint64_t b, unsigned size, bool signal_all_nans)
{
	struct fp_value va = unpack(cpu, a, size), vb = unpack(cpu, b, size);

	if (is_nan(&va) || is_nan(&vb)) {
		if (signal_all_nans || va.cls == FP_SNAN || vb.cls == FP_SNAN)
			raise_flags(cpu, FPSR_IOC);
		return FLAG_C | FLAG_V;
	}
	int64_t ka = order_key(&va, a, size), kb = order_key(&vb, b, size);
	if (ka == kb)
		return FLAG_Z | FLAG_C;
	return ka < kb ? FLAG_N : FLAG_C;
}

/* The ordered comparisons: false for NaNs, with Invalid Operation for signalling ones (or all). */
static bool compare_ordered(struct iss *cpu, uint64_t a, uint64_t b, unsigned size, bool signal_all_nans, int64_t *ka,
                            int64_t *kb)
{
	struct fp_value va = unpack(cpu, a, size), vb = unpack(cpu, b, size);

	if (is_nan(&va) || is_nan(&vb)) {
		if (signal_all_nans || va.cls == FP_SNAN || vb.cls == FP_SNAN)
			raise_flags(cpu, FPSR_IOC);
		return false;
	}
	*ka = order_key(&va, a, size);
	*kb = order_key(&vb, b, size);
	return true;
}

bool fp_compare_eq(struct iss *cpu, uint64_t a, uint64_t b, unsigned size)
{
	int64_t ka, kb;

	return compare_ordered(cpu, a, b, size, false, &ka, &kb) && ka == kb;
}

bool fp_compare_ge(struct iss *cpu, uint64_t a, uint64_t b, unsigned size)
{
	int64_t ka, kb;

	return compare_ordered(cpu, a, b, size, true, &ka, &kb) && ka >= kb;
}

bool fp_compare_gt(struct iss *cpu, uint64_t a, uint64_t b, unsigned size)
{
	int64_t ka, kb;

	return compare_ordered(cpu, a, b, size, true, &ka, &kb) && ka > kb;
}

/*
 * |value| rounded to an integer as `rounding` says; *inexact when it was not integral,
 * *too_big when it is 2^64 or more.
 */
static uint64_t round_to_integer(const struct fp_value *v, enum fp_rounding rounding, bool *inexact, bool *too_big)
{
	bool round_bit, sticky;
	uint64_t magnitude;

	*too_big = v->exp >= 64;
	*inexact = false;
	if (*too_big)
		return ~0ull;
	magnitude = shift_right_round(v->sig, v->exp < -64 ? 127 : (unsigned)(63 - v->exp), &round_bit, &sticky);
	*inexact = round_bit || sticky;
	if (rounds_up(rounding, v->sign, magnitude & 1, round_bit, sticky)) {
		if (magnitude == ~0ull)
			*too_big = true;
		magnitude++;
	}
	return magnitude;
}

/* FPToFixed: saturates with Invalid Operation; NaN gives 0 and Invalid Operation. */
uint64_t fp_to_fixed(struct iss *cpu, uint64_t a, unsigned size, unsigned int_size, unsigned fbits, bool is_unsigned,
                     enum fp_rounding rounding)
{
	struct fp_value v = unpack(cpu, a, size);
	bool inexact = false, too_big = v.cls == FP_INFINITY;
	uint64_t magnitude = 0, max_positive = is_unsigned ? ones(int_size) : ones(int_size - 1);
	uint64_t result;
	bool overflow;

	if (is_nan(&v)) {
		raise_flags(cpu, FPSR_IOC);
		return 0;
	}
	if (v.cls == FP_FINITE) {
		v.exp += (int)fbits;
		magnitude = round_to_integer(&v, rounding, &inexact, &too_big);
	}
	if (v.sign && (magnitude != 0 || too_big)) {
		overflow = too_big || is_unsigned || magnitude > max_positive + 1;
		result = overflow ? (is_unsigned ? 0 : ~max_positive) : (uint64_t)0 - magnitude;
	} else {
		overflow = too_big || magnitude > max_positive;
		result = overflow ? max_positive : magnitude;
	}
	raise_flags(cpu, overflow ? FPSR_IOC : inexact ? FPSR_IXC : 0);
	return result & ones(int_size);
}

/* FixedToFP: exact zero is +0; otherwise rounded as FPCR says. */
uint64_t fp_from_fixed(struct iss *cpu, uint64_t value, unsigned int_size, unsigned fbits, bool is_unsigned,
                       unsigned size)
{
	uint64_t magnitude = value & ones(int_size);
	bool sign = !is_unsigned && (magnitude >> (int_size - 1)) & 1;

	if (sign)
		magnitude = (0 - magnitude) & ones(int_size);
	if (magnitude == 0)
		return fp_zero(false, size);
	int lz = __builtin_clzll(magnitude);
	return round_pack(cpu, sign, 63 - lz - (int)fbits, magnitude << lz, size, fp_current_rounding(cpu));
}

/* FPRoundInt. */
uint64_t fp_round_integral(struct iss *cpu, uint64_t a, unsigned size, enum fp_rounding rounding, bool exact)
{
	struct fp_value v = unpack(cpu, a, size);
	bool inexact, too_big;

	if (is_nan(&v))
		return process_nan(cpu, &v, a, size);
	if (v.cls == FP_INFINITY)
		return fp_infinity(v.sign, size);
	if (v.cls == FP_ZERO)
		return fp_zero(v.sign, size);
	if (v.exp >= (int)frac_bits(size))
		return a; /* already integral */
	uint64_t magnitude = round_to_integer(&v, rounding, &inexact, &too_big);
	if (inexact && exact)
		raise_flags(cpu, FPSR_IXC);
	if (magnitude == 0)
		return fp_zero(v.sign, size);
	int lz = __builtin_clzll(magnitude);
	return round_pack(cpu, v.sign, 63 - lz, magnitude << lz, size, FP_ROUND_ZERO); /* exact */
}

/* FPConvertNaN: the payload's top bits carried over, quiet. */
static uint64_t convert_nan(uint64_t a, unsigned from_size, unsigned to_size)
{
	uint64_t payload = (a & (quiet_bit(from_size) * 2 - 1)) << (64 - frac_bits(from_size));
	bool sign = (a & sign_bit(from_size)) != 0;

	return fp_infinity(sign, to_size) | quiet_bit(to_size) | payload >> (64 - frac_bits(to_size));
}

/* FPConvert. An alternative half (FPCR.AHP) has no NaN or infinity: those give 0 and the largest value. */
uint64_t fp_convert(struct iss *cpu, uint64_t a, unsigned from_size, unsigned to_size, enum fp_rounding rounding)
{
	struct fp_value v = unpack(cpu, a, from_size);
	bool alternative = alternative_half(cpu, to_size);

	if (is_nan(&v)) {
		if (v.cls == FP_SNAN || alternative)
			raise_flags(cpu, FPSR_IOC);
		if (alternative)
			return fp_zero(v.sign, to_size);
		return (cpu->fpcr & FPCR_DN) ? fp_default_nan(to_size) : convert_nan(a, from_size, to_size);
	}
	if (v.cls == FP_INFINITY) {
		if (!alternative)
			return fp_infinity(v.sign, to_size);
		raise_flags(cpu, FPSR_IOC);
		return fp_zero(v.sign, to_size) | 0x7fff;
	}
	if (v.cls == FP_ZERO)
		return fp_zero(v.sign, to_size);
	return round_pack(cpu, v.sign, v.exp, v.sig, to_size, rounding);
}

/* RecipEstimate(): 9-bit reciprocal estimate of a in [256, 511] (0.5 <= a/512 < 1). */
static unsigned recip_estimate(unsigned a)
{
	a = a * 2 + 1;
	return ((1u << 19) / a + 1) / 2;
}

/* RecipSqrtEstimate(): 9-bit estimate of 1/sqrt for a in [128, 511]. */
static unsigned recip_sqrt_estimate(unsigned a)
{
	unsigned b = 512;

	a = a < 256 ? a * 2 + 1 : ((a >> 1) << 1) * 2 + 2;
	while ((uint64_t)a * (b + 1) * (b + 1) < (1u << 28))
		b++;
	return (b + 1) / 2;
}

/* The fraction of `a` widened to 52 bits as in a double, and its biased exponent. */
static uint64_t fraction52(uint64_t a, unsigned size, int *exponent)
{
	*exponent = (int)((a & exp_mask(size)) >> frac_bits(size));
	return (a & (quiet_bit(size) * 2 - 1)) << (52 - frac_bits(size));
}

static uint64_t pack_estimate(bool sign, int exponent, uint64_t fraction52, unsigned size)
{
	return fp_zero(sign, size) | (uint64_t)exponent << frac_bits(size) | fraction52 >> (52 - frac_bits(size));
}

/* FPRecipEstimate (FRECPE). */
uint64_t fp_recip_estimate(struct iss *cpu, uint64_t a, unsigned size)
{
	struct fp_value v = unpack(cpu, a, size);
	int exponent, bias = exp_bias(size);

	if (is_nan(&v))
		return process_nan(cpu, &v, a, size);
	if (v.cls == FP_INFINITY)
		return fp_zero(v.sign, size);
	if (v.cls == FP_ZERO) {
		raise_flags(cpu, FPSR_DZC);
		return fp_infinity(v.sign, size);
	}
	if (v.exp < -bias - 1) { /* below 2^-(bias + 1): the reciprocal overflows */
		raise_flags(cpu, FPSR_OFC | FPSR_IXC);
		return overflows_to_infinity(fp_current_rounding(cpu), v.sign) ? fp_infinity(v.sign, size)
		                                                               : fp_max_normal(v.sign, size);
	}
	if ((cpu->fpcr & FPCR_FZ) && v.exp >= bias - 1) {
		raise_flags(cpu, FPSR_UFC);
		return fp_zero(v.sign, size);
	}
	uint64_t fraction = fraction52(a, size, &exponent);
	if (exponent == 0) {
		if (!((fraction >> 51) & 1))
			exponent = -1;
		fraction <<= exponent == -1 ? 2 : 1;
	}
	int result_exp = 2 * bias - 1 - exponent;
	fraction = (uint64_t)(recip_estimate(256 | (unsigned)((fraction >> 44) & 0xff)) & 0xff) << 44;
	if (result_exp == 0) {
		fraction = 1ull << 51 | fraction >> 1;
	} else if (result_exp == -1) {
		fraction = 1ull << 50 | fraction >> 2;
		result_exp = 0;
	}
	return pack_estimate(v.sign, result_exp, fraction & ones(52), size);
}

/* FPRSqrtEstimate (FRSQRTE). */
uint64_t fp_rsqrt_estimate(struct iss *cpu, uint64_t a, unsigned size)
{
	struct fp_value v = unpack(cpu, a, size);
	int exponent, bias = exp_bias(size);
	unsigned scaled;

	if (is_nan(&v))
		return process_nan(cpu, &v, a, size);
	if (v.cls == FP_ZERO) {
		raise_flags(cpu, FPSR_DZC);
		return fp_infinity(v.sign, size);
	}
	if (v.sign) {
		raise_flags(cpu, FPSR_IOC);
		return fp_default_nan(size);
	}
	if (v.cls == FP_INFINITY)
		return fp_zero(false, size);
	uint64_t fraction = fraction52(a, size, &exponent);
	if (exponent == 0) {
		while (!((fraction >> 51) & 1)) {
			fraction <<= 1;
			exponent--;
		}
		fraction = (fraction << 1) & ones(52);
	}
	if (exponent & 1)
		scaled = 128 | (unsigned)((fraction >> 45) & 0x7f);
	else
		scaled = 256 | (unsigned)((fraction >> 44) & 0xff);
	int result_exp = (3 * bias - 1 - exponent) / 2;
	uint64_t estimate = (uint64_t)(recip_sqrt_estimate(scaled) & 0xff) << 44;
	return pack_estimate(false, result_exp, estimate, size);
}

/* FPRecipStepFused (2 - a * b) and FPRSqrtStepFused ((3 - a * b) / 2): 0 * infinity gives 2 or 1.5. */
static uint64_t step_fused(struct iss *cpu, uint64_t a, uint64_t b, unsigned size, bool rsqrt)
{
	uint64_t addend = fp_constant(1, rsqrt, size); /* 3.0 or 2.0 */
	uint64_t bits[3] = {addend, fp_neg(a, size), b};
	struct fp_value v[3] = {unpack(cpu, addend, size), unpack(cpu, bits[1], size), unpack(cpu, b, size)};
	uint64_t result;

	if (process_nans(cpu, v, bits, 3, size, &result))
		return result;
	if ((v[1].cls == FP_INFINITY && v[2].cls == FP_ZERO) || (v[1].cls == FP_ZERO && v[2].cls == FP_INFINITY))
		return fp_constant(rsqrt ? 0 : 1, rsqrt, size); /* 1.5 or 2.0 */
	return muladd_values(cpu, v, bits, size, rsqrt ? -1 : 0);
}

uint64_t fp_recip_step(struct iss *cpu, uint64_t a, uint64_t b, unsigned size)
{
	return step_fused(cpu, a, b, size, false);
}

uint64_t fp_rsqrt_step(struct iss *cpu, uint64_t a, uint64_t b, unsigned size)
{
	return step_fused(cpu, a, b, size, true);
}

/* FPRecpX (FRECPX): the exponent inverted, the fraction cleared; zeros and denormals get the largest. */
uint64_t fp_recip_exponent(struct iss *cpu, uint64_t a, unsigned size)
{
	struct fp_value v = unpack(cpu, a, size);
	uint64_t exponent = a & exp_mask(size);

	if (is_nan(&v))
		return process_nan(cpu, &v, a, size);
	if (exponent == 0)
		return fp_zero(v.sign, size) | (exp_mask(size) - (1ull << frac_bits(size)));
	return fp_zero(v.sign, size) | (~exponent & exp_mask(size));
}
