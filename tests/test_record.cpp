// Record and replay (`qvp run --record FILE`, `--replay FILE`): an interactive session typed on
// the console socket with the host's pauses, piped input and a gdb session that changes the
// guest are recorded, and the replay, with nothing typed and no gdb, prints the same and ends
// with the same instruction count, virtual time and status; bad recordings are one-line errors.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <fstream>
#include <string>
#include <vector>

#include "cli.h"
#include "test_support.h"

using qvp_test::BackgroundQvp;
using qvp_test::build_path;
using qvp_test::connect_local;
using qvp_test::ProcessResult;
using qvp_test::read_file;
using qvp_test::run_process;
using qvp_test::run_qvp;
using qvp_test::stats_value;
using qvp_test::TempDir;
using qvp_test::type_slowly;

namespace {

struct Recorded {
	int status = -1;
	std::string console, err;
};

// `qvp run --console-socket --record FILE --stats ... FIRMWARE`, typed into by a client.
Recorded record_typing(const TempDir &dir, const std::string &firmware, const std::vector<std::string> &extra,
		       const std::vector<std::string> &pieces)
{
	BackgroundQvp qvp(dir);
	Recorded recorded;
	std::vector<std::string> args = { "run", "--console-socket", "127.0.0.1:0", "--record", dir.path("typed.rec"),
					  "--stats" };
	args.insert(args.end(), extra.begin(), extra.end());
	args.push_back(build_path("sw/" + firmware + ".elf"));
	if (!qvp.start(args, "listening on 127.0.0.1:"))
		return recorded;
	int client = connect_local(qvp.port);
	if (client < 0)
		return recorded;
	recorded.console = type_slowly(client, pieces, 150000);
	recorded.status = qvp.wait_exit();
	recorded.err = qvp.err();
	return recorded;
}

void expect_same_end(const std::string &recorded_err, const ProcessResult &replay)
{
	EXPECT_NE(stats_value(recorded_err, "instructions"), "");
	EXPECT_EQ(stats_value(replay.err, "instructions"), stats_value(recorded_err, "instructions")) << replay.err;
	EXPECT_EQ(stats_value(replay.err, "virtual time"), stats_value(recorded_err, "virtual time")) << replay.err;
	EXPECT_EQ(stats_value(replay.err, "events fired"), stats_value(recorded_err, "events fired")) << replay.err;
}

// A polling guest, busy while the user types: each typed piece enters at the quantum boundary
// it arrived at, which only the recording knows; the replay puts it there again.
TEST(RecordReplay, TypingIntoABusyGuestReplaysBitExactly)
{
	TempDir dir;
	Recorded recorded = record_typing(dir, "console_poll", {}, { "first li", "ne\n", "second\n", "exit 3\n" });
	ASSERT_EQ(recorded.status, 3) << recorded.err;
	EXPECT_EQ(recorded.console, "poll> upper: FIRST LINE\npoll> upper: SECOND\npoll> ");
	for (int run = 0; run < 2; run++) {
		ProcessResult replay = run_qvp({ "run", "--replay", dir.path("typed.rec"), "--stats" });
		EXPECT_EQ(replay.status, 3) << replay.err;
		EXPECT_EQ(replay.out, recorded.console);
		expect_same_end(recorded.err, replay);
	}
}

// An interrupt-driven guest idles in WFI while the user thinks; with a person at the console the
// idle time keeps pace with the host's clock, and typing cuts the wait short at a virtual time
// the host decided. The replay cuts it at the same time, without waiting.
TEST(RecordReplay, TypingIntoAnIdleGuestReplaysItsPacedWaits)
{
	TempDir dir;
	Recorded recorded = record_typing(dir, "console_irq", { "--timeout", "2s" }, { "abc", "de\n", "xyz\n" });
	ASSERT_EQ(recorded.status, QVP_EXIT_TIMEOUT) << recorded.err;
	EXPECT_EQ(recorded.console, "irq> reversed: edcba\nirq> reversed: zyx\nirq> ");
	ProcessResult replay = run_qvp({ "run", "--replay", dir.path("typed.rec"), "--stats" });
	EXPECT_EQ(replay.status, QVP_EXIT_TIMEOUT) << replay.err;
	EXPECT_EQ(replay.out, recorded.console);
	expect_same_end(recorded.err, replay);
	EXPECT_EQ(stats_value(replay.err, "idle time skipped"), stats_value(recorded.err, "idle time skipped"));
	// Without the recording the same bytes enter at other times: the ends differ.
	ProcessResult piped = run_process({ "sh", "-c",
					    "printf 'abcde\\nxyz\\n' | " + build_path("qvp") + " run --timeout 2s --stats " +
						    build_path("sw/console_irq.elf") });
	EXPECT_EQ(piped.out, recorded.console);
	EXPECT_NE(stats_value(piped.err, "instructions"), "");
	EXPECT_NE(stats_value(piped.err, "idle time skipped"), stats_value(recorded.err, "idle time skipped"));
}

// Piped input comes from outside too: the recording keeps it, and the replay reads none.
TEST(RecordReplay, PipedInputIsInTheRecording)
{
	TempDir dir;
	ProcessResult recorded = run_process({ "sh", "-c",
					       "printf 'piped\\nexit 9\\n' | " + build_path("qvp") + " run --record " +
						       dir.path("piped.rec") + " --stats " + build_path("sw/console_poll.elf") });
	ASSERT_EQ(recorded.status, 9) << recorded.err;
	EXPECT_EQ(recorded.out, "poll> upper: PIPED\npoll> ");
	ProcessResult replay = run_qvp({ "run", "--replay", dir.path("piped.rec"), "--stats" });
	EXPECT_EQ(replay.status, 9) << replay.err;
	EXPECT_EQ(replay.out, recorded.out);
	expect_same_end(recorded.err, replay);
}

// A debugging session that changed a variable and a register replays without gdb: the output
// is the session's (counter 115), not the plain run's (counter 20).
TEST(RecordReplay, AGdbSessionThatChangedTheGuestReplaysWithoutGdb)
{
	if (system("command -v gdb-multiarch > /dev/null 2>&1") != 0)
		GTEST_SKIP() << "gdb-multiarch is not installed (./bootstrap.sh installs it)";
	TempDir dir;
	std::string elf = build_path("sw/debugme.elf");
	BackgroundQvp qvp(dir);
	ASSERT_TRUE(qvp.start({ "run", "--gdb", "127.0.0.1:0", "--gdb-wait", "--record", dir.path("gdb.rec"), "--stats",
				elf },
			      "127.0.0.1:"))
		<< qvp.err();
	ProcessResult gdb = run_process({ "timeout", "60", "gdb-multiarch", "-batch", "-nx", "-ex", "set confirm off",
					  "-ex", "set architecture aarch64", "-ex", "file " + elf, "-ex",
					  "target remote 127.0.0.1:" + std::to_string(qvp.port), "-ex", "break add_twice",
					  "-ex", "continue", "-ex", "set var counter = 100", "-ex", "stepi", "-ex",
					  "set var $x9 = 0x1234", "-ex", "continue" });
	EXPECT_NE(gdb.out.find("exited with code 04"), std::string::npos) << gdb.out << gdb.err;
	EXPECT_EQ(qvp.wait_exit(), 4) << qvp.err();
	EXPECT_EQ(qvp.out(), "debugme: counter 115\n");
	ProcessResult replay = run_qvp({ "run", "--replay", dir.path("gdb.rec"), "--stats" });
	EXPECT_EQ(replay.status, 4) << replay.err;
	EXPECT_EQ(replay.out, qvp.out());
	expect_same_end(qvp.err(), replay);
	ProcessResult plain = run_qvp({ "run", elf });
	EXPECT_EQ(plain.out, "debugme: counter 20\n");
}

// `qvp run --console-socket --gdb --gdb-wait console_poll.elf`, waiting for gdb; skipped
// without gdb-multiarch. qvp.port is gdb's port.
class ConsolePollUnderGdb : public ::testing::Test {
protected:
	void SetUp() override
	{
		if (system("command -v gdb-multiarch > /dev/null 2>&1") != 0)
			GTEST_SKIP() << "gdb-multiarch is not installed (./bootstrap.sh installs it)";
		ASSERT_TRUE(qvp.start({ "run", "--console-socket", "127.0.0.1:0", "--gdb", "127.0.0.1:0", "--gdb-wait",
					elf },
				      "gdb: listening on 127.0.0.1:"))
			<< qvp.err();
		std::string err = qvp.err();
		size_t at = err.find("console: listening on 127.0.0.1:");
		ASSERT_NE(at, std::string::npos) << err;
		console_port = std::stoi(err.substr(at + 32));
	}

	TempDir dir;
	std::string elf = build_path("sw/console_poll.elf");
	BackgroundQvp qvp{ dir };
	int console_port = -1;
};

// gdb going back over typed input: history replayed meets the typed bytes at the places they
// entered (before, replay fed no host input and went another way), and going forward again
// stops where the run had stopped, at the same instruction and time.
TEST_F(ConsolePollUnderGdb, ReverseExecutionReplaysTypedInput)
{
	int client = connect_local(console_port);
	ASSERT_GE(client, 0);
	ASSERT_EQ(send(client, "hello\nexit 7\n", 13, 0), 13);
	ProcessResult gdb = run_process({ "timeout", "60", "gdb-multiarch", "-batch", "-nx", "-ex", "set confirm off",
					  "-ex", "set architecture aarch64", "-ex", "file " + elf, "-ex",
					  "target remote 127.0.0.1:" + std::to_string(qvp.port), "-ex", "break exit", "-ex",
					  "continue", "-ex", "monitor when", "-ex", "reverse-continue", "-ex", "monitor when",
					  "-ex", "continue", "-ex", "monitor when", "-ex", "continue" });
	std::string console = type_slowly(client, {}, 0);
	EXPECT_EQ(qvp.wait_exit(), 7) << qvp.err();
	std::vector<std::string> when; // `monitor when` answers on gdb's standard error
	for (size_t line = gdb.err.find("virtual time "); line != std::string::npos;
	     line = gdb.err.find("virtual time ", line + 1))
		when.push_back(gdb.err.substr(line, gdb.err.find('\n', line) - line));
	ASSERT_EQ(when.size(), 3u) << gdb.out << gdb.err << qvp.err();
	EXPECT_EQ(when[2], when[0]) << gdb.out;
	EXPECT_NE(when[1], when[0]) << gdb.out; // the beginning of the history
	EXPECT_NE(gdb.out.find("No more reverse-execution history"), std::string::npos) << gdb.out;
	EXPECT_NE(gdb.out.find("exited with code 07"), std::string::npos) << gdb.out;
	EXPECT_EQ(console, "poll> upper: HELLO\npoll> "); // shown once, not again while history replays
}

// Typing after going back gives the run another future, as a gdb write does: the guest's answer
// to the new line is shown (before, the console took it for history replayed and kept it
// quiet), and going back again later restores the new future, not a checkpoint of the old one.
TEST_F(ConsolePollUnderGdb, TypingAfterGoingBackMakesANewFuture)
{
	// gdb's Python is the console's client, so each line is typed at a known point of the session.
	auto type = [](const std::string &line) { return "python console.sendall(b'" + line + "\\n')"; };
	std::vector<std::string> script = {
		"python import socket",
		"python console = socket.create_connection(('127.0.0.1', " + std::to_string(console_port) + "))", // the run waits for it
		"target remote 127.0.0.1:" + std::to_string(qvp.port),
		"monitor goto 3000000",
		type("aaa"),
		"break printf",
		"continue", // printf("upper: AAA")
		"continue", // printf("poll> ")
		"delete",
		"monitor goto 9000000", // checkpoints of a future in which AAA was typed
		"monitor goto 2000000", // back before AAA entered, after the first prompt
		type("bbb"),
		"break printf",
		"continue",
		"continue",
		"delete",
		"monitor goto 12000000",
		"reverse-stepi", // from the latest checkpoint before here
		"frame function main",
		"print line",
		type("exit 7"),
		"continue",
		"python import time; time.sleep(0.5); print('console:' + repr(console.recv(4096)))",
	};
	std::vector<std::string> args = { "timeout", "90", "gdb-multiarch", "-batch", "-nx", "-ex", "set confirm off",
					  "-ex", "set architecture aarch64", "-ex", "file " + elf };
	for (const std::string &command : script) {
		args.push_back("-ex");
		args.push_back(command);
	}
	ProcessResult gdb = run_process(args);
	EXPECT_EQ(qvp.wait_exit(), 7) << qvp.err();
	EXPECT_NE(gdb.out.find("\"BBB\""), std::string::npos) << gdb.out << gdb.err;
	EXPECT_EQ(gdb.out.find("\"AAA\""), std::string::npos) << gdb.out;
	EXPECT_NE(gdb.out.find("upper: AAA\\npoll> upper: BBB\\npoll> "), std::string::npos) << gdb.out << gdb.err;
	EXPECT_NE(gdb.out.find("exited with code 07"), std::string::npos) << gdb.out;
}

// A recording made from other images than those there now, a snapshot instead of a recording,
// a corrupted or cut-short file: each is said in one line, before or when the run goes wrong.
TEST(RecordReplay, BadRecordingsAreClearErrors)
{
	TempDir dir;
	std::string firmware = dir.path("console_poll.elf");
	ASSERT_EQ(run_process({ "cp", build_path("sw/console_poll.elf"), firmware }).status, 0);
	ProcessResult recorded = run_process({ "sh", "-c",
					       "printf 'one\\ntwo\\nexit 5\\n' | " + build_path("qvp") + " run --record " +
						       dir.path("a.rec") + " " + firmware });
	ASSERT_EQ(recorded.status, 5) << recorded.err;
	std::string bytes = read_file(dir.path("a.rec"));

	// Cut short, as when the recorded run was killed: what is there replays, and it says so.
	size_t end = bytes.rfind("input"); // the end of the run, before the file's "end"
	ASSERT_NE(end, std::string::npos);
	std::ofstream(dir.path("cut.rec"), std::ios::binary) << bytes.substr(0, end - 4);
	ProcessResult cut = run_qvp({ "run", "--replay", dir.path("cut.rec") });
	EXPECT_EQ(cut.status, 5) << cut.err;
	EXPECT_NE(cut.err.find("has no end (its run was killed)"), std::string::npos) << cut.err;

	// A byte flipped inside a section: its checksum names it.
	std::string flipped = bytes;
	flipped[bytes.find("recording") + 20] ^= 0x40;
	std::ofstream(dir.path("flipped.rec"), std::ios::binary) << flipped;
	ProcessResult bad = run_qvp({ "run", "--replay", dir.path("flipped.rec") });
	EXPECT_EQ(bad.status, QVP_EXIT_ERROR);
	EXPECT_NE(bad.err.find("checksum mismatch (the file is corrupted)"), std::string::npos) << bad.err;

	// The firmware changed since: refused before anything runs.
	std::ofstream(firmware, std::ios::binary | std::ios::app) << "changed";
	ProcessResult changed = run_qvp({ "run", "--replay", dir.path("a.rec") });
	EXPECT_EQ(changed.status, QVP_EXIT_ERROR);
	EXPECT_NE(changed.err.find("firmware " + firmware + " differs from the one the recording was taken with"),
		  std::string::npos)
		<< changed.err;
	EXPECT_EQ(changed.out, "");

	// A snapshot is not a recording, nor the other way round.
	ProcessResult snapshot = run_qvp({ "run", "--snapshot-at", "1ms", dir.path("s.snap"), "--stop",
					   build_path("sw/sleep.elf") });
	ASSERT_EQ(snapshot.status, 0) << snapshot.err;
	ProcessResult not_recording = run_qvp({ "run", "--replay", dir.path("s.snap") });
	EXPECT_EQ(not_recording.status, QVP_EXIT_ERROR);
	EXPECT_NE(not_recording.err.find("not a recording (a snapshot? qvp run --restore"), std::string::npos)
		<< not_recording.err;
	ASSERT_EQ(run_process({ "cp", build_path("sw/console_poll.elf"), firmware }).status, 0);
	ProcessResult not_snapshot = run_qvp({ "run", "--restore", dir.path("a.rec") });
	EXPECT_EQ(not_snapshot.status, QVP_EXIT_ERROR);
	EXPECT_NE(not_snapshot.err.find("a recording, not a snapshot (qvp run --replay"), std::string::npos)
		<< not_snapshot.err;
}

// Options that cannot go with a recording or a replay are refused, saying why.
TEST(RecordReplay, OptionsThatCannotBeRecordedAreRefused)
{
	std::string elf = build_path("sw/hello.elf");
	struct Case {
		std::vector<std::string> args;
		std::string said;
	} cases[] = {
		{ { "run", "--replay", "x.rec", elf }, "unexpected argument '" + elf + "' with --replay" },
		{ { "run", "--replay", "x.rec", "--cpus", "2" }, "--replay and --cpus exclude each other" },
		{ { "run", "--record", "a.rec", "--replay", "x.rec" }, "--record and --replay exclude each other" },
		{ { "run", "--record", "a.rec", "--backend", "kvm", elf }, "--record needs the iss backend" },
		{ { "run", "--record", "a.rec", "--semihosting", elf }, "--record and --semihosting exclude each other" },
		{ { "run", "--replay", "x.rec", "--console-script", "s.txt" },
		  "--replay and --console-script exclude each other" },
		{ { "run", "--record", "a.rec", "--gdb", "0", "--cpus", "2", elf }, "--record with --gdb needs one CPU" },
		{ { "run", "--replay", "/nonexistent/x.rec" }, "/nonexistent/x.rec" },
	};
	for (const Case &c : cases) {
		ProcessResult result = run_qvp(c.args);
		EXPECT_EQ(result.status, QVP_EXIT_ERROR) << c.said;
		EXPECT_NE(result.err.find(c.said), std::string::npos) << result.err;
	}
}

} // namespace
