// sw/firmware/pmu_cycles.c on the whole virt machine: firmware timing loops with the PMU's
// cycle counter. qemu-system-aarch64 with -icount shift=0 is the oracle: there, too, a cycle
// is one instruction (a 1 GHz counter, one instruction per nanosecond), so both must print
// the same counts, filter and overflow results.
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

TEST(PmuFirmware, CycleCountsAreWhatQemuIcountCounts)
{
	if (access("/usr/bin/qemu-system-aarch64", X_OK) != 0)
		GTEST_SKIP() << "qemu-system-aarch64 is not installed (apt-get install qemu-system-arm)";
	ProcessResult qemu = qvp_test::run_process({"timeout", "120", "qemu-system-aarch64", "-M", "virt", "-cpu",
	                                            "cortex-a57", "-nographic", "-monitor", "none", "-serial", "stdio",
	                                            "-icount", "shift=0", "-kernel", build_path("sw/pmu_cycles.elf")});
	ASSERT_EQ(qemu.status, 0) << qemu.err;
	std::string qemu_console = qemu.out;
	qemu_console.erase(std::remove(qemu_console.begin(), qemu_console.end(), '\r'), qemu_console.end());
	GuestRun run = qvp_test::run_guest(build_path("sw/pmu_cycles.elf"));
	ASSERT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.exit_code, 0);
	EXPECT_EQ(run.console, qemu_console);
	EXPECT_NE(run.console.find("pmu: counting: loop of 1000: 2001 cycles\n"), std::string::npos) << run.console;
}

} // namespace
