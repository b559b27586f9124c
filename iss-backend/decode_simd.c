/*
 * Decoder of the AdvSIMD encodings, vector and scalar: picks the handler specialised for the
 * element size and register width (tables of simd_handlers.h). Encodings of extensions this
 * v8.0 CPU does not advertise (crypto, FP16, dot product, RDM, FHM, FCMA) stay UNDEFINED.
 */
#include "decode.h"
#include "decode_fields.h"
#include "fp.h"
#include "simd_handlers.h"

/* Handler tables as the decoder holds them: [size][form] (table3) and [size][Q or part] (table2). */
typedef const iss_exec_fn (*table3)[3];
typedef const iss_exec_fn (*table2)[2];

/* Installs `exec`, or the undefined handler when there is none. */
static void handler(struct iss_insn *insn, uint32_t word, iss_exec_fn exec)
{
	if (exec)
		insn->exec = exec;
	else
		undefined(insn, word, UNDEF_NOT_IMPLEMENTED);
}

static void vector_registers(uint32_t word, struct iss_insn *insn)
{
	insn->rd = (uint8_t)bits(word, 4, 0);
	insn->rn = (uint8_t)bits(word, 9, 5);
	insn->rm = (uint8_t)bits(word, 20, 16);
}

/* A [size][form] table entry when `size` is in the `sizes` bit mask, else NULL. */
static iss_exec_fn sized(table3 table, unsigned sizes, unsigned size, unsigned form)
{
	if (!table || !((sizes >> size) & 1))
		return NULL;
	if (form == FORM_64 && size == 3)
		return NULL; /* 1D: only the scalar forms have a single 64-bit lane */
	return table[size][form];
}

/* A lane-wise operation: its table and the sizes it has as a vector and as a scalar. */
struct simd_op {
	table3 table;
	uint8_t vector_sizes, scalar_sizes;
};

/* ---- Floating point (vector and scalar forms) ---- */

/* A [sz][form] FP table entry; double-precision lanes need the 128-bit vector or a scalar. */
static iss_exec_fn fp_sized(table3 table, unsigned sz, unsigned form)
{
	return table ? table[sz][form] : NULL;
}

static unsigned fp_form(uint32_t word, bool scalar)
{
	return scalar ? FORM_SCALAR : bit(word, 30);
}

/* An FP table and whether the AdvSIMD scalar space has that instruction too. */
struct fp_op {
	table3 table;
	bool scalar;
};

/* Three same, opcodes 0x18..0x1f: [U:a:opcode - 0x18], a being bit 23. */
static const struct fp_op fp_three_same[32] = {
    [0x00] = {iss_simd_fmaxnm, false},  [0x01] = {iss_simd_fmla, false},    [0x02] = {iss_simd_fadd, false},
    [0x03] = {iss_simd_fmulx, true},    [0x04] = {iss_simd_fcmeq, true},    [0x06] = {iss_simd_fmax, false},
    [0x07] = {iss_simd_frecps, true},   [0x08] = {iss_simd_fminnm, false},  [0x09] = {iss_simd_fmls, false},
    [0x0a] = {iss_simd_fsub, false},    [0x0e] = {iss_simd_fmin, false},    [0x0f] = {iss_simd_frsqrts, true},
    [0x10] = {iss_simd_fmaxnmp, false}, [0x12] = {iss_simd_faddp, false},   [0x13] = {iss_simd_fmul, false},
    [0x14] = {iss_simd_fcmge, true},    [0x15] = {iss_simd_facge, true},    [0x16] = {iss_simd_fmaxp, false},
    [0x17] = {iss_simd_fdiv, false},    [0x18] = {iss_simd_fminnmp, false}, [0x1a] = {iss_simd_fabd, true},
    [0x1c] = {iss_simd_fcmgt, true},    [0x1d] = {iss_simd_facgt, true},    [0x1e] = {iss_simd_fminp, false},
};

static void decode_fp_three_same(uint32_t word, struct iss_insn *insn, bool scalar)
{
	unsigned index = bit(word, 29) << 4 | bit(word, 23) << 3 | (bits(word, 15, 11) - 0x18);
	const struct fp_op *op = &fp_three_same[index];

	handler(insn, word, !scalar || op->scalar ? fp_sized(op->table, bit(word, 22), fp_form(word, scalar)) : NULL);
}

/* Two-register misc: [opcode][U][a]; rounding: the mode of FRINT and FCVT*, as insn->cond. */
struct fp_misc_op {
	table3 table;
	bool scalar;
	uint8_t rounding;
	bool scalar_only;
};

static const struct fp_misc_op fp_misc[32][2][2] = {
    [0x0c] = {{{.table = NULL}, {.table = iss_simd_fcmgt0, .scalar = true}},
              {{.table = NULL}, {.table = iss_simd_fcmge0, .scalar = true}}},
    [0x0d] = {{{.table = NULL}, {.table = iss_simd_fcmeq0, .scalar = true}},
              {{.table = NULL}, {.table = iss_simd_fcmle0, .scalar = true}}},
    [0x0e] = {{{.table = NULL}, {.table = iss_simd_fcmlt0, .scalar = true}},
              {{.table = NULL}, {.table = NULL}}},
    [0x0f] = {{{.table = NULL}, {.table = iss_simd_fabs}},
              {{.table = NULL}, {.table = iss_simd_fneg}}},
    [0x18] = {{{.table = iss_simd_frint, .rounding = FP_ROUND_NEAREST_EVEN},
                {.table = iss_simd_frint, .rounding = FP_ROUND_PLUS_INF}},
              {{.table = iss_simd_frint, .rounding = FP_ROUND_NEAREST_AWAY}, {.table = NULL}}},
    [0x19] = {{{.table = iss_simd_frint, .rounding = FP_ROUND_MINUS_INF},
                {.table = iss_simd_frint, .rounding = FP_ROUND_ZERO}},
              {{.table = iss_simd_frintx, .rounding = FP_ROUND_FPCR},
                {.table = iss_simd_frint, .rounding = FP_ROUND_FPCR}}},
    [0x1a] = {{{.table = iss_simd_fcvts, .scalar = true, .rounding = FP_ROUND_NEAREST_EVEN},
                {.table = iss_simd_fcvts, .scalar = true, .rounding = FP_ROUND_PLUS_INF}},
              {{.table = iss_simd_fcvtu, .scalar = true, .rounding = FP_ROUND_NEAREST_EVEN},
                {.table = iss_simd_fcvtu, .scalar = true, .rounding = FP_ROUND_PLUS_INF}}},
    [0x1b] = {{{.table = iss_simd_fcvts, .scalar = true, .rounding = FP_ROUND_MINUS_INF},
                {.table = iss_simd_fcvts, .scalar = true, .rounding = FP_ROUND_ZERO}},
              {{.table = iss_simd_fcvtu, .scalar = true, .rounding = FP_ROUND_MINUS_INF},
                {.table = iss_simd_fcvtu, .scalar = true, .rounding = FP_ROUND_ZERO}}},
    [0x1c] = {{{.table = iss_simd_fcvts, .scalar = true, .rounding = FP_ROUND_NEAREST_AWAY}, {.table = NULL}},
              {{.table = iss_simd_fcvtu, .scalar = true, .rounding = FP_ROUND_NEAREST_AWAY},
                {.table = NULL}}},
    [0x1d] = {{{.table = iss_simd_scvtf, .scalar = true}, {.table = iss_simd_frecpe, .scalar = true}},
              {{.table = iss_simd_ucvtf, .scalar = true}, {.table = iss_simd_frsqrte, .scalar = true}}},
    [0x1f] = {{{.table = NULL}, {.table = iss_simd_frecpx, .scalar = true, .scalar_only = true}},
              {{.table = NULL}, {.table = iss_simd_fsqrt}}},
};

/* FCVTN, FCVTXN, FCVTL, URECPE: their own shapes. */
static void decode_fp_misc_special(uint32_t word, struct iss_insn *insn, bool scalar)
{
	unsigned q = bit(word, 30), u = bit(word, 29), a = bit(word, 23), sz = bit(word, 22);
	unsigned opcode = bits(word, 16, 12);
	iss_exec_fn exec = NULL;

	if (opcode == 0x16 && !a && u && sz)
		exec = iss_simd_fcvtxn[fp_form(word, scalar)];
	else if (opcode == 0x16 && !a && !u && !scalar)
		exec = iss_simd_fcvtn[sz][q];
	else if (opcode == 0x17 && !a && !u && !scalar)
		exec = iss_simd_fcvtl[sz][q];
	else if (opcode == 0x1c && a && !sz && !scalar)
		exec = u ? iss_simd_ursqrte[q] : iss_simd_urecpe[q];
	handler(insn, word, exec);
}

static void decode_fp_misc(uint32_t word, struct iss_insn *insn, bool scalar)
{
	unsigned u = bit(word, 29), a = bit(word, 23), sz = bit(word, 22), opcode = bits(word, 16, 12);
	const struct fp_misc_op *op = &fp_misc[opcode][u][a];

	if (!op->table) {
		decode_fp_misc_special(word, insn, scalar);
		return;
	}
	insn->cond = op->rounding;
	if ((scalar && !op->scalar) || (!scalar && op->scalar_only))
		undefined(insn, word, UNDEF_UNALLOCATED);
	else
		handler(insn, word, fp_sized(op->table, sz, fp_form(word, scalar)));
}

/* FMAXNMV, FMINNMV, FMAXV, FMINV of 4S (the U = 0 forms are half precision). */
static void decode_fp_across(uint32_t word, struct iss_insn *insn)
{
	unsigned q = bit(word, 30), u = bit(word, 29), a = bit(word, 23), sz = bit(word, 22);
	bool maxnm = bits(word, 16, 12) == 0x0c;

	if (!u || !q || sz)
		undefined(insn, word, UNDEF_NOT_IMPLEMENTED);
	else if (maxnm)
		insn->exec = a ? iss_simd_fminnmv : iss_simd_fmaxnmv;
	else
		insn->exec = a ? iss_simd_fminv : iss_simd_fmaxv;
}

/* SCVTF, UCVTF, FCVTZS, FCVTZU (fixed-point): immh 01xx single, 1xxx double; fbits from immh:immb. */
static void decode_fp_fixed(uint32_t word, struct iss_insn *insn, bool scalar)
{
	unsigned u = bit(word, 29), immh = bits(word, 22, 19), opcode = bits(word, 15, 11);
	unsigned sz = immh >> 3, esize = sz ? 64 : 32;
	table3 table;

	if (immh < 4 || (opcode != 0x1c && opcode != 0x1f)) {
		undefined(insn, word, UNDEF_NOT_IMPLEMENTED); /* immh 001x: half precision */
		return;
	}
	insn->amount = (uint8_t)(2 * esize - bits(word, 22, 16));
	insn->cond = FP_ROUND_ZERO;
	if (opcode == 0x1c)
		table = u ? iss_simd_ucvtf : iss_simd_scvtf;
	else
		table = u ? iss_simd_fcvtu : iss_simd_fcvts;
	handler(insn, word, fp_sized(table, sz, fp_form(word, scalar)));
}

/* FMLA, FMLS, FMUL, FMULX by element: bit 23 set (else half precision), index H:L or H. */
static void decode_fp_by_element(uint32_t word, struct iss_insn *insn, bool scalar)
{
	unsigned u = bit(word, 29), sz = bit(word, 22), opcode = bits(word, 15, 12);
	unsigned h = bit(word, 11), l = bit(word, 21);
	table3 table = NULL;

	insn->rm = (uint8_t)bits(word, 20, 16);
	insn->imm = sz ? h : h << 1 | l;
	if (!bit(word, 23) || (sz && l)) {
		undefined(insn, word, UNDEF_NOT_IMPLEMENTED);
		return;
	}
	if (opcode == 0x9)
		table = u ? iss_simd_fmulx_elem : iss_simd_fmul_elem;
	else if (!u)
		table = opcode == 0x1 ? iss_simd_fmla_elem : iss_simd_fmls_elem;
	handler(insn, word, fp_sized(table, sz, fp_form(word, scalar)));
}

/* Scalar pairwise: ADDP and the FP pairs of a 2-lane vector. */
static void decode_pairwise_scalar(uint32_t word, struct iss_insn *insn)
{
	static const table3 fp_pairs[16][2] = {
	    [0x0c] = {iss_simd_fmaxnmp, iss_simd_fminnmp},
	    [0x0d] = {iss_simd_faddp, NULL},
	    [0x0f] = {iss_simd_fmaxp, iss_simd_fminp},
	};
	unsigned u = bit(word, 29), size = bits(word, 23, 22), opcode = bits(word, 16, 12);

	vector_registers(word, insn);
	if (!u && size == 3 && opcode == 0x1b)
		insn->exec = iss_simd_addp[3][FORM_SCALAR];
	else if (u && opcode < 16 && fp_pairs[opcode][size >> 1])
		insn->exec = fp_pairs[opcode][size >> 1][size & 1][FORM_SCALAR];
	else
		undefined(insn, word, UNDEF_NOT_IMPLEMENTED);
}

#define ALL     0xf
#define NOT_64  0x7
#define ONLY_64 0x8

/* ---- Three same (integer) ---- */

/* [opcode][U] for opcodes 0..0x17; opcode 3 (logical) and PMUL are decoded apart. */
static const struct simd_op three_same[0x18][2] = {
    [0x00] = {{iss_simd_shadd, NOT_64, 0}, {iss_simd_uhadd, NOT_64, 0}},
    [0x01] = {{iss_simd_sqadd, ALL, ALL}, {iss_simd_uqadd, ALL, ALL}},
    [0x02] = {{iss_simd_srhadd, NOT_64, 0}, {iss_simd_urhadd, NOT_64, 0}},
    [0x04] = {{iss_simd_shsub, NOT_64, 0}, {iss_simd_uhsub, NOT_64, 0}},
    [0x05] = {{iss_simd_sqsub, ALL, ALL}, {iss_simd_uqsub, ALL, ALL}},
    [0x06] = {{iss_simd_cmgt, ALL, ONLY_64}, {iss_simd_cmhi, ALL, ONLY_64}},
    [0x07] = {{iss_simd_cmge, ALL, ONLY_64}, {iss_simd_cmhs, ALL, ONLY_64}},
    [0x08] = {{iss_simd_sshl, ALL, ONLY_64}, {iss_simd_ushl, ALL, ONLY_64}},
    [0x09] = {{iss_simd_sqshl, ALL, ALL}, {iss_simd_uqshl, ALL, ALL}},
    [0x0a] = {{iss_simd_srshl, ALL, ONLY_64}, {iss_simd_urshl, ALL, ONLY_64}},
    [0x0b] = {{iss_simd_sqrshl, ALL, ALL}, {iss_simd_uqrshl, ALL, ALL}},
    [0x0c] = {{iss_simd_smax, NOT_64, 0}, {iss_simd_umax, NOT_64, 0}},
    [0x0d] = {{iss_simd_smin, NOT_64, 0}, {iss_simd_umin, NOT_64, 0}},
    [0x0e] = {{iss_simd_sabd, NOT_64, 0}, {iss_simd_uabd, NOT_64, 0}},
    [0x0f] = {{iss_simd_saba, NOT_64, 0}, {iss_simd_uaba, NOT_64, 0}},
    [0x10] = {{iss_simd_add, ALL, ONLY_64}, {iss_simd_sub, ALL, ONLY_64}},
    [0x11] = {{iss_simd_cmtst, ALL, ONLY_64}, {iss_simd_cmeq, ALL, ONLY_64}},
    [0x12] = {{iss_simd_mla, NOT_64, 0}, {iss_simd_mls, NOT_64, 0}},
    [0x13] = {{iss_simd_mul, NOT_64, 0}, {NULL, 0, 0}},
    [0x14] = {{iss_simd_smaxp, NOT_64, 0}, {iss_simd_umaxp, NOT_64, 0}},
    [0x15] = {{iss_simd_sminp, NOT_64, 0}, {iss_simd_uminp, NOT_64, 0}},
    [0x16] = {{iss_simd_sqdmulh, 0x6, 0x6}, {iss_simd_sqrdmulh, 0x6, 0x6}},
    [0x17] = {{iss_simd_addp, ALL, 0}, {NULL, 0, 0}},
};

/* AND, BIC, ORR, ORN, EOR, BSL, BIT, BIF by U:size. */
static const iss_exec_fn *const logical[8] = {
    iss_simd_and, iss_simd_bic, iss_simd_orr, iss_simd_orn, iss_simd_eor, iss_simd_bsl, iss_simd_bit, iss_simd_bif,
};

static void decode_three_same(uint32_t word, struct iss_insn *insn, bool scalar)
{
	unsigned q = bit(word, 30), u = bit(word, 29), size = bits(word, 23, 22), opcode = bits(word, 15, 11);
	const struct simd_op *op;

	vector_registers(word, insn);
	if (opcode >= 0x18) {
		decode_fp_three_same(word, insn, scalar);
		return;
	}
	if (scalar) {
		op = &three_same[opcode][u];
		handler(insn, word, sized(op->table, op->scalar_sizes, size, FORM_SCALAR));
	} else if (opcode == 3)
		insn->exec = logical[u << 2 | size][q];
	else if (opcode == 0x13 && u)
		handler(insn, word, size == 0 ? iss_simd_pmul[q] : NULL);
	else {
		op = &three_same[opcode][u];
		handler(insn, word, sized(op->table, op->vector_sizes, size, q));
	}
}

/* ---- Two-register misc (integer) ---- */

/* [opcode][U] of the lane-wise ones. */
static const struct simd_op misc[0x0c][2] = {
    [0x03] = {{iss_simd_suqadd, ALL, ALL}, {iss_simd_usqadd, ALL, ALL}},
    [0x04] = {{iss_simd_cls, NOT_64, 0}, {iss_simd_clz, NOT_64, 0}},
    [0x07] = {{iss_simd_sqabs, ALL, ALL}, {iss_simd_sqneg, ALL, ALL}},
    [0x08] = {{iss_simd_cmgt0, ALL, ONLY_64}, {iss_simd_cmge0, ALL, ONLY_64}},
    [0x09] = {{iss_simd_cmeq0, ALL, ONLY_64}, {iss_simd_cmle0, ALL, ONLY_64}},
    [0x0a] = {{iss_simd_cmlt0, ALL, ONLY_64}, {NULL, 0, 0}},
    [0x0b] = {{iss_simd_abs, ALL, ONLY_64}, {iss_simd_neg, ALL, ONLY_64}},
};

/* REV16, REV32, REV64: the byte-index XOR for an element size, or 0 when unallocated. */
static unsigned reverse_xor(unsigned container_bytes, unsigned size)
{
	unsigned element_bytes = 1u << size;

	return element_bytes < container_bytes ? container_bytes - element_bytes : 0;
}

/* Narrowing misc forms, [narrow size][part or scalar]; [opcode - 0x10][U]. */
static const table3 misc_narrow[5][2] = {
    [2] = {iss_simd_xtn, iss_simd_sqxtun},
    [4] = {iss_simd_sqxtn, iss_simd_uqxtn},
};

static void decode_misc_special(uint32_t word, struct iss_insn *insn, unsigned opcode)
{
	unsigned q = bit(word, 30), u = bit(word, 29), size = bits(word, 23, 22);
	unsigned xor_bytes = 0;

	switch (opcode) {
	case 0x00: /* REV64, REV32 */
		xor_bytes = reverse_xor(u ? 4 : 8, size);
		break;
	case 0x01: /* REV16 */
		xor_bytes = u ? 0 : reverse_xor(2, size);
		break;
	case 0x02:
	case 0x06: /* SADDLP, UADDLP, SADALP, UADALP */
		if (size < 3) {
			static const table2 pairs[2][2] = {{iss_simd_saddlp, iss_simd_uaddlp},
			                                   {iss_simd_sadalp, iss_simd_uadalp}};
			insn->exec = pairs[opcode == 0x06][u][size][q];
			return;
		}
		break;
	case 0x05: /* CNT, NOT, RBIT */
		if (size == 0)
			insn->exec = u ? iss_simd_not[q] : iss_simd_cnt[q];
		else if (size == 1 && u)
			insn->exec = iss_simd_rbit[q];
		if (insn->exec)
			return;
		break;
	case 0x12:
	case 0x14:
		if (size < 3) {
			insn->exec = misc_narrow[opcode - 0x10][u][size][q];
			return;
		}
		break;
	case 0x13: /* SHLL: USHLL by the element size */
		if (u && size < 3) {
			insn->amount = (uint8_t)(8u << size);
			insn->exec = iss_simd_ushll[size][q];
			return;
		}
		break;
	default:
		break;
	}
	if (xor_bytes) {
		insn->imm = xor_bytes;
		insn->exec = iss_simd_rev[q];
		return;
	}
	undefined(insn, word, UNDEF_NOT_IMPLEMENTED);
}

static void decode_misc(uint32_t word, struct iss_insn *insn, bool scalar)
{
	unsigned q = bit(word, 30), u = bit(word, 29), size = bits(word, 23, 22), opcode = bits(word, 16, 12);
	const struct simd_op *op;

	vector_registers(word, insn);
	if (opcode >= 0x16 || (opcode >= 0x0c && opcode <= 0x0f)) {
		decode_fp_misc(word, insn, scalar);
		return;
	}
	if (opcode < 0x0c && misc[opcode][u].table) {
		op = &misc[opcode][u];
		handler(insn, word,
		        sized(op->table, scalar ? op->scalar_sizes : op->vector_sizes, size, scalar ? FORM_SCALAR : q));
	} else if (!scalar)
		decode_misc_special(word, insn, opcode);
	else if ((opcode == 0x12 && u) || opcode == 0x14) /* SQXTUN, SQXTN, UQXTN of a scalar */
		handler(insn, word, size < 3 ? misc_narrow[opcode - 0x10][u][size][FORM_SCALAR] : NULL);
	else
		undefined(insn, word, UNDEF_NOT_IMPLEMENTED);
}

/* ---- Across lanes ---- */

static void decode_across_lanes(uint32_t word, struct iss_insn *insn)
{
	unsigned q = bit(word, 30), u = bit(word, 29), size = bits(word, 23, 22), opcode = bits(word, 16, 12);
	table2 table = NULL;

	vector_registers(word, insn);
	if (opcode == 0x0c || opcode == 0x0f) {
		decode_fp_across(word, insn);
		return;
	}
	switch (opcode) {
	case 0x03:
		table = u ? iss_simd_uaddlv : iss_simd_saddlv;
		break;
	case 0x0a:
		table = u ? iss_simd_umaxv : iss_simd_smaxv;
		break;
	case 0x1a:
		table = u ? iss_simd_uminv : iss_simd_sminv;
		break;
	case 0x1b:
		table = u ? NULL : iss_simd_addv;
		break;
	default:
		break;
	}
	handler(insn, word, table && size < 3 ? table[size][q] : NULL);
}

/* ---- Three different ---- */

/* [opcode][U], [narrow size][part or scalar]. */
static const table3 three_different[16][2] = {
    [0x0] = {iss_simd_saddl, iss_simd_uaddl},
    [0x1] = {iss_simd_saddw, iss_simd_uaddw},
    [0x2] = {iss_simd_ssubl, iss_simd_usubl},
    [0x3] = {iss_simd_ssubw, iss_simd_usubw},
    [0x4] = {iss_simd_addhn, iss_simd_raddhn},
    [0x5] = {iss_simd_sabal, iss_simd_uabal},
    [0x6] = {iss_simd_subhn, iss_simd_rsubhn},
    [0x7] = {iss_simd_sabdl, iss_simd_uabdl},
    [0x8] = {iss_simd_smlal, iss_simd_umlal},
    [0x9] = {iss_simd_sqdmlal, NULL},
    [0xa] = {iss_simd_smlsl, iss_simd_umlsl},
    [0xb] = {iss_simd_sqdmlsl, NULL},
    [0xc] = {iss_simd_smull, iss_simd_umull},
    [0xd] = {iss_simd_sqdmull, NULL},
    [0xe] = {iss_simd_pmull, NULL},
};

/* SQDMLAL, SQDMLSL, SQDMULL: 16- and 32-bit lanes only, and the only scalar forms. */
static bool doubling(unsigned opcode)
{
	return opcode == 0x9 || opcode == 0xb || opcode == 0xd;
}

static void decode_three_different(uint32_t word, struct iss_insn *insn, bool scalar)
{
	unsigned q = bit(word, 30), u = bit(word, 29), size = bits(word, 23, 22), opcode = bits(word, 15, 12);
	table3 table = three_different[opcode][u];

	vector_registers(word, insn);
	if ((opcode == 0xe && size != 0) || (doubling(opcode) && size == 0) || (scalar && !doubling(opcode)))
		table = NULL; /* PMULL of 64-bit lanes is crypto */
	handler(insn, word, table && size < 3 ? table[size][scalar ? FORM_SCALAR : q] : NULL);
}

/* ---- Copy ---- */

static void decode_copy(uint32_t word, struct iss_insn *insn)
{
	unsigned q = bit(word, 30), op = bit(word, 29), imm5 = bits(word, 20, 16), imm4 = bits(word, 14, 11);
	unsigned size = (unsigned)__builtin_ctz(imm5 | 0x20);
	iss_exec_fn exec = NULL;

	insn->rd = (uint8_t)bits(word, 4, 0);
	insn->rn = (uint8_t)bits(word, 9, 5);
	if (size > 3 || bits(word, 23, 22)) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	insn->imm = imm5 >> (size + 1);
	if (op) { /* INS (element) */
		insn->imm2 = imm4 >> size;
		exec = q ? iss_simd_ins_element[size] : NULL;
	} else if (imm4 == 0) {
		exec = size == 3 && !q ? NULL : iss_simd_dup_element[size][q];
	} else if (imm4 == 1) {
		insn->rn = zr_source(bits(word, 9, 5));
		exec = size == 3 && !q ? NULL : iss_simd_dup_general[size][q];
	} else if (imm4 == 3) {
		insn->rn = zr_source(bits(word, 9, 5));
		exec = q ? iss_simd_ins_general[size] : NULL;
	} else if (imm4 == 5) {
		insn->rd = zr_dest(bits(word, 4, 0));
		exec = iss_simd_smov[q][size];
	} else if (imm4 == 7) {
		insn->rd = zr_dest(bits(word, 4, 0));
		exec = (q ? size == 3 : size < 3) ? iss_simd_umov[size] : NULL;
	}
	if (exec)
		insn->exec = exec;
	else
		undefined(insn, word, UNDEF_UNALLOCATED);
}

/* ---- Modified immediate ---- */

/* AdvSIMDExpandImm() of the Arm ARM for the integer forms (cmode 1111 is FMOV). */
static uint64_t expand_immediate(unsigned op, unsigned cmode, uint64_t imm8)
{
	uint64_t imm = 0;

	switch (cmode >> 1) {
	case 0:
	case 1:
	case 2:
	case 3:
		return (imm8 << (8 * (cmode >> 1))) * 0x0000000100000001ull;
	case 4:
	case 5:
		return (imm8 << (8 * ((cmode >> 1) & 1))) * 0x0001000100010001ull;
	case 6:
		return (cmode & 1 ? imm8 << 16 | 0xffff : imm8 << 8 | 0xff) * 0x0000000100000001ull;
	default:
		if (!op)
			return imm8 * 0x0101010101010101ull;
		for (unsigned i = 0; i < 8; i++)
			if ((imm8 >> i) & 1)
				imm |= 0xffull << (8 * i);
		return imm;
	}
}

/* VFPExpandImm(): the 8-bit FMOV immediate as a float of `size` bits. */
static uint64_t expand_fp_immediate(uint64_t imm8, unsigned size)
{
	uint64_t sign = imm8 >> 7, b6 = (imm8 >> 6) & 1, low = imm8 & 0x3f;

	if (size == 32)
		return sign << 31 | (b6 ^ 1) << 30 | (b6 ? 0x1full : 0) << 25 | low << 19;
	return sign << 63 | (b6 ^ 1) << 62 | (b6 ? 0xffull : 0) << 54 | low << 48;
}

static void decode_modified_immediate(uint32_t word, struct iss_insn *insn)
{
	unsigned q = bit(word, 30), op = bit(word, 29), cmode = bits(word, 15, 12);
	uint64_t imm8 = bits(word, 18, 16) << 5 | bits(word, 9, 5);
	bool orr_bic = (cmode < 8 && (cmode & 1)) || (cmode >= 8 && cmode < 12 && (cmode & 1));

	insn->rd = (uint8_t)bits(word, 4, 0);
	if (bit(word, 11)) { /* FMOV (half precision) */
		undefined(insn, word, UNDEF_NOT_IMPLEMENTED);
		return;
	}
	if (cmode == 15) {
		if (op && !q) {
			undefined(insn, word, UNDEF_UNALLOCATED);
			return;
		}
		insn->imm = op ? expand_fp_immediate(imm8, 64) : expand_fp_immediate(imm8, 32) * 0x0000000100000001ull;
		insn->exec = iss_simd_movi[q];
		return;
	}
	insn->imm = expand_immediate(op, cmode, imm8);
	if (orr_bic)
		insn->exec = op ? iss_simd_bic_imm[q] : iss_simd_orr_imm[q];
	else {
		if (op && cmode != 14)
			insn->imm = ~insn->imm; /* MVNI */
		insn->exec = iss_simd_movi[q];
	}
}

/* ---- Shift by immediate ---- */

/* [opcode / 2][U] of the same-width shifts, opcodes 0x00..0x0e. */
static const table3 shift_same[8][2] = {
    {iss_simd_sshr, iss_simd_ushr},
    {iss_simd_ssra, iss_simd_usra},
    {iss_simd_srshr, iss_simd_urshr},
    {iss_simd_srsra, iss_simd_ursra},
    {NULL, iss_simd_sri},
    {iss_simd_shl, iss_simd_sli},
    {NULL, iss_simd_sqshlu},
    {iss_simd_sqshli, iss_simd_uqshli},
};

/* [opcode - 0x10][U] of the narrowing shifts. */
static const table3 shift_narrow[4][2] = {
    {iss_simd_shrn, iss_simd_sqshrun},
    {iss_simd_rshrn, iss_simd_sqrshrun},
    {iss_simd_sqshrn, iss_simd_uqshrn},
    {iss_simd_sqrshrn, iss_simd_uqrshrn},
};

static void decode_shift_immediate(uint32_t word, struct iss_insn *insn, bool scalar)
{
	unsigned q = bit(word, 30), u = bit(word, 29), immh = bits(word, 22, 19), opcode = bits(word, 15, 11);
	unsigned size = 31 - (unsigned)__builtin_clz(immh), esize = 8u << size;
	unsigned immhb = bits(word, 22, 16);
	bool right = opcode < 0x0a || (opcode >= 0x10 && opcode <= 0x13);
	bool saturating = opcode == 0x0c || opcode == 0x0e;
	iss_exec_fn exec = NULL;

	vector_registers(word, insn);
	insn->amount = (uint8_t)(right ? 2 * esize - immhb : immhb - esize);
	if (opcode >= 0x1c) {
		decode_fp_fixed(word, insn, scalar);
		return;
	}
	if (opcode < 0x10 && !(opcode & 1)) {
		table3 table = shift_same[opcode / 2][u];
		exec = sized(table, scalar ? (saturating ? ALL : ONLY_64) : ALL, size, scalar ? FORM_SCALAR : q);
	} else if (opcode >= 0x10 && opcode <= 0x13 && size < 3 && (!scalar || u || opcode >= 0x12)) {
		exec = shift_narrow[opcode - 0x10][u][size][scalar ? FORM_SCALAR : q]; /* no scalar SHRN, RSHRN */
	} else if (!scalar && opcode == 0x14 && size < 3) {
		exec = u ? iss_simd_ushll[size][q] : iss_simd_sshll[size][q];
	}
	handler(insn, word, exec);
}

/* ---- Vector by element ---- */

/* SQDMULH, SQRDMULH, SQDMULL, SQDMLAL, SQDMLSL by element, vector and scalar (U = 0). */
static void decode_doubling_by_element(uint32_t word, struct iss_insn *insn, bool scalar)
{
	unsigned q = bit(word, 30), u = bit(word, 29), size = bits(word, 23, 22), opcode = bits(word, 15, 12);
	unsigned form = scalar ? FORM_SCALAR : q;
	iss_exec_fn exec = NULL;

	if (u)
		exec = NULL; /* SQRDMLAH/SQRDMLSH (v8.1) */
	else if (opcode == 0xc)
		exec = iss_simd_sqdmulh_elem[size][form];
	else if (opcode == 0xd)
		exec = iss_simd_sqrdmulh_elem[size][form];
	else if (opcode == 0xb)
		exec = iss_simd_sqdmull_elem[size][form];
	else if (opcode == 0x3)
		exec = iss_simd_sqdmlal_elem[size][form];
	else if (opcode == 0x7)
		exec = iss_simd_sqdmlsl_elem[size][form];
	handler(insn, word, exec);
}

static void decode_by_element(uint32_t word, struct iss_insn *insn, bool scalar)
{
	unsigned q = bit(word, 30), u = bit(word, 29), size = bits(word, 23, 22), opcode = bits(word, 15, 12);
	unsigned h = bit(word, 11), l = bit(word, 21), m = bit(word, 20);
	iss_exec_fn exec = NULL;

	insn->rd = (uint8_t)bits(word, 4, 0);
	insn->rn = (uint8_t)bits(word, 9, 5);
	if (opcode == 0x1 || opcode == 0x5 || opcode == 0x9) {
		decode_fp_by_element(word, insn, scalar);
		return;
	}
	if (size != 1 && size != 2) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	if (size == 1) {
		insn->rm = (uint8_t)bits(word, 19, 16);
		insn->imm = h << 2 | l << 1 | m;
	} else {
		insn->rm = (uint8_t)bits(word, 20, 16);
		insn->imm = h << 1 | l;
	}
	if (scalar || (!u && opcode >= 0xc && opcode <= 0xd) || (!u && (opcode & 3) == 3)) {
		decode_doubling_by_element(word, insn, scalar);
		return;
	}
	switch (opcode << 1 | u) {
	case 0x8 << 1: /* MUL */
		exec = iss_simd_mul_elem[size][q];
		break;
	case 0x0 << 1 | 1:
		exec = iss_simd_mla_elem[size][q];
		break;
	case 0x4 << 1 | 1:
		exec = iss_simd_mls_elem[size][q];
		break;
	default:
		break;
	}
	if (!exec) {
		static const table3 long_ops[16][2] = {
		    [0x2] = {iss_simd_smlal_elem, iss_simd_umlal_elem},
		    [0x6] = {iss_simd_smlsl_elem, iss_simd_umlsl_elem},
		    [0xa] = {iss_simd_smull_elem, iss_simd_umull_elem},
		};
		if (long_ops[opcode][u])
			exec = long_ops[opcode][u][size][q];
	}
	handler(insn, word, exec);
}

/* ---- Permutes, EXT, TBL/TBX ---- */

static void decode_permute(uint32_t word, struct iss_insn *insn)
{
	static const table2 permutes[8] = {
	    NULL, iss_simd_uzp1, iss_simd_trn1, iss_simd_zip1, NULL, iss_simd_uzp2, iss_simd_trn2, iss_simd_zip2,
	};
	unsigned q = bit(word, 30), size = bits(word, 23, 22), opcode = bits(word, 14, 12);

	vector_registers(word, insn);
	handler(insn, word, permutes[opcode] ? permutes[opcode][size][q] : NULL);
}

static void decode_table_or_extract(uint32_t word, struct iss_insn *insn)
{
	unsigned q = bit(word, 30), u = bit(word, 29), imm4 = bits(word, 14, 11);

	vector_registers(word, insn);
	if (bits(word, 23, 22) || (u && !q && imm4 >= 8)) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	if (u) {
		insn->imm = imm4;
		insn->exec = iss_simd_ext[q];
	} else {
		insn->amount = (uint8_t)(bits(word, 14, 13) + 1);
		insn->exec = iss_simd_tbl[bit(word, 12)][q];
	}
}

/* ---- The AdvSIMD space ---- */

static void decode_vector(uint32_t word, struct iss_insn *insn)
{
	if (bit(word, 24)) {
		if (!bit(word, 10))
			decode_by_element(word, insn, false);
		else if (bit(word, 23))
			undefined(insn, word, UNDEF_UNALLOCATED);
		else if (bits(word, 22, 19) == 0)
			decode_modified_immediate(word, insn);
		else
			decode_shift_immediate(word, insn, false);
	} else if (bit(word, 21)) {
		if (bit(word, 10))
			decode_three_same(word, insn, false);
		else if (!bit(word, 11))
			decode_three_different(word, insn, false);
		else if (bits(word, 20, 17) == 0)
			decode_misc(word, insn, false);
		else if (bits(word, 20, 17) == 8)
			decode_across_lanes(word, insn);
		else
			undefined(insn, word, UNDEF_UNALLOCATED);
	} else if (bit(word, 15)) {
		undefined(insn, word, UNDEF_NOT_IMPLEMENTED); /* three same extra, FP16 (v8.1+) */
	} else if (bit(word, 10)) {
		decode_copy(word, insn);
	} else if (bit(word, 11) && !bit(word, 29)) {
		decode_permute(word, insn);
	} else {
		decode_table_or_extract(word, insn);
	}
}

static void decode_scalar(uint32_t word, struct iss_insn *insn)
{
	if (bit(word, 24)) {
		if (!bit(word, 10))
			decode_by_element(word, insn, true);
		else if (bit(word, 23) || bits(word, 22, 19) == 0)
			undefined(insn, word, UNDEF_UNALLOCATED);
		else
			decode_shift_immediate(word, insn, true);
	} else if (bit(word, 21)) {
		if (bit(word, 10))
			decode_three_same(word, insn, true);
		else if (bits(word, 11, 10) == 2 && bits(word, 20, 17) == 0)
			decode_misc(word, insn, true);
		else if (bits(word, 11, 10) == 2 && bits(word, 20, 17) == 8)
			decode_pairwise_scalar(word, insn);
		else if (bits(word, 11, 10) == 0)
			decode_three_different(word, insn, true);
		else
			undefined(insn, word, UNDEF_UNALLOCATED); /* crypto */
	} else if (!bit(word, 29) && !bits(word, 23, 22) && bits(word, 15, 10) == 1 && (bits(word, 20, 16) & 0xf)) {
		insn->rd = (uint8_t)bits(word, 4, 0);
		insn->rn = (uint8_t)bits(word, 9, 5);
		unsigned size = (unsigned)__builtin_ctz(bits(word, 20, 16));
		insn->imm = bits(word, 20, 16) >> (size + 1);
		insn->exec = iss_simd_dup_element[size][FORM_SCALAR];
	} else {
		undefined(insn, word, UNDEF_NOT_IMPLEMENTED);
	}
}

void iss_decode_advsimd(uint32_t word, struct iss_insn *insn)
{
	if (bit(word, 31))
		undefined(insn, word, UNDEF_UNALLOCATED);
	else if (bit(word, 28))
		decode_scalar(word, insn);
	else
		decode_vector(word, insn);
}
