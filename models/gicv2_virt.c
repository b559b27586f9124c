/* The GICv2 virtualization extensions (IHI 0048B chapter 5) as QEMU's GICv2 has them: per CPU
 * four list registers, GICH_HCR, GICH_VMCR and GICH_APR in the hypervisor's GICH frame (the
 * "this CPU" view: each CPU reaches its own at the same address), and the virtual CPU
 * interface GICV, GICC's layout for the guest, served from the list registers: the
 * highest-priority pending one is signalled as a virtual IRQ (or FIQ, Group 0 with FIQEn) to
 * the CPU, GICV_IAR makes it active, GICV_EOIR drops the priority and (unless EOImode)
 * deactivates it, a HW one deactivating its physical interrupt too. The maintenance interrupt
 * is a level on the CPU's PPI while GICH_HCR.En and GICH_MISR say so.
 *
 * Registers are tables of small handlers; every access ends in virt_update(), which drives each
 * CPU's virtual lines and maintenance interrupt. Reserved offsets read as zero and ignore writes. */
#include "gicv2_virt.h"

#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "gicv2.h"

#define IDLE_PRIORITY 0x100u /* running priority with nothing active */
#define NO_LR GICV2_NUM_LRS
#define LR_WRITABLE 0xff8fffffu /* bits 22:20 are reserved */
#define HCR_WRITABLE 0xf80000ffu
#define VMCR_WRITABLE 0xf8fc021fu
#define SGI_COUNT 16

/* One CPU's virtual interface. */
struct virt_cpu {
	uint32_t hcr, vmcr, apr;
	uint32_t lr[GICV2_NUM_LRS];
	bool output[2];   /* virtual IRQ and FIQ as driven */
	bool maintenance; /* the maintenance interrupt as driven */
};

struct gicv2_virt {
	struct machine *machine;
	struct gicv2_virt_host host;
	unsigned cpu_count;
	struct virt_cpu cpu[MACHINE_MAX_CPUS];
};

/* ---- list registers ---- */

static unsigned lr_state(uint32_t lr)
{
	return lr >> GICH_LR_STATE_SHIFT & 3;
}

static uint32_t lr_priority(uint32_t lr)
{
	return (lr >> GICH_LR_PRIORITY_SHIFT & 0x1f) << 3;
}

static unsigned lr_group(uint32_t lr)
{
	return lr & GICH_LR_GROUP1 ? 1 : 0;
}

static unsigned lr_id(uint32_t lr)
{
	return lr & GICH_LR_VIRTUAL_ID_MASK;
}

/* An LR asks for an EOI maintenance interrupt once it is invalid: HW clear, EOI set. */
static bool lr_eoi_done(uint32_t lr)
{
	return lr_state(lr) == 0 && !(lr & GICH_LR_HW) && (lr & GICH_LR_EOI);
}

/* ---- the virtual CPU interface's view: GICH_VMCR's fields ---- */

static uint32_t vmcr_field(const struct virt_cpu *v, unsigned shift, uint32_t mask)
{
	return v->vmcr >> shift & mask;
}

static uint32_t priority_mask(const struct virt_cpu *v)
{
	return vmcr_field(v, GICH_VMCR_PRIMASK_SHIFT, 0x1f) << 3;
}

static uint32_t running_priority(const struct virt_cpu *v)
{
	return v->apr ? (uint32_t)__builtin_ctz(v->apr) << 3 : IDLE_PRIORITY;
}

/* The priority with the sub-priority bits the (virtual) binary point names cleared. */
static uint32_t group_priority(const struct virt_cpu *v, uint32_t lr)
{
	uint32_t bpr = vmcr_field(v, GICH_VMCR_BP_SHIFT, 7);

	if (lr_group(lr) == 1 && !(v->vmcr & GICC_CTLR_CBPR))
		bpr = vmcr_field(v, GICH_VMCR_ABP_SHIFT, 7) - 1;
	return lr_priority(lr) & (0xffu << (bpr + 1)) & 0xff;
}

/* The pending LR of highest priority (lowest index among equals), of an enabled group. */
static unsigned highest_pending(const struct virt_cpu *v)
{
	unsigned best = NO_LR;

	for (unsigned k = 0; k < GICV2_NUM_LRS; k++) {
		uint32_t lr = v->lr[k];
		if (lr_state(lr) != 1 || !(v->vmcr & (GICC_CTLR_ENABLE_GRP0 << lr_group(lr))))
			continue;
		if (best == NO_LR || lr_priority(lr) < lr_priority(v->lr[best]))
			best = k;
	}
	return best;
}

/* Unmasked by the priority mask and able to preempt what is active: what the CPU is signalled. */
static unsigned signalled(const struct virt_cpu *v)
{
	unsigned k = highest_pending(v);

	if (k == NO_LR || !(v->hcr & GICH_HCR_EN) || lr_priority(v->lr[k]) >= priority_mask(v) ||
	    group_priority(v, v->lr[k]) >= running_priority(v))
		return NO_LR;
	return k;
}

/* ---- maintenance ---- */

static uint32_t read_eisr0(struct gicv2_virt *virt, unsigned cpu)
{
	uint32_t eisr = 0;

	for (unsigned k = 0; k < GICV2_NUM_LRS; k++)
		eisr |= (lr_eoi_done(virt->cpu[cpu].lr[k]) ? 1u : 0u) << k;
	return eisr;
}

/* Empty LRs: invalid, and no EOI maintenance request left in them. */
static uint32_t read_elrsr0(struct gicv2_virt *virt, unsigned cpu)
{
	uint32_t elrsr = 0;

	for (unsigned k = 0; k < GICV2_NUM_LRS; k++) {
		uint32_t lr = virt->cpu[cpu].lr[k];
		elrsr |= (lr_state(lr) == 0 && !lr_eoi_done(lr) ? 1u : 0u) << k;
	}
	return elrsr;
}

static unsigned count_lrs(const struct virt_cpu *v, unsigned state_bits)
{
	unsigned count = 0;

	for (unsigned k = 0; k < GICV2_NUM_LRS; k++)
		count += (lr_state(v->lr[k]) & state_bits) != 0;
	return count;
}

static bool any_pending_only(const struct virt_cpu *v)
{
	for (unsigned k = 0; k < GICV2_NUM_LRS; k++)
		if (lr_state(v->lr[k]) == 1)
			return true;
	return false;
}

static uint32_t read_misr(struct gicv2_virt *virt, unsigned cpu)
{
	const struct virt_cpu *v = &virt->cpu[cpu];
	bool grp0 = v->vmcr & GICC_CTLR_ENABLE_GRP0, grp1 = v->vmcr & GICC_CTLR_ENABLE_GRP1;
	uint32_t misr = 0;

	if (read_eisr0(virt, cpu))
		misr |= GICH_MISR_EOI;
	if ((v->hcr & GICH_HCR_UIE) && count_lrs(v, 3) <= 1)
		misr |= GICH_MISR_U;
	if ((v->hcr & GICH_HCR_LRENPIE) && (v->hcr >> GICH_HCR_EOICOUNT_SHIFT))
		misr |= GICH_MISR_LRENP;
	if ((v->hcr & GICH_HCR_NPIE) && !any_pending_only(v))
		misr |= GICH_MISR_NP;
	if ((v->hcr & GICH_HCR_VGRP0EIE) && grp0)
		misr |= GICH_MISR_VGRP0E;
	if ((v->hcr & GICH_HCR_VGRP0DIE) && !grp0)
		misr |= GICH_MISR_VGRP0D;
	if ((v->hcr & GICH_HCR_VGRP1EIE) && grp1)
		misr |= GICH_MISR_VGRP1E;
	if ((v->hcr & GICH_HCR_VGRP1DIE) && !grp1)
		misr |= GICH_MISR_VGRP1D;
	return misr;
}

static void drive_line(struct gicv2_virt *virt, unsigned cpu, enum cpu_line line, bool level)
{
	bool *output = &virt->cpu[cpu].output[line == CPU_LINE_VFIQ];

	if (*output == level)
		return;
	*output = level;
	machine_set_cpu_line(virt->machine, cpu, line, level);
}

/* Each CPU's virtual IRQ and FIQ and its maintenance interrupt, from its registers. */
static void virt_update(struct gicv2_virt *virt)
{
	for (unsigned cpu = 0; cpu < virt->cpu_count; cpu++) {
		struct virt_cpu *v = &virt->cpu[cpu];
		unsigned k = signalled(v);
		bool fiq = k != NO_LR && lr_group(v->lr[k]) == 0 && (v->vmcr & GICC_CTLR_FIQ_EN);
		bool maintenance = (v->hcr & GICH_HCR_EN) && read_misr(virt, cpu);

		drive_line(virt, cpu, CPU_LINE_VIRQ, k != NO_LR && !fiq);
		drive_line(virt, cpu, CPU_LINE_VFIQ, fiq);
		if (v->maintenance != maintenance) {
			v->maintenance = maintenance;
			virt->host.maintenance(virt->host.gic, cpu, maintenance);
		}
	}
}

/* ---- GICH: the hypervisor's registers ---- */

static uint32_t read_hcr(struct gicv2_virt *virt, unsigned cpu, unsigned index)
{
	(void)index;
	return virt->cpu[cpu].hcr;
}

static void write_hcr(struct gicv2_virt *virt, unsigned cpu, unsigned index, uint32_t value)
{
	(void)index;
	virt->cpu[cpu].hcr = value & HCR_WRITABLE;
}

static uint32_t read_vtr(struct gicv2_virt *virt, unsigned cpu, unsigned index)
{
	(void)virt;
	(void)cpu;
	(void)index;
	return GICV2_GICH_VTR;
}

static uint32_t read_vmcr(struct gicv2_virt *virt, unsigned cpu, unsigned index)
{
	(void)index;
	return virt->cpu[cpu].vmcr;
}

/* The binary points keep their minimum (2, and 3 for ABPR) with five priority bits, as GICC's. */
static uint32_t with_minimum_binary_points(uint32_t vmcr)
{
	if ((vmcr >> GICH_VMCR_BP_SHIFT & 7) < 2)
		vmcr = (vmcr & ~(7u << GICH_VMCR_BP_SHIFT)) | 2u << GICH_VMCR_BP_SHIFT;
	if ((vmcr >> GICH_VMCR_ABP_SHIFT & 7) < 3)
		vmcr = (vmcr & ~(7u << GICH_VMCR_ABP_SHIFT)) | 3u << GICH_VMCR_ABP_SHIFT;
	return vmcr;
}

static void write_vmcr(struct gicv2_virt *virt, unsigned cpu, unsigned index, uint32_t value)
{
	(void)index;
	virt->cpu[cpu].vmcr = with_minimum_binary_points(value & VMCR_WRITABLE);
}

static uint32_t read_misr_register(struct gicv2_virt *virt, unsigned cpu, unsigned index)
{
	(void)index;
	return read_misr(virt, cpu);
}

static uint32_t read_eisr(struct gicv2_virt *virt, unsigned cpu, unsigned index)
{
	return index == 0 ? read_eisr0(virt, cpu) : 0;
}

static uint32_t read_elrsr(struct gicv2_virt *virt, unsigned cpu, unsigned index)
{
	return index == 0 ? read_elrsr0(virt, cpu) : 0;
}

static uint32_t read_hyp_apr(struct gicv2_virt *virt, unsigned cpu, unsigned index)
{
	(void)index;
	return virt->cpu[cpu].apr;
}

static void write_hyp_apr(struct gicv2_virt *virt, unsigned cpu, unsigned index, uint32_t value)
{
	(void)index;
	virt->cpu[cpu].apr = value;
}

static uint32_t read_lr(struct gicv2_virt *virt, unsigned cpu, unsigned index)
{
	return virt->cpu[cpu].lr[index];
}

static void write_lr(struct gicv2_virt *virt, unsigned cpu, unsigned index, uint32_t value)
{
	virt->cpu[cpu].lr[index] = value & LR_WRITABLE;
}

struct virt_register_info {
	uint32_t offset;
	uint32_t count; /* words in the range */
	uint32_t (*read)(struct gicv2_virt *virt, unsigned cpu, unsigned index);
	void (*write)(struct gicv2_virt *virt, unsigned cpu, unsigned index, uint32_t value);
};

static const struct virt_register_info hyp_registers[] = {
	{ GICH_HCR, 1, read_hcr, write_hcr },
	{ GICH_VTR, 1, read_vtr, NULL },
	{ GICH_VMCR, 1, read_vmcr, write_vmcr },
	{ GICH_MISR, 1, read_misr_register, NULL },
	{ GICH_EISR0, 2, read_eisr, NULL },
	{ GICH_ELRSR0, 2, read_elrsr, NULL },
	{ GICH_APR, 1, read_hyp_apr, write_hyp_apr },
	{ GICH_LR0, GICV2_NUM_LRS, read_lr, write_lr },
};

/* ---- GICV: the guest's CPU interface ---- */

/* The acknowledged interrupt's ID; an SGI's source CPU (bits 12:10 of a software LR) with it. */
static uint32_t acknowledge(struct virt_cpu *v, unsigned k)
{
	uint32_t lr = v->lr[k], id = lr_id(lr);

	v->apr |= 1u << (group_priority(v, lr) >> 3);
	v->lr[k] = (lr & ~(3u << GICH_LR_STATE_SHIFT)) | GICH_LR_ACTIVE;
	if (id < SGI_COUNT && !(lr & GICH_LR_HW))
		id |= lr & (7u << 10);
	return id;
}

static uint32_t read_iar(struct gicv2_virt *virt, unsigned cpu, unsigned index)
{
	struct virt_cpu *v = &virt->cpu[cpu];
	unsigned k = signalled(v);

	(void)index;
	if (k == NO_LR)
		return GICV2_SPURIOUS;
	if (lr_group(v->lr[k]) == 1 && !(v->vmcr & GICC_CTLR_ACK_CTL))
		return GICV2_SPURIOUS_GRP1;
	return acknowledge(v, k);
}

static uint32_t read_hppir(struct gicv2_virt *virt, unsigned cpu, unsigned index)
{
	const struct virt_cpu *v = &virt->cpu[cpu];
	unsigned k = highest_pending(v);

	(void)index;
	if (k == NO_LR || lr_priority(v->lr[k]) >= priority_mask(v))
		return GICV2_SPURIOUS;
	if (lr_group(v->lr[k]) == 1 && !(v->vmcr & GICC_CTLR_ACK_CTL))
		return GICV2_SPURIOUS_GRP1;
	return lr_id(v->lr[k]);
}

/* The active LR of virtual interrupt `id`, or NO_LR. */
static unsigned active_lr(const struct virt_cpu *v, unsigned id)
{
	for (unsigned k = 0; k < GICV2_NUM_LRS; k++)
		if ((lr_state(v->lr[k]) & 2) && lr_id(v->lr[k]) == id)
			return k;
	return NO_LR;
}

/* Deactivation: the LR leaves the active state (a HW one deactivates its physical interrupt);
 * with no LR for it, GICH_HCR.EOICount counts it for the hypervisor. */
static void deactivate(struct gicv2_virt *virt, unsigned cpu, unsigned id)
{
	struct virt_cpu *v = &virt->cpu[cpu];
	unsigned k = active_lr(v, id);

	if (k == NO_LR) {
		v->hcr += 1u << GICH_HCR_EOICOUNT_SHIFT; /* wraps within its five bits */
		return;
	}
	v->lr[k] &= ~GICH_LR_ACTIVE;
	if (v->lr[k] & GICH_LR_HW)
		virt->host.deactivate(virt->host.gic, cpu, v->lr[k] >> GICH_LR_PHYSICAL_ID_SHIFT & 0x3ff);
}

static void write_eoir(struct gicv2_virt *virt, unsigned cpu, unsigned index, uint32_t value)
{
	struct virt_cpu *v = &virt->cpu[cpu];
	unsigned id = value & 0x3ff;

	(void)index;
	if (id >= GICV2_SPURIOUS_GRP1)
		return; /* spurious IDs are ignored */
	v->apr &= v->apr - 1; /* priority drop: the highest active priority */
	if (!(v->vmcr & GICC_CTLR_EOI_MODE))
		deactivate(virt, cpu, id);
}

static void write_dir(struct gicv2_virt *virt, unsigned cpu, unsigned index, uint32_t value)
{
	(void)index;
	if ((virt->cpu[cpu].vmcr & GICC_CTLR_EOI_MODE) && (value & 0x3ff) < GICV2_SPURIOUS_GRP1)
		deactivate(virt, cpu, value & 0x3ff);
}

static uint32_t read_vctlr(struct gicv2_virt *virt, unsigned cpu, unsigned index)
{
	(void)index;
	return virt->cpu[cpu].vmcr & GICH_VMCR_CTLR_MASK;
}

static void write_vctlr(struct gicv2_virt *virt, unsigned cpu, unsigned index, uint32_t value)
{
	uint32_t *vmcr = &virt->cpu[cpu].vmcr;

	(void)index;
	*vmcr = (*vmcr & ~(uint32_t)GICH_VMCR_CTLR_MASK) | (value & GICH_VMCR_CTLR_MASK);
}

static uint32_t read_vpmr(struct gicv2_virt *virt, unsigned cpu, unsigned index)
{
	(void)index;
	return priority_mask(&virt->cpu[cpu]);
}

static void write_vmcr_field(uint32_t *vmcr, unsigned shift, uint32_t mask, uint32_t value)
{
	*vmcr = with_minimum_binary_points((*vmcr & ~(mask << shift)) | (value & mask) << shift);
}

static void write_vpmr(struct gicv2_virt *virt, unsigned cpu, unsigned index, uint32_t value)
{
	(void)index;
	write_vmcr_field(&virt->cpu[cpu].vmcr, GICH_VMCR_PRIMASK_SHIFT, 0x1f, value >> 3);
}

static uint32_t read_vbpr(struct gicv2_virt *virt, unsigned cpu, unsigned index)
{
	(void)index;
	return vmcr_field(&virt->cpu[cpu], GICH_VMCR_BP_SHIFT, 7);
}

static void write_vbpr(struct gicv2_virt *virt, unsigned cpu, unsigned index, uint32_t value)
{
	(void)index;
	write_vmcr_field(&virt->cpu[cpu].vmcr, GICH_VMCR_BP_SHIFT, 7, value);
}

static uint32_t read_vabpr(struct gicv2_virt *virt, unsigned cpu, unsigned index)
{
	(void)index;
	return vmcr_field(&virt->cpu[cpu], GICH_VMCR_ABP_SHIFT, 7);
}

static void write_vabpr(struct gicv2_virt *virt, unsigned cpu, unsigned index, uint32_t value)
{
	(void)index;
	write_vmcr_field(&virt->cpu[cpu].vmcr, GICH_VMCR_ABP_SHIFT, 7, value);
}

static uint32_t read_vrpr(struct gicv2_virt *virt, unsigned cpu, unsigned index)
{
	uint32_t running = running_priority(&virt->cpu[cpu]);

	(void)index;
	return running == IDLE_PRIORITY ? 0xff : running;
}

static uint32_t read_viidr(struct gicv2_virt *virt, unsigned cpu, unsigned index)
{
	(void)virt;
	(void)cpu;
	(void)index;
	return GICV2_GICC_IIDR;
}

/* GICV_APR0 is GICH_APR; the aliased Group 1 registers (AIAR, AEOIR, AHPPIR, NSAPR0) are not
 * there (no Security Extensions in the virtual interface, as QEMU's): RAZ/WI. */
static const struct virt_register_info vcpu_registers[] = {
	{ GICC_CTLR, 1, read_vctlr, write_vctlr },
	{ GICC_PMR, 1, read_vpmr, write_vpmr },
	{ GICC_BPR, 1, read_vbpr, write_vbpr },
	{ GICC_IAR, 1, read_iar, NULL },
	{ GICC_EOIR, 1, NULL, write_eoir },
	{ GICC_RPR, 1, read_vrpr, NULL },
	{ GICC_HPPIR, 1, read_hppir, NULL },
	{ GICC_ABPR, 1, read_vabpr, write_vabpr },
	{ GICC_APR0, 1, read_hyp_apr, write_hyp_apr },
	{ GICC_IIDR, 1, read_viidr, NULL },
	{ GICC_DIR, 1, NULL, write_dir },
};

/* ---- access: word-sized only, each CPU its own registers ---- */

static const struct virt_register_info *find_register(const struct virt_register_info *table, size_t count,
						      uint64_t offset, unsigned size, unsigned *index)
{
	if (size != 4 || offset % 4)
		return NULL;
	for (size_t i = 0; i < count; i++)
		if (offset >= table[i].offset && offset < table[i].offset + 4ull * table[i].count) {
			*index = (unsigned)(offset - table[i].offset) / 4;
			return &table[i];
		}
	return NULL;
}

static unsigned accessing_cpu(const struct gicv2_virt *virt)
{
	unsigned cpu = virt->machine->current_cpu;

	return cpu < virt->cpu_count ? cpu : 0;
}

static bool table_read(struct gicv2_virt *virt, const struct virt_register_info *table, size_t count,
		       uint64_t offset, unsigned size, uint64_t *value)
{
	unsigned index = 0;
	const struct virt_register_info *info = find_register(table, count, offset, size, &index);

	*value = 0;
	if (info && info->read)
		*value = info->read(virt, accessing_cpu(virt), index);
	virt_update(virt);
	return true;
}

static bool table_write(struct gicv2_virt *virt, const struct virt_register_info *table, size_t count,
			uint64_t offset, unsigned size, uint64_t value)
{
	unsigned index = 0;
	const struct virt_register_info *info = find_register(table, count, offset, size, &index);

	if (info && info->write)
		info->write(virt, accessing_cpu(virt), index, (uint32_t)value);
	virt_update(virt);
	return true;
}

#define HYP_COUNT (sizeof(hyp_registers) / sizeof(hyp_registers[0]))
#define VCPU_COUNT (sizeof(vcpu_registers) / sizeof(vcpu_registers[0]))

static bool hyp_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
	return table_read(opaque, hyp_registers, HYP_COUNT, offset, size, value);
}

static bool hyp_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	return table_write(opaque, hyp_registers, HYP_COUNT, offset, size, value);
}

static bool vcpu_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
	return table_read(opaque, vcpu_registers, VCPU_COUNT, offset, size, value);
}

static bool vcpu_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	return table_write(opaque, vcpu_registers, VCPU_COUNT, offset, size, value);
}

static const struct mmio_ops hyp_mmio = { .read = hyp_read, .write = hyp_write };
static const struct mmio_ops vcpu_mmio = { .read = vcpu_read, .write = vcpu_write };

/* ---- life cycle and snapshots ---- */

struct gicv2_virt *gicv2_virt_create(struct machine *machine, const char *path, unsigned cpu_count,
				     const struct gicv2_virt_host *host, uint64_t hyp_base, uint64_t hyp_size,
				     uint64_t vcpu_base, uint64_t vcpu_size)
{
	struct gicv2_virt *virt = calloc(1, sizeof(*virt));
	char name[300];

	if (!virt) {
		error_set("out of memory");
		return NULL;
	}
	virt->machine = machine;
	virt->host = *host;
	virt->cpu_count = cpu_count;
	for (unsigned cpu = 0; cpu < cpu_count; cpu++)
		virt->cpu[cpu].vmcr = with_minimum_binary_points(0);
	snprintf(name, sizeof(name), "%s GICH", path);
	if (bus_add_mmio(machine->bus, name, hyp_base, hyp_size, &hyp_mmio, virt) < 0)
		goto fail;
	snprintf(name, sizeof(name), "%s GICV", path);
	if (bus_add_mmio(machine->bus, name, vcpu_base, vcpu_size, &vcpu_mmio, virt) < 0)
		goto fail;
	return virt;
fail: /* a bus region left behind is never used: the machine is being torn down */
	free(virt);
	return NULL;
}

void gicv2_virt_destroy(struct gicv2_virt *virt)
{
	free(virt);
}

void gicv2_virt_save(const struct gicv2_virt *virt, struct snap_writer *w)
{
	for (unsigned cpu = 0; cpu < virt->cpu_count; cpu++) {
		const struct virt_cpu *v = &virt->cpu[cpu];
		snap_put_u32(w, v->hcr);
		snap_put_u32(w, v->vmcr);
		snap_put_u32(w, v->apr);
		for (unsigned k = 0; k < GICV2_NUM_LRS; k++)
			snap_put_u32(w, v->lr[k]);
		snap_put_bool(w, v->output[0]);
		snap_put_bool(w, v->output[1]);
		snap_put_bool(w, v->maintenance);
	}
}

/* The CPUs' lines and the maintenance PPI's input are saved with the machine and the GIC. */
void gicv2_virt_load(struct gicv2_virt *virt, struct snap_reader *r)
{
	for (unsigned cpu = 0; cpu < virt->cpu_count && !r->failed; cpu++) {
		struct virt_cpu *v = &virt->cpu[cpu];
		v->hcr = snap_get_u32(r) & HCR_WRITABLE;
		v->vmcr = with_minimum_binary_points(snap_get_u32(r) & VMCR_WRITABLE);
		v->apr = snap_get_u32(r);
		for (unsigned k = 0; k < GICV2_NUM_LRS; k++)
			v->lr[k] = snap_get_u32(r) & LR_WRITABLE;
		v->output[0] = snap_get_bool(r);
		v->output[1] = snap_get_bool(r);
		v->maintenance = snap_get_bool(r);
	}
}
