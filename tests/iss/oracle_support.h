// What the Unicorn differential tests share (test_unicorn_oracle.cpp, test_fp_oracle.cpp,
// test_simd_oracle.cpp): the memory layout both CPUs get, a seeded generator, and Unicorn's
// register numbers.
#pragma once

#include <gtest/gtest.h>
#include <unicorn/unicorn.h>

#include <cstdint>
#include <initializer_list>

#include "bus.h"
#include "cpu.h"
#include "error.h"
#include "iss.h"

namespace oracle
{

constexpr uint64_t kRam = 0x40000000, kRamSize = 16 << 20;
constexpr uint64_t kCode = kRam;            // one fresh word per case
constexpr uint64_t kVbar = kRam + 0xa00000; // qvp's vectors: `mrs x0, esr_el1` at the sync entry
constexpr uint32_t kMrsEsr = 0xd5385200, kMsrVbar = 0xd518c000, kMsrCpacr = 0xd5181041; // msr cpacr_el1, x1

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

// Unicorn and a qvp CPU over the same RAM. qvp's VBAR_EL1 points at a sync entry that reads
// ESR_EL1 into x0, so a case can tell which exception it took; CPACR_EL1 is `cpacr` on both.
class Fixture : public ::testing::Test
{
      protected:
	void open_both(uint64_t cpacr)
	{
		ASSERT_EQ(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc), UC_ERR_OK);
		ASSERT_EQ(uc_mem_map(uc, kRam, kRamSize, UC_PROT_ALL), UC_ERR_OK);
		if (cpacr) {
			ASSERT_EQ(uc_reg_write(uc, UC_ARM64_REG_CPACR_EL1, &cpacr), UC_ERR_OK);
		}
		bus = bus_create();
		ASSERT_EQ(bus_add_ram(bus, "ram", kRam, kRamSize), 0) << error_message();
		cpu = iss_create(bus);
		ASSERT_NE(cpu, nullptr);
		ASSERT_EQ(cpu->ops->write_memory(cpu, kVbar + 0x200, &kMrsEsr, 4), 0);
		ASSERT_EQ(cpu->ops->write_memory(cpu, kVbar - 8, &kMsrVbar, 4), 0);
		ASSERT_EQ(cpu->ops->write_memory(cpu, kVbar - 4, &kMsrCpacr, 4), 0);
		cpu->ops->set_register(cpu, CPU_REG_X0, kVbar);
		cpu->ops->set_register(cpu, (cpu_register)1, cpacr);
		cpu->ops->set_register(cpu, CPU_REG_PC, kVbar - 8);
		ASSERT_EQ(cpu->ops->run(cpu, 2).executed, 2u);
	}
	void TearDown() override
	{
		if (cpu)
			cpu->ops->destroy(cpu);
		if (bus)
			bus_destroy(bus);
		if (uc)
			uc_close(uc);
	}
	void write_both(uint64_t address, const void *data, size_t length)
	{
		ASSERT_EQ(uc_mem_write(uc, address, data, length), UC_ERR_OK);
		ASSERT_EQ(cpu->ops->write_memory(cpu, address, data, length), 0);
	}

	uc_engine *uc = nullptr;
	struct bus *bus = nullptr;
	struct cpu *cpu = nullptr;
};

} // namespace oracle
