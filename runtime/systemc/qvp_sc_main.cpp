// qvp-sc: `qvp run` inside a SystemC simulation. The CPU and qvp's models run as in qvp; the
// board's "qvp,systemc-target" nodes are SystemC modules (platform_sc.cpp) (docs/systemc.md).
#include <cerrno>
#include <cinttypes>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <systemc>

#include "cli.h"
#include "console.h"
#include "console_socket.h"
#include "coverage.h"
#include "error.h"
#include "gdb_stub.h"
#include "machine.h"
#include "platform_sc.h"
#include "qvp_systemc.h"
#include "run_report.h"
#include "status_line.h"
#include "trace.h"

namespace {

const char help_extra[] =
	"\n"
	"qvp-sc runs the same `run` command inside a SystemC 2.3 simulation: the board's\n"
	"\"qvp,systemc-target\" nodes are SystemC modules (try --platform virt-sc). Its own option:\n"
	"  --sc-log FILE      write one line per transaction the CPU sends into SystemC\n";

void print_stats(const struct machine *machine, const qvp::sc::cpu &cpu, double wall)
{
	char kernel[48], stalled[48];

	run_report_print_stats(machine, wall);
	vtime_format(qvp::sc::from_sc_time(sc_core::sc_time_stamp()), kernel, sizeof(kernel));
	vtime_format(machine->stats.stalled, stalled, sizeof(stalled));
	std::fprintf(stderr, "SystemC time: %s\n", kernel);
	std::fprintf(stderr, "SystemC transactions: %" PRIu64 " (and %" PRIu64 " accesses by DMI)\n",
		     cpu.bridge_transactions(), cpu.bridge_dmi_accesses());
	std::fprintf(stderr, "SystemC latency charged to the CPU: %s\n", stalled);
}

// Takes qvp-sc's own options out of argv; the rest is qvp's `run` command line.
int take_own_options(std::vector<char *> &args, const char **log_path)
{
	for (size_t i = 1; i < args.size();) {
		if (std::strcmp(args[i], "--sc-log") != 0) {
			i++;
			continue;
		}
		if (i + 1 >= args.size())
			return error_set("option '%s' needs a value; see 'qvp-sc --help'", args[i]);
		*log_path = args[i + 1];
		args.erase(args.begin() + (std::ptrdiff_t)i, args.begin() + (std::ptrdiff_t)i + 2);
	}
	return 0;
}

struct files {
	FILE *console = nullptr;
	struct console_socket *socket = nullptr; // --console-socket: the stream `console` writes to it
	FILE *log = nullptr;
	struct coverage *coverage = nullptr; // --coverage, destroyed after the machine
	~files()
	{
		coverage_destroy(coverage);
		if (console)
			std::fclose(console);
		console_socket_close(socket);
		if (log)
			std::fclose(log);
	}
	// --console FILE, or --console-socket's client (listening from now on); -1 after error_set().
	int open_console(const struct cli_options &options)
	{
		if (options.console_path) {
			console = std::fopen(options.console_path, "w");
			if (!console)
				return error_set("--console %s: %s", options.console_path, std::strerror(errno));
		} else if (options.console_socket_address) {
			socket = console_socket_listen(options.console_socket_address);
			if (!socket || !(console = console_socket_output(socket)))
				return -1;
		}
		return 0;
	}
};

// What a run attaches to the machine from outside: gdb and console input, as under qvp.
// Released before the machine is destroyed.
struct attachments {
	struct gdb_stub *gdb = nullptr;
	struct console *console_input = nullptr;
	void release()
	{
		console_destroy(console_input);
		gdb_stub_destroy(gdb);
		console_input = nullptr;
		gdb = nullptr;
	}
	int attach(struct machine *machine, const struct cli_options &options, struct console_socket *socket)
	{
		if (options.gdb_address) {
			gdb = gdb_stub_create(options.gdb_address, options.gdb_wait);
			if (!gdb)
				return -1;
			gdb_stub_attach(gdb, machine);
		}
		return console_attach_input(machine, options.console_script_path, socket, options.pace, &console_input);
	}
};

int run(struct cli_options &options, const char *log_path)
{
	char platform_path[PATH_MAX + 32];
	files files;
	qvp::sc::platform platform;
	struct trace *trace = nullptr;

	options.machine.platform_path = cli_resolve_platform(options.machine.platform_path, platform_path,
							 sizeof(platform_path));
	if (files.open_console(options) < 0) {
		std::fprintf(stderr, "qvp-sc: error: %s\n", error_message());
		return QVP_EXIT_ERROR;
	}
	options.machine.console = files.console;
	setvbuf(files.console ? files.console : stdout, nullptr, _IOLBF, 0);
	if (log_path && !(files.log = std::fopen(log_path, "w"))) {
		std::fprintf(stderr, "qvp-sc: error: --sc-log %s: %s\n", log_path, std::strerror(errno));
		return QVP_EXIT_ERROR;
	}
	struct coverage *coverage = nullptr;
	if (options.coverage_path) {
		const char *firmware = options.machine.raw_firmware ? nullptr : options.machine.firmware_path;
		coverage = coverage_start(firmware, options.coverage_images, options.coverage_image_count);
		if (!coverage) {
			std::fprintf(stderr, "qvp-sc: error: %s\n", error_message());
			return QVP_EXIT_ERROR;
		}
		options.machine.coverage = coverage_map(coverage);
	}
	files.coverage = coverage;
	options.machine.systemc_target = &qvp::sc::platform::create_target;
	options.machine.systemc_opaque = &platform;
	struct machine *machine = machine_create(&options.machine);
	if (!machine) {
		std::fprintf(stderr, "qvp-sc: error: %s\n", error_message());
		return QVP_EXIT_ERROR;
	}
	if (options.trace_path) {
		trace = trace_open(options.trace_path);
		if (!trace) {
			std::fprintf(stderr, "qvp-sc: error: %s\n", error_message());
			machine_destroy(machine);
			return QVP_EXIT_ERROR;
		}
		trace_attach(trace, machine);
	}
	attachments attachments;
	if (attachments.attach(machine, options, files.socket) < 0) {
		std::fprintf(stderr, "qvp-sc: error: %s\n", error_message());
		attachments.release();
		machine_destroy(machine);
		return QVP_EXIT_ERROR;
	}
	auto cpu = std::make_unique<qvp::sc::cpu>("cpu", machine);
	platform.attach(*cpu);
	cpu->set_transaction_log(files.log);

	struct status_line status;
	status_line_start(&status, machine, "qvp-sc", &options.test_hooks);
	double started = status.started;
	sc_core::sc_start();
	status_line_clear(&status);
	if (!cpu->finished() && machine->stop_cause == MACHINE_RUNNING) {
		cpu->report_starved();
		machine->stop_cause = MACHINE_FATAL;
	}
	int exit_status = console_exit_status(attachments.console_input, run_report_exit_status(machine, "qvp-sc"), "qvp-sc");
	run_test_hooks_finish(&options.test_hooks, files.console ? files.console : stdout);
	std::fflush(stdout);
	if (options.stats)
		print_stats(machine, *cpu, wall_seconds() - started);
	if (options.stats_json_path &&
	    run_report_write_json(options.stats_json_path, machine, run_report_stop_name(machine->stop_cause),
				  exit_status, wall_seconds() - started) < 0) {
		std::fprintf(stderr, "qvp-sc: error: %s\n", error_message());
		exit_status = QVP_EXIT_ERROR;
	}
	if (coverage && coverage_write(coverage, options.coverage_path) < 0) {
		std::fprintf(stderr, "qvp-sc: error: %s\n", error_message());
		exit_status = QVP_EXIT_ERROR;
	}
	if (trace && trace_close(trace) < 0) {
		std::fprintf(stderr, "qvp-sc: error: %s\n", error_message());
		exit_status = QVP_EXIT_ERROR;
	}
	machine->trace = nullptr;
	cpu.reset();
	attachments.release();
	machine_destroy(machine);
	return exit_status;
}

} // namespace

// Standard output is the guest's console and standard error qvp's one-line messages, as under
// qvp: no kernel banner (SystemC prints it to std::cerr before sc_main) or stop notice.
static std::streambuf *stderr_buffer;

int main(int argc, char **argv)
{
	stderr_buffer = std::cerr.rdbuf(nullptr);
	return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char **argv)
{
	std::vector<char *> args(argv, argv + argc);
	const char *log_path = nullptr;
	struct cli_options options;

	std::cerr.rdbuf(stderr_buffer);
	std::cerr.clear();
	qvp::sc::set_time_resolution();
	sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
	if (argc > 1 && std::strcmp(argv[1], "test") == 0) {
		std::fprintf(stderr, "qvp-sc: error: qvp-sc has no 'test' command: it runs one firmware "
				     "('qvp-sc run FIRMWARE'); the regression farm is 'qvp test MANIFEST'\n");
		return QVP_EXIT_ERROR;
	}
	cli_set_program("qvp-sc");
	if (take_own_options(args, &log_path) < 0 ||
	    cli_parse((int)args.size(), args.data(), &options) < 0) {
		std::fprintf(stderr, "qvp-sc: error: %s\n", error_message());
		return QVP_EXIT_ERROR;
	}
	switch (options.command) {
	case CLI_HELP:
		cli_print_help(stdout);
		std::fputs(help_extra, stdout);
		return 0;
	case CLI_VERSION:
		std::printf("qvp-sc %s (SystemC %s)\n", QVP_VERSION, sc_core::sc_release());
		return 0;
	case CLI_RUN:
		break;
	}
	if (options.snapshot_path || options.restore_path) { // the SystemC side has state of its own
		std::fprintf(stderr, "qvp-sc: error: %s: qvp-sc cannot save or restore snapshots yet (qvp can: "
				     "docs/snapshots.md)\n", options.restore_path ? "--restore" : "--snapshot-at");
		return QVP_EXIT_ERROR;
	}
	if (options.record_path || options.replay_path) { // its SystemC models' inputs are not in the log
		std::fprintf(stderr, "qvp-sc: error: %s: qvp-sc cannot record or replay runs yet (qvp can: "
				     "docs/user-guide.md)\n", options.record_path ? "--record" : "--replay");
		return QVP_EXIT_ERROR;
	}
	return run(options, log_path);
}
