/*
 * The interpreter's state, shared by all its files: struct iss, the decoded instruction and
 * page, the software TLB's entries, and the helpers every handler ends with (threaded
 * dispatch, condition codes). What one part offers the others is in that part's header.
 */
#ifndef QVP_ISS_STATE_H
#define QVP_ISS_STATE_H

#include <stdbool.h>
#include <stdint.h>

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

/* HCR_EL2 bits the interpreter acts on (no VHE: E2H is RES0). */
#define HCR_VM   (1ull << 0)
#define HCR_PTW  (1ull << 2)
#define HCR_FMO  (1ull << 3)
#define HCR_IMO  (1ull << 4)
#define HCR_AMO  (1ull << 5)
#define HCR_VF   (1ull << 6)
#define HCR_VI   (1ull << 7)
#define HCR_VSE  (1ull << 8)
#define HCR_DC   (1ull << 12)
#define HCR_TWI  (1ull << 13)
#define HCR_TWE  (1ull << 14)
#define HCR_TID1 (1ull << 16)
#define HCR_TID2 (1ull << 17)
#define HCR_TID3 (1ull << 18)
#define HCR_TSC  (1ull << 19)
#define HCR_TACR (1ull << 21)
#define HCR_TVM  (1ull << 26)
#define HCR_TGE  (1ull << 27)
#define HCR_HCD  (1ull << 29)
#define HCR_TRVM (1ull << 30)
#define CPTR_EL2_TFP (1ull << 10) /* SIMD&FP at EL0-EL2 traps to EL2 */
#define HCR_RW   (1ull << 31)

/* SCR_EL3 bits qvp acts on (the others are storage). */
#define SCR_NS   (1ull << 0)
#define SCR_IRQ  (1ull << 1)
#define SCR_FIQ  (1ull << 2)
#define SCR_EA   (1ull << 3)
#define SCR_SMD  (1ull << 7)
#define SCR_HCE  (1ull << 8)
#define SCR_RW   (1ull << 10)
#define SCR_ST   (1ull << 11)

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
	uint8_t s2_shift; /* log2 of the stage 2 block or page: TLBI IPAS2E1 drops all of it */
	uint8_t device;  /* Device memory (MAIR or stage 2): DC ZVA faults there */
	uint64_t ipa;    /* intermediate physical address of the page (the PA without stage 2) */
};

#define TLB_ELS     4 /* EL0 and EL1 (the EL1&0 regime), EL2 and EL3 (their own regimes) */

/*
 * The translations of one address space: an ASID within a VMID, under one VTTBR_EL2 and
 * HCR_EL2.VM (so neither a new VMID, a new stage 2 table nor VM on or off serves an entry
 * made under the other). entries[EL]; global ones (and EL2's) are copied into each set that uses them.
 */
struct iss_tlb_set {
	bool used;
	bool stage2;    /* HCR_EL2.VM (or DC) was on */
	uint16_t asid;
	uint64_t vttbr; /* VTTBR_EL2: the VMID (55:48) and the stage 2 table */
	uint64_t last_used; /* for replacing the least recently used set */
	struct iss_tlb_entry entries[TLB_ELS][TLB_ENTRIES];
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
	uint8_t *code_flags; /* PAGE_HAS_CODE (cluster.h) per page, from first_page on */
	bool shared_flags;   /* code_flags belongs to the cluster */
	bool read_only;      /* a ROM device in romd mode (bus.h): stores take the bus */
	bool secure_only;    /* Secure physical address space only (bus_set_secure_only) */
};

struct iss_debug_point; /* debug.c */
struct iss_cluster;     /* cluster.c */

struct iss {
	struct cpu cpu; /* first, so struct cpu * converts to struct iss * */

	/* Hot state: touched by every instruction. */
	uint64_t x[REG_FILE_SIZE];
	uint64_t pc;
	uint64_t left;         /* instructions the current run may still start, as of block_pc (iss_settle) */
	uint64_t block_pc;     /* PC of the last instruction charged to `left`: those after it in sequence are not yet */
	uint64_t block_end;    /* iss_advance() chains while the next PC is below it; 0 ends the chain */
	unsigned chain_depth;  /* branches a handler may chain before the loop takes over; 0 under a debugger */
	unsigned chain_left;   /* of those, left since the loop last took over */
	uint64_t code_base;    /* guest virtual address of the page `code` decodes */
	struct iss_page *code; /* decoded page the PC is in */
	struct iss_tlb_entry *tlb; /* the software TLB of the current exception level */
	unsigned nzcv;
	uint64_t sp_align; /* 15 when SP alignment checking is on at the current EL, else 0 */

	/* SIMD&FP state. */
	union iss_vreg v[32];
	uint32_t fpcr, fpsr;

	/* PSTATE. */
	unsigned el;    /* 0, 1, 2 when EL2 is implemented, 3 when EL3 is */
	unsigned daif;
	bool spsel;     /* at EL1/EL2: 1 for SP_ELx (ELxh), 0 for SP_EL0 (ELxt) */
	bool illegal;   /* PSTATE.IL */
	uint64_t sp_banked[4]; /* SP_EL0 ... SP_EL3 while they are not the current SP */
	bool event_register;
	bool waiting_for_event; /* the last run ended in a WFE that found no event */
	bool irq_line;
	bool fiq_line;
	bool virq_line; /* the GIC's virtual CPU interface (GICV), ORed with HCR_EL2.VI */
	bool vfiq_line; /* likewise with HCR_EL2.VF */
	bool attention; /* an interrupt or an illegal-state exception is due at the next boundary */
	uint64_t parked; /* budget set aside while `left` is 0 to end the dispatch loop early */

	/* Exclusive monitor: one granule of 64 bytes, by physical address. */
	bool exclusive_valid;
	uint64_t exclusive_pa;
	struct iss_cluster *cluster; /* the other CPUs of the machine (cluster.c), or NULL */
	uint64_t mpidr_el1;

	/* EL1 system registers (sysreg.c says which bits are writable). */
	uint64_t sctlr_el1, tcr_el1, ttbr0_el1, ttbr1_el1, mair_el1, amair_el1, contextidr_el1;
	uint64_t vbar_el1, esr_el1, far_el1, elr_el1, spsr_el1, par_el1, cpacr_el1;
	uint64_t tpidr_el0, tpidr_el1, tpidrro_el0, mdscr_el1, csselr_el1, afsr0_el1, afsr1_el1;
	uint64_t osdlr_el1, oslsr_el1, mdccint_el1, dbgclaim;
	uint64_t dbgbvr[2], dbgbcr[2], dbgwvr[2], dbgwcr[2];

	/* EL2 (iss_enable_el2): its registers; without EL2 they stay 0 and are UNDEFINED. */
	bool el2;
	uint64_t hcr_el2, sctlr_el2, tcr_el2, ttbr0_el2, mair_el2, amair_el2, vbar_el2;
	uint64_t elr_el2, spsr_el2, esr_el2, far_el2, hpfar_el2, tpidr_el2, actlr_el2, afsr0_el2, afsr1_el2;
	uint64_t vpidr_el2, vmpidr_el2, cptr_el2, mdcr_el2, hstr_el2, cnthctl_el2; /* CNTVOFF_EL2: the timer model's */
	uint64_t vttbr_el2, vtcr_el2;

	/* EL3 (iss_enable_el3): its registers; without EL3 they stay 0 (SCR_EL3 routes nothing) and are UNDEFINED. */
	bool el3;
	uint64_t scr_el3, sctlr_el3, tcr_el3, ttbr0_el3, mair_el3, vbar_el3;
	uint64_t elr_el3, spsr_el3, esr_el3, far_el3, tpidr_el3, cptr_el3, mdcr_el3;

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
	iss_semihosting_hook semihosting_hook; /* HLT #0xF000, or NULL: HLT is UNDEFINED */
	void *semihosting_hook_opaque;
	struct iss_coverage *coverage; /* where executed instructions are marked (coverage_marks.c), or NULL */
	struct iss_insn_tracer tracer; /* the instruction trace (debug.c); tracer.insn NULL: none */
	bool tracing; /* this run calls the tracer */

	/* Run bookkeeping. */
	bool running;
	bool stopping; /* a stop was requested during the current instruction */
	uint64_t budget;
	uint64_t current;  /* index in the run of the instruction that requested the stop */
	uint64_t executed; /* result of the last run */
	uint64_t retired;  /* instructions of every run before the current one */
	enum cpu_stop_reason stop_reason;
	bool stop_before; /* the stopping instruction did not execute (a debugger stop) */

	/* Debugger stops (debug.c): `debug_active` (or the tracer) makes iss_run() take its checking loop. */
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

/* Stopping the run, for every part (dispatch.c). */
void iss_stop(struct iss *cpu, enum cpu_stop_reason reason);
void iss_fatal(struct iss *cpu, const char *format, ...) __attribute__((format(printf, 2, 3)));

/*
 * Threaded dispatch with the budget charged per block: a block is the straight-line run that
 * starts at a branch target (or wherever the loop starts) and ends at a branch, the page end,
 * the budget's end or a stop. Its first instruction is charged to `left` when it starts
 * (block_pc is its PC); the ones after it in sequence are charged when the block ends
 * (iss_settle), their number being the PC's distance from block_pc. So at any point of an
 * instruction, before it moves the PC, the instructions started in the run are
 * budget - (left + parked) + (pc - block_pc) / 4, and a handler that reads or changes the count
 * (a stop, a due interrupt, an MMIO access) does so before it moves the PC.
 *
 * iss_advance() starts the next instruction in sequence itself (a tail call, so the host
 * predicts each handler's successor separately) while its PC is below block_end, which the
 * block's start set to the page end or, near the budget's end, to the last instruction the
 * budget covers. A branch settles the block and chains into the target's slot in the same page
 * while the budget lasts, at most CHAIN_DEPTH times before the loop takes over again (none
 * under a debugger's checking loop). Everything else returns to the dispatch loop.
 */
#if defined(__OPTIMIZE__)
#define CHAIN_DEPTH 64 /* the compiler makes the calls jumps: the bound only keeps the loop's checks coming */
#else
#define CHAIN_DEPTH 1 /* -O0 (the sanitizer build) keeps a frame per call: a page's worth at most */
#endif

/* The end of the block the instruction at `pc` starts, `left` being the budget after its charge. */
static inline uint64_t iss_block_end(uint64_t pc, uint64_t left)
{
	uint64_t page_end = (pc | (PAGE_SIZE - 1)) + 1; /* 0 in the last page: it runs through the loop */

	if (likely(left >= PAGE_INSNS))
		return page_end;
	return pc + 4 * (left + 1) < page_end ? pc + 4 * (left + 1) : page_end;
}

/* Charges the instructions started after block_pc, up to the current one, to `left`. */
static inline void iss_settle(struct iss *cpu)
{
	cpu->left -= (cpu->pc - cpu->block_pc) >> 2;
	cpu->block_pc = cpu->pc;
}

/* A jump of the current instruction to `target`, which the dispatch loop starts and charges. */
static inline void iss_set_pc(struct iss *cpu, uint64_t target)
{
	iss_settle(cpu);
	cpu->block_pc = target - 4;
	cpu->pc = target;
}

/* A branch of the current instruction to `target` in the current page, whose slot is `next`. */
static inline void iss_chain_branch(struct iss *cpu, const struct iss_insn *next, uint64_t target)
{
	uint64_t left;

	iss_settle(cpu);
	left = cpu->left;
	cpu->pc = target;
	if (unlikely(left == 0 || cpu->chain_left == 0)) {
		cpu->block_pc = target - 4; /* the loop takes over */
		return;
	}
	cpu->chain_left--;
	cpu->left = --left;
	cpu->block_pc = target;
	cpu->block_end = iss_block_end(target, left);
	next->exec(cpu, next);
}

/* The end of a handler that goes on in sequence: the next slot, while the block lasts. */
static inline void iss_advance(struct iss *cpu, const struct iss_insn *insn)
{
	uint64_t pc = cpu->pc + 4;

	cpu->pc = pc;
	if (likely(pc < cpu->block_end))
		insn[1].exec(cpu, insn + 1);
}

/* The end of a PC-relative branch (or a skip of 4): the target's slot, found from this one, in the same page. */
static inline void iss_jump(struct iss *cpu, const struct iss_insn *insn, uint64_t offset)
{
	uint64_t pc = cpu->pc;

	if (offset == 4) {
		iss_advance(cpu, insn);
		return;
	}
	if (likely((pc & (PAGE_SIZE - 1)) + offset < PAGE_SIZE))
		iss_chain_branch(cpu, insn + ((int64_t)offset >> 2), pc + offset);
	else
		iss_set_pc(cpu, pc + offset);
}

/* The end of a branch to `target`: the target's slot when it is in the current page. */
static inline void iss_next(struct iss *cpu, uint64_t target)
{
	uint64_t offset = target - cpu->code_base;

	if (likely(!(offset & ~(PAGE_SIZE - 4))))
		iss_chain_branch(cpu, &cpu->code->insn[offset >> 2], target);
	else
		iss_set_pc(cpu, target);
}

/* Condition codes: bit `nzcv` of iss_cond_table[cond] says whether cond holds. */
extern const uint16_t iss_cond_table[16];

static inline bool cond_holds(const struct iss *cpu, unsigned cond)
{
	return (iss_cond_table[cond] >> cpu->nzcv) & 1;
}

#endif
