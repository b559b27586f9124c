// sw/firmware/el2_stage2.c on the whole virt machine started at EL2 (--el2): a hypervisor runs
// an EL1 guest under stage 2 (a remapped page, a read-only one, unmapped ones, a stage 1 table
// at an unmapped IPA, a page stage 2 does not let execute, a second VMID, VM off and on) and
// prints every stage 2 abort's ESR_EL2, FAR_EL2 and HPFAR_EL2 before it fixes the mapping.
// QEMU with virtualization=on and -cpu cortex-a57 is the oracle: the output must be the same
// byte for byte.
#include <gtest/gtest.h>

#include <string>

#include "test_support.h"

using qvp_test::build_path;
using qvp_test::GuestRun;

namespace
{

GuestRun run_stage2_guest()
{
	qvp_test::GuestOptions options;
	options.start_el2 = true;
	options.timeout = VTIME_S;
	return qvp_test::run_guest(build_path("sw/el2_stage2.elf"), options);
}

TEST(El2Stage2, HypervisorAndGuestPrintWhatQemuPrints)
{
	qvp_test::QemuOptions options;
	options.extra = {"-machine", "virtualization=on", "-icount", "shift=0"};
	qvp_test::QemuRun qemu = qvp_test::run_qemu_virt(build_path("sw/el2_stage2.elf"), options);
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	ASSERT_EQ(qemu.status, 0) << qemu.err << qemu.console;
	GuestRun run = run_stage2_guest();
	ASSERT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.exit_code, 0) << run.console;
	EXPECT_EQ(run.console, qemu.console);
	// The kinds of abort the firmware is there to cause, so an empty run cannot pass.
	EXPECT_NE(run.console.find("ISV=1 SAS=2 SSE=0"), std::string::npos)
	    << run.console; // STR W to the read-only page
	EXPECT_NE(run.console.find("ISV=1 SAS=1 SSE=1 SRT=5 SF=1"), std::string::npos) << run.console; // LDRSH X5
	EXPECT_NE(run.console.find("S1PTW=1 IFSC=0x05"), std::string::npos) << run.console; // the stage 1 walk's read
	EXPECT_NE(run.console.find("S1PTW=0 IFSC=0x0f"), std::string::npos) << run.console; // XN at stage 2
	EXPECT_NE(run.console.find("el2: done, 0 failures\n"), std::string::npos) << run.console;
}

TEST(El2Stage2, RepeatsExactly)
{
	GuestRun first = run_stage2_guest(), second = run_stage2_guest();
	ASSERT_EQ(first.cause, MACHINE_GUEST_EXIT) << first.error;
	EXPECT_EQ(first.console, second.console);
	EXPECT_EQ(first.stats.instructions, second.stats.instructions);
	EXPECT_EQ(first.time, second.time);
}

} // namespace
