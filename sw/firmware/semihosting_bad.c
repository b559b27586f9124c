/* Semihosting calls with bad inputs (qvp run --semihosting --semihosting-root DIR): names that
 * leave the root (".." components, absolute, a symlink leading out), pointers to nowhere, a
 * bad handle, a buffer too small; each must fail with -1 and the errno the host gives, nothing
 * reaches the host outside DIR. Prints with printf (the UART) and exits with
 * SYS_EXIT_EXTENDED's code 5. */
#include <stdio.h>
#include <string.h>

#include "semihosting.h"

#define NOWHERE 0x7000000000ull /* far outside RAM: unmapped with the MMU off */

static void open_named(const char *label, const char *name, uint64_t name_address)
{
	uint64_t block[3] = { name_address, OPEN_READ, strlen(name) };
	int64_t handle = semihost_block(SYS_OPEN, block);

	printf("open %s: %lld errno %lld\n", label, (long long)handle, (long long)semihost(SYS_ERRNO, 0));
}

static void open_file(const char *name)
{
	open_named(name, name, (uintptr_t)name);
}

int main(void)
{
	static const char text[] = "must not appear";
	uint64_t handle_block[1] = { 1000 };
	uint64_t remove_block[2] = { (uintptr_t)"../outside.txt", 14 };
	char small[4];
	uint64_t cmdline_block[2] = { (uintptr_t)small, sizeof(small) };
	uint64_t exit_block[2] = { ADP_STOPPED_APPLICATION_EXIT, 5 };
	int64_t in;

	open_file("../outside.txt");
	open_file("sub/../../outside.txt");
	open_file("/etc/passwd");
	open_file("link_out.txt");
	open_file("link_in.txt");
	open_named("with its name at no address", "in.txt", NOWHERE);
	printf("open with its block at no address: %lld errno %lld\n", (long long)semihost(SYS_OPEN, NOWHERE),
	       (long long)semihost(SYS_ERRNO, 0));
	printf("write0 from no address: %lld\n", (long long)semihost(SYS_WRITE0, NOWHERE));
	in = semihost_block(SYS_OPEN, (uint64_t[]){ (uintptr_t)"in.txt", OPEN_READ, 6 });
	printf("read into no address: left %lld of 8\n",
	       (long long)semihost_block(SYS_READ, (uint64_t[]){ (uint64_t)in, NOWHERE, 8 }));
	printf("write from no address: left %lld of 8\n",
	       (long long)semihost_block(SYS_WRITE, (uint64_t[]){ (uint64_t)in, NOWHERE, 8 }));
	printf("write to a file opened for reading: left %lld of %u\n",
	       (long long)semihost_block(SYS_WRITE, (uint64_t[]){ (uint64_t)in, (uintptr_t)text, sizeof(text) }),
	       (unsigned)sizeof(text));
	printf("close a bad handle: %lld errno %lld\n", (long long)semihost_block(SYS_CLOSE, handle_block),
	       (long long)semihost(SYS_ERRNO, 0));
	printf("remove ../outside.txt: %lld errno %lld\n", (long long)semihost_block(SYS_REMOVE, remove_block),
	       (long long)semihost(SYS_ERRNO, 0));
	printf("cmdline into 4 bytes: %lld\n", (long long)semihost_block(SYS_GET_CMDLINE, cmdline_block));
	printf("heapinfo to no address: %lld\n", (long long)semihost(SYS_HEAPINFO, NOWHERE));
	printf("exit with its block at no address: %lld\n", (long long)semihost(SYS_EXIT, NOWHERE));
	semihost_block(SYS_EXIT_EXTENDED, exit_block);
	printf("not reached\n");
	return 1;
}
