// Whole-machine snapshots (docs/snapshots.md) through the qvp command line: for each firmware of
// sw/ (and the SMP ones with 2 and 4 CPUs), a run saved at several virtual times with
// --snapshot-at TIME FILE --stop and continued with --restore FILE ends exactly as the straight
// run: console output (before + after = straight), exit status and every --stats-json counter.
// Saving a restored run at once gives the same bytes; two saves of one run are identical; and
// files that are not the machine's are refused with status 125 and a message saying where.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "snapshot.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::ProcessResult;
using qvp_test::TempDir;

namespace {

struct QvpRun {
	ProcessResult process;
	std::string stats; // --stats-json without the wall time
};

std::string without_wall_time(std::string json)
{
	size_t wall = json.find(", \"wall_seconds\"");
	return wall == std::string::npos ? json : json.erase(wall, json.find('}', wall) - wall);
}

// One value of the --stats-json object, such as "virtual_time_ps".
uint64_t stats_number(const std::string &json, const std::string &name)
{
	size_t at = json.find("\"" + name + "\": ");
	return at == std::string::npos ? 0 : std::stoull(json.substr(at + name.size() + 4));
}

QvpRun run_qvp_stats(const TempDir &dir, std::vector<std::string> args)
{
	std::string stats = dir.path("stats.json");
	std::remove(stats.c_str());
	args.insert(args.begin(), { "run", "--stats-json", stats });
	QvpRun run;
	run.process = qvp_test::run_qvp(args);
	run.stats = without_wall_time(qvp_test::read_file(stats));
	return run;
}

struct Firmware {
	std::string name;             // sw/NAME.elf
	std::vector<std::string> options; // besides --backend iss, the quantum and the timeout
	std::string label;            // the test's name
};

std::ostream &operator<<(std::ostream &out, const Firmware &firmware)
{
	return out << firmware.label;
}

// The options every run of the matrix shares: a quantum short enough that even the shortest
// firmware (30 us) crosses several boundaries, and a timeout for those that wait for ever.
std::vector<std::string> matrix_args(const Firmware &firmware)
{
	std::vector<std::string> args = { "--backend", "iss", "--quantum", "5us", "--timeout", "6s" };
	args.insert(args.end(), firmware.options.begin(), firmware.options.end());
	args.push_back(build_path("sw/" + firmware.name + ".elf"));
	return args;
}

class SnapshotMatrix : public ::testing::TestWithParam<Firmware> {};

TEST_P(SnapshotMatrix, RestoredRunsEndAsTheStraightRun)
{
	TempDir dir;
	const Firmware &firmware = GetParam();
	QvpRun straight = run_qvp_stats(dir, matrix_args(firmware));
	uint64_t end = stats_number(straight.stats, "virtual_time_ps");
	ASSERT_GT(end, 0u) << straight.process.err;

	for (unsigned quarter = 1; quarter <= 3; quarter++) {
		SCOPED_TRACE("snapshot at " + std::to_string(quarter) + "/4 of the run");
		std::string file = dir.path("at" + std::to_string(quarter) + ".snap");
		std::vector<std::string> save = { "--snapshot-at", std::to_string(end / 4 * quarter / 1000) + "ns", file,
						  "--stop" }, args = matrix_args(firmware);
		save.insert(save.end(), args.begin(), args.end());
		QvpRun before = run_qvp_stats(dir, save);
		ASSERT_EQ(before.process.status, 0) << before.process.err;
		ASSERT_NE(before.stats.find("\"stop\": \"paused\""), std::string::npos) << before.stats;

		QvpRun after = run_qvp_stats(dir, { "--restore", file });
		EXPECT_EQ(before.process.out + after.process.out, straight.process.out);
		EXPECT_EQ(after.process.status, straight.process.status) << after.process.err;
		EXPECT_EQ(after.stats, straight.stats);

		// Saving the restored machine at once gives the same bytes: nothing is lost or added.
		std::string again = dir.path("again.snap");
		QvpRun resaved = run_qvp_stats(dir, { "--restore", file, "--snapshot-at", "1ps", again, "--stop" });
		ASSERT_EQ(resaved.process.status, 0) << resaved.process.err;
		EXPECT_TRUE(qvp_test::read_file(again) == qvp_test::read_file(file)) << "the second save differs";
	}
}

const Firmware single_cpu_firmware[] = {
	{ "hello", {}, "hello" },
	{ "exitcode", {}, "exitcode" },
	{ "coverage", {}, "coverage" },
	{ "debugme", {}, "debugme" },
	{ "exceptions", {}, "exceptions" },
	{ "fault", {}, "fault" },
	{ "fp_math", {}, "fp_math" },
	{ "isr_poll", {}, "isr_poll" },
	{ "mmio_pairs", {}, "mmio_pairs" },
	{ "pmu_cycles", {}, "pmu_cycles" },
	{ "psci", {}, "psci" },
	{ "psci_bad_entry", {}, "psci_bad_entry" },
	{ "psci_cpu_off", {}, "psci_cpu_off" },
	{ "psci_reset", {}, "psci_reset" },
	{ "rtc", {}, "rtc" },
	{ "sgi", {}, "sgi" },
	{ "sleep", {}, "sleep" },
	{ "sleep_long", {}, "sleep_long" },
	{ "sp804", {}, "sp804" },
	{ "spi_priorities", {}, "spi_priorities" },
	{ "timer_irq", {}, "timer_irq" },
	{ "vector", {}, "vector" },
	{ "vector_fault", {}, "vector_fault" },
	{ "virtio_blk", {}, "virtio_blk_without_disk" },
	{ "console_poll", { "--console-script", QVP_SOURCE_DIR "/sw/firmware/console_poll.script" }, "console_poll_script" },
	{ "el2_virq", { "--el2" }, "el2_virq" },   // HCR_EL2's virtual interrupts pending across a save
	{ "el2_cnthp", { "--el2" }, "el2_cnthp" }, // the EL2 physical timer
	{ "el2_vgic", { "--el2" }, "el2_vgic" },   // list registers, GICV, maintenance, the vIRQ line
};

const Firmware smp_firmware[] = {
	{ "smp_hello", { "--cpus", "2" }, "smp_hello_2" },
	{ "smp_hello", { "--cpus", "4" }, "smp_hello_4" },
	{ "smp_atomic", { "--cpus", "2" }, "smp_atomic_2" },
	{ "smp_atomic", { "--cpus", "4" }, "smp_atomic_4" },
	{ "smp_ipi", { "--cpus", "2" }, "smp_ipi_2" },
	{ "smp_ipi", { "--cpus", "4" }, "smp_ipi_4" },
	{ "smp_timers", { "--cpus", "2" }, "smp_timers_2" },
	{ "smp_timers", { "--cpus", "4" }, "smp_timers_4" },
	{ "psci_smp", { "--cpus", "2" }, "psci_smp_2" },
	{ "psci_smp", { "--cpus", "4" }, "psci_smp_4" },
};

std::string label(const ::testing::TestParamInfo<Firmware> &info)
{
	return info.param.label;
}

INSTANTIATE_TEST_SUITE_P(SingleCpu, SnapshotMatrix, ::testing::ValuesIn(single_cpu_firmware), label);
INSTANTIATE_TEST_SUITE_P(Smp, SnapshotMatrix, ::testing::ValuesIn(smp_firmware), label);

// The virtio disk: the transport's queues are in the snapshot, the disk file is checked by hash.
TEST(Snapshot, VirtioDiskRunRestoresAndADifferentDiskIsRefused)
{
	TempDir dir;
	std::string disk = dir.path("disk.img"), sectors;
	for (int i = 0; i < 64; i++) {
		std::string sector = "qvp disk sector " + std::to_string(i) + "\n";
		sectors += sector + std::string(512 - sector.size(), '.');
	}
	qvp_test::write_file(disk, sectors);
	Firmware firmware = { "virtio_blk", { "--disk", disk }, "virtio_blk" };
	QvpRun straight = run_qvp_stats(dir, matrix_args(firmware));
	ASSERT_EQ(straight.process.status, 0) << straight.process.err;
	ASSERT_NE(straight.process.out.find("sector 0: qvp disk sector 0"), std::string::npos) << straight.process.out;
	uint64_t half = stats_number(straight.stats, "virtual_time_ps") / 2;

	std::vector<std::string> save = { "--snapshot-at", std::to_string(half / 1000) + "ns", dir.path("disk.snap"),
					  "--stop" };
	std::vector<std::string> args = matrix_args(firmware);
	save.insert(save.end(), args.begin(), args.end());
	QvpRun before = run_qvp_stats(dir, save);
	ASSERT_EQ(before.process.status, 0) << before.process.err;
	QvpRun after = run_qvp_stats(dir, { "--restore", dir.path("disk.snap") });
	EXPECT_EQ(before.process.out + after.process.out, straight.process.out);
	EXPECT_EQ(after.stats, straight.stats);

	qvp_test::write_file(disk, sectors.substr(0, sectors.size() - 1) + "!");
	ProcessResult refused = qvp_test::run_qvp({ "run", "--restore", dir.path("disk.snap") });
	EXPECT_EQ(refused.status, 125);
	EXPECT_NE(refused.err.find("disk0 " + disk + " differs from the one the snapshot was taken with"),
		  std::string::npos) << refused.err;
}

// Two runs saved at the same time write the same bytes: nothing of the host is in the file.
// The secure world (a board whose CPUs start at EL3) is not saved yet: refused before the guest
// runs, and no file is written.
TEST(Snapshot, ABoardWithTheSecureWorldIsRefusedBeforeItRuns)
{
	TempDir dir;
	ProcessResult run = qvp_test::run_qvp({ "run", "--platform", "virt-secure", "--snapshot-at", "10us",
						dir.path("secure.snap"), "--timeout", "1ms",
						build_path("sw/el3_monitor.elf") });
	EXPECT_EQ(run.status, 125);
	EXPECT_EQ(run.out, "") << "the guest ran";
	EXPECT_NE(run.err.find("a board whose CPUs start at EL3 (the secure world) cannot be saved yet"),
		  std::string::npos) << run.err;
	EXPECT_NE(access(dir.path("secure.snap").c_str(), F_OK), 0);
}

// A snapshot taken on another machine names that machine's paths: --image-dir finds the images
// (and the board file, else this qvp's board of that name) by file name, hashes still checked.
TEST(Snapshot, ImagesMovedElsewhereAreFoundWithImageDir)
{
	TempDir taken, moved;
	std::string board = qvp_test::read_file(build_path("platforms/virt.dtb"));
	qvp_test::write_file(taken.path("timer_irq.elf"), qvp_test::read_file(build_path("sw/timer_irq.elf")));
	qvp_test::write_file(taken.path("virt.dtb"), board);
	QvpRun straight = run_qvp_stats(taken, { "--backend", "iss", build_path("sw/timer_irq.elf") });
	QvpRun before = run_qvp_stats(taken, { "--backend", "iss", "--platform", taken.path("virt.dtb"), "--snapshot-at",
					       "2ms", taken.path("saved.snap"), "--stop", taken.path("timer_irq.elf") });
	ASSERT_EQ(before.process.status, 0) << before.process.err;
	std::remove(taken.path("timer_irq.elf").c_str());
	std::remove(taken.path("virt.dtb").c_str());

	ProcessResult lost = qvp_test::run_qvp({ "run", "--restore", taken.path("saved.snap") });
	EXPECT_EQ(lost.status, 125);
	EXPECT_NE(lost.err.find(taken.path("timer_irq.elf")), std::string::npos) << lost.err;

	qvp_test::write_file(moved.path("timer_irq.elf"), qvp_test::read_file(build_path("sw/timer_irq.elf")));
	QvpRun board_by_name = run_qvp_stats(moved, { "--restore", taken.path("saved.snap"), "--image-dir", moved.path("") });
	EXPECT_EQ(board_by_name.process.status, straight.process.status) << board_by_name.process.err;
	EXPECT_EQ(before.process.out + board_by_name.process.out, straight.process.out);
	EXPECT_EQ(board_by_name.stats, straight.stats);

	qvp_test::write_file(moved.path("timer_irq.elf"), qvp_test::read_file(build_path("sw/hello.elf")));
	ProcessResult changed =
	    qvp_test::run_qvp({ "run", "--restore", taken.path("saved.snap"), "--image-dir", moved.path("") });
	EXPECT_EQ(changed.status, 125);
	EXPECT_NE(changed.err.find("differs from the one the snapshot was taken with"), std::string::npos) << changed.err;

	ProcessResult alone = qvp_test::run_qvp({ "run", "--image-dir", moved.path(""), build_path("sw/hello.elf") });
	EXPECT_EQ(alone.status, 125);
	EXPECT_NE(alone.err.find("--image-dir needs --restore"), std::string::npos) << alone.err;
}

TEST(Snapshot, TwoSavesOfTheSameRunAreByteIdentical)
{
	TempDir dir;
	Firmware firmware = { "timer_irq", {}, "timer_irq" };
	std::vector<std::string> args = matrix_args(firmware);
	for (const char *name : { "one.snap", "two.snap" }) {
		std::vector<std::string> save = { "--snapshot-at", "2ms", dir.path(name), "--stop" };
		save.insert(save.end(), args.begin(), args.end());
		ASSERT_EQ(run_qvp_stats(dir, save).process.status, 0);
	}
	std::string one = qvp_test::read_file(dir.path("one.snap"));
	EXPECT_GT(one.size(), 1000u);
	EXPECT_TRUE(one == qvp_test::read_file(dir.path("two.snap")));
}

// Without --stop the run goes on after saving, exactly as if nothing was saved.
TEST(Snapshot, SavingWithoutStopChangesNothingInTheRun)
{
	TempDir dir;
	Firmware firmware = { "sp804", {}, "sp804" };
	QvpRun straight = run_qvp_stats(dir, matrix_args(firmware));
	std::vector<std::string> save = { "--snapshot-at", "3ms", dir.path("go-on.snap") };
	std::vector<std::string> args = matrix_args(firmware);
	save.insert(save.end(), args.begin(), args.end());
	QvpRun saved = run_qvp_stats(dir, save);
	EXPECT_EQ(saved.process.out, straight.process.out);
	EXPECT_EQ(saved.process.status, straight.process.status);
	EXPECT_EQ(saved.stats, straight.stats);
	EXPECT_GT(qvp_test::read_file(dir.path("go-on.snap")).size(), 1000u);
}

// A snapshot of timer_irq at 1 ms (a copy of the board's source, so the board can be changed).
class BadSnapshot : public ::testing::Test {
protected:
	void SetUp() override
	{
		board = dir.path("board.dts");
		qvp_test::write_file(board, qvp_test::read_file(QVP_SOURCE_DIR "/platforms/virt.dts"));
		snapshot = dir.path("good.snap");
		ProcessResult saved = qvp_test::run_qvp({ "run", "--backend", "iss", "--platform", board, "--snapshot-at",
							  "1ms", snapshot, "--stop", build_path("sw/timer_irq.elf") });
		ASSERT_EQ(saved.status, 0) << saved.err;
		bytes = qvp_test::read_file(snapshot);
	}

	// Restores `contents` and expects status 125, nothing on the console, and every part of `why`.
	void expect_refused(const std::string &contents, const std::vector<std::string> &why)
	{
		std::string bad = dir.path("bad.snap");
		qvp_test::write_file(bad, contents);
		ProcessResult result = qvp_test::run_qvp({ "run", "--restore", bad });
		EXPECT_EQ(result.status, 125);
		EXPECT_EQ(result.out, "") << "the guest ran";
		for (const std::string &part : why)
			EXPECT_NE(result.err.find(part), std::string::npos) << result.err;
	}

	// The byte offset of the payload of section `tag`, found by its framing.
	size_t payload_of(const std::string &tag)
	{
		std::string frame = std::string(1, (char)tag.size()) + std::string(3, '\0') + tag;
		size_t at = bytes.find(frame);
		EXPECT_NE(at, std::string::npos);
		return at + frame.size() + 12;
	}

	TempDir dir;
	std::string board, snapshot, bytes;
};

// The restored run goes on as saved: options that would shape another machine are refused,
// naming the option, before anything runs; options about the report are taken.
TEST_F(BadSnapshot, OptionsTheSnapshotNamesAreRefusedWithRestore)
{
	const std::vector<std::vector<std::string>> shaping = {
		{ "--window", "1us" }, { "--quantum", "10us" }, { "--cpus", "2" }, { "--platform", "virt" },
		{ "--el2" },            { "--memory", "256M" }, { "--bios", "u-boot.bin" }, { "--flash", "vars.img" },
	};
	for (const auto &option : shaping) {
		std::vector<std::string> args = { "run", "--restore", snapshot };
		args.insert(args.end(), option.begin(), option.end());
		ProcessResult result = qvp_test::run_qvp(args);
		EXPECT_EQ(result.status, 125) << option[0];
		EXPECT_EQ(result.out, "") << option[0] << ": the guest ran";
		EXPECT_NE(result.err.find("--restore and " + option[0] + " exclude each other"), std::string::npos)
			<< result.err;
	}
	ProcessResult reported = qvp_test::run_qvp({ "run", "--restore", snapshot, "--stats" });
	EXPECT_EQ(reported.status, 0) << reported.err;
	EXPECT_NE(reported.err.find("instructions"), std::string::npos) << reported.err;
}

TEST_F(BadSnapshot, TruncatedFileIsRefused)
{
	expect_refused(bytes.substr(0, bytes.size() / 2), { "bad.snap", "truncated" });
	expect_refused(bytes.substr(0, 40), { "bad.snap", "truncated" });
}

TEST_F(BadSnapshot, WrongMagicIsRefused)
{
	std::string wrong = bytes;
	wrong[0] = 'X';
	expect_refused(wrong, { "byte 0: not a qvp snapshot" });
	expect_refused("", { "byte 0: not a qvp snapshot" });
}

TEST_F(BadSnapshot, WrongFormatVersionIsRefused)
{
	std::string wrong = bytes;
	wrong[8] = 99;
	expect_refused(wrong, { "byte 8: snapshot format version 99",
	                        "reads version " + std::to_string(SNAPSHOT_FORMAT_VERSION) });
}

TEST_F(BadSnapshot, CorruptedSectionIsRefusedWithItsNameAndOffset)
{
	std::string wrong = bytes;
	size_t cpu = payload_of("cpu0");
	wrong[cpu + 40] ^= 0x10;
	expect_refused(wrong, { "section 'cpu0' at byte " + std::to_string(cpu), "checksum mismatch" });
}

TEST_F(BadSnapshot, AnotherBoardIsRefused)
{
	std::string source = qvp_test::read_file(board);
	size_t memory = source.find("0x08000000>; // 128 MiB");
	ASSERT_NE(memory, std::string::npos);
	qvp_test::write_file(board, source.replace(memory, 10, "0x10000000"));
	expect_refused(bytes, { "section 'header'", "another device tree than the snapshot's", "another board" });
}

TEST_F(BadSnapshot, ChangedFirmwareIsRefused)
{
	std::string firmware = dir.path("timer_irq.elf");
	qvp_test::write_file(firmware, qvp_test::read_file(build_path("sw/timer_irq.elf")));
	std::string saved = dir.path("copy.snap");
	ProcessResult result = qvp_test::run_qvp({ "run", "--backend", "iss", "--snapshot-at", "1ms", saved, "--stop", firmware });
	ASSERT_EQ(result.status, 0) << result.err;
	qvp_test::write_file(firmware, qvp_test::read_file(build_path("sw/hello.elf")));
	expect_refused(qvp_test::read_file(saved), { "firmware " + firmware + " differs from the one the snapshot was taken with" });
}

} // namespace
