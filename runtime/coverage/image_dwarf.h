/*
 * What an image's DWARF says (image_dwarf.c, through libdw): each source line's
 * instructions, each function's entry and each conditional branch, by physical address.
 */
#ifndef QVP_COVERAGE_IMAGE_DWARF_H
#define QVP_COVERAGE_IMAGE_DWARF_H

#include <stdint.h>

/* Told what the image describes; a callback returns -1 (with error_set()) to stop. */
struct image_dwarf_visitor {
	/* The instructions at physical [pa, pa + length) belong to file:line. */
	int (*line_range)(void *opaque, const char *file, unsigned line, uint64_t pa, uint64_t length);
	/* The conditional branch at physical `pa` belongs to file:line. */
	int (*branch)(void *opaque, const char *file, unsigned line, uint64_t pa);
	/* A function declared at file:line starts at physical `pa`. */
	int (*function)(void *opaque, const char *file, unsigned line, const char *name, uint64_t pa);
	void *opaque;
};

/* Reads the ELF at `path`, whose code ran `offset` bytes above its physical addresses;
 * only code in its executable segments is reported (not what --gc-sections dropped). */
int image_dwarf_visit(const char *path, uint64_t offset, const struct image_dwarf_visitor *visitor);

#endif
