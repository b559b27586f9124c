/*
 * The decoder: turns one A64 word into a handler and pre-extracted operands, once per
 * instruction per page. Field names follow the Arm ARM's encoding diagrams.
 */
#include <string.h>

#include "decode.h"
#include "decode_fields.h"
#include "sysreg.h"

/* Installs `exec`, or the undefined handler when the table had no entry. */
static void handler(struct iss_insn *insn, uint32_t word, iss_exec_fn exec)
{
	if (exec)
		insn->exec = exec;
	else
		undefined(insn, word, UNDEF_UNALLOCATED);
}

/* DecodeBitMasks() of the Arm ARM. Returns false for the reserved encodings. */
static bool decode_bit_masks(unsigned n, unsigned imms, unsigned immr, bool immediate, unsigned datasize,
                             uint64_t *wmask, uint64_t *tmask)
{
	unsigned combined = (n << 6) | (~imms & 0x3f);
	unsigned len, levels, s, r, d, esize;
	uint64_t welem, telem;

	if (combined == 0)
		return false;
	len = 31 - (unsigned)__builtin_clz(combined);
	if (len < 1)
		return false;
	levels = (1u << len) - 1;
	if (immediate && (imms & levels) == levels)
		return false;
	s = imms & levels;
	r = immr & levels;
	d = (s - r) & levels;
	esize = 1u << len;

	welem = ones(s + 1);
	if (r)
		welem = ((welem >> r) | (welem << (esize - r))) & ones(esize);
	telem = ones(d + 1);
	for (unsigned size = esize; size < 64; size *= 2) {
		welem |= welem << size;
		telem |= telem << size;
	}
	*wmask = welem & ones(datasize);
	*tmask = telem & ones(datasize);
	return true;
}

/* ---- Data processing, immediate ---- */

static void decode_pc_relative(uint32_t word, struct iss_insn *insn)
{
	uint64_t offset = sign_extend((uint64_t)bits(word, 23, 5) << 2 | bits(word, 30, 29), 21);

	insn->rd = zr_dest(bits(word, 4, 0));
	if (bit(word, 31)) {
		insn->exec = iss_exec_adrp;
		insn->imm = offset << 12;
	} else {
		insn->exec = iss_exec_adr;
		insn->imm = offset;
	}
}

static void decode_add_sub_imm(uint32_t word, struct iss_insn *insn)
{
	unsigned sf = bit(word, 31), op_s = bits(word, 30, 29), setflags = bit(word, 29);

	if (bit(word, 23)) { /* ADDG/SUBG (MTE) */
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	insn->imm = (uint64_t)bits(word, 21, 10) << (bit(word, 22) ? 12 : 0);
	insn->rd = setflags ? zr_dest(bits(word, 4, 0)) : sp_reg(bits(word, 4, 0));
	insn->rn = sp_reg(bits(word, 9, 5));
	insn->exec = iss_exec_addsub_imm[sf][op_s];
}

static void decode_logical_imm(uint32_t word, struct iss_insn *insn)
{
	unsigned sf = bit(word, 31), opc = bits(word, 30, 29), n = bit(word, 22);
	uint64_t wmask, tmask;

	if ((!sf && n) ||
	    !decode_bit_masks(n, bits(word, 15, 10), bits(word, 21, 16), true, sf ? 64 : 32, &wmask, &tmask)) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	insn->imm = wmask;
	insn->rd = opc == 3 ? zr_dest(bits(word, 4, 0)) : sp_reg(bits(word, 4, 0)); /* ANDS writes ZR */
	insn->rn = zr_source(bits(word, 9, 5));
	insn->exec = iss_exec_logic_imm[sf][opc];
}

static void decode_move_wide(uint32_t word, struct iss_insn *insn)
{
	unsigned sf = bit(word, 31), opc = bits(word, 30, 29), hw = bits(word, 22, 21);
	unsigned shift = hw * 16;
	uint64_t value = (uint64_t)bits(word, 20, 5) << shift;

	if (opc == 1 || (!sf && hw >= 2)) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	insn->rd = zr_dest(bits(word, 4, 0));
	switch (opc) {
	case 0: /* MOVN */
		insn->exec = iss_exec_mov_const;
		insn->imm = ~value & ones(sf ? 64 : 32);
		break;
	case 2: /* MOVZ */
		insn->exec = iss_exec_mov_const;
		insn->imm = value;
		break;
	default: /* MOVK */
		insn->exec = iss_exec_movk[sf];
		insn->imm = value;
		insn->imm2 = 0xffffull << shift;
		break;
	}
}

static void decode_bitfield(uint32_t word, struct iss_insn *insn)
{
	unsigned sf = bit(word, 31), opc = bits(word, 30, 29), n = bit(word, 22);
	unsigned immr = bits(word, 21, 16), imms = bits(word, 15, 10);
	uint64_t wmask, tmask;

	if (opc == 3 || n != sf || (!sf && (immr >= 32 || imms >= 32)) ||
	    !decode_bit_masks(n, imms, immr, false, sf ? 64 : 32, &wmask, &tmask)) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	if (opc == 1) { /* BFM: the Arm ARM's masks */
		insn->imm = wmask;
		insn->imm2 = tmask;
		insn->amount = (uint8_t)immr;
	} else { /* SBFM, UBFM: field bit S to the top, then right to its place */
		unsigned top = sf ? 63 : 31;
		insn->amount = (uint8_t)(top - imms);
		insn->type = (uint8_t)(imms >= immr ? top - imms + immr : immr - 1 - imms);
	}
	insn->rd = zr_dest(bits(word, 4, 0));
	insn->rn = zr_source(bits(word, 9, 5));
	insn->exec = iss_exec_bitfield[sf][opc];
}

static void decode_extract(uint32_t word, struct iss_insn *insn)
{
	unsigned sf = bit(word, 31), imms = bits(word, 15, 10);

	if (bits(word, 30, 29) || bit(word, 21) || bit(word, 22) != sf || (!sf && imms >= 32)) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	insn->amount = (uint8_t)imms;
	insn->rd = zr_dest(bits(word, 4, 0));
	insn->rn = zr_source(bits(word, 9, 5));
	insn->rm = zr_source(bits(word, 20, 16));
	insn->exec = iss_exec_extr[sf];
}

static void decode_data_imm(uint32_t word, struct iss_insn *insn)
{
	switch (bits(word, 25, 23)) {
	case 0:
	case 1:
		decode_pc_relative(word, insn);
		break;
	case 2:
	case 3:
		decode_add_sub_imm(word, insn);
		break;
	case 4:
		decode_logical_imm(word, insn);
		break;
	case 5:
		decode_move_wide(word, insn);
		break;
	case 6:
		decode_bitfield(word, insn);
		break;
	default:
		decode_extract(word, insn);
		break;
	}
}

/* ---- Branches, exception generation, system ---- */

/* MRS/MSR: the interpreter's own register is found once here; the others go to the hooks at
 * run time, so hooks added after decoding are asked too. */
static void decode_sysreg_move(uint32_t word, struct iss_insn *insn)
{
	unsigned read = bit(word, 21);

	insn->exec = read ? iss_exec_mrs : iss_exec_msr;
	insn->imm = word;
	insn->type = iss_sysreg_slot(bits(word, 20, 5));
	insn->rd = read ? zr_dest(bits(word, 4, 0)) : zr_source(bits(word, 4, 0));
}

/* Hints: the unallocated ones behave as NOP, as the architecture requires. */
static void decode_hint(uint32_t word, struct iss_insn *insn)
{
	switch (bits(word, 11, 5)) {
	case 2:
		insn->exec = iss_exec_wfe;
		break;
	case 3:
		insn->exec = iss_exec_wfi;
		break;
	case 4:
		insn->exec = iss_exec_sev;
		break;
	case 5:
		insn->exec = iss_exec_sevl;
		break;
	default:
		insn->exec = iss_exec_nop;
		break; /* NOP, YIELD, and the rest of the hint space */
	}
}

static void decode_barrier(uint32_t word, struct iss_insn *insn)
{
	switch (bits(word, 7, 5)) {
	case 2:
		insn->exec = iss_exec_clrex;
		break;
	case 4: /* DSB */
	case 5: /* DMB */
	case 6: /* ISB */
		insn->exec = iss_exec_nop;
		break;
	default:
		undefined(insn, word, UNDEF_UNALLOCATED);
		break;
	}
}

static void decode_pstate(uint32_t word, struct iss_insn *insn)
{
	unsigned op1 = bits(word, 18, 16), op2 = bits(word, 7, 5);

	insn->imm = bits(word, 11, 8);
	insn->imm2 = word;
	if (op1 == 3 && op2 == 6)
		insn->exec = iss_exec_msr_daifset;
	else if (op1 == 3 && op2 == 7)
		insn->exec = iss_exec_msr_daifclr;
	else if (op1 == 0 && op2 == 5)
		insn->exec = iss_exec_msr_spsel;
	else
		undefined(insn, word, UNDEF_UNALLOCATED); /* PAN, UAO, ... are not implemented */
}

static void decode_system(uint32_t word, struct iss_insn *insn)
{
	unsigned l = bit(word, 21), op0 = bits(word, 20, 19), crn = bits(word, 15, 12);
	bool rt_is_31 = bits(word, 4, 0) == 31;

	if (op0 >= 2)
		decode_sysreg_move(word, insn);
	else if (op0 == 1 && !l) { /* SYS: cache and TLB maintenance, AT */
		insn->exec = iss_exec_sys;
		insn->imm = word;
		insn->rd = zr_source(bits(word, 4, 0));
	} else if (op0 == 1)
		undefined(insn, word, UNDEF_UNALLOCATED); /* SYSL */
	else if (!l && crn == 2 && bits(word, 18, 16) == 3 && rt_is_31)
		decode_hint(word, insn);
	else if (!l && crn == 3 && bits(word, 18, 16) == 3 && rt_is_31)
		decode_barrier(word, insn);
	else if (!l && crn == 4 && rt_is_31)
		decode_pstate(word, insn);
	else
		undefined(insn, word, UNDEF_UNALLOCATED);
}

static void decode_branch_register(uint32_t word, struct iss_insn *insn)
{
	unsigned opc = bits(word, 24, 21);
	bool plain = bits(word, 20, 16) == 31 && bits(word, 15, 10) == 0 && bits(word, 4, 0) == 0;

	insn->rn = zr_source(bits(word, 9, 5));
	if (plain && (opc == 0 || opc == 2))
		insn->exec = iss_exec_br; /* BR, RET */
	else if (plain && opc == 1)
		insn->exec = iss_exec_blr;
	else if (plain && opc == 4 && bits(word, 9, 5) == 31) {
		insn->exec = iss_exec_eret;
		insn->imm = word;
	}
	else
		undefined(insn, word, UNDEF_UNALLOCATED);
}

/* Exception generation. HLT (halting debug is off) is UNDEFINED but for the semihosting call
 * HLT #0xF000, which its handler decides on; DCPS (not in Debug state) is UNDEFINED. */
static void decode_exception(uint32_t word, struct iss_insn *insn)
{
	unsigned opc = bits(word, 23, 21), ll = bits(word, 1, 0);

	insn->imm = bits(word, 20, 5);
	if (bits(word, 4, 2))
		undefined(insn, word, UNDEF_UNALLOCATED);
	else if (opc == 0 && ll == 1)
		insn->exec = iss_exec_svc;
	else if (opc == 0 && ll == 2)
		insn->exec = iss_exec_hvc;
	else if (opc == 0 && ll == 3)
		insn->exec = iss_exec_smc;
	else if (opc == 1 && ll == 0)
		insn->exec = iss_exec_brk;
	else if (opc == 2 && ll == 0 && insn->imm == SEMIHOSTING_HLT_IMM)
		insn->exec = iss_exec_hlt_semihosting;
	else
		undefined(insn, word, UNDEF_UNALLOCATED);
}

static void decode_branch_system(uint32_t word, struct iss_insn *insn)
{
	if (bits(word, 30, 26) == 0x05) { /* B, BL */
		insn->imm = sign_extend((uint64_t)bits(word, 25, 0) << 2, 28);
		insn->exec = bit(word, 31) ? iss_exec_bl : iss_exec_b;
	} else if (bits(word, 30, 25) == 0x1a) { /* CBZ, CBNZ */
		insn->imm = sign_extend((uint64_t)bits(word, 23, 5) << 2, 21);
		insn->rd = zr_source(bits(word, 4, 0));
		insn->exec = iss_exec_cb[bit(word, 31)][bit(word, 24)];
	} else if (bits(word, 30, 25) == 0x1b) { /* TBZ, TBNZ */
		insn->imm = sign_extend((uint64_t)bits(word, 18, 5) << 2, 16);
		insn->amount = (uint8_t)(bit(word, 31) << 5 | bits(word, 23, 19));
		insn->rd = zr_source(bits(word, 4, 0));
		insn->exec = iss_exec_tb[bit(word, 24)];
	} else if (bits(word, 31, 24) == 0x54 && !bit(word, 4)) { /* B.cond */
		insn->imm = sign_extend((uint64_t)bits(word, 23, 5) << 2, 21);
		insn->cond = (uint8_t)bits(word, 3, 0);
		insn->exec = iss_exec_b_cond;
	} else if (bits(word, 31, 24) == 0xd4) { /* SVC, HVC, SMC, BRK, HLT, DCPS */
		decode_exception(word, insn);
	} else if (bits(word, 31, 22) == 0x354) {
		decode_system(word, insn);
	} else if (bits(word, 31, 25) == 0x6b) {
		decode_branch_register(word, insn);
	} else {
		undefined(insn, word, UNDEF_UNALLOCATED);
	}
}

/* ---- Loads and stores ---- */

#define ACCESS_PRFM ACCESS_COUNT
#define ACCESS_NONE (ACCESS_COUNT + 1)

/* [size][opc] of the single-register forms. */
static const uint8_t access_kinds[4][4] = {
    {ACCESS_STRB, ACCESS_LDRB, ACCESS_LDRSB_X, ACCESS_LDRSB_W},
    {ACCESS_STRH, ACCESS_LDRH, ACCESS_LDRSH_X, ACCESS_LDRSH_W},
    {ACCESS_STRW, ACCESS_LDRW, ACCESS_LDRSW, ACCESS_NONE},
    {ACCESS_STRX, ACCESS_LDRX, ACCESS_PRFM, ACCESS_NONE},
};

static void decode_load_literal(uint32_t word, struct iss_insn *insn)
{
	unsigned opc = bits(word, 31, 30);

	if (bit(word, 24)) { /* LDAPR/STLR unscaled (v8.4) */
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	insn->imm = sign_extend((uint64_t)bits(word, 23, 5) << 2, 21);
	insn->rd = zr_dest(bits(word, 4, 0));
	insn->exec = opc == 3 ? iss_exec_nop : iss_exec_load_literal[opc]; /* opc 3: PRFM */
}

static void decode_load_store_pair(uint32_t word, struct iss_insn *insn)
{
	static const uint8_t modes[4] = {MODE_OFFSET, MODE_POST, MODE_OFFSET, MODE_PRE};
	unsigned opc = bits(word, 31, 30), load = bit(word, 22), index = bits(word, 24, 23);
	unsigned kind;

	if (opc == 0)
		kind = load ? PAIR_LDP_W : PAIR_STP_W;
	else if (opc == 2)
		kind = load ? PAIR_LDP_X : PAIR_STP_X;
	else if (opc == 1 && load && index != 0)
		kind = PAIR_LDPSW;
	else {
		undefined(insn, word, UNDEF_UNALLOCATED); /* STGP, LDNP of SW, opc 3 */
		return;
	}
	insn->imm = sign_extend(bits(word, 21, 15), 7) << (opc == 2 ? 3 : 2);
	insn->rn = sp_reg(bits(word, 9, 5));
	insn->rd = load ? zr_dest(bits(word, 4, 0)) : zr_source(bits(word, 4, 0));
	insn->ra = load ? zr_dest(bits(word, 14, 10)) : zr_source(bits(word, 14, 10));
	insn->exec = iss_exec_pair[kind][modes[index]]; /* no-allocate pairs (index 0) act as offset */
}

static void decode_load_store_register(uint32_t word, struct iss_insn *insn)
{
	unsigned size = bits(word, 31, 30), kind = access_kinds[size][bits(word, 23, 22)];
	unsigned mode;
	bool unprivileged = false;

	if (bit(word, 24)) { /* unsigned, scaled offset */
		mode = MODE_OFFSET;
		insn->imm = (uint64_t)bits(word, 21, 10) << size;
	} else if (!bit(word, 21)) { /* 9-bit signed offset: unscaled, post, unprivileged, pre */
		static const uint8_t modes[4] = {MODE_OFFSET, MODE_POST, MODE_OFFSET, MODE_PRE};
		mode = modes[bits(word, 11, 10)];
		unprivileged = bits(word, 11, 10) == 2; /* LDTR/STTR */
		insn->imm = sign_extend(bits(word, 20, 12), 9);
	} else if (bits(word, 11, 10) == 2 && bit(word, 14)) { /* register offset, option<1> set */
		mode = MODE_REGISTER;
		insn->type = (uint8_t)bits(word, 15, 13);
		insn->amount = (uint8_t)(bit(word, 12) ? size : 0);
		insn->rm = zr_source(bits(word, 20, 16));
	} else { /* atomics, pointer authentication, unallocated */
		undefined(insn, word, UNDEF_NOT_IMPLEMENTED);
		return;
	}

	if (kind == ACCESS_PRFM) {
		if (mode == MODE_OFFSET && !unprivileged)
			insn->exec = iss_exec_nop;
		else if (mode == MODE_REGISTER)
			insn->exec = iss_exec_nop;
		else
			undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	if (kind == ACCESS_NONE) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	insn->rn = sp_reg(bits(word, 9, 5));
	insn->rd = kind <= ACCESS_STRX ? zr_source(bits(word, 4, 0)) : zr_dest(bits(word, 4, 0));
	if (unprivileged) { /* LDTR/STTR: EL0's permissions */
		insn->type = (uint8_t)kind;
		insn->exec = kind <= ACCESS_STRX ? iss_exec_unprivileged_store : iss_exec_unprivileged_load;
		return;
	}
	insn->exec = iss_exec_load_store[kind][mode];
}

/* Load/store exclusive, load-acquire/store-release (v8.0 forms only). */
static void decode_exclusive(uint32_t word, struct iss_insn *insn)
{
	unsigned size = bits(word, 31, 30), o2 = bit(word, 23), l = bit(word, 22), o1 = bit(word, 21);
	unsigned o0 = bit(word, 15);
	bool load = l;

	if (bit(word, 24) || (o1 && (o2 || size < 2)) || (o2 && !o0)) {
		undefined(insn, word, UNDEF_UNALLOCATED); /* CAS, LDLAR/STLLR (v8.1), LDAPR... (v8.3+) */
		return;
	}
	insn->type = (uint8_t)size;
	insn->amount = (uint8_t)(o2 << 3 | l << 2 | o1 << 1 | o0);
	insn->rn = sp_reg(bits(word, 9, 5));
	insn->rd = load ? zr_dest(bits(word, 4, 0)) : zr_source(bits(word, 4, 0));
	insn->ra = load ? zr_dest(bits(word, 14, 10)) : zr_source(bits(word, 14, 10));
	insn->rm = zr_dest(bits(word, 20, 16));
	insn->exec = iss_exec_exclusive;
}

static void decode_load_store(uint32_t word, struct iss_insn *insn)
{
	if (bit(word, 26)) {
		iss_decode_fp_load_store(word, insn);
		return;
	}
	switch (bits(word, 29, 28)) {
	case 0:
		decode_exclusive(word, insn);
		break;
	case 1:
		decode_load_literal(word, insn);
		break;
	case 2:
		decode_load_store_pair(word, insn);
		break;
	default:
		decode_load_store_register(word, insn);
		break;
	}
}

/* ---- Data processing, register ---- */

static void decode_logical_shifted(uint32_t word, struct iss_insn *insn)
{
	unsigned sf = bit(word, 31), opc = bits(word, 30, 29), shift = bits(word, 23, 22);
	unsigned n = bit(word, 21), imm6 = bits(word, 15, 10), rn = bits(word, 9, 5);

	if (!sf && imm6 >= 32) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	insn->rd = zr_dest(bits(word, 4, 0));
	insn->rn = zr_source(rn);
	insn->rm = zr_source(bits(word, 20, 16));
	insn->amount = (uint8_t)imm6;
	if (opc == 1 && !n && !shift && !imm6 && rn == 31)
		insn->exec = iss_exec_mov_reg[sf]; /* MOV Rd, Rm: the most common register move */
	else
		insn->exec = iss_exec_logic_reg[sf][opc << 1 | n][shift];
}

static void decode_add_sub_shifted(uint32_t word, struct iss_insn *insn)
{
	unsigned sf = bit(word, 31), shift = bits(word, 23, 22), imm6 = bits(word, 15, 10);

	if (shift == 3 || (!sf && imm6 >= 32)) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	insn->rd = zr_dest(bits(word, 4, 0));
	insn->rn = zr_source(bits(word, 9, 5));
	insn->rm = zr_source(bits(word, 20, 16));
	insn->amount = (uint8_t)imm6;
	insn->exec = iss_exec_addsub_shift[sf][bits(word, 30, 29)][shift];
}

static void decode_add_sub_extended(uint32_t word, struct iss_insn *insn)
{
	unsigned sf = bit(word, 31), imm3 = bits(word, 12, 10), setflags = bit(word, 29);

	if (bits(word, 23, 22) || imm3 > 4) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	insn->rd = setflags ? zr_dest(bits(word, 4, 0)) : sp_reg(bits(word, 4, 0));
	insn->rn = sp_reg(bits(word, 9, 5));
	insn->rm = zr_source(bits(word, 20, 16));
	insn->type = (uint8_t)bits(word, 15, 13);
	insn->amount = (uint8_t)imm3;
	insn->exec = iss_exec_addsub_ext[sf][bits(word, 30, 29)];
}

/* Rd, Rn, Rm with 31 as ZR: the common operand shape of the rest of this group. */
static void three_registers(uint32_t word, struct iss_insn *insn)
{
	insn->rd = zr_dest(bits(word, 4, 0));
	insn->rn = zr_source(bits(word, 9, 5));
	insn->rm = zr_source(bits(word, 20, 16));
}

static void decode_conditional_compare(uint32_t word, struct iss_insn *insn)
{
	unsigned sf = bit(word, 31), immediate = bit(word, 11);

	if (!bit(word, 29) || bit(word, 10) || bit(word, 4)) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	insn->rn = zr_source(bits(word, 9, 5));
	if (immediate)
		insn->imm = bits(word, 20, 16);
	else
		insn->rm = zr_source(bits(word, 20, 16));
	insn->cond = (uint8_t)bits(word, 15, 12);
	insn->nzcv = (uint8_t)bits(word, 3, 0);
	insn->exec = iss_exec_ccmp[sf][bit(word, 30)][immediate];
}

static void decode_conditional_select(uint32_t word, struct iss_insn *insn)
{
	unsigned sf = bit(word, 31), op2 = bits(word, 11, 10);

	if (bit(word, 29) || op2 >= 2) {
		undefined(insn, word, UNDEF_UNALLOCATED);
		return;
	}
	three_registers(word, insn);
	insn->cond = (uint8_t)bits(word, 15, 12);
	insn->exec = iss_exec_csel[sf][bit(word, 30) << 1 | op2];
}

static void decode_data_1_2_source(uint32_t word, struct iss_insn *insn)
{
	unsigned sf = bit(word, 31), opcode = bits(word, 15, 10);

	three_registers(word, insn);
	if (bit(word, 29))
		undefined(insn, word, UNDEF_UNALLOCATED);
	else if (bit(word, 30)) /* one source */
		handler(insn, word, !bits(word, 20, 16) && opcode < 6 ? iss_exec_dp1[sf][opcode] : NULL);
	else if (opcode >= 0x10 && opcode < 0x18) { /* CRC32{B,H,W,X}, CRC32C*: X with sf only */
		insn->amount = (uint8_t)(1u << (opcode & 3));
		insn->type = (uint8_t)bit(word, 12);
		handler(insn, word, sf == ((opcode & 3) == 3) ? iss_exec_crc32 : NULL);
	} else /* two sources */
		handler(insn, word, opcode < 12 ? iss_exec_dp2[sf][opcode] : NULL);
}

static void decode_data_3_source(uint32_t word, struct iss_insn *insn)
{
	unsigned sf = bit(word, 31), index = bits(word, 23, 21) << 1 | bit(word, 15);

	three_registers(word, insn);
	insn->ra = zr_source(bits(word, 14, 10));
	handler(insn, word, bits(word, 30, 29) ? NULL : iss_exec_dp3[sf][index]);
}

static void decode_data_reg(uint32_t word, struct iss_insn *insn)
{
	if (!bit(word, 28)) {
		if (!bit(word, 24))
			decode_logical_shifted(word, insn);
		else if (!bit(word, 21))
			decode_add_sub_shifted(word, insn);
		else
			decode_add_sub_extended(word, insn);
		return;
	}
	switch (bits(word, 24, 21)) {
	case 0: /* ADC, SBC and their S forms */
		three_registers(word, insn);
		handler(insn, word,
		        bits(word, 15, 10) ? NULL : iss_exec_addsub_carry[bit(word, 31)][bits(word, 30, 29)]);
		break;
	case 2:
		decode_conditional_compare(word, insn);
		break;
	case 4:
		decode_conditional_select(word, insn);
		break;
	case 6:
		decode_data_1_2_source(word, insn);
		break;
	case 8:
	case 9:
	case 10:
	case 11:
	case 12:
	case 13:
	case 14:
	case 15:
		decode_data_3_source(word, insn);
		break;
	default:
		undefined(insn, word, UNDEF_UNALLOCATED);
		break;
	}
}

void iss_decode(uint32_t word, struct iss_insn *insn)
{
	memset(insn, 0, sizeof(*insn));
	switch (bits(word, 28, 25)) {
	case 0x8:
	case 0x9:
		decode_data_imm(word, insn);
		break;
	case 0xa:
	case 0xb:
		decode_branch_system(word, insn);
		break;
	case 0x4:
	case 0x6:
	case 0xc:
	case 0xe:
		decode_load_store(word, insn);
		break;
	case 0x5:
	case 0xd:
		decode_data_reg(word, insn);
		break;
	case 0x7:
	case 0xf:
		if (bit(word, 28) && !bit(word, 30))
			iss_decode_fp(word, insn); /* scalar floating point and conversions */
		else
			iss_decode_advsimd(word, insn);
		break;
	default:
		undefined(insn, word, UNDEF_UNALLOCATED);
		break;
	}
}
