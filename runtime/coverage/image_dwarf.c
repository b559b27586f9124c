/* DWARF line tables and functions of an ELF image, by physical address (image_dwarf.h). */
#include "image_dwarf.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "loader.h"

#define MAX_SEGMENTS 16

/* An executable PT_LOAD segment: where its bytes are in the file and where they ran. */
struct code_segment {
	uint64_t vaddr, paddr, size;
	const uint8_t *bytes;
};

struct image_code {
	const char *path;
	uint64_t offset;
	struct code_segment segments[MAX_SEGMENTS];
	size_t segment_count;
	const struct image_dwarf_visitor *visitor;
};

static const struct code_segment *segment_of(const struct image_code *code, uint64_t vaddr)
{
	for (size_t k = 0; k < code->segment_count; k++)
		if (vaddr - code->segments[k].vaddr < code->segments[k].size)
			return &code->segments[k];
	return NULL;
}

static int read_segments(Elf *elf, const uint8_t *file, size_t file_size, struct image_code *code)
{
	size_t count;

	if (elf_getphdrnum(elf, &count) != 0)
		return error_set("--coverage-image %s: not an ELF executable (%s)", code->path, elf_errmsg(-1));
	for (size_t k = 0; k < count && code->segment_count < MAX_SEGMENTS; k++) {
		GElf_Phdr phdr;
		if (!gelf_getphdr(elf, (int)k, &phdr) || phdr.p_type != PT_LOAD || !(phdr.p_flags & PF_X))
			continue;
		if (phdr.p_offset > file_size || phdr.p_filesz > file_size - phdr.p_offset)
			return error_set("--coverage-image %s: segment %zu lies outside the file", code->path, k);
		code->segments[code->segment_count++] = (struct code_segment){
			.vaddr = phdr.p_vaddr, .paddr = phdr.p_paddr, .size = phdr.p_filesz,
			.bytes = file + phdr.p_offset };
	}
	return 0;
}

/* B.cond, CBZ/CBNZ, TBZ/TBNZ: the instructions whose two directions are branch coverage. */
static bool is_conditional_branch(uint32_t word)
{
	return (word & 0xff000010u) == 0x54000000u || (word & 0x7e000000u) == 0x34000000u ||
	       (word & 0x7e000000u) == 0x36000000u;
}

/* The instructions of [vaddr, end) of one segment belong to file:line. */
static int visit_range(const struct image_code *code, const char *file, unsigned line, uint64_t vaddr, uint64_t end)
{
	const struct code_segment *segment = segment_of(code, vaddr);
	uint64_t pa;

	if (!segment || end - segment->vaddr > segment->size || end <= vaddr)
		return 0; /* not loaded code (a section --gc-sections dropped lies at 0) */
	pa = vaddr - segment->vaddr + segment->paddr + code->offset;
	if (code->visitor->line_range(code->visitor->opaque, file, line, pa, end - vaddr) < 0)
		return -1;
	for (uint64_t at = (vaddr + 3) & ~3ull; at + 4 <= end; at += 4) {
		const uint8_t *b = segment->bytes + (at - segment->vaddr);
		uint32_t word = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
		if (is_conditional_branch(word) &&
		    code->visitor->branch(code->visitor->opaque, file, line, pa + (at - vaddr)) < 0)
			return -1;
	}
	return 0;
}

/* Each row of a line table owns the addresses up to the next row of its sequence. */
static int visit_lines(const struct image_code *code, Dwarf_Die *cu)
{
	Dwarf_Lines *lines;
	size_t count;

	if (dwarf_getsrclines(cu, &lines, &count) != 0)
		return 0; /* a unit without a line table */
	for (size_t k = 0; k + 1 < count; k++) {
		Dwarf_Line *row = dwarf_onesrcline(lines, k), *next = dwarf_onesrcline(lines, k + 1);
		Dwarf_Addr start, end;
		bool end_sequence;
		int line;
		const char *file;
		if (dwarf_lineendsequence(row, &end_sequence) != 0 || end_sequence || dwarf_lineno(row, &line) != 0 ||
		    line <= 0 || dwarf_lineaddr(row, &start) != 0 || dwarf_lineaddr(next, &end) != 0)
			continue;
		file = dwarf_linesrc(row, NULL, NULL);
		if (file && visit_range(code, file, (unsigned)line, start, end) < 0)
			return -1;
	}
	return 0;
}

static int visit_function(const struct image_code *code, Dwarf_Die *die)
{
	const char *name = dwarf_diename(die), *file = dwarf_decl_file(die);
	const struct code_segment *segment;
	Dwarf_Addr low;
	int line;

	if (!name || !file || dwarf_decl_line(die, &line) != 0 || dwarf_lowpc(die, &low) != 0)
		return 0; /* a declaration, or inlined everywhere */
	segment = segment_of(code, low);
	if (!segment)
		return 0;
	return code->visitor->function(code->visitor->opaque, file, (unsigned)line, name,
				       low - segment->vaddr + segment->paddr + code->offset);
}

static int visit_functions(const struct image_code *code, Dwarf_Die *cu)
{
	Dwarf_Die die;

	if (dwarf_child(cu, &die) != 0)
		return 0;
	do {
		if (dwarf_tag(&die) == DW_TAG_subprogram && visit_function(code, &die) < 0)
			return -1;
	} while (dwarf_siblingof(&die, &die) == 0);
	return 0;
}

static int visit_units(const struct image_code *code, Dwarf *dwarf)
{
	Dwarf_Off offset = 0, next;
	size_t header_size;

	while (dwarf_nextcu(dwarf, offset, &next, &header_size, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		if (dwarf_offdie(dwarf, offset + header_size, &cu) &&
		    (visit_lines(code, &cu) < 0 || visit_functions(code, &cu) < 0))
			return -1;
		offset = next;
	}
	return 0;
}

int image_dwarf_visit(const char *path, uint64_t offset, const struct image_dwarf_visitor *visitor)
{
	struct image_code code = { .path = path, .offset = offset, .visitor = visitor };
	uint8_t *file;
	size_t size;
	Elf *elf;
	Dwarf *dwarf;
	int result;

	if (loader_read_file(path, &file, &size) < 0)
		return error_set("--coverage-image: %s", error_message());
	elf_version(EV_CURRENT);
	elf = elf_memory((char *)file, size);
	result = elf ? read_segments(elf, file, size, &code) : error_set("--coverage-image %s: not an ELF file", path);
	dwarf = result == 0 ? dwarf_begin_elf(elf, DWARF_C_READ, NULL) : NULL;
	if (result == 0 && !dwarf)
		result = error_set("--coverage-image %s: no DWARF debug information (build it with -g)", path);
	if (dwarf)
		result = visit_units(&code, dwarf);
	dwarf_end(dwarf);
	elf_end(elf);
	free(file);
	return result;
}
