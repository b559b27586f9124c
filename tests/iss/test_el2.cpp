// EL2 on the iss backend (iss_enable_el2): reset at EL2h, HVC/SMC, the traps HCR_EL2 asks for
// with their syndromes, interrupt routing, ERET's rules, the identification registers EL2
// virtualizes, and the EL2 stage 1 regime with its TLBI forms. Syndromes are the Arm ARM's.
#include "iss_harness.h"

using namespace iss_test;

namespace
{

constexpr uint64_t kVectors2 = kRamBase + 0xa00000; // VBAR_EL2
constexpr uint64_t kHcrRw = 1ull << 31;
constexpr uint64_t kEl1hMasked = 0x3c5, kEl2hMasked = 0x3c9, kEl0 = 0x0;

class El2 : public IssTest
{
      protected:
	void SetUp() override
	{
		IssTest::SetUp();
		iss_enable_el2(cpu);
		install_vectors(); // EL1's, at kVectors
		install_el2_vectors();
	}

	// The same vector table as install_vectors() with the _EL2 registers, at VBAR_EL2.
	void install_el2_vectors()
	{
		std::string entry = "mrs x26, esr_el2\n mrs x27, elr_el2\n mrs x28, far_el2\n mrs x29, spsr_el2\n wfi\n b .\n";
		std::string table;
		for (int k = 0; k < 16; k++)
			table += ".balign 0x80\n" + entry;
		std::vector<uint32_t> words = assemble(table, kVectors2);
		ASSERT_EQ(cpu->ops->write_memory(cpu, kVectors2, words.data(), words.size() * 4), 0) << error_message();
		setup("msr vbar_el2, x0\n isb\n", {{0, kVectors2}});
	}

	// setup() at EL2h, wherever the last snippet left the CPU.
	void el2_setup(const std::string &source, Registers registers = {})
	{
		ASSERT_EQ(cpu->ops->set_register(cpu, CPU_REG_PSTATE, kEl2hMasked), 0) << error_message();
		setup(source, registers);
	}

	void set_hcr(uint64_t hcr)
	{
		el2_setup("msr hcr_el2, x0\n isb\n", {{0, hcr}});
	}

	// Runs (up to 1000 instructions) and expects an exception taken to EL2.
	Taken run_to_el2()
	{
		Taken t;
		run(1000);
		uint64_t at = pc();
		EXPECT_TRUE(at >= kVectors2 + 20 && at < kVectors2 + 0x800 && (at - kVectors2) % 0x80 == 20)
		    << "not in an EL2 vector: pc 0x" << std::hex << at;
		t.taken = true;
		t.offset = at - 20 - kVectors2;
		t.esr = x(26);
		t.elr = x(27);
		t.far = x(28);
		t.spsr = x(29);
		return t;
	}

	// Loads `source` and enters it at EL1h (or `pstate`) with interrupts masked.
	void load_at(const std::string &source, uint64_t pstate = kEl1hMasked)
	{
		load(source);
		ASSERT_EQ(cpu->ops->set_register(cpu, CPU_REG_PSTATE, pstate), 0) << error_message();
	}

	uint64_t mrs_at_el2(const std::string &name)
	{
		uint64_t saved_pstate = pstate();
		set_x(CPU_REG_PSTATE, kEl2hMasked);
		setup("mrs x0, " + name + "\n");
		uint64_t value = x(0);
		set_x(CPU_REG_PSTATE, saved_pstate);
		return value;
	}
};

TEST_F(El2, ResetsAtEl2hWithInterruptsMasked)
{
	IssTest::TearDown();
	IssTest::SetUp();
	iss_enable_el2(cpu);
	EXPECT_EQ(pstate(), kEl2hMasked);
	exec("mrs x0, CurrentEL\n mrs x1, id_aa64pfr0_el1\n mrs x2, hcr_el2\n mrs x3, id_aa64mmfr1_el1\n");
	EXPECT_EQ(x(0), 8u);
	EXPECT_EQ(x(1), 0x111u) << "EL2 AArch64 only, as enabled";
	EXPECT_EQ(x(2), kHcrRw) << "RW is RAO/WI: EL1 has no AArch32";
	EXPECT_EQ(x(3), 0u) << "no VHE";
}

TEST_F(El2, WithoutEl2TheIdRegisterSaysSoAndEl2RegistersAreUndefined)
{
	IssTest::TearDown();
	IssTest::SetUp();
	install_vectors();
	exec("mrs x0, id_aa64pfr0_el1\n");
	EXPECT_EQ(x(0), 0x11u);
	load("mrs x0, hcr_el2\n");
	EXPECT_EQ(run_to_vector().esr, 0x02000000u);
}

TEST_F(El2, HvcFromEl1IsTakenToEl2)
{
	load_at("hvc #0x99\n");
	Taken t = run_to_el2();
	EXPECT_EQ(t.offset, kLowerA64 + kSync);
	EXPECT_EQ(t.esr, 0x5a000099u); // EC 0x16, IL, imm16
	EXPECT_EQ(t.elr, kRamBase + 4);
	EXPECT_EQ(t.spsr, kEl1hMasked);
	EXPECT_EQ(pstate(), kEl2hMasked);
}

TEST_F(El2, HvcAtEl2IsTakenToEl2AndUndefinedAtEl0)
{
	load_at("hvc #3\n", kEl2hMasked);
	Taken t = run_to_el2();
	EXPECT_EQ(t.offset, kCurrentSpx + kSync);
	EXPECT_EQ(t.esr, 0x5a000003u);

	load_at("hvc #3\n", kEl0);
	t = run_to_vector(); // UNDEFINED: taken to EL1
	EXPECT_EQ(t.offset, kLowerA64 + kSync);
	EXPECT_EQ(t.esr, 0x02000000u);
}

TEST_F(El2, HcrHcdMakesHvcUndefined)
{
	set_hcr(kHcrRw | 1ull << 29);
	load_at("hvc #1\n");
	EXPECT_EQ(run_to_vector().esr, 0x02000000u);
}

struct Calls {
	int count = 0;
	bool smc = false;
};

bool count_call(void *opaque, struct cpu *cpu, bool smc, uint16_t imm)
{
	(void)cpu;
	(void)imm;
	auto *calls = static_cast<Calls *>(opaque);
	calls->count++;
	calls->smc = smc;
	return true;
}

TEST_F(El2, SmcIsTheFirmwareConduitUnlessTscTrapsIt)
{
	Calls calls;
	iss_set_call_hook(cpu, count_call, &calls);
	load_at("smc #5\n wfi\n");
	run(1000);
	EXPECT_EQ(calls.count, 1);
	EXPECT_TRUE(calls.smc);
	EXPECT_EQ(pc(), kRamBase + 8);

	set_hcr(kHcrRw | 1ull << 19); // TSC
	load_at("nop\n smc #0x42\n");
	Taken t = run_to_el2();
	EXPECT_EQ(t.esr, 0x5e000042u); // EC 0x17
	EXPECT_EQ(t.elr, kRamBase + 4) << "a trapped SMC returns to itself";
	EXPECT_EQ(calls.count, 1);
}

TEST_F(El2, HvcFromEl1NeverReachesTheCallHook)
{
	Calls calls;
	iss_set_call_hook(cpu, count_call, &calls);
	load_at("hvc #0\n");
	run_to_el2();
	EXPECT_EQ(calls.count, 0);
}

TEST_F(El2, WfiAndWfeTrapWithTwiAndTwe)
{
	set_hcr(kHcrRw | 1ull << 13 | 1ull << 14);
	load_at("wfi\n");
	Taken t = run_to_el2();
	EXPECT_EQ(t.esr, 0x07e00000u); // EC 0x01, IL, CV, COND 0xe, TI 0
	EXPECT_EQ(t.elr, kRamBase);
	load_at("wfe\n");
	EXPECT_EQ(run_to_el2().esr, 0x07e00001u);

	// At EL0 SCTLR_EL1.nTWI (clear out of reset) traps to EL1 first; the WFI of EL1's
	// vector (install_vectors) then traps to EL2.
	load_at("wfi\n", kEl0);
	t = run_to_el2();
	EXPECT_EQ(t.elr, kVectors + kLowerA64 + kSync + 16);
	EXPECT_EQ(mrs_at_el2("esr_el1"), 0x07e00000u) << "ESR_EL1 of the EL0 WFI";
}

TEST_F(El2, TvmAndTrvmTrapTheVmRegisters)
{
	set_hcr(kHcrRw | 1ull << 26 | 1ull << 30);
	load_at("msr ttbr1_el1, x5\n");
	Taken t = run_to_el2();
	// EC 0x18; op0 3, op2 1, op1 0, CRn 2, Rt 5, CRm 0, write
	EXPECT_EQ(t.esr, 0x62000000u | 3u << 20 | 1u << 17 | 2u << 10 | 5u << 5);
	load_at("mrs x7, mair_el1\n");
	EXPECT_EQ(run_to_el2().esr, 0x62000000u | 3u << 20 | 10u << 10 | 7u << 5 | 2u << 1 | 1u);
	load_at("mrs x1, tpidr_el1\n msr vbar_el1, x1\n wfi\n");
	run(1000);
	EXPECT_EQ(pc(), kRamBase + 12) << "not VM registers: no trap";
}

TEST_F(El2, Tid3TrapsIdRegisterReads)
{
	set_hcr(kHcrRw | 1ull << 18);
	load_at("mrs x2, id_aa64mmfr0_el1\n");
	EXPECT_EQ(run_to_el2().esr, 0x62000000u | 3u << 20 | 7u << 1 | 2u << 5 | 1u);
	load_at("mrs x2, midr_el1\n wfi\n");
	run(1000);
	EXPECT_EQ(pc(), kRamBase + 8) << "MIDR_EL1 is not in group 3";
}

TEST_F(El2, El2RegistersAndOperationsAreUndefinedAtEl1)
{
	for (const char *insn : {"msr hcr_el2, x0", "mrs x0, vbar_el2", "tlbi alle2", "at s1e2r, x0", "msr sp_el1, x0"}) {
		load_at(std::string(insn) + "\n");
		Taken t = run_to_vector();
		EXPECT_EQ(t.offset, kCurrentSpx + kSync) << insn;
		EXPECT_EQ(t.esr, 0x02000000u) << insn;
	}
}

TEST_F(El2, El1ReadsVpidrAndVmpidrEl2ReadsTheRealOnes)
{
	setup("msr vpidr_el2, x0\n msr vmpidr_el2, x1\n", {{0, 0x410fd034}, {1, 0x0102}});
	exec("mrs x2, midr_el1\n mrs x3, mpidr_el1\n");
	EXPECT_EQ(x(2), 0x411fd073u);
	EXPECT_EQ(x(3), 0x80000000u);
	load_at("mrs x2, midr_el1\n mrs x3, mpidr_el1\n wfi\n");
	run(1000);
	EXPECT_EQ(x(2), 0x410fd034u);
	EXPECT_EQ(x(3), 0x80000102u) << "bit 31 of VMPIDR_EL2 is RES1";
}

TEST_F(El2, ImoRoutesIrqToEl2WhateverEl1Masks)
{
	set_hcr(kHcrRw | 1ull << 4);
	load_at("b .\n");
	run(10);
	cpu->ops->set_line(cpu, CPU_LINE_IRQ, true);
	Taken t = run_to_el2();
	EXPECT_EQ(t.offset, kLowerA64 + kIrq);
	EXPECT_EQ(t.elr, kRamBase);
	EXPECT_EQ(t.spsr, kEl1hMasked);
}

TEST_F(El2, WithoutImoEl2IsNotInterruptedAndEl1Is)
{
	load_at("b .\n", 0x9); // EL2h, unmasked
	cpu->ops->set_line(cpu, CPU_LINE_IRQ, true);
	run(100);
	EXPECT_EQ(pc(), kRamBase) << "an IRQ routed to EL1 is not taken at EL2";
	load_at("b .\n", 0x5); // EL1h, unmasked
	run(100);
	EXPECT_EQ(pc(), kVectors + kCurrentSpx + kIrq + 20);
}

TEST_F(El2, EretFromEl2ReturnsToEl1El0AndEl2t)
{
	for (uint64_t m : {0x5ull, 0x4ull, 0x0ull, 0x8ull}) {
		el2_setup("msr elr_el2, x0\n msr spsr_el2, x1\n", {{0, kRamBase + 0x40}, {1, 0x3c0 | m}});
		load_at("eret\n", kEl2hMasked);
		run(1);
		EXPECT_EQ(pc(), kRamBase + 0x40) << m;
		EXPECT_EQ(pstate(), 0x3c0 | m) << m;
	}
}

TEST_F(El2, EretToEl1WhileTgeIsAnIllegalReturn)
{
	set_hcr(kHcrRw | 1ull << 27);
	el2_setup("msr elr_el2, x0\n msr spsr_el2, x1\n", {{0, kRamBase + 0x40}, {1, kEl1hMasked}});
	load_at("eret\n", kEl2hMasked);
	write32(kRamBase + 0x40, 0xd503201f); // nop
	Taken t = run_to_el2();
	EXPECT_EQ(t.ec(), EC_ILLEGAL);
	EXPECT_EQ(t.elr, kRamBase + 0x40);
	EXPECT_EQ(t.offset, kCurrentSpx + kSync) << "EL and SP stay at EL2h";
}

TEST_F(El2, TgeSendsEl0ExceptionsToEl2)
{
	set_hcr(kHcrRw | 1ull << 27);
	load_at("svc #7\n", kEl0);
	Taken t = run_to_el2();
	EXPECT_EQ(t.offset, kLowerA64 + kSync);
	EXPECT_EQ(t.esr, 0x56000007u);
}

// EL2 stage 1: 4 KiB granule, T0SZ 25 (39 bits), level 1 blocks: RAM identity, an alias at 256 GiB.
TEST_F(El2, StageOneOfEl2TranslatesAndTlbiAlle2DropsIt)
{
	write64(kPageTables + 0, 0x0000000000000401ull);           // device GiB, attr0
	write64(kPageTables + 8, kRamBase | 0x705ull);             // RAM, attr1 Normal
	write64(kPageTables + 256 * 8, kRamBase | 0x705ull);       // alias of RAM
	setup("msr mair_el2, x0\n msr tcr_el2, x1\n msr ttbr0_el2, x2\n isb\n"
	      "mrs x3, sctlr_el2\n orr x3, x3, #1\n msr sctlr_el2, x3\n isb\n",
	      {{0, 0xff00}, {1, 25 | 1u << 16}, {2, kPageTables}});
	write64(kData, 0x1111);
	exec("ldr x4, [x5]\n", {{5, 0x4000000000ull + (kData - kRamBase)}});
	EXPECT_EQ(x(4), 0x1111u);
	write64(kPageTables + 256 * 8, (kRamBase + 0x40000000ull) | 0x705ull); // behind the TLB's back
	exec("ldr x4, [x5]\n");
	EXPECT_EQ(x(4), 0x1111u) << "the cached translation is still used";
	load_at("tlbi alle2\n dsb sy\n isb\n ldr x4, [x5]\n", kEl2hMasked);
	Taken t = run_to_el2(); // the new block is outside RAM: a synchronous external abort
	EXPECT_EQ(t.offset, kCurrentSpx + kSync);
	EXPECT_EQ(t.esr, 0x96000010u); // EC 0x25, DFSC 0x10
	EXPECT_EQ(t.far, 0x4000000000ull + (kData - kRamBase));
}

} // namespace
