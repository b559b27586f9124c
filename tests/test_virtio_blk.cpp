// The virtio-mmio block device through the qvp command and the sw/ driver firmware: reads,
// writes that reach the file only with ,rw, get-id, malformed requests and chains rejected
// without ending the run, and --disk errors.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "cli.h"
#include "error.h"
#include "machine.h"
#include "platform.h"
#include "test_support.h"
#include "virtio_blk.h"
#include "virtio_mmio.h"

using qvp_test::build_path;
using qvp_test::count;
using qvp_test::ProcessResult;
using qvp_test::run_qvp;
using qvp_test::read_file;
using qvp_test::TempDir;
using qvp_test::write_file;

namespace {

bool has(const std::string &text, const std::string &what)
{
	return text.find(what) != std::string::npos;
}

// 64 sectors, each starting "qvp disk sector N" and padded with dots, but sector 10, which
// holds the instructions "mov w0, #2; ret" (little-endian) for the firmware to run.
std::string disk_image()
{
	std::string image;
	for (int i = 0; i < 64; i++) {
		std::string sector = "qvp disk sector " + std::to_string(i) + "\n";
		if (i == 10)
			sector = std::string("\x40\x00\x80\x52\xc0\x03\x5f\xd6", 8);
		sector.resize(512, '.');
		image += sector;
	}
	return image;
}

class VirtioBlk : public ::testing::Test {
protected:
	ProcessResult run(const std::string &disk_option)
	{
		std::vector<std::string> args = { "run", "--backend", "iss", "--stats" };
		if (!disk_option.empty())
			args.insert(args.end(), { "--disk", disk_option });
		args.push_back(build_path("sw/virtio_blk.elf"));
		return run_qvp(args);
	}
	TempDir dir;
	std::string image_path = dir.path("disk.img");
	std::string image = disk_image();
	void SetUp() override { write_file(image_path, image); }
};

const char *const driver_checks[] = {
	"transport 0: magic ok version 2 device 2\n",
	"transport 1: magic ok version 2 device 0\n", // no disk: device ID 0, as QEMU
	"without VERSION_1: FEATURES_OK refused: ok\n",
	"capacity 64 sectors\n",
	"get-id: ok\nid: qvp-disk.img\n",
	"read sectors 0-1: ok\nsector 0: qvp disk sector 0\nsector 1: qvp disk sector 1\n",
	"flush: ok\n",
	"read past the end: IOERR: ok\n",
	"code the device wrote over run code: 1 then 2\nthe CPU runs the code the device wrote: ok\n",
	"unknown request type: UNSUPP: ok\n",
	"data buffer outside RAM: IOERR: ok\n",
	"read of 100 bytes: IOERR: ok\n",
	"write with a device-writable buffer: IOERR: ok\n",
	"8-byte header: IOERR: ok\n",
	"readable after writable: IOERR: ok\n",
	"looping chain: NEEDS_RESET: ok\nreset: ok\nread after the reset: ok\n",
	"next outside the table: NEEDS_RESET: ok\nreset: ok\nread after the reset: ok\n",
	"indirect descriptor: NEEDS_RESET: ok\nreset: ok\nread after the reset: ok\n",
	"status byte outside RAM: NEEDS_RESET: ok\nreset: ok\nread after the reset: ok\n",
	"no status byte: NEEDS_RESET: ok\nreset: ok\nread after the reset: ok\n",
	"available index too far ahead: NEEDS_RESET: ok\nreset: ok\nread after the reset: ok\n",
	"descriptor table outside RAM: not ready, NEEDS_RESET: ok\n",
	"queue size 3: not ready: ok\n",
	"0 failures\n",
};

TEST_F(VirtioBlk, ReadOnlyByDefaultAndTheFileStaysTheSame)
{
	ProcessResult result = run(image_path);
	EXPECT_EQ(result.status, 0) << result.out << result.err;
	for (const char *check : driver_checks)
		EXPECT_TRUE(has(result.out, check)) << check << "\n" << result.out;
	EXPECT_TRUE(has(result.out, "read-only yes"));
	EXPECT_TRUE(has(result.out, "write sector 2: IOERR\n"));
	EXPECT_TRUE(has(result.out, "sector 2: qvp disk sector 2\n"));
	EXPECT_EQ(read_file(image_path), image);
}

TEST_F(VirtioBlk, RwWritesTheGuestsSectorBackToTheFile)
{
	ProcessResult result = run(image_path + ",rw");
	EXPECT_EQ(result.status, 0) << result.out << result.err;
	for (const char *check : driver_checks)
		EXPECT_TRUE(has(result.out, check)) << check << "\n" << result.out;
	EXPECT_TRUE(has(result.out, "read-only no"));
	EXPECT_TRUE(has(result.out, "write sector 2: OK\nwrite as the RO feature says: ok\n"));
	EXPECT_TRUE(has(result.out, "sector 2: written by the guest\n"));
	std::string expected = image;
	std::string sector(512, '\0');
	sector.replace(0, 20, "written by the guest");
	expected.replace(2 * 512, 512, sector);
	EXPECT_EQ(read_file(image_path), expected);
}

// Every chain the device cannot answer is reported on stderr; the run goes on.
TEST_F(VirtioBlk, BrokenChainsAreWarningsNotTheEndOfTheRun)
{
	ProcessResult result = run(image_path + ",ro");
	EXPECT_EQ(result.status, 0) << result.err;
	const char *warnings[] = {
		"/virtio_mmio@a000000: device needs reset: the chain from descriptor 0 loops (more than 8 descriptors)",
		"descriptor 200 is outside the 8-entry table",
		"descriptor 0 is indirect (VIRTIO_F_INDIRECT_DESC was not offered)",
		"block request (descriptor 0): its status byte is not in RAM",
		"block request (descriptor 0) has no status byte to write",
		"available index 102 is more than 8 ahead of 1",
		"a ring is not in RAM (descriptors 0x1000, avail 0x0, used 0x0)",
		"queue size 3 is not a power of 2 from 1 to 256",
	};
	for (const char *warning : warnings)
		EXPECT_TRUE(has(result.err, std::string("qvp: warning: ") + warning) ||
			    has(result.err, warning))
			<< warning << "\n" << result.err;
}

TEST_F(VirtioBlk, WithoutADiskEveryTransportReadsDeviceIdZero)
{
	ProcessResult result = run("");
	EXPECT_EQ(result.status, 0) << result.err;
	for (int i = 0; i < 4; i++)
		EXPECT_TRUE(has(result.out, "transport " + std::to_string(i) + ": magic ok version 2 device 0\n"))
			<< result.out;
	EXPECT_TRUE(has(result.out, "no virtio block device\n"));
}

// Requests complete at the notify: output, instruction count and virtual time repeat.
TEST_F(VirtioBlk, TwoRunsAreIdentical)
{
	ProcessResult first = run(image_path), second = run(image_path);
	auto counters = [](const std::string &err) {
		size_t from = err.find("instructions:");
		return from == std::string::npos ? std::string() : err.substr(from, err.find("wall time") - from);
	};
	EXPECT_EQ(first.out, second.out);
	EXPECT_NE(counters(first.err), "");
	EXPECT_EQ(counters(first.err), counters(second.err));
}

TEST_F(VirtioBlk, DiskOptionErrorsAreInputErrors)
{
	write_file(dir.path("tiny.img"), std::string(100, 'x'));
	const struct {
		std::vector<std::string> disks;
		std::string message;
	} cases[] = {
		{ { dir.path("missing.img") }, "--disk " + dir.path("missing.img") + ": No such file or directory" },
		{ { image_path + ",wr" }, "unknown option 'wr' (use FILE, FILE,rw or FILE,ro)" },
		{ { ",rw" }, "missing or too long FILE" },
		{ { dir.path("tiny.img") }, "not a regular file of at least one 512-byte sector" },
		{ { dir.path("") }, "not a regular file" },
		{ { image_path, image_path, image_path, image_path, image_path }, "--disk: at most 4 disks" },
	};
	for (const auto &c : cases) {
		std::vector<std::string> args = { "run", "--backend", "iss" };
		for (const std::string &disk : c.disks)
			args.insert(args.end(), { "--disk", disk });
		args.push_back(build_path("sw/virtio_blk.elf"));
		ProcessResult result = run_qvp(args);
		EXPECT_EQ(result.status, QVP_EXIT_ERROR) << c.message;
		EXPECT_TRUE(has(result.err, "qvp: error: ")) << result.err;
		EXPECT_TRUE(has(result.err, c.message)) << c.message << " -> " << result.err;
		EXPECT_EQ(result.out, "");
	}
}

// The transport through the bus, as a driver sees it, without a CPU.
class VirtioMmioBench : public ::testing::Test {
protected:
	void build(const std::vector<struct machine_disk> &disks)
	{
		machine.console = fopen("/dev/null", "w");
		machine.bus = bus_create();
		machine.events = event_queue_create();
		for (const struct machine_disk &disk : disks)
			machine.config.disks[machine.config.disk_count++] = disk;
		ASSERT_EQ(platform_build(&machine, build_path("platforms/virt.dtb").c_str()), 0) << error_message();
		built = true;
	}
	void TearDown() override
	{
		if (built)
			qvp_test::release_board(&machine);
		if (machine.console)
			fclose(machine.console);
	}
	uint64_t read(unsigned transport, uint32_t offset, unsigned size = 4)
	{
		uint64_t value = ~0ull;
		EXPECT_EQ(bus_read(machine.bus, 0x0a000000 + 0x200 * transport + offset, size, &value), BUS_OK);
		return value;
	}
	void write(unsigned transport, uint32_t offset, uint32_t value)
	{
		EXPECT_EQ(bus_write(machine.bus, 0x0a000000 + 0x200 * transport + offset, 4, value), BUS_OK);
	}
	struct machine machine = {};
	bool built = false;
	TempDir dir;
};

TEST_F(VirtioMmioBench, WithoutADiskOnlyTheIdentificationAnswers)
{
	build({});
	for (unsigned t = 0; t < 4; t++) {
		EXPECT_EQ(read(t, VIRTIO_MMIO_MAGIC), VIRTIO_MMIO_MAGIC_VALUE);
		EXPECT_EQ(read(t, VIRTIO_MMIO_VERSION), 2u);
		EXPECT_EQ(read(t, VIRTIO_MMIO_DEVICE_ID), 0u);
		EXPECT_EQ(read(t, VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR_QVP);
		EXPECT_EQ(read(t, VIRTIO_MMIO_DEVICE_FEATURES), 0u);
		EXPECT_EQ(read(t, VIRTIO_MMIO_QUEUE_NUM_MAX), 0u);
		EXPECT_EQ(read(t, VIRTIO_MMIO_CONFIG), 0u);
	}
	write(0, VIRTIO_MMIO_QUEUE_NOTIFY, 0); // nothing behind it: ignored
	EXPECT_EQ(read(0, VIRTIO_MMIO_INTERRUPT_STATUS), 0u);
}

TEST_F(VirtioMmioBench, TheSecondDiskIsBehindTheSecondTransport)
{
	std::string image(8 * 512 + 100, 'x'); // a partial last sector is left out
	qvp_test::write_file(dir.path("a.img"), image);
	qvp_test::write_file(dir.path("b.img"), image);
	std::string a = dir.path("a.img"), b = dir.path("b.img");
	build({ { a.c_str(), false }, { b.c_str(), true } });
	EXPECT_EQ(read(0, VIRTIO_MMIO_DEVICE_ID), uint64_t(VIRTIO_ID_BLOCK));
	EXPECT_EQ(read(1, VIRTIO_MMIO_DEVICE_ID), uint64_t(VIRTIO_ID_BLOCK));
	EXPECT_EQ(read(2, VIRTIO_MMIO_DEVICE_ID), 0u);
	EXPECT_TRUE(read(0, VIRTIO_MMIO_DEVICE_FEATURES) & (1u << VIRTIO_BLK_F_RO));
	EXPECT_FALSE(read(1, VIRTIO_MMIO_DEVICE_FEATURES) & (1u << VIRTIO_BLK_F_RO));
	write(1, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	EXPECT_EQ(read(1, VIRTIO_MMIO_DEVICE_FEATURES), 1u << (VIRTIO_F_VERSION_1 - 32));
	EXPECT_EQ(read(1, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CONFIG_CAPACITY, 8), 8u);
	EXPECT_EQ(read(1, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CONFIG_BLK_SIZE), 512u);
	EXPECT_EQ(read(1, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CONFIG_BLK_SIZE, 2), 512u); // any width
	EXPECT_EQ(read(1, VIRTIO_MMIO_QUEUE_NUM_MAX), 256u);
	EXPECT_EQ(read(1, VIRTIO_MMIO_STATUS, 2), 0u); // registers are 32-bit only
	EXPECT_EQ(read(1, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu); // no shared memory region
	EXPECT_EQ(read(1, VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffffu);
}

TEST_F(VirtioMmioBench, FeaturesOkNeedsVersion1AndOnlyOfferedBitsAndStatusZeroResets)
{
	std::string image(4096, '\0');
	qvp_test::write_file(dir.path("a.img"), image);
	std::string a = dir.path("a.img");
	build({ { a.c_str(), true } });
	const uint32_t driver = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	write(0, VIRTIO_MMIO_STATUS, driver);
	write(0, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	write(0, VIRTIO_MMIO_DRIVER_FEATURES, 1u << (VIRTIO_F_VERSION_1 - 32) | 2); // bit 33: not offered
	write(0, VIRTIO_MMIO_STATUS, driver | VIRTIO_STATUS_FEATURES_OK);
	EXPECT_EQ(read(0, VIRTIO_MMIO_STATUS), driver);
	write(0, VIRTIO_MMIO_DRIVER_FEATURES, 1u << (VIRTIO_F_VERSION_1 - 32));
	write(0, VIRTIO_MMIO_STATUS, driver | VIRTIO_STATUS_FEATURES_OK);
	EXPECT_EQ(read(0, VIRTIO_MMIO_STATUS), driver | VIRTIO_STATUS_FEATURES_OK);
	write(0, VIRTIO_MMIO_STATUS, 0);
	EXPECT_EQ(read(0, VIRTIO_MMIO_STATUS), 0u);
	write(0, VIRTIO_MMIO_STATUS, driver | VIRTIO_STATUS_FEATURES_OK); // features were reset with it
	EXPECT_EQ(read(0, VIRTIO_MMIO_STATUS), driver);
}

// A driver that keeps poking a stopped device gets one warning, not one per access, until it
// resets the device.
TEST_F(VirtioMmioBench, OneNeedsResetWarningUntilTheDriverResets)
{
	std::string image(4096, '\0');
	qvp_test::write_file(dir.path("a.img"), image);
	std::string a = dir.path("a.img");
	build({ { a.c_str(), true } });
	auto make_ready_outside_ram = [this] {
		write(0, VIRTIO_MMIO_QUEUE_SEL, 0);
		write(0, VIRTIO_MMIO_QUEUE_NUM, 8);
		write(0, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000); // below RAM
		write(0, VIRTIO_MMIO_QUEUE_READY, 1);
	};
	testing::internal::CaptureStderr();
	make_ready_outside_ram();
	make_ready_outside_ram();
	make_ready_outside_ram();
	std::string warned = testing::internal::GetCapturedStderr();
	EXPECT_TRUE(read(0, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	EXPECT_EQ(count(warned, "device needs reset"), 1u) << warned;

	write(0, VIRTIO_MMIO_STATUS, 0);
	testing::internal::CaptureStderr();
	make_ready_outside_ram();
	warned = testing::internal::GetCapturedStderr();
	EXPECT_EQ(count(warned, "device needs reset"), 1u) << warned;
}

// Random descriptor tables and rings (a fixed seed): whatever the guest writes, the device
// only answers, sets NEEDS_RESET or ignores it; the sanitizer build checks no host memory
// outside guest RAM is touched.
TEST_F(VirtioMmioBench, RandomRingsNeverReachOutsideGuestRam)
{
	std::string image(64 * 512, 'd');
	qvp_test::write_file(dir.path("a.img"), image);
	std::string a = dir.path("a.img");
	build({ { a.c_str(), true } });
	const uint64_t ram = 0x40000000, desc = ram + 0x1000, avail = ram + 0x2000, used = ram + 0x3000;
	uint8_t *host = bus_ram_pointer(machine.bus, ram, 0x10000);
	ASSERT_NE(host, nullptr);
	uint64_t state = 0x9e3779b97f4a7c15ull;
	auto next = [&state]() { // xorshift64*
		state ^= state >> 12;
		state ^= state << 25;
		state ^= state >> 27;
		return state * 0x2545f4914f6cdd1dull;
	};
	const uint16_t VIRTQ_INDIRECT_FLAG = 4;
	unsigned served = 0, resets = 0;
	for (int round = 0; round < 2000; round++) {
		const uint32_t driver = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
		uint32_t size = 1u << (next() % 5);
		write(0, VIRTIO_MMIO_STATUS, 0);
		write(0, VIRTIO_MMIO_STATUS, driver);
		write(0, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
		write(0, VIRTIO_MMIO_DRIVER_FEATURES, 1);
		write(0, VIRTIO_MMIO_STATUS, driver | VIRTIO_STATUS_FEATURES_OK);
		write(0, VIRTIO_MMIO_QUEUE_NUM, size);
		write(0, VIRTIO_MMIO_QUEUE_DESC_LOW, uint32_t(desc));
		write(0, VIRTIO_MMIO_QUEUE_DRIVER_LOW, uint32_t(avail));
		write(0, VIRTIO_MMIO_QUEUE_DEVICE_LOW, uint32_t(used));
		write(0, VIRTIO_MMIO_QUEUE_READY, 1);
		write(0, VIRTIO_MMIO_STATUS, driver | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
		for (uint32_t i = 0; i < size; i++) { // descriptors: addresses near and far from RAM
			uint64_t choice = next() % 4;
			uint64_t address = choice == 0 ? next() : choice == 1 ? ram + next() % 0x8000000 : ram + 0x4000 + next() % 0x8000;
			uint32_t length = uint32_t(next() % 3 == 0 ? next() : next() % 2048);
			uint16_t flags = uint16_t(next() % 16 == 0 ? VIRTQ_INDIRECT_FLAG : next() % 4), link = uint16_t(next() % 3 == 0 ? next() : next() % size);
			uint8_t *d = host + 0x1000 + 16 * i;
			memcpy(d, &address, 8);
			memcpy(d + 8, &length, 4);
			memcpy(d + 12, &flags, 2);
			memcpy(d + 14, &link, 2);
		}
		for (uint32_t i = 0; i < 0x4000; i += 8) { // request headers and data somewhere to find
			uint64_t word = next();
			if (word % 3 == 0)
				word = (next() % 3 == 0 ? uint64_t(VIRTIO_BLK_T_OUT) : next() % 9) | (next() % 80) << 32;
			memcpy(host + 0x4000 + i, &word, 8);
		}
		uint16_t count = uint16_t(next() % 8 == 0 ? next() : next() % (size + 1));
		for (uint32_t i = 0; i < size; i++) {
			uint16_t head = uint16_t(next() % (size + 1));
			memcpy(host + 0x2000 + 4 + 2 * i, &head, 2);
		}
		memcpy(host + 0x2000 + 2, &count, 2);
		write(0, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		uint16_t used_index;
		memcpy(&used_index, host + 0x3000 + 2, 2);
		served += used_index;
		resets += (read(0, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET) != 0;
	}
	EXPECT_GT(served, 500u) << resets; // many were well-formed enough to answer
	EXPECT_GT(resets, 500u) << served;
}

} // namespace
