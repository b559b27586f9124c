/*
 * The snapshot file: "QVPSNAP" and a NUL, the format version (u32), then sections until one
 * tagged "end". A section is its tag (u32 length, bytes), its payload's length (u64), the
 * payload's CRC-32 (u32) and the payload. The first section, "header", names the qvp that
 * wrote it, the board (the SHA-256 of the device tree it built), the images (SHA-256 each)
 * and the options that shape the machine; snapshot_parts.c writes the others.
 */
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libfdt.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "error.h"
#include "input_log.h"
#include "loop.h"
#include "platform.h"
#include "snapshot_parts.h"

static const uint8_t snapshot_magic[8] = { 'Q', 'V', 'P', 'S', 'N', 'A', 'P', 0 };

#define MAX_TAG 256
#define MAX_IMAGES (4 + MACHINE_MAX_DISKS)
#define MAX_TEXT 4096
#define HASH_BYTES 32

struct snapshot_section {
	char tag[MAX_TAG];
	const uint8_t *data;
	size_t length;
	size_t offset; /* of the payload in the file */
};

/* An input file and its SHA-256 when the snapshot was taken. */
struct snapshot_image {
	char role[32]; /* "firmware", "kernel", "initrd", "disk0".., "console script" */
	char path[MAX_TEXT];
	uint8_t hash[HASH_BYTES];
};

struct snapshot {
	char *name; /* the file, for messages */
	uint8_t *data;
	size_t size;
	bool mapped; /* data is the file mapped (munmap), not a copy (free) */
	struct snapshot_section *sections;
	unsigned section_count;
	char qvp_version[64];
	char platform[MAX_TEXT];
	uint8_t board_hash[HASH_BYTES];
	struct machine_config config; /* its strings point into the fields below */
	char bootargs[MAX_TEXT];
	struct snapshot_image images[MAX_IMAGES];
	unsigned image_count;
};

/* ---- Hashes ---- */

static int hash_bytes(const void *data, size_t length, uint8_t hash[HASH_BYTES])
{
	unsigned size = HASH_BYTES;

	return EVP_Digest(data, length, hash, &size, EVP_sha256(), NULL) == 1 ? 0 : error_set("SHA-256 failed");
}

static int hash_file(const char *path, uint8_t hash[HASH_BYTES])
{
	EVP_MD_CTX *context = EVP_MD_CTX_new();
	FILE *file = fopen(path, "rb");
	uint8_t buffer[65536];
	unsigned size = HASH_BYTES;
	size_t got;
	int result = 0;

	if (!file || !context) {
		EVP_MD_CTX_free(context);
		if (file)
			fclose(file);
		return error_set("%s: cannot open: %s", path, strerror(errno));
	}
	EVP_DigestInit_ex(context, EVP_sha256(), NULL);
	while ((got = fread(buffer, 1, sizeof(buffer), file)) > 0)
		EVP_DigestUpdate(context, buffer, got);
	if (ferror(file) || EVP_DigestFinal_ex(context, hash, &size) != 1)
		result = error_set("%s: cannot read", path);
	fclose(file);
	EVP_MD_CTX_free(context);
	return result;
}

static void hash_text(const uint8_t hash[HASH_BYTES], char text[2 * HASH_BYTES + 1])
{
	for (unsigned k = 0; k < HASH_BYTES; k++)
		snprintf(text + 2 * k, 3, "%02x", hash[k]);
}

/* ---- Sections ---- */

void snapshot_put_section(struct snap_writer *file, const char *tag, const struct snap_writer *payload)
{
	snap_put_string(file, tag);
	snap_put_u64(file, payload->length);
	snap_put_u32(file, (uint32_t)crc32(0L, payload->data, (uInt)payload->length));
	snap_put_bytes(file, payload->data, payload->length);
}

int snapshot_next_section(const struct snapshot *snapshot, unsigned *cursor, const char *tag, struct snap_reader *r)
{
	const struct snapshot_section *section;

	if (*cursor >= snapshot->section_count)
		return error_set("no section '%s' (the file ends before it)", tag);
	section = &snapshot->sections[(*cursor)++];
	if (strcmp(section->tag, tag) != 0)
		return error_set("section '%s' at byte %zu where '%s' was expected (another board or qvp)",
				 section->tag, section->offset, tag);
	*r = (struct snap_reader){ .data = section->data, .length = section->length, .file_offset = section->offset,
				   .section = section->tag };
	return 0;
}

/* ---- The header ---- */

/* A path as the restoring run finds it from any directory. */
static void put_path(struct snap_writer *w, const char *path)
{
	char absolute[PATH_MAX];

	snap_put_string(w, realpath(path, absolute) ? absolute : path);
}

static void put_image(struct snap_writer *w, const char *role, const char *path, int *failed)
{
	uint8_t hash[HASH_BYTES] = { 0 };

	if (!path)
		return;
	if (hash_file(path, hash) < 0)
		*failed = -1;
	snap_put_string(w, role);
	put_path(w, path);
	snap_put_bytes(w, hash, sizeof(hash));
}

static int put_images(struct snap_writer *w, const struct machine_config *config, const struct snapshot_inputs *inputs)
{
	unsigned count = !!config->firmware_path + !!config->kernel_path + !!config->initrd_path + config->disk_count +
			 !!config->bios_path + config->flash_count + !!inputs->console_script;
	char role[32];
	int failed = 0;

	snap_put_u32(w, count);
	put_image(w, "firmware", config->firmware_path, &failed);
	put_image(w, "kernel", config->kernel_path, &failed);
	put_image(w, "initrd", config->initrd_path, &failed);
	for (unsigned k = 0; k < config->disk_count; k++) {
		if (config->disks[k].writable)
			return error_set("snapshot: --disk %s,rw: a writable disk is not saved with the machine yet; "
					 "use it read-only", config->disks[k].path);
		snprintf(role, sizeof(role), "disk%u", k);
		put_image(w, role, config->disks[k].path, &failed);
	}
	put_image(w, "bios", config->bios_path, &failed);
	for (unsigned k = 0; k < config->flash_count; k++) {
		if (config->flash[k].writable)
			return error_set("snapshot: --flash %s,rw: a bank written through to its file cannot be saved with "
					 "the machine; use it without ,rw", config->flash[k].path);
		snprintf(role, sizeof(role), "flash%u", k);
		put_image(w, role, config->flash[k].path, &failed);
	}
	put_image(w, "console script", inputs->console_script, &failed);
	return failed;
}

static void put_options(struct snap_writer *w, const struct machine *machine)
{
	const struct machine_config *config = &machine->config;

	snap_put_u64(w, config->quantum);
	snap_put_u64(w, config->timeout);
	snap_put_u64(w, config->window);
	snap_put_u32(w, config->cpu_count);
	snap_put_u64(w, config->memory_size);
	snap_put_bool(w, config->raw_firmware);
	snap_put_u64(w, config->raw_address);
	snap_put_u64(w, machine->rtc_epoch);
	snap_put_bool(w, config->start_el2);
	snap_put_string(w, config->bootargs);
}

/* The header section's payload: what the machine is, so a restore can rebuild and check it. */
static int header_payload(struct snap_writer *w, const struct machine *machine, const struct snapshot_inputs *inputs)
{
	uint8_t board[HASH_BYTES];
	int result = hash_bytes(machine->fdt, fdt_totalsize(machine->fdt), board);

	snap_put_string(w, QVP_VERSION);
	put_path(w, machine->config.platform_path);
	snap_put_bytes(w, board, sizeof(board));
	put_options(w, machine);
	if (result == 0)
		result = put_images(w, &machine->config, inputs);
	return result;
}

static int put_header(struct snap_writer *file, const struct machine *machine, const struct snapshot_inputs *inputs)
{
	struct snap_writer w = { 0 };
	int result = header_payload(&w, machine, inputs);

	snapshot_put_section(file, "header", &w);
	free(w.data);
	return result;
}

static void get_options(struct snapshot *snapshot, struct snap_reader *r)
{
	struct machine_config *config = &snapshot->config;

	config->backend = BACKEND_ISS;
	config->quantum = snap_get_u64(r);
	config->timeout = snap_get_u64(r);
	config->window = snap_get_u64(r);
	config->cpu_count = snap_get_index(r, MACHINE_MAX_CPUS + 1, "the CPU count");
	config->memory_size = snap_get_u64(r);
	config->raw_firmware = snap_get_bool(r);
	config->raw_address = snap_get_u64(r);
	config->rtc_epoch = snap_get_u64(r);
	config->start_el2 = snap_get_bool(r);
	snap_get_string(r, snapshot->bootargs, sizeof(snapshot->bootargs));
	config->bootargs = snapshot->bootargs[0] ? snapshot->bootargs : NULL;
	if (!r->failed && config->quantum == 0)
		snap_fail(r, "a quantum of 0");
}

/* An image's role says which option it was. */
static void use_image(struct snapshot *snapshot, const struct snapshot_image *image, struct snap_reader *r)
{
	struct machine_config *config = &snapshot->config;

	if (strcmp(image->role, "firmware") == 0)
		config->firmware_path = image->path;
	else if (strcmp(image->role, "kernel") == 0)
		config->kernel_path = image->path;
	else if (strcmp(image->role, "initrd") == 0)
		config->initrd_path = image->path;
	else if (strncmp(image->role, "disk", 4) == 0 && config->disk_count < MACHINE_MAX_DISKS)
		config->disks[config->disk_count++].path = image->path;
	else if (strcmp(image->role, "bios") == 0)
		config->bios_path = image->path;
	else if (strncmp(image->role, "flash", 5) == 0 && config->flash_count < MACHINE_MAX_FLASH)
		config->flash[config->flash_count++].path = image->path;
	else if (strcmp(image->role, "console script") != 0)
		snap_fail(r, "an image of unknown role '%s'", image->role);
}

static void get_images(struct snapshot *snapshot, struct snap_reader *r)
{
	snapshot->image_count = snap_get_index(r, MAX_IMAGES + 1, "the image count");
	for (unsigned k = 0; k < snapshot->image_count && !r->failed; k++) {
		struct snapshot_image *image = &snapshot->images[k];
		snap_get_string(r, image->role, sizeof(image->role));
		snap_get_string(r, image->path, sizeof(image->path));
		snap_get_bytes(r, image->hash, sizeof(image->hash));
		if (!r->failed)
			use_image(snapshot, image, r);
	}
	if (!r->failed && !snapshot->config.firmware_path && !snapshot->config.kernel_path)
		snap_fail(r, "neither a firmware nor a kernel image");
}

static int get_header(struct snapshot *snapshot)
{
	struct snap_reader r;
	unsigned cursor = 0;

	if (snapshot_next_section(snapshot, &cursor, "header", &r) < 0)
		return error_set("%s: %s", snapshot->name, error_message());
	snap_get_string(&r, snapshot->qvp_version, sizeof(snapshot->qvp_version));
	snap_get_string(&r, snapshot->platform, sizeof(snapshot->platform));
	snap_get_bytes(&r, snapshot->board_hash, sizeof(snapshot->board_hash));
	snapshot->config.platform_path = snapshot->platform;
	get_options(snapshot, &r);
	get_images(snapshot, &r);
	if (snap_reader_finish(&r) < 0)
		return error_set("%s: %s", snapshot->name, error_message());
	return 0;
}

/* ---- Writing ---- */

int snapshot_write_preamble(const struct machine *machine, const struct snapshot_inputs *inputs,
			    struct snap_writer *file)
{
	snap_put_bytes(file, snapshot_magic, sizeof(snapshot_magic));
	snap_put_u32(file, SNAPSHOT_FORMAT_VERSION);
	return put_header(file, machine, inputs);
}

/* Magic, version, the header, the machine's sections and "end"; a checkpoint has neither the
 * header nor RAM. */
bool snapshot_supported(const struct machine *machine)
{
	if (!platform_start_el3(machine->fdt)) /* its secure timer and the GIC's secure banks are not saved */
		return true;
	error_set("a board whose CPUs start at EL3 (the secure world) cannot be saved yet");
	return false;
}

static int save_bytes(const struct machine *machine, const struct snapshot_inputs *inputs, bool checkpoint,
		      uint8_t **data, size_t *size)
{
	struct snap_writer file = { 0 }, none = { 0 };

	if (!snapshot_supported(machine))
		return -1;
	snap_put_bytes(&file, snapshot_magic, sizeof(snapshot_magic));
	snap_put_u32(&file, SNAPSHOT_FORMAT_VERSION);
	if ((!checkpoint && put_header(&file, machine, inputs) < 0) ||
	    snapshot_parts_save(machine, &file, !checkpoint) < 0) {
		free(file.data);
		return -1;
	}
	snapshot_put_section(&file, "end", &none);
	if (file.failed) {
		free(file.data);
		return error_set("snapshot: out of memory");
	}
	*data = file.data;
	*size = file.length;
	return 0;
}

int snapshot_save_buffer(const struct machine *machine, const struct snapshot_inputs *inputs, uint8_t **data,
                         size_t *size)
{
	return save_bytes(machine, inputs, false, data, size);
}

int snapshot_save(const struct machine *machine, const struct snapshot_inputs *inputs, const char *path)
{
	uint8_t *data;
	size_t size;
	FILE *file;
	bool written;

	if (snapshot_save_buffer(machine, inputs, &data, &size) < 0)
		return -1;
	file = fopen(path, "wb");
	written = file && fwrite(data, 1, size, file) == size;
	if (file && fclose(file) != 0)
		written = false;
	free(data);
	if (!written)
		return error_set("snapshot %s: cannot write: %s", path, strerror(errno));
	return 0;
}

/* ---- Reading ---- */

/* One section's frame at `*offset`; 1 when it was "end", 2 when it runs past the file's end
 * (a recording cut short by a kill: `cut_short` tolerates it). */
static int parse_section(struct snapshot *snapshot, size_t *offset, bool checksums, bool cut_short)
{
	struct snap_reader r = { .data = snapshot->data, .length = snapshot->size, .offset = *offset,
				 .section = "(frame)" };
	struct snapshot_section *section = &snapshot->sections[snapshot->section_count];
	uint64_t length;
	uint32_t crc;

	snap_get_string(&r, section->tag, sizeof(section->tag));
	length = snap_get_u64(&r);
	crc = snap_get_u32(&r);
	if (cut_short && (r.failed || length > r.length - r.offset)) {
		error_clear();
		return 2;
	}
	if (!r.failed && length > r.length - r.offset)
		snap_fail(&r, "section '%s' of %" PRIu64 " bytes runs past the file's end (truncated)", section->tag, length);
	if (r.failed)
		return -1;
	section->data = snapshot->data + r.offset;
	section->length = (size_t)length;
	section->offset = r.offset;
	if (checksums && crc32(0L, section->data, (uInt)section->length) != crc)
		return error_set("section '%s' at byte %zu: checksum mismatch (the file is corrupted)", section->tag,
				 section->offset);
	snapshot->section_count++;
	*offset = r.offset + section->length;
	return strcmp(section->tag, "end") == 0;
}

/* The sections up to "end"; with `complete`, a file that stops short of it (at or inside a
 * section's frame) is read up to its last whole section and *complete says so. */
static int parse_sections(struct snapshot *snapshot, bool checksums, bool *complete)
{
	size_t offset = sizeof(snapshot_magic) + 4;
	int found;

	if (complete)
		*complete = true;
	do {
		struct snapshot_section *grown =
			realloc(snapshot->sections, (snapshot->section_count + 1) * sizeof(*grown));
		if (!grown)
			return error_set("out of memory");
		snapshot->sections = grown;
		found = offset == snapshot->size ? 2 : parse_section(snapshot, &offset, checksums, complete != NULL);
		if (found == 2 && complete) {
			*complete = false;
			return 0;
		}
		if (found == 2)
			return error_set("byte %zu: the file ends without its 'end' section (truncated)", offset);
		if (found < 0)
			return -1;
	} while (!found);
	if (offset != snapshot->size)
		return error_set("byte %zu: %zu bytes after the 'end' section", offset, snapshot->size - offset);
	return 0;
}

static int parse_preamble(const struct snapshot *snapshot)
{
	uint32_t version;

	if (snapshot->size < sizeof(snapshot_magic) + 4 ||
	    memcmp(snapshot->data, snapshot_magic, sizeof(snapshot_magic)) != 0)
		return error_set("byte 0: not a qvp snapshot (no \"QVPSNAP\" magic)");
	version = (uint32_t)snapshot->data[8] | (uint32_t)snapshot->data[9] << 8 | (uint32_t)snapshot->data[10] << 16 |
		  (uint32_t)snapshot->data[11] << 24;
	if (version != SNAPSHOT_FORMAT_VERSION)
		return error_set("byte 8: snapshot format version %" PRIu32 "; this qvp (%s) reads version %d", version,
				 QVP_VERSION, SNAPSHOT_FORMAT_VERSION);
	return 0;
}

/* Takes `data` (mapped or malloc'ed); frees it with the snapshot, or at once on failure. */
static struct snapshot *parse_file(const char *name, uint8_t *data, size_t size, bool mapped, bool checksums,
				   bool *complete)
{
	struct snapshot *snapshot = calloc(1, sizeof(*snapshot));

	if (snapshot) {
		snapshot->data = data;
		snapshot->size = size;
		snapshot->mapped = mapped;
	}
	if (!snapshot || !(snapshot->name = strdup(name))) {
		if (snapshot)
			snapshot_free(snapshot);
		else if (mapped)
			munmap(data, size);
		else
			free(data);
		error_set("out of memory");
		return NULL;
	}
	if (parse_preamble(snapshot) < 0 || parse_sections(snapshot, checksums, complete) < 0) {
		error_set("%s: %s", name, error_message());
		snapshot_free(snapshot);
		return NULL;
	}
	if (get_header(snapshot) < 0) {
		snapshot_free(snapshot);
		return NULL;
	}
	return snapshot;
}

static struct snapshot *parse_copy(const char *name, const uint8_t *data, size_t size, bool checksums,
				   bool *complete)
{
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy) {
		error_set("out of memory");
		return NULL;
	}
	memcpy(copy, data, size);
	return parse_file(name, copy, size, false, checksums, complete);
}

struct snapshot *snapshot_parse(const char *name, const uint8_t *data, size_t size, bool checksums)
{
	return parse_copy(name, data, size, checksums, NULL);
}

/* The file mapped, not read: a Linux snapshot is tens of MB, and a farm restores it per test. */
static struct snapshot *read_file(const char *path, bool *complete)
{
	struct stat info;
	int fd = open(path, O_RDONLY);
	uint8_t *data;

	if (fd < 0) {
		error_set("%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &info) < 0 || !S_ISREG(info.st_mode)) {
		close(fd);
		error_set("%s: not a regular file", path);
		return NULL;
	}
	if (info.st_size == 0) {
		close(fd);
		return parse_copy(path, (const uint8_t *)"", 0, true, complete);
	}
	data = mmap(NULL, (size_t)info.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (data == MAP_FAILED) {
		error_set("%s: cannot map: %s", path, strerror(errno));
		return NULL;
	}
	return parse_file(path, data, (size_t)info.st_size, true, true, complete);
}

struct snapshot *snapshot_read(const char *path)
{
	return read_file(path, NULL);
}

struct snapshot *snapshot_read_cut_short(const char *path, bool *complete)
{
	return read_file(path, complete);
}

struct snapshot *snapshot_parse_cut_short(const char *name, const uint8_t *data, size_t size, bool checksums,
					  bool *complete)
{
	return parse_copy(name, data, size, checksums, complete);
}

unsigned snapshot_section_count(const struct snapshot *snapshot)
{
	return snapshot->section_count;
}

const char *snapshot_section(const struct snapshot *snapshot, unsigned index, struct snap_reader *r)
{
	const struct snapshot_section *section = &snapshot->sections[index];

	*r = (struct snap_reader){ .data = section->data, .length = section->length, .file_offset = section->offset,
				   .section = section->tag };
	return section->tag;
}

const char *snapshot_name(const struct snapshot *snapshot)
{
	return snapshot->name;
}

void snapshot_free(struct snapshot *snapshot)
{
	if (!snapshot)
		return;
	free(snapshot->name);
	if (snapshot->mapped)
		munmap(snapshot->data, snapshot->size);
	else
		free(snapshot->data);
	free(snapshot->sections);
	free(snapshot);
}

/* ---- Loading ---- */

/* What the file is, for messages: a --record file is a snapshot's header and inputs. */
static const char *file_kind(const struct snapshot *snapshot)
{
	return snapshot->section_count > 1 && strcmp(snapshot->sections[1].tag, "recording") == 0 ? "recording"
												    : "snapshot";
}

/* `path` as DIRECTORY/its file name; -1 after error_set() when that does not fit. */
static int move_into(char *path, size_t size, const char *directory)
{
	const char *slash = strrchr(path, '/');
	char moved[MAX_TEXT];

	if ((size_t)snprintf(moved, sizeof(moved), "%s/%s", directory, slash ? slash + 1 : path) >= sizeof(moved) ||
	    strlen(moved) >= size)
		return error_set("%s/%s: the path is too long", directory, slash ? slash + 1 : path);
	strcpy(path, moved);
	return 0;
}

/* The board file from `directory`, else the board of that name in this qvp's platforms/
 * (virt.dtb: virt); the board's hash is checked either way. */
static int find_board_in(char *platform, size_t size, const char *directory)
{
	char name[MAX_TEXT];
	const char *slash = strrchr(platform, '/');
	char *dot;

	snprintf(name, sizeof(name), "%s", slash ? slash + 1 : platform);
	if (move_into(platform, size, directory) < 0)
		return -1;
	if (access(platform, R_OK) == 0)
		return 0;
	if ((dot = strrchr(name, '.')) && (strcmp(dot, ".dtb") == 0 || strcmp(dot, ".dts") == 0))
		*dot = '\0';
	snprintf(platform, size, "%s", name);
	return 0;
}

int snapshot_find_images_in(struct snapshot *snapshot, const char *directory)
{
	if (strchr(snapshot->platform, '/') && /* a file, not the name of a board in platforms/ */
	    find_board_in(snapshot->platform, sizeof(snapshot->platform), directory) < 0)
		return -1;
	for (unsigned k = 0; k < snapshot->image_count; k++)
		if (move_into(snapshot->images[k].path, sizeof(snapshot->images[k].path), directory) < 0)
			return -1;
	return 0;
}

int snapshot_config(const struct snapshot *snapshot, struct machine_config *config, struct snapshot_inputs *inputs)
{
	char saved[2 * HASH_BYTES + 1], now[2 * HASH_BYTES + 1];
	uint8_t hash[HASH_BYTES];

	inputs->console_script = NULL;
	for (unsigned k = 0; k < snapshot->image_count; k++) {
		const struct snapshot_image *image = &snapshot->images[k];
		if (hash_file(image->path, hash) < 0)
			return error_set("%s: %s %s", snapshot->name, image->role, error_message());
		if (memcmp(hash, image->hash, HASH_BYTES) != 0) {
			hash_text(image->hash, saved);
			hash_text(hash, now);
			return error_set("%s: %s %s differs from the one the %s was taken with (SHA-256 %.16s..., now %.16s...)",
					 snapshot->name, image->role, image->path, file_kind(snapshot), saved, now);
		}
		if (strcmp(image->role, "console script") == 0)
			inputs->console_script = image->path;
	}
	config->platform_path = snapshot->config.platform_path;
	config->firmware_path = snapshot->config.firmware_path;
	config->raw_firmware = snapshot->config.raw_firmware;
	config->raw_address = snapshot->config.raw_address;
	config->kernel_path = snapshot->config.kernel_path;
	config->initrd_path = snapshot->config.initrd_path;
	config->bootargs = snapshot->config.bootargs;
	config->backend = BACKEND_ISS;
	config->quantum = snapshot->config.quantum;
	config->timeout = snapshot->config.timeout;
	config->rtc_epoch = snapshot->config.rtc_epoch;
	config->memory_size = snapshot->config.memory_size;
	config->start_el2 = snapshot->config.start_el2;
	config->cpu_count = snapshot->config.cpu_count;
	config->window = snapshot->config.window;
	memcpy(config->disks, snapshot->config.disks, sizeof(config->disks));
	config->disk_count = snapshot->config.disk_count;
	config->bios_path = snapshot->config.bios_path;
	memcpy(config->flash, snapshot->config.flash, sizeof(config->flash));
	config->flash_count = snapshot->config.flash_count;
	return 0;
}

/* The board the options built now must be the one saved: the same device tree, byte for byte. */
static int check_board(const struct machine *machine, const struct snapshot *snapshot)
{
	uint8_t hash[HASH_BYTES];
	char saved[2 * HASH_BYTES + 1], now[2 * HASH_BYTES + 1];

	if (hash_bytes(machine->fdt, fdt_totalsize(machine->fdt), hash) < 0)
		return -1;
	if (memcmp(hash, snapshot->board_hash, HASH_BYTES) == 0)
		return 0;
	hash_text(snapshot->board_hash, saved);
	hash_text(hash, now);
	return error_set("%s: section 'header': the board %s now builds another device tree than the %s's "
			 "(SHA-256 %.16s..., now %.16s...): another board",
			 snapshot->name, snapshot->platform, file_kind(snapshot), saved, now);
}

int snapshot_load(struct machine *machine, const struct snapshot *snapshot)
{
	struct snap_reader end;
	unsigned cursor = 1; /* after the header */

	if (check_board(machine, snapshot) < 0)
		return -1;
	if (snapshot_parts_load(machine, snapshot, &cursor, true) < 0 ||
	    snapshot_next_section(snapshot, &cursor, "end", &end) < 0)
		return error_set("%s: %s", snapshot->name, error_message());
	return 0;
}

int snapshot_header_matches(const struct machine *machine, const struct snapshot *snapshot)
{
	struct snapshot_inputs inputs = { NULL };
	struct snap_writer mine = { 0 };
	const struct snapshot_section *header = &snapshot->sections[0];
	bool same;

	for (unsigned k = 0; k < snapshot->image_count; k++) /* the machine does not know the script */
		if (strcmp(snapshot->images[k].role, "console script") == 0)
			inputs.console_script = snapshot->images[k].path;
	if (header_payload(&mine, machine, &inputs) < 0) {
		free(mine.data);
		return -1;
	}
	same = !mine.failed && mine.length == header->length && memcmp(mine.data, header->data, header->length) == 0;
	free(mine.data);
	return same;
}

/* The snapshot's header is the one this machine writes: the same qvp, board, options and images. */
static int check_same_run(const struct machine *machine, const struct snapshot *snapshot)
{
	int same = snapshot_header_matches(machine, snapshot);

	if (same == 0)
		return error_set("%s: taken with another board, options or images than this run's "
				 "(qvp run --restore %s runs it with its own)", snapshot->name, snapshot->name);
	return same < 0 ? -1 : 0;
}

/* The board rebuilt for a saved state: its RAM comes from the snapshot or checkpoint, so the
 * Linux images are placed but not copied (33 MB for Debian's kernel, per reverse step). */
static int rebuild_for_restore(struct machine *machine)
{
	int status;

	machine->config.ram_from_snapshot = true;
	status = machine_rebuild_board(machine);
	machine->config.ram_from_snapshot = false;
	return status;
}

int snapshot_load_running(struct machine *machine, const struct snapshot *snapshot)
{
	if (!machine->cpu->ops->load)
		return error_set("the %s backend cannot load a snapshot (qvp run --restore continues it on the iss backend)",
				 machine->cpu->ops->name);
	if (check_same_run(machine, snapshot) < 0)
		return -1;
	if (rebuild_for_restore(machine) < 0 || snapshot_load(machine, snapshot) < 0) {
		machine->stop_cause = MACHINE_FATAL; /* half-loaded: the run cannot go on */
		return -1;
	}
	if (machine->input_log)
		input_log_truncate(machine->input_log, 0); /* its inputs were another run's */
	return 0;
}

/* ---- Checkpoints ---- */

int snapshot_checkpoint_save(const struct machine *machine, uint8_t **data, size_t *size)
{
	return save_bytes(machine, NULL, true, data, size);
}

int snapshot_checkpoint_load(struct machine *machine, const uint8_t *data, size_t size)
{
	struct snapshot checkpoint = { .name = "checkpoint", .data = (uint8_t *)data, .size = size };
	unsigned cursor = 0;
	struct snap_reader end;
	int status = -1;

	if (parse_preamble(&checkpoint) == 0 && parse_sections(&checkpoint, false, NULL) == 0 &&
	    rebuild_for_restore(machine) == 0 && snapshot_parts_load(machine, &checkpoint, &cursor, false) == 0 &&
	    snapshot_next_section(&checkpoint, &cursor, "end", &end) == 0)
		status = 0;
	free(checkpoint.sections);
	return status < 0 ? error_set("checkpoint: %s", error_message()) : 0;
}
