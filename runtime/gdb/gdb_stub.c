/*
 * The GDB remote serial protocol for one machine, in all-stop mode, each CPU a thread (thread
 * n + 1 is CPU n, in the loop's order); breakpoints and watchpoints are in every CPU.
 *
 * The stub is the machine's debugger hook (loop.c): after every CPU run it looks at why the run
 * stopped (a breakpoint, the end of a single step) and polls the socket for Ctrl-C. While the
 * target is halted the stub answers packets inside that call, so no virtual time passes.
 * The packets that read and change the target are in gdb_commands.c, the framing in gdb_packet.c.
 */
#include "gdb_stub.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "error.h"
#include "gdb_stub_internal.h"
#include "gdb_target.h"
#include "net_listen.h"

#define SIGNAL_KILL 9

/* ---- Connection ---- */

static bool attached(const struct gdb_stub *stub)
{
	return stub->connection.fd >= 0 && !stub->connection.idle;
}

struct cpu *gdb_selected_cpu(const struct gdb_stub *stub)
{
	const struct machine *machine = stub->machine;

	return stub->thread < machine->cpu_count ? machine->cpus[stub->thread].cpu : machine->cpu;
}

/* A client has gone: its breakpoints go with it and the run continues. */
static void drop_client(struct gdb_stub *stub)
{
	const struct machine *machine = stub->machine;

	for (unsigned c = 0; c < machine->cpu_count; c++) {
		struct cpu *cpu = machine->cpus[c].cpu;
		for (unsigned k = 0; k < stub->point_count; k++)
			cpu->ops->remove_debug(cpu, stub->points[k].kind, stub->points[k].address, stub->points[k].length);
	}
	stub->point_count = 0;
	stub->stepping = false;
	stub->machine->budget_limit = 0;
	gdb_connection_end_session(&stub->connection);
}

static bool accept_client(struct gdb_stub *stub, int wait_ms)
{
	int fd;

	if (stub->listen_fd < 0) { /* a serial line: a gdb arrives by talking on it */
		if (!gdb_connection_has_input(&stub->connection, wait_ms))
			return false;
		stub->connection.idle = false;
		return true;
	}
	fd = net_accept(stub->listen_fd, wait_ms);
	if (fd < 0)
		return false;
	gdb_connection_init(&stub->connection, fd);
	return true;
}

void gdb_reply(struct gdb_stub *stub, const char *text)
{
	gdb_packet_send_text(&stub->connection, text);
}

/* ---- Stop replies ---- */

/* The stop is the CPU's that ran last (it hit the breakpoint): gdb's thread from now on. */
void gdb_format_stop(struct gdb_stub *stub, int signal, const char *reason)
{
	struct cpu *cpu = stub->machine->cpu;
	uint64_t pc = 0, sp = 0;
	char pc_hex[17], sp_hex[17];

	stub->thread = stub->machine->current_cpu;
	cpu->ops->get_register(cpu, CPU_REG_PC, &pc);
	cpu->ops->get_register(cpu, CPU_REG_SP, &sp);
	gdb_encode_register(pc_hex, pc, 8);
	gdb_encode_register(sp_hex, sp, 8);
	snprintf(stub->last_stop, sizeof(stub->last_stop), "T%02x%s%02x:%s;%02x:%s;thread:%x;", signal, reason,
	         CPU_REG_PC, pc_hex, CPU_REG_SP, sp_hex, stub->thread + 1);
}

/* A thread id of a packet: 1..N for the CPUs, 0 (any) and -1 (all) leave the selection. */
static bool parse_thread(struct gdb_stub *stub, const char *text, bool select)
{
	uint64_t id;

	if (strcmp(text, "-1") == 0 || strcmp(text, "0") == 0)
		return true;
	if (!gdb_parse_number(&text, &id) || *text || id == 0 || id > stub->machine->cpu_count)
		return false;
	if (select)
		stub->thread = (unsigned)id - 1;
	return true;
}

static enum gdb_action select_thread(struct gdb_stub *stub, const char *text)
{
	bool known = text[0] == 'g' ? parse_thread(stub, text + 1, true)
	                            : text[0] == 'c' ? parse_thread(stub, text + 1, false) : false;

	gdb_reply(stub, known ? "OK" : "E01");
	return ACTION_STAY;
}

static enum gdb_action thread_alive(struct gdb_stub *stub, const char *text)
{
	uint64_t id;

	gdb_reply(stub, gdb_parse_number(&text, &id) && !*text && id >= 1 && id <= stub->machine->cpu_count ? "OK"
	                                                                                                      : "E01");
	return ACTION_STAY;
}

/* The watch/rwatch/awatch field of a stop on a watchpoint, or "". */
static void watch_field(struct cpu *cpu, char *out, size_t size)
{
	static const char *const names[] = {
		[CPU_DEBUG_WATCH_WRITE] = "watch", [CPU_DEBUG_WATCH_READ] = "rwatch", [CPU_DEBUG_WATCH_ACCESS] = "awatch"
	};
	enum cpu_debug_kind kind;
	uint64_t address;

	out[0] = '\0';
	if (cpu->ops->watch_hit && cpu->ops->watch_hit(cpu, &kind, &address) && kind != CPU_DEBUG_BREAK)
		snprintf(out, size, "%s:%" PRIx64 ";", names[kind], address);
}


/* vCont;ACTION[:thread][;ACTION...]: all-stop, so the first action decides: a step steps its
 * thread (that CPU alone runs one instruction), a continue lets every CPU run. */
static enum gdb_action resume_vcont(struct gdb_stub *stub, const char *text)
{
	char thread[24] = "";
	const char *colon = strchr(text, ':'), *next = text[0] ? strchr(text + 1, ';') : NULL;

	if (strcmp(text, "?") == 0) {
		gdb_reply(stub, "vCont;c;C;s;S");
		return ACTION_STAY;
	}
	if (colon && (!next || colon < next))
		snprintf(thread, sizeof(thread), "%.*s", (int)((next ? next : colon + strlen(colon)) - colon - 1), colon + 1);
	if (text[0] == ';' && (text[1] == 's' || text[1] == 'S') && (!thread[0] || parse_thread(stub, thread, true)))
		return ACTION_STEP;
	if (text[0] == ';' && (text[1] == 'c' || text[1] == 'C'))
		return ACTION_CONTINUE;
	gdb_reply(stub, "E01");
	return ACTION_STAY;
}

/* c [ADDR] and s [ADDR]: resuming at another address moves the PC first. */
static enum gdb_action resume_at(struct gdb_stub *stub, const char *text, enum gdb_action action)
{
	uint64_t address;

	if (*text) {
		if (!gdb_parse_number(&text, &address) || *text) {
			gdb_reply(stub, "E01");
			return ACTION_STAY;
		}
		gdb_selected_cpu(stub)->ops->set_register(gdb_selected_cpu(stub), CPU_REG_PC, address);
		gdb_record_write(stub, INPUT_REGISTER, CPU_REG_PC, &address, sizeof(address));
		gdb_history_changed(stub);
	}
	return action;
}

static enum gdb_action kill_run(struct gdb_stub *stub, bool acknowledge)
{
	if (acknowledge)
		gdb_reply(stub, "OK");
	error_set("the run was killed from gdb");
	stub->machine->stop_cause = MACHINE_FATAL;
	drop_client(stub);
	return ACTION_LEAVE;
}

static enum gdb_action detach(struct gdb_stub *stub)
{
	gdb_reply(stub, "OK");
	drop_client(stub);
	return ACTION_LEAVE;
}

static enum gdb_action read_features(struct gdb_stub *stub, const char *text)
{
	size_t size;
	const char *xml = gdb_target_xml(gdb_cpu_has_register(gdb_selected_cpu(stub), CPU_REG_HCR_EL2),
	                                 gdb_cpu_has_register(gdb_selected_cpu(stub), CPU_REG_SCR_EL3), &size);
	uint64_t offset, length;

	if (strncmp(text, "target.xml:", 11) != 0) {
		gdb_reply(stub, "E00");
		return ACTION_STAY;
	}
	text += 11;
	if (!gdb_parse_range(&text, &offset, &length, '\0', GDB_PACKET_SIZE - 2)) {
		gdb_reply(stub, "E01");
		return ACTION_STAY;
	}
	if (offset >= size) {
		gdb_reply(stub, "l");
		return ACTION_STAY;
	}
	if (length > size - offset)
		length = size - offset;
	stub->reply[0] = offset + length < size ? 'm' : 'l';
	memcpy(stub->reply + 1, xml + offset, length);
	gdb_packet_send(&stub->connection, stub->reply, length + 1);
	return ACTION_STAY;
}

static enum gdb_action monitor(struct gdb_stub *stub, const char *hex)
{
	size_t length = strlen(hex) / 2;
	char command[256], output[1024];

	if (strlen(hex) % 2 || length >= sizeof(command) || !gdb_hex_decode(hex, (uint8_t *)command, length)) {
		gdb_reply(stub, "E01");
		return ACTION_STAY;
	}
	command[length] = '\0';
	if (!gdb_reverse_monitor(stub, command, output, sizeof(output)) &&
	    !gdb_snapshot_monitor(stub, command, output, sizeof(output)) &&
	    !gdb_level_monitor(stub, command, output, sizeof(output)))
		gdb_monitor_command(stub->machine, command, output, sizeof(output));
	if (stub->history && strncmp(command, "reset", 5) == 0)
		history_clear(stub->history, stub->machine); /* a reset from gdb is no part of the run */
	gdb_hex_encode(stub->reply, (const uint8_t *)output, strlen(output));
	gdb_reply(stub, stub->reply[0] ? stub->reply : "OK");
	if (stub->machine->stop_cause != MACHINE_RUNNING)
		return ACTION_CONTINUE; /* `monitor reset` failed: the loop ends the run and says so */
	return ACTION_STAY;
}

/* qfThreadInfo: every CPU, on or off, in the loop's order. */
static void list_threads(struct gdb_stub *stub)
{
	size_t used = 0;

	for (unsigned k = 0; k < stub->machine->cpu_count; k++)
		used += (size_t)snprintf(stub->reply + used, sizeof(stub->reply) - used, "%c%x", k ? ',' : 'm', k + 1);
	gdb_reply(stub, stub->reply);
}

/* On or off now: a backend with its own PSCI (KVM's) knows it before the loop follows it. */
static bool cpu_on(const struct machine *machine, unsigned index)
{
	struct cpu *cpu = machine->cpus[index].cpu;

	return cpu->ops->powered ? cpu->ops->powered(cpu) : machine->cpus[index].powered;
}

/* qThreadExtraInfo: what `info threads` shows beside the thread: the CPU, its MPIDR, on or off. */
static void describe_thread(struct gdb_stub *stub, const char *text)
{
	const struct machine *machine = stub->machine;
	uint64_t id;
	char description[64];

	if (!gdb_parse_number(&text, &id) || *text || id == 0 || id > machine->cpu_count) {
		gdb_reply(stub, "E01");
		return;
	}
	snprintf(description, sizeof(description), "cpu %u, MPIDR affinity 0x%" PRIx64 ", %s", (unsigned)id - 1,
	         machine->cpus[id - 1].affinity, cpu_on(machine, (unsigned)id - 1) ? "on" : "off");
	gdb_hex_encode(stub->reply, (const uint8_t *)description, strlen(description));
	gdb_reply(stub, stub->reply);
}

static enum gdb_action query(struct gdb_stub *stub, const char *text)
{
	if (strncmp(text, "Supported", 9) == 0) {
		snprintf(stub->reply, sizeof(stub->reply),
		         "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;vContSupported+%s", GDB_PACKET_SIZE,
		         stub->history ? ";ReverseStep+;ReverseContinue+" : "");
		gdb_reply(stub, stub->reply);
	} else if (strncmp(text, "Xfer:features:read:", 19) == 0) {
		return read_features(stub, text + 19);
	} else if (strncmp(text, "Rcmd,", 5) == 0) {
		return monitor(stub, text + 5);
	} else if (strncmp(text, "Attached", 8) == 0) {
		gdb_reply(stub, "1"); /* the target existed before gdb: detach, not kill, on quit */
	} else if (strcmp(text, "C") == 0) {
		snprintf(stub->reply, sizeof(stub->reply), "QC%x", stub->thread + 1);
		gdb_reply(stub, stub->reply);
	} else if (strcmp(text, "fThreadInfo") == 0) {
		list_threads(stub);
	} else if (strncmp(text, "ThreadExtraInfo,", 16) == 0) {
		describe_thread(stub, text + 16);
	} else if (strcmp(text, "sThreadInfo") == 0) {
		gdb_reply(stub, "l");
	} else {
		gdb_reply(stub, "");
	}
	return ACTION_STAY;
}

static enum gdb_action verbose(struct gdb_stub *stub, const char *text)
{
	if (strncmp(text, "Cont", 4) == 0)
		return resume_vcont(stub, text + 4);
	if (strncmp(text, "Kill", 4) == 0)
		return kill_run(stub, true);
	gdb_reply(stub, "");
	return ACTION_STAY;
}

/* bs and bc: a step or a continue backwards (gdb_reverse.c). */
static enum gdb_action reverse(struct gdb_stub *stub, const char *text)
{
	if (strcmp(text, "s") == 0)
		return gdb_reverse_step(stub);
	if (strcmp(text, "c") == 0)
		return gdb_reverse_continue(stub);
	gdb_reply(stub, "");
	return ACTION_STAY;
}

static enum gdb_action handle_packet(struct gdb_stub *stub, size_t length)
{
	const char *text = stub->packet;

	switch (text[0]) {
	case '?': gdb_reply(stub, stub->last_stop); return ACTION_STAY;
	case 'q': return query(stub, text + 1);
	case 'v': return verbose(stub, text + 1);
	case 'g': return gdb_read_registers(stub);
	case 'G': return gdb_write_registers(stub, text + 1, length - 1);
	case 'p': return gdb_read_register(stub, text + 1);
	case 'P': return gdb_write_register(stub, text + 1);
	case 'm': return gdb_read_memory(stub, text + 1);
	case 'M': return gdb_write_memory(stub, text + 1, length - 1, false);
	case 'X': return gdb_write_memory(stub, text + 1, length - 1, true);
	case 'Z': return gdb_breakpoint(stub, text + 1, true);
	case 'z': return gdb_breakpoint(stub, text + 1, false);
	case 'c': return resume_at(stub, text + 1, ACTION_CONTINUE);
	case 's': return resume_at(stub, text + 1, ACTION_STEP);
	case 'b': return reverse(stub, text + 1);
	case 'D': return detach(stub);
	case 'k': return kill_run(stub, false);
	case 'H': return select_thread(stub, text + 1);
	case 'T': return thread_alive(stub, text + 1);
	}
	if (strcmp(text, "QStartNoAckMode") == 0) {
		gdb_reply(stub, "OK");
		stub->connection.no_ack = true;
		return ACTION_STAY;
	}
	gdb_reply(stub, "");
	return ACTION_STAY;
}

/* ---- Halting ---- */

/* Halted: answers packets (first the `pending` one read already, if not 0 bytes) until gdb
 * resumes the target or goes away. */
static void serve(struct gdb_stub *stub, size_t pending)
{
	for (;;) {
		size_t length = pending;
		enum gdb_read_result got =
			pending ? GDB_READ_PACKET : gdb_packet_read(&stub->connection, stub->packet, &length, -1);
		enum gdb_action action;

		pending = 0;
		if (got == GDB_READ_CLOSED) {
			drop_client(stub);
			return;
		}
		if (got != GDB_READ_PACKET)
			continue; /* Ctrl-C while halted, or a rejected packet */
		action = handle_packet(stub, length);
		if (action == ACTION_STAY)
			continue;
		stub->stepping = action == ACTION_STEP;
		stub->machine->budget_limit = stub->stepping ? 1 : 0;
		stub->machine->debug_cpu = stub->thread;
		stub->step_from = stub->machine->cpus[stub->thread].instructions;
		return;
	}
}

/* Stops the target with a stop reply (sent unless gdb is only now attaching) and serves. */
static void halt(struct gdb_stub *stub, int signal, bool announce)
{
	char watch[48];

	gdb_history_record(stub);
	watch_field(stub->machine->cpu, watch, sizeof(watch));
	gdb_format_stop(stub, signal, signal == SIGNAL_TRAP ? watch : "");
	stub->machine->budget_limit = 0;
	if (announce)
		gdb_reply(stub, stub->last_stop);
	serve(stub, 0);
}

/* While the target runs gdb sends only Ctrl-C; a packet means a gdb that takes the target for
 * halted (a new one on a serial line that never hung up): halt, and answer it there. */
static void poll_running(struct gdb_stub *stub)
{
	size_t length = 0;

	switch (gdb_packet_read(&stub->connection, stub->packet, &length, 0)) {
	case GDB_READ_INTERRUPT:
		halt(stub, SIGNAL_INT, true);
		break;
	case GDB_READ_CLOSED:
		drop_client(stub);
		break;
	case GDB_READ_PACKET:
		gdb_format_stop(stub, SIGNAL_INT, "");
		stub->machine->budget_limit = 0;
		serve(stub, length);
		break;
	case GDB_READ_NOTHING:
		break;
	}
}

/* With several CPUs a step runs the others' turns as a free run would until the stepped CPU's
 * comes; it is over once that CPU has run, or if it cannot (waiting or off). */
static bool step_over(const struct gdb_stub *stub)
{
	const struct machine_cpu *cpu = &stub->machine->cpus[stub->machine->debug_cpu];

	return cpu->instructions != stub->step_from || cpu->waiting || !cpu->powered;
}

static void after_run(struct gdb_stub *stub, const struct cpu_run_result *result)
{
	if (stub->machine->stop_cause != MACHINE_RUNNING)
		return; /* the end is reported by MACHINE_DEBUG_END */
	if (!attached(stub)) {
		if (accept_client(stub, 0))
			halt(stub, SIGNAL_INT, false);
		return;
	}
	if (result->reason == CPU_STOP_BREAKPOINT || (stub->stepping && step_over(stub))) {
		halt(stub, SIGNAL_TRAP, true);
		return;
	}
	gdb_history_record(stub);
	poll_running(stub);
}

/* Backend CPUs built since the points went in (a reset builds all of them, PSCI CPU_ON one)
 * get gdb's breakpoints and watchpoints, where gdb put them. */
static void arm_new_cpus(struct gdb_stub *stub)
{
	const struct machine *machine = stub->machine;

	for (unsigned c = 0; c < machine->cpu_count; c++) {
		struct cpu *cpu = machine->cpus[c].cpu;
		if (stub->armed[c] == machine->cpus[c].build)
			continue; /* (a new CPU may sit where a destroyed one was: its build tells them apart) */
		stub->armed[c] = machine->cpus[c].build;
		for (unsigned k = 0; k < stub->point_count; k++)
			if (cpu->ops->insert_debug(cpu, stub->points[k].kind, stub->points[k].address,
			                           stub->points[k].length) < 0)
				fprintf(stderr, "qvp: gdb: a new CPU lost the breakpoint or watchpoint at 0x%" PRIx64 ": %s\n",
				        stub->points[k].address, error_message());
	}
}

/* A reset built new CPUs: the points go into them, and `?` answers with CPU 0's registers. */
static void follow_reset(struct gdb_stub *stub)
{
	gdb_format_stop(stub, SIGNAL_TRAP, "");
	arm_new_cpus(stub);
}

/* The guest exited (W with its code) or the run ended otherwise (X: killed). */
static void report_end(struct gdb_stub *stub)
{
	char text[8];

	if (!attached(stub))
		return;
	if (stub->machine->stop_cause == MACHINE_GUEST_EXIT)
		snprintf(text, sizeof(text), "W%02x", stub->machine->exit_code & 0xff);
	else
		snprintf(text, sizeof(text), "X%02x", SIGNAL_KILL);
	gdb_reply(stub, text);
	drop_client(stub);
}

static void on_machine_event(struct machine *machine, enum machine_debug_event event,
                             const struct cpu_run_result *result)
{
	struct gdb_stub *stub = machine->debugger_opaque;

	switch (event) {
	case MACHINE_DEBUG_START:
		if (stub->wait_for_client && (attached(stub) || accept_client(stub, -1)))
			halt(stub, SIGNAL_TRAP, false);
		break;
	case MACHINE_DEBUG_QUANTUM:
		after_run(stub, result);
		break;
	case MACHINE_DEBUG_RESET:
		follow_reset(stub);
		break;
	case MACHINE_DEBUG_CPU_STARTED:
		arm_new_cpus(stub);
		break;
	case MACHINE_DEBUG_INPUT:
		gdb_history_changed(stub);
		break;
	case MACHINE_DEBUG_END:
		report_end(stub);
		break;
	}
}

/* ---- Life cycle ---- */

/* A serial line (a character device: a UART, a virtio console port, a pty), raw if a terminal. */
static int open_serial_line(const char *path)
{
	struct termios mode;
	struct stat line;
	int fd;

	if (stat(path, &line) < 0)
		return error_set("--gdb %s: %s", path, strerror(errno));
	if (!S_ISCHR(line.st_mode)) /* a regular file would take gdb's replies as its requests */
		return error_set("--gdb %s: not a character device (a serial line such as /dev/ttyS1 or a pty)", path);
	fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return error_set("--gdb %s: %s", path, strerror(errno));
	if (isatty(fd) && tcgetattr(fd, &mode) == 0) {
		cfmakeraw(&mode);
		tcsetattr(fd, TCSANOW, &mode);
	}
	return fd;
}

static struct gdb_stub *create_on_serial_line(struct gdb_stub *stub, const char *path)
{
	int fd = open_serial_line(path);

	if (fd < 0) {
		free(stub);
		return NULL;
	}
	stub->listen_fd = -1;
	gdb_connection_init(&stub->connection, fd);
	fprintf(stderr, "qvp: gdb: serving on %s%s\n", path, stub->wait_for_client ? ", halted until gdb resumes" : "");
	return stub;
}

struct gdb_stub *gdb_stub_create(const char *address, bool wait_for_client)
{
	struct gdb_stub *stub = calloc(1, sizeof(*stub));
	char bound[64];

	if (!stub) {
		error_set("gdb: out of memory");
		return NULL;
	}
	stub->wait_for_client = wait_for_client;
	if (address[0] == '/')
		return create_on_serial_line(stub, address);
	stub->listen_fd = net_listen("--gdb", address);
	if (stub->listen_fd < 0) {
		free(stub);
		return NULL;
	}
	stub->wait_for_client = wait_for_client;
	gdb_connection_init(&stub->connection, -1);
	net_bound_address(stub->listen_fd, bound, sizeof(bound));
	fprintf(stderr, "qvp: gdb: listening on %s%s\n", bound, wait_for_client ? ", halted until gdb attaches" : "");
	return stub;
}

void gdb_stub_attach(struct gdb_stub *stub, struct machine *machine)
{
	if (!machine->cpu->ops->insert_debug)
		fprintf(stderr, "qvp: gdb: the %s backend has no breakpoints or watchpoints; use --backend iss\n",
		        machine->cpu->ops->name);
	stub->machine = machine;
	if (history_supported(machine))
		stub->history = history_create(0, 0); /* NULL (no reverse execution) if out of memory */
	for (unsigned c = 0; c < machine->cpu_count; c++)
		stub->armed[c] = machine->cpus[c].build;
	machine->debugger = on_machine_event;
	machine->debugger_opaque = stub;
}

void gdb_stub_destroy(struct gdb_stub *stub)
{
	if (!stub)
		return;
	gdb_connection_close(&stub->connection);
	history_destroy(stub->history);
	if (stub->listen_fd >= 0)
		close(stub->listen_fd);
	free(stub);
}

