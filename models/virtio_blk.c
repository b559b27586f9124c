/* virtio block device (virtio 1.x, 5.2) on an image file: read, write (with --disk FILE,rw;
 * else VIRTIO_BLK_F_RO is offered and writes fail), flush and get-id. A request is a header
 * the driver wrote, data, and a status byte the device writes last; one that breaks those
 * rules (wrong direction, sizes that are no whole sectors, buffers outside RAM, sectors past
 * the end) gets VIRTIO_BLK_S_IOERR when its status byte can be written, else the transport
 * is told the chain is unusable. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "virtio.h"
#include "virtio_blk.h"

#define BOUNCE_SIZE (64 * 1024) /* file <-> guest copies go through this many bytes at a time */
#define HEADER_SIZE 16

struct virtio_blk {
	int fd;
	bool writable;
	uint64_t sectors;
	uint8_t id[VIRTIO_BLK_ID_BYTES];
	uint8_t config[0x18];
	uint8_t bounce[BOUNCE_SIZE];
};

/* What a request looks like once its chain is split into the header and the status byte. */
struct blk_request {
	uint32_t type;
	uint64_t sector;
	uint64_t data_out;  /* bytes after the header in the readable part */
	uint64_t data_in;   /* bytes before the status byte in the writable part */
};

static uint64_t blk_features(void *device)
{
	struct virtio_blk *blk = device;
	uint64_t features = 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE | 1ull << VIRTIO_BLK_F_FLUSH;

	if (!blk->writable)
		features |= 1ull << VIRTIO_BLK_F_RO;
	return features;
}

static bool blk_config_read(void *device, uint64_t offset, unsigned size, uint64_t *value)
{
	struct virtio_blk *blk = device;

	if (offset >= sizeof(blk->config) || size > sizeof(blk->config) - offset)
		return false;
	*value = virtio_get_le(blk->config + offset, size);
	return true;
}

/* Device-readable segments first, then device-writable ones, as the spec requires. */
static bool directions_in_order(const struct virtq_chain *chain)
{
	for (unsigned i = 1; i < chain->count; i++)
		if (chain->segments[i - 1].device_writes && !chain->segments[i].device_writes)
			return false;
	return true;
}

/* Moves `length` bytes between the disk at `position` and the chain's stream at `offset`. */
static bool transfer(struct virtio_blk *blk, const struct bus *bus, const struct virtq_chain *chain, bool to_guest,
		     uint64_t position, uint64_t offset, uint64_t length)
{
	while (length > 0) {
		size_t part = length < BOUNCE_SIZE ? (size_t)length : BOUNCE_SIZE;
		if (to_guest) {
			if (pread(blk->fd, blk->bounce, part, (off_t)position) != (ssize_t)part ||
			    !virtq_write_stream(bus, chain, offset, blk->bounce, part))
				return false;
		} else if (!virtq_read_stream(bus, chain, offset, blk->bounce, part) ||
			   pwrite(blk->fd, blk->bounce, part, (off_t)position) != (ssize_t)part) {
			return false;
		}
		position += part;
		offset += part;
		length -= part;
	}
	return true;
}

static bool sectors_in_disk(const struct virtio_blk *blk, uint64_t sector, uint64_t bytes)
{
	uint64_t count = bytes / VIRTIO_BLK_SECTOR_SIZE;

	return bytes % VIRTIO_BLK_SECTOR_SIZE == 0 && sector <= blk->sectors && count <= blk->sectors - sector;
}

/* Serves the request; returns its status and adds to *written the data bytes it wrote. */
static uint8_t blk_execute(struct virtio_blk *blk, const struct bus *bus, const struct virtq_chain *chain,
			   const struct blk_request *request, uint64_t *written)
{
	uint64_t position = request->sector * VIRTIO_BLK_SECTOR_SIZE;

	switch (request->type) {
	case VIRTIO_BLK_T_IN:
		if (request->data_out || !sectors_in_disk(blk, request->sector, request->data_in) ||
		    !transfer(blk, bus, chain, true, position, 0, request->data_in))
			return VIRTIO_BLK_S_IOERR;
		*written = request->data_in;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_OUT:
		if (!blk->writable || request->data_in || !sectors_in_disk(blk, request->sector, request->data_out) ||
		    !transfer(blk, bus, chain, false, position, HEADER_SIZE, request->data_out))
			return VIRTIO_BLK_S_IOERR;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		if (blk->writable && fdatasync(blk->fd) < 0)
			return VIRTIO_BLK_S_IOERR;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID: {
		uint64_t length = request->data_in < VIRTIO_BLK_ID_BYTES ? request->data_in : VIRTIO_BLK_ID_BYTES;
		if (!virtq_write_stream(bus, chain, 0, blk->id, length))
			return VIRTIO_BLK_S_IOERR;
		*written = length;
		return VIRTIO_BLK_S_OK;
	}
	}
	return VIRTIO_BLK_S_UNSUPP;
}

static long blk_serve(void *device, const struct bus *bus, unsigned queue, const struct virtq_chain *chain)
{
	struct virtio_blk *blk = device;
	uint64_t readable = virtq_stream_length(chain, false), writable = virtq_stream_length(chain, true);
	uint8_t header[HEADER_SIZE], status = VIRTIO_BLK_S_IOERR;
	struct blk_request request = { 0 };
	uint64_t written = 0;

	(void)queue;
	if (writable == 0) {
		error_set("block request (descriptor %u) has no status byte to write", chain->head);
		return -1;
	}
	if (directions_in_order(chain) && readable >= HEADER_SIZE &&
	    virtq_read_stream(bus, chain, 0, header, HEADER_SIZE)) {
		request.type = (uint32_t)virtio_get_le(header, 4);
		request.sector = virtio_get_le(header + 8, 8);
		request.data_out = readable - HEADER_SIZE;
		request.data_in = writable - 1;
		status = blk_execute(blk, bus, chain, &request, &written);
	}
	if (!virtq_write_stream(bus, chain, writable - 1, &status, 1)) {
		error_set("block request (descriptor %u): its status byte is not in RAM", chain->head);
		return -1;
	}
	return (long)(written + 1);
}

static void blk_destroy(void *device)
{
	struct virtio_blk *blk = device;

	close(blk->fd);
	free(blk);
}

static const struct virtio_device_ops virtio_blk_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.queue_count = 1,
	.features = blk_features,
	.config_read = blk_config_read,
	.serve = blk_serve,
	.destroy = blk_destroy,
};

/* "qvp-" and the file's name, cut to 20 bytes (no NUL when it fills them, as the spec says). */
static void make_id(uint8_t *id, const char *path)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char text[VIRTIO_BLK_ID_BYTES + 1];

	memset(id, 0, VIRTIO_BLK_ID_BYTES);
	snprintf(text, sizeof(text), "qvp-%s", name);
	memcpy(id, text, strlen(text));
}

static void fill_config(struct virtio_blk *blk)
{
	virtio_put_le(blk->config + VIRTIO_BLK_CONFIG_CAPACITY, blk->sectors, 8);
	virtio_put_le(blk->config + VIRTIO_BLK_CONFIG_SEG_MAX, VIRTQ_MAX_SIZE - 2, 4); /* header and status take two */
	virtio_put_le(blk->config + VIRTIO_BLK_CONFIG_BLK_SIZE, VIRTIO_BLK_SECTOR_SIZE, 4);
}

int virtio_blk_create(const struct machine_disk *disk, const struct virtio_device_ops **ops, void **device)
{
	struct virtio_blk *blk = calloc(1, sizeof(*blk));
	struct stat info;

	if (!blk)
		return error_set("out of memory");
	blk->writable = disk->writable;
	blk->fd = open(disk->path, disk->writable ? O_RDWR : O_RDONLY);
	if (blk->fd < 0) {
		free(blk);
		return error_set("%s", strerror(errno));
	}
	if (fstat(blk->fd, &info) < 0 || !S_ISREG(info.st_mode) || info.st_size < VIRTIO_BLK_SECTOR_SIZE) {
		blk_destroy(blk);
		return error_set("not a regular file of at least one 512-byte sector");
	}
	blk->sectors = (uint64_t)info.st_size / VIRTIO_BLK_SECTOR_SIZE; /* a partial last sector is left out */
	make_id(blk->id, disk->path);
	fill_config(blk);
	*ops = &virtio_blk_ops;
	*device = blk;
	return 0;
}
