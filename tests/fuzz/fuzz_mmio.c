/* Every MMIO model of the virt board through the bus (runtime/machine/bus.c): each input is a
 * sequence of accesses of every size at any offset of any device region (a few bytes past its
 * end too), writes to the first 64 KiB of RAM (virtqueues for virtio-blk, whose disk is a
 * 64 KiB file), and steps of virtual time in which the CPU idles in WFI and the models' events
 * fire. Accesses may be refused (a bus error for the guest), never crash the host. */
#include <libfdt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "fuzz_support.h"
#include "machine.h"
#include "platform.h"

#define MAX_REGIONS 32
#define RAM_WINDOW 0x10000ull
#define OP_BYTES 12

struct region {
	uint64_t base, size;
};

static const uint32_t idle_loop[] = {
	0xd503207f, /* wfi */
	0x17ffffff, /* b .-4 */
};

/* The device regions: every `reg` entry of every enabled node but memory and the CPUs. */
static size_t device_regions(const void *fdt, struct region *regions)
{
	size_t count = 0;

	for (int node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL)) {
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		if (type && (strcmp(type, "memory") == 0 || strcmp(type, "cpu") == 0))
			continue;
		for (int index = 0; count < MAX_REGIONS; index++) {
			if (platform_node_reg(fdt, node, index, &regions[count].base, &regions[count].size) < 0)
				break;
			count++;
		}
	}
	return count;
}

static uint64_t little_endian(const uint8_t *bytes, unsigned count)
{
	uint64_t value = 0;

	for (unsigned i = 0; i < count; i++)
		value |= (uint64_t)bytes[i] << (8 * i);
	return value;
}

/* One access: byte 0 picks the region (or RAM), byte 1 the size (bits 0-1), read or write
 * (bit 2) and a time step after it (bits 3-7: 2^(n-1) ns), bytes 2-3 the offset, 4-11 the value. */
static void access(struct machine *machine, const struct region *regions, size_t count, const uint8_t *op)
{
	unsigned size = 1u << (op[1] & 3), steps = op[1] >> 3;
	bool write = op[1] & 4;
	uint64_t offset = little_endian(op + 2, 2), value = little_endian(op + 4, 8), address;
	size_t which = op[0] % (count + 1);

	if (which == count)
		address = machine->ram_base + offset % RAM_WINDOW;
	else
		address = regions[which].base + offset % (regions[which].size + 8);
	if (write)
		bus_write(machine->bus, address, size, value);
	else
		bus_read(machine->bus, address, size, &value);
	if (steps && machine->stop_cause == MACHINE_RUNNING)
		fuzz_advance(machine, (vtime_t)1 << (steps - 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t zeros[RAM_WINDOW];
	static struct region regions[MAX_REGIONS];
	static size_t count; /* the virt board's regions, the same for every input: found once */
	struct machine_config config;
	struct machine *machine;

	fuzz_machine_config(&config, QVP_FUZZ_VIRT_DTB, idle_loop, 2, VTIME_NEVER);
	config.quantum = 100 * VTIME_US;
	config.memory_size = FUZZ_SMALL_RAM; /* the accesses reach its first 64 KiB */
	config.disks[0].path = fuzz_input_file(zeros, sizeof(zeros));
	config.disks[0].writable = true;
	config.disk_count = 1;
	machine = machine_create(&config);
	if (!machine)
		abort(); /* the virt board always builds */
	if (!count)
		count = device_regions(machine->fdt, regions);
	for (size_t at = 0; at + OP_BYTES <= size; at += OP_BYTES)
		access(machine, regions, count, data + at);
	machine_destroy(machine);
	return 0;
}
