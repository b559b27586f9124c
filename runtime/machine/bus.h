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
	bool read_only; /* a ROM device in romd mode: stores go to its mmio_ops, not to host */
	bool secure_only; /* in the Secure physical address space only (bus_set_secure_only) */
};

struct bus;

/* RAM mappings kept from a destroyed bus for the next one's RAM of the same size: a board
 * rebuilt only to be restored (a reverse step) finds its pages still resident, with their old
 * bytes, which the restore overwrites; fresh pages would fault again on every step. */
#define BUS_MAX_SPARE_RAM 8
struct bus_ram_spares {
	uint8_t *host[BUS_MAX_SPARE_RAM];
	uint64_t size[BUS_MAX_SPARE_RAM];
	unsigned count;
};

struct bus *bus_create(void);
void bus_destroy(struct bus *bus);
/* Destroys the bus but keeps its RAM mappings in `spares` (those that fit; the rest are unmapped). */
void bus_destroy_keeping_ram(struct bus *bus, struct bus_ram_spares *spares);
/* bus_add_ram() on `bus` takes a spare of the right size before it maps new memory. */
void bus_take_spare_ram(struct bus *bus, struct bus_ram_spares *spares);
/* Unmaps the spares no bus took. */
void bus_free_spare_ram(struct bus_ram_spares *spares);

/* Both fail (error_set) on a zero size, address overflow or overlap with an existing region. */
int bus_add_ram(struct bus *bus, const char *name, uint64_t base, uint64_t size);
int bus_add_mmio(struct bus *bus, const char *name, uint64_t base, uint64_t size,
		 const struct mmio_ops *ops, void *opaque);

/* A ROM device (QEMU's "romd"): while romd is on, reads and instruction fetches come straight
 * from `host` (the model's storage, which the bus does not own) and writes go to `ops`; while
 * it is off every access goes to `ops`. It starts with romd on. */
int bus_add_rom_device(struct bus *bus, const char *name, uint64_t base, uint64_t size, uint8_t *host,
		       const struct mmio_ops *ops, void *opaque);

/* Puts every region inside [base, base + size) in the Secure physical address space only, as
 * QEMU's secure=on board maps its secure RAM, flash, UART and GPIO: a Non-secure access there
 * finds nothing (bus_secure_only). Fails (error_set) when no region lies there. */
int bus_set_secure_only(struct bus *bus, uint64_t base, uint64_t size);

/* Whether the region at `address` is Secure-only; false for unclaimed addresses. */
bool bus_secure_only(const struct bus *bus, uint64_t address);

/* The security state of the CPU access being served: a CPU with EL3 sets it before each MMIO
 * access (Secure by default), and a model with Secure and Non-secure views (the GIC with its
 * Security Extensions) reads it while it serves the access. */
void bus_set_access_nonsecure(struct bus *bus, bool nonsecure);
bool bus_access_nonsecure(const struct bus *bus);

/* Switches the ROM device at `base` between romd (true) and MMIO mode; the map observer hears
 * of a change, so CPUs drop what they cached of the old mapping. */
void bus_set_romd(struct bus *bus, uint64_t base, bool romd);

/* Hears that [address, address + length) changed between memory and MMIO. */
typedef void (*bus_map_observer)(void *opaque, uint64_t address, uint64_t length);

/* Sets the one map observer, or removes it with NULL. */
void bus_set_map_observer(struct bus *bus, bus_map_observer observer, void *opaque);

enum bus_result bus_read(struct bus *bus, uint64_t address, unsigned size, uint64_t *value);
enum bus_result bus_write(struct bus *bus, uint64_t address, unsigned size, uint64_t value);

/* The RAM region holding `address`, for backends that access RAM directly. */
bool bus_find_ram(const struct bus *bus, uint64_t address, struct bus_ram *ram);

/* Like bus_find_ram, and also a ROM device in romd mode (read_only set): memory a CPU may
 * fetch from and read directly. */
bool bus_find_memory(const struct bus *bus, uint64_t address, struct bus_ram *ram);

/* The index-th RAM region in address order; false past the last one (for KVM memslots). */
bool bus_ram_at(const struct bus *bus, size_t index, struct bus_ram *ram);

/* Host pointer to [address, address + length) if one RAM region holds all of it, else NULL. */
uint8_t *bus_ram_pointer(const struct bus *bus, uint64_t address, uint64_t length);

/* Hears of RAM written other than by the CPU's own stores (a device's DMA through
 * bus_ram_pointer()): the CPU drops instructions it decoded there. */
typedef void (*bus_ram_observer)(void *opaque, uint64_t address, uint64_t length);

/* Sets the one RAM observer, or removes it with NULL. */
void bus_set_ram_observer(struct bus *bus, bus_ram_observer observer, void *opaque);

/* A device wrote [address, address + length) of RAM through bus_ram_pointer(): tells the
 * RAM observer. Every model that writes guest RAM calls it after the write. */
void bus_ram_written(const struct bus *bus, uint64_t address, uint64_t length);

/* Called after every MMIO access a device accepted (never for RAM), e.g. for tracing. */
typedef void (*bus_mmio_observer)(void *opaque, const char *region, uint64_t offset, unsigned size,
				  uint64_t value, bool write);

/* Sets the one observer, or removes it with NULL; without one an access costs nothing extra. */
void bus_set_mmio_observer(struct bus *bus, bus_mmio_observer observer, void *opaque);

/* Serves an access no region claims (e.g. the SystemC bridge in runtime/systemc/); returns
 * BUS_OK, BUS_UNMAPPED or BUS_DEVICE_ERROR. Without one such an access is BUS_UNMAPPED. */
typedef enum bus_result (*bus_fallback)(void *opaque, uint64_t address, unsigned size, uint64_t *value,
					bool write);

/* Sets the one fallback, or removes it with NULL. */
void bus_set_fallback(struct bus *bus, bus_fallback fallback, void *opaque);

/* Name of the region holding `address`, or NULL: for messages. */
const char *bus_region_name(const struct bus *bus, uint64_t address);

const char *bus_result_name(enum bus_result result);

#ifdef __cplusplus
}
#endif
#endif
