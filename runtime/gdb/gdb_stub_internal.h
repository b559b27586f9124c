/* Inside the gdb stub: its state, shared by the connection logic (gdb_stub.c) and the
 * packets that read and change the target (gdb_commands.c). */
#ifndef QVP_GDB_STUB_INTERNAL_H
#define QVP_GDB_STUB_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "gdb_packet.h"
#include "gdb_stub.h"
#include "history.h"
#include "input_log.h"
#include "machine.h"

#define MAX_DEBUG_POINTS 64

/* What the target does after a packet. */
enum gdb_action {
	ACTION_STAY,     /* still halted: read the next packet */
	ACTION_CONTINUE,
	ACTION_STEP,
	ACTION_LEAVE,    /* detached, killed or disconnected: the client is gone */
};

struct debug_point {
	enum cpu_debug_kind kind;
	uint64_t address, length;
};

struct gdb_stub {
	int listen_fd;
	bool wait_for_client;
	bool stepping;
	uint64_t step_from; /* the stepped CPU's instruction count when the step began */
	struct gdb_connection connection; /* no client: fd -1, or an idle serial line */
	struct machine *machine;
	struct debug_point points[MAX_DEBUG_POINTS]; /* inserted by the client, removed when it goes */
	unsigned point_count;
	uint64_t armed[MACHINE_MAX_CPUS]; /* which backend CPU of each board CPU has the points (its build) */
	struct history *history; /* recorded while gdb is attached (gdb_reverse.c); NULL if it cannot be */
	unsigned thread;   /* the CPU (index; gdb's thread thread + 1) that g, G, p, P, m, M, c and s mean */
	char last_stop[160];
	char packet[GDB_PACKET_SIZE];
	char reply[GDB_PACKET_SIZE + 64];
	uint8_t memory[GDB_PACKET_SIZE / 2];
};

void gdb_reply(struct gdb_stub *stub, const char *text);

/* The stop reply for the CPU that ran last, with `reason` ("watch:ADDR;", "replaylog:begin;" or
 * "") after the signal, in stub->last_stop; that CPU becomes gdb's thread. */
#define SIGNAL_TRAP 5 /* gdb's number for SIGTRAP: a breakpoint, step or watchpoint stop */
#define SIGNAL_INT 2  /* gdb's number for SIGINT: Ctrl-C */
void gdb_format_stop(struct gdb_stub *stub, int signal, const char *reason);

/* The CPU of gdb's selected thread. */
struct cpu *gdb_selected_cpu(const struct gdb_stub *stub);

/* Packets on the halted target: g, G, p, P, m, M, X, Z and z (text after the letter). */
enum gdb_action gdb_read_registers(struct gdb_stub *stub);
enum gdb_action gdb_write_registers(struct gdb_stub *stub, const char *text, size_t length);
enum gdb_action gdb_read_register(struct gdb_stub *stub, const char *text);
enum gdb_action gdb_write_register(struct gdb_stub *stub, const char *text);
enum gdb_action gdb_read_memory(struct gdb_stub *stub, const char *text);
enum gdb_action gdb_write_memory(struct gdb_stub *stub, const char *text, size_t packet_length, bool binary);
enum gdb_action gdb_breakpoint(struct gdb_stub *stub, const char *text, bool insert);

/* Reverse execution (gdb_reverse.c): bs, bc; `monitor goto|history` (true if it was one). */
enum gdb_action gdb_reverse_step(struct gdb_stub *stub);
enum gdb_action gdb_reverse_continue(struct gdb_stub *stub);
bool gdb_reverse_monitor(struct gdb_stub *stub, const char *command, char *out, size_t size);
/* At a stop or a quantum boundary while gdb is attached: a checkpoint when due. */
void gdb_history_record(struct gdb_stub *stub);
/* gdb changed memory, registers or the PC: the recorded future is gone. */
void gdb_history_changed(struct gdb_stub *stub);
/* A write of gdb's to the target, kept in the machine's input log (--record) so a replay makes it
 * at the same place; `bytes` as input_log.h's record kinds hold them. */
void gdb_record_write(struct gdb_stub *stub, enum input_kind kind, uint64_t value, const void *bytes, size_t length);

/* `monitor snapshot save|load FILE` (gdb_snapshot.c); true if it was one. */
bool gdb_snapshot_monitor(struct gdb_stub *stub, const char *command, char *out, size_t size);

/* `monitor el` (gdb_level.c): the selected CPU's exception level and security state; false if
 * `command` is another one. */
bool gdb_level_monitor(struct gdb_stub *stub, const char *command, char *out, size_t size);

/* Whether the CPU serves register `reg` (EL2's and EL3's only where it has those levels). */
bool gdb_cpu_has_register(struct cpu *cpu, enum cpu_register reg);

#endif
