/*
 * Decoder of the scalar floating-point encodings (data processing, compares, selects,
 * immediates, conversions to and from integers and fixed point) and of the SIMD&FP loads
 * and stores. Half-precision arithmetic (FEAT_FP16) is not implemented: of the half-precision
 * encodings only the FCVTs to and from H decode. Later extensions (FJCVTZS, FRINT32/64,
 * BFloat16) are UNDEFINED like any unallocated encoding.
 */
#include "decode.h"
#include "decode_fields.h"
#include "fp_handlers.h"

/* ptype (bits 23:22) as a size in bits: 0 for the encodings not implemented (10, and 11 = half). */
static unsigned ptype_size(uint32_t word)
{
	static const uint8_t sizes[4] = {32, 64, 0, 0};

	return sizes[bits(word, 23, 22)];
}

/* ---- Data processing ---- */

/* Rd, Rn and Rm of the two-source, three-source and conditional forms. */
static void three_registers(uint32_t word, struct iss_insn *insn)
{
	insn->rd = (uint8_t)bits(word, 4, 0);
	insn->rn = (uint8_t)bits(word, 9, 5);
	insn->rm = (uint8_t)bits(word, 20, 16);
}

static void decode_1source(uint32_t word, struct iss_insn *insn)
{
	static const iss_exec_fn simple[4] = {iss_exec_fmov_reg, iss_exec_fabs, iss_exec_fneg, iss_exec_fsqrt};
	static const uint8_t frint_rounding[8] = {
	    FP_ROUND_NEAREST_EVEN, FP_ROUND_PLUS_INF, FP_ROUND_MINUS_INF, FP_ROUND_ZERO, FP_ROUND_NEAREST_AWAY, 0,
	    ROUNDING_FPCR,         ROUNDING_FPCR,
	};
	static const uint8_t fcvt_sizes[4] = {32, 64, 0, 16}; /* by opcode<1:0> and by ptype */
	unsigned opcode = bits(word, 20, 15), size = ptype_size(word);

	insn->rd = (uint8_t)bits(word, 4, 0);
	insn->rn = (uint8_t)bits(word, 9, 5);
	if (opcode >= 4 && opcode <= 7) { /* FCVT between S, D and H */
		unsigned from = fcvt_sizes[bits(word, 23, 22)], to = fcvt_sizes[opcode & 3];
		if (from == 0 || to == 0 || from == to) {
			undefined(insn, word, UNDEF_UNALLOCATED);
			return;
		}
		insn->type = (uint8_t)from;
		insn->amount = (uint8_t)to;
		insn->exec = iss_exec_fcvt;
		return;
	}
	if (size == 0 || (opcode >= 16) || opcode == 13) {
		undefined(insn, word, bits(word, 23, 22) == 3 ? UNDEF_NOT_IMPLEMENTED : UNDEF_UNALLOCATED);
		return;
	}
	insn->type = (uint8_t)size;
	if (opcode < 4) {
		insn->exec = simple[opcode];
		return;
	}
	insn->cond = frint_rounding[opcode - 8];
	insn->nzcv = opcode == 14; /* FRINTX raises Inexact */
	insn->exec = iss_exec_frint;
}

static void decode_2source(uint32_t word, struct iss_insn *insn)
{
	static const iss_exec_fn ops[9] = {
	    iss_exec_fmul, iss_exec_fdiv,   iss_exec_fadd,   iss_exec_fsub,  iss_exec_fmax,
	    iss_exec_fmin, iss_exec_fmaxnm, iss_exec_fminnm, iss_exec_fnmul,
	};
	unsigned opcode = bits(word, 15, 12), size = ptype_size(word);

	if (opcode >= 9 || size == 0) {
		undefined(insn, word,
		          opcode < 9 && bits(word, 23, 22) == 3 ? UNDEF_NOT_IMPLEMENTED : UNDEF_UNALLOCATED);
		return;
	}
	three_registers(word, insn);
	insn->type = (uint8_t)size;
	insn->exec = ops[opcode];
}

static void decode_3source(uint32_t word, struct iss_insn *insn)
{
	static const iss_exec_fn ops[4] = {iss_exec_fmadd, iss_exec_fmsub, iss_exec_fnmadd, iss_exec_fnmsub};
	unsigned size = ptype_size(word);

	if (size == 0 || bit(word, 31) || bit(word, 29)) {
		undefined(insn, word, bits(word, 23, 22) == 3 ? UNDEF_NOT_IMPLEMENTED : UNDEF_UNALLOCATED);
		return;
	}
	three_registers(word, insn);
	insn->ra = (uint8_t)bits(word, 14, 10);
	insn->type = (uint8_t)size;
	insn->exec = ops[bit(word, 21) << 1 | bit(word, 15)];
}

static void decode_compare(uint32_t word, struct iss_insn *insn)
{
	unsigned size = ptype_size(word), opcode2 = bits(word, 4, 0);

	if (size == 0 || bits(word, 15, 14) != 0 || (opcode2 & 7) != 0) {
		undefined(insn, word, size == 0 && bits(word, 23, 22) == 3 ? UNDEF_NOT_IMPLEMENTED : UNDEF_UNALLOCATED);
		return;
	}
	insn->rn = (uint8_t)bits(word, 9, 5);
	insn->rm = (uint8_t)bits(word, 20, 16);
	insn->type = (uint8_t)size;
	insn->amount = (uint8_t)bit(word, 3); /* with #0.0 */
	insn->nzcv = (uint8_t)bit(word, 4);   /* FCMPE */
	insn->exec = iss_exec_fcmp;
}

static void decode_conditional(uint32_t word, struct iss_insn *insn, bool select)
{
	unsigned size = ptype_size(word);

	if (size == 0) {
		undefined(insn, word, bits(word, 23, 22) == 3 ? UNDEF_NOT_IMPLEMENTED : UNDEF_UNALLOCATED);
		return;
	}
	three_registers(word, insn);
	insn->cond = (uint8_t)bits(word, 15, 12);
	insn->type = (uint8_t)size;
	if (select) {
		insn->exec = iss_exec_fcsel;
		return;
	}
	insn->nzcv = (uint8_t)bits(word, 3, 0);
	insn->amount = (uint8_t)bit(word, 4); /* FCCMPE */
	insn->exec = iss_exec_fccmp;
}

/* VFPExpandImm: imm8 = a:b:cdefgh gives sign a, exponent NOT(b):b...b:cd, fraction efgh. */
static uint64_t expand_immediate(unsigned imm8, unsigned size)
{
	unsigned e = size == 32 ? 8 : 11, f = size - e - 1;
	uint64_t sign = (imm8 >> 7) & 1, b = (imm8 >> 6) & 1;
	uint64_t exponent = (uint64_t)!b << (e - 1) | (b ? ones(e - 3) << 2 : 0) | ((imm8 >> 4) & 3);

	return sign << (size - 1) | exponent << f | (uint64_t)(imm8 & 15) << (f - 4);
}

static void decode_immediate(uint32_t word, struct iss_insn *insn)
{
	unsigned size = ptype_size(word);

	if (size == 0 || bits(word, 9, 5) != 0) {
		undefined(insn, word, size == 0 && bits(word, 23, 22) == 3 ? UNDEF_NOT_IMPLEMENTED : UNDEF_UNALLOCATED);
		return;
	}
	insn->rd = (uint8_t)bits(word, 4, 0);
	insn->type = (uint8_t)size;
	insn->imm = expand_immediate(bits(word, 20, 13), size);
	insn->exec = iss_exec_fmov_imm;
}

/* ---- Conversions ---- */

static void decode_fixed_point(uint32_t word, struct iss_insn *insn)
{
	unsigned sf = bit(word, 31), size = ptype_size(word), scale = bits(word, 15, 10);
	unsigned op = bits(word, 20, 16); /* rmode:opcode */

	if (size == 0 || (!sf && scale < 32) || !(op == 2 || op == 3 || op == 0x18 || op == 0x19)) {
		undefined(insn, word, size == 0 && bits(word, 23, 22) == 3 ? UNDEF_NOT_IMPLEMENTED : UNDEF_UNALLOCATED);
		return;
	}
	insn->type = (uint8_t)size;
	insn->imm = sf ? 64 : 32;
	insn->amount = (uint8_t)(64 - scale);
	insn->imm2 = op & 1;
	if (op < 4) {
		insn->rd = (uint8_t)bits(word, 4, 0);
		insn->rn = zr_source(bits(word, 9, 5));
		insn->exec = iss_exec_int_to_fp;
		return;
	}
	insn->rd = zr_dest(bits(word, 4, 0));
	insn->rn = (uint8_t)bits(word, 9, 5);
	insn->cond = FP_ROUND_ZERO;
	insn->exec = iss_exec_fcvt_to_int;
}

/* FMOV between general and SIMD&FP registers: W<->S, X<->D, X<->V.D[1]. */
static void decode_fmov_general(uint32_t word, struct iss_insn *insn)
{
	unsigned sf = bit(word, 31), ptype = bits(word, 23, 22), rmode = bits(word, 20, 19);
	bool to_general = bit(word, 16) == 0;

	if (!((sf == 0 && ptype == 0 && rmode == 0) || (sf == 1 && ptype == 1 && rmode == 0) ||
	      (sf == 1 && ptype == 2 && rmode == 1))) {
		undefined(insn, word, ptype == 3 ? UNDEF_NOT_IMPLEMENTED : UNDEF_UNALLOCATED);
		return;
	}
	insn->imm = sf ? 64 : 32;
	insn->amount = (uint8_t)(ptype == 2); /* the top half, D[1] */
	if (to_general) {
		insn->rd = zr_dest(bits(word, 4, 0));
		insn->rn = (uint8_t)bits(word, 9, 5);
		insn->exec = iss_exec_fmov_to_general;
	} else {
		insn->rd = (uint8_t)bits(word, 4, 0);
		insn->rn = zr_source(bits(word, 9, 5));
		insn->exec = iss_exec_fmov_from_general;
	}
}

static void decode_integer(uint32_t word, struct iss_insn *insn)
{
	static const uint8_t rmodes[4] = {FP_ROUND_NEAREST_EVEN, FP_ROUND_PLUS_INF, FP_ROUND_MINUS_INF, FP_ROUND_ZERO};
	unsigned sf = bit(word, 31), size = ptype_size(word), rmode = bits(word, 20, 19), opcode = bits(word, 18, 16);

	if (opcode >= 6) {
		decode_fmov_general(word, insn);
		return;
	}
	if (size == 0 || (opcode >= 2 && rmode != 0)) {
		undefined(insn, word, size == 0 && bits(word, 23, 22) == 3 ? UNDEF_NOT_IMPLEMENTED : UNDEF_UNALLOCATED);
		return;
	}
	insn->type = (uint8_t)size;
	insn->imm = sf ? 64 : 32;
	insn->imm2 = opcode & 1;
	if (opcode == 2 || opcode == 3) { /* SCVTF, UCVTF */
		insn->rd = (uint8_t)bits(word, 4, 0);
		insn->rn = zr_source(bits(word, 9, 5));
		insn->exec = iss_exec_int_to_fp;
		return;
	}
	insn->rd = zr_dest(bits(word, 4, 0));
	insn->rn = (uint8_t)bits(word, 9, 5);
	insn->cond = opcode >= 4 ? FP_ROUND_NEAREST_AWAY : rmodes[rmode];
	insn->exec = iss_exec_fcvt_to_int;
}

void iss_decode_fp(uint32_t word, struct iss_insn *insn)
{
	if (bit(word, 24)) {
		decode_3source(word, insn);
		return;
	}
	if (bit(word, 29) || (bit(word, 31) && (bit(word, 21) ? bits(word, 15, 10) != 0 : false))) {
		undefined(insn, word, UNDEF_UNALLOCATED); /* S = 1; M = 1 outside the conversions */
		return;
	}
	if (!bit(word, 21))
		decode_fixed_point(word, insn);
	else if (bits(word, 15, 10) == 0)
		decode_integer(word, insn);
	else if (bits(word, 14, 10) == 0x10)
		decode_1source(word, insn);
	else if (bits(word, 13, 10) == 0x8)
		decode_compare(word, insn);
	else if (bits(word, 12, 10) == 0x4)
		decode_immediate(word, insn);
	else if (bits(word, 11, 10) == 1)
		decode_conditional(word, insn, false);
	else if (bits(word, 11, 10) == 3)
		decode_conditional(word, insn, true);
	else if (bits(word, 11, 10) == 2)
		decode_2source(word, insn);
	else
		undefined(insn, word, UNDEF_UNALLOCATED);
}

/* ---- Loads and stores ---- */

/* size:opc<1> of the register forms as bytes: B, H, S, D, and Q (size 00, opc 1x); 0 is unallocated. */
static unsigned register_bytes(uint32_t word)
{
	unsigned size = bits(word, 31, 30);

	if (bit(word, 23))
		return size == 0 ? 16 : 0;
	return 1u << size;
}

static void decode_register(uint32_t word, struct iss_insn *insn)
{
	unsigned bytes = register_bytes(word), scale = (unsigned)__builtin_ctz(bytes | 32);
	unsigned mode;

	if (bytes == 0) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	if (bit(word, 24)) { /* unsigned, scaled offset */
		mode = MODE_OFFSET;
		insn->imm = (uint64_t)bits(word, 21, 10) << scale;
	} else if (!bit(word, 21) && bits(word, 11, 10) != 2) { /* unscaled, post, pre (no unprivileged form) */
		static const uint8_t modes[4] = {MODE_OFFSET, MODE_POST, 0, MODE_PRE};
		mode = modes[bits(word, 11, 10)];
		insn->imm = sign_extend(bits(word, 20, 12), 9);
	} else if (bit(word, 21) && bits(word, 11, 10) == 2 && bit(word, 14)) { /* register offset, option<1> set */
		mode = MODE_REGISTER;
		insn->cond = (uint8_t)bits(word, 15, 13);
		insn->amount = (uint8_t)(bit(word, 12) ? scale : 0);
		insn->rm = zr_source(bits(word, 20, 16));
	} else {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	insn->type = (uint8_t)bytes;
	insn->rd = (uint8_t)bits(word, 4, 0);
	insn->rn = sp_reg(bits(word, 9, 5));
	insn->exec = iss_exec_fp_load_store[bit(word, 22)][mode];
}

static void decode_pair(uint32_t word, struct iss_insn *insn)
{
	static const uint8_t modes[4] = {0, 2, 0, 1}; /* no-allocate and offset, post, pre */
	unsigned opc = bits(word, 31, 30);

	if (opc == 3) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	insn->type = (uint8_t)(4u << opc);
	insn->imm = sign_extend(bits(word, 21, 15), 7) << (2 + opc);
	insn->rd = (uint8_t)bits(word, 4, 0);
	insn->ra = (uint8_t)bits(word, 14, 10);
	insn->rn = sp_reg(bits(word, 9, 5));
	insn->exec = iss_exec_fp_pair[bit(word, 22)][modes[bits(word, 24, 23)]];
}

static void decode_literal(uint32_t word, struct iss_insn *insn)
{
	unsigned opc = bits(word, 31, 30);

	if (opc == 3 || bit(word, 24)) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	insn->type = (uint8_t)(4u << opc);
	insn->imm = sign_extend(bits(word, 23, 5), 19) << 2;
	insn->rd = (uint8_t)bits(word, 4, 0);
	insn->exec = iss_exec_fp_load_literal;
}

/* LD1-LD4/ST1-ST4 (multiple structures): opcode -> registers per structure and repetitions. */
static bool multiple_layout(unsigned opcode, unsigned *selem, unsigned *repeat)
{
	static const uint8_t selems[16] = {4, 0, 1, 0, 3, 0, 1, 1, 2, 0, 1, 0, 0, 0, 0, 0};
	static const uint8_t repeats[16] = {1, 0, 4, 0, 1, 0, 3, 1, 1, 0, 2, 0, 0, 0, 0, 0};

	*selem = selems[opcode];
	*repeat = repeats[opcode];
	return *selem != 0;
}

static bool decode_multiple(uint32_t word, struct iss_insn *insn)
{
	unsigned selem, repeat, size = bits(word, 11, 10);

	if (bit(word, 21) || !multiple_layout(bits(word, 15, 12), &selem, &repeat) ||
	    (size == 3 && !bit(word, 30) && selem > 1))
		return false;
	insn->type = (uint8_t)(1u << size);
	insn->amount = (uint8_t)selem;
	insn->ra = (uint8_t)repeat;
	insn->imm = (uint64_t)selem * repeat * (bit(word, 30) ? 16 : 8);
	return true;
}

static bool decode_single(uint32_t word, struct iss_insn *insn)
{
	unsigned opcode = bits(word, 15, 13), s = bit(word, 12), size = bits(word, 11, 10), q = bit(word, 30);
	unsigned scale = opcode >> 1, index;

	insn->amount = (uint8_t)(((opcode & 1) << 1 | bit(word, 21)) + 1);
	switch (scale) {
	case 3: /* LD1R-LD4R */
		if (!bit(word, 22) || s)
			return false;
		scale = size;
		insn->cond |= STRUCT_REPLICATE;
		index = 0;
		break;
	case 0:
		index = q << 3 | s << 2 | size;
		break;
	case 1:
		if (size & 1)
			return false;
		index = q << 2 | s << 1 | size >> 1;
		break;
	default:
		if (size & 2 || (size == 1 && s))
			return false;
		scale = size ? 3 : 2;
		index = size ? q : (q << 1 | s);
		break;
	}
	if (!(insn->cond & STRUCT_REPLICATE))
		insn->cond |= STRUCT_SINGLE;
	insn->type = (uint8_t)(1u << scale);
	insn->nzcv = (uint8_t)index;
	insn->imm = (uint64_t)insn->amount << scale;
	return true;
}

static void decode_structure(uint32_t word, struct iss_insn *insn)
{
	bool post = bit(word, 23), single = bit(word, 24);

	if (bit(word, 31) || (!post && bits(word, 20, 16) != 0)) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	insn->cond =
	    (uint8_t)((bit(word, 22) ? STRUCT_LOAD : 0) | (bit(word, 30) ? STRUCT_Q : 0) | (post ? STRUCT_POST : 0));
	if (!(single ? decode_single(word, insn) : decode_multiple(word, insn))) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	insn->rd = (uint8_t)bits(word, 4, 0);
	insn->rn = sp_reg(bits(word, 9, 5));
	insn->rm = zr_source(bits(word, 20, 16));
	insn->exec = iss_exec_fp_structure;
}

void iss_decode_fp_load_store(uint32_t word, struct iss_insn *insn)
{
	switch (bits(word, 29, 28)) {
	case 0:
		if (bits(word, 29, 25) == 6) /* 0 0 1 1 0: AdvSIMD structures */
			decode_structure(word, insn);
		else
			undefined(insn, word, UNDEF_UNALLOCATED);
		break;
	case 1:
		decode_literal(word, insn);
		break;
	case 2:
		decode_pair(word, insn);
		break;
	default:
		decode_register(word, insn);
		break;
	}
}
