/* Helpers shared by the libFuzzer harnesses (fuzz_support.h). */
#include "fuzz_support.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loop.h"

/* ASan keeps a freed block from reuse until 256 MB more were freed (its default). One input
 * frees about 2 MB at most (a whole machine, measured with -trace_malloc=1), so 64 MB still
 * catches a use after free anywhere in the input and dozens of inputs back, while the process
 * touches fewer fresh pages and stays small: iss_unicorn also holds Unicorn's 1 GiB translation
 * buffer under -rss_limit_mb. ASAN_OPTIONS, when set, still wins. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=64";
}

struct memory_file {
	bool open;
	int fd;
	char path[64];
};

/* The file is created once and rewritten: a harness runs millions of inputs. */
static const char *rewrite(struct memory_file *file, const uint8_t *data, size_t size)
{
	if (!file->open) {
		file->fd = memfd_create("qvp-fuzz-input", 0);
		if (file->fd < 0) {
			perror("memfd_create");
			abort();
		}
		file->open = true;
		snprintf(file->path, sizeof(file->path), "/proc/self/fd/%d", file->fd);
	}
	if (ftruncate(file->fd, 0) < 0 || (size && pwrite(file->fd, data, size, 0) != (ssize_t)size)) {
		perror("fuzz input file");
		abort();
	}
	return file->path;
}

const char *fuzz_input_file(const uint8_t *data, size_t size)
{
	static struct memory_file file;

	return rewrite(&file, data, size);
}

const char *fuzz_second_file(const uint8_t *data, size_t size)
{
	static struct memory_file file;

	return rewrite(&file, data, size);
}

FILE *fuzz_null_console(void)
{
	static FILE *console;

	if (!console)
		console = fopen("/dev/null", "w");
	if (!console)
		abort();
	return console;
}

void fuzz_machine_config(struct machine_config *config, const char *platform, const uint32_t *words, size_t count,
			 vtime_t timeout)
{
	memset(config, 0, sizeof(*config));
	config->platform_path = platform;
	config->firmware_path = fuzz_second_file((const uint8_t *)words, count * sizeof(*words));
	config->raw_firmware = true;
	config->raw_address = FUZZ_RAM_ENTRY;
	config->backend = BACKEND_ISS;
	config->quantum = 10 * VTIME_US;
	config->timeout = timeout;
	config->console = fuzz_null_console();
}

struct machine *fuzz_machine(const char *platform, const uint32_t *words, size_t count, vtime_t timeout)
{
	struct machine_config config;

	fuzz_machine_config(&config, platform, words, count, timeout);
	return machine_create(&config);
}

struct machine *fuzz_virt_machine(const uint32_t *words, size_t count, vtime_t timeout)
{
	return fuzz_machine(QVP_FUZZ_VIRT_DTB, words, count, timeout);
}

void fuzz_advance(struct machine *machine, vtime_t step)
{
	struct cpu_run_result result;

	machine->timeout = machine->now + step;
	while (machine_run_quantum(machine, &result))
		if (result.reason == CPU_STOP_WFI)
			machine_skip_idle(machine, machine_idle_wake_time(machine));
	if (machine->stop_cause == MACHINE_TIMEOUT)
		machine->stop_cause = MACHINE_RUNNING; /* the step's end, not the run's */
}
