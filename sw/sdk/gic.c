/* GICv2 driver for SDK firmware (see <qvp/gic.h>). */
#include <qvp/fdt.h>
#include <qvp/gic.h>
#include <qvp/mmio.h>
#include <qvp/sdk.h>

#define VIRT_GICD 0x08000000u /* QEMU virt, when there is no device tree */
#define VIRT_GICC 0x08010000u

static uintptr_t dist = VIRT_GICD, cpu = VIRT_GICC;

uintptr_t gic_dist_base(void)
{
	return dist;
}

uintptr_t gic_cpu_base(void)
{
	return cpu;
}

uint32_t gic_dist_read(uint32_t offset)
{
	return mmio_read32(dist + offset);
}

void gic_dist_write(uint32_t offset, uint32_t value)
{
	mmio_write32(dist + offset, value);
}

uint32_t gic_cpu_read(uint32_t offset)
{
	return mmio_read32(cpu + offset);
}

void gic_cpu_write(uint32_t offset, uint32_t value)
{
	mmio_write32(cpu + offset, value);
}

static int find(const char *compatible)
{
	const void *dtb = sdk_platform()->dtb;
	uint64_t d, c;

	if (!dtb || fdt_find_compatible_reg_index(dtb, compatible, 0, &d, 0) != 0 ||
	    fdt_find_compatible_reg_index(dtb, compatible, 1, &c, 0) != 0)
		return -1;
	dist = (uintptr_t)d;
	cpu = (uintptr_t)c;
	return 0;
}

int gic_init(void)
{
	if (sdk_platform()->dtb && find("arm,cortex-a15-gic") != 0 && find("arm,gic-400") != 0)
		return -1;
	gic_dist_write(GICD_CTLR, 0);
	unsigned lines = 32 * ((gic_dist_read(GICD_TYPER) & 0x1f) + 1);
	for (unsigned i = 0; i < lines / 32; i++) {
		gic_dist_write(GICD_ICENABLER + 4 * i, 0xffffffff);
		gic_dist_write(GICD_ICPENDR + 4 * i, 0xffffffff);
		gic_dist_write(GICD_ICACTIVER + 4 * i, 0xffffffff);
		gic_dist_write(GICD_IGROUPR + 4 * i, 0);
	}
	gic_dist_write(GICD_CTLR, GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
	gic_cpu_write(GICC_PMR, 0xff);
	gic_cpu_write(GICC_BPR, 2);
	gic_cpu_write(GICC_CTLR, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1);
	return 0;
}

static void set_byte(uint32_t offset, unsigned id, uint8_t value)
{
	*(volatile uint8_t *)(dist + offset + id) = value;
}

static void set_bit(uint32_t offset, unsigned id)
{
	gic_dist_write(offset + 4 * (id / 32), 1u << (id % 32));
}

static bool test_bit(uint32_t offset, unsigned id)
{
	return gic_dist_read(offset + 4 * (id / 32)) >> (id % 32) & 1;
}

void gic_enable_irq(unsigned id, uint8_t priority, bool edge)
{
	set_byte(GICD_IPRIORITYR, id, priority);
	if (id >= 32)
		set_byte(GICD_ITARGETSR, id, 1);
	if (id >= 16) {
		uint32_t offset = GICD_ICFGR + 4 * (id / 16), shift = 2 * (id % 16) + 1;
		uint32_t cfg = gic_dist_read(offset) & ~(1u << shift);
		gic_dist_write(offset, cfg | (uint32_t)edge << shift);
	}
	set_bit(GICD_ISENABLER, id);
}

void gic_disable_irq(unsigned id)
{
	set_bit(GICD_ICENABLER, id);
}

void gic_set_pending(unsigned id)
{
	set_bit(GICD_ISPENDR, id);
}

void gic_clear_pending(unsigned id)
{
	set_bit(GICD_ICPENDR, id);
}

bool gic_is_active(unsigned id)
{
	return test_bit(GICD_ISACTIVER, id);
}

bool gic_is_pending(unsigned id)
{
	return test_bit(GICD_ISPENDR, id);
}

void gic_set_group(unsigned id, unsigned group)
{
	uint32_t offset = GICD_IGROUPR + 4 * (id / 32);
	uint32_t value = gic_dist_read(offset) & ~(1u << (id % 32));
	gic_dist_write(offset, value | (group & 1u) << (id % 32));
}

uint32_t gic_ack(void)
{
	return gic_cpu_read(GICC_IAR);
}

void gic_eoi(uint32_t iar)
{
	gic_cpu_write(GICC_EOIR, iar);
}

void gic_send_sgi_self(unsigned id)
{
	gic_dist_write(GICD_SGIR, GICD_SGIR_FILTER_SELF | (id & 0xf));
}
