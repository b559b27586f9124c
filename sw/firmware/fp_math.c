/*
 * Scalar floating point in C, for comparison with QEMU: square roots, polynomials, divisions,
 * fused multiply-adds, conversions between integers, halves, floats and doubles, rounding to
 * integers, minimum/maximum and compares, each under the four FPCR rounding modes and with
 * flush-to-zero and default-NaN on, printing the bit patterns (the SDK's printf has no %f)
 * and the FPSR flags each group raised. Built with the FP/SIMD registers allowed
 * (sw/CMakeLists.txt).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define FPCR_RMODE_SHIFT 22
#define FPCR_FZ          (1u << 24)
#define FPCR_DN          (1u << 25)

static const char *const mode_names[4] = {"RN", "RP", "RM", "RZ"};

/* Operands from the corners: zeros, denormals, infinities, NaNs, extremes, ordinary values. */
static const uint64_t double_bits[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x0000000000000001ull, 0x800fffffffffffffull, 0x0010000000000000ull,
    0x7fefffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000001ull, 0x7ff4000000000000ull,
    0x3ff0000000000000ull, 0xbff8000000000000ull, 0x400921fb54442d18ull, 0x3fb999999999999aull, 0x4415af1d78b58c40ull,
    0xc1e0000000200000ull, 0x43e0000000000000ull, 0x3fe0000000000000ull, 0x4004000000000000ull, 0xc00c000000000000ull,
};
static const uint32_t float_bits[] = {
    0x00000000u, 0x80000000u, 0x00000001u, 0x807fffffu, 0x00800000u, 0x7f7fffffu, 0x7f800000u,
    0xff800000u, 0x7fc00001u, 0x7fa00000u, 0x3f800000u, 0xbfc00000u, 0x40490fdbu, 0x3dcccccdu,
    0x4f000000u, 0xcf000001u, 0x3f000000u, 0x40200000u, 0xc0600000u, 0x33800001u,
};
#define DOUBLES (sizeof double_bits / sizeof double_bits[0])
#define FLOATS  (sizeof float_bits / sizeof float_bits[0])

/* volatile arrays: the compiler cannot fold the arithmetic at build time. */
static volatile double doubles[DOUBLES];
static volatile float floats[FLOATS];

static uint64_t hash;

static void mix(uint64_t bits)
{
	hash = (hash ^ bits) * 0x100000001b3ull;
}

static uint64_t bits_of_double(double d)
{
	uint64_t b;
	memcpy(&b, &d, sizeof b);
	return b;
}

static uint32_t bits_of_float(float f)
{
	uint32_t b;
	memcpy(&b, &f, sizeof b);
	return b;
}

static void set_fpcr(uint64_t value)
{
	__asm__ volatile("msr fpcr, %0" : : "r"(value));
}

static uint64_t take_fpsr(void)
{
	uint64_t value;
	__asm__ volatile("mrs %0, fpsr\n msr fpsr, xzr" : "=r"(value));
	return value;
}

static void report(const char *group, const char *setting)
{
	printf("fp_math: %s %s hash %016llx fpsr %02llx\n", group, setting, (unsigned long long)hash,
	       (unsigned long long)take_fpsr());
	hash = 0xcbf29ce484222325ull;
}

static void arithmetic(void)
{
	for (unsigned i = 0; i < DOUBLES; i++) {
		mix(bits_of_double(__builtin_sqrt(doubles[i])));
		for (unsigned j = 0; j < DOUBLES; j++) {
			double a = doubles[i], b = doubles[j];
			mix(bits_of_double(a + b));
			mix(bits_of_double(a - b));
			mix(bits_of_double(a * b));
			mix(bits_of_double(a / b));
			mix(bits_of_double(__builtin_fma(a, b, doubles[(i + j) % DOUBLES])));
		}
	}
	for (unsigned i = 0; i < FLOATS; i++) {
		mix(bits_of_float(__builtin_sqrtf(floats[i])));
		for (unsigned j = 0; j < FLOATS; j++) {
			float a = floats[i], b = floats[j];
			mix(bits_of_float(a + b));
			mix(bits_of_float(a - b));
			mix(bits_of_float(a * b));
			mix(bits_of_float(a / b));
			mix(bits_of_float(__builtin_fmaf(a, b, floats[(i + j) % FLOATS])));
		}
	}
}

/* A polynomial (Horner, both precisions) over a range: an approximation of exp(x). */
static void polynomial(void)
{
	static const double coefficients[] = {1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040};
	volatile double step = 0.0625;

	for (int k = -64; k <= 64; k++) {
		double x = k * step, y = 0.0;
		float xf = (float)x, yf = 0.0f;
		for (int c = 7; c >= 0; c--) {
			y = y * x + coefficients[c];
			yf = yf * xf + (float)coefficients[c];
		}
		mix(bits_of_double(y));
		mix(bits_of_float(yf));
	}
}

static void conversions(void)
{
	for (unsigned i = 0; i < DOUBLES; i++) {
		double d = doubles[i];
		mix((uint64_t)(int64_t)d);
		mix((uint64_t)d);
		mix((uint64_t)(int32_t)d);
		mix((uint32_t)d);
		mix(bits_of_float((float)d));
		__fp16 h = (__fp16)d;
		uint16_t hb;
		memcpy(&hb, &h, sizeof hb);
		mix(hb);
		mix(bits_of_double((double)h));
		mix(bits_of_double(__builtin_floor(d)));
		mix(bits_of_double(__builtin_ceil(d)));
		mix(bits_of_double(__builtin_trunc(d)));
		mix(bits_of_double(__builtin_round(d)));
		mix(bits_of_double(__builtin_rint(d)));
		mix(bits_of_double(__builtin_nearbyint(d)));
	}
	for (unsigned i = 0; i < FLOATS; i++) {
		float f = floats[i];
		mix((uint64_t)(int64_t)f);
		mix((uint32_t)f);
		mix(bits_of_double((double)f));
		mix(bits_of_float(__builtin_roundf(f)));
		mix(bits_of_float(__builtin_rintf(f)));
	}
	for (int64_t v = -(1ll << 62); v != 0; v /= -3) {
		mix(bits_of_double((double)v));
		mix(bits_of_float((float)v));
		mix(bits_of_double((double)(uint64_t)v));
		mix(bits_of_float((float)(uint32_t)v));
	}
}

/* FCSEL and FCCMPE in assembly: GCC 12 compiles these two to branches. */
static double larger(double a, double b)
{
	double r;
	__asm__("fcmpe %d1, %d2\n fcsel %d0, %d1, %d2, gt" : "=w"(r) : "w"(a), "w"(b) : "cc");
	return r;
}

static int ordered_chain(double a, double b, double c)
{
	int r;
	__asm__("fcmpe %d1, %d2\n fccmpe %d2, %d3, #0, mi\n cset %w0, mi" : "=r"(r) : "w"(a), "w"(b), "w"(c) : "cc");
	return r;
}

static void compares(void)
{
	for (unsigned i = 0; i < DOUBLES; i++) {
		for (unsigned j = 0; j < DOUBLES; j++) {
			double a = doubles[i], b = doubles[j];
			unsigned relation = (a < b) | (a <= b) << 1 | (a == b) << 2 | (a > b) << 3 | (a != b) << 4 |
			                    __builtin_isless(a, b) << 5 | __builtin_isunordered(a, b) << 6;
			mix(relation);
			mix(bits_of_double(__builtin_fmax(a, b)));
			mix(bits_of_double(__builtin_fmin(a, b)));
			mix(bits_of_double(larger(a, b)));
			mix(ordered_chain(a, b, doubles[(i + j) % DOUBLES]));
		}
	}
	for (unsigned i = 0; i < FLOATS; i++)
		for (unsigned j = 0; j < FLOATS; j++)
			mix((floats[i] < floats[j]) | (floats[i] >= floats[j]) << 1 | (floats[i] == floats[j]) << 2);
}

static void run_groups(const char *setting)
{
	arithmetic();
	report("arithmetic", setting);
	polynomial();
	report("polynomial", setting);
	conversions();
	report("conversions", setting);
	compares();
	report("compares", setting);
}

int main(void)
{
	char setting[16];

	for (unsigned i = 0; i < DOUBLES; i++)
		memcpy((void *)&doubles[i], &double_bits[i], sizeof double_bits[i]);
	for (unsigned i = 0; i < FLOATS; i++)
		memcpy((void *)&floats[i], &float_bits[i], sizeof float_bits[i]);
	hash = 0xcbf29ce484222325ull;
	take_fpsr();

	printf("fp_math: sqrt(2) = %016llx, (float)1/3 = %08x\n",
	       (unsigned long long)bits_of_double(__builtin_sqrt(doubles[18] - 0.5)),
	       bits_of_float(1.0f / (floats[10] + 2.0f)));
	for (unsigned mode = 0; mode < 4; mode++) {
		for (unsigned extra = 0; extra < 2; extra++) {
			set_fpcr(mode << FPCR_RMODE_SHIFT | (extra ? FPCR_FZ | FPCR_DN : 0));
			snprintf(setting, sizeof setting, "%s%s", mode_names[mode], extra ? "+FZ+DN" : "");
			run_groups(setting);
		}
	}
	set_fpcr(0);
	printf("fp_math: done\n");
	return 0;
}
