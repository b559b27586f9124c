/*
 * Arm floating-point arithmetic on raw IEEE 754 bit patterns (fp.c), shared by the scalar FP
 * and the AdvSIMD handlers. Every operation follows FPCR (rounding mode, FZ, DN, and AHP for
 * half precision) and Arm's NaN rules (signalling NaNs first, then the first operand), and
 * ORs the exceptions it raises into FPSR's cumulative flags. Results never depend on the host's
 * floating-point environment. `size` is the element size in bits: 32 or 64, and 16 where a
 * function says so.
 */
#ifndef QVP_ISS_FP_H
#define QVP_ISS_FP_H

#include <stdbool.h>
#include <stdint.h>

struct iss;

/* FPCR.RMode values, and the rounding modes the conversion instructions name themselves. */
enum fp_rounding {
	FP_ROUND_NEAREST_EVEN = 0, /* RN */
	FP_ROUND_PLUS_INF = 1,     /* RP */
	FP_ROUND_MINUS_INF = 2,    /* RM */
	FP_ROUND_ZERO = 3,         /* RZ */
	FP_ROUND_NEAREST_AWAY = 4, /* FCVTA*, FRINTA */
	FP_ROUND_ODD = 5,          /* FCVTXN */
};

/* The rounding mode FPCR selects now. */
enum fp_rounding fp_current_rounding(const struct iss *cpu);

uint64_t fp_add(struct iss *cpu, uint64_t a, uint64_t b, unsigned size);
uint64_t fp_sub(struct iss *cpu, uint64_t a, uint64_t b, unsigned size);
uint64_t fp_mul(struct iss *cpu, uint64_t a, uint64_t b, unsigned size);
uint64_t fp_mulx(struct iss *cpu, uint64_t a, uint64_t b, unsigned size); /* 0 * inf = 2, signed */
uint64_t fp_div(struct iss *cpu, uint64_t a, uint64_t b, unsigned size);
uint64_t fp_max(struct iss *cpu, uint64_t a, uint64_t b, unsigned size);
uint64_t fp_min(struct iss *cpu, uint64_t a, uint64_t b, unsigned size);
uint64_t fp_maxnm(struct iss *cpu, uint64_t a, uint64_t b, unsigned size); /* a quiet NaN loses */
uint64_t fp_minnm(struct iss *cpu, uint64_t a, uint64_t b, unsigned size);
/* addend + a * b with a single rounding (FMADD, FMLA); FMSUB/FMLS negate `a` first. */
uint64_t fp_muladd(struct iss *cpu, uint64_t addend, uint64_t a, uint64_t b, unsigned size);
uint64_t fp_sqrt(struct iss *cpu, uint64_t a, unsigned size);
uint64_t fp_abs(uint64_t a, unsigned size); /* sign bit only: no NaN processing, no flags */
uint64_t fp_neg(uint64_t a, unsigned size);

/* FCMP/FCMPE: the NZCV nibble (unordered 0011); `signal_all_nans` for FCMPE. */
unsigned fp_compare(struct iss *cpu, uint64_t a, uint64_t b, unsigned size, bool signal_all_nans);
/* The vector compares FCMEQ/FCMGE/FCMGT: true or false, Invalid Operation as Arm says. */
bool fp_compare_eq(struct iss *cpu, uint64_t a, uint64_t b, unsigned size);
bool fp_compare_ge(struct iss *cpu, uint64_t a, uint64_t b, unsigned size);
bool fp_compare_gt(struct iss *cpu, uint64_t a, uint64_t b, unsigned size);

/* Float -> (un)signed integer of `int_size` bits with `fbits` fraction bits, saturating. */
uint64_t fp_to_fixed(struct iss *cpu, uint64_t a, unsigned size, unsigned int_size, unsigned fbits, bool is_unsigned,
                     enum fp_rounding rounding);
/* (Un)signed integer of `int_size` bits with `fbits` fraction bits -> float, rounded as FPCR says. */
uint64_t fp_from_fixed(struct iss *cpu, uint64_t value, unsigned int_size, unsigned fbits, bool is_unsigned,
                       unsigned size);
/* FRINT*: round to an integral value in floating point; `exact` raises Inexact (FRINTX). */
uint64_t fp_round_integral(struct iss *cpu, uint64_t a, unsigned size, enum fp_rounding rounding, bool exact);
/* FCVT between precisions 16, 32 and 64 (FCVTXN: to 32 with FP_ROUND_ODD). */
uint64_t fp_convert(struct iss *cpu, uint64_t a, unsigned from_size, unsigned to_size, enum fp_rounding rounding);

/* FRECPE, FRSQRTE, FRECPS, FRSQRTS, FRECPX. */
uint64_t fp_recip_estimate(struct iss *cpu, uint64_t a, unsigned size);
uint64_t fp_rsqrt_estimate(struct iss *cpu, uint64_t a, unsigned size);
uint64_t fp_recip_step(struct iss *cpu, uint64_t a, uint64_t b, unsigned size);
uint64_t fp_rsqrt_step(struct iss *cpu, uint64_t a, uint64_t b, unsigned size);
uint64_t fp_recip_exponent(struct iss *cpu, uint64_t a, unsigned size);

#endif
