/* GICv2 (GIC-400 programmer's model) for one CPU, without the Security Extensions: the view a
 * guest at EL1 of the virt board has, as on QEMU's `-M virt`. Interrupts are in Group 0 or
 * Group 1 (GICD_IGROUPR); Group 0 is signalled as FIQ when GICC_CTLR.FIQEn is set, everything
 * else as IRQ. Five priority bits (32 levels), active priorities in GICC_APR0/NSAPR0 (a bit per
 * preemption level), EOImode split of priority drop and deactivation.
 *
 * Registers are tables of small handlers; every write (and every read with a side effect, like
 * GICC_IAR) ends in gicv2_update(), which picks the highest-priority pending interrupt and
 * drives the CPU's IRQ and FIQ lines. Reserved registers and IDs past GICV2_NUM_IRQS read as
 * zero and ignore writes. */
#include "gicv2.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "irq.h"
#include "models.h"
#include "platform.h"
#include "trace.h"

#define WORDS (GICV2_NUM_IRQS / 32)
#define NO_IRQ GICV2_NUM_IRQS
#define IDLE_PRIORITY 0x100u /* running priority with nothing active */

struct gicv2 {
	struct machine *machine;
	char *name;
	uint32_t dist_ctlr;
	uint32_t group[WORDS], enabled[WORDS], latched[WORDS], active[WORDS], level[WORDS], edge[WORDS];
	uint8_t priority[GICV2_NUM_IRQS], target[GICV2_NUM_IRQS];
	uint32_t cpu_ctlr, pmr, bpr, abpr;
	uint32_t apr[2]; /* active priorities of Group 0 and Group 1: bit n = priority n << 3 */
	bool output[2];  /* IRQ and FIQ as driven */
};

static bool test(const uint32_t *bits, unsigned id)
{
	return bits[id / 32] >> (id % 32) & 1;
}

static void assign(uint32_t *bits, unsigned id, bool value)
{
	if (value)
		bits[id / 32] |= 1u << (id % 32);
	else
		bits[id / 32] &= ~(1u << (id % 32));
}

static unsigned group_of(const struct gicv2 *gic, unsigned id)
{
	return test(gic->group, id);
}

/* ---- prioritization ---- */

static uint32_t running_priority(const struct gicv2 *gic)
{
	uint32_t active = gic->apr[0] | gic->apr[1];

	return active ? (uint32_t)__builtin_ctz(active) << 3 : IDLE_PRIORITY;
}

/* The priority with the sub-priority bits the binary point names cleared. */
static uint32_t group_priority(const struct gicv2 *gic, unsigned id)
{
	uint32_t bpr = gic->bpr;

	if (group_of(gic, id) == 1 && !(gic->cpu_ctlr & GICC_CTLR_CBPR))
		bpr = gic->abpr - 1;
	return gic->priority[id] & (0xffu << (bpr + 1)) & 0xff;
}

static bool forwarded(const struct gicv2 *gic, unsigned id)
{
	unsigned group = group_of(gic, id);

	if (!(gic->dist_ctlr & (GICD_CTLR_ENABLE_GRP0 << group)) || !(gic->cpu_ctlr & (GICC_CTLR_ENABLE_GRP0 << group)))
		return false;
	return id < GICV2_SPI_BASE || (gic->target[id] & 1);
}

/* The highest-priority pending interrupt the CPU interface sees (lowest ID among equals). */
static unsigned highest_pending(const struct gicv2 *gic)
{
	unsigned best = NO_IRQ;

	for (unsigned word = 0; word < WORDS; word++) {
		uint32_t candidates = gic->enabled[word] & ~gic->active[word] &
				      (gic->latched[word] | (gic->level[word] & ~gic->edge[word]));
		while (candidates) {
			unsigned id = word * 32 + (unsigned)__builtin_ctz(candidates);
			candidates &= candidates - 1;
			if (forwarded(gic, id) && (best == NO_IRQ || gic->priority[id] < gic->priority[best]))
				best = id;
		}
	}
	return best;
}

/* Unmasked by GICC_PMR. */
static bool above_mask(const struct gicv2 *gic, unsigned id)
{
	return id != NO_IRQ && gic->priority[id] < gic->pmr;
}

/* Unmasked and able to preempt what is active: what the CPU is signalled. */
static unsigned signalled(const struct gicv2 *gic)
{
	unsigned id = highest_pending(gic);

	if (!above_mask(gic, id) || group_priority(gic, id) >= running_priority(gic))
		return NO_IRQ;
	return id;
}

static void drive_output(struct gicv2 *gic, enum cpu_line line, bool level)
{
	if (gic->output[line] == level)
		return;
	gic->output[line] = level;
	machine_set_cpu_line(gic->machine, line, level);
}

static void gicv2_update(struct gicv2 *gic)
{
	unsigned id = signalled(gic);
	bool fiq = id != NO_IRQ && group_of(gic, id) == 0 && (gic->cpu_ctlr & GICC_CTLR_FIQ_EN);

	drive_output(gic, CPU_LINE_IRQ, id != NO_IRQ && !fiq);
	drive_output(gic, CPU_LINE_FIQ, fiq);
}

/* ---- acknowledge, priority drop, deactivation ---- */

static uint32_t acknowledge(struct gicv2 *gic, unsigned id)
{
	gic->apr[group_of(gic, id)] |= 1u << (group_priority(gic, id) >> 3);
	assign(gic->latched, id, false); /* a level-sensitive input still high stays pending */
	assign(gic->active, id, true);
	gic->machine->stats.interrupts_taken++;
	if (gic->machine->trace)
		trace_irq_ack(gic->machine->trace, machine_now(gic->machine), gic->name, id);
	return id; /* an SGI's source CPU (bits 12:10) is always CPU 0 */
}

static uint32_t read_iar(struct gicv2 *gic)
{
	unsigned id = signalled(gic);

	if (id == NO_IRQ)
		return GICV2_SPURIOUS;
	if (group_of(gic, id) == 1 && !(gic->cpu_ctlr & GICC_CTLR_ACK_CTL))
		return GICV2_SPURIOUS_GRP1;
	return acknowledge(gic, id);
}

static uint32_t read_aiar(struct gicv2 *gic)
{
	unsigned id = signalled(gic);

	if (id == NO_IRQ || group_of(gic, id) != 1)
		return GICV2_SPURIOUS;
	return acknowledge(gic, id);
}

/* Priority drop: the highest active priority of the interrupt's group. */
static void end_of_interrupt(struct gicv2 *gic, uint32_t value, bool group1_only)
{
	unsigned id = value & 0x3ff;
	uint32_t *apr;

	if (id >= GICV2_NUM_IRQS || running_priority(gic) == IDLE_PRIORITY)
		return; /* spurious IDs and EOIs with nothing active are ignored */
	if (group1_only && group_of(gic, id) != 1)
		return;
	apr = &gic->apr[group_of(gic, id)];
	*apr &= *apr - 1;
	if (!(gic->cpu_ctlr & GICC_CTLR_EOI_MODE))
		assign(gic->active, id, false);
}

static void write_eoir(struct gicv2 *gic, uint32_t value)
{
	end_of_interrupt(gic, value, false);
}

static void write_aeoir(struct gicv2 *gic, uint32_t value)
{
	end_of_interrupt(gic, value, true);
}

static void write_dir(struct gicv2 *gic, uint32_t value)
{
	unsigned id = value & 0x3ff;

	if (id < GICV2_NUM_IRQS && (gic->cpu_ctlr & GICC_CTLR_EOI_MODE))
		assign(gic->active, id, false);
}

static uint32_t read_hppir(struct gicv2 *gic)
{
	unsigned id = highest_pending(gic);

	if (!above_mask(gic, id))
		return GICV2_SPURIOUS;
	if (group_of(gic, id) == 1 && !(gic->cpu_ctlr & GICC_CTLR_ACK_CTL))
		return GICV2_SPURIOUS_GRP1;
	return id;
}

static uint32_t read_ahppir(struct gicv2 *gic)
{
	unsigned id = highest_pending(gic);

	return above_mask(gic, id) && group_of(gic, id) == 1 ? id : GICV2_SPURIOUS;
}

/* ---- CPU interface registers ---- */

static uint32_t read_cpu_ctlr(struct gicv2 *gic)
{
	return gic->cpu_ctlr;
}

static void write_cpu_ctlr(struct gicv2 *gic, uint32_t value)
{
	gic->cpu_ctlr = value & 0x7ff;
}

static uint32_t read_pmr(struct gicv2 *gic)
{
	return gic->pmr;
}

static void write_pmr(struct gicv2 *gic, uint32_t value)
{
	gic->pmr = value & GICV2_PRIORITY_MASK;
}

static uint32_t read_bpr(struct gicv2 *gic)
{
	return gic->bpr;
}

static void write_bpr(struct gicv2 *gic, uint32_t value)
{
	gic->bpr = (value & 7) < 2 ? 2 : value & 7; /* five priority bits: at least 2 */
}

static uint32_t read_abpr(struct gicv2 *gic)
{
	return gic->abpr;
}

static void write_abpr(struct gicv2 *gic, uint32_t value)
{
	gic->abpr = (value & 7) < 3 ? 3 : value & 7;
}

static uint32_t read_rpr(struct gicv2 *gic)
{
	uint32_t running = running_priority(gic);

	return running == IDLE_PRIORITY ? 0xff : running;
}

static uint32_t read_apr0(struct gicv2 *gic)
{
	return gic->apr[0];
}

static void write_apr0(struct gicv2 *gic, uint32_t value)
{
	gic->apr[0] = value;
}

static uint32_t read_nsapr0(struct gicv2 *gic)
{
	return gic->apr[1];
}

static void write_nsapr0(struct gicv2 *gic, uint32_t value)
{
	gic->apr[1] = value;
}

static uint32_t read_cpu_iidr(struct gicv2 *gic)
{
	(void)gic;
	return GICV2_GICC_IIDR;
}

struct gicv2_cpu_register_info {
	uint32_t offset;
	const char *name;
	uint32_t (*read)(struct gicv2 *gic);
	void (*write)(struct gicv2 *gic, uint32_t value);
};

static const struct gicv2_cpu_register_info gicv2_cpu_registers[] = {
	{ GICC_CTLR, "GICC_CTLR", read_cpu_ctlr, write_cpu_ctlr },
	{ GICC_PMR, "GICC_PMR", read_pmr, write_pmr },
	{ GICC_BPR, "GICC_BPR", read_bpr, write_bpr },
	{ GICC_IAR, "GICC_IAR", read_iar, NULL },
	{ GICC_EOIR, "GICC_EOIR", NULL, write_eoir },
	{ GICC_RPR, "GICC_RPR", read_rpr, NULL },
	{ GICC_HPPIR, "GICC_HPPIR", read_hppir, NULL },
	{ GICC_ABPR, "GICC_ABPR", read_abpr, write_abpr },
	{ GICC_AIAR, "GICC_AIAR", read_aiar, NULL },
	{ GICC_AEOIR, "GICC_AEOIR", NULL, write_aeoir },
	{ GICC_AHPPIR, "GICC_AHPPIR", read_ahppir, NULL },
	{ GICC_APR0, "GICC_APR0", read_apr0, write_apr0 }, /* APR1-3: reserved with 32 levels */
	{ GICC_NSAPR0, "GICC_NSAPR0", read_nsapr0, write_nsapr0 },
	{ GICC_IIDR, "GICC_IIDR", read_cpu_iidr, NULL },
	{ GICC_DIR, "GICC_DIR", NULL, write_dir },
};

static bool gicv2_cpu_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
	struct gicv2 *gic = opaque;

	*value = 0;
	if (size != 4)
		return true; /* the CPU interface is word-accessible only: RAZ/WI */
	for (size_t i = 0; i < sizeof(gicv2_cpu_registers) / sizeof(gicv2_cpu_registers[0]); i++) {
		const struct gicv2_cpu_register_info *info = &gicv2_cpu_registers[i];
		if (info->offset == offset && info->read) {
			*value = info->read(gic);
			gicv2_update(gic);
			break;
		}
	}
	return true;
}

static bool gicv2_cpu_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct gicv2 *gic = opaque;

	if (size != 4)
		return true;
	for (size_t i = 0; i < sizeof(gicv2_cpu_registers) / sizeof(gicv2_cpu_registers[0]); i++) {
		const struct gicv2_cpu_register_info *info = &gicv2_cpu_registers[i];
		if (info->offset == offset && info->write) {
			info->write(gic, (uint32_t)value);
			gicv2_update(gic);
			break;
		}
	}
	return true;
}

/* ---- distributor registers: `index` is the register's number in its range (a word), or
 * the interrupt ID for the byte-wide ranges ---- */

static uint32_t read_dist_ctlr(struct gicv2 *gic, unsigned index)
{
	(void)index;
	return gic->dist_ctlr;
}

static void write_dist_ctlr(struct gicv2 *gic, unsigned index, uint32_t value)
{
	(void)index;
	gic->dist_ctlr = value & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
}

static uint32_t read_typer(struct gicv2 *gic, unsigned index)
{
	(void)gic;
	(void)index;
	return WORDS - 1; /* ITLinesNumber; CPUNumber 0 (one CPU); no Security Extensions */
}

static uint32_t read_dist_iidr(struct gicv2 *gic, unsigned index)
{
	(void)gic;
	(void)index;
	return GICV2_GICD_IIDR;
}

static uint32_t read_igroupr(struct gicv2 *gic, unsigned index)
{
	return gic->group[index];
}

static void write_igroupr(struct gicv2 *gic, unsigned index, uint32_t value)
{
	gic->group[index] = value;
}

static uint32_t read_enabler(struct gicv2 *gic, unsigned index)
{
	return gic->enabled[index];
}

/* SGIs are always enabled on the GIC-400 (GICD_ISENABLER0[15:0] RAO/WI). */
static void write_isenabler(struct gicv2 *gic, unsigned index, uint32_t value)
{
	gic->enabled[index] |= value;
}

static void write_icenabler(struct gicv2 *gic, unsigned index, uint32_t value)
{
	gic->enabled[index] &= ~(index == 0 ? value & 0xffff0000u : value);
}

static uint32_t read_pendr(struct gicv2 *gic, unsigned index)
{
	return gic->latched[index] | (gic->level[index] & ~gic->edge[index]);
}

/* SGIs are made pending through GICD_SGIR and GICD_SPENDSGIR, not here. */
static void write_ispendr(struct gicv2 *gic, unsigned index, uint32_t value)
{
	gic->latched[index] |= index == 0 ? value & 0xffff0000u : value;
}

static void write_icpendr(struct gicv2 *gic, unsigned index, uint32_t value)
{
	gic->latched[index] &= ~(index == 0 ? value & 0xffff0000u : value);
}

static uint32_t read_activer(struct gicv2 *gic, unsigned index)
{
	return gic->active[index];
}

static void write_isactiver(struct gicv2 *gic, unsigned index, uint32_t value)
{
	gic->active[index] |= value;
}

static void write_icactiver(struct gicv2 *gic, unsigned index, uint32_t value)
{
	gic->active[index] &= ~value;
}

static uint32_t read_priority(struct gicv2 *gic, unsigned id)
{
	return gic->priority[id];
}

static void write_priority(struct gicv2 *gic, unsigned id, uint32_t value)
{
	gic->priority[id] = (uint8_t)(value & GICV2_PRIORITY_MASK);
}

/* SGIs and PPIs target the reading CPU; an SPI can target CPU 0 only. */
static uint32_t read_target(struct gicv2 *gic, unsigned id)
{
	return id < GICV2_SPI_BASE ? 1 : gic->target[id];
}

static void write_target(struct gicv2 *gic, unsigned id, uint32_t value)
{
	if (id >= GICV2_SPI_BASE)
		gic->target[id] = (uint8_t)(value & 1);
}

/* Two bits per interrupt; bit 1 set is edge-triggered. SGIs are edge-triggered, read-only. */
static uint32_t read_icfgr(struct gicv2 *gic, unsigned index)
{
	uint32_t value = 0;

	for (unsigned i = 0; i < 16; i++)
		value |= (uint32_t)test(gic->edge, index * 16 + i) << (2 * i + 1);
	return value;
}

static void write_icfgr(struct gicv2 *gic, unsigned index, uint32_t value)
{
	if (index == 0)
		return;
	for (unsigned i = 0; i < 16; i++)
		assign(gic->edge, index * 16 + i, value >> (2 * i + 1) & 1);
}

static void write_sgir(struct gicv2 *gic, unsigned index, uint32_t value)
{
	uint32_t filter = value & (3u << 24);
	bool to_self = filter == GICD_SGIR_FILTER_SELF || (filter == GICD_SGIR_FILTER_LIST && (value >> 16 & 1));

	(void)index;
	if (to_self) /* "all other CPUs" and targets other than CPU 0 reach nobody */
		assign(gic->latched, value & 0xf, true);
}

/* A byte per SGI, a bit per source CPU: only CPU 0 exists. */
static uint32_t read_sgi_pending(struct gicv2 *gic, unsigned id)
{
	return id < 16 ? test(gic->latched, id) : 0;
}

static void write_cpendsgir(struct gicv2 *gic, unsigned id, uint32_t value)
{
	if (id < 16 && (value & 1))
		assign(gic->latched, id, false);
}

static void write_spendsgir(struct gicv2 *gic, unsigned id, uint32_t value)
{
	if (id < 16 && (value & 1))
		assign(gic->latched, id, true);
}

/* GIC-400 identification: PIDR4..7 at 0xfd0, PIDR0..3 at 0xfe0, CIDR0..3 at 0xff0. */
static uint32_t read_id(struct gicv2 *gic, unsigned index)
{
	static const uint8_t id[12] = { 0x04, 0, 0, 0, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

	(void)gic;
	return id[index];
}

struct gicv2_dist_register_info {
	uint32_t offset;
	uint32_t count; /* registers (words) in the range, or bytes for bytewise ranges */
	const char *name;
	bool bytewise;  /* byte-accessible: one handler call per byte, index = interrupt ID */
	uint32_t (*read)(struct gicv2 *gic, unsigned index);
	void (*write)(struct gicv2 *gic, unsigned index, uint32_t value);
};

static const struct gicv2_dist_register_info gicv2_dist_registers[] = {
	{ GICD_CTLR, 1, "GICD_CTLR", false, read_dist_ctlr, write_dist_ctlr },
	{ GICD_TYPER, 1, "GICD_TYPER", false, read_typer, NULL },
	{ GICD_IIDR, 1, "GICD_IIDR", false, read_dist_iidr, NULL },
	{ GICD_IGROUPR, WORDS, "GICD_IGROUPR", false, read_igroupr, write_igroupr },
	{ GICD_ISENABLER, WORDS, "GICD_ISENABLER", false, read_enabler, write_isenabler },
	{ GICD_ICENABLER, WORDS, "GICD_ICENABLER", false, read_enabler, write_icenabler },
	{ GICD_ISPENDR, WORDS, "GICD_ISPENDR", false, read_pendr, write_ispendr },
	{ GICD_ICPENDR, WORDS, "GICD_ICPENDR", false, read_pendr, write_icpendr },
	{ GICD_ISACTIVER, WORDS, "GICD_ISACTIVER", false, read_activer, write_isactiver },
	{ GICD_ICACTIVER, WORDS, "GICD_ICACTIVER", false, read_activer, write_icactiver },
	{ GICD_IPRIORITYR, GICV2_NUM_IRQS, "GICD_IPRIORITYR", true, read_priority, write_priority },
	{ GICD_ITARGETSR, GICV2_NUM_IRQS, "GICD_ITARGETSR", true, read_target, write_target },
	{ GICD_ICFGR, 2 * WORDS, "GICD_ICFGR", false, read_icfgr, write_icfgr },
	{ GICD_SGIR, 1, "GICD_SGIR", false, NULL, write_sgir },
	{ GICD_CPENDSGIR, 16, "GICD_CPENDSGIR", true, read_sgi_pending, write_cpendsgir },
	{ GICD_SPENDSGIR, 16, "GICD_SPENDSGIR", true, read_sgi_pending, write_spendsgir },
	{ GICD_PIDR4, 12, "GICD_ID", false, read_id, NULL },
};

static const struct gicv2_dist_register_info *find_dist_register(uint64_t offset, unsigned *index)
{
	for (size_t i = 0; i < sizeof(gicv2_dist_registers) / sizeof(gicv2_dist_registers[0]); i++) {
		const struct gicv2_dist_register_info *info = &gicv2_dist_registers[i];
		uint64_t width = info->bytewise ? 1 : 4;
		if (offset >= info->offset && offset < info->offset + info->count * width) {
			*index = (unsigned)((offset - info->offset) / width);
			return info;
		}
	}
	return NULL;
}

/* Word registers take aligned 32-bit accesses only; bytewise ones any aligned 1, 2 or 4 bytes. */
static const struct gicv2_dist_register_info *dist_access(uint64_t offset, unsigned size, unsigned *index)
{
	const struct gicv2_dist_register_info *info = find_dist_register(offset, index);

	if (!info || size > 4 || offset % size)
		return NULL;
	if (!info->bytewise && size != 4)
		return NULL;
	if (info->bytewise && *index + size > info->count)
		return NULL;
	return info;
}

static bool gicv2_dist_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
	struct gicv2 *gic = opaque;
	unsigned index;
	const struct gicv2_dist_register_info *info = dist_access(offset, size, &index);

	*value = 0;
	if (!info || !info->read)
		return true; /* reserved or write-only: RAZ */
	if (!info->bytewise) {
		*value = info->read(gic, index);
		return true;
	}
	for (unsigned i = 0; i < size; i++)
		*value |= (uint64_t)(info->read(gic, index + i) & 0xff) << (8 * i);
	return true;
}

static bool gicv2_dist_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct gicv2 *gic = opaque;
	unsigned index;
	const struct gicv2_dist_register_info *info = dist_access(offset, size, &index);

	if (!info || !info->write)
		return true; /* reserved or read-only: WI */
	if (!info->bytewise)
		info->write(gic, index, (uint32_t)value);
	else
		for (unsigned i = 0; i < size; i++)
			info->write(gic, index + i, (uint32_t)(value >> (8 * i)) & 0xff);
	gicv2_update(gic);
	return true;
}

static const struct mmio_ops gicv2_dist_mmio = { .read = gicv2_dist_read, .write = gicv2_dist_write };
static const struct mmio_ops gicv2_cpu_mmio = { .read = gicv2_cpu_read, .write = gicv2_cpu_write };

/* ---- interrupt inputs ---- */

/* <type number flags>: type 0 is SPI number (ID 32 + number), 1 is PPI number (ID 16 + number). */
static int gicv2_map(void *controller, const uint32_t *cells, unsigned count, unsigned *input)
{
	(void)controller;
	if (count < 2)
		return error_set("a GIC interrupt specifier needs 3 cells (type, number, flags)");
	if (cells[0] == 0 && cells[1] < GICV2_NUM_IRQS - GICV2_SPI_BASE)
		*input = GICV2_SPI_BASE + cells[1];
	else if (cells[0] == 1 && cells[1] < 16)
		*input = GICV2_PPI_BASE + cells[1];
	else
		return error_set("GIC interrupt <%u %u>: no such SPI (0-%u) or PPI (0-15)", cells[0], cells[1],
				 GICV2_NUM_IRQS - GICV2_SPI_BASE - 1);
	return 0;
}

/* An input line: a rising edge latches an edge-triggered interrupt; a level-sensitive one is
 * pending while its line is high. */
static void gicv2_set_input(void *controller, unsigned id, bool level)
{
	struct gicv2 *gic = controller;

	if (id < GICV2_PPI_BASE || id >= GICV2_NUM_IRQS || test(gic->level, id) == level)
		return;
	if (gic->machine->trace)
		trace_irq_input(gic->machine->trace, machine_now(gic->machine), gic->name, id, level);
	assign(gic->level, id, level);
	if (level && test(gic->edge, id))
		assign(gic->latched, id, true);
	gicv2_update(gic);
}

static const struct irq_controller_ops gicv2_irq_ops = { .map = gicv2_map, .set = gicv2_set_input };

static void gicv2_reset(struct gicv2 *gic)
{
	uint32_t level[WORDS];

	memcpy(level, gic->level, sizeof(level)); /* the inputs are driven from outside */
	memset(gic->group, 0, sizeof(gic->group));
	memset(gic->enabled, 0, sizeof(gic->enabled));
	memset(gic->latched, 0, sizeof(gic->latched));
	memset(gic->active, 0, sizeof(gic->active));
	memset(gic->edge, 0, sizeof(gic->edge));
	memset(gic->priority, 0, sizeof(gic->priority));
	memset(gic->target, 0, sizeof(gic->target));
	gic->enabled[0] = 0xffff; /* SGIs */
	gic->edge[0] = 0xffff;
	gic->dist_ctlr = gic->cpu_ctlr = gic->pmr = 0;
	gic->bpr = 2;
	gic->abpr = 3;
	gic->apr[0] = gic->apr[1] = 0;
	gicv2_update(gic);
}

static void gicv2_destroy(void *state)
{
	struct gicv2 *gic = state;

	free(gic->name);
	free(gic);
}

int gicv2_create(const struct model_config *config, struct model_instance *instance)
{
	struct gicv2 *gic = calloc(1, sizeof(*gic));
	uint64_t cpu_base, cpu_size;
	char name[300];

	if (!gic || !(gic->name = strdup(config->path))) {
		free(gic);
		return error_set("out of memory");
	}
	gic->machine = config->machine;
	gicv2_reset(gic);
	if (platform_node_reg(config->fdt, config->node, 1, &cpu_base, &cpu_size) < 0) {
		gicv2_destroy(gic);
		return error_set("reg needs a second entry: the CPU interface");
	}
	snprintf(name, sizeof(name), "%s GICD", config->path);
	if (bus_add_mmio(config->machine->bus, name, config->base, config->size, &gicv2_dist_mmio, gic) < 0)
		goto fail;
	snprintf(name, sizeof(name), "%s GICC", config->path);
	if (bus_add_mmio(config->machine->bus, name, cpu_base, cpu_size, &gicv2_cpu_mmio, gic) < 0)
		goto fail;
	if (irq_add_controller(config->machine, config->node, &gicv2_irq_ops, gic) < 0)
		goto fail;
	instance->state = gic;
	instance->destroy = gicv2_destroy;
	return 0;
fail: /* a bus region left behind is never used: the machine is being torn down */
	gicv2_destroy(gic);
	return -1;
}
