// sw/firmware/fp_math.c, scalar floating point compiled by GCC, on the whole virt machine: it
// uses the FP instructions it is meant to, runs to the end, repeats exactly, and prints (bit
// patterns and FPSR flags under every rounding mode, FZ and DN) what qemu-system-aarch64
// prints for the same ELF.
#include <gtest/gtest.h>

#include <string>

#include "test_support.h"

using qvp_test::build_path;
using qvp_test::GuestRun;
using qvp_test::ProcessResult;

namespace
{

TEST(FpFirmware, UsesTheScalarFpInstructions)
{
	ProcessResult dump = qvp_test::run_process({"aarch64-linux-gnu-objdump", "-d", build_path("sw/fp_math.elf")});
	ASSERT_EQ(dump.status, 0) << dump.err;
	for (const char *mnemonic :
	     {"\tfsqrt\t", "\tfmadd\t", "\tfdiv\t", "\tfcvtzs\t", "\tfcvtzu\t", "\tscvtf\t", "\tucvtf\t", "\tfcvt\t",
	      "\tfrinta\t", "\tfrintm\t", "\tfrintp\t", "\tfrintx\t", "\tfrinti\t", "\tfmaxnm\t", "\tfcmpe\t",
	      "\tfcsel\t", "\tfccmpe\t", "\tmsr\tfpcr,"})
		EXPECT_NE(dump.out.find(mnemonic), std::string::npos) << mnemonic;
}

TEST(FpFirmware, RunsToTheEndAndRepeats)
{
	GuestRun first = qvp_test::run_guest(build_path("sw/fp_math.elf"));
	ASSERT_EQ(first.cause, MACHINE_GUEST_EXIT) << first.error << first.diagnosis;
	EXPECT_EQ(first.exit_code, 0) << first.console;
	EXPECT_NE(first.console.find("\nfp_math: done\n"), std::string::npos) << first.console;
	GuestRun second = qvp_test::run_guest(build_path("sw/fp_math.elf"));
	EXPECT_EQ(second.console, first.console);
	EXPECT_EQ(second.stats.instructions, first.stats.instructions);
	EXPECT_EQ(second.time, first.time);
}

TEST(FpFirmware, SameOutputAsQemu)
{
	qvp_test::QemuRun qemu = qvp_test::run_qemu_virt(build_path("sw/fp_math.elf"));
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	ASSERT_EQ(qemu.status, 0) << qemu.err;
	GuestRun run = qvp_test::run_guest(build_path("sw/fp_math.elf"));
	ASSERT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.exit_code, 0);
	EXPECT_EQ(run.console, qemu.console);
}

} // namespace
