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

static int current_el_is_2(void)
{
	uint64_t el;

	__asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
	return ((el >> 2) & 3) == 2;
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
		/* QEMU virt implements PSCI through HVC without EL2, through SMC with it (at EL2 here). */
		register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;
		if (current_el_is_2())
			__asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
		else
			__asm__ volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	}
	sdk_halt();
}
