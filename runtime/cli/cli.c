#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"

/* The program whose command line this is: "qvp", or "qvp-sc" (which has no `test`). */
static const char *program = "qvp";

static const char help_text[] =
	"Runs arm64 firmware on a simulated board, deterministically: the same inputs give the\n"
	"same output, instruction count and virtual time on every run.\n"
	"\n"
	"FIRMWARE is an AArch64 ELF executable, or a raw binary with --raw. It starts at EL1 (EL2\n"
	"with --el2) with the MMU off, at the ELF entry point, with x0 holding the address of the\n"
	"board's device tree in RAM.\n"
	"\n"
	"Options:\n"
	"  --platform BOARD   the board: a .dts or .dtb file, or the name of a board in\n"
	"                     platforms/ (default: virt)\n"
	"  --backend NAME     auto, iss or kvm (default: auto: kvm where it works, else iss)\n"
	"  --quantum TIME     longest CPU run between device-model updates (default: 100us)\n"
	"  --cpus N           CPUs 1 to 8 on a board whose tree has one (written into the\n"
	"                     tree; CPU 0 starts, the others wait for PSCI CPU_ON)\n"
	"  --window TIME      with several CPUs: how far each runs before the next takes its\n"
	"                     turn (default: 10us, the quantum under kvm; at most the quantum)\n"
	"  --precise          kvm backend: stop each run on its exact instruction (the PMU stops\n"
	"                     it early and the last instructions are single-stepped; slower)\n"
	"  --el2              every CPU starts at EL2 (iss backend): hypervisors and Linux at\n"
	"                     EL2; the tree gets qvp,start-el2 and PSCI over SMC (docs/iss.md)\n"
	"  --el3              every CPU starts at EL3 (iss backend): secure-monitor firmware;\n"
	"                     SMC goes to it, qvp's PSCI is off (docs/iss.md)\n"
	"  --semihosting      serve Arm semihosting calls (HLT #0xF000 at EL1 and above, iss\n"
	"                     backend): console output, files, virtual time, exit codes\n"
	"  --semihosting-root DIR  with --semihosting: the directory the guest's files are\n"
	"                     in, nothing outside it (without it every file call fails)\n"
	"  --semihosting-cmdline TEXT  what SYS_GET_CMDLINE returns (default: FIRMWARE)\n"
	"  --timeout TIME     stop when virtual time reaches TIME\n"
	"  --raw ADDRESS      load FIRMWARE as a raw binary at ADDRESS (4-byte aligned) and\n"
	"                     enter there\n"
	"  --memory SIZE      resize the board's first memory node to SIZE (like QEMU's -m); the\n"
	"                     device tree given to the guest says so too\n"
	"  --kernel IMAGE     boot an arm64 Linux Image (raw or gzip'd) instead of FIRMWARE,\n"
	"                     as the arm64 boot protocol says (docs/user-guide.md)\n"
	"  --initrd FILE      with --kernel: an initramfs, named in the DTB's /chosen\n"
	"  --append ARGS      with --kernel: the kernel command line (/chosen bootargs)\n"
	"  --dtb FILE         the board's device tree (.dtb or .dts), given to the kernel too;\n"
	"                     the same as --platform FILE\n"
	"  --bios FILE        firmware in flash, instead of FIRMWARE (like QEMU's -bios): FILE\n"
	"                     goes into flash bank 0 (at most its 64 MiB) and the CPU starts\n"
	"                     at address 0 (EL1, EL2 with --el2), x0 = 0, the device tree at\n"
	"                     the start of RAM (iss backend; docs/boot-chain.md)\n"
	"  --flash FILE[,rw]  back a flash bank with FILE: the first --flash is bank 0 (not\n"
	"                     with --bios), the second bank 1; the guest's programs and erases\n"
	"                     go to FILE only with ',rw'\n"
	"  --console FILE     write the UART's output to FILE instead of standard output\n"
	"  --disk FILE[,rw]   a virtio block device on the image FILE, read-only unless ',rw'\n"
	"                     (then the guest's writes change FILE); up to 4, one per\n"
	"                     virtio-mmio transport in device-tree order\n"
	"  --console-script FILE  feed the UART from FILE: expect \"TEXT\", send \"TEXT\",\n"
	"                     sleep TIME, at TIME, one per line (docs/user-guide.md); without\n"
	"                     it standard input is the console: a terminal (typed; Ctrl-A x\n"
	"                     quits), or a pipe or file (its bytes enter as the UART can take\n"
	"                     them, the same on every run; its end is just no more input)\n"
	"  --console-socket [HOST:]PORT  serve the console on TCP instead of standard input\n"
	"                     and output (host 127.0.0.1 unless given): qvp waits for one\n"
	"                     client (nc HOST PORT, telnet) before the guest runs, sends it the\n"
	"                     UART's output and takes what it sends as typed input; the client\n"
	"                     closing the connection ends the input, not the run\n"
	"  --pace MODE        realtime: idle time passes no faster than the host's clock, so an\n"
	"                     idle guest costs no CPU; none: idle time is skipped at once\n"
	"                     (default: realtime with a terminal or a socket at the console,\n"
	"                     else none);\n"
	"                     pacing changes only when typed input arrives\n"
	"  --stats            print a summary on standard error when the run ends\n"
	"  --trace FILE.json  write a Chrome trace-event file (Perfetto, chrome://tracing) of\n"
	"                     CPU runs, idle skips, interrupts and MMIO, in virtual time\n"
	"  --rtc WHEN         the RTC's start: 'host' (the host clock: runs then differ) or\n"
	"                     seconds since 1970 (default: 1704067200, 2024-01-01 UTC)\n"
	"  --stats-json FILE  write the run's counters to FILE as JSON (docs/farm.md)\n"
	"  --coverage FILE.info  write an lcov tracefile of the lines, functions and branches\n"
	"                     of FIRMWARE that ran (iss backend; docs/coverage.md)\n"
	"  --coverage-image FILE[@OFFSET]  with --coverage: report FILE's lines too (an ELF\n"
	"                     with DWARF), whose code ran OFFSET bytes above its addresses\n"
	"  --trace-insns FILE[,OPTION...]  write each instruction run to FILE, disassembled\n"
	"                     (iss backend; docs/coverage.md); options: insns=FIRST-LAST,\n"
	"                     time=FROM-UNTIL, pc=LOW-HIGH (A-B: A to B; A-: from A on;\n"
	"                     A: only A),\n"
	"                     limit=N lines (default 1000000), regs (the registers changed)\n"
	"  --gdb [HOST:]PORT  serve the GDB remote protocol there (host 127.0.0.1 unless\n"
	"                     given), or on a serial line: --gdb /dev/ttyS1 (docs/gdb.md)\n"
	"  --gdb-wait         with --gdb: halt before the first instruction until gdb attaches\n"
	"  --snapshot-at TIME FILE  save the whole machine to FILE when virtual time first\n"
	"                     reaches TIME at a quantum boundary, then go on\n"
	"                     (docs/snapshots.md; one taken under --backend kvm continues on\n"
	"                     the iss backend); TIME 'script': once the console script\n"
	"                     has run its last step\n"
	"  --stop             with --snapshot-at: end the run once the snapshot is saved\n"
	"                     (status 0)\n"
	"  --restore FILE     go on from the snapshot FILE: the board, images and options\n"
	"                     are the snapshot's (no FIRMWARE), the console shows what\n"
	"                     comes after it, and --stats counts from reset; --timeout\n"
	"                     (from reset) and a --console-script that starts at the\n"
	"                     snapshot may be given anew\n"
	"  --image-dir DIR    with --restore: find the snapshot's images (and its board file)\n"
	"                     in DIR by their file names, not where they were when it was\n"
	"                     taken (a snapshot from another host; their SHA-256 is checked)\n"
	"  --record FILE      keep in FILE every input from outside (typed console input,\n"
	"                     piped input, gdb's writes, the RTC's host start) with where it\n"
	"                     entered, so that --replay repeats the run (iss backend)\n"
	"  --replay FILE      run a recording again: the board, images and options are the\n"
	"                     recording's (no FIRMWARE), the inputs enter where they did\n"
	"  -h, --help         print this help\n"
	"  --version          print qvp's version\n"
	"\n"
	"TIME is a number with a unit: ps, ns, us, ms or s (e.g. 10ms, 1.5s); a bare number is\n"
	"an error. SIZE is a number with K, M or G (e.g. 512M, 2G).\n"
	"\n"
	"Exit status:\n"
	"  the guest's exit code (0-255), written to the simulation-control device\n"
	"  123  the run ended before the console script's expectations were met\n"
	"  124  virtual time reached --timeout\n"
	"  125  bad options or input files (the message names which and where)\n"
	"  126  the simulated CPU could not go on (e.g. a WFI nothing can wake)\n";

void cli_set_program(const char *name)
{
	program = name;
}

void cli_print_help(FILE *out)
{
	fprintf(out, "Usage: %s run [OPTIONS] FIRMWARE\n", program);
	fprintf(out, "       %s run [OPTIONS] --kernel IMAGE [--initrd FILE] [--append ARGS] [--dtb FILE]\n", program);
	fprintf(out, "       %s run [OPTIONS] --bios FILE [--flash FILE[,rw]]\n", program);
	fprintf(out, "       %s run [OPTIONS] --restore SNAPSHOT\n", program);
	if (strcmp(program, "qvp") == 0)
		fputs("       qvp test [OPTIONS] MANIFEST   (the regression farm: qvp test --help)\n", out);
	fprintf(out, "       %s --help | --version\n\n", program);
	fputs(help_text, out);
}

enum option_id {
	OPTION_PLATFORM = 256,
	OPTION_BACKEND,
	OPTION_QUANTUM,
	OPTION_CPUS,
	OPTION_WINDOW,
	OPTION_TIMEOUT,
	OPTION_RAW,
	OPTION_CONSOLE,
	OPTION_CONSOLE_SCRIPT,
	OPTION_CONSOLE_SOCKET,
	OPTION_PACE,
	OPTION_DISK,
	OPTION_STATS,
	OPTION_TRACE,
	OPTION_TRACE_INSNS,
	OPTION_RTC,
	OPTION_VERSION,
	OPTION_PRECISE,
	OPTION_EL2,
	OPTION_EL3,
	OPTION_STATS_JSON,
	OPTION_GDB,
	OPTION_GDB_WAIT,
	OPTION_KERNEL,
	OPTION_INITRD,
	OPTION_APPEND,
	OPTION_DTB,
	OPTION_MEMORY,
	OPTION_COVERAGE,
	OPTION_COVERAGE_IMAGE,
	OPTION_TEST_ABORT_AFTER,
	OPTION_TEST_PERTURB_OUTPUT,
	OPTION_SNAPSHOT_AT,
	OPTION_STOP,
	OPTION_RESTORE,
	OPTION_IMAGE_DIR,
	OPTION_RECORD,
	OPTION_REPLAY,
	OPTION_SEMIHOSTING,
	OPTION_SEMIHOSTING_ROOT,
	OPTION_SEMIHOSTING_CMDLINE,
	OPTION_BIOS,
	OPTION_FLASH,
};

static const struct option long_options[] = {
	{ "platform", required_argument, NULL, OPTION_PLATFORM },
	{ "backend", required_argument, NULL, OPTION_BACKEND },
	{ "quantum", required_argument, NULL, OPTION_QUANTUM },
	{ "cpus", required_argument, NULL, OPTION_CPUS },
	{ "window", required_argument, NULL, OPTION_WINDOW },
	{ "timeout", required_argument, NULL, OPTION_TIMEOUT },
	{ "raw", required_argument, NULL, OPTION_RAW },
	{ "console", required_argument, NULL, OPTION_CONSOLE },
	{ "console-script", required_argument, NULL, OPTION_CONSOLE_SCRIPT },
	{ "console-socket", required_argument, NULL, OPTION_CONSOLE_SOCKET },
	{ "pace", required_argument, NULL, OPTION_PACE },
	{ "disk", required_argument, NULL, OPTION_DISK },
	{ "stats", no_argument, NULL, OPTION_STATS },
	{ "trace", required_argument, NULL, OPTION_TRACE },
	{ "trace-insns", required_argument, NULL, OPTION_TRACE_INSNS },
	{ "rtc", required_argument, NULL, OPTION_RTC },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPTION_VERSION },
	{ "precise", no_argument, NULL, OPTION_PRECISE },
	{ "el2", no_argument, NULL, OPTION_EL2 },
	{ "el3", no_argument, NULL, OPTION_EL3 },
	{ "stats-json", required_argument, NULL, OPTION_STATS_JSON },
	{ "gdb", required_argument, NULL, OPTION_GDB },
	{ "gdb-wait", no_argument, NULL, OPTION_GDB_WAIT },
	{ "kernel", required_argument, NULL, OPTION_KERNEL },
	{ "initrd", required_argument, NULL, OPTION_INITRD },
	{ "append", required_argument, NULL, OPTION_APPEND },
	{ "dtb", required_argument, NULL, OPTION_DTB },
	{ "memory", required_argument, NULL, OPTION_MEMORY },
	{ "coverage", required_argument, NULL, OPTION_COVERAGE },
	{ "coverage-image", required_argument, NULL, OPTION_COVERAGE_IMAGE },
	{ "snapshot-at", required_argument, NULL, OPTION_SNAPSHOT_AT }, /* and FILE after TIME */
	{ "stop", no_argument, NULL, OPTION_STOP },
	{ "restore", required_argument, NULL, OPTION_RESTORE },
	{ "image-dir", required_argument, NULL, OPTION_IMAGE_DIR },
	{ "record", required_argument, NULL, OPTION_RECORD },
	{ "replay", required_argument, NULL, OPTION_REPLAY },
	{ "semihosting", no_argument, NULL, OPTION_SEMIHOSTING },
	{ "semihosting-root", required_argument, NULL, OPTION_SEMIHOSTING_ROOT },
	{ "semihosting-cmdline", required_argument, NULL, OPTION_SEMIHOSTING_CMDLINE },
	{ "bios", required_argument, NULL, OPTION_BIOS },
	{ "flash", required_argument, NULL, OPTION_FLASH },
	/* test doubles for the regression farm's own tests, left out of --help (docs/farm.md) */
	{ "test-abort-after", required_argument, NULL, OPTION_TEST_ABORT_AFTER },
	{ "test-perturb-output", no_argument, NULL, OPTION_TEST_PERTURB_OUTPUT },
	{ NULL, 0, NULL, 0 },
};

static int check_board(const char *name);

static int parse_backend(const char *name, enum backend_kind *backend)
{
	if (strcmp(name, "auto") == 0)
		*backend = BACKEND_AUTO;
	else if (strcmp(name, "iss") == 0)
		*backend = BACKEND_ISS;
	else if (strcmp(name, "kvm") == 0)
		*backend = BACKEND_KVM;
	else
		return error_set("--backend: unknown backend '%s' (use auto, iss or kvm)", name);
	return 0;
}

static int parse_address(const char *text, uint64_t *address)
{
	char *end;

	errno = 0;
	*address = strtoull(text, &end, 0);
	if (errno || end == text || *end || text[0] == '-')
		return error_set("--raw: invalid address '%s' (e.g. 0x40080000)", text);
	if (*address % 4) /* the entry point: an instruction address */
		return error_set("--raw: address %s is not 4-byte aligned (the entry point is an instruction)", text);
	return 0;
}

/* --memory SIZE: a count of K, M or G (binary units); a bare number is refused, as a time is. */
static int parse_size(const char *text, uint64_t *size)
{
	static const char suffixes[] = "KMG";
	const char *unit;
	char *end;

	errno = 0;
	*size = strtoull(text, &end, 10);
	unit = end[0] ? strchr(suffixes, end[0]) : NULL;
	if (errno || end == text || text[0] < '0' || text[0] > '9' || !unit || end[1])
		return error_set("--memory: '%s' is not a size with a unit K, M or G (e.g. 512M, 2G)", text);
	for (const char *u = suffixes; u <= unit; u++) {
		if (*size > UINT64_MAX / 1024)
			return error_set("--memory: '%s' is too large", text);
		*size *= 1024;
	}
	if (*size == 0 || *size % 4096)
		return error_set("--memory: '%s' must be a positive multiple of 4K", text);
	return 0;
}

static int parse_count(const char *option, const char *text, uint64_t *count)
{
	char *end;

	errno = 0;
	*count = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-')
		return error_set("%s: invalid count '%s'", option, text);
	return 0;
}

/* --cpus N: what a GICv2 can serve. */
static int parse_cpus(const char *text, unsigned *cpus)
{
	uint64_t count;

	if (parse_count("--cpus", text, &count) < 0 || count < 1 || count > MACHINE_MAX_CPUS)
		return error_set("--cpus: '%s' is not a CPU count from 1 to %d (a GICv2 serves 8)", text, MACHINE_MAX_CPUS);
	*cpus = (unsigned)count;
	return 0;
}

/* --rtc: "host" reads the host clock, the one documented break of repeatability. */
static int parse_rtc(const char *text, uint64_t *epoch)
{
	char *end;

	if (strcmp(text, "host") == 0) {
		*epoch = (uint64_t)time(NULL);
		return 0;
	}
	errno = 0;
	*epoch = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || *epoch == 0 || *epoch > UINT32_MAX)
		return error_set("--rtc: '%s' is not 'host' or seconds since 1970 (1 to 4294967295)", text);
	return 0;
}

/* --disk FILE[,rw] or FILE,ro. The paths are kept here: the options point into them. */
static int parse_disk(const char *text, struct machine_config *machine)
{
	static char paths[MACHINE_MAX_DISKS][PATH_MAX];
	struct machine_disk *disk = &machine->disks[machine->disk_count];
	const char *comma = strrchr(text, ',');
	size_t length = strlen(text);

	if (machine->disk_count == MACHINE_MAX_DISKS)
		return error_set("--disk: at most %d disks", MACHINE_MAX_DISKS);
	disk->writable = false;
	if (comma && (strcmp(comma, ",rw") == 0 || strcmp(comma, ",ro") == 0)) {
		disk->writable = comma[2] == 'w';
		length = (size_t)(comma - text);
	} else if (comma) {
		return error_set("--disk %s: unknown option '%s' (use FILE, FILE,rw or FILE,ro)", text, comma + 1);
	}
	if (length == 0 || length >= PATH_MAX)
		return error_set("--disk '%s': missing or too long FILE", text);
	memcpy(paths[machine->disk_count], text, length);
	paths[machine->disk_count][length] = '\0';
	disk->path = paths[machine->disk_count];
	machine->disk_count++;
	return 0;
}

/* --flash FILE[,rw] or FILE,ro: bank 0, then bank 1. */
static int parse_flash(const char *text, struct machine_config *machine)
{
	static char paths[MACHINE_MAX_FLASH][PATH_MAX];
	struct machine_flash *flash = &machine->flash[machine->flash_count];
	const char *comma = strrchr(text, ',');
	size_t length = strlen(text);

	if (machine->flash_count == MACHINE_MAX_FLASH)
		return error_set("--flash: at most %d files (flash banks 0 and 1)", MACHINE_MAX_FLASH);
	flash->writable = false;
	if (comma && (strcmp(comma, ",rw") == 0 || strcmp(comma, ",ro") == 0)) {
		flash->writable = comma[2] == 'w';
		length = (size_t)(comma - text);
	} else if (comma) {
		return error_set("--flash %s: unknown option '%s' (use FILE, FILE,rw or FILE,ro)", text, comma + 1);
	}
	if (length == 0 || length >= PATH_MAX)
		return error_set("--flash '%s': missing or too long FILE", text);
	memcpy(paths[machine->flash_count], text, length);
	paths[machine->flash_count][length] = '\0';
	flash->path = paths[machine->flash_count];
	machine->flash_count++;
	return 0;
}

static int parse_pace(const char *text, enum console_pace *pace)
{
	if (strcmp(text, "realtime") == 0)
		*pace = CONSOLE_PACE_REALTIME;
	else if (strcmp(text, "none") == 0)
		*pace = CONSOLE_PACE_NONE;
	else
		return error_set("--pace: unknown mode '%s' (use realtime or none)", text);
	return 0;
}

static int parse_time(const char *option, const char *text, vtime_t *time)
{
	if (vtime_parse(text, time) < 0)
		return error_set("%s: %s", option, error_message());
	if (*time == 0)
		return error_set("%s: must be more than 0", option);
	return 0;
}

/* The options a snapshot records (snapshot_config): --restore takes them from there. */
static const char *machine_shaping_option(int id)
{
	switch (id) {
	case OPTION_PLATFORM: return "--platform";
	case OPTION_QUANTUM: return "--quantum";
	case OPTION_CPUS: return "--cpus";
	case OPTION_WINDOW: return "--window";
	case OPTION_DISK: return "--disk";
	case OPTION_EL2: return "--el2";
	case OPTION_EL3: return "--el3";
	case OPTION_RTC: return "--rtc";
	case OPTION_INITRD: return "--initrd";
	case OPTION_APPEND: return "--append";
	case OPTION_DTB: return "--dtb";
	case OPTION_MEMORY: return "--memory";
	case OPTION_BIOS: return "--bios";
	case OPTION_FLASH: return "--flash";
	default: return NULL;
	}
}

static int parse_option(int id, const char *argument, struct cli_options *options)
{
	switch (id) {
	case OPTION_PLATFORM:
		options->machine.platform_path = argument;
		return check_board(argument);
	case OPTION_BACKEND:
		return parse_backend(argument, &options->machine.backend);
	case OPTION_QUANTUM:
		return parse_time("--quantum", argument, &options->machine.quantum);
	case OPTION_CPUS:
		return parse_cpus(argument, &options->machine.cpu_count);
	case OPTION_WINDOW:
		return parse_time("--window", argument, &options->machine.window);
	case OPTION_TIMEOUT:
		options->timeout_given = true;
		return parse_time("--timeout", argument, &options->machine.timeout);
	case OPTION_RAW:
		options->machine.raw_firmware = true;
		return parse_address(argument, &options->machine.raw_address);
	case OPTION_CONSOLE:
		options->console_path = argument;
		return 0;
	case OPTION_CONSOLE_SCRIPT:
		options->console_script_path = argument;
		return 0;
	case OPTION_CONSOLE_SOCKET:
		options->console_socket_address = argument;
		return 0;
	case OPTION_PACE:
		return parse_pace(argument, &options->pace);
	case OPTION_DISK:
		return parse_disk(argument, &options->machine);
	case OPTION_STATS:
		options->stats = true;
		return 0;
	case OPTION_PRECISE:
		options->machine.precise = true;
		return 0;
	case OPTION_EL2:
		options->machine.start_el2 = true;
		return 0;
	case OPTION_EL3:
		options->machine.start_el3 = true;
		return 0;
	case OPTION_TRACE:
		options->trace_path = argument;
		return 0;
	case OPTION_TRACE_INSNS:
		options->insn_trace_spec = argument;
		return 0;
	case OPTION_RTC:
		return parse_rtc(argument, &options->machine.rtc_epoch);
	case OPTION_STATS_JSON:
		options->stats_json_path = argument;
		return 0;
	case OPTION_GDB:
		options->gdb_address = argument;
		return 0;
	case OPTION_GDB_WAIT:
		options->gdb_wait = true;
		return 0;
	case OPTION_KERNEL:
		options->machine.kernel_path = argument;
		return 0;
	case OPTION_INITRD:
		options->machine.initrd_path = argument;
		return 0;
	case OPTION_APPEND:
		options->machine.bootargs = argument;
		return 0;
	case OPTION_DTB:
		options->machine.platform_path = argument;
		return 0;
	case OPTION_MEMORY:
		return parse_size(argument, &options->machine.memory_size);
	case OPTION_COVERAGE:
		options->coverage_path = argument;
		return 0;
	case OPTION_COVERAGE_IMAGE:
		if (options->coverage_image_count == CLI_MAX_COVERAGE_IMAGES)
			return error_set("--coverage-image: at most %d images", CLI_MAX_COVERAGE_IMAGES);
		options->coverage_images[options->coverage_image_count++] = argument;
		return 0;
	case OPTION_SNAPSHOT_AT:
		options->snapshot_after_script = strcmp(argument, "script") == 0;
		if (options->snapshot_after_script)
			return 0; /* time 0: the script's end is the only condition */
		if (vtime_parse(argument, &options->snapshot_at) < 0)
			return error_set("--snapshot-at: %s", error_message());
		return 0;
	case OPTION_STOP:
		options->snapshot_stop = true;
		return 0;
	case OPTION_RESTORE:
		options->restore_path = argument;
		return 0;
	case OPTION_IMAGE_DIR:
		options->image_dir = argument;
		return 0;
	case OPTION_RECORD:
		options->record_path = argument;
		return 0;
	case OPTION_REPLAY:
		options->replay_path = argument;
		return 0;
	case OPTION_SEMIHOSTING:
		options->machine.semihosting = true;
		return 0;
	case OPTION_SEMIHOSTING_ROOT:
		options->machine.semihosting_root = argument;
		return 0;
	case OPTION_SEMIHOSTING_CMDLINE:
		options->machine.semihosting_cmdline = argument;
		return 0;
	case OPTION_BIOS:
		options->machine.bios_path = argument;
		return 0;
	case OPTION_FLASH:
		return parse_flash(argument, &options->machine);
	case OPTION_TEST_ABORT_AFTER:
		options->test_hooks.abort_enabled = true;
		return parse_count("--test-abort-after", argument, &options->test_hooks.abort_after);
	case OPTION_TEST_PERTURB_OUTPUT:
		options->test_hooks.perturb_output = true;
		return 0;
	case 'h':
		options->command = CLI_HELP;
		return 0;
	case OPTION_VERSION:
		options->command = CLI_VERSION;
		return 0;
	}
	return -1; /* getopt already reported what it did not recognise */
}

/* --snapshot-at TIME FILE: FILE is the next argument, taken here so getopt moves on past it. */
static int take_snapshot_file(int argc, char **argv, struct cli_options *options)
{
	if (optind >= argc || argv[optind][0] == '-')
		return error_set("--snapshot-at TIME FILE: missing FILE after '%s'", argv[optind - 1]);
	options->snapshot_path = argv[optind++];
	return 0;
}

static void set_defaults(struct cli_options *options)
{
	memset(options, 0, sizeof(*options));
	options->command = CLI_RUN;
	options->machine.platform_path = "virt";
	options->machine.backend = BACKEND_AUTO;
	options->machine.quantum = 100 * VTIME_US;
	options->machine.timeout = VTIME_NEVER;
}

/* With --kernel there is no FIRMWARE; --initrd and --append only mean something with it. */
static int check_kernel_options(int argc, char **argv, struct cli_options *options)
{
	const struct machine_config *machine = &options->machine;

	if (!machine->kernel_path) {
		if (machine->initrd_path || machine->bootargs)
			return error_set("%s needs --kernel IMAGE", machine->initrd_path ? "--initrd" : "--append");
		return 1;
	}
	if (machine->raw_firmware)
		return error_set("--raw and --kernel exclude each other");
	if (optind + 1 < argc)
		return error_set("run: unexpected argument '%s' with --kernel (no FIRMWARE)", argv[optind + 1]);
	if (options->gdb_wait && !options->gdb_address)
		return error_set("--gdb-wait needs --gdb [HOST:]PORT or --gdb /dev/PATH");
	return 0;
}

/* --bios FILE is the firmware: no FIRMWARE, --kernel or --raw (there is no fw_cfg to hand a
 * kernel to it); it runs in place from flash, which only the interpreter can (auto picks it).
 * Returns 1 without --bios. */
static int check_bios_options(int argc, char **argv, struct cli_options *options)
{
	struct machine_config *machine = &options->machine;

	if (!machine->bios_path)
		return 1;
	if (machine->kernel_path || machine->raw_firmware)
		return error_set("--bios and %s exclude each other (the firmware in flash loads what it boots)",
				 machine->kernel_path ? "--kernel" : "--raw");
	if (machine->flash_count == MACHINE_MAX_FLASH)
		return error_set("--bios fills flash bank 0: give at most one --flash (bank 1) with it");
	if (optind + 1 < argc)
		return error_set("run: unexpected argument '%s' with --bios (the firmware is the --bios file)",
				 argv[optind + 1]);
	if (machine->backend == BACKEND_KVM)
		return error_set("--bios needs the iss backend: under kvm the CPU cannot run in place from flash");
	machine->backend = BACKEND_ISS;
	if (options->gdb_wait && !options->gdb_address)
		return error_set("--gdb-wait needs --gdb [HOST:]PORT or --gdb /dev/PATH");
	return 0;
}

/* --el3 starts firmware at EL3: not Linux (entered at EL1 or EL2), not into a snapshot (its header has no EL3). */
static int check_el3_options(const struct cli_options *options)
{
	if (!options->machine.start_el3)
		return 0;
	if (options->machine.kernel_path)
		return error_set("--el3 and --kernel exclude each other (Linux is entered at EL1 or EL2; EL3 is firmware's)");
	if (options->snapshot_path)
		return error_set("--el3 and --snapshot-at exclude each other (snapshots do not record EL3 yet)");
	return 0;
}

/* --semihosting-root and --semihosting-cmdline shape semihosting; its open host files cannot go into a snapshot. */
static int check_semihosting_options(const struct cli_options *options)
{
	const struct machine_config *machine = &options->machine;

	if (!machine->semihosting && (machine->semihosting_root || machine->semihosting_cmdline))
		return error_set("%s needs --semihosting",
		                 machine->semihosting_root ? "--semihosting-root" : "--semihosting-cmdline");
	if (machine->semihosting && (options->snapshot_path || options->restore_path))
		return error_set("--semihosting and %s exclude each other (open host files are not in a snapshot)",
		                 options->snapshot_path ? "--snapshot-at" : "--restore");
	return 0;
}

/* The socket is the console's input and output: a script or an output file would be a second one. */
static int check_console_options(const struct cli_options *options)
{
	if (!options->console_socket_address)
		return 0;
	if (options->console_script_path)
		return error_set("--console-socket and --console-script exclude each other (both are the console's input)");
	if (options->console_path)
		return error_set("--console-socket and --console exclude each other (the socket gets the UART's output)");
	return 0;
}

/* --restore FILE and --replay FILE: the file names the images and options. */
static int check_restore_options(int argc, char **argv, const struct cli_options *options)
{
	const char *option = options->restore_path ? "--restore" : "--replay";
	const char *file = options->restore_path ? "snapshot" : "recording";

	if (optind + 1 < argc)
		return error_set("run: unexpected argument '%s' with %s (the %s names the firmware)", argv[optind + 1],
				 option, file);
	if (options->machine.kernel_path || options->machine.raw_firmware)
		return error_set("%s and %s exclude each other (the %s names the images)", option,
				 options->machine.kernel_path ? "--kernel" : "--raw", file);
	if (options->machine_option)
		return error_set("%s and %s exclude each other (the run goes on with the options the %s was made with)",
				 option, options->machine_option, file);
	if (options->replay_path && options->timeout_given)
		return error_set("--replay and --timeout exclude each other (the recording ends where the recorded run did)");
	if (options->gdb_wait && !options->gdb_address)
		return error_set("--gdb-wait needs --gdb [HOST:]PORT or --gdb /dev/PATH");
	return 0;
}

/* Snapshots are the interpreter's: auto picks it; one taken under kvm (--backend kvm) is saved
 * in the interpreter's layout and restores on the iss backend. */
static int check_snapshot_options(struct cli_options *options)
{
	if (options->snapshot_stop && !options->snapshot_path)
		return error_set("--stop needs --snapshot-at TIME FILE");
	if (options->image_dir && !options->restore_path)
		return error_set("--image-dir needs --restore FILE (it says where the snapshot's images are now)");
	if (!options->snapshot_path && !options->restore_path)
		return 0;
	if (options->snapshot_after_script && !options->console_script_path)
		return error_set("--snapshot-at script needs --console-script FILE (it saves when the script has ended)");
	if (options->machine.backend == BACKEND_KVM && options->restore_path)
		return error_set("--restore continues on the iss backend: a snapshot is restored into the interpreter "
				 "(leave out --backend kvm)");
	if (options->machine.backend != BACKEND_KVM)
		options->machine.backend = BACKEND_ISS;
	return 0;
}

static int parse_command(int argc, char **argv, struct cli_options *options)
{
	int firmware;

	if (options->command != CLI_RUN)
		return 0;
	if (check_console_options(options) < 0)
		return -1;
	if (optind >= argc)
		return error_set("missing command: try '%s run FIRMWARE' or '%s --help'", program, program);
	if (strcmp(argv[optind], "run") != 0)
		return error_set("unknown command '%s': try '%s run FIRMWARE' or '%s --help'", argv[optind], program,
				 program);
	if (options->restore_path || options->replay_path)
		return check_restore_options(argc, argv, options);
	firmware = check_bios_options(argc, argv, options);
	if (firmware <= 0)
		return firmware;
	firmware = check_kernel_options(argc, argv, options);
	if (firmware <= 0)
		return firmware;
	if (optind + 1 >= argc)
		return error_set("run: missing FIRMWARE (an AArch64 ELF file)");
	if (optind + 2 < argc)
		return error_set("run: unexpected argument '%s' after FIRMWARE", argv[optind + 2]);
	options->machine.firmware_path = argv[optind + 1];
	if (options->gdb_wait && !options->gdb_address)
		return error_set("--gdb-wait needs --gdb [HOST:]PORT or --gdb /dev/PATH");
	return 0;
}

/* A recording is the interpreter's (the kvm backend does not repeat a run), of one run from
 * reset, with every input it can replay. */
static int check_record_options(struct cli_options *options)
{
	const char *option = options->record_path ? "--record" : "--replay";

	if (!options->record_path && !options->replay_path)
		return 0;
	if (options->record_path && options->replay_path)
		return error_set("--record and --replay exclude each other");
	if (options->restore_path)
		return error_set("%s and --restore exclude each other (a recording starts at reset)", option);
	if (options->machine.semihosting)
		return error_set("--record and --semihosting exclude each other (host files the guest reads are not "
				 "recorded)");
	if (options->machine.start_el3)
		return error_set("--record and --el3 exclude each other (a recording's header does not name EL3 yet)");
	if (options->replay_path && (options->console_script_path || options->console_socket_address))
		return error_set("--replay and %s exclude each other (the recording holds the console's input)",
				 options->console_script_path ? "--console-script" : "--console-socket");
	if (options->record_path && options->gdb_address && options->machine.cpu_count > 1)
		return error_set("--record with --gdb needs one CPU: where gdb stops several CPUs is not replayed");
	if (options->machine.backend == BACKEND_KVM)
		return error_set("%s needs the iss backend: a run under kvm does not repeat", option);
	options->machine.backend = BACKEND_ISS;
	return 0;
}

/* Coverage and the instruction trace are the interpreter's: auto picks it, kvm cannot give them. */
static int needs_iss(struct cli_options *options, const char *option)
{
	if (options->machine.backend == BACKEND_KVM)
		return error_set("%s needs the iss backend (--backend iss): under kvm the guest runs "
				 "natively and qvp does not see its instructions", option);
	options->machine.backend = BACKEND_ISS;
	return 0;
}

static int check_coverage_options(struct cli_options *options)
{
	struct machine_config *machine = &options->machine;

	if (options->insn_trace_spec && needs_iss(options, "--trace-insns") < 0)
		return -1;
	if (!options->coverage_path) {
		if (options->coverage_image_count)
			return error_set("--coverage-image needs --coverage FILE.info");
		return 0;
	}
	if (needs_iss(options, "--coverage") < 0)
		return -1;
	if ((machine->raw_firmware || machine->kernel_path) && !options->coverage_image_count)
		return error_set("--coverage with %s needs --coverage-image FILE: the ELF with DWARF whose lines to report",
				 machine->raw_firmware ? "--raw" : "--kernel");
	return 0;
}

int cli_parse(int argc, char **argv, struct cli_options *options)
{
	int id;

	set_defaults(options);
	optind = 1;
	opterr = 0; /* we report errors ourselves, in one line */
	/* GNU getopt permutes, so options may come before or after "run" and FIRMWARE */
	while ((id = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		if (id == '?') {
			if (optopt)
				return error_set("unknown option '-%c'; see '%s --help'", optopt, program);
			return error_set("unknown option '%s'; see '%s --help'", argv[optind - 1], program);
		}
		if (id == ':')
			return error_set("option '%s' needs a value; see '%s --help'", argv[optind - 1], program);
		if (parse_option(id, optarg, options) < 0)
			return -1;
		if (machine_shaping_option(id))
			options->machine_option = machine_shaping_option(id);
		if (id == OPTION_SNAPSHOT_AT && take_snapshot_file(argc, argv, options) < 0)
			return -1;
	}
	if (parse_command(argc, argv, options) < 0)
		return -1;
	if (options->command != CLI_RUN)
		return 0;
	return check_coverage_options(options) < 0 || check_snapshot_options(options) < 0 ||
	               check_record_options(options) < 0 ||
	               check_semihosting_options(options) < 0 || check_el3_options(options) < 0
	           ? -1
	           : 0;
}

/* The folders boards are looked for in by name: the built .dtb files next to the qvp binary
 * (an installed qvp), then the sources. */
static void board_folders(char built[PATH_MAX], char source[PATH_MAX])
{
	char executable[PATH_MAX];
	ssize_t length = readlink("/proc/self/exe", executable, sizeof(executable) - 1);
	char *slash;

	built[0] = '\0';
	if (length > 0) {
		executable[length] = '\0';
		slash = strrchr(executable, '/');
		if (slash) {
			*slash = '\0';
			snprintf(built, PATH_MAX, "%.*s/platforms", PATH_MAX - 16, executable);
		}
	}
	snprintf(source, PATH_MAX, "%s/platforms", QVP_SOURCE_DIR);
}

const char *cli_resolve_platform(const char *name, char *buffer, size_t size)
{
	char built[PATH_MAX], source[PATH_MAX];

	if (strchr(name, '/') || strchr(name, '.'))
		return name;
	board_folders(built, source);
	if (built[0]) {
		snprintf(buffer, size, "%s/%s.dtb", built, name);
		if (access(buffer, R_OK) == 0)
			return buffer;
	}
	snprintf(buffer, size, "%s/%s.dts", source, name);
	return buffer;
}

/* Appends the board names (NAME.dts or NAME.dtb) in `folder` to `list`, each once. */
static void list_boards(const char *folder, char *list, size_t size)
{
	DIR *dir = opendir(folder);
	struct dirent *entry;
	char name[256];

	while (dir && (entry = readdir(dir)) != NULL) {
		const char *dot = strrchr(entry->d_name, '.');
		if (!dot || (strcmp(dot, ".dts") != 0 && strcmp(dot, ".dtb") != 0) || dot == entry->d_name)
			continue;
		snprintf(name, sizeof(name), " %.*s,", (int)(dot - entry->d_name), entry->d_name);
		if (!strstr(list, name) && strlen(list) + strlen(name) < size)
			strcat(list, name);
	}
	if (dir)
		closedir(dir);
}

/* --platform NAME: a board that is not there is an error listing the boards that are. */
static int check_board(const char *name)
{
	char built[PATH_MAX], source[PATH_MAX], path[PATH_MAX + 64], boards[512] = ",";

	if (strchr(name, '/') || strchr(name, '.') || access(cli_resolve_platform(name, path, sizeof(path)), R_OK) == 0)
		return 0;
	board_folders(built, source);
	if (built[0])
		list_boards(built, boards, sizeof(boards));
	list_boards(source, boards, sizeof(boards));
	boards[strlen(boards) - 1] = '\0'; /* the last comma */
	return error_set("--platform: no board '%s' (boards:%s; or a .dts/.dtb file)", name,
	                 boards[0] ? boards + 1 : " none found");
}
