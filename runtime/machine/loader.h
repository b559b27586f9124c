/* Loads guest images into RAM: ELF64 AArch64 executables (libelf) and raw binaries. */
#ifndef QVP_LOADER_H
#define QVP_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "bus.h"

#ifdef __cplusplus
extern "C" {
#endif

struct symbol {
	char *name;
	uint64_t address;
	uint64_t size;
};

struct image {
	uint64_t entry;
	uint64_t low;   /* lowest loaded address */
	uint64_t high;  /* one past the highest loaded address */
	struct symbol *symbols; /* functions and objects, sorted by address */
	size_t symbol_count;
};

/* Copies every PT_LOAD segment into RAM (BSS zeroed); fails with a precise message otherwise. */
int loader_load_elf(struct bus *bus, const char *path, struct image *image);
int loader_load_raw(struct bus *bus, const char *path, uint64_t address, struct image *image);
void image_release(struct image *image);

/* Reads a whole regular file into a malloc'd buffer (the caller frees it). */
int loader_read_file(const char *path, uint8_t **data, size_t *size);

const struct symbol *image_find_symbol(const struct image *image, const char *name);
/* The symbol whose [address, address + size) holds `address`, or NULL. */
const struct symbol *image_symbol_at(const struct image *image, uint64_t address);
/* " (main+0x1c)" for an address inside a symbol, "" otherwise (or without an image): the
 * suffix a message puts after the address. */
void image_name_address(const struct image *image, uint64_t address, char *buffer, size_t size);

#ifdef __cplusplus
}
#endif
#endif
