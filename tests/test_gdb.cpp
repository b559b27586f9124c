// qvp's gdb stub: real gdb-multiarch in batch mode against `qvp run --gdb`, raw packets that a
// broken client might send, Ctrl-C on a spinning guest, and determinism under the debugger.
// Every wait is bounded: qvp is killed after its deadline and gdb runs under timeout(1).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "bus.h"
#include "loader.h"
#include "test_support.h"

using namespace qvp_test;

namespace {

// A port nobody listens on now (the kernel's choice), for qvp to bind next.
int free_port()
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	sockaddr_in address = {};
	socklen_t size = sizeof(address);

	address.sin_family = AF_INET;
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address));
	getsockname(fd, reinterpret_cast<sockaddr *>(&address), &size);
	close(fd);
	return ntohs(address.sin_port);
}

// `qvp run --gdb 127.0.0.1:PORT --gdb-wait ...` in the background, output into files (or
// `qvp-sc run ...`: the same options).
class Qvp {
public:
	Qvp(const TempDir &dir, std::vector<std::string> arguments, bool wait_for_gdb = true,
	    const std::string &program = "qvp")
		: out_(dir.path("qvp.out")), err_(dir.path("qvp.err"))
	{
		port_ = free_port();
		std::vector<std::string> argv = { build_path(program), "run", "--gdb", "127.0.0.1:" + std::to_string(port_) };
		if (wait_for_gdb)
			argv.push_back("--gdb-wait");
		argv.insert(argv.end(), arguments.begin(), arguments.end());
		pid_ = fork();
		if (pid_ == 0) {
			int out = open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
			int err = open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
			dup2(out, 1);
			dup2(err, 2);
			std::vector<char *> args;
			for (auto &a : argv)
				args.push_back(a.data());
			args.push_back(nullptr);
			execv(args[0], args.data());
			_exit(127);
		}
		wait_listening();
	}
	~Qvp()
	{
		if (pid_ > 0 && status_ < 0) {
			kill(pid_, SIGKILL);
			waitpid(pid_, nullptr, 0);
		}
	}
	int port() const { return port_; }
	std::string console() const { return read_file(out_); }
	std::string errors() const { return read_file(err_); }

	// The exit status, or -1 when qvp had to be killed after `seconds`.
	int wait(double seconds)
	{
		auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
		int status;

		while (std::chrono::steady_clock::now() < deadline) {
			if (waitpid(pid_, &status, WNOHANG) == pid_) {
				status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
				return status_;
			}
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
		}
		kill(pid_, SIGKILL);
		waitpid(pid_, nullptr, 0);
		status_ = -1;
		return -1;
	}

private:
	void wait_listening()
	{
		for (int k = 0; k < 1000 && errors().find("listening on") == std::string::npos; k++)
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}

	std::string out_, err_;
	int port_ = 0;
	pid_t pid_ = -1;
	int status_ = -1;
};

std::string debugme()
{
	return build_path("sw/debugme.elf");
}

// gdb-multiarch -batch against qvp's port, each command an -ex; its whole output.
std::string gdb(const Qvp &qvp, const std::string &elf, const std::vector<std::string> &commands)
{
	std::vector<std::string> argv = { "timeout", "60", "gdb-multiarch", "-batch", "-nx", "-ex", "set confirm off",
		                          "-ex", "target remote 127.0.0.1:" + std::to_string(qvp.port()) };
	for (const auto &command : commands) {
		argv.push_back("-ex");
		argv.push_back(command);
	}
	if (!elf.empty())
		argv.push_back(elf);
	ProcessResult result = run_process(argv);
	return result.out + result.err;
}

bool contains(const std::string &text, const std::string &part)
{
	return text.find(part) != std::string::npos;
}


// ---- A raw protocol client ----

class Client {
public:
	explicit Client(int port)
	{
		fd_ = socket(AF_INET, SOCK_STREAM, 0);
		sockaddr_in address = {};
		address.sin_family = AF_INET;
		address.sin_port = htons(static_cast<uint16_t>(port));
		address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		connected_ = connect(fd_, reinterpret_cast<sockaddr *>(&address), sizeof(address)) == 0;
	}
	~Client() { close_now(); }
	bool connected() const { return connected_; }
	void send_raw(const std::string &bytes) { ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL); }
	void send_packet(const std::string &data)
	{
		unsigned sum = 0;
		char trailer[4];
		for (unsigned char c : data)
			sum += c;
		snprintf(trailer, sizeof(trailer), "#%02x", sum & 0xff);
		send_raw("$" + data + trailer);
	}
	// Receives until `count` bytes are waiting or `seconds` pass.
	void fill(size_t count, double seconds)
	{
		auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
		while (received_.size() < count && std::chrono::steady_clock::now() < deadline) {
			pollfd poller = { fd_, POLLIN, 0 };
			char buffer[4096];
			if (poll(&poller, 1, 50) <= 0)
				continue;
			ssize_t got = recv(fd_, buffer, sizeof(buffer), 0);
			if (got <= 0)
				break;
			received_.append(buffer, static_cast<size_t>(got));
		}
	}
	// Everything that arrives up to and including `until`, or until `seconds` pass.
	std::string read_until(const std::string &until, double seconds = 5)
	{
		auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
		while (!contains(received_, until) && std::chrono::steady_clock::now() < deadline) {
			pollfd poller = { fd_, POLLIN, 0 };
			char buffer[4096];
			if (poll(&poller, 1, 50) <= 0)
				continue;
			ssize_t got = recv(fd_, buffer, sizeof(buffer), 0);
			if (got <= 0)
				break;
			received_.append(buffer, static_cast<size_t>(got));
		}
		size_t end = received_.find(until);
		size_t taken = end == std::string::npos ? received_.size() : end + until.size();
		std::string text = received_.substr(0, taken);
		received_.erase(0, taken);
		return text;
	}
	// The body of the next packet from qvp, acknowledged; "<none>" if none came.
	std::string next_packet(double seconds = 5)
	{
		std::string text = read_until("#", seconds);
		size_t dollar = text.find('$');
		if (dollar == std::string::npos || text.back() != '#')
			return "<none>";
		fill(2, 1.0);
		received_.erase(0, std::min<size_t>(2, received_.size())); // the checksum
		send_raw("+");
		return text.substr(dollar + 1, text.size() - dollar - 2);
	}
	std::string request(const std::string &data)
	{
		send_packet(data);
		return next_packet();
	}
	// `c`, then Ctrl-C after `ms` of the guest running: the stop reply.
	std::string run_then_interrupt(int ms)
	{
		send_packet("c");
		read_until("+");
		std::this_thread::sleep_for(std::chrono::milliseconds(ms));
		send_raw("\x03");
		return next_packet();
	}
	void close_now()
	{
		if (fd_ >= 0)
			close(fd_);
		fd_ = -1;
	}

private:
	int fd_ = -1;
	bool connected_ = false;
	std::string received_;
};

// (std::regex is avoided: GCC 12's <regex> trips -Wmaybe-uninitialized in sanitizer builds.)
uint64_t json_number(const std::string &json, const std::string &key)
{
	size_t at = json.find("\"" + key + "\": ");
	return at == std::string::npos ? 0 : std::stoull(json.substr(at + key.size() + 4));
}

// Two --stats-json reports of runs that must have ended alike: the same instructions and virtual time.
void expect_same_end(const std::string &report, const std::string &expected)
{
	std::string json = read_file(report), want = read_file(expected);
	EXPECT_EQ(json_number(json, "instructions"), json_number(want, "instructions")) << report;
	EXPECT_EQ(json_number(json, "virtual_time_ps"), json_number(want, "virtual_time_ps")) << report;
}

// The value column of `info registers` for one register: "0x..." or "" if it is not shown.
std::string register_value(const std::string &out, const std::string &name)
{
	size_t at = out.find("\n" + name + " ");
	if (at == std::string::npos)
		return "";
	size_t value = out.find_first_not_of(' ', at + 1 + name.size());
	return out.substr(value, out.find_first_of(" \n", value) - value);
}

// ---- gdb-multiarch sessions ----

// Each session runs the real gdb-multiarch; without it the test says it was skipped and why.
class GdbSession : public ::testing::Test {
protected:
	void SetUp() override
	{
		if (system("command -v gdb-multiarch > /dev/null 2>&1") != 0)
			GTEST_SKIP() << "gdb-multiarch is not installed (./bootstrap.sh installs it)";
	}
};

TEST_F(GdbSession, BreakNextStepFinishAndPrint)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	std::string out = gdb(qvp, debugme(),
	                      { "break main", "continue", "next", "step", "info locals", "finish", "print local",
	                        "print counter", "continue" });

	EXPECT_TRUE(contains(out, "Breakpoint 1, main () at")) << out;
	EXPECT_TRUE(contains(out, "add_twice (value=7) at")) << out;
	EXPECT_TRUE(contains(out, "twice = ")) << out;
	EXPECT_TRUE(contains(out, "Value returned is $1 = 15")) << out;
	EXPECT_TRUE(contains(out, "$2 = 7")) << out;
	EXPECT_TRUE(contains(out, "$3 = 5")) << out;
	EXPECT_TRUE(contains(out, "exited normally")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
	EXPECT_EQ(qvp.console(), "debugme: counter 20\n");
}

TEST_F(GdbSession, SettingAVariableChangesTheOutputAndExitCode)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	std::string out = gdb(qvp, debugme(), { "break main", "continue", "set var counter = 10", "continue" });

	EXPECT_TRUE(contains(out, "exited with code 04")) << out;
	EXPECT_EQ(qvp.wait(30), 4) << qvp.errors();
	EXPECT_EQ(qvp.console(), "debugme: counter 25\n");
}

TEST_F(GdbSession, WatchpointFiresWhereTheVariableIsWritten)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	std::string out = gdb(qvp, debugme(), { "break main", "continue", "watch counter", "continue", "continue" });

	EXPECT_TRUE(contains(out, "Hardware watchpoint 2: counter")) << out;
	EXPECT_TRUE(contains(out, "Old value = 5")) << out;
	EXPECT_TRUE(contains(out, "New value = 20")) << out;
	EXPECT_TRUE(contains(out, "main () at ")) << out;
	EXPECT_TRUE(contains(out, "debugme.c:23") || contains(out, "debugme.c:24")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
}

TEST_F(GdbSession, RegistersDisassemblyAndMonitor)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	std::string out = gdb(qvp, debugme(),
	                      { "break main", "continue", "info registers", "x/4i $pc", "monitor help", "monitor time",
	                        "monitor stats", "monitor quantum 10us", "monitor frobnicate", "continue" });

	EXPECT_EQ(register_value(out, "pc").substr(0, 6), "0x4008") << out;
	EXPECT_EQ(register_value(out, "cpsr").substr(0, 2), "0x") << out;
	EXPECT_EQ(register_value(out, "SCTLR_EL1").substr(0, 2), "0x") << out;
	EXPECT_EQ(register_value(out, "VBAR_EL1").substr(0, 6), "0x4008") << out;
	EXPECT_EQ(register_value(out, "CurrentEL"), "0x4") << out;
	EXPECT_TRUE(contains(out, "=> 0x")) << out;
	EXPECT_TRUE(contains(out, "<main+")) << out;
	EXPECT_TRUE(contains(out, "monitor quantum TIME")) << out;
	EXPECT_TRUE(contains(out, "virtual time 0.0")) << out;
	EXPECT_TRUE(contains(out, " s, ") && contains(out, " instructions\n")) << out;
	EXPECT_TRUE(contains(out, "quanta: ")) << out;
	EXPECT_TRUE(contains(out, "quantum: 0.000010000000 s")) << out;
	EXPECT_TRUE(contains(out, "unknown monitor command 'frobnicate'")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
}

// The FP/SIMD feature: V registers as lane unions, the q/d/s views gdb derives, FPSR and FPCR.
TEST_F(GdbSession, SimdAndFpRegistersReadAndWrite)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	std::string out = gdb(qvp, debugme(),
	                      { "break main", "continue", "set var $d1 = 2.5", "print $d1", "print/x $v1.d.u[0]",
	                        "set var $v2.s.u[3] = 0x12345678", "print/x $q2", "print/x $fpcr", "print/x $fpsr",
	                        "info registers v1", "continue" });

	EXPECT_TRUE(contains(out, "$1 = {f = 2.5, ")) << out;
	EXPECT_TRUE(contains(out, "$2 = 0x4004000000000000")) << out;
	EXPECT_TRUE(contains(out, "$3 = {u = 0x12345678000000000000000000000000, ")) << out; // lane 3 is the top
	EXPECT_TRUE(contains(out, "$4 = 0x0")) << out;
	EXPECT_TRUE(contains(out, "$5 = 0x0")) << out;
	EXPECT_TRUE(contains(out, "v1             {d = {f = {0x4004000000000000, 0x0}")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
}

TEST_F(GdbSession, DetachLetsTheRunFinish)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	std::string out = gdb(qvp, debugme(), { "break add_twice", "continue", "detach" });

	EXPECT_TRUE(contains(out, "Breakpoint 1, add_twice")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
	EXPECT_EQ(qvp.console(), "debugme: counter 20\n");
}

// PSCI SYSTEM_RESET rebuilds the board and its CPU; gdb's breakpoint stays, as on a JTAG probe.
// In printf, not main: under KVM (the same session in the nested test) the counter runs with the
// host's during a run, and stepping over a breakpoint in main can outlast the first boot's 1 ms.
TEST_F(GdbSession, BreakpointsSurviveASystemReset)
{
	TempDir dir;
	std::string elf = build_path("sw/psci_reset.elf");
	Qvp qvp(dir, { elf });
	std::string out = gdb(qvp, elf, { "break printf", "continue", "continue", "continue" });

	EXPECT_EQ(count(out, "\nBreakpoint 1, "), 2u) << out; // each boot prints once
	EXPECT_TRUE(contains(out, "exited normally")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
	EXPECT_TRUE(contains(qvp.console(), "psci_reset: second boot")) << qvp.console();
}

// The EL1 system registers can be written as MSR writes them (with its effects); CurrentEL not.
TEST_F(GdbSession, SystemRegistersCanBeWritten)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	std::string out = gdb(qvp, debugme(),
	                      { "break main", "continue", "set var $ESR_EL1 = 0x96000010", "print/x $ESR_EL1",
	                        "set var $ELR_EL1 = 0x40081234", "print/x $ELR_EL1", "set var $SPSR_EL1 = 0x3c5",
	                        "print/x $SPSR_EL1", "set var $SCTLR_EL1 = 0x30d00802", "print/x $SCTLR_EL1",
	                        "set var $CurrentEL = 0", "print/x $CurrentEL", "continue" });

	EXPECT_TRUE(contains(out, "$1 = 0x96000010")) << out;
	EXPECT_TRUE(contains(out, "$2 = 0x40081234")) << out;
	EXPECT_TRUE(contains(out, "$3 = 0x3c5")) << out;
	EXPECT_TRUE(contains(out, "$4 = 0x30d00802")) << out; // A (alignment checks) now set
	EXPECT_TRUE(contains(out, "Could not write register \"CurrentEL\"")) << out;
	EXPECT_TRUE(contains(out, "$5 = 0x4")) << out;
	EXPECT_TRUE(contains(out, "exited normally")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
}

// `monitor reset`, as a JTAG probe's "reset halt": the board rebuilt, halted at the entry point,
// the breakpoints still set; the program then runs again from its start.
TEST_F(GdbSession, MonitorResetRestartsTheBoardHalted)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	std::string out = gdb(qvp, debugme(),
	                      { "break add_twice", "continue", "monitor reset", "maintenance flush register-cache",
	                        "print $pc", "continue", "continue" });

	EXPECT_TRUE(contains(out, "board reset: halted at 0x40080000")) << out;
	EXPECT_TRUE(contains(out, "$1 = (void (*)()) 0x40080000 <_start>")) << out;
	EXPECT_EQ(count(out, "Breakpoint 1, add_twice (value=7)"), 2u) << out;
	EXPECT_TRUE(contains(out, "exited normally")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
	EXPECT_EQ(qvp.console(), "debugme: counter 20\n"); // the first run stopped before it printed
}

// With --cpus 4 every CPU is a thread: a breakpoint stops whichever CPU reaches it and says
// which, `info threads` lists the four with their MPIDR and power state, `next` steps the
// stopped CPU, and the run then ends as a free run does.
TEST_F(GdbSession, EachCpuIsAThread)
{
	TempDir dir;
	std::string smp_hello = build_path("sw/smp_hello.elf");
	Qvp qvp(dir, { "--backend", "iss", "--cpus", "4", smp_hello });
	std::string out = gdb(qvp, smp_hello,
	                      { "break hello if index == 2", "continue", "print index", "next", "info threads",
	                        "thread 1", "delete", "continue" });

	EXPECT_TRUE(contains(out, "Thread 3 hit Breakpoint 1, hello (index=2)")) << out;
	EXPECT_TRUE(contains(out, "$1 = 2")) << out;
	EXPECT_TRUE(contains(out, "printf(\"smp_hello: hello from cpu")) << out; // `next` in thread 3
	for (unsigned cpu = 0; cpu < 4; cpu++)
		EXPECT_TRUE(contains(out, "Thread " + std::to_string(cpu + 1) + " (cpu " + std::to_string(cpu) +
		                              ", MPIDR affinity 0x" + std::to_string(cpu) + ", "))
			<< out;
	EXPECT_TRUE(contains(out, "* 3    Thread 3")) << out;
	EXPECT_TRUE(contains(out, "[Switching to thread 1 (Thread 1)]")) << out;
	EXPECT_TRUE(contains(out, "exited normally")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
	EXPECT_TRUE(contains(qvp.console(), "smp_hello: 4 CPUs said hello\n")) << qvp.console();
}

// The per-CPU instruction counts of a --stats-json report: "[a, b, ...]".
std::string cpu_instructions(const std::string &report)
{
	std::string json = read_file(report);
	size_t at = json.find("\"cpu_instructions\": [");
	return at == std::string::npos ? "" : json.substr(at, json.find(']', at) - at);
}

// With several CPUs, gdb's stops and steps leave the run as it is without them: a round of
// the CPUs' turns that a breakpoint or a step cut short goes on where it stopped (before, each
// stop began a new round, and four CPUs racing on one counter ended 4 instructions and 10 us
// apart). A snapshot saved at such a stop holds the round, and restores to the same end.
TEST_F(GdbSession, StopsAndStepsLeaveSeveralCpusRunningAsWithoutGdb)
{
	TempDir dir;
	std::string elf = build_path("sw/smp_atomic.elf"), file = dir.path("mid-round.qvps");
	ProcessResult free_run = run_process({ build_path("qvp"), "run", "--backend", "iss", "--cpus", "4",
	                                       "--stats-json", dir.path("free.json"), elf });
	ASSERT_EQ(free_run.status, 0) << free_run.err;
	Qvp qvp(dir, { "--backend", "iss", "--cpus", "4", "--stats-json", dir.path("debugged.json"), elf });
	std::string out = gdb(qvp, elf,
	                      { "break add_many", "continue", "stepi", "stepi", "continue", "monitor snapshot save " + file,
	                        "thread 1", "stepi", "stepi", "delete", "continue" });

	EXPECT_EQ(qvp_test::count(out, "hit Breakpoint 1, add_many"), 3u) << out; // CPUs 0, 1, then 2 in a step of 0
	EXPECT_TRUE(contains(out, "snapshot: saved " + file)) << out;
	EXPECT_TRUE(contains(out, "exited normally")) << out;
	ASSERT_EQ(qvp.wait(30), 0) << qvp.errors();
	EXPECT_EQ(qvp.console(), free_run.out);
	expect_same_end(dir.path("debugged.json"), dir.path("free.json"));
	EXPECT_NE(cpu_instructions(dir.path("free.json")), "");
	EXPECT_EQ(cpu_instructions(dir.path("debugged.json")), cpu_instructions(dir.path("free.json")));

	ProcessResult restored = run_process({ build_path("qvp"), "run", "--restore", file, "--stats-json", dir.path("restored.json") });
	EXPECT_EQ(restored.status, 0) << restored.err;
	EXPECT_EQ(restored.out, free_run.out);
	expect_same_end(dir.path("restored.json"), dir.path("free.json"));
	EXPECT_EQ(cpu_instructions(dir.path("restored.json")), cpu_instructions(dir.path("free.json")));
}

TEST_F(GdbSession, KillEndsTheRun)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	gdb(qvp, debugme(), { "break main", "continue", "kill" });

	EXPECT_EQ(qvp.wait(30), 126);
	EXPECT_TRUE(contains(qvp.errors(), "killed from gdb")) << qvp.errors();
}

// gdb's own Ctrl-C: SIGINT to gdb during `continue` makes it send 0x03 to qvp.
TEST_F(GdbSession, CtrlCInterruptsASpinningGuest)
{
	TempDir dir;
	std::string spin = dir.path("spin.bin");
	write_file(spin, std::string("\x00\x00\x00\x14", 4)); // b .
	Qvp qvp(dir, { "--raw", "0x40080000", spin });
	std::string script = "gdb-multiarch -batch -nx -ex 'set confirm off' -ex 'set architecture aarch64' "
	                     "-ex 'target remote 127.0.0.1:" +
	                     std::to_string(qvp.port()) +
	                     "' -ex continue -ex 'print $pc' -ex 'monitor time' -ex kill & "
	                     "pid=$!; sleep 2; kill -INT $pid; wait $pid";
	ProcessResult result = run_process({ "timeout", "60", "sh", "-c", script });
	std::string out = result.out + result.err;

	EXPECT_TRUE(contains(out, "Program received signal SIGINT")) << out;
	EXPECT_TRUE(contains(out, "$1 = (void (*)()) 0x40080000")) << out;
	EXPECT_TRUE(contains(out, "instructions")) << out;
	EXPECT_EQ(qvp.wait(30), 126) << qvp.errors();
}

// Stopping, stepping and continuing changes nothing the program computes or how long it takes.
TEST_F(GdbSession, DebuggedRunMatchesAFreeRun)
{
	TempDir dir;
	ProcessResult free_run =
		run_process({ build_path("qvp"), "run", "--stats-json", dir.path("free.json"), debugme() });
	Qvp qvp(dir, { "--stats-json", dir.path("debugged.json"), debugme() });
	std::string out = gdb(qvp, debugme(),
	                      { "break add_twice", "break printf", "continue", "stepi", "stepi", "stepi", "next",
	                        "continue", "stepi", "continue" });

	EXPECT_TRUE(contains(out, "exited normally")) << out;
	ASSERT_EQ(qvp.wait(30), 0) << qvp.errors();
	EXPECT_EQ(qvp.console(), free_run.out);
	EXPECT_NE(json_number(read_file(dir.path("free.json")), "instructions"), 0u);
	expect_same_end(dir.path("debugged.json"), dir.path("free.json"));
}

// ---- Reverse execution (bs, bc) ----

// The `monitor when` lines ("virtual time T s, N instructions") of a session, in order.
std::vector<std::string> when_lines(const std::string &out)
{
	std::vector<std::string> lines;
	for (size_t at = out.find("virtual time "); at != std::string::npos; at = out.find("virtual time ", at + 1))
		lines.push_back(out.substr(at, out.find('\n', at) - at));
	return lines;
}

// The register lines of each `info registers` that follows an "@@" mark (`echo @@\n`), in order.
std::vector<std::string> marked_registers(const std::string &out)
{
	std::vector<std::string> blocks;
	size_t at = out.find("@@\n");
	while (at != std::string::npos) {
		size_t next = out.find("@@\n", at + 3);
		std::string block = out.substr(at + 3, next == std::string::npos ? std::string::npos : next - at - 3);
		std::string registers;
		for (size_t line = 0; line < block.size();) {
			size_t end = block.find('\n', line);
			std::string text = block.substr(line, end == std::string::npos ? std::string::npos : end - line);
			if (text.size() > 15 && text[0] != ' ' && text.find("0x") == 15) // "x0             0x7 ..."
				registers += text + "\n";
			line = end == std::string::npos ? block.size() : end + 1;
		}
		blocks.push_back(registers);
		at = next;
	}
	return blocks;
}

// The free run of a firmware: its console output, for a debugged run to match.
std::string free_console(const std::string &elf)
{
	return run_process({ build_path("qvp"), "run", elf }).out;
}

// reverse-stepi comes back to exactly the registers, time and instruction count each forward
// stepi left, and stepping forward again lands where the first steps did.
TEST_F(GdbSession, ReverseStepiRetracesForwardSteps)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	const std::string show = "info registers x0 x1 x8 x29 x30 sp pc cpsr";
	std::vector<std::string> commands = { "break add_twice", "continue" };
	for (int k = 0; k < 4; k++) // states 0..3 going forward
		commands.insert(commands.end(), { "echo @@\\n", show, "monitor when", "stepi" });
	commands.pop_back();
	for (int k = 0; k < 3; k++) // states 2, 1, 0 going back
		commands.insert(commands.end(), { "reverse-stepi", "echo @@\\n", show, "monitor when" });
	commands.insert(commands.end(), { "stepi", "stepi", "stepi", "echo @@\\n", show, "monitor when", "continue" });
	std::string out = gdb(qvp, debugme(), commands);

	std::vector<std::string> states = marked_registers(out), when = when_lines(out);
	ASSERT_EQ(states.size(), 8u) << out;
	ASSERT_EQ(when.size(), 8u) << out;
	EXPECT_EQ(count(states[0], "\n"), 8u) << out;
	EXPECT_NE(states[0], states[1]);
	EXPECT_NE(when[0], when[1]);
	for (auto [back, forward] : { std::pair{ 4, 2 }, { 5, 1 }, { 6, 0 }, { 7, 3 } }) {
		EXPECT_EQ(states[back], states[forward]) << back << " vs " << forward << "\n" << out;
		EXPECT_EQ(when[back], when[forward]) << back << " vs " << forward;
	}
	EXPECT_TRUE(contains(out, "exited normally")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
	EXPECT_EQ(qvp.console(), "debugme: counter 20\n"); // printed once, though parts of the run ran twice
}

// reverse-continue stops at the previous hit of a breakpoint, back across timer interrupts,
// with the same instruction count and virtual time as when the run first stopped there; the
// run then goes on forward to the same hits and ends as a free run does.
TEST_F(GdbSession, ReverseContinueReturnsToEarlierInterrupts)
{
	TempDir dir;
	std::string elf = build_path("sw/timer_irq.elf");
	Qvp qvp(dir, { elf });
	std::string out = gdb(qvp, elf,
	                      { "break on_irq", "continue", "monitor when", "continue", "monitor when", "continue",
	                        "monitor when", "reverse-continue", "monitor when", "reverse-continue", "monitor when",
	                        "continue", "monitor when", "delete", "continue" });

	std::vector<std::string> when = when_lines(out);
	ASSERT_EQ(when.size(), 6u) << out;
	EXPECT_NE(when[0], when[1]);
	EXPECT_NE(when[1], when[2]);
	EXPECT_EQ(when[3], when[1]) << out;
	EXPECT_EQ(when[4], when[0]) << out;
	EXPECT_EQ(when[5], when[1]) << out;
	EXPECT_EQ(count(out, "Breakpoint 1, on_irq"), 6u) << out;
	EXPECT_TRUE(contains(out, "exited normally")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
	EXPECT_EQ(qvp.console(), free_console(elf));
}

// A watchpoint set after the write: reverse-continue finds the store that wrote the variable
// (gdb shows the values swapped, as going back undoes the write), and forward it fires again.
TEST_F(GdbSession, ReverseContinueFindsTheWriteOfAWatchedVariable)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	std::string out = gdb(qvp, debugme(),
	                      { "break debugme.c:24", "continue", "watch counter", "reverse-continue", "print counter",
	                        "delete 1", "continue", "print counter", "delete", "continue" });

	EXPECT_TRUE(contains(out, "Old value = 20\nNew value = 5\n")) << out;
	EXPECT_TRUE(contains(out, "debugme.c:23\n")) << out;
	EXPECT_TRUE(contains(out, "$1 = 5\n")) << out;
	EXPECT_TRUE(contains(out, "Old value = 5\nNew value = 20\n")) << out;
	EXPECT_TRUE(contains(out, "$2 = 20\n")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
	EXPECT_EQ(qvp.console(), "debugme: counter 20\n");
}

// gdb's line-level commands built on bs and bc: reverse-finish returns to the call in the
// caller; reverse-next steps back over a line, undoing its store.
TEST_F(GdbSession, ReverseNextAndReverseFinish)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	std::string out = gdb(qvp, debugme(),
	                      { "break debugme.c:24", "break add_twice", "continue", "reverse-finish", "x/i $pc",
	                        "continue", "continue", "print counter", "reverse-next", "print counter", "delete",
	                        "continue" });

	EXPECT_TRUE(contains(out, "in main () at")) << out;
	EXPECT_TRUE(contains(out, "int result = add_twice(local);")) << out;
	EXPECT_TRUE(contains(out, "bl\t0x40082820 <add_twice>")) << out; // at the call itself
	EXPECT_TRUE(contains(out, "$1 = 20\n")) << out;
	EXPECT_TRUE(contains(out, "counter = counter + result;")) << out;
	EXPECT_TRUE(contains(out, "$2 = 5\n")) << out;
	EXPECT_TRUE(contains(out, "exited normally")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
	EXPECT_EQ(qvp.console(), "debugme: counter 20\n");
}

// Back across a PSCI SYSTEM_RESET: the first boot's stop comes back as it was, and forward
// the second boot's again; the console shows each line once.
TEST_F(GdbSession, ReverseAcrossASystemReset)
{
	TempDir dir;
	std::string elf = build_path("sw/psci_reset.elf");
	Qvp qvp(dir, { elf });
	std::string out = gdb(qvp, elf,
	                      { "break main", "continue", "monitor when", "continue", "monitor when",
	                        "reverse-continue", "monitor when", "continue", "monitor when", "continue" });

	std::vector<std::string> when = when_lines(out);
	ASSERT_EQ(when.size(), 4u) << out;
	EXPECT_NE(when[0], when[1]);
	EXPECT_EQ(when[2], when[0]) << out;
	EXPECT_EQ(when[3], when[1]) << out;
	EXPECT_TRUE(contains(out, "exited normally")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
	EXPECT_EQ(qvp.console(), free_console(elf));
}

// History begins where gdb attached (here: at reset); `monitor goto` jumps in it; a register
// changed in the past makes a new future: the program prints and returns what follows from it.
TEST_F(GdbSession, TheBeginningOfHistoryAndChangingThePast)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	std::string out = gdb(qvp, debugme(),
	                      { "reverse-stepi", "break debugme.c:24", "continue", "monitor goto 0",
	                        "maintenance flush register-cache", "print $pc", "monitor history", "continue",
	                        "reverse-stepi", "x/i $pc", "set var $x1 = 10", "delete", "continue" });

	EXPECT_TRUE(contains(out, "No more reverse-execution history.")) << out;
	EXPECT_TRUE(contains(out, "at instruction 0;")) << out;
	EXPECT_TRUE(contains(out, "<_start>")) << out;
	EXPECT_TRUE(contains(out, "history: 1 checkpoints")) << out;
	EXPECT_TRUE(contains(out, "str\tw1, [x0]")) << out; // the store of counter = counter + result, with w1
	EXPECT_TRUE(contains(out, "exited with code 04")) << out;
	EXPECT_EQ(qvp.wait(30), 4) << qvp.errors();
	EXPECT_EQ(qvp.console(), "debugme: counter 10\n");
}

// `monitor snapshot save` at a breakpoint, a changed future, `monitor snapshot load`: the
// machine is back where it was saved (instruction count, PC, RAM), the run then ends as a
// free run does, and the file restores with `qvp run --restore` to the same end.
TEST_F(GdbSession, SnapshotSaveAndLoadAtAStop)
{
	TempDir dir;
	std::string file = dir.path("stop.qvps");
	ProcessResult free_run = run_process({ build_path("qvp"), "run", "--stats-json", dir.path("free.json"), debugme() });
	Qvp qvp(dir, { "--stats-json", dir.path("debugged.json"), debugme() });
	std::string out = gdb(qvp, debugme(),
	                      { "break add_twice", "continue", "monitor snapshot save " + file, "monitor when",
	                        "set var counter = 13", "break debugme.c:24", "continue", "print counter",
	                        "monitor snapshot load " + file, "monitor when", "maintenance flush register-cache",
	                        "print $pc", "print counter", "continue", "continue", "print counter", "delete",
	                        "continue" });

	std::vector<std::string> when = when_lines(out);
	ASSERT_EQ(when.size(), 2u) << out;
	EXPECT_EQ(when[0], when[1]) << out;
	EXPECT_TRUE(contains(out, "snapshot: saved " + file)) << out;
	EXPECT_TRUE(contains(out, "$1 = 28")) << out; // 13 + 15 before the load
	EXPECT_TRUE(contains(out, "<add_twice+")) << out; // back in add_twice
	EXPECT_TRUE(contains(out, "$3 = 5")) << out;      // RAM as saved
	// gdb did not stop at the restored PC, so the breakpoint there is reported once more.
	EXPECT_EQ(qvp_test::count(out, "Breakpoint 1, add_twice"), 2u) << out;
	EXPECT_TRUE(contains(out, "$4 = 20")) << out; // and the old future
	EXPECT_TRUE(contains(out, "exited normally")) << out;
	ASSERT_EQ(qvp.wait(30), 0) << qvp.errors();
	EXPECT_EQ(qvp.console(), free_run.out);

	ProcessResult restored = run_process({ build_path("qvp"), "run", "--restore", file, "--stats-json", dir.path("restored.json") });
	EXPECT_EQ(restored.status, 0) << restored.err;
	EXPECT_EQ(restored.out, free_run.out);
	expect_same_end(dir.path("restored.json"), dir.path("free.json"));
}

// A snapshot of another firmware, or no file at all: refused, and the session goes on.
TEST_F(GdbSession, SnapshotLoadRefusesAnotherRun)
{
	TempDir dir;
	std::string other = dir.path("hello.qvps");
	ProcessResult saved = run_process({ build_path("qvp"), "run", "--quantum", "1us", "--snapshot-at", "2us", other,
	                                    "--stop", build_path("sw/hello.elf") });
	ASSERT_EQ(saved.status, 0) << saved.err;
	Qvp qvp(dir, { debugme() });
	std::string out = gdb(qvp, debugme(),
	                      { "break add_twice", "continue", "monitor snapshot load " + other,
	                        "monitor snapshot load " + dir.path("none.qvps"), "monitor snapshot", "delete", "continue" });

	EXPECT_TRUE(contains(out, "taken with another board, options or images than this run's")) << out;
	EXPECT_TRUE(contains(out, "none.qvps")) << out;
	EXPECT_TRUE(contains(out, "'monitor snapshot save FILE' or 'monitor snapshot load FILE'")) << out;
	EXPECT_TRUE(contains(out, "exited normally")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
}

// `monitor goto` past the end of the run: it says where the guest's own exit ends the run (not
// that a replay went another way) and stops before that last instruction, so the session goes
// on: going back from there works, and `continue` ends the run with the guest's status, its
// output shown once. `monitor history` says what checkpoints cost.
TEST_F(GdbSession, GotoPastTheEndStopsBeforeTheGuestsExit)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	std::string out = gdb(qvp, debugme(), { "stepi", "monitor history", "monitor goto 1000000000", "monitor when",
						"reverse-stepi", "monitor when", "continue" });

	EXPECT_TRUE(contains(out, "taking them took")) << out;
	size_t said = out.find("goto: the guest ends the run at instruction ");
	ASSERT_NE(said, std::string::npos) << out;
	uint64_t end = std::stoull(out.substr(said + 44));
	EXPECT_TRUE(contains(out, std::to_string(end) + ", before 1000000000; stopped at " + std::to_string(end - 1)))
		<< out;
	EXPECT_TRUE(contains(out, ", " + std::to_string(end - 1) + " instructions\n")) << out; // monitor when
	EXPECT_TRUE(contains(out, ", " + std::to_string(end - 2) + " instructions\n")) << out; // a step back
	EXPECT_FALSE(contains(out, "went another way")) << out;
	EXPECT_TRUE(contains(out, "exited normally")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
	EXPECT_EQ(qvp.console(), "debugme: counter 20\n");
}

// With several CPUs a debugger's stops change how their rounds fall, so history would not
// replay: the stub offers no reverse execution and says why.
TEST_F(GdbSession, ReverseExecutionNeedsOneCpu)
{
	TempDir dir;
	Qvp qvp(dir, { "--cpus", "2", debugme() });
	std::string out = gdb(qvp, debugme(), { "monitor history", "reverse-stepi", "continue" });

	EXPECT_TRUE(contains(out, "reverse execution needs a board with one CPU (this one has 2)")) << out;
	EXPECT_TRUE(contains(out, "does not support this command")) << out;
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
}

// qvp-sc (qvp inside SystemC) serves gdb too: the debugger halts the SystemC simulation with
// the CPU, and a stepped run still computes exactly what a free run computes.
TEST_F(GdbSession, QvpScIsDebuggedLikeQvp)
{
	if (access(build_path("qvp-sc").c_str(), X_OK) != 0)
		GTEST_SKIP() << "qvp-sc is not built (SystemC not found)";
	TempDir dir;
	ProcessResult free_run =
		run_process({ build_path("qvp"), "run", "--stats-json", dir.path("free.json"), debugme() });
	Qvp qvp(dir, { "--stats-json", dir.path("debugged.json"), debugme() }, true, "qvp-sc");
	std::string out = gdb(qvp, debugme(),
	                      { "break add_twice", "continue", "stepi", "stepi", "next", "print twice", "finish",
	                        "watch counter", "continue", "continue" });

	EXPECT_TRUE(contains(out, "Breakpoint 1, add_twice (value=7)")) << out;
	EXPECT_TRUE(contains(out, "$1 = 14")) << out;
	EXPECT_TRUE(contains(out, "Value returned is $2 = 15")) << out;
	EXPECT_TRUE(contains(out, "New value = 20")) << out;
	EXPECT_TRUE(contains(out, "exited normally")) << out;
	ASSERT_EQ(qvp.wait(30), 0) << qvp.errors();
	EXPECT_EQ(qvp.console(), free_run.out);
	expect_same_end(dir.path("debugged.json"), dir.path("free.json"));
}

// ---- Raw packets ----

TEST(GdbProtocol, AnswersBasicQueries)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	Client client(qvp.port());

	ASSERT_TRUE(client.connected());
	EXPECT_TRUE(contains(client.request("qSupported:multiprocess+"), "PacketSize=4000"));
	EXPECT_EQ(client.request("qAttached"), "1");
	EXPECT_EQ(client.request("qC"), "QC1");
	EXPECT_EQ(client.request("?").substr(0, 3), "T05");
	EXPECT_TRUE(contains(client.request("?"), "thread:1;"));
	EXPECT_EQ(client.request("vCont?"), "vCont;c;C;s;S");
	EXPECT_EQ(client.request("qNoSuchThing"), "");
	EXPECT_EQ(client.request("p20").size(), 16u);
	EXPECT_EQ(client.request("g").size(), 2u * (33 * 8 + 4));
	EXPECT_EQ(client.request("m8100000,4"), "E14"); // nothing at 0x08100000 (flash at 0 reads)
	EXPECT_EQ(client.request("mzz"), "E01");
	EXPECT_EQ(client.request("m40080000,ffffff"), "E01");
	EXPECT_EQ(client.request("Z9,0,4"), "E01");
	EXPECT_EQ(client.request("z0,40080000,4"), "E01"); // never inserted
	EXPECT_EQ(client.request("P99=00"), "E01");
	EXPECT_EQ(client.request("M40080000,2:00"), "E01"); // too little data
	EXPECT_EQ(client.request("X40080000,0:"), "OK");
	EXPECT_EQ(client.request("c"), "W00");
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
}

// Threads on the wire: one per CPU; Hg selects whose registers g reads; unknown ids are errors.
TEST(GdbProtocol, ThreadsAreTheCpus)
{
	TempDir dir;
	Qvp qvp(dir, { "--backend", "iss", "--cpus", "3", build_path("sw/smp_hello.elf") });
	Client client(qvp.port());

	ASSERT_TRUE(client.connected());
	EXPECT_EQ(client.request("qfThreadInfo"), "m1,2,3");
	EXPECT_EQ(client.request("qsThreadInfo"), "l");
	EXPECT_EQ(client.request("T3"), "OK");
	EXPECT_EQ(client.request("T4"), "E01");
	EXPECT_EQ(client.request("Hg4"), "E01");
	std::string pc_of_cpu0 = client.request("p20");
	EXPECT_EQ(client.request("Hg2"), "OK");
	EXPECT_EQ(client.request("qC"), "QC2");
	EXPECT_NE(client.request("p20"), pc_of_cpu0) << "CPU 1 is off, at its reset PC";
	EXPECT_EQ(client.request("Hg0"), "OK"); // any thread: the selection stays
	EXPECT_EQ(client.request("qC"), "QC2");
	std::string off = "cpu 1, MPIDR affinity 0x1, off", hex;
	for (unsigned char c : off) {
		char byte[3];
		snprintf(byte, sizeof(byte), "%02x", c);
		hex += byte;
	}
	EXPECT_EQ(client.request("qThreadExtraInfo,2"), hex);
	EXPECT_EQ(client.request("qThreadExtraInfo,9"), "E01");
	EXPECT_EQ(client.request("c"), "W00");
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
}

TEST(GdbProtocol, RejectsBadChecksumsAndOversizedPackets)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	Client client(qvp.port());

	ASSERT_TRUE(client.connected());
	client.send_raw("$qC#00");
	EXPECT_TRUE(contains(client.read_until("-"), "-"));
	client.send_raw("$" + std::string(100000, 'm') + "#00");
	EXPECT_TRUE(contains(client.read_until("-"), "-"));
	client.send_raw("$qC#zz");
	EXPECT_TRUE(contains(client.read_until("-"), "-"));
	client.send_raw("$qC"); // and then nothing: refused after a second
	EXPECT_TRUE(contains(client.read_until("-", 3), "-"));
	client.send_raw(std::string("\x00\xff+-}}}#", 9));
	EXPECT_EQ(client.request("qC"), "QC1"); // still in step after all that
	EXPECT_EQ(client.request("c"), "W00");
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors();
}

TEST(GdbProtocol, TruncatedPacketThenDisconnectLetsTheRunFinish)
{
	TempDir dir;
	Qvp qvp(dir, { debugme() });
	{
		Client client(qvp.port());
		ASSERT_TRUE(client.connected());
		EXPECT_EQ(client.request("Z0,40080000,4"), "OK");
		client.send_raw("$m4008");
	}
	EXPECT_EQ(qvp.wait(30), 0) << qvp.errors(); // the client's breakpoint went with it
	EXPECT_EQ(qvp.console(), "debugme: counter 20\n");
}

TEST(GdbProtocol, CtrlCStopsASpinningGuest)
{
	TempDir dir;
	std::string spin = dir.path("spin.bin");
	write_file(spin, std::string("\x00\x00\x00\x14", 4)); // b .
	Qvp qvp(dir, { "--raw", "0x40080000", spin });
	Client client(qvp.port());

	ASSERT_TRUE(client.connected());
	std::string stop = client.run_then_interrupt(200);
	EXPECT_EQ(stop.substr(0, 3), "T02") << stop;
	EXPECT_TRUE(contains(stop, "20:0000084000000000;")) << stop; // pc 0x40080000, little-endian
	EXPECT_EQ(client.request("qRcmd,74696d65").substr(0, 16), "7669727475616c20"); // "virtual "
	client.send_packet("k");
	EXPECT_EQ(qvp.wait(30), 126) << qvp.errors();
}

// Ctrl-C during reverse-continue: with no breakpoint behind, the search would replay the
// whole history back to its beginning; 0x03 stops it where it got to, with SIGINT, neither at
// the beginning nor where it started.
TEST(GdbProtocol, CtrlCStopsAReverseContinueSearch)
{
	TempDir dir;
	std::string spin = dir.path("spin.bin");
	write_file(spin, std::string("\x00\x00\x00\x14", 4)); // b .
	Qvp qvp(dir, { "--raw", "0x40080000", spin });
	Client client(qvp.port());

	ASSERT_TRUE(client.connected());
	ASSERT_EQ(client.run_then_interrupt(3000).substr(0, 3), "T02"); // a history of several seconds
	std::string front = client.request("qRcmd,7768656e"); // monitor when
	client.send_packet("bc");
	client.read_until("+");
	std::this_thread::sleep_for(std::chrono::milliseconds(100));
	client.send_raw("\x03");
	std::string stop = client.next_packet(30);
	EXPECT_EQ(stop.substr(0, 3), "T02") << stop;
	EXPECT_FALSE(contains(stop, "replaylog")) << stop;
	EXPECT_NE(client.request("qRcmd,7768656e"), front) << "it went back";
	EXPECT_EQ(client.request("bs").substr(0, 3), "T05"); // history still usable from there
	client.send_packet("k");
	EXPECT_EQ(qvp.wait(30), 126) << qvp.errors();
}

std::string hex_text(const std::string &text)
{
	static const char digits[] = "0123456789abcdef";
	std::string out;
	for (unsigned char c : text) {
		out += digits[c >> 4];
		out += digits[c & 15];
	}
	return out;
}

// Going back restores RAM in place (the rebuilt board reuses the old mapping): a page the guest
// wrote only after the place gone back to must read as zero there again, and as written later.
TEST(GdbProtocol, GoingBackClearsMemoryWrittenLater)
{
	TempDir dir;
	std::string counter = dir.path("counter.bin");
	// x1 = 0x40100000; loop: x0 += 1; str x0, [x1]; b loop
	write_file(counter, std::string("\x01\x02\xa8\xd2" "\x00\x04\x00\x91" "\x20\x00\x00\xf9" "\xfe\xff\xff\x17", 16));
	Qvp qvp(dir, { "--raw", "0x40080000", counter });
	Client client(qvp.port());

	ASSERT_TRUE(client.connected());
	ASSERT_EQ(client.run_then_interrupt(1000).substr(0, 3), "T02"); // hundreds of millions of stores
	std::string front = client.request("m40100000,8");
	EXPECT_NE(front, "0000000000000000");
	std::string later;
	for (int round = 0; round < 2; round++) { // the second restore reuses the first's RAM
		client.request("qRcmd," + hex_text("goto 0")); // reset: nothing stored yet
		EXPECT_EQ(client.request("m40100000,8"), "0000000000000000") << "round " << round;
		client.request("qRcmd," + hex_text("goto 4001"));
		std::string value = client.request("m40100000,8");
		EXPECT_NE(value, "0000000000000000");
		EXPECT_NE(value, front);
		EXPECT_TRUE(later.empty() || value == later) << value << " then " << later;
		later = value;
	}
	client.send_packet("k");
	EXPECT_EQ(qvp.wait(30), 126) << qvp.errors();
}

TEST(GdbProtocol, AttachingToARunningGuestStopsItAndDetachingResumesIt)
{
	TempDir dir;
	std::string spin = dir.path("spin.bin");
	write_file(spin, std::string("\x00\x00\x00\x14", 4)); // b .
	Qvp qvp(dir, { "--raw", "0x40080000", spin }, false);
	for (int attach = 0; attach < 2; attach++) {
		Client client(qvp.port());
		ASSERT_TRUE(client.connected());
		EXPECT_EQ(client.request("?").substr(0, 3), "T02");
		EXPECT_EQ(client.request("p20"), "0000084000000000");
		EXPECT_EQ(client.request("Z0,40080000,4"), "OK");
		EXPECT_EQ(client.request("c").substr(0, 3), "T05"); // b . comes back to its breakpoint
		EXPECT_EQ(client.request("D"), "OK");
	}
	EXPECT_EQ(qvp.wait(0.3), -1); // still spinning, without the breakpoints: killed
}

TEST(GdbOptions, BadAddressesAreUsageErrors)
{
	ProcessResult wait_alone = run_process({ build_path("qvp"), "run", "--gdb-wait", debugme() });
	EXPECT_EQ(wait_alone.status, 125);
	EXPECT_TRUE(contains(wait_alone.err, "--gdb-wait needs --gdb")) << wait_alone.err;
	ProcessResult bad_port = run_process({ build_path("qvp"), "run", "--gdb", "localhost:http", debugme() });
	EXPECT_EQ(bad_port.status, 125);
	EXPECT_TRUE(contains(bad_port.err, "expected [HOST:]PORT")) << bad_port.err;
	ProcessResult help = run_process({ build_path("qvp"), "--help" });
	EXPECT_TRUE(contains(help.out, "--gdb [HOST:]PORT")) << help.out;
}

TEST(GdbOptions, WithoutAClientTheRunIsUnchanged)
{
	ProcessResult run = run_process({ build_path("qvp"), "run", "--gdb", "127.0.0.1:0", debugme() });
	EXPECT_EQ(run.status, 0) << run.err;
	EXPECT_EQ(run.out, "debugme: counter 20\n");
	EXPECT_TRUE(contains(run.err, "qvp: gdb: listening on 127.0.0.1:")) << run.err;
}

} // namespace

// ---- A serial line ----

// qvp on the slave side of a pty (`--gdb /dev/pts/N`), the test speaking the protocol on the
// master side, as gdb would over a UART: a gdb that starts talking while the guest runs halts
// it, Ctrl-C works, and `k` ends the run.
class SerialLine {
public:
	SerialLine()
	{
		char name[128];
		termios raw;
		opened_ = openpty(&master_, &slave_, name, nullptr, nullptr) == 0;
		if (opened_) {
			fcntl(master_, F_SETFD, FD_CLOEXEC); // qvp opens the line by its name, and holds no end
			fcntl(slave_, F_SETFD, FD_CLOEXEC);
			cfmakeraw(&raw);
			tcsetattr(master_, TCSANOW, &raw);
			path_ = name;
		}
	}
	~SerialLine()
	{
		if (opened_) {
			if (master_ >= 0)
				close(master_);
			close(slave_);
		}
	}
	bool opened() const { return opened_; }
	// The far end goes away, as a gdb that quits without detaching: qvp's end reads a hang-up.
	void hang_up()
	{
		close(master_);
		master_ = -1;
	}
	const std::string &path() const { return path_; }
	void send_raw(const std::string &bytes) { (void)!write(master_, bytes.data(), bytes.size()); }
	void send_packet(const std::string &data)
	{
		unsigned sum = 0;
		char trailer[4];
		for (unsigned char c : data)
			sum += c;
		snprintf(trailer, sizeof(trailer), "#%02x", sum & 0xff);
		send_raw("$" + data + trailer);
	}
	// The body of the next packet from qvp, acknowledged; "<none>" after `seconds`.
	std::string next_packet(double seconds = 10)
	{
		auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
		while (std::chrono::steady_clock::now() < deadline) {
			size_t dollar = received_.find('$'), hash = received_.find('#', dollar == std::string::npos ? 0 : dollar);
			if (dollar != std::string::npos && hash != std::string::npos && received_.size() >= hash + 3) {
				std::string body = received_.substr(dollar + 1, hash - dollar - 1);
				received_.erase(0, hash + 3);
				send_raw("+");
				return body;
			}
			pollfd poller = { master_, POLLIN, 0 };
			char buffer[4096];
			if (poll(&poller, 1, 50) > 0) {
				ssize_t got = read(master_, buffer, sizeof(buffer));
				if (got > 0)
					received_.append(buffer, static_cast<size_t>(got));
			}
		}
		return "<none>";
	}
	std::string request(const std::string &data)
	{
		send_packet(data);
		return next_packet();
	}

private:
	bool opened_ = false;
	int master_ = -1, slave_ = -1;
	std::string path_, received_;
};

// `qvp run --gdb LINE ARGUMENTS...` in the background, standard error into `err`, started once
// qvp says it serves the line.
pid_t start_on_line(const SerialLine &line, const std::string &err, std::vector<std::string> arguments)
{
	std::vector<std::string> argv = { build_path("qvp"), "run", "--gdb", line.path() };
	argv.insert(argv.end(), arguments.begin(), arguments.end());
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		std::vector<char *> args;
		for (auto &a : argv)
			args.push_back(a.data());
		args.push_back(nullptr);
		execv(args[0], args.data());
		_exit(127);
	}
	for (int k = 0; k < 500 && read_file(err).find("serving on") == std::string::npos; k++)
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	return pid;
}

// qvp's exit status within `seconds`, or -1 (and qvp killed).
int wait_exit(pid_t pid, double seconds)
{
	int status = -1;
	for (int k = 0; k < seconds * 100; k++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

TEST(GdbSerialLine, AGdbTalkingToARunningGuestHaltsItThenCtrlCAndKill)
{
	SerialLine line;
	ASSERT_TRUE(line.opened());
	TempDir dir;
	std::string spin = dir.path("spin.bin");
	write_file(spin, std::string("\x00\x00\x00\x14", 4)); // b .
	std::string err = dir.path("qvp.err");
	pid_t pid = start_on_line(line, err, { "--raw", "0x40080000", spin });
	EXPECT_TRUE(contains(read_file(err), "qvp: gdb: serving on " + line.path())) << read_file(err);

	EXPECT_TRUE(contains(line.request("qSupported:multiprocess+"), "PacketSize=")); // while it spins
	EXPECT_EQ(line.request("?").substr(0, 3), "T02");
	std::string pc = line.request("p20");
	EXPECT_EQ(pc, "0000084000000000"); // 0x40080000, little-endian
	line.send_packet("c");
	std::this_thread::sleep_for(std::chrono::milliseconds(200));
	line.send_raw("\x03");
	EXPECT_EQ(line.next_packet().substr(0, 3), "T02");
	line.send_packet("k");

	EXPECT_EQ(wait_exit(pid, 10), 126) << read_file(err);
}

// A gdb that hangs up while the target is halted at a breakpoint ends its session: its other
// breakpoint goes with it and the run finishes as if never debugged.
TEST(GdbSerialLine, AHangUpEndsTheSessionAndTheRunGoesOn)
{
	struct bus *bus = bus_create();
	ASSERT_EQ(bus_add_ram(bus, "ram", 0x40000000, 0x8000000), 0);
	struct image image = {};
	ASSERT_EQ(loader_load_elf(bus, debugme().c_str(), &image), 0);
	uint64_t add_twice = image_find_symbol(&image, "add_twice")->address;
	uint64_t exit_call = image_find_symbol(&image, "exit")->address;
	image_release(&image);
	bus_destroy(bus);

	SerialLine line;
	ASSERT_TRUE(line.opened());
	TempDir dir;
	std::string err = dir.path("qvp.err"), out = dir.path("qvp.out");
	pid_t pid = start_on_line(line, err, { "--gdb-wait", "--console", out, debugme() });
	EXPECT_TRUE(contains(line.request("qSupported:multiprocess+"), "PacketSize="));
	char packet[64];
	snprintf(packet, sizeof(packet), "Z0,%llx,4", static_cast<unsigned long long>(add_twice));
	EXPECT_EQ(line.request(packet), "OK");
	snprintf(packet, sizeof(packet), "Z0,%llx,4", static_cast<unsigned long long>(exit_call));
	EXPECT_EQ(line.request(packet), "OK");
	EXPECT_EQ(line.request("c").substr(0, 3), "T05"); // at add_twice
	line.hang_up();

	EXPECT_EQ(wait_exit(pid, 10), 0) << read_file(err);
	EXPECT_EQ(read_file(out), "debugme: counter 20\n");
}
