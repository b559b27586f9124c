/* The SystemC peripherals of platforms/virt-sc.dts, for the firmware that drives them under
 * qvp-sc (sc_accel.c, sc_reset.c): where they are and which GIC interrupt is the accelerator's. */
#ifndef QVP_FIRMWARE_VIRT_SC_H
#define QVP_FIRMWARE_VIRT_SC_H

#include <gicv2.h>
#include <qvp/fdt.h>
#include <qvp/sdk.h>
#include <stdint.h>

struct virt_sc {
	uintptr_t accel, sram;
	unsigned accel_irq; /* the accelerator's SPI as a GIC interrupt ID */
};

/* Fills `board` from the device tree; -1 when it is not virt-sc. */
static inline int virt_sc_find(struct virt_sc *board)
{
	const void *dtb = sdk_platform()->dtb;
	uint64_t accel, sram;

	if (fdt_find_compatible_reg(dtb, "qvp,sc-accelerator", &accel, NULL) < 0 ||
	    fdt_find_compatible_reg(dtb, "qvp,sc-memory", &sram, NULL) < 0)
		return -1;
	board->accel = (uintptr_t)accel;
	board->sram = (uintptr_t)sram;
	board->accel_irq = GICV2_SPI_BASE + 11; /* interrupts = <0 11 4> in virt-sc.dts */
	return 0;
}

#endif
