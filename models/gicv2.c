/* GICv2 (GIC-400 programmer's model): without the Security Extensions the view a guest at EL1
 * of the virt board has, as on QEMU's `-M virt`; with them (the node's qvp,security-extensions,
 * the virt-secure board as QEMU's secure=on) Secure and Non-secure views of the same state. One CPU interface per CPU of the board (its
 * /cpus nodes, at most 8); SGIs and PPIs (IDs 0-31) are banked per CPU, SPIs go to the CPUs
 * GICD_ITARGETSR names, SGIs to the ones GICD_SGIR names, each remembering its source CPU.
 * Interrupts are in Group 0 or Group 1 (GICD_IGROUPR); Group 0 is signalled as FIQ when
 * GICC_CTLR.FIQEn is set, everything else as IRQ. Five priority bits (32 levels), active
 * priorities in GICC_APR0/NSAPR0 (a bit per preemption level), EOImode split of priority drop
 * and deactivation.
 *
 * Registers are tables of small handlers; every write (and every read with a side effect, like
 * GICC_IAR) ends in gicv2_update(), which picks each CPU's highest-priority pending interrupt
 * and drives that CPU's IRQ and FIQ lines. A banked register is the accessing CPU's
 * (machine.current_cpu). Reserved registers and IDs past GICV2_NUM_IRQS read as zero and
 * ignore writes. With four `reg` entries (--el2) the virtualization extensions are there too:
 * gicv2_virt.c serves the GICH and GICV frames. */
#include "gicv2.h"

#include <libfdt.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "gicv2_virt.h"
#include "irq.h"
#include "models.h"
#include "platform.h"
#include "snapshot_stream.h"
#include "trace.h"

#define WORDS (GICV2_NUM_IRQS / 32)
#define NO_IRQ GICV2_NUM_IRQS
#define IDLE_PRIORITY 0x100u /* running priority with nothing active */
#define SGI_COUNT 16

/* A bit per interrupt of one word (32 IDs) of the distributor's per-interrupt state. */
struct irq_bits {
	uint32_t group, enabled, latched, active, level, edge;
};

/* One CPU interface, and that CPU's copy of the banked distributor state (IDs 0-31). */
struct gicv2_cpu {
	uint32_t ctlr, pmr, bpr, abpr;
	uint32_t apr[2]; /* active priorities of Group 0 and Group 1: bit n = priority n << 3 */
	bool output[2];  /* IRQ and FIQ as driven */
	struct irq_bits banked;
	uint8_t priority[GICV2_SPI_BASE];
	uint8_t sgi_sources[SGI_COUNT]; /* a pending SGI: a bit per CPU that sent it */
};

struct gicv2 {
	struct machine *machine;
	char *name;
	unsigned cpu_count;
	uint32_t dist_ctlr;
	struct irq_bits shared[WORDS]; /* word 0 is unused: banked per CPU */
	uint8_t priority[GICV2_NUM_IRQS], target[GICV2_NUM_IRQS];
	struct gicv2_cpu cpu[MACHINE_MAX_CPUS];
	struct gicv2_virt *virt; /* the virtualization extensions (gicv2_virt.c), with 4 reg entries */
	bool security;           /* the Security Extensions: Secure and Non-secure views */
	unsigned maintenance_id; /* the PPI their maintenance interrupt is */
};

/* The word of per-interrupt bits that holds interrupt IDs word * 32.. as CPU `cpu` sees it. */
static struct irq_bits *bits_of(struct gicv2 *gic, unsigned cpu, unsigned word)
{
	return word == 0 ? &gic->cpu[cpu].banked : &gic->shared[word];
}

static const struct irq_bits *const_bits_of(const struct gicv2 *gic, unsigned cpu, unsigned word)
{
	return word == 0 ? &gic->cpu[cpu].banked : &gic->shared[word];
}

static uint8_t *priority_of(struct gicv2 *gic, unsigned cpu, unsigned id)
{
	return id < GICV2_SPI_BASE ? &gic->cpu[cpu].priority[id] : &gic->priority[id];
}

static uint8_t priority(const struct gicv2 *gic, unsigned cpu, unsigned id)
{
	return id < GICV2_SPI_BASE ? gic->cpu[cpu].priority[id] : gic->priority[id];
}

static bool test(uint32_t bits, unsigned id)
{
	return bits >> (id % 32) & 1;
}

static void assign(uint32_t *bits, unsigned id, bool value)
{
	if (value)
		*bits |= 1u << (id % 32);
	else
		*bits &= ~(1u << (id % 32));
}

static unsigned group_of(const struct gicv2 *gic, unsigned cpu, unsigned id)
{
	return test(const_bits_of(gic, cpu, id / 32)->group, id);
}

/* The CPU whose access is being served; CPU 0 for an access from outside any CPU. */
static unsigned accessing_cpu(const struct gicv2 *gic)
{
	unsigned cpu = gic->machine->current_cpu;

	return cpu < gic->cpu_count ? cpu : 0;
}

/* ---- prioritization ---- */

static uint32_t running_priority(const struct gicv2_cpu *cpu)
{
	uint32_t active = cpu->apr[0] | cpu->apr[1];

	return active ? (uint32_t)__builtin_ctz(active) << 3 : IDLE_PRIORITY;
}

/* The priority with the sub-priority bits the binary point names cleared. */
static uint32_t group_priority(const struct gicv2 *gic, unsigned cpu, unsigned id)
{
	uint32_t bpr = gic->cpu[cpu].bpr;

	if (group_of(gic, cpu, id) == 1 && !(gic->cpu[cpu].ctlr & GICC_CTLR_CBPR))
		bpr = gic->cpu[cpu].abpr - 1;
	return priority(gic, cpu, id) & (0xffu << (bpr + 1)) & 0xff;
}

static bool forwarded(const struct gicv2 *gic, unsigned cpu, unsigned id)
{
	unsigned group = group_of(gic, cpu, id);

	if (!(gic->dist_ctlr & (GICD_CTLR_ENABLE_GRP0 << group)) ||
	    !(gic->cpu[cpu].ctlr & (GICC_CTLR_ENABLE_GRP0 << group)))
		return false;
	return id < GICV2_SPI_BASE || (gic->target[id] >> cpu & 1);
}

/* The highest-priority pending interrupt CPU interface `cpu` sees (lowest ID among equals). */
static unsigned highest_pending(const struct gicv2 *gic, unsigned cpu)
{
	unsigned best = NO_IRQ;

	for (unsigned word = 0; word < WORDS; word++) {
		const struct irq_bits *bits = const_bits_of(gic, cpu, word);
		uint32_t candidates = bits->enabled & ~bits->active & (bits->latched | (bits->level & ~bits->edge));
		while (candidates) {
			unsigned id = word * 32 + (unsigned)__builtin_ctz(candidates);
			candidates &= candidates - 1;
			if (forwarded(gic, cpu, id) &&
			    (best == NO_IRQ || priority(gic, cpu, id) < priority(gic, cpu, best)))
				best = id;
		}
	}
	return best;
}

/* Unmasked by GICC_PMR. */
static bool above_mask(const struct gicv2 *gic, unsigned cpu, unsigned id)
{
	return id != NO_IRQ && priority(gic, cpu, id) < gic->cpu[cpu].pmr;
}

/* Unmasked and able to preempt what is active: what the CPU is signalled. */
static unsigned signalled(const struct gicv2 *gic, unsigned cpu)
{
	unsigned id = highest_pending(gic, cpu);

	if (!above_mask(gic, cpu, id) || group_priority(gic, cpu, id) >= running_priority(&gic->cpu[cpu]))
		return NO_IRQ;
	return id;
}

static void drive_output(struct gicv2 *gic, unsigned cpu, enum cpu_line line, bool level)
{
	if (gic->cpu[cpu].output[line] == level)
		return;
	gic->cpu[cpu].output[line] = level;
	machine_set_cpu_line(gic->machine, cpu, line, level);
}

static void gicv2_update(struct gicv2 *gic)
{
	for (unsigned cpu = 0; cpu < gic->cpu_count; cpu++) {
		unsigned id = signalled(gic, cpu);
		bool fiq = id != NO_IRQ && group_of(gic, cpu, id) == 0 && (gic->cpu[cpu].ctlr & GICC_CTLR_FIQ_EN);

		drive_output(gic, cpu, CPU_LINE_IRQ, id != NO_IRQ && !fiq);
		drive_output(gic, cpu, CPU_LINE_FIQ, fiq);
	}
}

/* ---- acknowledge, priority drop, deactivation ---- */

/* An SGI is pending while any source has sent it; acknowledging takes the lowest source. */
static uint32_t take_sgi_source(struct gicv2 *gic, unsigned cpu, unsigned id)
{
	uint8_t *sources = &gic->cpu[cpu].sgi_sources[id];
	unsigned source = *sources ? (unsigned)__builtin_ctz(*sources) : 0;

	*sources &= (uint8_t)(*sources - 1);
	assign(&gic->cpu[cpu].banked.latched, id, *sources != 0);
	return source << 10;
}

static uint32_t acknowledge(struct gicv2 *gic, unsigned cpu, unsigned id)
{
	struct irq_bits *bits = bits_of(gic, cpu, id / 32);
	uint32_t source = 0;

	gic->cpu[cpu].apr[group_of(gic, cpu, id)] |= 1u << (group_priority(gic, cpu, id) >> 3);
	if (id < SGI_COUNT)
		source = take_sgi_source(gic, cpu, id);
	else
		assign(&bits->latched, id, false); /* a level-sensitive input still high stays pending */
	assign(&bits->active, id, true);
	gic->machine->stats.interrupts_taken++;
	if (gic->machine->trace)
		trace_irq_ack(gic->machine->trace, machine_now(gic->machine), gic->name, id);
	return id | source;
}

static uint32_t read_iar(struct gicv2 *gic, unsigned cpu)
{
	unsigned id = signalled(gic, cpu);

	if (id == NO_IRQ)
		return GICV2_SPURIOUS;
	if (group_of(gic, cpu, id) == 1 && !(gic->cpu[cpu].ctlr & GICC_CTLR_ACK_CTL))
		return GICV2_SPURIOUS_GRP1;
	return acknowledge(gic, cpu, id);
}

static uint32_t read_aiar(struct gicv2 *gic, unsigned cpu)
{
	unsigned id = signalled(gic, cpu);

	if (id == NO_IRQ || group_of(gic, cpu, id) != 1)
		return GICV2_SPURIOUS;
	return acknowledge(gic, cpu, id);
}

/* Priority drop: the highest active priority of the interrupt's group. */
static void end_of_interrupt(struct gicv2 *gic, unsigned cpu, uint32_t value, bool group1_only)
{
	unsigned id = value & 0x3ff;
	uint32_t *apr;

	if (id >= GICV2_NUM_IRQS || running_priority(&gic->cpu[cpu]) == IDLE_PRIORITY)
		return; /* spurious IDs and EOIs with nothing active are ignored */
	if (group1_only && group_of(gic, cpu, id) != 1)
		return;
	apr = &gic->cpu[cpu].apr[group_of(gic, cpu, id)];
	*apr &= *apr - 1;
	if (!(gic->cpu[cpu].ctlr & GICC_CTLR_EOI_MODE))
		assign(&bits_of(gic, cpu, id / 32)->active, id, false);
}

static void write_eoir(struct gicv2 *gic, unsigned cpu, uint32_t value)
{
	end_of_interrupt(gic, cpu, value, false);
}

static void write_aeoir(struct gicv2 *gic, unsigned cpu, uint32_t value)
{
	end_of_interrupt(gic, cpu, value, true);
}

static void write_dir(struct gicv2 *gic, unsigned cpu, uint32_t value)
{
	unsigned id = value & 0x3ff;

	if (id < GICV2_NUM_IRQS && (gic->cpu[cpu].ctlr & GICC_CTLR_EOI_MODE))
		assign(&bits_of(gic, cpu, id / 32)->active, id, false);
}

static uint32_t read_hppir(struct gicv2 *gic, unsigned cpu)
{
	unsigned id = highest_pending(gic, cpu);

	if (!above_mask(gic, cpu, id))
		return GICV2_SPURIOUS;
	if (group_of(gic, cpu, id) == 1 && !(gic->cpu[cpu].ctlr & GICC_CTLR_ACK_CTL))
		return GICV2_SPURIOUS_GRP1;
	return id;
}

static uint32_t read_ahppir(struct gicv2 *gic, unsigned cpu)
{
	unsigned id = highest_pending(gic, cpu);

	return above_mask(gic, cpu, id) && group_of(gic, cpu, id) == 1 ? id : GICV2_SPURIOUS;
}

/* ---- CPU interface registers: each CPU reaches its own interface at the same address ---- */

static uint32_t read_cpu_ctlr(struct gicv2 *gic, unsigned cpu)
{
	return gic->cpu[cpu].ctlr;
}

static void write_cpu_ctlr(struct gicv2 *gic, unsigned cpu, uint32_t value)
{
	gic->cpu[cpu].ctlr = value & 0x7ff;
}

static uint32_t read_pmr(struct gicv2 *gic, unsigned cpu)
{
	return gic->cpu[cpu].pmr;
}

static void write_pmr(struct gicv2 *gic, unsigned cpu, uint32_t value)
{
	gic->cpu[cpu].pmr = value & GICV2_PRIORITY_MASK;
}

static uint32_t read_bpr(struct gicv2 *gic, unsigned cpu)
{
	return gic->cpu[cpu].bpr;
}

static void write_bpr(struct gicv2 *gic, unsigned cpu, uint32_t value)
{
	gic->cpu[cpu].bpr = (value & 7) < 2 ? 2 : value & 7; /* five priority bits: at least 2 */
}

static uint32_t read_abpr(struct gicv2 *gic, unsigned cpu)
{
	return gic->cpu[cpu].abpr;
}

static void write_abpr(struct gicv2 *gic, unsigned cpu, uint32_t value)
{
	gic->cpu[cpu].abpr = (value & 7) < 3 ? 3 : value & 7;
}

static uint32_t read_rpr(struct gicv2 *gic, unsigned cpu)
{
	uint32_t running = running_priority(&gic->cpu[cpu]);

	return running == IDLE_PRIORITY ? 0xff : running;
}

static uint32_t read_apr0(struct gicv2 *gic, unsigned cpu)
{
	return gic->cpu[cpu].apr[0];
}

static void write_apr0(struct gicv2 *gic, unsigned cpu, uint32_t value)
{
	gic->cpu[cpu].apr[0] = value;
}

static uint32_t read_nsapr0(struct gicv2 *gic, unsigned cpu)
{
	return gic->cpu[cpu].apr[1];
}

static void write_nsapr0(struct gicv2 *gic, unsigned cpu, uint32_t value)
{
	gic->cpu[cpu].apr[1] = value;
}

static uint32_t read_cpu_iidr(struct gicv2 *gic, unsigned cpu)
{
	(void)gic;
	(void)cpu;
	return GICV2_GICC_IIDR;
}

struct gicv2_cpu_register_info {
	uint32_t offset;
	const char *name;
	uint32_t (*read)(struct gicv2 *gic, unsigned cpu);
	void (*write)(struct gicv2 *gic, unsigned cpu, uint32_t value);
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

static const struct gicv2_cpu_register_info *find_cpu_register(uint64_t offset)
{
	for (size_t i = 0; i < sizeof(gicv2_cpu_registers) / sizeof(gicv2_cpu_registers[0]); i++)
		if (gicv2_cpu_registers[i].offset == offset)
			return &gicv2_cpu_registers[i];
	return NULL;
}

/* ---- the Security Extensions (qvp,security-extensions: the virt-secure board): the registers
 * above are the Secure view; a Non-secure access (bus_access_nonsecure) sees the Non-secure
 * view below, as IHI 0048B chapter 4 banks it. Group 0 is Secure: its interrupts' bits read as
 * zero and ignore Non-secure writes; Non-secure software sees Group 1 and its own controls. ---- */

static bool nonsecure_access(const struct gicv2 *gic)
{
	return gic->security && bus_access_nonsecure(gic->machine->bus);
}

/* GICC_CTLR's Non-secure view: EnableGrp1 at bit 0, EOImode at bit 9. */
static uint32_t read_ns_cpu_ctlr(struct gicv2 *gic, unsigned cpu)
{
	uint32_t ctlr = gic->cpu[cpu].ctlr;

	return ((ctlr & GICC_CTLR_ENABLE_GRP1) ? 1u : 0u) | (ctlr & GICC_CTLR_EOI_MODE);
}

static void write_ns_cpu_ctlr(struct gicv2 *gic, unsigned cpu, uint32_t value)
{
	uint32_t *ctlr = &gic->cpu[cpu].ctlr;

	*ctlr &= ~(GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_EOI_MODE);
	*ctlr |= ((value & 1) ? GICC_CTLR_ENABLE_GRP1 : 0) | (value & GICC_CTLR_EOI_MODE);
}

/* Non-secure priorities are the upper half, seen shifted left by one (IHI 0048B 3.6.1). */
static uint32_t ns_priority_view(uint32_t priority)
{
	return priority & 0x80 ? (priority << 1) & 0xff : 0;
}

static uint32_t ns_priority_store(uint32_t value)
{
	return ((value & 0xff) >> 1 | 0x80) & GICV2_PRIORITY_MASK;
}

static uint32_t read_ns_pmr(struct gicv2 *gic, unsigned cpu)
{
	return ns_priority_view(gic->cpu[cpu].pmr);
}

static void write_ns_pmr(struct gicv2 *gic, unsigned cpu, uint32_t value)
{
	if (gic->cpu[cpu].pmr & 0x80) /* a Secure mask below 0x80 is not the Non-secure side's to lift */
		gic->cpu[cpu].pmr = ns_priority_store(value);
}

static uint32_t read_ns_rpr(struct gicv2 *gic, unsigned cpu)
{
	return ns_priority_view(read_rpr(gic, cpu));
}

/* Non-secure deactivation reaches Group 1 interrupts only. */
static void write_ns_dir(struct gicv2 *gic, unsigned cpu, uint32_t value)
{
	unsigned id = value & 0x3ff;

	if (id < GICV2_NUM_IRQS && group_of(gic, cpu, id) == 1)
		write_dir(gic, cpu, value);
}

/* IAR, EOIR, HPPIR and BPR are the aliased (Group 1) registers; APR0 is NSAPR0. */
static const struct gicv2_cpu_register_info gicv2_ns_cpu_registers[] = {
	{ GICC_CTLR, "GICC_CTLR (NS)", read_ns_cpu_ctlr, write_ns_cpu_ctlr },
	{ GICC_PMR, "GICC_PMR (NS)", read_ns_pmr, write_ns_pmr },
	{ GICC_BPR, "GICC_BPR (NS)", read_abpr, write_abpr },
	{ GICC_IAR, "GICC_IAR (NS)", read_aiar, NULL },
	{ GICC_EOIR, "GICC_EOIR (NS)", NULL, write_aeoir },
	{ GICC_RPR, "GICC_RPR (NS)", read_ns_rpr, NULL },
	{ GICC_HPPIR, "GICC_HPPIR (NS)", read_ahppir, NULL },
	{ GICC_APR0, "GICC_APR0 (NS)", read_nsapr0, write_nsapr0 },
	{ GICC_IIDR, "GICC_IIDR", read_cpu_iidr, NULL },
	{ GICC_DIR, "GICC_DIR (NS)", NULL, write_ns_dir },
};

static const struct gicv2_cpu_register_info *find_ns_cpu_register(uint64_t offset)
{
	for (size_t i = 0; i < sizeof(gicv2_ns_cpu_registers) / sizeof(gicv2_ns_cpu_registers[0]); i++)
		if (gicv2_ns_cpu_registers[i].offset == offset)
			return &gicv2_ns_cpu_registers[i];
	return NULL; /* ABPR, AIAR, AEOIR, AHPPIR, NSAPR0: RAZ/WI to Non-secure accesses */
}

/* The register an access reaches: the Non-secure view's for a Non-secure access. */
static const struct gicv2_cpu_register_info *cpu_register_of(const struct gicv2 *gic, uint64_t offset)
{
	return nonsecure_access(gic) ? find_ns_cpu_register(offset) : find_cpu_register(offset);
}

static bool gicv2_cpu_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
	struct gicv2 *gic = opaque;
	const struct gicv2_cpu_register_info *info = cpu_register_of(gic, offset);

	*value = 0;
	if (size != 4 || !info || !info->read)
		return true; /* word-accessible only; reserved and write-only registers: RAZ */
	*value = info->read(gic, accessing_cpu(gic));
	gicv2_update(gic);
	return true;
}

static bool gicv2_cpu_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct gicv2 *gic = opaque;
	const struct gicv2_cpu_register_info *info = cpu_register_of(gic, offset);

	if (size != 4 || !info || !info->write)
		return true;
	info->write(gic, accessing_cpu(gic), (uint32_t)value);
	gicv2_update(gic);
	return true;
}

/* ---- distributor registers: `index` is the register's number in its range (a word), or
 * the interrupt ID for the byte-wide ranges; `cpu` the accessing CPU, whose bank of IDs 0-31
 * the access reaches ---- */

static uint32_t read_dist_ctlr(struct gicv2 *gic, unsigned cpu, unsigned index)
{
	(void)cpu;
	(void)index;
	return gic->dist_ctlr;
}

static void write_dist_ctlr(struct gicv2 *gic, unsigned cpu, unsigned index, uint32_t value)
{
	(void)cpu;
	(void)index;
	gic->dist_ctlr = value & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
}

/* ITLinesNumber, CPUNumber and SecurityExtn. */
static uint32_t read_typer(struct gicv2 *gic, unsigned cpu, unsigned index)
{
	(void)cpu;
	(void)index;
	return (gic->security ? 1u << 10 : 0) | (gic->cpu_count - 1) << 5 | (WORDS - 1);
}

static uint32_t read_dist_iidr(struct gicv2 *gic, unsigned cpu, unsigned index)
{
	(void)gic;
	(void)cpu;
	(void)index;
	return GICV2_GICD_IIDR;
}

static uint32_t read_igroupr(struct gicv2 *gic, unsigned cpu, unsigned index)
{
	return bits_of(gic, cpu, index)->group;
}

static void write_igroupr(struct gicv2 *gic, unsigned cpu, unsigned index, uint32_t value)
{
	bits_of(gic, cpu, index)->group = value;
}

static uint32_t read_enabler(struct gicv2 *gic, unsigned cpu, unsigned index)
{
	return bits_of(gic, cpu, index)->enabled;
}

/* SGIs are always enabled on the GIC-400 (GICD_ISENABLER0[15:0] RAO/WI). */
static void write_isenabler(struct gicv2 *gic, unsigned cpu, unsigned index, uint32_t value)
{
	bits_of(gic, cpu, index)->enabled |= value;
}

static void write_icenabler(struct gicv2 *gic, unsigned cpu, unsigned index, uint32_t value)
{
	bits_of(gic, cpu, index)->enabled &= ~(index == 0 ? value & 0xffff0000u : value);
}

static uint32_t read_pendr(struct gicv2 *gic, unsigned cpu, unsigned index)
{
	const struct irq_bits *bits = bits_of(gic, cpu, index);

	return bits->latched | (bits->level & ~bits->edge);
}

/* SGIs are made pending through GICD_SGIR and GICD_SPENDSGIR, not here. */
static void write_ispendr(struct gicv2 *gic, unsigned cpu, unsigned index, uint32_t value)
{
	bits_of(gic, cpu, index)->latched |= index == 0 ? value & 0xffff0000u : value;
}

static void write_icpendr(struct gicv2 *gic, unsigned cpu, unsigned index, uint32_t value)
{
	bits_of(gic, cpu, index)->latched &= ~(index == 0 ? value & 0xffff0000u : value);
}

static uint32_t read_activer(struct gicv2 *gic, unsigned cpu, unsigned index)
{
	return bits_of(gic, cpu, index)->active;
}

static void write_isactiver(struct gicv2 *gic, unsigned cpu, unsigned index, uint32_t value)
{
	bits_of(gic, cpu, index)->active |= value;
}

static void write_icactiver(struct gicv2 *gic, unsigned cpu, unsigned index, uint32_t value)
{
	bits_of(gic, cpu, index)->active &= ~value;
}

static uint32_t read_priority(struct gicv2 *gic, unsigned cpu, unsigned id)
{
	return *priority_of(gic, cpu, id);
}

static void write_priority(struct gicv2 *gic, unsigned cpu, unsigned id, uint32_t value)
{
	*priority_of(gic, cpu, id) = (uint8_t)(value & GICV2_PRIORITY_MASK);
}

/* The CPUs there are, as a target mask. */
static uint32_t all_cpus(const struct gicv2 *gic)
{
	return (1u << gic->cpu_count) - 1;
}

/* SGIs and PPIs target the reading CPU; an SPI the CPUs its byte names (of those there are). */
static uint32_t read_target(struct gicv2 *gic, unsigned cpu, unsigned id)
{
	return id < GICV2_SPI_BASE ? 1u << cpu : gic->target[id];
}

static void write_target(struct gicv2 *gic, unsigned cpu, unsigned id, uint32_t value)
{
	(void)cpu;
	if (id >= GICV2_SPI_BASE)
		gic->target[id] = (uint8_t)(value & all_cpus(gic));
}

/* Two bits per interrupt; bit 1 set is edge-triggered. SGIs are edge-triggered, read-only. */
static uint32_t read_icfgr(struct gicv2 *gic, unsigned cpu, unsigned index)
{
	uint32_t edge = bits_of(gic, cpu, index / 2)->edge >> (index % 2 * 16), value = 0;

	for (unsigned i = 0; i < 16; i++)
		value |= (edge >> i & 1) << (2 * i + 1);
	return value;
}

static void write_icfgr(struct gicv2 *gic, unsigned cpu, unsigned index, uint32_t value)
{
	if (index == 0)
		return;
	for (unsigned i = 0; i < 16; i++)
		assign(&bits_of(gic, cpu, index / 2)->edge, index * 16 + i, value >> (2 * i + 1) & 1);
}

static void send_sgi(struct gicv2 *gic, unsigned target, unsigned id, unsigned source)
{
	gic->cpu[target].sgi_sources[id] |= (uint8_t)(1u << source);
	assign(&gic->cpu[target].banked.latched, id, true);
}

/* With the Security Extensions an SGI is forwarded only to the CPUs where it is in the group
 * the write asks for: Group 1 for a Non-secure write, NSATT's group for a Secure one (IHI 0048B
 * 4.3.15; GICD_NSACR, RAZ/WI here, grants Non-secure writes nothing more). -1: any group. */
static int sgi_group_required(const struct gicv2 *gic, uint32_t value)
{
	if (!gic->security)
		return -1;
	if (bus_access_nonsecure(gic->machine->bus))
		return 1;
	return (value & GICD_SGIR_NSATT) ? 1 : 0;
}

/* SGIINTID to the CPUs of the target list, to every other CPU, or to the sender itself. */
static void write_sgir(struct gicv2 *gic, unsigned cpu, unsigned index, uint32_t value)
{
	uint32_t filter = value & (3u << 24), targets;
	int group = sgi_group_required(gic, value);

	(void)index;
	if (filter == GICD_SGIR_FILTER_LIST)
		targets = value >> 16 & 0xff;
	else if (filter == GICD_SGIR_FILTER_OTHERS)
		targets = ~(1u << cpu);
	else if (filter == GICD_SGIR_FILTER_SELF)
		targets = 1u << cpu;
	else
		targets = 0; /* reserved */
	targets &= all_cpus(gic);
	for (unsigned target = 0; target < gic->cpu_count; target++)
		if (targets >> target & 1 && (group < 0 || (int)group_of(gic, target, value & 0xf) == group))
			send_sgi(gic, target, value & 0xf, cpu);
}

/* A byte per SGI of the accessing CPU, a bit per source CPU. */
static uint32_t read_sgi_pending(struct gicv2 *gic, unsigned cpu, unsigned id)
{
	return id < SGI_COUNT ? gic->cpu[cpu].sgi_sources[id] : 0;
}

static void write_cpendsgir(struct gicv2 *gic, unsigned cpu, unsigned id, uint32_t value)
{
	if (id >= SGI_COUNT)
		return;
	gic->cpu[cpu].sgi_sources[id] &= (uint8_t)~value;
	assign(&gic->cpu[cpu].banked.latched, id, gic->cpu[cpu].sgi_sources[id] != 0);
}

static void write_spendsgir(struct gicv2 *gic, unsigned cpu, unsigned id, uint32_t value)
{
	if (id >= SGI_COUNT)
		return;
	gic->cpu[cpu].sgi_sources[id] |= (uint8_t)(value & all_cpus(gic));
	assign(&gic->cpu[cpu].banked.latched, id, gic->cpu[cpu].sgi_sources[id] != 0);
}

/* GIC-400 identification: PIDR4..7 at 0xfd0, PIDR0..3 at 0xfe0, CIDR0..3 at 0xff0. */
static uint32_t read_id(struct gicv2 *gic, unsigned cpu, unsigned index)
{
	static const uint8_t id[12] = { 0x04, 0, 0, 0, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

	(void)gic;
	(void)cpu;
	return id[index];
}

struct gicv2_dist_register_info {
	uint32_t offset;
	uint32_t count; /* registers (words) in the range, or bytes for bytewise ranges */
	const char *name;
	bool bytewise;  /* byte-accessible: one handler call per byte, index = interrupt ID */
	uint32_t (*read)(struct gicv2 *gic, unsigned cpu, unsigned index);
	void (*write)(struct gicv2 *gic, unsigned cpu, unsigned index, uint32_t value);
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

/* The Group 1 interrupts of word `index` of a bit-per-interrupt range: what Non-secure sees. */
static uint32_t group1_bits(struct gicv2 *gic, unsigned cpu, unsigned index)
{
	return index < WORDS ? bits_of(gic, cpu, index)->group : 0;
}

static bool is_bit_range(const struct gicv2_dist_register_info *info)
{
	return info->offset >= GICD_ISENABLER && info->offset <= GICD_ICACTIVER;
}

/* GICD_ICFGR word `index`'s two bits per interrupt that belong to Group 1 interrupts. */
static uint32_t group1_config_bits(struct gicv2 *gic, unsigned cpu, unsigned index)
{
	uint32_t group = group1_bits(gic, cpu, index / 2) >> (index % 2 * 16), mask = 0;

	for (unsigned i = 0; i < 16; i++)
		if (group >> i & 1)
			mask |= 3u << (2 * i);
	return mask;
}

/* A byte of a byte-per-interrupt range (priority, targets, SGI pending) as Non-secure sees it:
 * zero for a Group 0 interrupt, a Group 1 priority shifted. */
static uint32_t read_ns_byte(struct gicv2 *gic, const struct gicv2_dist_register_info *info, unsigned cpu,
			     unsigned id)
{
	uint32_t byte;

	if (!group_of(gic, cpu, id))
		return 0;
	byte = info->read(gic, cpu, id) & 0xff;
	return info->offset == GICD_IPRIORITYR ? ns_priority_view(byte) : byte;
}

static void write_ns_byte(struct gicv2 *gic, const struct gicv2_dist_register_info *info, unsigned cpu,
			  unsigned id, uint32_t byte)
{
	if (!group_of(gic, cpu, id))
		return;
	info->write(gic, cpu, id, info->offset == GICD_IPRIORITYR ? ns_priority_store(byte) : byte);
}

/* A Non-secure read: GICD_CTLR's EnableGrp1 at bit 0; every bit, field and byte of a Group 0
 * interrupt reads as zero (IHI 0048B chapter 4), Group 1's priorities shifted; false when
 * the view is the Secure one. */
static bool read_ns_dist(struct gicv2 *gic, const struct gicv2_dist_register_info *info, unsigned index,
			 unsigned size, uint64_t *value)
{
	unsigned cpu = accessing_cpu(gic);

	if (info->offset == GICD_CTLR)
		*value = (gic->dist_ctlr & GICD_CTLR_ENABLE_GRP1) ? 1 : 0;
	else if (info->offset == GICD_IGROUPR)
		*value = 0;
	else if (is_bit_range(info))
		*value = info->read(gic, cpu, index) & group1_bits(gic, cpu, index);
	else if (info->offset == GICD_ICFGR)
		*value = info->read(gic, cpu, index) & group1_config_bits(gic, cpu, index);
	else if (info->bytewise)
		for (unsigned i = 0; i < size; i++)
			*value |= (uint64_t)read_ns_byte(gic, info, cpu, index + i) << (8 * i);
	else
		return false;
	return true;
}

/* A Non-secure write: Group 0's bits, fields and bytes are left as they are. */
static bool write_ns_dist(struct gicv2 *gic, const struct gicv2_dist_register_info *info, unsigned index,
			  unsigned size, uint64_t value)
{
	unsigned cpu = accessing_cpu(gic);
	uint32_t mask;

	if (info->offset == GICD_CTLR) {
		gic->dist_ctlr = (gic->dist_ctlr & ~GICD_CTLR_ENABLE_GRP1) | ((value & 1) ? GICD_CTLR_ENABLE_GRP1 : 0);
	} else if (info->offset == GICD_IGROUPR) {
		return true;
	} else if (is_bit_range(info)) {
		info->write(gic, cpu, index, (uint32_t)value & group1_bits(gic, cpu, index));
	} else if (info->offset == GICD_ICFGR) {
		mask = group1_config_bits(gic, cpu, index);
		info->write(gic, cpu, index, (info->read(gic, cpu, index) & ~mask) | ((uint32_t)value & mask));
	} else if (info->bytewise) {
		for (unsigned i = 0; i < size; i++)
			write_ns_byte(gic, info, cpu, index + i, (uint32_t)(value >> (8 * i)) & 0xff);
	} else {
		return false;
	}
	return true;
}

static bool gicv2_dist_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
	struct gicv2 *gic = opaque;
	unsigned index;
	const struct gicv2_dist_register_info *info = dist_access(offset, size, &index);

	*value = 0;
	if (!info || !info->read)
		return true; /* reserved or write-only: RAZ */
	if (nonsecure_access(gic) && read_ns_dist(gic, info, index, size, value))
		return true;
	if (!info->bytewise) {
		*value = info->read(gic, accessing_cpu(gic), index);
		return true;
	}
	for (unsigned i = 0; i < size; i++)
		*value |= (uint64_t)(info->read(gic, accessing_cpu(gic), index + i) & 0xff) << (8 * i);
	return true;
}

static bool gicv2_dist_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct gicv2 *gic = opaque;
	unsigned index;
	const struct gicv2_dist_register_info *info = dist_access(offset, size, &index);

	if (!info || !info->write)
		return true; /* reserved or read-only: WI */
	if (nonsecure_access(gic) && write_ns_dist(gic, info, index, size, value)) {
		gicv2_update(gic);
		return true;
	}
	if (!info->bytewise)
		info->write(gic, accessing_cpu(gic), index, (uint32_t)value);
	else
		for (unsigned i = 0; i < size; i++)
			info->write(gic, accessing_cpu(gic), index + i, (uint32_t)(value >> (8 * i)) & 0xff);
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
 * pending while its line is high. A PPI of CPU n is input GICV2_PPI_INPUT(n, id). */
static void gicv2_set_input(void *controller, unsigned input, bool level)
{
	struct gicv2 *gic = controller;
	unsigned cpu = input / GICV2_NUM_IRQS, id = input % GICV2_NUM_IRQS;
	struct irq_bits *bits;

	if (id < GICV2_PPI_BASE || cpu >= gic->cpu_count || (cpu > 0 && id >= GICV2_SPI_BASE))
		return;
	bits = bits_of(gic, cpu, id / 32);
	if (test(bits->level, id) == level)
		return;
	if (gic->machine->trace)
		trace_irq_input(gic->machine->trace, machine_now(gic->machine), gic->name, id, level);
	assign(&bits->level, id, level);
	if (level && test(bits->edge, id))
		assign(&bits->latched, id, true);
	gicv2_update(gic);
}

static unsigned gicv2_cpu_input(void *controller, unsigned input, unsigned cpu)
{
	(void)controller;
	return input >= GICV2_PPI_BASE && input < GICV2_SPI_BASE ? GICV2_PPI_INPUT(cpu, input) : input;
}

static const struct irq_controller_ops gicv2_irq_ops = {
	.map = gicv2_map,
	.set = gicv2_set_input,
	.cpu_input = gicv2_cpu_input,
};

static void reset_bits(struct irq_bits *bits)
{
	uint32_t level = bits->level; /* the inputs are driven from outside */

	memset(bits, 0, sizeof(*bits));
	bits->level = level;
}

static void reset_cpu_interface(struct gicv2_cpu *cpu)
{
	reset_bits(&cpu->banked);
	cpu->banked.enabled = 0xffff; /* SGIs: always enabled, edge-triggered */
	cpu->banked.edge = 0xffff;
	memset(cpu->priority, 0, sizeof(cpu->priority));
	memset(cpu->sgi_sources, 0, sizeof(cpu->sgi_sources));
	cpu->ctlr = cpu->pmr = 0;
	cpu->bpr = 2;
	cpu->abpr = 3;
	cpu->apr[0] = cpu->apr[1] = 0;
}

static void gicv2_reset(struct gicv2 *gic)
{
	for (unsigned word = 1; word < WORDS; word++)
		reset_bits(&gic->shared[word]);
	memset(gic->priority, 0, sizeof(gic->priority));
	memset(gic->target, 0, sizeof(gic->target));
	for (unsigned cpu = 0; cpu < gic->cpu_count; cpu++)
		reset_cpu_interface(&gic->cpu[cpu]);
	gic->dist_ctlr = 0;
	gicv2_update(gic);
}

static void save_bits(const struct irq_bits *bits, struct snap_writer *w)
{
	const uint32_t fields[] = { bits->group, bits->enabled, bits->latched, bits->active, bits->level, bits->edge };

	for (unsigned k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		snap_put_u32(w, fields[k]);
}

static void load_bits(struct irq_bits *bits, struct snap_reader *r)
{
	uint32_t *fields[] = { &bits->group, &bits->enabled, &bits->latched, &bits->active, &bits->level, &bits->edge };

	for (unsigned k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		*fields[k] = snap_get_u32(r);
}

static void save_cpu_interface(const struct gicv2_cpu *cpu, struct snap_writer *w)
{
	const uint32_t fields[] = { cpu->ctlr, cpu->pmr, cpu->bpr, cpu->abpr, cpu->apr[0], cpu->apr[1] };

	for (unsigned k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		snap_put_u32(w, fields[k]);
	snap_put_bool(w, cpu->output[0]);
	snap_put_bool(w, cpu->output[1]);
	save_bits(&cpu->banked, w);
	snap_put_bytes(w, cpu->priority, sizeof(cpu->priority));
	snap_put_bytes(w, cpu->sgi_sources, sizeof(cpu->sgi_sources));
}

static void load_cpu_interface(struct gicv2_cpu *cpu, struct snap_reader *r)
{
	uint32_t *fields[] = { &cpu->ctlr, &cpu->pmr, &cpu->bpr, &cpu->abpr, &cpu->apr[0], &cpu->apr[1] };

	for (unsigned k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		*fields[k] = snap_get_u32(r);
	cpu->output[0] = snap_get_bool(r);
	cpu->output[1] = snap_get_bool(r);
	load_bits(&cpu->banked, r);
	snap_get_bytes(r, cpu->priority, sizeof(cpu->priority));
	snap_get_bytes(r, cpu->sgi_sources, sizeof(cpu->sgi_sources));
}

static void gicv2_save(const void *state, struct snap_writer *w)
{
	const struct gicv2 *gic = state;

	snap_put_u32(w, gic->cpu_count);
	snap_put_u32(w, gic->dist_ctlr);
	for (unsigned word = 1; word < WORDS; word++)
		save_bits(&gic->shared[word], w);
	snap_put_bytes(w, gic->priority, sizeof(gic->priority));
	snap_put_bytes(w, gic->target, sizeof(gic->target));
	for (unsigned cpu = 0; cpu < gic->cpu_count; cpu++)
		save_cpu_interface(&gic->cpu[cpu], w);
	if (gic->virt)
		gicv2_virt_save(gic->virt, w);
}

/* The CPUs' lines are the machine's (saved with it): nothing is driven here. */
static void gicv2_load(void *state, struct snap_reader *r)
{
	struct gicv2 *gic = state;

	if (snap_get_u32(r) != gic->cpu_count)
		snap_fail(r, "saved with another number of CPUs than the board's %u", gic->cpu_count);
	gic->dist_ctlr = snap_get_u32(r);
	for (unsigned word = 1; word < WORDS; word++)
		load_bits(&gic->shared[word], r);
	snap_get_bytes(r, gic->priority, sizeof(gic->priority));
	snap_get_bytes(r, gic->target, sizeof(gic->target));
	for (unsigned cpu = 0; cpu < gic->cpu_count && !r->failed; cpu++)
		load_cpu_interface(&gic->cpu[cpu], r);
	if (gic->virt && !r->failed)
		gicv2_virt_load(gic->virt, r);
}

static void gicv2_destroy(void *state)
{
	struct gicv2 *gic = state;

	if (gic->virt)
		gicv2_virt_destroy(gic->virt);
	free(gic->name);
	free(gic);
}

static void raise_maintenance(void *opaque, unsigned cpu, bool level)
{
	struct gicv2 *gic = opaque;

	gicv2_set_input(gic, GICV2_PPI_INPUT(cpu, gic->maintenance_id), level);
}

static void deactivate_physical(void *opaque, unsigned cpu, unsigned id)
{
	struct gicv2 *gic = opaque;

	if (id < GICV2_NUM_IRQS)
		assign(&bits_of(gic, cpu, id / 32)->active, id, false);
	gicv2_update(gic);
}

/* The maintenance interrupt: the node's own `interrupts` (a PPI, as QEMU's virt writes it), else PPI 9. */
static int read_maintenance_id(const struct model_config *config, unsigned *id)
{
	int length;
	const fdt32_t *cells = fdt_getprop(config->fdt, config->node, "interrupts", &length);

	*id = GICV2_MAINTENANCE_PPI;
	if (!cells)
		return 0;
	if (length < 8 || fdt32_to_cpu(cells[0]) != 1 || fdt32_to_cpu(cells[1]) >= 16)
		return error_set("interrupts: the maintenance interrupt must be a PPI <1 number flags>");
	*id = GICV2_PPI_BASE + fdt32_to_cpu(cells[1]);
	return 0;
}

/* GICH and GICV when the node has their `reg` entries (the third and fourth). */
static int create_virtualization(const struct model_config *config, struct gicv2 *gic)
{
	const struct gicv2_virt_host host = { gic, raise_maintenance, deactivate_physical };
	uint64_t hyp_base, hyp_size, vcpu_base, vcpu_size;

	if (platform_node_reg(config->fdt, config->node, 2, &hyp_base, &hyp_size) < 0)
		return 0; /* no virtualization extensions */
	if (platform_node_reg(config->fdt, config->node, 3, &vcpu_base, &vcpu_size) < 0)
		return error_set("reg has the GICH frame but not the GICV frame (a fourth entry)");
	if (read_maintenance_id(config, &gic->maintenance_id) < 0)
		return -1;
	gic->virt = gicv2_virt_create(config->machine, config->path, gic->cpu_count, &host, hyp_base, hyp_size,
				      vcpu_base, vcpu_size);
	return gic->virt ? 0 : -1;
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
	gic->security = fdt_getprop(config->fdt, config->node, "qvp,security-extensions", NULL) != NULL;
	gic->cpu_count = platform_cpu_count(config->fdt);
	if (gic->cpu_count > MACHINE_MAX_CPUS) {
		error_set("the board has %u CPUs; a GICv2 serves at most %u", gic->cpu_count, MACHINE_MAX_CPUS);
		gicv2_destroy(gic);
		return -1;
	}
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
	if (create_virtualization(config, gic) < 0)
		goto fail;
	if (irq_add_controller(config->machine, config->node, &gicv2_irq_ops, gic) < 0)
		goto fail;
	instance->state = gic;
	instance->destroy = gicv2_destroy;
	instance->save = gicv2_save;
	instance->load = gicv2_load;
	return 0;
fail: /* a bus region left behind is never used: the machine is being torn down */
	gicv2_destroy(gic);
	return -1;
}
