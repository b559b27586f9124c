/* AdvSIMD data movement: DUP, INS, UMOV, SMOV, modified immediates, ZIP/UZP/TRN, EXT, TBL/TBX. */
#include <string.h>

#include "exec_simd_lanes.h"

/* DUP (element) and DUP (scalar): every lane is lane insn->imm of Vn, [size][form]. */
#define DUP_ELEMENT(fn, U, S, f, lanes, OP)                                                                            \
	static ISS_HANDLER(fn)                                                                                         \
	{                                                                                                              \
		union iss_vreg r = {{0}};                                                                              \
		U x;                                                                                                   \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		x = cpu->v[insn->rn].f[insn->imm];                                                                     \
		for (unsigned i = 0; i < (lanes); i++)                                                                 \
			r.f[i] = x;                                                                                    \
		cpu->v[insn->rd] = r;                                                                                  \
		iss_advance(cpu, insn);                                                                                \
	}

SIMD_FORMS(DUP_ELEMENT, iss_simd_dup_element, 0)

/* DUP (general): every lane is the low bits of Xn, [size][Q]. */
#define DUP_GENERAL(fn, U, S, f, lanes, OP)                                                                            \
	static ISS_HANDLER(fn)                                                                                         \
	{                                                                                                              \
		union iss_vreg r = {{0}};                                                                              \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		for (unsigned i = 0; i < (lanes); i++)                                                                 \
			r.f[i] = (U)cpu->x[insn->rn];                                                                  \
		cpu->v[insn->rd] = r;                                                                                  \
		iss_advance(cpu, insn);                                                                                \
	}

SIMD_FORMS(DUP_GENERAL, iss_simd_dup_general, 0)

/* Per element size: INS (general), INS (element), UMOV. */
#define ELEMENT_MOVES(U, f)                                                                                            \
	static ISS_HANDLER(ins_general_##f)                                                                            \
	{                                                                                                              \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		cpu->v[insn->rd].f[insn->imm] = (U)cpu->x[insn->rn];                                                   \
		iss_advance(cpu, insn);                                                                                \
	}                                                                                                              \
	static ISS_HANDLER(ins_element_##f)                                                                            \
	{                                                                                                              \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		cpu->v[insn->rd].f[insn->imm] = cpu->v[insn->rn].f[insn->imm2];                                        \
		iss_advance(cpu, insn);                                                                                \
	}                                                                                                              \
	static ISS_HANDLER(umov_##f)                                                                                   \
	{                                                                                                              \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		cpu->x[insn->rd] = cpu->v[insn->rn].f[insn->imm];                                                      \
		iss_advance(cpu, insn);                                                                                \
	}

/* SMOV: the lane sign-extended to 64 bits, or to 32 bits and zero-extended (W destination). */
#define SIGNED_MOVE(name, S, f, T)                                                                                     \
	static ISS_HANDLER(name)                                                                                       \
	{                                                                                                              \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		cpu->x[insn->rd] = (uint64_t)(T)(S)cpu->v[insn->rn].f[insn->imm];                                      \
		iss_advance(cpu, insn);                                                                                \
	}

ELEMENT_MOVES(uint8_t, b)
ELEMENT_MOVES(uint16_t, h)
ELEMENT_MOVES(uint32_t, s)
ELEMENT_MOVES(uint64_t, d)
SIGNED_MOVE(smov_w_b, int8_t, b, uint32_t)
SIGNED_MOVE(smov_w_h, int16_t, h, uint32_t)
SIGNED_MOVE(smov_x_b, int8_t, b, int64_t)
SIGNED_MOVE(smov_x_h, int16_t, h, int64_t)
SIGNED_MOVE(smov_x_s, int32_t, s, int64_t)

const iss_exec_fn iss_simd_ins_general[4] = {ins_general_b, ins_general_h, ins_general_s, ins_general_d};
const iss_exec_fn iss_simd_ins_element[4] = {ins_element_b, ins_element_h, ins_element_s, ins_element_d};
const iss_exec_fn iss_simd_umov[4] = {umov_b, umov_h, umov_s, umov_d};
const iss_exec_fn iss_simd_smov[2][4] = {{smov_w_b, smov_w_h, NULL, NULL}, {smov_x_b, smov_x_h, smov_x_s, NULL}};

/* ---- Modified immediate: insn->imm is the expanded 64-bit pattern, [Q] ---- */
static void move_immediate(struct iss *cpu, const struct iss_insn *insn, bool q)
{
	union iss_vreg r = {{0}};

	if (!iss_fp_enabled(cpu))
		return;
	r.d[0] = insn->imm;
	r.d[1] = q ? insn->imm : 0;
	cpu->v[insn->rd] = r;
	iss_advance(cpu, insn);
}

static void orr_immediate(struct iss *cpu, const struct iss_insn *insn, bool q)
{
	union iss_vreg *d = &cpu->v[insn->rd];

	if (!iss_fp_enabled(cpu))
		return;
	d->d[0] |= insn->imm;
	d->d[1] = q ? d->d[1] | insn->imm : 0;
	iss_advance(cpu, insn);
}

static void bic_immediate(struct iss *cpu, const struct iss_insn *insn, bool q)
{
	union iss_vreg *d = &cpu->v[insn->rd];

	if (!iss_fp_enabled(cpu))
		return;
	d->d[0] &= ~insn->imm;
	d->d[1] = q ? d->d[1] & ~insn->imm : 0;
	iss_advance(cpu, insn);
}

#define BY_Q(name, fn)                                                                                                 \
	static ISS_HANDLER(name##_64)                                                                                  \
	{                                                                                                              \
		fn(cpu, insn, false);                                                                                  \
	}                                                                                                              \
	static ISS_HANDLER(name##_128)                                                                                 \
	{                                                                                                              \
		fn(cpu, insn, true);                                                                                   \
	}                                                                                                              \
	const iss_exec_fn iss_simd_##name[2] = {name##_64, name##_128};

BY_Q(movi, move_immediate)
BY_Q(orr_imm, orr_immediate)
BY_Q(bic_imm, bic_immediate)

/* ---- Permutes, [size][Q]; part is 0 for the "1" forms, 1 for the "2" forms ---- */
#define PERMUTE(fn, U, S, f, lanes, part, BODY)                                                                        \
	static ISS_HANDLER(fn)                                                                                         \
	{                                                                                                              \
		union iss_vreg n, m, r = {{0}};                                                                        \
		if (!iss_fp_enabled(cpu))                                                                              \
			return;                                                                                        \
		n = cpu->v[insn->rn];                                                                                  \
		m = cpu->v[insn->rm];                                                                                  \
		for (unsigned i = 0; i < (lanes) / 2; i++) {                                                           \
			BODY(f, lanes, part)                                                                           \
		}                                                                                                      \
		cpu->v[insn->rd] = r;                                                                                  \
		iss_advance(cpu, insn);                                                                                \
	}

#define ZIP(f, lanes, part)                                                                                            \
	r.f[2 * i] = n.f[(part) * (lanes) / 2 + i];                                                                    \
	r.f[2 * i + 1] = m.f[(part) * (lanes) / 2 + i];
#define UZP(f, lanes, part)                                                                                            \
	r.f[i] = n.f[2 * i + (part)];                                                                                  \
	r.f[(lanes) / 2 + i] = m.f[2 * i + (part)];
#define TRN(f, lanes, part)                                                                                            \
	r.f[2 * i] = n.f[2 * i + (part)];                                                                              \
	r.f[2 * i + 1] = m.f[2 * i + (part)];

#define PERMUTE_FORMS(name, part, BODY)                                                                                \
	PERMUTE(name##_8b, uint8_t, int8_t, b, 8, part, BODY)                                                          \
	PERMUTE(name##_16b, uint8_t, int8_t, b, 16, part, BODY)                                                        \
	PERMUTE(name##_4h, uint16_t, int16_t, h, 4, part, BODY)                                                        \
	PERMUTE(name##_8h, uint16_t, int16_t, h, 8, part, BODY)                                                        \
	PERMUTE(name##_2s, uint32_t, int32_t, s, 2, part, BODY)                                                        \
	PERMUTE(name##_4s, uint32_t, int32_t, s, 4, part, BODY)                                                        \
	PERMUTE(name##_2d, uint64_t, int64_t, d, 2, part, BODY)                                                        \
	const iss_exec_fn name[4][2] = {                                                                               \
	    {name##_8b, name##_16b}, {name##_4h, name##_8h}, {name##_2s, name##_4s}, {NULL, name##_2d}};

PERMUTE_FORMS(iss_simd_zip1, 0, ZIP)
PERMUTE_FORMS(iss_simd_zip2, 1, ZIP)
PERMUTE_FORMS(iss_simd_uzp1, 0, UZP)
PERMUTE_FORMS(iss_simd_uzp2, 1, UZP)
PERMUTE_FORMS(iss_simd_trn1, 0, TRN)
PERMUTE_FORMS(iss_simd_trn2, 1, TRN)

/* EXT: bytes imm.. of Vm:Vn (Vn the low part), [Q]. */
static void extract(struct iss *cpu, const struct iss_insn *insn, unsigned bytes)
{
	union iss_vreg n, m, r = {{0}};

	if (!iss_fp_enabled(cpu))
		return;
	n = cpu->v[insn->rn];
	m = cpu->v[insn->rm];
	for (unsigned i = 0; i < bytes; i++) {
		unsigned k = (unsigned)insn->imm + i;
		r.b[i] = k < bytes ? n.b[k] : m.b[k - bytes];
	}
	cpu->v[insn->rd] = r;
	iss_advance(cpu, insn);
}

static ISS_HANDLER(ext_8b)
{
	extract(cpu, insn, 8);
}

static ISS_HANDLER(ext_16b)
{
	extract(cpu, insn, 16);
}

const iss_exec_fn iss_simd_ext[2] = {ext_8b, ext_16b};

/* TBL, TBX: each index byte of Vm picks a byte of the insn->amount table registers from Vn
 * on (wrapping at V31); an index past the table gives 0 (TBL) or leaves Vd's byte (TBX). */
static void table_lookup(struct iss *cpu, const struct iss_insn *insn, unsigned bytes, bool extension)
{
	union iss_vreg table[4], m, r = {{0}};
	unsigned size = insn->amount * 16u;

	if (!iss_fp_enabled(cpu))
		return;
	for (unsigned k = 0; k < insn->amount; k++)
		table[k] = cpu->v[(insn->rn + k) % 32];
	m = cpu->v[insn->rm];
	if (extension)
		memcpy(r.b, cpu->v[insn->rd].b, bytes);
	for (unsigned i = 0; i < bytes; i++)
		if (m.b[i] < size)
			r.b[i] = table[m.b[i] / 16].b[m.b[i] % 16];
	cpu->v[insn->rd] = r;
	iss_advance(cpu, insn);
}

static ISS_HANDLER(tbl_8b)
{
	table_lookup(cpu, insn, 8, false);
}

static ISS_HANDLER(tbl_16b)
{
	table_lookup(cpu, insn, 16, false);
}

static ISS_HANDLER(tbx_8b)
{
	table_lookup(cpu, insn, 8, true);
}

static ISS_HANDLER(tbx_16b)
{
	table_lookup(cpu, insn, 16, true);
}

const iss_exec_fn iss_simd_tbl[2][2] = {{tbl_8b, tbl_16b}, {tbx_8b, tbx_16b}};
