// Loading guest images: real ELF files from the guest toolchain, and broken ones.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "bus.h"
#include "error.h"
#include "loader.h"
#include "test_support.h"

using qvp_test::build_path;
using qvp_test::read_file;
using qvp_test::TempDir;
using qvp_test::write_file;

namespace {

class LoaderTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		bus = bus_create();
		ASSERT_EQ(bus_add_ram(bus, "ram", 0x40000000, 0x8000000), 0);
		hello = read_file(build_path("sw/hello.elf"));
		ASSERT_GT(hello.size(), 64u) << "build/sw/hello.elf is missing";
	}
	void TearDown() override
	{
		image_release(&image);
		bus_destroy(bus);
	}

	// Loads `contents` written to a file, expecting failure; returns the message.
	std::string load_failure(const std::string &contents)
	{
		std::string path = dir.path("image.elf");
		write_file(path, contents);
		EXPECT_LT(loader_load_elf(bus, path.c_str(), &image), 0);
		return error_message();
	}

	// Offset of the first PT_LOAD program header in an ELF64 file.
	size_t first_load_header(const std::string &elf)
	{
		uint64_t phoff;
		uint16_t phentsize, phnum;
		memcpy(&phoff, elf.data() + 0x20, 8);
		memcpy(&phentsize, elf.data() + 0x36, 2);
		memcpy(&phnum, elf.data() + 0x38, 2);
		for (unsigned i = 0; i < phnum; i++) {
			uint32_t type;
			memcpy(&type, elf.data() + phoff + i * phentsize, 4);
			if (type == 1)
				return phoff + i * phentsize;
		}
		ADD_FAILURE() << "no PT_LOAD";
		return 0;
	}

	struct bus *bus = nullptr;
	struct image image = {};
	std::string hello;
	TempDir dir;
};

TEST_F(LoaderTest, LoadsSegmentsEntryAndSymbols)
{
	ASSERT_EQ(loader_load_elf(bus, build_path("sw/hello.elf").c_str(), &image), 0) << error_message();
	EXPECT_GE(image.entry, 0x40000000u);
	EXPECT_LT(image.entry, 0x48000000u);
	EXPECT_LE(image.low, image.entry);
	EXPECT_GT(image.high, image.entry);

	const struct symbol *main_symbol = image_find_symbol(&image, "main");
	ASSERT_NE(main_symbol, nullptr);
	EXPECT_GT(main_symbol->size, 0u);
	EXPECT_EQ(image_symbol_at(&image, main_symbol->address + 4), main_symbol);
	EXPECT_EQ(image_find_symbol(&image, "no_such_symbol"), nullptr);
	EXPECT_EQ(image_symbol_at(&image, 0x1000), nullptr);

	// The entry point's bytes in RAM are the ELF's: the first instruction is not zero.
	uint64_t first = 0;
	ASSERT_EQ(bus_read(bus, image.entry, 4, &first), BUS_OK);
	EXPECT_NE(first, 0u);
}

TEST_F(LoaderTest, MissingFileNamesThePath)
{
	EXPECT_LT(loader_load_elf(bus, "/nonexistent/fw.elf", &image), 0);
	EXPECT_EQ(std::string(error_message()), "/nonexistent/fw.elf: cannot open: No such file or directory");
}

TEST_F(LoaderTest, TextFileIsNotAnElf)
{
	EXPECT_NE(load_failure("this is not an executable\n").find("not an ELF file"), std::string::npos);
	EXPECT_NE(load_failure("").find("not an ELF file"), std::string::npos);
}

TEST_F(LoaderTest, HostExecutableIsRejectedAsOtherMachine)
{
	// This test program is itself a real x86-64 ELF.
	EXPECT_LT(loader_load_elf(bus, "/proc/self/exe", &image), 0);
	std::string message = error_message();
	EXPECT_NE(message.find("not AArch64"), std::string::npos) << message;
	EXPECT_NE(message.find("x86-64"), std::string::npos) << message;
}

TEST_F(LoaderTest, Elf32IsRejected)
{
	std::string elf = hello;
	elf[4] = 1; // EI_CLASS = ELFCLASS32
	EXPECT_NE(load_failure(elf).find("32-bit ELF"), std::string::npos);
}

TEST_F(LoaderTest, TruncatedFileIsReportedNotCrashed)
{
	for (size_t length : { size_t(16), size_t(64), size_t(100), hello.size() / 2 }) {
		std::string message = load_failure(hello.substr(0, length));
		EXPECT_NE(message.find("image.elf"), std::string::npos) << "length " << length << ": " << message;
	}
}

TEST_F(LoaderTest, SegmentOutsideRamIsReportedWithItsAddress)
{
	std::string elf = hello;
	uint64_t paddr = 0x1000;
	memcpy(&elf[first_load_header(elf) + 0x18], &paddr, 8);
	std::string message = load_failure(elf);
	EXPECT_NE(message.find("at 0x1000-"), std::string::npos) << message;
	EXPECT_NE(message.find("outside RAM"), std::string::npos) << message;
}

TEST_F(LoaderTest, SegmentLargerInFileThanInMemoryIsRejected)
{
	std::string elf = hello;
	uint64_t memsz = 1;
	memcpy(&elf[first_load_header(elf) + 0x28], &memsz, 8);
	EXPECT_NE(load_failure(elf).find("exceeds memory size"), std::string::npos);
}

TEST_F(LoaderTest, SegmentDataPastEndOfFileIsRejected)
{
	std::string elf = hello;
	uint64_t offset = 0x7fffffff;
	memcpy(&elf[first_load_header(elf) + 0x08], &offset, 8);
	EXPECT_NE(load_failure(elf).find("past the end of the file"), std::string::npos);
}

TEST_F(LoaderTest, RawBinaryGoesWhereAsked)
{
	std::string path = dir.path("fw.bin");
	write_file(path, std::string("\x1f\x20\x03\xd5\x7f\x20\x03\xd5", 8)); // nop; wfi
	ASSERT_EQ(loader_load_raw(bus, path.c_str(), 0x40001000, &image), 0) << error_message();
	EXPECT_EQ(image.entry, 0x40001000u);
	uint64_t word;
	ASSERT_EQ(bus_read(bus, 0x40001004, 4, &word), BUS_OK);
	EXPECT_EQ(word, 0xd503207fu);

	EXPECT_LT(loader_load_raw(bus, path.c_str(), 0x47fffffc, &image), 0);
	EXPECT_NE(std::string(error_message()).find("do not fit in RAM"), std::string::npos);
	write_file(path, "");
	EXPECT_LT(loader_load_raw(bus, path.c_str(), 0x40000000, &image), 0);
	EXPECT_NE(std::string(error_message()).find("empty file"), std::string::npos);
}

} // namespace
