/* qvp's command line: build the machine, run it, report, and exit with the guest's status. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "console.h"
#include "console_output.h"
#include "console_socket.h"
#include "coverage.h"
#include "insn_trace.h"
#include "error.h"
#include "farm.h"
#include "gdb_stub.h"
#include "loop.h"
#include "machine.h"
#include "run_record.h"
#include "run_snapshot.h"
#include "status_line.h"
#include "trace.h"
#ifdef QVP_HAVE_KVM
#include "kvm.h"
#endif

#ifdef QVP_HAVE_KVM
/* One vCPU's KVM_RUN exits by kind. */
static void print_kvm_exits(const char *who, const struct kvm_cpu_exits *exits)
{
	fprintf(stderr,
		"%s: %" PRIu64 " MMIO, %" PRIu64 " emulated, %" PRIu64 " WFI, %" PRIu64 " WFE, %" PRIu64 " off, %" PRIu64
		" budget, %" PRIu64 " timer, %" PRIu64 " debug, %" PRIu64 " system\n",
		who, exits->mmio, exits->emulated, exits->wfi, exits->wfe, exits->stopped, exits->budget,
		exits->interrupted, exits->debug, exits->system);
}

/* Under KVM, how idle time and budgets were found (the VM's), then what each vCPU's runs
 * ended on: one line for one vCPU, one per vCPU (as the per-CPU lines above) for several. */
static void print_kvm_modes(const struct machine *machine)
{
	const struct kvm_cpu_modes *modes;
	uint64_t overshoot = 0, emulated = 0;
	char who[32];

	if (strcmp(machine->cpu->ops->name, "kvm") != 0)
		return;
	for (unsigned k = 0; k < machine->cpu_count; k++) {
		modes = kvm_cpu_modes(machine->cpus[k].cpu);
		if (modes->largest_overshoot > overshoot)
			overshoot = modes->largest_overshoot;
		emulated += modes->emulated_instructions;
	}
	modes = kvm_cpu_modes(machine->cpus[0].cpu);
	fprintf(stderr, "kvm idle: %s\n", modes->wfx_exit ? "WFx exits (KVM_CAP_ARM_EXIT_ON_WFX)" : "host-timer kick");
	fprintf(stderr, "kvm budget: %s%s\n", modes->pmu_budget ? "PMU guest-instruction counter" : "host timer",
		modes->precise ? ", precise (single-stepped to the exact instruction)" : "");
	fprintf(stderr, "kvm budget overshoot: at most %" PRIu64 " instructions\n", overshoot);
	fprintf(stderr, "kvm emulated instructions: %" PRIu64 " (device accesses without a syndrome)\n", emulated);
	if (machine->cpu_count == 1) {
		print_kvm_exits("kvm exits", &modes->exits);
		return;
	}
	for (unsigned k = 0; k < machine->cpu_count; k++) {
		modes = kvm_cpu_modes(machine->cpus[k].cpu);
		snprintf(who, sizeof(who), "kvm cpu %u exits", k);
		print_kvm_exits(who, &modes->exits);
		fprintf(stderr, "kvm cpu %u budget overshoot: at most %" PRIu64 " instructions\n", k,
			modes->largest_overshoot);
	}
}
#else
static void print_kvm_modes(const struct machine *machine)
{
	(void)machine;
}
#endif

static void print_stats(const struct machine *machine, double wall)
{
	run_report_print_stats(machine, wall);
	print_kvm_modes(machine);
}

/* The UART's output: --console FILE, the client of --console-socket (listening from now on),
 * or standard output (*console NULL). -1 after error_set(). */
static int open_console(const struct cli_options *options, FILE **console, struct console_socket **socket)
{
	*console = NULL;
	*socket = NULL;
	if (options->console_path) {
		*console = fopen(options->console_path, "w");
		if (!*console)
			return error_set("--console %s: %s", options->console_path, strerror(errno));
	} else if (options->console_socket_address) {
		*socket = console_socket_listen(options->console_socket_address);
		if (*socket)
			*console = console_socket_output(*socket);
		if (!*console) {
			console_socket_close(*socket);
			*socket = NULL;
			return -1;
		}
	}
	return 0;
}

static void close_console(FILE *console, struct console_socket *socket)
{
	if (console)
		fclose(console);
	console_socket_close(socket);
}

/* The descriptor beneath the console's stream, for what a signal leaves in its buffer. */
static int console_fd(FILE *console, const struct console_socket *socket)
{
	if (socket)
		return console_socket_fd(socket);
	return console ? fileno(console) : STDOUT_FILENO;
}

/* The run's status; a run ended by --snapshot-at --stop is not judged by its console script,
 * which it cut short as asked. */
static int run_exit_status(const struct machine *machine, const struct console *console_input,
                           const struct run_snapshot_at *snapshot_at)
{
	int status = run_report_exit_status(machine, "qvp");

	if (snapshot_at->failed)
		return QVP_EXIT_ERROR;
	if (snapshot_at->path && !snapshot_at->saved)
		fprintf(stderr, "qvp: warning: the run ended before %s: %s was not written\n",
			snapshot_at->console ? "the console script's end (--snapshot-at script)"
					     : "virtual time reached --snapshot-at",
			snapshot_at->path);
	if (machine->stop_cause == MACHINE_PAUSED)
		return status;
	return console_exit_status(console_input, status, "qvp");
}

/* The console's input: a replay's from its recording, a restored run's first as it was saved
 * (the snapshot's script), else what the options say. */
static int attach_console_input(const struct cli_options *options, struct machine *machine,
				struct console_socket *socket, struct console **console_input)
{
	const char *script = options->restore_path ? options->snapshot_script_path : options->console_script_path;

	if (options->replay_path)
		return console_attach_replay(machine, options->console_script_path, console_input);
	return console_attach_input(machine, script, socket, options->pace, console_input);
}

/* --restore with a --console-script of its own: loaded, the machine takes the new script. */
static int load_snapshot(const struct cli_options *options, struct machine *machine, const struct snapshot *snapshot,
			 struct console **console_input)
{
	if (snapshot_load(machine, snapshot) < 0) /* the machine half-loaded is thrown away */
		return -1;
	if (options->console_script_path == options->snapshot_script_path)
		return 0;
	return console_restart_script(machine, console_input, options->console_script_path);
}

static int run_machine(struct cli_options *options, struct coverage *coverage, const struct snapshot *snapshot,
		       struct run_record *record)
{
	struct run_snapshot_at snapshot_at;
	char platform[PATH_MAX + 32];
	struct status_line status;
	struct machine *machine;
	struct gdb_stub *gdb = NULL;
	struct console *console_input = NULL;
	struct console_socket *socket;
	struct insn_trace *insn_trace = NULL;
	FILE *console, *out;
	double started;
	int exit_status;

	options->machine.platform_path = cli_resolve_platform(options->machine.platform_path, platform, sizeof(platform));
	if (open_console(options, &console, &socket) < 0) {
		fprintf(stderr, "qvp: error: %s\n", error_message());
		return QVP_EXIT_ERROR;
	}
	/* Line-buffered even into a file or pipe, so that if the host process crashes the console
	 * (the regression farm keeps it as the test's log) lacks at most the last partial line;
	 * a signal that ends qvp writes that line out too. */
	out = status_line_console(&status, console ? console : stdout);
	setvbuf(out, NULL, _IOLBF, 0);
	options->machine.console = out;
	machine = machine_create(&options->machine);
	if (!machine) {
		fprintf(stderr, "qvp: error: %s\n", error_message());
		close_console(console, socket);
		return QVP_EXIT_ERROR;
	}
	if (options->trace_path) {
		struct trace *trace = trace_open(options->trace_path);
		if (!trace) {
			fprintf(stderr, "qvp: error: %s\n", error_message());
			machine_destroy(machine);
			close_console(console, socket);
			return QVP_EXIT_ERROR;
		}
		trace_attach(trace, machine);
	}
	if (options->gdb_address) {
		gdb = gdb_stub_create(options->gdb_address, options->gdb_wait);
		if (!gdb) {
			fprintf(stderr, "qvp: error: %s\n", error_message());
			machine_destroy(machine);
			close_console(console, socket);
			return QVP_EXIT_ERROR;
		}
		gdb_stub_attach(gdb, machine);
	}
	if ((options->snapshot_path && !snapshot_supported(machine)) || run_record_attach(record, options, machine) < 0 ||
	    attach_console_input(options, machine, socket, &console_input) < 0 ||
	    (snapshot && load_snapshot(options, machine, snapshot, &console_input) < 0) ||
	    (options->insn_trace_spec && !(insn_trace = insn_trace_open(options->insn_trace_spec, machine)))) {
		fprintf(stderr, "qvp: error: %s\n", error_message());
		run_record_finish(record, machine, QVP_EXIT_ERROR);
		console_destroy(console_input);
		gdb_stub_destroy(gdb);
		machine_destroy(machine);
		close_console(console, socket);
		return QVP_EXIT_ERROR;
	}
	run_snapshot_at_attach(&snapshot_at, options, machine, console_input);
	status_line_start(&status, machine, "qvp", &options->test_hooks);
	started = status.started;
	console_output_flush_on_signals(out, console_fd(console, socket));
	machine_run(machine);
	status_line_clear(&status);
	fflush(out); /* the console's last words come before qvp's own (one log for both: 2>&1) */
	exit_status = run_exit_status(machine, console_input, &snapshot_at);
	exit_status = run_record_finish(record, machine, exit_status);
	console_destroy(console_input);
	run_test_hooks_finish(&options->test_hooks, out);
	fflush(out);
	if (options->stats)
		print_stats(machine, wall_seconds() - started);
	if (options->stats_json_path &&
	    run_report_write_json(options->stats_json_path, machine, run_report_stop_name(machine->stop_cause),
				  exit_status, wall_seconds() - started) < 0) {
		fprintf(stderr, "qvp: error: %s\n", error_message());
		exit_status = QVP_EXIT_ERROR;
	}
	if (coverage && coverage_write(coverage, options->coverage_path) < 0) {
		fprintf(stderr, "qvp: error: %s\n", error_message());
		exit_status = QVP_EXIT_ERROR;
	}
	if (insn_trace && insn_trace_close(insn_trace) < 0) {
		fprintf(stderr, "qvp: error: %s\n", error_message());
		exit_status = QVP_EXIT_ERROR;
	}
	if (machine->trace && trace_close(machine->trace) < 0) {
		fprintf(stderr, "qvp: error: %s\n", error_message());
		exit_status = QVP_EXIT_ERROR;
	}
	gdb_stub_destroy(gdb);
	machine_destroy(machine);
	console_output_unguard();
	if (out != stdout && out != console)
		fclose(out);
	close_console(console, socket);
	return exit_status;
}

/* --restore: the snapshot is read and checked whole, and names the options, before any machine is built. */
static int run(struct cli_options *options, struct coverage *coverage)
{
	struct snapshot *snapshot = NULL;
	struct run_record record;
	int status;

	if ((options->restore_path && !(snapshot = run_snapshot_read_options(options))) ||
	    run_record_read_options(&record, options) < 0) {
		fprintf(stderr, "qvp: error: %s\n", error_message());
		snapshot_free(snapshot);
		return QVP_EXIT_ERROR;
	}
	status = run_machine(options, coverage, snapshot, &record);
	snapshot_free(snapshot);
	run_record_free(&record);
	return status;
}

/* --coverage: FIRMWARE's lines (unless it is raw) and those of each --coverage-image. */
static struct coverage *start_coverage(struct cli_options *options)
{
	const char *firmware = options->machine.raw_firmware ? NULL : options->machine.firmware_path;
	struct coverage *coverage;

	if (!options->coverage_path)
		return NULL;
	coverage = coverage_start(firmware, options->coverage_images, options->coverage_image_count);
	if (coverage)
		options->machine.coverage = coverage_map(coverage);
	return coverage;
}

int main(int argc, char **argv)
{
	struct cli_options options;
	struct coverage *coverage;
	int status;

	if (argc > 1 && strcmp(argv[1], "test") == 0)
		return farm_main(argc - 1, argv + 1);
	if (cli_parse(argc, argv, &options) < 0) {
		fprintf(stderr, "qvp: error: %s\n", error_message());
		return QVP_EXIT_ERROR;
	}
	switch (options.command) {
	case CLI_HELP:
		cli_print_help(stdout);
		return 0;
	case CLI_VERSION:
		printf("qvp %s\n", QVP_VERSION);
		return 0;
	case CLI_RUN:
		break;
	}
	coverage = start_coverage(&options);
	if (options.coverage_path && !coverage) {
		fprintf(stderr, "qvp: error: %s\n", error_message());
		return QVP_EXIT_ERROR;
	}
	status = run(&options, coverage);
	coverage_destroy(coverage);
	return status;
}
