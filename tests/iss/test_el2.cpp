// EL2 on the iss backend (iss_enable_el2): reset at EL2h, HVC/SMC, the traps HCR_EL2 asks for
// with their syndromes, interrupt routing, ERET's rules, the identification registers EL2
// virtualizes, the EL2 stage 1 regime with its TLBI forms, and stage 2 of EL1&0 (walks with
// each granule, concatenated start tables, faults to EL2 with HPFAR_EL2 and the instruction
// syndrome, the TLB's tags and the scope of each TLBI). Syndromes are the Arm ARM's. Unicorn
// has no EL2, so these are checked against the Arm ARM's field definitions here and against
// QEMU by test_el2_stage2.cpp.
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

// CPTR_EL2.TFP traps SIMD&FP at EL1 and EL2 to EL2 (nVHE KVM switches FP registers lazily on it:
// without the trap a KVM guest's vector code ran on the host's registers); CPACR_EL1.FPEN traps
// EL1 first, to EL1.
TEST_F(El2, CptrTfpTrapsSimdAndFpToEl2AfterCpacr)
{
	constexpr uint64_t kCptrRes1 = 0x33ff, kTfp = 1ull << 10, kFpenAll = 3ull << 20;
	el2_setup("msr cptr_el2, x0\n msr cpacr_el1, x1\n isb\n", {{0, kCptrRes1 | kTfp}, {1, kFpenAll}});
	EXPECT_EQ(mrs_at_el2("cptr_el2"), kCptrRes1 | kTfp);
	load_at("fmov d0, x1\n");
	Taken t = run_to_el2();
	EXPECT_EQ(t.offset, kLowerA64 + kSync);
	EXPECT_EQ(t.esr, 0x1fe00000u); // EC 0x07, IL, CV, COND 0xe
	EXPECT_EQ(t.elr, kRamBase);
	load_at("add v0.4s, v1.4s, v2.4s\n", kEl2hMasked);
	t = run_to_el2();
	EXPECT_EQ(t.offset, kCurrentSpx + kSync);
	EXPECT_EQ(t.esr, 0x1fe00000u);

	el2_setup("msr cpacr_el1, xzr\n isb\n");
	load_at("fmov d0, x1\n");
	t = run_to_vector();
	EXPECT_EQ(t.offset, kCurrentSpx + kSync) << "CPACR_EL1.FPEN first, to EL1";
	EXPECT_EQ(t.esr, 0x1fe00000u);

	el2_setup("msr cptr_el2, x0\n msr cpacr_el1, x1\n isb\n", {{0, kCptrRes1}, {1, kFpenAll}});
	load_at("mov x1, #5\n fmov d0, x1\n fmov x2, d0\n");
	run(3);
	EXPECT_EQ(x(2), 5u) << "TFP clear: SIMD&FP runs at EL1";
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

// Virtual interrupts (the Arm ARM's rules; the firmware against QEMU is tests/iss/test_el2_virtual.cpp).
// A pending virtual interrupt wakes WFI, which ends every setup() snippet: each is set after them.
constexpr uint64_t kHcrImo = 1ull << 4, kHcrAmo = 1ull << 5, kHcrVse = 1ull << 8, kHcrTge = 1ull << 27;

TEST_F(El2, GicVirtualIrqLineIsTakenAtEl1OnlyWhileImoRoutesIrqs)
{
	set_hcr(kHcrRw);
	load_at("b .\n", 0x5); // EL1h, unmasked
	cpu->ops->set_line(cpu, CPU_LINE_VIRQ, true);
	run(100);
	EXPECT_EQ(pc(), kRamBase) << "without IMO there is no virtual IRQ";
	cpu->ops->set_line(cpu, CPU_LINE_VIRQ, false);
	set_hcr(kHcrRw | kHcrImo);
	load_at("b .\n", 0x5);
	cpu->ops->set_line(cpu, CPU_LINE_VIRQ, true);
	run(100);
	EXPECT_EQ(pc(), kVectors + kCurrentSpx + kIrq + 20) << "EL1's own IRQ vector";
	cpu->ops->set_line(cpu, CPU_LINE_VIRQ, false);
	EXPECT_EQ(mrs_at_el2("spsr_el1"), 0x5u);
}

TEST_F(El2, VirtualIrqIsNeverTakenAtEl2NorWithTge)
{
	set_hcr(kHcrRw | kHcrImo);
	load_at("b .\n", 0x9); // EL2h, unmasked
	cpu->ops->set_line(cpu, CPU_LINE_VIRQ, true);
	run(100);
	EXPECT_EQ(pc(), kRamBase);
	cpu->ops->set_line(cpu, CPU_LINE_VIRQ, false);
	set_hcr(kHcrRw | kHcrImo | kHcrTge);
	load_at("b .\n", kEl0);
	cpu->ops->set_line(cpu, CPU_LINE_VIRQ, true);
	run(100);
	EXPECT_EQ(pc(), kRamBase) << "TGE: EL0 belongs to EL2, no virtual IRQ";
}

TEST_F(El2, VirtualSErrorIsMaskedByAAndTakingItClearsVse)
{
	const uint64_t guest = kRamBase + 0x100;
	load_at("msr hcr_el2, x0\n isb\n msr elr_el2, x1\n msr spsr_el2, x2\n eret\n", kEl2hMasked);
	write32(guest, 0x14000000); // b .
	set_x(0, kHcrRw | kHcrAmo | kHcrVse);
	set_x(1, guest);
	set_x(2, 0x105); // EL1h, A masked
	run(100);
	EXPECT_EQ(pc(), guest) << "masked by PSTATE.A";
	set_x(CPU_REG_PC, kRamBase);
	set_x(CPU_REG_PSTATE, kEl2hMasked);
	set_x(2, 0x5); // EL1h, unmasked
	run(100);
	EXPECT_EQ(pc(), kVectors + kCurrentSpx + 0x180 + 20);
	EXPECT_EQ(mrs_at_el2("esr_el1"), 0xbe000000u) << "EC 0x2F, IL, ISS 0: no RAS";
	EXPECT_EQ(mrs_at_el2("hcr_el2") & kHcrVse, 0u);
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

// ---- Stage 2 of EL1&0 ----

constexpr uint64_t kStage2 = kRamBase + 0xb00000; // stage 2 tables: root, then level 2, level 3
constexpr uint64_t kS2Root = kStage2, kS2Level2 = kStage2 + 0x2000, kS2Level3 = kStage2 + 0x3000;
constexpr uint64_t kS2Root2 = kStage2 + 0x4000;   // a second VMID's root
constexpr uint64_t kHcrVm = 1;
// Stage 2 descriptors: MemAttr 0b1111 (Normal), S2AP read (bit 6) and write (bit 7), AF; XN bit 54.
constexpr uint64_t kS2Read = 1ull << 6, kS2Write = 1ull << 7, kS2Xn = 1ull << 54;
constexpr uint64_t kS2Normal = 0xfull << 2 | 1ull << 10;
constexpr uint64_t kS2Page = 3 | kS2Normal | kS2Read | kS2Write, kS2Block = 1 | kS2Normal | kS2Read | kS2Write;
// VTCR_EL2: T0SZ 32 (4 GiB of IPA), SL0 1 (start at level 1: four entries), 4 KiB granule, PS 40 bits.
constexpr uint64_t kVtcr4k = 32 | 1 << 6 | 2ull << 16;

// ESR_EL2 of an abort from the Arm ARM's fields: EC, IL, and the ISS given.
uint64_t esr(unsigned ec, uint32_t iss)
{
	return (uint64_t)ec << 26 | 1u << 25 | iss;
}

// The data abort ISS: ISV, SAS, SSE, SRT, SF, AR, S1PTW, WnR, DFSC.
uint32_t data_iss(bool isv, unsigned sas, bool sse, unsigned srt, bool sf, bool s1ptw, bool wnr, unsigned dfsc)
{
	return (isv ? 1u << 24 : 0) | sas << 22 | (sse ? 1u << 21 : 0) | srt << 16 | (sf ? 1u << 15 : 0) |
	       (s1ptw ? 1u << 7 : 0) | (wnr ? 1u << 6 : 0) | dfsc;
}

class Stage2 : public El2
{
      protected:
	// RAM's first 2 MiB by 4 KiB pages (level 3), the rest of RAM's 16 MiB in 2 MiB blocks, under VMID 1.
	void SetUp() override
	{
		El2::SetUp();
		write_pa(kS2Root + 8, kS2Level2 | 3);
		write_pa(kS2Level2, kS2Level3 | 3);
		for (uint64_t k = 1; k < 8; k++)
			write_pa(kS2Level2 + 8 * k, (kRamBase + (k << 21)) | kS2Block);
		for (uint64_t k = 0; k < 512; k++)
			write_pa(kS2Level3 + 8 * k, (kRamBase + (k << 12)) | kS2Page);
		el2_setup("msr vtcr_el2, x0\n msr vttbr_el2, x1\n isb\n", {{0, kVtcr4k}, {1, kS2Root | 1ull << 48}});
		set_hcr(kHcrRw | kHcrVm);
	}

	// The debugger's accesses translate at the current EL: at EL2 (MMU off) they are physical.
	void write_pa(uint64_t address, uint64_t value)
	{
		set_x(CPU_REG_PSTATE, kEl2hMasked);
		write64(address, value);
	}

	uint64_t read_pa(uint64_t address)
	{
		set_x(CPU_REG_PSTATE, kEl2hMasked);
		return read64(address);
	}

	void map_page(uint64_t ipa, uint64_t descriptor)
	{
		write_pa(kS2Level3 + 8 * ((ipa - kRamBase) >> 12), descriptor);
	}

	// Loads `source` (physically) and enters it at EL1h with interrupts masked.
	void load_el1(const std::string &source)
	{
		set_x(CPU_REG_PSTATE, kEl2hMasked);
		load(source);
		set_x(CPU_REG_PSTATE, kEl1hMasked);
	}

	// Runs `source` at EL1h to its WFI.
	void el1_exec(const std::string &source, Registers registers = {})
	{
		load_el1(source + "\n wfi\n");
		rerun(registers);
	}

	// Runs `source` at EL2h to its WFI.
	void el2_exec(const std::string &source, Registers registers = {})
	{
		set_x(CPU_REG_PSTATE, kEl2hMasked);
		load(source + "\n wfi\n");
		rerun(registers);
	}

	uint64_t el1_read(uint64_t address)
	{
		el1_exec("ldr x4, [x5]\n", {{5, address}});
		return x(4);
	}
};

TEST_F(Stage2, El1AccessesGoThroughStageTwo)
{
	write_pa(kData, 0xaaaa);
	write_pa(kData + 0x1000, 0xbbbb);
	map_page(kData, (kData + 0x1000) | kS2Page);
	EXPECT_EQ(el1_read(kData), 0xbbbbu) << "IPA kData maps to the next page";
	EXPECT_EQ(el1_read(kData + 0x1000), 0xbbbbu);
	el1_exec("str x4, [x5]\n", {{4, 0x5eed}, {5, kData}});
	EXPECT_EQ(read_pa(kData + 0x1000), 0x5eedu);
	EXPECT_EQ(read_pa(kData), 0xaaaau);
}

TEST_F(Stage2, AnUnmappedPageIsATranslationFaultAtEl2WithHpfarAndTheSyndrome)
{
	uint64_t ipa = kData + 0x2000;
	map_page(ipa, 0);
	load_el1("ldr x4, [x5, #8]\n");
	set_x(5, ipa);
	Taken t = run_to_el2();
	EXPECT_EQ(t.offset, kLowerA64 + kSync);
	EXPECT_EQ(t.esr, esr(EC_DABORT_LOWER, data_iss(true, 3, false, 4, true, false, false, 0x07))); // level 3
	EXPECT_EQ(t.far, ipa + 8);
	EXPECT_EQ(t.elr, kRamBase);
	EXPECT_EQ(mrs_at_el2("hpfar_el2"), (ipa >> 12) << 4);
}

TEST_F(Stage2, TheSyndromeNamesSingleRegisterAccessesWithoutWritebackOnly)
{
	uint64_t read_only = kData + 0x2000, unmapped = kData + 0x5000;
	map_page(read_only, (read_only | kS2Page) & ~kS2Write);
	map_page(unmapped, 0);
	struct Case {
		const char *source;
		uint64_t address;
		uint32_t iss;
	} cases[] = {
	    {"strb w7, [x5]\n", read_only, data_iss(true, 0, false, 7, false, false, true, 0x0f)},
	    {"strh w7, [x5, x6]\n", read_only, data_iss(true, 1, false, 7, false, false, true, 0x0f)},
	    {"stur w7, [x5, #-4]\n", read_only, data_iss(true, 2, false, 7, false, false, true, 0x0f)},
	    {"stlr x7, [x5]\n", read_only, data_iss(true, 3, false, 7, true, false, true, 0x0f) | 1u << 14}, // AR
	    {"ldrsb w3, [x5]\n", unmapped, data_iss(true, 0, true, 3, false, false, false, 0x07)},
	    {"ldrsw x3, [x5, #4]\n", unmapped, data_iss(true, 2, true, 3, true, false, false, 0x07)},
	    {"ldtrh w3, [x5]\n", unmapped, data_iss(true, 1, false, 3, false, false, false, 0x07)},
	    {"ldar w3, [x5]\n", unmapped, data_iss(true, 2, false, 3, false, false, false, 0x07) | 1u << 14},
	    {"stp x7, x8, [x5]\n", read_only, data_iss(false, 0, false, 0, false, false, true, 0x0f)},
	    {"str x7, [x5], #8\n", read_only, data_iss(false, 0, false, 0, false, false, true, 0x0f)}, // writeback
	    {"ldr x3, [x5, #8]!\n", unmapped, data_iss(false, 0, false, 0, false, false, false, 0x07)},
	    {"ldxr x3, [x5]\n", unmapped, data_iss(false, 0, false, 0, false, false, false, 0x07)},
	    {"str d7, [x5]\n", read_only, data_iss(false, 0, false, 0, false, false, true, 0x0f)},
	};
	set_cpacr(3u << 20);
	for (const Case &c : cases) {
		load_el1(c.source);
		set_x(5, c.address + 16);
		set_x(6, 0);
		Taken t = run_to_el2();
		EXPECT_EQ(t.esr, esr(EC_DABORT_LOWER, c.iss)) << c.source;
	}
}

TEST_F(Stage2, ReadOnlyAndXnPagesArePermissionFaults)
{
	uint64_t ipa = kData + 0x3000;
	map_page(ipa, (ipa | kS2Page) & ~kS2Write);
	EXPECT_EQ(el1_read(ipa), 0u);
	load_el1("str x4, [x5]\n");
	set_x(5, ipa);
	Taken t = run_to_el2();
	EXPECT_EQ(t.esr, esr(EC_DABORT_LOWER, data_iss(true, 3, false, 4, true, false, true, 0x0f)));
	map_page(kRamBase, kRamBase | kS2Page | kS2Xn); // the code page
	el2_exec("tlbi ipas2e1, x0\n dsb sy\n tlbi vmalle1\n dsb sy\n isb\n", {{0, kRamBase >> 12}});
	load_el1("nop\n");
	t = run_to_el2();
	EXPECT_EQ(t.esr, esr(EC_IABORT_LOWER, 0x0f));
	EXPECT_EQ(t.far, kRamBase);
	EXPECT_EQ(mrs_at_el2("hpfar_el2"), (kRamBase >> 12) << 4);
}

TEST_F(Stage2, AStageOneWalkThatStageTwoFaultsIsReportedWithS1ptw)
{
	uint64_t table_ipa = kData + 0x4000;
	write_pa(table_ipa + 8, kRamBase | 0x705ull); // stage 1: RAM's GiB as a block
	map_page(table_ipa, 0);
	setup("msr mair_el1, x0\n msr tcr_el1, x1\n msr ttbr0_el1, x2\n isb\n",
	      {{0, 0xff00}, {1, 25 | 1u << 23}, {2, table_ipa}});
	load_el1("mrs x3, sctlr_el1\n orr x3, x3, #1\n msr sctlr_el1, x3\n ldr x4, [x5]\n");
	set_x(5, kData);
	Taken t = run_to_el2(); // the fetch after the MSR walks first
	EXPECT_EQ(t.esr, esr(EC_IABORT_LOWER, 1u << 7 | 0x07));
	EXPECT_EQ(t.far, kRamBase + 12);
	EXPECT_EQ(mrs_at_el2("hpfar_el2"), (table_ipa >> 12) << 4);
	map_page(table_ipa, table_ipa | kS2Page);
	el2_exec("tlbi ipas2e1, x0\n dsb sy\n isb\n", {{0, table_ipa >> 12}});
	load_el1("ldr x4, [x5]\n"); // stage 1 stays on
	write_pa(kData, 0x77);
	run(2);
	EXPECT_EQ(x(4), 0x77u);
	map_page(table_ipa, (table_ipa | kS2Page) & ~kS2Read); // a walk needs read permission at stage 2
	el2_exec("tlbi ipas2e1, x0\n dsb sy\n tlbi vmalle1\n dsb sy\n isb\n", {{0, table_ipa >> 12}});
	load_el1("str x4, [x5]\n");
	t = run_to_el2();
	EXPECT_EQ(t.esr, esr(EC_IABORT_LOWER, 1u << 7 | 0x0f)) << "the fetch's walk, as a permission fault";
}

TEST_F(Stage2, StageTwoTablesOutsideRamAreExternalAbortsOnTheWalk)
{
	el2_setup("msr vttbr_el2, x0\n isb\n", {{0, 0x10000000ull | 1ull << 48}});
	load_el1("nop\n");
	Taken t = run_to_el2();
	EXPECT_EQ(t.esr, esr(EC_IABORT_LOWER, 0x15)); // synchronous external abort on a walk, level 1
	EXPECT_EQ(t.far, kRamBase);
}

TEST_F(Stage2, ConcatenatedStartTablesAndEveryGranuleWalk)
{
	// 40-bit IPAs from level 1: 1024 entries, two concatenated tables; entry 513 in the second.
	uint64_t root = kStage2 + 0x8000, alias = 513ull << 30;
	write_pa(root + 8, kRamBase | kS2Block);
	write_pa(root + 513 * 8, kRamBase | kS2Block);
	el2_setup("msr vtcr_el2, x0\n msr vttbr_el2, x1\n isb\n", {{0, 24 | 1 << 6 | 2ull << 16}, {1, root}});
	write_pa(kData, 0x4242);
	EXPECT_EQ(el1_read(alias + (kData - kRamBase)), 0x4242u);
	// 64 KiB granule, 32-bit IPAs from level 2 (SL0 1): 8 entries of 512 MiB blocks.
	uint64_t root64 = kStage2 + 0x10000;
	write_pa(root64 + 2 * 8, kRamBase | kS2Block);
	el2_setup("msr vtcr_el2, x0\n msr vttbr_el2, x1\n isb\n", {{0, 32 | 1 << 6 | 1ull << 14 | 2ull << 16}, {1, root64}});
	EXPECT_EQ(el1_read(kData), 0x4242u);
	// 16 KiB granule, 32-bit IPAs from level 2: 128 entries of 32 MiB blocks.
	uint64_t root16 = kStage2 + 0x20000;
	write_pa(root16 + 32 * 8, kRamBase | kS2Block);
	el2_setup("msr vtcr_el2, x0\n msr vttbr_el2, x1\n isb\n", {{0, 32 | 1 << 6 | 2ull << 14 | 2ull << 16}, {1, root16}});
	EXPECT_EQ(el1_read(kData), 0x4242u);
	// SL0 that does not fit T0SZ (4 KiB, 32 bits, from level 0 would be one entry): a level 0 translation fault.
	el2_setup("msr vtcr_el2, x0\n isb\n", {{0, 32 | 2 << 6 | 2ull << 16}});
	load_el1("nop\n");
	Taken t = run_to_el2();
	EXPECT_EQ(t.esr, esr(EC_IABORT_LOWER, 0x04));
}

// The TLB: entries are tagged by VMID, stage 2 table and VM; each TLBI drops what it names.
TEST_F(Stage2, TheTlbNeverServesAnotherAddressSpaceAndEachTlbiHasItsScope)
{
	uint64_t a = kData + 0x8000, other = kData + 0x9000; // TLB slots apart from the code's
	write_pa(a, 0xaaaa);
	write_pa(other, 0xbbbb);
	write_pa(kS2Root2 + 8, kRamBase | kS2Block); // VMID 2: RAM identity
	map_page(a, other | kS2Page);
	EXPECT_EQ(el1_read(a), 0xbbbbu);
	map_page(a, a | kS2Page); // behind the TLB's back
	EXPECT_EQ(el1_read(a), 0xbbbbu) << "the cached translation is still used";
	el2_setup("msr vttbr_el2, x0\n isb\n", {{0, kS2Root2 | 2ull << 48}});
	EXPECT_EQ(el1_read(a), 0xaaaau) << "VMID 2 never sees VMID 1's entry";
	set_hcr(kHcrRw);
	EXPECT_EQ(el1_read(a), 0xaaaau) << "stage 2 off";
	set_hcr(kHcrRw | kHcrVm);
	el2_setup("msr vttbr_el2, x0\n isb\n", {{0, kS2Root | 1ull << 48}});
	EXPECT_EQ(el1_read(a), 0xbbbbu) << "VMID 1's entry is kept across the switches";
	// Out of scope: another IPA, and the IPA or the whole VMID under another VMID.
	el2_exec("tlbi ipas2e1is, x0\n dsb sy\n isb\n", {{0, (a + 0x5000) >> 12}});
	EXPECT_EQ(el1_read(a), 0xbbbbu);
	el2_setup("msr vttbr_el2, x0\n isb\n", {{0, kS2Root2 | 2ull << 48}});
	el2_exec("tlbi ipas2e1, x0\n tlbi vmalls12e1is\n tlbi vmalle1\n dsb sy\n isb\n", {{0, a >> 12}});
	el2_setup("msr vttbr_el2, x0\n isb\n", {{0, kS2Root | 1ull << 48}});
	EXPECT_EQ(el1_read(a), 0xbbbbu) << "TLBIs under VMID 2 leave VMID 1's entries";
	el2_exec("tlbi alle2\n tlbi vae2, x0\n dsb sy\n isb\n", {{0, a >> 12}});
	EXPECT_EQ(el1_read(a), 0xbbbbu) << "the EL2 regime's TLBIs leave EL1&0";
	// In scope: the IPA under its VMID.
	el2_exec("tlbi ipas2le1is, x0\n dsb sy\n isb\n", {{0, a >> 12}});
	EXPECT_EQ(el1_read(a), 0xaaaau);
	// VMALLS12E1 and ALLE1 (from VMID 2: every VMID).
	map_page(a, other | kS2Page);
	el2_exec("tlbi vmalls12e1\n dsb sy\n isb\n");
	EXPECT_EQ(el1_read(a), 0xbbbbu);
	map_page(a, a | kS2Page);
	el2_setup("msr vttbr_el2, x0\n isb\n", {{0, kS2Root2 | 2ull << 48}});
	el2_exec("tlbi alle1is\n dsb sy\n isb\n");
	el2_setup("msr vttbr_el2, x0\n isb\n", {{0, kS2Root | 1ull << 48}});
	EXPECT_EQ(el1_read(a), 0xaaaau);
}

TEST_F(Stage2, AtS12E1TranslatesBothStagesAndS1E1OnlyTheFirst)
{
	uint64_t ipa = kData;
	map_page(ipa, (kData + 0x1000) | kS2Page);
	el2_exec("at s12e1r, x0\n isb\n mrs x1, par_el1\n at s1e1r, x0\n isb\n mrs x2, par_el1\n", {{0, ipa}});
	EXPECT_EQ(x(1) & 0xfffffffff001ull, kData + 0x1000);
	EXPECT_EQ(x(2) & 0xfffffffff001ull, kData);
	map_page(ipa, 0);
	el2_exec("tlbi ipas2e1, x3\n dsb sy\n at s12e1w, x0\n isb\n mrs x1, par_el1\n", {{0, ipa}, {3, ipa >> 12}});
	EXPECT_EQ(x(1) & 0x3ff, 1u << 9 | 0x07u << 1 | 1u) << "S, FST translation level 3, F";
}

TEST_F(Stage2, IdRegistersSayEightBitVmids)
{
	EXPECT_EQ((mrs_at_el2("id_aa64mmfr1_el1") >> 4) & 0xf, 0u);
	EXPECT_EQ(mrs_at_el2("vtcr_el2") & 0x7ffff, kVtcr4k);
}

} // namespace
