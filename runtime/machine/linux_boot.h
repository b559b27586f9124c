/* The arm64 Linux boot protocol (Documentation/arm64/booting.rst): Image, initrd, /chosen. */
#ifndef QVP_LINUX_BOOT_H
#define QVP_LINUX_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "machine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest device tree the protocol allows. */
#define LINUX_BOOT_MAX_FDT (2u << 20)

/*
 * Loads the kernel Image (raw or gzip-compressed) at a 2 MiB aligned base of RAM plus its
 * text_offset, the DTB after it (8-byte aligned, within one 2 MiB block) and the initrd after
 * that; fills /chosen in machine->fdt (bootargs, linux,initrd-start/end, stdout-path) and
 * sets machine->image and machine->fdt_address so the CPU enters the Image with x0 = DTB.
 * `initrd` and `bootargs` may be NULL.
 */
int linux_boot_load(struct machine *machine, const char *kernel, const char *initrd, const char *bootargs);

/* Decompresses gzip `data` into a malloc'd buffer of at most `limit` bytes (for tests too). */
int linux_boot_gunzip(const char *path, const uint8_t *data, size_t size, size_t limit, uint8_t **out,
		      size_t *out_size);

#ifdef __cplusplus
}
#endif
#endif
