/* virtio-mmio transport, version 2 (virtio 1.x, 4.2.2), as on QEMU's virt board: the n-th
 * "virtio,mmio" node carries the n-th --disk, and one without a device reads device ID 0 so
 * drivers skip it. Requests are served synchronously when the driver writes QueueNotify, so
 * their completion interrupt comes at that instruction, the same on every run. A malformed
 * ring sets DEVICE_NEEDS_RESET (with a configuration-change interrupt) and the device stops
 * until the driver resets it; nothing the guest writes reaches outside its RAM. */
#include "virtio_mmio.h"

#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "irq.h"
#include "models.h"
#include "snapshot_stream.h"
#include "virtio.h"

#define VIRTIO_MMIO_MAX_QUEUES 2

struct virtio_mmio {
	struct machine *machine;
	const char *path;
	const struct virtio_device_ops *ops; /* NULL: no device behind this transport */
	void *device;
	uint32_t device_features_sel, driver_features_sel, queue_sel;
	uint32_t status, interrupt_status;
	uint64_t driver_features;
	struct virtq queues[VIRTIO_MMIO_MAX_QUEUES];
	struct virtq_chain chain; /* the request being served (too large for the stack) */
	struct irq_line irq;
};

static void virtio_mmio_update(struct virtio_mmio *transport)
{
	irq_line_set(&transport->irq, transport->interrupt_status != 0);
}

static uint64_t device_features(const struct virtio_mmio *transport)
{
	if (!transport->ops)
		return 0;
	return transport->ops->features(transport->device) | 1ull << VIRTIO_F_VERSION_1;
}

static struct virtq *selected_queue(struct virtio_mmio *transport)
{
	if (!transport->ops || transport->queue_sel >= transport->ops->queue_count)
		return NULL;
	return &transport->queues[transport->queue_sel];
}

static void virtio_mmio_reset(struct virtio_mmio *transport)
{
	transport->device_features_sel = transport->driver_features_sel = transport->queue_sel = 0;
	transport->status = transport->interrupt_status = 0;
	transport->driver_features = 0;
	memset(transport->queues, 0, sizeof(transport->queues));
}

/* The device stops until the driver resets it; the driver hears of it as a config change.
 * One warning until then, however often the driver pokes the stopped device. */
static void needs_reset(struct virtio_mmio *transport)
{
	if (!(transport->status & VIRTIO_STATUS_NEEDS_RESET))
		fprintf(stderr, "qvp: warning: %s: device needs reset: %s\n", transport->path, error_message());
	transport->status |= VIRTIO_STATUS_NEEDS_RESET;
	if (transport->status & VIRTIO_STATUS_DRIVER_OK)
		transport->interrupt_status |= VIRTIO_INTERRUPT_CONFIG_CHANGE;
}

/* Serves every available chain of queue `index`. */
static void serve_queue(struct virtio_mmio *transport, unsigned index)
{
	const struct bus *bus = transport->machine->bus;
	struct virtq *queue = &transport->queues[index];
	bool used = false;
	enum virtq_result result;

	while ((result = virtq_pop(bus, queue, &transport->chain)) == VIRTQ_CHAIN) {
		long written = transport->ops->serve(transport->device, bus, index, &transport->chain);
		if (written < 0 || !virtq_push(bus, queue, transport->chain.head, (uint32_t)written)) {
			needs_reset(transport);
			return;
		}
		used = true;
	}
	if (result == VIRTQ_BROKEN)
		needs_reset(transport);
	else if (used && virtq_interrupt_wanted(bus, queue))
		transport->interrupt_status |= VIRTIO_INTERRUPT_USED_BUFFER;
}

static uint32_t read_magic(struct virtio_mmio *transport)
{
	(void)transport;
	return VIRTIO_MMIO_MAGIC_VALUE;
}

static uint32_t read_version(struct virtio_mmio *transport)
{
	(void)transport;
	return 2;
}

static uint32_t read_device_id(struct virtio_mmio *transport)
{
	return transport->ops ? transport->ops->device_id : 0;
}

static uint32_t read_vendor_id(struct virtio_mmio *transport)
{
	(void)transport;
	return VIRTIO_MMIO_VENDOR_QVP;
}

static uint32_t read_device_features(struct virtio_mmio *transport)
{
	if (transport->device_features_sel > 1)
		return 0;
	return (uint32_t)(device_features(transport) >> (32 * transport->device_features_sel));
}

static uint32_t read_queue_num_max(struct virtio_mmio *transport)
{
	return selected_queue(transport) ? VIRTQ_MAX_SIZE : 0;
}

static uint32_t read_queue_ready(struct virtio_mmio *transport)
{
	struct virtq *queue = selected_queue(transport);

	return queue && queue->ready;
}

static uint32_t read_interrupt_status(struct virtio_mmio *transport)
{
	return transport->interrupt_status;
}

static uint32_t read_status(struct virtio_mmio *transport)
{
	return transport->status;
}

static uint32_t read_zero(struct virtio_mmio *transport)
{
	(void)transport;
	return 0;
}

/* A region that does not exist has length and base -1 (virtio 1.2, 4.2.2). */
static uint32_t read_no_region(struct virtio_mmio *transport)
{
	(void)transport;
	return 0xffffffffu;
}

static void write_ignored(struct virtio_mmio *transport, uint32_t value)
{
	(void)transport;
	(void)value;
}

static void write_device_features_sel(struct virtio_mmio *transport, uint32_t value)
{
	transport->device_features_sel = value;
}

static void write_driver_features(struct virtio_mmio *transport, uint32_t value)
{
	unsigned shift = 32 * transport->driver_features_sel;

	if (transport->driver_features_sel > 1 || (transport->status & VIRTIO_STATUS_FEATURES_OK))
		return;
	transport->driver_features = (transport->driver_features & ~(0xffffffffull << shift)) | (uint64_t)value << shift;
}

static void write_driver_features_sel(struct virtio_mmio *transport, uint32_t value)
{
	transport->driver_features_sel = value;
}

static void write_queue_sel(struct virtio_mmio *transport, uint32_t value)
{
	transport->queue_sel = value;
}

static void write_queue_num(struct virtio_mmio *transport, uint32_t value)
{
	struct virtq *queue = selected_queue(transport);

	if (queue && !queue->ready)
		queue->size = value;
}

/* A queue goes live only with a usable size and rings in RAM. */
static void write_queue_ready(struct virtio_mmio *transport, uint32_t value)
{
	struct virtq *queue = selected_queue(transport);

	if (!queue)
		return;
	if (!(value & 1)) {
		queue->ready = false;
		return;
	}
	if (!virtq_check(transport->machine->bus, queue)) {
		needs_reset(transport);
		return;
	}
	queue->ready = true;
}

static void write_queue_notify(struct virtio_mmio *transport, uint32_t value)
{
	uint32_t live = VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET;

	if (!transport->ops || value >= transport->ops->queue_count || (transport->status & live) != VIRTIO_STATUS_DRIVER_OK ||
	    !transport->queues[value].ready)
		return;
	serve_queue(transport, value);
}

static void write_interrupt_ack(struct virtio_mmio *transport, uint32_t value)
{
	transport->interrupt_status &= ~value;
}

/* 0 resets the device; FEATURES_OK stays clear unless the driver took VERSION_1 and only
 * features the device offered (legacy drivers are not served). */
static void write_status(struct virtio_mmio *transport, uint32_t value)
{
	uint64_t offered = device_features(transport);

	if (value == 0) {
		virtio_mmio_reset(transport);
		return;
	}
	if ((value & VIRTIO_STATUS_FEATURES_OK) && !(transport->status & VIRTIO_STATUS_FEATURES_OK) &&
	    (!(transport->driver_features & 1ull << VIRTIO_F_VERSION_1) || (transport->driver_features & ~offered)))
		value &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK;
	transport->status = (value & 0xff & ~(uint32_t)VIRTIO_STATUS_NEEDS_RESET) |
			    (transport->status & VIRTIO_STATUS_NEEDS_RESET);
}

/* The 64-bit queue addresses as low and high halves. */
static void set_half(uint64_t *address, bool high, uint32_t value)
{
	unsigned shift = high ? 32 : 0;

	*address = (*address & ~(0xffffffffull << shift)) | (uint64_t)value << shift;
}

static void write_queue_address(struct virtio_mmio *transport, uint32_t offset, uint32_t value)
{
	struct virtq *queue = selected_queue(transport);
	bool high = (offset & 4) != 0;

	if (!queue || queue->ready)
		return;
	if (offset < VIRTIO_MMIO_QUEUE_DRIVER_LOW)
		set_half(&queue->desc, high, value);
	else if (offset < VIRTIO_MMIO_QUEUE_DEVICE_LOW)
		set_half(&queue->avail, high, value);
	else
		set_half(&queue->used, high, value);
}

struct virtio_mmio_register_info {
	uint32_t offset;
	const char *name;
	uint32_t (*read)(struct virtio_mmio *transport);
	void (*write)(struct virtio_mmio *transport, uint32_t value);
};

static const struct virtio_mmio_register_info virtio_mmio_registers[] = {
	{ VIRTIO_MMIO_MAGIC, "MagicValue", read_magic, NULL },
	{ VIRTIO_MMIO_VERSION, "Version", read_version, NULL },
	{ VIRTIO_MMIO_DEVICE_ID, "DeviceID", read_device_id, NULL },
	{ VIRTIO_MMIO_VENDOR_ID, "VendorID", read_vendor_id, NULL },
	{ VIRTIO_MMIO_DEVICE_FEATURES, "DeviceFeatures", read_device_features, NULL },
	{ VIRTIO_MMIO_DEVICE_FEATURES_SEL, "DeviceFeaturesSel", read_zero, write_device_features_sel },
	{ VIRTIO_MMIO_DRIVER_FEATURES, "DriverFeatures", read_zero, write_driver_features },
	{ VIRTIO_MMIO_DRIVER_FEATURES_SEL, "DriverFeaturesSel", read_zero, write_driver_features_sel },
	{ VIRTIO_MMIO_QUEUE_SEL, "QueueSel", read_zero, write_queue_sel },
	{ VIRTIO_MMIO_QUEUE_NUM_MAX, "QueueNumMax", read_queue_num_max, NULL },
	{ VIRTIO_MMIO_QUEUE_NUM, "QueueNum", read_zero, write_queue_num },
	{ VIRTIO_MMIO_QUEUE_READY, "QueueReady", read_queue_ready, write_queue_ready },
	{ VIRTIO_MMIO_QUEUE_NOTIFY, "QueueNotify", read_zero, write_queue_notify },
	{ VIRTIO_MMIO_INTERRUPT_STATUS, "InterruptStatus", read_interrupt_status, NULL },
	{ VIRTIO_MMIO_INTERRUPT_ACK, "InterruptACK", read_zero, write_interrupt_ack },
	{ VIRTIO_MMIO_STATUS, "Status", read_status, write_status },
	{ VIRTIO_MMIO_SHM_SEL, "SHMSel", read_zero, write_ignored },
	{ VIRTIO_MMIO_SHM_LEN_LOW, "SHMLenLow", read_no_region, NULL },
	{ VIRTIO_MMIO_SHM_LEN_HIGH, "SHMLenHigh", read_no_region, NULL },
	{ VIRTIO_MMIO_SHM_BASE_LOW, "SHMBaseLow", read_no_region, NULL },
	{ VIRTIO_MMIO_SHM_BASE_HIGH, "SHMBaseHigh", read_no_region, NULL },
	{ VIRTIO_MMIO_CONFIG_GENERATION, "ConfigGeneration", read_zero, NULL }, /* the config never changes */
};

static const struct virtio_mmio_register_info *find_register(uint64_t offset)
{
	for (size_t i = 0; i < sizeof(virtio_mmio_registers) / sizeof(virtio_mmio_registers[0]); i++)
		if (virtio_mmio_registers[i].offset == offset)
			return &virtio_mmio_registers[i];
	return NULL;
}

static bool is_queue_address(uint64_t offset)
{
	return offset >= VIRTIO_MMIO_QUEUE_DESC_LOW && offset <= VIRTIO_MMIO_QUEUE_DEVICE_HIGH && (offset & 0xf) <= 4 &&
	       !(offset & 3);
}

static bool virtio_mmio_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
	struct virtio_mmio *transport = opaque;
	const struct virtio_mmio_register_info *info = find_register(offset);

	*value = 0;
	if (offset >= VIRTIO_MMIO_CONFIG) {
		if (transport->ops)
			transport->ops->config_read(transport->device, offset - VIRTIO_MMIO_CONFIG, size, value);
		return true;
	}
	if (info && size == 4) /* registers are 32-bit; other accesses read as zero */
		*value = info->read(transport);
	return true;
}

static bool virtio_mmio_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct virtio_mmio *transport = opaque;
	const struct virtio_mmio_register_info *info = find_register(offset);

	if (size != 4 || offset >= VIRTIO_MMIO_CONFIG)
		return true; /* the configuration space is read-only for the devices here */
	if (is_queue_address(offset))
		write_queue_address(transport, (uint32_t)offset, (uint32_t)value);
	else if (info && info->write)
		info->write(transport, (uint32_t)value);
	virtio_mmio_update(transport);
	return true;
}

static const struct mmio_ops virtio_mmio_ops = {
	.read = virtio_mmio_read,
	.write = virtio_mmio_write,
};

/* Requests are served at QueueNotify, so none is in flight: the registers and the rings' indices
 * are all there is (the device's own state is its disk file). */
static void virtio_mmio_save(const void *state, struct snap_writer *w)
{
	const struct virtio_mmio *transport = state;

	snap_put_u32(w, transport->ops ? transport->ops->device_id : 0);
	snap_put_u32(w, transport->device_features_sel);
	snap_put_u32(w, transport->driver_features_sel);
	snap_put_u32(w, transport->queue_sel);
	snap_put_u32(w, transport->status);
	snap_put_u32(w, transport->interrupt_status);
	snap_put_u64(w, transport->driver_features);
	for (unsigned k = 0; k < VIRTIO_MMIO_MAX_QUEUES; k++) {
		const struct virtq *queue = &transport->queues[k];
		snap_put_u32(w, queue->size);
		snap_put_u64(w, queue->desc);
		snap_put_u64(w, queue->avail);
		snap_put_u64(w, queue->used);
		snap_put_bool(w, queue->ready);
		snap_put_u32(w, queue->next_avail);
		snap_put_u32(w, queue->next_used);
	}
	snap_put_irq_line(w, &transport->irq);
}

static void virtio_mmio_load(void *state, struct snap_reader *r)
{
	struct virtio_mmio *transport = state;
	uint32_t device_id = transport->ops ? transport->ops->device_id : 0;

	if (snap_get_u32(r) != device_id)
		snap_fail(r, "saved with another device behind %s (this board has device ID %u)", transport->path,
			  device_id);
	transport->device_features_sel = snap_get_u32(r);
	transport->driver_features_sel = snap_get_u32(r);
	transport->queue_sel = snap_get_u32(r);
	transport->status = snap_get_u32(r);
	transport->interrupt_status = snap_get_u32(r);
	transport->driver_features = snap_get_u64(r);
	for (unsigned k = 0; k < VIRTIO_MMIO_MAX_QUEUES; k++) {
		struct virtq *queue = &transport->queues[k];
		queue->size = snap_get_index(r, VIRTQ_MAX_SIZE + 1, "a queue's size");
		queue->desc = snap_get_u64(r);
		queue->avail = snap_get_u64(r);
		queue->used = snap_get_u64(r);
		queue->ready = snap_get_bool(r);
		queue->next_avail = (uint16_t)snap_get_index(r, 1u << 16, "a queue's next available entry");
		queue->next_used = (uint16_t)snap_get_index(r, 1u << 16, "a queue's used index");
	}
	snap_get_irq_line(r, &transport->irq);
}

static void virtio_mmio_destroy(void *state)
{
	struct virtio_mmio *transport = state;

	if (transport->ops)
		transport->ops->destroy(transport->device);
	free(transport);
}

/* Which "virtio,mmio" node this is, counted in device-tree order, and how many there are. */
static unsigned transport_index(const struct model_config *config, unsigned *count)
{
	unsigned index = 0;

	*count = 0;
	for (int node = fdt_node_offset_by_compatible(config->fdt, -1, "virtio,mmio"); node >= 0;
	     node = fdt_node_offset_by_compatible(config->fdt, node, "virtio,mmio")) {
		if (node == config->node)
			index = *count;
		(*count)++;
	}
	return index;
}

static int attach_disk(struct virtio_mmio *transport, const struct model_config *config)
{
	const struct machine_config *machine = &config->machine->config;
	unsigned count, index = transport_index(config, &count);

	if (index + 1 == count && machine->disk_count > count)
		return error_set("%u disks but only %u virtio-mmio transports on the board", machine->disk_count, count);
	if (index >= machine->disk_count)
		return 0;
	if (virtio_blk_create(&machine->disks[index], &transport->ops, &transport->device) < 0)
		return error_set("--disk %s: %s", machine->disks[index].path, error_message());
	return 0;
}

int virtio_mmio_create(const struct model_config *config, struct model_instance *instance)
{
	struct virtio_mmio *transport = calloc(1, sizeof(*transport));

	if (!transport)
		return error_set("%s: out of memory", config->path);
	transport->machine = config->machine;
	transport->path = instance->path; /* config->path does not outlive the constructor */
	if ((irq_count(config->machine, config->node) > 0 &&
	     irq_connect(config->machine, config->node, 0, &transport->irq) < 0) ||
	    attach_disk(transport, config) < 0 ||
	    bus_add_mmio(config->machine->bus, config->path, config->base, config->size, &virtio_mmio_ops, transport) < 0) {
		virtio_mmio_destroy(transport);
		return -1;
	}
	instance->state = transport;
	instance->destroy = virtio_mmio_destroy;
	instance->save = virtio_mmio_save;
	instance->load = virtio_mmio_load;
	return 0;
}
