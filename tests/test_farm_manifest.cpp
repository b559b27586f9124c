// The farm's C API: manifest parsing and its error messages, shards, report escaping, hashes.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "error.h"
#include "farm.h"
#include "test_support.h"

using qvp_test::TempDir;
using qvp_test::write_file;

namespace
{

const char kTestFields[] =
    " (a test takes: name, firmware, kernel, initrd, setup, platform, options, exit, expect, forbid, input, timeout, "
    "watchdog, repeat, cpus)";

struct Loaded {
	farm_manifest *manifest = nullptr;
	std::string error;
	~Loaded()
	{
		farm_manifest_free(manifest);
	}
};

// Writes `yaml` to DIR/farm.yaml and loads it; the error names the file as "farm.yaml".
void load(const TempDir &dir, const std::string &yaml, Loaded &out)
{
	write_file(dir.path("farm.yaml"), yaml);
	if (farm_manifest_load(dir.path("farm.yaml").c_str(), &out.manifest) < 0) {
		out.error = error_message();
		size_t at = out.error.find(dir.path(""));
		if (at == 0)
			out.error.erase(0, dir.path("").size());
	}
}

std::string error_for(const std::string &yaml)
{
	TempDir dir;
	Loaded loaded;
	load(dir, yaml, loaded);
	EXPECT_EQ(loaded.manifest, nullptr);
	return loaded.error;
}

TEST(FarmManifest, FieldsAndDefaults)
{
	TempDir dir;
	Loaded loaded;
	load(dir,
	     "defaults:\n"
	     "  timeout: 10ms\n"
	     "  options: [--quantum, 1ms]\n"
	     "  forbid: panic\n"
	     "  repeat: 2\n"
	     "  cpus: 2\n"
	     "tests:\n"
	     "  - name: a\n"
	     "    firmware: sw/a.elf\n"
	     "    exit: 3\n"
	     "    expect: [one, '^two$']\n"
	     "    options: [--backend, iss]\n"
	     "    watchdog: 2.5s\n"
	     "    repeat: 5\n"
	     "    cpus: 4\n"
	     "  - name: b\n"
	     "    firmware: /abs/b.elf\n"
	     "    platform: boards/x.dts\n"
	     "    timeout: 1s\n",
	     loaded);
	ASSERT_NE(loaded.manifest, nullptr) << loaded.error;
	const farm_manifest &m = *loaded.manifest;
	EXPECT_EQ(std::string(m.name), "farm");
	EXPECT_EQ(std::string(m.dir), dir.path("").substr(0, dir.path("").size() - 1));
	EXPECT_EQ(m.default_repeat, 2u);
	ASSERT_EQ(m.test_count, 2u);
	const farm_test &a = m.tests[0];
	EXPECT_EQ(std::string(a.name), "a");
	EXPECT_EQ(a.line, 8);
	EXPECT_EQ(a.exit_code, 3);
	EXPECT_EQ(std::string(a.timeout), "10ms");
	ASSERT_EQ(a.options.count, 4u);
	EXPECT_EQ(std::string(a.options.items[0]), "--quantum");
	EXPECT_EQ(std::string(a.options.items[3]), "iss");
	ASSERT_EQ(a.expect_count, 2u);
	EXPECT_EQ(std::string(a.expect[1].text), "^two$");
	ASSERT_EQ(a.forbid_count, 1u);
	EXPECT_EQ(std::string(a.forbid[0].text), "panic");
	EXPECT_EQ(a.watchdog, 2.5);
	EXPECT_EQ(a.repeat, 5u);
	EXPECT_EQ(a.cpus, 4u);
	const farm_test &b = m.tests[1];
	EXPECT_EQ(b.exit_code, 0);
	EXPECT_EQ(std::string(b.timeout), "1s");
	EXPECT_EQ(std::string(b.platform), "boards/x.dts");
	EXPECT_EQ(b.watchdog, FARM_DEFAULT_WATCHDOG);
	EXPECT_EQ(b.repeat, 0u);
	EXPECT_EQ(b.cpus, 2u); // the default
	EXPECT_EQ(b.options.count, 2u);
}

TEST(FarmManifest, SuiteNameMayBeGiven)
{
	TempDir dir;
	Loaded loaded;
	load(dir, "name: nightly\ntests: []\n", loaded);
	ASSERT_NE(loaded.manifest, nullptr) << loaded.error;
	EXPECT_EQ(std::string(loaded.manifest->name), "nightly");
	EXPECT_EQ(loaded.manifest->test_count, 0u);
}

TEST(FarmManifestErrors, WrongTypes)
{
	const std::string head = "tests:\n  - name: hello\n    firmware: h.elf\n";
	EXPECT_EQ(error_for(head + "    exit: zero\n"), "farm.yaml:4: test 'hello': field 'exit': expected an integer");
	EXPECT_EQ(error_for(head + "    exit: 300\n"),
	          "farm.yaml:4: test 'hello': field 'exit': 300 is out of range (0 to 255)");
	EXPECT_EQ(error_for(head + "    exit: [1]\n"), "farm.yaml:4: test 'hello': field 'exit': expected an integer");
	EXPECT_EQ(error_for(head + "    options: {a: b}\n"),
	          "farm.yaml:4: test 'hello': field 'options': expected a list of strings");
	EXPECT_EQ(error_for(head + "    expect: [ok, [nested]]\n"),
	          "farm.yaml:4: test 'hello': field 'expect': expected a list of strings");
	EXPECT_EQ(error_for(head + "    platform: [virt]\n"),
	          "farm.yaml:4: test 'hello': field 'platform': expected a string");
	EXPECT_EQ(error_for(head + "    watchdog: soon\n"),
	          "farm.yaml:4: test 'hello': field 'watchdog': expected a time such as 1.5s, 200ms or 10us, not 'soon'");
	EXPECT_EQ(error_for(head + "    watchdog: 0s\n"), "farm.yaml:4: test 'hello': field 'watchdog': must be more than 0");
	// Every duration takes a unit: a bare number was nanoseconds for one field, seconds for the other.
	EXPECT_EQ(error_for(head + "    watchdog: 300\n"),
	          "farm.yaml:4: test 'hello': field 'watchdog': time '300' needs a unit: ps, ns, us, ms or s (e.g. 10ms)");
	EXPECT_EQ(error_for(head + "    timeout: 5\n"),
	          "farm.yaml:4: test 'hello': field 'timeout': time '5' needs a unit: ps, ns, us, ms or s (e.g. 10ms)");
	EXPECT_EQ(error_for(head + "    cpus: 9\n"), "farm.yaml:4: test 'hello': field 'cpus': 9 is out of range (1 to 8)");
	EXPECT_EQ(error_for(head + "    repeat: 0\n"),
	          "farm.yaml:4: test 'hello': field 'repeat': 0 is out of range (1 to 1000000)");
	EXPECT_EQ(error_for(head + "    timeout: soon\n"),
	          "farm.yaml:4: test 'hello': field 'timeout': expected a time such as 1.5s, 200ms or 10us, not 'soon'");
}

TEST(FarmManifestErrors, OptionsTheFarmSetsItself)
{
	const std::string head = "tests:\n  - name: a\n    firmware: a.elf\n";
	EXPECT_EQ(error_for(head + "    options: [--quantum, 1ms, --console, out.txt]\n"),
	          "farm.yaml:4: test 'a': field 'options': --console is set by the farm itself (docs/farm.md)");
	EXPECT_EQ(error_for("defaults:\n  options: --stats-json=x.json\n" + head),
	          "farm.yaml:2: defaults: field 'options': --stats-json is set by the farm itself (docs/farm.md)");
}

TEST(FarmManifestErrors, BadRegularExpression)
{
	EXPECT_EQ(error_for("tests:\n  - name: a\n    firmware: a.elf\n    forbid: ['ok', '(']\n"),
	          "farm.yaml:4: test 'a': field 'forbid': invalid regular expression '(': Unmatched ( or \\(");
}

// Found by the manifest fuzzer (docs/robustness.md): glibc's regcomp doubles its parse tree for
// each repetition that follows another, so forty '+' took all the host's memory; POSIX leaves
// them undefined, and the manifest refuses them. Repetitions of groups, escaped operators and
// operators inside brackets stay valid.
TEST(FarmManifestErrors, StackedRepetitionsAreRefusedBeforeRegcomp)
{
	const std::string head = "tests:\n  - name: a\n    firmware: a.elf\n    expect: '";
	const std::string stacked = "a" + std::string(40, '+');
	EXPECT_EQ(error_for(head + stacked + "'\n"),
	          "farm.yaml:4: test 'a': field 'expect': invalid regular expression '" + stacked +
	                  "': repetitions one after another (as in a++ or a*{2})");
	EXPECT_NE(error_for(head + "x{2}{3}'\n"), "");
	TempDir dir;
	Loaded valid;
	load(dir, head + "(a+)+ [*+?]+ \\++ x{2}y* 0x[0-9a-f]+$'\n", valid);
	EXPECT_NE(valid.manifest, nullptr) << valid.error;
}

// input: names a console script, which the farm passes to qvp run as --console-script.
TEST(FarmManifest, InputIsAConsoleScript)
{
	TempDir dir;
	Loaded loaded;
	load(dir, "tests:\n  - name: a\n    firmware: a.elf\n    input: scripts/a.txt\n  - name: b\n    firmware: b.elf\n",
	     loaded);
	ASSERT_NE(loaded.manifest, nullptr) << loaded.error;
	EXPECT_STREQ(loaded.manifest->tests[0].input, "scripts/a.txt");
	EXPECT_EQ(loaded.manifest->tests[1].input, nullptr);
	EXPECT_EQ(error_for("tests:\n  - name: a\n    firmware: a.elf\n    input: [a, b]\n"),
	          "farm.yaml:4: test 'a': field 'input': expected a string");
}

TEST(FarmManifest, SetupsAndLinuxImages)
{
	TempDir dir;
	Loaded loaded;
	load(dir,
	     "defaults:\n"
	     "  options: [--quantum, 1ms]\n"
	     "  expect: done\n"
	     "  cpus: 2\n"
	     "setups:\n"
	     "  - name: shell\n"
	     "    kernel: Image\n"
	     "    initrd: initrd.gz\n"
	     "    input: boot.script\n"
	     "tests:\n"
	     "  - name: uname\n"
	     "    setup: shell\n"
	     "    input: uname.script\n"
	     "    options: [--stats]\n"
	     "    timeout: 2s\n"
	     "  - name: plain\n"
	     "    kernel: Image\n",
	     loaded);
	ASSERT_NE(loaded.manifest, nullptr) << loaded.error;
	const farm_manifest *m = loaded.manifest;
	ASSERT_EQ(m->setup_count, 1u);
	const farm_test &shell = m->setups[0];
	EXPECT_TRUE(shell.is_setup);
	EXPECT_STREQ(shell.kernel, "Image");
	EXPECT_STREQ(shell.initrd, "initrd.gz");
	EXPECT_EQ(shell.firmware, nullptr);
	EXPECT_EQ(shell.cpus, 2u);             // the defaults shape the setup's machine
	ASSERT_EQ(shell.options.count, 2u);    // --quantum 1ms
	EXPECT_EQ(shell.expect_count, 0u);     // ... but do not judge it
	ASSERT_EQ(m->test_count, 2u);
	const farm_test &uname = m->tests[0];
	EXPECT_EQ(uname.setup, &m->setups[0]);
	EXPECT_EQ(uname.cpus, 0u);             // the snapshot's board
	ASSERT_EQ(uname.options.count, 1u);    // its own options only: --quantum shaped the setup
	EXPECT_STREQ(uname.options.items[0], "--stats");
	EXPECT_EQ(uname.expect_count, 1u);     // the defaults judge it
	EXPECT_FALSE(uname.is_setup);
	EXPECT_STREQ(m->tests[1].kernel, "Image");
	EXPECT_EQ(m->tests[1].setup, nullptr);
}

TEST(FarmManifestErrors, SetupsAndWhatATestStartsFrom)
{
	const std::string setup = "setups:\n  - name: s\n    firmware: a.elf\n    input: a.script\n";
	EXPECT_EQ(error_for(setup + "tests:\n  - name: a\n    setup: t\n"),
	          "farm.yaml:6: test 'a': field 'setup': no setup is named 't' (see 'setups:')");
	EXPECT_EQ(error_for("tests:\n  - name: a\n    setup: s\n"),
	          "farm.yaml:2: test 'a': field 'setup': no setup is named 's' (the manifest has no 'setups:')");
	EXPECT_EQ(error_for(setup + "tests:\n  - name: a\n    setup: s\n    firmware: a.elf\n"),
	          "farm.yaml:6: test 'a': give one of 'firmware', 'kernel' and 'setup', not 'setup' and another");
	EXPECT_EQ(error_for("tests:\n  - name: a\n    kernel: Image\n    firmware: a.elf\n"),
	          "farm.yaml:2: test 'a': give one of 'firmware', 'kernel' and 'setup', not both");
	EXPECT_EQ(error_for(setup + "tests:\n  - name: a\n    setup: s\n    cpus: 2\n"),
	          "farm.yaml:6: test 'a': field 'cpus': comes from setup 's' (the snapshot's board)");
	EXPECT_EQ(error_for("tests:\n  - name: a\n    firmware: a.elf\n    initrd: i.gz\n"),
	          "farm.yaml:2: test 'a': field 'initrd': needs 'kernel' (qvp run --initrd goes with --kernel)");
	EXPECT_EQ(error_for("setups:\n  - name: s\n    firmware: a.elf\ntests: []\n"),
	          "farm.yaml:2: setup 's': missing field 'input' (a setup's console script: its end is where the "
	          "snapshot is taken)");
	EXPECT_EQ(error_for("setups:\n  - name: s\n    firmware: a.elf\n    input: a\n    expect: x\ntests: []\n"),
	          "farm.yaml:5: setup 's': unknown field 'expect' (a setup takes: name, firmware, kernel, initrd, "
	          "platform, options, input, timeout, watchdog, cpus)");
	EXPECT_EQ(error_for(setup + "  - name: s\n    firmware: b.elf\n    input: b\ntests: []\n"),
	          "farm.yaml:5: setup 's': field 'name': 's' is already the name of the setup at line 2");
	EXPECT_EQ(error_for("setups: {}\ntests: []\n"), "farm.yaml:1: field 'setups': expected a list of setups");
}

TEST(FarmManifestErrors, MissingAndUnknownFields)
{
	EXPECT_EQ(error_for("tests:\n  - firmware: a.elf\n"), "farm.yaml:2: test #1: missing field 'name'");
	EXPECT_EQ(error_for("tests:\n  - name: a\n    firmware: a.elf\n  - name: b\n"),
	          "farm.yaml:4: test 'b': missing field 'firmware', 'kernel' or 'setup'");
	EXPECT_EQ(error_for("tests:\n  - name: a\n    firmware: a.elf\n    exitcode: 3\n"),
	          std::string("farm.yaml:4: test 'a': unknown field 'exitcode'") + kTestFields);
	EXPECT_EQ(error_for("defaults:\n  firmware: a.elf\ntests: []\n"),
	          "farm.yaml:2: defaults: unknown field 'firmware' (defaults take: platform, options, exit, expect, "
	          "forbid, input, timeout, watchdog, repeat, cpus)");
	EXPECT_EQ(error_for("tests: []\ntest: []\n"),
	          "farm.yaml:2: unknown field 'test' (a manifest takes: name, defaults, setups, tests)");
	EXPECT_EQ(error_for("defaults: {}\n"), "farm.yaml:1: missing field 'tests'");
}

TEST(FarmManifestErrors, DuplicatesAndNames)
{
	EXPECT_EQ(error_for("tests:\n  - name: a\n    firmware: a.elf\n    exit: 1\n    exit: 2\n"),
	          "farm.yaml:5: test 'a': field 'exit': given twice");
	EXPECT_EQ(error_for("tests:\n  - name: a\n    firmware: a.elf\n  - name: a\n    firmware: b.elf\n"),
	          "farm.yaml:4: test 'a': field 'name': 'a' is already the name of the test at line 2");
	EXPECT_EQ(error_for("tests:\n  - name: a b\n    firmware: a.elf\n"),
	          "farm.yaml:2: test 'a b': field 'name': 'a b' is not a valid test name (letters, digits and _ . + - "
	          "only)");
}

TEST(FarmManifestErrors, Structure)
{
	EXPECT_EQ(error_for(""), "farm.yaml:1: the manifest is empty: expected 'tests:'");
	EXPECT_EQ(error_for("- a\n- b\n"), "farm.yaml:1: expected a mapping with 'tests:' at the top level");
	EXPECT_EQ(error_for("tests: hello\n"), "farm.yaml:1: field 'tests': expected a list of tests");
	EXPECT_EQ(error_for("tests:\n  - hello\n"),
	          "farm.yaml:2: test #1: expected a mapping of fields (name:, firmware:, ...)");
	EXPECT_EQ(error_for("tests:\n  - name: a\n    firmware: a.elf\n   exit: 1\n"),
	          "farm.yaml:4: not valid YAML: did not find expected '-' indicator while parsing a block collection");
	EXPECT_EQ(error_for("tests: [\n"),
	          "farm.yaml:2: not valid YAML: did not find expected node content while parsing a flow node");
}

TEST(FarmManifestErrors, MissingFile)
{
	farm_manifest *manifest = nullptr;
	EXPECT_EQ(farm_manifest_load("/nonexistent/farm.yaml", &manifest), -1);
	EXPECT_EQ(std::string(error_message()),
	          "/nonexistent/farm.yaml: cannot open the manifest: No such file or directory");
}

TEST(FarmShard, ParsesKOverN)
{
	unsigned k = 0, n = 0;
	EXPECT_EQ(farm_shard_parse("2/4", &k, &n), 0);
	EXPECT_EQ(k, 2u);
	EXPECT_EQ(n, 4u);
	for (const char *bad : {"0/4", "5/4", "2", "2/", "/4", "a/b", "2/4x", "-1/4", "1/0"}) {
		EXPECT_EQ(farm_shard_parse(bad, &k, &n), -1) << bad;
		EXPECT_EQ(std::string(error_message()), std::string("--shard: invalid shard '") + bad +
		                                            "': expected K/N with 1 <= K <= N (e.g. 2/4)");
	}
}

TEST(FarmShard, ShardsAreDisjointAndCoverTheSuite)
{
	for (unsigned n = 1; n <= 7; n++)
		for (size_t index = 0; index < 50; index++) {
			unsigned owners = 0;
			for (unsigned k = 1; k <= n; k++)
				owners += farm_shard_contains(index, k, n);
			EXPECT_EQ(owners, 1u) << index << " in " << n << " shards";
		}
}

std::string capture(void (*write)(FILE *, const char *, size_t), const std::string &text)
{
	char *buffer = nullptr;
	size_t size = 0;
	FILE *out = open_memstream(&buffer, &size);
	write(out, text.data(), text.size());
	fclose(out);
	std::string result(buffer, size);
	free(buffer);
	return result;
}

TEST(FarmText, XmlEscapesMarkupControlsAndBrokenUtf8)
{
	EXPECT_EQ(capture(farm_write_xml_text, "a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
	EXPECT_EQ(capture(farm_write_xml_text, std::string("t\tn\nr\r\x1b[0m\x00", 11)), "t\tn\nr\r\\x1b[0m\\x00");
	EXPECT_EQ(capture(farm_write_xml_text, "caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac");
	EXPECT_EQ(capture(farm_write_xml_text, "bad \xff\xc3 end"), "bad \\xff\\xc3 end");
	EXPECT_EQ(capture(farm_write_xml_text, "\xed\xa0\x80"), "\\xed\\xa0\\x80"); // a UTF-16 surrogate
}

TEST(FarmText, JsonStringsAreValidJson)
{
	EXPECT_EQ(capture(farm_write_json_string, "a\"b\\c\n\t"), "\"a\\\"b\\\\c\\n\\t\"");
	EXPECT_EQ(capture(farm_write_json_string, std::string("\x01\x7f", 2)), "\"\\u0001\\u007f\"");
	EXPECT_EQ(capture(farm_write_json_string, "\xc3\xa9\xff"), "\"\xc3\xa9\\ufffd\"");
}

// The hash is SHA-256 over a documented text (docs/farm.md), the same on every host.
TEST(FarmHash, IsSha256OfTheDocumentedText)
{
	farm_run run = {};
	std::string console = "Hello from qvp!\n";
	run.end = FARM_RUN_EXITED;
	run.status = 0;
	run.console = &console[0];
	run.console_size = console.size();
	run.instructions = 22633;
	run.virtual_time = 22633000;
	run.have_stats = true;
	farm_hash_run(&run);
	// python3: hashlib.sha256(b"qvp-farm-result-v1\nconsole 16\nHello from qvp!\n\nexit 0\n"
	//                         b"instructions 22633\nvirtual-time-ps 22633000\n").hexdigest()
	EXPECT_EQ(std::string(run.hash), "54a5414c388ee13a57aaa7aca80545138e515375819251f09db6fb2af6df2b57");
}

} // namespace
