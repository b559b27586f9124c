// Differential tests of the AdvSIMD instructions against Unicorn 2.0.1 (Debian libunicorn-dev):
// one instruction at a time at EL1 with FP/SIMD enabled (CPACR_EL1.FPEN = 3 on both), one class
// per instruction group with a fixed seed, random V and X registers whose lanes lean to the
// edges (0, 1, the signed and unsigned extremes), random NZCV and FPSR.QC; the size and Q
// variants are enumerated by the random fields. Afterwards every V register, X register, NZCV,
// FPSR and the PC must match. Both CPUs must agree on which encodings are UNDEFINED (reserved
// size/Q combinations), except those of later architecture versions that Unicorn implements
// (the class's `later` predicate).
//
// qvp's V registers, FPSR and CPACR_EL1 are set through the interpreter's state (iss_state.h),
// so no SIMD&FP load or MSR is involved. Unicorn pitfalls heeded (see the integer oracle):
// count = 1 on every uc_emu_start(), a fresh code address per case.
#include <gtest/gtest.h>
#include <unicorn/unicorn.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "bus.h"
#include "cpu.h"
#include "error.h"
#include "iss.h"
#include "oracle_support.h"
extern "C" {
#include "iss_state.h"
}

namespace
{

using namespace oracle;

constexpr uint32_t kFpsrQc = 1u << 27;

struct State {
	uint64_t x[31];
	uint64_t v[32][2];
	uint64_t pc;
	unsigned nzcv;
	uint32_t fpsr, fpcr;
};

// Lanes of `bits` bits filled with edge values or noise.
uint64_t edge_lanes(Rng &rng, unsigned bits)
{
	uint64_t r = 0;
	for (unsigned at = 0; at < 64; at += bits) {
		uint64_t top = 1ull << (bits - 1), all = bits == 64 ? ~0ull : (1ull << bits) - 1;
		uint64_t lane;
		switch (rng.below(8)) {
		case 0:
			lane = 0;
			break;
		case 1:
			lane = 1;
			break;
		case 2:
			lane = top - 1;
			break;
		case 3:
			lane = top;
			break;
		case 4:
			lane = all;
			break;
		case 5:
			lane = rng.below(2 * bits); // small: shift counts, indices
			break;
		default:
			lane = rng.next() & all;
			break;
		}
		r |= lane << at;
	}
	return r;
}

// Floating-point lanes: zeros, ones, infinities, NaNs, denormals, ordinary numbers.
uint64_t fp_lanes(Rng &rng, unsigned bits)
{
	static const uint32_t singles[] = {0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000,
	                                   0x7fc00000, 0x7f800001, 0xffc00001, 0x00000001, 0x807fffff, 0x7f7fffff,
	                                   0x4b000000, 0x3effffff, 0x4f000000, 0xcf000000, 0x5f000000, 0x3f000000};
	static const uint64_t doubles[] = {0,
	                                   0x8000000000000000ull,
	                                   0x3ff0000000000000ull,
	                                   0xbff0000000000000ull,
	                                   0x7ff0000000000000ull,
	                                   0xfff0000000000000ull,
	                                   0x7ff8000000000000ull,
	                                   0x7ff0000000000001ull,
	                                   0x0000000000000001ull,
	                                   0x800fffffffffffffull,
	                                   0x7fefffffffffffffull,
	                                   0x4330000000000000ull,
	                                   0x43e0000000000000ull,
	                                   0xc3e0000000000000ull,
	                                   0x41e0000000000000ull,
	                                   0x3fe0000000000000ull};
	uint64_t r = 0;
	for (unsigned at = 0; at < 64; at += bits) {
		uint64_t lane;
		unsigned k = rng.below(4);
		if (bits == 32) {
			float f = (float)((int64_t)(rng.next() % 20001) - 10000) / (float)(1 + rng.below(64));
			uint32_t u;
			memcpy(&u, &f, 4);
			lane = k == 0 ? singles[rng.below(sizeof singles / 4)] : k == 1 ? (uint32_t)rng.next() : u;
		} else {
			double f = (double)((int64_t)(rng.next() % 2000001) - 1000000) / (double)(1 + rng.below(1000));
			uint64_t u;
			memcpy(&u, &f, 8);
			lane = k == 0 ? doubles[rng.below(sizeof doubles / 8)] : k == 1 ? rng.next() : u;
		}
		r |= lane << at;
	}
	return r;
}

class SimdOracle : public Fixture
{
      protected:
	void SetUp() override
	{
		open_both(3ull << 20); // FPEN: SIMD&FP enabled at EL0 and EL1
		iss = (struct iss *)cpu;
	}

	State random_state(Rng &rng, bool fp)
	{
		State in = {};
		for (auto &r : in.x)
			r = rng.below(4) == 0 ? rng.below(64) : rng.next();
		for (auto &v : in.v)
			for (auto &half : v) {
				unsigned bits = rng.pick({8u, 16u, 32u, 64u});
				half = fp && rng.below(4) != 0 ? fp_lanes(rng, rng.below(2) ? 32 : 64)
				                               : edge_lanes(rng, bits);
			}
		in.nzcv = rng.below(16);
		in.fpsr = rng.below(2) ? kFpsrQc : 0;
		in.fpcr = fp ? fpcr_for(rng) : 0;
		return in;
	}

	// Every rounding mode, FZ and DN on and off.
	static uint32_t fpcr_for(Rng &rng)
	{
		uint32_t fpcr = rng.below(4) << 22;
		if (rng.below(4) == 0)
			fpcr |= 1u << 24; // FZ
		if (rng.below(4) == 0)
			fpcr |= 1u << 25; // DN
		return fpcr;
	}

	void set_qvp(const State &in)
	{
		for (int n = 0; n < 31; n++)
			cpu->ops->set_register(cpu, (cpu_register)n, in.x[n]);
		for (int n = 0; n < 32; n++)
			memcpy(&iss->v[n], in.v[n], 16);
		iss->fpsr = in.fpsr;
		iss->fpcr = in.fpcr;
		cpu->ops->set_register(cpu, CPU_REG_PC, in.pc);
		cpu->ops->set_register(cpu, CPU_REG_PSTATE, (uint64_t)in.nzcv << 28 | 0x5);
	}

	State get_qvp()
	{
		State out = {};
		uint64_t pstate = 0;
		for (int n = 0; n < 31; n++)
			cpu->ops->get_register(cpu, (cpu_register)n, &out.x[n]);
		for (int n = 0; n < 32; n++)
			memcpy(out.v[n], &iss->v[n], 16);
		cpu->ops->get_register(cpu, CPU_REG_PC, &out.pc);
		cpu->ops->get_register(cpu, CPU_REG_PSTATE, &pstate);
		out.nzcv = (unsigned)(pstate >> 28);
		out.fpsr = iss->fpsr;
		out.fpcr = iss->fpcr;
		return out;
	}

	void set_unicorn(const State &in)
	{
		for (int n = 0; n < 31; n++)
			uc_reg_write(uc, uc_x(n), &in.x[n]);
		for (int n = 0; n < 32; n++)
			uc_reg_write(uc, UC_ARM64_REG_Q0 + n, in.v[n]);
		uint64_t nzcv = (uint64_t)in.nzcv << 28, fpsr = in.fpsr, fpcr = in.fpcr;
		uc_reg_write(uc, UC_ARM64_REG_NZCV, &nzcv);
		uc_reg_write(uc, UC_ARM64_REG_FPSR, &fpsr);
		uc_reg_write(uc, UC_ARM64_REG_FPCR, &fpcr);
	}

	State get_unicorn()
	{
		State out = {};
		for (int n = 0; n < 31; n++)
			uc_reg_read(uc, uc_x(n), &out.x[n]);
		for (int n = 0; n < 32; n++)
			uc_reg_read(uc, UC_ARM64_REG_Q0 + n, out.v[n]);
		uint64_t nzcv = 0, fpsr = 0, fpcr = 0;
		uc_reg_read(uc, UC_ARM64_REG_PC, &out.pc);
		uc_reg_read(uc, UC_ARM64_REG_NZCV, &nzcv);
		uc_reg_read(uc, UC_ARM64_REG_FPSR, &fpsr);
		uc_reg_read(uc, UC_ARM64_REG_FPCR, &fpcr);
		out.nzcv = (unsigned)(nzcv >> 28) & 0xf;
		out.fpsr = (uint32_t)fpsr;
		out.fpcr = (uint32_t)fpcr;
		return out;
	}

	std::string differences(const State &iss_out, const State &ref)
	{
		std::string diff;
		char line[200];
		for (int n = 0; n < 31; n++)
			if (iss_out.x[n] != ref.x[n]) {
				snprintf(line, sizeof line, " x%d qvp 0x%llx unicorn 0x%llx;", n,
				         (unsigned long long)iss_out.x[n], (unsigned long long)ref.x[n]);
				diff += line;
			}
		for (int n = 0; n < 32; n++)
			if (memcmp(iss_out.v[n], ref.v[n], 16) != 0) {
				snprintf(line, sizeof line, " v%d qvp %016llx:%016llx unicorn %016llx:%016llx;", n,
				         (unsigned long long)iss_out.v[n][1], (unsigned long long)iss_out.v[n][0],
				         (unsigned long long)ref.v[n][1], (unsigned long long)ref.v[n][0]);
				diff += line;
			}
		if (iss_out.pc != ref.pc)
			diff += " pc;";
		if (iss_out.nzcv != ref.nzcv)
			diff += " nzcv;";
		if (iss_out.fpsr != ref.fpsr) {
			snprintf(line, sizeof line, " fpsr qvp 0x%x unicorn 0x%x;", iss_out.fpsr, ref.fpsr);
			diff += line;
		}
		return diff;
	}

	// Runs `word` on both from the same random state.
	void run_case(uint32_t word, Rng &rng, bool fp, const std::function<bool(uint32_t)> &later, const char *cls)
	{
		State in = random_state(rng, fp);
		in.pc = kCode + (cases++ % (0x800000 / 4)) * 4;
		write_both(in.pc, &word, 4);

		set_qvp(in);
		cpu_run_result r = cpu->ops->run(cpu, 1);
		ASSERT_NE(r.reason, CPU_STOP_FATAL) << error_message();
		State iss_out = get_qvp();
		uint64_t pstate = 0, esr = 0;
		cpu->ops->get_register(cpu, CPU_REG_PSTATE, &pstate);
		bool iss_exception = (pstate & 0x3c0) != 0;
		if (iss_exception) {
			cpu->ops->run(cpu, 1); // the vector's MRS
			cpu->ops->get_register(cpu, CPU_REG_X0, &esr);
		}

		set_unicorn(in);
		uc_ctl_remove_cache(uc, in.pc, in.pc + 4);
		uc_err err = uc_emu_start(uc, in.pc, 0, 0, 1);
		State ref = get_unicorn();
		bool ref_exception = err != UC_ERR_OK;

		if (iss_exception || ref_exception) {
			if (iss_exception && ref_exception) {
				both_faulted++;
				return;
			}
			if (iss_exception && (esr >> 26) == 0 && later(word)) {
				if (getenv("SIMD_ORACLE_SHOW_SKIPPED"))
					printf("skipped %08x\n", word);
				skipped++;
				return;
			}
			ADD_FAILURE() << cls << ": word 0x" << std::hex << word
			              << (iss_exception ? " faults on qvp with ESR 0x" : "")
			              << (iss_exception ? esr : 0) << (ref_exception ? " faults on Unicorn: " : "")
			              << (ref_exception ? uc_strerror(err) : "");
			return;
		}
		compared++;
		std::string diff = differences(iss_out, ref);
		if (!diff.empty())
			ADD_FAILURE() << cls << ": word 0x" << std::hex << word << " fpcr 0x" << in.fpcr << ":" << diff;
	}


	// `count` cases of base | (random & mask), reshaped by `shape` (to implemented opcodes).
	void run_class(
	    const char *cls, uint32_t base, uint32_t mask, std::function<uint32_t(uint32_t, Rng &)> shape,
	    bool fp = false, std::function<bool(uint32_t)> later = [](uint32_t) { return false; }, int count = kCases,
	    unsigned min_percent = 50)
	{
		Rng rng{0x9e3779b97f4a7c15ull ^ base ^ mask};
		for (int k = 0; k < count && failures() < 10; k++) {
			uint32_t word = base | ((uint32_t)rng.next() & mask);
			if (shape)
				word = shape(word, rng);
			run_case(word, rng, fp, later, cls);
		}
		EXPECT_GT(compared * 100, (uint64_t)count * min_percent)
		    << cls << ": too few cases compared (" << skipped << " skipped, " << both_faulted
		    << " faulted on both)";
	}

	int failures()
	{
		return ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count();
	}

	static const int kCases = 10000;
	struct iss *iss = nullptr;
	uint64_t cases = 0, compared = 0, skipped = 0, both_faulted = 0;
};

// Field setters for the shapes.
uint32_t with(uint32_t word, unsigned hi, unsigned lo, unsigned value)
{
	uint32_t mask = ((1u << (hi - lo + 1)) - 1) << lo;
	return (word & ~mask) | (value << lo & mask);
}

// A shape that sets one field to one of `values`.
std::function<uint32_t(uint32_t, Rng &)> field_from(unsigned hi, unsigned lo, std::vector<unsigned> values)
{
	return [=](uint32_t w, Rng &rng) { return with(w, hi, lo, values[rng.below((uint32_t)values.size())]); };
}

constexpr uint32_t kQ = 1u << 30, kU = 1u << 29, kSize = 3u << 22, kRegs = 0x1f03ff; // Rm, Rn, Rd

// ---- Vector integer ----
TEST_F(SimdOracle, ThreeSameInteger)
{
	run_class(
	    "three same", 0x0e200400, kQ | kU | kSize | kRegs | 0x1f << 11,
	    field_from(15, 11, {0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}));
}
TEST_F(SimdOracle, ThreeSameLogical)
{
	run_class("logical", 0x0e201c00, kQ | kU | kSize | kRegs, nullptr);
}
TEST_F(SimdOracle, TwoRegisterMiscInteger)
{
	run_class("misc", 0x0e200800, kQ | kU | kSize | 0x3ff | 0x1f << 12,
	          field_from(16, 12, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x12, 0x13, 0x14}));
}
TEST_F(SimdOracle, AcrossLanesInteger)
{
	run_class("across lanes", 0x0e300800, kQ | kU | kSize | 0x3ff, field_from(16, 12, {3, 0xa, 0x1a, 0x1b}));
}
TEST_F(SimdOracle, ThreeDifferent)
{
	// PMULL of 64-bit lanes (size 3) is the crypto extension, which qvp does not advertise.
	run_class("three different", 0x0e200000, kQ | kU | kSize | kRegs,
	          field_from(15, 12, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xa, 0xb, 0xc, 0xd, 0xe}), false,
	          [](uint32_t w) { return (w & 0xbfe0fc00) == 0x0ee0e000; });
}
TEST_F(SimdOracle, Copy)
{
	run_class("copy", 0x0e000400, kQ | kU | 0x1f << 16 | 0xf << 11 | 0x3ff, [](uint32_t w, Rng &rng) {
		return w & kU ? w : with(w, 14, 11, rng.pick({0u, 1u, 3u, 5u, 7u}));
	});
}
TEST_F(SimdOracle, ModifiedImmediate)
{
	run_class("modified immediate", 0x0f000400, kQ | kU | 7 << 16 | 0xf << 12 | 0x3ff, nullptr);
}
TEST_F(SimdOracle, ShiftByImmediate)
{
	run_class("shift by immediate", 0x0f000400, kQ | kU | 0x7f << 16 | 0x3ff, [](uint32_t w, Rng &rng) {
		w = with(w, 15, 11,
		         rng.pick({0u, 2u, 4u, 6u, 8u, 0xau, 0xcu, 0xeu, 0x10u, 0x11u, 0x12u, 0x13u, 0x14u}));
		return (w >> 19 & 0xf) ? w : with(w, 22, 19, 1u << rng.below(4)); // immh != 0: not a modified immediate
	});
}
TEST_F(SimdOracle, Permute)
{
	run_class("permute", 0x0e000800, kQ | kSize | kRegs, field_from(14, 12, {1, 2, 3, 5, 6, 7}));
}
TEST_F(SimdOracle, ExtractAndTableLookup)
{
	run_class("ext/tbl/tbx", 0x0e000000, kQ | kU | kRegs | 0xf << 11, nullptr);
}
TEST_F(SimdOracle, ByElementInteger)
{
	run_class("by element", 0x0f000000, kQ | kU | kSize | 0x3f03ff | 1u << 11, [](uint32_t w, Rng &rng) {
		w = rng.below(8) ? with(w, 23, 22, 1 + rng.below(2)) : w; // 16 and 32 bits, some reserved sizes
		return with(w, 15, 12,
		            w & kU ? rng.pick({0u, 2u, 4u, 6u, 0xau})
		                   : rng.pick({2u, 3u, 6u, 7u, 8u, 0xau, 0xbu, 0xcu, 0xdu}));
	});
}

// ---- Scalar integer ----
TEST_F(SimdOracle, ScalarThreeSame)
{
	run_class("scalar three same", 0x5e200400, kU | kSize | kRegs | 0x1f << 11,
	          field_from(15, 11, {1, 5, 6, 7, 8, 9, 10, 11, 16, 17, 22}));
}
TEST_F(SimdOracle, ScalarMiscInteger)
{
	run_class("scalar misc", 0x5e200800, kU | kSize | 0x3ff, [](uint32_t w, Rng &rng) {
		unsigned opcode = rng.pick({3u, 7u, 8u, 9u, 10u, 11u, 0x12u, 0x14u});
		w = with(w, 16, 12, opcode);
		if (opcode >= 8 && opcode <= 11 && rng.below(4))
			w |= kSize; // mostly D, the only size of the compares, ABS and NEG
		return w;
	});
}
TEST_F(SimdOracle, ScalarShiftByImmediate)
{
	run_class("scalar shift", 0x5f000400, kU | 0x7f << 16 | 0x3ff, [](uint32_t w, Rng &rng) {
		unsigned opcode = rng.pick({0u, 2u, 4u, 6u, 8u, 0xau, 0xcu, 0xeu, 0x10u, 0x11u, 0x12u, 0x13u});
		w = with(w, 15, 11, opcode);
		if (opcode < 0xc && rng.below(4))
			w |= 1u << 22; // D, the only size of the plain shifts
		return (w >> 19 & 0xf) ? w : with(w, 22, 19, 8);
	});
}
TEST_F(SimdOracle, ScalarThreeDifferentAndByElement)
{
	// SQDMULL, SQDMLAL, SQDMLSL; by element also SQDMULH, SQRDMULH (U = 1 there is v8.1's SQRDMLAH).
	run_class("scalar doubling multiplies", 0x5e200000, kSize | kRegs, [](uint32_t w, Rng &rng) {
		if (rng.below(2))
			return with(w, 15, 12, rng.pick({9u, 0xbu, 0xdu}));
		w = 0x5f000000 | (w & 0x3ff) | (uint32_t)(rng.next() & (0x3f0000 | 1u << 11));
		w = with(w, 23, 22, rng.below(8) ? 1 + rng.below(2) : rng.below(4));
		return with(w, 15, 12, rng.pick({3u, 7u, 0xbu, 0xcu, 0xdu}));
	});
}
TEST_F(SimdOracle, ScalarPairwiseAndDup)
{
	run_class("scalar addp/dup", 0x5ef1b800, 0x3ff, [](uint32_t w, Rng &rng) {
		return rng.below(2) ? w : (0x5e000400 | (w & 0x3ff) | (1 + rng.below(31)) << 16);
	});
}

// ---- Floating point: lanes of special values, every rounding mode, FZ and DN ----
// FMLAL/FMLSL (v8.2 FHM) share the three-same space, FRINT32/64 (v8.5) the misc space.
bool fp_later(uint32_t w)
{
	unsigned u = w >> 29 & 1, opcode = w >> 11 & 0x1f;
	return (w & 0x0e208400) == 0x0e208400 && ((!u && opcode == 0x1d) || (u && opcode == 0x19));
}

TEST_F(SimdOracle, ThreeSameFloat)
{
	run_class("fp three same", 0x0e20c400, kQ | kU | kSize | kRegs | 7 << 11, nullptr, true, fp_later);
}
TEST_F(SimdOracle, TwoRegisterMiscFloat)
{
	run_class(
	    "fp misc", 0x0e200800, kQ | kU | kSize | 0x3ff,
	    [](uint32_t w, Rng &rng) {
		    w = with(w, 16, 12,
		             rng.pick({0x0cu, 0x0du, 0x0eu, 0x0fu, 0x16u, 0x17u, 0x18u, 0x19u, 0x1au, 0x1bu, 0x1cu,
		                       0x1du, 0x1fu}));
		    unsigned opcode = w >> 12 & 0x1f;
		    if (opcode >= 0x0c && opcode <= 0x0f && rng.below(8))
			    w |= 1u << 23; // compares with zero, FABS, FNEG
		    if ((opcode == 0x16 || opcode == 0x17) && rng.below(8))
			    w &= ~(1u << 23); // FCVTN, FCVTXN, FCVTL
		    return w;
	    },
	    true);
}
TEST_F(SimdOracle, AcrossLanesFloat)
{
	run_class(
	    "fp across lanes", 0x2e300800, kQ | kSize | 0x3ff,
	    [](uint32_t w, Rng &rng) {
		    w = with(w, 16, 12, rng.pick({0x0cu, 0x0fu}));
		    return rng.below(8) ? (w | kQ) & ~(1u << 22) : w; // mostly 4S, the only size
	    },
	    true);
}
TEST_F(SimdOracle, FixedPointConversions)
{
	run_class(
	    "fp fixed point", 0x0f000400, kQ | kU | 0x7f << 16 | 0x3ff,
	    [](uint32_t w, Rng &rng) {
		    w = with(w, 15, 11, rng.pick({0x1cu, 0x1fu}));
		    return w >> 21 & 3 ? w : with(w, 22, 21, 1 + rng.below(3)); // immh 01xx or 1xxx
	    },
	    true);
}
TEST_F(SimdOracle, ByElementFloat)
{
	run_class(
	    "fp by element", 0x0f800000, kQ | kU | 1u << 22 | 0x3f03ff | 1u << 11,
	    [](uint32_t w, Rng &rng) {
		    w = with(w, 15, 12, rng.pick({1u, 5u, 9u}));
		    if (rng.below(8) && (w >> 22 & 1))
			    w = (w | kQ) & ~(1u << 21); // doubles: 2D, index H only
		    return rng.below(8) ? with(w, 29, 29, (w >> 12 & 0xf) == 9 ? w >> 29 & 1 : 0) : w;
	    },
	    true, [](uint32_t w) { return (w & kU) && (w >> 12 & 0xf) != 9; }); // U=1: FCMLA (v8.3)
}
TEST_F(SimdOracle, ScalarThreeSameFloat)
{
	run_class(
	    "scalar fp three same", 0x5e20c400, 1u << 22 | kRegs,
	    [](uint32_t w, Rng &rng) {
		    // U:a:opcode of FMULX, FCMEQ, FRECPS, FRSQRTS, FCMGE, FACGE, FABD, FCMGT, FACGT, and one
		    // unallocated
		    unsigned op = rng.pick({0x1bu, 0x1cu, 0x1fu, 0x3fu, 0x5cu, 0x5du, 0x7au, 0x7cu, 0x7du, 0x1au});
		    return with(with(with(w, 15, 11, op & 0x1f), 23, 23, op >> 5 & 1), 29, 29, op >> 6);
	    },
	    true);
}
TEST_F(SimdOracle, ScalarMiscFloat)
{
	run_class("scalar fp misc", 0x5e200800, kU | kSize | 0x3ff,
	          field_from(16, 12, {0x0c, 0x0d, 0x0e, 0x16, 0x1a, 0x1b, 0x1c, 0x1d, 0x1f}), true);
}
TEST_F(SimdOracle, ScalarPairwiseAndByElementFloat)
{
	run_class(
	    "scalar fp pairwise/by element", 0x7e300800, kSize | 0x3ff,
	    [](uint32_t w, Rng &rng) {
		    if (rng.below(2))
			    return with(w, 16, 12, rng.pick({0x0cu, 0x0du, 0x0fu}));
		    w = 0x5f800000 | (w & 0x3ff) | (uint32_t)(rng.next() & (kU | 1u << 22 | 0x3f0000 | 1u << 11));
		    return with(w, 15, 12, rng.pick({1u, 5u, 9u}));
	    },
	    true, [](uint32_t w) { return (w >> 24 & 0xff) == 0x7f && (w >> 12 & 0xf) != 9; });
}

// ---- The whole AdvSIMD space: every encoding qvp executes must give Unicorn's result ----
// Random words anywhere in the vector and scalar spaces: what both execute must match, what
// both reject is fine, and qvp may reject what Unicorn executes only because Unicorn is a
// later CPU (crypto, FP16, RDM, dot product...): such cases are counted, not compared.
TEST_F(SimdOracle, WholeVectorSpace)
{
	run_class(
	    "vector space", 0x0e000000, 0x61ffffff, nullptr, true, [](uint32_t) { return true; }, 20000, 20);
}
TEST_F(SimdOracle, WholeScalarSpace)
{
	run_class(
	    "scalar space", 0x5e000000, 0x21ffffff, nullptr, true, [](uint32_t) { return true; }, 20000, 5);
}

} // namespace
