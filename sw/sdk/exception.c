/* Exception dispatch: vectors.S saves the context and calls sdk_exception_dispatch(), which runs
 * the handler installed for the kind of exception, or reports it and ends the run. */
#include "internal.h"
#include <qvp/exception.h>
#include <qvp/sdk.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The frame layout is shared with vectors.S. */
_Static_assert(offsetof(struct exception_frame, sp_el0) == 248, "frame layout of vectors.S");
_Static_assert(offsetof(struct exception_frame, elr) == 256, "frame layout of vectors.S");
_Static_assert(offsetof(struct exception_frame, esr) == 272, "frame layout of vectors.S");
_Static_assert(offsetof(struct exception_frame, vector) == 288, "frame layout of vectors.S");
_Static_assert(sizeof(struct exception_frame) <= 304, "frame size of vectors.S");

static const char *const kinds[4] = {"synchronous", "IRQ", "FIQ", "SError"};
static const char *const origins[4] = {"EL1t", "EL1h", "EL0 AArch64", "EL0 AArch32"};

static exception_handler handlers[4];

void exception_set_handler(enum exception_kind kind, exception_handler handler)
{
	if ((unsigned)kind < 4)
		handlers[kind] = handler;
}

/* The default: report the exception on the UART and end the run. */
static _Noreturn void report(const struct exception_frame *frame)
{
	if (sdk_exiting)
		sdk_halt(); /* e.g. HVC is undefined on this CPU: nothing more to try */
	printf("qvp-sdk: unexpected %s exception from %s: ESR_EL1=0x%08llx ELR_EL1=0x%llx "
	       "FAR_EL1=0x%llx\n",
	       kinds[frame->vector & 3], origins[(frame->vector >> 2) & 3], (unsigned long long)frame->esr,
	       (unsigned long long)frame->elr, (unsigned long long)frame->far);
	exit(SDK_EXIT_EXCEPTION);
}

void sdk_exception_dispatch(struct exception_frame *frame)
{
	exception_handler handler = handlers[frame->vector & 3];

	if (handler == NULL)
		report(frame);
	handler(frame);
}
