/*
 * Stage 2 translation of the EL1&0 regime (stage2.c): IPA to PA through VTTBR_EL2 and
 * VTCR_EL2 when HCR_EL2.VM (or DC) is set, with the stage 2 permissions and faults.
 */
#ifndef QVP_ISS_STAGE2_H
#define QVP_ISS_STAGE2_H

#include "iss_state.h"
#include "mmu.h"

/* What stage 2 says about one IPA. */
struct iss_stage2 {
	uint64_t pa;
	bool readable, writable, executable;
	bool device;   /* MemAttr[3:2] = 0: Device memory */
	uint8_t shift; /* log2 of the size the leaf maps, for TLBI IPAS2E1 */
};

/* Whether stage 2 applies to an access at `el`: EL0/EL1, EL2 present, Non-secure, HCR_EL2.VM or DC. */
bool iss_stage2_on(const struct iss *cpu, unsigned el);
/* The current VMID (VTTBR_EL2[55:48]; 8-bit VMIDs). */
uint16_t iss_current_vmid(const struct iss *cpu);
/*
 * Translates `ipa` for an access of `type`, or for the read of a stage 1 descriptor when
 * `s1ptw`. On a fault returns false with t->fsc (level included), t->stage2, t->s1ptw and
 * t->ipa set, as the abort to EL2 reports them. Reads descriptors, writes nothing.
 */
bool iss_stage2_translate(struct iss *cpu, uint64_t ipa, enum iss_access_type type, bool s1ptw, struct iss_stage2 *s2,
                          struct iss_translation *t);

#endif
