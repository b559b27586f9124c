/* The GICv2 virtualization extensions (gicv2_virt.c), a part of the GICv2 model (gicv2.c):
 * per CPU, the hypervisor's GICH registers and the virtual CPU interface GICV they drive. */
#ifndef QVP_GICV2_VIRT_H
#define QVP_GICV2_VIRT_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"
#include "snapshot_stream.h"

struct gicv2_virt;

/* What the virtual interface needs of the GIC it is part of. */
struct gicv2_virt_host {
	void *gic;
	/* Drives CPU `cpu`'s maintenance interrupt (a level on its PPI). */
	void (*maintenance)(void *gic, unsigned cpu, bool level);
	/* Deactivates physical interrupt `id` of CPU `cpu`: a list register with HW set was deactivated. */
	void (*deactivate)(void *gic, unsigned cpu, unsigned id);
};

/* GICH at `hyp_base`, GICV at `vcpu_base` (named after `path`); NULL after error_set(). */
struct gicv2_virt *gicv2_virt_create(struct machine *machine, const char *path, unsigned cpu_count,
				     const struct gicv2_virt_host *host, uint64_t hyp_base, uint64_t hyp_size,
				     uint64_t vcpu_base, uint64_t vcpu_size);
void gicv2_virt_destroy(struct gicv2_virt *virt);
void gicv2_virt_save(const struct gicv2_virt *virt, struct snap_writer *w);
void gicv2_virt_load(struct gicv2_virt *virt, struct snap_reader *r);

#endif
