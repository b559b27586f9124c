// Branches and system instructions.
#include "iss_harness.h"

using namespace iss_test;

namespace
{

class Control : public IssTest
{
};

// ConditionHolds() written out from the Arm ARM's table.
bool condition_holds(unsigned cond, unsigned flags)
{
	bool n = flags & N, z = flags & Z, c = flags & C, v = flags & V, result;
	switch (cond >> 1) {
	case 0:
		result = z;
		break;
	case 1:
		result = c;
		break;
	case 2:
		result = n;
		break;
	case 3:
		result = v;
		break;
	case 4:
		result = c && !z;
		break;
	case 5:
		result = n == v;
		break;
	case 6:
		result = n == v && !z;
		break;
	default:
		result = true;
		break;
	}
	if ((cond & 1) && cond != 15)
		result = !result;
	return result;
}

TEST_F(Control, BranchAndLink)
{
	exec("b 1f\n mov x0, #1\n 1: bl func\n mov x2, #2\n b done\n func: mov x1, x30\n ret\n done:");
	EXPECT_EQ(x(0), 0u);
	EXPECT_EQ(x(1), kRamBase + 12);
	EXPECT_EQ(x(2), 2u);
}

TEST_F(Control, BranchRegisterForms)
{
	exec("adr x5, target\n br x5\n mov x0, #1\n target: adr x6, func\n blr x6\n mov x2, #3\n b done\n"
	     "func: mov x1, x30\n adr x7, back\n ret x7\n mov x3, #9\n back: mov x4, #4\n ret\n done:");
	EXPECT_EQ(x(0), 0u);
	EXPECT_EQ(x(1), kRamBase + 20);
	EXPECT_EQ(x(2), 3u);
	EXPECT_EQ(x(3), 0u);
	EXPECT_EQ(x(4), 4u);
}

TEST_F(Control, BlrX30JumpsToTheOldX30)
{
	exec("adr x30, target\n blr x30\n mov x0, #1\n target: mov x1, x30\n", {});
	EXPECT_EQ(x(0), 0u);
	EXPECT_EQ(x(1), kRamBase + 8);
}

TEST_F(Control, EveryConditionForEveryFlagCombination)
{
	std::string source;
	for (unsigned cond = 0; cond < 16; cond++) {
		static const char *names[] = {"eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc",
		                              "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"};
		source += std::string("b.") + names[cond] + " 1f\n mov x0, #0\n wfi\n 1: mov x0, #1\n wfi\n";
	}
	load(source);
	for (unsigned cond = 0; cond < 16; cond++) {
		for (unsigned flags = 0; flags < 16; flags++) {
			set_nzcv(flags);
			set_x(0, 99);
			set_x(CPU_REG_PC, kRamBase + cond * 20);
			ASSERT_EQ(run().reason, CPU_STOP_WFI);
			EXPECT_EQ(x(0), condition_holds(cond, flags) ? 1u : 0u) << "cond " << cond << " nzcv " << flags;
		}
	}
}

TEST_F(Control, CompareAndBranch)
{
	exec("cbz w1, 1f\n mov x0, #1\n 1: cbnz x1, 2f\n mov x2, #1\n 2: cbz x3, 3f\n mov x4, #1\n"
	     "3: cbnz w5, 4f\n mov x6, #1\n 4:",
	     {{1, 0x100000000ull}, {3, 1}, {5, 0x100000000ull}});
	EXPECT_EQ(x(0), 0u); // W1 is zero although X1 is not
	EXPECT_EQ(x(2), 0u);
	EXPECT_EQ(x(4), 1u);
	EXPECT_EQ(x(6), 1u);
}

TEST_F(Control, TestBitAndBranch)
{
	exec("tbnz x1, #63, 1f\n mov x0, #1\n 1: tbz x1, #0, 2f\n mov x2, #1\n 2: tbz w1, #5, 3f\n mov x3, #1\n"
	     "3: tbnz x1, #62, 4f\n mov x4, #1\n 4:",
	     {{1, 0x8000000000000020ull}});
	EXPECT_EQ(x(0), 0u);
	EXPECT_EQ(x(2), 0u);
	EXPECT_EQ(x(3), 1u);
	EXPECT_EQ(x(4), 1u);
}

TEST_F(Control, BackwardBranchLoop)
{
	exec("mov x0, #10\n mov x1, #0\n 1: add x1, x1, x0\n subs x0, x0, #1\n b.ne 1b\n");
	EXPECT_EQ(x(1), 55u);
}

TEST_F(Control, HintsAndBarriersAreNops)
{
	exec("nop\n yield\n sevl\n sev\n hint #0x22\n hint #0x7f\n dmb ish\n dsb sy\n isb\n clrex\n mov x0, #1\n");
	EXPECT_EQ(x(0), 1u);
}

TEST_F(Control, WfeConsumesAPendingEvent)
{
	load("sevl\n wfe\n mov x0, #1\n wfe\n mov x1, #1\n wfi\n");
	cpu_run_result r = run();
	EXPECT_EQ(r.reason, CPU_STOP_WFI); // the second WFE had no event
	EXPECT_EQ(r.executed, 4u);
	EXPECT_EQ(pc(), kRamBase + 16);
	EXPECT_EQ(x(0), 1u);
	EXPECT_EQ(x(1), 0u);
}

TEST_F(Control, ResetState)
{
	EXPECT_EQ(pstate(), 0x3c5u); // NZCV 0, DAIF masked, EL1h
	exec("mrs x0, CurrentEL\n mrs x1, SPSel\n mrs x2, DAIF\n mrs x3, NZCV\n mrs x4, MIDR_EL1\n"
	     "mrs x5, MPIDR_EL1\n mrs x6, ID_AA64PFR0_EL1\n mrs x7, SCTLR_EL1\n");
	EXPECT_EQ(x(0), 4u);
	EXPECT_EQ(x(1), 1u);
	EXPECT_EQ(x(2), 0x3c0u);
	EXPECT_EQ(x(3), 0u);
	EXPECT_EQ(x(4), 0x411fd073u);
	EXPECT_EQ(x(5), 0x80000000u);
	EXPECT_EQ(x(6), 0x11u); // EL0/EL1 AArch64 only, FP and AdvSIMD (0)
	EXPECT_EQ(x(7), 0x30d00800u); // MMU off, RES1 bits
}

TEST_F(Control, SystemRegistersKeepWhatIsWritten)
{
	exec("msr VBAR_EL1, x1\n msr TPIDR_EL0, x2\n msr TPIDR_EL1, x3\n msr CPACR_EL1, x4\n msr MAIR_EL1, x5\n"
	     "msr SCTLR_EL1, x6\n msr TPIDRRO_EL0, x7\n msr CONTEXTIDR_EL1, x8\n"
	     "mrs x10, VBAR_EL1\n mrs x11, TPIDR_EL0\n mrs x12, TPIDR_EL1\n mrs x13, CPACR_EL1\n mrs x14, MAIR_EL1\n"
	     "mrs x15, SCTLR_EL1\n mrs x16, TPIDRRO_EL0\n mrs x17, CONTEXTIDR_EL1\n",
	     {{1, kRamBase + 0x8ff}, {2, 0x1234}, {3, 0x5678}, {4, 3 << 20}, {5, 0x44ff}, {6, 0x30d01804},
	      {7, 0x99}, {8, 0x123456789}});
	EXPECT_EQ(x(10), kRamBase + 0x800); // bits 10:0 are RES0
	EXPECT_EQ(x(11), 0x1234u);
	EXPECT_EQ(x(12), 0x5678u);
	EXPECT_EQ(x(13), 3u << 20); // FPEN
	EXPECT_EQ(x(14), 0x44ffu);
	EXPECT_EQ(x(15), 0x30d01804u);
	EXPECT_EQ(x(16), 0x99u);
	EXPECT_EQ(x(17), 0x23456789u);
}

TEST_F(Control, NzcvAndDaifMoves)
{
	exec("msr NZCV, x1\n mrs x2, NZCV\n msr DAIFClr, #0b0010\n mrs x3, DAIF\n msr DAIFSet, #0b0011\n mrs x4, DAIF\n"
	     "msr DAIF, xzr\n mrs x5, DAIF\n msr DAIFSet, #0xf\n",
	     {{1, 0xa0000000}});
	EXPECT_EQ(x(2), 0xa0000000u);
	EXPECT_EQ(x(3), 0x340u);
	EXPECT_EQ(x(4), 0x3c0u);
	EXPECT_EQ(x(5), 0u);
	EXPECT_EQ(pstate(), 0xa00003c5u);
}

TEST_F(Control, SpSelBanksTheStackPointer)
{
	exec("mov sp, x1\n msr SP_EL0, x2\n mrs x3, SP_EL0\n msr SPSel, #0\n mov x4, sp\n mrs x5, SPSel\n"
	     "mov sp, x6\n msr SPSel, #1\n mov x7, sp\n mrs x8, SP_EL0\n mov x9, #0\n msr SPSel, x9\n mov x10, sp\n"
	     "msr SPSel, #1\n",
	     {{1, kData + 0x1000}, {2, kData + 0x2000}, {6, kData + 0x3000}});
	EXPECT_EQ(x(3), kData + 0x2000);
	EXPECT_EQ(x(4), kData + 0x2000);
	EXPECT_EQ(x(5), 0u);
	EXPECT_EQ(x(7), kData + 0x1000);
	EXPECT_EQ(x(8), kData + 0x3000);
	EXPECT_EQ(x(10), kData + 0x3000);
}

TEST_F(Control, PstateRegisterSelectsTheStack)
{
	set_x(CPU_REG_SP, 0x1000);
	set_x(CPU_REG_PSTATE, 0x3c4); // EL1t
	EXPECT_EQ(pstate(), 0x3c4u);
	set_x(CPU_REG_SP, 0x2000);
	set_x(CPU_REG_PSTATE, 0x3c5);
	EXPECT_EQ(sp(), 0x1000u);
	set_x(CPU_REG_PSTATE, 0x3c0); // EL0t
	EXPECT_EQ(pstate(), 0x3c0u);
	set_x(CPU_REG_PSTATE, 0x3c5);
	EXPECT_EQ(cpu->ops->set_register(cpu, CPU_REG_PSTATE, 0x3c9), -1); // EL2h: not this CPU
	EXPECT_NE(std::string(error_message()).find("EL1"), std::string::npos);
}

// Every encoding the interpreter does not serve is UNDEFINED to the guest: EC 0 at its PC.
#define expect_undefined(at) expect_undefined_at(taken(), at)
void expect_undefined_at(const Taken &t, uint64_t pc)
{
	EXPECT_TRUE(t.taken);
	EXPECT_EQ(t.offset, kCurrentSpx + kSync);
	EXPECT_EQ(t.esr, 0x02000000u); // EC 0, IL 1
	EXPECT_EQ(t.elr, pc);
}

TEST_F(Control, UnknownSystemRegisterIsUndefined)
{
	install_vectors();
	load("nop\n mrs x0, S3_0_C15_C0_0\n");
	cpu_run_result r = run();
	EXPECT_EQ(r.reason, CPU_STOP_WFI);
	expect_undefined(kRamBase + 4);
}

TEST_F(Control, RemovedTimerRegistersAreUndefinedWithoutAHook)
{
	install_vectors();
	load("mrs x0, CNTFRQ_EL0\n");
	run();
	expect_undefined(kRamBase);
}

TEST_F(Control, WriteToReadOnlyRegisterIsUndefined)
{
	install_vectors();
	load_words({0xd51800a0}); // MSR MPIDR_EL1, x0
	run();
	expect_undefined(kRamBase);
}

TEST_F(Control, SpEl0IsUndefinedWhileItIsTheStack)
{
	install_vectors();
	load("msr SPSel, #0\n mrs x0, SP_EL0\n");
	run();
	Taken t = taken();
	EXPECT_EQ(t.offset, kCurrentSp0 + kSync); // taken from EL1t
	EXPECT_EQ(t.esr, 0x02000000u);
	EXPECT_EQ(t.elr, kRamBase + 4);
}

TEST_F(Control, UnallocatedSystemInstructionsAreUndefined)
{
	install_vectors();
	for (const char *insn : {"hlt #4", "sysl x0, #0, c7, c5, #0", "dcps1"}) {
		load(std::string("nop\n") + insn);
		run();
		expect_undefined(kRamBase + 4);
	}
}

} // namespace
