/* Branches: immediate, conditional, compare-and-branch, test-and-branch, register. */
#include "exec_handlers.h"
#include "iss_state.h"

/* ConditionHolds() for each NZCV nibble f, 16 at a time: bit f of the mask says "holds". */
#define N_(f) (((f) >> 3) & 1)
#define Z_(f) (((f) >> 2) & 1)
#define C_(f) (((f) >> 1) & 1)
#define V_(f) ((f)&1)
#define EQ(f) Z_(f)
#define CS(f) C_(f)
#define MI(f) N_(f)
#define VS(f) V_(f)
#define HI(f) (C_(f) && !Z_(f))
#define GE(f) (N_(f) == V_(f))
#define GT(f) (N_(f) == V_(f) && !Z_(f))
#define MASK(p)                                                                                                        \
	(p(0) << 0 | p(1) << 1 | p(2) << 2 | p(3) << 3 | p(4) << 4 | p(5) << 5 | p(6) << 6 | p(7) << 7 | p(8) << 8 |   \
	 p(9) << 9 | p(10) << 10 | p(11) << 11 | p(12) << 12 | p(13) << 13 | p(14) << 14 | p(15) << 15)
/* Odd conditions invert the even one below them, except NV (0b1111), which is "always". */
#define PAIR(p) MASK(p), (uint16_t)~MASK(p)

const uint16_t iss_cond_table[16] = {
    PAIR(EQ), PAIR(CS), PAIR(MI), PAIR(VS), PAIR(HI), PAIR(GE), PAIR(GT), 0xffff, 0xffff,
};

ISS_HANDLER(iss_exec_b)
{
	iss_jump(cpu, insn, insn->imm);
}

ISS_HANDLER(iss_exec_bl)
{
	cpu->x[30] = cpu->pc + 4;
	iss_jump(cpu, insn, insn->imm);
}

ISS_HANDLER(iss_exec_br)
{
	cpu->pc = cpu->x[insn->rn];
	iss_next(cpu);
}

ISS_HANDLER(iss_exec_blr)
{
	uint64_t target = cpu->x[insn->rn]; /* before X30 changes: BLR X30 jumps to the old X30 */

	cpu->x[30] = cpu->pc + 4;
	cpu->pc = target;
	iss_next(cpu);
}

ISS_HANDLER(iss_exec_b_cond)
{
	iss_jump(cpu, insn, cond_holds(cpu, insn->cond) ? insn->imm : 4);
}

static void cbz_64(struct iss *cpu, const struct iss_insn *insn)
{
	iss_jump(cpu, insn, cpu->x[insn->rd] == 0 ? insn->imm : 4);
}

static void cbnz_64(struct iss *cpu, const struct iss_insn *insn)
{
	iss_jump(cpu, insn, cpu->x[insn->rd] != 0 ? insn->imm : 4);
}

static void cbz_32(struct iss *cpu, const struct iss_insn *insn)
{
	iss_jump(cpu, insn, (uint32_t)cpu->x[insn->rd] == 0 ? insn->imm : 4);
}

static void cbnz_32(struct iss *cpu, const struct iss_insn *insn)
{
	iss_jump(cpu, insn, (uint32_t)cpu->x[insn->rd] != 0 ? insn->imm : 4);
}

const iss_exec_fn iss_exec_cb[2][2] = {
    {cbz_32, cbnz_32},
    {cbz_64, cbnz_64},
};

static void tbz(struct iss *cpu, const struct iss_insn *insn)
{
	iss_jump(cpu, insn, ((cpu->x[insn->rd] >> insn->amount) & 1) == 0 ? insn->imm : 4);
}

static void tbnz(struct iss *cpu, const struct iss_insn *insn)
{
	iss_jump(cpu, insn, ((cpu->x[insn->rd] >> insn->amount) & 1) != 0 ? insn->imm : 4);
}

const iss_exec_fn iss_exec_tb[2] = {tbz, tbnz};
