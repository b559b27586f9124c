// Real guest firmware, built with the aarch64 cross compiler, on the whole virt machine.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "error.h"
#include "loop.h"
#include "machine.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::TempDir;

namespace {

using qvp_test::GuestRun;
using RunOptions = qvp_test::GuestOptions;

GuestRun run_firmware(const std::string &firmware, RunOptions options = RunOptions())
{
	return qvp_test::run_guest(firmware, options);
}

// Guest code as raw little-endian words, loaded at 0x40080000.
GuestRun run_words(const std::vector<uint32_t> &words, RunOptions options = RunOptions())
{
	TempDir dir;
	std::string path = dir.path("code.bin");
	qvp_test::write_file(path, std::string(reinterpret_cast<const char *>(words.data()), words.size() * 4));
	options.raw = true;
	return run_firmware(path, options);
}

const uint32_t insn_branch_to_self = 0x14000000; // b .
const uint32_t insn_wfi = 0xd503207f;
const uint32_t insn_udf = 0x00000000;             // udf #0
const uint32_t insn_mov_x1_0x1000 = 0xd2820001;  // movz x1, #0x1000
const uint32_t insn_ldr_w0_x1 = 0xb9400020;      // ldr w0, [x1]

TEST(Firmware, HelloPrintsGreetingAndExitsZero)
{
	GuestRun run = run_firmware(build_path("sw/hello.elf"));
	ASSERT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.exit_code, 0);
	EXPECT_EQ(run.console, "Hello from qvp!\n");
	// Virtual time is the instruction count at the board's 1 GHz clock.
	EXPECT_GT(run.stats.instructions, 10u);
	EXPECT_EQ(run.time, run.stats.instructions * VTIME_NS);
}

TEST(Firmware, ExitCodeReachesTheHost)
{
	GuestRun run = run_firmware(build_path("sw/exitcode.elf"));
	ASSERT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.exit_code, 3);
	EXPECT_EQ(run.console, "exitcode: exiting with 3\n");
}

// The same workload compiled natively for the host is the oracle for the checksums.
TEST(Firmware, BenchChecksumMatchesHostBuildOfTheSameWorkload)
{
	qvp_test::ProcessResult host = qvp_test::run_process({ build_path("sw/bench_host") });
	ASSERT_EQ(host.status, 0) << host.err;
	ASSERT_NE(host.out.find("bench checksum: 0x"), std::string::npos) << host.out;

	GuestRun run = run_firmware(build_path("sw/bench.elf"));
	ASSERT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.exit_code, 0);
	EXPECT_EQ(run.console, host.out);
	EXPECT_GT(run.stats.instructions, 100000000u);
}

TEST(Determinism, TwoRunsOfBenchAreIdentical)
{
	GuestRun first = run_firmware(build_path("sw/bench.elf"));
	GuestRun second = run_firmware(build_path("sw/bench.elf"));
	ASSERT_EQ(first.cause, MACHINE_GUEST_EXIT) << first.error;
	EXPECT_EQ(first.console, second.console);
	EXPECT_EQ(first.exit_code, second.exit_code);
	EXPECT_EQ(first.stats.instructions, second.stats.instructions);
	EXPECT_EQ(first.time, second.time);
	EXPECT_EQ(first.stats.quanta, second.stats.quanta);
}

TEST(Determinism, QuantumDoesNotChangeWhatTheGuestComputes)
{
	RunOptions small;
	small.quantum = 7 * VTIME_US;
	GuestRun reference = run_firmware(build_path("sw/hello.elf"));
	GuestRun run = run_firmware(build_path("sw/hello.elf"), small);
	ASSERT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.console, reference.console);
	EXPECT_EQ(run.stats.instructions, reference.stats.instructions);
	EXPECT_EQ(run.time, reference.time);
	EXPECT_GT(run.stats.quanta, reference.stats.quanta);
}

TEST(Loop, TimeoutStopsASpinningGuestAtExactlyThatVirtualTime)
{
	RunOptions options;
	options.timeout = 3 * VTIME_MS + 500 * VTIME_NS;
	GuestRun run = run_words({ insn_branch_to_self }, options);
	EXPECT_EQ(run.cause, MACHINE_TIMEOUT);
	EXPECT_EQ(run.time, options.timeout);
	EXPECT_EQ(run.stats.instructions, 3000500u);
}

TEST(Loop, IdleGuestWithNothingToWakeItIsReported)
{
	GuestRun run = run_words({ insn_wfi });
	EXPECT_EQ(run.cause, MACHINE_FATAL);
	EXPECT_NE(run.error.find("waits for an interrupt"), std::string::npos) << run.error;
	EXPECT_EQ(run.stats.instructions, 1u);
}

TEST(Loop, IdleGuestSkipsToTheTimeout)
{
	RunOptions options;
	options.timeout = 5 * VTIME_S;
	GuestRun run = run_words({ insn_wfi, insn_branch_to_self }, options);
	EXPECT_EQ(run.cause, MACHINE_TIMEOUT);
	EXPECT_EQ(run.time, 5 * VTIME_S);
	EXPECT_EQ(run.stats.instructions, 1u);
	EXPECT_EQ(run.stats.idle_skipped, 5 * VTIME_S - VTIME_NS);
}

// Raw code has no vector table (VBAR_EL1 is 0, where nothing is mapped): the undefined
// instruction is an exception, its vector fetch faults, and so on. The guest makes no
// progress, the host keeps control, and the loop ends the run with a diagnosis (MACHINE_FATAL)
// at the end of the quantum in which the CPU saw the loop.
TEST(Loop, UndefinedInstructionWithoutVectorsIsAnExceptionLoopThatEndsTheRun)
{
	RunOptions options;
	options.timeout = 1 * VTIME_S;
	GuestRun run = run_words({ 0xd503201f, insn_udf }, options); // nop; udf #0
	EXPECT_EQ(run.cause, MACHINE_FATAL);
	EXPECT_EQ(run.time, 100 * VTIME_US); // the first quantum
	EXPECT_NE(run.error.find("exception loop"), std::string::npos) << run.error;
	EXPECT_NE(run.error.find("VBAR_EL1 0x0000000000000000"), std::string::npos) << run.error;
	EXPECT_EQ(run.diagnosis, run.error);
}

TEST(Loop, UnmappedAccessIsADataAbortNotAHostCrash)
{
	RunOptions options;
	options.timeout = 1 * VTIME_S;
	GuestRun run = run_words({ insn_mov_x1_0x1000, insn_ldr_w0_x1 }, options);
	EXPECT_EQ(run.cause, MACHINE_FATAL);
	EXPECT_NE(run.error.find("exception loop"), std::string::npos) << run.error;
}

TEST(Firmware, UnhandledDataAbortIsReportedBySdkAndExits127)
{
	GuestRun run = run_firmware(build_path("sw/fault.elf"));
	EXPECT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.exit_code, 127);
	EXPECT_NE(run.console.find("ESR_EL1=0x96000010"), std::string::npos) << run.console;
	EXPECT_NE(run.console.find("FAR_EL1=0x100000000"), std::string::npos) << run.console;
}

TEST(Firmware, ExceptionsMmuAndExclusivesCheckThemselves)
{
	RunOptions options;
	options.timeout = 1 * VTIME_S;
	GuestRun run = run_firmware(build_path("sw/exceptions.elf"), options);
	EXPECT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.exit_code, 0) << run.console;
	EXPECT_NE(run.console.find("exceptions: 0 failure(s)"), std::string::npos) << run.console;
	EXPECT_EQ(run.console.find("FAIL"), std::string::npos) << run.console;
}

} // namespace
