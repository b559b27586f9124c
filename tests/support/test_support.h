// Test helpers: temporary files, child processes, and the machine's paths.
#pragma once

#include <string>
#include <vector>

#include "machine.h"

namespace qvp_test {

struct ProcessResult {
	int status = -1; // exit status, or 128 + signal number if it was killed
	std::string out;
	std::string err;
};

// Runs argv[0] with the arguments, capturing standard output and error.
ProcessResult run_process(const std::vector<std::string> &argv);

// Runs the qvp built here with the arguments (standard input /dev/null).
ProcessResult run_qvp(std::vector<std::string> args);

std::string build_path(const std::string &relative); // inside the build directory
std::string data_path(const std::string &relative);  // inside tests/data

// A fresh directory removed when the object goes away.
class TempDir {
public:
	TempDir();
	~TempDir();
	std::string path(const std::string &name) const;

private:
	std::string dir_;
};

std::string read_file(const std::string &path);

// How many times `part` occurs in `text` (overlapping ones too).
size_t count(const std::string &text, const std::string &part);

// The value of a `--stats` line on standard error, such as "instructions: 123"; "" if none.
std::string stats_value(const std::string &err, const std::string &name);

// Frees what platform_build() and the test's bus and event queue hold in a hand-built machine
// (test benches that drive models through the bus, without a CPU).
void release_board(struct machine *machine);

// A whole-machine run of guest code on the virt board with the iss backend, in this process.
struct GuestRun {
	enum machine_stop_cause cause = MACHINE_RUNNING;
	int exit_code = -1;
	std::string console; // what the UART printed
	std::string error;   // error_message() at the end
	std::string diagnosis; // the CPU's explanation of a stuck guest, if any
	vtime_t time = 0;
	struct machine_stats stats = {};
};

struct GuestOptions {
	vtime_t quantum = 100 * VTIME_US;
	vtime_t timeout = VTIME_NEVER;
	bool raw = false; // a raw binary loaded and entered at 0x40080000, not an ELF
	bool start_el2 = false; // every CPU starts at EL2 (qvp run --el2)
};

GuestRun run_guest(const std::string &firmware_path, const GuestOptions &options = GuestOptions());

// The same firmware on the peer, qemu-system-aarch64 -M virt -cpu cortex-a57 (its PSCI
// SYSTEM_OFF ends it), with no network card (whose ROM is an optional package); `available`
// is false when QEMU is not installed (the test skips, saying so).
struct QemuRun {
	bool available = false;
	int status = -1;
	std::string console; // the UART's output, without the carriage returns QEMU's tty adds
	std::string err;
};
struct QemuOptions {
	int timeout_seconds = 120;
	std::vector<std::string> extra; // more arguments, e.g. {"-icount", "shift=0"}
	std::string input;              // a file for the UART's input (default: none)
	bool bios = false;              // the image is -bios (flash at 0), not -kernel
};
QemuRun run_qemu_virt(const std::string &firmware_path, const QemuOptions &options = QemuOptions());
extern const char *const qemu_missing; // the skip message when QEMU is not installed
void write_file(const std::string &path, const std::string &contents);

// qvp run in the background, its standard input /dev/null and its standard output and error in
// files of `dir`; killed when the object goes if it has not ended.
class BackgroundQvp {
public:
	explicit BackgroundQvp(const TempDir &dir) : dir_(dir) {}
	~BackgroundQvp();
	// Starts `qvp ARGS`; true once its standard error shows `said` followed by a port number
	// (within 20 s), which goes to `port`.
	bool start(const std::vector<std::string> &args, const std::string &said);
	int wait_exit(); // its exit status, or 128 + the signal's number
	bool running();  // not ended yet
	std::string out() const;
	std::string err() const;
	int port = 0;

private:
	const TempDir &dir_;
	int child_ = -1;
};

// A TCP connection to 127.0.0.1:port, or -1.
int connect_local(int port);

// Sends `pieces` with a pause of the host's clock before each, ends the sending side, and returns
// all it receives until the peer closes (at most 20 s of silence); closes `client`.
std::string type_slowly(int client, const std::vector<std::string> &pieces, unsigned pause_us);

} // namespace qvp_test
