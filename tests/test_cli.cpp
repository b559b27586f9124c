// The qvp command as a user runs it: exit statuses and one-line errors.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "cli.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::ProcessResult;
using qvp_test::TempDir;
using qvp_test::write_file;

namespace {

ProcessResult qvp(std::vector<std::string> args)
{
	args.insert(args.begin(), build_path("qvp"));
	return qvp_test::run_process(args);
}

size_t line_count(const std::string &text)
{
	return size_t(std::count(text.begin(), text.end(), '\n'));
}

// Every input error: status 125 and exactly one line on stderr that contains `what`.
void expect_input_error(const ProcessResult &result, const std::string &what)
{
	EXPECT_EQ(result.status, QVP_EXIT_ERROR) << result.err;
	EXPECT_EQ(line_count(result.err), 1u) << result.err;
	EXPECT_EQ(result.err.rfind("qvp: error: ", 0), 0u) << result.err;
	EXPECT_NE(result.err.find(what), std::string::npos) << result.err;
	EXPECT_EQ(result.out, "");
}

TEST(Cli, HelloRunsAndExitsZero)
{
	ProcessResult result = qvp({ "run", build_path("sw/hello.elf") });
	EXPECT_EQ(result.status, 0) << result.err;
	EXPECT_EQ(result.out, "Hello from qvp!\n");
	EXPECT_EQ(result.err, "");
}

TEST(Cli, GuestExitCodeIsTheStatus)
{
	ProcessResult result = qvp({ "run", build_path("sw/exitcode.elf") });
	EXPECT_EQ(result.status, 3) << result.err;
}

TEST(Cli, OptionsMayFollowTheFirmware)
{
	ProcessResult result = qvp({ "run", build_path("sw/hello.elf"), "--backend", "iss", "--quantum", "1ms" });
	EXPECT_EQ(result.status, 0) << result.err;
}

TEST(Cli, HelpReadsLikeASynopsis)
{
	ProcessResult result = qvp({ "--help" });
	EXPECT_EQ(result.status, 0);
	EXPECT_EQ(result.out.rfind("Usage: qvp run [OPTIONS] FIRMWARE\n", 0), 0u);
	for (const char *option : { "--platform", "--backend", "--quantum", "--timeout", "--stats", "Exit status" })
		EXPECT_NE(result.out.find(option), std::string::npos) << option;
}

TEST(Cli, VersionIsPrinted)
{
	ProcessResult result = qvp({ "--version" });
	EXPECT_EQ(result.status, 0);
	EXPECT_EQ(result.out.rfind("qvp ", 0), 0u);
}

TEST(Cli, StatsSummariseTheRun)
{
	ProcessResult result = qvp({ "run", "--stats", build_path("sw/hello.elf") });
	EXPECT_EQ(result.status, 0);
	for (const char *line : { "\ninstructions: ", "\nvirtual time: ", "\nwall time: ", "\nMIPS: ", "\nquanta: ",
				  "\nidle time skipped: " })
		EXPECT_NE(result.err.find(line), std::string::npos) << line << " missing in:\n" << result.err;
}

TEST(Cli, ConsoleGoesToAFileWhenAsked)
{
	TempDir dir;
	ProcessResult result = qvp({ "run", "--console", dir.path("uart.txt"), build_path("sw/hello.elf") });
	EXPECT_EQ(result.status, 0);
	EXPECT_EQ(result.out, "");
	EXPECT_EQ(qvp_test::read_file(dir.path("uart.txt")), "Hello from qvp!\n");
}

TEST(Cli, PlatformByNameFileOrSource)
{
	EXPECT_EQ(qvp({ "run", "--platform", "virt", build_path("sw/hello.elf") }).status, 0);
	EXPECT_EQ(qvp({ "run", "--platform", build_path("platforms/virt.dtb"), build_path("sw/hello.elf") }).status, 0);
	EXPECT_EQ(qvp({ "run", "--platform", std::string(QVP_SOURCE_DIR) + "/platforms/virt.dts",
			build_path("sw/hello.elf") })
			  .status,
		  0);
}

TEST(CliErrors, UnknownOption)
{
	expect_input_error(qvp({ "run", "--frobnicate", build_path("sw/hello.elf") }), "unknown option '--frobnicate'");
	expect_input_error(qvp({ "-x" }), "unknown option '-x'");
}

TEST(CliErrors, OptionWithoutValue)
{
	expect_input_error(qvp({ "run", build_path("sw/hello.elf"), "--timeout" }), "'--timeout' needs a value");
}

TEST(CliErrors, MissingOrUnknownCommand)
{
	expect_input_error(qvp({}), "missing command");
	expect_input_error(qvp({ "walk", "x.elf" }), "unknown command 'walk'");
	expect_input_error(qvp({ "run" }), "missing FIRMWARE");
	expect_input_error(qvp({ "run", "a.elf", "b.elf" }), "unexpected argument 'b.elf'");
}

TEST(CliErrors, BadValues)
{
	expect_input_error(qvp({ "run", "--timeout", "soon", build_path("sw/hello.elf") }), "--timeout: invalid time 'soon'");
	expect_input_error(qvp({ "run", "--quantum", "0", build_path("sw/hello.elf") }), "--quantum: must be more than 0");
	expect_input_error(qvp({ "run", "--backend", "fast", build_path("sw/hello.elf") }), "unknown backend 'fast'");
	expect_input_error(qvp({ "run", "--raw", "here", build_path("sw/hello.elf") }), "--raw: invalid address 'here'");
}

TEST(CliErrors, MissingFirmware)
{
	expect_input_error(qvp({ "run", "/nonexistent/fw.elf" }), "/nonexistent/fw.elf: cannot open");
}

TEST(CliErrors, NotAnElf)
{
	TempDir dir;
	write_file(dir.path("notes.txt"), "hello\n");
	expect_input_error(qvp({ "run", dir.path("notes.txt") }), "notes.txt: not an ELF file");
}

TEST(CliErrors, ElfForAnotherMachine)
{
	expect_input_error(qvp({ "run", build_path("qvp") }), "not AArch64");
}

TEST(CliErrors, PlatformThatDoesNotParse)
{
	TempDir dir;
	write_file(dir.path("broken.dts"), "/dts-v1/;\n/ {\n  memory { reg = <1 2>\n};\n");
	expect_input_error(qvp({ "run", "--platform", dir.path("broken.dts"), build_path("sw/hello.elf") }),
			   "broken.dts: does not compile");
}

TEST(CliErrors, UnavailableBackend)
{
	expect_input_error(qvp({ "run", "--backend", "kvm", build_path("sw/hello.elf") }), "backend kvm");
}

TEST(CliExit, TimeoutHasItsOwnStatus)
{
	TempDir dir;
	write_file(dir.path("spin.bin"), std::string("\x00\x00\x00\x14", 4)); // b .
	ProcessResult result = qvp({ "run", "--raw", "0x40080000", "--timeout", "2ms", dir.path("spin.bin") });
	EXPECT_EQ(result.status, QVP_EXIT_TIMEOUT);
	EXPECT_EQ(result.err, "qvp: timeout: virtual time reached 0.002000000000 s\n");
}

TEST(CliExit, UndefinedInstructionWithoutVectorsTimesOutAsAnExceptionLoop)
{
	TempDir dir;
	write_file(dir.path("udf.bin"), std::string("\x00\x00\x00\x00", 4));
	ProcessResult result = qvp({ "run", "--timeout", "1ms", "--raw", "0x40080000", dir.path("udf.bin") });
	EXPECT_EQ(result.status, QVP_EXIT_TIMEOUT);
	EXPECT_EQ(line_count(result.err), 1u) << result.err;
	EXPECT_NE(result.err.find("stuck in an exception loop"), std::string::npos) << result.err;
	EXPECT_NE(result.err.find("ESR_EL1 0x"), std::string::npos) << result.err;
}

TEST(CliExit, UnhandledGuestExceptionIsReportedByTheSdk)
{
	ProcessResult result = qvp({ "run", "--timeout", "1s", build_path("sw/fault.elf") });
	EXPECT_EQ(result.status, 127);
	EXPECT_NE(result.out.find("qvp-sdk: unexpected synchronous exception from EL1h: ESR_EL1=0x96000010"),
	          std::string::npos)
	    << result.out;
}


// ---- The status line ----

// `PROGRAM run` with standard error on a pseudo-terminal (standard input is not one, so no
// one types into the console): what it wrote there within 20 s, once `text` appeared.
std::string stderr_on_a_terminal(const std::string &program, const std::vector<std::string> &args,
                                 const std::string &text)
{
	int master, slave;
	if (openpty(&master, &slave, nullptr, nullptr, nullptr) != 0)
		return "<no pty>";
	pid_t child = fork();
	if (child == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(slave, 2);
		close(master);
		std::vector<std::string> argv = { build_path(program), "run" };
		argv.insert(argv.end(), args.begin(), args.end());
		std::vector<char *> pointers;
		for (std::string &arg : argv)
			pointers.push_back(arg.data());
		pointers.push_back(nullptr);
		execv(pointers[0], pointers.data());
		_exit(127);
	}
	close(slave);
	std::string output;
	auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
	while (output.find(text) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
		struct pollfd poller = { master, POLLIN, 0 };
		char buffer[4096];
		if (poll(&poller, 1, 100) > 0) {
			ssize_t got = read(master, buffer, sizeof(buffer));
			if (got <= 0)
				break;
			output.append(buffer, size_t(got));
		}
	}
	kill(child, SIGKILL);
	waitpid(child, nullptr, 0);
	close(master);
	return output;
}

// A long run shows its progress on a terminal (at most once a second), under qvp and qvp-sc.
TEST(StatusLine, ALongRunShowsVirtualTimeInstructionsAndMips)
{
	TempDir dir;
	std::string spin = dir.path("spin.bin");
	write_file(spin, std::string("\x00\x00\x00\x14", 4)); // b .
	for (const char *program : { "qvp", "qvp-sc" }) {
		if (access(build_path(program).c_str(), X_OK) != 0)
			continue; // qvp-sc without SystemC
		std::string prefix = std::string("\r\033[K") + program + ": virtual time ";
		std::string out = stderr_on_a_terminal(program, { "--raw", "0x40080000", spin }, " MIPS");
		size_t line = out.find(prefix);
		ASSERT_NE(line, std::string::npos) << program << ": " << out;
		EXPECT_NE(out.find(" instructions, ", line), std::string::npos) << out;
		EXPECT_NE(out.find(" MIPS", line), std::string::npos) << out;
	}
}

} // namespace
