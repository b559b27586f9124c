/*
 * The bench workload: CRC-32 and FNV-1a over generated data, a heapsort, an integer
 * matrix multiply. Everything is unsigned fixed-width arithmetic with defined wrap-around,
 * so every conforming compiler and target gets the same checksums.
 */
#include "bench_workload.h"

/* Sizes: together about 300 million AArch64 instructions (see tests/bench/README.md). */
enum {
	DATA_BYTES = 1u << 20,
	CRC_PASSES = 2,
	FNV_PASSES = 10,
	SORT_COUNT = 1u << 18,
	MATRIX_N = 192,
};

static uint8_t data[DATA_BYTES];
static uint32_t sort_array[SORT_COUNT];
static uint32_t mat_a[MATRIX_N][MATRIX_N];
static uint32_t mat_b[MATRIX_N][MATRIX_N];
static uint32_t mat_c[MATRIX_N][MATRIX_N];

#define FNV64_OFFSET 0xcbf29ce484222325ull
#define FNV64_PRIME  0x00000100000001b3ull

/* Knuth's MMIX linear congruential generator; the high half is the better half. */
static uint32_t lcg_next(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*state >> 32);
}

static void generate_data(void)
{
	uint64_t state = 0x5eed0001u;
	for (size_t i = 0; i < DATA_BYTES; i += 4) {
		uint32_t v = lcg_next(&state);
		data[i + 0] = (uint8_t)v;
		data[i + 1] = (uint8_t)(v >> 8);
		data[i + 2] = (uint8_t)(v >> 16);
		data[i + 3] = (uint8_t)(v >> 24);
	}
}

static uint32_t crc32_bitwise(uint32_t crc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return crc;
}

static uint64_t fnv1a64(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= FNV64_PRIME;
	}
	return h;
}

static uint64_t fnv1a64_u32(uint64_t h, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		h ^= (uint8_t)(v >> (8 * i));
		h *= FNV64_PRIME;
	}
	return h;
}

static void sift_down(uint32_t *a, size_t root, size_t n)
{
	uint32_t v = a[root];
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			break;
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[child] <= v)
			break;
		a[root] = a[child];
		root = child;
	}
	a[root] = v;
}

static void heapsort_u32(uint32_t *a, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (size_t end = n; end-- > 1;) {
		uint32_t t = a[0];
		a[0] = a[end];
		a[end] = t;
		sift_down(a, 0, end);
	}
}

static uint64_t run_sort(int *sorted)
{
	uint64_t state = 0x5eed0002u;
	for (size_t i = 0; i < SORT_COUNT; i++)
		sort_array[i] = lcg_next(&state);
	heapsort_u32(sort_array, SORT_COUNT);

	*sorted = 1;
	uint64_t h = FNV64_OFFSET;
	for (size_t i = 0; i < SORT_COUNT; i++) {
		if (i > 0 && sort_array[i - 1] > sort_array[i])
			*sorted = 0;
		h = fnv1a64_u32(h, sort_array[i]);
	}
	return h;
}

static uint64_t run_matmul(void)
{
	uint64_t state = 0x5eed0003u;
	for (size_t i = 0; i < MATRIX_N; i++)
		for (size_t j = 0; j < MATRIX_N; j++) {
			mat_a[i][j] = lcg_next(&state);
			mat_b[i][j] = lcg_next(&state);
		}
	for (size_t i = 0; i < MATRIX_N; i++)
		for (size_t j = 0; j < MATRIX_N; j++) {
			uint32_t sum = 0;
			for (size_t k = 0; k < MATRIX_N; k++)
				sum += mat_a[i][k] * mat_b[k][j];
			mat_c[i][j] = sum;
		}

	uint64_t h = FNV64_OFFSET;
	for (size_t i = 0; i < MATRIX_N; i++)
		for (size_t j = 0; j < MATRIX_N; j++)
			h = fnv1a64_u32(h, mat_c[i][j]);
	return h;
}

void bench_run(struct bench_result *r)
{
	generate_data();

	uint32_t crc = 0xffffffffu;
	for (int pass = 0; pass < CRC_PASSES; pass++)
		crc = crc32_bitwise(crc, data, DATA_BYTES);
	r->crc32 = crc ^ 0xffffffffu;

	uint64_t h = FNV64_OFFSET;
	for (int pass = 0; pass < FNV_PASSES; pass++)
		h = fnv1a64(h, data, DATA_BYTES);
	r->fnv1a = h;

	r->sort = run_sort(&r->sorted);
	r->matmul = run_matmul();

	uint64_t c = FNV64_OFFSET;
	const uint64_t parts[] = {r->crc32, r->fnv1a, r->sort, r->matmul};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		c = (c ^ parts[i]) * FNV64_PRIME;
		c ^= c >> 29;
	}
	r->combined = c;
}

int bench_print(const struct bench_result *r, bench_printf_fn print)
{
	print("bench crc32: 0x%08x\n", (unsigned int)r->crc32);
	print("bench fnv1a: 0x%016llx\n", (unsigned long long)r->fnv1a);
	print("bench heapsort: 0x%016llx%s\n", (unsigned long long)r->sort, r->sorted ? "" : " (NOT SORTED)");
	print("bench matmul: 0x%016llx\n", (unsigned long long)r->matmul);
	print("bench checksum: 0x%016llx\n", (unsigned long long)r->combined);
	return r->sorted ? 0 : 1;
}
