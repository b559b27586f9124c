/*
 * Decoder of the AdvSIMD encodings, vector and scalar.
 * Not implemented yet: every encoding is UNDEFINED to the guest.
 */
#include "decode_fields.h"

void iss_decode_advsimd(uint32_t word, struct iss_insn *insn)
{
	undefined(insn, word, UNDEF_NOT_IMPLEMENTED);
}
