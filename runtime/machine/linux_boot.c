/* Booting an arm64 Linux kernel as Documentation/arm64/booting.rst asks: the Image at a 2 MiB
 * aligned base of RAM plus its text_offset, the DTB and initrd in RAM after it, /chosen filled
 * in the same device tree the board was built from, x0 = DTB with the MMU off at EL1. */
#include "linux_boot.h"

#include <inttypes.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "error.h"
#include "loader.h"

#define SZ_2M (2ull << 20)
#define IMAGE_HEADER_SIZE 64
#define IMAGE_MAGIC 0x644d5241u       /* "ARM\x64" at offset 0x38 */
#define IMAGE_FLAG_BIG_ENDIAN 1u
#define IMAGE_DEFAULT_TEXT_OFFSET 0x80000u /* for kernels older than 3.17 (image_size 0) */
#define FDT_CHOSEN_ROOM 1024u         /* for the properties /chosen gains, besides bootargs */

struct image_header {
	uint64_t text_offset;
	uint64_t image_size; /* bytes the kernel uses from its load address, BSS included */
	uint64_t flags;
};

/* Where everything goes in RAM. */
struct boot_layout {
	uint64_t kernel;
	uint64_t kernel_end;
	uint64_t fdt;
	uint64_t initrd;
	uint64_t initrd_end;
};

static uint64_t align_up(uint64_t value, uint64_t alignment)
{
	return (value + alignment - 1) & ~(alignment - 1);
}

static uint64_t read_le64(const uint8_t *bytes)
{
	uint64_t value = 0;

	for (int i = 7; i >= 0; i--)
		value = value << 8 | bytes[i];
	return value;
}

static bool is_gzip(const uint8_t *data, size_t size)
{
	return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

static int grow(const char *path, uint8_t **buffer, size_t *capacity, size_t limit)
{
	size_t bigger = *capacity * 2;
	uint8_t *grown;

	if (*capacity >= limit)
		return error_set("%s: decompressed Image is larger than RAM (%zu bytes)", path, limit);
	if (bigger > limit)
		bigger = limit;
	grown = realloc(*buffer, bigger);
	if (!grown)
		return error_set("%s: out of memory decompressing", path);
	*buffer = grown;
	*capacity = bigger;
	return 0;
}

static int inflate_all(const char *path, z_stream *stream, size_t limit, uint8_t **out, size_t *out_size)
{
	size_t capacity = 4u << 20;
	uint8_t *buffer = malloc(capacity);
	int status = Z_OK;

	if (!buffer)
		return error_set("%s: out of memory decompressing", path);
	while (status != Z_STREAM_END) {
		if (stream->total_out == capacity && grow(path, &buffer, &capacity, limit) < 0) {
			free(buffer);
			return -1;
		}
		stream->next_out = buffer + stream->total_out;
		stream->avail_out = (uInt)(capacity - stream->total_out);
		status = inflate(stream, Z_NO_FLUSH);
		if (status == Z_BUF_ERROR && stream->avail_in == 0)
			status = Z_DATA_ERROR; /* input ended before the stream did */
		if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
			free(buffer);
			return error_set("%s: bad gzip data at compressed byte %lu: %s", path, stream->total_in,
					 stream->msg ? stream->msg : "truncated");
		}
	}
	*out = buffer;
	*out_size = stream->total_out;
	return 0;
}

int linux_boot_gunzip(const char *path, const uint8_t *data, size_t size, size_t limit, uint8_t **out,
		      size_t *out_size)
{
	z_stream stream;
	int result;

	memset(&stream, 0, sizeof(stream));
	if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) /* 16: a gzip wrapper */
		return error_set("%s: cannot start zlib", path);
	stream.next_in = (Bytef *)(uintptr_t)data;
	stream.avail_in = (uInt)size;
	result = inflate_all(path, &stream, limit, out, out_size);
	inflateEnd(&stream);
	return result;
}

/* The Image, decompressed when it is gzip'd (Debian's vmlinuz may be). */
static int read_kernel(const char *path, size_t limit, uint8_t **image, size_t *size)
{
	uint8_t *file;
	size_t file_size;
	int result;

	if (loader_read_file(path, &file, &file_size) < 0)
		return -1;
	if (!is_gzip(file, file_size)) {
		*image = file;
		*size = file_size;
		return 0;
	}
	result = linux_boot_gunzip(path, file, file_size, limit, image, size);
	free(file);
	return result;
}

static int parse_header(const char *path, const uint8_t *image, size_t size, struct image_header *header)
{
	uint32_t magic;

	if (size < IMAGE_HEADER_SIZE)
		return error_set("%s: %zu bytes, too short for an arm64 Image header (64 bytes)", path, size);
	magic = (uint32_t)read_le64(image + 0x38);
	if (magic != IMAGE_MAGIC)
		return error_set("%s: not an arm64 Image: magic at offset 0x38 is 0x%08" PRIx32
				 " (want 0x%08x, \"ARM\\x64\")", path, magic, IMAGE_MAGIC);
	header->text_offset = read_le64(image + 0x08);
	header->image_size = read_le64(image + 0x10);
	header->flags = read_le64(image + 0x18);
	if (header->image_size == 0)
		header->text_offset = IMAGE_DEFAULT_TEXT_OFFSET;
	if (header->flags & IMAGE_FLAG_BIG_ENDIAN)
		return error_set("%s: a big-endian kernel; qvp runs little-endian guests", path);
	if (header->image_size != 0 && header->image_size < size)
		return error_set("%s: header's image_size 0x%" PRIx64 " is smaller than the file (0x%zx bytes): "
				 "corrupt header", path, header->image_size, size);
	if (header->text_offset >= SZ_2M * 512)
		return error_set("%s: header's text_offset 0x%" PRIx64 " is implausible", path, header->text_offset);
	return 0;
}

static uint64_t ram_end(const struct machine *machine)
{
	return machine->ram_base + machine->ram_size;
}

static int place_kernel(const struct machine *machine, const char *path, const struct image_header *header,
			size_t file_size, struct boot_layout *layout)
{
	uint64_t span = header->image_size > file_size ? header->image_size : file_size;

	layout->kernel = align_up(machine->ram_base, SZ_2M) + header->text_offset;
	layout->kernel_end = layout->kernel + span;
	if (span > machine->ram_size || layout->kernel_end > ram_end(machine)) /* the first: no wrap-around */
		return error_set("%s: the Image needs 0x%" PRIx64 " bytes at 0x%" PRIx64 " but RAM ends at 0x%" PRIx64,
				 path, span, layout->kernel, ram_end(machine));
	return 0;
}

static int load_kernel(struct machine *machine, const char *path, struct boot_layout *layout)
{
	struct image_header header = { 0 };
	uint8_t *image, *ram;
	size_t size;
	int result;

	if (read_kernel(path, machine->ram_size, &image, &size) < 0)
		return -1;
	result = parse_header(path, image, size, &header);
	if (result == 0)
		result = place_kernel(machine, path, &header, size, layout);
	if (result == 0) {
		ram = bus_ram_pointer(machine->bus, layout->kernel, layout->kernel_end - layout->kernel);
		if (!ram)
			result = error_set("%s: RAM at 0x%" PRIx64 " is not contiguous", path, layout->kernel);
		else if (!machine->config.ram_from_snapshot) /* the snapshot's RAM replaces it: 33 MB not copied */
			memcpy(ram, image, size); /* the rest (BSS) is already zero: RAM starts zeroed */
	}
	free(image);
	return result;
}

static int load_initrd(struct machine *machine, const char *path, struct boot_layout *layout)
{
	uint8_t *file, *ram;
	size_t size;

	if (loader_read_file(path, &file, &size) < 0)
		return -1;
	layout->initrd_end = layout->initrd + size;
	ram = layout->initrd_end <= ram_end(machine) ? bus_ram_pointer(machine->bus, layout->initrd, size) : NULL;
	if (!ram) {
		free(file);
		return error_set("%s: the initrd (%zu bytes) does not fit in RAM at 0x%" PRIx64 " (RAM ends at 0x%" PRIx64
				 ")", path, size, layout->initrd, ram_end(machine));
	}
	if (!machine->config.ram_from_snapshot)
		memcpy(ram, file, size);
	free(file);
	return 0;
}

/* The first PL011's path, for stdout-path, or NULL. */
static int find_uart(const void *fdt, char *path, size_t size)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");

	if (node < 0 || fdt_get_path(fdt, node, path, (int)size) != 0)
		return -1;
	return 0;
}

static int set_chosen(void *fdt, const char *bootargs, const struct boot_layout *layout)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	char uart[256];
	int status = 0;

	if (chosen < 0)
		chosen = fdt_add_subnode(fdt, 0, "chosen");
	if (chosen < 0)
		return chosen;
	if (bootargs)
		status = fdt_setprop_string(fdt, chosen, "bootargs", bootargs);
	if (status == 0 && layout->initrd_end > layout->initrd) {
		status = fdt_setprop_u64(fdt, chosen, "linux,initrd-start", layout->initrd);
		if (status == 0)
			status = fdt_setprop_u64(fdt, chosen, "linux,initrd-end", layout->initrd_end);
	}
	if (status == 0 && !fdt_getprop(fdt, chosen, "stdout-path", NULL) && find_uart(fdt, uart, sizeof(uart)) == 0)
		status = fdt_setprop_string(fdt, chosen, "stdout-path", uart);
	return status;
}

/* A copy of the board's tree with /chosen filled, replacing machine->fdt. */
static int fill_chosen(struct machine *machine, const char *bootargs, const struct boot_layout *layout)
{
	size_t room = fdt_totalsize(machine->fdt) + FDT_CHOSEN_ROOM + (bootargs ? strlen(bootargs) : 0);
	void *fdt = malloc(room);
	int status;

	if (!fdt)
		return error_set("out of memory for the device tree");
	status = fdt_open_into(machine->fdt, fdt, (int)room);
	if (status == 0)
		status = set_chosen(fdt, bootargs, layout);
	if (status == 0)
		status = fdt_pack(fdt);
	if (status != 0) {
		free(fdt);
		return error_set("cannot fill the device tree's /chosen: %s", fdt_strerror(status));
	}
	free(machine->fdt);
	machine->fdt = fdt;
	return 0;
}

static int copy_fdt(struct machine *machine, uint64_t address)
{
	uint64_t size = fdt_totalsize(machine->fdt);
	uint8_t *ram;

	if (size > LINUX_BOOT_MAX_FDT)
		return error_set("the device tree is %" PRIu64 " bytes; the arm64 boot protocol allows at most 2 MiB", size);
	ram = address + size <= ram_end(machine) ? bus_ram_pointer(machine->bus, address, size) : NULL;
	if (!ram)
		return error_set("no room in RAM for the %" PRIu64 "-byte device tree at 0x%" PRIx64 " after the Image",
				 size, address);
	memcpy(ram, machine->fdt, size);
	machine->fdt_address = address;
	return 0;
}

static void set_entry(struct machine *machine, const struct boot_layout *layout)
{
	memset(&machine->image, 0, sizeof(machine->image));
	machine->image.entry = layout->kernel;
	machine->image.low = layout->kernel;
	machine->image.high = layout->kernel_end;
}

int linux_boot_load(struct machine *machine, const char *kernel, const char *initrd, const char *bootargs)
{
	struct boot_layout layout = { 0 };
	size_t fdt_room;

	if (load_kernel(machine, kernel, &layout) < 0)
		return -1;
	/* the DTB starts a 2 MiB block of its own, so it never crosses a 2 MiB boundary */
	layout.fdt = align_up(layout.kernel_end, SZ_2M);
	fdt_room = fdt_totalsize(machine->fdt) + FDT_CHOSEN_ROOM + (bootargs ? strlen(bootargs) : 0);
	layout.initrd = align_up(layout.fdt + fdt_room, 4096);
	layout.initrd_end = layout.initrd;
	if (initrd && load_initrd(machine, initrd, &layout) < 0)
		return -1;
	if (fill_chosen(machine, bootargs, &layout) < 0 || copy_fdt(machine, layout.fdt) < 0)
		return -1;
	set_entry(machine, &layout);
	return 0;
}
