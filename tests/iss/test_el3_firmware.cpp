// sw/firmware/el3_monitor.c on the whole virt machine started at EL3 (qvp run --el3, with
// --semihosting for its exit): a secure monitor that drops to EL1 (or EL2 with --el2) and
// answers its SMCs, takes an IRQ routed by SCR_EL3.IRQ, and ends the run with SYS_EXIT. QEMU's
// -M virt,secure=on (which starts an ELF given as -kernel at EL3) with -semihosting is the
// oracle: the printed syndromes, values and order of events must be the same byte for byte.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.h"

using qvp_test::build_path;
using qvp_test::ProcessResult;

namespace
{

ProcessResult run_qvp_el3(std::vector<std::string> extra = {})
{
	std::vector<std::string> args = { "run", "--backend", "iss", "--el3", "--semihosting", "--timeout", "1s" };
	args.insert(args.end(), extra.begin(), extra.end());
	args.push_back(build_path("sw/el3_monitor.elf"));
	return qvp_test::run_qvp(args);
}

qvp_test::QemuRun run_qemu_el3(const std::string &machine)
{
	qvp_test::QemuOptions options;
	options.extra = { "-machine", machine, "-icount", "shift=0", "-semihosting" };
	return qvp_test::run_qemu_virt(build_path("sw/el3_monitor.elf"), options);
}

TEST(El3Firmware, MonitorAndEl1PrintWhatQemuSecurePrints)
{
	qvp_test::QemuRun qemu = run_qemu_el3("secure=on");
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	ASSERT_EQ(qemu.status, 0) << qemu.err;
	ProcessResult run = run_qvp_el3();
	EXPECT_EQ(run.status, 0) << run.err;
	EXPECT_EQ(run.out, qemu.console);
	EXPECT_NE(run.out.find("el3: SMC from EL1: ESR_EL3=0x5e000011, after the SMC: yes\nel1: SMC returned 42\n"),
	          std::string::npos)
	    << run.out;
	EXPECT_NE(run.out.find("el3: IRQ 5 from EL1 taken at EL3, SPSR_EL3.I=1\n"), std::string::npos) << run.out;
}

TEST(El3Firmware, MonitorAndEl2PrintWhatQemuSecureWithVirtualizationPrints)
{
	qvp_test::QemuRun qemu = run_qemu_el3("secure=on,virtualization=on");
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	ASSERT_EQ(qemu.status, 0) << qemu.err;
	ProcessResult run = run_qvp_el3({ "--el2" });
	EXPECT_EQ(run.status, 0) << run.err;
	EXPECT_EQ(run.out, qemu.console);
	EXPECT_NE(run.out.find("el3: entering EL2\nel2: running at EL2\n"), std::string::npos) << run.out;
}

TEST(El3Firmware, RepeatsExactly)
{
	ProcessResult first = run_qvp_el3({ "--stats" }), second = run_qvp_el3({ "--stats" });
	EXPECT_EQ(first.status, 0) << first.err;
	EXPECT_EQ(first.out, second.out);
	EXPECT_EQ(qvp_test::stats_value(first.err, "instructions"), qvp_test::stats_value(second.err, "instructions"));
	EXPECT_NE(qvp_test::stats_value(first.err, "instructions"), "");
}

TEST(El3Firmware, WithoutEl3TheMonitorSaysItNeedsIt)
{
	ProcessResult run = qvp_test::run_qvp({ "run", "--backend", "iss", build_path("sw/el3_monitor.elf") });
	EXPECT_EQ(run.status, 1);
	EXPECT_EQ(run.out, "el3: started at EL1\nel3: this firmware needs to start at EL3 (qvp --el3)\n");
}

TEST(El3Firmware, OptionsThatCannotGoWithEl3AreRefused)
{
	ProcessResult kvm = qvp_test::run_qvp({ "run", "--backend", "kvm", "--el3", build_path("sw/hello.elf") });
	EXPECT_EQ(kvm.status, 125);
	ProcessResult kernel = qvp_test::run_qvp({ "run", "--el3", "--kernel", build_path("sw/hello.elf") });
	EXPECT_EQ(kernel.status, 125);
	EXPECT_NE(kernel.err.find("--el3 and --kernel exclude each other"), std::string::npos) << kernel.err;
}

} // namespace
