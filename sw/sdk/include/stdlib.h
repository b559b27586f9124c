/* The SDK's freestanding subset of <stdlib.h>. */
#ifndef QVP_SDK_STDLIB_H
#define QVP_SDK_STDLIB_H

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

/*
 * Ends the run with `code`: through the qvp simulation-control device when the device
 * tree has one, otherwise PSCI SYSTEM_OFF (QEMU virt powers off; the code is lost).
 */
_Noreturn void exit(int code);

#endif
