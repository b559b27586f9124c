/* A small virtio-blk driver over virtio-mmio (virtio 1.x): lists the transports, sets up the
 * first block device, reads and writes sectors, asks for the ID, then submits malformed
 * requests and checks the device rejects each (IOERR, or DEVICE_NEEDS_RESET and a reset)
 * and keeps working. Prints one line per step; tests/test_virtio_blk.cpp checks them. */
#include <qvp/cache.h>
#include <qvp/mmio.h>
#include <stdio.h>
#include <string.h>
#include <virtio_blk.h>
#include <virtio_mmio.h>

#define TRANSPORTS 4 /* the virt board's virtio-mmio transports, 0x200 apart */
#define TRANSPORT_BASE 0x0a000000u
#define QUEUE_SIZE 8
#define DESC_NEXT 1
#define DESC_WRITE 2
#define DESC_INDIRECT 4
#define NOT_RAM 0x00001000ull /* nothing on the virt board there */

struct desc {
	uint64_t address;
	uint32_t length;
	uint16_t flags, next;
};

static struct desc descs[QUEUE_SIZE] __attribute__((aligned(16)));
static struct {
	uint16_t flags, index, ring[QUEUE_SIZE], used_event;
} avail __attribute__((aligned(2)));
static struct {
	uint16_t flags, index;
	struct {
		uint32_t id, length;
	} ring[QUEUE_SIZE];
	uint16_t avail_event;
} used __attribute__((aligned(4)));

static struct {
	uint32_t type, reserved;
	uint64_t sector;
} header;
static uint8_t data[1024];
static volatile uint8_t status;
static uintptr_t base;
static uint16_t used_seen;
static int failures;

static uint32_t reg(uint32_t offset)
{
	return mmio_read32(base + offset);
}

static void set_reg(uint32_t offset, uint32_t value)
{
	mmio_write32(base + offset, value);
}

static void check(int ok, const char *what)
{
	printf("%s: %s\n", what, ok ? "ok" : "FAILED");
	if (!ok)
		failures++;
}

static uint64_t device_features(void)
{
	set_reg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	uint64_t high = reg(VIRTIO_MMIO_DEVICE_FEATURES);
	set_reg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return high << 32 | reg(VIRTIO_MMIO_DEVICE_FEATURES);
}

/* The driver initialisation of virtio 1.x 3.1.1, with queue 0 at QUEUE_SIZE entries. */
static int init_device(uint64_t *features)
{
	set_reg(VIRTIO_MMIO_STATUS, 0);
	set_reg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	set_reg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	*features = device_features();
	set_reg(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	set_reg(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(*features >> 32));
	set_reg(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	set_reg(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)*features);
	set_reg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	if (!(reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return -1;
	set_reg(VIRTIO_MMIO_QUEUE_SEL, 0);
	if (reg(VIRTIO_MMIO_QUEUE_READY) != 0 || reg(VIRTIO_MMIO_QUEUE_NUM_MAX) < QUEUE_SIZE)
		return -1;
	memset(&avail, 0, sizeof(avail));
	memset(&used, 0, sizeof(used));
	used_seen = 0;
	set_reg(VIRTIO_MMIO_QUEUE_NUM, QUEUE_SIZE);
	set_reg(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)(uintptr_t)descs);
	set_reg(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	set_reg(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)(uintptr_t)&avail);
	set_reg(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
	set_reg(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)(uintptr_t)&used);
	set_reg(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
	set_reg(VIRTIO_MMIO_QUEUE_READY, 1);
	set_reg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
					    VIRTIO_STATUS_DRIVER_OK);
	return 0;
}

static void set_desc(unsigned index, uint64_t address, uint32_t length, uint16_t flags, uint16_t next)
{
	descs[index] = (struct desc){ address, length, flags, next };
}

/* Makes chain `head` available, notifies, and returns the used length (-1: not served). */
static int submit(uint16_t head)
{
	avail.ring[avail.index % QUEUE_SIZE] = head;
	avail.index++;
	__asm__ volatile("" ::: "memory"); /* the rings are in memory before the device looks */
	set_reg(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	__asm__ volatile("" ::: "memory"); /* and what it wrote is read after */
	if (used.index == used_seen)
		return -1;
	uint32_t length = used.ring[used_seen % QUEUE_SIZE].length;
	used_seen++;
	if (reg(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INTERRUPT_USED_BUFFER)
		set_reg(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_INTERRUPT_USED_BUFFER);
	else
		printf("no used-buffer interrupt\n");
	return (int)length;
}

/* The usual three-part request: header, data (if any), status. */
static int request(uint32_t type, uint64_t sector, void *buffer, uint32_t length, int device_writes)
{
	header.type = type;
	header.sector = sector;
	status = 0xff;
	set_desc(0, (uintptr_t)&header, sizeof(header), DESC_NEXT, 1);
	if (length) {
		set_desc(1, (uintptr_t)buffer, length, (uint16_t)(DESC_NEXT | (device_writes ? DESC_WRITE : 0)), 2);
		set_desc(2, (uintptr_t)&status, 1, DESC_WRITE, 0);
	} else {
		set_desc(1, (uintptr_t)&status, 1, DESC_WRITE, 0);
	}
	return submit(0);
}

static const char *status_name(int value)
{
	return value == VIRTIO_BLK_S_OK ? "OK" : value == VIRTIO_BLK_S_IOERR ? "IOERR" : value == VIRTIO_BLK_S_UNSUPP ? "UNSUPP" : "?";
}

static void print_sector_start(uint64_t sector, const uint8_t *bytes)
{
	printf("sector %llu: ", (unsigned long long)sector);
	for (unsigned i = 0; i < 24 && bytes[i] >= ' ' && bytes[i] < 0x7f; i++)
		putchar(bytes[i]);
	putchar('\n');
}

static int find_block_device(void)
{
	int found = -1;

	for (unsigned i = 0; i < TRANSPORTS; i++) {
		base = TRANSPORT_BASE + 0x200 * i;
		printf("transport %u: magic %s version %u device %u\n", i,
		       reg(VIRTIO_MMIO_MAGIC) == VIRTIO_MMIO_MAGIC_VALUE ? "ok" : "BAD", reg(VIRTIO_MMIO_VERSION),
		       reg(VIRTIO_MMIO_DEVICE_ID));
		if (found < 0 && reg(VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_BLOCK)
			found = (int)i;
	}
	if (found >= 0)
		base = TRANSPORT_BASE + 0x200 * (unsigned)found;
	return found;
}

static void normal_requests(uint64_t capacity, int read_only)
{
	char id[VIRTIO_BLK_ID_BYTES + 1] = { 0 };

	check(request(VIRTIO_BLK_T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES, 1) > 0 && status == VIRTIO_BLK_S_OK, "get-id");
	printf("id: %s\n", id);
	check(request(VIRTIO_BLK_T_IN, 0, data, 1024, 1) == 1025 && status == VIRTIO_BLK_S_OK, "read sectors 0-1");
	print_sector_start(0, data);
	print_sector_start(1, data + 512);
	memset(data, 0, 512);
	memcpy(data, "written by the guest", 20);
	request(VIRTIO_BLK_T_OUT, 2, data, 512, 0);
	printf("write sector 2: %s\n", status_name(status));
	check(status == (read_only ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK), "write as the RO feature says");
	check(request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0) == 1 && status == VIRTIO_BLK_S_OK, "flush");
	check(request(VIRTIO_BLK_T_IN, 2, data, 512, 1) == 513 && status == VIRTIO_BLK_S_OK, "read sector 2");
	print_sector_start(2, data);
	request(VIRTIO_BLK_T_IN, capacity - 1, data, 1024, 1);
	check(status == VIRTIO_BLK_S_IOERR, "read past the end: IOERR");
	request(99, 0, 0, 0, 0);
	check(status == VIRTIO_BLK_S_UNSUPP, "unknown request type: UNSUPP");
}

#define CODE_SECTOR 10 /* where tests/test_virtio_blk.cpp puts "mov w0, #2; ret" */

static uint32_t code[128] __attribute__((aligned(64))); /* one sector of instructions */

/* Runs `code` after the architecture's maintenance for new instructions. */
static int run_code(void)
{
	icache_sync_all();
	return ((int (*)(void))(uintptr_t)code)();
}

/* A disk read (the device's DMA) over instructions the CPU has already run: the CPU must run
 * the new ones, as Linux running programs from page-cache pages needs. */
static void code_from_disk(void)
{
	code[0] = 0x52800020; /* mov w0, #1 */
	code[1] = 0xd65f03c0; /* ret */
	int before = run_code();
	if (request(VIRTIO_BLK_T_IN, CODE_SECTOR, data, 512, 1) != 513 || *(uint32_t *)data != 0x52800040) {
		printf("sector %d holds no code: skipped\n", CODE_SECTOR);
		return;
	}
	request(VIRTIO_BLK_T_IN, CODE_SECTOR, code, 512, 1);
	int after = run_code();
	printf("code the device wrote over run code: %d then %d\n", before, after);
	check(before == 1 && after == 2, "the CPU runs the code the device wrote");
}

/* Requests the device must answer with IOERR: it can still write their status byte. */
static void rejected_requests(void)
{
	request(VIRTIO_BLK_T_IN, 0, (void *)(uintptr_t)NOT_RAM, 512, 1);
	check(status == VIRTIO_BLK_S_IOERR, "data buffer outside RAM: IOERR");
	request(VIRTIO_BLK_T_IN, 0, data, 100, 1);
	check(status == VIRTIO_BLK_S_IOERR, "read of 100 bytes: IOERR");
	request(VIRTIO_BLK_T_OUT, 0, data, 512, 1);
	check(status == VIRTIO_BLK_S_IOERR, "write with a device-writable buffer: IOERR");
	set_desc(0, (uintptr_t)&header, 8, DESC_NEXT, 1); /* header cut short */
	set_desc(1, (uintptr_t)&status, 1, DESC_WRITE, 0);
	status = 0xff;
	submit(0);
	check(status == VIRTIO_BLK_S_IOERR, "8-byte header: IOERR");
	set_desc(0, (uintptr_t)&header, sizeof(header), DESC_NEXT | DESC_WRITE, 1); /* header device-writable */
	set_desc(1, (uintptr_t)data, 512, DESC_NEXT, 2);
	set_desc(2, (uintptr_t)&status, 1, DESC_WRITE, 0);
	status = 0xff;
	submit(0);
	check(status == VIRTIO_BLK_S_IOERR, "readable after writable: IOERR");
}

/* Chains the device cannot answer: it must set NEEDS_RESET, and work again after a reset. */
static void broken_chain(const char *what)
{
	uint64_t features;

	submit(0);
	check((reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET) &&
		      (reg(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INTERRUPT_CONFIG_CHANGE),
	      what);
	check(init_device(&features) == 0 && !(reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET), "reset");
	check(request(VIRTIO_BLK_T_IN, 1, data, 512, 1) == 513 && status == VIRTIO_BLK_S_OK, "read after the reset");
}

static void broken_chains(void)
{
	set_desc(0, (uintptr_t)&header, sizeof(header), DESC_NEXT, 0); /* points at itself */
	broken_chain("looping chain: NEEDS_RESET");
	set_desc(0, (uintptr_t)&header, sizeof(header), DESC_NEXT, 200);
	broken_chain("next outside the table: NEEDS_RESET");
	set_desc(0, (uintptr_t)descs, 3 * sizeof(struct desc), DESC_INDIRECT, 0);
	broken_chain("indirect descriptor: NEEDS_RESET");
	set_desc(0, (uintptr_t)&header, sizeof(header), DESC_NEXT, 1);
	set_desc(1, NOT_RAM, 1, DESC_WRITE, 0);
	broken_chain("status byte outside RAM: NEEDS_RESET");
	set_desc(0, (uintptr_t)&header, sizeof(header), 0, 0);
	broken_chain("no status byte: NEEDS_RESET");
	avail.index = (uint16_t)(avail.index + 100); /* far more than the queue holds */
	broken_chain("available index too far ahead: NEEDS_RESET");
}

static void broken_queue(void)
{
	set_reg(VIRTIO_MMIO_STATUS, 0);
	set_reg(VIRTIO_MMIO_QUEUE_SEL, 0);
	set_reg(VIRTIO_MMIO_QUEUE_NUM, QUEUE_SIZE);
	set_reg(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)NOT_RAM);
	set_reg(VIRTIO_MMIO_QUEUE_READY, 1);
	check(reg(VIRTIO_MMIO_QUEUE_READY) == 0 && (reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET),
	      "descriptor table outside RAM: not ready, NEEDS_RESET");
	set_reg(VIRTIO_MMIO_STATUS, 0);
	set_reg(VIRTIO_MMIO_QUEUE_NUM, 3);
	set_reg(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)(uintptr_t)descs);
	set_reg(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)(uintptr_t)&avail);
	set_reg(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)(uintptr_t)&used);
	set_reg(VIRTIO_MMIO_QUEUE_READY, 1);
	check(reg(VIRTIO_MMIO_QUEUE_READY) == 0, "queue size 3: not ready");
}

int main(void)
{
	uint64_t features;

	if (find_block_device() < 0) {
		printf("no virtio block device\n");
		return 0;
	}
	set_reg(VIRTIO_MMIO_STATUS, 0);
	set_reg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	set_reg(VIRTIO_MMIO_DRIVER_FEATURES, 0); /* a legacy driver: VERSION_1 not taken */
	set_reg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	check(!(reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK), "without VERSION_1: FEATURES_OK refused");
	if (init_device(&features) < 0) {
		printf("device initialisation failed\n");
		return 1;
	}
	int read_only = (features >> VIRTIO_BLK_F_RO) & 1;
	uint64_t capacity = reg(VIRTIO_MMIO_CONFIG) | (uint64_t)reg(VIRTIO_MMIO_CONFIG + 4) << 32;
	printf("features: version 1 %s, read-only %s, flush %s; capacity %llu sectors\n",
	       (features >> 32) & 1 ? "yes" : "no", read_only ? "yes" : "no",
	       (features >> VIRTIO_BLK_F_FLUSH) & 1 ? "yes" : "no", (unsigned long long)capacity);
	normal_requests(capacity, read_only);
	code_from_disk();
	rejected_requests();
	broken_chains();
	broken_queue();
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
