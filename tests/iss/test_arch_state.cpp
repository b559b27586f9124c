// Handing the architectural state to the interpreter and back (iss.h), as the kvm backend does
// to emulate one instruction KVM cannot decode: every register survives the trip, the banked
// stack pointers stay where PSTATE puts them, and the one instruction executes.
#include "iss_harness.h"

using namespace iss_test;

namespace
{

iss_arch_state sample_state(uint64_t pstate)
{
	iss_arch_state state = {};
	for (int k = 0; k < 31; k++)
		state.x[k] = 0x1000 + (uint64_t)k;
	state.sp_el0 = kData + 0x1000;
	state.sp_el1 = kData + 0x2000;
	state.pc = kRamBase;
	state.pstate = pstate;
	state.sctlr_el1 = 0x30d00800; // MMU off
	state.vbar_el1 = kVectors;
	state.elr_el1 = 0x1234;
	state.spsr_el1 = 0x3c5;
	state.esr_el1 = 0x96000000;
	state.far_el1 = 0x5678;
	state.mair_el1 = 0xff;
	state.cpacr_el1 = 3u << 20; // FPEN: SIMD&FP enabled at EL0 and EL1
	for (int k = 0; k < 32; k++) {
		state.v[k][0] = 0x1111111111111111ull * (uint64_t)(k % 15 + 1);
		state.v[k][1] = ~state.v[k][0];
	}
	state.fpcr = 0x03000000;
	state.fpsr = 0x10;
	return state;
}

void expect_same(const iss_arch_state &a, const iss_arch_state &b)
{
	for (int k = 0; k < 31; k++)
		EXPECT_EQ(a.x[k], b.x[k]) << "x" << k;
	EXPECT_EQ(a.sp_el0, b.sp_el0);
	EXPECT_EQ(a.sp_el1, b.sp_el1);
	EXPECT_EQ(a.pc, b.pc);
	EXPECT_EQ(a.pstate, b.pstate);
	EXPECT_EQ(a.sctlr_el1, b.sctlr_el1);
	EXPECT_EQ(a.vbar_el1, b.vbar_el1);
	EXPECT_EQ(a.elr_el1, b.elr_el1);
	EXPECT_EQ(a.spsr_el1, b.spsr_el1);
	EXPECT_EQ(a.esr_el1, b.esr_el1);
	EXPECT_EQ(a.far_el1, b.far_el1);
	EXPECT_EQ(a.mair_el1, b.mair_el1);
	EXPECT_EQ(a.cpacr_el1, b.cpacr_el1);
	for (int k = 0; k < 32; k++) {
		EXPECT_EQ(a.v[k][0], b.v[k][0]) << "v" << k;
		EXPECT_EQ(a.v[k][1], b.v[k][1]) << "v" << k;
	}
	EXPECT_EQ(a.fpcr, b.fpcr);
	EXPECT_EQ(a.fpsr, b.fpsr);
}

class ArchState : public IssTest, public ::testing::WithParamInterface<uint64_t>
{
};

TEST_P(ArchState, RoundTripKeepsEveryRegister)
{
	iss_arch_state in = sample_state(GetParam()), out;

	ASSERT_EQ(iss_set_arch_state(cpu, &in), 0) << error_message();
	iss_get_arch_state(cpu, &out);
	expect_same(in, out);
}

// The kvm backend's case: a store pair, then nothing but the pair and the PC has changed.
TEST_P(ArchState, OneInstructionUsesTheCurrentStackPointer)
{
	iss_arch_state in = sample_state(GetParam()), out;
	bool on_sp_el1 = (GetParam() & 0xf) == 5;
	uint64_t sp = on_sp_el1 ? in.sp_el1 : in.sp_el0;

	load_words(assemble("stp x1, x2, [sp, #-16]!"));
	ASSERT_EQ(iss_set_arch_state(cpu, &in), 0) << error_message();
	cpu_run_result result = cpu->ops->run(cpu, 1);
	ASSERT_EQ(result.executed, 1u);
	iss_get_arch_state(cpu, &out);
	EXPECT_EQ(read64(sp - 16), in.x[1]);
	EXPECT_EQ(read64(sp - 8), in.x[2]);
	in.pc += 4;
	(on_sp_el1 ? in.sp_el1 : in.sp_el0) -= 16;
	expect_same(in, out);
}

// A SIMD&FP access executes when the handed-over CPACR_EL1 enables it (as KVM's guest had it).
TEST_P(ArchState, SimdStoreRunsWithTheGuestsFpen)
{
	iss_arch_state in = sample_state(GetParam()), out;

	in.x[3] = kData;
	load_words(assemble("str q5, [x3]"));
	ASSERT_EQ(iss_set_arch_state(cpu, &in), 0) << error_message();
	ASSERT_EQ(cpu->ops->run(cpu, 1).executed, 1u);
	iss_get_arch_state(cpu, &out);
	EXPECT_EQ(out.pc, in.pc + 4) << "trapped: ESR " << std::hex << out.esr_el1;
	EXPECT_EQ(read64(kData), in.v[5][0]);
	EXPECT_EQ(read64(kData + 8), in.v[5][1]);
}

INSTANTIATE_TEST_SUITE_P(Modes, ArchState, ::testing::Values(0x3c5u /* EL1h */, 0x3c4u /* EL1t */, 0x0u /* EL0t */));

TEST_F(IssTest, ArchStateRefusesAnAArch32Mode)
{
	iss_arch_state in = sample_state(0x10);

	EXPECT_LT(iss_set_arch_state(cpu, &in), 0);
	EXPECT_NE(std::string(error_message()).find("EL0t, EL1t and EL1h"), std::string::npos) << error_message();
}

} // namespace
