/*
 * The bench firmware's workload: integer-only, deterministic, and free of any SDK
 * dependency (only <stdint.h>/<stddef.h>), so the same file also builds for the host and
 * the host's checksums are an oracle for the guest's.
 */
#ifndef QVP_BENCH_WORKLOAD_H
#define QVP_BENCH_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

struct bench_result {
	uint32_t crc32;    /* CRC-32 (bitwise, reflected 0xedb88320) over the generated data */
	uint64_t fnv1a;    /* FNV-1a 64 over the same data */
	uint64_t sort;     /* hash of the heapsorted array */
	int sorted;        /* the array really came out in order */
	uint64_t matmul;   /* hash of an integer matrix product */
	uint64_t combined; /* all of the above folded together */
};

/* Runs the whole workload (about 300 million AArch64 instructions at -O2). */
void bench_run(struct bench_result *r);

typedef int (*bench_printf_fn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Prints the result lines through `print` (the SDK's printf on the guest, libc's on the
 * host), so both print exactly the same text. Returns 0 if the sort verified, else 1.
 */
int bench_print(const struct bench_result *r, bench_printf_fn print);

#endif
