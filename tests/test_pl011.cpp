// PL011 and simulation control driven through the bus, as the guest drives them.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "error.h"
#include "machine.h"
#include "models.h"
#include "pl011.h"
#include "platform.h"
#include "sim_control.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::TempDir;

namespace {

const uint64_t uart = 0x09000000;
const uint64_t control = 0x0b000000;

class DeviceTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		console_path = dir.path("console");
		machine.console = fopen(console_path.c_str(), "w");
		machine.bus = bus_create();
		machine.events = event_queue_create();
		ASSERT_EQ(platform_build(&machine, build_path("platforms/virt.dtb").c_str()), 0) << error_message();
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
	void write(uint64_t address, uint32_t value, unsigned size = 4)
	{
		EXPECT_EQ(bus_write(machine.bus, address, size, value), BUS_OK) << std::hex << address;
	}
	std::string console()
	{
		fflush(machine.console);
		return qvp_test::read_file(console_path);
	}

	struct machine machine = {};
	TempDir dir;
	std::string console_path;
};

TEST_F(DeviceTest, Pl011ResetValuesFollowTheTrm)
{
	EXPECT_EQ(read(uart + PL011_CR), PL011_CR_TXE | PL011_CR_RXE);
	EXPECT_EQ(read(uart + PL011_IFLS), 0x12u);
	EXPECT_EQ(read(uart + PL011_IMSC), 0u);
	EXPECT_EQ(read(uart + PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
	const uint32_t ids[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
	for (unsigned i = 0; i < 8; i++)
		EXPECT_EQ(read(uart + PL011_PERIPH_ID0 + 4 * i), ids[i]) << i;
}

TEST_F(DeviceTest, Pl011TransmitsEveryByteUnchanged)
{
	for (char c : std::string("ok\r\n\x01"))
		write(uart + PL011_DR, uint8_t(c), 1);
	write(uart + PL011_DR, 0x100 | 'z'); // only the data bits go out
	EXPECT_EQ(console(), std::string("ok\r\n\x01z"));
	EXPECT_FALSE(read(uart + PL011_FR) & PL011_FR_TXFF); // never full: the guest never waits
}

TEST_F(DeviceTest, Pl011InterruptStatusMaskAndClear)
{
	write(uart + PL011_DR, 'a');
	EXPECT_TRUE(read(uart + PL011_RIS) & PL011_INT_TX);
	EXPECT_EQ(read(uart + PL011_MIS), 0u); // masked
	write(uart + PL011_IMSC, PL011_INT_TX);
	EXPECT_EQ(read(uart + PL011_MIS), PL011_INT_TX);
	write(uart + PL011_ICR, PL011_INT_TX);
	EXPECT_EQ(read(uart + PL011_RIS) & PL011_INT_TX, 0u);
	EXPECT_EQ(read(uart + PL011_MIS), 0u);
	write(uart + PL011_RIS, 0xffff); // read-only
	EXPECT_EQ(read(uart + PL011_RIS), 0u);
}

TEST_F(DeviceTest, Pl011RegistersKeepOnlyTheirBits)
{
	write(uart + PL011_IBRD, 0xffffffff);
	write(uart + PL011_FBRD, 0xffffffff);
	write(uart + PL011_LCR_H, 0xffffffff);
	write(uart + PL011_IMSC, 0xffffffff);
	EXPECT_EQ(read(uart + PL011_IBRD), 0xffffu);
	EXPECT_EQ(read(uart + PL011_FBRD), 0x3fu);
	EXPECT_EQ(read(uart + PL011_LCR_H), 0xffu);
	EXPECT_EQ(read(uart + PL011_IMSC), 0x7ffu);
}

TEST_F(DeviceTest, Pl011ReservedOffsetsReadZeroAndIgnoreWrites)
{
	write(uart + 0x08, 0x1234);
	EXPECT_EQ(read(uart + 0x08), 0u);
	EXPECT_EQ(read(uart + 0x800), 0u);
	EXPECT_EQ(console(), "");
}

TEST_F(DeviceTest, SimControlIdentifiesItselfAndTakesTheExitCode)
{
	EXPECT_EQ(read(control + SIM_CONTROL_ID), SIM_CONTROL_ID_VALUE);
	EXPECT_EQ(machine.stop_cause, MACHINE_RUNNING);
	write(control + SIM_CONTROL_EXIT, 0x1ff); // the low 8 bits are the status
	EXPECT_EQ(machine.stop_cause, MACHINE_GUEST_EXIT);
	EXPECT_EQ(machine.exit_code, 0xff);
	write(control + SIM_CONTROL_EXIT, 5); // the first exit wins
	EXPECT_EQ(machine.exit_code, 0xff);
}

} // namespace
