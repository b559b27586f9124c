/*
 * Field extraction for the decoders (decode.c, decode_fp.c, decode_simd.c): the Arm ARM's
 * encoding diagrams read as bits(word, hi, lo).
 */
#ifndef QVP_ISS_DECODE_FIELDS_H
#define QVP_ISS_DECODE_FIELDS_H

#include "exception.h"
#include "exec_handlers.h"
#include "iss_state.h"

static inline unsigned bits(uint32_t word, unsigned hi, unsigned lo)
{
	return (word >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static inline unsigned bit(uint32_t word, unsigned n)
{
	return (word >> n) & 1;
}

static inline uint64_t sign_extend(uint64_t value, unsigned width)
{
	unsigned shift = 64 - width;

	return (uint64_t)((int64_t)(value << shift) >> shift);
}

static inline uint64_t ones(unsigned n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

/* Register 31 read as zero, register 31 written to nowhere, register 31 as SP. */
static inline uint8_t zr_source(unsigned r)
{
	return r == 31 ? REG_ZR : (uint8_t)r;
}

static inline uint8_t zr_dest(unsigned r)
{
	return r == 31 ? REG_SINK : (uint8_t)r;
}

static inline uint8_t sp_reg(unsigned r)
{
	return (uint8_t)r;
}

static inline void undefined(struct iss_insn *insn, uint32_t word, enum iss_undefined_reason reason)
{
	insn->exec = iss_exec_undefined;
	insn->imm = word;
	insn->type = (uint8_t)reason;
}

#endif
