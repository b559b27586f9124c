/*
 * A vectorizable workload for the AdvSIMD instructions: loops GCC's vectorizer turns into
 * AdvSIMD code at -O3 (byte sums and counts, saturating and averaging byte arithmetic,
 * int32 saxpy, int16 dot products and extremes, narrowing, widening, a sum of absolute
 * differences, float and double multiply-adds, conversions and compares), each printing a
 * checksum, so its output can be compared with QEMU's. Built at -O3 with the FP/SIMD
 * registers allowed (sw/CMakeLists.txt).
 */
#include <stdint.h>
#include <stdio.h>

#define N 4096
#ifndef ROUNDS
#define ROUNDS 16 /* vector_bench.c asks for more */
#endif

/* 16-byte alignment lets -mstrict-align code use whole-register loads and stores. */
#define ALIGNED __attribute__((aligned(16)))

static uint8_t bytes_a[N] ALIGNED, bytes_b[N] ALIGNED, bytes_out[N] ALIGNED;
static int16_t shorts_a[N] ALIGNED, shorts_b[N] ALIGNED;
static int32_t ints_x[N] ALIGNED, ints_y[N] ALIGNED;
static uint16_t halves[N] ALIGNED;
static float floats_x[N] ALIGNED, floats_y[N] ALIGNED;
static double doubles_x[N] ALIGNED, doubles_y[N] ALIGNED;

static uint32_t lcg_state = 12345;

static uint32_t next_random(void)
{
	lcg_state = lcg_state * 1103515245u + 12345u;
	return lcg_state >> 8;
}

static void fill(void)
{
	for (int i = 0; i < N; i++) {
		uint32_t r = next_random();
		bytes_a[i] = (uint8_t)r;
		bytes_b[i] = (uint8_t)(r >> 8);
		shorts_a[i] = (int16_t)(r >> 4);
		shorts_b[i] = (int16_t)(next_random() >> 3);
		ints_x[i] = (int32_t)next_random() - (1 << 22);
		ints_y[i] = (int32_t)(r & 0xffff) - 0x8000;
		halves[i] = (uint16_t)(r >> 2);
		floats_x[i] = (float)((int32_t)(r & 0xfffff) - 0x80000) / 1024.0f;
		floats_y[i] = (float)(int32_t)(next_random() & 0x3ff) / 64.0f;
		doubles_x[i] = (double)(int32_t)r / 65536.0;
		doubles_y[i] = (double)(int32_t)(next_random() & 0xffff) / 3.0;
	}
}

/* The checksum printed for each kernel: a position-weighted sum and an XOR of the 32-bit
 * words, vectorizable too, so the run is mostly AdvSIMD code. */
typedef uint32_t any_word __attribute__((may_alias));

__attribute__((noinline)) static uint32_t checksum(const void *data, unsigned size)
{
	const any_word *w = data;
	uint32_t sum = 0, parity = 0;

	for (unsigned i = 0; i < size / 4; i++) {
		sum += w[i] * (2 * i + 1);
		parity ^= w[i];
	}
	return sum ^ (parity << 1 | parity >> 31);
}

__attribute__((noinline)) static uint32_t byte_sum(const uint8_t *a)
{
	uint32_t sum = 0;

	for (int i = 0; i < N; i++)
		sum += a[i];
	return sum;
}

__attribute__((noinline)) static uint32_t count_byte(const uint8_t *a, uint8_t c)
{
	uint32_t count = 0;

	for (int i = 0; i < N; i++)
		count += a[i] == c;
	return count;
}

/* The index of the first zero byte, or N: strlen's loop in chunks the vectorizer can take. */
__attribute__((noinline)) static uint32_t first_zero(const uint8_t *a)
{
	for (int base = 0; base < N; base += 16) {
		uint8_t any = 0;
		for (int i = 0; i < 16; i++)
			any |= a[base + i] == 0;
		if (any)
			for (int i = 0; i < 16; i++)
				if (a[base + i] == 0)
					return (uint32_t)(base + i);
	}
	return N;
}

__attribute__((noinline)) static void saturating_add(uint8_t *out, const uint8_t *a, const uint8_t *b)
{
	for (int i = 0; i < N; i++) {
		unsigned s = (unsigned)a[i] + b[i];
		out[i] = (uint8_t)(s > 255 ? 255 : s);
	}
}

__attribute__((noinline)) static void average(uint8_t *out, const uint8_t *a, const uint8_t *b)
{
	for (int i = 0; i < N; i++)
		out[i] = (uint8_t)((a[i] + b[i] + 1) >> 1);
}

__attribute__((noinline)) static void byte_max_xor(uint8_t *out, const uint8_t *a, const uint8_t *b)
{
	for (int i = 0; i < N; i++)
		out[i] = (uint8_t)((a[i] > b[i] ? a[i] : b[i]) ^ (uint8_t)(a[i] << 3));
}

__attribute__((noinline)) static uint32_t sad(const uint8_t *a, const uint8_t *b)
{
	uint32_t sum = 0;

	for (int i = 0; i < N; i++)
		sum += (uint32_t)(a[i] > b[i] ? a[i] - b[i] : b[i] - a[i]);
	return sum;
}

__attribute__((noinline)) static void saxpy(int32_t *y, const int32_t *x, int32_t a)
{
	for (int i = 0; i < N; i++)
		y[i] = a * x[i] + y[i];
}

__attribute__((noinline)) static int64_t dot16(const int16_t *a, const int16_t *b)
{
	int64_t sum = 0;

	for (int i = 0; i < N; i++)
		sum += (int32_t)a[i] * b[i];
	return sum;
}

__attribute__((noinline)) static uint32_t extremes16(const int16_t *a)
{
	int16_t max = a[0], min = a[0];

	for (int i = 0; i < N; i++) {
		max = a[i] > max ? a[i] : max;
		min = a[i] < min ? a[i] : min;
	}
	return (uint32_t)(uint16_t)max << 16 | (uint16_t)min;
}

__attribute__((noinline)) static void narrow_shift(uint8_t *out, const uint16_t *in)
{
	for (int i = 0; i < N; i++)
		out[i] = (uint8_t)(in[i] >> 7);
}

__attribute__((noinline)) static void shift_mix(int32_t *y, const int32_t *x)
{
	for (int i = 0; i < N; i++)
		y[i] = (x[i] >> 3) + (int32_t)((uint32_t)y[i] << 2) - (x[i] < 0 ? -x[i] : x[i]);
}

__attribute__((noinline)) static void float_fma(float *y, const float *x, float a)
{
	for (int i = 0; i < N; i++)
		y[i] = __builtin_fmaf(a, x[i], y[i]);
}

__attribute__((noinline)) static void float_ops(float *y, const float *x)
{
	for (int i = 0; i < N; i++) {
		float v = x[i] * 0.75f - y[i] / 4.0f;
		y[i] = v > 1.0f ? v : (v < -1.0f ? -v : v * v);
	}
}

__attribute__((noinline)) static void double_ops(double *y, const double *x)
{
	for (int i = 0; i < N; i++)
		y[i] = __builtin_fma(x[i], 1.5, y[i]) / 3.0 - (x[i] > y[i] ? x[i] : y[i]);
}

__attribute__((noinline)) static void conversions(int32_t *out, const float *x, const int32_t *in, float *fout)
{
	for (int i = 0; i < N; i++) {
		out[i] = (int32_t)(x[i] * 3.0f);
		fout[i] = (float)in[i] * 0.5f;
	}
}

__attribute__((noinline)) static void widen_add(int32_t *out, const int16_t *a, const int16_t *b)
{
	for (int i = 0; i < N; i++)
		out[i] = (int32_t)a[i] + (int32_t)b[i] * 3;
}

static void run_workload(void)
{
	uint32_t total = 0;

	fill();
	for (int round = 0; round < ROUNDS; round++) {
		uint32_t sums = byte_sum(bytes_a) ^ count_byte(bytes_a, (uint8_t)round) << 16 ^ first_zero(bytes_b);
		saturating_add(bytes_out, bytes_a, bytes_b);
		uint32_t sat = checksum(bytes_out, N);
		average(bytes_out, bytes_a, bytes_b);
		uint32_t avg = checksum(bytes_out, N);
		byte_max_xor(bytes_a, bytes_a, bytes_b);
		uint32_t diff = sad(bytes_a, bytes_b);
		saxpy(ints_y, ints_x, 3 + round);
		int64_t dot = dot16(shorts_a, shorts_b);
		uint32_t ext = extremes16(shorts_a);
		narrow_shift(bytes_b, halves);
		shift_mix(ints_x, ints_y);
		widen_add(ints_y, shorts_a, shorts_b);
		float_fma(floats_y, floats_x, 0.5f + (float)round);
		float_ops(floats_x, floats_y);
		double_ops(doubles_y, doubles_x);
		conversions(ints_x, floats_x, ints_y, floats_y);
		shorts_a[round] = (int16_t)sums;

		printf("round %d: sums %x sat %x avg %x sad %u dot %llx ext %x ints %x %x floats %x %x doubles %x\n",
		       round, sums, sat, avg, diff, (unsigned long long)dot, ext, checksum(ints_x, sizeof ints_x),
		       checksum(ints_y, sizeof ints_y), checksum(floats_x, sizeof floats_x),
		       checksum(floats_y, sizeof floats_y), checksum(doubles_y, sizeof doubles_y));
		total ^= sums ^ sat ^ avg ^ diff ^ ext;
	}
	printf("vector: done, %x\n", total);
}

int main(void)
{
	run_workload(); /* the SDK's crt0 has turned CPACR_EL1.FPEN on */
	return 0;
}
