/*
 * Memory: VMSAv8-64 stage 1 translation for the EL1&0 and the EL2 regimes (stage 2 of EL1&0 is
 * stage2.c's: every stage 1 descriptor read and every output IPA go through it), the software TLB that makes
 * translated RAM accesses as fast as untranslated ones, and the slow paths of loads, stores
 * and instruction fetches.
 *
 * The software TLB maps a 4 KiB VA page to a host pointer, per exception level, with one tag
 * per kind of access; a tag is only set when the access is allowed, so the fast path is one
 * compare. It is kept per address space: a few sets, each holding the translations of one
 * ASID under one VTTBR_EL2 (its VMID and stage 2 table) and HCR_EL2.VM (global ones included,
 * copied into every set that uses them), and the current space's set is the one the fast path
 * probes. An entry holds both stages at once (VA to PA, the permissions of both). A TTBR or
 * VTTBR write that changes the space switches sets without flushing; TLBI drops exactly the
 * entries its scope names; writes to SCTLR_EL1 and changes of TCR_EL1 or VTCR_EL2 empty every
 * set (invalidating more than the architecture requires is allowed).
 */
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "debug.h"
#include "dispatch.h"
#include "exception.h"
#include "iss_state.h"
#include "mmu.h"
#include "stage2.h"

static inline uint64_t ones(unsigned n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

#define OA_MASK 0x0000ffffffffffffull /* 48-bit output addresses */

/* ---- RAM regions ---- */

static struct iss_ram *add_ram(struct iss *cpu, const struct bus_ram *found)
{
	struct iss_ram *ram = calloc(1, sizeof(*ram));
	struct iss_ram **rams = realloc(cpu->rams, (cpu->ram_count + 1) * sizeof(*rams));
	uint64_t last_page = (found->base + (found->size - 1)) >> PAGE_SHIFT;

	if (rams)
		cpu->rams = rams;
	if (!ram || !rams)
		goto fail;
	ram->base = found->base;
	ram->size = found->size;
	ram->host = found->host;
	ram->read_only = found->read_only;
	ram->secure_only = found->secure_only;
	ram->first_page = found->base >> PAGE_SHIFT;
	ram->shared_flags = cpu->cluster != NULL;
	if (cpu->cluster)
		ram->code_flags = iss_cluster_page_flags(cpu, found->base, last_page - ram->first_page + 1);
	else
		ram->code_flags = calloc(last_page - ram->first_page + 1, 1);
	if (!ram->code_flags)
		goto fail;
	cpu->rams[cpu->ram_count++] = ram;
	return ram;
fail:
	free(ram);
	return NULL;
}

/* The RAM region holding `pa`, learned from the bus on first use; NULL if it is not RAM. */
static struct iss_ram *find_ram(struct iss *cpu, uint64_t pa)
{
	struct bus_ram found;

	for (unsigned k = 0; k < cpu->ram_count; k++)
		if (pa - cpu->rams[k]->base < cpu->rams[k]->size)
			return cpu->rams[k];
	if (!bus_find_memory(cpu->bus, pa, &found) || !found.size || !found.host)
		return NULL;
	return add_ram(cpu, &found);
}

/* PAGE_HAS_CODE (cluster.h): stores to a flagged page take the slow path. */
static uint8_t page_flags(const struct iss_ram *ram, uint64_t pa)
{
	return ram->code_flags[(pa >> PAGE_SHIFT) - ram->first_page];
}

/*
 * After a map change: the decoded pages whose region was forgotten keep their physical address,
 * so iss_enter_page() would not flag them again; flag them now (stores to them must invalidate),
 * and forget those no longer in memory the CPU may fetch from.
 */
static void reflag_decoded_pages(struct iss *cpu)
{
	for (unsigned k = 0; k < PAGE_CACHE_SLOTS; k++) {
		struct iss_page *page = cpu->pages[k];
		struct iss_ram *ram;

		if (!page || page->base == ~0ull)
			continue;
		ram = find_ram(cpu, page->base);
		if (!ram)
			page->base = ~0ull; /* the current page's slots stay usable until the PC leaves it */
		else if (!(page_flags(ram, page->base) & PAGE_HAS_CODE))
			iss_cluster_flag_page(cpu, page->base, PAGE_HAS_CODE);
	}
}

void iss_memory_map_changed(struct iss *cpu, uint64_t address, uint64_t length)
{
	unsigned kept = 0;

	for (unsigned k = 0; k < cpu->ram_count; k++) {
		struct iss_ram *ram = cpu->rams[k];
		if (ram->base - address < length || address - ram->base < ram->size) {
			if (!ram->shared_flags)
				free(ram->code_flags);
			free(ram);
			continue;
		}
		cpu->rams[kept++] = ram;
	}
	cpu->ram_count = kept;
	iss_tlb_flush(cpu);
	iss_code_written(cpu, address, length); /* the current page's host pointer stays valid: the storage stays */
	reflag_decoded_pages(cpu);
}

uint8_t *iss_ram_host(struct iss *cpu, uint64_t pa, uint64_t size, bool ns, struct iss_ram **region)
{
	struct iss_ram *ram = find_ram(cpu, pa);
	uint64_t offset;

	if (!ram || ram->size < size || (ns && ram->secure_only))
		return NULL;
	offset = pa - ram->base;
	if (offset > ram->size - size)
		return NULL;
	if (region)
		*region = ram;
	return ram->host + offset;
}

/* ---- Translation ---- */

bool iss_secure_at(const struct iss *cpu, unsigned el)
{
	return cpu->el3 && (el == 3 || !(cpu->scr_el3 & SCR_NS));
}

/* Granule size (log2) of TG0 and TG1, whose encodings differ. */
static unsigned granule_tg0(unsigned tg)
{
	return tg == 1 ? 16 : tg == 2 ? 14 : 12;
}

static unsigned granule_tg1(unsigned tg)
{
	return tg == 1 ? 14 : tg == 3 ? 16 : 12;
}

static bool fault(struct iss_translation *t, unsigned fsc, unsigned level)
{
	t->fsc = (uint8_t)(fsc + level);
	return false;
}

/* What a walk reads from the regime's registers: the VA range of `va` and its table base. */
struct regime {
	bool upper;   /* VA bit 55: TTBR1's range (EL1&0 only) */
	bool el2;     /* the EL2 or EL3 regime: one range, no EL0, XN only, no ASIDs */
	unsigned tsz; /* TxSZ */
	bool tbi, epd;
	unsigned g;   /* granule, log2 */
	uint64_t ttbr;
	uint64_t sctlr, mair;
};

static void regime_of(const struct iss *cpu, uint64_t va, unsigned el, struct regime *r)
{
	uint64_t tcr = el == 3 ? cpu->tcr_el3 : el == 2 ? cpu->tcr_el2 : cpu->tcr_el1;

	r->el2 = el >= 2;
	r->upper = !r->el2 && ((va >> 55) & 1);
	r->tsz = (unsigned)(r->upper ? tcr >> 16 : tcr) & 63;
	r->tbi = r->el2 ? (tcr >> 20) & 1 : (r->upper ? tcr >> 38 : tcr >> 37) & 1;
	r->epd = !r->el2 && ((r->upper ? tcr >> 23 : tcr >> 7) & 1);
	r->g = r->upper ? granule_tg1((unsigned)(tcr >> 30) & 3) : granule_tg0((unsigned)(tcr >> 14) & 3);
	r->ttbr = el == 3 ? cpu->ttbr0_el3 : r->el2 ? cpu->ttbr0_el2 : r->upper ? cpu->ttbr1_el1 : cpu->ttbr0_el1;
	r->sctlr = el == 3 ? cpu->sctlr_el3 : r->el2 ? cpu->sctlr_el2 : cpu->sctlr_el1;
	r->mair = el == 3 ? cpu->mair_el3 : r->el2 ? cpu->mair_el2 : cpu->mair_el1;
}

/* The leaf's permissions: EL1&0 with AP[1] for EL0, UXN and PXN; EL2 with AP[2] and XN only. */
static void leaf_permissions(const struct regime *r, uint64_t desc, unsigned apt, unsigned uxn_t, unsigned pxn_t,
                             unsigned el, struct iss_translation *t)
{
	unsigned ap = (unsigned)(desc >> 6) & 3;
	bool el0_access = !r->el2 && (ap & 1) && !(apt & 1);
	bool read_only = (ap & 2) || (apt & 2);
	bool uxn = ((desc >> 54) & 1) || uxn_t;
	bool pxn = ((desc >> 53) & 1) || pxn_t;

	if (r->el2) {
		t->readable = true;
		t->writable = !read_only;
		t->executable = !uxn; /* bit 54 is XN, XNTable bit 60 */
	} else if (el == 0) {
		t->readable = el0_access;
		t->writable = el0_access && !read_only;
		t->executable = !uxn;
	} else {
		t->readable = true;
		t->writable = !read_only;
		t->executable = !pxn && !(el0_access && !read_only); /* EL0-writable is privileged XN */
	}
	if ((r->sctlr & SCTLR_WXN) && t->writable)
		t->executable = false;
}

/* The host bytes of the stage 1 descriptor at `address`, an IPA that stage 2 translates first when it is on. */
static uint8_t *descriptor(struct iss *cpu, uint64_t address, unsigned el, unsigned level, struct iss_translation *t)
{
	struct iss_stage2 s2;
	uint8_t *host;

	if (iss_stage2_on(cpu, el)) {
		if (!iss_stage2_translate(cpu, address, AT_READ, true, &s2, t))
			return NULL; /* a stage 2 fault with S1PTW */
		address = s2.pa;
	}
	host = iss_ram_host(cpu, address, 8, t->ns, NULL);
	if (!host)
		fault(t, FSC_EXTERNAL_WALK, level);
	return host;
}

/* The stage 1 walk: fills every permission of the page; fails only on translation, address
 * size, access flag and walk external aborts, and on stage 2 faults of its reads. Reads
 * descriptors, writes nothing. */
static bool walk(struct iss *cpu, uint64_t va, unsigned el, struct iss_translation *t)
{
	struct regime r;
	unsigned tsz, g, stride, inputsize, top, level, levels, attrindx;
	uint64_t base, desc = 0, hi;
	unsigned apt = 0, uxn_t = 0, pxn_t = 0;

	regime_of(cpu, va, el, &r);
	g = r.g;
	stride = g - 3;
	top = r.tbi ? 55 : 63;
	tsz = r.tsz < 16 ? 16 : r.tsz > 39 ? 39 : r.tsz; /* out-of-range TxSZ: clamped, as v8.0 allows */
	inputsize = 64 - tsz;
	hi = (va >> inputsize) & ones(top - inputsize + 1);
	if (hi != (r.upper ? ones(top - inputsize + 1) : 0) || r.epd)
		return fault(t, FSC_TRANSLATION, 0);
	base = r.ttbr & OA_MASK & ~1ull;
	levels = (inputsize - g + stride - 1) / stride;
	level = 4 - levels;
	for (;; level++) {
		unsigned shift = g + (3 - level) * stride;
		unsigned nbits = inputsize - shift < stride ? inputsize - shift : stride;
		uint64_t index = (va >> shift) & ones(nbits);
		uint8_t *host;

		if (level == 4 - levels)
			base &= ~ones(nbits + 3 < 6 ? 6 : nbits + 3); /* the table is aligned to its size */
		host = descriptor(cpu, base + index * 8, el, level, t);
		if (!host)
			return false;
		memcpy(&desc, host, 8);
		if (!(desc & 1))
			return fault(t, FSC_TRANSLATION, level);
		if (level < 3 && (desc & 2)) { /* table */
			t->ns |= (desc >> 63) != 0; /* NSTable: the next tables and the page are Non-secure */
			apt |= (unsigned)(desc >> 61) & 3;
			uxn_t |= (unsigned)(desc >> 60) & 1;
			pxn_t |= (unsigned)(desc >> 59) & 1;
			base = desc & OA_MASK & ~ones(g);
			continue;
		}
		if (level == 3 ? !(desc & 2) : (level < 1 || (level == 1 && g != 12)))
			return fault(t, FSC_TRANSLATION, level); /* reserved, or a block not allowed here */
		t->pa = (desc & OA_MASK & ~ones(shift)) | (va & ones(shift));
		t->shift = (uint8_t)shift;
		t->ns |= (desc >> 5) & 1; /* NS; in Non-secure state t->ns is already set */
		break;
	}
	if (!(desc & (1ull << 10)))
		return fault(t, FSC_ACCESS_FLAG, level);

	attrindx = (unsigned)(desc >> 2) & 7;
	leaf_permissions(&r, desc, apt, uxn_t, pxn_t, el, t);
	t->attr = (uint8_t)(r.mair >> (8 * attrindx));
	t->device = (t->attr & 0xf0) == 0;
	t->sh = (uint8_t)((desc >> 8) & 3);
	t->level = (uint8_t)level;
	t->global = r.el2 || !(desc & (1ull << 11)); /* nG; the EL2 regime has no ASIDs */
	return true;
}

/* Stage 1 of `el`'s regime is on: SCTLR_ELx.M, and for EL1&0 not while HCR_EL2.TGE or DC (no VHE). */
static bool stage1_enabled(const struct iss *cpu, unsigned el)
{
	if (el == 3)
		return (cpu->sctlr_el3 & SCTLR_M) != 0;
	if (el == 2)
		return (cpu->sctlr_el2 & SCTLR_M) != 0;
	return (cpu->sctlr_el1 & SCTLR_M) && !(cpu->hcr_el2 & (HCR_TGE | HCR_DC));
}

/* HCR_EL2.DC: EL1&0's stage 1 is off but its data accesses are Normal memory, not Device. */
static bool default_cacheable(const struct iss *cpu, unsigned el)
{
	return el < 2 && (cpu->hcr_el2 & HCR_DC);
}

/* Stage 1 with its permission check; t->pa is the IPA. */
static bool stage1(struct iss *cpu, uint64_t va, enum iss_access_type type, unsigned el, struct iss_translation *t)
{
	bool allowed;

	memset(t, 0, sizeof(*t));
	t->ns = !iss_secure_at(cpu, el);
	if (!stage1_enabled(cpu, el)) {
		/* MMU off: flat, data is Device-nGnRnE, instructions Normal. */
		if (va >> 48)
			return fault(t, FSC_ADDRESS_SIZE, 0);
		t->pa = va;
		t->readable = t->writable = t->executable = true;
		t->device = type != AT_EXEC && !default_cacheable(cpu, el);
		t->shift = PAGE_SHIFT;
		t->global = true;
		return true;
	}
	if (!walk(cpu, va, el, t))
		return false;
	switch (type) {
	case AT_READ:
	case AT_CACHE:
		allowed = t->readable;
		break;
	case AT_WRITE:
		allowed = t->writable;
		break;
	default:
		allowed = t->executable;
		break;
	}
	return allowed ? true : fault(t, FSC_PERMISSION, t->level);
}

/* Stage 1, then stage 2 of its IPA: a stage 1 fault comes first, the entry gets what both allow. */
bool iss_translate(struct iss *cpu, uint64_t va, enum iss_access_type type, unsigned el, struct iss_translation *t)
{
	struct iss_stage2 s2;

	if (!stage1(cpu, va, type, el, t))
		return false;
	t->ipa = t->pa;
	t->s2_shift = PAGE_SHIFT;
	if (!iss_stage2_on(cpu, el))
		return true;
	if (!iss_stage2_translate(cpu, t->ipa, type, false, &s2, t))
		return false;
	t->pa = s2.pa;
	t->readable = t->readable && s2.readable;
	t->writable = t->writable && s2.writable;
	t->executable = t->executable && s2.executable;
	t->device = t->device || s2.device;
	t->s2_shift = s2.shift;
	return true;
}

void iss_translation_abort(struct iss *cpu, uint64_t va, enum iss_access_type type, const struct iss_translation *t)
{
	if (t->stage2)
		iss_stage2_abort(cpu, va, type, t->fsc, t->s1ptw, t->ipa);
	else if (type == AT_EXEC)
		iss_instruction_abort(cpu, va, t->fsc, t->s1ptw);
	else
		iss_data_abort(cpu, va, type, t->fsc, t->s1ptw);
}

/* ---- The software TLB ---- */

#define ASID_A1 (1ull << 22) /* TCR_EL1.A1: TTBR1_EL1 holds the ASID */
#define ASID_AS (1ull << 36) /* TCR_EL1.AS: 16-bit ASIDs, else 8 */
#define TLBI_VA_BITS 44      /* the operand's VA[55:12] */

static uint16_t asid_size_mask(const struct iss *cpu)
{
	return cpu->tcr_el1 & ASID_AS ? 0xffff : 0xff;
}

static uint16_t current_asid(const struct iss *cpu)
{
	uint64_t ttbr = cpu->tcr_el1 & ASID_A1 ? cpu->ttbr1_el1 : cpu->ttbr0_el1;

	return (uint16_t)((ttbr >> 48) & asid_size_mask(cpu));
}

static void drop_entry(struct iss_tlb_entry *e)
{
	e->read = e->write = e->exec = TLB_INVALID;
}

static void empty_set(struct iss_tlb_set *set)
{
	memset(set->entries, 0xff, sizeof(set->entries)); /* every tag TLB_INVALID */
}

/* Whether the set holds the current address space: its ASID, VTTBR_EL2 and stage 2 on or off. */
static bool set_is_current(const struct iss *cpu, const struct iss_tlb_set *set, uint16_t asid)
{
	return set->used && set->asid == asid && set->vttbr == cpu->vttbr_el2 && set->stage2 == iss_stage2_on(cpu, 1);
}

/* The VMID the set's entries were made under. */
static uint16_t set_vmid(const struct iss_tlb_set *set)
{
	return (uint16_t)((set->vttbr >> 48) & 0xff);
}

/* Makes the current address space's set the one the fast path probes, replacing the least recently used. */
static void use_asid_set(struct iss *cpu)
{
	uint16_t asid = current_asid(cpu);
	struct iss_tlb_set *set = NULL;

	if (cpu->tlb_set && set_is_current(cpu, cpu->tlb_set, asid))
		return;
	for (unsigned k = 0; k < TLB_SETS && !set; k++)
		if (set_is_current(cpu, &cpu->tlb_sets[k], asid))
			set = &cpu->tlb_sets[k];
	if (!set) {
		set = &cpu->tlb_sets[0];
		for (unsigned k = 1; k < TLB_SETS; k++)
			if (!cpu->tlb_sets[k].used || (set->used && cpu->tlb_sets[k].last_used < set->last_used))
				set = &cpu->tlb_sets[k];
		empty_set(set);
		set->used = true;
		set->asid = asid;
		set->vttbr = cpu->vttbr_el2;
		set->stage2 = iss_stage2_on(cpu, 1);
	}
	set->last_used = ++cpu->tlb_clock;
	cpu->tlb_set = set;
	cpu->tlbs = set->entries;
	cpu->tlb = cpu->tlbs[cpu->el];
	cpu->code_base = 1; /* translate the PC again */
}

/* Only the set taken next is emptied (use_asid_set): the others are emptied when taken, so a
 * flush writes 64 KiB, not 256, and a new CPU touches one set's pages. */
void iss_tlb_flush(struct iss *cpu)
{
	for (unsigned k = 0; k < TLB_SETS; k++)
		cpu->tlb_sets[k].used = false;
	cpu->tlb_set = NULL;
	use_asid_set(cpu);
}

void iss_tlb_asid_changed(struct iss *cpu)
{
	use_asid_set(cpu);
}

void iss_tlb_stage2_changed(struct iss *cpu)
{
	use_asid_set(cpu);
}

/* Whether the entry translates the VA whose bits 55:12 are `va_page` (a TLBI operand's). */
static bool entry_maps(const struct iss_tlb_entry *e, uint64_t va_page)
{
	uint64_t mask = ones(TLBI_VA_BITS) & ~ones((unsigned)e->shift - PAGE_SHIFT);

	return (e->read != TLB_INVALID || e->write != TLB_INVALID || e->exec != TLB_INVALID) &&
	       (((e->va >> PAGE_SHIFT) ^ va_page) & mask) == 0;
}

/* Drops the set's entries of `va_page` (every 4 KiB piece of a block), or only its global ones. */
static void invalidate_va(struct iss_tlb_set *set, uint64_t va_page, bool only_global)
{
	for (unsigned el = 0; el < 2; el++) /* the EL1&0 regime's entries */
		for (unsigned k = 0; k < TLB_ENTRIES; k++) {
			struct iss_tlb_entry *e = &set->entries[el][k];
			if (entry_maps(e, va_page) && (e->global || !only_global))
				drop_entry(e);
		}
}

enum { TLBI_VMALLE1 = 0, TLBI_VAE1 = 1, TLBI_ASIDE1 = 2, TLBI_VAAE1 = 3, TLBI_VALE1 = 5, TLBI_VAALE1 = 7 };
enum { TLBI_ALLE2 = 0, TLBI_VAE2 = 1, TLBI_ALLE1 = 4, TLBI_VALE2 = 5, TLBI_VMALLS12E1 = 6 };

/* Drops the set's EL2 entries: all of them, or those of `va_page`. */
static void invalidate_el2(struct iss_tlb_set *set, uint64_t va_page, bool all)
{
	for (unsigned k = 0; k < TLB_ENTRIES; k++)
		if (all || entry_maps(&set->entries[2][k], va_page))
			drop_entry(&set->entries[2][k]);
}

/* Drops the set's EL1&0 entries (both stages: an entry holds them at once). */
static void invalidate_el10(struct iss_tlb_set *set)
{
	for (unsigned el = 0; el < 2; el++)
		for (unsigned k = 0; k < TLB_ENTRIES; k++)
			drop_entry(&set->entries[el][k]);
}

#define TLBI_IPA_BITS 36 /* the IPAS2 operand's IPA[47:12] */

/* Drops the set's EL1&0 entries whose stage 2 leaf maps `ipa_page` (IPA[47:12]). Entries hold
 * both stages, so dropping them is what leaves no stale stage 2 behind. */
static void invalidate_ipa(struct iss_tlb_set *set, uint64_t ipa_page)
{
	for (unsigned el = 0; el < 2; el++)
		for (unsigned k = 0; k < TLB_ENTRIES; k++) {
			struct iss_tlb_entry *e = &set->entries[el][k];
			uint64_t mask = ones(TLBI_IPA_BITS) & ~ones((unsigned)e->s2_shift - PAGE_SHIFT);
			bool valid = e->read != TLB_INVALID || e->write != TLB_INVALID || e->exec != TLB_INVALID;
			if (valid && (((e->ipa >> PAGE_SHIFT) ^ ipa_page) & mask) == 0)
				drop_entry(e);
		}
}

enum { TLBI_IPAS2E1 = 1, TLBI_IPAS2LE1 = 5 };

/*
 * The EL2 forms (op1 4): ALLE2, VAE2, VALE2 on the EL2 regime; ALLE1 on EL1&0 of every VMID;
 * VMALLS12E1 on EL1&0 of the issuer's VMID; IPAS2E1 and IPAS2LE1 (CRm 0 and 4) on that VMID's
 * entries of one IPA. `same_vmid`: the set was made under the issuer's VMID.
 */
static void tlbi_el2(struct iss_tlb_set *set, unsigned crm, unsigned op2, uint64_t operand, bool same_vmid)
{
	uint64_t va_page = operand & ones(TLBI_VA_BITS);

	if (crm == 0 || crm == 4) {
		if (same_vmid && (op2 == TLBI_IPAS2E1 || op2 == TLBI_IPAS2LE1))
			invalidate_ipa(set, operand & ones(TLBI_IPA_BITS));
		return;
	}
	switch (op2) {
	case TLBI_ALLE2:
		invalidate_el2(set, va_page, true);
		break;
	case TLBI_VAE2:
	case TLBI_VALE2:
		invalidate_el2(set, va_page, false);
		break;
	case TLBI_ALLE1:
		invalidate_el10(set);
		break;
	case TLBI_VMALLS12E1:
		if (same_vmid)
			invalidate_el10(set);
		break;
	default:
		break;
	}
}

/*
 * By VA: the entries of that VA in the given ASID plus its global ones (VAE1, VALE1), or in
 * every ASID (VAAE1, VAALE1); only leaf entries are cached, so "last level" changes nothing.
 * ASIDE1 drops the ASID's non-global entries. The E1 forms act on the issuer's VMID only.
 * The inner-shareable forms act the same on one CPU. `op` is the SYS operation's op1:CRn:CRm:op2.
 */
void iss_tlbi(struct iss *cpu, unsigned op, uint64_t operand, uint16_t vmid)
{
	unsigned op1 = (op >> 11) & 7, crm = (op >> 3) & 15, op2 = op & 7;
	uint16_t asid = (uint16_t)((operand >> 48) & asid_size_mask(cpu));
	uint64_t va_page = operand & ones(TLBI_VA_BITS);

	cpu->code_base = 1; /* translate the PC again */
	for (unsigned k = 0; k < TLB_SETS; k++) {
		struct iss_tlb_set *set = &cpu->tlb_sets[k];
		bool same_asid = set->asid == asid;
		if (!set->used)
			continue;
		if (op1 == 4) {
			tlbi_el2(set, crm, op2, operand, set_vmid(set) == vmid);
			continue;
		}
		if (op1 == 6) { /* ALLE3, VAE3, VALE3: all of EL3's entries (more than asked for VAs: allowed) */
			for (unsigned e = 0; e < TLB_ENTRIES; e++)
				drop_entry(&set->entries[3][e]);
			continue;
		}
		if (set_vmid(set) != vmid)
			continue; /* the E1 forms: the current VMID's entries only */
		switch (op2) {
		case TLBI_VAE1:
		case TLBI_VALE1:
			invalidate_va(set, va_page, !same_asid);
			break;
		case TLBI_VAAE1:
		case TLBI_VAALE1:
			invalidate_va(set, va_page, false);
			break;
		case TLBI_ASIDE1:
			for (unsigned el = 0; same_asid && el < 2; el++)
				for (unsigned e = 0; e < TLB_ENTRIES; e++)
					if (!set->entries[el][e].global)
						drop_entry(&set->entries[el][e]);
			break;
		default: /* VMALLE1: stage 1 of EL1&0 (entries hold both stages); EL2's entries stay */
			invalidate_el10(set);
			break;
		}
	}
}

void iss_tlb_protect_all(struct iss *cpu)
{
	for (unsigned k = 0; k < TLB_SETS; k++)
		for (unsigned el = 0; el < TLB_ELS && cpu->tlb_sets[k].used; el++)
			for (unsigned e = 0; e < TLB_ENTRIES; e++)
				cpu->tlb_sets[k].entries[el][e].write = TLB_INVALID;
}

/* A ROM device's array changes through its own commands, which no CPU store reaches: never flagged. */
void iss_flag_ram_unwritten(struct iss *cpu)
{
	struct bus_ram found;

	for (size_t index = 0; bus_ram_at(cpu->bus, index, &found); index++) {
		struct iss_ram *ram = found.read_only ? NULL : find_ram(cpu, found.base);
		uint64_t pages = ram ? ((ram->base + (ram->size - 1)) >> PAGE_SHIFT) - ram->first_page + 1 : 0;
		for (uint64_t k = 0; k < pages; k++)
			ram->code_flags[k] |= PAGE_UNWRITTEN;
	}
}

void iss_clear_unwritten(struct iss *cpu, uint64_t pa, uint64_t length)
{
	for (uint64_t page = pa & ~(PAGE_SIZE - 1); length && page < pa + length; page += PAGE_SIZE) {
		struct iss_ram *ram = find_ram(cpu, page);
		if (ram)
			ram->code_flags[(page >> PAGE_SHIFT) - ram->first_page] &= (uint8_t)~PAGE_UNWRITTEN;
	}
}

bool iss_range_unwritten(struct iss *cpu, uint64_t pa, uint64_t length)
{
	struct iss_ram *ram = length ? find_ram(cpu, pa) : NULL;
	uint64_t last = pa + length - 1;

	if (!ram || last < pa || last > ram->base + (ram->size - 1))
		return false;
	for (uint64_t k = (pa >> PAGE_SHIFT) - ram->first_page; k <= (last >> PAGE_SHIFT) - ram->first_page; k++)
		if (!(ram->code_flags[k] & PAGE_UNWRITTEN))
			return false;
	return true;
}

void iss_tlb_protect_page(struct iss *cpu, uint64_t pa_page)
{
	for (unsigned k = 0; k < TLB_SETS; k++)
		for (unsigned el = 0; el < TLB_ELS && cpu->tlb_sets[k].used; el++) /* unused: emptied when taken */
			for (unsigned e = 0; e < TLB_ENTRIES; e++)
				if (cpu->tlb_sets[k].entries[el][e].pa == pa_page)
					cpu->tlb_sets[k].entries[el][e].write = TLB_INVALID;
}

/* Caches the translation of va's page when the page is RAM. Returns the host pointer of va or NULL. */
static uint8_t *tlb_fill(struct iss *cpu, uint64_t va, unsigned el, const struct iss_translation *t)
{
	uint64_t va_page = va & ~(PAGE_SIZE - 1), pa_page = t->pa & ~(PAGE_SIZE - 1);
	struct iss_ram *ram;
	uint8_t *host = iss_ram_host(cpu, pa_page, PAGE_SIZE, t->ns, &ram);
	struct iss_tlb_entry *e = &cpu->tlbs[el][(va >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];

	if (!host)
		return NULL;
	e->read = t->readable ? va_page : TLB_INVALID;
	e->write = t->writable && !page_flags(ram, pa_page) && !ram->read_only ? va_page : TLB_INVALID;
	if (cpu->cluster && iss_cluster_reserved_by_others(cpu, pa_page))
		e->write = TLB_INVALID; /* a store here may clear another CPU's monitor */
	e->exec = t->executable ? va_page : TLB_INVALID;
	e->addend = (uintptr_t)host - (uintptr_t)va_page;
	e->pa = pa_page;
	e->va = va_page;
	e->shift = t->shift;
	e->global = t->global ? 1 : 0;
	e->ipa = t->ipa & ~(PAGE_SIZE - 1);
	e->s2_shift = t->s2_shift;
	e->device = t->device ? 1 : 0;
	if (unlikely(cpu->watch_count) && iss_debug_page_watched(cpu, va_page))
		e->read = e->write = TLB_INVALID; /* every access here is compared with the watchpoints */
	return host + (va - va_page);
}

bool iss_page_flagged(struct iss *cpu, uint64_t pa_page, uint8_t flag)
{
	struct iss_ram *ram = find_ram(cpu, pa_page);

	return !ram || (page_flags(ram, pa_page) & flag);
}

void iss_flag_page(struct iss *cpu, uint64_t pa_page, uint8_t flag)
{
	struct iss_ram *ram = find_ram(cpu, pa_page);

	if (!ram)
		return;
	ram->code_flags[(pa_page >> PAGE_SHIFT) - ram->first_page] |= flag;
	iss_tlb_protect_page(cpu, pa_page);
}

/* ---- Data accesses ---- */

bool iss_alignment_checked(const struct iss *cpu, unsigned el)
{
	uint64_t sctlr = el == 3 ? cpu->sctlr_el3 : el == 2 ? cpu->sctlr_el2 : cpu->sctlr_el1;

	return (!stage1_enabled(cpu, el) && !default_cacheable(cpu, el)) || (sctlr & SCTLR_A);
}

/* Translates a data access, taking the abort on failure. */
static bool translate_data(struct iss *cpu, uint64_t va, enum iss_access_type type, unsigned el,
                           struct iss_translation *t)
{
	if (iss_translate(cpu, va, type, el, t))
		return true;
	iss_translation_abort(cpu, va, type, t);
	return false;
}

/* One access inside one page. */
static bool access_page(struct iss *cpu, uint64_t va, unsigned size, bool write, unsigned el, uint64_t *value)
{
	struct iss_translation t;
	struct iss_ram *ram;
	uint8_t *host;
	enum bus_result result;

	if (!translate_data(cpu, va, write ? AT_WRITE : AT_READ, el, &t))
		return false;
	if ((va & (size - 1)) && t.device) {
		iss_data_abort(cpu, va, write ? AT_WRITE : AT_READ, FSC_ALIGNMENT, false);
		return false;
	}
	host = iss_ram_host(cpu, t.pa, size, t.ns, &ram);
	if (host && !(write && ram->read_only)) { /* a ROM device's stores are commands to it */
		tlb_fill(cpu, va, el, &t);
		if (write) {
			memcpy(host, value, size);
			if (page_flags(ram, t.pa) || cpu->cluster)
				iss_cluster_stored(cpu, t.pa, size, page_flags(ram, t.pa));
		} else {
			*value = 0;
			memcpy(value, host, size);
		}
		return true;
	}
	if (cpu->el3)
		bus_set_access_nonsecure(cpu->bus, t.ns); /* for the GIC's Secure and Non-secure views */
	if (t.ns && cpu->el3 && bus_secure_only(cpu->bus, t.pa)) {
		result = BUS_UNMAPPED; /* as on QEMU: nothing there in the Non-secure address space */
	} else if (write) {
		uint64_t v = size < 8 ? *value & ((1ull << (size * 8)) - 1) : *value;
		result = bus_write(cpu->bus, t.pa, size, v); /* a device sees exactly the bytes stored */
	} else {
		result = bus_read(cpu->bus, t.pa, size, value);
		if (size < 8)
			*value &= (1ull << (size * 8)) - 1;
	}
	if (result != BUS_OK) {
		iss_data_abort(cpu, va, write ? AT_WRITE : AT_READ, FSC_EXTERNAL, false);
		return false;
	}
	return true;
}

static bool data_access(struct iss *cpu, uint64_t va, unsigned size, bool write, unsigned el, uint64_t *value)
{
	if (unlikely(cpu->watch_count) && iss_debug_watch(cpu, va, size, write))
		return false; /* stopped before the access, like a hardware watchpoint */
	if ((va & (size - 1)) && iss_alignment_checked(cpu, el)) {
		iss_data_abort(cpu, va, write ? AT_WRITE : AT_READ, FSC_ALIGNMENT, false);
		return false;
	}
	if (((va & (PAGE_SIZE - 1)) + size) <= PAGE_SIZE)
		return access_page(cpu, va, size, write, el, value);
	/* Unaligned across a page boundary (Normal memory): byte by byte, little-endian. */
	uint64_t result = 0;
	for (unsigned k = 0; k < size; k++) {
		uint64_t byte = write ? (*value >> (8 * k)) & 0xff : 0;
		if (!access_page(cpu, va + k, 1, write, el, &byte))
			return false;
		result |= byte << (8 * k);
	}
	if (!write)
		*value = result;
	return true;
}

bool iss_load_slow(struct iss *cpu, uint64_t va, unsigned size, uint64_t *value)
{
	return data_access(cpu, va, size, false, cpu->el, value);
}

bool iss_store_slow(struct iss *cpu, uint64_t va, unsigned size, uint64_t value)
{
	return data_access(cpu, va, size, true, cpu->el, &value);
}

/* Loads and stores with the permissions of `el` (LDTR/STTR use EL0's at EL1), through that EL's TLB. */
bool iss_load_as(struct iss *cpu, uint64_t va, unsigned size, uint64_t *value, unsigned el)
{
	const struct iss_tlb_entry *e = &cpu->tlbs[el][(va >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];

	if ((va & (~(PAGE_SIZE - 1) | (size - 1))) == e->read) {
		*value = 0;
		memcpy(value, (const void *)(uintptr_t)(va + e->addend), size);
		return true;
	}
	return data_access(cpu, va, size, false, el, value);
}

bool iss_store_as(struct iss *cpu, uint64_t va, unsigned size, uint64_t value, unsigned el)
{
	const struct iss_tlb_entry *e = &cpu->tlbs[el][(va >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];

	if ((va & (~(PAGE_SIZE - 1) | (size - 1))) == e->write) {
		memcpy((void *)(uintptr_t)(va + e->addend), &value, size);
		return true;
	}
	return data_access(cpu, va, size, true, el, &value);
}

uint8_t *iss_data_pointer(struct iss *cpu, uint64_t va, unsigned size, enum iss_access_type type, uint64_t *pa)
{
	struct iss_translation t;
	struct iss_ram *ram;
	uint8_t *host;

	if (!translate_data(cpu, va, type, cpu->el, &t))
		return NULL;
	host = iss_ram_host(cpu, t.pa, size, t.ns, &ram);
	if (!host || (ram->read_only && type != AT_READ)) {
		iss_data_abort(cpu, va, type, FSC_EXTERNAL, false);
		return NULL;
	}
	tlb_fill(cpu, va, cpu->el, &t); /* as any RAM access: the next ones take the fast path */
	*pa = t.pa;
	return host;
}

/* ---- Instruction fetch ---- */

/*
 * Makes the page of the PC the current one: translates it, finds or takes over the decoded
 * page of its physical address. Returns false after taking an exception.
 */
bool iss_enter_page(struct iss *cpu)
{
	uint64_t va_page = cpu->pc & ~(PAGE_SIZE - 1), pa_page;
	struct iss_tlb_entry *e = &cpu->tlb[(cpu->pc >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];
	struct iss_page **slot, *page;
	struct iss_ram *ram;
	uint8_t *host;

	if (cpu->pc & 3) {
		iss_exception_far(cpu, EC_PC_ALIGNMENT, 0, cpu->pc, cpu->pc);
		return false;
	}
	if (e->exec == va_page) {
		host = (uint8_t *)(uintptr_t)(va_page + e->addend);
		pa_page = e->pa;
	} else {
		struct iss_translation t;
		if (!iss_translate(cpu, cpu->pc, AT_EXEC, cpu->el, &t)) {
			iss_translation_abort(cpu, cpu->pc, AT_EXEC, &t);
			return false;
		}
		host = tlb_fill(cpu, cpu->pc, cpu->el, &t);
		if (!host) {
			iss_instruction_abort(cpu, cpu->pc, FSC_EXTERNAL, false); /* only RAM is executable */
			return false;
		}
		host -= cpu->pc - va_page;
		pa_page = t.pa & ~(PAGE_SIZE - 1);
	}
	slot = &cpu->pages[(pa_page >> PAGE_SHIFT) % PAGE_CACHE_SLOTS];
	page = *slot;
	if (!page) {
		page = malloc(sizeof(*page));
		if (!page) {
			iss_fatal(cpu, "out of memory for decoded instructions at pc 0x%016llx",
			          (unsigned long long)cpu->pc);
			return false;
		}
		page->base = ~0ull;
		*slot = page;
	}
	if (page->base != pa_page) {
		for (unsigned k = 0; k < PAGE_INSNS; k++)
			page->insn[k].exec = iss_exec_decode;
		page->base = pa_page;
		ram = find_ram(cpu, pa_page);
		if (ram && !(page_flags(ram, pa_page) & PAGE_HAS_CODE))
			iss_cluster_flag_page(cpu, pa_page, PAGE_HAS_CODE);
	}
	cpu->code = page;
	cpu->code_base = va_page;
	cpu->code_host = host;
	return true;
}

/* ---- AT: address translation into PAR_EL1 ---- */

#define PAR_F   1ull         /* the translation failed */
#define PAR_PTW (1ull << 8)  /* stage 2 failed a stage 1 descriptor read */
#define PAR_S   (1ull << 9)  /* the fault was a stage 2 one */
#define PAR_NS  (1ull << 9)  /* of a result: the output address is Non-secure */
#define PAR_RES1 (1ull << 11)

/*
 * PAR_EL1 gets the PA (the IPA for a stage 1 only AT under stage 2) or the fault. A result's NS
 * bit is the descriptors' NS (and NSTable) from Secure state; from Non-secure state, where the
 * architecture leaves it UNKNOWN, it is 1, as QEMU returns it. A stage 2 fault of a stage 1
 * only AT executed at EL1 is not reported there: it is taken to EL2 (as a cache maintenance
 * access: CM and WnR set), and this returns false.
 */
bool iss_address_translate(struct iss *cpu, uint64_t va, bool write, unsigned el, bool both_stages)
{
	enum iss_access_type type = write ? AT_WRITE : AT_READ;
	struct iss_translation t;
	bool ok = both_stages ? iss_translate(cpu, va, type, el, &t) : stage1(cpu, va, type, el, &t);

	if (ok) {
		uint8_t attr = t.device && (t.attr & 0xf0) ? 0 : t.attr; /* Device at stage 2: Device-nGnRnE */
		cpu->par_el1 = (uint64_t)attr << 56 | (t.pa & OA_MASK & ~0xfffull) | PAR_RES1 | (t.ns ? PAR_NS : 0) |
			       (uint64_t)t.sh << 7;
		return true;
	}
	if (t.stage2 && !both_stages && cpu->el < 2) {
		iss_translation_abort(cpu, va, AT_CACHE, &t);
		return false;
	}
	cpu->par_el1 = PAR_RES1 | (t.stage2 ? PAR_S : 0) | (t.s1ptw ? PAR_PTW : 0) | (uint64_t)t.fsc << 1 | PAR_F;
	return true;
}
