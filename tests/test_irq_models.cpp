// Test benches for the interrupt controller and timers on the virt board, VCML style: the
// models are built from platforms/virt.dtb, driven through the bus as the guest would, with a
// stand-in CPU that records its IRQ and FIQ lines, and virtual time moved by hand.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "error.h"
#include "generic_timer.h"
#include "gicv2.h"
#include "irq.h"
#include "iss.h"
#include "machine.h"
#include "models.h"
#include "pl011.h"
#include "pl031.h"
#include "platform.h"
#include "sp804.h"
#include "test_support.h"

#include <libfdt.h>

using qvp_test::build_path;

namespace {

const uint64_t gicd = 0x08000000;
const uint64_t gicc = 0x08010000;
const uint64_t uart = 0x09000000;
const uint64_t rtc = 0x09010000;
const uint64_t sp804 = 0x09100000;
const vtime_t tick16 = 16 * VTIME_NS; // one count of the 62.5 MHz system counter

// A CPU that only has lines: what the models see of it.
struct FakeCpu {
	struct cpu base;
	bool line[CPU_LINE_COUNT] = {};
	unsigned kicks = 0;
};

FakeCpu *fake(struct cpu *cpu)
{
	return reinterpret_cast<FakeCpu *>(cpu);
}

const struct cpu_ops fake_ops = {
	"fake",
	[](struct cpu *) {},
	[](struct cpu *, uint64_t) { return cpu_run_result{ 0, CPU_STOP_BUDGET }; },
	[](struct cpu *cpu) { fake(cpu)->kicks++; },
	[](const struct cpu *) -> uint64_t { return 0; },
	[](struct cpu *cpu, enum cpu_line line, bool level) { fake(cpu)->line[line] = level; },
	nullptr,
	nullptr,
	nullptr, // get_vector
	nullptr, // set_vector
	nullptr,
	nullptr,
	nullptr,
	nullptr,
	nullptr,
	nullptr,
	nullptr, // clock_lead
	nullptr, // ram_written
	nullptr, // map_changed
	nullptr, // wakes
	nullptr, // save
	nullptr, // load
	nullptr, // powered
	nullptr, // watch_ram_writes
	nullptr, // ram_unwritten
};

class IrqBench : public ::testing::Test {
protected:
	void SetUp() override
	{
		build(build_path("platforms/virt.dtb"));
	}
	void build(const std::string &dtb)
	{
		cpu.base.ops = &fake_ops;
		machine.console = fopen("/dev/null", "w");
		machine.bus = bus_create();
		machine.events = event_queue_create();
		machine.rtc_epoch = QVP_RTC_EPOCH;
		machine.timeout = VTIME_NEVER;
		machine.run_deadline = VTIME_NEVER;
		ASSERT_EQ(platform_build(&machine, dtb.c_str()), 0) << error_message();
		machine.cpu = &cpu.base;
		machine.cpus[0].cpu = &cpu.base;
		machine.cpu_count = 1;
		ASSERT_EQ(machine.sysreg_hook_count, 1u);
	}
	void TearDown() override
	{
		qvp_test::release_board(&machine);
		fclose(machine.console);
	}

	uint32_t read(uint64_t address, unsigned size = 4)
	{
		uint64_t value = 0;
		EXPECT_EQ(bus_read(machine.bus, address, size, &value), BUS_OK) << std::hex << address;
		return uint32_t(value);
	}
	void write(uint64_t address, uint64_t value, unsigned size = 4)
	{
		EXPECT_EQ(bus_write(machine.bus, address, size, value), BUS_OK) << std::hex << address;
	}
	// Moves virtual time to `time`, firing every event due, as the loop does.
	void advance_to(vtime_t time)
	{
		machine.now = time;
		event_queue_fire_due(machine.events, time);
	}
	uint64_t sysreg(uint32_t encoding, unsigned el = 1)
	{
		uint64_t value = 0;
		const struct iss_sysreg_hook *hook = machine.sysreg_hooks[0];
		EXPECT_TRUE(hook->read(hook->opaque, encoding, el, &value)) << std::hex << encoding;
		return value;
	}
	bool sysreg_read_ok(uint32_t encoding, unsigned el)
	{
		uint64_t value;
		const struct iss_sysreg_hook *hook = machine.sysreg_hooks[0];
		return hook->read(hook->opaque, encoding, el, &value);
	}
	bool set_sysreg(uint32_t encoding, uint64_t value, unsigned el = 1)
	{
		const struct iss_sysreg_hook *hook = machine.sysreg_hooks[0];
		return hook->write(hook->opaque, encoding, el, value);
	}
	// Distributor and CPU interface on, nothing masked.
	void enable_gic()
	{
		write(gicd + GICD_CTLR, GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
		write(gicc + GICC_CTLR, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1);
		write(gicc + GICC_PMR, 0xff);
	}
	void enable_irq(unsigned id, uint8_t priority)
	{
		write(gicd + GICD_IPRIORITYR + id, priority, 1);
		write(gicd + GICD_ITARGETSR + id, 1, 1);
		write(gicd + GICD_ISENABLER + 4 * (id / 32), 1u << (id % 32));
	}
	void set_pending(unsigned id)
	{
		write(gicd + GICD_ISPENDR + 4 * (id / 32), 1u << (id % 32));
	}
	bool bit(uint64_t base, unsigned id)
	{
		return read(base + 4 * (id / 32)) >> (id % 32) & 1;
	}
	bool irq() const
	{
		return cpu.line[CPU_LINE_IRQ];
	}
	bool fiq() const
	{
		return cpu.line[CPU_LINE_FIQ];
	}
	// An interrupt line into the GIC, as the node at `path` is wired.
	struct irq_line line_of(const char *path, unsigned index = 0)
	{
		struct irq_line line = {};
		int node = fdt_path_offset(machine.fdt, path);
		EXPECT_GE(node, 0) << path;
		EXPECT_EQ(irq_connect(&machine, node, index, &line), 0) << error_message();
		return line;
	}

	FakeCpu cpu;
	struct machine machine = {};
};

// ---- GICv2 ----

TEST_F(IrqBench, GicResetState)
{
	EXPECT_EQ(read(gicd + GICD_TYPER) & 0x1f, GICV2_NUM_IRQS / 32 - 1);
	EXPECT_EQ(read(gicd + GICD_IIDR), GICV2_GICD_IIDR);
	EXPECT_EQ(read(gicc + GICC_IIDR), GICV2_GICC_IIDR);
	EXPECT_EQ(read(gicd + GICD_CTLR), 0u);
	EXPECT_EQ(read(gicd + GICD_ISENABLER), 0xffffu); // SGIs always enabled
	EXPECT_EQ(read(gicd + GICD_ICFGR), 0xaaaaaaaau); // SGIs edge-triggered
	EXPECT_EQ(read(gicd + GICD_ITARGETSR + 27, 1), 1u);
	EXPECT_EQ(read(gicc + GICC_BPR), 2u);
	EXPECT_EQ(read(gicc + GICC_ABPR), 3u);
	EXPECT_EQ(read(gicc + GICC_RPR), 0xffu);
	EXPECT_EQ(read(gicc + GICC_IAR), unsigned(GICV2_SPURIOUS));
	EXPECT_EQ(read(gicd + GICD_PIDR0 + 8), 0x2bu); // PIDR2: architecture version 2
	EXPECT_EQ(read(gicd + GICD_CIDR0), 0x0du);
	EXPECT_FALSE(irq());
	EXPECT_FALSE(fiq());
}

TEST_F(IrqBench, GicPendingEnabledInterruptRaisesIrqUntilAcknowledged)
{
	enable_gic();
	enable_irq(40, 0x80);
	set_pending(40);
	EXPECT_TRUE(irq());
	EXPECT_EQ(read(gicc + GICC_HPPIR), 40u);
	EXPECT_EQ(read(gicc + GICC_IAR), 40u);
	EXPECT_FALSE(irq());
	EXPECT_TRUE(bit(gicd + GICD_ISACTIVER, 40));
	EXPECT_FALSE(bit(gicd + GICD_ISPENDR, 40));
	EXPECT_EQ(read(gicc + GICC_RPR), 0x80u);
	write(gicc + GICC_EOIR, 40);
	EXPECT_FALSE(bit(gicd + GICD_ISACTIVER, 40));
	EXPECT_EQ(read(gicc + GICC_RPR), 0xffu);
	EXPECT_EQ(machine.stats.interrupts_taken, 1u);
}

TEST_F(IrqBench, GicDisabledInterruptOrDistributorSignalsNothing)
{
	write(gicc + GICC_CTLR, GICC_CTLR_ENABLE_GRP0);
	write(gicc + GICC_PMR, 0xff);
	enable_irq(40, 0x80);
	set_pending(40);
	EXPECT_FALSE(irq()); // distributor off
	write(gicd + GICD_CTLR, GICD_CTLR_ENABLE_GRP0);
	EXPECT_TRUE(irq());
	write(gicd + GICD_ICENABLER + 4, 1u << 8);
	EXPECT_FALSE(irq());
	EXPECT_TRUE(bit(gicd + GICD_ISPENDR, 40)); // still pending
	write(gicd + GICD_ICPENDR + 4, 1u << 8);
	EXPECT_FALSE(bit(gicd + GICD_ISPENDR, 40));
}

TEST_F(IrqBench, GicPriorityOrderAndPreemption)
{
	enable_gic();
	enable_irq(40, 0x80);
	enable_irq(41, 0x40);
	enable_irq(42, 0x40);
	set_pending(40);
	set_pending(42);
	set_pending(41);
	EXPECT_EQ(read(gicc + GICC_IAR), 41u); // equal priorities: lowest ID
	EXPECT_FALSE(irq()) << "42 is pending but cannot preempt 41 of the same priority";
	EXPECT_EQ(read(gicc + GICC_IAR), unsigned(GICV2_SPURIOUS));
	write(gicc + GICC_EOIR, 41);
	EXPECT_EQ(read(gicc + GICC_IAR), 42u);
	write(gicc + GICC_EOIR, 42);
	EXPECT_EQ(read(gicc + GICC_IAR), 40u);
	EXPECT_FALSE(irq());
	set_pending(41);
	EXPECT_TRUE(irq()); // 0x40 preempts running 0x80
	EXPECT_EQ(read(gicc + GICC_IAR), 41u);
	EXPECT_EQ(read(gicc + GICC_RPR), 0x40u);
	EXPECT_EQ(read(gicc + GICC_APR0), (1u << (0x40 >> 3)) | (1u << (0x80 >> 3)));
	write(gicc + GICC_EOIR, 41);
	EXPECT_EQ(read(gicc + GICC_RPR), 0x80u);
	write(gicc + GICC_EOIR, 40);
	EXPECT_EQ(read(gicc + GICC_RPR), 0xffu);
}

TEST_F(IrqBench, GicPriorityMaskAndBinaryPoint)
{
	enable_gic();
	enable_irq(40, 0x80);
	write(gicc + GICC_PMR, 0x80);
	set_pending(40);
	EXPECT_FALSE(irq());
	EXPECT_EQ(read(gicc + GICC_IAR), unsigned(GICV2_SPURIOUS));
	EXPECT_EQ(read(gicc + GICC_HPPIR), unsigned(GICV2_SPURIOUS));
	write(gicc + GICC_PMR, 0x87); // low three bits are not implemented
	EXPECT_EQ(read(gicc + GICC_PMR), 0x80u);
	write(gicc + GICC_PMR, 0x88);
	EXPECT_TRUE(irq());
	EXPECT_EQ(read(gicc + GICC_IAR), 40u);
	write(gicc + GICC_EOIR, 40);

	enable_irq(41, 0x48);
	enable_irq(42, 0x40);
	write(gicc + GICC_PMR, 0xff);
	write(gicc + GICC_BPR, 3); // group priority bits [7:4]
	set_pending(41);
	EXPECT_EQ(read(gicc + GICC_IAR), 41u);
	EXPECT_EQ(read(gicc + GICC_RPR), 0x40u); // the group priority
	set_pending(42);
	EXPECT_FALSE(irq()) << "0x40 and 0x48 share group priority 0x40";
	write(gicc + GICC_EOIR, 41);
	EXPECT_TRUE(irq());
	write(gicc + GICC_BPR, 0); // below the minimum of 2
	EXPECT_EQ(read(gicc + GICC_BPR), 2u);
	write(gicc + GICC_ABPR, 1);
	EXPECT_EQ(read(gicc + GICC_ABPR), 3u);
}

TEST_F(IrqBench, GicEoiModeSplitsPriorityDropAndDeactivation)
{
	enable_gic();
	write(gicc + GICC_CTLR, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_EOI_MODE);
	enable_irq(40, 0x80);
	set_pending(40);
	EXPECT_EQ(read(gicc + GICC_IAR), 40u);
	write(gicc + GICC_EOIR, 40);
	EXPECT_EQ(read(gicc + GICC_RPR), 0xffu);
	EXPECT_TRUE(bit(gicd + GICD_ISACTIVER, 40));
	set_pending(40);
	EXPECT_FALSE(irq()) << "active and pending is not signalled";
	write(gicc + GICC_DIR, 40);
	EXPECT_FALSE(bit(gicd + GICD_ISACTIVER, 40));
	EXPECT_TRUE(irq());
	// with EOImode 0, DIR does nothing
	write(gicc + GICC_CTLR, GICC_CTLR_ENABLE_GRP0);
	EXPECT_EQ(read(gicc + GICC_IAR), 40u);
	write(gicc + GICC_DIR, 40);
	EXPECT_TRUE(bit(gicd + GICD_ISACTIVER, 40));
	write(gicc + GICC_EOIR, 40);
	EXPECT_FALSE(bit(gicd + GICD_ISACTIVER, 40));
}

TEST_F(IrqBench, GicSoftwareGeneratedInterrupts)
{
	enable_gic();
	write(gicd + GICD_SGIR, GICD_SGIR_FILTER_SELF | 3);
	EXPECT_TRUE(irq());
	EXPECT_EQ(read(gicd + GICD_SPENDSGIR + 3, 1), 1u); // source CPU 0
	EXPECT_EQ(read(gicc + GICC_IAR), 3u);             // CPUID bits 12:10 are 0
	write(gicc + GICC_EOIR, 3);
	write(gicd + GICD_SGIR, GICD_SGIR_FILTER_OTHERS | 4);
	write(gicd + GICD_SGIR, GICD_SGIR_FILTER_LIST | 0x02u << 16 | 5); // CPU 1 does not exist
	EXPECT_FALSE(irq());
	write(gicd + GICD_SGIR, GICD_SGIR_FILTER_LIST | 0x01u << 16 | 6);
	EXPECT_EQ(read(gicc + GICC_HPPIR), 6u);
	write(gicd + GICD_CPENDSGIR + 6, 1, 1);
	EXPECT_FALSE(irq());
	write(gicd + GICD_SPENDSGIR + 4, 0xff, 1); // only the CPU 0 bit exists
	EXPECT_EQ(read(gicd + GICD_SPENDSGIR + 4, 1), 1u);
	write(gicd + GICD_ISPENDR, 1u << 7); // SGIs are not made pending through ISPENDR
	write(gicd + GICD_ICENABLER, 1u << 4); // nor disabled
	EXPECT_EQ(read(gicd + GICD_ISENABLER) & 0xffff, 0xffffu);
	EXPECT_EQ(read(gicc + GICC_IAR), 4u);
}

TEST_F(IrqBench, GicLevelInputStaysPendingWhileHigh)
{
	enable_gic();
	enable_irq(33, 0x80); // the PL011, SPI 1
	write(uart + PL011_IMSC, PL011_INT_TX);
	write(uart + PL011_DR, 'x');
	EXPECT_TRUE(irq());
	EXPECT_EQ(read(gicc + GICC_IAR), 33u);
	EXPECT_TRUE(bit(gicd + GICD_ISPENDR, 33)) << "active and pending: the line is still high";
	write(uart + PL011_ICR, PL011_INT_TX);
	EXPECT_FALSE(bit(gicd + GICD_ISPENDR, 33));
	write(gicc + GICC_EOIR, 33);
	EXPECT_FALSE(irq());
}

TEST_F(IrqBench, GicEdgeInputLatchesRisingEdges)
{
	struct irq_line line = line_of("/pl011@9000000");
	enable_gic();
	enable_irq(33, 0x80);
	write(gicd + GICD_ICFGR + 8, 1u << 3); // ID 33 edge-triggered
	irq_line_set(&line, true);
	irq_line_set(&line, false);
	EXPECT_TRUE(irq()) << "the edge was latched";
	EXPECT_EQ(read(gicc + GICC_IAR), 33u);
	EXPECT_FALSE(irq());
	write(gicc + GICC_EOIR, 33);
	EXPECT_FALSE(irq());
}

TEST_F(IrqBench, GicGroupZeroAsFiqAndGroupOneAcknowledgement)
{
	enable_gic();
	enable_irq(40, 0x80);
	enable_irq(41, 0x80);
	write(gicd + GICD_IGROUPR + 4, 1u << 9); // 41 in Group 1
	write(gicc + GICC_CTLR, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_FIQ_EN);
	set_pending(40);
	EXPECT_TRUE(fiq());
	EXPECT_FALSE(irq());
	EXPECT_EQ(read(gicc + GICC_IAR), 40u);
	EXPECT_FALSE(fiq());
	write(gicc + GICC_EOIR, 40);
	set_pending(41);
	EXPECT_TRUE(irq());
	EXPECT_EQ(read(gicc + GICC_HPPIR), unsigned(GICV2_SPURIOUS_GRP1));
	EXPECT_EQ(read(gicc + GICC_IAR), unsigned(GICV2_SPURIOUS_GRP1)) << "AckCtl 0";
	EXPECT_EQ(read(gicc + GICC_AHPPIR), 41u);
	EXPECT_EQ(read(gicc + GICC_AIAR), 41u);
	write(gicc + GICC_AEOIR, 41);
	EXPECT_FALSE(bit(gicd + GICD_ISACTIVER, 41));
	set_pending(41);
	write(gicc + GICC_CTLR, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_ACK_CTL);
	EXPECT_EQ(read(gicc + GICC_IAR), 41u);
}

TEST_F(IrqBench, GicReservedRegistersAndOutOfRangeIdsAreRazWi)
{
	enable_gic();
	const uint64_t reserved[] = { gicd + 0x00c, gicd + 0x040, gicd + GICD_ISENABLER + 4 * (GICV2_NUM_IRQS / 32),
				      gicd + GICD_IPRIORITYR + GICV2_NUM_IRQS, gicd + 0xe00, gicd + 0xf04,
				      gicd + 0xffc0, gicc + 0x02c, gicc + 0x0d4, gicc + 0x800, gicc + 0xfffc };
	for (uint64_t address : reserved) {
		write(address, 0xffffffff);
		EXPECT_EQ(read(address), 0u) << std::hex << address;
	}
	EXPECT_FALSE(irq());
	// EOI of IDs that are spurious, out of range or not active changes nothing
	enable_irq(40, 0x80);
	set_pending(40);
	EXPECT_EQ(read(gicc + GICC_IAR), 40u);
	for (uint32_t id : { 1023u, 1022u, 5000u, 0x3ffu })
		write(gicc + GICC_EOIR, id);
	EXPECT_EQ(read(gicc + GICC_RPR), 0x80u);
	write(gicc + GICC_EOIR, 40);
	write(gicc + GICC_EOIR, 40); // nothing active any more
	EXPECT_EQ(read(gicc + GICC_RPR), 0xffu);
	// word registers ignore narrower and wider accesses; the CPU interface is word-only
	write(gicd + GICD_CTLR, 0, 1);
	EXPECT_EQ(read(gicd + GICD_CTLR), 3u);
	uint64_t wide = 0;
	EXPECT_EQ(bus_read(machine.bus, gicd + GICD_CTLR, 8, &wide), BUS_OK);
	EXPECT_EQ(wide, 0u);
	EXPECT_EQ(read(gicc + GICC_PMR, 2), 0u);
	// priorities are byte-accessible, also as words
	write(gicd + GICD_IPRIORITYR + 44, 0x10203040);
	EXPECT_EQ(read(gicd + GICD_IPRIORITYR + 44), 0x10203040u);
	EXPECT_EQ(read(gicd + GICD_IPRIORITYR + 46, 2), 0x1020u);
	write(gicd + GICD_ITARGETSR + 44, 0xffffffff);
	EXPECT_EQ(read(gicd + GICD_ITARGETSR + 44), 0x01010101u) << "only CPU 0 exists";
}

TEST_F(IrqBench, GicResetWiringRejectsBadSpecifiers)
{
	int node = fdt_path_offset(machine.fdt, "/pl011@9000000");
	struct irq_line line = {};
	EXPECT_LT(irq_connect(&machine, node, 1, &line), 0);
	EXPECT_NE(std::string(error_message()).find("lists no interrupt 1"), std::string::npos) << error_message();
	EXPECT_EQ(irq_count(&machine, fdt_path_offset(machine.fdt, "/timer")), 4u);
	EXPECT_EQ(irq_count(&machine, fdt_path_offset(machine.fdt, "/sim-control@b000000")), 0u);
}

// ---- GICv2 with several CPU interfaces ----

// virt.dtb with `count` CPU nodes (cpu@0 copied, reg = n), written to `path`.
std::string board_with_cpus(const qvp_test::TempDir &dir, unsigned count)
{
	std::string blob = qvp_test::read_file(build_path("platforms/virt.dtb"));
	blob.resize(blob.size() + 4096);
	void *fdt = &blob[0];
	EXPECT_EQ(fdt_open_into(fdt, fdt, int(blob.size())), 0);
	int cpus = fdt_path_offset(fdt, "/cpus");
	for (unsigned n = count - 1; n >= 1; n--) { // added first-child, so descending keeps cpu@N order
		int node = fdt_add_subnode(fdt, cpus, ("cpu@" + std::to_string(n)).c_str());
		EXPECT_GE(node, 0);
		fdt_setprop_string(fdt, node, "device_type", "cpu");
		fdt_setprop_string(fdt, node, "compatible", "arm,cortex-a57");
		fdt_setprop_u32(fdt, node, "reg", n);
		fdt_setprop_string(fdt, node, "enable-method", "psci");
	}
	fdt_pack(fdt);
	std::string path = dir.path("board.dtb");
	qvp_test::write_file(path, std::string(static_cast<const char *>(fdt), fdt_totalsize(fdt)));
	return path;
}

// Four CPU interfaces; the bench plays each CPU in turn through machine.current_cpu.
class GicSmpBench : public IrqBench {
protected:
	void SetUp() override
	{
		build(board_with_cpus(dir, 4));
	}
	void as_cpu(unsigned cpu)
	{
		machine.current_cpu = cpu;
	}
	bool irq_of(unsigned cpu) const
	{
		return machine.line_level[cpu][CPU_LINE_IRQ];
	}
	void enable_cpu_interfaces()
	{
		write(gicd + GICD_CTLR, GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
		for (unsigned cpu = 0; cpu < 4; cpu++) {
			as_cpu(cpu);
			write(gicc + GICC_CTLR, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1);
			write(gicc + GICC_PMR, 0xff);
		}
		as_cpu(0);
	}
	qvp_test::TempDir dir;
};

TEST_F(GicSmpBench, TyperCountsTheCpusAndBankedTargetsNameTheReader)
{
	EXPECT_EQ(read(gicd + GICD_TYPER) >> 5 & 7, 3u);
	for (unsigned cpu = 0; cpu < 4; cpu++) {
		as_cpu(cpu);
		EXPECT_EQ(read(gicd + GICD_ITARGETSR + 27, 1), 1u << cpu);
	}
	write(gicd + GICD_ITARGETSR + 40, 0xff, 1);
	EXPECT_EQ(read(gicd + GICD_ITARGETSR + 40, 1), 0x0fu) << "four CPUs exist";
}

TEST_F(GicSmpBench, SgisReachTheTargetListOthersOrSelfWithTheirSource)
{
	enable_cpu_interfaces();
	write(gicd + GICD_SGIR, GICD_SGIR_FILTER_LIST | 0x06u << 16 | 1); // CPU 0 to CPUs 1 and 2
	EXPECT_FALSE(irq_of(0));
	EXPECT_TRUE(irq_of(1));
	EXPECT_TRUE(irq_of(2));
	EXPECT_FALSE(irq_of(3));
	as_cpu(2);
	write(gicd + GICD_SGIR, GICD_SGIR_FILTER_OTHERS | 1); // CPU 2 to 0, 1 and 3
	EXPECT_EQ(read(gicd + GICD_SPENDSGIR + 1, 1), 0x01u) << "CPU 2 has SGI 1 from CPU 0 only";
	EXPECT_EQ(read(gicc + GICC_IAR), 1u);
	write(gicc + GICC_EOIR, 1);
	EXPECT_FALSE(irq_of(2));
	as_cpu(1);
	EXPECT_EQ(read(gicd + GICD_SPENDSGIR + 1, 1), 0x05u) << "CPU 1 has SGI 1 from CPUs 0 and 2";
	EXPECT_EQ(read(gicc + GICC_IAR), 1u);            // the lowest source first
	write(gicc + GICC_EOIR, 1);
	EXPECT_EQ(read(gicc + GICC_IAR), 1u | 2u << 10); // then CPU 2's
	write(gicc + GICC_EOIR, 1);
	EXPECT_FALSE(irq_of(1));
	as_cpu(0);
	EXPECT_EQ(read(gicc + GICC_IAR), 1u | 2u << 10);
	as_cpu(3);
	EXPECT_EQ(read(gicc + GICC_IAR), 1u | 2u << 10);
	write(gicd + GICD_SGIR, GICD_SGIR_FILTER_SELF | 9);
	EXPECT_FALSE(irq_of(3)) << "SGI 1, active at the same priority, is not preempted";
	write(gicc + GICC_EOIR, 1);
	EXPECT_TRUE(irq_of(3));
	EXPECT_EQ(read(gicd + GICD_SPENDSGIR + 9, 1), 0x08u);
	write(gicd + GICD_CPENDSGIR + 9, 0x08, 1);
	EXPECT_FALSE(irq_of(3));
	EXPECT_EQ(read(gicc + GICC_HPPIR), unsigned(GICV2_SPURIOUS));
}

TEST_F(GicSmpBench, SpisGoToTheirTargetsAndPpisAreBanked)
{
	enable_cpu_interfaces();
	write(gicd + GICD_IPRIORITYR + 40, 0x80, 1);
	write(gicd + GICD_ITARGETSR + 40, 0x08, 1);
	write(gicd + GICD_ISENABLER + 4, 1u << 8);
	set_pending(40);
	EXPECT_TRUE(irq_of(3));
	EXPECT_FALSE(irq_of(0));
	write(gicd + GICD_ITARGETSR + 40, 0x02, 1);
	EXPECT_FALSE(irq_of(3));
	EXPECT_TRUE(irq_of(1));
	as_cpu(1);
	EXPECT_EQ(read(gicc + GICC_IAR), 40u);
	EXPECT_FALSE(irq_of(1));
	// PPI 27: enabled on CPU 2 only, raised on CPUs 0 and 2: only CPU 2 is signalled
	as_cpu(2);
	write(gicd + GICD_ISENABLER, 1u << 27);
	EXPECT_EQ(read(gicd + GICD_ISENABLER) >> 27 & 1, 1u);
	as_cpu(0);
	EXPECT_EQ(read(gicd + GICD_ISENABLER) >> 27 & 1, 0u);
	struct irq_line cpu0 = line_of("/timer", 2); // the virtual timer's PPI
	struct irq_line cpu2 = cpu0;
	cpu2.input += GICV2_PPI_INPUT(2, 0);
	irq_line_set(&cpu0, true);
	irq_line_set(&cpu2, true);
	EXPECT_FALSE(irq_of(0));
	EXPECT_TRUE(irq_of(2));
	as_cpu(2);
	EXPECT_EQ(read(gicc + GICC_IAR), 27u);
	EXPECT_EQ(read(gicd + GICD_ISPENDR) >> 27 & 1, 1u) << "a level input still high stays pending";
	as_cpu(0);
	EXPECT_EQ(read(gicd + GICD_ISACTIVER) >> 27 & 1, 0u) << "CPU 0's PPI 27 is its own";
}

// Each CPU has its own virtual timer on its own PPI 27; the counter is the board's.
TEST_F(GicSmpBench, EachCpuHasItsOwnTimers)
{
	enable_cpu_interfaces();
	for (unsigned cpu = 1; cpu <= 2; cpu++) {
		as_cpu(cpu);
		write(gicd + GICD_IPRIORITYR + 27, 0x80, 1);
		write(gicd + GICD_ISENABLER, 1u << 27);
		EXPECT_TRUE(set_sysreg(GT_CNTV_CVAL_EL0, 1000 * cpu));
		EXPECT_TRUE(set_sysreg(GT_CNTV_CTL_EL0, GT_CTL_ENABLE));
	}
	as_cpu(0);
	EXPECT_EQ(sysreg(GT_CNTV_CTL_EL0), 0u) << "CPU 0's timer is its own";
	EXPECT_EQ(sysreg(GT_CNTV_CVAL_EL0), 0u);
	advance_to(1000 * tick16);
	EXPECT_TRUE(irq_of(1));
	EXPECT_FALSE(irq_of(2));
	EXPECT_FALSE(irq_of(0));
	as_cpu(2);
	EXPECT_EQ(sysreg(GT_CNTV_TVAL_EL0), 1000u);
	EXPECT_EQ(sysreg(GT_CNTVCT_EL0), 1000u);
	advance_to(2000 * tick16);
	EXPECT_TRUE(irq_of(2));
	EXPECT_EQ(read(gicc + GICC_IAR), 27u);
	EXPECT_TRUE(set_sysreg(GT_CNTV_CTL_EL0, GT_CTL_ENABLE | GT_CTL_IMASK));
	EXPECT_FALSE(irq_of(2));
	EXPECT_TRUE(irq_of(1)) << "CPU 1's timer still fires";
}

TEST(GicBoard, MoreCpusThanTheGicServesIsAnError)
{
	qvp_test::TempDir dir;
	std::string dtb = board_with_cpus(dir, 9);
	struct machine machine = {};
	machine.bus = bus_create();
	machine.events = event_queue_create();
	EXPECT_LT(platform_build(&machine, dtb.c_str()), 0);
	EXPECT_NE(std::string(error_message()).find("the board has 9 CPUs; a GICv2 serves at most 8"), std::string::npos)
		<< error_message();
	qvp_test::release_board(&machine);
}

// ---- GICv2 virtualization extensions (--el2), against IHI 0048B chapter 5 ----

const uint64_t gich = 0x08030000;
const uint64_t gicv = 0x08040000;

// A list register: `state` 1 pending, 2 active, 3 both; priority the 8-bit value (5 bits kept).
uint32_t list_register(unsigned id, unsigned priority, unsigned state, bool group1 = false)
{
	return id | (priority >> 3) << GICH_LR_PRIORITY_SHIFT | state << GICH_LR_STATE_SHIFT |
	       (group1 ? uint32_t(GICH_LR_GROUP1) : 0u);
}

class GicVirtBench : public IrqBench {
protected:
	void SetUp() override
	{
		machine.config.start_el2 = true; // the tree gets GICH, GICV and the maintenance interrupt
		build(build_path("platforms/virt.dtb"));
	}
	bool virq() const
	{
		return cpu.line[CPU_LINE_VIRQ];
	}
	bool vfiq() const
	{
		return cpu.line[CPU_LINE_VFIQ];
	}
	// The maintenance interrupt as the distributor sees its input (PPI 25, level).
	bool maintenance()
	{
		return bit(gicd + GICD_ISPENDR, GICV2_MAINTENANCE_PPI);
	}
	// The hypervisor's interface on, the guest's Group 0 and 1 on and nothing masked.
	void enable_virtual()
	{
		write(gich + GICH_HCR, GICH_HCR_EN);
		write(gicv + GICC_CTLR, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_ACK_CTL);
		write(gicv + GICC_PMR, 0xff);
	}
};

TEST_F(GicVirtBench, TreeHasTheFramesAndTheMaintenanceInterruptAsQemuVirt)
{
	int gic = fdt_path_offset(machine.fdt, "/intc@8000000");
	int length = 0;
	const fdt32_t *reg = static_cast<const fdt32_t *>(fdt_getprop(machine.fdt, gic, "reg", &length));
	const fdt32_t *irq = static_cast<const fdt32_t *>(fdt_getprop(machine.fdt, gic, "interrupts", nullptr));

	ASSERT_EQ(length, 4 * 16);
	EXPECT_EQ(fdt32_to_cpu(reg[9]), 0x08030000u);
	EXPECT_EQ(fdt32_to_cpu(reg[11]), 0x10000u);
	EXPECT_EQ(fdt32_to_cpu(reg[13]), 0x08040000u);
	EXPECT_EQ(fdt32_to_cpu(reg[15]), 0x10000u);
	ASSERT_NE(irq, nullptr);
	EXPECT_EQ(fdt32_to_cpu(irq[0]), 1u); // PPI 9: ID 25
	EXPECT_EQ(fdt32_to_cpu(irq[1]), 9u);
	EXPECT_EQ(fdt32_to_cpu(irq[2]), 4u);
}

TEST_F(IrqBench, WithoutEl2ThereAreNoVirtualizationFrames)
{
	uint64_t value = 0;
	EXPECT_NE(bus_read(machine.bus, gich + GICH_VTR, 4, &value), BUS_OK);
	EXPECT_NE(bus_read(machine.bus, gicv + GICC_IAR, 4, &value), BUS_OK);
}

TEST_F(GicVirtBench, ResetState)
{
	EXPECT_EQ(read(gich + GICH_VTR), 0x90000003u); // 4 LRs, 5 preemption and 5 priority bits
	EXPECT_EQ(read(gich + GICH_HCR), 0u);
	EXPECT_EQ(read(gich + GICH_VMCR), 2u << 21 | 3u << 18); // the minimum binary points
	EXPECT_EQ(read(gich + GICH_ELRSR0), 0xfu);               // every LR empty
	EXPECT_EQ(read(gich + GICH_ELRSR1), 0u);
	EXPECT_EQ(read(gich + GICH_EISR0), 0u);
	EXPECT_EQ(read(gich + GICH_MISR), 0u);
	EXPECT_EQ(read(gicv + GICC_BPR), 2u);
	EXPECT_EQ(read(gicv + GICC_ABPR), 3u);
	EXPECT_EQ(read(gicv + GICC_RPR), 0xffu);
	EXPECT_EQ(read(gicv + GICC_IAR), unsigned(GICV2_SPURIOUS));
	EXPECT_EQ(read(gicv + GICC_IIDR), GICV2_GICC_IIDR);
	EXPECT_FALSE(virq());
	EXPECT_FALSE(maintenance());
}

TEST_F(GicVirtBench, VmcrIsTheGuestsCtlrPmrAndBinaryPoints)
{
	write(gicv + GICC_CTLR, GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_FIQ_EN | GICC_CTLR_EOI_MODE);
	write(gicv + GICC_PMR, 0xa8);
	write(gicv + GICC_BPR, 5);
	write(gicv + GICC_ABPR, 6);
	EXPECT_EQ(read(gich + GICH_VMCR), 0x15u << 27 | 5u << 21 | 6u << 18 | 0x20au);
	write(gich + GICH_VMCR, 0x1fu << 27 | 1u << 21 | 0u << 18 | 1u);
	EXPECT_EQ(read(gicv + GICC_CTLR), 1u);
	EXPECT_EQ(read(gicv + GICC_PMR), 0xf8u);
	EXPECT_EQ(read(gicv + GICC_BPR), 2u) << "below the minimum: the minimum";
	EXPECT_EQ(read(gicv + GICC_ABPR), 3u);
}

TEST_F(GicVirtBench, PendingListRegisterIsAVirtualIrqUntilAcknowledged)
{
	enable_virtual();
	write(gich + GICH_LR0 + 4, list_register(42, 0xa0, 1));
	EXPECT_TRUE(virq());
	EXPECT_FALSE(irq()) << "the physical line is not involved";
	EXPECT_EQ(read(gich + GICH_ELRSR0), 0xdu);
	EXPECT_EQ(read(gicv + GICC_HPPIR), 42u);
	EXPECT_EQ(read(gicv + GICC_IAR), 42u);
	EXPECT_FALSE(virq());
	EXPECT_EQ(read(gich + GICH_LR0 + 4) >> GICH_LR_STATE_SHIFT & 3, 2u) << "active";
	EXPECT_EQ(read(gicv + GICC_RPR), 0xa0u);
	EXPECT_EQ(read(gich + GICH_APR), 1u << (0xa0 >> 3));
	write(gicv + GICC_EOIR, 42);
	EXPECT_EQ(read(gich + GICH_LR0 + 4), list_register(42, 0xa0, 0));
	EXPECT_EQ(read(gich + GICH_APR), 0u);
	EXPECT_EQ(read(gich + GICH_ELRSR0), 0xfu);
}

TEST_F(GicVirtBench, NothingIsSignalledWithoutEnOrTheGroupOrAboveTheMask)
{
	write(gich + GICH_LR0, list_register(40, 0x80, 1));
	write(gicv + GICC_CTLR, GICC_CTLR_ENABLE_GRP0);
	write(gicv + GICC_PMR, 0xff);
	EXPECT_FALSE(virq()) << "GICH_HCR.En clear";
	write(gich + GICH_HCR, GICH_HCR_EN);
	EXPECT_TRUE(virq());
	write(gicv + GICC_PMR, 0x80);
	EXPECT_FALSE(virq()) << "priority 0x80 is not above the mask 0x80";
	EXPECT_EQ(read(gicv + GICC_IAR), unsigned(GICV2_SPURIOUS));
	write(gicv + GICC_PMR, 0xff);
	write(gicv + GICC_CTLR, GICC_CTLR_ENABLE_GRP1);
	EXPECT_FALSE(virq()) << "Group 0 disabled";
}

TEST_F(GicVirtBench, HighestPriorityFirstAndPreemptionByGroupPriority)
{
	enable_virtual();
	write(gich + GICH_LR0, list_register(50, 0xc0, 1));
	write(gich + GICH_LR0 + 8, list_register(51, 0x40, 1));
	write(gich + GICH_LR0 + 12, list_register(52, 0x48, 1));
	EXPECT_EQ(read(gicv + GICC_IAR), 51u);
	EXPECT_FALSE(virq()) << "0x48 cannot preempt the active 0x40";
	EXPECT_EQ(read(gicv + GICC_IAR), unsigned(GICV2_SPURIOUS));
	write(gich + GICH_LR0 + 4, list_register(53, 0x38, 1));
	EXPECT_TRUE(virq()) << "0x38 preempts 0x40";
	EXPECT_EQ(read(gicv + GICC_IAR), 53u);
	EXPECT_EQ(read(gicv + GICC_RPR), 0x38u);
	write(gicv + GICC_EOIR, 53);
	EXPECT_EQ(read(gicv + GICC_RPR), 0x40u) << "the priority drop takes the highest active priority";
	write(gicv + GICC_EOIR, 51);
	EXPECT_EQ(read(gicv + GICC_IAR), 52u);
	write(gicv + GICC_EOIR, 52);
	EXPECT_EQ(read(gicv + GICC_IAR), 50u);
}

TEST_F(GicVirtBench, GroupZeroIsAVirtualFiqWithFiqEnAndGroupOneNeedsAckCtl)
{
	write(gich + GICH_HCR, GICH_HCR_EN);
	write(gicv + GICC_CTLR, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_FIQ_EN);
	write(gicv + GICC_PMR, 0xff);
	write(gich + GICH_LR0, list_register(33, 0x80, 1));
	EXPECT_TRUE(vfiq());
	EXPECT_FALSE(virq());
	write(gich + GICH_LR0, list_register(33, 0x80, 1, true));
	EXPECT_TRUE(virq());
	EXPECT_FALSE(vfiq());
	EXPECT_EQ(read(gicv + GICC_IAR), unsigned(GICV2_SPURIOUS_GRP1));
	EXPECT_EQ(read(gicv + GICC_HPPIR), unsigned(GICV2_SPURIOUS_GRP1));
}

TEST_F(GicVirtBench, SoftwareSgiGivesItsSourceCpuInIar)
{
	enable_virtual();
	write(gich + GICH_LR0, list_register(3, 0x80, 1) | 2u << 10);
	EXPECT_EQ(read(gicv + GICC_IAR), 3u | 2u << 10);
}

TEST_F(GicVirtBench, EoiMaintenanceInterruptOnPpi25)
{
	enable_virtual();
	write(gich + GICH_LR0 + 4, list_register(44, 0x80, 1) | GICH_LR_EOI);
	EXPECT_EQ(read(gicv + GICC_IAR), 44u);
	EXPECT_FALSE(maintenance());
	write(gicv + GICC_EOIR, 44);
	EXPECT_EQ(read(gich + GICH_EISR0), 2u);
	EXPECT_EQ(read(gich + GICH_ELRSR0), 0xdu) << "not empty while it holds the EOI request";
	EXPECT_EQ(read(gich + GICH_MISR), unsigned(GICH_MISR_EOI));
	EXPECT_TRUE(maintenance());
	write(gich + GICH_HCR, 0);
	EXPECT_FALSE(maintenance()) << "GICH_HCR.En gates it";
	write(gich + GICH_HCR, GICH_HCR_EN);
	write(gich + GICH_LR0 + 4, 0);
	EXPECT_FALSE(maintenance());
	EXPECT_EQ(read(gich + GICH_ELRSR0), 0xfu);
}

TEST_F(GicVirtBench, HardwareListRegisterDeactivatesThePhysicalInterrupt)
{
	enable_gic();
	enable_irq(40, 0x80);
	set_pending(40);
	EXPECT_EQ(read(gicc + GICC_IAR), 40u);
	write(gicc + GICC_CTLR, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_EOI_MODE);
	write(gicc + GICC_EOIR, 40); // the hypervisor drops its priority, leaves it active for the guest
	EXPECT_TRUE(bit(gicd + GICD_ISACTIVER, 40));
	enable_virtual();
	write(gich + GICH_LR0, list_register(40, 0x80, 1) | GICH_LR_HW | 40u << GICH_LR_PHYSICAL_ID_SHIFT);
	EXPECT_EQ(read(gicv + GICC_IAR), 40u);
	write(gicv + GICC_EOIR, 40);
	EXPECT_FALSE(bit(gicd + GICD_ISACTIVER, 40)) << "deactivated through the LR";
	EXPECT_EQ(read(gich + GICH_EISR0), 0u) << "HW LRs make no EOI maintenance request";
}

TEST_F(GicVirtBench, EoiModeSplitsDropAndDirDeactivates)
{
	enable_virtual();
	write(gicv + GICC_CTLR, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_EOI_MODE);
	write(gich + GICH_LR0, list_register(60, 0x80, 1));
	EXPECT_EQ(read(gicv + GICC_IAR), 60u);
	write(gicv + GICC_EOIR, 60);
	EXPECT_EQ(read(gich + GICH_APR), 0u);
	EXPECT_EQ(read(gich + GICH_LR0) >> GICH_LR_STATE_SHIFT & 3, 2u) << "still active";
	write(gicv + GICC_DIR, 60);
	EXPECT_EQ(read(gich + GICH_LR0) >> GICH_LR_STATE_SHIFT & 3, 0u);
}

TEST_F(GicVirtBench, EoiWithoutAListRegisterCountsInHcr)
{
	enable_virtual();
	write(gich + GICH_HCR, GICH_HCR_EN | GICH_HCR_LRENPIE);
	write(gich + GICH_LR0, list_register(61, 0x80, 1));
	EXPECT_EQ(read(gicv + GICC_IAR), 61u);
	write(gich + GICH_LR0, 0); // the hypervisor took the LR back while it was active
	EXPECT_FALSE(maintenance());
	write(gicv + GICC_EOIR, 61);
	EXPECT_EQ(read(gich + GICH_HCR) >> GICH_HCR_EOICOUNT_SHIFT, 1u);
	EXPECT_EQ(read(gich + GICH_MISR), unsigned(GICH_MISR_LRENP));
	EXPECT_TRUE(maintenance());
}

TEST_F(GicVirtBench, UnderflowNoPendingAndGroupEnableMaintenance)
{
	write(gich + GICH_HCR, GICH_HCR_EN | GICH_HCR_UIE | GICH_HCR_NPIE);
	EXPECT_EQ(read(gich + GICH_MISR), unsigned(GICH_MISR_U | GICH_MISR_NP));
	write(gich + GICH_LR0, list_register(70, 0x80, 1));
	write(gich + GICH_LR0 + 4, list_register(71, 0x80, 2));
	EXPECT_EQ(read(gich + GICH_MISR), 0u) << "two valid LRs, one of them pending";
	write(gich + GICH_HCR, GICH_HCR_EN | GICH_HCR_VGRP0EIE | GICH_HCR_VGRP1DIE);
	write(gicv + GICC_CTLR, GICC_CTLR_ENABLE_GRP0);
	EXPECT_EQ(read(gich + GICH_MISR), unsigned(GICH_MISR_VGRP0E | GICH_MISR_VGRP1D));
	EXPECT_TRUE(maintenance());
}

TEST_F(GicVirtBench, ReservedOffsetsAndListRegisterBitsAreRazWi)
{
	write(gich + GICH_LR0, 0xffffffffu);
	EXPECT_EQ(read(gich + GICH_LR0), 0xff8fffffu) << "bits 22:20 reserved";
	write(gich + GICH_HCR, 0xffffffffu);
	EXPECT_EQ(read(gich + GICH_HCR), 0xf80000ffu);
	write(gich + 0x0c, 5);
	EXPECT_EQ(read(gich + 0x0c), 0u);
	EXPECT_EQ(read(gich + GICH_LR0 + 4 * GICV2_NUM_LRS), 0u) << "no fifth LR";
	EXPECT_EQ(read(gicv + GICC_AIAR), 0u);
	EXPECT_EQ(read(gich + GICH_VTR, 2), 0u) << "word accesses only";
}

class GicVirtSmpBench : public GicSmpBench {
protected:
	void SetUp() override
	{
		machine.config.start_el2 = true;
		build(board_with_cpus(dir, 4));
	}
};

TEST_F(GicVirtSmpBench, EachCpuHasItsOwnListRegistersAndMaintenancePpi)
{
	for (unsigned cpu = 0; cpu < 4; cpu++) {
		as_cpu(cpu);
		write(gich + GICH_HCR, GICH_HCR_EN);
		write(gicv + GICC_CTLR, GICC_CTLR_ENABLE_GRP0);
		write(gicv + GICC_PMR, 0xff);
	}
	as_cpu(2);
	write(gich + GICH_LR0, list_register(45, 0x80, 1) | GICH_LR_EOI);
	EXPECT_TRUE(machine.line_level[2][CPU_LINE_VIRQ]);
	EXPECT_FALSE(machine.line_level[1][CPU_LINE_VIRQ]);
	as_cpu(1);
	EXPECT_EQ(read(gich + GICH_LR0), 0u);
	EXPECT_EQ(read(gicv + GICC_IAR), unsigned(GICV2_SPURIOUS));
	as_cpu(2);
	EXPECT_EQ(read(gicv + GICC_IAR), 45u);
	write(gicv + GICC_EOIR, 45);
	EXPECT_TRUE(bit(gicd + GICD_ISPENDR, GICV2_MAINTENANCE_PPI)) << "CPU 2's maintenance PPI";
	as_cpu(1);
	EXPECT_FALSE(bit(gicd + GICD_ISPENDR, GICV2_MAINTENANCE_PPI));
}

// ---- generic timer ----

TEST_F(IrqBench, TimerCounterIsVirtualTimeTimesFrequency)
{
	EXPECT_EQ(sysreg(GT_CNTFRQ_EL0), uint64_t(GT_DEFAULT_FREQUENCY));
	EXPECT_EQ(sysreg(GT_CNTVCT_EL0), 0u);
	advance_to(tick16 - 1);
	EXPECT_EQ(sysreg(GT_CNTVCT_EL0), 0u);
	advance_to(tick16);
	EXPECT_EQ(sysreg(GT_CNTVCT_EL0), 1u);
	advance_to(VTIME_S);
	EXPECT_EQ(sysreg(GT_CNTVCT_EL0), 62500000u);
	EXPECT_EQ(sysreg(GT_CNTPCT_EL0), 62500000u);
	advance_to(VTIME_NEVER - 1); // ~213 days: no overflow on the way
	EXPECT_EQ(sysreg(GT_CNTVCT_EL0), uint64_t((unsigned __int128)(VTIME_NEVER - 1) * 62500000 / VTIME_S));
	EXPECT_FALSE(set_sysreg(GT_CNTVCT_EL0, 5)) << "read-only";
	EXPECT_TRUE(set_sysreg(GT_CNTFRQ_EL0, 1000));
	EXPECT_EQ(sysreg(GT_CNTFRQ_EL0), 1000u);
	EXPECT_EQ(sysreg(GT_CNTVCT_EL0), uint64_t((unsigned __int128)(VTIME_NEVER - 1) * 62500000 / VTIME_S))
		<< "CNTFRQ only tells software the rate";
}

TEST_F(IrqBench, VirtualTimerFiresAtExactlyCvalThroughTheGic)
{
	enable_gic();
	enable_irq(27, 0x80);
	EXPECT_TRUE(set_sysreg(GT_CNTV_CVAL_EL0, 1000));
	EXPECT_TRUE(set_sysreg(GT_CNTV_CTL_EL0, GT_CTL_ENABLE));
	EXPECT_EQ(event_queue_next_time(machine.events), 1000 * tick16);
	advance_to(1000 * tick16 - 1);
	EXPECT_FALSE(irq());
	EXPECT_EQ(sysreg(GT_CNTV_CTL_EL0), uint64_t(GT_CTL_ENABLE));
	EXPECT_EQ(sysreg(GT_CNTV_TVAL_EL0), 1u);
	advance_to(1000 * tick16);
	EXPECT_TRUE(irq());
	EXPECT_EQ(sysreg(GT_CNTV_CTL_EL0), uint64_t(GT_CTL_ENABLE | GT_CTL_ISTATUS));
	EXPECT_EQ(read(gicc + GICC_IAR), 27u);
	// the handler masks it: the level drops, ISTATUS stays
	EXPECT_TRUE(set_sysreg(GT_CNTV_CTL_EL0, GT_CTL_ENABLE | GT_CTL_IMASK));
	write(gicc + GICC_EOIR, 27);
	EXPECT_FALSE(bit(gicd + GICD_ISPENDR, 27));
	EXPECT_EQ(sysreg(GT_CNTV_CTL_EL0), uint64_t(GT_CTL_ENABLE | GT_CTL_IMASK | GT_CTL_ISTATUS));
	advance_to(1010 * tick16);
	EXPECT_EQ(sysreg(GT_CNTV_TVAL_EL0), uint64_t(uint32_t(-10))) << "TVAL counts on below zero";
}

TEST_F(IrqBench, PhysicalTimerUsesItsOwnPpiAndTval)
{
	enable_gic();
	enable_irq(30, 0x80);
	advance_to(100 * tick16);
	EXPECT_TRUE(set_sysreg(GT_CNTP_TVAL_EL0, 50));
	EXPECT_EQ(sysreg(GT_CNTP_CVAL_EL0), 150u);
	EXPECT_TRUE(set_sysreg(GT_CNTP_CTL_EL0, GT_CTL_ENABLE));
	advance_to(150 * tick16);
	EXPECT_TRUE(irq());
	EXPECT_EQ(read(gicc + GICC_HPPIR), 30u);
	EXPECT_TRUE(set_sysreg(GT_CNTP_CTL_EL0, 0)); // disabled: the line drops
	EXPECT_FALSE(irq());
	EXPECT_EQ(sysreg(GT_CNTP_CTL_EL0), 0u);
}

TEST_F(IrqBench, TimerInThePastFiresAtOnceAndAtTheEndOfTimeNever)
{
	enable_gic();
	enable_irq(27, 0x80);
	// wrapping: at count 0 a negative TVAL makes CVAL near 2^64, never reached
	EXPECT_TRUE(set_sysreg(GT_CNTV_CTL_EL0, GT_CTL_ENABLE));
	EXPECT_TRUE(set_sysreg(GT_CNTV_TVAL_EL0, uint32_t(-1)));
	EXPECT_EQ(sysreg(GT_CNTV_CVAL_EL0), UINT64_MAX);
	EXPECT_FALSE(irq()) << "count >= CVAL is an unsigned comparison";
	EXPECT_EQ(event_queue_length(machine.events), 0u);
	advance_to(VTIME_MS);
	EXPECT_TRUE(set_sysreg(GT_CNTV_CVAL_EL0, 5));
	EXPECT_TRUE(set_sysreg(GT_CNTV_CTL_EL0, GT_CTL_ENABLE));
	EXPECT_TRUE(irq());
	EXPECT_EQ(event_queue_length(machine.events), 0u);
	EXPECT_TRUE(set_sysreg(GT_CNTV_CVAL_EL0, UINT64_MAX));
	EXPECT_FALSE(irq());
	EXPECT_EQ(event_queue_length(machine.events), 0u) << "CVAL past the end of virtual time: no event";
	advance_to(40 * VTIME_S); // 2.5e9 counts: TVAL -2^31 is in the past
	EXPECT_TRUE(set_sysreg(GT_CNTV_TVAL_EL0, uint32_t(INT32_MIN)));
	EXPECT_TRUE(irq());
	EXPECT_EQ(sysreg(GT_CNTV_TVAL_EL0), uint64_t(uint32_t(INT32_MIN)));
	EXPECT_EQ(event_queue_length(machine.events), 0u);
}

TEST_F(IrqBench, TimerEventDuringARunCutsTheRunShort)
{
	machine.cpu_running = true;
	machine.run_deadline = 100 * VTIME_US;
	EXPECT_TRUE(set_sysreg(GT_CNTV_CVAL_EL0, 100));
	EXPECT_TRUE(set_sysreg(GT_CNTV_CTL_EL0, GT_CTL_ENABLE));
	EXPECT_EQ(cpu.kicks, 1u);
	EXPECT_EQ(machine.run_deadline, 100 * tick16);
	machine.cpu_running = false;
}

TEST_F(IrqBench, El0AccessFollowsCntkctl)
{
	EXPECT_FALSE(sysreg_read_ok(GT_CNTVCT_EL0, 0));
	EXPECT_FALSE(sysreg_read_ok(GT_CNTFRQ_EL0, 0));
	EXPECT_FALSE(sysreg_read_ok(GT_CNTKCTL_EL1, 0));
	EXPECT_TRUE(set_sysreg(GT_CNTKCTL_EL1, GT_CNTKCTL_EL0VCTEN));
	EXPECT_TRUE(sysreg_read_ok(GT_CNTVCT_EL0, 0));
	EXPECT_TRUE(sysreg_read_ok(GT_CNTFRQ_EL0, 0));
	EXPECT_FALSE(sysreg_read_ok(GT_CNTPCT_EL0, 0));
	EXPECT_FALSE(set_sysreg(GT_CNTFRQ_EL0, 1, 0));
	EXPECT_FALSE(set_sysreg(GT_CNTV_CTL_EL0, 1, 0));
	EXPECT_TRUE(set_sysreg(GT_CNTKCTL_EL1, GT_CNTKCTL_EL0VTEN | GT_CNTKCTL_EL0PTEN | GT_CNTKCTL_EL0PCTEN));
	EXPECT_TRUE(set_sysreg(GT_CNTV_CTL_EL0, 0, 0));
	EXPECT_TRUE(sysreg_read_ok(GT_CNTP_CVAL_EL0, 0));
	EXPECT_TRUE(sysreg_read_ok(GT_CNTPCT_EL0, 0));
	uint64_t value;
	const struct iss_sysreg_hook *hook = machine.sysreg_hooks[0];
	EXPECT_FALSE(hook->read(hook->opaque, GT_SYSREG(3, 3, 14, 0, 5), 1, &value)) << "not a timer register";
}

// ---- SP804 ----

TEST_F(IrqBench, Sp804ResetAndIdentification)
{
	EXPECT_EQ(read(sp804 + SP804_VALUE), 0xffffffffu);
	EXPECT_EQ(read(sp804 + SP804_CONTROL), uint32_t(SP804_CTRL_INTEN));
	EXPECT_EQ(read(sp804 + SP804_PERIPH_ID0), 0x04u);
	EXPECT_EQ(read(sp804 + SP804_PERIPH_ID0 + 4), 0x18u);
	EXPECT_EQ(read(sp804 + 0x40), 0u); // reserved
}

TEST_F(IrqBench, Sp804PeriodicInterruptsEveryLoadPlusOneTicks)
{
	enable_gic();
	enable_irq(42, 0x80);
	write(sp804 + SP804_LOAD, 99); // 1 MHz: 100 us per period
	write(sp804 + SP804_CONTROL, SP804_CTRL_ENABLE | SP804_CTRL_PERIODIC | SP804_CTRL_INTEN | SP804_CTRL_32BIT);
	advance_to(50 * VTIME_US);
	EXPECT_EQ(read(sp804 + SP804_VALUE), 49u);
	advance_to(99 * VTIME_US - 1);
	EXPECT_FALSE(irq());
	advance_to(99 * VTIME_US);
	EXPECT_TRUE(irq());
	EXPECT_EQ(read(sp804 + SP804_RIS), 1u);
	EXPECT_EQ(read(sp804 + SP804_MIS), 1u);
	EXPECT_EQ(read(sp804 + SP804_VALUE), 0u);
	write(sp804 + SP804_INTCLR, 0);
	EXPECT_FALSE(irq());
	advance_to(100 * VTIME_US);
	EXPECT_EQ(read(sp804 + SP804_VALUE), 99u) << "reloaded";
	EXPECT_EQ(event_queue_next_time(machine.events), 199 * VTIME_US);
	write(sp804 + SP804_BGLOAD, 9); // next period only
	advance_to(199 * VTIME_US);
	EXPECT_TRUE(irq());
	write(sp804 + SP804_INTCLR, 0);
	EXPECT_EQ(event_queue_next_time(machine.events), 209 * VTIME_US);
	write(sp804 + SP804_CONTROL, SP804_CTRL_PERIODIC | SP804_CTRL_32BIT); // stop: interrupts masked too
	EXPECT_EQ(event_queue_length(machine.events), 0u);
}

TEST_F(IrqBench, Sp804OneShotFreeRunningSixteenBitAndPrescale)
{
	const uint64_t t2 = sp804 + SP804_TIMER_STRIDE;
	write(t2 + SP804_LOAD, 10);
	write(t2 + SP804_CONTROL, SP804_CTRL_ENABLE | SP804_CTRL_ONESHOT | SP804_CTRL_INTEN | SP804_CTRL_32BIT);
	advance_to(10 * VTIME_US);
	EXPECT_EQ(read(t2 + SP804_RIS), 1u);
	advance_to(50 * VTIME_US);
	EXPECT_EQ(read(t2 + SP804_VALUE), 0u) << "a one-shot halts at zero";
	EXPECT_EQ(event_queue_length(machine.events), 0u);

	write(sp804 + SP804_LOAD, 5);
	write(sp804 + SP804_CONTROL, SP804_CTRL_ENABLE); // free-running, 16-bit, no prescale
	advance_to(50 * VTIME_US + 6 * VTIME_US);
	EXPECT_EQ(read(sp804 + SP804_VALUE), 0xffffu) << "wraps to the 16-bit maximum";
	EXPECT_EQ(read(sp804 + SP804_RIS), 1u);

	write(sp804 + SP804_LOAD, 1000);
	write(sp804 + SP804_CONTROL, SP804_CTRL_ENABLE | SP804_CTRL_32BIT | SP804_CTRL_PRESCALE_256);
	advance_to(56 * VTIME_US + 256 * 3 * VTIME_US);
	EXPECT_EQ(read(sp804 + SP804_VALUE), 997u);
}

TEST_F(IrqBench, Sp804PeriodicWithLoadZeroDoesNotStallTime)
{
	write(sp804 + SP804_LOAD, 0);
	write(sp804 + SP804_CONTROL, SP804_CTRL_ENABLE | SP804_CTRL_PERIODIC | SP804_CTRL_32BIT);
	EXPECT_EQ(event_queue_next_time(machine.events), VTIME_US);
	advance_to(VTIME_US);
	EXPECT_EQ(event_queue_next_time(machine.events), 2 * VTIME_US) << "one tick per period, never zero";
}

// ---- PL031 ----

TEST_F(IrqBench, Pl031CountsSecondsFromItsEpoch)
{
	EXPECT_EQ(read(rtc + PL031_DR), uint32_t(QVP_RTC_EPOCH));
	EXPECT_EQ(read(rtc + PL031_CR), 1u);
	advance_to(VTIME_S - 1);
	EXPECT_EQ(read(rtc + PL031_DR), uint32_t(QVP_RTC_EPOCH));
	advance_to(3 * VTIME_S + 5);
	EXPECT_EQ(read(rtc + PL031_DR), uint32_t(QVP_RTC_EPOCH + 3));
	write(rtc + PL031_LR, 100);
	EXPECT_EQ(read(rtc + PL031_DR), 100u);
	advance_to(4 * VTIME_S);
	EXPECT_EQ(read(rtc + PL031_DR), 101u) << "the 1 Hz clock ticks on whole seconds";
	EXPECT_EQ(read(rtc + PL031_PERIPH_ID0), 0x31u);
}

TEST_F(IrqBench, Pl031MatchInterruptAtTheExactSecond)
{
	enable_gic();
	enable_irq(34, 0x80);
	write(rtc + PL031_MR, uint32_t(QVP_RTC_EPOCH + 2));
	write(rtc + PL031_IMSC, 1);
	EXPECT_EQ(event_queue_next_time(machine.events), 2 * VTIME_S);
	advance_to(2 * VTIME_S - 1);
	EXPECT_FALSE(irq());
	advance_to(2 * VTIME_S);
	EXPECT_TRUE(irq());
	EXPECT_EQ(read(rtc + PL031_RIS), 1u);
	EXPECT_EQ(read(rtc + PL031_MIS), 1u);
	write(rtc + PL031_ICR, 1);
	EXPECT_FALSE(irq());
	write(rtc + PL031_MR, uint32_t(QVP_RTC_EPOCH + 2)); // equal now: matches at once
	EXPECT_TRUE(irq());
	write(rtc + PL031_IMSC, 0);
	EXPECT_FALSE(irq());
	write(rtc + PL031_MR, uint32_t(QVP_RTC_EPOCH + 1)); // 2^32 - 1 s away: past the end of time
	EXPECT_EQ(event_queue_length(machine.events), 0u);
}

// ---- wiring on other boards ----

const char custom_board[] = R"(/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x100000>; };
	timer {
		compatible = "arm,armv8-timer";
		interrupt-parent = <&gic>;
		interrupts = <1 13 4>, <1 14 4>, <1 11 4>, <1 10 4>;
		clock-frequency = <100000000>;
	};
	uart@9000000 {
		compatible = "arm,pl011";
		reg = <0 0x09000000 0 0x1000>;
		interrupts-extended = <&gic 0 5 4>;
	};
	gic: intc@8000000 { // after its devices: still built first
		compatible = "arm,gic-400";
		#interrupt-cells = <3>;
		interrupt-controller;
		reg = <0 0x08000000 0 0x1000>, <0 0x08010000 0 0x2000>;
	};
};
)";

class CustomBoard : public ::testing::Test {
protected:
	void TearDown() override
	{
		qvp_test::release_board(&machine);
		if (machine.console)
			fclose(machine.console);
	}
	int build(const std::string &dts)
	{
		std::string path = dir.path("board.dts");
		qvp_test::write_file(path, dts);
		machine.bus = bus_create();
		machine.events = event_queue_create();
		machine.console = fopen("/dev/null", "w");
		return platform_build(&machine, path.c_str());
	}
	uint32_t read(uint64_t address)
	{
		uint64_t value = 0;
		EXPECT_EQ(bus_read(machine.bus, address, 4, &value), BUS_OK) << std::hex << address;
		return uint32_t(value);
	}

	qvp_test::TempDir dir;
	struct machine machine = {};
};

TEST_F(CustomBoard, ControllerAfterItsDevicesInterruptsExtendedAndTimerFrequency)
{
	ASSERT_EQ(build(custom_board), 0) << error_message();
	EXPECT_STREQ(machine.models[0].path, "/intc@8000000");
	const struct iss_sysreg_hook *hook = machine.sysreg_hooks[0];
	uint64_t value = 0;
	ASSERT_TRUE(hook->read(hook->opaque, GT_CNTFRQ_EL0, 1, &value));
	EXPECT_EQ(value, 100000000u);
	machine.now = VTIME_S;
	ASSERT_TRUE(hook->read(hook->opaque, GT_CNTVCT_EL0, 1, &value));
	EXPECT_EQ(value, 100000000u);
	// the UART's SPI 5 is ID 37
	bus_write(machine.bus, 0x09000000 + PL011_IMSC, 4, PL011_INT_TX);
	bus_write(machine.bus, 0x09000000 + PL011_DR, 4, 'x');
	EXPECT_EQ(read(0x08000000 + GICD_ISPENDR + 4), 1u << 5);
}

TEST_F(CustomBoard, BadInterruptSpecifiersAreErrorsNamingTheNode)
{
	std::string board = custom_board;
	std::string bad = board;
	bad.replace(bad.find("<&gic 0 5 4>"), 12, "<&gic 0 500 4>");
	EXPECT_LT(build(bad), 0);
	EXPECT_NE(std::string(error_message()).find("/uart@9000000: interrupt 0: GIC interrupt <0 500>"),
		  std::string::npos)
		<< error_message();
	TearDown();
	machine = {};
	bad = board;
	bad.replace(bad.find("interrupt-controller;"), 21, "");
	EXPECT_LT(build(bad), 0);
	EXPECT_NE(std::string(error_message()).find("interrupt parent /intc@8000000 is not an interrupt controller"),
		  std::string::npos)
		<< error_message();
}

} // namespace
