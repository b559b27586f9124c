// The exception model, the system registers, the MMU and the exclusives, instruction by
// instruction: what ESR/ELR/FAR/SPSR_EL1 say, which vector is taken, what translation allows.
#include "iss_harness.h"

using namespace iss_test;

namespace
{

class Exception : public IssTest
{
      protected:
	void SetUp() override
	{
		IssTest::SetUp();
		install_vectors();
	}
	// Runs until the vectors stop it and returns what they saw.
	Taken run_to_vector(uint64_t budget = 1000)
	{
		run(budget);
		Taken t = taken();
		EXPECT_TRUE(t.taken) << "pc 0x" << std::hex << pc();
		return t;
	}
};

TEST_F(Exception, SvcFromEl0GoesToTheLowerElVectorAndEretReturns)
{
	load("mov x0, #1\n svc #0x1234\n mov x1, #2\n wfi\n");
	set_x(CPU_REG_PSTATE, 0x0); // EL0t, interrupts unmasked
	Taken t = run_to_vector();
	EXPECT_EQ(t.offset, kLowerA64 + kSync);
	EXPECT_EQ(t.esr, 0x56001234u); // EC 0x15, IL, imm16
	EXPECT_EQ(t.elr, kRamBase + 8);
	EXPECT_EQ(t.spsr, 0x0u);
	EXPECT_EQ(pstate() & 0x3cf, 0x3c5u); // EL1h, everything masked
	// Back to EL0 with ERET from a snippet placed after the vectors' WFI.
	load("eret\n", kVectors + 0x1000);
	set_x(CPU_REG_PC, kVectors + 0x1000);
	t = run_to_vector();
	EXPECT_EQ(x(1), 2u); // ran at EL0 ...
	EXPECT_EQ(t.offset, kLowerA64 + kSync);
	EXPECT_EQ(t.esr, 0x07e00000u); // ... up to its WFI, which traps: SCTLR_EL1.nTWI is 0
	EXPECT_EQ(t.elr, kRamBase + 12);
}

TEST_F(Exception, SvcFromEl1tAndEl1hUseTheirVectors)
{
	load("svc #1\n");
	EXPECT_EQ(run_to_vector().offset, kCurrentSpx + kSync);
	load("msr spsel, #0\n svc #2\n");
	Taken t = run_to_vector();
	EXPECT_EQ(t.offset, kCurrentSp0 + kSync);
	EXPECT_EQ(t.spsr & 0xf, 0x4u);
}

TEST_F(Exception, BrkReportsItsOwnPc)
{
	load("nop\n brk #0x42\n");
	Taken t = run_to_vector();
	EXPECT_EQ(t.esr, 0xf2000042u);
	EXPECT_EQ(t.elr, kRamBase + 4);
}

TEST_F(Exception, HvcAndSmcAreUndefinedWithoutAHandler)
{
	for (const char *insn : {"hvc #0", "smc #0"}) {
		load(insn);
		Taken t = run_to_vector();
		EXPECT_EQ(t.esr, 0x02000000u) << insn;
		EXPECT_EQ(t.elr, kRamBase) << insn;
	}
}

struct CallLog {
	int calls = 0;
	bool smc = false;
	uint16_t imm = 0;
	bool accept = true;
};

bool call_hook(void *opaque, struct cpu *cpu, bool smc, uint16_t imm)
{
	auto *log = static_cast<CallLog *>(opaque);
	uint64_t x0 = 0;
	log->calls++;
	log->smc = smc;
	log->imm = imm;
	if (!log->accept)
		return false;
	cpu->ops->get_register(cpu, CPU_REG_X0, &x0);
	cpu->ops->set_register(cpu, CPU_REG_X0, x0 + 1000);
	cpu->ops->set_register(cpu, (cpu_register)3, 33);
	return true;
}

TEST_F(Exception, HvcAndSmcReachTheCallHook)
{
	CallLog log;
	iss_set_call_hook(cpu, call_hook, &log);
	exec("mov x0, #5\n hvc #7\n smc #9\n");
	EXPECT_EQ(log.calls, 2);
	EXPECT_TRUE(log.smc);
	EXPECT_EQ(log.imm, 9);
	EXPECT_EQ(x(0), 2005u);
	EXPECT_EQ(x(3), 33u);

	log.accept = false; // declined: UNDEFINED
	load("hvc #1\n");
	EXPECT_EQ(run_to_vector().esr, 0x02000000u);

	log = CallLog();
	load("hvc #1\n"); // at EL0: UNDEFINED without asking
	set_x(CPU_REG_PSTATE, 0);
	EXPECT_EQ(run_to_vector().offset, kLowerA64 + kSync);
	EXPECT_EQ(log.calls, 0);
}

// A test-only hook that serves CNTFRQ_EL0 the way the generic timer's model will.
struct TimerRegs {
	uint64_t frequency = 62500000;
	unsigned last_el = 9;
};

constexpr uint32_t kCntfrq = 3u << 14 | 3u << 11 | 14u << 7 | 0u << 3 | 0u;

bool hook_read(void *opaque, uint32_t encoding, unsigned el, uint64_t *value)
{
	auto *regs = static_cast<TimerRegs *>(opaque);
	if (encoding != kCntfrq)
		return false;
	regs->last_el = el;
	*value = regs->frequency;
	return true;
}

bool hook_write(void *opaque, uint32_t encoding, unsigned el, uint64_t value)
{
	auto *regs = static_cast<TimerRegs *>(opaque);
	if (encoding != kCntfrq || el == 0)
		return false; // CNTFRQ_EL0 is read-only at EL0
	regs->frequency = value;
	return true;
}

TEST_F(Exception, SystemRegisterHooksServeWhatTheInterpreterDoesNot)
{
	TimerRegs regs;
	struct iss_sysreg_hook nothing = {nullptr, nullptr, nullptr};
	EXPECT_EQ(iss_add_sysreg_hook(cpu, &nothing), -1);
	struct iss_sysreg_hook hook = {hook_read, hook_write, &regs};
	ASSERT_EQ(iss_add_sysreg_hook(cpu, &hook), 0);
	exec("mrs x0, cntfrq_el0\n msr cntfrq_el0, x1\n mrs x2, cntfrq_el0\n", {{1, 24000000}});
	EXPECT_EQ(x(0), 62500000u);
	EXPECT_EQ(x(2), 24000000u);
	EXPECT_EQ(regs.last_el, 1u);

	load("mrs x0, cntfrq_el0\n msr cntfrq_el0, x1\n");
	set_x(CPU_REG_PSTATE, 0);
	Taken t = run_to_vector();
	EXPECT_EQ(regs.last_el, 0u);
	EXPECT_EQ(t.elr, kRamBase + 4); // the read worked at EL0, the write is UNDEFINED
	EXPECT_EQ(t.esr, 0x02000000u);
}

// A WFI with a line high completes at once, so each read is one instruction run on its own.
TEST_F(Exception, IsrReflectsTheLinesWhileMasked)
{
	auto read_isr = [&]() {
		load("mrs x0, isr_el1\n");
		run(1);
		return x(0);
	};
	EXPECT_EQ(read_isr(), 0u);
	cpu->ops->set_line(cpu, CPU_LINE_IRQ, true); // DAIF masks all out of reset: nothing is taken
	EXPECT_EQ(read_isr(), 0x80u);
	cpu->ops->set_line(cpu, CPU_LINE_FIQ, true);
	EXPECT_EQ(read_isr(), 0xc0u);
	cpu->ops->set_line(cpu, CPU_LINE_IRQ, false);
	EXPECT_EQ(read_isr(), 0x40u);
	EXPECT_EQ(pc(), kRamBase + 4);
	load("msr isr_el1, x0\n"); // read-only: UNDEFINED
	EXPECT_EQ(run_to_vector().esr, 0x02000000u);
}

TEST_F(Exception, IrqIsTakenWhenUnmaskedAtTheNextBoundary)
{
	cpu->ops->set_line(cpu, CPU_LINE_IRQ, true);
	load("mov x0, #1\n msr daifclr, #2\n mov x1, #2\n");
	Taken t = run_to_vector();
	EXPECT_EQ(t.offset, kCurrentSpx + kIrq);
	EXPECT_EQ(t.elr, kRamBase + 8);
	EXPECT_EQ(t.spsr, 0x345u); // I was clear at the time
	EXPECT_EQ(x(1), 0u);
}

TEST_F(Exception, LinesRaisedBetweenRunsAreTakenFirstAndFiqWins)
{
	load("msr daifclr, #3\n b .\n");
	run(10);
	cpu->ops->set_line(cpu, CPU_LINE_IRQ, true);
	cpu->ops->set_line(cpu, CPU_LINE_FIQ, true);
	cpu_run_result r = run(6);
	EXPECT_EQ(r.executed, 6u); // the entry and the vector's five instructions
	Taken t = taken();
	EXPECT_EQ(t.offset, kCurrentSpx + kFiq);
	EXPECT_EQ(t.elr, kRamBase + 4);
}

TEST_F(Exception, IrqFromEl0UsesTheLowerElVector)
{
	load("b .\n");
	set_x(CPU_REG_PSTATE, 0x0);
	run(3);
	cpu->ops->set_line(cpu, CPU_LINE_IRQ, true);
	EXPECT_EQ(run_to_vector().offset, kLowerA64 + kIrq);
}

TEST_F(Exception, IllegalExceptionReturnSetsIlAndFaultsNext)
{
	// SPSR M = EL2h: not implemented, so the return is illegal; PC still goes to ELR.
	load("msr spsr_el1, x0\n msr elr_el1, x1\n eret\n target: nop\n");
	set_x(0, 0x9);
	set_x(1, kRamBase + 12);
	Taken t = run_to_vector();
	EXPECT_EQ(t.esr, 0x3a000000u); // EC 0x0e
	EXPECT_EQ(t.elr, kRamBase + 12);
	EXPECT_EQ(t.spsr & (1u << 20), 1u << 20); // IL
	EXPECT_EQ(t.spsr & 0xf, 0x5u);            // still EL1h
}

TEST_F(Exception, SpAlignmentFaultFollowsSctlrSa)
{
	exec("ldr x0, [sp]\n", {{CPU_REG_SP, kData + 8}}); // SA is 0 out of reset
	setup("mrs x0, sctlr_el1\n orr x0, x0, #8\n msr sctlr_el1, x0\n");
	load("ldr x0, [sp]\n");
	set_x(CPU_REG_SP, kData + 8);
	Taken t = run_to_vector();
	EXPECT_EQ(t.esr, 0x9a000000u); // EC 0x26
}

TEST_F(Exception, El0AccessChecks)
{
	load("mrs x0, sctlr_el1\n");
	set_x(CPU_REG_PSTATE, 0);
	EXPECT_EQ(run_to_vector().esr, 0x02000000u); // EL1 register: UNDEFINED
	load("msr daifset, #2\n");
	set_x(CPU_REG_PSTATE, 0);
	Taken t = run_to_vector();
	EXPECT_EQ(t.ec(), (unsigned)EC_SYSREG); // UMA is 0: trapped
	load("wfi\n");
	set_x(CPU_REG_PSTATE, 0);
	t = run_to_vector();
	EXPECT_EQ(t.esr, 0x07e00000u); // EC 0x01, CV, COND AL, WFI
	load("eret\n");
	set_x(CPU_REG_PSTATE, 0);
	EXPECT_EQ(run_to_vector().esr, 0x02000000u);
	exec("mrs x0, tpidr_el0\n mrs x1, dczid_el0\n"); // allowed at EL1 and EL0 alike
	EXPECT_EQ(x(1), 4u);
}

// DCZID_EL0.DZP tells EL0 whether DC ZVA would trap (SCTLR_EL1.DZE), as glibc's memset asks.
TEST_F(Exception, DczidShowsWhetherEl0MayZero)
{
	load("mrs x1, dczid_el0\n dc zva, x9\n");
	set_x(CPU_REG_PSTATE, 0);
	set_x(9, kData);
	EXPECT_EQ(run_to_vector().ec(), (unsigned)EC_SYSREG); // DZE is 0 out of reset: trapped
	EXPECT_EQ(x(1), 0x14u);
	exec("mrs x0, sctlr_el1\n orr x0, x0, #(1 << 14)\n msr sctlr_el1, x0\n mrs x2, dczid_el0\n");
	EXPECT_EQ(x(2), 4u); // EL1 may always
	load("mrs x1, dczid_el0\n svc #0\n");
	set_x(CPU_REG_PSTATE, 0);
	EXPECT_EQ(run_to_vector().ec(), 0x15u); // the SVC: no trap before it
	EXPECT_EQ(x(1), 4u);
}

TEST_F(Exception, ExclusivesPairAndClrex)
{
	write64(kData, 5);
	exec("ldxr x0, [x9]\n add x0, x0, #1\n stxr w1, x0, [x9]\n"      // succeeds
	     "ldaxr x2, [x9]\n clrex\n stlxr w3, x2, [x9]\n"              // fails after CLREX
	     "stxr w4, x2, [x9]\n"                                          // fails: no LDXR
	     "ldxp x5, x6, [x10]\n stxp w7, x6, x5, [x10]\n"               // pair, swapped
	     "ldar w11, [x9]\n stlr w11, [x10]\n ldxr w12, [x9]\n stxr w13, w12, [x9]\n",
	     {{9, kData}, {10, kData + 0x40}});
	EXPECT_EQ(x(1), 0u);
	EXPECT_EQ(x(3), 1u);
	EXPECT_EQ(x(4), 1u);
	EXPECT_EQ(x(7), 0u);
	EXPECT_EQ(read64(kData), 6u);
	EXPECT_EQ(x(13), 0u);
}

TEST_F(Exception, ExclusiveMonitorIsClearedByExceptions)
{
	load("ldxr x0, [x9]\n svc #0\n");
	set_x(9, kData);
	run_to_vector();
	load("stxr w1, x0, [x9]\n wfi\n", kVectors + 0x1000);
	set_x(CPU_REG_PC, kVectors + 0x1000);
	run();
	EXPECT_EQ(x(1), 1u);
}

TEST_F(Exception, UnalignedExclusivesFault)
{
	enable_mmu_identity(); // even on Normal memory
	load("ldxr x0, [x9]\n");
	set_x(9, kData + 4);
	Taken t = run_to_vector();
	EXPECT_EQ(t.iss(), 0x21u);
	EXPECT_EQ(t.far, kData + 4);
}

// ---- MMU ----

// Builds 4 KiB-granule tables for 39-bit VAs (levels 1-3) in the test's RAM.
class Mmu : public Exception
{
      protected:
	uint64_t next_table = kPageTables + 0x10000;
	uint64_t new_table()
	{
		uint64_t t = next_table;
		next_table += 0x1000;
		fill(t, 0, 0x1000);
		return t;
	}
	// Maps one 4 KiB page; `attrs` are the descriptor's bits besides the address and type.
	void map(uint64_t root, uint64_t va, uint64_t pa, uint64_t attrs)
	{
		uint64_t table = root;
		for (int level = 1; level < 3; level++) {
			uint64_t slot = table + ((va >> (39 - 9 * level)) & 511) * 8;
			uint64_t desc = read64(slot);
			if (!(desc & 1)) {
				desc = new_table() | 3;
				write64(slot, desc);
			}
			table = desc & 0xfffffffff000ull;
		}
		write64(table + ((va >> 12) & 511) * 8, pa | attrs | 3);
	}
	static constexpr uint64_t AF = 1u << 10, EL0 = 1u << 6, RO = 1u << 7; // attribute index 0: normal memory
	static constexpr uint64_t PXN = 1ull << 53, UXN = 1ull << 54, ISH = 3u << 8;
	static constexpr uint64_t kHigh = 0xffffffc000000000ull; // the start of TTBR1's 39-bit range

	uint64_t ttbr0 = 0, ttbr1 = 0;
	// RAM identity-mapped through TTBR0 (code, vectors, data), the given extra mappings through
	// either, MMU on. TCR: T0SZ = T1SZ = 25, 4 KiB granules.
	void build_and_enable()
	{
		setup("msr mair_el1, x0\n msr tcr_el1, x1\n msr ttbr0_el1, x2\n msr ttbr1_el1, x3\n isb\n"
		      "mrs x4, sctlr_el1\n orr x4, x4, #1\n msr sctlr_el1, x4\n isb\n",
		      {{0, 0x00ff}, {1, 25 | 25u << 16 | 2ull << 30}, {2, ttbr0}, {3, ttbr1}});
	}
	void identity(uint64_t from, uint64_t length, uint64_t attrs)
	{
		for (uint64_t a = from; a < from + length; a += 0x1000)
			map(ttbr0, a, a, attrs);
	}
	void SetUp() override
	{
		Exception::SetUp();
		ttbr0 = new_table();
		ttbr1 = new_table();
		identity(kRamBase, 0x4000, AF | ISH);         // code
		identity(kSetup, 0x1000, AF | ISH);           // setup snippets
		identity(kVectors, 0x2000, AF | ISH);         // vectors
		identity(kData, 0x2000, AF | ISH | PXN | UXN); // data
		identity(kPageTables, 0x20000, AF | ISH | PXN | UXN); // so tests can edit them with the MMU on
	}
};

TEST_F(Mmu, HigherHalfKernelMappingAndUserMapping)
{
	map(ttbr1, kHigh + 0x5000, kData + 0x1000, AF | ISH | UXN);   // kernel data
	map(ttbr0, 0x10000, kData, AF | ISH | EL0 | UXN | PXN);        // user data
	map(ttbr0, 0x20000, kRamBase + 0x2000, AF | ISH | EL0 | RO);   // user code
	build_and_enable();
	exec("str x1, [x9]\n ldr x2, [x10]\n", {{1, 0x77}, {9, kHigh + 0x5008}, {10, 0x10000}});
	EXPECT_EQ(read64(kData + 0x1008), 0x77u);
	uint64_t va_read = 0;
	ASSERT_EQ(cpu->ops->read_memory(cpu, kHigh + 0x5008, &va_read, 8), 0) << error_message();
	EXPECT_EQ(va_read, 0x77u); // the debugger sees virtual addresses

	// User code at VA 0x20000 (physical kRamBase + 0x2000) stores to user data, then SVCs.
	std::vector<uint32_t> user = assemble("str x1, [x10]\n svc #3\n", 0x20000);
	ASSERT_EQ(cpu->ops->write_memory(cpu, 0x20000, user.data(), user.size() * 4), 0) << error_message();
	set_x(CPU_REG_PC, 0x20000);
	set_x(CPU_REG_PSTATE, 0);
	set_x(1, 0x99);
	Taken t = run_to_vector();
	EXPECT_EQ(t.ec(), (unsigned)EC_SVC);
	EXPECT_EQ(t.elr, 0x20008u);
	EXPECT_EQ(read64(kData), 0x99u);
}

TEST_F(Mmu, TranslationFaultsReportTheLevel)
{
	build_and_enable();
	load("ldr x0, [x9]\n");
	set_x(9, 0x7000000000ull - 8); // level 1 entry empty
	Taken t = run_to_vector();
	EXPECT_EQ(t.iss(), 0x05u); // translation fault, level 1
	EXPECT_EQ(t.far, 0x7000000000ull - 8);
	load("str x0, [x9]\n");
	set_x(9, kRamBase + 0x5000); // level 3 entry empty (the table exists)
	t = run_to_vector();
	EXPECT_EQ(t.iss(), 0x47u); // WnR, translation fault, level 3
	load("ldr x0, [x9]\n");
	set_x(9, 0xffff000000000000ull); // outside both 39-bit ranges
	EXPECT_EQ(run_to_vector().iss(), 0x04u);
}

TEST_F(Mmu, PermissionAndAccessFlagFaults)
{
	map(ttbr0, 0x10000, kData, AF | ISH | RO | UXN | PXN);   // read-only
	map(ttbr0, 0x11000, kData, ISH | UXN | PXN);             // access flag clear
	map(ttbr0, 0x12000, kData, AF | ISH | UXN | PXN);        // EL1 only
	map(ttbr0, 0x13000, kData, AF | ISH | EL0 | UXN | PXN);  // EL0 data, never code
	build_and_enable();
	load("str x0, [x9]\n");
	set_x(9, 0x10000);
	EXPECT_EQ(run_to_vector().iss(), 0x4fu); // WnR, permission fault, level 3
	load("ldr x0, [x9]\n");
	set_x(9, 0x11000);
	EXPECT_EQ(run_to_vector().iss(), 0x0bu); // access flag fault, level 3
	load("ldr x0, [x9]\n");
	set_x(9, 0x12000);
	set_x(CPU_REG_PSTATE, 0);
	Taken t = run_to_vector();
	EXPECT_EQ(t.ec(), (unsigned)EC_DABORT_LOWER);
	EXPECT_EQ(t.iss(), 0x0fu);
	// EL0 code page? kRamBase is EL1-only, so EL0 cannot even fetch... it is not UXN though:
	// fetching from an EL0-data page that is UXN is an instruction abort.
	set_x(CPU_REG_PC, 0x13000);
	set_x(CPU_REG_PSTATE, 0);
	t = run_to_vector();
	EXPECT_EQ(t.ec(), (unsigned)EC_IABORT_LOWER);
	EXPECT_EQ(t.iss(), 0x0fu);
	EXPECT_EQ(t.far, 0x13000u);
	// LDTR at EL1 uses EL0's permissions.
	load("ldtr x0, [x9]\n");
	set_x(9, 0x12000);
	EXPECT_EQ(run_to_vector().ec(), (unsigned)EC_DABORT_SAME);
}

TEST_F(Mmu, AtWritesParAndTlbiSeesNewTables)
{
	map(ttbr0, 0x10000, kData, AF | ISH | RO);
	build_and_enable();
	exec("at s1e1r, x9\n mrs x0, par_el1\n at s1e1w, x9\n mrs x1, par_el1\n at s1e0r, x9\n mrs x2, par_el1\n"
	     "ldr x3, [x9]\n",
	     {{9, 0x10008}});
	EXPECT_EQ(x(0), kData | 1u << 11 | 1u << 9 | 3u << 7 | 0xffull << 56); // RES1, NS (Non-secure state), SH
	EXPECT_EQ(x(1), 1u | 0x0fu << 1 | 1u << 11); // F, permission fault level 3
	EXPECT_EQ(x(2) & 1, 1u);
	// Remap the page and invalidate: the new mapping is used.
	write64(kData + 0x1000, 0xabcd);
	map(ttbr0, 0x10000, kData + 0x1000, AF | ISH | RO);
	exec("tlbi vmalle1\n dsb sy\n isb\n ldr x3, [x9]\n", {{9, 0x10000}});
	EXPECT_EQ(x(3), 0xabcdu);
}

TEST_F(Mmu, DcZvaZeroesABlock)
{
	fill(kData, 0xee, 0x100);
	build_and_enable();
	exec("dc zva, x9\n", {{9, kData + 0x47}});
	EXPECT_EQ(read64(kData + 0x38), 0xeeeeeeeeeeeeeeeeull);
	EXPECT_EQ(read64(kData + 0x40), 0u);
	EXPECT_EQ(read64(kData + 0x78), 0u);
	EXPECT_EQ(read64(kData + 0x80), 0xeeeeeeeeeeeeeeeeull);
}

// After a store has cached the page's translation, DC ZVA zeroes through it (the TLB fast path)
// exactly as through a walk: the whole block, nothing beside it.
TEST_F(Mmu, DcZvaAfterAStoreZeroesTheBlock)
{
	fill(kData, 0xee, 0x100);
	build_and_enable();
	exec("str x0, [x9, #8]\n dc zva, x9\n", {{0, 0x1234}, {9, kData + 0x80}});
	EXPECT_EQ(read64(kData + 0x78), 0xeeeeeeeeeeeeeeeeull);
	EXPECT_EQ(read64(kData + 0x80), 0u);
	EXPECT_EQ(read64(kData + 0x88), 0u);
	EXPECT_EQ(read64(kData + 0xb8), 0u);
	EXPECT_EQ(read64(kData + 0xc0), 0xeeeeeeeeeeeeeeeeull);
}

// DC ZVA to Device memory is an alignment fault (Arm ARM, DC ZVA), also when an aligned store
// has just cached the page's translation.
TEST_F(Mmu, DcZvaToDeviceMemoryFaultsAfterAStore)
{
	static constexpr uint64_t kDevice = 0x20000, DEVICE = 1u << 2; // attribute index 1: MAIR 0x00
	map(ttbr0, kDevice, kData + 0x1000, AF | ISH | PXN | UXN | DEVICE);
	fill(kData + 0x1000, 0xee, 0x100);
	build_and_enable();
	load("str x0, [x9]\n dc zva, x9\n");
	set_x(9, kDevice + 0x40);
	Taken t = run_to_vector();
	EXPECT_EQ(t.ec(), (unsigned)EC_DABORT_SAME);
	EXPECT_EQ(t.iss() & 0x3f, 0x21u); // alignment fault
	EXPECT_EQ(t.far, kDevice + 0x40);
	EXPECT_EQ(read64(kData + 0x1048), 0xeeeeeeeeeeeeeeeeull);
}

// ---- The ASID-tagged translation cache ----

// Two pages of data that tell which physical page a load went to; VA 0x10000 is remapped
// between them behind the TLB's back, so a load shows whether it used a cached entry.
class Tlb : public Mmu
{
      protected:
	static constexpr uint64_t NG = 1u << 11;
	static constexpr uint64_t kOld = 0x01d, kNew = 0x2e3;
	void SetUp() override
	{
		Mmu::SetUp();
		write64(kData, kOld);
		write64(kData + 0x1000, kNew);
	}
	// Loads from `va` after a TTBR0_EL1 write of `ttbr0_value` (table and ASID).
	uint64_t load_with(uint64_t ttbr0_value, uint64_t va)
	{
		exec("msr ttbr0_el1, x1\n isb\n ldr x3, [x9]\n", {{1, ttbr0_value}, {9, va}});
		return x(3);
	}
	uint64_t asid(uint64_t n)
	{
		return ttbr0 | n << 48;
	}
	void tlbi(const std::string &op, uint64_t operand)
	{
		exec("tlbi " + op + ", x0\n dsb sy\n isb\n", {{0, operand}});
	}
	static uint64_t operand(uint64_t asid, uint64_t va)
	{
		return asid << 48 | va >> 12;
	}
};

TEST_F(Tlb, AsidSwitchKeepsEachAddressSpacesEntries)
{
	map(ttbr0, 0x10000, kData, AF | ISH | NG | UXN | PXN);
	build_and_enable();
	EXPECT_EQ(load_with(asid(1), 0x10000), kOld);
	map(ttbr0, 0x10000, kData + 0x1000, AF | ISH | NG | UXN | PXN); // no TLBI
	EXPECT_EQ(load_with(asid(2), 0x10000), kNew); // another ASID walks the tables
	EXPECT_EQ(load_with(asid(1), 0x10000), kOld); // ASID 1's entry survived the switches
	tlbi("aside1", operand(2, 0));
	EXPECT_EQ(load_with(asid(1), 0x10000), kOld); // only ASID 2's entries went
	tlbi("aside1is", operand(1, 0));
	EXPECT_EQ(load_with(asid(1), 0x10000), kNew);
}

TEST_F(Tlb, GlobalEntriesSurviveAsidInvalidationButNotInvalidationByVa)
{
	map(ttbr0, 0x10000, kData, AF | ISH | UXN | PXN); // global
	build_and_enable();
	EXPECT_EQ(load_with(asid(1), 0x10000), kOld);
	map(ttbr0, 0x10000, kData + 0x1000, AF | ISH | UXN | PXN);
	tlbi("aside1", operand(1, 0));
	EXPECT_EQ(load_with(asid(1), 0x10000), kOld); // ASIDE1 leaves global entries
	tlbi("vae1", operand(7, 0x10000)); // another ASID's VAE1 still drops the global entry
	EXPECT_EQ(load_with(asid(1), 0x10000), kNew);
}

TEST_F(Tlb, InvalidationByVaDropsOnlyThatPageInThatAsid)
{
	map(ttbr0, 0x10000, kData, AF | ISH | NG | UXN | PXN);
	map(ttbr0, 0x11000, kData, AF | ISH | NG | UXN | PXN);
	build_and_enable();
	EXPECT_EQ(load_with(asid(1), 0x10000), kOld);
	EXPECT_EQ(load_with(asid(1), 0x11000), kOld);
	EXPECT_EQ(load_with(asid(2), 0x10000), kOld);
	map(ttbr0, 0x10000, kData + 0x1000, AF | ISH | NG | UXN | PXN);
	map(ttbr0, 0x11000, kData + 0x1000, AF | ISH | NG | UXN | PXN);
	tlbi("vale1", operand(2, 0x10000)); // ASID 2, this page: not ASID 1's
	EXPECT_EQ(load_with(asid(1), 0x10000), kOld);
	EXPECT_EQ(load_with(asid(2), 0x10000), kNew);
	tlbi("vae1is", operand(1, 0x10000));
	EXPECT_EQ(load_with(asid(1), 0x10000), kNew);
	EXPECT_EQ(load_with(asid(1), 0x11000), kOld); // the next page stays
	tlbi("vaae1", operand(0, 0x11000)); // any ASID
	EXPECT_EQ(load_with(asid(1), 0x11000), kNew);
	map(ttbr0, 0x10000, kData, AF | ISH | NG | UXN | PXN);
	map(ttbr0, 0x11000, kData, AF | ISH | NG | UXN | PXN);
	tlbi("vaale1is", operand(0, 0x10000));
	EXPECT_EQ(load_with(asid(1), 0x10000), kOld);
	EXPECT_EQ(load_with(asid(1), 0x11000), kNew);
	exec("tlbi vmalle1is\n dsb sy\n isb\n");
	EXPECT_EQ(load_with(asid(1), 0x11000), kOld);
}

TEST_F(Tlb, InvalidationByVaDropsAWholeBlock)
{
	const uint64_t block = 0x200000, pa_old = kRamBase + 0xc00000, pa_new = kRamBase + 0xe00000;
	write64(pa_old + 0x5000, kOld); // written before the MMU is on: these are not mapped 1:1
	write64(pa_new + 0x5000, kNew);
	map(ttbr0, 0x10000, kData, AF | ISH | NG | UXN | PXN); // makes the level 2 table of VA 0
	uint64_t level2 = read64(ttbr0) & 0xfffffffff000ull;
	write64(level2 + 8, pa_old | AF | ISH | NG | UXN | PXN | 1); // a 2 MiB block at VA 0x200000
	build_and_enable();
	EXPECT_EQ(load_with(asid(1), block + 0x5000), kOld);
	write64(level2 + 8, pa_new | AF | ISH | NG | UXN | PXN | 1);
	tlbi("vae1", operand(1, block + 0x1ff000)); // the block's last page
	EXPECT_EQ(load_with(asid(1), block + 0x5000), kNew);
}

TEST_F(Tlb, AsidComesFromTtbr1WithA1AndHas8BitsWithoutAs)
{
	map(ttbr0, 0x10000, kData, AF | ISH | NG | UXN | PXN);
	build_and_enable();
	EXPECT_EQ(load_with(asid(0x001), 0x10000), kOld);
	map(ttbr0, 0x10000, kData + 0x1000, AF | ISH | NG | UXN | PXN);
	EXPECT_EQ(load_with(asid(0x101), 0x10000), kOld); // TCR_EL1.AS = 0: the same 8-bit ASID
	// 16-bit ASIDs, taken from TTBR1_EL1: TTBR0's ASID field no longer matters.
	exec("mrs x0, tcr_el1\n orr x0, x0, x1\n msr tcr_el1, x0\n msr ttbr1_el1, x2\n isb\n",
	     {{1, 1ull << 36 | 1ull << 22}, {2, ttbr1 | 0x101ull << 48}});
	EXPECT_EQ(load_with(asid(5), 0x10000), kNew); // the TCR change emptied the TLB
	map(ttbr0, 0x10000, kData, AF | ISH | NG | UXN | PXN);
	EXPECT_EQ(load_with(asid(6), 0x10000), kNew); // still ASID 0x101: the stale entry
	exec("msr ttbr1_el1, x2\n isb\n", {{2, ttbr1 | 0x001ull << 48}});
	EXPECT_EQ(load_with(asid(6), 0x10000), kOld); // ASID 0x001 now differs from 0x101
}

TEST_F(Mmu, UnprivilegedLoadsAndStoresUseEl0Permissions)
{
	map(ttbr0, 0x10000, kData, AF | ISH | EL0 | UXN | PXN);
	write64(kData, 0x1234);
	build_and_enable();
	// Twice: the second time through the EL0 software TLB the first one filled.
	exec("ldtr x0, [x9]\n sttr x0, [x9, #8]\n ldtr x1, [x9, #8]\n ldtrb w2, [x9, #1]\n"
	     "ldtr x3, [x9]\n sttrh w3, [x9, #16]\n ldtrsh x4, [x9, #16]\n",
	     {{9, 0x10000}});
	EXPECT_EQ(x(1), 0x1234u);
	EXPECT_EQ(x(2), 0x12u);
	EXPECT_EQ(x(4), 0x1234u);
	EXPECT_EQ(read64(kData + 8), 0x1234u);
}

TEST_F(Mmu, TopByteIgnoredOnlyWhenTbiIsSet)
{
	map(ttbr0, 0x10000, kData, AF | ISH | UXN | PXN);
	write64(kData + 8, 0x7777);
	build_and_enable();
	load("ldr x0, [x9]\n");
	set_x(9, 0x5a00000000010008ull);
	EXPECT_EQ(run_to_vector().iss(), 0x04u); // TBI0 = 0: the tag makes it a bad address
	setup("mrs x0, tcr_el1\n orr x0, x0, #(1 << 37)\n msr tcr_el1, x0\n isb\n");
	exec("ldr x0, [x9]\n", {{9, 0x5a00000000010008ull}});
	EXPECT_EQ(x(0), 0x7777u);
}

TEST_F(Mmu, ExecutingDataIsAnInstructionAbort)
{
	build_and_enable();
	write32(kData, 0xd503201f); // a NOP, in a page mapped PXN
	set_x(CPU_REG_PC, kData);
	Taken t = run_to_vector();
	EXPECT_EQ(t.ec(), (unsigned)EC_IABORT_SAME);
	EXPECT_EQ(t.iss(), 0x0fu); // permission fault, level 3
	EXPECT_EQ(t.far, kData);
}

// 16 KiB and 64 KiB granules: one page each, through TTBR0, 48-bit VAs (T0SZ 16).
TEST_F(Exception, SixteenAndSixtyFourKiBGranules)
{
	for (unsigned granule : {14u, 16u}) {
		uint64_t stride = granule - 3, root = kPageTables + 0x100000;
		uint64_t levels = (48 - granule + stride - 1) / stride, start = 4 - levels;
		uint64_t table_size = 1ull << granule, tables = root;
		fill(root, 0, 0x80000);
		auto map_page = [&](uint64_t va, uint64_t pa, uint64_t attrs) {
			uint64_t table = root;
			for (uint64_t level = start; level < 3; level++) {
				unsigned shift = (unsigned)(granule + (3 - level) * stride);
				uint64_t slot = table + ((va >> shift) & ((1ull << stride) - 1)) * 8;
				uint64_t desc = read64(slot);
				if (!(desc & 1)) {
					tables += table_size;
					desc = tables | 3;
					write64(slot, desc);
				}
				table = desc & 0xfffffffff000ull & ~(table_size - 1);
			}
			write64(table + ((va >> granule) & ((1ull << stride) - 1)) * 8, pa | attrs | 3);
		};
		uint64_t page = 1ull << granule;
		for (uint64_t a = kRamBase; a < kRamBase + 0x1000000; a += page)
			map_page(a, a, 1u << 10 | 3u << 8);
		map_page(0x0000123400000000ull, kData & ~(page - 1), 1u << 10 | 3u << 8);
		uint64_t tg0 = granule == 14 ? 2 : 1;
		setup("msr mair_el1, x0\n msr tcr_el1, x1\n msr ttbr0_el1, x2\n isb\n"
		      "mrs x4, sctlr_el1\n orr x4, x4, #1\n msr sctlr_el1, x4\n isb\n",
		      {{0, 0x00ff}, {1, 16 | tg0 << 14 | 1u << 23}, {2, root}});
		write64(kData + 0x10, 0x5151 + granule);
		exec("ldr x0, [x9]\n", {{9, 0x0000123400000000ull + (kData & (page - 1)) + 0x10}});
		EXPECT_EQ(x(0), 0x5151u + granule) << "granule " << granule;
		setup("mrs x4, sctlr_el1\n bic x4, x4, #1\n msr sctlr_el1, x4\n isb\n");
	}
}

} // namespace

namespace
{

// Random translation setups (TCR, TTBRs, descriptors) and random loads, stores and branches:
// whatever the tables say, the walker stays inside RAM and the host never crashes (run this
// under -DQVP_SANITIZE=ON to see every out-of-bounds access).
TEST_F(Exception, RandomPageTablesNeverCrashTheHost)
{
	uint64_t state = 0x2545f4914f6cdd1dull;
	auto next = [&state]() {
		state = state * 6364136223846793005ull + 1442695040888963407ull;
		return state ^ (state >> 31);
	};
	// Descriptors that point back into the table area half of the time.
	for (uint64_t a = kPageTables; a < kPageTables + 0x40000; a += 8) {
		uint64_t d = next();
		if (next() % 2)
			d = (d & ~0x0000fffffffff000ull) | ((kPageTables + (next() % 0x40) * 0x1000) & 0x0000fffffffff000ull);
		write64(a, d);
	}
	const std::vector<uint32_t> enable =
	    assemble("msr mair_el1, x0\n msr tcr_el1, x1\n msr ttbr0_el1, x2\n msr ttbr1_el1, x3\n isb\n"
	             "mrs x4, sctlr_el1\n orr x4, x4, #1\n msr sctlr_el1, x4\n isb\n .inst 0\n",
	             kSetup);
	for (int round = 0; round < 3000; round++) {
		cpu->ops->destroy(cpu); // a fresh CPU each round: MMU off, so the setup below runs from RAM
		cpu = iss_create(bus);
		ASSERT_NE(cpu, nullptr);
		uint32_t word = (uint32_t)next();
		word = (word & ~(1u << 25)) | 1u << 27; // the load/store space
		load_words(enable, kSetup);
		write32(kSetup + 36, word);
		for (int n = 5; n < 31; n++)
			set_x(n, next() % 2 ? kPageTables + next() % 0x40000 : next());
		set_x(0, next());
		set_x(1, next());
		set_x(2, kPageTables + (next() % 0x40) * 0x1000);
		set_x(3, kPageTables + (next() % 0x40) * 0x1000);
		cpu_run_result r = run(60);
		ASSERT_NE(r.reason, CPU_STOP_FATAL) << error_message();
		uint8_t byte;
		cpu->ops->read_memory(cpu, next(), &byte, 1); // may fail; must not crash
		cpu->ops->read_memory(cpu, kPageTables + next() % 0x40000, &byte, 1);
	}
}

} // namespace
