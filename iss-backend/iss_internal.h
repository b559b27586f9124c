/* State shared by the interpreter's files: the CPU, decoded instructions and the memory fast path. */
#ifndef QVP_ISS_INTERNAL_H
#define QVP_ISS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bus.h"
#include "cpu.h"
#include "iss.h"

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
#define PAGE_CACHE_SLOTS 4096 /* decoded pages kept, direct-mapped by physical page number */

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

/* Why an encoding is not executed: all are UNDEFINED to the guest (EC 0); kept for traces. */
enum iss_undefined_reason {
	UNDEF_UNALLOCATED,     /* not an instruction, or one the interpreter does not know */
	UNDEF_NOT_IMPLEMENTED, /* a real instruction the interpreter does not implement (FP/SIMD, ...) */
	UNDEF_SYSREG,          /* MRS/MSR/SYS of a register or operation nobody serves */
};

/* Exception classes (ESR_ELx.EC) the interpreter raises. */
enum {
	EC_UNKNOWN = 0x00,
	EC_WFX = 0x01,
	EC_FP_ACCESS = 0x07, /* SIMD&FP trapped by CPACR_EL1.FPEN */
	EC_ILLEGAL_STATE = 0x0e,
	EC_SVC = 0x15,
	EC_HVC = 0x16,
	EC_SMC = 0x17,
	EC_SYSREG = 0x18,
	EC_IABORT_LOWER = 0x20,
	EC_IABORT_SAME = 0x21,
	EC_PC_ALIGNMENT = 0x22,
	EC_DABORT_LOWER = 0x24,
	EC_DABORT_SAME = 0x25,
	EC_SP_ALIGNMENT = 0x26,
	EC_BRK = 0x3c,
};

/* Fault status codes (DFSC/IFSC); the level is added to the level-indexed ones. */
enum {
	FSC_ADDRESS_SIZE = 0x00,
	FSC_TRANSLATION = 0x04,
	FSC_ACCESS_FLAG = 0x08,
	FSC_PERMISSION = 0x0c,
	FSC_EXTERNAL = 0x10,
	FSC_EXTERNAL_WALK = 0x14,
	FSC_ALIGNMENT = 0x21,
};

/* Vector offsets from VBAR_EL1. */
enum {
	VECTOR_SYNC = 0x000,
	VECTOR_IRQ = 0x080,
	VECTOR_FIQ = 0x100,
	VECTOR_CURRENT_SP0 = 0x000,
	VECTOR_CURRENT_SPX = 0x200,
	VECTOR_LOWER_A64 = 0x400,
};

/*
 * FPCR: AHP, DN, FZ, RMode (no trap enables, as on the A57; no FZ16);
 * FPSR: QC and the cumulative flags.
 */
#define FPCR_WRITABLE 0x07c00000u
#define FPSR_WRITABLE 0x0800009fu

/* SCTLR_EL1 bits the interpreter acts on. */
#define SCTLR_M    (1ull << 0)
#define SCTLR_A    (1ull << 1)
#define SCTLR_SA   (1ull << 3)
#define SCTLR_SA0  (1ull << 4)
#define SCTLR_UMA  (1ull << 9)
#define SCTLR_DZE  (1ull << 14)
#define SCTLR_UCT  (1ull << 15)
#define SCTLR_NTWI (1ull << 16)
#define SCTLR_NTWE (1ull << 18)
#define SCTLR_WXN  (1ull << 19)
#define SCTLR_UCI  (1ull << 26)

/* Kinds of memory access, for permission checks and fault syndromes. */
enum iss_access_type {
	AT_READ,
	AT_WRITE,
	AT_EXEC,
	AT_CACHE, /* cache maintenance by VA: needs a translation, reported as a write with CM set */
};

/* The software TLB: VA page -> host pointer for RAM, per exception level, one set per ASID. */
#define TLB_BITS    8
#define TLB_ENTRIES (1u << TLB_BITS)
#define TLB_INVALID (~0ull) /* never equal to an address masked with a page mask */
#define TLB_SETS    4 /* address spaces whose translations are kept at once */

struct iss_tlb_entry {
	uint64_t read;   /* VA of the page when readable, else TLB_INVALID */
	uint64_t write;  /* VA of the page when writable and not code, else TLB_INVALID */
	uint64_t exec;   /* VA of the page when executable, else TLB_INVALID */
	uintptr_t addend; /* host address - VA */
	uint64_t pa;     /* physical address of the page */
	uint64_t va;     /* VA of the page, for TLBI by VA */
	uint8_t shift;   /* log2 of the block or page the walk found: TLBI by VA drops all of it */
	uint8_t global;  /* nG = 0: valid in every address space (a byte: emptied entries are all ones) */
};

/* The translations of one ASID: entries[EL]; global ones are copied into each set that uses them. */
struct iss_tlb_set {
	bool used;
	uint16_t asid;
	uint64_t last_used; /* for replacing the least recently used set */
	struct iss_tlb_entry entries[2][TLB_ENTRIES];
};

/* A translation: what the walk or the MMU-off mapping says about one VA. */
struct iss_translation {
	uint64_t pa;
	bool readable, writable, executable;
	bool device; /* Device memory: unaligned accesses fault */
	uint8_t attr; /* MAIR attribute byte, for PAR_EL1 */
	uint8_t sh;   /* shareability, for PAR_EL1 */
	uint8_t level; /* level of the leaf descriptor, for permission faults */
	uint8_t shift; /* log2 of the size the leaf descriptor maps */
	bool global;   /* nG = 0 (and always with the MMU off) */
	/* On failure: */
	uint8_t fsc;
	bool s1ptw;
};

/* One SIMD&FP register V0..V31: 128 bits, lanes little-endian as in memory. */
union iss_vreg {
	uint8_t b[16];
	uint16_t h[8];
	uint32_t s[4];
	uint64_t d[2];
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
	uint8_t *host;
	uint64_t first_page; /* base >> PAGE_SHIFT */
	uint8_t *code_flags; /* CODE_HERE per page, from first_page on */
};

/* code_flags bits: a store to a flagged page must invalidate decoded instructions. */
enum {
	CODE_HERE = 1, /* this page holds decoded instructions: stores to it take the slow path */
};

/* A debugger breakpoint or watchpoint (debug.c). */
struct iss_debug_point {
	enum cpu_debug_kind kind;
	uint64_t address;
	uint64_t length;
};

struct iss {
	struct cpu cpu; /* first, so struct cpu * converts to struct iss * */

	/* Hot state: touched by every instruction. */
	uint64_t x[REG_FILE_SIZE];
	uint64_t pc;
	uint64_t left;         /* instructions the current run may still start */
	uint64_t chain_mask;   /* handlers chain (iss_chain) while left & chain_mask; 0 under a debugger */
	uint64_t code_base;    /* guest virtual address of the page `code` decodes */
	struct iss_page *code; /* decoded page the PC is in */
	struct iss_tlb_entry *tlb; /* the software TLB of the current exception level */
	unsigned nzcv;
	uint64_t sp_align; /* 15 when SP alignment checking is on at the current EL, else 0 */

	/* SIMD&FP state. */
	union iss_vreg v[32];
	uint32_t fpcr, fpsr;

	/* PSTATE. */
	unsigned el;    /* 0 or 1 */
	unsigned daif;
	bool spsel;     /* at EL1: 1 for SP_EL1 (EL1h), 0 for SP_EL0 (EL1t) */
	bool illegal;   /* PSTATE.IL */
	uint64_t sp_banked[2]; /* SP_EL0 and SP_EL1 while they are not the current SP */
	bool event_register;
	bool irq_line;
	bool fiq_line;
	bool attention; /* an interrupt or an illegal-state exception is due at the next boundary */
	uint64_t parked; /* budget set aside while `left` is 0 to end the dispatch loop early */

	/* Exclusive monitor: one granule of 64 bytes, by physical address. */
	bool exclusive_valid;
	uint64_t exclusive_pa;

	/* EL1 system registers (sysreg.c says which bits are writable). */
	uint64_t sctlr_el1, tcr_el1, ttbr0_el1, ttbr1_el1, mair_el1, amair_el1, contextidr_el1;
	uint64_t vbar_el1, esr_el1, far_el1, elr_el1, spsr_el1, par_el1, cpacr_el1;
	uint64_t tpidr_el0, tpidr_el1, tpidrro_el0, mdscr_el1, csselr_el1, afsr0_el1, afsr1_el1;
	uint64_t osdlr_el1, oslsr_el1, mdccint_el1, dbgclaim;
	uint64_t dbgbvr[2], dbgbcr[2], dbgwvr[2], dbgwcr[2];

	/* Performance monitors (pmu.c): PMCCNTR_EL0 is brought up to date lazily. */
	uint64_t pmcr_el0, pmcnten, pmovs, pminten, pmuserenr, pmselr, pmccfiltr;
	uint64_t pmccntr;   /* PMCCNTR_EL0 as of instruction `pmu_since` */
	uint64_t pmu_since; /* instruction count up to which pmccntr counted */
	unsigned pmu_phase; /* instructions towards the next count with PMCR_EL0.D */

	/* Memory and translation. */
	uint8_t *code_host; /* host pointer of the page `code` decodes */
	struct iss_tlb_entry (*tlbs)[TLB_ENTRIES]; /* [EL]: the entries of the current ASID's set */
	struct iss_tlb_set *tlb_set;               /* the set of the current ASID */
	uint64_t tlb_clock;                        /* counts set switches, for last_used */
	struct iss_tlb_set tlb_sets[TLB_SETS];

	/* Exception-loop detection: how many since the last ERET, and the first synchronous one. */
	uint64_t exceptions_since_eret;
	bool loop_start_valid;
	uint64_t loop_start_esr;
	uint64_t loop_start_elr;
	uint64_t loop_start_far;

	/* Hooks. */
	struct iss_sysreg_hook *hooks;
	unsigned hook_count;
	iss_call_hook call_hook;
	void *call_hook_opaque;

	/* Run bookkeeping. */
	bool running;
	bool stopping; /* a stop was requested during the current instruction */
	uint64_t budget;
	uint64_t current;  /* index in the run of the instruction that requested the stop */
	uint64_t executed; /* result of the last run */
	uint64_t retired;  /* instructions of every run before the current one */
	enum cpu_stop_reason stop_reason;
	bool stop_before; /* the stopping instruction did not execute (a debugger stop) */

	/* Debugger stops (debug.c): `debug_active` makes iss_run() take its checking loop. */
	bool debug_active;
	bool debug_resuming; /* the last run stopped before an instruction that this run starts with */
	unsigned watch_count;
	struct iss_debug_point *debug_points;
	unsigned debug_count;
	bool watch_hit; /* the last run stopped on a watchpoint: */
	enum cpu_debug_kind watch_kind;
	uint64_t watch_address;

	struct bus *bus;
	struct iss_ram **rams;
	unsigned ram_count;
	struct iss_page *pages[PAGE_CACHE_SLOTS];
};

static inline struct iss *to_iss(const struct cpu *cpu)
{
	return (struct iss *)cpu;
}

/* The run loop and execution control (dispatch.c). */
struct cpu_run_result iss_run(struct cpu *base, uint64_t budget);
void iss_kick(struct cpu *base);
uint64_t iss_executed_in_run(const struct cpu *base);
void iss_stop(struct iss *cpu, enum cpu_stop_reason reason);
void iss_fatal(struct iss *cpu, const char *format, ...) __attribute__((format(printf, 2, 3)));
ISS_HANDLER(iss_exec_decode); /* every slot of a fresh page: decodes, then executes */
void iss_code_written(struct iss *cpu, uint64_t pa, uint64_t length);
uint64_t iss_instruction_count(const struct iss *cpu); /* retired before the current instruction */

/* The debugger's SIMD&FP registers (arch_state.c). */
int iss_get_vector(struct cpu *base, unsigned index, uint64_t value[2]);
int iss_set_vector(struct cpu *base, unsigned index, const uint64_t value[2]);

/* Debugger stops (debug.c). */
int iss_insert_debug(struct cpu *base, enum cpu_debug_kind kind, uint64_t address, uint64_t length);
int iss_remove_debug(struct cpu *base, enum cpu_debug_kind kind, uint64_t address, uint64_t length);
bool iss_watch_hit(struct cpu *base, enum cpu_debug_kind *kind, uint64_t *address);
bool iss_debug_at_breakpoint(struct iss *cpu);
bool iss_debug_page_watched(const struct iss *cpu, uint64_t va_page);
bool iss_debug_watch(struct iss *cpu, uint64_t va, unsigned size, bool write);

/* Exceptions (exception.c). */
void iss_undefined(struct iss *cpu, uint32_t word, enum iss_undefined_reason reason);
/* Takes a synchronous exception to EL1; `return_address` goes to ELR_EL1. */
void iss_exception(struct iss *cpu, unsigned ec, uint32_t iss, uint64_t return_address);
void iss_exception_far(struct iss *cpu, unsigned ec, uint32_t iss, uint64_t return_address, uint64_t far);
void iss_data_abort(struct iss *cpu, uint64_t va, enum iss_access_type type, unsigned fsc, bool s1ptw);
void iss_instruction_abort(struct iss *cpu, uint64_t va, unsigned fsc, bool s1ptw);
void iss_update_attention(struct iss *cpu); /* after a change of DAIF, the lines or PSTATE.IL */
void iss_take_attention(struct iss *cpu);   /* at an instruction boundary, with attention set */
uint64_t iss_pstate(const struct iss *cpu); /* PSTATE in SPSR layout */
void iss_set_sp_select(struct iss *cpu, unsigned el, bool spsel); /* switches the banked SP */
void iss_set_el(struct iss *cpu, unsigned el);
void iss_sctlr_changed(struct iss *cpu);

/* System registers (sysreg.c). */
void iss_sysreg_reset(struct iss *cpu);
uint32_t iss_sysreg_syndrome(uint32_t word); /* ISS of EC 0x18 for an MRS/MSR/SYS word */
/* A system register's encoding as MRS/MSR hold it in bits 20:5. */
#define SYSREG(op0, op1, crn, crm, op2) ((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))
uint8_t iss_sysreg_slot(unsigned encoding); /* for the decoder: insn->type of MRS/MSR */
/* A debugger's write, with MSR's effects but not its access checks; -1 if read-only or unknown. */
int iss_write_system_register(struct iss *cpu, unsigned encoding, uint64_t value);

/* Performance monitors (pmu.c): the registers the sysreg table hands over. */
enum iss_pmu_register {
	PMU_PMCR,
	PMU_PMCNTENSET,
	PMU_PMCNTENCLR,
	PMU_PMOVSCLR,
	PMU_PMOVSSET,
	PMU_PMSWINC,
	PMU_PMSELR,
	PMU_PMCEID0,
	PMU_PMCEID1,
	PMU_PMCCNTR,
	PMU_PMXEVTYPER,
	PMU_PMXEVCNTR,
	PMU_PMUSERENR,
	PMU_PMINTENSET,
	PMU_PMINTENCLR,
	PMU_PMCCFILTR,
};
void iss_pmu_sync(struct iss *cpu); /* before the EL or the counting configuration changes */
int iss_pmu_el0_access(const struct iss *cpu, enum iss_pmu_register reg, bool read); /* 1, 0 UNDEFINED, -1 trap */
bool iss_pmu_read(struct iss *cpu, enum iss_pmu_register reg, uint64_t *value); /* false: UNDEFINED */
void iss_pmu_write(struct iss *cpu, enum iss_pmu_register reg, uint64_t value);

/* Memory and translation (mmu.c). Slow paths return false after taking an exception. */
bool iss_load_slow(struct iss *cpu, uint64_t va, unsigned size, uint64_t *value);
bool iss_store_slow(struct iss *cpu, uint64_t va, unsigned size, uint64_t value);
bool iss_load_as(struct iss *cpu, uint64_t va, unsigned size, uint64_t *value, unsigned el);
bool iss_store_as(struct iss *cpu, uint64_t va, unsigned size, uint64_t value, unsigned el);
/* Translates for an access of `type` at `el`; false with t->fsc set on a fault. No side effects. */
bool iss_translate(struct iss *cpu, uint64_t va, enum iss_access_type type, unsigned el, struct iss_translation *t);
void iss_tlb_flush(struct iss *cpu);        /* every set; then uses the current ASID's */
void iss_tlb_asid_changed(struct iss *cpu); /* after a TTBR write: the set of the new ASID */
/* TLBI by op2 of the encoding (VMALLE1, VAE1, ASIDE1, VAAE1, VALE1, VAALE1) and Xt. */
void iss_tlbi(struct iss *cpu, unsigned op2, uint64_t operand);
bool iss_enter_page(struct iss *cpu); /* makes the PC's page current; false after an exception */
void iss_address_translate(struct iss *cpu, uint64_t va, bool write, unsigned el); /* AT into PAR_EL1 */
/* Host pointer of one guest RAM physical address range, or NULL. */
uint8_t *iss_ram_host(struct iss *cpu, uint64_t pa, uint64_t size, struct iss_ram **region);
/* Host pointer to the RAM bytes of [va, va + size) (in one page) for a data access, or NULL
 * after taking the abort; *pa receives the physical address. */
uint8_t *iss_data_pointer(struct iss *cpu, uint64_t va, unsigned size, enum iss_access_type type, uint64_t *pa);

/* Decoder (decode.c): fills *insn for `word`; never fails, unknown encodings get the undefined handler. */
void iss_decode(uint32_t word, struct iss_insn *insn);
/* The SIMD&FP parts of the encoding space, called by iss_decode(). */
void iss_decode_fp(uint32_t word, struct iss_insn *insn);            /* decode_fp.c: scalar FP, conversions */
void iss_decode_fp_load_store(uint32_t word, struct iss_insn *insn); /* decode_fp.c: SIMD&FP loads/stores */
void iss_decode_advsimd(uint32_t word, struct iss_insn *insn);       /* decode_simd.c: AdvSIMD vector and scalar */

/*
 * CPACR_EL1.FPEN gate of every SIMD&FP instruction: true when enabled at the current EL,
 * else the instruction traps (EC 0x07; ISS CV=1, COND=0xe as for any AArch64 trap).
 */
static inline bool iss_fp_enabled(struct iss *cpu)
{
	unsigned fpen = (unsigned)(cpu->cpacr_el1 >> 20) & 3;

	if (likely(fpen == 3 || (fpen == 1 && cpu->el == 1)))
		return true;
	iss_exception(cpu, EC_FP_ACCESS, 0x1e00000, cpu->pc);
	return false;
}

/*
 * Threaded dispatch: a handler that completed its instruction ends with iss_advance() or,
 * after a branch, iss_next(), which start the next instruction of the budget themselves (a
 * tail call, so the host predicts each handler's successor separately) while it is in the
 * current page. Everything else returns to the dispatch loop: the end of the budget (a stop
 * or a due interrupt zeroes `left`), a page change, every CHAIN_DEPTH instructions (which
 * bounds the host stack should the compiler not make the call a jump), and a debugger's
 * checking loop (chain_mask 0).
 */
#define CHAIN_DEPTH 64

static inline void iss_chain(struct iss *cpu, const struct iss_insn *next)
{
	uint64_t left = cpu->left;

	if (unlikely(!(left & cpu->chain_mask)))
		return;
	cpu->left = left - 1;
	next->exec(cpu, next);
}

/* The end of a handler that goes on in sequence: the next slot, unless the page ends. */
static inline void iss_advance(struct iss *cpu, const struct iss_insn *insn)
{
	uint64_t pc = cpu->pc + 4;

	cpu->pc = pc;
	if (likely(pc & (PAGE_SIZE - 4)))
		iss_chain(cpu, insn + 1);
}

/* The end of a PC-relative branch (or a skip of 4): the target's slot, found from this one, in the same page. */
static inline void iss_jump(struct iss *cpu, const struct iss_insn *insn, uint64_t offset)
{
	uint64_t pc = cpu->pc;

	cpu->pc = pc + offset;
	if (likely((pc & (PAGE_SIZE - 1)) + offset < PAGE_SIZE))
		iss_chain(cpu, insn + ((int64_t)offset >> 2));
}

/* The end of a branch to a register: the target's slot when it is in the current page. */
static inline void iss_next(struct iss *cpu)
{
	uint64_t offset = cpu->pc - cpu->code_base;

	if (likely(!(offset & ~(PAGE_SIZE - 4))))
		iss_chain(cpu, &cpu->code->insn[offset >> 2]);
}

/* Condition codes: bit `nzcv` of iss_cond_table[cond] says whether cond holds. */
extern const uint16_t iss_cond_table[16];

static inline bool cond_holds(const struct iss *cpu, unsigned cond)
{
	return (iss_cond_table[cond] >> cpu->nzcv) & 1;
}

/* A little-endian guest value of `size` bytes at a host address, and back. */
static inline uint64_t iss_host_read(const uint8_t *p, unsigned size)
{
	uint8_t b;
	uint16_t h;
	uint32_t w;
	uint64_t d;

	switch (size) {
	case 1:
		memcpy(&b, p, 1);
		return b;
	case 2:
		memcpy(&h, p, 2);
		return h;
	case 4:
		memcpy(&w, p, 4);
		return w;
	default:
		memcpy(&d, p, 8);
		return d;
	}
}

static inline void iss_host_write(uint8_t *p, unsigned size, uint64_t value)
{
	uint8_t b = (uint8_t)value;
	uint16_t h = (uint16_t)value;
	uint32_t w = (uint32_t)value;

	switch (size) {
	case 1:
		memcpy(p, &b, 1);
		break;
	case 2:
		memcpy(p, &h, 2);
		break;
	case 4:
		memcpy(p, &w, 4);
		break;
	default:
		memcpy(p, &value, 8);
		break;
	}
}

/*
 * The data fast path: one software-TLB probe. The tag compare includes the low address bits
 * of the access size, so an unaligned access goes to the slow path, which decides between an
 * alignment fault and a split access. Stores to pages with decoded code, MMIO and translation
 * misses take the slow path too.
 */
static inline bool iss_load(struct iss *cpu, uint64_t address, unsigned size, uint64_t *value)
{
	const struct iss_tlb_entry *e = &cpu->tlb[(address >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];

	if (likely((address & (~(PAGE_SIZE - 1) | (size - 1))) == e->read)) {
		*value = iss_host_read((const uint8_t *)(uintptr_t)(address + e->addend), size);
		return true;
	}
	return iss_load_slow(cpu, address, size, value);
}

static inline bool iss_store(struct iss *cpu, uint64_t address, unsigned size, uint64_t value)
{
	const struct iss_tlb_entry *e = &cpu->tlb[(address >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];

	if (likely((address & (~(PAGE_SIZE - 1) | (size - 1))) == e->write)) {
		iss_host_write((uint8_t *)(uintptr_t)(address + e->addend), size, value);
		return true;
	}
	return iss_store_slow(cpu, address, size, value);
}

/* SP alignment check of a load/store whose base is SP (SCTLR_EL1.SA/SA0). */
static inline bool iss_sp_aligned(struct iss *cpu, unsigned base)
{
	if (likely(base != REG_SP || !(cpu->x[REG_SP] & cpu->sp_align)))
		return true;
	iss_exception(cpu, EC_SP_ALIGNMENT, 0, cpu->pc);
	return false;
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

/* exception.c */
ISS_HANDLER(iss_exec_svc);
ISS_HANDLER(iss_exec_hvc);
ISS_HANDLER(iss_exec_smc);
ISS_HANDLER(iss_exec_brk);
ISS_HANDLER(iss_exec_eret);

/* exec_system.c */
ISS_HANDLER(iss_exec_nop); /* hints, barriers, PRFM */
ISS_HANDLER(iss_exec_clrex);
ISS_HANDLER(iss_exec_sys); /* SYS: DC, IC, AT, TLBI; imm holds the word */
ISS_HANDLER(iss_exec_wfi);
ISS_HANDLER(iss_exec_wfe);
ISS_HANDLER(iss_exec_sev); /* SEV and SEVL */
ISS_HANDLER(iss_exec_mrs); /* imm: the word, type: iss_sysreg_slot() */
ISS_HANDLER(iss_exec_msr);
ISS_HANDLER(iss_exec_msr_daifset);
ISS_HANDLER(iss_exec_msr_daifclr);
ISS_HANDLER(iss_exec_msr_spsel);
ISS_HANDLER(iss_exec_undefined); /* imm: the word, type: the reason */

/* exec_memory.c: exclusives and acquire/release; imm holds the word's size and kind */
ISS_HANDLER(iss_exec_exclusive);
ISS_HANDLER(iss_exec_unprivileged_load);  /* LDTR*: type holds enum iss_access */
ISS_HANDLER(iss_exec_unprivileged_store); /* STTR* */

#endif
