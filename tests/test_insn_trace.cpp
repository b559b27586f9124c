// qvp run --trace-insns (docs/coverage.md): the instructions traced are the ones QEMU runs
// (its one-instruction-per-block exec log is the oracle), each line's text is objdump's up to
// notation, runs repeat, the windows cut the full trace exactly, and bad options are refused.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cinttypes>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

using qvp_test::build_path;
using qvp_test::read_file;
using qvp_test::run_process;
using qvp_test::run_qvp;
using qvp_test::TempDir;

namespace {

const std::string kFirmware = build_path("sw/coverage.elf");

struct TraceLine {
	uint64_t number = 0;
	std::string time;
	uint64_t pc = 0;
	uint32_t word = 0;
	std::string assembly;
	std::string registers; // the indented line after it, with `regs`
};

// The instruction lines of a trace file ("INSN TIME cpuN ELn PC pa=PA WORD  ASSEMBLY").
std::vector<TraceLine> parse_trace(const std::string &text)
{
	std::vector<TraceLine> lines;
	std::istringstream in(text);
	for (std::string line; std::getline(in, line);) {
		if (line.empty() || line[0] == '#')
			continue;
		if (line[0] == ' ') {
			if (!lines.empty())
				lines.back().registers = line;
			continue;
		}
		std::istringstream fields(line);
		std::string cpu, el, pc, pa, word;
		TraceLine parsed;
		fields >> parsed.number >> parsed.time >> cpu >> el >> pc >> pa >> word;
		std::getline(fields, parsed.assembly);
		parsed.assembly.erase(0, parsed.assembly.find_first_not_of(' '));
		parsed.pc = std::stoull(pc, nullptr, 16);
		parsed.word = std::stoul(word, nullptr, 16);
		lines.push_back(parsed);
	}
	return lines;
}

std::vector<TraceLine> trace(const std::string &options, const std::string &firmware = kFirmware)
{
	TempDir dir;
	std::string path = dir.path("trace.txt");
	qvp_test::ProcessResult run = run_qvp({ "run", "--trace-insns", path + options, firmware });
	EXPECT_EQ(run.status, 0) << run.err;
	return parse_trace(read_file(path));
}

// A function symbol's first and last byte, from the ELF's symbol table (binutils).
std::pair<uint64_t, uint64_t> symbol_range(const std::string &name)
{
	qvp_test::ProcessResult nm = run_process({ "aarch64-linux-gnu-nm", "-S", kFirmware });
	std::istringstream in(nm.out);
	for (std::string line; std::getline(in, line);) {
		std::istringstream fields(line);
		std::string address, size, type, symbol;
		if (fields >> address >> size >> type >> symbol && symbol == name) {
			uint64_t start = std::stoull(address, nullptr, 16);
			return { start, start + std::stoull(size, nullptr, 16) - 1 };
		}
	}
	ADD_FAILURE() << "no symbol " << name << " in " << kFirmware;
	return { 0, 0 };
}

std::string hex(uint64_t value)
{
	char text[32];
	snprintf(text, sizeof(text), "0x%" PRIx64, value);
	return text;
}

// ---- Notation: Capstone and objdump agree on the instruction, not on how to write it. ----

// Numbers become their value in decimal ("#0x10", "#16" and objdump's bare hex targets).
std::string normalize_numbers(const std::string &operands, bool bare_is_hex)
{
	std::string out;
	std::istringstream in(operands);
	for (std::string token; std::getline(in, token, ',');) {
		token.erase(0, token.find_first_not_of(' '));
		std::string prefix, suffix, digits = token;
		size_t start = digits.find_first_not_of("[#");
		prefix = digits.substr(0, start);
		digits = digits.substr(start);
		size_t end = digits.find_first_of("]!");
		if (end != std::string::npos) {
			suffix = digits.substr(end);
			digits = digits.substr(0, end);
		}
		bool hash = prefix.find('#') != std::string::npos;
		std::string sign = digits.rfind('-', 0) == 0 ? "-" : "";
		digits.erase(0, sign.size());
		char *rest;
		unsigned long long value =
			strtoull(digits.c_str(), &rest, hash || digits.rfind("0x", 0) == 0 ? 0 : (bare_is_hex ? 16 : 10));
		bool address = bare_is_hex && digits.find_first_of("0123456789") != std::string::npos; // not "cc"
		if (!digits.empty() && *rest == '\0' && (hash || address) && isxdigit((unsigned char)digits[0]))
			token = prefix.substr(0, prefix.find('#')) + sign + std::to_string(value) + suffix;
		out += (out.empty() ? "" : ",") + token;
	}
	return out;
}

// Condition codes by one name each (Capstone: lo/hs, objdump: cc/cs).
std::string normalize_conditions(std::string text)
{
	const std::pair<std::string, std::string> aliases[] = { { "lo", "cc" }, { "hs", "cs" } };
	for (const auto &alias : aliases) {
		for (size_t at = 0; (at = text.find(alias.first, at)) != std::string::npos; at += alias.second.size()) {
			bool starts = at == 0 || text[at - 1] == ' ' || text[at - 1] == '.' || text[at - 1] == ',';
			bool ends = at + 2 == text.size() || text[at + 2] == ' ' || text[at + 2] == ',';
			if (starts && ends)
				text.replace(at, 2, alias.second);
		}
	}
	return text;
}

// objdump's preferred "mov" for MOVZ/MOVN/ORR-with-zero-register moves of an immediate.
std::string normalize_move(const std::string &mnemonic, const std::string &operands)
{
	std::istringstream in(operands);
	std::string reg, imm, shift;
	std::getline(in, reg, ',');
	std::getline(in, imm, ',');
	std::getline(in, shift);
	bool wide = reg[0] == 'x';
	uint64_t value = strtoull(imm.c_str() + imm.find('#') + 1, nullptr, 0);
	if (mnemonic == "orr" && imm.find("zr") != std::string::npos)
		return "mov " + reg + "," + shift;
	if (!shift.empty())
		value <<= strtoull(shift.c_str() + shift.find('#') + 1, nullptr, 0);
	if (mnemonic == "movn")
		value = wide ? ~value : (~value & 0xffffffffu);
	return "mov " + reg + ",#" + std::to_string(value);
}

std::string normalize(const std::string &assembly, bool objdump)
{
	std::string text = assembly.substr(0, assembly.find("//")); // objdump's "// #16" comments
	text = text.substr(0, text.find(" <"));
	size_t space = text.find_first_of(" \t");
	std::string mnemonic = text.substr(0, space);
	std::string operands = space == std::string::npos ? "" : text.substr(space + 1);
	operands.erase(0, operands.find_first_not_of(" \t"));
	while (!operands.empty() && isspace((unsigned char)operands.back()))
		operands.pop_back();
	if (!objdump && (mnemonic == "movz" || mnemonic == "movn" ||
			 (mnemonic == "orr" && operands.find(", xzr, #") != std::string::npos) ||
			 (mnemonic == "orr" && operands.find(", wzr, #") != std::string::npos)))
		return normalize(normalize_move(mnemonic, operands), true);
	std::string joined;
	for (char c : normalize_numbers(operands, objdump))
		if (c != ' ')
			joined += c;
	return normalize_conditions(mnemonic + " " + joined);
}

// objdump -d: address -> (word, text).
std::map<uint64_t, std::pair<uint32_t, std::string>> objdump(const std::string &elf)
{
	std::map<uint64_t, std::pair<uint32_t, std::string>> code;
	qvp_test::ProcessResult dump = run_process({ "aarch64-linux-gnu-objdump", "-d", elf });
	std::istringstream in(dump.out);
	for (std::string line; std::getline(in, line);) {
		unsigned long long address;
		unsigned word;
		char text[256];
		if (sscanf(line.c_str(), " %llx: %8x %255[^\n]", &address, &word, text) == 3)
			code[address] = { word, text };
	}
	return code;
}

// ---- The tests ----

TEST(InsnTrace, TheWorkloadRunsTheInstructionsQemuRuns)
{
	if (access("/usr/bin/qemu-system-aarch64", X_OK) != 0)
		GTEST_SKIP() << qvp_test::qemu_missing;
	uint64_t low = symbol_range("main").first, high = symbol_range("coverage_workload").second;
	std::vector<TraceLine> ours = trace(",pc=" + hex(low) + "-" + hex(high));

	TempDir dir;
	qvp_test::QemuOptions options;
	options.extra = { "-singlestep", "-d", "exec,nochain", "-D", dir.path("qemu.log") };
	qvp_test::QemuRun qemu = qvp_test::run_qemu_virt(kFirmware, options);
	ASSERT_EQ(qemu.status, 0) << qemu.err;
	std::vector<uint64_t> theirs, mine;
	std::istringstream log(read_file(dir.path("qemu.log")));
	for (std::string line; std::getline(log, line);) {
		size_t slash = line.find('/'); // "Trace 0: HOST [CS_BASE/PC/FLAGS/CFLAGS] symbol"
		if (line.rfind("Trace ", 0) != 0 || slash == std::string::npos)
			continue;
		uint64_t pc = std::stoull(line.substr(slash + 1), nullptr, 16);
		if (pc >= low && pc <= high)
			theirs.push_back(pc);
	}
	for (const TraceLine &line : ours)
		mine.push_back(line.pc);
	EXPECT_GT(mine.size(), 100u);
	EXPECT_EQ(mine, theirs);
}

TEST(InsnTrace, EachInstructionIsObjdumpsUpToNotation)
{
	std::map<uint64_t, std::pair<uint32_t, std::string>> code = objdump(kFirmware);
	std::vector<TraceLine> lines = trace("");
	std::map<uint64_t, bool> checked;
	ASSERT_GT(lines.size(), 1000u);
	for (const TraceLine &line : lines) {
		if (checked[line.pc])
			continue;
		checked[line.pc] = true;
		auto dumped = code.find(line.pc);
		ASSERT_NE(dumped, code.end()) << hex(line.pc) << " ran but objdump has no instruction there";
		EXPECT_EQ(line.word, dumped->second.first) << hex(line.pc);
		EXPECT_EQ(normalize(line.assembly, false), normalize(dumped->second.second, true))
			<< hex(line.pc) << ": qvp '" << line.assembly << "', objdump '" << dumped->second.second << "'";
	}
	EXPECT_GT(checked.size(), 500u);
}

TEST(InsnTrace, TwoRunsGiveTheSameTrace)
{
	TempDir dir;
	for (const char *name : { "a.txt", "b.txt" })
		ASSERT_EQ(run_qvp({ "run", "--trace-insns", dir.path(name) + ",regs", kFirmware }).status, 0);
	std::string first = read_file(dir.path("a.txt"));
	EXPECT_GT(first.size(), 100000u);
	EXPECT_EQ(first, read_file(dir.path("b.txt")));
}

TEST(InsnTrace, WindowsCutTheFullTraceExactly)
{
	std::vector<TraceLine> full = trace("");
	ASSERT_GT(full.size(), 400u);
	for (size_t k = 0; k < full.size(); k++)
		ASSERT_EQ(full[k].number, k) << "one line per instruction, numbered from 0";

	std::vector<TraceLine> by_count = trace(",insns=100-299");
	ASSERT_EQ(by_count.size(), 200u);
	for (size_t k = 0; k < by_count.size(); k++)
		EXPECT_EQ(by_count[k].assembly, full[100 + k].assembly);

	std::vector<TraceLine> by_time = trace(",time=150ns-249ns"); // one instruction a nanosecond here
	ASSERT_EQ(by_time.size(), 100u);
	EXPECT_EQ(by_time.front().number, 150u);
	EXPECT_EQ(by_time.front().time, "150.000ns");

	TempDir dir;
	ASSERT_EQ(run_qvp({ "run", "--trace-insns", dir.path("t.txt") + ",limit=7", kFirmware }).status, 0);
	std::string limited = read_file(dir.path("t.txt"));
	EXPECT_EQ(parse_trace(limited).size(), 7u);
	EXPECT_NE(limited.find("stopped at its limit of 7 lines"), std::string::npos) << limited;

	// A window the limit does not cut says nothing of a limit.
	ASSERT_EQ(run_qvp({ "run", "--trace-insns", dir.path("u.txt") + ",insns=0-6,limit=7", kFirmware }).status, 0);
	EXPECT_EQ(read_file(dir.path("u.txt")).find("limit"), std::string::npos);
}

// An immediate move's register line shows the value the instruction says.
TEST(InsnTrace, RegsShowWhatEachInstructionChanged)
{
	std::vector<TraceLine> lines = trace(",regs");
	unsigned moves = 0;
	for (const TraceLine &line : lines) {
		if (line.assembly.rfind("movz x", 0) != 0 && line.assembly.rfind("movn x", 0) != 0)
			continue;
		std::string moved = normalize(line.assembly, false); // "mov x1,3145728"
		std::string reg = moved.substr(4, moved.find(',') - 4);
		uint64_t value = std::stoull(moved.substr(moved.find(',') + 1));
		if (line.registers.empty())
			continue; // the register held that value already
		EXPECT_NE(line.registers.find(" " + reg + "=" + hex(value)), std::string::npos)
			<< line.assembly << " then: " << line.registers;
		moves++;
	}
	EXPECT_GT(moves, 10u);
}

TEST(InsnTrace, BadOptionsAreRefused)
{
	TempDir dir;
	std::string file = dir.path("t.txt");
	const std::pair<std::string, std::string> cases[] = {
		{ file + ",insns=5", "" }, // accepted: one instruction
		{ file + ",colour", "unknown option 'colour'" },
		{ file + ",insns=20-10", "insns: the range ends before it starts" },
		{ file + ",insns=abc", "insns: 'abc' is not a number" },
		{ file + ",time=10", "time:" },
		{ file + ",limit=0", "limit must be at least 1" },
		{ dir.path("no/such/dir/t.txt"), "cannot write" },
	};
	for (const auto &c : cases) {
		qvp_test::ProcessResult run = run_qvp({ "run", "--trace-insns", c.first, kFirmware });
		if (c.second.empty()) {
			EXPECT_EQ(run.status, 0) << run.err;
			EXPECT_EQ(parse_trace(read_file(file)).size(), 1u);
			continue;
		}
		EXPECT_EQ(run.status, 125) << c.first;
		EXPECT_NE(run.err.find(c.second), std::string::npos) << c.first << ": " << run.err;
	}
	qvp_test::ProcessResult kvm = run_qvp({ "run", "--backend", "kvm", "--trace-insns", file, kFirmware });
	EXPECT_EQ(kvm.status, 125);
	EXPECT_NE(kvm.err.find("--trace-insns needs the iss backend"), std::string::npos) << kvm.err;
}

} // namespace
