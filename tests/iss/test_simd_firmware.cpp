// sw/firmware/vector.c, GCC -O3 vectorized loops, on the whole virt machine: its AdvSIMD code
// runs to the end, repeats exactly, and prints what qemu-system-aarch64 prints for the same ELF.
#include <gtest/gtest.h>

#include <string>

#include "test_support.h"

using qvp_test::build_path;
using qvp_test::GuestRun;
using qvp_test::ProcessResult;

namespace
{

TEST(SimdFirmware, IsVectorized)
{
	ProcessResult dump = qvp_test::run_process({"aarch64-linux-gnu-objdump", "-d", build_path("sw/vector.elf")});
	ASSERT_EQ(dump.status, 0) << dump.err;
	size_t vector_operands = 0;
	for (size_t at = dump.out.find(".16b"); at != std::string::npos; at = dump.out.find(".16b", at + 1))
		vector_operands++;
	for (size_t at = dump.out.find(".4s"); at != std::string::npos; at = dump.out.find(".4s", at + 1))
		vector_operands++;
	EXPECT_GT(vector_operands, 50u) << "GCC did not vectorize sw/firmware/vector.c";
}

TEST(SimdFirmware, RunsToTheEndAndRepeats)
{
	GuestRun first = qvp_test::run_guest(build_path("sw/vector.elf"));
	ASSERT_EQ(first.cause, MACHINE_GUEST_EXIT) << first.error << first.diagnosis;
	EXPECT_EQ(first.exit_code, 0) << first.console;
	EXPECT_NE(first.console.find("\nvector: done, "), std::string::npos) << first.console;
	GuestRun second = qvp_test::run_guest(build_path("sw/vector.elf"));
	EXPECT_EQ(second.console, first.console);
	EXPECT_EQ(second.stats.instructions, first.stats.instructions);
	EXPECT_EQ(second.time, first.time);
}

TEST(SimdFirmware, SameOutputAsQemu)
{
	qvp_test::QemuRun qemu = qvp_test::run_qemu_virt(build_path("sw/vector.elf"));
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	ASSERT_EQ(qemu.status, 0) << qemu.err;
	GuestRun run = qvp_test::run_guest(build_path("sw/vector.elf"));
	ASSERT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.console, qemu.console);
}

} // namespace
