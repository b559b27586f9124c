/* gdb's `monitor` commands (qRcmd): the simulation's own state, which gdb cannot see. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "gdb_stub.h"
#include "input_log.h"
#include "loop.h"

static const char help_text[] =
	"monitor time            virtual time and instructions retired (also: monitor when)\n"
	"monitor stats           the run's counters (as qvp run --stats)\n"
	"monitor quantum TIME    longest CPU run between model updates (e.g. 10us)\n"
	"monitor reset           rebuild the board and halt at its entry\n"
	"monitor el              the exception level and security state of gdb's thread's CPU\n"
	"monitor goto ICOUNT     the machine as it was (or will be) after ICOUNT instructions\n"
	"monitor history [off]   the checkpoints that reverse execution replays from; off: none\n"
	"monitor snapshot save FILE  the whole machine to FILE (qvp run --restore FILE goes on)\n"
	"monitor snapshot load FILE  back to a snapshot this run's board and images saved\n"
	"monitor help            this list\n";

static void show_time(struct machine *machine, char *out, size_t size)
{
	char now[48];

	vtime_format(machine_now(machine), now, sizeof(now));
	snprintf(out, size, "virtual time %s, %" PRIu64 " instructions\n", now, machine->stats.instructions);
}

static void show_stats(struct machine *machine, char *out, size_t size)
{
	char now[48], idle[48], quantum[48];

	vtime_format(machine_now(machine), now, sizeof(now));
	vtime_format(machine->stats.idle_skipped, idle, sizeof(idle));
	vtime_format(machine->quantum, quantum, sizeof(quantum));
	snprintf(out, size,
	         "instructions: %" PRIu64 "\nvirtual time: %s\nquanta: %" PRIu64 "\nevents fired: %" PRIu64
	         "\nidle time skipped: %s\ninterrupts taken: %" PRIu64 "\nquantum: %s\nbackend: %s\n",
	         machine->stats.instructions, now, machine->stats.quanta, machine->stats.events_fired, idle,
	         machine->stats.interrupts_taken, quantum, machine->cpu->ops->name);
}

static void set_quantum(struct machine *machine, const char *value, char *out, size_t size)
{
	vtime_t quantum;
	char text[48];

	if (vtime_parse(value, &quantum) < 0 || quantum == 0) {
		snprintf(out, size, "quantum: '%s' is not a time like 10us\n", value);
		return;
	}
	machine->quantum = quantum;
	vtime_format(quantum, text, sizeof(text));
	snprintf(out, size, "quantum: %s\n", text);
}

/* A JTAG probe's "reset halt": the board built anew, the CPU halted at the entry point with
 * gdb's breakpoints set again; virtual time and the counters go on, as for PSCI SYSTEM_RESET. */
static void reset_board(struct machine *machine, char *out, size_t size)
{
	struct input_record record = { .kind = INPUT_RESET };
	uint64_t pc = 0;

	if (machine->input_log && input_log_add(machine->input_log, machine, &record) < 0) {
		snprintf(out, size, "reset: %s\n", error_message());
		return;
	}
	machine_restart_board(machine);
	if (machine->stop_cause != MACHINE_RUNNING) {
		snprintf(out, size, "reset failed, the run ends: %s\n", error_message());
		return;
	}
	machine->cpu->ops->get_register(machine->cpu, CPU_REG_PC, &pc);
	snprintf(out, size, "board reset: halted at 0x%" PRIx64 "; 'maintenance flush register-cache' shows gdb the new registers\n",
	         pc);
}

void gdb_monitor_command(struct machine *machine, const char *command, char *out, size_t size)
{
	while (*command == ' ')
		command++;
	if (strcmp(command, "time") == 0 || strcmp(command, "when") == 0)
		show_time(machine, out, size);
	else if (strcmp(command, "stats") == 0)
		show_stats(machine, out, size);
	else if (strncmp(command, "quantum ", 8) == 0)
		set_quantum(machine, command + 8, out, size);
	else if (strcmp(command, "reset") == 0 || strcmp(command, "reset halt") == 0)
		reset_board(machine, out, size);
	else if (strcmp(command, "help") == 0 || *command == '\0')
		snprintf(out, size, "%s", help_text);
	else
		snprintf(out, size, "unknown monitor command '%s'; try 'monitor help'\n", command);
}
