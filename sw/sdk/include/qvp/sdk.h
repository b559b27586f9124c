/* What the SDK found at start-up, for firmware that wants to look at its platform. */
#ifndef QVP_SDK_H
#define QVP_SDK_H

#include <stdint.h>

struct sdk_platform {
	const void *dtb;            /* the valid DTB passed in x0, or NULL */
	uintptr_t uart_base;        /* PL011 in use */
	uintptr_t sim_control_base; /* qvp simulation-control device, or 0 if absent */
};

/* Filled in by crt0 before main() runs. */
const struct sdk_platform *sdk_platform(void);

/* Exit code used when the CPU takes an exception the SDK does not handle. */
#define SDK_EXIT_EXCEPTION 0x7f

#endif
