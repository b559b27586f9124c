// Data processing: every expected value is the architecture's, computed here in plain C++.
#include "iss_harness.h"

using namespace iss_test;

namespace
{

class Data : public IssTest
{
};

const uint64_t kEdges[] = {
    0,
    1,
    2,
    0x7fffffffull,
    0x80000000ull,
    0xffffffffull,
    0x100000000ull,
    0x7fffffffffffffffull,
    0x8000000000000000ull,
    0xfffffffffffffffeull,
    0xffffffffffffffffull,
    0x123456789abcdef0ull,
};

uint64_t ror(uint64_t v, unsigned n, unsigned bits)
{
	uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
	v &= mask;
	n %= bits;
	return n ? ((v >> n) | (v << (bits - n))) & mask : v;
}

uint64_t sext(uint64_t v, unsigned bits)
{
	return (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
}

// ---- PC-relative ----

TEST_F(Data, AdrPointsAtItsLabel)
{
	exec("nop\n adr x0, target\n adr x1, _start\n b done\n target: nop\n done:");
	EXPECT_EQ(x(0), kRamBase + 16);
	EXPECT_EQ(x(1), kRamBase);
}

TEST_F(Data, AdrpIsPageOfPcPlusPages)
{
	// At 0x40000008 (not page aligned): ADRP x0, +2 pages; ADRP x1, -1 page.
	load_words({0xd503201f, 0xd503201f, 0xd0000000, 0xf0ffffe1, 0xd503207f});
	rerun();
	EXPECT_EQ(x(0), kRamBase + 0x2000);
	EXPECT_EQ(x(1), kRamBase - 0x1000);
}

TEST_F(Data, AdrpResolvedByTheLinker)
{
	exec("adrp x0, far\n add x0, x0, :lo12:far\n b done\n .balign 4096\n .skip 0x123 * 4\nfar: nop\ndone:");
	EXPECT_EQ(x(0), kRamBase + 0x1000 + 0x123 * 4);
}

// ---- Add/subtract immediate ----

TEST_F(Data, AddSubImmediateIncludingShiftedAndSp)
{
	exec("add x0, x1, #0xfff\n"
	     "add x2, x1, #0x123, lsl #12\n"
	     "sub x3, x1, #1\n"
	     "add sp, sp, #0x10\n"
	     "mov x4, sp\n"
	     "sub x5, sp, #1, lsl #12\n"
	     "add w6, w7, #1\n",
	     {{1, 0x1000}, {CPU_REG_SP, kData}, {7, 0xffffffffffffffffull}});
	EXPECT_EQ(x(0), 0x1fffu);
	EXPECT_EQ(x(2), 0x1000u + 0x123000u);
	EXPECT_EQ(x(3), 0xfffu);
	EXPECT_EQ(sp(), kData + 0x10);
	EXPECT_EQ(x(4), kData + 0x10);
	EXPECT_EQ(x(5), kData + 0x10 - 0x1000);
	EXPECT_EQ(x(6), 0u); // 32-bit wraps and the top half is zero
}

TEST_F(Data, AddsSubsImmediateFlagsAtBoundaries)
{
	load("adds x0, x1, #1\n wfi\n subs x2, x1, #1\n wfi\n adds w3, w1, #1\n wfi\n subs w4, w1, #1\n wfi\n");
	for (uint64_t a : kEdges) {
		uint64_t expected;
		unsigned flags;

		set_x(1, a);
		set_x(CPU_REG_PC, kRamBase);
		ASSERT_EQ(run().reason, CPU_STOP_WFI);
		flags = reference_add_flags(a, 1, 0, 64, &expected);
		EXPECT_EQ(x(0), expected) << std::hex << a;
		EXPECT_EQ(nzcv(), flags) << "adds x, #1 of 0x" << std::hex << a;

		ASSERT_EQ(run().reason, CPU_STOP_WFI);
		flags = reference_add_flags(a, ~1ull, 1, 64, &expected);
		EXPECT_EQ(x(2), expected);
		EXPECT_EQ(nzcv(), flags) << "subs x, #1 of 0x" << std::hex << a;

		ASSERT_EQ(run().reason, CPU_STOP_WFI);
		flags = reference_add_flags(a, 1, 0, 32, &expected);
		EXPECT_EQ(x(3), expected);
		EXPECT_EQ(nzcv(), flags) << "adds w, #1 of 0x" << std::hex << a;

		ASSERT_EQ(run().reason, CPU_STOP_WFI);
		flags = reference_add_flags(a, ~1ull, 1, 32, &expected);
		EXPECT_EQ(x(4), expected);
		EXPECT_EQ(nzcv(), flags) << "subs w, #1 of 0x" << std::hex << a;
	}
}

TEST_F(Data, CmpCmnImmediateWriteOnlyFlags)
{
	exec("mov x0, #5\n cmp x0, #5\n", {});
	EXPECT_EQ(nzcv(), Z | C);
	EXPECT_EQ(x(0), 5u);
	exec("cmn x1, #1\n", {{1, ~0ull}});
	EXPECT_EQ(nzcv(), Z | C);
	exec("cmp w1, #1\n", {{1, 0x80000000ull}});
	EXPECT_EQ(nzcv(), C | V); // INT32_MIN - 1 overflows
}

// ---- Logical immediate ----

TEST_F(Data, LogicalImmediates)
{
	exec("and x0, x1, #0x00ff00ff00ff00ff\n"
	     "orr x2, xzr, #0x5555555555555555\n"
	     "eor x3, x1, #0xfffffffffffffffe\n"
	     "and w4, w1, #0x0f0f0f0f\n"
	     "orr w5, w1, #0x80000001\n"
	     "and sp, x1, #0xffffffffffff0000\n"
	     "eor w6, w1, #0x1\n",
	     {{1, 0x123456789abcdef0ull}});
	EXPECT_EQ(x(0), 0x123456789abcdef0ull & 0x00ff00ff00ff00ffull);
	EXPECT_EQ(x(2), 0x5555555555555555ull);
	EXPECT_EQ(x(3), 0x123456789abcdef0ull ^ 0xfffffffffffffffeull);
	EXPECT_EQ(x(4), 0x9abcdef0ull & 0x0f0f0f0full);
	EXPECT_EQ(x(5), (0x9abcdef0ull | 0x80000001ull));
	EXPECT_EQ(sp(), 0x123456789abc0000ull);
	EXPECT_EQ(x(6), 0x9abcdef1ull);
}

TEST_F(Data, AndsTstImmediateFlags)
{
	exec("ands x0, x1, #0x8000000000000000\n", {{1, 0x8000000000000001ull}});
	EXPECT_EQ(x(0), 0x8000000000000000ull);
	EXPECT_EQ(nzcv(), N);
	set_nzcv(C | V); // ANDS clears C and V
	load("tst w1, #0xff\n wfi");
	rerun({{1, 0xffffff00ull}});
	EXPECT_EQ(nzcv(), Z);
}

// Every valid 64-bit bitmask immediate, encoded here from (element size, ones, rotation)
// and checked against the pattern built the same way: AND X0, X1, #imm with X1 = ~0.
TEST_F(Data, EveryBitmaskImmediateDecodes)
{
	std::vector<uint32_t> program;
	std::vector<uint64_t> expected;
	for (unsigned esize = 2; esize <= 64; esize *= 2) {
		for (unsigned ones = 1; ones < esize; ones++) {
			for (unsigned rotation = 0; rotation < esize; rotation++) {
				uint64_t element = ror((1ull << ones) - 1, rotation, esize);
				uint64_t pattern = 0;
				for (unsigned at = 0; at < 64; at += esize)
					pattern |= element << at;
				unsigned n = esize == 64;
				unsigned imms = (~(2 * esize - 1) & 0x3f) | (ones - 1);
				program.push_back(0x92000000u | n << 22 | rotation << 16 | imms << 10 | 1 << 5 | 0);
				expected.push_back(pattern);
			}
		}
	}
	ASSERT_EQ(program.size(), 5334u); // the architecture's count of 64-bit logical immediates
	load_words(program);
	set_x(1, ~0ull);
	for (size_t k = 0; k < program.size(); k++) {
		ASSERT_EQ(run(1).reason, CPU_STOP_BUDGET) << error_message();
		ASSERT_EQ(x(0), expected[k]) << "word 0x" << std::hex << program[k];
	}
}

TEST_F(Data, ReservedBitmaskImmediateIsUndefined)
{
	// AND X0, X1, #imm with N=1, imms=0b111111: an all-ones element is not encodable.
	install_vectors();
	load_words({0x9240fc20u});
	run();
	Taken t = taken();
	EXPECT_TRUE(t.taken);
	EXPECT_EQ(t.ec(), (unsigned)EC_UNKNOWN);
	EXPECT_EQ(t.elr, kRamBase);
}

// ---- Move wide ----

TEST_F(Data, MoveWide)
{
	exec("movz x0, #0x1234, lsl #32\n"
	     "movn x1, #0x1234, lsl #16\n"
	     "movn w2, #0x1234\n"
	     "movk x3, #0xbeef, lsl #48\n"
	     "movk w4, #0xbeef, lsl #16\n"
	     "mov x5, #-2\n",
	     {{3, 0x1111222233334444ull}, {4, 0x1111222233334444ull}});
	EXPECT_EQ(x(0), 0x123400000000ull);
	EXPECT_EQ(x(1), ~(0x1234ull << 16));
	EXPECT_EQ(x(2), 0xffffedcbull);
	EXPECT_EQ(x(3), 0xbeef222233334444ull);
	EXPECT_EQ(x(4), 0xbeef4444ull);
	EXPECT_EQ(x(5), 0xfffffffffffffffeull);
}

// ---- Bitfield moves and extract ----

TEST_F(Data, BitfieldAliases)
{
	const uint64_t v = 0xf123456789abcdefull;
	exec("lsl x0, x1, #4\n lsr x2, x1, #60\n asr x3, x1, #8\n"
	     "ubfx x4, x1, #8, #12\n sbfx x5, x1, #60, #4\n sbfx x6, x1, #4, #8\n"
	     "mov x7, x9\n bfi x7, x1, #8, #12\n mov x8, x9\n bfxil x8, x1, #4, #8\n"
	     "sxtb x10, w1\n sxth x11, w1\n sxtw x12, w1\n uxtb w13, w1\n uxth w14, w1\n"
	     "ubfiz x15, x1, #60, #4\n sbfiz x16, x1, #3, #8\n",
	     {{1, v}, {9, 0xaaaaaaaaaaaaaaaaull}});
	EXPECT_EQ(x(0), v << 4);
	EXPECT_EQ(x(2), v >> 60);
	EXPECT_EQ(x(3), (uint64_t)((int64_t)v >> 8));
	EXPECT_EQ(x(4), (v >> 8) & 0xfff);
	EXPECT_EQ(x(5), sext(v >> 60, 4));
	EXPECT_EQ(x(6), sext((v >> 4) & 0xff, 8));
	EXPECT_EQ(x(7), (0xaaaaaaaaaaaaaaaaull & ~(0xfffull << 8)) | ((v & 0xfff) << 8));
	EXPECT_EQ(x(8), (0xaaaaaaaaaaaaaaaaull & ~0xffull) | ((v >> 4) & 0xff));
	EXPECT_EQ(x(10), sext(v & 0xff, 8));
	EXPECT_EQ(x(11), sext(v & 0xffff, 16));
	EXPECT_EQ(x(12), sext(v & 0xffffffff, 32));
	EXPECT_EQ(x(13), v & 0xff);
	EXPECT_EQ(x(14), v & 0xffff);
	EXPECT_EQ(x(15), (v & 0xf) << 60);
	EXPECT_EQ(x(16), sext(v & 0xff, 8) << 3);
}

TEST_F(Data, Bitfield32BitFormsZeroTheTopHalf)
{
	const uint64_t v = 0xffffffff80000010ull;
	exec("asr w0, w1, #4\n lsl w2, w1, #1\n lsr w3, w1, #31\n sbfx w4, w1, #4, #1\n"
	     "mov x5, x9\n bfi w5, w1, #28, #4\n sxtb w6, w1\n sxth w7, w10\n",
	     {{1, v}, {9, ~0ull}, {10, 0x8000}});
	EXPECT_EQ(x(0), 0xf8000001ull);
	EXPECT_EQ(x(2), 0x20ull);
	EXPECT_EQ(x(3), 1ull);
	EXPECT_EQ(x(4), 0xffffffffull);
	EXPECT_EQ(x(5), 0x0fffffffull);
	EXPECT_EQ(x(6), 0x10ull);
	EXPECT_EQ(x(7), 0xffff8000ull);
}

// The Arm ARM's SBFM/BFM/UBFM pseudo-code, bit by bit, for the exhaustive test below.
uint64_t reference_bitfield(unsigned opc, unsigned bits, unsigned immr, unsigned imms, uint64_t dst, uint64_t src)
{
	// DecodeBitMasks(N = sf, imms, immr, immediate = FALSE) with esize = datasize.
	unsigned s = imms, r = immr, d = (s - r) & (bits - 1);
	uint64_t welem = 0, telem = 0, wmask = 0, tmask = 0;
	for (unsigned k = 0; k <= s; k++)
		welem |= 1ull << k;
	for (unsigned k = 0; k <= d; k++)
		telem |= 1ull << k;
	for (unsigned k = 0; k < bits; k++) {
		if ((welem >> k) & 1)
			wmask |= 1ull << ((k + bits - r) % bits); // ROR by r
	}
	tmask = telem;
	uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
	src &= mask;
	dst = opc == 1 ? dst & mask : 0; // only BFM keeps the destination
	uint64_t rotated = ror(src, r, bits);
	uint64_t bot = (dst & ~wmask) | (rotated & wmask);
	uint64_t top = opc == 0 ? (((src >> s) & 1) ? mask : 0) : dst;
	return ((top & ~tmask) | (bot & tmask)) & mask;
}

// Every SBFM, BFM and UBFM encoding in both widths, on values with either top bit.
TEST_F(Data, EveryBitfieldEncoding)
{
	const uint64_t srcs[] = {0x8123456789abcdefull, 0x7edcba9876543210ull};
	const uint64_t dst = 0xa5a5a5a5a5a5a5a5ull;
	std::vector<uint32_t> program;
	struct Case {
		unsigned opc, bits, immr, imms;
	};
	std::vector<Case> cases;
	for (unsigned sf = 0; sf < 2; sf++) {
		unsigned bits = sf ? 64 : 32;
		for (unsigned opc = 0; opc < 3; opc++) {
			for (unsigned immr = 0; immr < bits; immr++) {
				for (unsigned imms = 0; imms < bits; imms++) {
					// sf opc 100110 N immr imms Rn=1 Rd=0
					program.push_back(sf << 31 | opc << 29 | 0x13000000u | sf << 22 | immr << 16 |
					                  imms << 10 | 1 << 5);
					cases.push_back({opc, bits, immr, imms});
				}
			}
		}
	}
	load_words(program);
	for (uint64_t src : srcs) {
		set_x(CPU_REG_PC, kRamBase);
		set_x(1, src);
		for (size_t k = 0; k < program.size(); k++) {
			const Case &c = cases[k];
			set_x(0, dst);
			ASSERT_EQ(run(1).reason, CPU_STOP_BUDGET) << error_message();
			ASSERT_EQ(x(0), reference_bitfield(c.opc, c.bits, c.immr, c.imms, dst, src))
			    << "opc " << c.opc << " bits " << c.bits << " immr " << c.immr << " imms " << c.imms;
		}
	}
}

TEST_F(Data, ExtractAndRotateImmediate)
{
	const uint64_t hi = 0x0123456789abcdefull, lo = 0xfedcba9876543210ull;
	exec("extr x0, x1, x2, #12\n ror x3, x1, #5\n extr w4, w1, w2, #8\n ror w5, w1, #31\n extr x6, x1, x2, #0\n",
	     {{1, hi}, {2, lo}});
	EXPECT_EQ(x(0), (lo >> 12) | (hi << 52));
	EXPECT_EQ(x(3), ror(hi, 5, 64));
	EXPECT_EQ(x(4), ((lo & 0xffffffff) >> 8 | (hi & 0xff) << 24));
	EXPECT_EQ(x(5), ror(hi & 0xffffffff, 31, 32));
	EXPECT_EQ(x(6), lo);
}

// ---- Logical shifted register ----

TEST_F(Data, LogicalShiftedRegister)
{
	const uint64_t a = 0xf0f0f0f0f0f0f0f0ull, b = 0x8000000000000ff1ull;
	exec("and x0, x1, x2\n bic x3, x1, x2, lsl #4\n orr x4, x1, x2, lsr #8\n orn x5, x1, x2, asr #4\n"
	     "eor x6, x1, x2, ror #4\n eon x7, x1, x2\n mvn x8, x2\n mov x9, x2\n"
	     "orr w10, w1, w2, ror #4\n bic w11, w1, w2, asr #31\n mov w12, w2\n",
	     {{1, a}, {2, b}});
	EXPECT_EQ(x(0), a & b);
	EXPECT_EQ(x(3), a & ~(b << 4));
	EXPECT_EQ(x(4), a | (b >> 8));
	EXPECT_EQ(x(5), a | ~(uint64_t)((int64_t)b >> 4));
	EXPECT_EQ(x(6), a ^ ror(b, 4, 64));
	EXPECT_EQ(x(7), a ^ ~b);
	EXPECT_EQ(x(8), ~b);
	EXPECT_EQ(x(9), b);
	EXPECT_EQ(x(10), (a & 0xffffffff) | ror(b & 0xffffffff, 4, 32));
	EXPECT_EQ(x(11), (a & 0xffffffff) & ~0ull & 0xffffffff); // b's bit 31 clear: asr gives 0
	EXPECT_EQ(x(12), b & 0xffffffff);
}

TEST_F(Data, AndsBicsTstFlags)
{
	exec("ands x0, x1, x2\n", {{1, 0xf0}, {2, 0x0f}});
	EXPECT_EQ(nzcv(), Z);
	set_nzcv(C | V);
	exec("bics x0, x1, x2\n", {{1, 0x8000000000000000ull}, {2, 0}});
	EXPECT_EQ(nzcv(), N);
	exec("tst w1, w2, lsl #31\n", {{1, 0x80000000ull}, {2, 1}});
	EXPECT_EQ(nzcv(), N);
}

// ---- Add/subtract shifted and extended register ----

TEST_F(Data, AddSubShiftedRegister)
{
	const uint64_t a = 0x1000, b = 0x8000000000000010ull;
	exec("add x0, x1, x2, lsl #3\n sub x3, x1, x2, lsr #4\n add x4, x1, x2, asr #4\n neg x5, x2\n"
	     "sub w6, w1, w2, asr #2\n add w7, w1, w2, lsl #31\n",
	     {{1, a}, {2, b}});
	EXPECT_EQ(x(0), a + (b << 3));
	EXPECT_EQ(x(3), a - (b >> 4));
	EXPECT_EQ(x(4), a + (uint64_t)((int64_t)b >> 4));
	EXPECT_EQ(x(5), 0 - b);
	EXPECT_EQ(x(6), (uint64_t)(uint32_t)(0x1000u - (0x10u >> 2)));
	EXPECT_EQ(x(7), 0x1000ull);
}

TEST_F(Data, AddsSubsRegisterFlagsTable)
{
	load("adds x0, x1, x2\n wfi\n subs x0, x1, x2\n wfi\n adds w0, w1, w2\n wfi\n subs w0, w1, w2\n wfi\n");
	for (uint64_t a : kEdges) {
		for (uint64_t b : kEdges) {
			struct {
				unsigned bits;
				bool sub;
			} forms[] = {{64, false}, {64, true}, {32, false}, {32, true}};
			set_x(1, a);
			set_x(2, b);
			set_x(CPU_REG_PC, kRamBase);
			for (auto form : forms) {
				uint64_t expected;
				unsigned flags =
				    reference_add_flags(a, form.sub ? ~b : b, form.sub, form.bits, &expected);
				ASSERT_EQ(run().reason, CPU_STOP_WFI);
				EXPECT_EQ(x(0), expected)
				    << std::hex << a << (form.sub ? " - " : " + ") << b << " " << form.bits;
				EXPECT_EQ(nzcv(), flags)
				    << std::hex << a << (form.sub ? " - " : " + ") << b << " " << form.bits;
			}
		}
	}
}

TEST_F(Data, AddSubExtendedRegisterWithSp)
{
	exec("add x0, sp, w1, uxtw #2\n"
	     "add x2, x3, w1, sxtw\n"
	     "add x4, x3, w1, sxtb #1\n"
	     "add x5, x3, w1, uxth #4\n"
	     "sub x6, x3, w1, sxth\n"
	     "add w7, w3, w1, uxtb\n"
	     "add x8, x3, x1, sxtx #3\n"
	     "sub sp, sp, w9, uxtw\n"
	     "add sp, sp, x10\n"
	     "mov x11, sp\n",
	     {{CPU_REG_SP, kData}, {1, 0xfffffffffffff9f8ull}, {3, 0x100000000ull}, {9, 0x20}, {10, 0x100}});
	const uint64_t m = 0xfffffffffffff9f8ull;
	EXPECT_EQ(x(0), kData + ((m & 0xffffffff) << 2));
	EXPECT_EQ(x(2), 0x100000000ull + sext(m & 0xffffffff, 32));
	EXPECT_EQ(x(4), 0x100000000ull + (sext(m & 0xff, 8) << 1));
	EXPECT_EQ(x(5), 0x100000000ull + ((m & 0xffff) << 4));
	EXPECT_EQ(x(6), 0x100000000ull - sext(m & 0xffff, 16));
	EXPECT_EQ(x(7), (uint64_t)(uint32_t)(0 + (m & 0xff)));
	EXPECT_EQ(x(8), 0x100000000ull + (m << 3));
	EXPECT_EQ(x(11), kData - 0x20 + 0x100);
	EXPECT_EQ(sp(), kData - 0x20 + 0x100);
}

TEST_F(Data, CmpWithSpAndExtendedFlags)
{
	exec("cmp sp, x1\n", {{CPU_REG_SP, kData}, {1, kData}});
	EXPECT_EQ(nzcv(), Z | C);
	exec("adds x0, x1, w2, sxtb\n", {{1, 1}, {2, 0xff}}); // 1 + (-1)
	EXPECT_EQ(x(0), 0u);
	EXPECT_EQ(nzcv(), Z | C);
}

// ---- Add/subtract with carry ----

TEST_F(Data, AdcSbcWithCarryInTable)
{
	load("adcs x0, x1, x2\n wfi\n sbcs x0, x1, x2\n wfi\n adcs w0, w1, w2\n wfi\n sbcs w0, w1, w2\n wfi\n");
	for (unsigned carry = 0; carry < 2; carry++) {
		for (uint64_t a : kEdges) {
			for (uint64_t b : kEdges) {
				struct {
					unsigned bits;
					bool sub;
				} forms[] = {{64, false}, {64, true}, {32, false}, {32, true}};
				set_x(1, a);
				set_x(2, b);
				set_x(CPU_REG_PC, kRamBase);
				for (auto form : forms) {
					uint64_t expected;
					unsigned flags =
					    reference_add_flags(a, form.sub ? ~b : b, carry, form.bits, &expected);
					set_nzcv(carry ? C : 0);
					ASSERT_EQ(run().reason, CPU_STOP_WFI);
					EXPECT_EQ(x(0), expected);
					EXPECT_EQ(nzcv(), flags)
					    << std::hex << a << (form.sub ? " - " : " + ") << b << " carry " << carry
					    << " bits " << std::dec << form.bits;
				}
			}
		}
	}
}

TEST_F(Data, AdcSbcLeaveFlagsAlone)
{
	set_nzcv(C);
	exec("adc x0, x1, x2\n sbc x3, x1, x2\n adc w4, w1, w2\n ngc x5, x2\n", {{1, ~0ull}, {2, 1}});
	EXPECT_EQ(x(0), 1u);        // ~0 + 1 + 1
	EXPECT_EQ(x(3), ~0ull - 1); // ~0 - 1 - 0
	EXPECT_EQ(x(4), 1u);
	EXPECT_EQ(x(5), 0 - 1ull); // 0 - 1 - 0
	EXPECT_EQ(nzcv(), C);
}

// ---- Conditional compare and select ----

TEST_F(Data, CcmpConditionTrueComparesFalseSetsImmediateFlags)
{
	set_nzcv(Z); // EQ holds
	exec("ccmp x1, x2, #0b1010, eq\n", {{1, 5}, {2, 7}});
	EXPECT_EQ(nzcv(), N); // 5 - 7: negative, borrow (C clear)
	set_nzcv(0);          // EQ fails
	exec("ccmp x1, x2, #0b1010, eq\n", {{1, 5}, {2, 7}});
	EXPECT_EQ(nzcv(), 0b1010u);
	set_nzcv(0);
	exec("ccmp w1, #31, #0b0101, ne\n", {{1, 31}});
	EXPECT_EQ(nzcv(), Z | C);
	set_nzcv(Z);
	exec("ccmp w1, #31, #0b0101, ne\n", {{1, 31}});
	EXPECT_EQ(nzcv(), 0b0101u);
	set_nzcv(0);
	exec("ccmn x1, x2, #0, al\n", {{1, 0x7fffffffffffffffull}, {2, 1}});
	EXPECT_EQ(nzcv(), N | V);
	set_nzcv(C);
	exec("ccmn w1, #1, #0b1111, cc\n", {{1, ~0ull}});
	EXPECT_EQ(nzcv(), 0b1111u);
}

TEST_F(Data, ConditionalSelectFamily)
{
	set_nzcv(Z);
	exec("csel x0, x1, x2, eq\n csel x3, x1, x2, ne\n csinc x4, x1, x2, ne\n csinv x5, x1, x2, ne\n"
	     "csneg x6, x1, x2, ne\n cset x7, eq\n csetm w8, eq\n cinc x9, x1, eq\n cneg w10, w1, eq\n"
	     "csinc w11, w1, w2, ne\n",
	     {{1, 0x100000005ull}, {2, 0xffffffffull}});
	EXPECT_EQ(x(0), 0x100000005ull);
	EXPECT_EQ(x(3), 0xffffffffull);
	EXPECT_EQ(x(4), 0x100000000ull);
	EXPECT_EQ(x(5), ~0xffffffffull);
	EXPECT_EQ(x(6), 0 - 0xffffffffull);
	EXPECT_EQ(x(7), 1u);
	EXPECT_EQ(x(8), 0xffffffffull);
	EXPECT_EQ(x(9), 0x100000006ull);
	EXPECT_EQ(x(10), (uint64_t)(uint32_t)-5);
	EXPECT_EQ(x(11), 0u); // 0xffffffff + 1 in 32 bits
}

// ---- One source ----

TEST_F(Data, BitAndByteReversal)
{
	const uint64_t v = 0x0123456789abcdefull;
	exec("rbit x0, x1\n rbit w2, w1\n rev16 x3, x1\n rev16 w4, w1\n rev32 x5, x1\n rev x6, x1\n rev w7, w1\n",
	     {{1, v}});
	uint64_t reversed = 0;
	for (int k = 0; k < 64; k++)
		reversed |= ((v >> k) & 1) << (63 - k);
	EXPECT_EQ(x(0), reversed);
	EXPECT_EQ(x(2), reversed >> 32); // the 32-bit reverse of the low word
	EXPECT_EQ(x(3), 0x23016745ab89efcdull);
	EXPECT_EQ(x(4), 0xab89efcdull);
	EXPECT_EQ(x(5), 0x67452301efcdab89ull);
	EXPECT_EQ(x(6), 0xefcdab8967452301ull);
	EXPECT_EQ(x(7), 0xefcdab89ull);
}

TEST_F(Data, CountLeadingZerosAndSignBits)
{
	exec("clz x0, x1\n clz w2, w1\n cls x3, x1\n cls w4, w1\n"
	     "clz x5, x6\n clz w7, w6\n cls x8, x6\n cls w9, w6\n"
	     "cls x10, x11\n cls w12, w11\n clz x13, x11\n cls x14, x15\n",
	     {{1, 0x0000100000000000ull}, {6, 0}, {11, ~0ull}, {15, 0xfff0000000000000ull}});
	EXPECT_EQ(x(0), 19u);
	EXPECT_EQ(x(2), 32u);
	EXPECT_EQ(x(3), 18u);
	EXPECT_EQ(x(4), 31u);
	EXPECT_EQ(x(5), 64u); // CLZ of 0 is the width
	EXPECT_EQ(x(7), 32u);
	EXPECT_EQ(x(8), 63u); // CLS of 0 is width - 1
	EXPECT_EQ(x(9), 31u);
	EXPECT_EQ(x(10), 63u); // CLS of -1 too
	EXPECT_EQ(x(12), 31u);
	EXPECT_EQ(x(13), 0u);
	EXPECT_EQ(x(14), 11u);
}

// ---- Two sources ----

TEST_F(Data, DivideIncludingByZeroAndOverflow)
{
	exec("udiv x0, x1, x2\n sdiv x3, x1, x2\n udiv x4, x1, xzr\n sdiv x5, x1, xzr\n"
	     "sdiv x6, x7, x8\n sdiv w9, w10, w8\n udiv w11, w10, w12\n sdiv x13, x14, x15\n sdiv w16, w14, w15\n",
	     {{1, (uint64_t)-100},
	      {2, 7},
	      {7, 0x8000000000000000ull},
	      {8, ~0ull},
	      {10, 0x80000000ull},
	      {12, 3},
	      {14, (uint64_t)-7},
	      {15, 2}});
	EXPECT_EQ(x(0), (uint64_t)-100 / 7);
	EXPECT_EQ(x(3), (uint64_t)(-100 / 7)); // rounds toward zero: -14
	EXPECT_EQ(x(4), 0u);
	EXPECT_EQ(x(5), 0u);
	EXPECT_EQ(x(6), 0x8000000000000000ull); // INT64_MIN / -1
	EXPECT_EQ(x(9), 0x80000000ull);         // INT32_MIN / -1, top half zero
	EXPECT_EQ(x(11), 0x80000000ull / 3);
	EXPECT_EQ(x(13), (uint64_t)-3);
	EXPECT_EQ(x(16), (uint64_t)(uint32_t)-3);
}

TEST_F(Data, VariableShiftsTakeTheAmountModuloTheWidth)
{
	const uint64_t v = 0x8000000000000011ull;
	exec("lsl x0, x1, x2\n lsr x3, x1, x2\n asr x4, x1, x2\n ror x5, x1, x2\n"
	     "lsl w6, w1, w7\n lsr w8, w9, w7\n asr w10, w9, w7\n ror w11, w1, w7\n lsl x12, x1, x13\n",
	     {{1, v}, {2, 68}, {7, 33}, {9, 0x80000000ull}, {13, 64}});
	EXPECT_EQ(x(0), v << 4);
	EXPECT_EQ(x(3), v >> 4);
	EXPECT_EQ(x(4), (uint64_t)((int64_t)v >> 4));
	EXPECT_EQ(x(5), ror(v, 4, 64));
	EXPECT_EQ(x(6), 0x22u);
	EXPECT_EQ(x(8), 0x40000000u);
	EXPECT_EQ(x(10), 0xc0000000u);
	EXPECT_EQ(x(11), ror(0x11, 1, 32));
	EXPECT_EQ(x(12), v);
}

// ---- Three sources ----

TEST_F(Data, MultiplyAddFamily)
{
	const uint64_t a = 0xfedcba9876543210ull, b = 0x0123456789abcdefull, c = 0x1111111111111111ull;
	exec("madd x0, x1, x2, x3\n msub x4, x1, x2, x3\n mul x5, x1, x2\n mneg x6, x1, x2\n"
	     "madd w7, w1, w2, w3\n msub w8, w1, w2, w3\n"
	     "smaddl x9, w1, w2, x3\n smsubl x10, w1, w2, x3\n umaddl x11, w1, w2, x3\n umsubl x12, w1, w2, x3\n"
	     "smull x13, w1, w2\n umull x14, w1, w2\n smulh x15, x1, x2\n umulh x16, x1, x2\n",
	     {{1, a}, {2, b}, {3, c}});
	EXPECT_EQ(x(0), c + a * b);
	EXPECT_EQ(x(4), c - a * b);
	EXPECT_EQ(x(5), a * b);
	EXPECT_EQ(x(6), 0 - a * b);
	EXPECT_EQ(x(7), (uint32_t)(c + a * b));
	EXPECT_EQ(x(8), (uint32_t)(c - a * b));
	int64_t sp = (int64_t)(int32_t)(uint32_t)a * (int64_t)(int32_t)(uint32_t)b;
	uint64_t up = (uint64_t)(uint32_t)a * (uint32_t)b;
	EXPECT_EQ(x(9), c + (uint64_t)sp);
	EXPECT_EQ(x(10), c - (uint64_t)sp);
	EXPECT_EQ(x(11), c + up);
	EXPECT_EQ(x(12), c - up);
	EXPECT_EQ(x(13), (uint64_t)sp);
	EXPECT_EQ(x(14), up);
	EXPECT_EQ(x(15), (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64));
	EXPECT_EQ(x(16), (uint64_t)(((unsigned __int128)a * b) >> 64));
}

TEST_F(Data, ZeroRegisterReadsZeroAndDiscardsWrites)
{
	exec("add xzr, x1, x1\n orr x0, xzr, x1\n add x2, xzr, x1\n mov x3, xzr\n", {{1, 42}});
	EXPECT_EQ(x(0), 42u);
	EXPECT_EQ(x(2), 42u);
	EXPECT_EQ(x(3), 0u);
}

} // namespace
