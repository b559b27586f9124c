/* Split virtqueues (virtio 1.x, 2.7) in guest RAM, read and written only through the bus's
 * RAM lookup: an address outside RAM or a malformed ring is an error, never a host access. */
#ifndef QVP_VIRTQUEUE_H
#define QVP_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIRTQ_MAX_SIZE 256 /* QueueNumMax: a chain is never longer than its queue */

enum virtq_desc_flag {
	VIRTQ_DESC_F_NEXT = 1,
	VIRTQ_DESC_F_WRITE = 2,
	VIRTQ_DESC_F_INDIRECT = 4,
};

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq {
	uint32_t size;          /* QueueNum */
	uint64_t desc, avail, used; /* guest-physical addresses of the three parts */
	bool ready;
	uint16_t next_avail;    /* the next avail ring entry the device takes */
	uint16_t next_used;     /* the used ring's idx as the device last wrote it */
};

struct virtq_segment {
	uint64_t address;
	uint32_t length;
	bool device_writes;     /* VIRTQ_DESC_F_WRITE */
};

struct virtq_chain {
	uint16_t head;
	unsigned count;
	struct virtq_segment segments[VIRTQ_MAX_SIZE];
};

enum virtq_result {
	VIRTQ_EMPTY,  /* nothing available */
	VIRTQ_CHAIN,  /* *chain holds the next request */
	VIRTQ_BROKEN, /* the ring or chain is malformed (error_message() says how): reset needed */
};

/* False after error_set() if the queue's size or ring addresses are unusable. */
bool virtq_check(const struct bus *bus, const struct virtq *queue);

/* Takes the next available descriptor chain. */
enum virtq_result virtq_pop(const struct bus *bus, struct virtq *queue, struct virtq_chain *chain);

/* Returns a chain to the driver with the number of bytes the device wrote into it. */
bool virtq_push(const struct bus *bus, struct virtq *queue, uint16_t head, uint32_t written);

/* Whether the driver asked not to be interrupted for used buffers (avail ring flags). */
bool virtq_interrupt_wanted(const struct bus *bus, const struct virtq *queue);

/* Copies between a chain's segments (taken as one stream from byte `offset` on, of the
 * readable or the writable ones) and `data`; false if a segment is not all in RAM or the
 * segments hold fewer bytes. */
bool virtq_read_stream(const struct bus *bus, const struct virtq_chain *chain, uint64_t offset, void *data,
		       uint64_t length);
bool virtq_write_stream(const struct bus *bus, const struct virtq_chain *chain, uint64_t offset, const void *data,
			uint64_t length);

/* Little-endian fields of rings, requests and configuration spaces, whatever the host's order. */
uint64_t virtio_get_le(const uint8_t *bytes, unsigned size);
void virtio_put_le(uint8_t *bytes, uint64_t value, unsigned size);

/* Total bytes of the readable (device_writes false) or writable segments. */
uint64_t virtq_stream_length(const struct virtq_chain *chain, bool device_writes);

#ifdef __cplusplus
}
#endif
#endif
