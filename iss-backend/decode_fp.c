/*
 * Decoder of the scalar floating-point encodings and of the SIMD&FP loads and stores.
 * Not implemented yet: every encoding is UNDEFINED to the guest.
 */
#include "decode_fields.h"

void iss_decode_fp(uint32_t word, struct iss_insn *insn)
{
	undefined(insn, word, UNDEF_NOT_IMPLEMENTED);
}

void iss_decode_fp_load_store(uint32_t word, struct iss_insn *insn)
{
	undefined(insn, word, UNDEF_NOT_IMPLEMENTED);
}
