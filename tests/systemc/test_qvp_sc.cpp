// qvp-sc against qvp: the same firmware gives the same console, exit status, instruction
// count and virtual time; the SystemC peripherals work; SystemC runs repeat exactly.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <unistd.h>
#include <vector>

#include "test_support.h"

using qvp_test::build_path;
using qvp_test::ProcessResult;
using qvp_test::read_file;
using qvp_test::run_process;
using qvp_test::TempDir;
using qvp_test::write_file;

namespace {

struct QvpRun {
	ProcessResult process;
	std::string stats; // --stats-json without the wall-clock field
};

// The stats JSON is one line; drop "wall_seconds", the one host-time field.
std::string without_wall_time(const std::string &json)
{
	std::string::size_type at = json.find(", \"wall_seconds\"");
	return at == std::string::npos ? json : json.substr(0, at);
}

QvpRun run(const std::string &program, std::vector<std::string> arguments, const std::string &firmware)
{
	TempDir dir;
	QvpRun result;
	std::vector<std::string> argv = { build_path(program), "run", "--stats-json", dir.path("stats.json") };

	argv.insert(argv.end(), arguments.begin(), arguments.end());
	argv.push_back(build_path("sw/" + firmware + ".elf"));
	result.process = run_process(argv);
	result.stats = without_wall_time(read_file(dir.path("stats.json")));
	return result;
}

std::string replace_all(std::string text, const std::string &from, const std::string &to)
{
	for (std::string::size_type at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
		text.replace(at, from.size(), to);
	return text;
}

bool firmware_exists(const std::string &name)
{
	return access(build_path("sw/" + name + ".elf").c_str(), R_OK) == 0;
}

class SameAsQvp : public ::testing::TestWithParam<const char *> {};

TEST_P(SameAsQvp, ConsoleExitStatusInstructionsAndVirtualTime)
{
	std::string firmware = GetParam();
	if (!firmware_exists(firmware))
		GTEST_SKIP() << "sw/" << firmware << ".elf is not built";
	std::vector<std::string> options = { "--timeout", "1000s" };
	QvpRun native = run("qvp", options, firmware);
	QvpRun systemc = run("qvp-sc", options, firmware);

	EXPECT_EQ(systemc.process.out, native.process.out);
	EXPECT_EQ(systemc.process.status, native.process.status) << systemc.process.err;
	EXPECT_EQ(systemc.process.err, replace_all(native.process.err, "qvp: ", "qvp-sc: "));
	ASSERT_NE(native.stats.find("\"instructions\""), std::string::npos) << native.stats;
	EXPECT_EQ(systemc.stats, native.stats); // instructions, virtual and idle time, quanta, events
}

INSTANTIATE_TEST_SUITE_P(Firmware, SameAsQvp,
			 ::testing::Values("hello", "bench", "exitcode", "fault", "exceptions", "timer_irq", "sleep",
					   "sleep_long", "sgi", "spi_priorities", "rtc", "sp804", "psci", "psci_reset",
					   "psci_cpu_off", "fp_math", "vector", "pmu_cycles", "mmio_pairs"));

// Another quantum (so another TLM global quantum and other sync points): still the same run.
TEST(QvpSc, SameAsQvpWithAnotherQuantum)
{
	for (const char *firmware : { "timer_irq", "sleep", "sgi" }) {
		if (!firmware_exists(firmware))
			continue;
		std::vector<std::string> options = { "--quantum", "7us", "--timeout", "1000s" };
		QvpRun native = run("qvp", options, firmware);
		QvpRun systemc = run("qvp-sc", options, firmware);
		EXPECT_EQ(systemc.process.out, native.process.out) << firmware;
		EXPECT_EQ(systemc.process.status, native.process.status) << firmware;
		EXPECT_EQ(systemc.stats, native.stats) << firmware;
	}
}

// Console input from a script enters the UART at the same virtual times under qvp-sc; an unmet
// expectation is status 123 there too.
TEST(QvpSc, ConsoleScriptsRunAsUnderQvp)
{
	TempDir dir;
	write_file(dir.path("poll.script"), "expect \"poll> \"\nsend \"hello\\n\"\nat 20ms\nsend \"exit 7\\n\"\n");
	std::vector<std::string> options = { "--console-script", dir.path("poll.script"), "--timeout", "10s" };
	QvpRun native = run("qvp", options, "console_poll");
	QvpRun systemc = run("qvp-sc", options, "console_poll");

	EXPECT_EQ(native.process.out, "poll> upper: HELLO\npoll> ");
	EXPECT_EQ(native.process.status, 7) << native.process.err;
	EXPECT_EQ(systemc.process.out, native.process.out);
	EXPECT_EQ(systemc.process.status, native.process.status) << systemc.process.err;
	EXPECT_EQ(systemc.stats, native.stats); // the bytes entered at the same virtual times

	write_file(dir.path("never.script"), "expect \"never printed\"\n");
	QvpRun unmet = run("qvp-sc", { "--console-script", dir.path("never.script") }, "hello");
	EXPECT_EQ(unmet.process.status, 123);
	EXPECT_NE(unmet.process.err.find("qvp-sc: console script"), std::string::npos) << unmet.process.err;
}

TEST(QvpSc, AcceleratorFirmwarePasses)
{
	QvpRun run_ = run("qvp-sc", { "--platform", "virt-sc", "--timeout", "1s" }, "sc_accel");

	EXPECT_EQ(run_.process.status, 0) << run_.process.out << run_.process.err;
	EXPECT_NE(run_.process.out.find("sc_accel: all checks passed"), std::string::npos) << run_.process.out;
	EXPECT_EQ(run_.process.out.find("FAIL"), std::string::npos) << run_.process.out;
	EXPECT_EQ(run_.process.err, "");
}

// PSCI SYSTEM_RESET rebuilds qvp's side of the board and resets the SystemC modules in place:
// the accelerator drops the operation under way, the SystemC memory is zeroed, and the rebuilt
// GIC gets the accelerator's interrupt.
TEST(QvpSc, SystemResetResetsTheSystemCModules)
{
	QvpRun run_ = run("qvp-sc", { "--platform", "virt-sc", "--timeout", "1s" }, "sc_reset");

	EXPECT_EQ(run_.process.status, 0) << run_.process.out << run_.process.err;
	EXPECT_NE(run_.process.out.find("sc_reset: second boot"), std::string::npos) << run_.process.out;
	EXPECT_NE(run_.process.out.find("sc_reset: all checks passed"), std::string::npos) << run_.process.out;
	EXPECT_EQ(run_.process.out.find("FAIL"), std::string::npos) << run_.process.out;
}

TEST(QvpSc, TwoRunsGiveIdenticalTracesLogsAndStats)
{
	TempDir dir;
	std::vector<std::string> outputs[2];
	std::string stats[2];

	for (int i = 0; i < 2; i++) {
		std::string trace = dir.path("trace" + std::to_string(i) + ".json");
		std::string log = dir.path("log" + std::to_string(i));
		QvpRun run_ = run("qvp-sc", { "--platform", "virt-sc", "--trace", trace, "--sc-log", log }, "sc_accel");
		ASSERT_EQ(run_.process.status, 0) << run_.process.err;
		outputs[i] = { run_.process.out, read_file(trace), read_file(log) };
		stats[i] = run_.stats;
	}
	EXPECT_EQ(outputs[0][0], outputs[1][0]);
	EXPECT_GT(outputs[0][1].size(), 1000u);
	EXPECT_TRUE(outputs[0][1] == outputs[1][1]) << "the --trace files differ";
	EXPECT_NE(outputs[0][2].find("ps write 0x9200004 4 0x3 ok"), std::string::npos); // START with IRQ_ENABLE
	EXPECT_TRUE(outputs[0][2] == outputs[1][2]) << "the --sc-log files differ";
	EXPECT_EQ(stats[0], stats[1]);
}

// The accelerator's ADD of 256 words is started by the CTRL write (START | IRQ_ENABLE) at the
// CPU's exact time and ends 100 ns + 2 ns per word later: the GIC must see its SPI rise then,
// to the picosecond, although the SystemC peripheral and the CPU run in different threads.
TEST(QvpSc, AcceleratorInterruptReachesTheGicAtItsExactTime)
{
	TempDir dir;
	std::string trace = dir.path("trace.json"), log = dir.path("log");
	QvpRun run_ = run("qvp-sc", { "--platform", "virt-sc", "--trace", trace, "--sc-log", log }, "sc_accel");
	ASSERT_EQ(run_.process.status, 0) << run_.process.err;

	std::string transactions = read_file(log);
	std::string::size_type start = transactions.find(" ps write 0x9200004 4 0x3 ok");
	ASSERT_NE(start, std::string::npos) << transactions;
	std::string::size_type line = transactions.rfind('\n', start);
	uint64_t started = std::stoull(transactions.substr(line == std::string::npos ? 0 : line + 1));
	uint64_t done = started + (100 + 2 * 256) * 1000; // ps
	char expected[160];
	std::snprintf(expected, sizeof(expected),
		      "\"name\":\"/intc@8000000 input 43\",\"ts\":%llu.%06llu,\"cat\":\"irq\",\"args\":{\"level\":1}",
		      (unsigned long long)(done / 1000000), (unsigned long long)(done % 1000000));
	EXPECT_NE(read_file(trace).find(expected), std::string::npos) << expected;
}

TEST(QvpSc, TlmAddressErrorIsAGuestDataAbortNotACrash)
{
	QvpRun run_ = run("qvp-sc", { "--platform", "virt-sc", "--timeout", "1s" }, "sc_fault");

	EXPECT_EQ(run_.process.status, 127) << run_.process.out << run_.process.err;
	EXPECT_NE(run_.process.out.find("sc_fault: reading 0x9200800"), std::string::npos) << run_.process.out;
	EXPECT_NE(run_.process.out.find("FAR_EL1=0x9200800"), std::string::npos) << run_.process.out;
}

TEST(QvpSc, PlainQvpSaysTheBoardNeedsQvpSc)
{
	QvpRun run_ = run("qvp", { "--platform", "virt-sc" }, "hello");

	EXPECT_EQ(run_.process.status, 125);
	EXPECT_NE(run_.process.err.find("/accel@9200000: compatible \"qvp,systemc-target\" is a peripheral written in "
					"SystemC: run this board with qvp-sc"),
		  std::string::npos)
		<< run_.process.err;
}

TEST(QvpSc, IdleGuestSkipsToTheTimeoutAsQvpDoes)
{
	// hello's WFI-free run is covered above; here a guest that only waits: raw WFI, then b .
	TempDir dir;
	std::string code = dir.path("wfi.bin");
	const uint32_t words[] = { 0xd503207f, 0x14000000 };
	qvp_test::write_file(code, std::string(reinterpret_cast<const char *>(words), sizeof(words)));
	std::vector<std::string> results;
	for (const char *program : { "qvp", "qvp-sc" }) {
		ProcessResult result = run_process({ build_path(program), "run", "--timeout", "5s", "--raw", "0x40080000",
						     "--stats-json", dir.path(std::string(program) + ".json"), code });
		EXPECT_EQ(result.status, 124) << program << ": " << result.err;
		results.push_back(without_wall_time(read_file(dir.path(std::string(program) + ".json"))));
	}
	EXPECT_EQ(results[0], results[1]);
	EXPECT_NE(results[1].find("\"idle_skipped_ps\": 4999999999000"), std::string::npos) << results[1];
}

TEST(QvpSc, WfiNothingCanWakeIsReportedNotAHang)
{
	TempDir dir;
	std::string code = dir.path("wfi.bin");
	const uint32_t wfi = 0xd503207f;
	qvp_test::write_file(code, std::string(reinterpret_cast<const char *>(&wfi), sizeof(wfi)));
	ProcessResult result = run_process({ build_path("qvp-sc"), "run", "--raw", "0x40080000", code });

	EXPECT_EQ(result.status, 126);
	EXPECT_NE(result.err.find("neither qvp nor SystemC has an event that can wake it"), std::string::npos)
		<< result.err;
}

TEST(QvpSc, HelpNamesItsOwnOptions)
{
	ProcessResult result = run_process({ build_path("qvp-sc"), "--help" });

	EXPECT_EQ(result.status, 0);
	EXPECT_NE(result.out.find("--sc-log FILE"), std::string::npos);
	EXPECT_EQ(result.err, "");
	EXPECT_EQ(result.out.rfind("Usage: qvp-sc run [OPTIONS] FIRMWARE\n", 0), 0u) << result.out;
	EXPECT_NE(result.out.find("       qvp-sc --help | --version\n"), std::string::npos) << result.out;
	EXPECT_EQ(result.out.find("qvp run"), std::string::npos) << result.out;
	EXPECT_EQ(result.out.find("qvp test"), std::string::npos) << result.out;
}

// qvp-sc's refusals and usage errors name qvp-sc, not qvp.
TEST(QvpSc, ErrorsNameQvpSc)
{
	ProcessResult test = run_process({ build_path("qvp-sc"), "test", "manifest.yaml" });
	EXPECT_EQ(test.status, 125);
	EXPECT_EQ(test.err.rfind("qvp-sc: error: qvp-sc has no 'test' command", 0), 0u) << test.err;
	const std::vector<std::vector<std::string>> usage_errors = {
		{ "run", "--no-such-option", "x.elf" }, { "run", "--timeout" }, { "sing" }, {} };
	for (const auto &args : usage_errors) {
		std::vector<std::string> command = { build_path("qvp-sc") };
		command.insert(command.end(), args.begin(), args.end());
		ProcessResult result = run_process(command);
		EXPECT_EQ(result.status, 125) << result.err;
		EXPECT_NE(result.err.find("'qvp-sc --help'"), std::string::npos) << result.err;
		EXPECT_EQ(result.err.find("'qvp --help'"), std::string::npos) << result.err;
	}
}

} // namespace
