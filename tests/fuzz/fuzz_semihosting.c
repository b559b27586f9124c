/* Arm semihosting (runtime/machine/semihosting.c) with random calls: each input is a list of
 * 32-byte records, each one call the guest makes with HLT #0xF000 on the virt board. A record
 * is an operation (byte 0: one of the specification's numbers, or with 0xff the raw word in
 * bytes 4-7), flags (byte 1), X1 (bytes 8-15 raw with flag 1, else the address of the record's
 * parameter block, which is bytes 8-31 copied into RAM), and by the flags a name pointer into a
 * string area of names that stay in the root or try to leave it (flag 2) and any length at all
 * (flag 4; else the third field is at most 64 KiB, so each input stays quick). Files live in a fresh directory
 * under the temporary one, which holds in.txt and a symlink leading out. Whatever the calls
 * say, the run ends by SYS_EXIT, the timeout or the end of the list, never by a host crash, a
 * host access outside guest RAM (ASan) or a file outside the root. Each input gets the root
 * afresh, so an input does the same whatever ran before it. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "fuzz_support.h"
#include "loop.h"
#include "machine.h"

#define MAX_CALLS 64
#define RECORD 32
#define WORDS_PER_CALL 7 /* movz/movk w0 (2), movz/movk x1 (4), hlt */
#define DATA 0x40300000ull  /* the parameter blocks, one per record */
#define NAMES 0x40310000ull /* the string area */

#define FLAG_RAW_X1 1
#define FLAG_NAME 2
#define FLAG_ANY_LENGTH 4

static const uint32_t operations[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x09, 0x0a, 0x0c,
                                       0x0e, 0x10, 0x11, 0x13, 0x15, 0x16, 0x18, 0x20, 0x30, 0x31 };
static const char names[] = "in.txt\0:tt\0out.txt\0../outside\0/etc/passwd\0sub/../../x\0link_out\0.\0";

/* A fresh root for one input: in.txt, and link_out pointing outside it. */
static const char *make_root(char path[40])
{
	char file[64];
	FILE *in;

	strcpy(path, "/tmp/qvp-fuzz-semihosting-XXXXXX");
	if (!mkdtemp(path))
		abort();
	snprintf(file, sizeof(file), "%s/in.txt", path);
	in = fopen(file, "w");
	if (!in || fputs("semihosting fuzz input\n", in) < 0 || fclose(in) != 0)
		abort();
	snprintf(file, sizeof(file), "%s/link_out", path);
	if (symlink("/etc/passwd", file) != 0)
		abort();
	return path;
}

/* Semihosting makes no directories: the root holds only files and symlinks. */
static void remove_root(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *entry;
	char file[320];

	if (!dir)
		abort();
	while ((entry = readdir(dir)))
		if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, "..")) {
			snprintf(file, sizeof(file), "%s/%s", path, entry->d_name);
			unlink(file);
		}
	closedir(dir);
	if (rmdir(path) != 0)
		abort(); /* something made a directory, or a file escaped into it unseen */
}

static uint64_t field(const uint8_t *bytes)
{
	uint64_t value = 0;

	for (int b = 7; b >= 0; b--)
		value = value << 8 | bytes[b];
	return value;
}

/* movz/movk of `value`'s low `parts` halfwords into register `rd`. */
static size_t emit_move(uint32_t *words, unsigned rd, uint64_t value, unsigned parts)
{
	for (unsigned hw = 0; hw < parts; hw++)
		words[hw] = (hw ? 0xf2800000u : 0xd2800000u) | hw << 21 | (uint32_t)((value >> (16 * hw)) & 0xffff) << 5 | rd;
	return parts;
}

/* The record's call: the operation, X1, and its block (written to RAM at `block`). */
static size_t emit_call(uint32_t *words, const uint8_t *record, uint8_t *block, uint64_t block_address)
{
	uint32_t operation = record[0] == 0xff ? (uint32_t)field(record + 4) : operations[record[0] % 20];
	uint64_t fields[3] = { field(record + 8), field(record + 16), field(record + 24) };
	size_t n = 0;

	if (record[1] & FLAG_NAME)
		fields[0] = NAMES + fields[0] % sizeof(names);
	if (!(record[1] & FLAG_ANY_LENGTH))
		fields[2] %= 0x10000; /* the length of SYS_OPEN, SYS_READ, SYS_WRITE */
	for (int f = 0; f < 3; f++)
		for (int b = 0; b < 8; b++)
			block[f * 8 + b] = (uint8_t)(fields[f] >> (8 * b));
	n += emit_move(words + n, 0, operation, 2);
	n += emit_move(words + n, 1, record[1] & FLAG_RAW_X1 ? fields[0] : block_address, 4);
	words[n++] = 0xd45e0000u; /* hlt #0xf000 */
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t staged[MAX_CALLS][24]; /* the blocks, copied into RAM once the machine exists */
	uint32_t words[MAX_CALLS * WORDS_PER_CALL + 1];
	size_t calls = size / RECORD, count = 0;
	struct machine_config config;
	struct machine *machine;
	uint8_t *blocks, *strings;
	char root[40];

	if (calls > MAX_CALLS)
		calls = MAX_CALLS;
	for (size_t k = 0; k < calls; k++)
		count += emit_call(words + count, data + k * RECORD, staged[k], DATA + k * 24);
	words[count++] = 0x14000000; /* b . : the end of the list waits for the timeout */
	fuzz_machine_config(&config, QVP_FUZZ_VIRT_DTB, words, count, 4 * VTIME_US);
	config.semihosting = true;
	config.semihosting_root = make_root(root);
	config.semihosting_cmdline = "fuzz";
	machine = machine_create(&config);
	if (!machine)
		abort();
	blocks = bus_ram_pointer(machine->bus, DATA, MAX_CALLS * 24);
	strings = bus_ram_pointer(machine->bus, NAMES, sizeof(names));
	if (!blocks || !strings)
		abort();
	memcpy(blocks, staged, calls * 24);
	memcpy(strings, names, sizeof(names));
	machine_run(machine);
	machine_destroy(machine);
	remove_root(root);
	return 0;
}
