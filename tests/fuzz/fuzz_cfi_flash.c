/* The CFI flash model (models/cfi_flash.c) through the bus: each input is a sequence of reads
 * and writes of every size at any offset of the two banks of the virt board, with the values
 * drawn mostly from the command set, so sequences reach every mode (query, identifier,
 * status, program, buffered program, erase, lock) and the switches between memory (romd) and
 * MMIO. Bank 0 holds a small --bios image; nothing may crash or leave the bounds of a bank. */
#include <stdint.h>
#include <stdlib.h>

#include "bus.h"
#include "cfi_flash.h"
#include "fuzz_support.h"
#include "machine.h"

#define OP_BYTES 8
#define BANK_SIZE 0x04000000ull

static const uint8_t commands[] = {
	CFI_READ_ARRAY, CFI_READ_ARRAY_ZERO, CFI_AMD_RESET,  CFI_PROGRAM,          CFI_PROGRAM_ALT,
	CFI_BLOCK_ERASE, CFI_BLOCK_ERASE_ALT, CFI_CONFIRM,   CFI_CLEAR_STATUS,     CFI_LOCK_SETUP,
	CFI_LOCK,        CFI_READ_STATUS,     CFI_READ_IDENTIFIER, CFI_QUERY,       CFI_BUFFERED_PROGRAM,
};

static const uint32_t idle_loop[] = {
	0xd503207f, /* wfi */
	0x17ffffff, /* b .-4 */
};

/* Byte 0: bank (bit 0), size (bits 1-2), write (bit 3), value from the command set (bit 4),
 * offset near the start (bit 5: the command and query addresses) or anywhere (bits 6-7 scale
 * it); bytes 1-3 the offset; bytes 4-7 the value (or its byte 4 picks the command). */
static void access(struct machine *machine, const uint8_t *op)
{
	uint64_t bank = (op[0] & 1) ? BANK_SIZE : 0;
	unsigned size = 1u << ((op[0] >> 1) & 3);
	uint64_t offset = (uint64_t)op[1] | (uint64_t)op[2] << 8 | (uint64_t)op[3] << 16;
	uint64_t value = (uint64_t)op[4] | (uint64_t)op[5] << 8 | (uint64_t)op[6] << 16 | (uint64_t)op[7] << 24;

	if (op[0] & 0x20)
		offset &= 0x3ff;
	else
		offset <<= 2 * (op[0] >> 6); /* up to the whole bank */
	offset %= BANK_SIZE;
	if (offset + size > BANK_SIZE)
		offset = BANK_SIZE - size;
	if (op[0] & 0x10) {
		uint8_t cmd = commands[op[4] % sizeof(commands)];
		value = (uint64_t)cmd << 16 | cmd; /* both chips, as drivers write it */
	}
	if (op[0] & 8)
		bus_write(machine->bus, bank + offset, size, value);
	else
		bus_read(machine->bus, bank + offset, size, &value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t image[256] = { 0x1f, 0x20, 0x03, 0xd5 };
	struct machine_config config;
	struct machine *machine;

	fuzz_machine_config(&config, QVP_FUZZ_VIRT_DTB, idle_loop, 2, VTIME_NEVER);
	config.flash[0].path = fuzz_input_file(image, sizeof(image));
	config.flash_count = 1;
	machine = machine_create(&config);
	if (!machine)
		abort(); /* the virt board with a small bank file always builds */
	for (size_t at = 0; at + OP_BYTES <= size; at += OP_BYTES)
		access(machine, data + at);
	machine_destroy(machine);
	return 0;
}
