/* The ELF loader and the raw-image path (runtime/machine/loader.c) on arbitrary files: every
 * input is loaded as an ELF into a 16 MiB RAM, its symbols are looked up, and it is loaded
 * again as a raw image ending near the top of RAM. Either load may fail, never crash. */
#include <stdint.h>
#include <stdlib.h>

#include "bus.h"
#include "fuzz_support.h"
#include "loader.h"

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (16ull << 20)

static struct bus *ram_bus(void)
{
	static struct bus *bus;

	if (!bus) {
		bus = bus_create();
		if (!bus || bus_add_ram(bus, "ram", RAM_BASE, RAM_SIZE) < 0)
			abort();
	}
	return bus;
}

/* What the CLI and the debugger ask of a loaded image. */
static void use_symbols(const struct image *image)
{
	const uint64_t addresses[] = { image->entry, image->low, image->high - 1, image->entry + 4 };
	char name[128];

	for (size_t i = 0; i < sizeof(addresses) / sizeof(addresses[0]); i++)
		image_name_address(image, addresses[i], name, sizeof(name));
	for (size_t i = 0; i < image->symbol_count; i++)
		if (image_find_symbol(image, image->symbols[i].name) == NULL)
			abort(); /* a symbol the image lists must be found by its name */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_input_file(data, size);
	struct image image;
	/* the raw image's start: from the first byte, so some inputs run past the end of RAM */
	uint64_t raw_address = RAM_BASE + RAM_SIZE - (size ? data[0] : 0) * 64ull;

	if (loader_load_elf(ram_bus(), path, &image) == 0) {
		use_symbols(&image);
		image_release(&image);
	}
	if (loader_load_raw(ram_bus(), path, raw_address, &image) == 0)
		image_release(&image);
	return 0;
}
