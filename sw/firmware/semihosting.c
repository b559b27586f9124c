/* Arm semihosting (qvp run --semihosting; QEMU -semihosting): writes to the console with
 * SYS_WRITE0, SYS_WRITEC and SYS_WRITE to ":tt", reads in.txt from the root (length, a seek, a
 * read), writes out.txt, removes gone.txt, reads the command line and the heap, checks that the
 * clocks answer, and exits with SYS_EXIT's code 7. All its output goes through semihosting. */
#include <stdio.h>
#include <string.h>

#include "semihosting.h"

static void say(const char *format, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *format, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, format);
	vsnprintf(line, sizeof(line), format, ap);
	va_end(ap);
	semihost(SYS_WRITE0, (uint64_t)(uintptr_t)line);
}

static int64_t open_file(const char *name, uint64_t mode)
{
	uint64_t block[3] = { (uintptr_t)name, mode, strlen(name) };

	return semihost_block(SYS_OPEN, block);
}

static int64_t on_handle(uint64_t operation, int64_t handle)
{
	uint64_t block[1] = { (uint64_t)handle };

	return semihost_block(operation, block);
}

static int64_t transfer(uint64_t operation, int64_t handle, void *buffer, uint64_t length)
{
	uint64_t block[3] = { (uint64_t)handle, (uintptr_t)buffer, length };

	return semihost_block(operation, block);
}

static void console(void)
{
	static const char text[] = "SYS_WRITE to :tt\n";
	int64_t tt = open_file(":tt", OPEN_WRITE);
	char c = '!';

	say("semihosting: SYS_WRITE0\n");
	semihost(SYS_WRITEC, (uintptr_t)&c);
	semihost(SYS_WRITEC, (uintptr_t)"\n");
	say(":tt handle valid %d\n", tt > 0);
	say(":tt istty %lld\n", (long long)on_handle(SYS_ISTTY, tt)); /* QEMU 7.2: isatty() of its stdout */
	say("SYS_WRITE left %lld\n", (long long)transfer(SYS_WRITE, tt, (void *)text, sizeof(text) - 1));
	say("close :tt %lld\n", (long long)on_handle(SYS_CLOSE, tt));
}

static void read_input(void)
{
	char buffer[64];
	int64_t in = open_file("in.txt", OPEN_READ), left;

	say("in.txt open ok %d, istty %lld, length %lld\n", in > 0, (long long)on_handle(SYS_ISTTY, in),
	    (long long)on_handle(SYS_FLEN, in));
	memset(buffer, 0, sizeof(buffer));
	left = transfer(SYS_READ, in, buffer, sizeof(buffer) - 1);
	say("read left %lld: %s", (long long)left, buffer);
	uint64_t seek[2] = { (uint64_t)in, 6 };
	say("seek %lld\n", (long long)semihost_block(SYS_SEEK, seek));
	memset(buffer, 0, sizeof(buffer));
	left = transfer(SYS_READ, in, buffer, 5);
	say("read 5 after seek left %lld: %s\n", (long long)left, buffer);
	say("close %lld\n", (long long)on_handle(SYS_CLOSE, in));
}

static void write_output(void)
{
	static const char text[] = "written by the guest\nsecond line\n";
	int64_t out = open_file("out.txt", OPEN_WRITE);
	uint64_t seek[2] = { (uint64_t)out, 0 };

	say("out.txt open ok %d\n", out > 0);
	say("write left %lld\n", (long long)transfer(SYS_WRITE, out, (void *)text, sizeof(text) - 1));
	say("seek %lld\n", (long long)semihost_block(SYS_SEEK, seek));
	say("overwrite left %lld\n", (long long)transfer(SYS_WRITE, out, "W", 1));
	say("length %lld\n", (long long)on_handle(SYS_FLEN, out));
	say("close %lld\n", (long long)on_handle(SYS_CLOSE, out));
	uint64_t remove[2] = { (uintptr_t)"gone.txt", 8 };
	say("remove gone.txt %lld\n", (long long)semihost_block(SYS_REMOVE, remove));
	say("open gone.txt again ok %d\n", open_file("gone.txt", OPEN_READ) > 0);
}

static void environment(void)
{
	static char cmdline[128];
	uint64_t block[2] = { (uintptr_t)cmdline, sizeof(cmdline) };
	uint64_t heap[4] = { 0 }, heap_pointer = (uintptr_t)heap, ticks = 1;
	int64_t status = semihost_block(SYS_GET_CMDLINE, block);

	say("cmdline %lld length %llu: %s\n", (long long)status, (unsigned long long)block[1], cmdline);
	say("heapinfo %lld\n", (long long)semihost(SYS_HEAPINFO, (uintptr_t)&heap_pointer));
	say("heap 0x%llx-0x%llx stack 0x%llx-0x%llx\n", (unsigned long long)heap[0], (unsigned long long)heap[1],
	    (unsigned long long)heap[3], (unsigned long long)heap[2]);
	say("clock answers %d\n", semihost(SYS_CLOCK, 0) >= 0);
	say("time answers %d\n", semihost(SYS_TIME, 0) > 1000000000);
	say("elapsed %lld, tickfreq answers %d\n", (long long)semihost(SYS_ELAPSED, (uintptr_t)&ticks),
	    semihost(SYS_TICKFREQ, 0) > 0);
}

int main(void)
{
	uint64_t exit_block[2] = { ADP_STOPPED_APPLICATION_EXIT, 7 };

	console();
	read_input();
	write_output();
	environment();
	say("exiting with 7\n");
	semihost_block(SYS_EXIT, exit_block);
	say("not reached\n");
	return 1;
}
