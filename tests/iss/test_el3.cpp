// EL3 on the iss backend (iss_enable_el3): reset at EL3h, SMC to EL3 and SCR_EL3.SMD, HVC
// without EL2, EL3's registers UNDEFINED below it, SCR_EL3's IRQ and EA routing, ERET from EL3
// (and the clear stop for SCR_EL3.RW = 0), ID_AA64PFR0_EL1, and the EL3 stage 1 regime with
// TLBI ALLE3. Syndromes and encodings are the Arm ARM's.
#include "iss_harness.h"

#include <string>

using namespace iss_test;

namespace
{

constexpr uint64_t kVectors3 = kRamBase + 0xb00000; // VBAR_EL3
constexpr uint64_t kScrNs = 1ull << 0, kScrIrq = 1ull << 1, kScrEa = 1ull << 3, kScrSmd = 1ull << 7,
                   kScrRw = 1ull << 10;
constexpr uint64_t kEl1hMasked = 0x3c5, kEl3hMasked = 0x3cd, kEl0 = 0x0;

class El3 : public IssTest
{
      protected:
	void SetUp() override
	{
		IssTest::SetUp();
		iss_enable_el3(cpu);
		install_vectors(); // EL1's, at kVectors
		install_el3_vectors();
		set_scr(kScrNs | kScrRw);
	}

	// install_vectors()'s table with the _EL3 registers, at VBAR_EL3.
	void install_el3_vectors()
	{
		std::string entry = "mrs x26, esr_el3\n mrs x27, elr_el3\n mrs x28, far_el3\n mrs x29, spsr_el3\n wfi\n b .\n";
		std::string table;
		for (int k = 0; k < 16; k++)
			table += ".balign 0x80\n" + entry;
		std::vector<uint32_t> words = assemble(table, kVectors3);
		ASSERT_EQ(cpu->ops->write_memory(cpu, kVectors3, words.data(), words.size() * 4), 0) << error_message();
		setup("msr vbar_el3, x0\n isb\n", {{0, kVectors3}});
	}

	// setup() at EL3h, wherever the last snippet left the CPU.
	void el3_setup(const std::string &source, Registers registers = {})
	{
		ASSERT_EQ(cpu->ops->set_register(cpu, CPU_REG_PSTATE, kEl3hMasked), 0) << error_message();
		setup(source, registers);
	}

	void set_scr(uint64_t scr)
	{
		el3_setup("msr scr_el3, x0\n isb\n", {{0, scr}});
	}

	// Runs (up to 1000 instructions) and expects an exception taken to EL3.
	Taken run_to_el3()
	{
		Taken t;
		run(1000);
		uint64_t at = pc();
		EXPECT_TRUE(at >= kVectors3 + 20 && at < kVectors3 + 0x800 && (at - kVectors3) % 0x80 == 20)
		    << "not in an EL3 vector: pc 0x" << std::hex << at;
		t.taken = true;
		t.offset = at - 20 - kVectors3;
		t.esr = x(26);
		t.elr = x(27);
		t.far = x(28);
		t.spsr = x(29);
		return t;
	}

	void load_at(const std::string &source, uint64_t pstate = kEl1hMasked)
	{
		load(source);
		ASSERT_EQ(cpu->ops->set_register(cpu, CPU_REG_PSTATE, pstate), 0) << error_message();
	}
};

TEST_F(El3, StartsAtEl3hMasked)
{
	EXPECT_EQ(pstate(), kEl3hMasked) << "the set-up snippets ran at EL3 and stayed there";
}

TEST_F(El3, IdRegisterAndCurrentElSayEl3)
{
	exec("mrs x0, CurrentEL\n mrs x1, id_aa64pfr0_el1\n", {});
	EXPECT_EQ(x(0), 3u << 2);
	EXPECT_EQ(x(1), 0x1011u) << "EL0, EL1 and EL3 AArch64 only, no EL2, FP and AdvSIMD";
}

TEST_F(El3, SmcFromEl1IsTakenToEl3AfterTheInstruction)
{
	load_at("smc #0x77\n");
	Taken t = run_to_el3();
	EXPECT_EQ(t.offset, kLowerA64 + kSync);
	EXPECT_EQ(t.esr, 0x5e000077u); // EC 0x17, IL, imm16
	EXPECT_EQ(t.elr, kRamBase + 4);
	EXPECT_EQ(t.spsr, kEl1hMasked);
}

TEST_F(El3, SmcAtEl3IsTakenToEl3Itself)
{
	load_at("smc #1\n", 0x3cd);
	Taken t = run_to_el3();
	EXPECT_EQ(t.offset, kCurrentSpx + kSync);
	EXPECT_EQ(t.esr, 0x5e000001u);
}

TEST_F(El3, SmdMakesSmcUndefinedAndEl0NeverHasIt)
{
	set_scr(kScrNs | kScrRw | kScrSmd);
	load_at("smc #0\n");
	Taken t = run_to_vector();
	EXPECT_EQ(t.offset, kCurrentSpx + kSync);
	EXPECT_EQ(t.esr, 0x02000000u);
	set_scr(kScrNs | kScrRw);
	load_at("smc #0\n", kEl0);
	t = run_to_vector();
	EXPECT_EQ(t.offset, kLowerA64 + kSync);
	EXPECT_EQ(t.esr, 0x02000000u);
}

TEST_F(El3, HvcWithoutEl2AndEl3RegistersBelowEl3AreUndefined)
{
	for (std::string source : {"hvc #0\n", "mrs x0, scr_el3\n", "msr vbar_el3, x0\n", "mrs x0, tpidr_el3\n",
	                           "tlbi alle3\n", "at s1e3r, x0\n", "mrs x0, hcr_el2\n"}) {
		load_at(source);
		Taken t = run_to_vector();
		EXPECT_EQ(t.offset, kCurrentSpx + kSync) << source;
		EXPECT_EQ(t.esr, 0x02000000u) << source;
		EXPECT_EQ(t.elr, kRamBase) << source;
	}
}

TEST_F(El3, ScrIrqRoutesIrqToEl3WhateverEl1MasksAndWithoutItEl3IsNotInterrupted)
{
	load_at("b .\n", 0xd); // EL3h, unmasked, IRQ routed to EL1
	cpu->ops->set_line(cpu, CPU_LINE_IRQ, true);
	run(100);
	EXPECT_EQ(pc(), kRamBase) << "an IRQ routed below EL3 is not taken at EL3";
	cpu->ops->set_line(cpu, CPU_LINE_IRQ, false);
	set_scr(kScrNs | kScrRw | kScrIrq);
	load_at("b .\n");
	run(10);
	cpu->ops->set_line(cpu, CPU_LINE_IRQ, true);
	Taken t = run_to_el3();
	EXPECT_EQ(t.offset, kLowerA64 + kIrq);
	EXPECT_EQ(t.elr, kRamBase);
	EXPECT_EQ(t.spsr, kEl1hMasked);
}

TEST_F(El3, ScrEaRoutesExternalAbortsToEl3)
{
	const uint64_t nowhere = 0x100000000ull; // MMU off: outside RAM and every device
	load_at("ldr x0, [x1]\n");
	set_x(1, nowhere);
	Taken t = run_to_vector();
	EXPECT_EQ(t.esr, 0x96000010u) << "without EA: EL1's own data abort, EC 0x25";
	set_scr(kScrNs | kScrRw | kScrEa);
	load_at("ldr x0, [x1]\n");
	set_x(1, nowhere);
	t = run_to_el3();
	EXPECT_EQ(t.offset, kLowerA64 + kSync);
	EXPECT_EQ(t.esr, 0x92000010u); // EC 0x24 (from a lower EL), DFSC 0x10
	EXPECT_EQ(t.far, nowhere);
}

TEST_F(El3, EretFromEl3ReturnsToEachLowerLevel)
{
	for (uint64_t m : {0x5ull, 0x4ull, 0x0ull, 0xcull}) {
		el3_setup("msr elr_el3, x0\n msr spsr_el3, x1\n", {{0, kRamBase + 0x40}, {1, 0x3c0 | m}});
		load_at("eret\n", kEl3hMasked);
		run(1);
		EXPECT_EQ(pc(), kRamBase + 0x40) << m;
		EXPECT_EQ(pstate() & 0x1f, m) << m;
	}
}

TEST_F(El3, EretToEl2WithoutEl2IsAnIllegalReturn)
{
	el3_setup("msr elr_el3, x0\n msr spsr_el3, x1\n", {{0, kRamBase + 0x40}, {1, 0x3c9}});
	load_at("eret\n", kEl3hMasked);
	run(1);
	EXPECT_EQ(pstate() & 0x1f, 0xdu) << "EL and SP stay";
	EXPECT_NE(pstate() & (1u << 20), 0u) << "PSTATE.IL";
}

TEST_F(El3, EretWithScrRwZeroStopsWithAClearError)
{
	set_scr(kScrNs);
	el3_setup("msr elr_el3, x0\n msr spsr_el3, x1\n", {{0, kRamBase + 0x40}, {1, kEl1hMasked}});
	load_at("eret\n", kEl3hMasked);
	cpu_run_result result = run(10);
	EXPECT_EQ(result.reason, CPU_STOP_FATAL);
	EXPECT_NE(std::string(error_message()).find("SCR_EL3.RW = 0"), std::string::npos) << error_message();
	EXPECT_EQ(pc(), kRamBase) << "the ERET did not execute";
}

TEST_F(El3, StageOneOfEl3TranslatesAndTlbiAlle3DropsIt)
{
	write64(kPageTables + 0, 0x0000000000000401ull);     // device GiB, attr0
	write64(kPageTables + 8, kRamBase | 0x705ull);       // RAM, attr1 Normal
	write64(kPageTables + 256 * 8, kRamBase | 0x705ull); // alias of RAM
	el3_setup("msr mair_el3, x0\n msr tcr_el3, x1\n msr ttbr0_el3, x2\n isb\n"
	          "mrs x3, sctlr_el3\n orr x3, x3, #1\n msr sctlr_el3, x3\n isb\n",
	          {{0, 0xff00}, {1, 25 | 1u << 16}, {2, kPageTables}});
	write64(kData, 0x3333);
	load_at("ldr x4, [x5]\n wfi\n", kEl3hMasked);
	set_x(5, 0x4000000000ull + (kData - kRamBase));
	run(10);
	EXPECT_EQ(x(4), 0x3333u);
	write64(kPageTables + 256 * 8, (kRamBase + 0x40000000ull) | 0x705ull); // behind the TLB's back
	load_at("ldr x4, [x5]\n wfi\n", kEl3hMasked);
	set_x(4, 0);
	run(10);
	EXPECT_EQ(x(4), 0x3333u) << "the cached translation is still used";
	load_at("tlbi alle3\n dsb sy\n isb\n ldr x4, [x5]\n", kEl3hMasked);
	Taken t = run_to_el3(); // the new block is outside RAM: a synchronous external abort
	EXPECT_EQ(t.offset, kCurrentSpx + kSync);
	EXPECT_EQ(t.esr, 0x96000010u); // EC 0x25, DFSC 0x10
	EXPECT_EQ(t.far, 0x4000000000ull + (kData - kRamBase));
}

// PAR_EL1 after AT: from Secure state NS is the descriptor's NS bit (EL3's regime), or Secure
// for Secure EL1's regime with its MMU off; from Non-secure state 1 (UNKNOWN in the Arm ARM,
// QEMU's value). Bit 11 is RES1 in a result as in a fault.
TEST_F(El3, AtReportsTheOutputAddressSpaceInParNs)
{
	const uint64_t alias = 0x4000000000ull + (kData - kRamBase);
	write64(kPageTables + 8, kRamBase | 0x705ull);         // RAM, Secure
	write64(kPageTables + 256 * 8, kRamBase | 0x725ull);   // its alias with NS = 1
	el3_setup("msr mair_el3, x0\n msr tcr_el3, x1\n msr ttbr0_el3, x2\n isb\n"
	          "mrs x3, sctlr_el3\n orr x3, x3, #1\n msr sctlr_el3, x3\n isb\n",
	          {{0, 0xff00}, {1, 25 | 1u << 16}, {2, kPageTables}});
	el3_setup("at s1e3r, x0\n isb\n mrs x1, par_el1\n at s1e3r, x2\n isb\n mrs x3, par_el1\n",
	          {{0, kData}, {2, alias}});
	EXPECT_EQ(x(1) & 0xfffffffff001ull, kData & ~0xfffull);
	EXPECT_EQ(x(1) >> 9 & 1, 0u) << "a Secure output address";
	EXPECT_EQ(x(1) >> 11 & 1, 1u) << "RES1";
	EXPECT_EQ(x(3) & 0xfffffffff001ull, kData & ~0xfffull);
	EXPECT_EQ(x(3) >> 9 & 1, 1u) << "the descriptor's NS";

	set_scr(kScrRw); // Secure EL1, its MMU off: flat and Secure
	el3_setup("at s1e1r, x0\n isb\n mrs x1, par_el1\n", {{0, kData}});
	EXPECT_EQ(x(1) & 0xfffffffff001ull, kData & ~0xfffull);
	EXPECT_EQ(x(1) >> 9 & 1, 0u);
	set_scr(kScrNs | kScrRw);
	el3_setup("at s1e1r, x0\n isb\n mrs x1, par_el1\n", {{0, kData}});
	EXPECT_EQ(x(1) >> 9 & 1, 1u);
}

} // namespace
