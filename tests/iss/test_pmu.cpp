// The performance monitors: PMUv3 with no event counters and a cycle counter that counts
// retired instructions; EL0 access under PMUSERENR_EL0, the EL filter, overflow, the divider.
#include "iss_harness.h"

using namespace iss_test;

namespace
{

constexpr uint64_t kCycleBit = 1ull << 31;       // PMCNTEN, PMOVS, PMINTEN bit of the cycle counter
constexpr uint64_t kPmcrE = 1, kPmcrC = 4, kPmcrD = 8, kPmcrLc = 64;
constexpr uint64_t kFilterEl1 = 1ull << 31, kFilterEl0 = 1ull << 30; // PMCCFILTR_EL0.P, .U
constexpr uint64_t kUserEn = 1, kUserSw = 2, kUserCr = 4, kUserEr = 8; // PMUSERENR_EL0

class Pmu : public IssTest
{
      protected:
	void SetUp() override
	{
		IssTest::SetUp();
		install_vectors();
	}
	// Enables the cycle counter with PMCR_EL0 = `pmcr` (E is added) and the given filter.
	void enable(uint64_t pmcr = 0, uint64_t filter = 0)
	{
		setup("msr pmccfiltr_el0, x2\n msr pmcr_el0, x0\n msr pmcntenset_el0, x1\n",
		      {{0, pmcr | kPmcrE}, {1, kCycleBit}, {2, filter}});
	}
	// Runs `source` at EL0 until it traps to EL1 and returns what the vectors saw.
	Taken at_el0(const std::string &source)
	{
		load(source);
		set_x(CPU_REG_PSTATE, 0);
		run(1000);
		return taken();
	}
};

TEST_F(Pmu, IdRegistersDescribeAPmuWithOnlyTheCycleCounter)
{
	exec("mrs x0, id_aa64dfr0_el1\n mrs x1, pmcr_el0\n mrs x2, pmceid0_el0\n mrs x3, pmceid1_el0\n");
	EXPECT_EQ((x(0) >> 8) & 0xf, 1u);          // PMUVer: PMUv3 (v8.0)
	EXPECT_EQ((x(1) >> 11) & 0x1f, 0u);        // PMCR_EL0.N: no event counters
	EXPECT_EQ(x(1) >> 16, 0x4101u);            // IMP Arm, IDCODE Cortex-A57
	EXPECT_EQ(x(1) & kPmcrE, 0u);              // disabled out of reset
	EXPECT_EQ(x(2), 1ull << 0x11);             // CPU_CYCLES, counted by PMCCNTR_EL0
	EXPECT_EQ(x(3), 0u);
	// Event counter n >= PMCR_EL0.N does not exist.
	load("mrs x0, pmevcntr0_el0\n");
	run(10);
	EXPECT_EQ(taken().esr, 0x02000000u);
	load("msr pmevtyper0_el0, x0\n");
	run(10);
	EXPECT_EQ(taken().esr, 0x02000000u);
}

TEST_F(Pmu, CycleCounterCountsRetiredInstructions)
{
	enable();
	exec("mrs x0, pmccntr_el0\n nop\n nop\n add x5, x5, #1\n b 1f\n nop\n1: mrs x1, pmccntr_el0\n");
	EXPECT_EQ(x(1) - x(0), 5u); // mrs, nop, nop, add, b: the skipped nop does not count
	// Counting carries over run boundaries: one instruction per run gives the same figure.
	load("mrs x0, pmccntr_el0\n nop\n nop\n nop\n mrs x1, pmccntr_el0\n wfi\n");
	for (int k = 0; k < 5; k++)
		EXPECT_EQ(run(1).executed, 1u);
	EXPECT_EQ(x(1) - x(0), 4u);
}

TEST_F(Pmu, CounterStopsWhenDisabledAndResetsWithPmcrC)
{
	enable();
	exec("msr pmcntenclr_el0, x9\n mrs x0, pmccntr_el0\n nop\n nop\n mrs x1, pmccntr_el0\n mrs x2, pmcntenset_el0\n",
	     {{9, kCycleBit}});
	EXPECT_EQ(x(1), x(0));
	EXPECT_EQ(x(2), 0u);
	exec("msr pmcntenset_el0, x9\n msr pmcr_el0, x10\n nop\n mrs x0, pmccntr_el0\n mrs x1, pmcr_el0\n",
	     {{9, ~0ull}, {10, kPmcrE | kPmcrC}});
	EXPECT_EQ(x(0), 1u);           // reset by the MSR, then the NOP counted
	EXPECT_EQ(x(1) & kPmcrC, 0u);  // C reads as 0
	exec("msr pmcr_el0, xzr\n mrs x0, pmccntr_el0\n nop\n mrs x1, pmccntr_el0\n msr pmccntr_el0, x9\n"
	     "mrs x2, pmccntr_el0\n",
	     {{9, 0x123456789ull}});
	EXPECT_EQ(x(1), x(0)); // E = 0: stopped
	EXPECT_EQ(x(2), 0x123456789ull);
	exec("mrs x0, pmcntenset_el0\n mrs x1, pmcntenclr_el0\n");
	EXPECT_EQ(x(0), kCycleBit); // only the cycle counter's bit is implemented
	EXPECT_EQ(x(1), kCycleBit);
}

TEST_F(Pmu, FilterCountsOnlyTheSelectedExceptionLevels)
{
	enable(0, kFilterEl1);
	exec("mrs x0, pmccntr_el0\n nop\n nop\n mrs x1, pmccntr_el0\n");
	EXPECT_EQ(x(1), x(0)); // EL1 excluded
	uint64_t before = x(1);
	setup("msr pmuserenr_el0, x0\n", {{0, kUserCr}});
	Taken t = at_el0("mrs x0, pmccntr_el0\n nop\n nop\n nop\n mrs x1, pmccntr_el0\n svc #0\n");
	EXPECT_EQ(t.ec(), (unsigned)0x15);
	EXPECT_EQ(x(1) - x(0), 4u);
	EXPECT_EQ(x(0), before);
	exec("mrs x2, pmccntr_el0\n");
	EXPECT_EQ(x(2), x(1) + 1); // the second MRS counted; from the SVC on the CPU is at EL1
	// PMXEVTYPER_EL0 with PMSELR_EL0.SEL = 31 is PMCCFILTR_EL0; NSK, NSU, NSH, M are RES0 here.
	exec("msr pmselr_el0, x9\n msr pmxevtyper_el0, x10\n mrs x0, pmccfiltr_el0\n mrs x1, pmxevtyper_el0\n",
	     {{9, 31}, {10, ~0ull}});
	EXPECT_EQ(x(0), kFilterEl1 | kFilterEl0);
	EXPECT_EQ(x(1), kFilterEl1 | kFilterEl0);
	exec("msr pmselr_el0, xzr\n mrs x0, pmxevtyper_el0\n mrs x1, pmxevcntr_el0\n");
	EXPECT_EQ(x(0), 0u); // selects no counter
	EXPECT_EQ(x(1), 0u);
}

TEST_F(Pmu, OverflowSetsTheFlagAt32BitsOrWithLcAt64)
{
	enable();
	exec("msr pmccntr_el0, x9\n nop\n nop\n mrs x0, pmovsset_el0\n mrs x1, pmccntr_el0\n", {{9, 0xfffffffeull}});
	EXPECT_EQ(x(0), kCycleBit);
	EXPECT_EQ(x(1), 0x100000001ull); // the 64-bit counter goes on; LC = 0 only moves the overflow
	exec("msr pmovsclr_el0, x9\n mrs x0, pmovsclr_el0\n", {{9, kCycleBit}});
	EXPECT_EQ(x(0), 0u);
	enable(kPmcrLc);
	exec("msr pmccntr_el0, x9\n nop\n mrs x0, pmovsset_el0\n msr pmccntr_el0, x10\n nop\n nop\n"
	     "mrs x1, pmovsset_el0\n mrs x2, pmccntr_el0\n",
	     {{9, 0xfffffff0ull}, {10, ~0ull - 1}});
	EXPECT_EQ(x(0), 0u); // no 32-bit overflow with LC
	EXPECT_EQ(x(1), kCycleBit);
	EXPECT_EQ(x(2), 1u);
	exec("msr pmovsclr_el0, x9\n msr pmovsset_el0, x9\n mrs x0, pmovsclr_el0\n", {{9, ~0ull}});
	EXPECT_EQ(x(0), kCycleBit);
}

TEST_F(Pmu, DividerCountsEvery64Instructions)
{
	enable(kPmcrD);
	exec("msr pmccntr_el0, xzr\n mov x2, #128\n1: subs x2, x2, #1\n b.ne 1b\n mrs x0, pmccntr_el0\n");
	EXPECT_EQ(x(0), 4u); // 1 + 2 * 128 = 257 instructions after the write
	enable(kPmcrD | kPmcrLc);
	exec("msr pmccntr_el0, xzr\n nop\n nop\n mrs x0, pmccntr_el0\n");
	EXPECT_EQ(x(0), 2u); // LC: D is ignored
}

TEST_F(Pmu, El0AccessFollowsPmuserenr)
{
	enable();
	// PMUSERENR_EL0 = 0: the PMU registers trap to EL1 (EC 0x18), PMUSERENR_EL0 reads.
	Taken t = at_el0("mrs x1, pmuserenr_el0\n mrs x0, pmccntr_el0\n");
	EXPECT_EQ(t.ec(), (unsigned)EC_SYSREG);
	EXPECT_EQ(t.iss(), 0x30e41bu); // op0 3, op2 0, op1 3, CRn 9, Rt 0, CRm 13, read
	EXPECT_EQ(t.elr, kRamBase + 4);
	EXPECT_EQ(at_el0("msr pmcr_el0, x0\n").ec(), (unsigned)EC_SYSREG);
	EXPECT_EQ(at_el0("msr pmuserenr_el0, x0\n").esr, 0x02000000u); // never writable at EL0
	EXPECT_EQ(at_el0("mrs x0, pmintenset_el1\n").esr, 0x02000000u); // EL1 only
	// CR: PMCCNTR_EL0 readable, not writable; ER: PMSELR_EL0 and PMXEVCNTR_EL0; SW: PMSWINC_EL0.
	setup("msr pmuserenr_el0, x0\n", {{0, kUserCr}});
	EXPECT_EQ(at_el0("mrs x0, pmccntr_el0\n msr pmccntr_el0, x0\n").elr, kRamBase + 4);
	setup("msr pmuserenr_el0, x0\n", {{0, kUserEr}});
	EXPECT_EQ(at_el0("msr pmselr_el0, x0\n mrs x0, pmxevcntr_el0\n mrs x0, pmcr_el0\n").elr, kRamBase + 8);
	setup("msr pmuserenr_el0, x0\n", {{0, kUserSw}});
	t = at_el0("msr pmswinc_el0, x0\n mrs x0, pmswinc_el0\n");
	EXPECT_EQ(t.esr, 0x02000000u); // PMSWINC_EL0 is write-only: the MRS is UNDEFINED
	EXPECT_EQ(t.elr, kRamBase + 4);
	// EN: everything but PMINTEN.
	setup("msr pmuserenr_el0, x0\n", {{0, kUserEn}});
	t = at_el0("mrs x1, pmuserenr_el0\n msr pmcr_el0, x9\n mrs x2, pmcr_el0\n msr pmccntr_el0, xzr\n"
	           "mrs x3, pmccntr_el0\n msr pmovsclr_el0, x9\n msr pmselr_el0, xzr\n svc #0\n");
	EXPECT_EQ(t.ec(), (unsigned)0x15);
	EXPECT_EQ(x(1), kUserEn);
	EXPECT_EQ(x(3), 0u); // PMCR_EL0 written as 0 at EL0 stopped the counter
	exec("mrs x0, pmuserenr_el0\n msr pmintenset_el1, x9\n mrs x1, pmintenclr_el1\n", {{9, ~0ull}});
	EXPECT_EQ(x(0), kUserEn);
	EXPECT_EQ(x(1), kCycleBit);
}

} // namespace
