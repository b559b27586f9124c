/*
 * The interpreter's state in a snapshot: a plain list of the fields of struct iss that are
 * architectural or shape what the CPU does next, saved one after the other, little-endian.
 * Caches (TLB, decoded pages) are not saved: loading flushes them. The list's names and sizes
 * are hashed into the section, so a snapshot from a qvp with other CPU state is refused.
 */
#include <stddef.h>
#include <string.h>
#include <zlib.h>

#include "arch_state.h"
#include "exception.h"
#include "iss_state.h"
#include "snapshot_state.h"
#include "snapshot_stream.h"

enum field_kind {
	FIELD_INTEGER, /* integers of `element` bytes (1, 2, 4 or 8) */
	FIELD_FLAG,    /* a bool */
	FIELD_BYTES,   /* bytes as they are in memory (V registers: lanes are little-endian) */
};

struct iss_field {
	const char *name;
	size_t offset;
	size_t size;
	size_t element;
	enum field_kind kind;
};

#define MEMBER(f) (((struct iss *)0)->f)
#define INTEGER(f) { #f, offsetof(struct iss, f), sizeof(MEMBER(f)), sizeof(MEMBER(f)), FIELD_INTEGER }
#define INTEGERS(f) { #f, offsetof(struct iss, f), sizeof(MEMBER(f)), sizeof(MEMBER(f)[0]), FIELD_INTEGER }
#define FLAG(f) { #f, offsetof(struct iss, f), sizeof(bool), sizeof(bool), FIELD_FLAG }
#define BYTES(f) { #f, offsetof(struct iss, f), sizeof(MEMBER(f)), 1, FIELD_BYTES }

/* New architectural state of struct iss must be added to this list (one line), or snapshots lose it. */
static const struct iss_field iss_fields[] = {
	INTEGERS(x), INTEGER(pc), INTEGER(nzcv), INTEGER(sp_align),
	BYTES(v), INTEGER(fpcr), INTEGER(fpsr),
	INTEGER(el), INTEGER(daif), FLAG(spsel), FLAG(illegal), INTEGERS(sp_banked),
	FLAG(event_register), FLAG(waiting_for_event), FLAG(irq_line), FLAG(fiq_line), FLAG(virq_line), FLAG(vfiq_line),
	FLAG(attention),
	FLAG(exclusive_valid), INTEGER(exclusive_pa), INTEGER(mpidr_el1),
	INTEGER(sctlr_el1), INTEGER(tcr_el1), INTEGER(ttbr0_el1), INTEGER(ttbr1_el1), INTEGER(mair_el1),
	INTEGER(amair_el1), INTEGER(contextidr_el1), INTEGER(vbar_el1), INTEGER(esr_el1), INTEGER(far_el1),
	INTEGER(elr_el1), INTEGER(spsr_el1), INTEGER(par_el1), INTEGER(cpacr_el1),
	INTEGER(tpidr_el0), INTEGER(tpidr_el1), INTEGER(tpidrro_el0), INTEGER(mdscr_el1), INTEGER(csselr_el1),
	INTEGER(afsr0_el1), INTEGER(afsr1_el1), INTEGER(osdlr_el1), INTEGER(oslsr_el1), INTEGER(mdccint_el1),
	INTEGER(dbgclaim), INTEGERS(dbgbvr), INTEGERS(dbgbcr), INTEGERS(dbgwvr), INTEGERS(dbgwcr),
	FLAG(el2), INTEGER(hcr_el2), INTEGER(sctlr_el2), INTEGER(tcr_el2), INTEGER(ttbr0_el2), INTEGER(mair_el2),
	INTEGER(amair_el2), INTEGER(vbar_el2), INTEGER(elr_el2), INTEGER(spsr_el2), INTEGER(esr_el2),
	INTEGER(far_el2), INTEGER(hpfar_el2), INTEGER(tpidr_el2), INTEGER(actlr_el2), INTEGER(afsr0_el2),
	INTEGER(afsr1_el2), INTEGER(vpidr_el2), INTEGER(vmpidr_el2), INTEGER(cptr_el2), INTEGER(mdcr_el2),
	INTEGER(hstr_el2), INTEGER(cnthctl_el2), INTEGER(vttbr_el2), INTEGER(vtcr_el2),
	INTEGER(pmcr_el0), INTEGER(pmcnten), INTEGER(pmovs), INTEGER(pminten), INTEGER(pmuserenr),
	INTEGER(pmselr), INTEGER(pmccfiltr), INTEGER(pmccntr), INTEGER(pmu_since), INTEGER(pmu_phase),
	INTEGER(exceptions_since_eret), FLAG(loop_start_valid), INTEGER(loop_start_esr),
	INTEGER(loop_start_elr), INTEGER(loop_start_far),
	INTEGER(retired),
};

#define FIELD_COUNT (sizeof(iss_fields) / sizeof(iss_fields[0]))

/* The list's shape: names and sizes, so a snapshot of other CPU state is refused by name. */
static uint32_t layout_signature(void)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	for (size_t k = 0; k < FIELD_COUNT; k++) {
		uint32_t size = (uint32_t)iss_fields[k].size;
		crc = crc32(crc, (const Bytef *)iss_fields[k].name, (uInt)strlen(iss_fields[k].name));
		crc = crc32(crc, (const Bytef *)&size, sizeof(size));
	}
	return (uint32_t)crc;
}

static uint64_t read_element(const uint8_t *p, size_t size)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (size) {
	case 1: memcpy(&u8, p, 1); return u8;
	case 2: memcpy(&u16, p, 2); return u16;
	case 4: memcpy(&u32, p, 4); return u32;
	default: memcpy(&u64, p, 8); return u64;
	}
}

static void write_element(uint8_t *p, size_t size, uint64_t value)
{
	uint8_t u8 = (uint8_t)value;
	uint16_t u16 = (uint16_t)value;
	uint32_t u32 = (uint32_t)value;

	switch (size) {
	case 1: memcpy(p, &u8, 1); break;
	case 2: memcpy(p, &u16, 2); break;
	case 4: memcpy(p, &u32, 4); break;
	default: memcpy(p, &value, 8); break;
	}
}

static void save_field(const struct iss *cpu, const struct iss_field *field, struct snap_writer *w)
{
	const uint8_t *p = (const uint8_t *)cpu + field->offset;

	if (field->kind == FIELD_BYTES) {
		snap_put_bytes(w, p, field->size);
		return;
	}
	if (field->kind == FIELD_FLAG) {
		snap_put_bool(w, *(const bool *)(const void *)p);
		return;
	}
	for (size_t at = 0; at < field->size; at += field->element) {
		uint64_t value = read_element(p + at, field->element);
		for (size_t byte = 0; byte < field->element; byte++)
			snap_put_u8(w, (uint8_t)(value >> (8 * byte)));
	}
}

static void load_field(struct iss *cpu, const struct iss_field *field, struct snap_reader *r)
{
	uint8_t *p = (uint8_t *)cpu + field->offset;

	if (field->kind == FIELD_BYTES) {
		snap_get_bytes(r, p, field->size);
		return;
	}
	if (field->kind == FIELD_FLAG) {
		*(bool *)(void *)p = snap_get_bool(r);
		return;
	}
	for (size_t at = 0; at < field->size; at += field->element) {
		uint64_t value = 0;
		for (size_t byte = 0; byte < field->element; byte++)
			value |= (uint64_t)snap_get_u8(r) << (8 * byte);
		write_element(p + at, field->element, value);
	}
}

void iss_snapshot_save(const struct cpu *base, struct snap_writer *w)
{
	const struct iss *cpu = to_iss(base);

	snap_put_u32(w, layout_signature());
	for (size_t k = 0; k < FIELD_COUNT; k++)
		save_field(cpu, &iss_fields[k], w);
}

/* Values the interpreter indexes or shifts by: out of range, they would be host accesses. */
static void check_ranges(struct iss *cpu, struct snap_reader *r)
{
	size_t levels = sizeof(cpu->tlb_sets[0].entries) / sizeof(cpu->tlb_sets[0].entries[0]);

	if (cpu->el >= levels)
		snap_fail(r, "CPU at EL%u (this interpreter runs EL0 to EL%zu)", cpu->el, levels - 1);
	if (cpu->nzcv > 0xf || cpu->daif > 0xf)
		snap_fail(r, "NZCV 0x%x or DAIF 0x%x out of range", cpu->nzcv, cpu->daif);
	if (cpu->x[REG_ZR] != 0)
		snap_fail(r, "the zero register holds a value");
}

void iss_snapshot_load(struct cpu *base, struct snap_reader *r)
{
	struct iss *cpu = to_iss(base);

	if (snap_get_u32(r) != layout_signature()) {
		snap_fail(r, "the CPU state was saved by a qvp whose interpreter keeps other registers");
		return;
	}
	for (size_t k = 0; k < FIELD_COUNT && !r->failed; k++)
		load_field(cpu, &iss_fields[k], r);
	check_ranges(cpu, r);
	if (r->failed) { /* a fresh CPU's state again is not needed: the machine is thrown away */
		cpu->el = 0;
		cpu->x[REG_ZR] = 0;
		cpu->nzcv = cpu->daif = 0;
	}
	iss_forget_decoded_code(cpu); /* and the TLB, which then serves the loaded EL and ASID */
	iss_update_attention(cpu);
}
