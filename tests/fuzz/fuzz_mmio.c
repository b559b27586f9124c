/* Every MMIO model of the virt board through the bus (runtime/machine/bus.c): each input is a
 * sequence of accesses of every size at any offset of any device region (a few bytes past its
 * end too), writes to the first 64 KiB of RAM (virtqueues for virtio-blk, whose disk is a
 * 64 KiB file), and steps of virtual time in which the CPU idles in WFI and the models' events
 * fire. Accesses may be refused (a bus error for the guest), never crash the host. */
#include <libfdt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* The virt board with its CPU at 1 MHz, as a file (made once). The accesses, not the CPU, are
 * under test; but a pending interrupt wakes the idle loop's WFI even while masked, so the CPU
 * spins through a time step: at the board's 1 GHz a 1 s step was 10^9 instructions (inputs of
 * 3 to 4 s in long runs), at 1 MHz it is 10^6. The models' time is the same. */
static const char *slow_cpu_board(void)
{
	static char path[64];
	static char fdt[64 * 1024];
	FILE *file;
	size_t size;
	int fd, node;

	if (path[0])
		return path;
	file = fopen(QVP_FUZZ_VIRT_DTB, "rb");
	if (!file)
		abort();
	size = fread(fdt, 1, sizeof(fdt), file);
	fclose(file);
	node = fdt_path_offset(fdt, "/cpus/cpu@0");
	fd = memfd_create("qvp-fuzz-board", 0);
	if (!size || node < 0 || fdt_setprop_inplace_u32(fdt, node, "clock-frequency", 1000000) < 0 || fd < 0 ||
	    write(fd, fdt, fdt_totalsize(fdt)) != (ssize_t)fdt_totalsize(fdt))
		abort(); /* the virt board has a cpu@0 with a clock-frequency */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return path;
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
static void one_access(struct machine *machine, const struct region *regions, size_t count, const uint8_t *op)
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

	fuzz_machine_config(&config, slow_cpu_board(), idle_loop, 2, VTIME_NEVER);
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
		one_access(machine, regions, count, data + at);
	machine_destroy(machine);
	return 0;
}
