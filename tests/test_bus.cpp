// The bus routes every guest access: RAM to host memory, MMIO to models, the rest to errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bus.h"
#include "error.h"

namespace {

struct Access {
	bool write;
	uint64_t offset;
	unsigned size;
	uint64_t value;
};

struct FakeDevice { // a test double standing for any model: records what reaches it
	std::vector<Access> log;
	bool refuse = false;
};

bool device_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
	auto *device = static_cast<FakeDevice *>(opaque);
	device->log.push_back({ false, offset, size, 0 });
	*value = 0x1122334455667788ull >> (8 * (8 - size)) ^ offset;
	return !device->refuse;
}

bool device_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	auto *device = static_cast<FakeDevice *>(opaque);
	device->log.push_back({ true, offset, size, value });
	return !device->refuse;
}

const struct mmio_ops device_ops = { device_read, device_write };

class BusTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		bus = bus_create();
		ASSERT_EQ(bus_add_ram(bus, "ram", 0x40000000, 0x100000), 0);
		ASSERT_EQ(bus_add_mmio(bus, "uart", 0x09000000, 0x1000, &device_ops, &device), 0);
	}
	void TearDown() override { bus_destroy(bus); }

	struct bus *bus = nullptr;
	FakeDevice device;
};

TEST_F(BusTest, RamKeepsWhatIsWrittenAtEveryWidth)
{
	uint64_t value;
	ASSERT_EQ(bus_write(bus, 0x40000010, 8, 0x0102030405060708ull), BUS_OK);
	ASSERT_EQ(bus_read(bus, 0x40000010, 8, &value), BUS_OK);
	EXPECT_EQ(value, 0x0102030405060708ull);
	ASSERT_EQ(bus_read(bus, 0x40000010, 1, &value), BUS_OK);
	EXPECT_EQ(value, 0x08u); // little-endian
	ASSERT_EQ(bus_read(bus, 0x40000012, 2, &value), BUS_OK);
	EXPECT_EQ(value, 0x0506u);
	ASSERT_EQ(bus_write(bus, 0x40000014, 4, 0xdeadbeef), BUS_OK);
	ASSERT_EQ(bus_read(bus, 0x40000010, 8, &value), BUS_OK);
	EXPECT_EQ(value, 0xdeadbeef05060708ull);
}

TEST_F(BusTest, RamStartsZeroed)
{
	uint64_t value = 1;
	ASSERT_EQ(bus_read(bus, 0x400ffff8, 8, &value), BUS_OK);
	EXPECT_EQ(value, 0u);
}

TEST_F(BusTest, MmioGetsOffsetSizeAndValue)
{
	uint64_t value;
	ASSERT_EQ(bus_write(bus, 0x09000018, 4, 0xabcd), BUS_OK);
	ASSERT_EQ(bus_read(bus, 0x09000ffe, 2, &value), BUS_OK);
	ASSERT_EQ(device.log.size(), 2u);
	EXPECT_TRUE(device.log[0].write);
	EXPECT_EQ(device.log[0].offset, 0x18u);
	EXPECT_EQ(device.log[0].size, 4u);
	EXPECT_EQ(device.log[0].value, 0xabcdu);
	EXPECT_FALSE(device.log[1].write);
	EXPECT_EQ(device.log[1].offset, 0xffeu);
	EXPECT_EQ(device.log[1].size, 2u);
	EXPECT_EQ(value, (0x1122ull ^ 0xffe));
}

TEST_F(BusTest, UnclaimedAddressIsABusErrorNotACrash)
{
	uint64_t value = 99;
	EXPECT_EQ(bus_read(bus, 0x0, 4, &value), BUS_UNMAPPED);
	EXPECT_EQ(value, 0u);
	EXPECT_EQ(bus_write(bus, 0x08000000, 4, 1), BUS_UNMAPPED);
	EXPECT_EQ(bus_read(bus, 0xffffffffffffffffull, 1, &value), BUS_UNMAPPED);
	EXPECT_EQ(bus_read(bus, 0x40100000, 1, &value), BUS_UNMAPPED); // one past RAM
	EXPECT_TRUE(device.log.empty());
}

TEST_F(BusTest, AccessStraddlingTheEndOfARegionIsRefused)
{
	uint64_t value;
	EXPECT_EQ(bus_read(bus, 0x400ffffc, 8, &value), BUS_UNMAPPED);
	EXPECT_EQ(bus_write(bus, 0x09000ffe, 4, 0), BUS_UNMAPPED);
	EXPECT_TRUE(device.log.empty());
}

TEST_F(BusTest, DeviceErrorIsReported)
{
	uint64_t value;
	device.refuse = true;
	EXPECT_EQ(bus_read(bus, 0x09000000, 4, &value), BUS_DEVICE_ERROR);
	EXPECT_EQ(bus_write(bus, 0x09000000, 4, 1), BUS_DEVICE_ERROR);
}

TEST_F(BusTest, OnlyNaturalSizesAreAccesses)
{
	uint64_t value;
	EXPECT_EQ(bus_read(bus, 0x40000000, 3, &value), BUS_UNMAPPED);
	EXPECT_EQ(bus_write(bus, 0x09000000, 16, 0), BUS_UNMAPPED);
}

TEST_F(BusTest, OverlappingRegionsAreRejectedWithBothNames)
{
	EXPECT_LT(bus_add_ram(bus, "more", 0x400ff000, 0x2000), 0);
	std::string message = error_message();
	EXPECT_NE(message.find("'more'"), std::string::npos) << message;
	EXPECT_NE(message.find("'ram'"), std::string::npos) << message;
	EXPECT_LT(bus_add_mmio(bus, "inside", 0x09000800, 0x10, &device_ops, &device), 0);
	EXPECT_LT(bus_add_ram(bus, "empty", 0x50000000, 0), 0);
	EXPECT_LT(bus_add_ram(bus, "wraps", 0xfffffffffffff000ull, 0x2000), 0);
	// adjacent is fine
	EXPECT_EQ(bus_add_ram(bus, "next", 0x40100000, 0x1000), 0);
}

TEST_F(BusTest, RamPointerCoversOnlyWholeRanges)
{
	uint8_t *start = bus_ram_pointer(bus, 0x40000000, 0x100000);
	ASSERT_NE(start, nullptr);
	EXPECT_EQ(bus_ram_pointer(bus, 0x40000004, 4), start + 4);
	EXPECT_EQ(bus_ram_pointer(bus, 0x400ffff0, 0x20), nullptr);
	EXPECT_EQ(bus_ram_pointer(bus, 0x09000000, 4), nullptr); // MMIO has no host memory
	struct bus_ram ram;
	ASSERT_TRUE(bus_find_ram(bus, 0x40000123, &ram));
	EXPECT_EQ(ram.base, 0x40000000u);
	EXPECT_EQ(ram.size, 0x100000u);
	EXPECT_EQ(ram.host, start);
	EXPECT_FALSE(bus_find_ram(bus, 0x09000000, &ram));
	EXPECT_STREQ(bus_region_name(bus, 0x09000004), "uart");
	EXPECT_EQ(bus_region_name(bus, 0x1000), nullptr);
}

TEST_F(BusTest, ManyRegionsAreFoundByAddress)
{
	std::vector<FakeDevice> devices(64);
	for (int i = 0; i < 64; i++)
		ASSERT_EQ(bus_add_mmio(bus, ("dev" + std::to_string(i)).c_str(), 0x0a000000 + (63 - i) * 0x200, 0x200,
				       &device_ops, &devices[i]),
			  0);
	for (int i = 0; i < 64; i++) {
		ASSERT_EQ(bus_write(bus, 0x0a000000 + (63 - i) * 0x200 + 0x1f8, 8, i), BUS_OK);
		ASSERT_EQ(devices[i].log.size(), 1u);
		EXPECT_EQ(devices[i].log[0].offset, 0x1f8u);
		EXPECT_EQ(devices[i].log[0].value, uint64_t(i));
	}
}

} // namespace
