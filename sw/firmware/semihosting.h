/* Arm semihosting calls from AArch64 firmware: HLT #0xF000 with the operation in W0 and the
 * parameter (usually a block's address) in X1; the result comes back in X0. */
#ifndef QVP_FIRMWARE_SEMIHOSTING_H
#define QVP_FIRMWARE_SEMIHOSTING_H

#include <stdint.h>

enum {
	SYS_OPEN = 0x01, SYS_CLOSE = 0x02, SYS_WRITEC = 0x03, SYS_WRITE0 = 0x04, SYS_WRITE = 0x05,
	SYS_READ = 0x06, SYS_READC = 0x07, SYS_ISTTY = 0x09, SYS_SEEK = 0x0a, SYS_FLEN = 0x0c,
	SYS_REMOVE = 0x0e, SYS_CLOCK = 0x10, SYS_TIME = 0x11, SYS_ERRNO = 0x13, SYS_GET_CMDLINE = 0x15,
	SYS_HEAPINFO = 0x16, SYS_EXIT = 0x18, SYS_EXIT_EXTENDED = 0x20, SYS_ELAPSED = 0x30, SYS_TICKFREQ = 0x31,
};

#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define OPEN_READ 0   /* "r" */
#define OPEN_READ_WRITE 2 /* "r+" */
#define OPEN_WRITE 4  /* "w" */

static inline int64_t semihost(uint64_t operation, uint64_t parameter)
{
	register uint64_t x0 __asm__("x0") = operation;
	register uint64_t x1 __asm__("x1") = parameter;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	return (int64_t)x0;
}

static inline int64_t semihost_block(uint64_t operation, const uint64_t *block)
{
	return semihost(operation, (uint64_t)(uintptr_t)block);
}

#endif
