/* State shared by the interpreter's files: the CPU, decoded instructions and the memory fast path. */
#ifndef QVP_ISS_INTERNAL_H
#define QVP_ISS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bus.h"
#include "cpu.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/*
 * Register file indices. The decoder maps encoding 31 to SP, ZR or SINK once, so no
 * handler ever tests for register 31: ZR always reads 0, SINK swallows writes.
 */
enum {
	REG_SP = 31,
	REG_ZR = 32,
	REG_SINK = 33,
	REG_FILE_SIZE = 34,
};

#define PAGE_SHIFT       12
#define PAGE_SIZE        (1ull << PAGE_SHIFT)
#define PAGE_INSNS       (PAGE_SIZE / 4)
#define PAGE_CACHE_SLOTS 1024 /* decoded pages kept, direct-mapped by physical page number */

/* NZCV as a 4-bit nibble, the layout of PSTATE bits 31:28. */
enum {
	FLAG_V = 1,
	FLAG_C = 2,
	FLAG_Z = 4,
	FLAG_N = 8,
};

/* PSTATE.DAIF as in bits 9:6 of SPSR, kept shifted down to 3:0. */
enum {
	DAIF_F = 1,
	DAIF_I = 2,
	DAIF_A = 4,
	DAIF_D = 8,
};

/* Shift types of the shifted-register forms, as encoded. */
enum { SHIFT_LSL, SHIFT_LSR, SHIFT_ASR, SHIFT_ROR };

/* Extend types of the extended-register forms, as encoded in `option`. */
enum { EXTEND_UXTB, EXTEND_UXTH, EXTEND_UXTW, EXTEND_UXTX, EXTEND_SXTB, EXTEND_SXTH, EXTEND_SXTW, EXTEND_SXTX };

/* System registers the decoder knows, resolved from their encoding once. */
enum iss_sysreg {
	SYSREG_NZCV,
	SYSREG_DAIF,
	SYSREG_CURRENTEL,
	SYSREG_SPSEL,
	SYSREG_SP_EL0,
	SYSREG_VBAR_EL1,
	SYSREG_SCTLR_EL1,
	SYSREG_CPACR_EL1,
	SYSREG_TPIDR_EL0,
	SYSREG_TPIDR_EL1,
	SYSREG_MPIDR_EL1,
	SYSREG_MIDR_EL1,
	SYSREG_CNTFRQ_EL0,
};

/* Why an encoding is not executed, for the message of the one undefined-instruction path. */
enum iss_undefined_reason {
	UNDEF_UNALLOCATED,     /* not an instruction, or one the interpreter does not know */
	UNDEF_NOT_IMPLEMENTED, /* a real instruction the interpreter does not implement yet */
	UNDEF_SYSREG,          /* MRS/MSR of a system register the interpreter does not model */
	UNDEF_EXCEPTION,       /* SVC, HVC, SMC, BRK, HLT, ERET: need the exception model */
};

struct iss;
struct iss_insn;

typedef void (*iss_exec_fn)(struct iss *cpu, const struct iss_insn *insn);

/* Declares or defines an instruction handler. */
#define ISS_HANDLER(name) void name(struct iss *cpu, const struct iss_insn *insn)

/* One pre-decoded instruction: the handler and the operands it needs, nothing to re-extract. */
struct iss_insn {
	iss_exec_fn exec;
	uint64_t imm;   /* immediate, PC offset, constant, mask, or the raw word when undefined */
	uint64_t imm2;  /* second mask (bitfield moves) */
	uint8_t rd;     /* destination, or Rt of loads/stores, tested register of CBZ/TBZ */
	uint8_t rn;     /* first source, or base register */
	uint8_t rm;     /* second source, or index register */
	uint8_t ra;     /* addend of multiply-add, or Rt2 of pairs */
	uint8_t amount; /* shift amount, rotation, bit number, index scale */
	uint8_t type;   /* shift or extend type, sysreg, bitfield S, undefined reason */
	uint8_t cond;   /* condition code */
	uint8_t nzcv;   /* flags of a conditional compare whose condition fails */
};

struct iss_page {
	uint64_t base; /* guest physical address of the page, or ~0 when the slot is empty */
	struct iss_insn insn[PAGE_INSNS];
};

/* A RAM region the interpreter has seen, with one byte per 4 KiB guest page marking code. */
struct iss_ram {
	uint64_t base;
	uint64_t size;
	uint64_t fast_limit; /* offsets below this have 8 bytes of room: no per-size check */
	uint8_t *host;
	uint64_t first_page; /* base >> PAGE_SHIFT */
	uint8_t *code_flags; /* CODE_HERE / CODE_NEXT per page, from first_page on */
};

/* code_flags bits: a store to a flagged page must invalidate decoded instructions. */
enum {
	CODE_HERE = 1, /* this page holds decoded instructions */
	CODE_NEXT = 2, /* the next page does: a store straddling into it needs a check */
};

struct iss {
	struct cpu cpu; /* first, so struct cpu * converts to struct iss * */

	/* Hot state: touched by every instruction. */
	uint64_t x[REG_FILE_SIZE];
	uint64_t pc;
	uint64_t left;         /* instructions the current run may still start */
	uint64_t code_base;    /* guest address of the page `code` decodes */
	struct iss_page *code; /* decoded page the PC is in */
	struct iss_ram *ram;   /* RAM region of the last data access */
	unsigned nzcv;

	/* PSTATE and system registers. */
	unsigned daif;
	bool spsel;        /* 1: SP is SP_EL1 (EL1h), 0: SP is SP_EL0 (EL1t) */
	uint64_t sp_other; /* the stack pointer not selected by spsel */
	bool event_register;
	bool irq_line;
	bool fiq_line;
	uint64_t vbar_el1;
	uint64_t sctlr_el1;
	uint64_t cpacr_el1;
	uint64_t tpidr_el0;
	uint64_t tpidr_el1;
	uint64_t cntfrq_el0;

	/* Run bookkeeping. */
	bool running;
	bool stopping; /* a stop was requested during the current instruction */
	uint64_t budget;
	uint64_t current;  /* index in the run of the instruction that requested the stop */
	uint64_t executed; /* result of the last run */
	enum cpu_stop_reason stop_reason;

	struct bus *bus;
	struct iss_ram no_ram; /* the empty region `ram` points to before any data access */
	struct iss_ram **rams;
	unsigned ram_count;
	struct iss_page *pages[PAGE_CACHE_SLOTS];
};

static inline struct iss *to_iss(const struct cpu *cpu)
{
	return (struct iss *)cpu;
}

/* Execution control (iss.c). */
void iss_stop(struct iss *cpu, enum cpu_stop_reason reason);
void iss_fatal(struct iss *cpu, const char *format, ...) __attribute__((format(printf, 2, 3)));
void iss_undefined(struct iss *cpu, uint32_t word, enum iss_undefined_reason reason);
void iss_select_stack(struct iss *cpu, bool spsel);
ISS_HANDLER(iss_exec_decode); /* every slot of a fresh page: decodes, then executes */

/* Memory (iss.c): slow paths behind the inline fast paths below. They return false after a fatal stop. */
bool iss_load_slow(struct iss *cpu, uint64_t address, unsigned size, uint64_t *value);
bool iss_store_slow(struct iss *cpu, uint64_t address, unsigned size, uint64_t value);
void iss_code_written(struct iss *cpu, uint64_t address, uint64_t length);

/* Decoder (decode.c): fills *insn for `word`; never fails, unknown encodings get the undefined handler. */
void iss_decode(uint32_t word, struct iss_insn *insn);

/* Condition codes: bit `nzcv` of iss_cond_table[cond] says whether cond holds. */
extern const uint16_t iss_cond_table[16];

static inline bool cond_holds(const struct iss *cpu, unsigned cond)
{
	return (iss_cond_table[cond] >> cpu->nzcv) & 1;
}

static inline bool iss_load(struct iss *cpu, uint64_t address, unsigned size, uint64_t *value)
{
	struct iss_ram *ram = cpu->ram;
	uint64_t offset = address - ram->base;

	if (likely(offset < ram->fast_limit)) {
		const uint8_t *p = ram->host + offset;
		switch (size) {
		case 1:
			*value = *p;
			break;
		case 2: {
			uint16_t v;
			memcpy(&v, p, 2);
			*value = v;
			break;
		}
		case 4: {
			uint32_t v;
			memcpy(&v, p, 4);
			*value = v;
			break;
		}
		default:
			memcpy(value, p, 8);
			break;
		}
		return true;
	}
	return iss_load_slow(cpu, address, size, value);
}

static inline bool iss_store(struct iss *cpu, uint64_t address, unsigned size, uint64_t value)
{
	struct iss_ram *ram = cpu->ram;
	uint64_t offset = address - ram->base;

	if (likely(offset < ram->fast_limit)) {
		uint8_t *p = ram->host + offset;
		switch (size) {
		case 1:
			*p = (uint8_t)value;
			break;
		case 2: {
			uint16_t v = (uint16_t)value;
			memcpy(p, &v, 2);
			break;
		}
		case 4: {
			uint32_t v = (uint32_t)value;
			memcpy(p, &v, 4);
			break;
		}
		default:
			memcpy(p, &value, 8);
			break;
		}
		if (unlikely(ram->code_flags[(address >> PAGE_SHIFT) - ram->first_page]))
			iss_code_written(cpu, address, size);
		return true;
	}
	return iss_store_slow(cpu, address, size, value);
}

/* Handler tables the decoder indexes with encoding fields; NULL entries are unallocated. */

/* exec_data.c */
ISS_HANDLER(iss_exec_adr);
ISS_HANDLER(iss_exec_adrp);
ISS_HANDLER(iss_exec_mov_const);                         /* MOVZ, MOVN: the constant is decoded */
extern const iss_exec_fn iss_exec_addsub_imm[2][4];      /* [sf][op:S] */
extern const iss_exec_fn iss_exec_logic_imm[2][4];       /* [sf][opc] */
extern const iss_exec_fn iss_exec_movk[2];               /* [sf] */
extern const iss_exec_fn iss_exec_bitfield[2][3];        /* [sf][opc] */
extern const iss_exec_fn iss_exec_extr[2];               /* [sf] */
extern const iss_exec_fn iss_exec_logic_reg[2][8][4];    /* [sf][opc:N][shift] */
extern const iss_exec_fn iss_exec_mov_reg[2];            /* [sf]: ORR Rd, ZR, Rm */
extern const iss_exec_fn iss_exec_addsub_shift[2][4][3]; /* [sf][op:S][shift] */
extern const iss_exec_fn iss_exec_addsub_ext[2][4];      /* [sf][op:S] */
extern const iss_exec_fn iss_exec_addsub_carry[2][4];    /* [sf][op:S] */
extern const iss_exec_fn iss_exec_ccmp[2][2][2];         /* [sf][op][immediate] */
extern const iss_exec_fn iss_exec_csel[2][4];            /* [sf][op:o2] */
extern const iss_exec_fn iss_exec_dp1[2][6];             /* [sf][opcode] */
extern const iss_exec_fn iss_exec_dp2[2][12];            /* [sf][opcode] */
extern const iss_exec_fn iss_exec_dp3[2][16];            /* [sf][op31:o0] */

/* exec_memory.c */
enum iss_access {
	ACCESS_STRB,
	ACCESS_STRH,
	ACCESS_STRW,
	ACCESS_STRX,
	ACCESS_LDRB,
	ACCESS_LDRH,
	ACCESS_LDRW,
	ACCESS_LDRX,
	ACCESS_LDRSB_X,
	ACCESS_LDRSH_X,
	ACCESS_LDRSW,
	ACCESS_LDRSB_W,
	ACCESS_LDRSH_W,
	ACCESS_COUNT,
};
enum iss_address_mode { MODE_OFFSET, MODE_PRE, MODE_POST, MODE_REGISTER, MODE_COUNT };
enum iss_pair { PAIR_STP_W, PAIR_STP_X, PAIR_LDP_W, PAIR_LDP_X, PAIR_LDPSW, PAIR_COUNT };

extern const iss_exec_fn iss_exec_load_store[ACCESS_COUNT][MODE_COUNT];
extern const iss_exec_fn iss_exec_load_literal[3];     /* [opc]: W, X, SW */
extern const iss_exec_fn iss_exec_pair[PAIR_COUNT][3]; /* [pair][offset, pre, post] */

/* exec_branch.c */
ISS_HANDLER(iss_exec_b);
ISS_HANDLER(iss_exec_bl);
ISS_HANDLER(iss_exec_br); /* BR and RET */
ISS_HANDLER(iss_exec_blr);
ISS_HANDLER(iss_exec_b_cond);
extern const iss_exec_fn iss_exec_cb[2][2]; /* [sf][op]: CBZ, CBNZ */
extern const iss_exec_fn iss_exec_tb[2];    /* [op]: TBZ, TBNZ */

/* exec_system.c */
ISS_HANDLER(iss_exec_nop); /* hints, barriers, CLREX, PRFM */
ISS_HANDLER(iss_exec_wfi);
ISS_HANDLER(iss_exec_wfe);
ISS_HANDLER(iss_exec_sev); /* SEV and SEVL */
ISS_HANDLER(iss_exec_mrs);
ISS_HANDLER(iss_exec_msr);
ISS_HANDLER(iss_exec_msr_daifset);
ISS_HANDLER(iss_exec_msr_daifclr);
ISS_HANDLER(iss_exec_msr_spsel);
ISS_HANDLER(iss_exec_undefined); /* imm: the word, type: the reason */

#endif
