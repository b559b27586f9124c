/*
 * The instruction syndrome of a stage 2 data abort (ESR_EL2.ISS[24:14], the Arm ARM's "ISS
 * encoding for an exception from a Data Abort"): given, with ISV = 1, for loads and stores of
 * one general-purpose register without writeback (LDR/STR and their byte, halfword, signed,
 * unscaled, unprivileged, register-offset and literal forms, LDAR/STLR), and for nothing else
 * (pairs, exclusives, SIMD&FP, writeback forms). The handlers do not carry it: it is decoded
 * again from the word at the PC, which is the faulting instruction when an abort is taken.
 */
#include <string.h>

#include "syndrome.h"

#define ISV       (1u << 24)
#define SAS(size) ((uint32_t)(size) << 22)
#define SSE       (1u << 21)
#define SRT(rt)   ((uint32_t)(rt) << 16)
#define SF        (1u << 15)
#define AR        (1u << 14)

static unsigned bits(uint32_t word, unsigned high, unsigned low)
{
	return (word >> low) & ((1u << (high - low + 1)) - 1);
}

/* size log2 and opc (00 store, 01 load, 10 signed to 64 bits, 11 signed to 32 bits) of LDR/STR forms. */
static uint32_t register_form(unsigned size, unsigned opc, unsigned rt)
{
	uint32_t syndrome = ISV | SAS(size) | SRT(rt);

	if (opc == 2 && size == 3)
		return 0; /* PRFM: never faults */
	if (opc == 3 && size >= 2)
		return 0; /* unallocated */
	if (opc >= 2)
		return syndrome | SSE | (opc == 2 ? SF : 0);
	return syndrome | (size == 3 ? SF : 0);
}

/* Load/store register (op0 xx111, V 0): unsigned offset, unscaled, unprivileged, register offset. */
static uint32_t load_store_register(uint32_t word)
{
	unsigned size = bits(word, 31, 30), opc = bits(word, 23, 22), rt = bits(word, 4, 0);

	if (bits(word, 25, 24) == 1)
		return register_form(size, opc, rt); /* unsigned offset */
	if (bits(word, 25, 24) != 0)
		return 0;
	if (!bits(word, 21, 21)) {
		unsigned form = bits(word, 11, 10); /* 00 unscaled, 01 post-index, 10 unprivileged, 11 pre-index */
		return form == 0 || form == 2 ? register_form(size, opc, rt) : 0;
	}
	return bits(word, 11, 10) == 2 ? register_form(size, opc, rt) : 0; /* register offset; else atomics */
}

/* LDR (literal): opc 00 W, 01 X, 10 LDRSW, 11 PRFM. */
static uint32_t load_literal(uint32_t word)
{
	unsigned opc = bits(word, 31, 30), rt = bits(word, 4, 0);

	switch (opc) {
	case 0:
		return ISV | SAS(2) | SRT(rt);
	case 1:
		return ISV | SAS(3) | SRT(rt) | SF;
	case 2:
		return ISV | SAS(2) | SSE | SRT(rt) | SF;
	default:
		return 0;
	}
}

/* LDAR and STLR (o2 1, o1 0, o0 1): acquire/release, no writeback; exclusives have no syndrome. */
static uint32_t load_store_ordered(uint32_t word)
{
	unsigned size = bits(word, 31, 30), rt = bits(word, 4, 0);

	if (!bits(word, 23, 23) || bits(word, 21, 21) || !bits(word, 15, 15))
		return 0;
	return ISV | SAS(size) | SRT(rt) | (size == 3 ? SF : 0) | AR;
}

uint32_t iss_load_store_syndrome_of(uint32_t word)
{
	if (bits(word, 26, 26))
		return 0; /* SIMD&FP registers */
	if (bits(word, 29, 27) == 7)
		return load_store_register(word);
	if (bits(word, 29, 27) == 3 && bits(word, 25, 24) == 0)
		return load_literal(word);
	if (bits(word, 29, 24) == 8)
		return load_store_ordered(word);
	return 0;
}

uint32_t iss_load_store_syndrome(const struct iss *cpu)
{
	uint64_t offset = cpu->pc - cpu->code_base;
	uint32_t word;

	if (offset >= PAGE_SIZE || !cpu->code_host)
		return 0; /* the PC's page is not the current one: no syndrome rather than a wrong one */
	memcpy(&word, cpu->code_host + offset, 4);
	return iss_load_store_syndrome_of(word);
}
