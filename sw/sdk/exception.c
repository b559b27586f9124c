/* Exceptions the firmware did not expect: report them on the UART and end the run. */
#include "internal.h"
#include <qvp/sdk.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const kinds[4] = {"synchronous", "IRQ", "FIQ", "SError"};
static const char *const origins[4] = {"EL1t", "EL1h", "EL0 AArch64", "EL0 AArch32"};

/* Called from vectors.S; `vector` is the entry's index in the table (0..15). */
_Noreturn void sdk_exception(uint64_t vector, uint64_t esr, uint64_t elr, uint64_t far)
{
	if (sdk_exiting)
		sdk_halt(); /* e.g. HVC is undefined on this CPU: nothing more to try */
	printf("qvp-sdk: unexpected %s exception from %s: ESR_EL1=0x%08llx ELR_EL1=0x%llx "
	       "FAR_EL1=0x%llx\n",
	       kinds[vector & 3], origins[(vector >> 2) & 3], (unsigned long long)esr, (unsigned long long)elr,
	       (unsigned long long)far);
	exit(SDK_EXIT_EXCEPTION);
}
