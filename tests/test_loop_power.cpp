// The loop with a backend whose PSCI is its own (the kvm backend: KVM's in-kernel PSCI turns
// vCPUs on and off): stand-in CPUs report their power state through cpu_ops.powered, and the
// loop must run a CPU from the turn after another turned it on, and no more once it is off.
#include <gtest/gtest.h>

#include "events.h"
#include "loop.h"
#include "machine.h"

namespace {

// A CPU whose run may turn another on (as a PSCI CPU_ON would) or itself off (CPU_OFF).
struct PowerCpu {
	struct cpu base;
	bool on = false;
	unsigned runs = 0;
	PowerCpu *turns_on = nullptr;
	bool turns_itself_off = false;
	vtime_t started_at = 0; // the machine's time when its last run began
	struct machine *machine = nullptr;
};

PowerCpu *power_cpu(struct cpu *cpu)
{
	return reinterpret_cast<PowerCpu *>(cpu);
}

struct cpu_run_result run_power_cpu(struct cpu *cpu, uint64_t budget)
{
	PowerCpu *self = power_cpu(cpu);

	self->runs++;
	self->started_at = self->machine->now;
	if (self->turns_on)
		self->turns_on->on = true;
	if (self->turns_itself_off) {
		self->on = false;
		return cpu_run_result{ 10, CPU_STOP_WFI };
	}
	return cpu_run_result{ budget, CPU_STOP_BUDGET };
}

struct cpu_ops power_ops()
{
	struct cpu_ops ops = {};
	ops.name = "power";
	ops.destroy = [](struct cpu *) {};
	ops.run = run_power_cpu;
	ops.kick = [](struct cpu *) {};
	ops.executed_in_run = [](const struct cpu *) -> uint64_t { return 0; };
	ops.set_line = [](struct cpu *, enum cpu_line, bool) {};
	ops.powered = [](struct cpu *cpu) { return power_cpu(cpu)->on; };
	return ops;
}

const struct cpu_ops ops = power_ops();

class LoopPower : public ::testing::Test {
protected:
	void SetUp() override
	{
		machine.events = event_queue_create();
		machine.time_per_instruction = VTIME_NS;
		machine.quantum = machine.window = 10 * VTIME_US;
		machine.timeout = VTIME_NEVER;
		machine.run_deadline = VTIME_NEVER;
		machine.cpu_count = 2;
		for (unsigned k = 0; k < 2; k++) {
			cpus[k].base.ops = &ops;
			cpus[k].machine = &machine;
			machine.cpus[k].cpu = &cpus[k].base;
			machine.cpus[k].affinity = k;
		}
		cpus[0].on = machine.cpus[0].powered = true;
		machine.cpu = &cpus[0].base;
	}
	void TearDown() override
	{
		event_queue_destroy(machine.events);
	}
	void round()
	{
		struct cpu_run_result result;
		ASSERT_TRUE(machine_run_quantum(&machine, &result));
	}

	struct machine machine = {};
	PowerCpu cpus[2];
};

TEST_F(LoopPower, AnOffCpuDoesNotRun)
{
	round();
	round();
	EXPECT_EQ(cpus[0].runs, 2u);
	EXPECT_EQ(cpus[1].runs, 0u);
	EXPECT_FALSE(machine.cpus[1].powered);
	EXPECT_EQ(machine.now, 20 * VTIME_US); // the one CPU on sets the pace
}

TEST_F(LoopPower, ACpuTurnedOnRunsInTheSameRoundFromThePresent)
{
	cpus[0].turns_on = &cpus[1];
	round();
	EXPECT_EQ(cpus[1].runs, 1u); // after CPU 0 in MPIDR order, in the round CPU 0 turned it on
	EXPECT_TRUE(machine.cpus[1].powered);
	EXPECT_EQ(cpus[1].started_at, 0u);
	cpus[0].turns_on = nullptr;
	round();
	EXPECT_EQ(cpus[1].runs, 2u);
	EXPECT_EQ(cpus[1].started_at, 10 * VTIME_US);
	EXPECT_EQ(machine.cpus[0].local, machine.cpus[1].local);
}

TEST_F(LoopPower, ACpuThatTurnedItselfOffRunsNoMore)
{
	cpus[1].on = true;
	cpus[1].turns_itself_off = true;
	round();
	EXPECT_EQ(cpus[1].runs, 1u);
	EXPECT_FALSE(machine.cpus[1].powered);
	round();
	round();
	EXPECT_EQ(cpus[1].runs, 1u);
	EXPECT_EQ(cpus[0].runs, 3u);
	EXPECT_EQ(machine.now, 30 * VTIME_US); // the CPU that is off holds nobody back
}

} // namespace
