/* virtio-blk behind its virtio-mmio transport (models/virtio_mmio.c, virtqueue.c, virtio_blk.c)
 * driven the way a driver does it: each input sets up queue 0 by the book (reset, features,
 * queue size and addresses, DRIVER_OK) with descriptor tables, rings and requests taken from
 * the input and placed in guest RAM, then notifies the device and lets virtual time pass; so
 * every input reaches request parsing, which fuzz_mmio's random accesses seldom do. Chains
 * may be refused (IOERR, NEEDS_RESET), never crash the host or touch memory outside RAM. */
#include <libfdt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "fuzz_support.h"
#include "machine.h"
#include "platform.h"
#include "virtio_mmio.h"

#define RAM_WINDOW  0x10000ull /* where the input's tables and buffers go, from RAM's start + 1 MiB */
#define WINDOW_BASE 0x100000ull
#define HEADER      8
#define DISK_BYTES  (64 * 512)

static const uint32_t idle_loop[] = {
	0xd503207f, /* wfi */
	0x17ffffff, /* b .-4 */
};

/* The transport the disk is behind: the first "virtio,mmio" node of the board. */
static uint64_t disk_transport(const struct machine *machine)
{
	int node = fdt_node_offset_by_compatible(machine->fdt, -1, "virtio,mmio");
	uint64_t base, size;

	if (node < 0 || platform_node_reg(machine->fdt, node, 0, &base, &size) < 0)
		abort(); /* the virt board has them */
	return base;
}

static void write_register(struct machine *machine, uint64_t transport, unsigned offset, uint32_t value)
{
	bus_write(machine->bus, transport + offset, 4, value);
}

/* An address for a table: in the window at `offset`, or (flag bits) at RAM's very end, where
 * the table runs past it, or outside RAM altogether. */
static uint64_t table_address(const struct machine *machine, unsigned placement, uint16_t offset)
{
	switch (placement & 3) {
	case 1:
		return machine->ram_base + machine->ram_size - (offset & 0xff);
	case 2:
		return offset; /* flash or nothing: not RAM */
	default:
		return machine->ram_base + WINDOW_BASE + offset;
	}
}

/* Reset, features (VERSION_1 and the input's low word), queue 0 at the input's addresses. */
static void set_up_queue(struct machine *machine, uint64_t transport, const uint8_t *header)
{
	uint32_t features = (uint32_t)header[2] | (uint32_t)header[3] << 8;
	uint64_t desc = table_address(machine, header[1] >> 2, (uint16_t)(header[4] | header[5] << 8));
	uint64_t avail = table_address(machine, header[1] >> 4, (uint16_t)(header[6] << 4));
	uint64_t used = table_address(machine, header[1] >> 6, (uint16_t)(header[7] << 6));

	write_register(machine, transport, VIRTIO_MMIO_STATUS, 0);
	write_register(machine, transport, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	write_register(machine, transport, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	write_register(machine, transport, VIRTIO_MMIO_DRIVER_FEATURES, features);
	write_register(machine, transport, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	write_register(machine, transport, VIRTIO_MMIO_DRIVER_FEATURES, 1u << (VIRTIO_F_VERSION_1 - 32));
	write_register(machine, transport, VIRTIO_MMIO_STATUS,
		       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	write_register(machine, transport, VIRTIO_MMIO_QUEUE_SEL, 0);
	write_register(machine, transport, VIRTIO_MMIO_QUEUE_NUM, header[0] + 1u);
	write_register(machine, transport, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	write_register(machine, transport, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	write_register(machine, transport, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	write_register(machine, transport, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	write_register(machine, transport, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	write_register(machine, transport, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
	write_register(machine, transport, VIRTIO_MMIO_QUEUE_READY, 1);
	write_register(machine, transport, VIRTIO_MMIO_STATUS,
		       VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
			       VIRTIO_STATUS_DRIVER_OK);
}

/* Notifies, lets the device work and its interrupt fire, and acknowledges it, `rounds` times:
 * a second round finds the same available index (nothing new) or what the device left. */
static void notify_rounds(struct machine *machine, uint64_t transport, unsigned rounds)
{
	uint64_t status;

	for (unsigned round = 0; round < rounds && machine->stop_cause == MACHINE_RUNNING; round++) {
		write_register(machine, transport, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		fuzz_advance(machine, 20 * VTIME_US);
		bus_read(machine->bus, transport + VIRTIO_MMIO_INTERRUPT_STATUS, 4, &status);
		write_register(machine, transport, VIRTIO_MMIO_INTERRUPT_ACK, (uint32_t)status);
	}
}

/* Byte 0: queue size - 1; byte 1: bit 0 a writable disk, bit 1 a second notify, bits 2-7 where
 * the descriptor table, available and used rings go; bytes 2-3: feature bits 0-15; bytes 4-7:
 * the tables' offsets in the window. The rest is the window's contents. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t zeros[DISK_BYTES];
	struct machine_config config;
	struct machine *machine;
	uint64_t transport;
	uint8_t *window;

	if (size < HEADER)
		return 0;
	fuzz_machine_config(&config, QVP_FUZZ_VIRT_DTB, idle_loop, 2, VTIME_NEVER);
	config.quantum = 100 * VTIME_US;
	config.memory_size = 2 * FUZZ_SMALL_RAM; /* the window, 1 MiB in, and RAM's end: what the tables reach */
	config.disks[0].path = fuzz_input_file(zeros, sizeof(zeros));
	config.disks[0].writable = data[1] & 1;
	config.disk_count = 1;
	machine = machine_create(&config);
	if (!machine)
		abort(); /* the virt board always builds */
	window = bus_ram_pointer(machine->bus, machine->ram_base + WINDOW_BASE, RAM_WINDOW);
	if (!window)
		abort();
	memcpy(window, data + HEADER, size - HEADER < RAM_WINDOW ? size - HEADER : RAM_WINDOW);
	bus_ram_written(machine->bus, machine->ram_base + WINDOW_BASE, RAM_WINDOW);
	transport = disk_transport(machine);
	set_up_queue(machine, transport, data);
	notify_rounds(machine, transport, data[1] & 2 ? 2 : 1);
	machine_destroy(machine);
	return 0;
}
