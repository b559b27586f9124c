/* The decoders: one instruction word into one struct iss_insn. */
#ifndef QVP_ISS_DECODE_H
#define QVP_ISS_DECODE_H

#include "iss_state.h"

/* Decoder (decode.c): fills *insn for `word`; never fails, unknown encodings get the undefined handler. */
void iss_decode(uint32_t word, struct iss_insn *insn);
/* The SIMD&FP parts of the encoding space, called by iss_decode(). */
void iss_decode_fp(uint32_t word, struct iss_insn *insn);            /* decode_fp.c: scalar FP, conversions */
void iss_decode_fp_load_store(uint32_t word, struct iss_insn *insn); /* decode_fp.c: SIMD&FP loads/stores */
void iss_decode_advsimd(uint32_t word, struct iss_insn *insn);       /* decode_simd.c: AdvSIMD vector and scalar */

#endif
