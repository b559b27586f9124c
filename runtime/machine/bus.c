/* Regions sorted by base address, found by binary search; RAM is host memory. */
#include "bus.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "error.h"

struct bus_region {
	char *name;
	uint64_t base;
	uint64_t size;
	uint8_t *ram;                /* host memory for RAM, NULL for MMIO */
	uint8_t *rom;                /* a ROM device's storage (the model's), else NULL */
	bool romd;                   /* a ROM device reads from `rom` (else through mmio) */
	bool secure_only;            /* not in the Non-secure physical address space */
	const struct mmio_ops *mmio;
	void *opaque;
};

struct bus {
	struct bus_region *regions;
	size_t count;
	bus_mmio_observer observer;
	void *observer_opaque;
	bus_fallback fallback; /* for addresses no region claims */
	void *fallback_opaque;
	bus_ram_observer ram_observer;
	void *ram_observer_opaque;
	bus_map_observer map_observer;
	void *map_observer_opaque;
	bool access_nonsecure; /* the security state of the access being served */
	struct bus_ram_spares *spares; /* RAM mappings to reuse (bus_take_spare_ram), or NULL */
};

struct bus *bus_create(void)
{
	return calloc(1, sizeof(struct bus));
}

void bus_destroy_keeping_ram(struct bus *bus, struct bus_ram_spares *spares)
{
	if (!bus)
		return;
	for (size_t i = 0; i < bus->count; i++) {
		uint8_t *ram = bus->regions[i].ram;
		if (ram && spares && spares->count < BUS_MAX_SPARE_RAM) {
			spares->host[spares->count] = ram;
			spares->size[spares->count++] = bus->regions[i].size;
		} else if (ram)
			munmap(ram, bus->regions[i].size);
		free(bus->regions[i].name);
	}
	free(bus->regions);
	free(bus);
}

void bus_destroy(struct bus *bus)
{
	bus_destroy_keeping_ram(bus, NULL);
}

void bus_take_spare_ram(struct bus *bus, struct bus_ram_spares *spares)
{
	bus->spares = spares;
}

void bus_free_spare_ram(struct bus_ram_spares *spares)
{
	for (unsigned k = 0; k < spares->count; k++)
		munmap(spares->host[k], spares->size[k]);
	spares->count = 0;
}

/* A spare mapping of `size` bytes, taken out of the spares, or NULL. */
static void *take_spare(struct bus *bus, uint64_t size)
{
	struct bus_ram_spares *spares = bus->spares;

	for (unsigned k = 0; spares && k < spares->count; k++) {
		if (spares->size[k] != size)
			continue;
		void *host = spares->host[k];
		spares->host[k] = spares->host[--spares->count];
		spares->size[k] = spares->size[spares->count];
		return host;
	}
	return NULL;
}

static uint64_t region_last(const struct bus_region *region)
{
	return region->base + (region->size - 1);
}

static const struct bus_region *bus_lookup(const struct bus *bus, uint64_t address)
{
	size_t low = 0, high = bus->count;

	while (low < high) {
		size_t middle = low + (high - low) / 2;
		const struct bus_region *region = &bus->regions[middle];
		if (address < region->base)
			high = middle;
		else if (address > region_last(region))
			low = middle + 1;
		else
			return region;
	}
	return NULL;
}

static int bus_insert(struct bus *bus, const struct bus_region *added)
{
	struct bus_region *regions;
	size_t at = 0;

	if (added->size == 0)
		return error_set("region '%s' at 0x%" PRIx64 " has size 0", added->name, added->base);
	if (added->base + (added->size - 1) < added->base)
		return error_set("region '%s' at 0x%" PRIx64 " (size 0x%" PRIx64 ") wraps past the end of the address space",
				 added->name, added->base, added->size);
	for (; at < bus->count && bus->regions[at].base < added->base; at++)
		;
	for (size_t i = 0; i < bus->count; i++) {
		const struct bus_region *other = &bus->regions[i];
		if (added->base <= region_last(other) && other->base <= region_last(added))
			return error_set("region '%s' at 0x%" PRIx64 "-0x%" PRIx64 " overlaps '%s' at 0x%" PRIx64 "-0x%" PRIx64,
					 added->name, added->base, region_last(added), other->name, other->base,
					 region_last(other));
	}
	regions = realloc(bus->regions, (bus->count + 1) * sizeof(*regions));
	if (!regions)
		return error_set("out of memory adding region '%s'", added->name);
	memmove(&regions[at + 1], &regions[at], (bus->count - at) * sizeof(*regions));
	regions[at] = *added;
	bus->regions = regions;
	bus->count++;
	return 0;
}

int bus_add_ram(struct bus *bus, const char *name, uint64_t base, uint64_t size)
{
	struct bus_region region = { .base = base, .size = size };
	void *host;

	region.name = strdup(name);
	if (!region.name)
		return error_set("out of memory adding region '%s'", name);
	if (size == 0) {
		free(region.name);
		return error_set("RAM '%s' at 0x%" PRIx64 ": invalid size 0x%" PRIx64, name, base, size);
	}
	/* Anonymous mappings are zeroed and only take host memory where the guest touches them. */
	host = take_spare(bus, size);
	if (!host)
		host = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (host == MAP_FAILED) {
		free(region.name);
		return error_set("cannot allocate 0x%" PRIx64 " bytes of host memory for RAM '%s'", size, name);
	}
	region.ram = host;
	if (bus_insert(bus, &region) < 0) {
		munmap(host, (size_t)size);
		free(region.name);
		return -1;
	}
	return 0;
}

/* The region, named (a copy of `name`), in its place on the bus. */
static int add_named_region(struct bus *bus, const char *name, struct bus_region *region)
{
	region->name = strdup(name);
	if (!region->name)
		return error_set("out of memory adding region '%s'", name);
	if (bus_insert(bus, region) < 0) {
		free(region->name);
		return -1;
	}
	return 0;
}

int bus_add_mmio(struct bus *bus, const char *name, uint64_t base, uint64_t size,
		 const struct mmio_ops *ops, void *opaque)
{
	struct bus_region region = { .base = base, .size = size, .mmio = ops, .opaque = opaque };

	return add_named_region(bus, name, &region);
}

int bus_add_rom_device(struct bus *bus, const char *name, uint64_t base, uint64_t size, uint8_t *host,
		       const struct mmio_ops *ops, void *opaque)
{
	struct bus_region region = { .base = base, .size = size, .rom = host, .romd = true, .mmio = ops,
				     .opaque = opaque };

	return add_named_region(bus, name, &region);
}

void bus_set_romd(struct bus *bus, uint64_t base, bool romd)
{
	struct bus_region *region = (struct bus_region *)bus_lookup(bus, base);

	if (!region || !region->rom || region->romd == romd)
		return;
	region->romd = romd;
	if (bus->map_observer)
		bus->map_observer(bus->map_observer_opaque, region->base, region->size);
}

void bus_set_map_observer(struct bus *bus, bus_map_observer observer, void *opaque)
{
	bus->map_observer = observer;
	bus->map_observer_opaque = opaque;
}

/* True if [address, address + size) lies inside the region. */
static bool region_holds(const struct bus_region *region, uint64_t address, uint64_t size)
{
	return size <= region->size && address - region->base <= region->size - size;
}

static bool valid_access_size(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

enum bus_result bus_read(struct bus *bus, uint64_t address, unsigned size, uint64_t *value)
{
	const struct bus_region *region = bus_lookup(bus, address);

	*value = 0;
	if (!region && bus->fallback && valid_access_size(size))
		return bus->fallback(bus->fallback_opaque, address, size, value, false);
	if (!region || !valid_access_size(size) || !region_holds(region, address, size))
		return BUS_UNMAPPED;
	if (region->ram || (region->rom && region->romd)) {
		const uint8_t *host = region->ram ? region->ram : region->rom;
		memcpy(value, host + (address - region->base), size); /* little-endian host */
		return BUS_OK;
	}
	if (!region->mmio->read || !region->mmio->read(region->opaque, address - region->base, size, value))
		return BUS_DEVICE_ERROR;
	if (size < 8) /* a model may answer with a whole register: the access gets its own bytes, as in QEMU */
		*value &= (1ull << (8 * size)) - 1;
	if (bus->observer)
		bus->observer(bus->observer_opaque, region->name, address - region->base, size, *value, false);
	return BUS_OK;
}

enum bus_result bus_write(struct bus *bus, uint64_t address, unsigned size, uint64_t value)
{
	const struct bus_region *region = bus_lookup(bus, address);

	if (!region && bus->fallback && valid_access_size(size))
		return bus->fallback(bus->fallback_opaque, address, size, &value, true);
	if (!region || !valid_access_size(size) || !region_holds(region, address, size))
		return BUS_UNMAPPED;
	if (region->ram) {
		memcpy(region->ram + (address - region->base), &value, size);
		return BUS_OK;
	}
	if (!region->mmio->write || !region->mmio->write(region->opaque, address - region->base, size, value))
		return BUS_DEVICE_ERROR;
	if (bus->observer)
		bus->observer(bus->observer_opaque, region->name, address - region->base, size, value, true);
	return BUS_OK;
}

void bus_set_mmio_observer(struct bus *bus, bus_mmio_observer observer, void *opaque)
{
	bus->observer = observer;
	bus->observer_opaque = opaque;
}

void bus_set_ram_observer(struct bus *bus, bus_ram_observer observer, void *opaque)
{
	bus->ram_observer = observer;
	bus->ram_observer_opaque = opaque;
}

void bus_ram_written(const struct bus *bus, uint64_t address, uint64_t length)
{
	if (bus->ram_observer && length)
		bus->ram_observer(bus->ram_observer_opaque, address, length);
}

void bus_set_fallback(struct bus *bus, bus_fallback fallback, void *opaque)
{
	bus->fallback = fallback;
	bus->fallback_opaque = opaque;
}

bool bus_find_ram(const struct bus *bus, uint64_t address, struct bus_ram *ram)
{
	const struct bus_region *region = bus_lookup(bus, address);

	if (!region || !region->ram)
		return false;
	ram->base = region->base;
	ram->size = region->size;
	ram->host = region->ram;
	ram->read_only = false;
	ram->secure_only = region->secure_only;
	return true;
}

bool bus_find_memory(const struct bus *bus, uint64_t address, struct bus_ram *ram)
{
	const struct bus_region *region = bus_lookup(bus, address);

	if (!region || !region->rom || !region->romd)
		return bus_find_ram(bus, address, ram);
	ram->base = region->base;
	ram->size = region->size;
	ram->host = region->rom;
	ram->read_only = true;
	ram->secure_only = region->secure_only;
	return true;
}

int bus_set_secure_only(struct bus *bus, uint64_t base, uint64_t size)
{
	unsigned marked = 0;

	for (size_t i = 0; i < bus->count; i++) {
		struct bus_region *region = &bus->regions[i];
		if (region->base - base < size && region_last(region) - base < size) {
			region->secure_only = true;
			marked++;
		}
	}
	if (!marked)
		return error_set("no region at 0x%" PRIx64 "-0x%" PRIx64 " to make Secure-only", base, base + (size - 1));
	return 0;
}

void bus_set_access_nonsecure(struct bus *bus, bool nonsecure)
{
	bus->access_nonsecure = nonsecure;
}

bool bus_access_nonsecure(const struct bus *bus)
{
	return bus->access_nonsecure;
}

bool bus_secure_only(const struct bus *bus, uint64_t address)
{
	const struct bus_region *region = bus_lookup(bus, address);

	return region && region->secure_only;
}

uint8_t *bus_ram_pointer(const struct bus *bus, uint64_t address, uint64_t length)
{
	const struct bus_region *region = bus_lookup(bus, address);

	if (!region || !region->ram || length == 0 || !region_holds(region, address, length))
		return NULL;
	return region->ram + (address - region->base);
}

const char *bus_region_name(const struct bus *bus, uint64_t address)
{
	const struct bus_region *region = bus_lookup(bus, address);

	return region ? region->name : NULL;
}

const char *bus_result_name(enum bus_result result)
{
	switch (result) {
	case BUS_OK:
		return "ok";
	case BUS_UNMAPPED:
		return "unmapped address";
	case BUS_DEVICE_ERROR:
		return "device error";
	}
	return "unknown bus result";
}

bool bus_ram_at(const struct bus *bus, size_t index, struct bus_ram *ram)
{
	for (size_t i = 0; i < bus->count; i++) {
		const struct bus_region *region = &bus->regions[i];
		if (!region->ram || index-- > 0)
			continue;
		ram->base = region->base;
		ram->size = region->size;
		ram->host = region->ram;
		ram->read_only = false;
		ram->secure_only = region->secure_only;
		return true;
	}
	return false;
}
