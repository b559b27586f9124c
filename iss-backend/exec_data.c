/* Data processing: immediate and register forms, integer arithmetic, logic, bitfields, multiply, divide. */
#include "exec_handlers.h"
#include "iss_state.h"

/* AddWithCarry() of the Arm ARM: the sum, and NZCV into PSTATE. */
static inline uint64_t add_with_carry64(struct iss *cpu, uint64_t a, uint64_t b, unsigned carry)
{
	uint64_t r = a + b + carry;
	unsigned c = carry ? r <= a : r < a;
	unsigned v = (unsigned)(((a ^ r) & (b ^ r)) >> 63);

	cpu->nzcv = (unsigned)(r >> 63) << 3 | (unsigned)(r == 0) << 2 | c << 1 | v;
	return r;
}

static inline uint32_t add_with_carry32(struct iss *cpu, uint32_t a, uint32_t b, unsigned carry)
{
	uint64_t wide = (uint64_t)a + b + carry;
	uint32_t r = (uint32_t)wide;
	unsigned v = ((a ^ r) & (b ^ r)) >> 31;

	cpu->nzcv = (r >> 31) << 3 | (unsigned)(r == 0) << 2 | (unsigned)(wide >> 32) << 1 | v;
	return r;
}

/* Flags of the logical S forms: N and Z from the result, C and V cleared. */
static inline uint64_t logic_flags64(struct iss *cpu, uint64_t r)
{
	cpu->nzcv = (unsigned)(r >> 63) << 3 | (unsigned)(r == 0) << 2;
	return r;
}

static inline uint32_t logic_flags32(struct iss *cpu, uint32_t r)
{
	cpu->nzcv = (r >> 31) << 3 | (unsigned)(r == 0) << 2;
	return r;
}

static inline uint64_t ror64(uint64_t v, unsigned n)
{
	return (v >> n) | (v << ((64 - n) & 63));
}

static inline uint32_t ror32(uint32_t v, unsigned n)
{
	return (v >> n) | (v << ((32 - n) & 31));
}

static inline uint64_t extend_value(uint64_t v, unsigned type)
{
	switch (type) {
	case EXTEND_UXTB:
		return (uint8_t)v;
	case EXTEND_UXTH:
		return (uint16_t)v;
	case EXTEND_UXTW:
		return (uint32_t)v;
	case EXTEND_SXTB:
		return (uint64_t)(int64_t)(int8_t)v;
	case EXTEND_SXTH:
		return (uint64_t)(int64_t)(int16_t)v;
	case EXTEND_SXTW:
		return (uint64_t)(int64_t)(int32_t)v;
	default:
		return v;
	}
}

/*
 * Second operands. Each returns the value of the form's second operand; the decoder chose
 * the handler, so the shift type is a constant here, not a run-time switch.
 */
static inline uint64_t imm_64(struct iss *cpu, const struct iss_insn *insn)
{
	(void)cpu;
	return insn->imm;
}

static inline uint32_t imm_32(struct iss *cpu, const struct iss_insn *insn)
{
	(void)cpu;
	return (uint32_t)insn->imm;
}

static inline uint64_t lsl_64(struct iss *cpu, const struct iss_insn *insn)
{
	return cpu->x[insn->rm] << insn->amount;
}

static inline uint64_t lsr_64(struct iss *cpu, const struct iss_insn *insn)
{
	return cpu->x[insn->rm] >> insn->amount;
}

static inline uint64_t asr_64(struct iss *cpu, const struct iss_insn *insn)
{
	return (uint64_t)((int64_t)cpu->x[insn->rm] >> insn->amount);
}

static inline uint64_t ror_64(struct iss *cpu, const struct iss_insn *insn)
{
	return ror64(cpu->x[insn->rm], insn->amount);
}

static inline uint32_t lsl_32(struct iss *cpu, const struct iss_insn *insn)
{
	return (uint32_t)cpu->x[insn->rm] << insn->amount;
}

static inline uint32_t lsr_32(struct iss *cpu, const struct iss_insn *insn)
{
	return (uint32_t)cpu->x[insn->rm] >> insn->amount;
}

static inline uint32_t asr_32(struct iss *cpu, const struct iss_insn *insn)
{
	return (uint32_t)((int32_t)(uint32_t)cpu->x[insn->rm] >> insn->amount);
}

static inline uint32_t ror_32(struct iss *cpu, const struct iss_insn *insn)
{
	return ror32((uint32_t)cpu->x[insn->rm], insn->amount);
}

static inline uint64_t ext_64(struct iss *cpu, const struct iss_insn *insn)
{
	return extend_value(cpu->x[insn->rm], insn->type) << insn->amount;
}

static inline uint32_t ext_32(struct iss *cpu, const struct iss_insn *insn)
{
	return (uint32_t)(extend_value(cpu->x[insn->rm], insn->type) << insn->amount);
}

static inline uint64_t carry_64(struct iss *cpu, const struct iss_insn *insn)
{
	return cpu->x[insn->rm];
}

static inline uint32_t carry_32(struct iss *cpu, const struct iss_insn *insn)
{
	return (uint32_t)cpu->x[insn->rm];
}

/* Operations: op_64(cpu, a, b) and op_32(cpu, a, b). */
#define DEFINE_OP(name, type, expr)                                                                                    \
	static inline type name(struct iss *cpu, type a, type b)                                                       \
	{                                                                                                              \
		(void)cpu;                                                                                             \
		return expr;                                                                                           \
	}

DEFINE_OP(add_64, uint64_t, a + b)
DEFINE_OP(add_32, uint32_t, a + b)
DEFINE_OP(adds_64, uint64_t, add_with_carry64(cpu, a, b, 0))
DEFINE_OP(adds_32, uint32_t, add_with_carry32(cpu, a, b, 0))
DEFINE_OP(sub_64, uint64_t, a - b)
DEFINE_OP(sub_32, uint32_t, a - b)
DEFINE_OP(subs_64, uint64_t, add_with_carry64(cpu, a, ~b, 1))
DEFINE_OP(subs_32, uint32_t, add_with_carry32(cpu, a, ~b, 1))
DEFINE_OP(adc_64, uint64_t, a + b + ((cpu->nzcv >> 1) & 1))
DEFINE_OP(adc_32, uint32_t, a + b + ((cpu->nzcv >> 1) & 1))
DEFINE_OP(adcs_64, uint64_t, add_with_carry64(cpu, a, b, (cpu->nzcv >> 1) & 1))
DEFINE_OP(adcs_32, uint32_t, add_with_carry32(cpu, a, b, (cpu->nzcv >> 1) & 1))
DEFINE_OP(sbc_64, uint64_t, a + ~b + ((cpu->nzcv >> 1) & 1))
DEFINE_OP(sbc_32, uint32_t, a + ~b + ((cpu->nzcv >> 1) & 1))
DEFINE_OP(sbcs_64, uint64_t, add_with_carry64(cpu, a, ~b, (cpu->nzcv >> 1) & 1))
DEFINE_OP(sbcs_32, uint32_t, add_with_carry32(cpu, a, ~b, (cpu->nzcv >> 1) & 1))
DEFINE_OP(and_64, uint64_t, a &b)
DEFINE_OP(and_32, uint32_t, a &b)
DEFINE_OP(bic_64, uint64_t, a & ~b)
DEFINE_OP(bic_32, uint32_t, a & ~b)
DEFINE_OP(orr_64, uint64_t, a | b)
DEFINE_OP(orr_32, uint32_t, a | b)
DEFINE_OP(orn_64, uint64_t, a | ~b)
DEFINE_OP(orn_32, uint32_t, a | ~b)
DEFINE_OP(eor_64, uint64_t, a ^ b)
DEFINE_OP(eor_32, uint32_t, a ^ b)
DEFINE_OP(eon_64, uint64_t, a ^ ~b)
DEFINE_OP(eon_32, uint32_t, a ^ ~b)
DEFINE_OP(ands_64, uint64_t, logic_flags64(cpu, (a & b)))
DEFINE_OP(ands_32, uint32_t, logic_flags32(cpu, (a & b)))
DEFINE_OP(bics_64, uint64_t, logic_flags64(cpu, a & ~b))
DEFINE_OP(bics_32, uint32_t, logic_flags32(cpu, a & ~b))

/* Rd = op(Rn, operand) in both widths; 32-bit results are zero-extended into the X register. */
/*
 * The end of a compare (SUBS, ADDS, ANDS): when the next slot is a B.cond, runs it here, the
 * flags still in a host register and one dispatch saved; it takes its own budget slot exactly
 * where iss_chain() would have chained it, and otherwise (budget end, due interrupt, debugger,
 * chain depth) the loop runs it. The next slot is read each time, so a rewritten or not yet
 * decoded branch (iss_exec_decode), or one that records coverage, takes the plain path.
 */
static inline void compare_end(struct iss *cpu, const struct iss_insn *insn)
{
	const struct iss_insn *next = insn + 1;
	uint64_t pc = cpu->pc + 4;

	cpu->pc = pc;
	if (unlikely(pc >= cpu->block_end))
		return; /* the block ends (page, budget, stop, debugger): the loop takes over as in iss_advance() */
	if (next->exec == iss_exec_b_cond)
		iss_jump(cpu, next, cond_holds(cpu, next->cond) ? next->imm : 4);
	else
		next->exec(cpu, next);
}

#define DEFINE_COMPARE(op, operand)                                                                                    \
	static void op##_##operand##_64(struct iss *cpu, const struct iss_insn *insn)                                  \
	{                                                                                                              \
		cpu->x[insn->rd] = op##_64(cpu, cpu->x[insn->rn], operand##_64(cpu, insn));                            \
		compare_end(cpu, insn);                                                                                \
	}                                                                                                              \
	static void op##_##operand##_32(struct iss *cpu, const struct iss_insn *insn)                                  \
	{                                                                                                              \
		cpu->x[insn->rd] = op##_32(cpu, (uint32_t)cpu->x[insn->rn], operand##_32(cpu, insn));                  \
		compare_end(cpu, insn);                                                                                \
	}

#define DEFINE_BINARY(op, operand)                                                                                     \
	static void op##_##operand##_64(struct iss *cpu, const struct iss_insn *insn)                                  \
	{                                                                                                              \
		cpu->x[insn->rd] = op##_64(cpu, cpu->x[insn->rn], operand##_64(cpu, insn));                            \
		iss_advance(cpu, insn);                                                                                \
	}                                                                                                              \
	static void op##_##operand##_32(struct iss *cpu, const struct iss_insn *insn)                                  \
	{                                                                                                              \
		cpu->x[insn->rd] = op##_32(cpu, (uint32_t)cpu->x[insn->rn], operand##_32(cpu, insn));                  \
		iss_advance(cpu, insn);                                                                                \
	}

#define DEFINE_SHIFTED3(op, define) define(op, lsl) define(op, lsr) define(op, asr)
#define DEFINE_SHIFTED(op, define)  DEFINE_SHIFTED3(op, define) define(op, ror)

/* The flag-setting forms (S) end with compare_end(): a B.cond usually follows them. */
#define ADDSUB_FORMS(op, define) define(op, imm) DEFINE_SHIFTED3(op, define) define(op, ext)
ADDSUB_FORMS(add, DEFINE_BINARY)
ADDSUB_FORMS(adds, DEFINE_COMPARE)
ADDSUB_FORMS(sub, DEFINE_BINARY)
ADDSUB_FORMS(subs, DEFINE_COMPARE)

#define LOGIC_FORMS(op, define) define(op, imm) DEFINE_SHIFTED(op, define)
LOGIC_FORMS(and, DEFINE_BINARY)
LOGIC_FORMS(orr, DEFINE_BINARY)
LOGIC_FORMS(eor, DEFINE_BINARY)
LOGIC_FORMS(ands, DEFINE_COMPARE)
DEFINE_SHIFTED(bic, DEFINE_BINARY)
DEFINE_SHIFTED(orn, DEFINE_BINARY)
DEFINE_SHIFTED(eon, DEFINE_BINARY)
DEFINE_SHIFTED(bics, DEFINE_COMPARE)

DEFINE_BINARY(adc, carry)
DEFINE_BINARY(adcs, carry)
DEFINE_BINARY(sbc, carry)
DEFINE_BINARY(sbcs, carry)

const iss_exec_fn iss_exec_addsub_imm[2][4] = {
    {add_imm_32, adds_imm_32, sub_imm_32, subs_imm_32},
    {add_imm_64, adds_imm_64, sub_imm_64, subs_imm_64},
};

const iss_exec_fn iss_exec_addsub_ext[2][4] = {
    {add_ext_32, adds_ext_32, sub_ext_32, subs_ext_32},
    {add_ext_64, adds_ext_64, sub_ext_64, subs_ext_64},
};

const iss_exec_fn iss_exec_addsub_carry[2][4] = {
    {adc_carry_32, adcs_carry_32, sbc_carry_32, sbcs_carry_32},
    {adc_carry_64, adcs_carry_64, sbc_carry_64, sbcs_carry_64},
};

#define SHIFTS3(op, w)                                                                                                 \
	{                                                                                                              \
		op##_lsl_##w, op##_lsr_##w, op##_asr_##w                                                               \
	}
#define SHIFTS4(op, w)                                                                                                 \
	{                                                                                                              \
		op##_lsl_##w, op##_lsr_##w, op##_asr_##w, op##_ror_##w                                                 \
	}

const iss_exec_fn iss_exec_addsub_shift[2][4][3] = {
    {SHIFTS3(add, 32), SHIFTS3(adds, 32), SHIFTS3(sub, 32), SHIFTS3(subs, 32)},
    {SHIFTS3(add, 64), SHIFTS3(adds, 64), SHIFTS3(sub, 64), SHIFTS3(subs, 64)},
};

const iss_exec_fn iss_exec_logic_imm[2][4] = {
    {and_imm_32, orr_imm_32, eor_imm_32, ands_imm_32},
    {and_imm_64, orr_imm_64, eor_imm_64, ands_imm_64},
};

const iss_exec_fn iss_exec_logic_reg[2][8][4] = {
    {SHIFTS4(and, 32), SHIFTS4(bic, 32), SHIFTS4(orr, 32), SHIFTS4(orn, 32), SHIFTS4(eor, 32), SHIFTS4(eon, 32),
     SHIFTS4(ands, 32), SHIFTS4(bics, 32)},
    {SHIFTS4(and, 64), SHIFTS4(bic, 64), SHIFTS4(orr, 64), SHIFTS4(orn, 64), SHIFTS4(eor, 64), SHIFTS4(eon, 64),
     SHIFTS4(ands, 64), SHIFTS4(bics, 64)},
};

/* ---- PC-relative addresses, moves ---- */

ISS_HANDLER(iss_exec_adr)
{
	cpu->x[insn->rd] = cpu->pc + insn->imm;
	iss_advance(cpu, insn);
}

ISS_HANDLER(iss_exec_adrp)
{
	cpu->x[insn->rd] = (cpu->pc & ~(PAGE_SIZE - 1)) + insn->imm;
	iss_advance(cpu, insn);
}

ISS_HANDLER(iss_exec_mov_const)
{
	cpu->x[insn->rd] = insn->imm;
	iss_advance(cpu, insn);
}

static void mov_reg_64(struct iss *cpu, const struct iss_insn *insn)
{
	cpu->x[insn->rd] = cpu->x[insn->rm];
	iss_advance(cpu, insn);
}

static void mov_reg_32(struct iss *cpu, const struct iss_insn *insn)
{
	cpu->x[insn->rd] = (uint32_t)cpu->x[insn->rm];
	iss_advance(cpu, insn);
}

const iss_exec_fn iss_exec_mov_reg[2] = {mov_reg_32, mov_reg_64};

/* MOVK: imm is the shifted 16-bit value, imm2 the mask of the bits it replaces. */
static void movk_64(struct iss *cpu, const struct iss_insn *insn)
{
	cpu->x[insn->rd] = (cpu->x[insn->rd] & ~insn->imm2) | insn->imm;
	iss_advance(cpu, insn);
}

static void movk_32(struct iss *cpu, const struct iss_insn *insn)
{
	cpu->x[insn->rd] = (uint32_t)((cpu->x[insn->rd] & ~insn->imm2) | insn->imm);
	iss_advance(cpu, insn);
}

const iss_exec_fn iss_exec_movk[2] = {movk_32, movk_64};

/*
 * ---- Bitfield moves ----
 * SBFM and UBFM (ASR, LSL, LSR, SBFX, UBFX, SXTW, ...) are two shifts: left by `amount` so the
 * field's top bit is the register's top bit, then right by `type`, arithmetic or logical.
 * BFM keeps the Arm ARM's masks: imm = wmask, imm2 = tmask, amount = R.
 */
static void sbfm_64(struct iss *cpu, const struct iss_insn *insn)
{
	cpu->x[insn->rd] = (uint64_t)((int64_t)(cpu->x[insn->rn] << insn->amount) >> insn->type);
	iss_advance(cpu, insn);
}

static void sbfm_32(struct iss *cpu, const struct iss_insn *insn)
{
	uint32_t shifted = (uint32_t)cpu->x[insn->rn] << insn->amount;

	cpu->x[insn->rd] = (uint32_t)((int32_t)shifted >> insn->type);
	iss_advance(cpu, insn);
}

static void ubfm_64(struct iss *cpu, const struct iss_insn *insn)
{
	cpu->x[insn->rd] = (cpu->x[insn->rn] << insn->amount) >> insn->type;
	iss_advance(cpu, insn);
}

static void ubfm_32(struct iss *cpu, const struct iss_insn *insn)
{
	cpu->x[insn->rd] = ((uint32_t)cpu->x[insn->rn] << insn->amount) >> insn->type;
	iss_advance(cpu, insn);
}

static void bfm_64(struct iss *cpu, const struct iss_insn *insn)
{
	uint64_t dst = cpu->x[insn->rd];
	uint64_t bot = (dst & ~insn->imm) | (ror64(cpu->x[insn->rn], insn->amount) & insn->imm);

	cpu->x[insn->rd] = (dst & ~insn->imm2) | (bot & insn->imm2);
	iss_advance(cpu, insn);
}

static void bfm_32(struct iss *cpu, const struct iss_insn *insn)
{
	uint32_t dst = (uint32_t)cpu->x[insn->rd];
	uint32_t wmask = (uint32_t)insn->imm, tmask = (uint32_t)insn->imm2;
	uint32_t bot = (dst & ~wmask) | (ror32((uint32_t)cpu->x[insn->rn], insn->amount) & wmask);

	cpu->x[insn->rd] = (dst & ~tmask) | (bot & tmask);
	iss_advance(cpu, insn);
}

const iss_exec_fn iss_exec_bitfield[2][3] = {
    {sbfm_32, bfm_32, ubfm_32},
    {sbfm_64, bfm_64, ubfm_64},
};

/* ---- Extract ---- */

/* EXTR: the low bits of Rn:Rm shifted right by `amount`. */
static void extr_64(struct iss *cpu, const struct iss_insn *insn)
{
	uint64_t lo = cpu->x[insn->rm], hi = cpu->x[insn->rn];
	unsigned lsb = insn->amount;

	cpu->x[insn->rd] = lsb ? (lo >> lsb) | (hi << (64 - lsb)) : lo;
	iss_advance(cpu, insn);
}

static void extr_32(struct iss *cpu, const struct iss_insn *insn)
{
	uint64_t pair = (cpu->x[insn->rn] << 32) | (uint32_t)cpu->x[insn->rm];

	cpu->x[insn->rd] = (uint32_t)(pair >> insn->amount);
	iss_advance(cpu, insn);
}

const iss_exec_fn iss_exec_extr[2] = {extr_32, extr_64};

/* ---- Conditional compare and select ---- */

#define DEFINE_CCMP(name, type, w, operand, compare)                                                                   \
	static void name##_##w(struct iss *cpu, const struct iss_insn *insn)                                           \
	{                                                                                                              \
		if (cond_holds(cpu, insn->cond)) {                                                                     \
			type a = (type)cpu->x[insn->rn], b = (type)(operand);                                          \
			compare;                                                                                       \
		} else {                                                                                               \
			cpu->nzcv = insn->nzcv;                                                                        \
		}                                                                                                      \
		iss_advance(cpu, insn);                                                                                \
	}

DEFINE_CCMP(ccmn_reg, uint64_t, 64, cpu->x[insn->rm], add_with_carry64(cpu, a, b, 0))
DEFINE_CCMP(ccmn_reg, uint32_t, 32, cpu->x[insn->rm], add_with_carry32(cpu, a, b, 0))
DEFINE_CCMP(ccmn_imm, uint64_t, 64, insn->imm, add_with_carry64(cpu, a, b, 0))
DEFINE_CCMP(ccmn_imm, uint32_t, 32, insn->imm, add_with_carry32(cpu, a, b, 0))
DEFINE_CCMP(ccmp_reg, uint64_t, 64, cpu->x[insn->rm], add_with_carry64(cpu, a, ~b, 1))
DEFINE_CCMP(ccmp_reg, uint32_t, 32, cpu->x[insn->rm], add_with_carry32(cpu, a, ~b, 1))
DEFINE_CCMP(ccmp_imm, uint64_t, 64, insn->imm, add_with_carry64(cpu, a, ~b, 1))
DEFINE_CCMP(ccmp_imm, uint32_t, 32, insn->imm, add_with_carry32(cpu, a, ~b, 1))

const iss_exec_fn iss_exec_ccmp[2][2][2] = {
    {{ccmn_reg_32, ccmn_imm_32}, {ccmp_reg_32, ccmp_imm_32}},
    {{ccmn_reg_64, ccmn_imm_64}, {ccmp_reg_64, ccmp_imm_64}},
};

/* Rd = cond ? Rn : f(Rm) */
#define DEFINE_CSEL(name, type, w, f)                                                                                  \
	static void name##_##w(struct iss *cpu, const struct iss_insn *insn)                                           \
	{                                                                                                              \
		type m = (type)cpu->x[insn->rm];                                                                       \
		cpu->x[insn->rd] = cond_holds(cpu, insn->cond) ? (type)cpu->x[insn->rn] : (type)(f);                   \
		iss_advance(cpu, insn);                                                                                \
	}

DEFINE_CSEL(csel, uint64_t, 64, m)
DEFINE_CSEL(csel, uint32_t, 32, m)
DEFINE_CSEL(csinc, uint64_t, 64, m + 1)
DEFINE_CSEL(csinc, uint32_t, 32, m + 1)
DEFINE_CSEL(csinv, uint64_t, 64, ~m)
DEFINE_CSEL(csinv, uint32_t, 32, ~m)
DEFINE_CSEL(csneg, uint64_t, 64, 0 - m)
DEFINE_CSEL(csneg, uint32_t, 32, 0 - m)

const iss_exec_fn iss_exec_csel[2][4] = {
    {csel_32, csinc_32, csinv_32, csneg_32},
    {csel_64, csinc_64, csinv_64, csneg_64},
};

/* ---- One source: bit and byte reversal, leading bits ---- */

static uint64_t reverse_bits64(uint64_t v)
{
	v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
	v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
	v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
	return __builtin_bswap64(v);
}

static uint64_t rev16_value(uint64_t v)
{
	return ((v >> 8) & 0x00ff00ff00ff00ffull) | ((v & 0x00ff00ff00ff00ffull) << 8);
}

/* CountLeadingSignBits(): leading bits equal to the sign bit, not counting the sign bit. */
static unsigned cls64(uint64_t v)
{
	uint64_t differ = (v ^ (v >> 1)) & ~(1ull << 63);

	return differ ? (unsigned)__builtin_clzll(differ) - 1 : 63;
}

static unsigned cls32(uint32_t v)
{
	uint32_t differ = (v ^ (v >> 1)) & 0x7fffffffu;

	return differ ? (unsigned)__builtin_clz(differ) - 1 : 31;
}

#define DEFINE_UNARY(name, w, expr)                                                                                    \
	static void name##_##w(struct iss *cpu, const struct iss_insn *insn)                                           \
	{                                                                                                              \
		uint64_t v = cpu->x[insn->rn];                                                                         \
		cpu->x[insn->rd] = (expr);                                                                             \
		iss_advance(cpu, insn);                                                                                \
	}

DEFINE_UNARY(rbit, 64, reverse_bits64(v))
DEFINE_UNARY(rbit, 32, reverse_bits64(v) >> 32)
DEFINE_UNARY(rev16, 64, rev16_value(v))
DEFINE_UNARY(rev16, 32, (uint32_t)rev16_value(v))
DEFINE_UNARY(rev32, 64, ((uint64_t)__builtin_bswap32((uint32_t)(v >> 32)) << 32) | __builtin_bswap32((uint32_t)v))
DEFINE_UNARY(rev, 64, __builtin_bswap64(v))
DEFINE_UNARY(rev, 32, __builtin_bswap32((uint32_t)v))
DEFINE_UNARY(clz, 64, v ? (unsigned)__builtin_clzll(v) : 64)
DEFINE_UNARY(clz, 32, (uint32_t)v ? (unsigned)__builtin_clz((uint32_t)v) : 32)
DEFINE_UNARY(cls, 64, cls64(v))
DEFINE_UNARY(cls, 32, cls32((uint32_t)v))

const iss_exec_fn iss_exec_dp1[2][6] = {
    {rbit_32, rev16_32, rev_32, NULL, clz_32, cls_32},
    {rbit_64, rev16_64, rev32_64, rev_64, clz_64, cls_64},
};

/* ---- Two sources: divide (by zero gives 0), variable shifts (amount modulo the width) ---- */

#define DEFINE_TWO(name, w, type, expr)                                                                                \
	static void name##_##w(struct iss *cpu, const struct iss_insn *insn)                                           \
	{                                                                                                              \
		type a = (type)cpu->x[insn->rn], b = (type)cpu->x[insn->rm];                                           \
		cpu->x[insn->rd] = (expr);                                                                             \
		iss_advance(cpu, insn);                                                                                \
	}

DEFINE_TWO(udiv, 64, uint64_t, b ? a / b : 0)
DEFINE_TWO(udiv, 32, uint32_t, b ? a / b : 0)
/* INT_MIN / -1 overflows in C; the architecture's result is INT_MIN. */
DEFINE_TWO(sdiv, 64, uint64_t, b == 0 ? 0 : b == ~0ull ? 0 - a : (uint64_t)((int64_t)a / (int64_t)b))
DEFINE_TWO(sdiv, 32, uint32_t, b == 0 ? 0 : b == ~0u ? 0 - a : (uint32_t)((int32_t)a / (int32_t)b))
DEFINE_TWO(lslv, 64, uint64_t, a << (b & 63))
DEFINE_TWO(lslv, 32, uint32_t, a << (b & 31))
DEFINE_TWO(lsrv, 64, uint64_t, a >> (b & 63))
DEFINE_TWO(lsrv, 32, uint32_t, a >> (b & 31))
DEFINE_TWO(asrv, 64, uint64_t, (uint64_t)((int64_t)a >> (b & 63)))
DEFINE_TWO(asrv, 32, uint32_t, (uint32_t)((int32_t)a >> (b & 31)))
DEFINE_TWO(rorv, 64, uint64_t, ror64(a, (unsigned)(b & 63)))
DEFINE_TWO(rorv, 32, uint32_t, ror32(a, b & 31))

const iss_exec_fn iss_exec_dp2[2][12] = {
    {[2] = udiv_32, [3] = sdiv_32, [8] = lslv_32, [9] = lsrv_32, [10] = asrv_32, [11] = rorv_32},
    {[2] = udiv_64, [3] = sdiv_64, [8] = lslv_64, [9] = lsrv_64, [10] = asrv_64, [11] = rorv_64},
};

/* ---- CRC32 and CRC32C (two sources, opcodes 0x10-0x17): Wd = CRC of Wn's accumulator
 * updated with the low `amount` bytes of Rm, bit-reflected, no inversion ---- */

ISS_HANDLER(iss_exec_crc32)
{
	uint32_t polynomial = insn->type ? 0x82f63b78u : 0xedb88320u; /* CRC-32C : CRC-32, reflected */
	uint32_t crc = (uint32_t)cpu->x[insn->rn];
	uint64_t data = cpu->x[insn->rm];

	for (unsigned k = 0; k < insn->amount * 8u; k++) {
		crc ^= (uint32_t)(data >> k) & 1;
		crc = (crc >> 1) ^ (crc & 1 ? polynomial : 0);
	}
	cpu->x[insn->rd] = crc;
	iss_advance(cpu, insn);
}

/* ---- Three sources: multiply-add, long multiplies, high halves ---- */

#define DEFINE_THREE(name, expr)                                                                                       \
	static void name(struct iss *cpu, const struct iss_insn *insn)                                                 \
	{                                                                                                              \
		uint64_t n = cpu->x[insn->rn], m = cpu->x[insn->rm], a = cpu->x[insn->ra];                             \
		(void)a;                                                                                               \
		cpu->x[insn->rd] = (expr);                                                                             \
		iss_advance(cpu, insn);                                                                                \
	}

#define SEXT32(v) ((int64_t)(int32_t)(uint32_t)(v))

DEFINE_THREE(madd_64, a + n * m)
DEFINE_THREE(msub_64, a - n * m)
DEFINE_THREE(madd_32, (uint32_t)(a + n * m))
DEFINE_THREE(msub_32, (uint32_t)(a - n * m))
DEFINE_THREE(smaddl, a + (uint64_t)(SEXT32(n) * SEXT32(m)))
DEFINE_THREE(smsubl, a - (uint64_t)(SEXT32(n) * SEXT32(m)))
DEFINE_THREE(umaddl, a + (uint64_t)(uint32_t)n * (uint32_t)m)
DEFINE_THREE(umsubl, a - (uint64_t)(uint32_t)n * (uint32_t)m)
DEFINE_THREE(smulh, (uint64_t)(((__int128)(int64_t)n * (int64_t)m) >> 64))
DEFINE_THREE(umulh, (uint64_t)(((unsigned __int128)n * m) >> 64))

const iss_exec_fn iss_exec_dp3[2][16] = {
    {[0] = madd_32, [1] = msub_32},
    {[0] = madd_64, [1] = msub_64, [2] = smaddl, [3] = smsubl, [4] = smulh, [10] = umaddl, [11] = umsubl, [12] = umulh},
};
