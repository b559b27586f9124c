// UEFI from flash (issue 19): Debian's qemu-efi-aarch64 (EDK2's ArmVirtQemu, AAVMF_CODE.fd in
// bank 0 and a copy of AAVMF_VARS.fd in bank 1) on qvp's virt board, compared with QEMU's virt
// board running the same two flash images with the same console dialogue.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "console_dialogue.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::ProcessResult;
using qvp_test::run_qvp;
using qvp_test::QemuDialogue;
using qvp_test::TempDir;
using qvp_test::without_cr;
using Step = qvp_test::ConsoleStep;

namespace {

const char *const kCode = "/usr/share/AAVMF/AAVMF_CODE.fd";
const char *const kVars = "/usr/share/AAVMF/AAVMF_VARS.fd";
const char *const kGuid = "6c1a4e5d-7a61-4f8e-9b0e-71767000aa01"; // the test's own vendor GUID

bool has(const std::string &text, const std::string &part)
{
	return text.find(part) != std::string::npos;
}

// The text without the terminal's escape sequences (ESC [ parameters letter): the shell
// colours and places what it prints.
std::string plain_text(const std::string &text)
{
	std::string out;
	for (size_t k = 0; k < text.size(); k++) {
		if (text[k] != '\033' || k + 1 >= text.size() || text[k + 1] != '[') {
			out += text[k];
			continue;
		}
		k += 2;
		while (k < text.size() && !isalpha((unsigned char)text[k]))
			k++;
	}
	return out;
}

// The shell prompt of ArmVirtQemu's UEFI Shell, after the startup.nsh countdown runs out.
const char *const kPrompt = "Shell> ";

class Uefi : public ::testing::Test {
protected:
	void SetUp() override
	{
		if (access(kCode, R_OK) != 0 || access(kVars, R_OK) != 0)
			GTEST_SKIP() << kCode << " is missing: install Debian's qemu-efi-aarch64 (bootstrap.sh does)";
	}
	// A fresh variable store: a copy of Debian's empty one, as the package documents.
	std::string fresh_vars(const std::string &name)
	{
		std::string path = dir.path(name);
		ProcessResult copied = qvp_test::run_process({ "cp", kVars, path });
		EXPECT_EQ(copied.status, 0) << copied.err;
		return path;
	}
	ProcessResult run_on_qvp(const std::string &vars, const std::vector<Step> &steps,
				 std::vector<std::string> extra = {})
	{
		std::string script = dir.path("uefi.script");
		qvp_test::write_file(script, qvp_test::console_script(steps));
		std::vector<std::string> args = { "run", "--bios", kCode, "--flash", vars, "--console-script", script,
						  "--timeout", "60s", "--stats" };
		args.insert(args.end(), extra.begin(), extra.end());
		return run_qvp(args);
	}
	QemuDialogue run_on_qemu(const std::string &vars, const std::vector<Step> &steps,
				 std::vector<std::string> extra = {}, const std::string &machine = "virt")
	{
		std::vector<std::string> args = { "-bios", kCode, "-drive",
						  "if=pflash,format=raw,unit=1,file=" + vars };
		args.insert(args.end(), extra.begin(), extra.end());
		return qvp_test::run_qemu_dialogue(args, steps, machine);
	}
	TempDir dir;
};

// From reset to the UEFI Shell and `reset -s` (EFI ResetSystem, PSCI SYSTEM_OFF): the same
// bytes as QEMU's, escape sequences and the startup.nsh countdown included (both count the
// 5 s in virtual time); a second qvp run prints and counts the same.
TEST_F(Uefi, ShellPromptMatchesQemuAndRepeats)
{
	std::vector<Step> steps = { { kPrompt, "reset -s\r" } };
	ProcessResult ours = run_on_qvp(fresh_vars("vars.fd"), steps);
	EXPECT_EQ(ours.status, 0) << ours.err;
	EXPECT_TRUE(has(ours.out, "UEFI firmware (version")) << ours.out;
	EXPECT_TRUE(has(ours.out, "UEFI Interactive Shell v2.2")) << ours.out;
	EXPECT_TRUE(has(ours.out, kPrompt)) << ours.out;

	ProcessResult again = run_on_qvp(fresh_vars("vars2.fd"), steps);
	EXPECT_EQ(again.out, ours.out) << "a second run printed something else";
	EXPECT_EQ(qvp_test::stats_value(again.err, "instructions"), qvp_test::stats_value(ours.err, "instructions"));
	EXPECT_EQ(qvp_test::stats_value(again.err, "virtual time"), qvp_test::stats_value(ours.err, "virtual time"));

	QemuDialogue qemu = run_on_qemu(fresh_vars("vars-qemu.fd"), steps);
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	EXPECT_EQ(qemu.status, 0);
	EXPECT_EQ(without_cr(ours.out), qemu.console);
}

// Started at EL2 (qvp --el2, QEMU's virtualization=on) the firmware runs there, with its own
// EL2 MMU while SCTLR_EL1 stays at reset: the same bytes as at EL1 and as QEMU. (Its 16-byte
// SIMD stores at 8-aligned addresses once took alignment faults: the check read SCTLR_EL1.)
TEST_F(Uefi, ShellAtEl2MatchesQemuWithVirtualization)
{
	std::vector<Step> steps = { { kPrompt, "reset -s\r" } };
	ProcessResult ours = run_on_qvp(fresh_vars("vars.fd"), steps, { "--el2" });
	EXPECT_EQ(ours.status, 0) << ours.err;
	EXPECT_TRUE(has(ours.out, "UEFI Interactive Shell v2.2")) << ours.out << ours.err;
	QemuDialogue qemu = run_on_qemu(fresh_vars("vars-qemu.fd"), steps, {}, "virt,virtualization=on");
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	EXPECT_EQ(qemu.status, 0);
	EXPECT_EQ(without_cr(ours.out), qemu.console);
}

// A non-volatile variable set in the shell (setvar -nv) goes through the firmware's variable
// driver into flash bank 1 (CFI erase and program); with --flash FILE,rw the file keeps it:
// the next qvp run and QEMU on the same file both print it with dmpstore. Without ,rw the
// file is left alone.
TEST_F(Uefi, VariableWrittenWithRwPersistsForQvpAndQemu)
{
	std::string vars = fresh_vars("vars.fd"), untouched = fresh_vars("untouched.fd");
	std::string set = std::string("setvar QvpVar -guid ") + kGuid + " -nv -bs =L\"kept\"\r";
	std::vector<Step> setting = { { kPrompt, set }, { kPrompt, "reset -s\r" } };
	ProcessResult saved = run_on_qvp(vars + ",rw", setting);
	EXPECT_EQ(saved.status, 0) << saved.err;
	EXPECT_NE(qvp_test::read_file(vars), qvp_test::read_file(kVars)) << "nothing written to the ,rw file";

	ProcessResult readonly = run_on_qvp(untouched, setting);
	EXPECT_EQ(readonly.status, 0) << readonly.err;
	EXPECT_EQ(qvp_test::read_file(untouched), qvp_test::read_file(kVars)) << "a file without ,rw was written";

	std::string dump = std::string("dmpstore QvpVar -guid ") + kGuid + "\r";
	std::vector<Step> printing = { { kPrompt, dump }, { kPrompt, "reset -s\r" } };
	ProcessResult again = run_on_qvp(vars, printing);
	EXPECT_EQ(again.status, 0) << again.err;
	EXPECT_TRUE(has(plain_text(again.out),
			"Variable NV+BS '6C1A4E5D-7A61-4F8E-9B0E-71767000AA01:QvpVar' DataSize = 0x08"))
		<< again.out;
	EXPECT_TRUE(has(again.out, "*k.e.p.t.*")) << again.out;

	QemuDialogue qemu = run_on_qemu(vars, printing, { "-snapshot" });
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	EXPECT_EQ(qemu.status, 0);
	EXPECT_EQ(without_cr(again.out), qemu.console);
}

} // namespace

namespace {

// ---- Debian's kernel, an EFI application, from a FAT image on virtio-blk ----

// The shell command that starts the kernel: its EFI stub loads the initrd named here.
const char *const kLinuxCommand = "linux.efi initrd=\\initramfs.cpio.gz console=ttyAMA0 cryptomgr.notests";

class UefiLinux : public Uefi {
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
		Uefi::SetUp();
		if (IsSkipped())
			return;
		if (status_ == 2)
			GTEST_SKIP() << "Debian's kernel and busybox could not be fetched: " << why_;
		ASSERT_EQ(status_, 0) << why_;
	}
	// A FAT image with the kernel (its uncompressed Image is a PE/COFF EFI application: the
	// EFI stub), the initramfs and, unless `typed`, a startup.nsh the shell runs when its
	// countdown ends (`typed`: the test types the same two commands at the shell's prompt).
	std::string boot_disk(bool typed = false)
	{
		std::string tree = dir.path("esp"), disk = dir.path("esp.fat");
		qvp_test::run_process({ "mkdir", "-p", tree });
		if (!typed)
			qvp_test::write_file(tree + "/startup.nsh", std::string("fs0:\r\n") + kLinuxCommand + "\r\n");
		ProcessResult made = qvp_test::run_process(
			{ "sh", "-c", "cp '" + build_path("linux/Image") + "' '" + tree + "/linux.efi' && cp '" +
					      build_path("linux/initramfs.cpio.gz") + "' '" + tree +
					      "/' && touch -d @1704067200 '" + tree + "'/* && mkfs.vfat --invariant -C -n QVPBOOT '" +
					      disk + "' 65536 > /dev/null && mcopy -m -i '" + disk + "' '" + tree + "'/* ::/" });
		EXPECT_EQ(made.status, 0) << made.err;
		return disk;
	}
	static int status_;
	static std::string why_;
};

int UefiLinux::status_ = -1;
std::string UefiLinux::why_;

// startup.nsh starts the kernel with its initrd= option; the EFI stub loads the initramfs,
// takes the firmware's device tree (qvp's, from the configuration table) and exits boot
// services; Linux reaches busybox's shell with the firmware's runtime services (rtc-efi) and
// powers off. A second run prints the same bytes. (KernelTypedAtTheShellMatchesQemu below
// compares the same boot with QEMU.)
TEST_F(UefiLinux, KernelFromFatOnVirtioReachesBusyboxTheSameTwice)
{
	std::string disk = boot_disk();
	std::vector<Step> steps = { { "qvp-init: ready", "" }, { "# ", "uname -a\n" }, { "# ", "poweroff -f\n" } };
	ProcessResult ours = run_on_qvp(fresh_vars("vars.fd"), steps, { "--disk", disk });
	EXPECT_EQ(ours.status, 0) << ours.err << ours.out;
	EXPECT_TRUE(has(ours.out, "EFI stub: Loaded initrd from command line option")) << ours.out;
	EXPECT_TRUE(has(ours.out, "EFI stub: Using DTB from configuration table")) << ours.out;
	EXPECT_TRUE(has(ours.out, "Machine model: qvp virt")) << ours.out;
	EXPECT_TRUE(has(ours.out, "rtc-efi rtc-efi.0: registered as rtc0")) << ours.out;
	EXPECT_TRUE(has(ours.out, "qvp-init: ready")) << ours.out;
	EXPECT_TRUE(has(ours.out, "GNU/Linux")) << ours.out; // uname -a in busybox's shell
	ProcessResult again = run_on_qvp(fresh_vars("vars2.fd"), steps, { "--disk", disk });
	EXPECT_EQ(again.out, ours.out) << "a second run printed something else";
	EXPECT_EQ(qvp_test::stats_value(again.err, "instructions"), qvp_test::stats_value(ours.err, "instructions"));
}

} // namespace

namespace {

// The same boot typed at the shell on qvp and on QEMU (-M virt,acpi=off: without ACPI tables
// from fw_cfg ArmVirtQemu gives Linux the device tree, as on qvp). A key stops the startup.nsh
// countdown (the disk has none), then `fs0:` and the linux.efi command at the prompts. The
// firmware's bytes up to the EFI stub are QEMU's but for the disk's transport address in its
// device path; Linux's log is compared as the lines both print in the same order, as for the
// U-Boot and TF-A boots. 256 MiB on both: QEMU's firmware on 128 MiB cannot load the kernel
// ("Out of Resources"). (About 8 s on qvp and 17 s on QEMU.)
TEST_F(UefiLinux, KernelTypedAtTheShellMatchesQemu)
{
	std::string disk = boot_disk(true);
	std::vector<Step> steps = { { "any other key to continue", " " },
				    { kPrompt, "fs0:\r" },
				    { "FS0:\\> ", std::string(kLinuxCommand) + "\r" },
				    { "qvp-init: ready", "" },
				    { "# ", "uname -a\n" },
				    { "# ", "poweroff -f\n" },
				    { "reboot: Power down", "" } };
	auto start = std::chrono::steady_clock::now();
	ProcessResult ours = run_on_qvp(fresh_vars("vars.fd"), steps, { "--disk", disk, "--memory", "256M" });
	auto between = std::chrono::steady_clock::now();
	EXPECT_EQ(ours.status, 0) << ours.err << ours.out;
	// The later -icount adds sleep=off to the dialogue's shift=0 (QEMU merges the options): the
	// boot manager's 5 s timeout idles in WFI, which QEMU then skips as qvp does, instead of
	// waiting it out in host time.
	QemuDialogue qemu = run_on_qemu(fresh_vars("vars-qemu.fd"), steps,
					{ "-m", "256M", "-icount", "shift=0,sleep=off", "-drive",
					  "if=none,format=raw,id=boot,file=" + disk, "-device", "virtio-blk-device,drive=boot" },
					"virt,acpi=off");
	std::chrono::duration<double> qvp_wall = between - start, qemu_wall = std::chrono::steady_clock::now() - between;
	std::cout << "wall time: qvp " << qvp_wall.count() << " s, QEMU -icount shift=0 " << qemu_wall.count() << " s\n";
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	EXPECT_EQ(qemu.status, 0);
	const std::string stub = "EFI stub: Booting Linux Kernel...";
	std::string firmware = without_cr(ours.out).substr(0, without_cr(ours.out).find(stub)),
		    theirs = qemu.console.substr(0, qemu.console.find(stub));
	// The disk's device path names its virtio-mmio transport (VenHw's data: the base address,
	// little-endian): qvp's first, 0x0a000000, QEMU's last of 32, 0x0a003e00.
	for (size_t at = theirs.find("003E000A00000000"); at != std::string::npos; at = theirs.find("003E000A00000000"))
		theirs.replace(at, 16, "0000000A00000000");
	EXPECT_TRUE(has(firmware, "BdsDxe: failed to load Boot0001")) << firmware;
	EXPECT_EQ(firmware, theirs);

	qvp_test::CommonLog log = qvp_test::common_log_from(ours.out, qemu.console, stub);
	std::string version = qvp_test::line_with(log.ours, "Linux version "),
		    uname = qvp_test::line_with(log.ours, "GNU/Linux");
	// busybox's shell asks the terminal where its cursor is (ESC [6n) before it echoes a command
	EXPECT_EQ(qvp_test::missing_in_order(
			  log.common, { stub, "EFI stub: Loaded initrd from command line option",
					"EFI stub: Using DTB from configuration table", "EFI stub: Exiting boot services...",
					version, "rtc-efi rtc-efi.0: registered as rtc0", "Run /init as init process",
					"qvp-init: ready", "/ # \033[6nuname -a", uname, "/ # \033[6npoweroff -f",
					"reboot: Power down" }),
		  "")
		<< "qvp:\n" << ours.out << "\nQEMU:\n" << qemu.console;
	qvp_test::report_common_log(log);
}

} // namespace
