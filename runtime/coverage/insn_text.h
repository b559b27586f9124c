/* Disassembly of one AArch64 instruction word, for the instruction trace (Capstone). */
#ifndef QVP_INSN_TEXT_H
#define QVP_INSN_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define INSN_TEXT_MAX 160

struct insn_text;

/* NULL with error_set() when the disassembler cannot start (or qvp was built without one). */
struct insn_text *insn_text_create(void);
void insn_text_destroy(struct insn_text *text);

/* "mnemonic operands" of `word` at `pc` (branch targets are absolute); ".inst 0x..." for a
 * word the disassembler does not know, as objdump writes it. */
void insn_text_disassemble(struct insn_text *text, uint32_t word, uint64_t pc, char *out, size_t size);

#endif
