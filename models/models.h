/* What every model constructor receives and returns; the platform builder calls them. */
#ifndef QVP_MODELS_H
#define QVP_MODELS_H

#include <stdint.h>

#include "machine.h"

#ifdef __cplusplus
extern "C" {
#endif

struct model_config {
	struct machine *machine;
	const void *fdt;
	int node;
	const char *path;  /* device-tree path, for messages */
	uint64_t base;     /* first `reg` entry */
	uint64_t size;
};

struct snap_reader;
struct snap_writer;

struct model_instance {
	char *path;
	void *state;
	void (*destroy)(void *state);
	/* Snapshots (runtime/machine/snapshot.h), field by field; NULL: the model keeps no state.
	 * load() records its errors in the reader. */
	void (*save)(const void *state, struct snap_writer *w);
	void (*load)(void *state, struct snap_reader *r);
};

typedef int (*model_create_fn)(const struct model_config *config, struct model_instance *instance);

int pl011_create(const struct model_config *config, struct model_instance *instance);
int sim_control_create(const struct model_config *config, struct model_instance *instance);
int gicv2_create(const struct model_config *config, struct model_instance *instance);
int generic_timer_create(const struct model_config *config, struct model_instance *instance);
int sp804_create(const struct model_config *config, struct model_instance *instance);
int pl061_create(const struct model_config *config, struct model_instance *instance);
int pl031_create(const struct model_config *config, struct model_instance *instance);
int virtio_mmio_create(const struct model_config *config, struct model_instance *instance);
int cfi_flash_create(const struct model_config *config, struct model_instance *instance);

#ifdef __cplusplus
}
#endif
#endif
