/* Arm semihosting (Arm's "Semihosting for AArch32 and AArch64", version 2): the calls a guest
 * makes with HLT #0xF000 when `qvp run --semihosting` is given. */
#ifndef QVP_SEMIHOSTING_H
#define QVP_SEMIHOSTING_H

#include <stdbool.h>

#include "cpu.h"

#ifdef __cplusplus
extern "C" {
#endif

struct machine;
struct semihosting;

/*
 * The state of the calls (open files, the last error) for one machine, kept across board
 * resets. `root` is the directory file operations are confined to, or NULL: then every file
 * operation fails with EACCES. `cmdline` is what SYS_GET_CMDLINE returns. NULL when out of memory
 * or the root cannot be opened (error_message() says why).
 */
struct semihosting *semihosting_create(const char *root, const char *cmdline);
void semihosting_destroy(struct semihosting *semihosting);

/* The iss_semihosting_hook; `opaque` is the struct machine. Always handles the call. */
bool semihosting_call(void *opaque, struct cpu *cpu);

#ifdef __cplusplus
}
#endif
#endif
