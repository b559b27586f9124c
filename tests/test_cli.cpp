// The qvp command as a user runs it: exit statuses and one-line errors.
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>
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
	expect_input_error(qvp({ "run", "--timeout", "soon", build_path("sw/hello.elf") }),
	                   "--timeout: expected a time such as 1.5s, 200ms or 10us, not 'soon'");
	expect_input_error(qvp({ "run", "--quantum", "0s", build_path("sw/hello.elf") }), "--quantum: must be more than 0");
	expect_input_error(qvp({ "run", "--backend", "fast", build_path("sw/hello.elf") }), "unknown backend 'fast'");
	expect_input_error(qvp({ "run", "--raw", "here", build_path("sw/hello.elf") }), "--raw: invalid address 'here'");
}

// A time without a unit was nanoseconds (`--timeout 10` ran for 10 ns); now it is an error
// naming the units.
TEST(CliErrors, ATimeNeedsAUnit)
{
	expect_input_error(qvp({ "run", "--timeout", "10", build_path("sw/hello.elf") }),
	                   "--timeout: time '10' needs a unit: ps, ns, us, ms or s");
	expect_input_error(qvp({ "run", "--quantum", "100", build_path("sw/hello.elf") }), "--quantum: time '100' needs a unit");
}

// Ports, addresses and sizes are checked for range and alignment before anything runs.
TEST(CliErrors, PortsAddressesAndSizesAreChecked)
{
	// getaddrinfo took 70000 as 4464, and 65536 as 0 (any port)
	expect_input_error(qvp({ "run", "--gdb", "70000", build_path("sw/hello.elf") }),
	                   "--gdb 70000: port 70000 is out of range (1 to 65535, or 0 for any free port)");
	expect_input_error(qvp({ "run", "--gdb", "127.0.0.1:65536", build_path("sw/hello.elf") }), "port 65536 is out of range");
	TempDir dir;
	write_file(dir.path("line"), "not a serial line\n");
	expect_input_error(qvp({ "run", "--gdb", dir.path("line"), build_path("sw/hello.elf") }),
	                   "line: not a character device");
	write_file(dir.path("nop.bin"), std::string("\x1f\x20\x03\xd5", 4));
	expect_input_error(qvp({ "run", "--raw", "0x40080002", dir.path("nop.bin") }),
	                   "--raw: address 0x40080002 is not 4-byte aligned");
	expect_input_error(qvp({ "run", "--memory", "512", build_path("sw/hello.elf") }),
	                   "--memory: '512' is not a size with a unit K, M or G (e.g. 512M, 2G)");
	expect_input_error(qvp({ "run", "--memory", "1000", build_path("sw/hello.elf") }), "with a unit K, M or G");
	expect_input_error(qvp({ "run", "--memory", "3K", build_path("sw/hello.elf") }), "a positive multiple of 4K");
	expect_input_error(qvp({ "run", "--memory", "1G", "--platform", "nosuchboard", build_path("sw/hello.elf") }),
	                   "--platform: no board 'nosuchboard' (boards:");
	ProcessResult boards = qvp({ "run", "--platform", "nosuchboard", build_path("sw/hello.elf") });
	EXPECT_NE(boards.err.find(" virt,"), std::string::npos) << boards.err;
	EXPECT_NE(boards.err.find(" virt-sc"), std::string::npos) << boards.err;
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

// Stuck is an answer: an exception loop ends the run without --timeout, naming its first fault.
TEST(CliExit, UndefinedInstructionWithoutVectorsIsAnExceptionLoopThatEndsTheRun)
{
	TempDir dir;
	write_file(dir.path("udf.bin"), std::string("\x00\x00\x00\x00", 4));
	ProcessResult result = qvp({ "run", "--raw", "0x40080000", dir.path("udf.bin") });
	EXPECT_EQ(result.status, QVP_EXIT_FATAL);
	EXPECT_EQ(line_count(result.err), 1u) << result.err;
	EXPECT_NE(result.err.find("stuck in an exception loop"), std::string::npos) << result.err;
	EXPECT_NE(result.err.find("started by an undefined instruction (ESR_EL1 0x02000000"), std::string::npos)
	    << result.err;
	EXPECT_NE(result.err.find("at pc 0x0000000040080000;"), std::string::npos) << result.err;
}

// The first 1000 bytes of an arm64 Image: a valid header, then code that runs off its end.
TEST(CliExit, TruncatedKernelImageEndsWithItsFirstFault)
{
	TempDir dir;
	std::string image(1000, '\0');
	image[0x10] = 0x00, image[0x11] = 0x00, image[0x12] = 0x10; // image_size 1 MiB
	image.replace(0x38, 4, "ARM\x64");
	write_file(dir.path("Image"), image);
	ProcessResult result = qvp({ "run", "--kernel", dir.path("Image") });
	EXPECT_EQ(result.status, QVP_EXIT_FATAL) << result.err;
	EXPECT_NE(result.err.find("stuck in an exception loop"), std::string::npos) << result.err;
	EXPECT_NE(result.err.find("at pc 0x0000000040000000;"), std::string::npos) << result.err;
}

// Firmware whose vector table is unmapped: the first fault is named by its function.
TEST(CliExit, FaultInTheVectorTableNamesTheFirstFaultAndItsSymbol)
{
	ProcessResult result = qvp({ "run", build_path("sw/vector_fault.elf") });
	EXPECT_EQ(result.status, QVP_EXIT_FATAL) << result.err;
	EXPECT_NE(result.err.find("started by a data abort (ESR_EL1 0x96000010, FAR_EL1 0x100000000) at pc 0x"),
	          std::string::npos)
	    << result.err;
	EXPECT_NE(result.err.find(" (main+0x"), std::string::npos) << result.err;
}

// A WFI only the timeout can end is a timeout that says the guest was idle, and since when.
TEST(CliExit, TimeoutWhileIdleForeverSaysSo)
{
	TempDir dir;
	write_file(dir.path("wfi.bin"), std::string("\x7f\x20\x03\xd5\xff\xff\xff\x17", 8)); // wfi; b .-4
	ProcessResult result = qvp({ "run", "--raw", "0x40080000", "--timeout", "2ms", "--stats", "--stats-json",
	                             dir.path("stats.json"), dir.path("wfi.bin") });
	EXPECT_EQ(result.status, QVP_EXIT_TIMEOUT);
	EXPECT_NE(result.err.find("qvp: timeout: virtual time reached 0.002000000000 s: idle since 0.000000001000 s: "
	                          "no interrupt or event could wake the CPU\n"),
	          std::string::npos)
	    << result.err;
	EXPECT_NE(result.err.find("idle since: 0.000000001000 s"), std::string::npos) << result.err;
	EXPECT_NE(qvp_test::read_file(dir.path("stats.json")).find("\"idle_forever_since_ps\": 1000,"),
	          std::string::npos);
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

// ---- The docs name only options that exist ----

namespace {

// The `--option` words the docs use in a command of `qvp PROGRAM_COMMAND` ("run" or "test").
// The rule: wherever a line says `qvp run` or `qvp test` (as `qvp`, `build/qvp`, ...; not
// `qvp-sc`), the rest of that command is read, across lines ending in a backslash, up to the
// end of an inline code span (a backtick) or a shell separator (| ; & ) >): every word there
// that starts with two dashes and a letter is an option the command's --help must list.
// Options of other programs in the same line (gdb-multiarch's, QEMU's) come after a separator
// or on their own lines, so they are not read as qvp's. A copy of the help itself (a fenced
// block whose first line is "Usage: qvp COMMAND") names the command's options at the start of
// its indented lines ("  --timeout TIME ...", "  -j, --jobs N ...").
std::set<std::string> usage_block_options(const std::string &text, const std::string &command)
{
	std::set<std::string> found;
	const std::string needle = "```\nUsage: qvp " + command + " ";
	for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
		size_t end = text.find("\n```", at + 4);
		std::istringstream block(text.substr(at, end - at));
		std::string line;
		while (std::getline(block, line)) {
			size_t dash = line.find_first_not_of(' ');
			if (dash == 0 || dash == std::string::npos)
				continue; // not an option line: the usage lines start in column 0
			if (line.compare(dash, 1, "-") == 0 && line.compare(dash, 2, "--") != 0 && line.find(", --") == dash + 2)
				dash += 4; // "-j, --jobs"
			size_t stop = dash + 2;
			while (stop < line.size() && (isalnum((unsigned char)line[stop]) || line[stop] == '-'))
				stop++;
			if (line.compare(dash, 2, "--") == 0 && stop > dash + 2)
				found.insert(line.substr(dash, stop - dash));
		}
	}
	return found;
}

std::set<std::string> documented_options(const std::string &text, const std::string &command)
{
	std::set<std::string> found = usage_block_options(text, command);
	const std::string needle = "qvp " + command + " ";
	for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
		if (at > 0 && text[at - 1] != '/' && text[at - 1] != ' ' && text[at - 1] != '`' && text[at - 1] != '\n')
			continue; // "myqvp run", not ours
		size_t end = at + needle.size();
		while (end < text.size() && std::string("`|;&)>").find(text[end]) == std::string::npos &&
		       !(text[end] == '\n' && text[end - 1] != '\\'))
			end++;
		std::string command_text = text.substr(at, end - at);
		for (size_t dash = command_text.find("--"); dash != std::string::npos; dash = command_text.find("--", dash + 2)) {
			if (dash > 0 && command_text[dash - 1] != ' ' && command_text[dash - 1] != '[' && command_text[dash - 1] != '\n')
				continue;
			size_t stop = dash + 2;
			while (stop < command_text.size() && (isalnum((unsigned char)command_text[stop]) || command_text[stop] == '-'))
				stop++;
			if (stop > dash + 2 && isalpha((unsigned char)command_text[dash + 2]))
				found.insert(command_text.substr(dash, stop - dash));
		}
	}
	return found;
}

} // namespace

TEST(CliDocs, ReadmeAndDocsNameOnlyOptionsTheHelpLists)
{
	const std::string run_help = qvp({ "--help" }).out, test_help = qvp({ "test", "--help" }).out;
	ASSERT_NE(run_help.find("--timeout"), std::string::npos);
	ASSERT_NE(test_help.find("--filter"), std::string::npos);
	std::vector<std::string> files = { std::string(QVP_SOURCE_DIR) + "/README.md" };
	DIR *docs = opendir((std::string(QVP_SOURCE_DIR) + "/docs").c_str());
	ASSERT_NE(docs, nullptr);
	for (struct dirent *entry; (entry = readdir(docs)) != nullptr;) {
		std::string name = entry->d_name;
		if (name.size() > 3 && name.compare(name.size() - 3, 3, ".md") == 0)
			files.push_back(std::string(QVP_SOURCE_DIR) + "/docs/" + name);
	}
	closedir(docs);
	size_t checked = 0;
	for (const std::string &file : files) {
		std::string text = qvp_test::read_file(file);
		for (const auto &[command, help] : { std::pair<std::string, const std::string &>{ "run", run_help },
		                                     std::pair<std::string, const std::string &>{ "test", test_help } })
			for (const std::string &option : documented_options(text, command)) {
				checked++;
				EXPECT_NE(help.find(option + " "), std::string::npos) << file << " names `qvp " << command << " "
				                                                       << option << "`, which its --help does not list";
			}
	}
	EXPECT_GT(checked, 20u); // the rule still finds the docs' commands
}

// The rule itself, on text with a stale option and another program's options.
TEST(CliDocs, TheOptionRuleReadsOnlyQvpsCommands)
{
	std::string text = "Run `build/qvp run --timeout 1s --bogus x.elf` then `gdb --args`.\n"
	                   "qvp run --raw 0x0 \\\n  --gdb 1234 f.bin | tee --append log\n"
	                   "qvp-sc run --only-sc f.elf; qvp test --filter a m.yaml\n"
	                   "```\nUsage: qvp test [OPTIONS] MANIFEST\n  -j, --jobs N  simulations\n"
	                   "  --shard K/N   shard K of N, not --stale\n```\n";
	EXPECT_EQ(documented_options(text, "run"), (std::set<std::string>{ "--timeout", "--bogus", "--raw", "--gdb" }));
	EXPECT_EQ(documented_options(text, "test"), (std::set<std::string>{ "--filter", "--jobs", "--shard" }));
}
