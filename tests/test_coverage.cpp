// qvp run --coverage (docs/coverage.md): the known-branch firmware's lines, functions and
// branches against gcov's for the same source built for the host, repeatability, lcov's tools.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>

#include "test_support.h"

using qvp_test::build_path;
using qvp_test::read_file;
using qvp_test::run_process;
using qvp_test::run_qvp;
using qvp_test::TempDir;

namespace {

const std::string workload_source = std::string(QVP_SOURCE_DIR) + "/sw/firmware/coverage_workload.c";

// What one tool says of one source file: lines (hit or not), functions by declaration line,
// and for each line with conditional branches whether every direction was taken.
struct FileCoverage {
	std::map<unsigned, bool> lines;
	std::map<unsigned, bool> functions;
	std::map<unsigned, bool> every_branch_taken;
};

// The record of `source` in an lcov tracefile.
FileCoverage from_tracefile(const std::string &text, const std::string &source)
{
	FileCoverage file;
	std::map<std::string, unsigned> function_lines;
	std::istringstream in(text);
	bool inside = false;
	for (std::string line; std::getline(in, line);) {
		if (line.rfind("SF:", 0) == 0)
			inside = line.substr(3) == source;
		if (!inside)
			continue;
		unsigned number, block, branch;
		char name[256], taken[32];
		if (sscanf(line.c_str(), "DA:%u,%31s", &number, taken) == 2)
			file.lines[number] = std::string(taken) != "0";
		else if (sscanf(line.c_str(), "FN:%u,%255s", &number, name) == 2)
			function_lines[name] = number;
		else if (sscanf(line.c_str(), "FNDA:%31[^,],%255s", taken, name) == 2)
			file.functions[function_lines.at(name)] = std::string(taken) != "0";
		else if (sscanf(line.c_str(), "BRDA:%u,%u,%u,%31s", &number, &block, &branch, taken) == 4) {
			bool was = file.every_branch_taken.count(number) ? file.every_branch_taken[number] : true;
			file.every_branch_taken[number] = was && std::string(taken) != "0" && std::string(taken) != "-";
		}
	}
	return file;
}

// gcov -b -t's annotated source: "COUNT:LINE:text" ('-' not code, '#####' never ran), each
// followed by its "branch N taken P%" lines. gcov puts a function's count on the line that
// declares it.
FileCoverage from_gcov(const std::string &text, const std::set<unsigned> &function_lines)
{
	FileCoverage file;
	std::istringstream in(text);
	unsigned current = 0;
	for (std::string line; std::getline(in, line);) {
		char count[32];
		unsigned number, index, percent;
		if (sscanf(line.c_str(), " %31[^:]:%u:", count, &number) == 2 && number > 0) {
			current = number;
			std::string c = count;
			if (c == "-")
				continue;
			if (function_lines.count(number))
				file.functions[number] = c != "#####";
			else
				file.lines[number] = c != "#####";
		} else if (sscanf(line.c_str(), "branch %u taken %u%%", &index, &percent) == 2) {
			bool was = file.every_branch_taken.count(current) ? file.every_branch_taken[current] : true;
			file.every_branch_taken[current] = was && percent > 0;
		}
	}
	return file;
}

// Runs the host build of the workload and asks gcov about it, in `dir`.
std::string gcov_of_host_run(const TempDir &dir)
{
	const std::string object = QVP_COVERAGE_HOST_OBJECT; // .../coverage_workload.c.o
	const std::string object_dir = object.substr(0, object.rfind('/'));
	const std::string notes = object.substr(0, object.size() - 2) + ".gcno";
	const std::string prefix = dir.path("gcda");
	setenv("GCOV_PREFIX", prefix.c_str(), 1); // the run's counts go there, not into the build
	qvp_test::ProcessResult host = run_process({ build_path("sw/coverage_host") });
	unsetenv("GCOV_PREFIX");
	EXPECT_EQ(host.status, 0) << host.err;
	EXPECT_EQ(run_process({ "cp", notes, prefix + object_dir + "/" }).status, 0);
	qvp_test::ProcessResult gcov = run_process(
		{ "gcov", "-b", "-t", "-o", prefix + object, workload_source });
	EXPECT_EQ(gcov.status, 0) << gcov.err;
	return gcov.out;
}

// Every DA, FNDA and BRDA record with its file and count, for comparing merged tracefiles
// whole (lcov -a writes the records in an order of its own).
std::multiset<std::string> merged_counts(const std::string &text)
{
	std::multiset<std::string> records;
	std::istringstream in(text);
	std::string file;
	for (std::string line; std::getline(in, line);) {
		if (line.rfind("SF:", 0) == 0)
			file = line;
		else if (line.rfind("DA:", 0) == 0 || line.rfind("FNDA:", 0) == 0 || line.rfind("BRDA:", 0) == 0)
			records.insert(file + " " + line);
	}
	return records;
}

std::string source_line(unsigned number)
{
	std::istringstream in(read_file(workload_source));
	std::string line;
	for (unsigned k = 0; k < number && std::getline(in, line); k++) {
	}
	return line.substr(line.find_first_not_of(" \t"));
}

std::string run_coverage(const TempDir &dir, const std::string &name)
{
	qvp_test::ProcessResult run =
		run_qvp({ "run", "--coverage", dir.path(name), build_path("sw/coverage.elf") });
	EXPECT_EQ(run.status, 0) << run.err;
	EXPECT_EQ(run.out, "coverage workload: 36\n");
	return read_file(dir.path(name));
}

} // namespace

TEST(Coverage, LinesFunctionsAndBranchesAgreeWithGcovOfTheHostBuild)
{
	TempDir dir;
	FileCoverage qvp = from_tracefile(run_coverage(dir, "qvp.info"), workload_source);
	std::set<unsigned> function_lines;
	for (const auto &[line, hit] : qvp.functions)
		function_lines.insert(line);
	FileCoverage gcov = from_gcov(gcov_of_host_run(dir), function_lines);

	ASSERT_EQ(qvp.functions.size(), 4u);
	EXPECT_EQ(qvp.functions, gcov.functions); // never_called is the one that did not run
	size_t shared = 0;
	for (const auto &[line, hit] : qvp.lines) {
		if (gcov.lines.count(line)) {
			shared++;
			EXPECT_EQ(hit, gcov.lines[line]) << "line " << line << ": " << source_line(line);
		} else { // the aarch64 prologue and epilogue have lines of their own
			EXPECT_TRUE(source_line(line) == "{" || source_line(line) == "}")
				<< "only qvp has line " << line << ": " << source_line(line);
		}
	}
	for (const auto &[line, hit] : gcov.lines)
		if (!qvp.lines.count(line)) { // a label that needs no instruction of its own on aarch64
			std::string text = source_line(line);
			EXPECT_TRUE(text.rfind("case ", 0) == 0 || text == "default:")
				<< "only gcov has line " << line << ": " << text;
		}
	EXPECT_GE(shared, 14u);
	ASSERT_EQ(qvp.every_branch_taken.size(), 5u); // the ifs, the switch, the loop
	for (const auto &[line, every] : qvp.every_branch_taken) {
		ASSERT_TRUE(gcov.every_branch_taken.count(line)) << "line " << line << ": " << source_line(line);
		EXPECT_EQ(every, gcov.every_branch_taken[line]) << "line " << line << ": " << source_line(line);
	}
}

TEST(Coverage, TwoRunsWriteTheSameTracefile)
{
	TempDir dir;
	std::string first = run_coverage(dir, "first.info");
	EXPECT_NE(first.find("SF:" + workload_source), std::string::npos);
	EXPECT_EQ(first, run_coverage(dir, "second.info"));
}

TEST(Coverage, LcovAndGenhtmlReadTheTracefile)
{
	if (run_process({ "genhtml", "--version" }).status != 0)
		GTEST_SKIP() << "genhtml not installed (Debian: lcov)";
	TempDir dir;
	run_coverage(dir, "run.info");
	qvp_test::ProcessResult summary =
		run_process({ "lcov", "--rc", "lcov_branch_coverage=1", "--summary", dir.path("run.info") });
	EXPECT_EQ(summary.status, 0) << summary.err;
	EXPECT_NE(summary.out.find("functions..:"), std::string::npos) << summary.out;
	EXPECT_NE(summary.out.find("branches...:"), std::string::npos) << summary.out;
	qvp_test::ProcessResult html = run_process(
		{ "genhtml", "--branch-coverage", "-q", "-o", dir.path("html"), dir.path("run.info") });
	EXPECT_EQ(html.status, 0) << html.err;
	EXPECT_EQ(html.err, "");
	qvp_test::ProcessResult page =
		run_process({ "find", dir.path("html"), "-name", "coverage_workload.c.gcov.html" });
	EXPECT_NE(page.out, "") << "genhtml wrote no page for the workload's source";
}

TEST(Coverage, TheKvmBackendIsRefusedWithTheReason)
{
	TempDir dir;
	qvp_test::ProcessResult run = run_qvp(
		{ "run", "--backend", "kvm", "--coverage", dir.path("x.info"), build_path("sw/coverage.elf") });
	EXPECT_EQ(run.status, 125);
	EXPECT_NE(run.err.find("--coverage needs the iss backend"), std::string::npos) << run.err;
}

TEST(Coverage, AMissingImageIsAnErrorBeforeTheRun)
{
	TempDir dir;
	qvp_test::ProcessResult run = run_qvp({ "run", "--coverage", dir.path("x.info"), "--coverage-image",
	                                        dir.path("none.elf@0x1000"), build_path("sw/coverage.elf") });
	EXPECT_EQ(run.status, 125);
	EXPECT_NE(run.err.find("none.elf: No such file"), std::string::npos) << run.err;
	EXPECT_EQ(run.out, "");
}

// qvp test --coverage: each test's tracefile, and the merged one equal to lcov -a of them.
TEST(Coverage, TheFarmMergesTheTestsLikeLcovAdd)
{
	if (run_process({ "lcov", "--version" }).status != 0)
		GTEST_SKIP() << "lcov not installed (Debian: lcov)";
	TempDir dir;
	qvp_test::write_file(dir.path("farm.yaml"), "tests:\n"
	                                            "  - name: known\n    firmware: " + build_path("sw/coverage.elf") + "\n"
	                                            "  - name: hello\n    firmware: " + build_path("sw/hello.elf") + "\n");
	qvp_test::ProcessResult farm =
		run_qvp({ "test", "-j", "2", "--coverage", dir.path("cov"), dir.path("farm.yaml") });
	ASSERT_EQ(farm.status, 0) << farm.out << farm.err;
	EXPECT_NE(farm.out.find("coverage: " + dir.path("cov/merged.info") + " (2 tests)"), std::string::npos) << farm.out;
	EXPECT_EQ(read_file(dir.path("cov/known.info")), run_coverage(dir, "alone.info")); // what qvp run writes
	qvp_test::ProcessResult add = run_process({ "lcov", "--rc", "lcov_branch_coverage=1", "-q", "-a",
	                                            dir.path("cov/known.info"), "-a", dir.path("cov/hello.info"),
	                                            "-o", dir.path("lcov.info") });
	ASSERT_EQ(add.status, 0) << add.err;
	std::string merged = read_file(dir.path("cov/merged.info")), oracle = read_file(dir.path("lcov.info"));
	for (const std::string &source : { workload_source, std::string(QVP_SOURCE_DIR) + "/sw/firmware/hello.c",
	                                   std::string(QVP_SOURCE_DIR) + "/sw/sdk/printf.c" }) {
		FileCoverage ours = from_tracefile(merged, source), theirs = from_tracefile(oracle, source);
		EXPECT_FALSE(ours.lines.empty()) << source;
		EXPECT_EQ(ours.lines, theirs.lines) << source;
		EXPECT_EQ(ours.functions, theirs.functions) << source;
		EXPECT_EQ(ours.every_branch_taken, theirs.every_branch_taken) << source;
	}
	EXPECT_EQ(merged_counts(merged), merged_counts(oracle));
}
