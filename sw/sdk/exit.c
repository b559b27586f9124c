/* Ending the run: qvp's simulation-control device, else PSCI SYSTEM_OFF, else halt. */
#include "internal.h"
#include <qvp/mmio.h>
#include <qvp/sdk.h>
#include <qvp/uart.h>
#include <sim_control.h>
#include <stdlib.h>

#define PSCI_SYSTEM_OFF 0x84000008u

int sdk_exiting;

_Noreturn void sdk_halt(void)
{
	for (;;)
		cpu_wfi();
}

_Noreturn void exit(int code)
{
	const struct sdk_platform *p = sdk_platform();

	if (sdk_exiting)
		sdk_halt();
	sdk_exiting = 1;
	uart_flush();
	if (p->sim_control_base != 0) {
		mmio_write32(p->sim_control_base + SIM_CONTROL_EXIT, (uint32_t)code);
	} else {
		/* QEMU virt without EL2 implements PSCI at EL1 through HVC. */
		register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;
		__asm__ volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	}
	sdk_halt();
}
