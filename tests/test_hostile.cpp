// The hostile guest (sw/firmware/hostile.c, issue 22): random MMIO of every size at every device
// region and unmapped addresses, jumps anywhere, random code at EL0, every exception it can take.
// Whatever it does, qvp must end by the guest's own exit, with nothing on standard error but the
// run's own lines: no signal, no sanitizer report (CI runs this under ASan and UBSan too), and
// the same run twice.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_support.h"

using qvp_test::build_path;
using qvp_test::ProcessResult;
using qvp_test::TempDir;

namespace {

struct HostileRun {
	ProcessResult process;
	std::string stats; // --stats-json without its wall time, which is the host's
};

// qvp run on the iss backend, the seed in the semihosting command line (none: the default).
HostileRun run_hostile(const std::string &seed, const std::vector<std::string> &extra = {})
{
	TempDir dir;
	std::string json = dir.path("stats.json");
	std::vector<std::string> args = {"run", "--backend", "iss", "--timeout", "1s", "--stats-json", json};
	if (!seed.empty())
		args.insert(args.end(), {"--semihosting", "--semihosting-cmdline", "hostile seed=" + seed});
	args.insert(args.end(), extra.begin(), extra.end());
	args.push_back(build_path("sw/hostile.elf"));
	HostileRun run;
	run.process = qvp_test::run_qvp(args);
	std::string stats = qvp_test::read_file(json);
	run.stats = stats.substr(0, stats.find("\"wall_seconds\""));
	return run;
}

// Ended by the guest's exit with 0: every excursion has a watchdog, so 124 (--timeout) would be
// a guest that never got its timer interrupt, a qvp bug; a signal shows as 128 + its number.
void expect_clean_end(const HostileRun &run, const std::string &seed_line)
{
	const ProcessResult &p = run.process;
	EXPECT_EQ(p.status, 0) << p.err;
	EXPECT_EQ(p.err.find("internal error"), std::string::npos) << p.err;
	EXPECT_EQ(p.err.find("Sanitizer"), std::string::npos) << p.err;
	EXPECT_EQ(p.err.find("runtime error"), std::string::npos) << p.err;
	EXPECT_NE(p.out.find(seed_line), std::string::npos) << p.out;
	EXPECT_NE(p.out.find("hostile: done\n"), std::string::npos) << p.out;
	EXPECT_NE(run.stats.find("\"stop\": \"exit\", \"exit_status\": 0"), std::string::npos) << run.stats;
}

TEST(HostileGuest, ThreeSeedsEachEndByTheGuestsExitTheSameTwice)
{
	for (const char *seed : {"1", "2", "3"}) {
		SCOPED_TRACE(std::string("seed ") + seed);
		HostileRun first = run_hostile(seed), second = run_hostile(seed);
		expect_clean_end(first, std::string("hostile: seed ") + seed + ", ");
		EXPECT_EQ(first.process.out, second.process.out);
		EXPECT_EQ(first.stats, second.stats); // instructions, virtual time, quanta, events
		EXPECT_NE(first.stats.find("\"instructions\": "), std::string::npos) << first.stats;
	}
}

// The seed reaches the guest: another seed is another run.
TEST(HostileGuest, AnotherSeedIsAnotherRun)
{
	HostileRun one = run_hostile("1"), two = run_hostile("2");
	EXPECT_NE(one.process.out, two.process.out);
	EXPECT_NE(one.stats, two.stats);
}

// It did take what it set out to: the classes it cannot miss on a correct CPU (UNDEFINED,
// SVC, illegal state, instruction and data aborts from EL0 and EL1, PC alignment, BRK) and its
// endless EL0 loops, each stopped by the watchdog's interrupt.
TEST(HostileGuest, TakesEveryClassItAimsAtAndItsWatchdogFires)
{
	HostileRun run = run_hostile("");
	expect_clean_end(run, "hostile: seed 11400714819323198485, ");
	for (const char *ec : {"0x00", "0x0e", "0x15", "0x20", "0x21", "0x22", "0x24", "0x25", "0x3c"})
		EXPECT_NE(run.process.out.find(std::string("hostile: EC ") + ec + ": "), std::string::npos) << ec;
	EXPECT_EQ(run.process.out.find("(0 ended by the watchdog"), std::string::npos) << run.process.out;
	EXPECT_EQ(run.process.out.find("hostile: IRQ 0,"), std::string::npos) << run.process.out;
}

// With a second CPU on the board (it stays off: the guest's CPU_ON calls name entries where no
// CPU can start), the same clean end, twice the same.
TEST(HostileGuest, TwoCpusEndTheSameTwice)
{
	HostileRun first = run_hostile("4", {"--cpus", "2"}), second = run_hostile("4", {"--cpus", "2"});
	expect_clean_end(first, "hostile: seed 4, ");
	EXPECT_EQ(first.process.out, second.process.out);
	EXPECT_EQ(first.stats, second.stats);
}

} // namespace
