#include "iss_harness.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace iss_test
{

namespace
{

std::string slurp(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	std::stringstream contents;
	contents << in.rdbuf();
	return contents.str();
}

// A scratch directory for one assembly, removed afterwards.
struct ScratchDir {
	ScratchDir()
	{
		char templ[] = "/tmp/qvp-iss-test-XXXXXX";
		if (mkdtemp(templ))
			path = templ;
	}
	~ScratchDir()
	{
		if (!path.empty())
			(void)system(("rm -rf '" + path + "'").c_str());
	}
	std::string path;
};

bool tool_available(const char *tool)
{
	return system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0;
}

} // namespace

std::vector<uint32_t> assemble(const std::string &source, uint64_t address)
{
	for (const char *tool : {"aarch64-linux-gnu-as", "aarch64-linux-gnu-ld", "aarch64-linux-gnu-objcopy"}) {
		if (!tool_available(tool)) {
			ADD_FAILURE() << tool << " is not installed: the iss tests assemble their snippets with it "
			              << "(Debian: apt-get install binutils-aarch64-linux-gnu)";
			return {};
		}
	}
	ScratchDir dir;
	if (dir.path.empty()) {
		ADD_FAILURE() << "mkdtemp failed";
		return {};
	}
	std::string s = dir.path + "/snippet.s", o = dir.path + "/snippet.o", elf = dir.path + "/snippet.elf";
	std::string bin = dir.path + "/snippet.bin", log = dir.path + "/log";
	{
		std::ofstream out(s);
		out << "\t.text\n\t.global _start\n_start:\n" << source << "\n";
	}
	char text_address[32];
	snprintf(text_address, sizeof(text_address), "0x%llx", (unsigned long long)address);
	// ld resolves what as leaves as relocations (ADRP); the snippet is linked where it will run.
	std::string command = "aarch64-linux-gnu-as -o " + o + " " + s + " >" + log + " 2>&1" +
	                      " && aarch64-linux-gnu-ld -Ttext=" + text_address + " -o " + elf + " " + o + " >>" + log +
	                      " 2>&1" + " && aarch64-linux-gnu-objcopy -O binary -j .text " + elf + " " + bin + " >>" +
	                      log + " 2>&1";
	if (system(command.c_str()) != 0) {
		ADD_FAILURE() << "assembling failed:\n" << slurp(log) << "source:\n" << source;
		return {};
	}
	std::string bytes = slurp(bin);
	std::vector<uint32_t> words(bytes.size() / 4);
	memcpy(words.data(), bytes.data(), words.size() * 4);
	return words;
}

unsigned reference_add_flags(uint64_t a, uint64_t b, unsigned carry, unsigned bits, uint64_t *result)
{
	uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
	a &= mask;
	b &= mask;
	unsigned __int128 unsigned_sum = (unsigned __int128)a + b + carry;
	auto sint = [bits](uint64_t v) -> __int128 {
		return bits == 64 ? (__int128)(int64_t)v : (__int128)(int32_t)(uint32_t)v;
	};
	__int128 signed_sum = sint(a) + sint(b) + carry;
	uint64_t r = (uint64_t)unsigned_sum & mask;
	unsigned flags = 0;
	if ((r >> (bits - 1)) & 1)
		flags |= N;
	if (r == 0)
		flags |= Z;
	if ((unsigned __int128)r != unsigned_sum)
		flags |= C;
	if (sint(r) != signed_sum)
		flags |= V;
	*result = r;
	return flags;
}

void IssTest::SetUp()
{
	bus = bus_create();
	ASSERT_NE(bus, nullptr);
	ASSERT_EQ(bus_add_ram(bus, "ram", kRamBase, kRamSize), 0) << error_message();
	cpu = iss_create(bus);
	ASSERT_NE(cpu, nullptr) << error_message();
}

void IssTest::TearDown()
{
	if (cpu)
		cpu->ops->destroy(cpu);
	if (bus)
		bus_destroy(bus);
}

void IssTest::load_words(const std::vector<uint32_t> &words, uint64_t address)
{
	ASSERT_FALSE(words.empty());
	ASSERT_EQ(cpu->ops->write_memory(cpu, address, words.data(), words.size() * 4), 0) << error_message();
	start = address;
	end = address + words.size() * 4;
	set_x(CPU_REG_PC, address);
}

void IssTest::load(const std::string &source, uint64_t address)
{
	load_words(assemble(source, address), address);
}

cpu_run_result IssTest::run(uint64_t budget)
{
	return cpu->ops->run(cpu, budget);
}

void IssTest::rerun(Registers registers)
{
	for (const auto &reg : registers)
		set_x(reg.first, reg.second);
	set_x(CPU_REG_PC, start);
	cpu_run_result result = run();
	ASSERT_EQ(result.reason, CPU_STOP_WFI)
	    << "stopped with reason " << result.reason << " at pc 0x" << std::hex << pc() << ": " << error_message();
}

void IssTest::exec(const std::string &source, Registers registers)
{
	load(source + "\n\twfi\n");
	rerun(registers);
}

void IssTest::setup(const std::string &source, Registers registers)
{
	uint64_t saved_start = start, saved_end = end;
	load(source + "\n\twfi\n", kSetup);
	for (const auto &reg : registers)
		set_x(reg.first, reg.second);
	cpu_run_result result = run();
	ASSERT_EQ(result.reason, CPU_STOP_WFI) << "setup stopped at pc 0x" << std::hex << pc();
	ASSERT_LT(pc() - kSetup, 0x1000u) << "setup took an exception";
	start = saved_start;
	end = saved_end;
	set_x(CPU_REG_PC, start);
}

void IssTest::install_vectors()
{
	std::string entry = "mrs x26, esr_el1\n mrs x27, elr_el1\n mrs x28, far_el1\n mrs x29, spsr_el1\n wfi\n b .\n";
	std::string table;
	for (int k = 0; k < 16; k++)
		table += ".balign 0x80\n" + entry;
	std::vector<uint32_t> words = assemble(table, kVectors);
	ASSERT_EQ(cpu->ops->write_memory(cpu, kVectors, words.data(), words.size() * 4), 0) << error_message();
	setup("msr vbar_el1, x0\n isb\n", {{0, kVectors}});
}

Taken IssTest::taken()
{
	Taken t;
	uint64_t at = pc();
	if (at < kVectors + 20 || at >= kVectors + 0x800 || (at - kVectors) % 0x80 != 20)
		return t;
	t.taken = true;
	t.offset = at - 20 - kVectors;
	t.esr = x(26);
	t.elr = x(27);
	t.far = x(28);
	t.spsr = x(29);
	return t;
}

void IssTest::enable_mmu_identity()
{
	// Level 1 blocks of 1 GiB: AF, inner shareable; attr1 (Device) below RAM, attr0 (Normal) for RAM.
	write64(kPageTables + 0, 0x0000000000000405ull);
	write64(kPageTables + 8, kRamBase | 0x701ull);
	setup("msr mair_el1, x0\n msr tcr_el1, x1\n msr ttbr0_el1, x2\n isb\n"
	      "mrs x3, sctlr_el1\n orr x3, x3, #1\n msr sctlr_el1, x3\n isb\n",
	      {{0, 0x00ff}, {1, 25 | 1u << 23}, {2, kPageTables}});
}

uint64_t IssTest::x(int n)
{
	uint64_t value = 0;
	EXPECT_EQ(cpu->ops->get_register(cpu, (cpu_register)n, &value), 0) << error_message();
	return value;
}

void IssTest::set_x(int n, uint64_t value)
{
	EXPECT_EQ(cpu->ops->set_register(cpu, (cpu_register)n, value), 0) << error_message();
}

void IssTest::set_nzcv(unsigned flags)
{
	set_x(CPU_REG_PSTATE, (pstate() & ~(0xfull << 28)) | (uint64_t)flags << 28);
}

uint64_t IssTest::read64(uint64_t address)
{
	uint64_t value = 0;
	EXPECT_EQ(cpu->ops->read_memory(cpu, address, &value, 8), 0) << error_message();
	return value;
}

uint32_t IssTest::read32(uint64_t address)
{
	uint32_t value = 0;
	EXPECT_EQ(cpu->ops->read_memory(cpu, address, &value, 4), 0) << error_message();
	return value;
}

void IssTest::write64(uint64_t address, uint64_t value)
{
	EXPECT_EQ(cpu->ops->write_memory(cpu, address, &value, 8), 0) << error_message();
}

void IssTest::write32(uint64_t address, uint32_t value)
{
	EXPECT_EQ(cpu->ops->write_memory(cpu, address, &value, 4), 0) << error_message();
}

void IssTest::fill(uint64_t address, uint8_t byte, size_t length)
{
	std::vector<uint8_t> bytes(length, byte);
	EXPECT_EQ(cpu->ops->write_memory(cpu, address, bytes.data(), length), 0) << error_message();
}

Taken IssTest::run_to_vector()
{
	run(1000);
	Taken t = taken();
	EXPECT_TRUE(t.taken) << "pc 0x" << std::hex << pc();
	return t;
}

void IssTest::set_cpacr(uint64_t value)
{
	setup("msr cpacr_el1, x0\n isb\n", {{0, value}});
}

} // namespace iss_test
