// PSCI through HVC (runtime/psci.c): firmware calls every function, the values are checked
// against the PSCI specification (Arm DEN 0022) and compared with QEMU's -M virt.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "cli.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::GuestRun;
using qvp_test::ProcessResult;
using qvp_test::TempDir;

namespace {

// The "psci: NAME = VALUE" lines, without the VERSION line when `without_version`.
std::string results(const std::string &console, bool without_version)
{
	std::istringstream lines(console);
	std::string line, out;
	while (std::getline(lines, line)) {
		if (line.rfind("psci: ", 0) != 0 || (without_version && line.rfind("psci: VERSION =", 0) == 0))
			continue;
		out += line + "\n";
	}
	return out;
}

TEST(Psci, EveryFunctionReturnsWhatTheSpecificationSays)
{
	GuestRun run = qvp_test::run_guest(build_path("sw/psci.elf"));
	ASSERT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.exit_code, 0); // SYSTEM_OFF
	EXPECT_EQ(results(run.console, false),
		  "psci: VERSION = 65536\n" // 1.0
		  "psci: FEATURES(VERSION) = 0\n"
		  "psci: FEATURES(CPU_OFF) = 0\n"
		  "psci: FEATURES(CPU_ON) = 0\n"
		  "psci: FEATURES(CPU_ON64) = 0\n"
		  "psci: FEATURES(AFFINITY_INFO) = 0\n"
		  "psci: FEATURES(AFFINITY_INFO64) = 0\n"
		  "psci: FEATURES(MIGRATE_INFO_TYPE) = 0\n"
		  "psci: FEATURES(SYSTEM_OFF) = 0\n"
		  "psci: FEATURES(SYSTEM_RESET) = 0\n"
		  "psci: FEATURES(FEATURES) = 0\n"
		  "psci: FEATURES(MIGRATE) = -1\n"  // NOT_SUPPORTED
		  "psci: FEATURES(unknown) = -1\n"
		  "psci: CPU_ON64(self) = -4\n"     // ALREADY_ON
		  "psci: CPU_ON(self) = -4\n"
		  "psci: CPU_ON64(cpu1) = -2\n"     // INVALID_PARAMETERS: no such CPU
		  "psci: CPU_ON64(aff1) = -2\n"
		  "psci: AFFINITY_INFO64(self,0) = 0\n" // ON
		  "psci: AFFINITY_INFO(self,0) = 0\n"
		  "psci: AFFINITY_INFO64(cpu1,0) = -2\n"
		  "psci: MIGRATE_INFO_TYPE = 2\n"   // no Trusted OS to migrate
		  "psci: MIGRATE_INFO_UP_CPU = -1\n"
		  "psci: unknown(0x8400001f) = -1\n"
		  "psci: unknown(0xc4000000) = -1\n" // VERSION has no SMC64 form
		  "psci: unknown(0xc2000000) = -1\n"
		  "psci: SYSTEM_OFF\n");
}

// QEMU's PSCI (target/arm/psci.c) is the peer: the same answers, but for the version it
// reports (QEMU 7.2 says 1.1; qvp implements 1.0).
TEST(Psci, SameAnswersAsQemu)
{
	qvp_test::QemuOptions options;
	options.timeout_seconds = 60;
	qvp_test::QemuRun qemu = qvp_test::run_qemu_virt(build_path("sw/psci.elf"), options);
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	ASSERT_EQ(qemu.status, 0) << qemu.err;
	GuestRun run = qvp_test::run_guest(build_path("sw/psci.elf"));
	EXPECT_EQ(results(run.console, true), results(qemu.console, true));
}

// CPU_SUSPEND (PSCI 1.0 section 5.4): a standby returns SUCCESS once an interrupt is pending,
// here the virtual timer's 1 ms on, masked at the CPU; qvp, as QEMU, takes a powerdown state as
// standby; a reserved power_state bit is INVALID_PARAMETERS, at once. QEMU is the peer.
TEST(Psci, CpuSuspendStandsByUntilAnInterrupt)
{
	GuestRun run = qvp_test::run_guest(build_path("sw/psci_suspend.elf"));
	ASSERT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error << run.console;
	EXPECT_EQ(run.exit_code, 0);
	EXPECT_EQ(results(run.console, false),
		  "psci: FEATURES(CPU_SUSPEND) = 0\n" // original power_state format, no OS-initiated mode
		  "psci: FEATURES(CPU_SUSPEND64) = 0\n"
		  "psci: CPU_SUSPEND(standby) = 0, timer fired\n"
		  "psci: CPU_SUSPEND64(standby) = 0, timer fired\n"
		  "psci: CPU_SUSPEND(powerdown) = 0, timer fired\n"
		  "psci: CPU_SUSPEND(reserved bit) = -2, timer not yet\n"
		  "psci: SYSTEM_OFF\n");
	EXPECT_GE(run.time, 3 * VTIME_MS) << "three standbys of 1 ms";
	EXPECT_GT(run.stats.idle_skipped, 2 * VTIME_MS) << "a standby is idle time, skipped";

	qvp_test::QemuOptions options;
	options.timeout_seconds = 60;
	options.extra = { "-icount", "shift=0" };
	qvp_test::QemuRun qemu = qvp_test::run_qemu_virt(build_path("sw/psci_suspend.elf"), options);
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	ASSERT_EQ(qemu.status, 0) << qemu.err;
	EXPECT_EQ(results(run.console, false), results(qemu.console, false));
}

TEST(Psci, SystemResetRestartsTheBoardClean)
{
	GuestRun run = qvp_test::run_guest(build_path("sw/psci_reset.elf"));
	ASSERT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.exit_code, 0) << run.console;
	EXPECT_EQ(run.console, "psci_reset: first boot, resetting\n"
			       "psci_reset: second boot: data 0x600dda7a, bss 0x0\n");
	EXPECT_EQ(run.stats.resets, 1u);
}

TEST(Psci, StatsCountTheResets)
{
	ProcessResult result = qvp_test::run_process({ build_path("qvp"), "run", "--backend", "iss", "--stats",
						       build_path("sw/psci_reset.elf") });
	EXPECT_EQ(result.status, 0) << result.err;
	EXPECT_NE(result.err.find("\nboard resets: 1 (PSCI SYSTEM_RESET)\n"), std::string::npos) << result.err;
}

TEST(Psci, ResetRunsRepeatExactly)
{
	GuestRun first = qvp_test::run_guest(build_path("sw/psci_reset.elf"));
	GuestRun second = qvp_test::run_guest(build_path("sw/psci_reset.elf"));
	EXPECT_EQ(first.stats.instructions, second.stats.instructions);
	EXPECT_EQ(first.time, second.time);
}

// Without the simulation-control device the SDK's exit() falls back to PSCI SYSTEM_OFF.
TEST(Psci, SdkExitWithoutSimControlPowersOff)
{
	TempDir dir;
	std::string dts = qvp_test::read_file(std::string(QVP_SOURCE_DIR) + "/platforms/virt.dts");
	size_t node = dts.find("\tsim-control@b000000 {");
	ASSERT_NE(node, std::string::npos);
	dts.erase(node, dts.find("};", node) + 2 - node);
	qvp_test::write_file(dir.path("virt-no-simctl.dts"), dts);
	ProcessResult result = qvp_test::run_process({ build_path("qvp"), "run", "--backend", "iss", "--platform",
						       dir.path("virt-no-simctl.dts"), build_path("sw/exitcode.elf") });
	EXPECT_EQ(result.status, 0) << result.err; // SYSTEM_OFF carries no code: 0, as on QEMU
	EXPECT_EQ(result.out, "exitcode: exiting with 3\n");
}

TEST(Psci, CpuOffOfTheOnlyCpuStopsTheRunWithAReason)
{
	GuestRun run = qvp_test::run_guest(build_path("sw/psci_cpu_off.elf"));
	EXPECT_EQ(run.cause, MACHINE_FATAL);
	EXPECT_NE(run.error.find("PSCI CPU_OFF: the only CPU turned itself off"), std::string::npos) << run.error;
	EXPECT_EQ(run.console, "psci_cpu_off: turning the only CPU off\n");
}

} // namespace
