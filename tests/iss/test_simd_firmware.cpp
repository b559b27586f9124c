// sw/firmware/vector.c, GCC -O3 vectorized loops, on the whole virt machine: its AdvSIMD code
// runs to the end, repeats exactly, and prints what qemu-system-aarch64 prints for the same ELF.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <unistd.h>

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
	if (access("/usr/bin/qemu-system-aarch64", X_OK) != 0)
		GTEST_SKIP() << "qemu-system-aarch64 is not installed (apt-get install qemu-system-arm)";
	ProcessResult qemu = qvp_test::run_process({"timeout", "120", "qemu-system-aarch64", "-M", "virt", "-cpu",
	                                            "cortex-a57", "-nographic", "-monitor", "none", "-serial", "stdio",
	                                            "-kernel", build_path("sw/vector.elf")});
	ASSERT_EQ(qemu.status, 0) << qemu.err;
	std::string qemu_console = qemu.out;
	qemu_console.erase(std::remove(qemu_console.begin(), qemu_console.end(), '\r'), qemu_console.end());
	GuestRun run = qvp_test::run_guest(build_path("sw/vector.elf"));
	ASSERT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.console, qemu_console);
}

} // namespace
