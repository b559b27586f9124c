/*
 * Scalar floating point: data processing, compares, selects and the conversions to and from
 * integers, over fp.c's arithmetic. Each handler reads its sources before writing Vd.
 */
#include "fp_handlers.h"

ISS_HANDLER(iss_exec_fmov_reg)
{
	if (!iss_fp_enabled(cpu))
		return;
	write_scalar(cpu, insn->rd, read_scalar(cpu, insn->rn, insn->type), insn->type);
	iss_advance(cpu, insn);
}

ISS_HANDLER(iss_exec_fabs)
{
	if (!iss_fp_enabled(cpu))
		return;
	write_scalar(cpu, insn->rd, fp_abs(read_scalar(cpu, insn->rn, insn->type), insn->type), insn->type);
	iss_advance(cpu, insn);
}

ISS_HANDLER(iss_exec_fneg)
{
	if (!iss_fp_enabled(cpu))
		return;
	write_scalar(cpu, insn->rd, fp_neg(read_scalar(cpu, insn->rn, insn->type), insn->type), insn->type);
	iss_advance(cpu, insn);
}

ISS_HANDLER(iss_exec_fsqrt)
{
	if (!iss_fp_enabled(cpu))
		return;
	write_scalar(cpu, insn->rd, fp_sqrt(cpu, read_scalar(cpu, insn->rn, insn->type), insn->type), insn->type);
	iss_advance(cpu, insn);
}

ISS_HANDLER(iss_exec_fcvt)
{
	if (!iss_fp_enabled(cpu))
		return;
	uint64_t value =
	    fp_convert(cpu, read_scalar(cpu, insn->rn, insn->type), insn->type, insn->amount, fp_current_rounding(cpu));
	write_scalar(cpu, insn->rd, value, insn->amount);
	iss_advance(cpu, insn);
}

ISS_HANDLER(iss_exec_frint)
{
	if (!iss_fp_enabled(cpu))
		return;
	enum fp_rounding rounding =
	    insn->cond == ROUNDING_FPCR ? fp_current_rounding(cpu) : (enum fp_rounding)insn->cond;
	uint64_t value =
	    fp_round_integral(cpu, read_scalar(cpu, insn->rn, insn->type), insn->type, rounding, insn->nzcv);
	write_scalar(cpu, insn->rd, value, insn->type);
	iss_advance(cpu, insn);
}

ISS_HANDLER(iss_exec_fmov_imm)
{
	if (!iss_fp_enabled(cpu))
		return;
	write_scalar(cpu, insn->rd, insn->imm, insn->type);
	iss_advance(cpu, insn);
}

/* Two-operand arithmetic: Vd = op(Vn, Vm). */
#define DEFINE_FP_BINARY(name, expression)                                                                             \
	ISS_HANDLER(iss_exec_##name)                                                                                   \
	{                                                                                                              \
		unsigned size = insn->type;                                                                            \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		uint64_t a = read_scalar(cpu, insn->rn, size), b = read_scalar(cpu, insn->rm, size);                   \
		write_scalar(cpu, insn->rd, expression, size);                                                         \
		iss_advance(cpu, insn);                                                                                \
	}

DEFINE_FP_BINARY(fmul, fp_mul(cpu, a, b, size))
DEFINE_FP_BINARY(fdiv, fp_div(cpu, a, b, size))
DEFINE_FP_BINARY(fadd, fp_add(cpu, a, b, size))
DEFINE_FP_BINARY(fsub, fp_sub(cpu, a, b, size))
DEFINE_FP_BINARY(fmax, fp_max(cpu, a, b, size))
DEFINE_FP_BINARY(fmin, fp_min(cpu, a, b, size))
DEFINE_FP_BINARY(fmaxnm, fp_maxnm(cpu, a, b, size))
DEFINE_FP_BINARY(fminnm, fp_minnm(cpu, a, b, size))
DEFINE_FP_BINARY(fnmul, fp_neg(fp_mul(cpu, a, b, size), size))

/* Fused multiply-add, Vd = Va + Vn * Vm with the negations the Arm ARM applies to the operands. */
#define DEFINE_FP_FUSED(name, negate_addend, negate_product)                                                           \
	ISS_HANDLER(iss_exec_##name)                                                                                   \
	{                                                                                                              \
		unsigned size = insn->type;                                                                            \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		uint64_t addend = read_scalar(cpu, insn->ra, size), a = read_scalar(cpu, insn->rn, size);              \
		uint64_t b = read_scalar(cpu, insn->rm, size);                                                         \
		if (negate_addend)                                                                                     \
			addend = fp_neg(addend, size);                                                                 \
		if (negate_product)                                                                                    \
			a = fp_neg(a, size);                                                                           \
		write_scalar(cpu, insn->rd, fp_muladd(cpu, addend, a, b, size), size);                                 \
		iss_advance(cpu, insn);                                                                                \
	}

DEFINE_FP_FUSED(fmadd, false, false)
DEFINE_FP_FUSED(fmsub, false, true)
DEFINE_FP_FUSED(fnmadd, true, true)
DEFINE_FP_FUSED(fnmsub, true, false)

ISS_HANDLER(iss_exec_fcmp)
{
	unsigned size = insn->type;

	if (!iss_fp_enabled(cpu))
		return;
	uint64_t b = insn->amount ? 0 : read_scalar(cpu, insn->rm, size);
	cpu->nzcv = fp_compare(cpu, read_scalar(cpu, insn->rn, size), b, size, insn->nzcv);
	iss_advance(cpu, insn);
}

ISS_HANDLER(iss_exec_fccmp)
{
	unsigned size = insn->type;

	if (!iss_fp_enabled(cpu))
		return;
	if (cond_holds(cpu, insn->cond))
		cpu->nzcv = fp_compare(cpu, read_scalar(cpu, insn->rn, size), read_scalar(cpu, insn->rm, size), size,
		                       insn->amount);
	else
		cpu->nzcv = insn->nzcv;
	iss_advance(cpu, insn);
}

ISS_HANDLER(iss_exec_fcsel)
{
	unsigned size = insn->type;

	if (!iss_fp_enabled(cpu))
		return;
	unsigned source = cond_holds(cpu, insn->cond) ? insn->rn : insn->rm;
	write_scalar(cpu, insn->rd, read_scalar(cpu, source, size), size);
	iss_advance(cpu, insn);
}

/* FCVT[NPMZA][SU] (integer and fixed point): a W result is zero-extended into X. */
ISS_HANDLER(iss_exec_fcvt_to_int)
{
	if (!iss_fp_enabled(cpu))
		return;
	cpu->x[insn->rd] = fp_to_fixed(cpu, read_scalar(cpu, insn->rn, insn->type), insn->type, (unsigned)insn->imm,
	                               insn->amount, insn->imm2, (enum fp_rounding)insn->cond);
	iss_advance(cpu, insn);
}

ISS_HANDLER(iss_exec_int_to_fp)
{
	if (!iss_fp_enabled(cpu))
		return;
	uint64_t value =
	    fp_from_fixed(cpu, cpu->x[insn->rn], (unsigned)insn->imm, insn->amount, insn->imm2, insn->type);
	write_scalar(cpu, insn->rd, value, insn->type);
	iss_advance(cpu, insn);
}

ISS_HANDLER(iss_exec_fmov_to_general)
{
	if (!iss_fp_enabled(cpu))
		return;
	cpu->x[insn->rd] = cpu->v[insn->rn].d[insn->amount] & fp_size_mask((unsigned)insn->imm);
	iss_advance(cpu, insn);
}

/* FMOV Sd/Dd, Wn/Xn zeroes the rest of Vd; FMOV Vd.D[1], Xn keeps the low half. */
ISS_HANDLER(iss_exec_fmov_from_general)
{
	if (!iss_fp_enabled(cpu))
		return;
	uint64_t value = cpu->x[insn->rn] & fp_size_mask((unsigned)insn->imm);
	if (insn->amount)
		cpu->v[insn->rd].d[1] = value;
	else
		write_scalar(cpu, insn->rd, value, 64);
	iss_advance(cpu, insn);
}
