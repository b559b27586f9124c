/* Start-up in C: find the devices in the device tree the loader passed in x0. */
#include "internal.h"
#include <qvp/fdt.h>
#include <qvp/mmio.h>
#include <qvp/sdk.h>
#include <qvp/uart.h>
#include <sim_control.h>
#include <stddef.h>

/* QEMU virt's PL011, used when there is no device tree (QEMU passes x0 = 0 for ELF images). */
#define DEFAULT_UART_BASE 0x09000000u

/* From the linker script. */
extern const char __ram_start[], __ram_end[];

static struct sdk_platform platform = {.uart_base = DEFAULT_UART_BASE};

const struct sdk_platform *sdk_platform(void)
{
	return &platform;
}

/* Only dereference x0 if it points into RAM with room for a header: it may be garbage. */
static const void *valid_dtb(uintptr_t x0)
{
	uintptr_t lo = (uintptr_t)__ram_start, hi = (uintptr_t)__ram_end;
	if (x0 < lo || x0 >= hi || hi - x0 < 64)
		return NULL;
	const void *dtb = (const void *)x0;
	if (!fdt_check_header(dtb) || fdt_total_size(dtb) > hi - x0)
		return NULL;
	return dtb;
}

void sdk_start(uintptr_t x0)
{
	platform.dtb = valid_dtb(x0);
	if (platform.dtb != NULL) {
		uint64_t base;
		if (fdt_find_compatible_reg(platform.dtb, "arm,pl011", &base, NULL) == 0)
			platform.uart_base = (uintptr_t)base;
		/* Trust the device only if it answers with its ID. */
		if (fdt_find_compatible_reg(platform.dtb, "qvp,sim-control", &base, NULL) == 0 &&
		    mmio_read32((uintptr_t)base + SIM_CONTROL_ID) == SIM_CONTROL_ID_VALUE)
			platform.sim_control_base = (uintptr_t)base;
	}
	uart_init(platform.uart_base);
}
