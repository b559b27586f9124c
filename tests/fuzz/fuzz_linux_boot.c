/* The arm64 Linux boot path (runtime/machine/linux_boot.c): each input is a kernel Image (raw
 * or gzip-compressed), an initrd and a command line for `qvp run --kernel`, booted on the virt
 * board: the Image header is checked, the Image, the DTB with its /chosen and the initrd are
 * placed in RAM, and the "kernel" runs for 20 us. A bad Image is refused with a message, never
 * a crash; one that loads runs as any guest code does. */
#include <stdint.h>
#include <string.h>

#include "fuzz_support.h"
#include "machine.h"

#define HEADER 4
#define MAX_BOOTARGS 64

/* Byte 0: bit 0 an initrd, bit 1 a command line; bytes 1-3: the kernel's length (little-endian,
 * at most what follows). Then the kernel; the rest is the initrd, whose first bytes up to a
 * NUL (at most 63) are also the command line. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct machine_config config;
	struct machine *machine;
	char bootargs[MAX_BOOTARGS];
	size_t kernel_size, rest_size;
	const uint8_t *rest;

	if (size < HEADER)
		return 0;
	kernel_size = (size_t)data[1] | (size_t)data[2] << 8 | (size_t)data[3] << 16;
	if (kernel_size > size - HEADER)
		kernel_size = size - HEADER;
	rest = data + HEADER + kernel_size;
	rest_size = size - HEADER - kernel_size;
	fuzz_machine_config(&config, QVP_FUZZ_VIRT_DTB, NULL, 0, VTIME_NEVER);
	config.raw_firmware = false;
	config.firmware_path = NULL;
	config.kernel_path = fuzz_input_file(data + HEADER, kernel_size);
	if (data[0] & 1)
		config.initrd_path = fuzz_second_file(rest, rest_size);
	if (data[0] & 2) {
		size_t length = rest_size < MAX_BOOTARGS - 1 ? rest_size : MAX_BOOTARGS - 1;
		memcpy(bootargs, rest, length);
		bootargs[length] = '\0';
		config.bootargs = bootargs;
	}
	machine = machine_create(&config);
	if (machine)
		fuzz_advance(machine, 20 * VTIME_US);
	machine_destroy(machine);
	return 0;
}
