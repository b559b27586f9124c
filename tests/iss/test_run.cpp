// Run semantics: budgets, stops, faults, MMIO, kicks, self-modifying code, the debugger view.
#include "iss_harness.h"

#include <functional>
#include <string>
#include <vector>

extern "C" {
#include "iss_state.h"
}

using namespace iss_test;

namespace
{

constexpr uint64_t kMmioBase = 0x09000000;

struct Access {
	bool write;
	uint64_t offset;
	unsigned size;
	uint64_t value;
	uint64_t executed_in_run;
};

// A test double for any model: records each access and what the CPU said about time.
struct Device {
	struct cpu *cpu = nullptr;
	std::vector<Access> log;
	uint64_t read_value = 0;
	bool refuse = false;
	bool kick_on_write = false;
};

bool device_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
	auto *device = static_cast<Device *>(opaque);
	device->log.push_back({false, offset, size, 0, device->cpu->ops->executed_in_run(device->cpu)});
	*value = device->read_value & (size == 8 ? ~0ull : (1ull << (8 * size)) - 1);
	return !device->refuse;
}

bool device_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	auto *device = static_cast<Device *>(opaque);
	device->log.push_back({true, offset, size, value, device->cpu->ops->executed_in_run(device->cpu)});
	if (device->kick_on_write)
		device->cpu->ops->kick(device->cpu);
	return !device->refuse;
}

const mmio_ops device_ops = {device_read, device_write};

class Run : public IssTest
{
      protected:
	void SetUp() override
	{
		IssTest::SetUp();
		device.cpu = cpu;
		ASSERT_EQ(bus_add_mmio(bus, "testdev", kMmioBase, 0x1000, &device_ops, &device), 0) << error_message();
	}

      public:
	using Next = std::function<unsigned(unsigned)>; // a number below its argument, from the test's seed

      protected:
	void expect_blocks_match_stepping(uint64_t seed, bool mmu,
	                                  const std::function<std::string(Next &, unsigned)> &line);
	Device device;
};

TEST_F(Run, BudgetIsExact)
{
	load("1: add x0, x0, #1\n b 1b\n");
	cpu_run_result r = run(1001);
	EXPECT_EQ(r.reason, CPU_STOP_BUDGET);
	EXPECT_EQ(r.executed, 1001u);
	EXPECT_EQ(x(0), 501u);
	EXPECT_EQ(pc(), kRamBase + 4);
	EXPECT_EQ(cpu->ops->executed_in_run(cpu), 1001u);
	uint64_t total = 1001;
	for (uint64_t budget : {1, 2, 3, 7, 1000, 12345}) {
		r = run(budget);
		EXPECT_EQ(r.reason, CPU_STOP_BUDGET);
		EXPECT_EQ(r.executed, budget);
		total += budget;
	}
	EXPECT_EQ(x(0), (total + 1) / 2);
	EXPECT_EQ(pc(), kRamBase + (total % 2 ? 4 : 0));
}

TEST_F(Run, BudgetOfOneStepsOneInstruction)
{
	load("mov x0, #1\n mov x1, #2\n wfi\n");
	EXPECT_EQ(run(1).executed, 1u);
	EXPECT_EQ(pc(), kRamBase + 4);
	EXPECT_EQ(x(0), 1u);
	EXPECT_EQ(x(1), 0u);
	cpu_run_result r = run(1);
	EXPECT_EQ(r.reason, CPU_STOP_BUDGET);
	r = run(1);
	EXPECT_EQ(r.reason, CPU_STOP_WFI); // WFI as the last instruction of the budget still says WFI
	EXPECT_EQ(r.executed, 1u);
}

TEST_F(Run, WfiRetiresAndStopsPastIt)
{
	load("mov x0, #1\n wfi\n mov x0, #2\n wfi\n");
	cpu_run_result r = run(100);
	EXPECT_EQ(r.reason, CPU_STOP_WFI);
	EXPECT_EQ(r.executed, 2u);
	EXPECT_EQ(pc(), kRamBase + 8);
	r = run(100);
	EXPECT_EQ(r.reason, CPU_STOP_WFI);
	EXPECT_EQ(x(0), 2u);
}

TEST_F(Run, UndefinedEncodingIsAnExceptionAtItsPc)
{
	install_vectors();
	load("mov x0, #1\n mov x1, #2\n .inst 0x00000000\n mov x2, #3\n");
	cpu_run_result r = run(100);
	EXPECT_EQ(r.reason, CPU_STOP_WFI);
	EXPECT_EQ(r.executed, 2u + 1 + 5); // two instructions, the exception, the vector's five
	Taken t = taken();
	EXPECT_EQ(t.offset, kCurrentSpx + kSync);
	EXPECT_EQ(t.esr, 0x02000000u);
	EXPECT_EQ(t.elr, kRamBase + 8);
	EXPECT_EQ(t.spsr, 0x3c5u);
	EXPECT_EQ(x(1), 2u);
	EXPECT_EQ(x(2), 0u);
}

TEST_F(Run, SimdTrapsWhileFpenIsOff)
{
	install_vectors();
	load_words({0x4e208400}); // add v0.16b, v0.16b, v0.16b; CPACR_EL1.FPEN is 0 at reset
	run();
	EXPECT_EQ(taken().esr, 0x07u << 26 | 0x02000000u | 0x1e00000u); // EC 0x07, IL, CV with COND 0xe
	EXPECT_EQ(taken().elr, kRamBase);
}

TEST_F(Run, UnmappedDataAccessIsAnExternalAbort)
{
	install_vectors();
	load("nop\n ldr x0, [x1]\n");
	set_x(1, 0x10000000);
	run();
	Taken t = taken();
	EXPECT_EQ(t.ec(), (unsigned)EC_DABORT_SAME);
	EXPECT_EQ(t.iss(), 0x10u); // read, synchronous external abort
	EXPECT_EQ(t.far, 0x10000000u);
	EXPECT_EQ(t.elr, kRamBase + 4);

	load("str w0, [x1, #4]!\n");
	set_x(1, 0x20000000);
	run();
	t = taken();
	EXPECT_EQ(t.iss(), 0x50u); // WnR
	EXPECT_EQ(t.far, 0x20000004u);
	EXPECT_EQ(x(1), 0x20000000u); // a faulting access does no writeback
}

TEST_F(Run, DeviceRefusalIsADataAbort)
{
	install_vectors();
	device.refuse = true;
	load("ldrh w0, [x1, #0x10]\n");
	set_x(1, kMmioBase);
	run();
	Taken t = taken();
	EXPECT_EQ(t.ec(), (unsigned)EC_DABORT_SAME);
	EXPECT_EQ(t.far, kMmioBase + 0x10);
}

TEST_F(Run, FetchOutsideRamIsAnInstructionAbort)
{
	install_vectors();
	set_x(CPU_REG_PC, 0x1000);
	run();
	Taken t = taken();
	EXPECT_EQ(t.ec(), (unsigned)EC_IABORT_SAME);
	EXPECT_EQ(t.iss(), 0x10u);
	EXPECT_EQ(t.far, 0x1000u);
	EXPECT_EQ(t.elr, 0x1000u);
	set_x(CPU_REG_PC, kMmioBase + 0x20);
	run();
	EXPECT_EQ(taken().far, kMmioBase + 0x20);
	EXPECT_TRUE(device.log.empty()); // fetching never touches a device
}

TEST_F(Run, MisalignedPcIsAPcAlignmentFault)
{
	install_vectors();
	load("br x1\n");
	set_x(1, kRamBase + 0x102);
	run();
	Taken t = taken();
	EXPECT_EQ(t.ec(), (unsigned)EC_PC_ALIGN);
	EXPECT_EQ(t.far, kRamBase + 0x102);
	EXPECT_EQ(t.elr, kRamBase + 0x102);
}

TEST_F(Run, AFaultLoopUsesUpTheBudgetAndNeverHangs)
{
	// VBAR_EL1 is 0 and nothing is mapped there: every exception entry faults again.
	load(".inst 0\n");
	cpu_run_result r = run(100000);
	EXPECT_EQ(r.reason, CPU_STOP_BUDGET);
	EXPECT_EQ(r.executed, 100000u);
	ASSERT_NE(cpu->ops->diagnose, nullptr);
	const char *why = cpu->ops->diagnose(cpu, nullptr);
	ASSERT_NE(why, nullptr);
	EXPECT_NE(std::string(why).find("exception loop"), std::string::npos) << why;
}

TEST_F(Run, MmioReadsAndWritesReachTheDevice)
{
	device.read_value = 0x8899aabbccddeeffull;
	exec("strb w2, [x1, #1]\n strh w2, [x1, #2]\n str w2, [x1, #4]\n str x2, [x1, #8]\n"
	     "ldrb w3, [x1, #0x10]\n ldrsh x4, [x1, #0x12]\n ldr w5, [x1, #0x14]\n ldr x6, [x1, #0x18]\n"
	     "ldrsb w7, [x1, #0x20]\n stp w2, w2, [x1, #0x30]\n",
	     {{1, kMmioBase}, {2, 0x0123456789abcdefull}});
	ASSERT_EQ(device.log.size(), 11u);
	const Access expected[] = {
	    {true, 1, 1, 0xef, 0},          {true, 2, 2, 0xcdef, 1},
	    {true, 4, 4, 0x89abcdef, 2},    {true, 8, 8, 0x0123456789abcdefull, 3},
	    {false, 0x10, 1, 0, 4},         {false, 0x12, 2, 0, 5},
	    {false, 0x14, 4, 0, 6},         {false, 0x18, 8, 0, 7},
	    {false, 0x20, 1, 0, 8},         {true, 0x30, 4, 0x89abcdef, 9},
	    {true, 0x34, 4, 0x89abcdef, 9},
	};
	for (size_t k = 0; k < device.log.size(); k++) {
		EXPECT_EQ(device.log[k].write, expected[k].write) << k;
		EXPECT_EQ(device.log[k].offset, expected[k].offset) << k;
		EXPECT_EQ(device.log[k].size, expected[k].size) << k;
		EXPECT_EQ(device.log[k].value, expected[k].value) << k;
		// Instructions retired before the accessing one: the current one does not count yet.
		EXPECT_EQ(device.log[k].executed_in_run, expected[k].executed_in_run) << k;
	}
	EXPECT_EQ(x(3), 0xffu);
	EXPECT_EQ(x(4), 0xffffffffffffeeffull);
	EXPECT_EQ(x(5), 0xccddeeffu);
	EXPECT_EQ(x(6), 0x8899aabbccddeeffull);
	EXPECT_EQ(x(7), 0xffffffffu);
}

TEST_F(Run, ExecutedInRunCountsAcrossAStartedRun)
{
	load("1: subs x0, x0, #1\n b.ne 1b\n str x1, [x2]\n wfi\n");
	set_x(0, 10);
	set_x(2, kMmioBase);
	cpu_run_result r = run(7); // stops in the loop
	EXPECT_EQ(r.executed, 7u);
	r = run(100);
	EXPECT_EQ(r.reason, CPU_STOP_WFI);
	ASSERT_EQ(device.log.size(), 1u);
	EXPECT_EQ(device.log[0].executed_in_run, 20u - 7u); // 10 subs + 10 b.ne, less the 7 of the first run
	EXPECT_EQ(r.executed, 20u - 7u + 2u);
}

TEST_F(Run, KickStopsAfterTheKickingInstruction)
{
	device.kick_on_write = true;
	load("mov x0, #1\n str x0, [x1]\n mov x0, #2\n wfi\n");
	set_x(1, kMmioBase);
	cpu_run_result r = run(100);
	EXPECT_EQ(r.reason, CPU_STOP_KICKED);
	EXPECT_EQ(r.executed, 2u);
	EXPECT_EQ(pc(), kRamBase + 8);
	EXPECT_EQ(x(0), 1u);
	EXPECT_EQ(cpu->ops->executed_in_run(cpu), 2u);
	r = run(100);
	EXPECT_EQ(r.reason, CPU_STOP_WFI);
	EXPECT_EQ(x(0), 2u);
}

TEST_F(Run, KickOnTheLastInstructionOfTheBudgetSaysKicked)
{
	device.kick_on_write = true;
	load("str x0, [x1]\n wfi\n");
	set_x(1, kMmioBase);
	cpu_run_result r = run(1);
	EXPECT_EQ(r.reason, CPU_STOP_KICKED);
	EXPECT_EQ(r.executed, 1u);
}

TEST_F(Run, KickOutsideARunIsIgnored)
{
	load("mov x0, #1\n wfi\n");
	cpu->ops->kick(cpu);
	cpu_run_result r = run(100);
	EXPECT_EQ(r.reason, CPU_STOP_WFI);
	EXPECT_EQ(r.executed, 2u);
}

TEST_F(Run, FaultAfterKickInTheSameInstructionTakesTheAbortThenStops)
{
	install_vectors();
	device.kick_on_write = true;
	load("stp x0, x0, [x1]\n");
	set_x(1, kMmioBase + 0x1000 - 8); // the second word is past the device
	cpu_run_result r = run(100);
	EXPECT_EQ(r.reason, CPU_STOP_KICKED);
	EXPECT_EQ(r.executed, 1u); // the exception entry
	EXPECT_EQ(pc(), kVectors + kCurrentSpx);
}

TEST_F(Run, SelfModifyingCodeIsSeenOnTheNextExecution)
{
	// The loop runs `patch` twice; between the two, the program overwrites it with "add x0, x0, #100".
	std::vector<uint32_t> add100 = assemble("add x0, x0, #100\n");
	ASSERT_EQ(add100.size(), 1u);
	load("mov x2, #2\n adr x3, patch\n"
	     "1: \n patch: add x0, x0, #1\n str w4, [x3]\n subs x2, x2, #1\n b.ne 1b\n wfi\n");
	set_x(4, add100[0]);
	set_x(0, 0);
	cpu_run_result r = run(100);
	EXPECT_EQ(r.reason, CPU_STOP_WFI);
	EXPECT_EQ(x(0), 101u);
}

TEST_F(Run, StoreStraddlingIntoACodePageInvalidates)
{
	// Code at the start of a page; an 8-byte store from the previous page covers its first word.
	enable_mmu_identity(); // the unaligned store needs Normal memory
	const uint64_t page = kRamBase + 0x3000;
	std::vector<uint32_t> code = assemble("mov x0, #1\n wfi\n", page);
	std::vector<uint32_t> patched = assemble("mov x0, #2\n", page);
	load_words(code, page);
	ASSERT_EQ(run().reason, CPU_STOP_WFI);
	EXPECT_EQ(x(0), 1u);
	load("str x1, [x2]\n wfi\n");
	set_x(1, (uint64_t)patched[0] << 32 | 0xdeadbeef);
	set_x(2, page - 4);
	ASSERT_EQ(run().reason, CPU_STOP_WFI);
	set_x(CPU_REG_PC, page);
	ASSERT_EQ(run().reason, CPU_STOP_WFI);
	EXPECT_EQ(x(0), 2u);
}

TEST_F(Run, WriteMemoryInvalidatesDecodedCode)
{
	load("mov x0, #1\n wfi\n");
	ASSERT_EQ(run().reason, CPU_STOP_WFI);
	EXPECT_EQ(x(0), 1u);
	load("mov x0, #7\n wfi\n");
	ASSERT_EQ(run().reason, CPU_STOP_WFI);
	EXPECT_EQ(x(0), 7u);
}

// A map change (a ROM device switching mode, a region added) drops what the CPU knew of the RAM
// regions it touches, their code flags with them. A decoded page that keeps its physical address
// must be flagged again, or a later guest store to it takes the fast path and the old decoded
// instruction runs. Both a change over the code's page and one elsewhere in its region.
TEST_F(Run, StoreAfterAMapChangeInvalidatesDecodedCode)
{
	const uint64_t page = kRamBase + 0x5000;
	const uint64_t ranges[][2] = {{kRamBase, kRamSize}, {kRamBase + 0x800000, 0x1000}};
	for (const auto &range : ranges) {
		load_words(assemble("add x0, x0, #1\n wfi\n", page), page);
		load("str w4, [x3]\n wfi\n");
		set_x(0, 0);
		set_x(3, page);
		set_x(4, assemble("add x0, x0, #100\n")[0]);
		auto run_at = [&](uint64_t pc) {
			set_x(CPU_REG_PC, pc);
			ASSERT_EQ(run(100).reason, CPU_STOP_WFI);
		};
		run_at(page); // decodes the page
		cpu->ops->map_changed(cpu, range[0], range[1]);
		run_at(page);     // runs it after the change
		run_at(kRamBase); // the guest store over it
		run_at(page);
		EXPECT_EQ(x(0), 1u + 1 + 100) << "map change at 0x" << std::hex << range[0];
	}
}

TEST_F(Run, CodeAcrossPagesAndAliasedCacheSlots)
{
	// Two routines PAGE_CACHE_SLOTS pages apart (in a second RAM region: the harness's RAM is
	// smaller) share a decoded-page cache slot; calling one from the other takes the slot over
	// back and forth, and each must run its own code. The caller also runs across a page boundary.
	const uint64_t far = kRamBase + (uint64_t)PAGE_CACHE_SLOTS * PAGE_SIZE + PAGE_SIZE; // the loop's page's slot
	ASSERT_EQ(bus_add_ram(bus, "far", kRamBase + kRamSize, kRamSize), 0) << error_message();
	cpu->ops->map_changed(cpu, kRamBase + kRamSize, kRamSize);
	load_words(assemble("add x0, x0, #3\n ret\n", far), far);
	load(".skip 4096 - 8\n mov x2, #5\n 1: add x1, x1, #1\n blr x3\n subs x2, x2, #1\n b.ne 1b\n wfi\n");
	set_x(0, 0);
	set_x(1, 0);
	set_x(3, far);
	set_x(CPU_REG_PC, kRamBase + 4096 - 8);
	cpu_run_result r = run(1000);
	EXPECT_EQ(r.reason, CPU_STOP_WFI) << error_message();
	EXPECT_EQ(x(0), 15u);
	EXPECT_EQ(x(1), 5u);
	EXPECT_EQ(r.executed, 1u + 5 * 6 + 1);
}

TEST_F(Run, DebuggerMemoryAccessIsRamOnly)
{
	uint64_t value = 0x1122334455667788ull, back = 0;
	EXPECT_EQ(cpu->ops->write_memory(cpu, kData, &value, 8), 0);
	EXPECT_EQ(cpu->ops->read_memory(cpu, kData, &back, 8), 0);
	EXPECT_EQ(back, value);
	EXPECT_EQ(cpu->ops->read_memory(cpu, kMmioBase, &back, 4), -1);
	EXPECT_NE(std::string(error_message()).find("not RAM"), std::string::npos);
	EXPECT_TRUE(device.log.empty());
	EXPECT_EQ(cpu->ops->read_memory(cpu, kRamBase + kRamSize - 4, &back, 8), -1);
}

TEST_F(Run, RegistersRoundTrip)
{
	for (int n = 0; n <= CPU_REG_PC; n++)
		set_x(n, 0x1000 + n * 8);
	for (int n = 0; n <= CPU_REG_PC; n++)
		EXPECT_EQ(x(n), 0x1000u + n * 8);
	uint64_t value;
	EXPECT_EQ(cpu->ops->get_register(cpu, CPU_REG_COUNT, &value), -1);
	EXPECT_STREQ(cpu->ops->name, "iss");
}

TEST_F(Run, MaskedLinesDoNotInterruptButWakeWfi)
{
	cpu->ops->set_line(cpu, CPU_LINE_IRQ, true);
	cpu->ops->set_line(cpu, CPU_LINE_FIQ, true);
	load("mov x0, #3\n wfi\n mov x1, #4\n b .\n");
	cpu_run_result r = run(10);
	EXPECT_EQ(r.reason, CPU_STOP_BUDGET); // WFI completed at once: a line is high
	EXPECT_EQ(x(0), 3u);
	EXPECT_EQ(x(1), 4u);
}

// Handlers start the next instruction themselves within a page; the budget, page crossings,
// calls and returns must come out as when every instruction is a run of its own.
TEST_F(Run, ChainedInstructionsKeepTheBudgetExact)
{
	const char *program = "mov x0, #0\n mov x1, #300\n"
	                      "1: add x0, x0, x1\n bl far\n subs x1, x1, #1\n b.ne 1b\n wfi\n"
	                      ".balign 4096\n .skip 4092\n" // far's first instruction ends a page
	                      "far: eor x0, x0, x0, lsl #3\n cbz x1, 2f\n tbz x1, #0, 2f\n ldr x2, [sp, #-16]!\n"
	                      "str x2, [sp], #16\n 2: ret\n";
	load(program);
	set_x(CPU_REG_SP, kData + 0x100);
	uint64_t steps = 0;
	while (run(1).reason == CPU_STOP_BUDGET)
		steps++;
	uint64_t expected_x0 = x(0), expected_pc = pc();
	for (uint64_t chunk : {3, 63, 64, 65, 1000, 100000}) {
		load(program);
		set_x(CPU_REG_SP, kData + 0x100);
		uint64_t executed = 0;
		cpu_run_result r;
		do {
			r = run(chunk);
			executed += r.executed;
		} while (r.reason == CPU_STOP_BUDGET);
		EXPECT_EQ(r.reason, CPU_STOP_WFI) << "chunks of " << chunk;
		EXPECT_EQ(executed, steps + 1) << "chunks of " << chunk;
		EXPECT_EQ(x(0), expected_x0) << "chunks of " << chunk;
		EXPECT_EQ(pc(), expected_pc) << "chunks of " << chunk;
	}
}

// A compare runs the B.cond after it itself (compare_end in exec_data.c) only while the budget lasts past the
// compare: run one instruction at a time (never paired) and in chunks that end anywhere, random
// compare/branch programs must reach the same registers, flags and PC at every chunk boundary.
TEST_F(Run, PairedCompareAndBranchMatchesSteppingAtEveryBoundary)
{
	uint64_t state = 0x9e3779b97f4a7c15ull;
	auto next = [&state](unsigned n) {
		state = state * 6364136223846793005ull + 1442695040888963407ull;
		return (unsigned)((state >> 33) % n);
	};
	const char *compares[] = {"cmp x%u, #%u",      "cmp w%u, #%u",    "cmn x%u, #%u", "tst x%u, #1",
	                          "tst w%u, #3",       "cmp x%u, x3",     "cmp w%u, w4",  "tst x%u, x5",
	                          "subs x%u, x1, #%u", "ands w%u, w2, w1"};
	const char *conds[] = {"eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc",
	                       "hi", "ls", "ge", "lt", "gt", "le", "al"};
	const unsigned kLength = 48, kSteps = 3000;
	for (int program = 0; program < 8; program++) {
		std::string source;
		char line[96];
		for (unsigned k = 0; k < kLength; k++) {
			snprintf(line, sizeof line, "L%u: ", k);
			source += line;
			if (k % 3 == 2) { // a B.cond after each compare, to a label either way
				snprintf(line, sizeof line, "b.%s L%u\n", conds[next(15)], next(kLength));
			} else if (k % 3 == 1) {
				unsigned r = next(6);
				snprintf(line, sizeof line, compares[next(10)], r,
				         next(4096)); // forms without #%u ignore it
				source += line;
				snprintf(line, sizeof line, "\n");
			} else {
				snprintf(line, sizeof line, "add x%u, x%u, #%u\n", next(6), next(6), next(9));
			}
			source += line;
		}
		source += "b L0\n";
		// Page ends inside the program too: from the second program on it starts 64 bytes before one.
		uint64_t base = kRamBase + (program ? 0x1000 - 64 : 0);
		auto start = [&]() {
			load(source, base);
			for (int r = 0; r < 6; r++)
				set_x(r, (uint64_t)r * 0x10001 * (unsigned)(program + 1));
			set_x(CPU_REG_PC, base);
		};
		start();
		std::vector<std::vector<uint64_t>> trace; // after each instruction: x0..x5, NZCV, PC
		auto snapshot = [&]() {
			std::vector<uint64_t> now;
			for (int r = 0; r < 6; r++)
				now.push_back(x(r));
			now.push_back(nzcv());
			now.push_back(pc());
			return now;
		};
		trace.push_back(snapshot());
		for (unsigned k = 0; k < kSteps; k++) {
			ASSERT_EQ(run(1).executed, 1u);
			trace.push_back(snapshot());
		}
		for (uint64_t chunk : {2, 3, 5, 63, 64, 65, 1000}) {
			start();
			uint64_t executed = 0;
			while (executed + chunk <= kSteps) {
				ASSERT_EQ(run(chunk).executed, chunk);
				executed += chunk;
				ASSERT_EQ(snapshot(), trace[executed])
				    << "program " << program << ", chunks of " << chunk << ", after " << executed;
			}
		}
	}
}

// Random programs of `kLength` lines from `line` (given the generator and the line's index), each
// ending with a branch back to the first: run in chunks of every size that ends anywhere in a
// block, each must reach the registers (X0-X5, V0-V5, NZCV, PC) and the data that
// single-stepping through the slow paths reaches at that boundary, and the device must see each access at the same
// instruction index. x6 points at the device, x7 at kData; FP/SIMD is enabled, and the MMU
// (RAM as Normal memory, where unaligned accesses are allowed) when `mmu` is.
void Run::expect_blocks_match_stepping(uint64_t seed, bool mmu,
                                       const std::function<std::string(Next &, unsigned)> &line)
{
	uint64_t state = seed;
	Next next = [&state](unsigned n) {
		state = state * 6364136223846793005ull + 1442695040888963407ull;
		return (unsigned)((state >> 33) % n);
	};
	const unsigned kLength = 64, kSteps = 2000;
	auto *iss = reinterpret_cast<struct iss *>(cpu);
	set_cpacr(3ull << 20);
	if (mmu)
		enable_mmu_identity();
	for (int program = 0; program < 6; program++) {
		std::string source;
		char label[16];
		for (unsigned k = 0; k < kLength; k++) {
			snprintf(label, sizeof label, "L%u: ", k);
			source += label + line(next, k);
		}
		source += "b L0\n";
		uint64_t base = kRamBase + (program % 2 ? 0x2000 - 128 : 0x1000);
		auto start = [&]() {
			load(source, base);
			for (int r = 0; r < 6; r++) {
				set_x(r, (uint64_t)(r + 1) * 0x9e3779b9u * (unsigned)(program + 1));
				iss->v[r].d[0] = (uint64_t)(r + 1) * 0x3ff0000012345678ull;
				iss->v[r].d[1] = (uint64_t)(r + 7) * 0x4000000087654321ull;
			}
			set_x(6, kMmioBase);
			set_x(7, kData);
			set_nzcv(0);
			iss->exclusive_valid = false; // a previous run may have left the monitor set
			fill(kData, 0, 128);
			set_x(CPU_REG_PC, base);
			device.log.clear();
		};
		auto snapshot = [&]() {
			std::vector<uint64_t> now;
			for (int r = 0; r < 6; r++)
				now.insert(now.end(), {x(r), iss->v[r].d[0], iss->v[r].d[1]});
			for (unsigned k = 0; k < 128; k += 8)
				now.push_back(read64(kData + k));
			now.push_back(nzcv());
			now.push_back(pc());
			return now;
		};
		// Each MMIO access as (instruction index in the whole program run, value).
		auto accesses = [&](uint64_t before, size_t from) {
			std::vector<std::pair<uint64_t, uint64_t>> seen;
			for (size_t k = from; k < device.log.size(); k++)
				seen.push_back({before + device.log[k].executed_in_run, device.log[k].value});
			return seen;
		};
		start();
		// The reference steps with a watchpoint in kData's page that nothing touches: no chaining
		// (the debugger's loop) and every data access through the slow path, not the TLB's fast one.
		ASSERT_EQ(cpu->ops->insert_debug(cpu, CPU_DEBUG_WATCH_ACCESS, kData + 0x800, 8), 0);
		std::vector<std::vector<uint64_t>> trace{snapshot()};
		std::vector<std::pair<uint64_t, uint64_t>> stepped;
		for (unsigned k = 0; k < kSteps; k++) {
			size_t from = device.log.size();
			ASSERT_EQ(run(1).executed, 1u);
			auto seen = accesses(k, from);
			stepped.insert(stepped.end(), seen.begin(), seen.end());
			trace.push_back(snapshot());
		}
		ASSERT_EQ(cpu->ops->remove_debug(cpu, CPU_DEBUG_WATCH_ACCESS, kData + 0x800, 8), 0);
		ASSERT_FALSE(stepped.empty())
		    << "program " << program << " made no MMIO access; pc 0x" << std::hex << pc();
		for (uint64_t chunk : {2, 3, 4, 5, 7, 11, 31, 64, 65, 127, 1000}) {
			start();
			uint64_t executed = 0;
			std::vector<std::pair<uint64_t, uint64_t>> chunked;
			while (executed + chunk <= kSteps) {
				size_t from = device.log.size();
				ASSERT_EQ(run(chunk).executed, chunk);
				auto seen = accesses(executed, from);
				chunked.insert(chunked.end(), seen.begin(), seen.end());
				executed += chunk;
				ASSERT_EQ(snapshot(), trace[executed])
				    << "program " << program << ", chunks of " << chunk << ", after " << executed;
			}
			std::vector<std::pair<uint64_t, uint64_t>> prefix;
			for (const auto &access : stepped)
				if (access.first < executed)
					prefix.push_back(access);
			EXPECT_EQ(chunked, prefix) << "program " << program << ", chunks of " << chunk;
		}
	}
}

// The branches of the block tests: compare+B.cond, TBZ or B, to any line (`kind` 9 to 11).
std::string random_branch(Run::Next &next, unsigned k, unsigned kind, unsigned a, unsigned b)
{
	char line[128];
	if (kind == 9) {
		unsigned target = next(64), higher = next(2); // in this order: GCC's and Clang's programs alike
		snprintf(line, sizeof line, "cmp x%u, x%u\n b.%s L%u\n", a, b, higher ? "hi" : "ls", target);
	} else if (kind == 10) {
		unsigned target = next(64), bit = next(8);
		snprintf(line, sizeof line, "tbz x%u, #%u, L%u\n", a, bit, target);
	} else {
		snprintf(line, sizeof line, "b L%u\n", (k + 1 + next(8)) % 64);
	}
	return line;
}

// The budget is charged per block (iss_state.h): a straight-line run is charged when it ends,
// and a budget that ends inside one must stop exactly there. Data processing, loads and stores,
// branches and MMIO stores (whose device notes executed_in_run), some across a page end.
TEST_F(Run, BlockBudgetMatchesSteppingAtEveryBoundary)
{
	expect_blocks_match_stepping(0x2545f4914f6cdd1dull, false, [](Next &next, unsigned k) {
		char line[128];
		unsigned kind = next(12), a = next(6), b = next(6);
		if (kind < 5)
			snprintf(line, sizeof line, "add x%u, x%u, #%u\n", a, b, next(200));
		else if (kind == 5)
			snprintf(line, sizeof line, "eor x%u, x%u, x%u, lsl #%u\n", a, a, b, next(63));
		else if (kind == 6)
			snprintf(line, sizeof line, "str x%u, [x7, #%u]\n", a, 8 * next(16));
		else if (kind == 7)
			snprintf(line, sizeof line, "ldr x%u, [x7, #%u]\n", a, 8 * next(16));
		else if (kind == 8)
			snprintf(line, sizeof line, "str w%u, [x6, #%u]\n", a, 4 * next(4)); // MMIO
		else
			return random_branch(next, k, kind, a, b);
		return std::string(line);
	});
}

// The same for the SIMD&FP handlers, which chain too (iss_advance): scalar FP and AdvSIMD data
// processing, loads and stores of B to Q registers and pairs through the TLB's fast path and,
// unaligned (a Q at an odd multiple of 8) or to the device, through the slow path.
TEST_F(Run, FpSimdBlockBudgetMatchesSteppingAtEveryBoundary)
{
	expect_blocks_match_stepping(0x6a09e667f3bcc909ull, true, [](Next &next, unsigned k) {
		static const char *const data[] = {
		    "fadd d%u, d%u, d%u\n",          "fmul s%u, s%u, s%u\n",
		    "add v%u.4s, v%u.4s, v%u.4s\n",  "eor v%u.16b, v%u.16b, v%u.16b\n",
		    "fmla v%u.2d, v%u.2d, v%u.2d\n", "ext v%u.16b, v%u.16b, v%u.16b, #3\n"};
		static const char *const memory[] = {"str q%u, [x7, #%u]\n", "ldr q%u, [x7, #%u]\n",
		                                     "ldr s%u, [x7, #%u]\n", "str h%u, [x7, #%u]\n",
		                                     "ldr b%u, [x7, #%u]\n"};
		char line[128];
		unsigned kind = next(12), a = next(6), b = next(6);
		if (kind < 3)
			snprintf(line, sizeof line, data[next(6)], a, b, next(6));
		else if (kind == 3) // the branches test X registers: change them, or most loops never end
			snprintf(line, sizeof line, "add x%u, x%u, #%u\n", a, b, next(200));
		else if (kind == 4)
			snprintf(line, sizeof line, "fcvtzs x%u, d%u\n scvtf d%u, x%u\n", a, b, b, a);
		else if (kind < 7) // 16-byte aligned for Q, so an odd multiple of 8 is unaligned for it
			snprintf(line, sizeof line, memory[next(5)], a, 8 * next(14));
		else if (kind == 7)
			snprintf(line, sizeof line, next(2) ? "stp q%u, q%u, [x7, #%u]\n" : "ldp d%u, d%u, [x7, #%u]\n",
			         a, (a + 1 + b % 5) % 6, 16 * next(6));
		else if (kind == 8 || kind == 10) // no TBZ: on X registers that rarely change, its loops never end
			snprintf(line, sizeof line, "str s%u, [x6, #%u]\n", a, 4 * next(4)); // MMIO
		else
			return random_branch(next, k, kind, a, b);
		return std::string(line);
	});
}

// LDXR and STXR (and the pairs) take the physical address from the TLB when it allows the access
// (exec_memory.c), and chain; the reference steps through the walk. Exclusives of X and W registers
// and pairs at aligned offsets in kData's two 64-byte granules, plain stores and CLREX between
// them, so store-exclusives pass and fail; X0-X5 hold the status results; MMIO stores.
TEST_F(Run, ExclusivesBlockBudgetMatchesSteppingAtEveryBoundary)
{
	expect_blocks_match_stepping(0x510e527fade682d1ull, true, [](Next &next, unsigned k) {
		char line[160];
		unsigned kind = next(12), a = next(6), b = next(6);
		unsigned status = (a + 1) % 6 == b ? (a + 2) % 6 : (a + 1) % 6; // neither Rt nor Rt2
		unsigned pair_b = a == b ? (a + 3) % 6 : b;                     // Rt2 other than Rt
		if (kind < 2)
			snprintf(line, sizeof line, "add x%u, x%u, #%u\n", a, b, next(200));
		else if (kind == 2)
			snprintf(line, sizeof line, "add x8, x7, #%u\n ldxr x%u, [x8]\n", 8 * next(16), a);
		else if (kind == 3)
			snprintf(line, sizeof line, "add x8, x7, #%u\n stxr w%u, x%u, [x8]\n", 8 * next(16), status, a);
		else if (kind == 4)
			snprintf(line, sizeof line, "add x8, x7, #%u\n ldaxp x%u, x%u, [x8]\n", 16 * next(8), a,
			         pair_b);
		else if (kind == 5)
			snprintf(line, sizeof line, "add x8, x7, #%u\n stlxp w%u, x%u, x%u, [x8]\n", 16 * next(8),
			         (a + 1) % 6 == pair_b ? (a + 2) % 6 : (a + 1) % 6, a, pair_b);
		else if (kind == 6)
			snprintf(line, sizeof line, "add x8, x7, #%u\n ldaxr w%u, [x8]\n stlxr w%u, w%u, [x8]\n",
			         4 * next(32), a, status, b == status ? a : b);
		else if (kind == 7 && next(4) == 0)
			snprintf(line, sizeof line, "clrex\n");
		else if (kind == 7)
			snprintf(line, sizeof line, "str x%u, [x7, #%u]\n", a, 8 * next(16));
		else if (kind == 8 && next(2) == 0)
			snprintf(line, sizeof line, "str w%u, [x6, #%u]\n", a, 4 * next(4)); // MMIO
		else if (kind == 8)
			snprintf(line, sizeof line, "ldr x%u, [x7, #%u]\n", a, 8 * next(16));
		else
			return random_branch(next, k, kind, a, b);
		return std::string(line);
	});
}

// A kick from a device during an MMIO store inside a block stops the run right after that store,
// wherever it is in the block, with the count single-stepping gives.
TEST_F(Run, KickInsideABlockStopsAfterTheKickingInstruction)
{
	load("add x0, x0, #1\n add x0, x0, #1\n add x0, x0, #1\n str w0, [x6]\n add x0, x0, #1\n"
	     "add x0, x0, #1\n wfi\n");
	set_x(0, 0);
	set_x(6, kMmioBase);
	device.kick_on_write = true;
	cpu_run_result r = run(100);
	EXPECT_EQ(r.reason, CPU_STOP_KICKED);
	EXPECT_EQ(r.executed, 4u);
	EXPECT_EQ(x(0), 3u);
	EXPECT_EQ(pc(), kRamBase + 16);
	ASSERT_EQ(device.log.size(), 1u);
	EXPECT_EQ(device.log[0].executed_in_run, 3u);
}

// A compare runs the decoded B.cond after it itself (compare_end): a new branch word must reach it.
TEST_F(Run, RewritingTheBranchOfACompareIsSeen)
{
	const char *program = "cmp x0, #0\n b.eq 1f\n mov x1, #1\n wfi\n 1: mov x1, #2\n wfi\n";
	load(program);
	set_x(0, 0);
	for (int pass = 0; pass < 2; pass++) { // the second pass runs the pair from the compare's slot
		set_x(CPU_REG_PC, kRamBase);
		EXPECT_EQ(run(100).reason, CPU_STOP_WFI);
		EXPECT_EQ(x(1), 2u);
	}
	write32(kRamBase + 4, assemble("b.ne 1f\n nop\n nop\n 1:\n", kRamBase + 4)[0]);
	set_x(CPU_REG_PC, kRamBase);
	EXPECT_EQ(run(100).reason, CPU_STOP_WFI);
	EXPECT_EQ(x(1), 1u);
}

TEST_F(Run, StoreToTheNextInstructionIsSeenWhenItRuns)
{
	std::vector<uint32_t> add100 = assemble("add x0, x0, #100\n");
	load("adr x3, patch\n str w4, [x3]\n patch: add x0, x0, #1\n wfi\n");
	set_x(4, add100[0]);
	set_x(0, 0);
	EXPECT_EQ(run(100).reason, CPU_STOP_WFI);
	EXPECT_EQ(x(0), 100u);
}

TEST_F(Run, SameProgramSameResult)
{
	const char *program = "mov x0, #1\n mov x1, #12345\n 1: madd x0, x0, x1, x1\n eor x0, x0, x0, lsr #7\n"
	                      "subs x1, x1, #1\n b.ne 1b\n wfi\n";
	load(program);
	cpu_run_result first = run(10000000);
	uint64_t result = x(0);
	load(program);
	set_x(0, 0);
	set_x(1, 0);
	cpu_run_result second = run(10000000);
	EXPECT_EQ(first.executed, second.executed);
	EXPECT_EQ(first.executed, 2u + 12345 * 4 + 1);
	EXPECT_EQ(x(0), result);
}

} // namespace

namespace
{

// Random words with random operands, one instruction each: whatever the guest does, the host
// must not crash (run this under -DQVP_SANITIZE=ON to see every out-of-bounds access).
TEST_F(Run, RandomInstructionsNeverCrashTheHost)
{
	uint64_t state = 0x853c49e6748fea9bull;
	auto next = [&state]() {
		state = state * 6364136223846793005ull + 1442695040888963407ull;
		return state ^ (state >> 29);
	};
	const uint64_t bases[] = {kData, kRamBase + kRamSize - 16, kMmioBase, kMmioBase + 0xffc, 0, ~0ull - 7};
	for (int k = 0; k < 100000; k++) {
		uint32_t word = (uint32_t)next();
		if (k % 2) // half of them in the load/store space, where the addressing is
			word = (word & ~(1u << 25)) | 1u << 27;
		write32(kRamBase, word);
		for (int n = 0; n <= CPU_REG_SP; n++)
			set_x(n, next() % 3 ? bases[next() % 6] + (next() % 64) : next());
		set_x(CPU_REG_PC, kRamBase);
		set_x(CPU_REG_PSTATE, 0x3c5);
		cpu_run_result r = run(1);
		ASSERT_EQ(r.executed, 1u) << "word 0x" << std::hex << word;
		ASSERT_NE(r.reason, CPU_STOP_FATAL) << "word 0x" << std::hex << word << ": " << error_message();
	}
}

} // namespace
