/* The SystemC peripherals of platforms/virt-sc.dts and its GIC, for the firmware that drives
 * them under qvp-sc (sc_accel.c, sc_reset.c): where they are, and the accelerator's SPI on. */
#ifndef QVP_FIRMWARE_VIRT_SC_H
#define QVP_FIRMWARE_VIRT_SC_H

#include <qvp/fdt.h>
#include <qvp/mmio.h>
#include <qvp/sdk.h>
#include <stdint.h>

#include "gicv2.h"

#define VIRT_SC_GICC_OFFSET 0x10000 /* virt: the CPU interface follows the distributor */

struct virt_sc {
	uintptr_t accel, sram, gicd, gicc;
	unsigned accel_irq; /* the accelerator's SPI as a GIC interrupt ID */
};

/* Fills `board` from the device tree; -1 when it is not virt-sc. */
static inline int virt_sc_find(struct virt_sc *board)
{
	const void *dtb = sdk_platform()->dtb;
	uint64_t accel, sram, gicd;

	if (fdt_find_compatible_reg(dtb, "qvp,sc-accelerator", &accel, NULL) < 0 ||
	    fdt_find_compatible_reg(dtb, "qvp,sc-memory", &sram, NULL) < 0 ||
	    fdt_find_compatible_reg(dtb, "arm,cortex-a15-gic", &gicd, NULL) < 0)
		return -1;
	board->accel = (uintptr_t)accel;
	board->sram = (uintptr_t)sram;
	board->gicd = (uintptr_t)gicd;
	board->gicc = (uintptr_t)gicd + VIRT_SC_GICC_OFFSET;
	board->accel_irq = GICV2_SPI_BASE + 11; /* interrupts = <0 11 4> in virt-sc.dts */
	return 0;
}

/* The GIC passes the accelerator's interrupt to the CPU (group 0, any priority). */
static inline void virt_sc_enable_accel_irq(const struct virt_sc *board)
{
	unsigned id = board->accel_irq;

	mmio_write32(board->gicd + GICD_CTLR, GICD_CTLR_ENABLE_GRP0);
	mmio_write32(board->gicd + GICD_IPRIORITYR + (id & ~3u), 0xa0a0a0a0u);
	mmio_write32(board->gicd + GICD_ITARGETSR + (id & ~3u), 0x01010101u);
	mmio_write32(board->gicd + GICD_ISENABLER + 4 * (id / 32), 1u << (id % 32));
	mmio_write32(board->gicc + GICC_PMR, 0xff);
	mmio_write32(board->gicc + GICC_CTLR, GICC_CTLR_ENABLE_GRP0);
}

#endif
