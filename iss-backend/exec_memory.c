/*
 * Loads and stores: single registers in every addressing mode, pairs, PC-relative literals.
 *
 * Writeback when the base is also a transfer register (CONSTRAINED UNPREDICTABLE in the
 * architecture) is defined here as: a store writes the base's old value, a load's value
 * wins over the written-back address. A faulting access changes no register.
 */
#include "cluster.h"
#include "exception.h"
#include "exec_handlers.h"
#include "iss_state.h"
#include "mmu.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE unsigned access_size(enum iss_access kind)
{
	switch (kind) {
	case ACCESS_STRB:
	case ACCESS_LDRB:
	case ACCESS_LDRSB_X:
	case ACCESS_LDRSB_W:
		return 1;
	case ACCESS_STRH:
	case ACCESS_LDRH:
	case ACCESS_LDRSH_X:
	case ACCESS_LDRSH_W:
		return 2;
	case ACCESS_STRW:
	case ACCESS_LDRW:
	case ACCESS_LDRSW:
		return 4;
	default:
		return 8;
	}
}

static ALWAYS_INLINE bool is_store(enum iss_access kind)
{
	return kind <= ACCESS_STRX;
}

/* The register value of a loaded (zero-extended) memory value. */
static ALWAYS_INLINE uint64_t loaded_value(uint64_t v, enum iss_access kind)
{
	switch (kind) {
	case ACCESS_LDRSB_X:
		return (uint64_t)(int64_t)(int8_t)v;
	case ACCESS_LDRSH_X:
		return (uint64_t)(int64_t)(int16_t)v;
	case ACCESS_LDRSW:
		return (uint64_t)(int64_t)(int32_t)v;
	case ACCESS_LDRSB_W:
		return (uint64_t)(uint32_t)(int32_t)(int8_t)v;
	case ACCESS_LDRSH_W:
		return (uint64_t)(uint32_t)(int32_t)(int16_t)v;
	default:
		return v;
	}
}

/* The whole access through the slow paths: SP alignment, faults, MMIO, page crossings, code pages. */
static __attribute__((noinline)) void transfer_slow(struct iss *cpu, const struct iss_insn *insn,
                                                    enum iss_access kind, uint64_t address, bool writeback,
                                                    uint64_t new_base)
{
	unsigned size = access_size(kind);
	uint64_t value;

	if (!iss_sp_aligned(cpu, insn->rn))
		return;
	if (is_store(kind)) {
		if (!iss_store(cpu, address, size, cpu->x[insn->rd]))
			return;
		if (writeback)
			cpu->x[insn->rn] = new_base;
	} else {
		if (!iss_load(cpu, address, size, &value))
			return;
		if (writeback)
			cpu->x[insn->rn] = new_base;
		cpu->x[insn->rd] = loaded_value(value, kind);
	}
	cpu->pc += 4;
}

/*
 * One load or store. The fast path (a TLB hit, no SP alignment fault) takes no local's
 * address, so its iss_advance() compiles to a jump to the next handler; everything else is
 * transfer_slow()'s, which returns to the dispatch loop.
 */
static ALWAYS_INLINE void transfer(struct iss *cpu, const struct iss_insn *insn, enum iss_access kind, uint64_t address,
                                   bool writeback, uint64_t new_base)
{
	unsigned size = access_size(kind);
	uint8_t *host;

	if (unlikely(!iss_tlb_hit(cpu, address, size, is_store(kind), &host)) ||
	    unlikely(insn->rn == REG_SP && (cpu->x[REG_SP] & cpu->sp_align))) {
		transfer_slow(cpu, insn, kind, address, writeback, new_base);
		return;
	}
	if (is_store(kind)) {
		iss_host_write(host, size, cpu->x[insn->rd]); /* before the writeback: Rt == Rn stores the old base */
		if (writeback)
			cpu->x[insn->rn] = new_base;
	} else {
		uint64_t value = iss_host_read(host, size);
		if (writeback)
			cpu->x[insn->rn] = new_base; /* before Rt: with Rt == Rn the loaded value wins */
		cpu->x[insn->rd] = loaded_value(value, kind);
	}
	iss_advance(cpu, insn);
}

/* Register offset: Rm extended (UXTW, SXTW) or not (LSL, SXTX), then scaled. */
static ALWAYS_INLINE uint64_t index_value(const struct iss *cpu, const struct iss_insn *insn)
{
	uint64_t m = cpu->x[insn->rm];

	if (insn->type == EXTEND_UXTW)
		m = (uint32_t)m;
	else if (insn->type == EXTEND_SXTW)
		m = (uint64_t)(int64_t)(int32_t)m;
	return m << insn->amount;
}

#define DEFINE_ACCESS(name, kind)                                                                                      \
	static void name##_offset(struct iss *cpu, const struct iss_insn *insn)                                        \
	{                                                                                                              \
		transfer(cpu, insn, kind, cpu->x[insn->rn] + insn->imm, false, 0);                                     \
	}                                                                                                              \
	static void name##_pre(struct iss *cpu, const struct iss_insn *insn)                                           \
	{                                                                                                              \
		uint64_t address = cpu->x[insn->rn] + insn->imm;                                                       \
		transfer(cpu, insn, kind, address, true, address);                                                     \
	}                                                                                                              \
	static void name##_post(struct iss *cpu, const struct iss_insn *insn)                                          \
	{                                                                                                              \
		uint64_t address = cpu->x[insn->rn];                                                                   \
		transfer(cpu, insn, kind, address, true, address + insn->imm);                                         \
	}                                                                                                              \
	static void name##_register(struct iss *cpu, const struct iss_insn *insn)                                      \
	{                                                                                                              \
		transfer(cpu, insn, kind, cpu->x[insn->rn] + index_value(cpu, insn), false, 0);                        \
	}

DEFINE_ACCESS(strb, ACCESS_STRB)
DEFINE_ACCESS(strh, ACCESS_STRH)
DEFINE_ACCESS(strw, ACCESS_STRW)
DEFINE_ACCESS(strx, ACCESS_STRX)
DEFINE_ACCESS(ldrb, ACCESS_LDRB)
DEFINE_ACCESS(ldrh, ACCESS_LDRH)
DEFINE_ACCESS(ldrw, ACCESS_LDRW)
DEFINE_ACCESS(ldrx, ACCESS_LDRX)
DEFINE_ACCESS(ldrsb_x, ACCESS_LDRSB_X)
DEFINE_ACCESS(ldrsh_x, ACCESS_LDRSH_X)
DEFINE_ACCESS(ldrsw, ACCESS_LDRSW)
DEFINE_ACCESS(ldrsb_w, ACCESS_LDRSB_W)
DEFINE_ACCESS(ldrsh_w, ACCESS_LDRSH_W)

#define MODES(name)                                                                                                    \
	{                                                                                                              \
		name##_offset, name##_pre, name##_post, name##_register                                                \
	}

const iss_exec_fn iss_exec_load_store[ACCESS_COUNT][MODE_COUNT] = {
    [ACCESS_STRB] = MODES(strb),       [ACCESS_STRH] = MODES(strh),   [ACCESS_STRW] = MODES(strw),
    [ACCESS_STRX] = MODES(strx),       [ACCESS_LDRB] = MODES(ldrb),   [ACCESS_LDRH] = MODES(ldrh),
    [ACCESS_LDRW] = MODES(ldrw),       [ACCESS_LDRX] = MODES(ldrx),   [ACCESS_LDRSB_X] = MODES(ldrsb_x),
    [ACCESS_LDRSH_X] = MODES(ldrsh_x), [ACCESS_LDRSW] = MODES(ldrsw), [ACCESS_LDRSB_W] = MODES(ldrsb_w),
    [ACCESS_LDRSH_W] = MODES(ldrsh_w),
};

/* ---- PC-relative literals ---- */

static void ldr_literal_w(struct iss *cpu, const struct iss_insn *insn)
{
	transfer(cpu, insn, ACCESS_LDRW, cpu->pc + insn->imm, false, 0);
}

static void ldr_literal_x(struct iss *cpu, const struct iss_insn *insn)
{
	transfer(cpu, insn, ACCESS_LDRX, cpu->pc + insn->imm, false, 0);
}

static void ldr_literal_sw(struct iss *cpu, const struct iss_insn *insn)
{
	transfer(cpu, insn, ACCESS_LDRSW, cpu->pc + insn->imm, false, 0);
}

const iss_exec_fn iss_exec_load_literal[3] = {ldr_literal_w, ldr_literal_x, ldr_literal_sw};

/* ---- Pairs: Rt at address, Rt2 (insn->ra) at address + size ---- */

/* The registers of a loaded pair; LDPSW sign-extends. Rt == Rt2 is UNPREDICTABLE: Rt2 is written last and wins. */
static ALWAYS_INLINE void set_pair(struct iss *cpu, const struct iss_insn *insn, enum iss_pair kind, uint64_t first,
                                   uint64_t second)
{
	if (kind == PAIR_LDPSW) {
		first = (uint64_t)(int64_t)(int32_t)first;
		second = (uint64_t)(int64_t)(int32_t)second;
	}
	cpu->x[insn->rd] = first;
	cpu->x[insn->ra] = second;
}

static __attribute__((noinline)) void transfer_pair_slow(struct iss *cpu, const struct iss_insn *insn,
                                                         enum iss_pair kind, uint64_t address, bool writeback,
                                                         uint64_t new_base)
{
	unsigned size = (kind == PAIR_STP_X || kind == PAIR_LDP_X) ? 8 : 4;
	uint64_t first, second;

	if (!iss_sp_aligned(cpu, insn->rn))
		return;
	if (kind == PAIR_STP_W || kind == PAIR_STP_X) {
		if (!iss_store(cpu, address, size, cpu->x[insn->rd]) ||
		    !iss_store(cpu, address + size, size, cpu->x[insn->ra]))
			return;
		if (writeback)
			cpu->x[insn->rn] = new_base;
	} else {
		if (!iss_load(cpu, address, size, &first) || !iss_load(cpu, address + size, size, &second))
			return;
		if (writeback)
			cpu->x[insn->rn] = new_base;
		set_pair(cpu, insn, kind, first, second);
	}
	cpu->pc += 4;
}

/* A pair: both halves through the TLB's fast path (they may be in two pages), else transfer_pair_slow(). */
static ALWAYS_INLINE void transfer_pair(struct iss *cpu, const struct iss_insn *insn, enum iss_pair kind,
                                        uint64_t address, bool writeback, uint64_t new_base)
{
	unsigned size = (kind == PAIR_STP_X || kind == PAIR_LDP_X) ? 8 : 4;
	bool store = kind == PAIR_STP_W || kind == PAIR_STP_X;
	uint8_t *first, *second;

	if (unlikely(!iss_tlb_hit(cpu, address, size, store, &first)) ||
	    unlikely(!iss_tlb_hit(cpu, address + size, size, store, &second)) ||
	    unlikely(insn->rn == REG_SP && (cpu->x[REG_SP] & cpu->sp_align))) {
		transfer_pair_slow(cpu, insn, kind, address, writeback, new_base);
		return;
	}
	if (store) {
		iss_host_write(first, size, cpu->x[insn->rd]);
		iss_host_write(second, size, cpu->x[insn->ra]);
		if (writeback)
			cpu->x[insn->rn] = new_base;
	} else {
		uint64_t a = iss_host_read(first, size), b = iss_host_read(second, size);
		if (writeback)
			cpu->x[insn->rn] = new_base;
		set_pair(cpu, insn, kind, a, b);
	}
	iss_advance(cpu, insn);
}

#define DEFINE_PAIR(name, kind)                                                                                        \
	static void name##_offset(struct iss *cpu, const struct iss_insn *insn)                                        \
	{                                                                                                              \
		transfer_pair(cpu, insn, kind, cpu->x[insn->rn] + insn->imm, false, 0);                                \
	}                                                                                                              \
	static void name##_pre(struct iss *cpu, const struct iss_insn *insn)                                           \
	{                                                                                                              \
		uint64_t address = cpu->x[insn->rn] + insn->imm;                                                       \
		transfer_pair(cpu, insn, kind, address, true, address);                                                \
	}                                                                                                              \
	static void name##_post(struct iss *cpu, const struct iss_insn *insn)                                          \
	{                                                                                                              \
		uint64_t address = cpu->x[insn->rn];                                                                   \
		transfer_pair(cpu, insn, kind, address, true, address + insn->imm);                                    \
	}

DEFINE_PAIR(stp_w, PAIR_STP_W)
DEFINE_PAIR(stp_x, PAIR_STP_X)
DEFINE_PAIR(ldp_w, PAIR_LDP_W)
DEFINE_PAIR(ldp_x, PAIR_LDP_X)
DEFINE_PAIR(ldpsw, PAIR_LDPSW)

#define PAIR_MODES(name)                                                                                               \
	{                                                                                                              \
		name##_offset, name##_pre, name##_post                                                                 \
	}

const iss_exec_fn iss_exec_pair[PAIR_COUNT][3] = {
    [PAIR_STP_W] = PAIR_MODES(stp_w), [PAIR_STP_X] = PAIR_MODES(stp_x), [PAIR_LDP_W] = PAIR_MODES(ldp_w),
    [PAIR_LDP_X] = PAIR_MODES(ldp_x), [PAIR_LDPSW] = PAIR_MODES(ldpsw),
};

/* ---- LDTR/STTR: EL0's permissions at EL1 (and EL0); type holds the enum iss_access, imm the offset ---- */

/* LDTR/STTR at EL2 and EL3 are ordinary accesses: their regimes have no EL0. */
static unsigned unprivileged_el(const struct iss *cpu)
{
	return cpu->el >= 2 ? cpu->el : 0;
}

ISS_HANDLER(iss_exec_unprivileged_load)
{
	enum iss_access kind = (enum iss_access)insn->type;
	uint64_t value;

	if (!iss_sp_aligned(cpu, insn->rn) ||
	    !iss_load_as(cpu, cpu->x[insn->rn] + insn->imm, access_size(kind), &value, unprivileged_el(cpu)))
		return;
	cpu->x[insn->rd] = loaded_value(value, kind);
	cpu->pc += 4;
}

ISS_HANDLER(iss_exec_unprivileged_store)
{
	enum iss_access kind = (enum iss_access)insn->type;

	if (!iss_sp_aligned(cpu, insn->rn) ||
	    !iss_store_as(cpu, cpu->x[insn->rn] + insn->imm, access_size(kind), cpu->x[insn->rd], unprivileged_el(cpu)))
		return;
	cpu->pc += 4;
}

/* ---- Exclusives and acquire/release ----
 *
 * LDXR marks the 64-byte granule (the CTR_EL0.ERG) of its physical address; STXR succeeds
 * only on the marked granule; CLREX, exception entry, ERET and every STXR clear the mark.
 * The CPU's own plain store to the marked granule leaves it (IMPLEMENTATION DEFINED for the
 * local monitor); another CPU's store, or a device's write, clears it (the global monitor,
 * cluster.c). CPUs run one instruction at a time in a fixed order, which is stronger than
 * any ordering the architecture asks for, so acquire/release need nothing more. All of them
 * fault on an unaligned address.
 *
 * The decoder puts size in `type`, o2:L:o1:o0 in `amount`, Rt in rd, Rn in rn, Rs in rm and
 * Rt2 in ra.
 */
enum { EX_O0 = 1, EX_O1 = 2, EX_L = 4, EX_O2 = 8 };

static bool aligned_or_fault(struct iss *cpu, uint64_t address, unsigned size, bool write)
{
	if (!(address & (size - 1)))
		return true;
	iss_data_abort(cpu, address, write ? AT_WRITE : AT_READ, FSC_ALIGNMENT, false);
	return false;
}

/* The physical address of an access the TLB allows (iss_tlb_hit() was true for it). */
static ALWAYS_INLINE uint64_t tlb_pa(const struct iss *cpu, uint64_t address)
{
	return cpu->tlb[(address >> PAGE_SHIFT) & (TLB_ENTRIES - 1)].pa | (address & (PAGE_SIZE - 1));
}

/* LDXR and the pair when the TLB has no read tag for them: the walk, then the loads' slow paths. */
static __attribute__((noinline)) void exclusive_load_slow(struct iss *cpu, const struct iss_insn *insn,
                                                          uint64_t address, unsigned esize, bool pair)
{
	struct iss_translation t;
	uint64_t first, second = 0;

	if (!iss_translate(cpu, address, AT_READ, cpu->el, &t)) {
		iss_translation_abort(cpu, address, AT_READ, &t);
		return;
	}
	if (!iss_load(cpu, address, esize, &first) || (pair && !iss_load(cpu, address + esize, esize, &second)))
		return;
	cpu->exclusive_valid = true;
	cpu->exclusive_pa = t.pa & ~(EXCLUSIVE_GRANULE - 1);
	cpu->x[insn->rd] = first;
	if (pair)
		cpu->x[insn->ra] = second;
	cpu->pc += 4;
}

/* STXR and the pair when the TLB has no write tag for them (code, watched or another CPU's reserved page, a miss). */
static __attribute__((noinline)) void exclusive_store_slow(struct iss *cpu, const struct iss_insn *insn,
                                                           uint64_t address, unsigned esize, bool pair)
{
	struct iss_translation t;
	bool pass;

	if (!iss_translate(cpu, address, AT_WRITE, cpu->el, &t)) {
		iss_translation_abort(cpu, address, AT_WRITE, &t);
		return;
	}
	pass = cpu->exclusive_valid && (t.pa & ~(EXCLUSIVE_GRANULE - 1)) == cpu->exclusive_pa;
	if (pass) {
		if (!iss_store(cpu, address, esize, cpu->x[insn->rd]) ||
		    (pair && !iss_store(cpu, address + esize, esize, cpu->x[insn->ra])))
			return;
	}
	cpu->exclusive_valid = false;
	cpu->x[insn->rm] = pass ? 0 : 1;
	cpu->pc += 4;
}

/* LDXR's fast path: the granule's physical address from the TLB entry, the values from the host bytes. */
static ALWAYS_INLINE void exclusive_load_host(struct iss *cpu, const struct iss_insn *insn, const uint8_t *host,
                                              uint64_t address, unsigned esize, bool pair)
{
	cpu->exclusive_valid = true;
	cpu->exclusive_pa = tlb_pa(cpu, address) & ~(EXCLUSIVE_GRANULE - 1);
	cpu->x[insn->rd] = iss_host_read(host, esize);
	if (pair) /* after Rt, as in the slow path: Rt2's value wins when they are one register */
		cpu->x[insn->ra] = iss_host_read(host + esize, esize);
}

/* STXR's fast path: stores when the TLB entry's granule is the marked one; Rs gets the status. */
static ALWAYS_INLINE void exclusive_store_host(struct iss *cpu, const struct iss_insn *insn, uint8_t *host,
                                               uint64_t address, unsigned esize, bool pair)
{
	bool pass = cpu->exclusive_valid && (tlb_pa(cpu, address) & ~(EXCLUSIVE_GRANULE - 1)) == cpu->exclusive_pa;

	if (pass) {
		iss_host_write(host, esize, cpu->x[insn->rd]);
		if (pair)
			iss_host_write(host + esize, esize, cpu->x[insn->ra]);
	}
	cpu->exclusive_valid = false;
	cpu->x[insn->rm] = pass ? 0 : 1;
}

/*
 * LDXR and STXR (and the pairs): an aligned access the TLB allows (a read tag for the loads; a
 * write tag for the stores, which a page holding code, a watchpoint or another CPU's reservation
 * never has) takes its physical address from the TLB entry instead of walking the tables, and
 * chains; the rest goes to the slow paths.
 */
static ALWAYS_INLINE void exclusive(struct iss *cpu, const struct iss_insn *insn, uint64_t address, unsigned esize,
                                    bool pair, bool store)
{
	unsigned size = pair ? 2 * esize : esize;
	uint8_t *host;

	if (!aligned_or_fault(cpu, address, size, store))
		return;
	if (unlikely(!iss_tlb_hit(cpu, address, size, store, &host))) {
		if (store)
			exclusive_store_slow(cpu, insn, address, esize, pair);
		else
			exclusive_load_slow(cpu, insn, address, esize, pair);
		return;
	}
	if (store)
		exclusive_store_host(cpu, insn, host, address, esize, pair);
	else
		exclusive_load_host(cpu, insn, host, address, esize, pair);
	iss_advance(cpu, insn);
}

/* LDAR and STLR: plain accesses that must be aligned; they return to the loop. */
static __attribute__((noinline)) void acquire_release(struct iss *cpu, const struct iss_insn *insn, uint64_t address,
                                                      unsigned esize, bool load)
{
	uint64_t value;

	if (!aligned_or_fault(cpu, address, esize, !load))
		return;
	if (load) {
		if (!iss_load(cpu, address, esize, &value))
			return;
		cpu->x[insn->rd] = value;
	} else if (!iss_store(cpu, address, esize, cpu->x[insn->rd])) {
		return;
	}
	cpu->pc += 4;
}

ISS_HANDLER(iss_exec_exclusive)
{
	unsigned esize = 1u << insn->type, op = insn->amount;
	uint64_t address = cpu->x[insn->rn];

	if (!iss_sp_aligned(cpu, insn->rn))
		return;
	if (op & EX_O2)
		acquire_release(cpu, insn, address, esize, op & EX_L);
	else /* LDXR, LDAXR, STXR, STLXR and the pairs */
		exclusive(cpu, insn, address, esize, op & EX_O1, !(op & EX_L));
}
