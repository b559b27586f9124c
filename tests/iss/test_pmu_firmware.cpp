// sw/firmware/pmu_cycles.c on the whole virt machine: firmware timing loops with the PMU's
// cycle counter. qemu-system-aarch64 with -icount shift=0 is the oracle: there, too, a cycle
// is one instruction (a 1 GHz counter, one instruction per nanosecond), so both must print
// the same counts, filter and overflow results.
#include <gtest/gtest.h>

#include <string>

#include "test_support.h"

using qvp_test::build_path;
using qvp_test::GuestRun;

namespace
{

TEST(PmuFirmware, CycleCountsAreWhatQemuIcountCounts)
{
	qvp_test::QemuOptions options;
	options.extra = { "-icount", "shift=0" };
	qvp_test::QemuRun qemu = qvp_test::run_qemu_virt(build_path("sw/pmu_cycles.elf"), options);
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	ASSERT_EQ(qemu.status, 0) << qemu.err;
	GuestRun run = qvp_test::run_guest(build_path("sw/pmu_cycles.elf"));
	ASSERT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.exit_code, 0);
	EXPECT_EQ(run.console, qemu.console);
	EXPECT_NE(run.console.find("pmu: counting: loop of 1000: 2001 cycles\n"), std::string::npos) << run.console;
}

} // namespace
