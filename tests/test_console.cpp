// Console input through the qvp command: scripts driving polling and interrupt-driven firmware,
// repeatability, script errors, and the interactive terminal through a pseudo-terminal.
#include <gtest/gtest.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "cli.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::ProcessResult;
using qvp_test::run_qvp;
using qvp_test::TempDir;
using qvp_test::write_file;

namespace {

// The value of a `--stats` line such as "instructions: 123".
std::string stat(const std::string &err, const std::string &name)
{
	size_t at = err.find("\n" + name + ": ");
	if (at == std::string::npos)
		return "";
	at += name.size() + 3;
	return err.substr(at, err.find('\n', at) - at);
}

class ConsoleScript : public ::testing::Test {
protected:
	ProcessResult run(const std::string &firmware, const std::string &script,
			  std::vector<std::string> extra = {})
	{
		write_file(script_path, script);
		std::vector<std::string> args = { "run", "--backend", "iss", "--console-script", script_path,
						  build_path("sw/" + firmware + ".elf") };
		args.insert(args.end(), extra.begin(), extra.end());
		return run_qvp(args);
	}
	TempDir dir;
	std::string script_path = dir.path("console.txt");
};

const char poll_script[] = "# answers in upper case\n"
			   "expect \"poll> \"\n"
			   "send \"hello, World\\n\"\n"
			   "expect \"upper: HELLO, WORLD\\n\"\n"
			   "sleep 1.5ms\n"
			   "sleep 0.000000000001s\n"
			   "at 20ms\n"
			   "send \"tab\\there\\r\"\n"
			   "expect \"poll> \"\n"
			   "send \"exit 7\\n\"\n";

TEST_F(ConsoleScript, PollingFirmwareReadsTheScriptedLines)
{
	ProcessResult result = run("console_poll", poll_script, { "--stats" });
	EXPECT_EQ(result.status, 7) << result.err;
	EXPECT_EQ(result.out, "poll> upper: HELLO, WORLD\npoll> upper: TAB\tHERE\npoll> ");
	// `at 20ms` holds the third line back: it cannot have been read before 20 ms
	EXPECT_GE(stat(result.err, "virtual time"), "0.020");
}

const char irq_script[] = "expect \"irq> \"\n"
			  "send \"abc\\n\"\n"
			  "expect \"reversed: cba\\n\"\n"
			  "expect \"irq> \"\n"
			  "send \"the quick brown fox jumps over the lazy dog\\n\"\n"
			  "expect \"irq> \"\n"
			  "send \"stats\\n\"\n"
			  "expect \"irq> \"\n"
			  "send \"quit\\n\"\n";

// 4 characters and 44 + 6 (16 + 16 at the RX level, 12 + 6 after the timeout) characters.
TEST_F(ConsoleScript, InterruptDrivenFirmwareGetsRxAndTimeoutInterrupts)
{
	ProcessResult result = run("console_irq", irq_script);
	EXPECT_EQ(result.status, 0) << result.err;
	EXPECT_EQ(result.out, "irq> reversed: cba\n"
			      "irq> reversed: god yzal eht revo spmuj xof nworb kciuq eht\n"
			      "irq> rx 2 timeout 3 errors 0\n"
			      "irq> ");
}

TEST_F(ConsoleScript, TwoRunsAreIdentical)
{
	ProcessResult first = run("console_irq", irq_script, { "--stats" });
	ProcessResult second = run("console_irq", irq_script, { "--stats" });
	ASSERT_EQ(first.status, 0) << first.err;
	EXPECT_EQ(first.out, second.out);
	EXPECT_NE(stat(first.err, "instructions"), "");
	EXPECT_EQ(stat(first.err, "instructions"), stat(second.err, "instructions"));
	EXPECT_EQ(stat(first.err, "virtual time"), stat(second.err, "virtual time"));
	EXPECT_EQ(stat(first.err, "interrupts taken"), stat(second.err, "interrupts taken"));
}

// Bytes enter the UART at fixed virtual times: the quantum changes neither output nor timing.
TEST_F(ConsoleScript, TheQuantumDoesNotChangeTheRun)
{
	ProcessResult coarse = run("console_irq", irq_script, { "--stats", "--quantum", "1ms" });
	ProcessResult fine = run("console_irq", irq_script, { "--stats", "--quantum", "7us" });
	ASSERT_EQ(coarse.status, 0) << coarse.err;
	EXPECT_EQ(coarse.out, fine.out);
	EXPECT_EQ(stat(coarse.err, "instructions"), stat(fine.err, "instructions"));
	EXPECT_EQ(stat(coarse.err, "virtual time"), stat(fine.err, "virtual time"));
}

TEST_F(ConsoleScript, AnUnmetExpectationFailsTheRunAndNamesItsLine)
{
	ProcessResult result = run("console_poll", "expect \"poll> \"\n"
						   "send \"exit 0\\n\"\n"
						   "expect \"never printed\"\n");
	EXPECT_EQ(result.status, QVP_EXIT_SCRIPT) << result.err;
	EXPECT_NE(result.err.find(script_path + ":3: expect \"never printed\" was never met"), std::string::npos)
		<< result.err;
}

TEST_F(ConsoleScript, AnExpectationNeverReachedIsReportedWithTheTimeoutStatus)
{
	ProcessResult result = run("console_poll", "expect \"poll> \"\n"
						   "sleep 10s\n"
						   "expect \"poll> \"\n",
				   { "--timeout", "5ms" });
	EXPECT_EQ(result.status, QVP_EXIT_TIMEOUT) << result.err;
	EXPECT_NE(result.err.find(script_path + ":3: expect \"poll> \" was never reached (the run ended at line 2)"),
		  std::string::npos)
		<< result.err;
}

TEST_F(ConsoleScript, StepsAfterTheLastExpectationMayBeCutOff)
{
	ProcessResult result = run("console_poll", "expect \"poll> \"\nsend \"exit 0\\n\"\nsleep 1s\n");
	EXPECT_EQ(result.status, 0) << result.err;
	EXPECT_EQ(result.err, "");
}

TEST_F(ConsoleScript, AGuestWaitingForInputThatNeverComesEnds)
{
	ProcessResult result = run("console_irq", "expect \"irq> \"\n");
	EXPECT_EQ(result.status, QVP_EXIT_FATAL) << result.err;
	EXPECT_NE(result.err.find("no event can wake it"), std::string::npos) << result.err;
}

// PSCI SYSTEM_RESET rebuilds the board and its event queue; the script carries on: a sleep
// across the reset ends on time and queued bytes still arrive.
TEST_F(ConsoleScript, TheScriptCarriesOnAcrossASystemReset)
{
	ProcessResult result = run("console_poll", "expect \"poll> \"\n"
						   "send \"reset\\n\"\n"
						   "sleep 5ms\n"
						   "send \"after\\n\"\n"
						   "expect \"upper: AFTER\"\n"
						   "send \"exit 5\\n\"\n",
				   { "--timeout", "1s" });
	EXPECT_EQ(result.status, 5) << result.err;
	EXPECT_EQ(result.out, "poll> poll> upper: AFTER\npoll> ");
}

TEST_F(ConsoleScript, MalformedScriptsAreInputErrorsWithFileAndLine)
{
	const struct {
		std::string script;
		const char *message;
	} cases[] = {
		{ "expect \"a\"\nsned \"x\"\n", ":2: unknown command 'sned'" },
		{ "send \"abc\n", ":1: unterminated string" },
		{ "send abc\n", ":1: expected a \"quoted string\"" },
		{ "send \"\\q\"\n", ":1: unknown escape '\\q'" },
		{ "send \"\\x4\"\n", ":1: unknown escape '\\x'" },
		{ "expect \"\"\n", ":1: expect needs a non-empty string" },
		{ "sleep 10\n", ":1: time '10' needs a unit" },
		{ "sleep fast\n", ":1: expected a time" },
		{ "sleep 0.0000000000001s\n", ":1: time '0.0000000000001s' is finer than a picosecond" },
		{ "at 99999999999s\n", ":1: time '99999999999s' is too large" },
		{ "at 18446744073709551616ps\n", ":1: time '18446744073709551616ps' is too large" },
		{ "sleep 18446744073709551615s\n", ":1: time '18446744073709551615s' is too large" },
		{ "sleep 1.5ps\n", ":1: time '1.5ps' is finer than a picosecond" },
		{ "\n# fine\nsend \"x\" y\n", ":3: unexpected 'y' after the send command" },
		{ std::string("send \"a\0b\"\n", 11), ":1: NUL byte in the line" },
	};
	for (const auto &c : cases) {
		ProcessResult result = run("console_poll", c.script);
		EXPECT_EQ(result.status, QVP_EXIT_ERROR) << c.script;
		EXPECT_NE(result.err.find("qvp: error: " + script_path + c.message), std::string::npos)
			<< c.script << " -> " << result.err;
		EXPECT_EQ(result.out, "");
	}
	ProcessResult missing = run_qvp({ "run", "--console-script", dir.path("none.txt"), build_path("sw/hello.elf") });
	EXPECT_EQ(missing.status, QVP_EXIT_ERROR);
	EXPECT_NE(missing.err.find("--console-script " + dir.path("none.txt")), std::string::npos) << missing.err;
}

TEST_F(ConsoleScript, CommentsBlankLinesAndEscapes)
{
	ProcessResult result = run("console_poll", "   # indented comment\n\n"
						   "expect \"poll> \"   # trailing comment\n"
						   "send \"q\\\"\\\\\\x41\\e\\n\"\n"
						   "expect \"upper: Q\\\"\\\\A\\e\\n\"\n"
						   "send \"exit 0\\n\"\n");
	EXPECT_EQ(result.status, 0) << result.err;
	EXPECT_EQ(result.out, "poll> upper: Q\"\\A\033\npoll> ");
}

// QEMU's PL011 is the peer for the polled path: the same lines in give the same lines out
// (QEMU reads them from its standard input; its exit() is a PSCI power-off).
TEST_F(ConsoleScript, PollingFirmwareAnswersAsOnQemu)
{
	const std::string lines[] = { "hello, World", "mixed Case 123 !?", "", "exit 0" };
	std::string input, script;
	for (const std::string &line : lines) {
		input += line + "\n";
		script += "expect \"poll> \"\nsend \"" + line + "\\n\"\n";
	}
	write_file(dir.path("input"), input);
	qvp_test::QemuOptions options;
	options.timeout_seconds = 60;
	options.input = dir.path("input");
	qvp_test::QemuRun qemu = qvp_test::run_qemu_virt(build_path("sw/console_poll.elf"), options);
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	ASSERT_EQ(qemu.status, 0) << qemu.err;
	ProcessResult qvp_run = run("console_poll", script);
	EXPECT_EQ(qvp_run.status, 0) << qvp_run.err;
	EXPECT_EQ(qvp_run.out, qemu.console);
	EXPECT_EQ(qvp_run.out, "poll> upper: HELLO, WORLD\npoll> upper: MIXED CASE 123 !?\npoll> upper: \npoll> ");
}

// Without a script and without a terminal on standard input there is no console input.
TEST(ConsoleInput, NoneFromAPipe)
{
	ProcessResult result = run_qvp({ "run", "--backend", "iss", build_path("sw/console_irq.elf") });
	EXPECT_EQ(result.status, QVP_EXIT_FATAL) << result.err;
	EXPECT_EQ(result.out, "irq> ");
}

// qvp on the slave side of a pseudo-terminal, as a user at a terminal runs it.
class Terminal : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
		fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
		ASSERT_EQ(tcgetattr(slave, &before), 0);
		ASSERT_TRUE(before.c_lflag & ECHO);
		ASSERT_TRUE(before.c_lflag & ICANON);
	}
	void TearDown() override
	{
		if (child > 0) {
			kill(child, SIGKILL);
			waitpid(child, nullptr, 0);
		}
		close(master);
		close(slave);
	}
	void start(const std::string &firmware)
	{
		std::string qvp_path = build_path("qvp"), elf = build_path("sw/" + firmware + ".elf");
		child = fork();
		ASSERT_GE(child, 0);
		if (child == 0) {
			setsid();
			ioctl(slave, TIOCSCTTY, 0);
			dup2(slave, 0);
			dup2(slave, 1);
			dup2(slave, 2);
			close(master);
			execl(qvp_path.c_str(), qvp_path.c_str(), "run", "--backend", "iss", elf.c_str(), (char *)nullptr);
			_exit(127);
		}
	}
	// Reads the master side until `text` appears (true) or 20 s pass.
	bool wait_for(const std::string &text)
	{
		auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
		while (output.find(text) == std::string::npos) {
			auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
			if (left.count() <= 0)
				return false;
			struct pollfd p = { master, POLLIN, 0 };
			if (poll(&p, 1, int(left.count())) <= 0)
				continue;
			char buffer[256];
			ssize_t got = read(master, buffer, sizeof(buffer));
			if (got > 0)
				output.append(buffer, size_t(got));
			else if (got == 0 || errno != EAGAIN)
				return false;
		}
		return true;
	}
	void type(const std::string &text)
	{
		ASSERT_EQ(::write(master, text.data(), text.size()), ssize_t(text.size()));
	}
	int wait_exit()
	{
		int status = 0;
		for (int i = 0; i < 2000; i++) {
			char buffer[256];
			while (read(master, buffer, sizeof(buffer)) > 0) // keep the pty drained
				;
			if (waitpid(child, &status, WNOHANG) == child) {
				child = -1;
				return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			}
			usleep(10000);
		}
		return -1;
	}
	void expect_mode_restored()
	{
		struct termios after;
		ASSERT_EQ(tcgetattr(slave, &after), 0);
		EXPECT_EQ(after.c_lflag, before.c_lflag);
		EXPECT_EQ(after.c_iflag, before.c_iflag);
		EXPECT_EQ(after.c_oflag, before.c_oflag);
	}
	bool raw_now()
	{
		struct termios now;
		return tcgetattr(slave, &now) == 0 && !(now.c_lflag & (ECHO | ICANON | ISIG));
	}
	int master = -1, slave = -1;
	pid_t child = -1;
	struct termios before = {};
	std::string output;
};

// The guest idles in WFI with nothing due: qvp waits for typing instead of ending the run.
TEST_F(Terminal, TypedLinesReachTheGuestAndCtrlAXQuits)
{
	start("console_irq");
	ASSERT_TRUE(wait_for("irq> ")) << output;
	EXPECT_TRUE(raw_now());
	usleep(200000); // idle, waiting for input: still running
	EXPECT_EQ(waitpid(child, nullptr, WNOHANG), 0);
	type("hello\r"); // Enter is \r in raw mode
	ASSERT_TRUE(wait_for("reversed: olleh")) << output;
	EXPECT_EQ(output.find("hello"), std::string::npos); // no local echo
	type(std::string("\x01") + "x");
	EXPECT_EQ(wait_exit(), 0);
	expect_mode_restored();
}

TEST_F(Terminal, CtrlACtrlASendsOneCtrlA)
{
	start("console_poll");
	ASSERT_TRUE(wait_for("poll> ")) << output;
	type("a\x01\x01" "b\x01zc\r"); // Ctrl-A z is no command: both dropped
	ASSERT_TRUE(wait_for("upper: A\x01" "BC")) << output;
	type("exit 4\r");
	EXPECT_EQ(wait_exit(), 4);
	expect_mode_restored();
}

TEST_F(Terminal, ASignalEndingQvpRestoresTheMode)
{
	start("console_irq");
	ASSERT_TRUE(wait_for("irq> ")) << output;
	ASSERT_TRUE(raw_now());
	kill(child, SIGTERM);
	EXPECT_EQ(wait_exit(), 128 + SIGTERM);
	expect_mode_restored();
}

} // namespace
