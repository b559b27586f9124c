// sw/firmware/el2_monitor.c on the whole virt machine started at EL2 (--el2): an EL2 monitor
// and its EL1 guest (HVC, trapped WFI, TVM/TRVM, TSC, VPIDR/VMPIDR, an IRQ routed by IMO, the
// EL2 MMU). QEMU with virtualization=on (which also starts the CPU at EL2) is the oracle: the
// printed syndromes, values and the order of events must be the same byte for byte.
#include <gtest/gtest.h>

#include <string>

#include "test_support.h"

using qvp_test::build_path;
using qvp_test::GuestRun;

namespace
{

GuestRun run_el2_monitor()
{
	qvp_test::GuestOptions options;
	options.start_el2 = true;
	options.timeout = VTIME_S;
	return qvp_test::run_guest(build_path("sw/el2_monitor.elf"), options);
}

TEST(El2Firmware, MonitorAndGuestPrintWhatQemuPrints)
{
	qvp_test::QemuOptions options;
	options.extra = { "-machine", "virtualization=on", "-icount", "shift=0" };
	qvp_test::QemuRun qemu = qvp_test::run_qemu_virt(build_path("sw/el2_monitor.elf"), options);
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	ASSERT_EQ(qemu.status, 0) << qemu.err;
	GuestRun run = run_el2_monitor();
	ASSERT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.exit_code, 0) << run.console;
	EXPECT_EQ(run.console, qemu.console);
	EXPECT_NE(run.console.find("el2: sync from EL1: ESR_EL2=0x07e00000\nel2:   trapped WFI\n"), std::string::npos)
	    << run.console;
	EXPECT_NE(run.console.find("el2: IRQ 5 from EL1 with PSTATE.I=1\n"), std::string::npos) << run.console;
	EXPECT_NE(run.console.find("el2: done, 0 failures\n"), std::string::npos) << run.console;
}

TEST(El2Firmware, RepeatsExactly)
{
	GuestRun first = run_el2_monitor(), second = run_el2_monitor();
	ASSERT_EQ(first.cause, MACHINE_GUEST_EXIT) << first.error;
	EXPECT_EQ(first.console, second.console);
	EXPECT_EQ(first.stats.instructions, second.stats.instructions);
	EXPECT_EQ(first.time, second.time);
}

TEST(El2Firmware, WithoutEl2TheMonitorSaysItNeedsIt)
{
	GuestRun run = qvp_test::run_guest(build_path("sw/el2_monitor.elf"));
	ASSERT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.exit_code, 1);
	EXPECT_EQ(run.console, "el2: started at EL1\nel2: this firmware needs to start at EL2 (qvp --el2)\n");
}

} // namespace
