/* A qvp built without Capstone (the static build): --trace-insns says so. */
#include <stdio.h>

#include "error.h"
#include "insn_text.h"

struct insn_text *insn_text_create(void)
{
	error_set("--trace-insns: this qvp was built without Capstone (Debian: libcapstone-dev)");
	return NULL;
}

void insn_text_destroy(struct insn_text *text)
{
	(void)text;
}

void insn_text_disassemble(struct insn_text *text, uint32_t word, uint64_t pc, char *out, size_t size)
{
	(void)text;
	(void)pc;
	snprintf(out, size, ".inst 0x%08x", word);
}
