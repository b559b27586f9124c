/* The system bus: RAM regions backed by host memory and MMIO regions served by models. */
#ifndef QVP_BUS_H
#define QVP_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum bus_result {
	BUS_OK = 0,
	BUS_UNMAPPED,     /* no region claims the address: a decode error */
	BUS_DEVICE_ERROR, /* a device refused the access (slave error) */
};

/* Offsets are relative to the region base; size is 1, 2, 4 or 8 bytes, little-endian value. */
struct mmio_ops {
	bool (*read)(void *opaque, uint64_t offset, unsigned size, uint64_t *value);
	bool (*write)(void *opaque, uint64_t offset, unsigned size, uint64_t value);
};

struct bus_ram {
	uint64_t base;
	uint64_t size;
	uint8_t *host;
};

struct bus;

struct bus *bus_create(void);
void bus_destroy(struct bus *bus);

/* Both fail (error_set) on a zero size, address overflow or overlap with an existing region. */
int bus_add_ram(struct bus *bus, const char *name, uint64_t base, uint64_t size);
int bus_add_mmio(struct bus *bus, const char *name, uint64_t base, uint64_t size,
		 const struct mmio_ops *ops, void *opaque);

enum bus_result bus_read(struct bus *bus, uint64_t address, unsigned size, uint64_t *value);
enum bus_result bus_write(struct bus *bus, uint64_t address, unsigned size, uint64_t value);

/* The RAM region holding `address`, for backends that access RAM directly. */
bool bus_find_ram(const struct bus *bus, uint64_t address, struct bus_ram *ram);

/* Host pointer to [address, address + length) if one RAM region holds all of it, else NULL. */
uint8_t *bus_ram_pointer(const struct bus *bus, uint64_t address, uint64_t length);

/* Name of the region holding `address`, or NULL: for messages. */
const char *bus_region_name(const struct bus *bus, uint64_t address);

const char *bus_result_name(enum bus_result result);

#ifdef __cplusplus
}
#endif
#endif
