// Debugger stops in the interpreter: breakpoints by PC and watchpoints on data, each reported
// before its instruction executes, and nothing lost or added to the instruction count.
#include "iss_harness.h"

using namespace iss_test;

namespace
{

class Debug : public IssTest
{
};

const char *const kLoop = "1: add x0, x0, #1\n add x1, x1, #1\n b 1b\n";

TEST_F(Debug, BreakpointStopsBeforeItsInstructionAndResumes)
{
	load(kLoop);
	ASSERT_EQ(cpu->ops->insert_debug(cpu, CPU_DEBUG_BREAK, kRamBase + 4, 1), 0);
	cpu_run_result r = run(100);
	EXPECT_EQ(r.reason, CPU_STOP_BREAKPOINT);
	EXPECT_EQ(r.executed, 1u);
	EXPECT_EQ(pc(), kRamBase + 4);
	EXPECT_EQ(x(1), 0u);
	r = run(100); // resumes with the instruction it stopped before
	EXPECT_EQ(r.reason, CPU_STOP_BREAKPOINT);
	EXPECT_EQ(r.executed, 3u);
	EXPECT_EQ(x(0), 2u);
	EXPECT_EQ(x(1), 1u);
	ASSERT_EQ(cpu->ops->remove_debug(cpu, CPU_DEBUG_BREAK, kRamBase + 4, 1), 0);
	EXPECT_EQ(run(100).reason, CPU_STOP_BUDGET);
}

TEST_F(Debug, BreakpointOnTheFirstInstructionOfARunIsNotMissed)
{
	load(kLoop);
	ASSERT_EQ(cpu->ops->insert_debug(cpu, CPU_DEBUG_BREAK, kRamBase + 4, 1), 0);
	cpu_run_result r = run(1); // a quantum that ends just before the breakpoint
	EXPECT_EQ(r.reason, CPU_STOP_BUDGET);
	r = run(100);
	EXPECT_EQ(r.reason, CPU_STOP_BREAKPOINT);
	EXPECT_EQ(r.executed, 0u);
	EXPECT_EQ(pc(), kRamBase + 4);
}

TEST_F(Debug, SteppedAndStoppedRunsRetireTheSameInstructions)
{
	load(kLoop);
	ASSERT_EQ(cpu->ops->insert_debug(cpu, CPU_DEBUG_BREAK, kRamBase + 8, 1), 0);
	uint64_t total = 0;
	while (total < 300)
		total += run(total % 7 ? 1 : 50).executed;
	cpu->ops->remove_debug(cpu, CPU_DEBUG_BREAK, kRamBase + 8, 1);
	total += run(1000 - total).executed;
	EXPECT_EQ(total, 1000u);
	EXPECT_EQ(x(0) + x(1), 2 * 1000u / 3 + (1000 % 3 ? 1 : 0));
}

TEST_F(Debug, WriteWatchpointStopsBeforeTheStore)
{
	load("mov x2, #7\n ldr x3, [x1]\n str x2, [x1]\n mov x4, #1\n wfi\n");
	set_x(1, kData);
	write64(kData, 5);
	ASSERT_EQ(cpu->ops->insert_debug(cpu, CPU_DEBUG_WATCH_WRITE, kData, 8), 0);
	cpu_run_result r = run(100);
	EXPECT_EQ(r.reason, CPU_STOP_BREAKPOINT);
	EXPECT_EQ(r.executed, 2u); // the load did not trigger it
	EXPECT_EQ(pc(), kRamBase + 8);
	EXPECT_EQ(read64(kData), 5u);
	enum cpu_debug_kind kind;
	uint64_t address;
	ASSERT_TRUE(cpu->ops->watch_hit(cpu, &kind, &address));
	EXPECT_EQ(kind, CPU_DEBUG_WATCH_WRITE);
	EXPECT_EQ(address, kData);
	r = run(100);
	EXPECT_EQ(r.reason, CPU_STOP_WFI);
	EXPECT_EQ(read64(kData), 7u);
	EXPECT_FALSE(cpu->ops->watch_hit(cpu, &kind, &address));
}

TEST_F(Debug, ReadAndAccessWatchpointsSeeLoads)
{
	load("ldr w3, [x1, #4]\n mov x4, #1\n wfi\n");
	set_x(1, kData);
	ASSERT_EQ(cpu->ops->insert_debug(cpu, CPU_DEBUG_WATCH_WRITE, kData, 8), 0);
	EXPECT_EQ(run(100).reason, CPU_STOP_WFI);
	load("ldr w3, [x1, #4]\n mov x4, #1\n wfi\n");
	ASSERT_EQ(cpu->ops->insert_debug(cpu, CPU_DEBUG_WATCH_READ, kData + 6, 1), 0);
	cpu_run_result r = run(100);
	EXPECT_EQ(r.reason, CPU_STOP_BREAKPOINT);
	enum cpu_debug_kind kind;
	uint64_t address;
	ASSERT_TRUE(cpu->ops->watch_hit(cpu, &kind, &address));
	EXPECT_EQ(kind, CPU_DEBUG_WATCH_READ);
	EXPECT_EQ(address, kData + 6);
	cpu->ops->remove_debug(cpu, CPU_DEBUG_WATCH_READ, kData + 6, 1);
	cpu->ops->remove_debug(cpu, CPU_DEBUG_WATCH_WRITE, kData, 8);
	ASSERT_EQ(cpu->ops->insert_debug(cpu, CPU_DEBUG_WATCH_ACCESS, kData, 4), 0);
	EXPECT_EQ(run(100).reason, CPU_STOP_WFI); // [x1 + 4, x1 + 8) is outside [x1, x1 + 4)
}

TEST_F(Debug, RemovingWhatWasNeverInsertedFails)
{
	EXPECT_EQ(cpu->ops->remove_debug(cpu, CPU_DEBUG_BREAK, kRamBase, 1), -1);
	EXPECT_NE(std::string(error_message()).find("no such breakpoint"), std::string::npos);
}

TEST_F(Debug, SystemRegistersAreReadable)
{
	uint64_t value = 1;
	EXPECT_EQ(cpu->ops->get_register(cpu, CPU_REG_CURRENT_EL, &value), 0);
	EXPECT_EQ(value, 4u); // EL1
	EXPECT_EQ(cpu->ops->get_register(cpu, CPU_REG_VBAR_EL1, &value), 0);
	EXPECT_EQ(cpu->ops->get_register(cpu, CPU_REG_SYSTEM_END, &value), -1);
}

} // namespace
