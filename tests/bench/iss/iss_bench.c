/*
 * iss_bench: runs the bench workload (sw/firmware/bench_workload.c) on the iss backend alone,
 * no machine or devices, and prints the interpreter's speed. The host-built workload is the
 * oracle for the guest's checksums. Not a test: speed depends on the host.
 *
 *   iss_bench [guest.bin] [repeats]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_workload.h"
#include "bus.h"
#include "error.h"
#include "iss.h"

#define RAM_BASE       0x40000000ull
#define RAM_SIZE       (64ull << 20)
#define RESULT_ADDRESS 0x43f00000ull
#define QUANTUM        10000000ull /* instructions per run(), like a 10 ms quantum at 1 GHz */

static double seconds_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int load_image(struct bus *bus, const char *path)
{
	FILE *file = fopen(path, "rb");
	uint8_t *ram = bus_ram_pointer(bus, RAM_BASE, RAM_SIZE);
	size_t length;

	if (!file) {
		fprintf(stderr, "iss_bench: cannot open %s\n", path);
		return -1;
	}
	length = fread(ram, 1, RAM_SIZE, file);
	fclose(file);
	return length ? 0 : -1;
}

/* One run of the workload on a fresh CPU; returns the instruction count, 0 on failure. */
static uint64_t run_once(const char *image, struct bench_result *result, double *elapsed)
{
	struct bus *bus = bus_create();
	struct cpu *cpu;
	struct cpu_run_result r = {0, CPU_STOP_BUDGET};
	uint64_t total = 0;
	double start;

	if (!bus || bus_add_ram(bus, "ram", RAM_BASE, RAM_SIZE) < 0 || load_image(bus, image) < 0) {
		bus_destroy(bus);
		return 0;
	}
	cpu = iss_create(bus);
	cpu->ops->set_register(cpu, CPU_REG_PC, RAM_BASE);
	start = seconds_now();
	while (r.reason == CPU_STOP_BUDGET) {
		r = cpu->ops->run(cpu, QUANTUM);
		total += r.executed;
	}
	*elapsed = seconds_now() - start;
	if (r.reason != CPU_STOP_WFI) {
		fprintf(stderr, "iss_bench: stopped with reason %d: %s\n", (int)r.reason, error_message());
		total = 0;
	}
	memcpy(result, bus_ram_pointer(bus, RESULT_ADDRESS, sizeof(*result)), sizeof(*result));
	cpu->ops->destroy(cpu);
	bus_destroy(bus);
	return total;
}

int main(int argc, char **argv)
{
	const char *image = argc > 1 ? argv[1] : ISS_BENCH_GUEST;
	int repeats = argc > 2 ? atoi(argv[2]) : 3;
	struct bench_result expected, got;
	double best = 0;
	uint64_t count = 0;

	bench_run(&expected);
	for (int k = 0; k < repeats; k++) {
		double elapsed;
		count = run_once(image, &got, &elapsed);
		if (!count)
			return 1;
		if (memcmp(&expected, &got, sizeof(got)) != 0) {
			fprintf(stderr, "iss_bench: guest checksums differ from the host's\n");
			bench_print(&got, printf);
			return 1;
		}
		double mips = (double)count / elapsed / 1e6;
		printf("run %d: %llu instructions in %.3f s: %.1f MIPS\n", k + 1, (unsigned long long)count, elapsed,
		       mips);
		if (mips > best)
			best = mips;
	}
	printf("iss: best %.1f MIPS, checksums match the host build\n", best);
	return 0;
}
