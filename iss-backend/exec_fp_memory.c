/*
 * SIMD&FP loads and stores: B/H/S/D/Q registers in every addressing mode, pairs, literals, and
 * the AdvSIMD structure loads and stores (LD1-LD4, ST1-ST4, LD1R-LD4R). A Q access is two
 * 64-bit accesses, checked for 16-byte alignment where the architecture checks alignment.
 * Loads gather into temporaries first: a faulting load changes no register (a faulting store
 * may have written the bytes before the fault, as an unaligned integer store may).
 */
#include <string.h>

#include "fp_handlers.h"
#include "mmu.h"

#define STRUCT_MAX_REGISTERS 4

/* Inlined into each handler: a loaded value then stays in registers instead of the stack. */
#define ALWAYS_INLINE inline __attribute__((always_inline))

/*
 * A 16-byte access whose 8-byte halves are aligned: an alignment fault (and false) where
 * alignment is checked (the current EL's SCTLR_ELx.A, or its MMU off) or the memory is
 * Device. Other misalignments are caught by the halves themselves.
 */
static bool quad_aligned_slow(struct iss *cpu, uint64_t address, bool write)
{
	struct iss_translation t;

	bool checked = iss_alignment_checked(cpu, cpu->el);
	if (!checked && !(iss_translate(cpu, address, write ? AT_WRITE : AT_READ, cpu->el, &t) && t.device))
		return true; /* a translation fault is left to the access, which reports it */
	iss_data_abort(cpu, address, write ? AT_WRITE : AT_READ, FSC_ALIGNMENT, false);
	return false;
}

static ALWAYS_INLINE bool quad_aligned(struct iss *cpu, uint64_t address, bool write)
{
	return (address & 15) != 8 || quad_aligned_slow(cpu, address, write);
}

/* Reads `bytes` (1, 2, 4, 8 or 16) into value[0..1], zero-extended. */
static ALWAYS_INLINE bool load_bytes(struct iss *cpu, uint64_t address, unsigned bytes, uint64_t value[2])
{
	value[1] = 0;
	if (bytes < 16)
		return iss_load(cpu, address, bytes, &value[0]);
	return quad_aligned(cpu, address, false) && iss_load(cpu, address, 8, &value[0]) &&
	       iss_load(cpu, address + 8, 8, &value[1]);
}

static ALWAYS_INLINE bool store_bytes(struct iss *cpu, uint64_t address, unsigned bytes, const union iss_vreg *v)
{
	if (bytes < 16)
		return iss_store(cpu, address, bytes, v->d[0]);
	return quad_aligned(cpu, address, true) && iss_store(cpu, address, 8, v->d[0]) &&
	       iss_store(cpu, address + 8, 8, v->d[1]);
}

/* The whole access through load_bytes()/store_bytes(): faults, MMIO, unaligned or split accesses, code pages. */
static __attribute__((noinline)) void transfer_slow(struct iss *cpu, const struct iss_insn *insn, bool load,
                                                    uint64_t address, bool writeback, uint64_t new_base)
{
	uint64_t value[2];

	if (!iss_sp_aligned(cpu, insn->rn))
		return;
	if (load ? !load_bytes(cpu, address, insn->type, value)
	         : !store_bytes(cpu, address, insn->type, &cpu->v[insn->rd]))
		return;
	if (writeback)
		cpu->x[insn->rn] = new_base;
	if (load) {
		cpu->v[insn->rd].d[0] = value[0];
		cpu->v[insn->rd].d[1] = value[1];
	}
	cpu->pc += 4; /* value's address was taken: no tail call, the loop starts the next instruction */
}

/* Vd from `bytes` (1 to 16) at host, zero-extended, or Vd's low `bytes` to host. */
static ALWAYS_INLINE void move_vreg(struct iss *cpu, unsigned rd, uint8_t *host, unsigned bytes, bool load)
{
	union iss_vreg *v = &cpu->v[rd];

	if (load) {
		uint64_t low = iss_host_read(host, bytes < 16 ? bytes : 8);
		v->d[1] = bytes < 16 ? 0 : iss_host_read(host + 8, 8);
		v->d[0] = low;
	} else {
		iss_host_write(host, bytes < 16 ? bytes : 8, v->d[0]);
		if (bytes == 16)
			iss_host_write(host + 8, 8, v->d[1]);
	}
}

/*
 * One load or store of Vt. The fast path (an aligned access the TLB allows, no SP alignment
 * fault) takes no local's address, so its iss_advance() compiles to a jump to the next
 * handler, as exec_memory.c's does; everything else is transfer_slow()'s.
 */
static ALWAYS_INLINE void transfer(struct iss *cpu, const struct iss_insn *insn, bool load, uint64_t address,
                                   bool writeback, uint64_t new_base)
{
	uint8_t *host;

	if (!iss_fp_enabled(cpu))
		return;
	if (unlikely(!iss_tlb_hit(cpu, address, insn->type, !load, &host)) ||
	    unlikely(insn->rn == REG_SP && (cpu->x[REG_SP] & cpu->sp_align))) {
		transfer_slow(cpu, insn, load, address, writeback, new_base);
		return;
	}
	move_vreg(cpu, insn->rd, host, insn->type, load);
	if (writeback)
		cpu->x[insn->rn] = new_base;
	iss_advance(cpu, insn);
}

/* Register offset: Rm extended (UXTW, SXTW) or not (LSL, SXTX), then scaled. */
static uint64_t index_value(const struct iss *cpu, const struct iss_insn *insn)
{
	uint64_t m = cpu->x[insn->rm];

	if (insn->cond == EXTEND_UXTW)
		m = (uint32_t)m;
	else if (insn->cond == EXTEND_SXTW)
		m = (uint64_t)(int64_t)(int32_t)m;
	return m << insn->amount;
}

#define DEFINE_ACCESS(name, load)                                                                                      \
	static void name##_offset(struct iss *cpu, const struct iss_insn *insn)                                        \
	{                                                                                                              \
		transfer(cpu, insn, load, cpu->x[insn->rn] + insn->imm, false, 0);                                     \
	}                                                                                                              \
	static void name##_pre(struct iss *cpu, const struct iss_insn *insn)                                           \
	{                                                                                                              \
		uint64_t address = cpu->x[insn->rn] + insn->imm;                                                       \
		transfer(cpu, insn, load, address, true, address);                                                     \
	}                                                                                                              \
	static void name##_post(struct iss *cpu, const struct iss_insn *insn)                                          \
	{                                                                                                              \
		uint64_t address = cpu->x[insn->rn];                                                                   \
		transfer(cpu, insn, load, address, true, address + insn->imm);                                         \
	}                                                                                                              \
	static void name##_register(struct iss *cpu, const struct iss_insn *insn)                                      \
	{                                                                                                              \
		transfer(cpu, insn, load, cpu->x[insn->rn] + index_value(cpu, insn), false, 0);                        \
	}

DEFINE_ACCESS(store, false)
DEFINE_ACCESS(load, true)

const iss_exec_fn iss_exec_fp_load_store[2][MODE_COUNT] = {
    {store_offset, store_pre, store_post, store_register},
    {load_offset, load_pre, load_post, load_register},
};

ISS_HANDLER(iss_exec_fp_load_literal)
{
	transfer(cpu, insn, true, cpu->pc + insn->imm, false, 0);
}

/* ---- Pairs: Vt at address, Vt2 (insn->ra) at address + size ---- */

static __attribute__((noinline)) void transfer_pair_slow(struct iss *cpu, const struct iss_insn *insn, bool load,
                                                         uint64_t address, bool writeback, uint64_t new_base)
{
	unsigned bytes = insn->type;
	uint64_t first[2], second[2];

	if (!iss_sp_aligned(cpu, insn->rn))
		return;
	if (load) {
		if (!load_bytes(cpu, address, bytes, first) || !load_bytes(cpu, address + bytes, bytes, second))
			return;
	} else if (!store_bytes(cpu, address, bytes, &cpu->v[insn->rd]) ||
	           !store_bytes(cpu, address + bytes, bytes, &cpu->v[insn->ra])) {
		return;
	}
	if (writeback)
		cpu->x[insn->rn] = new_base;
	if (load) { /* Vt == Vt2 is UNPREDICTABLE: Vt2 is written last and wins */
		cpu->v[insn->rd].d[0] = first[0];
		cpu->v[insn->rd].d[1] = first[1];
		cpu->v[insn->ra].d[0] = second[0];
		cpu->v[insn->ra].d[1] = second[1];
	}
	cpu->pc += 4; /* as in transfer_slow() */
}

/* A pair: both halves through the TLB (they may be in two pages), else transfer_pair_slow(). */
static ALWAYS_INLINE void transfer_pair(struct iss *cpu, const struct iss_insn *insn, bool load, uint64_t address,
                                        bool writeback, uint64_t new_base)
{
	unsigned bytes = insn->type;
	uint8_t *first, *second;

	if (!iss_fp_enabled(cpu))
		return;
	if (unlikely(!iss_tlb_hit(cpu, address, bytes, !load, &first)) ||
	    unlikely(!iss_tlb_hit(cpu, address + bytes, bytes, !load, &second)) ||
	    unlikely(insn->rn == REG_SP && (cpu->x[REG_SP] & cpu->sp_align))) {
		transfer_pair_slow(cpu, insn, load, address, writeback, new_base);
		return;
	}
	move_vreg(cpu, insn->rd, first, bytes, load);
	move_vreg(cpu, insn->ra, second, bytes, load); /* Vt == Vt2 is UNPREDICTABLE: Vt2 is written last and wins */
	if (writeback)
		cpu->x[insn->rn] = new_base;
	iss_advance(cpu, insn);
}

#define DEFINE_PAIR(name, load)                                                                                        \
	static void name##_pair_offset(struct iss *cpu, const struct iss_insn *insn)                                   \
	{                                                                                                              \
		transfer_pair(cpu, insn, load, cpu->x[insn->rn] + insn->imm, false, 0);                                \
	}                                                                                                              \
	static void name##_pair_pre(struct iss *cpu, const struct iss_insn *insn)                                      \
	{                                                                                                              \
		uint64_t address = cpu->x[insn->rn] + insn->imm;                                                       \
		transfer_pair(cpu, insn, load, address, true, address);                                                \
	}                                                                                                              \
	static void name##_pair_post(struct iss *cpu, const struct iss_insn *insn)                                     \
	{                                                                                                              \
		uint64_t address = cpu->x[insn->rn];                                                                   \
		transfer_pair(cpu, insn, load, address, true, address + insn->imm);                                    \
	}

DEFINE_PAIR(store, false)
DEFINE_PAIR(load, true)

const iss_exec_fn iss_exec_fp_pair[2][3] = {
    {store_pair_offset, store_pair_pre, store_pair_post},
    {load_pair_offset, load_pair_pre, load_pair_post},
};

/* ---- AdvSIMD structures ---- */

/*
 * One element of `v` (lane `lane` of `ebytes` bytes) to or from memory, as a shift within one
 * doubleword: lanes assembled in integer registers, not byte by byte through memory.
 */
static ALWAYS_INLINE bool transfer_element(struct iss *cpu, uint64_t address, unsigned ebytes, union iss_vreg *v,
                                           unsigned lane, bool load)
{
	unsigned word = lane * ebytes / 8, shift = lane * ebytes % 8 * 8;
	uint64_t mask = ebytes == 8 ? ~0ull : ((1ull << (8 * ebytes)) - 1) << shift;
	uint64_t value;

	if (!load)
		return iss_store(cpu, address, ebytes, (v->d[word] & mask) >> shift);
	if (!iss_load(cpu, address, ebytes, &value))
		return false;
	v->d[word] = (v->d[word] & ~mask) | value << shift;
	return true;
}

/*
 * The host address of an aligned doubleword the software TLB maps to RAM for this access, or
 * NULL (MMIO, watched, unmapped, unaligned): there, element accesses and one doubleword
 * access cannot be told apart.
 */
static ALWAYS_INLINE uint8_t *ram_doubleword(const struct iss *cpu, uint64_t address, bool write)
{
	const struct iss_tlb_entry *e = &cpu->tlb[(address >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];
	uint64_t tag = address & (~(PAGE_SIZE - 1) | 7);

	return tag == (write ? e->write : e->read) ? (uint8_t *)(uintptr_t)(address + e->addend) : NULL;
}

/* LD1/ST1 of whole registers: a doubleword at a time from RAM, else element by element. */
static bool transfer_registers(struct iss *cpu, const struct iss_insn *insn, uint64_t address, union iss_vreg *v)
{
	unsigned ebytes = insn->type, words = (insn->cond & STRUCT_Q) ? 2 : 1;
	bool load = insn->cond & STRUCT_LOAD;

	for (unsigned r = 0; r < insn->ra; r++) {
		for (unsigned w = 0; w < words; w++, address += 8) {
			uint8_t *host = ram_doubleword(cpu, address, !load);
			if (host && load)
				memcpy(&v[r].d[w], host, 8);
			else if (host)
				memcpy(host, &v[r].d[w], 8);
			for (unsigned e = 0; !host && e < 8 / ebytes; e++)
				if (!transfer_element(cpu, address + e * ebytes, ebytes, &v[r], w * 8 / ebytes + e,
				                      load))
					return false;
		}
	}
	return true;
}

/* LD1-LD4/ST1-ST4 (multiple structures): element e of each register in turn, interleaved. */
static bool transfer_multiple(struct iss *cpu, const struct iss_insn *insn, uint64_t address, union iss_vreg *v)
{
	unsigned ebytes = insn->type, selem = insn->amount, lanes = ((insn->cond & STRUCT_Q) ? 16 : 8) / ebytes;
	bool load = insn->cond & STRUCT_LOAD;

	if (selem == 1)
		return transfer_registers(cpu, insn, address, v);
	for (unsigned r = 0; r < insn->ra; r++)
		for (unsigned e = 0; e < lanes; e++)
			for (unsigned s = 0; s < selem; s++, address += ebytes)
				if (!transfer_element(cpu, address, ebytes, &v[r + s], e, load))
					return false;
	return true;
}

/* LD1-LD4/ST1-ST4 (single structure) and LD1R-LD4R: one element per register. */
static bool transfer_single(struct iss *cpu, const struct iss_insn *insn, uint64_t address, union iss_vreg *v)
{
	unsigned ebytes = insn->type;
	bool replicate = insn->cond & STRUCT_REPLICATE;
	uint64_t element_mask = ebytes == 8 ? ~0ull : (1ull << (8 * ebytes)) - 1;

	for (unsigned s = 0; s < insn->amount; s++, address += ebytes) {
		if (!transfer_element(cpu, address, ebytes, &v[s], replicate ? 0 : insn->nzcv,
		                      insn->cond & STRUCT_LOAD))
			return false;
		if (replicate) { /* the element times 0x...0101 (in element units) fills every lane */
			v[s].d[0] = (v[s].d[0] & element_mask) * (~0ull / element_mask);
			v[s].d[1] = (insn->cond & STRUCT_Q) ? v[s].d[0] : 0;
		}
	}
	return true;
}

ISS_HANDLER(iss_exec_fp_structure)
{
	unsigned flags = insn->cond;
	unsigned count = (flags & (STRUCT_SINGLE | STRUCT_REPLICATE)) ? insn->amount : insn->amount * insn->ra;
	union iss_vreg v[STRUCT_MAX_REGISTERS];
	uint64_t address;

	if (!iss_fp_enabled(cpu) || !iss_sp_aligned(cpu, insn->rn))
		return;
	address = cpu->x[insn->rn];
	for (unsigned k = 0; k < count; k++)
		v[k] = cpu->v[(insn->rd + k) % 32];
	bool done = (flags & (STRUCT_SINGLE | STRUCT_REPLICATE)) ? transfer_single(cpu, insn, address, v)
	                                                         : transfer_multiple(cpu, insn, address, v);
	if (!done)
		return;
	if (flags & STRUCT_POST)
		cpu->x[insn->rn] = address + (insn->rm == REG_ZR ? insn->imm : cpu->x[insn->rm]);
	for (unsigned k = 0; (flags & STRUCT_LOAD) && k < count; k++) {
		if (!(flags & (STRUCT_Q | STRUCT_SINGLE)))
			v[k].d[1] = 0; /* a 64-bit load of whole registers zeroes the top half */
		cpu->v[(insn->rd + k) % 32] = v[k];
	}
	iss_advance(cpu, insn);
}
