// The SIMD&FP access controls and the fault behaviour of the SIMD&FP loads and stores: what
// the Arm ARM says for CPACR_EL1.FPEN (EC 0x07), FPCR/FPSR's writable bits, and that a
// faulting load leaves its registers alone. The arithmetic itself is compared with Unicorn
// (test_fp_oracle.cpp) and, in whole programs, with QEMU (the fp_math firmware).
#include "iss_harness.h"
#include "iss.h"

using namespace iss_test;

namespace
{

constexpr unsigned EC_FP_ACCESS = 0x07;
constexpr uint32_t kTrapIss = 0x1e00000; // CV = 1, COND = 0xe
constexpr uint64_t kFpenEl1 = 1ull << 20, kFpenAll = 3ull << 20;

class Fp : public IssTest
{
      protected:
	void SetUp() override
	{
		IssTest::SetUp();
		install_vectors();
	}
	struct iss_arch_state state()
	{
		struct iss_arch_state s;
		iss_get_arch_state(cpu, &s);
		return s;
	}
};

TEST_F(Fp, EveryKindOfFpInstructionTrapsWhileFpenIsZero)
{
	// Out of reset FPEN is 0: the first FP instruction of each kind traps to EL1 with EC 0x07.
	const char *snippets[] = {"fadd s0, s1, s2\n",   "fmov d0, x1\n",  "ldr q0, [x1]\n", "stp d0, d1, [x1]\n",
	                          "ld1 {v0.4s}, [x1]\n", "mrs x0, fpcr\n", "msr fpsr, x0\n", "scvtf d0, x1\n"};
	for (const char *snippet : snippets) {
		load(std::string("nop\n") + snippet + "wfi\n");
		set_x(1, kData);
		Taken t = run_to_vector();
		EXPECT_EQ(t.ec(), EC_FP_ACCESS) << snippet;
		EXPECT_EQ(t.iss(), kTrapIss) << snippet;
		EXPECT_EQ(t.elr, kRamBase + 4) << snippet;
		EXPECT_EQ(t.offset, kCurrentSpx + kSync) << snippet;
	}
}

TEST_F(Fp, FpenOneTrapsEl0OnlyAndThreeTrapsNothing)
{
	set_cpacr(kFpenEl1);
	exec("fmov d0, #1.0\n fadd d1, d0, d0\n fmov x0, d1\n");
	EXPECT_EQ(x(0), 0x4000000000000000u); // 2.0 at EL1
	load("fmov d0, #1.0\n wfi\n");
	set_x(CPU_REG_PSTATE, 0x0); // EL0t
	Taken t = run_to_vector();
	EXPECT_EQ(t.ec(), EC_FP_ACCESS);
	EXPECT_EQ(t.offset, kLowerA64 + kSync);
	EXPECT_EQ(t.elr, kRamBase);

	set_cpacr(kFpenAll);
	load("fmov d0, #1.0\n fmov x0, d0\n mrs x1, fpcr\n svc #0\n");
	set_x(CPU_REG_PSTATE, 0x0);
	t = run_to_vector();
	EXPECT_EQ(t.ec(), 0x15u); // reached the SVC: FP and FPCR ran at EL0
	EXPECT_EQ(x(0), 0x3ff0000000000000u);
}

TEST_F(Fp, FpcrAndFpsrKeepOnlyTheirImplementedBits)
{
	set_cpacr(kFpenAll);
	exec("msr fpcr, x0\n msr fpsr, x0\n mrs x1, fpcr\n mrs x2, fpsr\n msr fpcr, xzr\n msr fpsr, xzr\n"
	     "mrs x3, fpcr\n mrs x4, fpsr\n",
	     {{0, ~0ull}});
	EXPECT_EQ(x(1), 0x07c00000u); // AHP, DN, FZ, RMode; no trap enables, no FZ16
	EXPECT_EQ(x(2), 0x0800009fu); // QC, IDC, IXC, UFC, OFC, DZC, IOC
	EXPECT_EQ(x(3), 0u);
	EXPECT_EQ(x(4), 0u);
}

TEST_F(Fp, CumulativeFlagsStayUntilCleared)
{
	set_cpacr(kFpenAll);
	// 1/0 raises DZC, 1/3 raises IXC; an exact addition afterwards clears neither.
	exec("fmov s0, #1.0\n fmov s1, #3.0\n fdiv s2, s0, s1\n fmov s3, wzr\n fdiv s4, s0, s3\n fadd s5, s0, s0\n"
	     "mrs x0, fpsr\n");
	EXPECT_EQ(x(0), 0x12u);
}

TEST_F(Fp, ScalarWritesZeroTheRestOfTheRegisterAndFmovTopHalfDoesNot)
{
	set_cpacr(kFpenAll);
	exec("mov x0, #-1\n fmov d0, x0\n fmov v0.d[1], x0\n fmov v1.d[1], x0\n fmov s1, w0\n"
	     "fmov v2.d[1], x0\n fmov d2, x0\n fmov v3.d[1], x0\n fneg s3, s1\n");
	struct iss_arch_state s = state();
	EXPECT_EQ(s.v[0][0], ~0ull);
	EXPECT_EQ(s.v[0][1], ~0ull);
	EXPECT_EQ(s.v[1][0], 0xffffffffull); // FMOV S zeroed bits 127:32
	EXPECT_EQ(s.v[1][1], 0u);
	EXPECT_EQ(s.v[2][1], 0u);            // FMOV D zeroed bits 127:64
	EXPECT_EQ(s.v[3][0], 0x7fffffffull); // FNEG of a NaN flips the sign, nothing else
	EXPECT_EQ(s.v[3][1], 0u);
}

TEST_F(Fp, QuadLoadsAndStoresFollowTheAlignmentRules)
{
	set_cpacr(kFpenAll);
	enable_mmu_identity(); // Normal memory, SCTLR_EL1.A = 0: an 8-aligned Q access is fine
	for (int k = 0; k < 32; k++)
		write32(kData + 4 * k, 0x11111111u * (uint32_t)(k % 16));
	exec("ldr q0, [x1, #8]\n str q0, [x1, #40]\n add x4, x1, #8\n ldp q1, q2, [x4]\n fmov x2, d0\n fmov x3, "
	     "v0.d[1]\n",
	     {{1, kData}});
	EXPECT_EQ(x(2), 0x3333333322222222u);
	EXPECT_EQ(x(3), 0x5555555544444444u);
	EXPECT_EQ(read64(kData + 40), 0x3333333322222222u);
	EXPECT_EQ(read64(kData + 48), 0x5555555544444444u);

	// SCTLR_EL1.A = 1: the same Q load is an alignment fault (DFSC 0x21, FAR the address),
	// and q5 keeps its value.
	setup("mrs x0, sctlr_el1\n orr x0, x0, #2\n msr sctlr_el1, x0\n isb\n fmov d5, x1\n fmov v5.d[1], x1\n",
	      {{1, 0x5a5a5a5a5a5a5a5aull}});
	load("ldr q5, [x1, #8]!\n wfi\n");
	set_x(1, kData);
	Taken t = run_to_vector();
	EXPECT_EQ(t.ec(), 0x25u);
	EXPECT_EQ(t.iss() & 0x3f, 0x21u);
	EXPECT_EQ(t.far, kData + 8);
	EXPECT_EQ(x(1), kData); // no writeback
	struct iss_arch_state s = state();
	EXPECT_EQ(s.v[5][0], 0x5a5a5a5a5a5a5a5au);
	EXPECT_EQ(s.v[5][1], 0x5a5a5a5a5a5a5a5au);
}

TEST_F(Fp, AFaultingLoadChangesNoRegister)
{
	set_cpacr(kFpenAll);
	setup("fmov d0, x0\n fmov d1, x1\n fmov d2, x2\n",
	      {{0, 0x1111111111111111ull}, {1, 0x2222222222222222ull}, {2, 0x3333333333333333ull}});
	// The second register of the pair, and the last structure element, lie past the end of RAM.
	const uint64_t end = kRamBase + kRamSize;
	const char *snippets[] = {"ldp q0, q1, [x1], #32\n", "ld1 {v0.16b, v1.16b, v2.16b}, [x1], #48\n",
	                          "ld3 {v0.s, v1.s, v2.s}[1], [x1]\n"};
	const uint64_t bases[] = {end - 16, end - 32, end - 8};
	for (int k = 0; k < 3; k++) {
		load(std::string(snippets[k]) + "wfi\n");
		set_x(1, bases[k]);
		Taken t = run_to_vector();
		EXPECT_EQ(t.ec(), 0x25u) << snippets[k];
		EXPECT_EQ(x(1), bases[k]) << snippets[k];
		struct iss_arch_state s = state();
		for (int r = 0; r < 3; r++)
			EXPECT_EQ(s.v[r][0], 0x0101010101010101ull * (uint64_t)(0x11 * (r + 1))) << snippets[k];
	}
}

} // namespace
