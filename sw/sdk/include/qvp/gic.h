/* GICv2 for SDK firmware: find it in the device tree (QEMU virt's addresses without one),
 * switch it on, and configure, acknowledge and end interrupts. Register names: models/gicv2.h. */
#ifndef QVP_SDK_GIC_H
#define QVP_SDK_GIC_H

#include <gicv2.h>
#include <stdbool.h>
#include <stdint.h>

/* Distributor and CPU interface on, both groups, PMR 0xff (nothing masked), BPR 2, every
 * interrupt disabled, in Group 0 and signalled as IRQ. Returns 0, or -1 if there is no GIC. */
int gic_init(void);

uintptr_t gic_dist_base(void);
uintptr_t gic_cpu_base(void);

uint32_t gic_dist_read(uint32_t offset);
void gic_dist_write(uint32_t offset, uint32_t value);
uint32_t gic_cpu_read(uint32_t offset);
void gic_cpu_write(uint32_t offset, uint32_t value);

/* Priority (0 highest, 0xf8 lowest implemented), CPU 0 as target, edge or level, enabled. */
void gic_enable_irq(unsigned id, uint8_t priority, bool edge);
void gic_disable_irq(unsigned id);
void gic_set_pending(unsigned id);
void gic_clear_pending(unsigned id);
bool gic_is_active(unsigned id);
bool gic_is_pending(unsigned id);
void gic_set_group(unsigned id, unsigned group);

/* GICC_IAR (the whole value: an SGI's source CPU is in bits 12:10) and GICC_EOIR. */
uint32_t gic_ack(void);
void gic_eoi(uint32_t iar);

/* An SGI to this CPU (GICD_SGIR, target list filter "this CPU only"). */
void gic_send_sgi_self(unsigned id);

#endif
