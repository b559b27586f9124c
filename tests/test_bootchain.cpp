// The boot chain from flash (issue 19): the CFI flash model through the bus, and Debian's
// U-Boot (u-boot-qemu) started with --bios, each run compared with QEMU's virt board running
// the same image with the same console input.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "bus.h"
#include "cfi_flash.h"
#include "error.h"
#include "events.h"
#include "exit_status.h"
#include "machine.h"
#include "platform.h"
#include "console_dialogue.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::ProcessResult;
using qvp_test::run_qvp;
using qvp_test::TempDir;

namespace {

const char *const kUBoot = "/usr/lib/u-boot/qemu_arm64/u-boot.bin";
const uint64_t kBank1 = 0x04000000;
const uint64_t kBankSize = 0x04000000;

bool has(const std::string &text, const std::string &part)
{
	return text.find(part) != std::string::npos;
}

// ---- The model through the bus, as U-Boot's CFI driver drives it (32-bit port, two x16 chips) ----

class CfiFlashBench : public ::testing::Test {
protected:
	void SetUp() override
	{
		machine.console = fopen("/dev/null", "w");
		machine.bus = bus_create();
		machine.events = event_queue_create();
		ASSERT_EQ(platform_build(&machine, build_path("platforms/virt.dtb").c_str()), 0) << error_message();
		built = true;
	}
	void TearDown() override
	{
		if (built)
			qvp_test::release_board(&machine);
		if (machine.console)
			fclose(machine.console);
	}
	uint64_t read(uint64_t address, unsigned size = 4)
	{
		uint64_t value = ~0ull;
		EXPECT_EQ(bus_read(machine.bus, address, size, &value), BUS_OK) << std::hex << address;
		return value;
	}
	void write(uint64_t address, uint64_t value, unsigned size = 4)
	{
		EXPECT_EQ(bus_write(machine.bus, address, size, value), BUS_OK) << std::hex << address;
	}
	// A command to both chips, as U-Boot's flash_make_cmd() builds it for a 32-bit port.
	void command(uint64_t address, uint8_t cmd)
	{
		write(address, (uint32_t)cmd << 16 | cmd);
	}
	// Query byte `index` of one chip: CFI addresses count in bank-width (4-byte) units.
	uint8_t query(uint64_t bank, unsigned index)
	{
		uint32_t both = (uint32_t)read(bank + 4 * index);
		EXPECT_EQ(both >> 16, both & 0xffff) << "the two chips answer alike at " << index;
		return (uint8_t)both;
	}
	bool memory_at(uint64_t address)
	{
		struct bus_ram ram;
		return bus_find_memory(machine.bus, address, &ram) && ram.read_only;
	}

	struct machine machine = {};
	bool built = false;
};

// The CFI 'QRY' table QEMU's pflash_cfi01 gives its virt flash: Intel command set, 32 MiB per
// chip (2^25), 2 KiB write buffer per chip, one region of 256 blocks of 128 KiB per chip.
TEST_F(CfiFlashBench, QueryTableIsQemusVirtFlash)
{
	command(0x55 * 4, CFI_QUERY);
	EXPECT_EQ(query(0, 0x10), 'Q');
	EXPECT_EQ(query(0, 0x11), 'R');
	EXPECT_EQ(query(0, 0x12), 'Y');
	EXPECT_EQ(query(0, 0x13), 0x01); // Intel/Sharp extended command set
	EXPECT_EQ(query(0, 0x27), 25);
	EXPECT_EQ(query(0, 0x2a), 11);
	EXPECT_EQ(query(0, 0x2c), 1);
	EXPECT_EQ(query(0, 0x2d) | query(0, 0x2e) << 8, 255);
	EXPECT_EQ((query(0, 0x2f) | query(0, 0x30) << 8) * 256u, 128u * 1024);
	EXPECT_EQ(query(0, 0x31), 'P');
	// bank 1 is its own device: still in read-array mode
	EXPECT_EQ(read(kBank1 + 0x40), 0u);
	command(0, CFI_READ_ARRAY);
	EXPECT_EQ(read(0x40), 0u);
}

TEST_F(CfiFlashBench, IdentifierIsIntelAndBlocksReadUnlocked)
{
	command(0, CFI_READ_IDENTIFIER);
	EXPECT_EQ(read(0), 0x00890089u);
	EXPECT_EQ(read(4), 0x00180018u);
	EXPECT_EQ(read(CFI_FLASH_SECTOR_SIZE + 8), 0u); // block lock status
	command(0, CFI_READ_ARRAY);
}

// Read-array mode is memory for the CPU (fetch and read in place); a command makes it MMIO.
TEST_F(CfiFlashBench, ReadArrayIsMemoryAndCommandsAreNot)
{
	EXPECT_TRUE(memory_at(0));
	EXPECT_TRUE(memory_at(kBank1));
	command(0, CFI_READ_STATUS);
	EXPECT_FALSE(memory_at(0));
	EXPECT_TRUE(memory_at(kBank1));
	EXPECT_EQ(read(0x1234), 0u) << "status after reset: 0";
	command(0, CFI_READ_ARRAY);
	EXPECT_TRUE(memory_at(0));
}

TEST_F(CfiFlashBench, EraseProgramAndBufferedProgram)
{
	const uint64_t sector = kBank1 + 3 * CFI_FLASH_SECTOR_SIZE;
	command(sector, CFI_BLOCK_ERASE);
	command(sector, CFI_CONFIRM);
	EXPECT_EQ(read(sector) & 0x00800080, 0x00800080u) << "ready";
	command(sector, CFI_READ_ARRAY);
	EXPECT_EQ(read(sector), 0xffffffffu);
	EXPECT_EQ(read(sector + CFI_FLASH_SECTOR_SIZE - 4), 0xffffffffu);
	EXPECT_EQ(read(sector + CFI_FLASH_SECTOR_SIZE), 0u) << "the next sector is untouched";

	command(sector + 8, CFI_PROGRAM);
	write(sector + 8, 0x12345678);
	EXPECT_EQ(read(sector) & 0x00800080, 0x00800080u);
	command(sector, CFI_READ_ARRAY);
	EXPECT_EQ(read(sector + 8), 0x12345678u);

	command(sector + 16, CFI_BUFFERED_PROGRAM);
	EXPECT_EQ(read(sector + 16) & 0x00800080, 0x00800080u) << "buffer available";
	command(sector + 16, 3 - 1); // three 32-bit words, count less one per chip
	write(sector + 16, 0xa1a2a3a4);
	write(sector + 20, 0xb1b2b3b4);
	write(sector + 24, 0xc1c2c3c4);
	command(sector + 16, CFI_CONFIRM);
	EXPECT_FALSE(memory_at(sector));
	command(sector, CFI_READ_ARRAY);
	EXPECT_TRUE(memory_at(sector));
	EXPECT_EQ(read(sector + 16, 8), 0xb1b2b3b4a1a2a3a4ull);
	EXPECT_EQ(read(sector + 24), 0xc1c2c3c4u);
	EXPECT_EQ(read(sector + 28), 0xffffffffu);
}

// ---- U-Boot on qvp and on QEMU ----

// The console lines both boards print alike. The ones left out depend on the device tree,
// which is not the same (QEMU's has PCI, fw_cfg and 32 virtio-mmio transports, qvp's 4 and its
// own sp804 and sim-control): U-Boot's device count, where it puts the copy of the tree and
// what follows it in memory; and the autoboot countdown, which the key press cuts short at a
// moment that depends on timing.
const std::vector<std::string> kDiffering = { "Core:", "Hit any key", "fdt_blob", "new_fdt", "fdt_size",
					      " reserved[", "irq_sp", "sp start", "Early malloc usage" };

std::vector<std::string> comparable_lines(const std::string &console)
{
	return qvp_test::console_lines(console, kDiffering);
}

struct Dialogue {
	std::vector<qvp_test::ConsoleStep> steps; // each prompt, then what is typed there
	std::string script; // for qvp: expect each prompt, then send
	std::string input;  // what is typed, all of it
};

// A key stops autoboot, then each command at a prompt; the last powers the board off (PSCI
// SYSTEM_OFF), which ends both runs.
Dialogue dialogue(const std::vector<std::string> &commands)
{
	Dialogue d;
	d.steps.push_back({ "Hit any key to stop autoboot", " " });
	for (const std::string &c : commands)
		d.steps.push_back({ "=> ", c + "\n" });
	d.steps.push_back({ "=> ", "poweroff\n" });
	d.steps.push_back({ "poweroff ...", "" });
	d.script = qvp_test::console_script(d.steps);
	return d;
}

class UBoot : public ::testing::Test {
protected:
	void SetUp() override
	{
		if (access(kUBoot, R_OK) != 0)
			GTEST_SKIP() << kUBoot << " is missing: install Debian's u-boot-qemu (bootstrap.sh does)";
	}
	ProcessResult run_on_qvp(const Dialogue &d, std::vector<std::string> extra = {})
	{
		std::string script = dir.path("uboot.script");
		qvp_test::write_file(script, d.script);
		std::vector<std::string> args = { "run", "--bios", kUBoot, "--console-script", script, "--timeout", "20s" };
		args.insert(args.end(), extra.begin(), extra.end());
		return run_qvp(args);
	}
	// Typed at the prompts as qvp's script types: input fed from the start reached QEMU's
	// UART before U-Boot's relocated driver reset the FIFO, which dropped the key that stops
	// autoboot, and the next key ('p' of printenv) stopped it instead.
	qvp_test::QemuDialogue run_on_qemu(const Dialogue &d, std::vector<std::string> extra = {})
	{
		std::vector<std::string> args = { "-bios", kUBoot };
		args.insert(args.end(), extra.begin(), extra.end());
		return qvp_test::run_qemu_dialogue(args, d.steps, "virt", 60);
	}
	void expect_same_console(const std::string &qvp, const std::string &qemu)
	{
		std::vector<std::string> ours = comparable_lines(qvp), theirs = comparable_lines(qemu);
		EXPECT_EQ(ours, theirs) << "qvp:\n" << qvp << "\nQEMU:\n" << qemu;
	}
	TempDir dir;
};

TEST_F(UBoot, PromptVersionBdinfoAndVirtioScanMatchQemu)
{
	Dialogue d = dialogue({ "version", "bdinfo", "virtio scan" });
	ProcessResult ours = run_on_qvp(d);
	EXPECT_EQ(ours.status, 0) << ours.err;
	EXPECT_TRUE(has(ours.out, "U-Boot 2023")) << ours.out;
	EXPECT_TRUE(has(ours.out, "In:    pl011@9000000")) << ours.out;
	EXPECT_TRUE(has(ours.out, "Flash: 64 MiB")) << ours.out;
	EXPECT_TRUE(has(ours.out, "=> bdinfo")) << ours.out;
	EXPECT_TRUE(has(ours.out, "flashsize   = 0x0000000004000000")) << ours.out;
	qvp_test::QemuDialogue qemu = run_on_qemu(d);
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	EXPECT_EQ(qemu.status, 0) << qemu.console;
	expect_same_console(ours.out, qemu.console);
}

// The environment lives in flash bank 1 (U-Boot's qemu_arm64: 0x04000000): saveenv unprotects,
// erases and programs it (buffered program) through the CFI commands, and with --flash FILE,rw
// the file keeps it for the next run, where U-Boot checks its CRC. QEMU's U-Boot then reads
// the same file: both print the variable. (QEMU 7.2's own saveenv fails on this flash, "Flash
// buffer write timeout", so QEMU cannot write the reference file; docs/boot-chain.md.)
TEST_F(UBoot, SaveenvWithRwKeepsTheEnvironmentForQvpAndQemu)
{
	std::string file = dir.path("env.img");
	qvp_test::write_file(file, "");
	ASSERT_EQ(truncate(file.c_str(), (off_t)kBankSize), 0);

	ProcessResult saved = run_on_qvp(dialogue({ "setenv qvp_flash 42", "saveenv" }), { "--flash", file + ",rw" });
	EXPECT_EQ(saved.status, 0) << saved.err;
	EXPECT_TRUE(has(saved.out, "Saving Environment to Flash...")) << saved.out;
	EXPECT_TRUE(has(saved.out, "Writing to Flash... done")) << saved.out;
	EXPECT_TRUE(has(saved.out, "OK")) << saved.out;
	EXPECT_NE(qvp_test::read_file(file), std::string(kBankSize, '\0'));

	Dialogue print = dialogue({ "printenv qvp_flash" });
	ProcessResult again = run_on_qvp(print, { "--flash", file });
	EXPECT_EQ(again.status, 0) << again.err;
	EXPECT_TRUE(has(again.out, "qvp_flash=42")) << again.out;
	EXPECT_FALSE(has(again.out, "bad CRC")) << again.out;

	qvp_test::QemuDialogue qemu =
	    run_on_qemu(print, { "-drive", "if=pflash,format=raw,unit=1,readonly=on,file=" + file });
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	EXPECT_EQ(qemu.status, 0) << qemu.console;
	expect_same_console(again.out, qemu.console);
}

// Without ,rw the guest's writes stay in the run: the file is unchanged.
TEST_F(UBoot, SaveenvLeavesAReadOnlyBankFileAlone)
{
	std::string file = dir.path("env.img");
	qvp_test::write_file(file, "");
	ASSERT_EQ(truncate(file.c_str(), (off_t)kBankSize), 0);
	ProcessResult ours = run_on_qvp(dialogue({ "setenv qvp_flash 42", "saveenv" }), { "--flash", file });
	EXPECT_EQ(ours.status, 0) << ours.err;
	EXPECT_TRUE(has(ours.out, "OK")) << ours.out;
	EXPECT_EQ(qvp_test::read_file(file), std::string(kBankSize, '\0'));
}

// ---- Bad input: clear errors before anything runs ----

TEST(BiosOptions, BadCombinationsAndFilesAreRefused)
{
	TempDir dir;
	std::string big = dir.path("big.bin"), small = dir.path("small.bin");
	qvp_test::write_file(big, "");
	ASSERT_EQ(truncate(big.c_str(), (off_t)kBankSize + 1), 0);
	qvp_test::write_file(small, std::string(16, '\0'));
	struct Case {
		std::vector<std::string> args;
		std::string message;
	} cases[] = {
		{ { "--bios", big }, "do not fit the 67108864-byte flash bank at 0x0" },
		{ { "--bios", dir.path("missing.bin") }, "cannot open" },
		{ { "--bios", small, "--flash", small, "--flash", small }, "give at most one --flash" },
		{ { "--bios", small, "--kernel", small }, "--bios and --kernel exclude each other" },
		{ { "--bios", small, small }, "unexpected argument" },
		{ { "--bios", small, "--backend", "kvm" }, "--bios needs the iss backend" },
		{ { "--bios", small, "--flash", dir.path("") + ",rw" }, "cannot open for reading and writing (,rw)" },
		{ { "--flash", small + ",xy", small }, "unknown option 'xy'" },
	};
	for (const Case &c : cases) {
		std::vector<std::string> args = { "run" };
		args.insert(args.end(), c.args.begin(), c.args.end());
		ProcessResult result = run_qvp(args);
		EXPECT_EQ(result.status, QVP_EXIT_ERROR) << c.message << ": " << result.err;
		EXPECT_TRUE(has(result.err, c.message)) << c.message << " -> " << result.err;
		EXPECT_EQ(result.out, "");
	}
}

} // namespace

namespace {

// ---- U-Boot loads Debian's kernel and initramfs from an ext4 virtio disk and boots it ----

class UBootLinux : public UBoot {
protected:
	static void SetUpTestSuite()
	{
		ProcessResult built =
			qvp_test::run_process({ std::string(QVP_SOURCE_DIR) + "/sw/linux/build.sh", build_path("linux") });
		status_ = built.status;
		why_ = built.err;
	}
	void SetUp() override
	{
		UBoot::SetUp();
		if (IsSkipped())
			return;
		if (status_ == 2)
			GTEST_SKIP() << "Debian's kernel and busybox could not be fetched: " << why_;
		ASSERT_EQ(status_, 0) << why_;
	}
	// An ext4 image holding the Image and the initramfs, as a distribution's /boot would.
	std::string boot_disk()
	{
		std::string tree = dir.path("boot"), disk = dir.path("boot.ext4");
		ProcessResult made = qvp_test::run_process(
			{ "sh", "-c", "mkdir -p '" + tree + "' && cp '" + build_path("linux/Image") + "' '" +
					      build_path("linux/initramfs.cpio.gz") + "' '" + tree +
					      "/' && mke2fs -q -t ext4 -b 4096 -m 0 -d '" + tree + "' '" + disk + "' 64M" });
		EXPECT_EQ(made.status, 0) << made.err;
		return disk;
	}
	static int status_;
	static std::string why_;
};

int UBootLinux::status_ = -1;
std::string UBootLinux::why_;

// The same boot on qvp and on QEMU's -M virt -icount shift=0 with the same disk
// (-device virtio-blk-device), both driven by the same dialogue, each command typed once the
// prompt is there. Up to U-Boot's "Starting kernel ..." the lines are the same but those
// comparable_lines() leaves out, U-Boot's load times and where it finds and copies the device
// tree and the initrd (QEMU's tree is larger); Linux's lines, printk timestamps taken off, are
// compared as the lines both print in the same order, which must hold the kernel's banner,
// /init, the shell's command and answer and the power-down. Both end with 0.
TEST_F(UBootLinux, Ext4loadAndBootiMatchQemu)
{
	std::string disk = boot_disk();
	std::vector<qvp_test::ConsoleStep> steps = {
		{ "Hit any key to stop autoboot", " " },
		{ "=> ", "virtio scan; ext4load virtio 0 0x40400000 Image; "
			 "ext4load virtio 0 0x44000000 initramfs.cpio.gz\n" },
		{ "=> ", "setenv bootargs console=ttyAMA0 cryptomgr.notests; "
			 "booti 0x40400000 0x44000000:${filesize} ${fdtcontroladdr}\n" },
		{ "/ # ", "uname -a\n" },
		{ "/ # ", "poweroff -f\n" },
		{ "reboot: Power down", "" }
	};
	Dialogue d;
	d.script = qvp_test::console_script(steps);
	ProcessResult ours = run_on_qvp(d, { "--disk", disk, "--timeout", "60s" });
	EXPECT_EQ(ours.status, 0) << ours.err;
	qvp_test::QemuDialogue qemu = qvp_test::run_qemu_dialogue(
		{ "-bios", kUBoot, "-drive", "if=none,format=raw,id=boot,file=" + disk, "-device",
		  "virtio-blk-device,drive=boot" },
		steps, "virt", 300);
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	EXPECT_EQ(qemu.status, 0);
	const std::string kernel = "Starting kernel ...";
	size_t ours_kernel = ours.out.find(kernel), qemu_kernel = qemu.console.find(kernel);
	ASSERT_NE(ours_kernel, std::string::npos) << ours.out;
	ASSERT_NE(qemu_kernel, std::string::npos) << qemu.console;
	std::vector<std::string> differing = kDiffering; // and where U-Boot put the tree and the initrd
	for (const char *placed : { "## Flattened Device Tree blob at", "   Booting using the fdt blob at",
				    "Working FDT set to", "   Loading Ramdisk to", "   Loading Device Tree to" })
		differing.push_back(placed);
	auto firmware = [&](const std::string &console) {
		return qvp_test::without_load_times(qvp_test::console_lines(console, differing));
	};
	EXPECT_EQ(firmware(ours.out.substr(0, ours_kernel)), firmware(qemu.console.substr(0, qemu_kernel)))
		<< "qvp:\n" << ours.out << "\nQEMU:\n" << qemu.console;
	qvp_test::CommonLog log = qvp_test::common_log_from(ours.out, qemu.console, kernel);
	// the kernel's banner and uname -a's answer, as qvp printed them
	std::string version = qvp_test::line_with(log.ours, "Linux version "),
		    uname = qvp_test::line_with(log.ours, "GNU/Linux");
	// busybox's shell asks the terminal where its cursor is (ESC [6n) before it echoes a command
	EXPECT_EQ(qvp_test::missing_in_order(log.common, { version, "Run /init as init process", "qvp-init: ready",
						       "/ # \033[6nuname -a", uname, "/ # \033[6npoweroff -f",
						       "reboot: Power down" }),
		  "")
		<< "qvp:\n" << ours.out << "\nQEMU:\n" << qemu.console;
	qvp_test::report_common_log(log);
}

TEST_F(UBootLinux, Ext4loadAndBootiReachTheBusyboxShellTheSameTwice)
{
	std::string disk = boot_disk();
	Dialogue d; // qvp only: QEMU's console input arrives at once, before Linux's UART driver is there
	d.script = "expect \"Hit any key to stop autoboot\"\nsend \" \"\n";
	d.input = " ";
	for (const std::string &c : { std::string("virtio scan"), std::string("ext4load virtio 0 0x40400000 Image"),
				      std::string("ext4load virtio 0 0x44000000 initramfs.cpio.gz"),
				      std::string("setenv bootargs console=ttyAMA0 cryptomgr.notests"),
				      std::string("booti 0x40400000 0x44000000:${filesize} ${fdtcontroladdr}") }) {
		d.script += "expect \"=> \"\nsend \"" + c + "\\n\"\n";
		d.input += c + "\n";
	}
	d.script += "expect \"qvp-init: ready\"\nexpect \"# \"\nsend \"uname -a\\n\"\nexpect \"# \"\n"
		    "send \"poweroff -f\\n\"\n";
	ProcessResult ours = run_on_qvp(d, { "--disk", disk, "--timeout", "60s" });
	EXPECT_EQ(ours.status, 0) << ours.err << ours.out;
	EXPECT_TRUE(has(ours.out, "Starting kernel")) << ours.out;
	EXPECT_TRUE(has(ours.out, "qvp-init: ready")) << ours.out;
	EXPECT_TRUE(has(ours.out, "GNU/Linux")) << ours.out; // uname -a in busybox's shell
	ProcessResult again = run_on_qvp(d, { "--disk", disk, "--timeout", "60s" });
	EXPECT_EQ(again.out, ours.out) << "a second run printed something else";
}

} // namespace
