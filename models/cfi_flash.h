/* CFI parallel flash with the Intel/Sharp command set, as QEMU's pflash_cfi01 serves it on
 * its virt board: each `reg` entry of a "cfi-flash" node is one bank of two x16 devices side
 * by side (bank-width 4), 256 KiB sectors. See models/cfi_flash.c. */
#ifndef QVP_CFI_FLASH_H
#define QVP_CFI_FLASH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CFI_FLASH_SECTOR_SIZE 0x40000u /* QEMU's VIRT_FLASH_SECTOR_SIZE */
#define CFI_FLASH_MAX_BANKS 2          /* reg entries of one node: QEMU's virt has two */

/* Commands (the low byte of a write; the Intel/Sharp set, "CFI 0001"). */
enum cfi_flash_command {
	CFI_READ_ARRAY = 0xff,
	CFI_READ_ARRAY_ZERO = 0x00,  /* QEMU's model takes 0x00 as read array too */
	CFI_AMD_RESET = 0xf0,        /* U-Boot probes for AMD parts with it: read array here */
	CFI_PROGRAM = 0x40,
	CFI_PROGRAM_ALT = 0x10,
	CFI_BLOCK_ERASE = 0x20,
	CFI_BLOCK_ERASE_ALT = 0x28,
	CFI_CONFIRM = 0xd0,          /* erase, buffered program, unlock */
	CFI_CLEAR_STATUS = 0x50,
	CFI_LOCK_SETUP = 0x60,       /* then CFI_CONFIRM (unlock) or CFI_LOCK */
	CFI_LOCK = 0x01,
	CFI_READ_STATUS = 0x70,
	CFI_READ_IDENTIFIER = 0x90,
	CFI_QUERY = 0x98,
	CFI_BUFFERED_PROGRAM = 0xe8,
};

/* Status register bits (per device). */
enum cfi_flash_status {
	CFI_STATUS_READY = 0x80,
	CFI_STATUS_ERASE_ERROR = 0x20,
	CFI_STATUS_PROGRAM_ERROR = 0x10,
};

#define CFI_FLASH_MANUFACTURER 0x89 /* Intel, as QEMU's virt flash (id0) */
#define CFI_FLASH_DEVICE 0x18       /* id1 */

#ifdef __cplusplus
}
#endif
#endif
