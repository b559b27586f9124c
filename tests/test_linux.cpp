// Debian's own arm64 kernel, unmodified, on the virt board with the iss backend (label linux).
// sw/linux/build.sh fetches the kernel and busybox-static (cached) and builds the initramfs
// and the ext2 disk; without network and cache the tests are skipped, saying so.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli.h"
#include "test_support.h"

using qvp_test::build_path;
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
// user process, and the PSCI SYSTEM_OFF that reboot(2) ends in, on their own.
TEST_F(Linux, KernelRunsInitFromTheInitramfsAndPowersOff)
{
	TempDir dir;
	ProcessResult run = boot("rdinit=/poweroff-init", dir.path("console"), { "--timeout", "10s" });
	std::string console = qvp_test::read_file(dir.path("console"));
	EXPECT_EQ(run.status, 0) << run.err << console.substr(console.size() > 3000 ? console.size() - 3000 : 0);
	EXPECT_TRUE(has(console, "Booting Linux on physical CPU 0x0000000000")) << console;
	EXPECT_TRUE(has(console, "Machine model: qvp virt"));
	EXPECT_TRUE(has(console, "Kernel command line: console=ttyAMA0 rdinit=/poweroff-init"));
	EXPECT_TRUE(has(console, "psci: PSCIv1.0 detected in firmware."));
	EXPECT_TRUE(has(console, "arch_timer: cp15 timer(s) running at 62.50MHz (virt)."));
	EXPECT_TRUE(has(console, "9000000.pl011: ttyAMA0 at MMIO 0x9000000 (irq = 14, base_baud = 0) is a PL011 rev1"));
	EXPECT_TRUE(has(console, "rtc-pl031 9010000.pl031: setting system clock to 2024-01-01T00:00:00 UTC (1704067200)"));
	EXPECT_TRUE(has(console, "Freeing initrd memory"));
	EXPECT_TRUE(has(console, "Run /poweroff-init as init process"));
	EXPECT_TRUE(has(console, "qvp-poweroff-init: hello from PID 1, powering off"));
	EXPECT_TRUE(has(console, "reboot: Power down"));
	EXPECT_FALSE(has(console, "Kernel panic"));
}

TEST_F(Linux, TwoBootsAreIdentical)
{
	TempDir dir;
	std::string console[2], stats[2];
	for (int i = 0; i < 2; i++) {
		std::string name = "run" + std::to_string(i);
		ProcessResult run = boot("rdinit=/poweroff-init", dir.path(name + ".log"),
					 { "--timeout", "10s", "--stats-json", dir.path(name + ".json") });
		ASSERT_EQ(run.status, 0) << run.err;
		console[i] = qvp_test::read_file(dir.path(name + ".log"));
		stats[i] = qvp_test::read_file(dir.path(name + ".json"));
	}
	EXPECT_EQ(console[0], console[1]);
	EXPECT_EQ(field(stats[0], "instructions"), field(stats[1], "instructions"));
	EXPECT_EQ(field(stats[0], "virtual_time_ps"), field(stats[1], "virtual_time_ps"));
	EXPECT_NE(field(stats[0], "instructions"), "");
}

size_t count(const std::string &text, const std::string &what)
{
	size_t n = 0;
	for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
		n++;
	return n;
}

// The kernel's panic=-1 reboots through PSCI SYSTEM_RESET: qvp rebuilds the board and the
// same kernel boots again to the same panic (the counter and the RTC go on across the reset,
// so only the timestamps differ).
TEST_F(Linux, PanicRebootRestartsTheBoard)
{
	TempDir dir;
	ProcessResult run = boot("rdinit=/no-such-init panic=-1", dir.path("console"), { "--timeout", "2s" });
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

// busybox's shell on the console, driven by a script: each command's output is checked.
TEST_F(Linux, BusyboxShellRunsTheScript)
{
	TempDir dir;
	boot("", dir.path("probe"), { "--timeout", "1500ms" });
	if (has(qvp_test::read_file(dir.path("probe")), "Attempted to kill init! exitcode=0x00000004"))
		GTEST_SKIP() << "busybox dies of SIGILL: FP/SIMD are not implemented in the iss yet";
	for (const char *option : { "--console-script", "--disk" })
		if (!qvp_has_option(option))
			GTEST_SKIP() << "qvp has no " << option << " yet";
	qvp_test::write_file(dir.path("script"),
			     "expect \"qvp-init: ready\"\n"
			     "expect \"# \"\n"
			     "send \"uname -a\\n\"\n"
			     "expect \"Linux (none) 6.1.0\"\n"
			     "expect \"# \"\n"
			     "send \"cat /proc/interrupts\\n\"\n"
			     "expect \"arch_timer\"\n"
			     "expect \"# \"\n"
			     "send \"cat /proc/cpuinfo\\n\"\n"
			     "expect \"CPU implementer\\t: 0x41\"\n"
			     "expect \"# \"\n"
			     "send \"sleep 1; echo slept\\n\"\n"
			     "expect \"slept\"\n"
			     "expect \"# \"\n"
			     "send \"mount -t ext2 -o ro /dev/vda /mnt && cat /mnt/hello.txt\\n\"\n"
			     "expect \"hello from the qvp virtio disk\"\n"
			     "expect \"# \"\n"
			     "send \"poweroff -f\\n\"\n");
	ProcessResult run = boot("", dir.path("console"),
				 { "--timeout", "30s", "--console-script", dir.path("script"), "--disk",
				   build_path("linux/disk.ext2") });
	std::string console = qvp_test::read_file(dir.path("console"));
	EXPECT_EQ(run.status, 0) << run.err << console;
	EXPECT_TRUE(has(console, "reboot: Power down")) << console;
}

} // namespace
