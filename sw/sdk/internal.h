/* Shared between the SDK's own files; firmware does not include this. */
#ifndef QVP_SDK_INTERNAL_H
#define QVP_SDK_INTERNAL_H

#include <stdint.h>

/* Set once exit() has started, so a fault on the way out halts instead of recursing. */
extern int sdk_exiting;

/* Waits for interrupts forever: the end when nothing can stop the machine. */
_Noreturn void sdk_halt(void);

/* crt0 calls this with its entry x0 before main(). */
void sdk_start(uintptr_t x0);

/* vectors.S calls this for every exception with the saved context (exception.c). */
struct exception_frame;
void sdk_exception_dispatch(struct exception_frame *frame);

#endif
