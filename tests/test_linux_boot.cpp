// The arm64 Linux boot protocol (runtime/machine/linux_boot.c) with hand-made Images: where the Image,
// DTB and initrd land, what /chosen says, the CPU's state at entry, and every input error.
#include <gtest/gtest.h>

#include <libfdt.h>
#include <zlib.h>

#include <cstring>
#include <string>
#include <vector>

#include "cli.h"
#include "error.h"
#include "linux_boot.h"
#include "loop.h"
#include "machine.h"
#include "platform.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::ProcessResult;
using qvp_test::TempDir;
using qvp_test::write_file;

namespace {

const uint64_t ram_base = 0x40000000, ram_size = 0x08000000; // platforms/virt.dts
const uint64_t sz_2m = 2u << 20;

// An Image whose code calls PSCI SYSTEM_OFF (x0 = 0x84000008, hvc #0): the run ends with 0.
std::string make_image(uint64_t text_offset, uint64_t image_size, uint32_t magic = 0x644d5241)
{
	std::vector<uint32_t> words(32, 0);
	words[0] = 0x14000010; // b 0x40: over the header
	words[2] = uint32_t(text_offset);
	words[3] = uint32_t(text_offset >> 32);
	words[4] = uint32_t(image_size);
	words[5] = uint32_t(image_size >> 32);
	words[6] = 0xa; // little-endian, 4 KiB pages, anywhere in RAM
	words[14] = magic;
	words[16] = 0xd2800100; // movz x0, #0x8
	words[17] = 0xf2b08000; // movk x0, #0x8400, lsl #16
	words[18] = 0xd4000002; // hvc #0
	words[19] = 0x14000000; // b .
	return std::string(reinterpret_cast<const char *>(words.data()), words.size() * 4);
}

std::string gzip(const std::string &data)
{
	z_stream stream = {};
	std::string out(data.size() + 1024, '\0');

	deflateInit2(&stream, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
	stream.avail_in = uInt(data.size());
	stream.next_out = reinterpret_cast<Bytef *>(&out[0]);
	stream.avail_out = uInt(out.size());
	deflate(&stream, Z_FINISH);
	out.resize(stream.total_out);
	deflateEnd(&stream);
	return out;
}

struct Boot {
	TempDir dir;
	std::string platform = build_path("platforms/virt.dtb");
	std::string kernel = dir.path("Image");
	std::string initrd;
	std::string bootargs;
	uint64_t memory_size = 0;
	struct machine *machine = nullptr;

	~Boot() { machine_destroy(machine); }

	bool create()
	{
		struct machine_config config = {};
		config.platform_path = platform.c_str();
		config.kernel_path = kernel.c_str();
		config.initrd_path = initrd.empty() ? nullptr : initrd.c_str();
		config.bootargs = bootargs.empty() ? nullptr : bootargs.c_str();
		config.backend = BACKEND_ISS;
		config.quantum = 100 * VTIME_US;
		config.timeout = VTIME_MS;
		config.memory_size = memory_size;
		machine = machine_create(&config);
		return machine != nullptr;
	}

	uint64_t reg(enum cpu_register r)
	{
		uint64_t value = 0;
		machine->cpu->ops->get_register(machine->cpu, r, &value);
		return value;
	}

	// The DTB as the guest finds it in RAM.
	const void *guest_fdt() { return bus_ram_pointer(machine->bus, machine->fdt_address, 64); }
};

std::string chosen_string(const void *fdt, const char *name)
{
	int node = fdt_path_offset(fdt, "/chosen");
	const char *value = node < 0 ? nullptr : static_cast<const char *>(fdt_getprop(fdt, node, name, nullptr));
	return value ? value : "";
}

uint64_t chosen_u64(const void *fdt, const char *name)
{
	int length = 0;
	const void *value = fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), name, &length);
	fdt64_t cells = 0;
	if (!value || length != 8)
		return 0;
	std::memcpy(&cells, value, sizeof(cells)); // properties are only 4-byte aligned
	return fdt64_to_cpu(cells);
}

// --memory 512M: the board's RAM and the memory node the kernel reads both say 512 MiB.
TEST(LinuxBoot, MemorySizeResizesTheFirstMemoryNodeInTheGuestsTree)
{
	Boot boot;
	write_file(boot.kernel, make_image(0x80000, 0x200000));
	boot.memory_size = 512u << 20;
	ASSERT_TRUE(boot.create()) << error_message();
	EXPECT_EQ(boot.machine->ram_base, ram_base);
	EXPECT_EQ(boot.machine->ram_size, 512u << 20);
	const void *fdt = boot.guest_fdt();
	int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", sizeof("memory"));
	ASSERT_GE(node, 0);
	int length = 0;
	const fdt32_t *reg = static_cast<const fdt32_t *>(fdt_getprop(fdt, node, "reg", &length));
	ASSERT_EQ(length, 16); // #address-cells = #size-cells = 2
	EXPECT_EQ((uint64_t(fdt32_to_cpu(reg[0])) << 32) | fdt32_to_cpu(reg[1]), ram_base);
	EXPECT_EQ((uint64_t(fdt32_to_cpu(reg[2])) << 32) | fdt32_to_cpu(reg[3]), 512u << 20);
}

TEST(LinuxBoot, EntersTheImageAtTextOffsetWithTheDtbInX0)
{
	Boot boot;
	write_file(boot.kernel, make_image(0x80000, 0x200000));
	ASSERT_TRUE(boot.create()) << error_message();
	EXPECT_EQ(boot.reg(CPU_REG_PC), ram_base + 0x80000);
	uint64_t fdt = boot.reg(CPU_REG_X0);
	EXPECT_EQ(fdt, boot.machine->fdt_address);
	EXPECT_EQ(fdt % 8, 0u);
	EXPECT_GE(fdt, ram_base + 0x80000 + 0x200000); // after the Image and its BSS
	EXPECT_EQ(fdt / sz_2m, (fdt + fdt_totalsize(boot.guest_fdt()) - 1) / sz_2m) << "crosses 2 MiB";
	for (auto r : { CPU_REG_X0 + 1, CPU_REG_X0 + 2, CPU_REG_X0 + 3 })
		EXPECT_EQ(boot.reg(cpu_register(r)), 0u);
	// EL1h, D, A, I and F masked; the MMU is off
	EXPECT_EQ(boot.reg(CPU_REG_PSTATE) & 0x3cf, 0x3c5u);
	EXPECT_EQ(boot.reg(CPU_REG_SCTLR_EL1) & 1, 0u);
	EXPECT_EQ(machine_run(boot.machine), MACHINE_GUEST_EXIT) << error_message();
	EXPECT_EQ(boot.machine->exit_code, 0);
}

TEST(LinuxBoot, TextOffsetZeroLoadsAtTheStartOfRam)
{
	Boot boot;
	write_file(boot.kernel, make_image(0, 0x10000));
	ASSERT_TRUE(boot.create()) << error_message();
	EXPECT_EQ(boot.reg(CPU_REG_PC), ram_base);
	EXPECT_EQ(boot.machine->fdt_address, ram_base + sz_2m);
}

TEST(LinuxBoot, ChosenNamesBootargsInitrdAndTheConsole)
{
	Boot boot;
	std::string initrd_data(100000, '\0');
	for (size_t i = 0; i < initrd_data.size(); i++)
		initrd_data[i] = char(i * 7);
	write_file(boot.kernel, make_image(0, 0x10000));
	boot.initrd = boot.dir.path("initrd");
	write_file(boot.initrd, initrd_data);
	boot.bootargs = "console=ttyAMA0 rdinit=/init";
	ASSERT_TRUE(boot.create()) << error_message();
	const void *fdt = boot.guest_fdt();
	ASSERT_EQ(fdt_check_header(fdt), 0);
	EXPECT_EQ(chosen_string(fdt, "bootargs"), boot.bootargs);
	EXPECT_EQ(chosen_string(fdt, "stdout-path"), "/pl011@9000000");
	uint64_t start = chosen_u64(fdt, "linux,initrd-start"), end = chosen_u64(fdt, "linux,initrd-end");
	EXPECT_EQ(end - start, initrd_data.size());
	EXPECT_GE(start, boot.machine->fdt_address + fdt_totalsize(fdt));
	const uint8_t *ram = bus_ram_pointer(boot.machine->bus, start, end - start);
	ASSERT_NE(ram, nullptr);
	EXPECT_EQ(std::memcmp(ram, initrd_data.data(), initrd_data.size()), 0);
	// the board itself is what the platform file says: the same tree, /chosen filled
	EXPECT_EQ(fdt_totalsize(fdt), fdt_totalsize(boot.machine->fdt));
	EXPECT_EQ(std::memcmp(fdt, boot.machine->fdt, fdt_totalsize(fdt)), 0);
}

TEST(LinuxBoot, WithoutInitrdChosenHasNone)
{
	Boot boot;
	write_file(boot.kernel, make_image(0, 0x10000));
	ASSERT_TRUE(boot.create()) << error_message();
	int chosen = fdt_path_offset(boot.guest_fdt(), "/chosen");
	EXPECT_EQ(fdt_getprop(boot.guest_fdt(), chosen, "linux,initrd-start", nullptr), nullptr);
	EXPECT_EQ(fdt_getprop(boot.guest_fdt(), chosen, "bootargs", nullptr), nullptr);
}

// A board without /chosen gets one; stdout-path names its first PL011.
TEST(LinuxBoot, ChosenIsAddedWhenTheBoardHasNone)
{
	Boot boot;
	std::string dts = qvp_test::read_file(std::string(QVP_SOURCE_DIR) + "/platforms/virt.dts");
	size_t node = dts.find("\tchosen {");
	ASSERT_NE(node, std::string::npos);
	dts.erase(node, dts.find("};", node) + 2 - node);
	boot.platform = boot.dir.path("no-chosen.dts");
	write_file(boot.platform, dts);
	write_file(boot.kernel, make_image(0, 0x10000));
	boot.bootargs = "console=ttyAMA0";
	ASSERT_TRUE(boot.create()) << error_message();
	EXPECT_EQ(chosen_string(boot.guest_fdt(), "bootargs"), "console=ttyAMA0");
	EXPECT_EQ(chosen_string(boot.guest_fdt(), "stdout-path"), "/pl011@9000000");
}

TEST(LinuxBoot, GzipImageBootsLikeTheRawOne)
{
	Boot raw, packed;
	std::string image = make_image(0x80000, 0x100000) + std::string(300000, 'x');
	write_file(raw.kernel, image);
	write_file(packed.kernel, gzip(image));
	ASSERT_TRUE(raw.create()) << error_message();
	ASSERT_TRUE(packed.create()) << error_message();
	EXPECT_EQ(packed.reg(CPU_REG_PC), raw.reg(CPU_REG_PC));
	EXPECT_EQ(std::memcmp(bus_ram_pointer(packed.machine->bus, ram_base + 0x80000, image.size()),
			      image.data(), image.size()), 0);
	EXPECT_EQ(machine_run(packed.machine), MACHINE_GUEST_EXIT) << error_message();
}

void expect_error(Boot &boot, const std::string &what)
{
	EXPECT_FALSE(boot.create());
	EXPECT_NE(std::string(error_message()).find(what), std::string::npos) << error_message();
}

TEST(LinuxBootErrors, TooShortForAHeader)
{
	Boot boot;
	write_file(boot.kernel, make_image(0, 0x10000).substr(0, 40));
	expect_error(boot, "too short for an arm64 Image header");
}

TEST(LinuxBootErrors, WrongMagic)
{
	Boot boot;
	write_file(boot.kernel, make_image(0, 0x10000, 0x464c457f));
	expect_error(boot, "not an arm64 Image: magic at offset 0x38");
}

TEST(LinuxBootErrors, BadAndTruncatedGzip)
{
	Boot bad, cut;
	std::string packed = gzip(make_image(0, 0x10000) + std::string(100000, 'y'));
	std::string corrupt = packed;
	for (size_t i = 20; i < 60; i++)
		corrupt[i] = char(0xa5);
	write_file(bad.kernel, corrupt);
	expect_error(bad, "bad gzip data");
	write_file(cut.kernel, packed.substr(0, packed.size() / 2));
	expect_error(cut, "bad gzip data");
}

TEST(LinuxBootErrors, ImageLargerThanRam)
{
	Boot boot;
	write_file(boot.kernel, make_image(0, ram_size + 4096));
	expect_error(boot, "the Image needs 0x8001000 bytes at 0x40000000 but RAM ends at 0x48000000");
}

TEST(LinuxBootErrors, ImageSizeThatWrapsAround)
{
	Boot boot;
	write_file(boot.kernel, make_image(0, ~0ull - 0x1000));
	expect_error(boot, "the Image needs 0xffffffffffffefff bytes at 0x40000000");
}

TEST(LinuxBootErrors, InitrdThatDoesNotFit)
{
	Boot boot;
	write_file(boot.kernel, make_image(0, 0x10000));
	boot.initrd = boot.dir.path("initrd");
	FILE *file = fopen(boot.initrd.c_str(), "w");
	ASSERT_EQ(ftruncate(fileno(file), off_t(ram_size)), 0); // sparse: no disk used
	fclose(file);
	expect_error(boot, "does not fit in RAM");
}

TEST(LinuxBootErrors, DeviceTreeLargerThanTheProtocolAllows)
{
	Boot boot;
	void *board = nullptr;
	size_t size = 0;
	ASSERT_EQ(platform_load_fdt(boot.platform.c_str(), &board, &size), 0) << error_message();
	std::vector<char> big(4u << 20);
	ASSERT_EQ(fdt_open_into(board, big.data(), int(big.size())), 0);
	free(board);
	void *padding = nullptr;
	ASSERT_EQ(fdt_setprop_placeholder(big.data(), 0, "qvp,padding", int(LINUX_BOOT_MAX_FDT), &padding), 0);
	ASSERT_EQ(fdt_pack(big.data()), 0);
	boot.platform = boot.dir.path("big.dtb");
	write_file(boot.platform, std::string(big.data(), fdt_totalsize(big.data())));
	write_file(boot.kernel, make_image(0, 0x10000));
	expect_error(boot, "the arm64 boot protocol allows at most 2 MiB");
}

ProcessResult qvp(std::vector<std::string> args)
{
	args.insert(args.begin(), build_path("qvp"));
	return qvp_test::run_process(args);
}

TEST(LinuxBootCli, KernelRunsAndPowersOff)
{
	TempDir dir;
	write_file(dir.path("Image"), gzip(make_image(0, 0x10000)));
	auto result = qvp({ "run", "--backend", "iss", "--kernel", dir.path("Image"), "--append", "quiet" });
	EXPECT_EQ(result.status, 0) << result.err;
}

TEST(LinuxBootCli, DtbIsTheBoard)
{
	TempDir dir;
	write_file(dir.path("Image"), make_image(0, 0x10000));
	auto result = qvp({ "run", "--kernel", dir.path("Image"), "--dtb", build_path("platforms/virt.dtb") });
	EXPECT_EQ(result.status, 0) << result.err;
	result = qvp({ "run", "--kernel", dir.path("Image"), "--dtb", dir.path("missing.dtb") });
	EXPECT_EQ(result.status, QVP_EXIT_ERROR);
	EXPECT_NE(result.err.find("missing.dtb: cannot open"), std::string::npos) << result.err;
}

TEST(LinuxBootCli, ErrorsExit125WithWhatAndWhere)
{
	TempDir dir;
	write_file(dir.path("garbage"), std::string(4096, 'g'));
	auto result = qvp({ "run", "--kernel", dir.path("garbage") });
	EXPECT_EQ(result.status, QVP_EXIT_ERROR);
	EXPECT_NE(result.err.find(dir.path("garbage") + ": not an arm64 Image"), std::string::npos) << result.err;
	result = qvp({ "run", "--initrd", dir.path("garbage"), build_path("sw/hello.elf") });
	EXPECT_EQ(result.status, QVP_EXIT_ERROR);
	EXPECT_NE(result.err.find("--initrd needs --kernel"), std::string::npos) << result.err;
	result = qvp({ "run", "--kernel", dir.path("garbage"), build_path("sw/hello.elf") });
	EXPECT_EQ(result.status, QVP_EXIT_ERROR);
	EXPECT_NE(result.err.find("unexpected argument"), std::string::npos) << result.err;
}

} // namespace
