// The iss test bench: assembles snippets with the cross toolchain, runs them on an iss CPU
// with 16 MiB of RAM at 0x40000000, and reads back registers, flags and memory.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "bus.h"
#include "cpu.h"
#include "error.h"
#include "iss.h"

namespace iss_test
{

constexpr uint64_t kRamBase = 0x40000000;
constexpr uint64_t kRamSize = 16 << 20;
constexpr uint64_t kData = kRamBase + 0x100000; // scratch data, far from the code
constexpr uint64_t kSetup = kRamBase + 0x7f0000;   // where setup() runs its snippets
constexpr uint64_t kVectors = kRamBase + 0x800000; // VBAR_EL1 after install_vectors()
constexpr uint64_t kPageTables = kRamBase + 0x900000;

// Vector offsets and exception classes, as the Arm ARM numbers them.
constexpr uint64_t kCurrentSp0 = 0x000, kCurrentSpx = 0x200, kLowerA64 = 0x400;
constexpr uint64_t kSync = 0x00, kIrq = 0x80, kFiq = 0x100;
enum : unsigned {
	EC_UNKNOWN = 0x00,
	EC_WFX = 0x01,
	EC_ILLEGAL = 0x0e,
	EC_SVC = 0x15,
	EC_SYSREG = 0x18,
	EC_IABORT_LOWER = 0x20,
	EC_IABORT_SAME = 0x21,
	EC_PC_ALIGN = 0x22,
	EC_DABORT_LOWER = 0x24,
	EC_DABORT_SAME = 0x25,
	EC_SP_ALIGN = 0x26,
	EC_BRK = 0x3c,
};

// What the vectors of install_vectors() saw: ESR, ELR, FAR and SPSR at entry, and which entry.
struct Taken {
	bool taken = false;
	uint64_t offset = 0; // from VBAR_EL1
	uint64_t esr = 0, elr = 0, far = 0, spsr = 0;
	unsigned ec() const
	{
		return (unsigned)(esr >> 26);
	}
	uint32_t iss() const
	{
		return (uint32_t)(esr & 0x1ffffff);
	}
};

// NZCV as the nibble of PSTATE bits 31:28.
constexpr unsigned N = 8, Z = 4, C = 2, V = 1;

// Assembles `source` (GNU as syntax) linked at `address`; fails the test if the toolchain
// is missing or rejects the source. Returns the .text bytes as words.
std::vector<uint32_t> assemble(const std::string &source, uint64_t address = kRamBase);

// Flags of AddWithCarry() computed the way the Arm ARM defines them: by comparing the
// wide unsigned and signed sums with the truncated result.
unsigned reference_add_flags(uint64_t a, uint64_t b, unsigned carry, unsigned bits, uint64_t *result);

using Registers = std::initializer_list<std::pair<int, uint64_t>>;

class IssTest : public ::testing::Test
{
      protected:
	void SetUp() override;
	void TearDown() override;

	// Loads the snippet at `address` and points the PC at it.
	void load(const std::string &source, uint64_t address = kRamBase);
	void load_words(const std::vector<uint32_t> &words, uint64_t address = kRamBase);
	cpu_run_result run(uint64_t budget = 1000000);
	// Runs the loaded snippet from its start with the given registers until it reaches its
	// final WFI; fails the test on any other stop.
	void rerun(Registers registers = {});
	// load() with a WFI appended, then rerun().
	void exec(const std::string &source, Registers registers = {});

	uint64_t x(int n);
	void set_x(int n, uint64_t value);
	uint64_t sp()
	{
		return x(CPU_REG_SP);
	}
	uint64_t pc()
	{
		return x(CPU_REG_PC);
	}
	uint64_t pstate()
	{
		return x(CPU_REG_PSTATE);
	}
	unsigned nzcv()
	{
		return (unsigned)(pstate() >> 28);
	}
	void set_nzcv(unsigned flags);

	// Runs `source` at kSetup until its WFI (appended), then points the PC back at the snippet.
	void setup(const std::string &source, Registers registers = {});
	// A vector table whose every entry copies ESR/ELR/FAR/SPSR_EL1 into x26..x29 and stops
	// with WFI, so a test sees any exception the snippet takes. Sets VBAR_EL1.
	void install_vectors();
	Taken taken(); // after a run: the entry the CPU stopped in, if any
	Taken run_to_vector(); // runs (up to 1000 instructions) and expects an exception taken
	void set_cpacr(uint64_t value); // CPACR_EL1 (FPEN) through MSR, as software sets it
	// Turns the MMU on: 4 KiB granule, 39-bit VAs, RAM identity-mapped as Normal memory,
	// the rest of the first GiB as Device memory. MAIR attr0 Normal, attr1 Device.
	void enable_mmu_identity();

	uint64_t read64(uint64_t address);
	uint32_t read32(uint64_t address);
	void write64(uint64_t address, uint64_t value);
	void write32(uint64_t address, uint32_t value);
	void fill(uint64_t address, uint8_t byte, size_t length);

	struct bus *bus = nullptr;
	struct cpu *cpu = nullptr;
	uint64_t start = kRamBase;
	uint64_t end = kRamBase; // address just past the loaded words
};

} // namespace iss_test
