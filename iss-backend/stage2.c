/*
 * Stage 2 of the EL1&0 translation regime (VMSAv8-64, v8.0): the IPA a stage 1 walk (or the
 * flat map with stage 1 off) produced goes through the hypervisor's tables at VTTBR_EL2,
 * shaped by VTCR_EL2 (T0SZ, SL0, TG0, PS), to a PA. The descriptors give S2AP (bit 6 read,
 * bit 7 write), XN (bit 54), MemAttr (5:2) and AF; tables carry no attributes. The start
 * level may be up to 16 concatenated tables, as the Arm ARM allows. The walks of stage 1 call
 * this for every descriptor they read (s1ptw), so a fault there is a stage 2 fault with S1PTW.
 */
#include <string.h>

#include "exception.h"
#include "iss_state.h"
#include "mmu.h"
#include "stage2.h"

#define VTTBR_BADDR  0x0000fffffffffffeull
#define VTCR_T0SZ(v) ((unsigned)(v)&63)
#define VTCR_SL0(v)  ((unsigned)((v) >> 6) & 3)
#define VTCR_TG0(v)  ((unsigned)((v) >> 14) & 3)
#define VTCR_PS(v)   ((unsigned)((v) >> 16) & 7)
#define PA_BITS      48 /* ID_AA64MMFR0_EL1.PARange */

#define S2_AF (1ull << 10)
#define S2_XN (1ull << 54)
#define S2_OA 0x0000fffffffff000ull

static inline uint64_t ones(unsigned n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

bool iss_stage2_on(const struct iss *cpu, unsigned el)
{
	if (el >= 2 || !cpu->el2 || !(cpu->hcr_el2 & (HCR_VM | HCR_DC)))
		return false;
	return !cpu->el3 || (cpu->scr_el3 & SCR_NS); /* v8.0 has no Secure EL2 */
}

uint16_t iss_current_vmid(const struct iss *cpu)
{
	return (uint16_t)((cpu->vttbr_el2 >> 48) & 0xff);
}

/* A stage 2 fault: what the abort to EL2 reports (DFSC/IFSC with the level, S1PTW, the IPA). */
static bool stage2_fault(struct iss_translation *t, unsigned fsc, unsigned level, uint64_t ipa, bool s1ptw)
{
	t->fsc = (uint8_t)(fsc + level);
	t->stage2 = true;
	t->s1ptw = s1ptw;
	t->ipa = ipa;
	return false;
}

/* VTCR_EL2.PS as a number of bits, capped at what the CPU implements. */
static unsigned output_bits(uint64_t vtcr)
{
	static const unsigned bits[8] = {32, 36, 40, 42, 44, 48, 48, 48};

	return bits[VTCR_PS(vtcr)] < PA_BITS ? bits[VTCR_PS(vtcr)] : PA_BITS;
}

/* The walk's geometry from VTCR_EL2; false when SL0 and T0SZ do not fit together. */
struct s2_geometry {
	unsigned g, stride, inputsize, start, start_bits;
};

static bool geometry(uint64_t vtcr, struct s2_geometry *w)
{
	unsigned tsz = VTCR_T0SZ(vtcr), tg = VTCR_TG0(vtcr), sl0 = VTCR_SL0(vtcr);
	int start, start_bits;

	w->g = tg == 1 ? 16 : tg == 2 ? 14 : 12;
	w->stride = w->g - 3;
	tsz = tsz < 16 ? 16 : tsz > 39 ? 39 : tsz; /* out-of-range T0SZ: clamped, as for stage 1 */
	w->inputsize = 64 - tsz;
	start = (w->g == 12 ? 2 : 3) - (int)sl0; /* 4K: SL0 0..2 is level 2..0; 16K, 64K: level 3..1 */
	if (start < (w->g == 12 ? 0 : 1))
		return false;
	/* Log2 of the start table's entries: 1 to stride + 4 (up to 16 concatenated tables). */
	start_bits = (int)w->inputsize - ((3 - start) * (int)w->stride + (int)w->g);
	if (start_bits < 1 || start_bits > (int)w->stride + 4)
		return false;
	w->start = (unsigned)start;
	w->start_bits = (unsigned)start_bits;
	return true;
}

/* The leaf's permissions for the access; a stage 1 walk's read needs S2AP read only. */
static bool allowed(const struct iss_stage2 *s2, enum iss_access_type type, bool s1ptw)
{
	if (s1ptw)
		return s2->readable;
	switch (type) {
	case AT_WRITE:
		return s2->writable;
	case AT_EXEC:
		return s2->executable;
	default:
		return s2->readable;
	}
}

bool iss_stage2_translate(struct iss *cpu, uint64_t ipa, enum iss_access_type type, bool s1ptw, struct iss_stage2 *s2,
                          struct iss_translation *t)
{
	struct s2_geometry w;
	unsigned oa_bits = output_bits(cpu->vtcr_el2), level, shift = 0;
	uint64_t base, desc = 0;

	memset(s2, 0, sizeof(*s2));
	if (!(cpu->hcr_el2 & HCR_VM)) { /* HCR_EL2.DC alone: flat, Normal memory */
		s2->pa = ipa;
		s2->readable = s2->writable = s2->executable = true;
		s2->shift = PAGE_SHIFT;
		return true;
	}
	if (!geometry(cpu->vtcr_el2, &w) || (ipa >> w.inputsize))
		return stage2_fault(t, FSC_TRANSLATION, 0, ipa, s1ptw);
	base = cpu->vttbr_el2 & VTTBR_BADDR;
	if (base >> oa_bits)
		return stage2_fault(t, FSC_ADDRESS_SIZE, 0, ipa, s1ptw);
	base &= ~ones(w.start_bits + 3); /* the start table (or tables) aligned to its size */
	for (level = w.start;; level++) {
		unsigned nbits = level == w.start ? w.start_bits : w.stride;
		uint8_t *host;

		shift = w.g + (3 - level) * w.stride;
		host = iss_ram_host(cpu, base + ((ipa >> shift) & ones(nbits)) * 8, 8, true, NULL);
		if (!host)
			return stage2_fault(t, FSC_EXTERNAL_WALK, level, ipa, s1ptw); /* never a host access */
		memcpy(&desc, host, 8);
		if (!(desc & 1) || (level == 3 && !(desc & 2)))
			return stage2_fault(t, FSC_TRANSLATION, level, ipa, s1ptw);
		if (level < 3 && (desc & 2)) { /* table */
			base = desc & S2_OA & ~ones(w.g);
			if (base >> oa_bits)
				return stage2_fault(t, FSC_ADDRESS_SIZE, level, ipa, s1ptw);
			continue;
		}
		if (level < 1 || (level == 1 && w.g != 12))
			return stage2_fault(t, FSC_TRANSLATION, level, ipa, s1ptw); /* no block at this level */
		break;
	}
	s2->pa = (desc & S2_OA & ~ones(shift)) | (ipa & ones(shift));
	if (s2->pa >> oa_bits)
		return stage2_fault(t, FSC_ADDRESS_SIZE, level, ipa, s1ptw);
	if (!(desc & S2_AF))
		return stage2_fault(t, FSC_ACCESS_FLAG, level, ipa, s1ptw);
	s2->readable = (desc >> 6) & 1;
	s2->writable = (desc >> 7) & 1;
	s2->executable = !(desc & S2_XN);
	s2->device = ((desc >> 4) & 3) == 0;
	s2->shift = (uint8_t)shift;
	/* HCR_EL2.PTW: a stage 1 walk into Device memory is a stage 2 permission fault. */
	if (!allowed(s2, type, s1ptw) || (s1ptw && s2->device && (cpu->hcr_el2 & HCR_PTW)))
		return stage2_fault(t, FSC_PERMISSION, level, ipa, s1ptw);
	return true;
}
