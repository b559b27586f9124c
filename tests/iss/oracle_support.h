// What the Unicorn differential tests share (test_unicorn_oracle.cpp, test_fp_oracle.cpp,
// test_simd_oracle.cpp): the memory layout both CPUs get, a seeded generator, and Unicorn's
// register numbers.
#pragma once

#include <unicorn/unicorn.h>

#include <cstdint>
#include <initializer_list>

namespace oracle
{

constexpr uint64_t kRam = 0x40000000, kRamSize = 16 << 20;
constexpr uint64_t kCode = kRam;            // one fresh word per case
constexpr uint64_t kVbar = kRam + 0xa00000; // qvp's vectors: `mrs x0, esr_el1` at the sync entry
constexpr uint32_t kMrsEsr = 0xd5385200, kMsrVbar = 0xd518c000;

// A fixed-seed generator (a 64-bit LCG with a murmur finaliser): the same cases every run.
struct Rng {
	uint64_t state;
	uint64_t next()
	{
		state = state * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t x = state;
		x ^= x >> 33;
		x *= 0xff51afd7ed558ccdull;
		x ^= x >> 33;
		return x;
	}
	uint32_t below(uint32_t n)
	{
		return (uint32_t)(next() % n);
	}
	template <typename T> T pick(std::initializer_list<T> list)
	{
		return list.begin()[below((uint32_t)list.size())];
	}
};

// Unicorn's id of X`n` (X29 and X30 are not in sequence with X0..X28).
inline int uc_x(int n)
{
	return n < 29 ? UC_ARM64_REG_X0 + n : n == 29 ? UC_ARM64_REG_X29 : UC_ARM64_REG_X30;
}

} // namespace oracle
