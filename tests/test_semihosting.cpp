// Arm semihosting (runtime/machine/semihosting.c, qvp run --semihosting): sw/semihosting.elf
// on qvp and on qemu-system-aarch64 -semihosting (the oracle) must print the same, write the
// same file and exit with the same code; the bad inputs (names leaving the root, pointers to
// nowhere, no root, no --semihosting) fail as the specification says, touching nothing outside.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "console_dialogue.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::ProcessResult;
using qvp_test::TempDir;

namespace {

const char *const input_text = "hello world from the host\n";

// A root with what the firmware reads (in.txt) and removes (gone.txt).
std::string make_root(const TempDir &dir, const std::string &name)
{
	std::string root = dir.path(name);
	EXPECT_EQ(mkdir(root.c_str(), 0755), 0);
	qvp_test::write_file(root + "/in.txt", input_text);
	qvp_test::write_file(root + "/gone.txt", "to be removed\n");
	return root;
}

ProcessResult run_qvp_semihosting(const std::string &root, const std::string &firmware)
{
	return qvp_test::run_qvp({ "run", "--backend", "iss", "--semihosting", "--semihosting-root", root,
	                           "--semihosting-cmdline", "semihosting hello world", build_path(firmware) });
}

// The line starting with `prefix`, and `text` without it.
std::string take_line(std::string &text, const std::string &prefix)
{
	size_t start = text.find(prefix);
	if (start == std::string::npos)
		return "";
	size_t end = text.find('\n', start);
	std::string line = text.substr(start, end - start);
	text.erase(start, end - start + 1);
	return line;
}

TEST(Semihosting, ConsoleFilesCommandLineAndExitCodeAreQemus)
{
	if (access("/usr/bin/qemu-system-aarch64", X_OK) != 0)
		GTEST_SKIP() << qvp_test::qemu_missing;
	TempDir dir;
	std::string qvp_root = make_root(dir, "qvp"), qemu_root = make_root(dir, "qemu");

	ProcessResult qvp = run_qvp_semihosting(qvp_root, "sw/semihosting.elf");
	// QEMU resolves names against its working directory; the console and :tt both on stdout.
	ProcessResult qemu = qvp_test::run_process(
		{ "sh", "-c",
		  "cd '" + qemu_root + "' && exec timeout 120 qemu-system-aarch64 -M virt -cpu cortex-a57 -nic none "
		  "-display none -monitor none -icount shift=0 -chardev stdio,id=con0,mux=on -serial chardev:con0 "
		  "-semihosting-config enable=on,target=native,chardev=con0,arg=semihosting,arg=hello,arg=world "
		  "-kernel '" + build_path("sw/semihosting.elf") + "' < /dev/null" });

	EXPECT_EQ(qemu.status, 7) << qemu.err;
	EXPECT_EQ(qvp.status, 7) << qvp.err;
	std::string qvp_out = qvp.out, qemu_out = qvp_test::without_cr(qemu.out);
	// ":tt" is the console, a terminal by the specification; QEMU 7.2 answers isatty() of its own stdout (a pipe here).
	EXPECT_EQ(take_line(qvp_out, ":tt istty"), ":tt istty 1");
	take_line(qemu_out, ":tt istty");
	EXPECT_EQ(qvp_out, qemu_out);
	EXPECT_NE(qvp_out.find("cmdline 0 length 23: semihosting hello world\n"), std::string::npos) << qvp_out;
	EXPECT_NE(qvp_out.find("read 5 after seek left 0: world\n"), std::string::npos) << qvp_out;
	EXPECT_EQ(qvp_test::read_file(qvp_root + "/out.txt"), qvp_test::read_file(qemu_root + "/out.txt"));
	EXPECT_EQ(qvp_test::read_file(qvp_root + "/out.txt"), "Written by the guest\nsecond line\n");
	EXPECT_NE(access((qvp_root + "/gone.txt").c_str(), F_OK), 0);
}

TEST(Semihosting, RunsRepeatExactly)
{
	TempDir dir;
	ProcessResult first = run_qvp_semihosting(make_root(dir, "a"), "sw/semihosting.elf");
	ProcessResult second = run_qvp_semihosting(make_root(dir, "b"), "sw/semihosting.elf");
	EXPECT_EQ(first.status, 7) << first.err;
	EXPECT_EQ(first.out, second.out);
}

TEST(Semihosting, WithoutTheOptionHltIsUndefinedAsOnQemu)
{
	TempDir dir;
	std::string root = make_root(dir, "root");
	ProcessResult qvp = qvp_test::run_qvp({ "run", "--backend", "iss", build_path("sw/semihosting.elf") });
	// The SDK reports the undefined instruction (EC 0) at the first HLT and exits with 127.
	EXPECT_EQ(qvp.status, 127) << qvp.err;
	EXPECT_NE(qvp.out.find("unexpected synchronous exception from EL1h: ESR_EL1=0x02000000"), std::string::npos)
		<< qvp.out;
	EXPECT_EQ(access((root + "/out.txt").c_str(), F_OK), -1);
	qvp_test::QemuRun qemu = qvp_test::run_qemu_virt(build_path("sw/semihosting.elf"));
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	EXPECT_EQ(qvp.out, qemu.console);
}

TEST(Semihosting, WithoutARootEveryFileCallFails)
{
	ProcessResult qvp = qvp_test::run_qvp({ "run", "--backend", "iss", "--semihosting",
	                                        build_path("sw/semihosting.elf") });
	EXPECT_EQ(qvp.status, 7) << qvp.err;
	EXPECT_NE(qvp.out.find("in.txt open ok 0"), std::string::npos) << qvp.out;
	EXPECT_NE(qvp.out.find("out.txt open ok 0"), std::string::npos) << qvp.out;
	EXPECT_NE(qvp.out.find("remove gone.txt -1\n"), std::string::npos) << qvp.out;
	// The default command line is the firmware as named.
	EXPECT_NE(qvp.out.find(": " + build_path("sw/semihosting.elf") + "\n"), std::string::npos) << qvp.out;
}

// Linux errno values the host gives: EACCES 13, EFAULT 14, EBADF 9.
TEST(Semihosting, BadNamesAndPointersFailWithoutTouchingTheHost)
{
	TempDir dir;
	std::string root = make_root(dir, "root");
	qvp_test::write_file(dir.path("outside.txt"), "secret\n");
	ASSERT_EQ(symlink(dir.path("outside.txt").c_str(), (root + "/link_out.txt").c_str()), 0);
	ASSERT_EQ(symlink("in.txt", (root + "/link_in.txt").c_str()), 0);

	ProcessResult qvp = run_qvp_semihosting(root, "sw/semihosting_bad.elf");
	EXPECT_EQ(qvp.status, 5) << qvp.err;
	EXPECT_EQ(qvp.out,
		  "open ../outside.txt: -1 errno 13\n"
		  "open sub/../../outside.txt: -1 errno 13\n"
		  "open /etc/passwd: -1 errno 13\n"
		  "open link_out.txt: -1 errno 13\n"
		  "open link_in.txt: 1 errno 13\n" // inside the root: opened (errno is the last failure's)
		  "open with its name at no address: -1 errno 14\n"
		  "open with its block at no address: -1 errno 14\n"
		  "write0 from no address: -1\n"
		  "read into no address: left 8 of 8\n"
		  "write from no address: left 8 of 8\n"
		  "write to a file opened for reading: left 16 of 16\n"
		  "close a bad handle: -1 errno 9\n"
		  "remove ../outside.txt: -1 errno 13\n"
		  "cmdline into 4 bytes: -1\n"
		  "heapinfo to no address: -1\n"
		  "exit with its block at no address: -1\n");
	EXPECT_EQ(qvp_test::read_file(dir.path("outside.txt")), "secret\n");
	EXPECT_EQ(qvp_test::read_file(root + "/in.txt"), input_text);
}

TEST(Semihosting, OptionsAreCheckedBeforeTheGuestRuns)
{
	ProcessResult no_option = qvp_test::run_qvp({ "run", "--semihosting-root", "/tmp", build_path("sw/hello.elf") });
	EXPECT_EQ(no_option.status, 125);
	EXPECT_NE(no_option.err.find("--semihosting-root needs --semihosting"), std::string::npos) << no_option.err;
	ProcessResult no_dir = qvp_test::run_qvp({ "run", "--semihosting", "--semihosting-root", "/nonexistent/qvp",
	                                           build_path("sw/hello.elf") });
	EXPECT_EQ(no_dir.status, 125);
	EXPECT_NE(no_dir.err.find("--semihosting-root: cannot open directory '/nonexistent/qvp'"), std::string::npos)
		<< no_dir.err;
	ProcessResult kvm = qvp_test::run_qvp({ "run", "--backend", "kvm", "--semihosting", build_path("sw/hello.elf") });
	EXPECT_EQ(kvm.status, 125);
}

} // namespace
