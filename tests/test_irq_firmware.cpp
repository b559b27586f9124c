// Interrupt firmware on the whole virt machine (iss backend): the generic timer, SGIs and SPIs
// through the GIC, the RTC and the SP804; idle skip; identical --trace output on every run.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "error.h"
#include "loop.h"
#include "machine.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::TempDir;

namespace {

using qvp_test::GuestOptions;
using qvp_test::GuestRun;

GuestRun run_firmware(const std::string &name, vtime_t quantum = 100 * VTIME_US)
{
	GuestOptions options;
	options.quantum = quantum;
	options.timeout = 200 * VTIME_S;
	return qvp_test::run_guest(build_path("sw/" + name + ".elf"), options);
}

void expect_passes(const GuestRun &run, const std::string &name)
{
	ASSERT_EQ(run.cause, MACHINE_GUEST_EXIT) << run.error << run.console;
	EXPECT_EQ(run.exit_code, 0) << run.console;
	EXPECT_NE(run.console.find(name + ": "), std::string::npos) << run.console;
	EXPECT_EQ(run.console.find("FAILED"), std::string::npos) << run.console;
}

TEST(IrqFirmware, TimerIrqTicksArriveAtTheirCval)
{
	GuestRun run = run_firmware("timer_irq");
	expect_passes(run, "timer_irq");
	EXPECT_NE(run.console.find("50 ticks of 6250 counts at 62500000 Hz"), std::string::npos) << run.console;
	EXPECT_EQ(run.stats.interrupts_taken, 50u);
	EXPECT_GE(run.time, 50 * 100 * VTIME_US);
}

// Interrupts waited for with IRQs masked: WFI, then ISR_EL1. QEMU is the oracle of what it reads.
TEST(IrqFirmware, IsrShowsPendingInterruptsWhileMasked)
{
	GuestRun run = run_firmware("isr_poll");
	expect_passes(run, "isr_poll");
	EXPECT_NE(run.console.find("isr_poll: ISR_EL1 0x0 before any interrupt\n"), std::string::npos) << run.console;
	EXPECT_NE(run.console.find("isr_poll: 5 of 5 timer interrupts seen"), std::string::npos) << run.console;
	EXPECT_NE(run.console.find("isr_poll: SGI 3 seen in ISR_EL1\n"), std::string::npos) << run.console;
	EXPECT_EQ(run.stats.interrupts_taken, 6u); // acknowledged at the GIC; an IRQ exception would exit 127
	EXPECT_GE(run.time, 5 * 100 * VTIME_US);
	qvp_test::QemuRun qemu = qvp_test::run_qemu_virt(build_path("sw/isr_poll.elf"));
	if (!qemu.available)
		GTEST_SKIP() << qvp_test::qemu_missing;
	ASSERT_EQ(qemu.status, 0) << qemu.err;
	EXPECT_EQ(run.console, qemu.console);
}

TEST(IrqFirmware, SleepEndsAtOneSecondMostlySkipped)
{
	GuestRun run = run_firmware("sleep");
	expect_passes(run, "sleep");
	EXPECT_NE(run.console.find("1000 ticks of 1 ms"), std::string::npos) << run.console;
	EXPECT_GE(run.time, VTIME_S);
	EXPECT_LT(run.time, VTIME_S + VTIME_MS) << "within one tick of 1.000 s";
	EXPECT_GT(run.stats.idle_skipped, 990 * VTIME_MS);
	EXPECT_EQ(run.stats.interrupts_taken, 1000u);
	EXPECT_LT(run.stats.instructions, 1000000u) << "an idle guest executes little";
}

TEST(IrqFirmware, SleepIsTheSameWhateverTheQuantum)
{
	GuestRun reference = run_firmware("sleep");
	GuestRun small = run_firmware("sleep", 7 * VTIME_US);
	expect_passes(small, "sleep");
	EXPECT_EQ(small.time, reference.time);
	EXPECT_EQ(small.stats.instructions, reference.stats.instructions);
	EXPECT_EQ(small.console, reference.console);
}

// The event stream wakes WFE where the architecture says: when the chosen CNTVCT_EL0 bit
// (bit 6 here) goes 0 to 1, so the count modulo 128 reads 64, or (EVNTDIR) 1 to 0, reading 0;
// the read comes a few instructions after the wake, within one count at 16 ns a count.
TEST(IrqFirmware, EventStreamWakesWfeAtEachTransition)
{
	qvp_test::GuestOptions options;
	options.timeout = 5 * VTIME_MS;
	GuestRun run = qvp_test::run_guest(build_path("sw/event_stream.elf"), options);
	for (int k = 0; k < 4; k++) {
		for (const char *direction : { "rising", "falling" }) {
			std::string line = std::string("event_stream: ") + direction + " wake " + std::to_string(k) + " at count mod 128 = ";
			size_t at = run.console.find(line);
			ASSERT_NE(at, std::string::npos) << line << "\n" << run.console;
			unsigned value = std::stoul(run.console.substr(at + line.size()));
			unsigned expected = std::string(direction) == "rising" ? 64 : 0;
			EXPECT_GE(value, expected) << line << value;
			EXPECT_LE(value, expected + 1) << line << value;
		}
	}
	EXPECT_NE(run.console.find("event_stream: off, waiting\n"), std::string::npos) << run.console;
	EXPECT_EQ(run.console.find("woke with the stream off"), std::string::npos) << run.console;
	EXPECT_EQ(run.cause, MACHINE_TIMEOUT);
	EXPECT_EQ(run.time, 5 * VTIME_MS);
}

TEST(IrqFirmware, SoftwareGeneratedInterrupts)
{
	GuestRun run = run_firmware("sgi");
	expect_passes(run, "sgi");
	EXPECT_NE(run.console.find("sgi: ok (nesting order 121)"), std::string::npos) << run.console;
}

TEST(IrqFirmware, SpiPrioritiesMaskingPreemptionEoiModeAndFiq)
{
	GuestRun run = run_firmware("spi_priorities");
	expect_passes(run, "spi_priorities");
	EXPECT_NE(run.console.find("spi_priorities: ok (nesting order LHl)"), std::string::npos) << run.console;
}

// Pairs and writeback addressing on device registers (what KVM hands to userspace as NISV).
TEST(IrqFirmware, LoadStorePairsAndWritebackOnDeviceRegisters)
{
	GuestRun run = run_firmware("mmio_pairs");
	expect_passes(run, "mmio_pairs");
	EXPECT_NE(run.console.find("stp, second word: 0x98b8d8f0"), std::string::npos) << run.console;
	EXPECT_NE(run.console.find("mmio_pairs: ok"), std::string::npos) << run.console;
}

TEST(IrqFirmware, RtcCountsVirtualSecondsAndMatches)
{
	GuestRun run = run_firmware("rtc");
	expect_passes(run, "rtc");
	EXPECT_NE(run.console.find("rtc: starts at 1704067200"), std::string::npos) << run.console;
	EXPECT_GE(run.time, 5 * VTIME_S);
}

TEST(IrqFirmware, Sp804PeriodicOneShotFreeRunningPrescale)
{
	GuestRun run = run_firmware("sp804");
	expect_passes(run, "sp804");
}

// Two runs of each through the command line give byte-identical traces.
class TraceDeterminism : public ::testing::TestWithParam<const char *> {};

TEST_P(TraceDeterminism, TwoRunsGiveIdenticalTraces)
{
	TempDir dir;
	std::string firmware = build_path(std::string("sw/") + GetParam() + ".elf");
	std::string traces[2];
	for (int i = 0; i < 2; i++) {
		std::string path = dir.path("trace" + std::to_string(i) + ".json");
		qvp_test::ProcessResult result = qvp_test::run_process(
			{ build_path("qvp"), "run", "--backend", "iss", "--trace", path, firmware });
		ASSERT_EQ(result.status, 0) << result.err << result.out;
		traces[i] = qvp_test::read_file(path);
	}
	ASSERT_GT(traces[0].size(), 1000u);
	EXPECT_EQ(traces[0].rfind("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", 0), 0u);
	EXPECT_EQ(traces[0].substr(traces[0].size() - 4), "\n]}\n");
	if (std::string(GetParam()) != "sgi" && std::string(GetParam()) != "spi_priorities") {
		EXPECT_NE(traces[0].find("\"name\":\"idle (WFI)\""), std::string::npos);
	}
	EXPECT_NE(traces[0].find(" ack "), std::string::npos);
	EXPECT_TRUE(traces[0] == traces[1]) << "the traces differ";
}

INSTANTIATE_TEST_SUITE_P(IrqFirmware, TraceDeterminism,
			 ::testing::Values("timer_irq", "sleep", "sgi", "spi_priorities", "rtc", "sp804"));

// A timer interrupt that stays high while the CPU masks IRQs: every WFI returns at once, and
// virtual time must still advance to the timeout instead of the loop spinning in place.
TEST(IrqLoop, WfiWithAMaskedInterruptPendingStillAdvancesTime)
{
	TempDir dir;
	const uint32_t words[] = {
		0xd2a10001, // mov x1, #0x08000000 (GICD)
		0x52800062, // mov w2, #3
		0xb9000022, // str w2, [x1]          GICD_CTLR: both groups
		0xd2a10023, // mov x3, #0x08010000 (GICC)
		0xb9000062, // str w2, [x3]          GICC_CTLR: both groups
		0x52801fe2, // mov w2, #0xff
		0xb9000462, // str w2, [x3, #4]      GICC_PMR
		0x52a10002, // mov w2, #0x08000000
		0xb9010022, // str w2, [x1, #0x100]  GICD_ISENABLER0: ID 27
		0xd2800020, // mov x0, #1
		0xd51be320, // msr cntv_ctl_el0, x0  CVAL 0: fires at once
		0xd503207f, // wfi
		0x17ffffff, // b .-4
	};
	std::string path = dir.path("code.bin");
	qvp_test::write_file(path, std::string(reinterpret_cast<const char *>(words), sizeof(words)));
	qvp_test::ProcessResult result = qvp_test::run_process({ build_path("qvp"), "run", "--raw", "0x40080000",
								 "--timeout", "1ms", "--stats", path });
	EXPECT_EQ(result.status, 124) << result.err;
	EXPECT_NE(result.err.find("virtual time: 0.001000000000 s"), std::string::npos) << result.err;
	EXPECT_NE(result.err.find("idle time skipped: 0.000000000000 s"), std::string::npos) << result.err;
}

TEST(IrqCli, RtcOptionAndStats)
{
	qvp_test::ProcessResult result = qvp_test::run_process(
		{ build_path("qvp"), "run", "--rtc", "1000", "--stats", build_path("sw/rtc.elf") });
	EXPECT_EQ(result.status, 0) << result.err;
	EXPECT_NE(result.out.find("rtc: starts at 1000"), std::string::npos) << result.out;
	EXPECT_NE(result.err.find("interrupts taken: 1\n"), std::string::npos) << result.err;
	result = qvp_test::run_process({ build_path("qvp"), "run", "--rtc", "yesterday", build_path("sw/rtc.elf") });
	EXPECT_EQ(result.status, 125);
	EXPECT_NE(result.err.find("--rtc"), std::string::npos) << result.err;
	result = qvp_test::run_process(
		{ build_path("qvp"), "run", "--trace", "/nonexistent/dir/t.json", build_path("sw/hello.elf") });
	EXPECT_EQ(result.status, 125);
	EXPECT_NE(result.err.find("--trace /nonexistent/dir/t.json"), std::string::npos) << result.err;
}

} // namespace
