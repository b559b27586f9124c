// The AdvSIMD instructions' access control and sticky state, as the Arm ARM states them:
// every group traps to EL1 with EC 0x07 while CPACR_EL1.FPEN forbids SIMD&FP at the current
// EL, and FPSR.QC, once set by a saturating instruction, stays until software clears it.
// Lane results are compared with Unicorn (test_simd_oracle.cpp) and, in whole programs, with
// QEMU (test_simd_firmware.cpp).
#include "iss_harness.h"

using namespace iss_test;

namespace
{

constexpr unsigned EC_FP_ACCESS = 0x07;
constexpr uint32_t kTrapIss = 0x1e00000; // CV = 1, COND = 0xe
constexpr uint64_t kFpenEl1 = 1ull << 20, kFpenAll = 3ull << 20;
constexpr uint64_t kQc = 1ull << 27;

class Simd : public IssTest
{
      protected:
	void SetUp() override
	{
		IssTest::SetUp();
		install_vectors();
	}
};

// One instruction of each AdvSIMD group of the decoder, vector and scalar.
const char *const kOnePerGroup[] = {
    "add v0.16b, v1.16b, v2.16b\n", // three same
    "and v0.8b, v1.8b, v2.8b\n",    // three same, logical
    "cnt v0.16b, v1.16b\n",         // two-register misc
    "addv b0, v1.16b\n",            // across lanes
    "umull v0.8h, v1.8b, v2.8b\n",  // three different
    "umov w0, v1.b[3]\n",           // copy, to a general register
    "dup v0.4s, w1\n",              // copy, from a general register
    "movi v0.16b, #0x55\n",         // modified immediate
    "ushr v0.4s, v1.4s, #3\n",      // shift by immediate
    "mul v0.8h, v1.8h, v2.h[1]\n",  // by element
    "zip1 v0.16b, v1.16b, v2.16b\n", // permute
    "ext v0.16b, v1.16b, v2.16b, #3\n",
    "tbl v0.16b, {v1.16b}, v2.16b\n",
    "fadd v0.4s, v1.4s, v2.4s\n",   // FP three same
    "fcvtzs v0.2d, v1.2d\n",        // FP misc
    "add d0, d1, d2\n",             // scalar three same
    "addp d0, v1.2d\n",             // scalar pairwise
    "sqxtn b0, h1\n",               // scalar misc
    "ushr d0, d1, #7\n",            // scalar shift by immediate
    "sqdmulh s0, s1, v2.s[1]\n",    // scalar by element
};

TEST_F(Simd, EveryGroupTrapsWhileFpenIsZero)
{
	for (const char *snippet : kOnePerGroup) {
		load(std::string("nop\n") + snippet + "wfi\n");
		set_x(0, 0x1234);
		Taken t = run_to_vector();
		EXPECT_EQ(t.ec(), EC_FP_ACCESS) << snippet;
		EXPECT_EQ(t.iss(), kTrapIss) << snippet;
		EXPECT_EQ(t.elr, kRamBase + 4) << snippet;
		EXPECT_EQ(x(0), 0x1234u) << snippet << ": a trapped UMOV must not write x0";
	}
}

TEST_F(Simd, EveryGroupRunsAtEl0WithFpenThreeOnly)
{
	set_cpacr(kFpenEl1);
	for (const char *snippet : kOnePerGroup) {
		exec(snippet); // EL1: allowed by FPEN = 01
		load(std::string(snippet) + "svc #0\n");
		set_x(CPU_REG_PSTATE, 0x0); // EL0t
		Taken t = run_to_vector();
		EXPECT_EQ(t.ec(), EC_FP_ACCESS) << snippet;
		EXPECT_EQ(t.offset, kLowerA64 + kSync) << snippet;
		EXPECT_EQ(t.elr, kRamBase) << snippet;
	}
	set_cpacr(kFpenAll);
	for (const char *snippet : kOnePerGroup) {
		load(std::string(snippet) + "svc #0\n");
		set_x(CPU_REG_PSTATE, 0x0);
		Taken t = run_to_vector();
		EXPECT_EQ(t.ec(), 0x15u) << snippet << ": should have reached the SVC";
	}
}

TEST_F(Simd, SaturationSetsQcWhichStaysUntilCleared)
{
	set_cpacr(kFpenAll);
	// 0x7f + 1 saturates in a signed byte; the ADD and the non-saturating SQADD after it leave QC set.
	exec("msr fpsr, xzr\n movi v1.16b, #0x7f\n movi v2.16b, #1\n sqadd v0.16b, v1.16b, v2.16b\n"
	     "mrs x0, fpsr\n add v3.16b, v1.16b, v2.16b\n sqadd v4.16b, v2.16b, v2.16b\n mrs x1, fpsr\n"
	     "msr fpsr, xzr\n sqadd v4.16b, v2.16b, v2.16b\n mrs x2, fpsr\n umov w3, v0.b[15]\n");
	EXPECT_EQ(x(0), kQc);
	EXPECT_EQ(x(1), kQc);
	EXPECT_EQ(x(2), 0u);
	EXPECT_EQ(x(3), 0x7fu); // saturated at the signed maximum
}

TEST_F(Simd, SixtyFourBitFormsZeroTheUpperHalf)
{
	set_cpacr(kFpenAll);
	exec("movi v0.2d, #0xffffffffffffffff\n movi v1.2d, #0xffffffffffffffff\n add v0.8b, v1.8b, v1.8b\n"
	     "mov x0, v0.d[1]\n movi v2.2d, #0xffffffffffffffff\n ushr d2, d1, #4\n mov x1, v2.d[1]\n");
	EXPECT_EQ(x(0), 0u);
	EXPECT_EQ(x(1), 0u);
}

} // namespace
