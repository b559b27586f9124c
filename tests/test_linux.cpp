// Debian's own arm64 kernel, unmodified, on the virt board with the iss backend (label linux).
// sw/linux/build.sh fetches the kernel and busybox-static (cached) and builds the initramfs
// and the ext2 disk; without network and cache the tests are skipped, saying so.
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "cli.h"
#include "error.h"
#include "loop.h"
#include "machine.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::count;
using qvp_test::ProcessResult;
using qvp_test::TempDir;

namespace {

class Linux : public ::testing::Test {
protected:
	static void SetUpTestSuite()
	{
		ProcessResult built = qvp_test::run_process(
			{ std::string(QVP_SOURCE_DIR) + "/sw/linux/build.sh", build_path("linux") });
		status_ = built.status;
		why_ = built.err;
	}

	void SetUp() override
	{
		if (status_ == 2)
			GTEST_SKIP() << "Debian's kernel and busybox could not be fetched: " << why_;
		ASSERT_EQ(status_, 0) << why_;
	}

	// qvp run --kernel with the initramfs; the console log goes to `console`.
	static ProcessResult boot(const std::string &append, const std::string &console, std::vector<std::string> more = {})
	{
		std::vector<std::string> args = { build_path("qvp"), "run", "--backend", "iss",
						  "--kernel", build_path("linux/Image"),
						  "--initrd", build_path("linux/initramfs.cpio.gz"),
						  "--append", "console=ttyAMA0 " + append, "--console", console };
		args.insert(args.end(), more.begin(), more.end());
		return qvp_test::run_process(args);
	}

	static int status_;
	static std::string why_;
};

int Linux::status_ = -1;
std::string Linux::why_;

bool has(const std::string &text, const std::string &what)
{
	return text.find(what) != std::string::npos;
}

// A JSON number field of --stats-json.
std::string field(const std::string &json, const std::string &name)
{
	size_t at = json.find("\"" + name + "\": ");
	if (at == std::string::npos)
		return "";
	at += name.size() + 4;
	return json.substr(at, json.find_first_of(",}", at) - at);
}

// rdinit=/poweroff-init needs neither FP/SIMD nor a libc: the boot, the initramfs, the first
// user process, and the PSCI SYSTEM_OFF that reboot(2) ends in, on their own; twice, with the
// same console log, instruction count and virtual time.
TEST_F(Linux, KernelRunsInitFromTheInitramfsAndPowersOffTheSameTwice)
{
	TempDir dir;
	std::string console[2], stats[2];
	for (int i = 0; i < 2; i++) {
		std::string name = "run" + std::to_string(i);
		ProcessResult run = boot("rdinit=/poweroff-init", dir.path(name + ".log"),
					 { "--timeout", "10s", "--stats-json", dir.path(name + ".json") });
		console[i] = qvp_test::read_file(dir.path(name + ".log"));
		stats[i] = qvp_test::read_file(dir.path(name + ".json"));
		ASSERT_EQ(run.status, 0) << run.err << console[i].substr(console[i].size() > 3000 ? console[i].size() - 3000 : 0);
	}
	const std::string &log = console[0];
	EXPECT_TRUE(has(log, "Booting Linux on physical CPU 0x0000000000")) << log;
	EXPECT_TRUE(has(log, "Machine model: qvp virt"));
	EXPECT_TRUE(has(log, "Kernel command line: console=ttyAMA0 rdinit=/poweroff-init"));
	EXPECT_TRUE(has(log, "psci: PSCIv1.0 detected in firmware."));
	EXPECT_TRUE(has(log, "arch_timer: cp15 timer(s) running at 62.50MHz (virt)."));
	EXPECT_TRUE(has(log, "9000000.pl011: ttyAMA0 at MMIO 0x9000000 (irq = 14, base_baud = 0) is a PL011 rev1"));
	EXPECT_TRUE(has(log, "rtc-pl031 9010000.pl031: setting system clock to 2024-01-01T00:00:00 UTC (1704067200)"));
	EXPECT_TRUE(has(log, "Freeing initrd memory"));
	EXPECT_TRUE(has(log, "Run /poweroff-init as init process"));
	EXPECT_TRUE(has(log, "qvp-poweroff-init: hello from PID 1, powering off"));
	EXPECT_TRUE(has(log, "reboot: Power down"));
	EXPECT_FALSE(has(log, "Kernel panic"));
	EXPECT_EQ(console[0], console[1]);
	EXPECT_EQ(field(stats[0], "instructions"), field(stats[1], "instructions"));
	EXPECT_EQ(field(stats[0], "virtual_time_ps"), field(stats[1], "virtual_time_ps"));
	EXPECT_NE(field(stats[0], "instructions"), "");
}

// The kernel's panic=-1 reboots through PSCI SYSTEM_RESET: qvp rebuilds the board and the
// same kernel boots again to the same panic (the counter and the RTC go on across the reset,
// so only the timestamps differ).
TEST_F(Linux, PanicRebootRestartsTheBoard)
{
	TempDir dir;
	ProcessResult run = boot("rdinit=/no-such-init panic=-1 cryptomgr.notests", dir.path("console"),
				 { "--timeout", "800ms" });
	std::string console = qvp_test::read_file(dir.path("console"));
	EXPECT_EQ(run.status, QVP_EXIT_TIMEOUT) << run.err;
	EXPECT_GE(count(console, "Booting Linux on physical CPU"), 2u) << console;
	EXPECT_GE(count(console, "Kernel panic - not syncing: VFS: Unable to mount root fs"), 2u) << console;
}

bool qvp_has_option(const std::string &option)
{
	ProcessResult help = qvp_test::run_process({ build_path("qvp"), "--help" });
	return has(help.out, option);
}

const char shell_script[] =
	"expect \"qvp-init: ready\"\n"
	"expect \"# \"\n"
	"send \"uname -a\\n\"\n"
	"expect \"# \"\n"
	"send \"cat /proc/interrupts\\n\"\n"
	"expect \"# \"\n"
	"send \"cat /proc/cpuinfo\\n\"\n"
	"expect \"# \"\n"
	"send \"sleep 1; echo slept\\n\"\n"
	"expect \"slept\"\n"
	"expect \"# \"\n"
	"send \"poweroff -f\\n\"\n";

// What the shell printed between sending `command` and the next prompt.
std::string output_of(const std::string &console, const std::string &command)
{
	size_t at = console.find(command + "\r\n");
	if (at == std::string::npos)
		return "";
	at += command.size() + 2;
	return console.substr(at, console.find("/ # ", at) - at);
}

// busybox's shell on the console, driven by a script: each command's output is checked, and
// two runs give the same log, instruction count and virtual time (cryptomgr.notests skips
// the crypto self-tests, half the boot, tested above).
TEST_F(Linux, BusyboxShellRunsTheScript)
{
	if (!qvp_has_option("--console-script"))
		GTEST_SKIP() << "qvp has no --console-script yet";
	TempDir dir;
	qvp_test::write_file(dir.path("script"), shell_script);
	std::string console[2], stats[2];
	for (int i = 0; i < 2; i++) {
		std::string name = "run" + std::to_string(i);
		ProcessResult run = boot("cryptomgr.notests", dir.path(name + ".log"),
					 { "--timeout", "30s", "--console-script", dir.path("script"), "--stats-json",
					   dir.path(name + ".json") });
		console[i] = qvp_test::read_file(dir.path(name + ".log"));
		stats[i] = qvp_test::read_file(dir.path(name + ".json"));
		ASSERT_EQ(run.status, 0) << run.err << console[i].substr(console[i].size() > 3000 ? console[i].size() - 3000 : 0);
	}
	const std::string &log = console[0];
	EXPECT_TRUE(has(output_of(log, "uname -a"), "Linux (none) 6.1.0-")) << log;
	EXPECT_TRUE(has(output_of(log, "uname -a"), " aarch64 GNU/Linux"));
	std::string interrupts = output_of(log, "cat /proc/interrupts");
	EXPECT_TRUE(has(interrupts, "GIC-0  27 Level     arch_timer")) << interrupts;
	EXPECT_TRUE(has(interrupts, "GIC-0  33 Level     uart-pl011"));
	std::string cpuinfo = output_of(log, "cat /proc/cpuinfo");
	EXPECT_TRUE(has(cpuinfo, "CPU implementer\t: 0x41")) << cpuinfo;
	EXPECT_TRUE(has(cpuinfo, "CPU part\t: 0xd07")); // Cortex-A57, as MIDR_EL1 says
	EXPECT_EQ(output_of(log, "sleep 1; echo slept"), "slept\r\n");
	EXPECT_TRUE(has(log, "reboot: Power down"));
	// sleep 1 is a second of virtual time the guest spends idle, skipped, not simulated
	EXPECT_GE(std::stoull(field(stats[0], "idle_skipped_ps")), 1000000000000ull);
	EXPECT_EQ(console[0], console[1]);
	EXPECT_EQ(field(stats[0], "instructions"), field(stats[1], "instructions"));
	EXPECT_EQ(field(stats[0], "virtual_time_ps"), field(stats[1], "virtual_time_ps"));
}

// A snapshot of the shell session once Linux has booted (docs/snapshots.md): the run restored
// from it prints the rest of the session, and the two parts are the straight run's log; the
// restored run ends with the straight run's instruction count and virtual time.
TEST_F(Linux, SnapshotAfterTheBootRestoresTheShellSession)
{
	TempDir dir;
	qvp_test::write_file(dir.path("script"), shell_script);
	std::vector<std::string> options = { "--timeout", "30s", "--console-script", dir.path("script") };
	std::vector<std::string> straight_options = options;
	straight_options.insert(straight_options.end(), { "--stats-json", dir.path("straight.json") });
	ProcessResult straight = boot("cryptomgr.notests", dir.path("straight.log"), straight_options);
	ASSERT_EQ(straight.status, 0) << straight.err;
	std::string stats = qvp_test::read_file(dir.path("straight.json"));
	uint64_t end = std::stoull(field(stats, "virtual_time_ps"));

	// In the last command, "sleep 1": the run's last second (after the boot, at about 0.6 s).
	std::vector<std::string> save = options;
	save.insert(save.end(), { "--snapshot-at", std::to_string((end - 1050 * 1000000000ull) / 1000) + "ns",
				  dir.path("shell.snap"), "--stop" });
	ProcessResult before = boot("cryptomgr.notests", dir.path("before.log"), save);
	ASSERT_EQ(before.status, 0) << before.err;
	ProcessResult after = qvp_test::run_process({ build_path("qvp"), "run", "--restore", dir.path("shell.snap"),
						      "--console", dir.path("after.log"), "--stats-json",
						      dir.path("after.json") });
	EXPECT_EQ(after.status, 0) << after.err;
	std::string head = qvp_test::read_file(dir.path("before.log")), tail = qvp_test::read_file(dir.path("after.log"));
	EXPECT_TRUE(has(head, "qvp-init: ready")) << "the snapshot was taken during the boot";
	EXPECT_TRUE(has(tail, "reboot: Power down")) << tail;
	EXPECT_TRUE(head + tail == qvp_test::read_file(dir.path("straight.log")));
	std::string restored = qvp_test::read_file(dir.path("after.json"));
	EXPECT_EQ(field(restored, "instructions"), field(stats, "instructions"));
	EXPECT_EQ(field(restored, "virtual_time_ps"), field(stats, "virtual_time_ps"));
}

// Boot once, test many times (docs/farm.md, setups): the farm boots Debian's kernel to the shell
// once, and each shell test starts from that snapshot; run twice each, they must be identical.
TEST_F(Linux, FarmTestsStartFromOneSetupsBootedShell)
{
	TempDir dir;
	qvp_test::write_file(dir.path("boot.script"), "expect \"qvp-init: ready\"\nexpect \"# \"\n");
	qvp_test::write_file(dir.path("uname.script"), "send \"uname -m\\n\"\nexpect \"# \"\nsend \"poweroff -f\\n\"\n");
	qvp_test::write_file(dir.path("cpu.script"),
			     "send \"grep 'CPU part' /proc/cpuinfo\\n\"\nexpect \"# \"\nsend \"poweroff -f\\n\"\n");
	qvp_test::write_file(dir.path("farm.yaml"),
			     "defaults:\n  options: [--append, 'console=ttyAMA0 cryptomgr.notests']\n  timeout: 30s\n"
			     "setups:\n  - name: shell\n    kernel: " + build_path("linux/Image") +
				     "\n    initrd: " + build_path("linux/initramfs.cpio.gz") +
				     "\n    input: boot.script\n"
				     "tests:\n"
				     "  - name: uname\n    setup: shell\n    input: uname.script\n"
				     "    expect: '^aarch64'\n    forbid: 'qvp-init: ready'\n    timeout: 5s\n"
				     "  - name: cpu\n    setup: shell\n    input: cpu.script\n"
				     "    expect: 'CPU part.*0xd07'\n    timeout: 5s\n");
	ProcessResult farm = qvp_test::run_process({ build_path("qvp"), "test", "--repeat", "2", "--log-dir",
						     dir.path("logs"), dir.path("farm.yaml") });
	EXPECT_EQ(farm.status, 0) << farm.out << farm.err;
	EXPECT_TRUE(has(farm.out, "SETUP   shell (")) << farm.out;
	EXPECT_EQ(count(farm.out, "SETUP"), 1u) << "one boot for four runs";
	EXPECT_TRUE(has(farm.out, "2 tests: 2 passed")) << farm.out;
}

// Debian's kernel on four CPUs (--cpus 4): the secondaries come up through PSCI CPU_ON, the shell
// sees four, taskset runs a program on each, dmesg has no RCU stall, no CPU that failed to come
// online, no clocksource complaint; and two boots are identical.
const char smp_script[] = "expect \"qvp-init: ready\"\n"
			  "expect \"# \"\n"
			  "send \"nproc\\n\"\n"
			  "expect \"# \"\n"
			  "send \"for c in 0 1 2 3; do taskset -c $c cut -d' ' -f39 /proc/self/stat; done\\n\"\n"
			  "expect \"# \"\n"
			  "send \"dmesg | grep -ciE 'stall|come online|unstable|skew'\\n\"\n"
			  "expect \"# \"\n"
			  "send \"poweroff -f\\n\"\n";

TEST_F(Linux, FourCpusBootToTheShell)
{
	TempDir dir;
	qvp_test::write_file(dir.path("script"), smp_script);
	std::string console[2], stats[2];
	for (int i = 0; i < 2; i++) {
		std::string name = "run" + std::to_string(i);
		ProcessResult run = boot("cryptomgr.notests", dir.path(name + ".log"),
					 { "--cpus", "4", "--timeout", "30s", "--console-script", dir.path("script"),
					   "--stats-json", dir.path(name + ".json") });
		console[i] = qvp_test::read_file(dir.path(name + ".log"));
		stats[i] = qvp_test::read_file(dir.path(name + ".json"));
		ASSERT_EQ(run.status, 0) << run.err << console[i].substr(console[i].size() > 3000 ? console[i].size() - 3000 : 0);
	}
	const std::string &log = console[0];
	EXPECT_TRUE(has(log, "smp: Brought up 1 node, 4 CPUs")) << log;
	EXPECT_TRUE(has(log, "CPU3: Booted secondary processor 0x0000000003"));
	EXPECT_EQ(output_of(log, "nproc"), "4\r\n");
	EXPECT_EQ(output_of(log, "for c in 0 1 2 3; do taskset -c $c cut -d' ' -f39 /proc/self/stat; done"),
		  "0\r\n1\r\n2\r\n3\r\n"); // field 39: the CPU the task ran on
	EXPECT_EQ(output_of(log, "dmesg | grep -ciE 'stall|come online|unstable|skew'"), "0\r\n"); // short: the tty wraps at 80
	EXPECT_EQ(console[0], console[1]);
	EXPECT_EQ(field(stats[0], "instructions"), field(stats[1], "instructions"));
	EXPECT_EQ(field(stats[0], "virtual_time_ps"), field(stats[1], "virtual_time_ps"));
}

// A newcomer's pipe into the shell: the commands go in while the kernel boots, and wait for its
// UART driver to open the console (before, the driver would throw them away), so the first
// one runs too. A writer that takes its time gives the same log, instructions and virtual time.
TEST_F(Linux, APipedScriptRunsInTheShell)
{
	const std::string qvp = "'" + build_path("qvp") + "' run --backend iss --kernel '" + build_path("linux/Image") +
				"' --initrd '" + build_path("linux/initramfs.cpio.gz") +
				"' --append 'console=ttyAMA0 cryptomgr.notests' --timeout 30s --stats";
	const std::string writers[] = {
		"printf 'echo hi from the pipe\\nuname -m\\npoweroff -f\\n'",
		"(printf 'echo hi from the pipe\\n'; sleep 1; printf 'uname -m\\npoweroff -f\\n')",
	};
	std::vector<ProcessResult> runs;
	for (const std::string &writer : writers)
		runs.push_back(qvp_test::run_process({ "sh", "-c", writer + " | " + qvp }));
	const std::string &log = runs[0].out;
	ASSERT_EQ(runs[0].status, 0) << runs[0].err << log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
	EXPECT_EQ(output_of(log, "/ # echo hi from the pipe"), "hi from the pipe\r\n") << log;
	EXPECT_EQ(output_of(log, "/ # uname -m"), "aarch64\r\n") << log;
	EXPECT_TRUE(has(log, "/ # poweroff -f\r\n")) << log;
	EXPECT_TRUE(has(log, "reboot: Power down"));
	EXPECT_EQ(runs[1].status, 0) << runs[1].err;
	EXPECT_EQ(runs[1].out, log);
	EXPECT_EQ(qvp_test::stats_value(runs[1].err, "instructions"), qvp_test::stats_value(runs[0].err, "instructions"));
	EXPECT_EQ(qvp_test::stats_value(runs[1].err, "virtual time"), qvp_test::stats_value(runs[0].err, "virtual time"));
	EXPECT_NE(qvp_test::stats_value(runs[0].err, "instructions"), "");
}

// What arrives on `client` until `wanted` has (at most 60 s of silence), appended to `received`.
bool receive_until(int client, const std::string &wanted, std::string &received)
{
	char buffer[4096];
	struct pollfd p = { client, POLLIN, 0 };
	while (received.find(wanted) == std::string::npos && poll(&p, 1, 60000) > 0) {
		ssize_t got = recv(client, buffer, sizeof(buffer), 0);
		if (got <= 0)
			return false;
		received.append(buffer, size_t(got));
	}
	return received.find(wanted) != std::string::npos;
}

// A person at the shell (the console socket, paced idle, pauses between keys) is recorded; the
// replay, with nobody typing, prints the same session and ends at the same instruction and time.
TEST_F(Linux, ATypedShellSessionReplaysBitExactly)
{
	TempDir dir;
	qvp_test::BackgroundQvp qvp(dir);
	ASSERT_TRUE(qvp.start({ "run", "--backend", "iss", "--kernel", build_path("linux/Image"), "--initrd",
				build_path("linux/initramfs.cpio.gz"), "--append", "console=ttyAMA0 cryptomgr.notests",
				"--timeout", "60s", "--stats", "--console-socket", "127.0.0.1:0", "--record",
				dir.path("shell.rec") },
			      "listening on 127.0.0.1:"))
		<< qvp.err();
	int client = qvp_test::connect_local(qvp.port);
	ASSERT_GE(client, 0);
	std::string session;
	ASSERT_TRUE(receive_until(client, "/ # ", session)) << session;
	for (const char *piece : { "echo typed $((6", "*7))", "\n" }) {
		usleep(200000);
		ASSERT_EQ(send(client, piece, strlen(piece), 0), ssize_t(strlen(piece)));
	}
	ASSERT_TRUE(receive_until(client, "typed 42", session)) << session;
	std::string rest = qvp_test::type_slowly(client, { "poweroff -f\n" }, 300000);
	session += rest;
	ASSERT_EQ(qvp.wait_exit(), 0) << qvp.err();
	EXPECT_TRUE(has(session, "reboot: Power down")) << session;

	ProcessResult replay = qvp_test::run_qvp({ "run", "--replay", dir.path("shell.rec"), "--stats" });
	ASSERT_EQ(replay.status, 0) << replay.err;
	EXPECT_EQ(replay.out, session);
	EXPECT_NE(qvp_test::stats_value(replay.err, "instructions"), "");
	EXPECT_EQ(qvp_test::stats_value(replay.err, "instructions"), qvp_test::stats_value(qvp.err(), "instructions"));
	EXPECT_EQ(qvp_test::stats_value(replay.err, "virtual time"), qvp_test::stats_value(qvp.err(), "virtual time"));
}

// The virtio-mmio block device: the kernel's virtio_blk driver reads the ext2 image (the
// modules for it and ext2 come from the kernel's package, loaded by /init).
TEST_F(Linux, VirtioDiskHoldsTheKnownFile)
{
	for (const char *option : { "--console-script", "--disk" })
		if (!qvp_has_option(option))
			GTEST_SKIP() << "qvp has no " << option << " yet";
	TempDir dir;
	qvp_test::write_file(dir.path("script"),
			     "expect \"qvp-init: ready\"\n"
			     "expect \"# \"\n"
			     "send \"mount -t ext2 -o ro /dev/vda /mnt && cat /mnt/hello.txt\\n\"\n"
			     "expect \"# \"\n"
			     "send \"poweroff -f\\n\"\n");
	ProcessResult run = boot("cryptomgr.notests", dir.path("console"),
				 { "--timeout", "30s", "--console-script", dir.path("script"), "--disk",
				   build_path("linux/disk.ext2") });
	std::string console = qvp_test::read_file(dir.path("console"));
	EXPECT_EQ(run.status, 0) << run.err << console;
	std::string output = output_of(console, "mount -t ext2 -o ro /dev/vda /mnt && cat /mnt/hello.txt");
	EXPECT_TRUE(has(output, "\nhello from the qvp virtio disk\r\n")) << console; // after the kernel's EXT4-fs lines
	EXPECT_TRUE(has(console, "virtio_blk virtio0: [vda] 8192 512-byte logical blocks"));
	EXPECT_TRUE(has(console, "reboot: Power down"));
}

// Every device tree of Debian's kernel (577 arm64 boards in 6.1) as the board: qvp builds the
// machine and runs it, or refuses the tree with a message naming the file and the node; never
// a crash.
TEST_F(Linux, EveryDebianBoardTreeIsBuiltOrRefusedNamingTheNode)
{
	std::vector<std::string> trees;
	for (const auto &entry : std::filesystem::recursive_directory_iterator(build_path("linux/dtbs")))
		if (entry.path().extension() == ".dtb")
			trees.push_back(entry.path().string());
	ASSERT_GT(trees.size(), 100u) << "sw/linux/build.sh unpacks the kernel package's trees";
	std::string firmware = build_path("sw/hello.elf");
	FILE *console = std::fopen("/dev/null", "w");
	ASSERT_NE(console, nullptr);
	size_t built = 0;
	for (const std::string &tree : trees) {
		struct machine_config config = {};
		config.platform_path = tree.c_str();
		config.firmware_path = firmware.c_str();
		config.backend = BACKEND_ISS;
		config.quantum = 100 * VTIME_US;
		config.timeout = VTIME_MS;
		config.console = console;
		struct machine *machine = machine_create(&config);
		if (!machine) {
			std::string message = error_message();
			EXPECT_EQ(message.rfind(tree + ": /", 0), 0u) << message;
			EXPECT_EQ(message.find('\n'), std::string::npos) << message;
			continue;
		}
		machine_run(machine);
		machine_destroy(machine);
		built++;
	}
	std::fclose(console);
	std::printf("%zu of %zu trees built a machine\n", built, trees.size());
}

} // namespace
