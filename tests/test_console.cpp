// Console input through the qvp command: scripts driving polling and interrupt-driven firmware,
// repeatability, script errors, and the interactive terminal through a pseudo-terminal.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "cli.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::ProcessResult;
using qvp_test::run_process;
using qvp_test::run_qvp;
using qvp_test::stats_value;
using qvp_test::TempDir;
using qvp_test::write_file;

namespace {

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
	EXPECT_GE(stats_value(result.err, "virtual time"), "0.020");
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
	EXPECT_NE(stats_value(first.err, "instructions"), "");
	EXPECT_EQ(stats_value(first.err, "instructions"), stats_value(second.err, "instructions"));
	EXPECT_EQ(stats_value(first.err, "virtual time"), stats_value(second.err, "virtual time"));
	EXPECT_EQ(stats_value(first.err, "interrupts taken"), stats_value(second.err, "interrupts taken"));
}

// Bytes enter the UART at fixed virtual times: the quantum changes neither output nor timing.
TEST_F(ConsoleScript, TheQuantumDoesNotChangeTheRun)
{
	ProcessResult coarse = run("console_irq", irq_script, { "--stats", "--quantum", "1ms" });
	ProcessResult fine = run("console_irq", irq_script, { "--stats", "--quantum", "7us" });
	ASSERT_EQ(coarse.status, 0) << coarse.err;
	EXPECT_EQ(coarse.out, fine.out);
	EXPECT_EQ(stats_value(coarse.err, "instructions"), stats_value(fine.err, "instructions"));
	EXPECT_EQ(stats_value(coarse.err, "virtual time"), stats_value(fine.err, "virtual time"));
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

// A pipe on standard input feeds the console as QEMU's -serial stdio does; its bytes enter as
// the UART can take them, so the writer's timing never shows: a slow writer, a fast one and a
// file give the same output, instruction count and virtual time. Its end is no more input.
TEST(ConsoleInput, APipeOrAFileFeedsTheConsoleTheSameOnEveryRun)
{
	TempDir dir;
	std::string qvp = "'" + build_path("qvp") + "' run --backend iss --timeout 1s --stats '" + build_path("sw/console_poll.elf") + "'";
	write_file(dir.path("input"), "farm input\nexit 7\n");
	const std::string commands[] = {
		"printf 'farm input\\nexit 7\\n' | " + qvp,
		"(printf 'farm input\\n'; sleep 1; printf 'exit 7\\n') | " + qvp,
		qvp + " < '" + dir.path("input") + "'",
	};
	std::vector<ProcessResult> runs;
	for (const std::string &command : commands)
		runs.push_back(run_process({ "sh", "-c", command }));
	for (const ProcessResult &run : runs) {
		EXPECT_EQ(run.status, 7) << run.err;
		EXPECT_EQ(run.out, "poll> upper: FARM INPUT\npoll> ");
		EXPECT_NE(stats_value(run.err, "instructions"), "");
		EXPECT_EQ(stats_value(run.err, "instructions"), stats_value(runs[0].err, "instructions"));
		EXPECT_EQ(stats_value(run.err, "virtual time"), stats_value(runs[0].err, "virtual time"));
	}
	ProcessResult ended = run_process({ "sh", "-c", "printf 'abc\\n' | '" + build_path("qvp") + "' run --timeout 1s '" +
							    build_path("sw/console_irq.elf") + "'" });
	EXPECT_EQ(ended.status, QVP_EXIT_TIMEOUT) << ended.err; // its line answered, it waits for the next
	EXPECT_EQ(ended.out, "irq> reversed: cba\nirq> ");
}

// --pace realtime: idle time passes no faster than the host's clock (a second of sleep takes
// about a second), and nothing the guest computes changes; --pace none skips it at once.
TEST(ConsoleInput, PacedIdleTakesWallTimeAndChangesNothingElse)
{
	std::vector<ProcessResult> runs;
	std::vector<double> seconds;
	for (const char *pace : { "realtime", "none" }) {
		auto start = std::chrono::steady_clock::now();
		runs.push_back(run_qvp({ "run", "--backend", "iss", "--pace", pace, "--stats", build_path("sw/sleep.elf") }));
		seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
		ASSERT_EQ(runs.back().status, 0) << runs.back().err;
	}
	EXPECT_GE(seconds[0], 0.9); // sleep.elf waits 1000 ticks of 1 ms in WFI
	EXPECT_LT(seconds[1], seconds[0] / 2);
	EXPECT_EQ(runs[0].out, runs[1].out);
	EXPECT_EQ(stats_value(runs[0].err, "instructions"), stats_value(runs[1].err, "instructions"));
	EXPECT_EQ(stats_value(runs[0].err, "virtual time"), stats_value(runs[1].err, "virtual time"));
	EXPECT_EQ(stats_value(runs[0].err, "events fired"), stats_value(runs[1].err, "events fired"));
	ProcessResult bad = run_qvp({ "run", "--pace", "fast", build_path("sw/hello.elf") });
	EXPECT_EQ(bad.status, QVP_EXIT_ERROR);
	EXPECT_NE(bad.err.find("--pace: unknown mode 'fast' (use realtime or none)"), std::string::npos) << bad.err;
}

// `qvp run --backend iss --console-socket 127.0.0.1:0 FIRMWARE` in the background, its standard
// output and error in files; the port is the one qvp says it listens on.
class ConsoleSocket : public ::testing::Test {
protected:
	void TearDown() override
	{
		if (client >= 0)
			close(client);
	}
	// Starts qvp; true once it says where it listens (within 20 s).
	bool start(const std::string &firmware)
	{
		return qvp.start({ "run", "--backend", "iss", "--console-socket", "127.0.0.1:0",
				   build_path("sw/" + firmware + ".elf") },
				 "listening on 127.0.0.1:");
	}
	bool connect_client()
	{
		client = qvp_test::connect_local(qvp.port);
		return client >= 0;
	}
	// What the client receives until qvp closes the connection (at most 20 s).
	std::string receive_all()
	{
		std::string received;
		char buffer[256];
		struct pollfd p = { client, POLLIN, 0 };
		while (poll(&p, 1, 20000) > 0) {
			ssize_t got = recv(client, buffer, sizeof(buffer), 0);
			if (got <= 0)
				break;
			received.append(buffer, size_t(got));
		}
		return received;
	}
	TempDir dir;
	qvp_test::BackgroundQvp qvp{ dir };
	int client = -1;
};

// The client is the console: what it sends reaches the guest, the guest's output reaches it
// (none goes to standard output), and the guest does not start before it connects.
TEST_F(ConsoleSocket, AClientTypesAndReadsTheConsole)
{
	ASSERT_TRUE(start("console_poll")) << qvp.err();
	usleep(200000);
	EXPECT_TRUE(qvp.running()); // waiting for the client
	EXPECT_EQ(qvp.out(), "");
	EXPECT_NE(qvp.err().find("the guest starts when a client connects (nc 127.0.0.1 " + std::to_string(qvp.port) + ")"),
		  std::string::npos);
	ASSERT_TRUE(connect_client());
	const std::string line = "hello, socket\nexit 7\n";
	ASSERT_EQ(send(client, line.data(), line.size(), 0), ssize_t(line.size()));
	EXPECT_EQ(receive_all(), "poll> upper: HELLO, SOCKET\npoll> ");
	EXPECT_EQ(qvp.wait_exit(), 7) << qvp.err();
	EXPECT_EQ(qvp.out(), "");
}

// The client closing its side (nc -N after its input) ends the input, not the output: the
// guest's answer still arrives, and then it waits for input that can never come.
TEST_F(ConsoleSocket, TheClientsEndIsTheEndOfTheInput)
{
	ASSERT_TRUE(start("console_irq")) << qvp.err();
	ASSERT_TRUE(connect_client());
	ASSERT_EQ(send(client, "abc\n", 4, 0), 4);
	shutdown(client, SHUT_WR);
	EXPECT_EQ(receive_all(), "irq> reversed: cba\nirq> ");
	EXPECT_EQ(qvp.wait_exit(), QVP_EXIT_FATAL);
	EXPECT_NE(qvp.err().find("no event can wake it"), std::string::npos) << qvp.err();
}

// Each bad --console-socket is one line on stderr and status 125, before the guest runs.
TEST(ConsoleSocketOptions, BadAddressesAreOneLineErrors)
{
	int busy = socket(AF_INET, SOCK_STREAM, 0);
	sockaddr_in address = {};
	socklen_t size = sizeof(address);
	address.sin_family = AF_INET;
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(bind(busy, reinterpret_cast<sockaddr *>(&address), sizeof(address)), 0);
	ASSERT_EQ(listen(busy, 1), 0);
	ASSERT_EQ(getsockname(busy, reinterpret_cast<sockaddr *>(&address), &size), 0);
	const std::string busy_port = std::to_string(ntohs(address.sin_port));
	const struct {
		std::vector<std::string> args;
		std::string message;
	} cases[] = {
		{ { "--console-socket", "70000" },
		  "--console-socket 70000: port 70000 is out of range (1 to 65535, or 0 for any free port)" },
		{ { "--console-socket", "localhost:telnet" },
		  "--console-socket localhost:telnet: expected [HOST:]PORT, e.g. 1234 or 0.0.0.0:1234" },
		{ { "--console-socket", busy_port },
		  "--console-socket " + busy_port + ": cannot listen: Address already in use" },
		{ { "--console-socket", "no-such-host.invalid:4321" }, "--console-socket no-such-host.invalid:4321: " },
		{ { "--console-socket", "0", "--console-script", "script.txt" },
		  "--console-socket and --console-script exclude each other" },
		{ { "--console-socket", "0", "--console", "out.txt" }, "--console-socket and --console exclude each other" },
	};
	for (const auto &c : cases) {
		std::vector<std::string> args = { "run", "--backend", "iss" };
		args.insert(args.end(), c.args.begin(), c.args.end());
		args.push_back(build_path("sw/console_poll.elf"));
		ProcessResult result = run_qvp(args);
		EXPECT_EQ(result.status, QVP_EXIT_ERROR) << c.message;
		EXPECT_EQ(result.err.rfind("qvp: error: " + c.message, 0), 0u) << result.err;
		EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
		EXPECT_EQ(result.out, "");
	}
	close(busy);
}

// Code that prints "/ # " (a shell's prompt, no newline) to virt's PL011, then `last`.
std::string prompt_then(uint32_t last)
{
	const uint32_t words[] = { 0xd2a12001,	       // movz x1, #0x0900, lsl #16: the UART
				   0x528005e0, 0xb9000020, // '/'
				   0x52800400, 0xb9000020, // ' '
				   0x52800460, 0xb9000020, // '#'
				   0x52800400, 0xb9000020, // ' '
				   last };
	return std::string(reinterpret_cast<const char *>(words), sizeof(words));
}

// A partial console line is written out when a signal ends qvp (stdout a file).
TEST(ConsoleOutput, APartialLineSurvivesTheSignalsThatEndQvp)
{
	TempDir dir;
	write_file(dir.path("spin.bin"), prompt_then(0x14000000)); // b .
	for (int signal_number : { SIGTERM, SIGINT, SIGHUP }) {
		std::string out = dir.path("out");
		std::string qvp = build_path("qvp"), code = dir.path("spin.bin");
		pid_t child = fork();
		ASSERT_GE(child, 0);
		if (child == 0) {
			int null = open("/dev/null", O_RDWR), file = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
			dup2(null, 0);
			dup2(file, 1);
			execl(qvp.c_str(), qvp.c_str(), "run", "--raw", "0x40080000", code.c_str(), (char *)nullptr);
			_exit(127);
		}
		usleep(500000);
		kill(child, signal_number);
		int status = 0;
		ASSERT_EQ(waitpid(child, &status, 0), child);
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == signal_number) << status;
		EXPECT_EQ(qvp_test::read_file(out), "/ # ") << signal_number;
	}
}

// With console and messages in one log (2>&1), the console's last words come first.
TEST(ConsoleOutput, ConsoleTextComesBeforeQvpsOwnMessages)
{
	TempDir dir;
	write_file(dir.path("wfi.bin"), prompt_then(0xd503207f)); // wfi, nothing can wake it
	ProcessResult result = run_process({ "sh", "-c", "'" + build_path("qvp") + "' run --raw 0x40080000 '" +
							    dir.path("wfi.bin") + "' < /dev/null 2>&1" });
	EXPECT_EQ(result.status, QVP_EXIT_FATAL);
	EXPECT_EQ(result.out.rfind("/ # qvp: error: the guest waits for an interrupt", 0), 0u) << result.out;
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
	// qvp run --backend iss ARGS FIRMWARE, standard input the terminal unless `stdin_null`.
	void start(const std::string &firmware, std::vector<std::string> args = {}, bool stdin_null = false)
	{
		std::string qvp_path = build_path("qvp");
		std::vector<std::string> strings = { qvp_path, "run", "--backend", "iss" };
		strings.insert(strings.end(), args.begin(), args.end());
		strings.push_back(firmware.find('/') == std::string::npos ? build_path("sw/" + firmware + ".elf") : firmware);
		std::vector<char *> argv;
		for (std::string &text : strings)
			argv.push_back(&text[0]);
		argv.push_back(nullptr);
		child = fork();
		ASSERT_GE(child, 0);
		if (child == 0) {
			setsid();
			ioctl(slave, TIOCSCTTY, 0);
			dup2(stdin_null ? open("/dev/null", O_RDONLY) : slave, 0);
			dup2(slave, 1);
			dup2(slave, 2);
			close(master);
			execv(qvp_path.c_str(), argv.data());
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

// A person at the console: idle time keeps pace with the host's clock (the timeout is an
// hour away, not skipped to at once), and typing wakes the guest at once.
TEST_F(Terminal, TypingWakesAPacedGuestAtOnce)
{
	start("console_irq", { "--timeout", "3600s" });
	ASSERT_TRUE(wait_for("irq> ")) << output;
	usleep(300000);
	EXPECT_EQ(waitpid(child, nullptr, WNOHANG), 0); // still waiting for the timeout, paced
	auto typed = std::chrono::steady_clock::now();
	type("abc\r");
	ASSERT_TRUE(wait_for("reversed: cba")) << output;
	EXPECT_LT(std::chrono::steady_clock::now() - typed, std::chrono::seconds(10));
	type(std::string("\x01") + "x");
	EXPECT_EQ(wait_exit(), 0);
}

// The status line (a long run, standard error a terminal) goes before qvp's own message. The
// guest waits for its timer ticks, paced: 1.5 s of wall time in any build (a spinning guest
// took a minute under the sanitizers), long enough for the line, which comes after 1 s.
TEST_F(Terminal, TheStatusLineIsErasedBeforeQvpsMessages)
{
	start("sleep_long", { "--pace", "realtime", "--timeout", "1500ms" }, true);
	ASSERT_TRUE(wait_for(" MIPS")) << output;
	ASSERT_TRUE(wait_for("virtual time reached")) << output;
	EXPECT_EQ(output.find("MIPSqvp"), std::string::npos) << output;
	EXPECT_NE(output.find("\r\033[Kqvp: timeout: virtual time reached 1.5"), std::string::npos) << output;
	EXPECT_EQ(wait_exit(), QVP_EXIT_TIMEOUT);
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
