// `qvp test` as CI runs it: verdicts for failing, hanging, crashing, timing-out and
// non-repeatable tests, shards, JUnit checked with xmllint, JSON, and Ctrl-C mid-run.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml.h>

#include <chrono>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "farm.h"
#include "test_support.h"

extern char **environ;

using qvp_test::build_path;
using qvp_test::ProcessResult;
using qvp_test::read_file;
using qvp_test::TempDir;
using qvp_test::write_file;

namespace
{

ProcessResult qvp_test_command(std::vector<std::string> args)
{
	args.insert(args.begin(), {build_path("qvp"), "test"});
	return qvp_test::run_process(args);
}

// One value from an XML file through an XPath expression, as xmllint prints it.
std::string xpath(const std::string &file, const std::string &expression)
{
	ProcessResult result = qvp_test::run_process({"xmllint", "--xpath", expression, file});
	if (!result.out.empty() && result.out.back() == '\n')
		result.out.pop_back(); // xmllint ends what it prints with a newline
	return result.out;
}

void expect_well_formed(const std::string &file)
{
	ProcessResult result = qvp_test::run_process({"xmllint", "--noout", file});
	EXPECT_EQ(result.status, 0) << result.err;
}

std::string elf(const std::string &name)
{
	return build_path("sw/" + name + ".elf");
}

// A manifest in `dir` with the given tests (YAML list entries, already indented).
std::string manifest(const TempDir &dir, const std::string &tests)
{
	std::string path = dir.path("farm.yaml");
	write_file(path, "defaults:\n  watchdog: 120s\ntests:\n" + tests);
	return path;
}

std::string hello_test(const std::string &name)
{
	return "  - name: " + name + "\n    firmware: " + elf("hello") + "\n    expect: '^Hello from qvp!$'\n";
}

// The JSON report is YAML too: returns counts.<field>.
std::string json_count(const std::string &file, const std::string &field)
{
	std::string text = read_file(file), value;
	yaml_parser_t parser;
	yaml_document_t document;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text.data(), text.size());
	if (!yaml_parser_load(&parser, &document)) {
		yaml_parser_delete(&parser);
		return "not JSON";
	}
	yaml_node_t *root = yaml_document_get_root_node(&document);
	for (yaml_node_pair_t *pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = yaml_document_get_node(&document, pair->key);
		yaml_node_t *counts = yaml_document_get_node(&document, pair->value);
		if (std::string((char *)key->data.scalar.value) != "counts")
			continue;
		for (yaml_node_pair_t *c = counts->data.mapping.pairs.start; c < counts->data.mapping.pairs.top; c++)
			if (std::string((char *)yaml_document_get_node(&document, c->key)->data.scalar.value) == field)
				value = (char *)yaml_document_get_node(&document, c->value)->data.scalar.value;
	}
	yaml_document_delete(&document);
	yaml_parser_delete(&parser);
	return value;
}

class FarmVerdicts : public ::testing::Test
{
      protected:
	static void SetUpTestSuite()
	{
		dir_ = new TempDir();
		write_file(dir_->path("spin.bin"), std::string("\x00\x00\x00\x14", 4)); // b .
		std::string tests =
		    hello_test("passes") + "  - name: wrong-exit\n    firmware: " + elf("exitcode") + "\n" +
		    "  - name: missing-text\n    firmware: " + elf("hello") + "\n    expect: 'Goodbye'\n" +
		    "  - name: forbidden-text\n    firmware: " + elf("hello") + "\n    forbid: '[Hh]ello'\n" +
		    "  - name: crashes\n    firmware: " + elf("hello") + "\n    options: [--test-abort-after, '0']\n" +
		    "  - name: no-firmware\n    firmware: missing.elf\n" +
		    "  - name: hangs\n    firmware: spin.bin\n    options: [--raw, '0x40080000']\n    watchdog: 1s\n" +
		    "  - name: times-out\n    firmware: " + elf("bench") + "\n    timeout: 1ms\n" +
		    "  - name: runs-until-timeout\n    firmware: spin.bin\n    options: [--raw, '0x40080000']\n" +
		    "    timeout: 1ms\n    exit: 124\n" + "  - name: not-repeatable\n    firmware: " + elf("hello") +
		    "\n    options: [--test-perturb-output]\n    repeat: 3\n" +
		    "  - name: repeatable\n    firmware: " + elf("hello") + "\n    repeat: 3\n";
		result_ = new ProcessResult(
		    qvp_test_command({"-j", "2", "--log-dir", dir_->path("logs"), "--junit", dir_->path("junit.xml"),
		                      "--json", dir_->path("report.json"), manifest(*dir_, tests)}));
	}
	static void TearDownTestSuite()
	{
		delete result_;
		delete dir_;
	}

	std::string junit()
	{
		return dir_->path("junit.xml");
	}
	std::string testcase(const std::string &name, const std::string &rest)
	{
		return xpath(junit(), "string(//testcase[@name='" + name + "']" + rest + ")");
	}

	static TempDir *dir_;
	static ProcessResult *result_;
};

TempDir *FarmVerdicts::dir_;
ProcessResult *FarmVerdicts::result_;

TEST_F(FarmVerdicts, StatusIsOneWhenATestFails)
{
	EXPECT_EQ(result_->status, 1) << result_->out << result_->err;
	EXPECT_NE(result_->out.find("11 tests: 3 passed, 5 failed, 3 errors, 0 skipped"), std::string::npos)
	    << result_->out;
}

TEST_F(FarmVerdicts, JunitIsWellFormedWithTheCounts)
{
	expect_well_formed(junit());
	EXPECT_EQ(xpath(junit(), "string(/testsuites/testsuite/@tests)"), "11");
	EXPECT_EQ(xpath(junit(), "string(/testsuites/testsuite/@failures)"), "5");
	EXPECT_EQ(xpath(junit(), "string(/testsuites/testsuite/@errors)"), "3");
	EXPECT_EQ(xpath(junit(), "string(/testsuites/testsuite/@skipped)"), "0");
	EXPECT_EQ(xpath(junit(), "count(//testcase)"), "11");
}

TEST_F(FarmVerdicts, PassingTestsCarryConsoleAndTimes)
{
	EXPECT_EQ(testcase("passes", "/system-out"), "Hello from qvp!\n");
	EXPECT_EQ(xpath(junit(), "count(//testcase[@name='passes']/failure)"), "0");
	EXPECT_NE(testcase("passes", "/properties/property[@name='virtual_time_ps']/@value"), "");
	EXPECT_NE(testcase("passes", "/properties/property[@name='instructions']/@value"), "");
	EXPECT_EQ(testcase("passes", "/properties/property[@name='content_hash']/@value").rfind("sha256:", 0), 0u);
	EXPECT_NE(testcase("passes", "/@time"), "");
	EXPECT_EQ(testcase("runs-until-timeout", "/properties/property[@name='exit_code']/@value"), "124");
}

TEST_F(FarmVerdicts, EachFailureHasItsKindAndMessage)
{
	EXPECT_EQ(testcase("wrong-exit", "/failure/@type"), "exit-code");
	EXPECT_EQ(testcase("wrong-exit", "/failure/@message"), "exit code 3, expected 0");
	EXPECT_EQ(testcase("missing-text", "/failure/@message"),
	          "expected pattern 'Goodbye' not found in the console output");
	EXPECT_EQ(testcase("forbidden-text", "/failure/@message"),
	          "forbidden pattern '[Hh]ello' found in the console output: 'Hello from qvp!'");
	EXPECT_EQ(testcase("times-out", "/failure/@type"), "timeout");
	EXPECT_EQ(testcase("times-out", "/failure/@message"),
	          "timed out: virtual time reached the timeout (1ms) before the guest exited");
	EXPECT_EQ(testcase("times-out", "/properties/property[@name='virtual_time_ps']/@value"), "1000000000");
}

TEST_F(FarmVerdicts, CrashAndHangAreErrors)
{
	EXPECT_EQ(testcase("crashes", "/error/@type"), "crash");
	EXPECT_EQ(testcase("crashes", "/error/@message").rfind("qvp crashed: killed by signal 6 (Aborted)", 0), 0u);
	EXPECT_EQ(testcase("crashes", "/system-out"), "Hello from qvp!\n"); // what it printed before the crash
	EXPECT_EQ(testcase("no-firmware", "/error/@type"), "qvp-error");
	// every place looked in: next to the manifest, then the build directory (qvp's own)
	EXPECT_EQ(testcase("no-firmware", "/error/@message").rfind(
	              "qvp could not run the test (status 125): qvp: error: firmware 'missing.elf' not found: looked for " +
	                  dir_->path("missing.elf") + " and ",
	              0),
	          0u)
	    << testcase("no-firmware", "/error/@message");
	EXPECT_NE(testcase("no-firmware", "/error/@message").find("/missing.elf and /"), std::string::npos);
	EXPECT_EQ(testcase("crashes", "/system-err"),
	          "qvp: --test-abort-after: aborting the host process on purpose (test double)\n");
	EXPECT_EQ(testcase("hangs", "/error/@type"), "watchdog");
	EXPECT_EQ(testcase("hangs", "/error/@message"),
	          "hung: no result after 1 s of wall-clock time; the watchdog killed it");
}

TEST_F(FarmVerdicts, RepeatsMustMatch)
{
	EXPECT_EQ(testcase("not-repeatable", "/failure/@type"), "nondeterministic");
	EXPECT_EQ(testcase("not-repeatable", "/failure/@message"),
	          "not repeatable: run 2 differs from run 1 in console output");
	EXPECT_EQ(xpath(junit(), "count(//testcase[@name='repeatable']/failure)"), "0");
	EXPECT_EQ(testcase("repeatable", "/properties/property[@name='runs']/@value"), "3");
}

TEST_F(FarmVerdicts, LogsAreKeptForFailuresOnly)
{
	struct stat info;
	EXPECT_EQ(stat(dir_->path("logs/passes.1.console").c_str(), &info), -1);
	EXPECT_EQ(read_file(dir_->path("logs/wrong-exit.1.console")), "exitcode: exiting with 3\n");
	EXPECT_EQ(stat(dir_->path("logs/hangs.1.stderr").c_str(), &info), 0);
}

TEST_F(FarmVerdicts, JsonHasTheSameCounts)
{
	EXPECT_EQ(json_count(dir_->path("report.json"), "tests"), "11");
	EXPECT_EQ(json_count(dir_->path("report.json"), "passed"), "3");
	EXPECT_EQ(json_count(dir_->path("report.json"), "failed"), "5");
	EXPECT_EQ(json_count(dir_->path("report.json"), "errors"), "3");
}

std::set<std::string> testcase_names(const std::string &junit)
{
	std::set<std::string> names;
	std::istringstream list(xpath(junit, "//testcase/@name"));
	std::string item;
	while (list >> item)
		names.insert(item.substr(6, item.size() - 7)); // name="..."
	return names;
}

TEST(Farm, ShardsAreDisjointAndTheirUnionIsTheSuite)
{
	TempDir dir;
	std::string tests;
	std::set<std::string> all, seen;
	for (int i = 1; i <= 7; i++) {
		tests += hello_test("t" + std::to_string(i));
		all.insert("t" + std::to_string(i));
	}
	std::string path = manifest(dir, tests);
	for (int k = 1; k <= 3; k++) {
		std::string junit = dir.path("shard" + std::to_string(k) + ".xml");
		ProcessResult result = qvp_test_command({"--shard", std::to_string(k) + "/3", "--junit", junit, path});
		EXPECT_EQ(result.status, 0) << result.out << result.err;
		expect_well_formed(junit);
		for (const std::string &name : testcase_names(junit)) {
			EXPECT_EQ(seen.count(name), 0u) << name << " is in two shards";
			seen.insert(name);
		}
	}
	EXPECT_EQ(seen, all);

	// The merge command in docs/farm.md gives one report for the whole suite.
	std::string merged = dir.path("merged.xml");
	std::string command =
	    "cd " + dir.path("") +
	    " && { echo '<?xml version=\"1.0\" encoding=\"UTF-8\"?>'; "
	    "echo '<testsuites>'; for f in shard*.xml; do xmllint --xpath '/testsuites/testsuite' \"$f\"; "
	    "echo; done; echo '</testsuites>'; } > merged.xml";
	ASSERT_EQ(system(command.c_str()), 0);
	expect_well_formed(merged);
	EXPECT_EQ(xpath(merged, "count(//testcase)"), "7");
	EXPECT_EQ(testcase_names(merged), all);
}

TEST(Farm, FilterSelectsByName)
{
	TempDir dir;
	std::string path = manifest(dir, hello_test("boot-a") + hello_test("boot-b") + hello_test("net-a"));
	std::string junit = dir.path("junit.xml");
	ProcessResult result = qvp_test_command({"--filter", "^boot-", "--junit", junit, path});
	EXPECT_EQ(result.status, 0) << result.out << result.err;
	EXPECT_EQ(testcase_names(junit), (std::set<std::string>{"boot-a", "boot-b"}));
	EXPECT_NE(xpath(junit, "string(/testsuites/testsuite/@timestamp)"), "");
	EXPECT_NE(xpath(junit, "string(/testsuites/testsuite/@hostname)"), "");
	EXPECT_EQ(qvp_test_command({"--filter", "(", path}).err,
	          "qvp: error: --filter: invalid regular expression '(': Unmatched ( or \\(\n");
	// a filter that matches nothing is a mistake, reported before any test runs (it passed with 0 tests)
	ProcessResult none = qvp_test_command({"--filter", "nomatch", path});
	EXPECT_EQ(none.status, 125);
	EXPECT_EQ(none.out, "");
	EXPECT_EQ(none.err, "qvp: error: --filter 'nomatch': no test of " + path +
	                        " matches (its tests: boot-a, boot-b, net-a)\n");
}

// A report that cannot be written is refused before the suite runs (it was refused after).
TEST(Farm, UnwritableReportIsRefusedBeforeAnyTestRuns)
{
	TempDir dir;
	std::string path = manifest(dir, hello_test("one"));
	ProcessResult junit = qvp_test_command({"--junit", "/nonexistent/x.xml", path});
	EXPECT_EQ(junit.status, 125);
	EXPECT_EQ(junit.out, "");
	EXPECT_EQ(junit.err.rfind("qvp: error: --junit /nonexistent/x.xml: cannot write there: /nonexistent: ", 0), 0u)
	    << junit.err;
	ProcessResult json = qvp_test_command({"--json", dir.path("no/such/dir/r.json"), path});
	EXPECT_EQ(json.status, 125);
	EXPECT_EQ(json.out, "");
}

// A guest in WFI with nothing left to wake it is reported as idle, not as a slow guest.
TEST(Farm, IdleUntilTheTimeoutIsItsOwnFailure)
{
	TempDir dir;
	write_file(dir.path("wfi.bin"), std::string("\x7f\x20\x03\xd5\xff\xff\xff\x17", 8)); // wfi; b .-4
	std::string path = manifest(dir, "  - name: waits\n    firmware: wfi.bin\n    options: [--raw, '0x40080000']\n"
	                                 "    timeout: 1ms\n");
	std::string junit = dir.path("junit.xml");
	ProcessResult result = qvp_test_command({"--junit", junit, path});
	EXPECT_EQ(result.status, 1) << result.out << result.err;
	EXPECT_EQ(xpath(junit, "string(//testcase[@name='waits']/failure/@type)"), "idle");
	EXPECT_EQ(xpath(junit, "string(//testcase[@name='waits']/failure/@message)"),
	          "idle: the guest waited for an interrupt from 0.000000001000 s on, with nothing to wake it, until the "
	          "timeout (1ms)");
}

// On a terminal (a pty from script(1)) a progress bar; into a file, plain lines only.
TEST(Farm, ProgressBarOnlyOnATerminal)
{
	TempDir dir;
	std::string path = manifest(dir, hello_test("one") + hello_test("two"));
	ProcessResult plain = qvp_test_command({"-j", "1", path}); // -j 1: lines in manifest order
	EXPECT_EQ(plain.status, 0);
	EXPECT_EQ(plain.out.find('\r'), std::string::npos) << plain.out;
	EXPECT_EQ(plain.out.rfind("pass    one (", 0), 0u) << plain.out;

	ProcessResult tty =
	    qvp_test::run_process({"script", "-qec", build_path("qvp") + " test " + path, dir.path("typescript")});
	if (tty.status == -1 || tty.out.find("2 tests:") == std::string::npos)
		GTEST_SKIP() << "script(1) could not give qvp a terminal: " << tty.err;
	EXPECT_EQ(tty.status, 0);
	EXPECT_NE(tty.out.find("\r\033[K[###############               ] 1/2 tests, 0 failed"), std::string::npos)
	    << tty.out;
}

// firmware: next to the manifest first, then in the build directory; platform: a name as is,
// a file like firmware.
TEST(Farm, RelativePathsResolveNextToTheManifestThenInTheBuildDirectory)
{
	TempDir dir;
	write_file(dir.path("local.elf"), read_file(elf("hello")));
	write_file(dir.path("board.dts"), read_file(std::string(QVP_SOURCE_DIR) + "/platforms/virt.dts"));
	write_file(dir.path("farm.yaml"), "tests:\n"
	                                  "  - name: local\n    firmware: local.elf\n    platform: board.dts\n"
	                                  "  - name: built\n    firmware: sw/hello.elf\n    platform: virt\n");
	ProcessResult result = qvp_test_command({"--build-dir", build_path(""), dir.path("farm.yaml")});
	EXPECT_EQ(result.status, 0) << result.out << result.err;
	EXPECT_NE(result.out.find("2 tests: 2 passed"), std::string::npos) << result.out;
}

// A test's own repeat wins, then --repeat, then the manifest's defaults.
TEST(Farm, RepeatPrecedence)
{
	TempDir dir;
	write_file(dir.path("farm.yaml"),
	           "defaults:\n  repeat: 2\ntests:\n" + hello_test("own") + "    repeat: 1\n" + hello_test("inherits"));
	std::string junit = dir.path("junit.xml");
	auto runs = [&](const std::string &name) {
		return xpath(junit,
		             "string(//testcase[@name='" + name + "']/properties/property[@name='runs']/@value)");
	};
	ASSERT_EQ(qvp_test_command({"--junit", junit, dir.path("farm.yaml")}).status, 0);
	EXPECT_EQ(runs("own"), "1");
	EXPECT_EQ(runs("inherits"), "2");
	ASSERT_EQ(qvp_test_command({"--repeat", "3", "--junit", junit, dir.path("farm.yaml")}).status, 0);
	EXPECT_EQ(runs("own"), "1");
	EXPECT_EQ(runs("inherits"), "3");
}

// Same suite, different parallelism and repeats: the same content hash for every test.
TEST(Farm, HashesDoNotDependOnHowTheFarmRuns)
{
	TempDir dir;
	std::string suite = std::string(QVP_SOURCE_DIR) + "/sw/farm.yaml";
	std::string first = dir.path("j1.xml"), second = dir.path("j2.xml");
	ASSERT_EQ(qvp_test_command({"-j", "1", "--build-dir", build_path(""), "--junit", first, suite}).status, 0);
	ASSERT_EQ(
	    qvp_test_command({"-j", "2", "--repeat", "2", "--build-dir", build_path(""), "--junit", second, suite})
	        .status,
	    0);
	const std::string hashes = "//testcase/properties/property[@name='content_hash']/@value";
	EXPECT_NE(xpath(first, hashes), "");
	EXPECT_EQ(xpath(first, hashes), xpath(second, hashes));
}

TEST(Farm, ProjectSuiteShardsCoverTheManifest)
{
	TempDir dir;
	std::string suite = std::string(QVP_SOURCE_DIR) + "/sw/farm.yaml";
	size_t total = 0;
	for (int k = 1; k <= 2; k++) {
		std::string junit = dir.path("s" + std::to_string(k) + ".xml");
		ProcessResult result = qvp_test_command(
		    {"--shard", std::to_string(k) + "/2", "--build-dir", build_path(""), "--junit", junit, suite});
		EXPECT_EQ(result.status, 0) << result.out << result.err;
		total += testcase_names(junit).size();
	}
	farm_manifest *loaded = nullptr;
	ASSERT_EQ(farm_manifest_load(suite.c_str(), &loaded), 0);
	EXPECT_EQ(total, loaded->test_count);
	EXPECT_GE(total, 3u);
	farm_manifest_free(loaded);
}

pid_t spawn(const std::vector<std::string> &argv, const std::string &out)
{
	std::vector<char *> args;
	posix_spawn_file_actions_t actions;
	pid_t child = -1;

	for (const std::string &arg : argv)
		args.push_back(const_cast<char *>(arg.c_str()));
	args.push_back(nullptr);
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (out + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC,
	                                 0600);
	posix_spawn(&child, args[0], &actions, nullptr, args.data(), environ);
	posix_spawn_file_actions_destroy(&actions);
	return child;
}

TEST(Farm, InterruptMidRunLeavesAValidReport)
{
	TempDir dir;
	struct stat info;
	write_file(dir.path("spin.bin"), std::string("\x00\x00\x00\x14", 4));
	std::string path = manifest(
	    dir, hello_test("first") + "  - name: hangs\n    firmware: spin.bin\n    options: [--raw, '0x40080000']\n" +
	             hello_test("never-started"));
	pid_t farm = spawn({build_path("qvp"), "test", "-j", "1", "--log-dir", dir.path("logs"), "--junit",
	                    dir.path("junit.xml"), "--json", dir.path("report.json"), path},
	                   dir.path("out"));
	ASSERT_GT(farm, 0);
	for (int i = 0; i < 600 && stat(dir.path("logs/hangs.1.console").c_str(), &info) != 0; i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
	std::this_thread::sleep_for(std::chrono::milliseconds(200));
	auto started = std::chrono::steady_clock::now();
	kill(farm, SIGINT);
	int status = 0;
	waitpid(farm, &status, 0);
	EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
	ASSERT_TRUE(WIFEXITED(status)) << read_file(dir.path("out"));
	EXPECT_EQ(WEXITSTATUS(status), 130) << read_file(dir.path("out")) << read_file(dir.path("out.err"));

	std::string junit = dir.path("junit.xml");
	expect_well_formed(junit);
	EXPECT_EQ(xpath(junit, "string(/testsuites/testsuite/@tests)"), "3");
	EXPECT_EQ(xpath(junit, "string(/testsuites/testsuite/@skipped)"), "2");
	EXPECT_EQ(xpath(junit, "string(/testsuites/testsuite/@failures)"), "0");
	EXPECT_EQ(xpath(junit, "count(//testcase[@name='first']/skipped)"), "0");
	EXPECT_EQ(xpath(junit, "string(//testcase[@name='hangs']/skipped/@message)"),
	          "not finished: the farm was interrupted");
	EXPECT_EQ(xpath(junit, "string(//property[@name='interrupted']/@value)"), "true");
	EXPECT_EQ(json_count(dir.path("report.json"), "skipped"), "2");
}

TEST(Farm, BadManifestIsOneLineAndStatus125)
{
	TempDir dir;
	write_file(dir.path("farm.yaml"), "tests:\n  - name: a\n    firmware: a.elf\n    exit: x\n");
	ProcessResult result = qvp_test_command({dir.path("farm.yaml")});
	EXPECT_EQ(result.status, 125);
	EXPECT_EQ(result.err,
	          "qvp: error: " + dir.path("farm.yaml") + ":4: test 'a': field 'exit': expected an integer\n");
	EXPECT_EQ(result.out, "");
}

TEST(Farm, UsageErrors)
{
	EXPECT_EQ(qvp_test_command({}).err,
	          "qvp: error: test: missing MANIFEST (e.g. sw/farm.yaml); see 'qvp test --help'\n");
	EXPECT_EQ(qvp_test_command({"-j", "0", "x.yaml"}).err,
	          "qvp: error: --jobs: expected a positive number, not '0'\n");
	EXPECT_EQ(qvp_test_command({"--shard", "3/2", "x.yaml"}).status, 125);
	ProcessResult help = qvp_test_command({"--help"});
	EXPECT_EQ(help.status, 0);
	EXPECT_EQ(help.out.rfind("Usage: qvp test [OPTIONS] MANIFEST\n", 0), 0u);
}

// `cpus:` runs the test on that many CPUs (qvp run --cpus): smp_hello then hears from each.
TEST(Farm, CpusFieldRunsTheTestOnSeveralCpus)
{
	TempDir dir;
	write_file(dir.path("smp.yaml"), "defaults:\n  options: [--backend, iss]\ntests:\n"
	                                  "  - name: four\n    firmware: " + elf("smp_hello") + "\n    cpus: 4\n"
	                                  "    expect: '^smp_hello: 4 CPUs said hello$'\n"
	                                  "  - name: one\n    firmware: " + elf("smp_hello") + "\n"
	                                  "    expect: '^smp_hello: 1 CPUs said hello$'\n");
	ProcessResult result = qvp_test_command({"--log-dir", dir.path("logs"), dir.path("smp.yaml")});
	EXPECT_EQ(result.status, 0) << result.out << result.err; // each expectation met: 4 CPUs, then 1
}

// A JSON number field of --stats-json.
uint64_t stats_field(const std::string &json_path, const std::string &name)
{
	std::string json = read_file(json_path);
	size_t at = json.find("\"" + name + "\": ");
	return at == std::string::npos ? 0 : std::stoull(json.substr(at + name.size() + 4));
}

// A setup (docs/farm.md) brings console_irq to its second prompt once; each test restores that
// snapshot with its own console script and timeout. The oracle is the straight run whose script
// is the setup's, then `at` the snapshot's time, then the test's: the same instructions, virtual
// time and console after the snapshot.
TEST(Farm, TestsFromASetupAreTheStraightRunFromTheSnapshotOn)
{
	TempDir dir;
	const std::string setup_script = "expect \"irq> \"\nsend \"hello\\n\"\nexpect \"irq> \"\n";
	const std::string test_script = "send \"abc\\n\"\nexpect \"reversed: cba\"\nexpect \"irq> \"\nsend \"quit\\n\"\n";
	write_file(dir.path("setup.script"), setup_script);
	write_file(dir.path("test.script"), test_script);
	write_file(dir.path("farm.yaml"), "setups:\n  - name: greeted\n    firmware: " + elf("console_irq") +
						   "\n    input: setup.script\n"
						   "tests:\n"
						   "  - name: reverse\n    setup: greeted\n    input: test.script\n"
						   "    expect: '^reversed: cba$'\n    forbid: olleh\n"
						   "  - name: cut-short\n    setup: greeted\n    input: test.script\n"
						   "    timeout: 50us\n    exit: 124\n");
	ProcessResult farm = qvp_test_command({"--keep-logs", "--log-dir", dir.path("logs"), "--repeat", "2",
					       dir.path("farm.yaml")});
	ASSERT_EQ(farm.status, 0) << farm.out << farm.err;
	EXPECT_NE(farm.out.find("SETUP   greeted ("), std::string::npos) << farm.out;
	EXPECT_EQ(farm.out.find("SETUP", farm.out.find("SETUP") + 1), std::string::npos) << "one setup run for four";
	uint64_t snapshot_time = stats_field(dir.path("logs/greeted.setup.stats.json"), "virtual_time_ps");
	ASSERT_GT(snapshot_time, 0u);
	EXPECT_EQ(access(dir.path("logs/greeted.setup.snap").c_str(), R_OK), 0) << "kept with --keep-logs";

	write_file(dir.path("straight.script"),
		   setup_script + "at " + std::to_string(snapshot_time) + "ps\n" + test_script);
	ProcessResult straight = qvp_test::run_process({build_path("qvp"), "run", "--console-script",
							 dir.path("straight.script"), "--stats-json",
							 dir.path("straight.json"), elf("console_irq")});
	ASSERT_EQ(straight.status, 0) << straight.err;
	const std::string tail = read_file(dir.path("logs/reverse.1.console"));
	EXPECT_EQ(tail, "reversed: cba\nirq> ");
	EXPECT_EQ(straight.out, read_file(dir.path("logs/greeted.setup.console")) + tail);
	EXPECT_EQ(stats_field(dir.path("logs/reverse.1.stats.json"), "instructions"),
		  stats_field(dir.path("straight.json"), "instructions"));
	EXPECT_EQ(stats_field(dir.path("logs/reverse.1.stats.json"), "virtual_time_ps"),
		  stats_field(dir.path("straight.json"), "virtual_time_ps"));
	// a test's timeout counts from the snapshot
	EXPECT_EQ(stats_field(dir.path("logs/cut-short.1.stats.json"), "virtual_time_ps"), snapshot_time + 50000000u);
}

TEST(Farm, AFailedSetupIsAnErrorOfEachOfItsTests)
{
	TempDir dir;
	write_file(dir.path("setup.script"), "expect \"never printed\"\n");
	write_file(dir.path("farm.yaml"), "setups:\n  - name: stuck\n    firmware: " + elf("console_irq") +
						   "\n    input: setup.script\n    timeout: 1ms\n"
						   "tests:\n"
						   "  - name: a\n    setup: stuck\n"
						   "  - name: b\n    setup: stuck\n"
						   "  - name: plain\n    firmware: " + elf("hello") + "\n");
	ProcessResult farm = qvp_test_command({"--junit", dir.path("junit.xml"), "--log-dir", dir.path("logs"),
					       dir.path("farm.yaml")});
	EXPECT_EQ(farm.status, 1) << farm.out << farm.err;
	EXPECT_NE(farm.out.find("SETUP   stuck: failed: "), std::string::npos) << farm.out;
	EXPECT_NE(farm.out.find("ERROR   a: setup 'stuck' failed: idle: "), std::string::npos) << farm.out;
	EXPECT_EQ(xpath(dir.path("junit.xml"), "string(//testcase[@name='b']/error/@type)"), "setup");
	EXPECT_EQ(xpath(dir.path("junit.xml"), "count(//testcase[@name='plain']/error)"), "0"); // it ran and passed
}

TEST(Farm, RunWritesStatsJson)
{
	TempDir dir;
	ProcessResult result =
	    qvp_test::run_process({build_path("qvp"), "run", "--stats-json", dir.path("stats.json"), elf("hello")});
	EXPECT_EQ(result.status, 0);
	std::string stats = read_file(dir.path("stats.json"));
	for (const char *field : {"{\"stop\": \"exit\", \"exit_status\": 0, \"instructions\": ",
	                          "\"virtual_time_ps\": ", "\"wall_seconds\": "})
		EXPECT_NE(stats.find(field), std::string::npos) << field << " in " << stats;
}

} // namespace
