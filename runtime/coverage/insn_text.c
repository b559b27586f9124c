/* Capstone (Debian's libcapstone) turns instruction words into text. */
#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "insn_text.h"

struct insn_text {
	csh handle;
	cs_insn *insn; /* one decoded instruction, reused (cs_disasm_iter) */
};

struct insn_text *insn_text_create(void)
{
	struct insn_text *text = calloc(1, sizeof(*text));

	if (!text) {
		error_set("out of memory");
		return NULL;
	}
	if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &text->handle) != CS_ERR_OK) {
		free(text);
		error_set("--trace-insns: Capstone cannot disassemble AArch64 here");
		return NULL;
	}
	text->insn = cs_malloc(text->handle);
	if (!text->insn) {
		cs_close(&text->handle);
		free(text);
		error_set("out of memory");
		return NULL;
	}
	return text;
}

void insn_text_destroy(struct insn_text *text)
{
	if (!text)
		return;
	cs_free(text->insn, 1);
	cs_close(&text->handle);
	free(text);
}

void insn_text_disassemble(struct insn_text *text, uint32_t word, uint64_t pc, char *out, size_t size)
{
	uint8_t bytes[4] = { word, word >> 8, word >> 16, word >> 24 }; /* AArch64 code is little-endian */
	const uint8_t *code = bytes;
	size_t length = sizeof(bytes);
	uint64_t address = pc;

	if (!cs_disasm_iter(text->handle, &code, &length, &address, text->insn))
		snprintf(out, size, ".inst 0x%08x", word);
	else if (text->insn->op_str[0])
		snprintf(out, size, "%s %s", text->insn->mnemonic, text->insn->op_str);
	else
		snprintf(out, size, "%s", text->insn->mnemonic);
}
