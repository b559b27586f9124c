/*
 * CFI flash, Intel/Sharp command set, as QEMU's pflash_cfi01 on its virt board: each `reg`
 * entry of the node is a bank (its own command state) of `bank-width` bytes made of x16
 * devices side by side (two for bank-width 4), so status, identifier and query answers are
 * repeated once per device. Commands: read array, read status, clear status, read
 * identifier, CFI query, word program, buffered program, block erase, lock setup (locks are
 * accepted and not kept: every block reads unlocked, as on QEMU).
 *
 * In read-array mode a bank is memory to the CPU (the bus's romd mode): instructions are
 * fetched and data read straight from its storage; the first command write switches it to
 * MMIO until the bank is back in read-array mode. Bank 0 holds --bios or the first --flash
 * file, bank 1 the second; a bank given as FILE,rw writes each program and erase through to
 * its file.
 */
#include "cfi_flash.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "models.h"
#include "platform.h"
#include "snapshot_stream.h"

#define CFI_TABLE_SIZE 0x52
#define DEVICE_WIDTH 2 /* x16 parts, QEMU's device-width */
#define SNAPSHOT_CHUNK 4096u
#define NO_MORE_CHUNKS UINT64_MAX

struct flash_bank {
	struct bus *bus;
	uint64_t base, size;
	uint8_t *storage;
	int fd;              /* FILE,rw: programs and erases are written through; else -1 */
	const char *path;    /* the file, for messages */
	unsigned bank_width; /* bytes: 1, 2 or 4 */
	unsigned device_width;
	uint8_t cfi[CFI_TABLE_SIZE];
	/* Command state, as QEMU's: the command, which write of its sequence comes next, status. */
	uint8_t cmd;
	uint8_t cycle;
	uint8_t status;
	uint32_t counter; /* buffered program: bus writes still to come, less one */
	bool romd;
	bool touched;     /* storage is not all zeros any more (a file, a program, an erase) */
};

struct cfi_flash {
	struct flash_bank banks[CFI_FLASH_MAX_BANKS];
	unsigned count;
};

/* ---- Answers to reads in the command modes ---- */

/* `value` (one device's answer, device_width bytes) repeated for each device up to `bytes`. */
static uint32_t per_device(const struct flash_bank *bank, uint32_t value, unsigned bytes)
{
	uint32_t result = value;

	for (unsigned at = bank->device_width; at + bank->device_width <= bytes && at < 4; at += bank->device_width)
		result |= value << (8 * at);
	return result;
}

/* Query and identifier addresses count in bank-width units. */
static uint64_t query_index(const struct flash_bank *bank, uint64_t offset)
{
	return offset / bank->bank_width;
}

static uint32_t cfi_answer(const struct flash_bank *bank, uint64_t offset)
{
	uint64_t index = query_index(bank, offset);

	return index < CFI_TABLE_SIZE ? per_device(bank, bank->cfi[index], bank->bank_width) : 0;
}

/* Manufacturer at 0, device at 1; 2 (block lock status) and the rest read 0: unlocked. */
static uint32_t identifier_answer(const struct flash_bank *bank, uint64_t offset)
{
	switch (query_index(bank, offset) & 0xff) {
	case 0:
		return per_device(bank, CFI_FLASH_MANUFACTURER, bank->bank_width);
	case 1:
		return per_device(bank, CFI_FLASH_DEVICE, bank->bank_width);
	default:
		return 0;
	}
}

static uint32_t read_array(const struct flash_bank *bank, uint64_t offset, unsigned size)
{
	uint32_t value = 0;

	memcpy(&value, bank->storage + offset, size); /* little-endian host */
	return value;
}

/* One read of 1, 2 or 4 bytes. */
static uint32_t bank_read(const struct flash_bank *bank, uint64_t offset, unsigned size)
{
	uint32_t value;

	switch (bank->cmd) {
	case CFI_READ_ARRAY_ZERO:
		return read_array(bank, offset, size);
	case CFI_READ_IDENTIFIER:
		value = identifier_answer(bank, offset);
		break;
	case CFI_QUERY:
		value = cfi_answer(bank, offset);
		break;
	default: /* every other command reads the status of each device */
		value = per_device(bank, bank->status, size);
		break;
	}
	return size == 4 ? value : value & ((1u << (8 * size)) - 1);
}

/* ---- Commands ---- */

/* Writes [offset, offset + length) of storage through to the bank's file (FILE,rw). */
static void write_through(struct flash_bank *bank, uint64_t offset, uint64_t length)
{
	if (bank->fd < 0)
		return;
	if (pwrite(bank->fd, bank->storage + offset, (size_t)length, (off_t)offset) != (ssize_t)length)
		bank->status |= CFI_STATUS_PROGRAM_ERROR; /* the guest sees the failure; nothing else changes */
}

static void program(struct flash_bank *bank, uint64_t offset, unsigned size, uint32_t value)
{
	bank->touched = true;
	memcpy(bank->storage + offset, &value, size);
	write_through(bank, offset, size);
	bank->status |= CFI_STATUS_READY;
}

static void erase_sector(struct flash_bank *bank, uint64_t offset)
{
	offset &= ~(uint64_t)(CFI_FLASH_SECTOR_SIZE - 1);
	bank->touched = true;
	memset(bank->storage + offset, 0xff, CFI_FLASH_SECTOR_SIZE);
	write_through(bank, offset, CFI_FLASH_SECTOR_SIZE);
	bank->status |= CFI_STATUS_READY;
}

static void read_array_mode(struct flash_bank *bank)
{
	bank->cmd = CFI_READ_ARRAY_ZERO;
	bank->cycle = 0;
}

/* The first write of a sequence. */
static void first_cycle(struct flash_bank *bank, uint8_t cmd)
{
	switch (cmd) {
	case CFI_READ_ARRAY_ZERO:
	case CFI_AMD_RESET:
	case CFI_READ_ARRAY:
		read_array_mode(bank);
		return;
	case CFI_CLEAR_STATUS:
		bank->status = 0;
		read_array_mode(bank);
		return;
	case CFI_READ_STATUS:
	case CFI_READ_IDENTIFIER:
		bank->cmd = cmd; /* a mode, not a sequence: the next write is a first one again */
		return;
	case CFI_BUFFERED_PROGRAM:
		bank->status |= CFI_STATUS_READY; /* the buffer is free at once */
		break;
	case CFI_PROGRAM:
	case CFI_PROGRAM_ALT:
	case CFI_BLOCK_ERASE:
	case CFI_BLOCK_ERASE_ALT:
	case CFI_LOCK_SETUP:
	case CFI_QUERY:
		break;
	default: /* unknown: back to read array, as QEMU */
		read_array_mode(bank);
		return;
	}
	bank->cmd = cmd;
	bank->cycle = 1;
}

/* The second write: the data, the confirmation or the buffer's word count. */
static void second_cycle(struct flash_bank *bank, uint64_t offset, unsigned size, uint32_t value)
{
	uint8_t cmd = (uint8_t)value;

	switch (bank->cmd) {
	case CFI_PROGRAM:
	case CFI_PROGRAM_ALT:
		program(bank, offset, size, value);
		bank->cycle = 0; /* reads return the status until a read-array command */
		return;
	case CFI_BLOCK_ERASE:
	case CFI_BLOCK_ERASE_ALT:
		if (cmd != CFI_CONFIRM)
			break;
		erase_sector(bank, offset);
		bank->cycle = 0;
		return;
	case CFI_LOCK_SETUP:
		if (cmd != CFI_CONFIRM && cmd != CFI_LOCK)
			break;
		bank->status |= CFI_STATUS_READY; /* accepted; blocks stay unlocked */
		bank->cycle = 0;
		return;
	case CFI_BUFFERED_PROGRAM:
		bank->counter = value & ((1u << (8 * bank->device_width)) - 1); /* one device's count */
		bank->cycle = 2;
		return;
	case CFI_QUERY:
		if (cmd != CFI_READ_ARRAY)
			return; /* QEMU stays in query mode on anything else */
		break;
	default:
		break;
	}
	read_array_mode(bank);
}

static void bank_write(struct flash_bank *bank, uint64_t offset, unsigned size, uint32_t value)
{
	switch (bank->cycle) {
	case 0:
		first_cycle(bank, (uint8_t)value);
		break;
	case 1:
		second_cycle(bank, offset, size, value);
		break;
	case 2: /* buffered program: the data words */
		program(bank, offset, size, value);
		if (bank->counter-- == 0)
			bank->cycle = 3;
		break;
	default: /* buffered program: the confirmation */
		if ((uint8_t)value == CFI_CONFIRM)
			bank->cycle = 0;
		else
			read_array_mode(bank);
		break;
	}
}

/* Read-array mode is memory to the CPU; any other mode goes through the handlers below. */
static void bank_update(struct flash_bank *bank)
{
	bool romd = bank->cmd == CFI_READ_ARRAY_ZERO && bank->cycle == 0;

	if (romd != bank->romd) {
		bank->romd = romd;
		bus_set_romd(bank->bus, bank->base, romd);
	}
}

/* ---- Bus ---- */

/* 8-byte accesses are two 4-byte ones, as QEMU splits them for a 32-bit device. */
static bool cfi_flash_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
	struct flash_bank *bank = opaque;

	if (size == 8)
		*value = bank_read(bank, offset, 4) | (uint64_t)bank_read(bank, offset + 4, 4) << 32;
	else
		*value = bank_read(bank, offset, size);
	return true;
}

static bool cfi_flash_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct flash_bank *bank = opaque;

	if (size == 8) {
		bank_write(bank, offset, 4, (uint32_t)value);
		bank_write(bank, offset + 4, 4, (uint32_t)(value >> 32));
	} else {
		bank_write(bank, offset, size, (uint32_t)value);
	}
	bank_update(bank);
	return true;
}

static const struct mmio_ops cfi_flash_mmio = { .read = cfi_flash_read, .write = cfi_flash_write };

/* ---- Construction ---- */

static unsigned log2_of(uint64_t value)
{
	unsigned result = 0;

	while (value > 1) {
		value >>= 1;
		result++;
	}
	return result;
}

/* The query table one device answers (QEMU's pflash_cfi01_fill_cfi_table for this geometry). */
static void fill_cfi_table(struct flash_bank *bank)
{
	unsigned devices = bank->bank_width / bank->device_width;
	uint64_t sectors = bank->size / CFI_FLASH_SECTOR_SIZE;
	uint64_t sector_per_device = CFI_FLASH_SECTOR_SIZE / devices;
	static const uint8_t head[] = {
		'Q', 'R', 'Y', 0x01, 0x00, 0x31, 0x00, /* Intel command set; extended table at 0x31 */
		0x00, 0x00, 0x00, 0x00,                /* no alternate command set */
		0x45, 0x55, 0x00, 0x00,                /* Vcc 4.5-5.5 V, no Vpp */
		0x07, 0x07, 0x0a, 0x00,                /* typical timeouts */
		0x04, 0x04, 0x04, 0x00,                /* maximum timeouts */
	};
	uint8_t *t = bank->cfi;

	memset(t, 0, CFI_TABLE_SIZE);
	memcpy(t + 0x10, head, sizeof(head));
	t[0x27] = (uint8_t)log2_of(sector_per_device * sectors); /* one device's size */
	t[0x28] = 0x02;                                          /* x8/x16 interface */
	t[0x2a] = bank->bank_width == 1 ? 0x08 : 0x0b;           /* write buffer: 2 KiB per device */
	t[0x2c] = 0x01;                                          /* one erase-block region */
	t[0x2d] = (uint8_t)(sectors - 1);
	t[0x2e] = (uint8_t)((sectors - 1) >> 8);
	t[0x2f] = (uint8_t)(sector_per_device >> 8);
	t[0x30] = (uint8_t)(sector_per_device >> 16);
	memcpy(t + 0x31, "PRI10", 5);
	t[0x3f] = 0x01; /* one protection field */
}

/* Where bank `index` comes from: --bios, then the --flash files in order. */
static const struct machine_flash *bank_source(const struct machine_config *config, unsigned index,
					       struct machine_flash *bios)
{
	if (config->bios_path) {
		if (index == 0) {
			*bios = (struct machine_flash){ .path = config->bios_path, .writable = false };
			return bios;
		}
		index--;
	}
	return index < config->flash_count ? &config->flash[index] : NULL;
}

static int fill_bank(struct flash_bank *bank, const struct machine_flash *source, const char *option)
{
	struct stat info;
	int fd = open(source->path, source->writable ? O_RDWR : O_RDONLY);
	ssize_t got;

	if (fd < 0)
		return error_set("%s %s: cannot open%s: %s", option, source->path,
				 source->writable ? " for reading and writing (,rw)" : "", strerror(errno));
	if (fstat(fd, &info) < 0 || !S_ISREG(info.st_mode)) {
		close(fd);
		return error_set("%s %s: not a regular file", option, source->path);
	}
	if ((uint64_t)info.st_size > bank->size) {
		close(fd);
		return error_set("%s %s: %" PRIu64 " bytes do not fit the %" PRIu64 "-byte flash bank at 0x%" PRIx64,
				 option, source->path, (uint64_t)info.st_size, bank->size, bank->base);
	}
	got = pread(fd, bank->storage, (size_t)info.st_size, 0);
	if (got != (ssize_t)info.st_size) {
		close(fd);
		return error_set("%s %s: cannot read it", option, source->path);
	}
	bank->path = source->path;
	bank->touched = true;
	if (source->writable)
		bank->fd = fd;
	else
		close(fd);
	return 0;
}

static void free_banks(struct cfi_flash *flash)
{
	for (unsigned k = 0; k < flash->count; k++) {
		if (flash->banks[k].fd >= 0)
			close(flash->banks[k].fd);
		munmap(flash->banks[k].storage, (size_t)flash->banks[k].size);
	}
	free(flash);
}

static void cfi_flash_destroy(void *state)
{
	free_banks(state);
}

static int bank_width_of(const struct model_config *config, unsigned *width)
{
	int length;
	const fdt32_t *cell = fdt_getprop(config->fdt, config->node, "bank-width", &length);

	*width = cell && length == 4 ? fdt32_to_cpu(*cell) : 0;
	if (*width != 1 && *width != 2 && *width != 4)
		return error_set("bank-width must be 1, 2 or 4 (QEMU's virt flash: 4)");
	return 0;
}

/* Bank `index` of this node is the board's bank `board_index`: --bios and --flash count the
 * banks of every cfi-flash node in tree order (QEMU's secure board has one node per bank). */
static int create_bank(struct cfi_flash *flash, const struct model_config *config, unsigned index,
		       unsigned board_index, unsigned width)
{
	struct flash_bank *bank = &flash->banks[index];
	struct machine_flash bios;
	const struct machine_flash *source = bank_source(&config->machine->config, board_index, &bios);
	void *host;

	*bank = (struct flash_bank){ .bus = config->machine->bus, .fd = -1, .bank_width = width, .romd = true };
	bank->device_width = width < DEVICE_WIDTH ? width : DEVICE_WIDTH;
	if (platform_node_reg(config->fdt, config->node, (int)index, &bank->base, &bank->size) < 0)
		return error_set("reg entry %u is malformed", index);
	if (!bank->size || bank->size % CFI_FLASH_SECTOR_SIZE)
		return error_set("bank %u: size 0x%" PRIx64 " is not a multiple of the 256 KiB sector", index, bank->size);
	/* Anonymous memory: zeros, and host pages only where something is written. */
	host = mmap(NULL, (size_t)bank->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (host == MAP_FAILED)
		return error_set("bank %u: cannot allocate 0x%" PRIx64 " bytes", index, bank->size);
	bank->storage = host;
	flash->count = index + 1;
	fill_cfi_table(bank);
	if (source && fill_bank(bank, source, board_index == 0 && config->machine->config.bios_path ? "--bios" : "--flash") < 0)
		return -1;
	return bus_add_rom_device(bank->bus, config->path, bank->base, bank->size, bank->storage, &cfi_flash_mmio, bank);
}

/* ---- Snapshots: each bank's command state and the chunks of storage that are not zero ---- */

static bool chunk_is_zero(const uint8_t *chunk)
{
	static const uint8_t zero[SNAPSHOT_CHUNK];

	return memcmp(chunk, zero, SNAPSHOT_CHUNK) == 0;
}

static void cfi_flash_save(const void *state, struct snap_writer *w)
{
	const struct cfi_flash *flash = state;

	snap_put_u32(w, flash->count);
	for (unsigned k = 0; k < flash->count; k++) {
		const struct flash_bank *bank = &flash->banks[k];
		snap_put_u8(w, bank->cmd);
		snap_put_u8(w, bank->cycle);
		snap_put_u8(w, bank->status);
		snap_put_u32(w, bank->counter);
		for (uint64_t at = 0; bank->touched && at < bank->size; at += SNAPSHOT_CHUNK) {
			if (chunk_is_zero(bank->storage + at))
				continue;
			snap_put_u64(w, at);
			snap_put_bytes(w, bank->storage + at, SNAPSHOT_CHUNK);
		}
		snap_put_u64(w, NO_MORE_CHUNKS);
	}
}

static void load_bank(struct flash_bank *bank, struct snap_reader *r)
{
	uint64_t at;

	bank->cmd = snap_get_u8(r);
	bank->cycle = snap_get_u8(r);
	if (bank->cycle > 3)
		snap_fail(r, "flash write cycle %u", bank->cycle);
	bank->status = snap_get_u8(r);
	bank->counter = snap_get_u32(r);
	madvise(bank->storage, (size_t)bank->size, MADV_DONTNEED); /* zeros again */
	bank->touched = false;
	while (!r->failed && (at = snap_get_u64(r)) != NO_MORE_CHUNKS) {
		bank->touched = true;
		if (at % SNAPSHOT_CHUNK || at >= bank->size) {
			snap_fail(r, "flash chunk at 0x%" PRIx64 " outside its bank", at);
			return;
		}
		snap_get_bytes(r, bank->storage + at, SNAPSHOT_CHUNK);
	}
	bank_update(bank);
}

static void cfi_flash_load(void *state, struct snap_reader *r)
{
	struct cfi_flash *flash = state;

	if (snap_get_u32(r) != flash->count) {
		snap_fail(r, "the flash was saved with another number of banks");
		return;
	}
	for (unsigned k = 0; k < flash->count && !r->failed; k++)
		load_bank(&flash->banks[k], r);
}

static unsigned banks_of(const void *fdt, int node)
{
	unsigned banks = 0;
	uint64_t base, size;

	while (banks < CFI_FLASH_MAX_BANKS && platform_node_reg(fdt, node, (int)banks, &base, &size) == 0)
		banks++;
	return banks;
}

/* The banks of the cfi-flash nodes before `node` in the tree (all of them for node -1). */
static unsigned banks_before(const void *fdt, int node)
{
	unsigned banks = 0;

	for (int other = fdt_node_offset_by_compatible(fdt, -1, "cfi-flash"); other >= 0 && other != node;
	     other = fdt_node_offset_by_compatible(fdt, other, "cfi-flash"))
		banks += banks_of(fdt, other);
	return banks;
}

int cfi_flash_create(const struct model_config *config, struct model_instance *instance)
{
	struct cfi_flash *flash = calloc(1, sizeof(*flash));
	unsigned width, banks = banks_of(config->fdt, config->node), first = banks_before(config->fdt, config->node);
	unsigned board_banks = banks_before(config->fdt, -1);

	if (!flash)
		return error_set("out of memory");
	if (config->machine->config.flash_count + !!config->machine->config.bios_path > board_banks) {
		free(flash);
		return error_set("%u flash images (--bios, --flash) but the board has %u flash banks",
				 config->machine->config.flash_count + !!config->machine->config.bios_path, board_banks);
	}
	for (unsigned k = 0; k < banks; k++) {
		if (bank_width_of(config, &width) < 0 || create_bank(flash, config, k, first + k, width) < 0) {
			free_banks(flash);
			return -1;
		}
	}
	instance->state = flash;
	instance->destroy = cfi_flash_destroy;
	instance->save = cfi_flash_save;
	instance->load = cfi_flash_load;
	return 0;
}
