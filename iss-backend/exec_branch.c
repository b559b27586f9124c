/* Branches: immediate, conditional, compare-and-branch, test-and-branch, register. */
#include "coverage_marks.h"
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
	iss_next(cpu, cpu->x[insn->rn]);
}

ISS_HANDLER(iss_exec_blr)
{
	uint64_t target = cpu->x[insn->rn]; /* before X30 changes: BLR X30 jumps to the old X30 */

	cpu->x[30] = cpu->pc + 4;
	iss_next(cpu, target);
}

/* Whether each conditional branch goes to its target; shared by the plain and recording handlers. */
static inline bool b_cond_taken(const struct iss *cpu, const struct iss_insn *insn)
{
	return cond_holds(cpu, insn->cond);
}

static inline bool cbz_64_taken(const struct iss *cpu, const struct iss_insn *insn)
{
	return cpu->x[insn->rd] == 0;
}

static inline bool cbnz_64_taken(const struct iss *cpu, const struct iss_insn *insn)
{
	return cpu->x[insn->rd] != 0;
}

static inline bool cbz_32_taken(const struct iss *cpu, const struct iss_insn *insn)
{
	return (uint32_t)cpu->x[insn->rd] == 0;
}

static inline bool cbnz_32_taken(const struct iss *cpu, const struct iss_insn *insn)
{
	return (uint32_t)cpu->x[insn->rd] != 0;
}

static inline bool tbz_taken(const struct iss *cpu, const struct iss_insn *insn)
{
	return ((cpu->x[insn->rd] >> insn->amount) & 1) == 0;
}

static inline bool tbnz_taken(const struct iss *cpu, const struct iss_insn *insn)
{
	return ((cpu->x[insn->rd] >> insn->amount) & 1) != 0;
}

/* A conditional branch's plain handler, and the one that records its direction (coverage). */
#define CONDITIONAL_BRANCH(name, taken)                                                                                \
	static void name(struct iss *cpu, const struct iss_insn *insn)                                                 \
	{                                                                                                              \
		iss_jump(cpu, insn, taken(cpu, insn) ? insn->imm : 4);                                                 \
	}                                                                                                              \
	static void name##_recording(struct iss *cpu, const struct iss_insn *insn)                                     \
	{                                                                                                              \
		bool went = taken(cpu, insn);                                                                          \
		iss_coverage_branch(cpu, went);                                                                        \
		iss_jump(cpu, insn, went ? insn->imm : 4);                                                             \
	}

CONDITIONAL_BRANCH(b_cond, b_cond_taken)
CONDITIONAL_BRANCH(cbz_64, cbz_64_taken)
CONDITIONAL_BRANCH(cbnz_64, cbnz_64_taken)
CONDITIONAL_BRANCH(cbz_32, cbz_32_taken)
CONDITIONAL_BRANCH(cbnz_32, cbnz_32_taken)
CONDITIONAL_BRANCH(tbz, tbz_taken)
CONDITIONAL_BRANCH(tbnz, tbnz_taken)

const iss_exec_fn iss_exec_b_cond = b_cond;

const iss_exec_fn iss_exec_cb[2][2] = {
    {cbz_32, cbnz_32},
    {cbz_64, cbnz_64},
};

const iss_exec_fn iss_exec_tb[2] = {tbz, tbnz};

/* Each conditional branch's plain handler beside its recording one. */
static const struct {
	iss_exec_fn plain, recording;
} conditional_branches[] = {
    {b_cond, b_cond_recording},   {cbz_64, cbz_64_recording}, {cbnz_64, cbnz_64_recording},
    {cbz_32, cbz_32_recording},   {cbnz_32, cbnz_32_recording}, {tbz, tbz_recording},
    {tbnz, tbnz_recording},
};

iss_exec_fn iss_branch_recording_handler(iss_exec_fn exec)
{
	for (size_t k = 0; k < sizeof(conditional_branches) / sizeof(conditional_branches[0]); k++)
		if (conditional_branches[k].plain == exec)
			return conditional_branches[k].recording;
	return NULL;
}

iss_exec_fn iss_branch_plain_handler(iss_exec_fn exec)
{
	for (size_t k = 0; k < sizeof(conditional_branches) / sizeof(conditional_branches[0]); k++)
		if (conditional_branches[k].recording == exec)
			return conditional_branches[k].plain;
	return exec;
}
