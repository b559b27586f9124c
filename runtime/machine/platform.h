/* The board from its device tree: RAM from memory nodes, a model per `compatible`. */
#ifndef QVP_PLATFORM_H
#define QVP_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads a .dtb, or compiles a .dts with dtc; returns a validated, malloc'd blob. */
int platform_load_fdt(const char *path, void **fdt, size_t *size);

/* Adds RAM and creates models in device-tree order; on failure undoes what it did. */
int platform_build(struct machine *machine, const char *path);
void platform_teardown(struct machine *machine);

/* The index-th (address, size) of a node's `reg`, decoded with its parent's cell counts. */
int platform_node_reg(const void *fdt, int node, int index, uint64_t *base, uint64_t *size);

/* Every CPU starts at EL2: /cpus has the boolean qvp,start-el2 (written there by --el2). */
bool platform_start_el2(const void *fdt);
/* Every CPU starts at EL3: /cpus has the boolean qvp,start-el3 (written there by --el3). */
bool platform_start_el3(const void *fdt);
/* The board's CPUs: the nodes of /cpus with device_type "cpu"; 1 for a tree that has none. */
unsigned platform_cpu_count(const void *fdt);

#define MPIDR_AFFINITY_FIELDS 0xff00ffffffull /* Aff3 (39:32), Aff2, Aff1, Aff0 (23:0) */

/* Their MPIDR affinities (each CPU node's reg), in ascending order: the order the loop runs
 * them in; one CPU at 0.0.0.0 for a tree without CPU nodes. A node without reg, a duplicate,
 * or more CPUs than MACHINE_MAX_CPUS is an error naming the node. */
int platform_cpu_affinities(const void *fdt, const char *file, uint64_t *affinity, unsigned *count);

#ifdef __cplusplus
}
#endif
#endif
