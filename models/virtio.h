/* What a virtio device tells its transport (models/virtio_mmio.c): its ID, features,
 * configuration space and how it serves a request taken from one of its queues. */
#ifndef QVP_VIRTIO_H
#define QVP_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "machine.h"
#include "virtqueue.h"

struct virtio_device_ops {
	uint32_t device_id;
	unsigned queue_count;
	uint64_t (*features)(void *device); /* device-specific bits; the transport adds VERSION_1 */
	/* The configuration space at `offset` (from 0x100); false outside it. */
	bool (*config_read)(void *device, uint64_t offset, unsigned size, uint64_t *value);
	/* Serves one chain from queue `queue`; returns the bytes it wrote into the chain, or -1
	 * after error_set() if the chain is unusable (the transport then sets NEEDS_RESET). */
	long (*serve)(void *device, const struct bus *bus, unsigned queue, const struct virtq_chain *chain);
	void (*destroy)(void *device);
};

/* The block device on `disk`; -1 after error_set() if the file cannot be used. */
int virtio_blk_create(const struct machine_disk *disk, const struct virtio_device_ops **ops, void **device);

#endif
