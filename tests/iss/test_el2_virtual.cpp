// Virtual interrupts at EL2 on the whole virt machine started at EL2 (--el2), each firmware a
// small hypervisor with an EL1 guest: sw/firmware/el2_virq.c (HCR_EL2.VI, VF, VSE),
// sw/firmware/el2_cnthp.c (CNTHP_*_EL2 on PPI 26, CNTHCTL_EL2's gate), sw/firmware/el2_vgic.c
// (list registers, GICV, the maintenance interrupt, a HW list register). QEMU with
// virtualization=on, -cpu cortex-a57 and -icount shift=0 is the oracle: the output must be the
// same byte for byte, and two runs on qvp must be identical.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.h"

using qvp_test::build_path;
using qvp_test::GuestRun;

namespace
{

GuestRun run_at_el2(const std::string &firmware)
{
	qvp_test::GuestOptions options;
	options.start_el2 = true;
	options.timeout = VTIME_S;
	return qvp_test::run_guest(build_path("sw/" + firmware), options);
}

// Runs `firmware` on qvp and QEMU; returns qvp's console after checking the two agree.
std::string same_as_qemu(const std::string &firmware)
{
	qvp_test::QemuOptions options;
	options.extra = {"-machine", "virtualization=on", "-icount", "shift=0"};
	qvp_test::QemuRun qemu = qvp_test::run_qemu_virt(build_path("sw/" + firmware), options);
	if (!qemu.available)
		return "";
	EXPECT_EQ(qemu.status, 0) << qemu.err << qemu.console;
	GuestRun run = run_at_el2(firmware);
	EXPECT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error;
	EXPECT_EQ(run.exit_code, 0) << run.console;
	EXPECT_EQ(run.console, qemu.console);
	return run.console;
}

void expect_lines(const std::string &console, const std::vector<std::string> &lines)
{
	for (const std::string &line : lines)
		EXPECT_NE(console.find(line + "\n"), std::string::npos) << "missing: " << line << "\n" << console;
}

void expect_repeats(const std::string &firmware)
{
	GuestRun first = run_at_el2(firmware), second = run_at_el2(firmware);
	ASSERT_EQ(first.cause, MACHINE_GUEST_EXIT) << first.error;
	EXPECT_EQ(first.console, second.console);
	EXPECT_EQ(first.stats.instructions, second.stats.instructions);
	EXPECT_EQ(first.time, second.time);
}

TEST(El2Virtual, HcrVirtualInterruptsAsQemu)
{
	std::string console = same_as_qemu("el2_virq.elf");
	if (console.empty())
		GTEST_SKIP() << qvp_test::qemu_missing;
	// What the firmware is there to show, so that an empty or early-ending run cannot pass.
	expect_lines(console, {
	                          "el2: with VI, VF and VSE set and DAIF clear at EL2, nothing taken",
	                          "el1: VI set, I masked: ISR_EL1=0x80",
	                          "el1: IRQ taken at vector 5, ISR_EL1=0x80",
	                          "el1: FIQ taken at vector 6, ISR_EL1=0x40",
	                          "el1: SError taken at vector 7, ESR_EL1=0xbe000000, ISR_EL1=0x0",
	                          "el1: after unmasking A: 1 SError taken",
	                          "el1: WFI completed with a masked virtual IRQ pending",
	                          "el1: without IMO, after unmasking I: 1 IRQ taken",
	                          "el2: done",
	                      });
}

TEST(El2Virtual, HcrVirtualInterruptsRepeatExactly)
{
	expect_repeats("el2_virq.elf");
}

TEST(El2Virtual, HypTimerAndCounterGateAsQemu)
{
	std::string console = same_as_qemu("el2_cnthp.elf");
	if (console.empty())
		GTEST_SKIP() << qvp_test::qemu_missing;
	expect_lines(console, {
	                          "el2: CNTHCTL_EL2 at reset: 0x3",
	                          "el2: CNTHP_CVAL_EL2 reads 0x123456789ab",
	                          "el2: far CVAL: CNTHP_CTL_EL2=0x1",
	                          "el2: IRQ 26, CNTHP_CTL_EL2=0x5",
	                          "el2: after it: CNTHP_CTL_EL2=0x7, TVAL not positive",
	                          "el1: synchronous exception: ESR_EL1=0x02000000",
	                          "el1: CNTPCT_EL0 with EL1PCTEN clear gave 0xdead",
	                          "el1: CNTP_CTL_EL0 with EL1PCEN clear gave 0xdead",
	                          "el2: done",
	                      });
}

TEST(El2Virtual, HypTimerRepeatsExactly)
{
	expect_repeats("el2_cnthp.elf");
}

TEST(El2Virtual, ListRegistersGicvAndMaintenanceAsQemu)
{
	std::string console = same_as_qemu("el2_vgic.elf");
	if (console.empty())
		GTEST_SKIP() << qvp_test::qemu_missing;
	expect_lines(console, {
	                          "el2: GICH_VTR=0x90000003 GICH_VMCR=0x004c0000 ELRSR0=0xf",
	                          "el1: GICV_IAR=42, GICV_RPR=0xa0",
	                          "el2: maintenance interrupt: MISR=0x1 EISR0=0x1 ELRSR0=0xe",
	                          "el2: after freeing: MISR=0x0 ELRSR0=0xf",
	                          "el1: GICV_IAR=51, GICV_RPR=0x40",
	                          "el1: GICV_IAR=50, GICV_RPR=0x80",
	                          "el2: physical IRQ 27: injected as virtual 27 through a HW list register",
	                          "el1: GICV_IAR=27, GICV_RPR=0x60",
	                          "el2: done",
	                      });
	EXPECT_NE(console.find("ELRSR0=0xf, physical 27 not active"), std::string::npos) << console;
}

TEST(El2Virtual, ListRegistersRepeatExactly)
{
	expect_repeats("el2_vgic.elf");
}

} // namespace
