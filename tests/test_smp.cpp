// Several CPUs (--cpus N) on the iss backend: the SMP firmware of sw/ (a spinlock with WFE and
// SEV, exclusives across CPUs, PSCI CPU_ON/CPU_OFF/AFFINITY_INFO), each compared with QEMU's
// -smp N -icount shift=0 where its output does not depend on timing, and run twice to show that
// qvp's runs repeat exactly.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

using qvp_test::build_path;
using qvp_test::ProcessResult;
using qvp_test::TempDir;

namespace {

struct SmpRun {
	ProcessResult process;
	std::string stats; // the --stats-json file without its wall time: instructions, virtual time, ...
};

std::string without_wall_time(std::string json)
{
	size_t wall = json.find(", \"wall_seconds\"");
	return wall == std::string::npos ? json : json.erase(wall, json.find('}', wall) - wall);
}

SmpRun run_smp(const std::string &firmware, unsigned cpus, std::vector<std::string> extra = {})
{
	TempDir dir;
	std::vector<std::string> args = { "run", "--backend", "iss", "--cpus", std::to_string(cpus), "--timeout", "10s",
					  "--stats-json", dir.path("stats.json") };
	args.insert(args.end(), extra.begin(), extra.end());
	args.push_back(build_path("sw/" + firmware + ".elf"));
	SmpRun run;
	run.process = qvp_test::run_qvp(args);
	run.stats = without_wall_time(qvp_test::read_file(dir.path("stats.json")));
	return run;
}

qvp_test::QemuRun run_qemu_smp(const std::string &firmware, unsigned cpus)
{
	qvp_test::QemuOptions options;
	options.timeout_seconds = 120;
	options.extra = { "-smp", std::to_string(cpus), "-icount", "shift=0" };
	return qvp_test::run_qemu_virt(build_path("sw/" + firmware + ".elf"), options);
}

std::vector<std::string> sorted_lines(const std::string &text)
{
	std::istringstream in(text);
	std::vector<std::string> lines;
	for (std::string line; std::getline(in, line);)
		lines.push_back(line);
	std::sort(lines.begin(), lines.end());
	return lines;
}

std::string hello_line(unsigned cpu)
{
	return "smp_hello: hello from cpu " + std::to_string(cpu) + ", MPIDR 0x8000000" + std::to_string(cpu);
}

TEST(Smp, EveryCpuSaysHelloThroughTheSpinlock)
{
	for (unsigned cpus : { 2u, 4u, 8u }) {
		SmpRun run = run_smp("smp_hello", cpus);
		ASSERT_EQ(run.process.status, 0) << run.process.err;
		std::string expected;
		for (unsigned cpu = 0; cpu < cpus; cpu++)
			expected += hello_line(cpu) + "\n";
		expected += "smp_hello: " + std::to_string(cpus) + " CPUs said hello\n";
		EXPECT_EQ(sorted_lines(run.process.out), sorted_lines(expected)) << cpus << " CPUs";
	}
}

TEST(Smp, HelloIsWhatQemuSays)
{
	qvp_test::QemuRun qemu = run_qemu_smp("smp_hello", 4);
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	ASSERT_EQ(qemu.status, 0) << qemu.err;
	SmpRun run = run_smp("smp_hello", 4);
	ASSERT_EQ(run.process.status, 0) << run.process.err;
	EXPECT_EQ(sorted_lines(run.process.out), sorted_lines(qemu.console)); // the order is timing's
}

TEST(Smp, RunsRepeatExactly)
{
	for (const char *firmware : { "smp_hello", "smp_atomic", "psci_smp", "smp_ipi", "smp_timers" }) {
		SmpRun first = run_smp(firmware, 4), second = run_smp(firmware, 4);
		EXPECT_EQ(first.process.status, 0) << firmware << ": " << first.process.err;
		EXPECT_EQ(first.process.out, second.process.out) << firmware;
		EXPECT_EQ(first.stats, second.stats) << firmware; // instructions, virtual time, quanta, ...
		EXPECT_NE(first.stats.find("\"instructions\""), std::string::npos) << first.stats;
	}
}

// One counter, a million LDXR/STXR increments per CPU: exact only with a global monitor.
TEST(Smp, ExclusivesAcrossCpusLoseNoIncrement)
{
	for (unsigned cpus : { 1u, 2u, 4u }) {
		SmpRun run = run_smp("smp_atomic", cpus);
		EXPECT_EQ(run.process.status, 0) << run.process.err;
		EXPECT_EQ(run.process.out, "smp_atomic: " + std::to_string(cpus) + " CPUs x 1000000 increments = " +
						   std::to_string(cpus) + "000000\n");
	}
}

TEST(Smp, AtomicCounterIsWhatQemuCounts)
{
	qvp_test::QemuRun qemu = run_qemu_smp("smp_atomic", 4);
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	ASSERT_EQ(qemu.status, 0) << qemu.err;
	EXPECT_EQ(run_smp("smp_atomic", 4).process.out, qemu.console);
}

// SGI ping-pong: a thousand each way, every IAR naming the other CPU as the source.
TEST(Smp, SgisPingPongBetweenTwoCpus)
{
	SmpRun run = run_smp("smp_ipi", 2);
	EXPECT_EQ(run.process.status, 0) << run.process.err;
	EXPECT_EQ(run.process.out, "smp_ipi: cpu 0 received 1000, cpu 1 received 1000, wrong sources 0\n");
	qvp_test::QemuRun qemu = run_qemu_smp("smp_ipi", 2);
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	EXPECT_EQ(run.process.out, qemu.console);
}

// Each CPU's own virtual timer (banked PPI 27) at its own period, never early; the run's
// virtual time covers the slowest CPU's ten 4 ms ticks.
TEST(Smp, EachCpuHasItsOwnTimer)
{
	SmpRun run = run_smp("smp_timers", 4);
	EXPECT_EQ(run.process.status, 0) << run.process.err;
	std::string expected;
	for (unsigned cpu = 0; cpu < 4; cpu++)
		expected += "smp_timers: cpu " + std::to_string(cpu) + ": 10 ticks of " + std::to_string(cpu + 1) +
			    " ms, 0 early\n";
	EXPECT_EQ(run.process.out, expected);
	unsigned long long virtual_ps = 0;
	ASSERT_EQ(sscanf(run.stats.c_str() + run.stats.find("\"virtual_time_ps\""), "\"virtual_time_ps\": %llu", &virtual_ps), 1);
	EXPECT_GE(virtual_ps, 40000000000ull) << run.stats;
	qvp_test::QemuRun qemu = run_qemu_smp("smp_timers", 4);
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	EXPECT_EQ(run.process.out, qemu.console);
}

// The answers of the PSCI specification (Arm DEN 0022) for CPUs on, off and missing.
const char psci_smp_answers[] = "psci_smp: AFFINITY_INFO(cpu0) = 0\n" // ON
				"psci_smp: AFFINITY_INFO(cpu1) before CPU_ON = 1\n" // OFF
				"psci_smp: AFFINITY_INFO(cpu9) = -2\n" // INVALID_PARAMETERS
				"psci_smp: CPU_ON(cpu9) = -2\n"
				"psci_smp: CPU_ON(cpu0) = -4\n" // ALREADY_ON
				"psci_smp: CPU_ON(cpu1) = 0\n"
				"psci_smp: context id seen by cpu1 = 1\n"
				"psci_smp: AFFINITY_INFO(cpu1) after CPU_OFF = 1\n"
				"psci_smp: CPU_ON(cpu1) again = 0\n"
				"psci_smp: AFFINITY_INFO(cpu1) after its second CPU_OFF = 1\n"
				"psci_smp: AFFINITY_INFO(cpu0, level 1) = 0\n"; // its cluster has a CPU on

TEST(Smp, PsciAnswersForSeveralCpus)
{
	SmpRun run = run_smp("psci_smp", 2);
	EXPECT_EQ(run.process.status, 0) << run.process.err;
	EXPECT_EQ(run.process.out, psci_smp_answers);
}

TEST(Smp, PsciAnswersAreQemus)
{
	qvp_test::QemuRun qemu = run_qemu_smp("psci_smp", 2);
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	ASSERT_EQ(qemu.status, 0) << qemu.err;
	EXPECT_EQ(run_smp("psci_smp", 2).process.out, qemu.console);
}

// Not compared with QEMU, which starts a CPU wherever it is told to.
TEST(Smp, CpuOnRefusesAnEntryNoCpuCanStartAt)
{
	SmpRun run = run_smp("psci_bad_entry", 2);
	EXPECT_EQ(run.process.status, 0) << run.process.err;
	EXPECT_EQ(run.process.out, "psci_bad_entry: outside RAM = -9\n" // INVALID_ADDRESS
				   "psci_bad_entry: unaligned = -9\n"
				   "psci_bad_entry: AFFINITY_INFO(cpu1) = 1\n"); // still OFF
}

// With one CPU nothing about the loop changes: the same run as without --cpus.
TEST(Smp, OneCpuIsTheRunWithoutTheOption)
{
	for (const char *firmware : { "hello", "timer_irq", "sgi", "psci" }) {
		TempDir dir;
		ProcessResult plain = qvp_test::run_qvp({ "run", "--backend", "iss", "--stats-json", dir.path("plain.json"),
							  build_path(std::string("sw/") + firmware + ".elf") });
		SmpRun one = run_smp(firmware, 1);
		EXPECT_EQ(plain.out, one.process.out) << firmware;
		EXPECT_EQ(without_wall_time(qvp_test::read_file(dir.path("plain.json"))), one.stats) << firmware;
	}
}

// --stats and --stats-json say what each CPU ran; the counts add up to the total.
TEST(Smp, StatsShowEachCpu)
{
	SmpRun run = run_smp("smp_atomic", 2, { "--stats" });
	ASSERT_EQ(run.process.status, 0) << run.process.err;
	EXPECT_NE(run.process.err.find("cpu 0 (MPIDR affinity 0x0): "), std::string::npos) << run.process.err;
	EXPECT_NE(run.process.err.find("cpu 1 (MPIDR affinity 0x1): "), std::string::npos) << run.process.err;
	size_t list = run.stats.find("\"cpu_instructions\": [");
	ASSERT_NE(list, std::string::npos) << run.stats;
	unsigned long long first = 0, second = 0, total = 0;
	ASSERT_EQ(sscanf(run.stats.c_str() + list, "\"cpu_instructions\": [%llu, %llu]", &first, &second), 2);
	ASSERT_EQ(sscanf(run.stats.c_str() + run.stats.find("\"instructions\""), "\"instructions\": %llu", &total), 1);
	EXPECT_EQ(first + second, total);
	EXPECT_GT(second, 1000000u * 5) << "cpu 1 did its million increments";
}

// --trace: a track per CPU (CPU 0 keeps tid 1, CPU n is 100 + n), each with its runs; two
// runs write the same file.
TEST(Smp, TraceHasATrackPerCpu)
{
	TempDir dir;
	std::string trace[2];
	for (int i = 0; i < 2; i++) {
		std::string path = dir.path("trace" + std::to_string(i) + ".json");
		SmpRun run = run_smp("smp_hello", 4, { "--trace", path });
		ASSERT_EQ(run.process.status, 0) << run.process.err;
		trace[i] = qvp_test::read_file(path);
	}
	EXPECT_EQ(trace[0], trace[1]);
	for (unsigned cpu = 1; cpu < 4; cpu++) {
		std::string tid = "\"tid\":" + std::to_string(100 + cpu);
		EXPECT_NE(trace[0].find(tid + ",\"name\":\"thread_name\",\"args\":{\"name\":\"cpu" + std::to_string(cpu) + "\"}"),
			  std::string::npos)
			<< cpu;
		EXPECT_NE(trace[0].find("\"ph\":\"X\",\"pid\":1," + tid + ",\"name\":\"run\""), std::string::npos) << cpu;
	}
	EXPECT_EQ(qvp_test::count(trace[0], "\"name\":\"run\""), 0u + qvp_test::count(trace[0], "\"cat\":\"cpu\""));
}

// qvp-sc runs the same rounds: the same output and counters as qvp.
TEST(Smp, QvpScRunsTheSameCpus)
{
	if (access(build_path("qvp-sc").c_str(), X_OK) != 0)
		GTEST_SKIP() << "qvp-sc is not built here (SystemC missing)";
	for (const char *firmware : { "smp_hello", "smp_atomic" }) {
		TempDir dir;
		ProcessResult sc = qvp_test::run_process({ build_path("qvp-sc"), "run", "--cpus", "4", "--stats-json",
							   dir.path("sc.json"), build_path(std::string("sw/") + firmware + ".elf") });
		SmpRun native = run_smp(firmware, 4);
		EXPECT_EQ(sc.status, 0) << sc.err;
		EXPECT_EQ(sc.out, native.process.out) << firmware;
		EXPECT_EQ(without_wall_time(qvp_test::read_file(dir.path("sc.json"))), native.stats) << firmware;
	}
}

TEST(Smp, BadCpuCountsAreRefused)
{
	for (const char *count : { "0", "9", "two", "-1" }) {
		ProcessResult result = qvp_test::run_qvp({ "run", "--cpus", count, build_path("sw/hello.elf") });
		EXPECT_EQ(result.status, 125) << count;
		EXPECT_NE(result.err.find("--cpus: '" + std::string(count) + "' is not a CPU count from 1 to 8"),
			  std::string::npos)
			<< result.err;
	}
}

// A tree with two CPU nodes of the same reg, or one without reg: one line naming the node.
TEST(Smp, CpuNodesNeedTheirOwnMpidr)
{
	std::string dts = qvp_test::read_file(std::string(QVP_SOURCE_DIR) + "/platforms/virt.dts");
	size_t cpu0 = dts.find("\t\tcpu@0 {");
	ASSERT_NE(cpu0, std::string::npos);
	std::string node = dts.substr(cpu0, dts.find("};", cpu0) + 3 - cpu0);
	struct Case {
		std::string second_node;
		std::string message;
	} cases[] = {
		{ std::string(node).replace(node.find("cpu@0"), 5, "cpu@1"), "two CPU nodes have reg 0x0" },
		{ std::string(node).replace(node.find("cpu@0"), 5, "cpu@1").replace(node.find("reg = <0x0>;"), 12, ""),
		  "/cpus/cpu@1: a CPU node needs a reg property" },
	};
	for (const Case &c : cases) {
		TempDir dir;
		std::string board = dts;
		board.insert(cpu0, c.second_node);
		qvp_test::write_file(dir.path("board.dts"), board);
		ProcessResult result =
			qvp_test::run_qvp({ "run", "--platform", dir.path("board.dts"), build_path("sw/hello.elf") });
		EXPECT_EQ(result.status, 125) << result.out;
		EXPECT_NE(result.err.find(c.message), std::string::npos) << result.err;
	}
}

TEST(Smp, CpusOnlyCopiesTheOneCpuOfATree)
{
	TempDir dir;
	std::string dts = qvp_test::read_file(std::string(QVP_SOURCE_DIR) + "/platforms/virt.dts");
	size_t cpu0 = dts.find("\t\tcpu@0 {");
	std::string node = dts.substr(cpu0, dts.find("};", cpu0) + 3 - cpu0);
	std::string second = node;
	second.replace(second.find("cpu@0"), 5, "cpu@1").replace(second.find("reg = <0x0>;"), 12, "reg = <0x1>;");
	dts.insert(cpu0, second);
	qvp_test::write_file(dir.path("two.dts"), dts);
	ProcessResult result =
		qvp_test::run_qvp({ "run", "--platform", dir.path("two.dts"), "--cpus", "4", build_path("sw/hello.elf") });
	EXPECT_EQ(result.status, 125);
	EXPECT_NE(result.err.find("already describes several CPUs"), std::string::npos) << result.err;
	SmpRun run = run_smp("smp_hello", 2, { "--platform", dir.path("two.dts") }); // its own two CPUs
	EXPECT_EQ(run.process.status, 125) << "--cpus 2 on a two-CPU tree is refused too";
	ProcessResult own = qvp_test::run_qvp({ "run", "--backend", "iss", "--platform", dir.path("two.dts"),
						build_path("sw/smp_hello.elf") });
	EXPECT_EQ(own.status, 0) << own.err;
	EXPECT_NE(own.out.find("smp_hello: 2 CPUs said hello"), std::string::npos) << own.out;
}

} // namespace
