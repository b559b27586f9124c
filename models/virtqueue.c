/* Split virtqueues: the descriptor table, the available ring the driver fills and the used
 * ring the device fills (virtio 1.x, 2.7). Every guest access goes through bus_ram_pointer(). */
#include "virtqueue.h"

#include <string.h>

#include "error.h"

#define VIRTQ_DESC_SIZE 16

static bool guest_read(const struct bus *bus, uint64_t address, void *data, uint64_t length)
{
	const uint8_t *host = bus_ram_pointer(bus, address, length);

	if (!host)
		return false;
	memcpy(data, host, length);
	return true;
}

static bool guest_write(const struct bus *bus, uint64_t address, const void *data, uint64_t length)
{
	uint8_t *host = bus_ram_pointer(bus, address, length);

	if (!host)
		return false;
	memcpy(host, data, length);
	bus_ram_written(bus, address, length);
	return true;
}

uint64_t virtio_get_le(const uint8_t *bytes, unsigned size)
{
	uint64_t value = 0;

	for (unsigned i = size; i-- > 0;)
		value = value << 8 | bytes[i];
	return value;
}

void virtio_put_le(uint8_t *bytes, uint64_t value, unsigned size)
{
	for (unsigned i = 0; i < size; i++, value >>= 8)
		bytes[i] = (uint8_t)value;
}

static bool read_u16(const struct bus *bus, uint64_t address, uint16_t *value)
{
	uint8_t bytes[2];

	if (!guest_read(bus, address, bytes, 2))
		return false;
	*value = (uint16_t)virtio_get_le(bytes, 2);
	return true;
}

static bool write_u16(const struct bus *bus, uint64_t address, uint16_t value)
{
	uint8_t bytes[2];

	virtio_put_le(bytes, value, 2);
	return guest_write(bus, address, bytes, 2);
}

bool virtq_check(const struct bus *bus, const struct virtq *queue)
{
	uint64_t size = queue->size;

	if (size == 0 || size > VIRTQ_MAX_SIZE || (size & (size - 1)) != 0) {
		error_set("queue size %u is not a power of 2 from 1 to %d", queue->size, VIRTQ_MAX_SIZE);
		return false;
	}
	if ((queue->desc & 15) || (queue->avail & 1) || (queue->used & 3)) {
		error_set("misaligned ring (descriptors 0x%llx, avail 0x%llx, used 0x%llx)",
				 (unsigned long long)queue->desc, (unsigned long long)queue->avail,
				 (unsigned long long)queue->used);
		return false;
	}
	if (!bus_ram_pointer(bus, queue->desc, size * VIRTQ_DESC_SIZE) ||
	    !bus_ram_pointer(bus, queue->avail, 6 + 2 * size) || !bus_ram_pointer(bus, queue->used, 6 + 8 * size)) {
		error_set("a ring is not in RAM (descriptors 0x%llx, avail 0x%llx, used 0x%llx)",
			  (unsigned long long)queue->desc, (unsigned long long)queue->avail,
			  (unsigned long long)queue->used);
		return false;
	}
	return true;
}

static bool read_descriptor(const struct bus *bus, const struct virtq *queue, uint16_t index,
			    struct virtq_segment *segment, uint16_t *flags, uint16_t *next)
{
	uint8_t bytes[VIRTQ_DESC_SIZE];

	if (!guest_read(bus, queue->desc + (uint64_t)index * VIRTQ_DESC_SIZE, bytes, sizeof(bytes)))
		return false;
	segment->address = virtio_get_le(bytes, 8);
	segment->length = (uint32_t)virtio_get_le(bytes + 8, 4);
	*flags = (uint16_t)virtio_get_le(bytes + 12, 2);
	*next = (uint16_t)virtio_get_le(bytes + 14, 2);
	segment->device_writes = (*flags & VIRTQ_DESC_F_WRITE) != 0;
	return true;
}

/* Follows `next` links from `head`: every index inside the table, no indirect tables (not
 * offered), at most `size` descriptors (more means a loop). */
static enum virtq_result walk_chain(const struct bus *bus, const struct virtq *queue, uint16_t head,
				    struct virtq_chain *chain)
{
	uint16_t index = head, flags, next;

	chain->head = head;
	chain->count = 0;
	for (;;) {
		if (index >= queue->size) {
			error_set("descriptor %u is outside the %u-entry table", index, queue->size);
			return VIRTQ_BROKEN;
		}
		if (chain->count == queue->size) {
			error_set("the chain from descriptor %u loops (more than %u descriptors)", head, queue->size);
			return VIRTQ_BROKEN;
		}
		if (!read_descriptor(bus, queue, index, &chain->segments[chain->count], &flags, &next)) {
			error_set("descriptor table not in RAM");
			return VIRTQ_BROKEN;
		}
		if (flags & VIRTQ_DESC_F_INDIRECT) {
			error_set("descriptor %u is indirect (VIRTIO_F_INDIRECT_DESC was not offered)", index);
			return VIRTQ_BROKEN;
		}
		chain->count++;
		if (!(flags & VIRTQ_DESC_F_NEXT))
			return VIRTQ_CHAIN;
		index = next;
	}
}

enum virtq_result virtq_pop(const struct bus *bus, struct virtq *queue, struct virtq_chain *chain)
{
	uint16_t available, head;

	if (!read_u16(bus, queue->avail + 2, &available)) {
		error_set("available ring not in RAM");
		return VIRTQ_BROKEN;
	}
	if (available == queue->next_avail)
		return VIRTQ_EMPTY;
	if ((uint16_t)(available - queue->next_avail) > queue->size) {
		error_set("available index %u is more than %u ahead of %u", available, queue->size, queue->next_avail);
		return VIRTQ_BROKEN;
	}
	if (!read_u16(bus, queue->avail + 4 + 2ull * (queue->next_avail % queue->size), &head)) {
		error_set("available ring not in RAM");
		return VIRTQ_BROKEN;
	}
	queue->next_avail++;
	return walk_chain(bus, queue, head, chain);
}

bool virtq_push(const struct bus *bus, struct virtq *queue, uint16_t head, uint32_t written)
{
	uint8_t element[8];

	virtio_put_le(element, head, 4);
	virtio_put_le(element + 4, written, 4);
	if (!guest_write(bus, queue->used + 4 + 8ull * (queue->next_used % queue->size), element, sizeof(element)) ||
	    !write_u16(bus, queue->used + 2, (uint16_t)(queue->next_used + 1))) {
		error_set("used ring not in RAM");
		return false;
	}
	queue->next_used++;
	return true;
}

bool virtq_interrupt_wanted(const struct bus *bus, const struct virtq *queue)
{
	uint16_t flags = 0;

	read_u16(bus, queue->avail, &flags);
	return !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

uint64_t virtq_stream_length(const struct virtq_chain *chain, bool device_writes)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < chain->count; i++)
		if (chain->segments[i].device_writes == device_writes)
			total += chain->segments[i].length;
	return total;
}

/* Walks the segments of one direction over [offset, offset + length) of their stream. */
static bool copy_stream(const struct bus *bus, const struct virtq_chain *chain, bool device_writes,
			uint64_t offset, uint8_t *data, uint64_t length)
{
	for (unsigned i = 0; i < chain->count && length > 0; i++) {
		const struct virtq_segment *segment = &chain->segments[i];
		if (segment->device_writes != device_writes)
			continue;
		if (offset >= segment->length) {
			offset -= segment->length;
			continue;
		}
		uint64_t part = segment->length - offset < length ? segment->length - offset : length;
		uint8_t *host = bus_ram_pointer(bus, segment->address + offset, part);
		if (!host || segment->address + offset < segment->address)
			return false;
		if (device_writes) {
			memcpy(host, data, part);
			bus_ram_written(bus, segment->address + offset, part);
		} else
			memcpy(data, host, part);
		data += part;
		length -= part;
		offset = 0;
	}
	return length == 0;
}

bool virtq_read_stream(const struct bus *bus, const struct virtq_chain *chain, uint64_t offset, void *data,
		       uint64_t length)
{
	return copy_stream(bus, chain, false, offset, data, length);
}

bool virtq_write_stream(const struct bus *bus, const struct virtq_chain *chain, uint64_t offset, const void *data,
			uint64_t length)
{
	return copy_stream(bus, chain, true, offset, (uint8_t *)(uintptr_t)data, length);
}
