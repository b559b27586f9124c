// The secure world of the virt-secure board (issue 19): the Secure and Non-secure physical
// address spaces (sw/firmware/secure_isolation.c, compared with QEMU's -M virt,secure=on),
// the GIC's Security Extensions through the bus (values from the GICv2 architecture,
// IHI 0048B chapter 4), and TF-A built from Debian's source (sw/tfa/build.sh) booting
// BL1 -> BL2 -> BL31 -> Debian's U-Boot, compared with QEMU.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "bus.h"
#include "error.h"
#include "events.h"
#include "gicv2.h"
#include "machine.h"
#include "platform.h"
#include "console_dialogue.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::ConsoleStep;
using qvp_test::ProcessResult;
using qvp_test::run_qvp;

namespace {

bool has(const std::string &text, const std::string &part)
{
	return text.find(part) != std::string::npos;
}

// ---- Secure and Non-secure physical address spaces, against QEMU ----

// Secure RAM written at EL3 reads back through an NS = 0 mapping and aborts through an NS = 1
// one; Non-secure EL1 takes external aborts on the secure RAM and the secure UART and finds
// CNTPS_CTL_EL1 UNDEFINED; the secure word survives its write. (About 0.1 s on qvp.)
TEST(SecureWorld, NonSecureAccessesNeverReachSecureMemoryAsOnQemu)
{
	const std::string elf = build_path("sw/secure_isolation.elf");
	ProcessResult run = run_qvp({ "run", "--platform", "virt-secure", "--semihosting", "--timeout", "2s", elf });
	EXPECT_EQ(run.status, 0) << run.err;
	EXPECT_TRUE(has(run.out, "el3: NS=0 alias reads 0x5ec0de5ec0de0001\n")) << run.out;
	EXPECT_TRUE(has(run.out, "el3: data abort ESR_EL3=0x96000010 FAR_EL3=0xce000000\n")) << run.out;
	EXPECT_TRUE(has(run.out, "el3: the secure word is still 0x5ec0de5ec0de0001\n")) << run.out;
	ProcessResult again = run_qvp({ "run", "--platform", "virt-secure", "--semihosting", "--timeout", "2s", elf });
	EXPECT_EQ(again.out, run.out);

	qvp_test::QemuOptions options;
	options.extra = { "-machine", "secure=on", "-icount", "shift=0", "-semihosting" };
	qvp_test::QemuRun qemu = qvp_test::run_qemu_virt(elf, options);
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	EXPECT_EQ(qemu.status, 0) << qemu.err;
	EXPECT_EQ(run.out, qemu.console);
}

// Bad images on the secure board: each refused before anything runs, with its message.
TEST(SecureWorld, BadFlashImagesAreRefused)
{
	qvp_test::TempDir dir;
	std::string big = dir.path("big.bin"), small = dir.path("small.bin");
	ASSERT_EQ(qvp_test::run_process({ "truncate", "-s", "65M", big }).status, 0);
	ASSERT_EQ(qvp_test::run_process({ "truncate", "-s", "1M", small }).status, 0);
	ProcessResult large = run_qvp({ "run", "--platform", "virt-secure", "--bios", big });
	EXPECT_EQ(large.status, 125);
	EXPECT_TRUE(has(large.err, "/secflash@0: --bios " + big + ": 68157440 bytes do not fit the 67108864-byte "
					  "flash bank at 0x0"))
	    << large.err;
	ProcessResult three = run_qvp({ "run", "--platform", "virt-secure", "--bios", small, "--flash", small, "--flash", small });
	EXPECT_EQ(three.status, 125);
	ProcessResult kvm = run_qvp({ "run", "--platform", "virt-secure", "--backend", "kvm", "--bios", small });
	EXPECT_EQ(kvm.status, 125);
}

// ---- The GIC's Security Extensions, through the bus ----

class SecureGic : public ::testing::Test {
protected:
	void SetUp() override
	{
		machine.console = fopen("/dev/null", "w");
		machine.bus = bus_create();
		machine.events = event_queue_create();
		ASSERT_EQ(platform_build(&machine, build_path("platforms/virt-secure.dtb").c_str()), 0) << error_message();
		built = true;
	}
	void TearDown() override
	{
		if (built)
			qvp_test::release_board(&machine);
		if (machine.console)
			fclose(machine.console);
	}
	uint32_t read(bool secure, uint64_t address, unsigned size = 4)
	{
		uint64_t value = ~0ull;
		bus_set_access_nonsecure(machine.bus, !secure);
		EXPECT_EQ(bus_read(machine.bus, address, size, &value), BUS_OK) << std::hex << address;
		return (uint32_t)value;
	}
	void write(bool secure, uint64_t address, uint32_t value, unsigned size = 4)
	{
		bus_set_access_nonsecure(machine.bus, !secure);
		EXPECT_EQ(bus_write(machine.bus, address, size, value), BUS_OK) << std::hex << address;
	}
	bool line(enum cpu_line which) { return machine.line_level[0][which]; }

	static constexpr uint64_t gicd = 0x08000000, gicc = 0x08010000;
	static constexpr bool S = true, NS = false;
	struct machine machine = {};
	bool built = false;
};

// SGI 0 in Group 0 (Secure), SGI 1 in Group 1: the Non-secure view hides Group 0 and the
// Secure-only registers, banks GICD_CTLR and GICC_CTLR, and shifts Group 1's priorities.
TEST_F(SecureGic, NonSecureViewHidesGroup0AndBanksTheControls)
{
	EXPECT_TRUE(read(S, gicd + GICD_TYPER) & (1u << 10)) << "SecurityExtn";
	write(S, gicd + GICD_IGROUPR, 0x2);
	write(S, gicd + GICD_IPRIORITYR, 0xa010, 2); // SGI 0: 0x10, SGI 1: 0xa0
	write(S, gicd + GICD_CTLR, 3);
	EXPECT_EQ(read(NS, gicd + GICD_CTLR), 1u) << "EnableGrp1 at bit 0";
	EXPECT_EQ(read(NS, gicd + GICD_IGROUPR), 0u) << "Secure-only: RAZ";
	write(NS, gicd + GICD_IGROUPR, 0xffffffff);
	EXPECT_EQ(read(S, gicd + GICD_IGROUPR), 0x2u) << "Secure-only: WI";
	EXPECT_EQ(read(NS, gicd + GICD_ISENABLER) & 0xffff, 0x2u) << "only Group 1's SGI 1 is seen";
	EXPECT_EQ(read(NS, gicd + GICD_IPRIORITYR, 1), 0u);
	EXPECT_EQ(read(NS, gicd + GICD_IPRIORITYR + 1, 1), 0x40u) << "0xa0 seen shifted left";
	write(NS, gicd + GICD_CTLR, 0);
	EXPECT_EQ(read(S, gicd + GICD_CTLR), 1u) << "Non-secure cleared EnableGrp1 only";
	write(S, gicc + GICC_CTLR, 0xb); // EnableGrp0, EnableGrp1, FIQEn
	EXPECT_EQ(read(NS, gicc + GICC_CTLR), 1u);
	write(NS, gicc + GICC_CTLR, 0);
	EXPECT_EQ(read(S, gicc + GICC_CTLR), 0x9u);
}

// A pending Group 0 interrupt is an FIQ with FIQEn, acknowledged only by Secure reads; a
// Group 1 one is an IRQ that the Non-secure GICC_IAR acknowledges (the Secure one, AckCtl 0,
// answers 1022).
TEST_F(SecureGic, Group0IsFiqForSecureAndGroup1IsIrqForNonSecure)
{
	write(S, gicd + GICD_IGROUPR, 0x2);
	write(S, gicd + GICD_CTLR, 3);
	write(S, gicc + GICC_PMR, 0xf8);
	write(S, gicc + GICC_CTLR, 0xb);
	write(S, gicd + GICD_SGIR, 2u << 24 | 0); // SGI 0 to this CPU
	EXPECT_TRUE(line(CPU_LINE_FIQ));
	EXPECT_FALSE(line(CPU_LINE_IRQ));
	EXPECT_EQ(read(NS, gicc + GICC_HPPIR), 1023u);
	EXPECT_EQ(read(NS, gicc + GICC_IAR), 1023u);
	EXPECT_EQ(read(S, gicc + GICC_IAR), 0u);
	EXPECT_FALSE(line(CPU_LINE_FIQ));
	write(S, gicc + GICC_EOIR, 0);
	write(S, gicd + GICD_SGIR, 2u << 24 | GICD_SGIR_NSATT | 1); // SGI 1, Group 1: NSATT asks for it
	EXPECT_TRUE(line(CPU_LINE_IRQ));
	EXPECT_FALSE(line(CPU_LINE_FIQ));
	EXPECT_EQ(read(S, gicc + GICC_IAR), 1022u);
	EXPECT_EQ(read(NS, gicc + GICC_IAR), 1u);
	EXPECT_FALSE(line(CPU_LINE_IRQ));
	write(NS, gicc + GICC_EOIR, 1);
	EXPECT_EQ(read(S, gicd + GICD_ISACTIVER) & 0x3, 0u);
}

// SPI 32 in Group 0, SPI 33 in Group 1: Non-secure accesses find the Group 0 interrupt's target
// byte and configuration bits zero and cannot change them, and reach the Group 1 one's (RAZ/WI
// for a Group 0 interrupt's fields, IHI 0048B chapter 4, GICD_ITARGETSRn and GICD_ICFGRn).
TEST_F(SecureGic, NonSecureSeesNoTargetOrConfigurationOfGroup0)
{
	write(S, gicd + GICD_IGROUPR + 4, 0x2); // IDs 32-63: 33 in Group 1
	write(S, gicd + GICD_ITARGETSR + 32, 0x0101, 2);
	write(S, gicd + GICD_ICFGR + 8, 0xa); // IDs 32-47: 32 and 33 edge-triggered
	EXPECT_EQ(read(NS, gicd + GICD_ITARGETSR + 32, 2), 0x0100u);
	EXPECT_EQ(read(NS, gicd + GICD_ICFGR + 8), 0x8u);
	write(NS, gicd + GICD_ITARGETSR + 32, 0, 2);
	write(NS, gicd + GICD_ICFGR + 8, 0);
	EXPECT_EQ(read(S, gicd + GICD_ITARGETSR + 32, 2), 0x0001u) << "only Group 1's target changed";
	EXPECT_EQ(read(S, gicd + GICD_ICFGR + 8), 0x2u) << "only Group 1's configuration changed";
	write(NS, gicd + GICD_ICFGR + 8, 0xf); // bit 0 of each field is reserved: only 33's bit 3 sticks
	EXPECT_EQ(read(S, gicd + GICD_ICFGR + 8), 0xau);
	// SGI 0 in Group 0, SGI 1 in Group 1: the banked target bytes and the SGIs' edge bits too
	write(S, gicd + GICD_IGROUPR, 0x2);
	EXPECT_EQ(read(S, gicd + GICD_ITARGETSR, 2), 0x0101u);
	EXPECT_EQ(read(NS, gicd + GICD_ITARGETSR, 2), 0x0100u);
	EXPECT_EQ(read(S, gicd + GICD_ICFGR) & 0xf, 0xau);
	EXPECT_EQ(read(NS, gicd + GICD_ICFGR) & 0xf, 0x8u);
}

// GICD_SGIR forwards an SGI only where it is in the group the write asks for: Group 1 for a
// Non-secure write (whatever its NSATT bit), NSATT's group for a Secure one (IHI 0048B 4.3.15).
// The SGI pending registers hide a Group 0 SGI from Non-secure accesses as the rest do.
TEST_F(SecureGic, SgirForwardsOnlyToTheGroupTheWriteAsksFor)
{
	auto pending = [&](unsigned sgi) { return read(S, gicd + GICD_SPENDSGIR + sgi, 1); };
	auto clear = [&](unsigned sgi) { write(S, gicd + GICD_CPENDSGIR + sgi, 0xff, 1); };
	write(S, gicd + GICD_IGROUPR, 0x2); // SGI 0 in Group 0, SGI 1 in Group 1
	write(NS, gicd + GICD_SGIR, GICD_SGIR_FILTER_SELF | GICD_SGIR_NSATT | 0);
	write(NS, gicd + GICD_SGIR, GICD_SGIR_FILTER_SELF | 0);
	EXPECT_EQ(pending(0), 0u) << "a Non-secure write raised a Group 0 SGI";
	write(NS, gicd + GICD_SGIR, GICD_SGIR_FILTER_SELF | 1);
	EXPECT_EQ(pending(1), 1u);
	clear(1);
	write(S, gicd + GICD_SGIR, GICD_SGIR_FILTER_SELF | 1);
	EXPECT_EQ(pending(1), 0u) << "NSATT 0 asks for Group 0";
	write(S, gicd + GICD_SGIR, GICD_SGIR_FILTER_SELF | GICD_SGIR_NSATT | 0);
	EXPECT_EQ(pending(0), 0u) << "NSATT 1 asks for Group 1";
	write(S, gicd + GICD_SGIR, GICD_SGIR_FILTER_SELF | 0);
	EXPECT_EQ(pending(0), 1u);

	EXPECT_EQ(read(NS, gicd + GICD_SPENDSGIR, 1), 0u) << "Group 0's pending SGI is hidden";
	write(NS, gicd + GICD_CPENDSGIR, 0xff, 1);
	EXPECT_EQ(pending(0), 1u) << "and cannot be cleared";
	write(NS, gicd + GICD_SPENDSGIR + 1, 0x1, 1);
	EXPECT_EQ(read(NS, gicd + GICD_SPENDSGIR + 1, 1), 1u) << "Group 1's SGI is set pending";
}

// GICD_NSACRn, which could let Non-secure software manage Group 0 interrupts, is RAZ/WI to both
// views, as QEMU's GICv2 has it: Non-secure accesses never reach Group 0.
TEST_F(SecureGic, NsacrIsRazWiAndGrantsNothing)
{
	write(S, gicd + GICD_NSACR, 0xffffffff);
	write(S, gicd + GICD_NSACR + 4, 0xffffffff);
	EXPECT_EQ(read(S, gicd + GICD_NSACR), 0u);
	EXPECT_EQ(read(S, gicd + GICD_NSACR + 4), 0u);
	EXPECT_EQ(read(NS, gicd + GICD_NSACR + 4), 0u);
	write(S, gicd + GICD_ITARGETSR + 32, 0x01, 1);
	write(NS, gicd + GICD_ITARGETSR + 32, 0x00, 1);
	write(NS, gicd + GICD_SGIR, GICD_SGIR_FILTER_SELF | 0);
	EXPECT_EQ(read(S, gicd + GICD_ITARGETSR + 32, 1), 1u);
	EXPECT_EQ(read(S, gicd + GICD_SPENDSGIR, 1), 0u);
}

// ---- TF-A from Debian's source: BL1 -> BL2 -> BL31 -> U-Boot, against QEMU ----

const char *const kUBoot = "/usr/lib/u-boot/qemu_arm64/u-boot.bin";

// The lines both print alike: U-Boot's device count differs with the device tree (QEMU's has
// PCI, fw_cfg and 32 virtio-mmio transports), and the autoboot countdown is cut short by the
// key at a moment that depends on timing.
std::vector<std::string> comparable_lines(const std::string &console)
{
	return qvp_test::console_lines(console, { "Core:", "Hit any key" });
}

class Tfa : public ::testing::Test {
protected:
	// sw/tfa/build.sh builds once and then answers from its cache (about 20 s the first time).
	static void SetUpTestSuite()
	{
		ProcessResult built = qvp_test::run_process({ std::string(QVP_SOURCE_DIR) + "/sw/tfa/build.sh" });
		status_ = built.status;
		why_ = built.err;
		dir_ = built.out.substr(0, built.out.find('\n'));
	}
	void SetUp() override
	{
		if (access(kUBoot, R_OK) != 0)
			GTEST_SKIP() << kUBoot << " is missing: install Debian's u-boot-qemu (bootstrap.sh does)";
		if (status_ == 2)
			GTEST_SKIP() << "Debian's arm-trusted-firmware source could not be fetched: " << why_;
		ASSERT_EQ(status_, 0) << why_;
	}
	std::string flash() const { return dir_ + "/flash.bin"; }
	static int status_;
	static std::string why_, dir_;
	qvp_test::TempDir dir;
};

int Tfa::status_ = -1;
std::string Tfa::why_, Tfa::dir_;

// From the reset vector in the secure flash to U-Boot's prompt, `version`, and `poweroff`:
// PSCI SYSTEM_OFF in BL31, which drives the secure GPIO's power-off line, ending the run with
// 0. The BL33 image sits at 0x60000000, so both get 1 GiB of RAM. (qvp about 0.5 s, QEMU
// -icount shift=0 a few seconds.)
void boot_to_uboot_as_on_qemu(const qvp_test::TempDir &dir, const std::string &flash, const std::string &cpus)
{
	std::string script = dir.path("tfa.script"), input = dir.path("tfa.input");
	qvp_test::write_file(script, "expect \"Hit any key to stop autoboot\"\nsend \" \"\n"
				     "expect \"=> \"\nsend \"version\\n\"\n"
				     "expect \"=> \"\nsend \"poweroff\\n\"\nexpect \"poweroff ...\"\n");
	qvp_test::write_file(input, " version\npoweroff\n");
	ProcessResult ours = run_qvp({ "run", "--platform", "virt-secure", "--cpus", cpus, "--memory", "1G", "--bios",
				       flash, "--console-script", script, "--timeout", "20s" });
	EXPECT_EQ(ours.status, 0) << ours.err;
	EXPECT_TRUE(has(ours.out, "NOTICE:  BL1: Booting BL2")) << ours.out;
	EXPECT_TRUE(has(ours.out, "NOTICE:  BL1: Booting BL31")) << ours.out;
	EXPECT_TRUE(has(ours.out, "U-Boot 2023")) << ours.out;
	EXPECT_TRUE(has(ours.out, "=> poweroff")) << ours.out;
	EXPECT_TRUE(has(ours.out, "QEMU System Power off: with GPIO.")) << ours.out;

	qvp_test::QemuOptions options;
	options.timeout_seconds = 120;
	options.bios = true;
	options.input = input;
	options.extra = { "-machine", "secure=on", "-smp", cpus, "-m", "1024", "-icount", "shift=0", "-no-reboot" };
	qvp_test::QemuRun qemu = qvp_test::run_qemu_virt(flash, options);
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	EXPECT_EQ(qemu.status, 0) << qemu.err;
	EXPECT_EQ(comparable_lines(ours.out), comparable_lines(qemu.console)) << "qvp:\n" << ours.out << "\nQEMU:\n"
									      << qemu.console;
}

TEST_F(Tfa, BootsThroughBl31IntoUBootAndPowersOffAsOnQemu)
{
	boot_to_uboot_as_on_qemu(dir, flash(), "1");
}

// Two CPUs (QEMU -smp 2): CPU 1 leaves reset with CPU 0 and waits in BL1's hold pen; the
// console is the same as on QEMU and BL31's SYSTEM_OFF still ends the run with 0.
TEST_F(Tfa, TwoCpusBootIntoUBootAsOnQemu)
{
	boot_to_uboot_as_on_qemu(dir, flash(), "2");
}

// The same boot again prints the same bytes and counts the same instructions.
TEST_F(Tfa, RepeatsExactly)
{
	std::string script = dir.path("tfa.script");
	qvp_test::write_file(script, "expect \"Hit any key to stop autoboot\"\nsend \" \"\n"
				     "expect \"=> \"\nsend \"poweroff\\n\"\nexpect \"poweroff ...\"\n");
	std::vector<std::string> args = { "run", "--platform", "virt-secure", "--memory", "1G", "--bios", flash(),
					  "--console-script", script, "--timeout", "20s", "--stats" };
	ProcessResult first = run_qvp(args), second = run_qvp(args);
	EXPECT_EQ(first.status, 0) << first.err;
	EXPECT_EQ(first.out, second.out);
	EXPECT_EQ(qvp_test::stats_value(first.err, "instructions"), qvp_test::stats_value(second.err, "instructions"));
}

// ---- gdb on the boot chain ----

// gdb-multiarch -batch against a `qvp run --gdb 127.0.0.1:0 --gdb-wait ARGS` in the background:
// its whole output (empty if qvp did not listen).
std::string gdb_session(const qvp_test::TempDir &dir, const std::vector<std::string> &args,
			const std::vector<std::string> &commands)
{
	qvp_test::BackgroundQvp qvp(dir);
	std::vector<std::string> all = { "run", "--gdb", "127.0.0.1:0", "--gdb-wait", "--timeout", "20s" };
	all.insert(all.end(), args.begin(), args.end());
	if (!qvp.start(all, "gdb: listening on 127.0.0.1:"))
		return "";
	std::vector<std::string> argv = { "timeout", "60", "gdb-multiarch", "-batch", "-nx", "-ex", "set confirm off",
					  "-ex", "target remote 127.0.0.1:" + std::to_string(qvp.port) };
	for (const auto &command : commands) {
		argv.push_back("-ex");
		argv.push_back(command);
	}
	ProcessResult result = qvp_test::run_process(argv);
	return result.out + result.err;
}

bool have_gdb()
{
	return system("command -v gdb-multiarch > /dev/null 2>&1") == 0;
}

// From the reset vector through BL1 and BL2 to BL31 under gdb: the EL (cpsr's M bits and
// `monitor el`), the security state and the EL3 registers at each stage, as TF-A's design
// puts them: reset at EL3h with SCR_EL3 at its reset value (RES1 bits 5:4 only: Secure, RW = 0),
// BL1 at EL3, BL2 entered at Secure EL1h by BL1's ERET (ELR_EL3 its entry, SPSR_EL3 EL1h with
// DAIF masked), BL31 back at EL3 with SCR_EL3.NS still 0. (About 1 s.)
TEST_F(Tfa, GdbShowsTheLevelAndSecurityStateStageByStage)
{
	if (!have_gdb())
		GTEST_SKIP() << "gdb-multiarch is not installed (./bootstrap.sh installs it)";
	std::string out = gdb_session(
		dir, { "--platform", "virt-secure", "--memory", "1G", "--bios", flash() },
		{ "monitor el", "p/x $cpsr", "p/x $SCR_EL3", "add-symbol-file " + dir_ + "/bl1.elf",
		  "add-symbol-file " + dir_ + "/bl2.elf", "add-symbol-file " + dir_ + "/bl31.elf", "break bl1_main",
		  "break bl2_entrypoint", "break bl31_main", "continue", "monitor el", "continue", "monitor el",
		  "p/x $cpsr & 0x1f", "p $ELR_EL3 == (long)&bl2_entrypoint", "p/x $SPSR_EL3", "x/i $pc", "continue",
		  "monitor el", "p/x $SCR_EL3 & 1", "set $FAR_EL3 = 0x1234", "p/x $FAR_EL3", "p/x $MAIR_EL3",
		  "set $CPTR_EL3 = 0x400", "p/x $CPTR_EL3", "p $TPIDR_EL3 == (long)&percpu_data", "p/x $MDCR_EL3",
		  "set $TPIDR_EL3 = 0x1234", "p/x $TPIDR_EL3", "kill" });
	ASSERT_FALSE(out.empty()) << "qvp did not listen";
	// gdb prints the stops and values on its standard output, the monitor's replies on its error
	size_t reset = out.find("cpu 0: EL3h, Secure (SCR_EL3 0x30)\n"),
	       bl1 = out.find("cpu 0: EL3t, Secure (SCR_EL3 0x", reset),
	       bl2 = out.find("cpu 0: EL1h, Secure (SCR_EL3 0x", bl1), bl31 = out.find("cpu 0: EL3t, Secure (SCR_EL3 0x", bl2);
	size_t stop1 = out.find("in bl1_main ()"), stop2 = out.find("in bl2_entrypoint ()", stop1),
	       stop31 = out.find("in bl31_main ()", stop2);
	for (size_t found : { reset, bl1, bl2, bl31, stop1, stop2, stop31 })
		EXPECT_NE(found, std::string::npos) << out;
	EXPECT_TRUE(has(out, "$1 = 0x3cd\n")) << out; // EL3h, DAIF masked
	EXPECT_TRUE(has(out, "$2 = 0x30\n")) << out;
	EXPECT_TRUE(has(out, "$3 = 0x5\n")) << out; // EL1h
	EXPECT_TRUE(has(out, "$4 = 1\n")) << out;
	EXPECT_TRUE(has(out, "$5 = 0x3c5\n")) << out;
	EXPECT_TRUE(has(out, " <bl2_entrypoint>:\t")) << out; // x/i reads BL2 in secure RAM
	EXPECT_TRUE(has(out, "$6 = 0x0\n")) << out; // still Secure below EL3
	EXPECT_TRUE(has(out, "$7 = 0x1234\n")) << out;
	// BL31's MMU is on at bl31_main: TF-A's xlat library's attributes (0xff Normal write-back at
	// index 0, 0x04 Device-nGnRE at 1, 0x44 Normal non-cacheable at 2)
	EXPECT_TRUE(has(out, "$8 = 0x4404ff\n")) << out;
	EXPECT_TRUE(has(out, "$9 = 0x400\n")) << out; // CPTR_EL3.TFP written as an MSR writes it
	EXPECT_TRUE(has(out, "$10 = 1\n")) << out; // BL31's per-CPU data pointer, as QEMU's gdb stub shows it
	// TF-A's SDD and SPD32 = 0b10 (external debug off in Secure state). QEMU 7.2 shows 0x400818000:
	// it keeps SCCD (bit 23) and MCCD (bit 34) too, which TF-A writes and v8.0 has RES0.
	EXPECT_TRUE(has(out, "$11 = 0x18000\n")) << out;
	EXPECT_TRUE(has(out, "$12 = 0x1234\n")) << out;
}

// Without EL3 (the plain virt board) gdb's description has no EL3 registers and `monitor el`
// says the CPU is Non-secure at EL1, as QEMU's virt without secure=on starts a kernel.
TEST(GdbLevels, APlainBoardHasNoEl3Registers)
{
	if (!have_gdb())
		GTEST_SKIP() << "gdb-multiarch is not installed (./bootstrap.sh installs it)";
	qvp_test::TempDir dir;
	std::string out = gdb_session(dir, { build_path("sw/debugme.elf") },
				      { "monitor el", "p $SCR_EL3", "p $HCR_EL2", "p/x $cpsr & 0xc", "p $MAIR_EL3",
					"p $MAIR_EL2", "p $TPIDR_EL3", "kill" });
	ASSERT_FALSE(out.empty()) << "qvp did not listen";
	EXPECT_TRUE(has(out, "cpu 0: EL1h, Non-secure (no EL3)\n")) << out;
	EXPECT_TRUE(has(out, "$1 = void")) << out;
	EXPECT_TRUE(has(out, "$2 = void")) << out;
	EXPECT_TRUE(has(out, "$3 = 0x4")) << out;
	EXPECT_TRUE(has(out, "$4 = void")) << out;
	EXPECT_TRUE(has(out, "$5 = void")) << out;
	EXPECT_TRUE(has(out, "$6 = void")) << out;
}

// With EL2 and no EL3 (--el2) gdb has EL2's registers, the later ones too, and no EL3's;
// each is written as an MSR at EL2 writes it (CPTR_EL2's RES1 bits 13:12 and 9:0 stay set).
TEST(GdbLevels, El2RegistersWithoutEl3)
{
	if (!have_gdb())
		GTEST_SKIP() << "gdb-multiarch is not installed (./bootstrap.sh installs it)";
	qvp_test::TempDir dir;
	std::string out = gdb_session(dir, { "--el2", build_path("sw/debugme.elf") },
				      { "monitor el", "p $MDCR_EL3", "set $MAIR_EL2 = 0x4404ff", "p/x $MAIR_EL2",
					"set $CPTR_EL2 = 0x400", "p/x $CPTR_EL2", "set $TPIDR_EL2 = 0xabcd",
					"p/x $TPIDR_EL2", "set $CNTHCTL_EL2 = 0", "p/x $CNTHCTL_EL2", "kill" });
	ASSERT_FALSE(out.empty()) << "qvp did not listen";
	EXPECT_TRUE(has(out, "cpu 0: EL2h, Non-secure (no EL3)\n")) << out;
	EXPECT_TRUE(has(out, "$1 = void")) << out;
	EXPECT_TRUE(has(out, "$2 = 0x4404ff\n")) << out;
	EXPECT_TRUE(has(out, "$3 = 0x37ff\n")) << out;
	EXPECT_TRUE(has(out, "$4 = 0xabcd\n")) << out;
	EXPECT_TRUE(has(out, "$5 = 0x0\n")) << out;
}

// ---- Linux through TF-A: U-Boot loads Debian's kernel from an ext4 virtio disk ----

class TfaLinux : public Tfa {
protected:
	static void SetUpTestSuite()
	{
		Tfa::SetUpTestSuite();
		ProcessResult built =
			qvp_test::run_process({ std::string(QVP_SOURCE_DIR) + "/sw/linux/build.sh", build_path("linux") });
		linux_status_ = built.status;
		linux_why_ = built.err;
	}
	void SetUp() override
	{
		Tfa::SetUp();
		if (IsSkipped())
			return;
		if (linux_status_ == 2)
			GTEST_SKIP() << "Debian's kernel and busybox could not be fetched: " << linux_why_;
		ASSERT_EQ(linux_status_, 0) << linux_why_;
	}
	// An ext4 disk with Debian's kernel and initrd, and a console script that boots them from
	// U-Boot, runs `command` in busybox and powers off.
	std::string make_disk()
	{
		std::string tree = dir.path("boot"), disk = dir.path("boot.ext4");
		ProcessResult made = qvp_test::run_process(
			{ "sh", "-c", "mkdir -p '" + tree + "' && cp '" + build_path("linux/Image") + "' '" +
					      build_path("linux/initramfs.cpio.gz") + "' '" + tree +
					      "/' && mke2fs -q -t ext4 -b 4096 -m 0 -d '" + tree + "' '" + disk + "' 64M" });
		EXPECT_EQ(made.status, 0) << made.err;
		return disk;
	}
	// The dialogue that boots them from U-Boot, runs `command` in busybox and powers off.
	static std::vector<ConsoleStep> linux_steps(const std::string &command)
	{
		return { { "Hit any key to stop autoboot", " " },
			 { "=> ", "virtio scan; ext4load virtio 0 0x40400000 Image; "
				  "ext4load virtio 0 0x48000000 initramfs.cpio.gz\n" },
			 { "=> ", "setenv bootargs console=ttyAMA0 cryptomgr.notests; "
				  "booti 0x40400000 0x48000000:${filesize} ${fdtcontroladdr}\n" },
			 { "/ # ", command + "\n" },
			 { "/ # ", "poweroff -f\n" },
			 { "reboot: Power down", "" } };
	}
	std::string make_script(const std::string &command)
	{
		std::string script = dir.path("linux.script");
		qvp_test::write_file(script, qvp_test::console_script(linux_steps(command)));
		return script;
	}
	static int linux_status_;
	static std::string linux_why_;
};

int TfaLinux::linux_status_ = -1;
std::string TfaLinux::linux_why_;

// BL1 -> BL2 -> BL31 -> U-Boot -> Linux at Non-secure EL1 with BL31's PSCI (the psci node BL2
// wrote, method smc) and the GIC's Non-secure view; busybox's `uname -a`, then `poweroff -f`
// through BL31 and the secure GPIO ends the run with 0. A second run prints the same bytes.
// (About 3 s per run.)
TEST_F(TfaLinux, BusyboxShellThroughBl31TheSameTwice)
{
	std::string disk = make_disk(), script = make_script("uname -a");
	std::vector<std::string> args = { "run", "--platform", "virt-secure", "--memory", "1G", "--bios", flash(),
					  "--disk", disk, "--console-script", script, "--timeout", "60s" };
	ProcessResult first = run_qvp(args);
	EXPECT_EQ(first.status, 0) << first.err;
	EXPECT_TRUE(has(first.out, "psci: PSCIv1.1 detected in firmware.")) << first.out;
	EXPECT_TRUE(has(first.out, "Machine model: qvp virt-secure")) << first.out;
	EXPECT_TRUE(has(first.out, "GNU/Linux")) << first.out;
	EXPECT_TRUE(has(first.out, "QEMU System Power off: with GPIO.")) << first.out;
	ProcessResult second = run_qvp(args);
	EXPECT_EQ(second.out, first.out);
}

// The firmware's lines up to U-Boot's "Starting kernel ...", as comparable_lines() keeps them,
// with U-Boot's load times left out and the lines that say where U-Boot found and copied its
// device tree and the initrd below it (QEMU's tree is larger, so they lie elsewhere).
std::vector<std::string> firmware_lines(const std::string &console)
{
	return qvp_test::without_load_times(qvp_test::console_lines(
		console, { "Core:", "Hit any key", "## Flattened Device Tree blob at", "   Booting using the fdt blob at",
			   "Working FDT set to", "   Loading Ramdisk to", "   Loading Device Tree to" }));
}

// Where the firmware's part of the console ends and Linux's begins: U-Boot's last line.
const char *const kStartingKernel = "Starting kernel ...";

// The same boot on qvp and on QEMU's -M virt,secure=on -icount shift=0 with the same ext4 disk
// (-device virtio-blk-device) and the same dialogue, each text typed once the other side has
// printed what it waits for. Up to U-Boot's "Starting kernel ...", every line is the same but
// those firmware_lines() leaves out or shortens; from there the two device trees differ (QEMU's PCI,
// fw_cfg and memory map), so Linux's log is compared as the lines both print in the same order,
// timestamps taken off: the milestones of the boot, the shell's command and answer and BL31's
// power-off must be among them. Both runs end with 0. (qvp about 3 s, QEMU about 20 s.)
TEST_F(TfaLinux, BusyboxShellThroughBl31AsOnQemu)
{
	std::string disk = make_disk();
	std::vector<ConsoleStep> steps = linux_steps("uname -a");
	auto start = std::chrono::steady_clock::now();
	ProcessResult ours = run_qvp({ "run", "--platform", "virt-secure", "--memory", "1G", "--bios", flash(), "--disk",
				       disk, "--console-script", make_script("uname -a"), "--timeout", "60s" });
	EXPECT_EQ(ours.status, 0) << ours.err;
	auto between = std::chrono::steady_clock::now();
	qvp_test::QemuDialogue qemu = qvp_test::run_qemu_dialogue(
		{ "-m", "1024", "-bios", flash(), "-drive", "if=none,format=raw,id=boot,file=" + disk, "-device",
		  "virtio-blk-device,drive=boot" },
		steps, "virt,secure=on", 300);
	std::chrono::duration<double> qvp_wall = between - start, qemu_wall = std::chrono::steady_clock::now() - between;
	std::cout << "wall time: qvp " << qvp_wall.count() << " s, QEMU -icount shift=0 " << qemu_wall.count() << " s\n";
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	EXPECT_EQ(qemu.status, 0);
	size_t ours_kernel = ours.out.find(kStartingKernel), qemu_kernel = qemu.console.find(kStartingKernel);
	ASSERT_NE(ours_kernel, std::string::npos) << ours.out;
	ASSERT_NE(qemu_kernel, std::string::npos) << qemu.console;
	EXPECT_EQ(firmware_lines(ours.out.substr(0, ours_kernel)), firmware_lines(qemu.console.substr(0, qemu_kernel)))
		<< "qvp:\n" << ours.out << "\nQEMU:\n" << qemu.console;

	qvp_test::CommonLog log = qvp_test::common_log_from(ours.out, qemu.console, kStartingKernel);
	// the kernel's banner and uname -a's answer, as qvp printed them
	std::string version = qvp_test::line_with(log.ours, "Linux version "),
		    uname = qvp_test::line_with(log.ours, "GNU/Linux");
	// busybox's shell asks the terminal where its cursor is (ESC [6n) before it echoes a command
	EXPECT_EQ(qvp_test::missing_in_order(log.common, { version, "psci: PSCIv1.1 detected in firmware.",
					     "psci: Using standard PSCI v0.2 function IDs", "Run /init as init process",
					     "qvp-init: ready", "/ # \033[6nuname -a", uname, "/ # \033[6npoweroff -f",
					     "reboot: Power down", "ERROR:   QEMU System Power off: with GPIO." }),
		  "")
		<< "qvp:\n" << ours.out << "\nQEMU:\n" << qemu.console;
	qvp_test::report_common_log(log);
}

// Two CPUs: both leave reset at BL1's entry, as on QEMU's secure board with firmware; BL1
// holds CPU 1 in its hold pen until Linux's PSCI CPU_ON reaches BL31, which releases it
// (plat_secondary_cold_boot's mailbox and SEV) into the kernel. (About 3 s.)
TEST_F(TfaLinux, SecondCpuComesUpThroughBl31Psci)
{
	std::string disk = make_disk(), script = make_script("nproc");
	ProcessResult run = run_qvp({ "run", "--platform", "virt-secure", "--cpus", "2", "--memory", "1G", "--bios",
				      flash(), "--disk", disk, "--console-script", script, "--timeout", "60s" });
	EXPECT_EQ(run.status, 0) << run.err;
	EXPECT_TRUE(has(run.out, "CPU1: Booted secondary processor 0x0000000001")) << run.out;
	EXPECT_TRUE(has(run.out, "smp: Brought up 1 node, 2 CPUs")) << run.out;
	EXPECT_TRUE(has(run.out, "nproc\r\n2\r\n")) << run.out;
	EXPECT_TRUE(has(run.out, "QEMU System Power off: with GPIO.")) << run.out;
}

} // namespace
