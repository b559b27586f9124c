// Building boards from device trees with the real dtc and libfdt.
#include <gtest/gtest.h>

#include <string>

#include "error.h"
#include "machine.h"
#include "models.h"
#include "platform.h"
#include "pl011.h"
#include "sim_control.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::TempDir;
using qvp_test::write_file;

namespace {

const char board_head[] = "/dts-v1/;\n/ {\n #address-cells = <2>;\n #size-cells = <2>;\n"
			  " memory@40000000 { device_type = \"memory\"; reg = <0 0x40000000 0 0x100000>; };\n";

class PlatformTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		machine.bus = bus_create();
		machine.events = event_queue_create();
		machine.console = stdout;
	}
	void TearDown() override
	{
		qvp_test::release_board(&machine);
	}

	int build(const std::string &dts)
	{
		std::string path = dir.path("board.dts");
		write_file(path, dts);
		return platform_build(&machine, path.c_str());
	}

	struct machine machine = {};
	TempDir dir;
};

TEST_F(PlatformTest, VirtBoardHasQemuMemoryMap)
{
	ASSERT_EQ(platform_build(&machine, build_path("platforms/virt.dtb").c_str()), 0) << error_message();
	EXPECT_EQ(machine.ram_base, 0x40000000u);
	EXPECT_EQ(machine.ram_size, 0x8000000u);
	EXPECT_NE(bus_ram_pointer(machine.bus, 0x47fffff8, 8), nullptr);
	EXPECT_EQ(machine.time_per_instruction, VTIME_NS); // clock-frequency = 1 GHz
	uint64_t value;
	ASSERT_EQ(bus_read(machine.bus, 0x09000000 + PL011_FR, 4, &value), BUS_OK);
	EXPECT_TRUE(value & PL011_FR_TXFE);
	ASSERT_EQ(bus_read(machine.bus, 0x0b000000 + SIM_CONTROL_ID, 4, &value), BUS_OK);
	EXPECT_EQ(value, SIM_CONTROL_ID_VALUE);
	// the GIC's distributor and CPU interface, the RTC and the SP804 (see tests/test_irq.cpp)
	EXPECT_EQ(bus_read(machine.bus, 0x08000000, 4, &value), BUS_OK);
	EXPECT_EQ(bus_read(machine.bus, 0x08010000, 4, &value), BUS_OK);
	EXPECT_EQ(bus_read(machine.bus, 0x09010000, 4, &value), BUS_OK);
	EXPECT_EQ(bus_read(machine.bus, 0x09100000, 4, &value), BUS_OK);
}

TEST_F(PlatformTest, SourceAndBlobGiveTheSameBoard)
{
	ASSERT_EQ(platform_build(&machine, (std::string(QVP_SOURCE_DIR) + "/platforms/virt.dts").c_str()), 0)
		<< error_message();
	// interrupt controllers first, then the rest in device-tree order
	ASSERT_EQ(machine.model_count, 11u);
	EXPECT_STREQ(machine.models[0].path, "/intc@8000000");
	EXPECT_STREQ(machine.models[1].path, "/timer");
	EXPECT_STREQ(machine.models[2].path, "/pl011@9000000");
	EXPECT_STREQ(machine.models[3].path, "/pl031@9010000");
	EXPECT_STREQ(machine.models[4].path, "/sp804@9100000");
	EXPECT_STREQ(machine.models[5].path, "/virtio_mmio@a000000");
	EXPECT_STREQ(machine.models[8].path, "/virtio_mmio@a000600");
	EXPECT_STREQ(machine.models[9].path, "/sim-control@b000000");
	EXPECT_STREQ(machine.models[10].path, "/flash@0");
}

TEST_F(PlatformTest, SyntaxErrorNamesFileAndLine)
{
	EXPECT_LT(build(std::string(board_head) + " uart@9000000 { compatible = \"arm,pl011\" reg = <1>; };\n};\n"), 0);
	std::string message = error_message();
	EXPECT_NE(message.find("board.dts: does not compile"), std::string::npos) << message;
	EXPECT_NE(message.find("board.dts:6"), std::string::npos) << message; // dtc's file:line
}

TEST_F(PlatformTest, UnknownCompatibleIsAnErrorNamingTheNode)
{
	EXPECT_LT(build(std::string(board_head) +
			" widget@9000000 { compatible = \"acme,widget\", \"acme,thing\"; reg = <0 0x09000000 0 0x1000>; };\n};\n"),
		  0);
	std::string message = error_message();
	EXPECT_NE(message.find("/widget@9000000: no model for compatible \"acme,widget\""), std::string::npos)
		<< message;
}

TEST_F(PlatformTest, DisabledNodesAreSkipped)
{
	EXPECT_EQ(build(std::string(board_head) + " widget@9000000 { compatible = \"acme,widget\"; status = \"disabled\";"
						  " reg = <0 0x09000000 0 0x1000>; };\n};\n"),
		  0)
		<< error_message();
}

TEST_F(PlatformTest, LaterCompatibleEntryIsUsedWhenFirstIsUnknown)
{
	ASSERT_EQ(build(std::string(board_head) +
			" serial@9000000 { compatible = \"vendor,uart-v2\", \"arm,pl011\"; reg = <0 0x09000000 0 0x1000>; };\n};\n"),
		  0)
		<< error_message();
	uint64_t value;
	EXPECT_EQ(bus_read(machine.bus, 0x09000000 + PL011_PERIPH_ID0, 4, &value), BUS_OK);
	EXPECT_EQ(value, 0x11u);
}

TEST_F(PlatformTest, OverlappingDevicesAreRejected)
{
	EXPECT_LT(build(std::string(board_head) + " a@9000000 { compatible = \"arm,pl011\"; reg = <0 0x09000000 0 0x1000>; };\n"
						  " b@9000800 { compatible = \"qvp,sim-control\"; reg = <0 0x09000800 0 0x1000>; };\n};\n"),
		  0);
	std::string message = error_message();
	EXPECT_NE(message.find("/b@9000800"), std::string::npos) << message;
	EXPECT_NE(message.find("overlaps"), std::string::npos) << message;
}

TEST_F(PlatformTest, DeviceWithoutRegIsRejected)
{
	EXPECT_LT(build(std::string(board_head) + " uart { compatible = \"arm,pl011\"; };\n};\n"), 0);
	EXPECT_NE(std::string(error_message()).find("/uart: missing or malformed reg"), std::string::npos);
}

TEST_F(PlatformTest, BoardWithoutMemoryIsRejected)
{
	EXPECT_LT(build("/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; };\n"), 0);
	EXPECT_NE(std::string(error_message()).find("no memory node"), std::string::npos);
}

TEST_F(PlatformTest, CpuClockSetsTimePerInstruction)
{
	ASSERT_EQ(build(std::string(board_head) + " cpus { #address-cells = <1>; #size-cells = <0>;\n"
						  "  cpu@0 { device_type = \"cpu\"; compatible = \"arm,cortex-a57\"; reg = <0>;"
						  " clock-frequency = <250000000>; }; };\n};\n"),
		  0)
		<< error_message();
	EXPECT_EQ(machine.time_per_instruction, 4 * VTIME_NS);
}

TEST_F(PlatformTest, ZeroCpuClockIsRejected)
{
	EXPECT_LT(build(std::string(board_head) + " cpus { #address-cells = <1>; #size-cells = <0>;\n"
						  "  cpu@0 { device_type = \"cpu\"; reg = <0>; clock-frequency = <0>; }; };\n};\n"),
		  0);
	EXPECT_NE(std::string(error_message()).find("clock-frequency"), std::string::npos);
}

TEST_F(PlatformTest, GarbageBlobIsRejected)
{
	std::string path = dir.path("board.dtb");
	write_file(path, std::string(200, 'x'));
	EXPECT_LT(platform_build(&machine, path.c_str()), 0);
	EXPECT_NE(std::string(error_message()).find("board.dtb: not a valid device tree blob"), std::string::npos);
}

TEST_F(PlatformTest, TruncatedBlobIsRejected)
{
	std::string blob = qvp_test::read_file(build_path("platforms/virt.dtb"));
	ASSERT_GT(blob.size(), 100u);
	std::string path = dir.path("board.dtb");
	write_file(path, blob.substr(0, blob.size() - 40));
	EXPECT_LT(platform_build(&machine, path.c_str()), 0);
	EXPECT_NE(std::string(error_message()).find("not a valid device tree blob"), std::string::npos);
}

TEST_F(PlatformTest, MissingFileIsReported)
{
	EXPECT_LT(platform_build(&machine, "/nonexistent/board.dts"), 0);
	EXPECT_EQ(std::string(error_message()), "/nonexistent/board.dts: cannot open: No such file or directory");
}

} // namespace
