/*
 * A small read-only walker for flattened device trees (DTSpec v0.4, chapter 5): enough
 * for firmware to find its devices in the DTB the loader hands over in x0.
 */
#ifndef QVP_SDK_FDT_H
#define QVP_SDK_FDT_H

#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeedu

/* True if `fdt` starts a well-formed header (magic, version, blocks inside totalsize). */
int fdt_check_header(const void *fdt);

/* Total size in bytes from the header; 0 if the header is not valid. */
uint32_t fdt_total_size(const void *fdt);

/*
 * Finds the first node, in document order, whose status is "okay" (or absent) and whose
 * `compatible` list contains `compatible`, and returns the first (address, size) pair of
 * its `reg` property decoded with the parent's #address-cells / #size-cells.
 * Returns 0 on success, -1 if there is no such node or the tree is malformed.
 * `size` may be NULL.
 */
int fdt_find_compatible_reg(const void *fdt, const char *compatible, uint64_t *base, uint64_t *size);

/* The same for the index-th (address, size) pair of `reg`, e.g. a GIC's CPU interface. */
int fdt_find_compatible_reg_index(const void *fdt, const char *compatible, unsigned index, uint64_t *base,
				  uint64_t *size);

#endif
