#include "console_dialogue.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <sstream>

#include <gtest/gtest.h>

namespace qvp_test {

// TEXT for a --console-script line: C escapes for CR, LF, quotes and backslashes.
static std::string script_text(const std::string &text)
{
	std::string out;
	for (char c : text) {
		switch (c) {
		case '\r': out += "\\r"; break;
		case '\n': out += "\\n"; break;
		case '"': out += "\\\""; break;
		case '\\': out += "\\\\"; break;
		default: out += c;
		}
	}
	return out;
}

std::string console_script(const std::vector<ConsoleStep> &steps)
{
	std::string script;
	for (const ConsoleStep &s : steps) {
		script += "expect \"" + script_text(s.expect) + "\"\n";
		if (!s.send.empty())
			script += "send \"" + script_text(s.send) + "\"\n";
	}
	return script;
}

std::string without_cr(const std::string &text)
{
	std::string out;
	for (char c : text)
		if (c != '\r')
			out += c;
	return out;
}

// Starts QEMU with its standard input and output on the pipes' other ends; -1 if it cannot.
static pid_t start_qemu(std::vector<std::string> strings, int to_qemu[2], int from_qemu[2])
{
	std::vector<char *> argv;
	for (std::string &s : strings)
		argv.push_back(&s[0]);
	argv.push_back(nullptr);
	pid_t child = fork();
	if (child == 0) {
		dup2(to_qemu[0], 0);
		dup2(from_qemu[1], 1);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		close(to_qemu[1]);
		close(from_qemu[0]);
		execvp(argv[0], argv.data());
		_exit(127);
	}
	close(to_qemu[0]);
	close(from_qemu[1]);
	return child;
}

// Reads QEMU's output until it ends (or the deadline), typing each step's text once its
// expected text has appeared after the previous match.
static void converse(int to_qemu, int from_qemu, pid_t child, const std::vector<ConsoleStep> &steps,
		     int limit_seconds, std::string *console)
{
	auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limit_seconds);
	size_t step = 0, searched = 0;
	char buffer[4096];
	for (;;) {
		while (step < steps.size()) {
			size_t at = console->find(steps[step].expect, searched);
			if (at == std::string::npos)
				break;
			searched = at + steps[step].expect.size();
			(void)!write(to_qemu, steps[step].send.data(), steps[step].send.size());
			step++;
		}
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
		struct pollfd p = { from_qemu, POLLIN, 0 };
		if (left.count() <= 0 || poll(&p, 1, (int)left.count()) <= 0) {
			kill(child, SIGKILL);
			return;
		}
		ssize_t got = read(from_qemu, buffer, sizeof(buffer));
		if (got <= 0)
			return;
		console->append(buffer, (size_t)got);
	}
}

QemuDialogue run_qemu_dialogue(const std::vector<std::string> &args, const std::vector<ConsoleStep> &steps,
			       const std::string &machine, int limit_seconds)
{
	QemuDialogue run;
	if (access("/usr/bin/qemu-system-aarch64", X_OK) != 0)
		return run;
	run.available = true;
	int to_qemu[2], from_qemu[2];
	if (pipe(to_qemu) != 0 || pipe(from_qemu) != 0)
		return run;
	std::vector<std::string> strings = { "qemu-system-aarch64", "-M", machine, "-cpu", "cortex-a57", "-icount",
					     "shift=0", "-nic", "none", "-display", "none", "-monitor", "none",
					     "-serial", "stdio", "-no-reboot" };
	strings.insert(strings.end(), args.begin(), args.end());
	signal(SIGPIPE, SIG_IGN);
	pid_t child = start_qemu(strings, to_qemu, from_qemu);
	converse(to_qemu[1], from_qemu[0], child, steps, limit_seconds, &run.console);
	close(to_qemu[1]);
	close(from_qemu[0]);
	int status = 0;
	waitpid(child, &status, 0);
	run.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	run.console = without_cr(run.console);
	return run;
}

std::vector<std::string> console_lines(const std::string &console, const std::vector<std::string> &differing)
{
	std::vector<std::string> lines;
	std::istringstream in(console);
	std::string line;
	while (std::getline(in, line)) {
		line = without_cr(line);
		bool skip = false;
		for (const std::string &prefix : differing)
			skip = skip || line.rfind(prefix, 0) == 0;
		if (!skip)
			lines.push_back(line);
	}
	return lines;
}

std::vector<std::string> without_printk_times(std::vector<std::string> lines)
{
	for (std::string &line : lines) {
		size_t end = line.find("] ");
		if (line.rfind("[", 0) == 0 && end != std::string::npos &&
		    line.find_first_not_of(" 0123456789.", 1) == end)
			line.erase(0, end + 2);
	}
	return lines;
}

std::vector<std::string> without_load_times(std::vector<std::string> lines)
{
	for (std::string &line : lines) {
		size_t timed = line.find(" bytes read in ");
		if (timed != std::string::npos)
			line.erase(timed + 11);
	}
	return lines;
}

std::string line_with(const std::vector<std::string> &lines, const std::string &part)
{
	for (const std::string &line : lines)
		if (line.find(part) != std::string::npos)
			return line;
	return "";
}

std::string missing_in_order(const std::vector<std::string> &lines, const std::vector<std::string> &wanted)
{
	size_t at = 0;
	for (const std::string &line : wanted) {
		while (at < lines.size() && lines[at] != line)
			at++;
		if (at == lines.size())
			return line;
		at++;
	}
	return "";
}

std::vector<std::string> common_lines(const std::vector<std::string> &a, const std::vector<std::string> &b)
{
	// longest[i][j]: the length of the longest common subsequence of a[i..] and b[j..]
	std::vector<std::vector<unsigned>> longest(a.size() + 1, std::vector<unsigned>(b.size() + 1, 0));
	for (size_t i = a.size(); i-- > 0;)
		for (size_t j = b.size(); j-- > 0;)
			longest[i][j] = a[i] == b[j] ? longest[i + 1][j + 1] + 1
						     : std::max(longest[i + 1][j], longest[i][j + 1]);
	std::vector<std::string> common;
	for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
		if (a[i] == b[j]) {
			common.push_back(a[i]);
			i++;
			j++;
		} else if (longest[i + 1][j] >= longest[i][j + 1]) {
			i++;
		} else {
			j++;
		}
	}
	return common;
}

CommonLog common_log_from(const std::string &ours, const std::string &theirs, const std::string &from)
{
	CommonLog log;
	size_t ours_at = ours.find(from), theirs_at = theirs.find(from);
	log.ours = without_printk_times(console_lines(ours_at == std::string::npos ? "" : ours.substr(ours_at)));
	log.theirs = without_printk_times(console_lines(theirs_at == std::string::npos ? "" : theirs.substr(theirs_at)));
	log.common = common_lines(log.ours, log.theirs);
	return log;
}

void report_common_log(const CommonLog &log)
{
	::testing::Test::RecordProperty("linux_lines_qvp", (int)log.ours.size());
	::testing::Test::RecordProperty("linux_lines_qemu", (int)log.theirs.size());
	::testing::Test::RecordProperty("linux_lines_common", (int)log.common.size());
	std::cout << "Linux's lines: " << log.ours.size() << " on qvp, " << log.theirs.size() << " on QEMU, "
		  << log.common.size() << " of them the same in the same order\n";
}

} // namespace qvp_test
