/*
 * Memory and translation (mmu.c): the data fast path through the software TLB, the slow
 * paths behind it, the table walk, TLB maintenance and entering the PC's page.
 */
#ifndef QVP_ISS_MMU_H
#define QVP_ISS_MMU_H

#include <string.h>

#include "iss_state.h"

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
	bool ns;       /* the Non-secure physical address space: Non-secure state, or NS/NSTable in Secure state */
	uint64_t ipa;      /* the intermediate physical address (the PA when stage 2 is off) */
	uint8_t s2_shift;  /* log2 of the size the stage 2 leaf maps (PAGE_SHIFT without stage 2) */
	/* On failure: */
	uint8_t fsc;
	bool s1ptw;  /* stage 2 failed the read of a stage 1 descriptor */
	bool stage2; /* a stage 2 fault: taken to EL2 with HPFAR_EL2 from `ipa` */
};

/* Slow paths return false after taking an exception. */
bool iss_load_slow(struct iss *cpu, uint64_t va, unsigned size, uint64_t *value);
bool iss_store_slow(struct iss *cpu, uint64_t va, unsigned size, uint64_t value);
bool iss_load_as(struct iss *cpu, uint64_t va, unsigned size, uint64_t *value, unsigned el);
bool iss_store_as(struct iss *cpu, uint64_t va, unsigned size, uint64_t value, unsigned el);
/* Translates for an access of `type` at `el` (both stages of EL1&0); false with t->fsc set on a fault. No side effects. */
bool iss_translate(struct iss *cpu, uint64_t va, enum iss_access_type type, unsigned el, struct iss_translation *t);
/* Whether EL's accesses must be aligned: SCTLR_ELx.A, or its stage 1 off without HCR_EL2.DC (Device). */
bool iss_alignment_checked(const struct iss *cpu, unsigned el);
/* Takes the abort a failed iss_translate() describes: to EL2 for a stage 2 fault, else as a stage 1 one. */
void iss_translation_abort(struct iss *cpu, uint64_t va, enum iss_access_type type, const struct iss_translation *t);
/* Host pointer to [pa, pa + size) when it is RAM in the address space `ns` names (Secure-only
 * RAM is not there for a Non-secure access), else NULL; *region (if given) receives its region. */
uint8_t *iss_ram_host(struct iss *cpu, uint64_t pa, uint64_t size, bool ns, struct iss_ram **region);
/* Whether `el` runs in Secure state: EL3 always, the lower levels while SCR_EL3.NS is 0. */
bool iss_secure_at(const struct iss *cpu, unsigned el);
/* A ROM device at [address, address + length) switched between memory and MMIO (bus.h):
 * its RAM region, TLB entries and decoded code are dropped. */
void iss_memory_map_changed(struct iss *cpu, uint64_t address, uint64_t length);
void iss_tlb_flush(struct iss *cpu);        /* every set; then uses the current ASID's */
void iss_tlb_asid_changed(struct iss *cpu); /* after a TTBR write: the set of the new ASID */
/* TLBI by the SYS operation op1:CRn:CRm:op2 (the E1 forms, and at op1 4 the E2, ALLE1, S12E1, IPAS2 ones) and Xt,
 * issued under `vmid` (the issuing CPU's: the broadcast forms reach the other CPUs with it). */
void iss_tlbi(struct iss *cpu, unsigned op, uint64_t operand, uint16_t vmid);
void iss_tlb_stage2_changed(struct iss *cpu); /* after VTTBR_EL2 or HCR_EL2.VM changed: the set of the new space */
/* Drops the write tags of a physical page, in every set: its stores take the slow path. */
void iss_tlb_protect_page(struct iss *cpu, uint64_t pa_page);
void iss_tlb_protect_all(struct iss *cpu); /* every store takes the slow path once */

/* PAGE_UNWRITTEN (cluster.h): set on every page of the bus's writable RAM, or cleared on the
 * pages of [pa, pa + length) that something stored to. */
void iss_flag_ram_unwritten(struct iss *cpu);
void iss_clear_unwritten(struct iss *cpu, uint64_t pa, uint64_t length);
bool iss_range_unwritten(struct iss *cpu, uint64_t pa, uint64_t length); /* every page of it, in one RAM */
/* Sets `flag` (cluster.h) on the RAM page at `pa_page` and drops its TLB write tags. */
void iss_flag_page(struct iss *cpu, uint64_t pa_page, uint8_t flag);
/* Whether the page has `flag` already (true for a page that is not RAM: nothing to flag). */
bool iss_page_flagged(struct iss *cpu, uint64_t pa_page, uint8_t flag);
bool iss_enter_page(struct iss *cpu); /* makes the PC's page current; false after an exception */
/* AT into PAR_EL1: stage 1 of `el`'s regime, and stage 2 too for the S12E1 forms (`both_stages`);
 * false after taking an exception instead. */
bool iss_address_translate(struct iss *cpu, uint64_t va, bool write, unsigned el, bool both_stages);
/* Host pointer to the RAM bytes of [va, va + size) (in one page) for a data access, or NULL
 * after taking the abort; *pa receives the physical address. */
uint8_t *iss_data_pointer(struct iss *cpu, uint64_t va, unsigned size, enum iss_access_type type, uint64_t *pa);

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

/* Whether the TLB allows an aligned RAM access of `size` bytes at once; *host is then its host address. */
static inline bool iss_tlb_hit(const struct iss *cpu, uint64_t address, unsigned size, bool write, uint8_t **host)
{
	const struct iss_tlb_entry *e = &cpu->tlb[(address >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];

	*host = (uint8_t *)(uintptr_t)(address + e->addend);
	return (address & (~(PAGE_SIZE - 1) | (size - 1))) == (write ? e->write : e->read);
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

#endif
