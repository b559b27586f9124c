/* Arm semihosting, version 2 (Arm IHI 0056 / the "Semihosting for AArch32 and AArch64"
 * specification), the A64 flavour: W0 names the operation, X1 points to its parameter block
 * (or is the parameter), X0 is the result. Guest memory is reached only through the CPU's
 * read_memory/write_memory, which translate as the guest does and stop at anything that is not
 * RAM: a bad pointer is an error returned to the guest (EFAULT), never a host access. Times are
 * virtual time, so runs repeat. */
#include "semihosting.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "machine.h"
#include "semihosting_files.h"
#include "vtime.h"

enum semihosting_operation {
	SYS_OPEN = 0x01,
	SYS_CLOSE = 0x02,
	SYS_WRITEC = 0x03,
	SYS_WRITE0 = 0x04,
	SYS_WRITE = 0x05,
	SYS_READ = 0x06,
	SYS_READC = 0x07,
	SYS_ISTTY = 0x09,
	SYS_SEEK = 0x0a,
	SYS_FLEN = 0x0c,
	SYS_REMOVE = 0x0e,
	SYS_CLOCK = 0x10,
	SYS_TIME = 0x11,
	SYS_ERRNO = 0x13,
	SYS_GET_CMDLINE = 0x15,
	SYS_HEAPINFO = 0x16,
	SYS_EXIT = 0x18,
	SYS_EXIT_EXTENDED = 0x20,
	SYS_ELAPSED = 0x30,
	SYS_TICKFREQ = 0x31,
};

#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define SEMIHOSTING_MAX_FILES 32
#define SEMIHOSTING_TICK_HZ 1000000000ull /* SYS_ELAPSED counts nanoseconds of virtual time, as QEMU's */
#define SEMIHOSTING_OPEN_MODES 12
#define SEMIHOSTING_CHUNK 4096 /* host bounce buffer for SYS_READ/SYS_WRITE */
#define CONSOLE_NAME ":tt"

enum file_kind { FILE_FREE, FILE_CONSOLE_IN, FILE_CONSOLE_OUT, FILE_HOST };

struct semihosting_file {
	enum file_kind kind;
	int fd; /* FILE_HOST */
};

struct semihosting {
	int root; /* beneath which files are opened; -1: none given, every file operation fails */
	char *cmdline;
	int64_t last_errno; /* SYS_ERRNO */
	struct semihosting_file files[SEMIHOSTING_MAX_FILES]; /* handle n is files[n - 1] */
};

/* One call: the machine, its CPU, and the parameter register X1. */
struct call {
	struct machine *machine;
	struct semihosting *sh;
	struct cpu *cpu;
	uint64_t parameter;
};

struct semihosting *semihosting_create(const char *root, const char *cmdline)
{
	struct semihosting *sh = calloc(1, sizeof(*sh));

	if (!sh || !(sh->cmdline = strdup(cmdline ? cmdline : ""))) {
		free(sh);
		error_set("out of memory");
		return NULL;
	}
	sh->root = -1;
	if (root && (sh->root = semihosting_root_open(root)) < 0) {
		semihosting_destroy(sh);
		return NULL;
	}
	return sh;
}

void semihosting_destroy(struct semihosting *sh)
{
	if (!sh)
		return;
	for (unsigned i = 0; i < SEMIHOSTING_MAX_FILES; i++)
		if (sh->files[i].kind == FILE_HOST)
			close(sh->files[i].fd);
	if (sh->root >= 0)
		close(sh->root);
	free(sh->cmdline);
	free(sh);
}

/* ---- Results and guest memory ---- */

/* A failed call: -1 to the guest, `error` for SYS_ERRNO. */
static int64_t fail(struct call *call, int error)
{
	call->sh->last_errno = error;
	return -1;
}

static bool guest_read(struct call *call, uint64_t address, void *buffer, size_t length)
{
	return length == 0 || call->cpu->ops->read_memory(call->cpu, address, buffer, length) == 0;
}

static bool guest_write(struct call *call, uint64_t address, const void *buffer, size_t length)
{
	return length == 0 || call->cpu->ops->write_memory(call->cpu, address, buffer, length) == 0;
}

/* The parameter block's `count` 64-bit fields (little-endian, as the guest stores them). */
static bool read_fields(struct call *call, uint64_t *fields, unsigned count)
{
	uint8_t bytes[4 * 8];

	if (!guest_read(call, call->parameter, bytes, count * 8u))
		return false;
	for (unsigned i = 0; i < count; i++) {
		fields[i] = 0;
		for (unsigned b = 0; b < 8; b++)
			fields[i] |= (uint64_t)bytes[i * 8 + b] << (8 * b);
	}
	return true;
}

static bool write_field(struct call *call, uint64_t address, uint64_t value)
{
	uint8_t bytes[8];

	for (unsigned b = 0; b < 8; b++)
		bytes[b] = (uint8_t)(value >> (8 * b));
	return guest_write(call, address, bytes, sizeof(bytes));
}

/* ---- The console (":tt") ---- */

static void console_put(struct machine *machine, uint8_t byte)
{
	if (!machine_console_muted(machine)) /* shown before a debugger went back */
		fputc(byte, machine->console);
	if (machine->console_input) /* a console script may wait for this output */
		machine->console_output(machine->console_input, byte);
}

static int64_t write_console_byte(struct call *call)
{
	uint8_t byte;

	if (!guest_read(call, call->parameter, &byte, 1))
		return fail(call, EFAULT);
	console_put(call->machine, byte);
	return 0;
}

/* SYS_WRITE0: the bytes up to the NUL; a bad pointer ends the string there. */
static int64_t write_console_string(struct call *call)
{
	for (uint64_t address = call->parameter;; address++) {
		uint8_t byte;

		if (!guest_read(call, address, &byte, 1))
			return fail(call, EFAULT);
		if (byte == 0)
			return 0;
		console_put(call->machine, byte);
	}
}

/* ---- Handles ---- */

static struct semihosting_file *file_of(struct semihosting *sh, uint64_t handle)
{
	if (handle == 0 || handle > SEMIHOSTING_MAX_FILES || sh->files[handle - 1].kind == FILE_FREE)
		return NULL;
	return &sh->files[handle - 1];
}

/* A free handle for `file`, or -1 (EMFILE). */
static int64_t new_handle(struct call *call, struct semihosting_file file)
{
	for (unsigned i = 0; i < SEMIHOSTING_MAX_FILES; i++)
		if (call->sh->files[i].kind == FILE_FREE) {
			call->sh->files[i] = file;
			return i + 1;
		}
	if (file.kind == FILE_HOST)
		close(file.fd);
	return fail(call, EMFILE);
}

/* The fopen() mode a SYS_OPEN mode number names ("r", "rb", "r+", ... "a+b"), as open(2) flags. */
static int open_flags(uint64_t mode)
{
	static const int flags[] = { O_RDONLY, O_RDWR | O_CREAT | O_TRUNC, O_RDWR | O_CREAT | O_APPEND };
	static const int plain[] = { O_RDONLY, O_WRONLY | O_CREAT | O_TRUNC, O_WRONLY | O_CREAT | O_APPEND };
	bool plus = (mode >> 1) & 1;

	if ((mode >> 2) == 0)
		return plus ? O_RDWR : O_RDONLY;
	return plus ? flags[mode >> 2] : plain[mode >> 2];
}

/* SYS_OPEN {name, mode, length}: ":tt" is the console (modes 0-3 its input, 4-11 its output). */
static int64_t open_file(struct call *call)
{
	uint64_t f[3];
	char name[4096];
	int fd;

	if (!read_fields(call, f, 3))
		return fail(call, EFAULT);
	if (f[1] >= SEMIHOSTING_OPEN_MODES)
		return fail(call, EINVAL);
	if (f[2] >= sizeof(name))
		return fail(call, ENAMETOOLONG);
	if (!guest_read(call, f[0], name, f[2]))
		return fail(call, EFAULT);
	if (f[2] == strlen(CONSOLE_NAME) && memcmp(name, CONSOLE_NAME, f[2]) == 0)
		return new_handle(call, (struct semihosting_file){ f[1] < 4 ? FILE_CONSOLE_IN : FILE_CONSOLE_OUT, -1 });
	if (call->sh->root < 0)
		return fail(call, EACCES); /* no --semihosting-root: no host files at all */
	fd = semihosting_file_open(call->sh->root, name, f[2], open_flags(f[1]));
	if (fd < 0)
		return fail(call, -fd);
	return new_handle(call, (struct semihosting_file){ FILE_HOST, fd });
}

/* SYS_CLOSE {handle}. */
static int64_t close_file(struct call *call)
{
	uint64_t handle;
	struct semihosting_file *file;

	if (!read_fields(call, &handle, 1))
		return fail(call, EFAULT);
	file = file_of(call->sh, handle);
	if (!file)
		return fail(call, EBADF);
	if (file->kind == FILE_HOST)
		close(file->fd);
	file->kind = FILE_FREE;
	return 0;
}

/* SYS_WRITE {handle, buffer, length}: the number of bytes NOT written (0: all). */
static int64_t write_file(struct call *call)
{
	uint64_t f[3], done = 0;
	struct semihosting_file *file;
	uint8_t chunk[SEMIHOSTING_CHUNK];

	if (!read_fields(call, f, 3))
		return fail(call, EFAULT);
	file = file_of(call->sh, f[0]);
	if (!file || file->kind == FILE_CONSOLE_IN)
		return fail(call, EBADF);
	while (done < f[2]) {
		size_t n = f[2] - done < sizeof(chunk) ? (size_t)(f[2] - done) : sizeof(chunk);
		ssize_t written = (ssize_t)n;

		if (!guest_read(call, f[1] + done, chunk, n)) {
			call->sh->last_errno = EFAULT;
			break;
		}
		if (file->kind == FILE_CONSOLE_OUT) {
			for (size_t i = 0; i < n; i++)
				console_put(call->machine, chunk[i]);
		} else if ((written = write(file->fd, chunk, n)) < 0) {
			call->sh->last_errno = errno;
			break;
		}
		done += (uint64_t)written;
		if ((size_t)written < n)
			break;
	}
	return (int64_t)(f[2] - done);
}

/* SYS_READ {handle, buffer, length}: the number of bytes NOT read; the console's input is
 * empty (end of file: there is no host input for it). */
static int64_t read_file(struct call *call)
{
	uint64_t f[3], done = 0;
	struct semihosting_file *file;
	uint8_t chunk[SEMIHOSTING_CHUNK];

	if (!read_fields(call, f, 3))
		return fail(call, EFAULT);
	file = file_of(call->sh, f[0]);
	if (!file || file->kind == FILE_CONSOLE_OUT)
		return fail(call, EBADF);
	while (file->kind == FILE_HOST && done < f[2]) {
		size_t n = f[2] - done < sizeof(chunk) ? (size_t)(f[2] - done) : sizeof(chunk);
		ssize_t got = read(file->fd, chunk, n);

		if (got < 0) {
			call->sh->last_errno = errno;
			break;
		}
		if (!guest_write(call, f[1] + done, chunk, (size_t)got)) {
			call->sh->last_errno = EFAULT; /* the host file moved on: as a short read */
			break;
		}
		done += (uint64_t)got;
		if ((size_t)got < n)
			break;
	}
	return (int64_t)(f[2] - done);
}

static int64_t is_tty(struct call *call)
{
	uint64_t handle;
	struct semihosting_file *file;

	if (!read_fields(call, &handle, 1))
		return fail(call, EFAULT);
	file = file_of(call->sh, handle);
	if (!file)
		return fail(call, EBADF);
	return file->kind != FILE_HOST;
}

/* SYS_SEEK {handle, position}: absolute, from the start. */
static int64_t seek_file(struct call *call)
{
	uint64_t f[2];
	struct semihosting_file *file;

	if (!read_fields(call, f, 2))
		return fail(call, EFAULT);
	file = file_of(call->sh, f[0]);
	if (!file)
		return fail(call, EBADF);
	if (file->kind != FILE_HOST)
		return fail(call, ESPIPE);
	if (f[1] > INT64_MAX || lseek(file->fd, (off_t)f[1], SEEK_SET) < 0)
		return fail(call, f[1] > INT64_MAX ? EINVAL : errno);
	return 0;
}

static int64_t file_length(struct call *call)
{
	uint64_t handle;
	struct semihosting_file *file;
	struct stat st;

	if (!read_fields(call, &handle, 1))
		return fail(call, EFAULT);
	file = file_of(call->sh, handle);
	if (!file)
		return fail(call, EBADF);
	if (file->kind != FILE_HOST)
		return fail(call, EINVAL);
	if (fstat(file->fd, &st) < 0)
		return fail(call, errno);
	return (int64_t)st.st_size;
}

/* SYS_REMOVE {name, length}. */
static int64_t remove_file(struct call *call)
{
	uint64_t f[2];
	char name[4096];
	int result;

	if (!read_fields(call, f, 2))
		return fail(call, EFAULT);
	if (f[1] >= sizeof(name))
		return fail(call, ENAMETOOLONG);
	if (!guest_read(call, f[0], name, f[1]))
		return fail(call, EFAULT);
	if (call->sh->root < 0)
		return fail(call, EACCES);
	result = semihosting_file_remove(call->sh->root, name, f[1]);
	return result < 0 ? fail(call, -result) : 0;
}

/* ---- Time (virtual), the command line, the heap ---- */

static int64_t elapsed_ticks(struct call *call)
{
	vtime_t now = machine_now(call->machine);

	if (!write_field(call, call->parameter, now / (VTIME_S / SEMIHOSTING_TICK_HZ)))
		return fail(call, EFAULT);
	return 0;
}

/* SYS_GET_CMDLINE {buffer, size}: the string with its NUL, and its length into the block. */
static int64_t get_cmdline(struct call *call)
{
	uint64_t f[2];
	size_t length = strlen(call->sh->cmdline);

	if (!read_fields(call, f, 2))
		return fail(call, EFAULT);
	if (length + 1 > f[1])
		return fail(call, E2BIG);
	if (!guest_write(call, f[0], call->sh->cmdline, length + 1) ||
	    !write_field(call, call->parameter + 8, length))
		return fail(call, EFAULT);
	return 0;
}

/* SYS_HEAPINFO: X1 points to the address of a block {heap base, heap limit, stack base, stack
 * limit}. As QEMU's virt: the heap from the loaded image's end (where the first RAM holds it) to
 * that RAM's end, the stack below the RAM's end down to the heap's base. */
static int64_t heap_info(struct call *call)
{
	const struct machine *m = call->machine;
	uint64_t end = m->ram_base + m->ram_size;
	uint64_t base = m->image.high > m->ram_base && m->image.high < end ? m->image.high : m->ram_base;
	uint64_t block, values[4] = { base, end, end, base };

	if (!read_fields(call, &block, 1))
		return fail(call, EFAULT);
	for (unsigned i = 0; i < 4; i++)
		if (!write_field(call, block + 8 * i, values[i]))
			return fail(call, EFAULT);
	return 0;
}

/* SYS_EXIT and SYS_EXIT_EXTENDED {reason, subcode}: an application exit ends the run with the
 * subcode as its status (its low 8 bits, as a host process's), any other reason with 1. */
static int64_t exit_run(struct call *call)
{
	uint64_t f[2];

	if (!read_fields(call, f, 2))
		return fail(call, EFAULT);
	machine_request_exit(call->machine, f[0] == ADP_STOPPED_APPLICATION_EXIT ? (int)(f[1] & 0xff) : 1);
	return 0;
}

static int64_t dispatch(struct call *call, uint32_t operation)
{
	vtime_t now = machine_now(call->machine);

	switch (operation) {
	case SYS_OPEN: return open_file(call);
	case SYS_CLOSE: return close_file(call);
	case SYS_WRITEC: return write_console_byte(call);
	case SYS_WRITE0: return write_console_string(call);
	case SYS_WRITE: return write_file(call);
	case SYS_READ: return read_file(call);
	case SYS_READC: return -1; /* no input reaches the semihosting console: end of file */
	case SYS_ISTTY: return is_tty(call);
	case SYS_SEEK: return seek_file(call);
	case SYS_FLEN: return file_length(call);
	case SYS_REMOVE: return remove_file(call);
	case SYS_CLOCK: return (int64_t)(now / (10 * VTIME_MS)); /* centiseconds */
	case SYS_TIME: return (int64_t)(call->machine->rtc_epoch + now / VTIME_S); /* the RTC's clock */
	case SYS_ERRNO: return call->sh->last_errno;
	case SYS_GET_CMDLINE: return get_cmdline(call);
	case SYS_HEAPINFO: return heap_info(call);
	case SYS_EXIT:
	case SYS_EXIT_EXTENDED: return exit_run(call);
	case SYS_ELAPSED: return elapsed_ticks(call);
	case SYS_TICKFREQ: return (int64_t)SEMIHOSTING_TICK_HZ;
	}
	return fail(call, ENOSYS);
}

bool semihosting_call(void *opaque, struct cpu *cpu)
{
	struct machine *machine = opaque;
	struct call call = { .machine = machine, .sh = machine->semihosting, .cpu = cpu };
	uint64_t x0 = 0;

	cpu->ops->get_register(cpu, CPU_REG_X0, &x0);
	cpu->ops->get_register(cpu, (enum cpu_register)(CPU_REG_X0 + 1), &call.parameter);
	cpu->ops->set_register(cpu, CPU_REG_X0, (uint64_t)dispatch(&call, (uint32_t)x0));
	return true;
}
