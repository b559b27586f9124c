// Console dialogues with the boot chain, on qvp and on QEMU alike: the steps (wait for a text,
// then type), qvp's --console-script for them, QEMU driven by the same steps over pipes, and
// the console lines two runs are compared by.
#pragma once

#include <string>
#include <vector>

namespace qvp_test {

// One step of a console dialogue: wait for `expect`, then type `send` (if any).
struct ConsoleStep {
	std::string expect;
	std::string send;
};

// The qvp --console-script that plays the steps (texts with C escapes).
std::string console_script(const std::vector<ConsoleStep> &steps);

// QEMU driven like qvp's console script: qemu-system-aarch64 -M MACHINE -cpu cortex-a57 -icount
// shift=0 -nic none -no-reboot ARGS, its serial port on pipes, each text sent once the expected
// one has been printed (after the previous match), so both get the same input at the same
// point of the guest's output. It ends itself at the guest's power-off; one that hangs is
// killed after `limit_seconds`, so the test fails instead of waiting. `available` is false
// when QEMU is not installed.
struct QemuDialogue {
	bool available = false;
	int status = -1;
	std::string console; // without carriage returns
};
QemuDialogue run_qemu_dialogue(const std::vector<std::string> &args, const std::vector<ConsoleStep> &steps,
			       const std::string &machine = "virt", int limit_seconds = 300);

std::string without_cr(const std::string &text);

// The console's lines without carriage returns, leaving out those that begin with one of the
// `differing` prefixes.
std::vector<std::string> console_lines(const std::string &console, const std::vector<std::string> &differing = {});

// The lines without Linux's printk timestamps ("[    0.123456] "): two boards that run other
// instruction counts before the same line print it at another virtual time.
std::vector<std::string> without_printk_times(std::vector<std::string> lines);

// U-Boot's lines with its load times left out ("N bytes read in T ms (R MiB/s)" keeps "N bytes
// read"): virtual time on both, but two boards' virtio transports take other instruction counts.
std::vector<std::string> without_load_times(std::vector<std::string> lines);

// Two consoles' lines from the first `from` on (U-Boot's "Starting kernel ..."), printk
// timestamps taken off, and the lines both print in the same order.
struct CommonLog {
	std::vector<std::string> ours, theirs, common;
};
CommonLog common_log_from(const std::string &ours, const std::string &theirs, const std::string &from);

// Records the three counts as the test's properties (linux_lines_qvp, _qemu, _common) and prints
// them: how much of Linux's log the two boards share.
void report_common_log(const CommonLog &log);

// The first of the lines that contains `part`; "" if none does.
std::string line_with(const std::vector<std::string> &lines, const std::string &part);

// The first of `wanted` that is not in `lines` after the ones before it; "" when all are, in order.
std::string missing_in_order(const std::vector<std::string> &lines, const std::vector<std::string> &wanted);

// The lines both print in the same order: a longest common subsequence of the two.
std::vector<std::string> common_lines(const std::vector<std::string> &a, const std::vector<std::string> &b);

} // namespace qvp_test
