/* A machine: the bus, the event queue, one CPU and the models built from a device tree. */
#ifndef QVP_MACHINE_H
#define QVP_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bus.h"
#include "cpu.h"
#include "events.h"
#include "loader.h"
#include "vtime.h"

#ifdef __cplusplus
extern "C" {
#endif

struct iss_coverage;
struct iss_insn_tracer;
struct model_config;
struct model_instance;

enum backend_kind {
	BACKEND_AUTO,
	BACKEND_ISS,
	BACKEND_KVM,
};

#define MACHINE_MAX_DISKS 4
#define MACHINE_MAX_CPUS 8 /* what a GICv2 can serve */
#define MACHINE_WINDOW (10 * VTIME_US) /* the default window of a round with several CPUs */

/* A disk image behind a virtio-mmio transport (--disk FILE[,rw]): the n-th disk goes to the
 * n-th "virtio,mmio" node of the device tree. */
struct machine_disk {
	const char *path;
	bool writable; /* the guest's writes go to the file; else the disk is read-only */
};

#define MACHINE_MAX_FLASH 2 /* --flash files: bank 0, then bank 1 of the "cfi-flash" node */

/* A flash bank's file (--flash FILE[,rw]): read at reset; with ,rw every program and erase
 * is written through to it. */
struct machine_flash {
	const char *path;
	bool writable;
};

struct machine_config {
	const char *platform_path;  /* .dts or .dtb */
	const char *firmware_path;  /* ELF, or raw binary when raw_firmware is set */
	bool raw_firmware;
	uint64_t raw_address;       /* load address and entry point of a raw binary */
	const char *kernel_path;    /* --kernel: a Linux Image booted instead of firmware (linux_boot.h) */
	const char *initrd_path;    /* --initrd, or NULL */
	bool ram_from_snapshot;     /* the board built for a snapshot's RAM: Linux images placed, not copied */
	const char *bootargs;       /* --append, or NULL */
	enum backend_kind backend;
	vtime_t quantum;            /* longest stretch the CPU runs without the models */
	vtime_t timeout;            /* virtual-time limit, VTIME_NEVER for none */
	FILE *console;              /* where the UART transmits; stdout if NULL */
	uint64_t rtc_epoch;         /* the RTC's count at reset, seconds since 1970; 0: QVP_RTC_EPOCH */
	bool precise;               /* kvm: stop runs on their exact instruction (the iss always does) */
	bool start_el2;             /* --el2: every CPU starts at EL2 (the tree gets qvp,start-el2) */
	bool start_el3;             /* --el3: every CPU starts at EL3 (the tree gets qvp,start-el3) */
	bool semihosting;           /* --semihosting: HLT #0xF000 is an Arm semihosting call (semihosting.h) */
	const char *semihosting_root;    /* --semihosting-root: the directory its files are in; NULL: no files */
	const char *semihosting_cmdline; /* what SYS_GET_CMDLINE returns; NULL: the firmware's path */
	uint64_t memory_size;       /* --memory: the first memory node's size in bytes; 0: the board's */
	unsigned cpu_count;         /* --cpus: CPU nodes written into a one-CPU tree; 0: the tree's own */
	vtime_t window;             /* several CPUs: how far each runs before the next; 0: MACHINE_WINDOW */
	struct machine_disk disks[MACHINE_MAX_DISKS];
	unsigned disk_count;
	const char *bios_path;      /* --bios: loaded into flash bank 0; the CPU starts at address 0 */
	struct machine_flash flash[MACHINE_MAX_FLASH];
	unsigned flash_count;
	struct iss_coverage *coverage; /* --coverage: what the iss CPUs run is marked there (iss.h); or NULL */
	const struct iss_insn_tracer *insn_tracer; /* --trace-insns: given to every iss CPU (iss.h); or NULL */
	/* Builds the device-tree nodes compatible with "qvp,systemc-target" (runtime/systemc/),
	 * which need no reg (config->base and size are 0; platform_node_reg() reads one);
	 * NULL outside a SystemC platform, where such a node is an error saying so. */
	int (*systemc_target)(void *opaque, const struct model_config *config, struct model_instance *instance);
	void *systemc_opaque;
};

/* The RTC's fixed default start, 2024-01-01 00:00:00 UTC, so runs repeat. */
#define QVP_RTC_EPOCH 1704067200ull

enum machine_stop_cause {
	MACHINE_RUNNING,
	MACHINE_GUEST_EXIT, /* the guest wrote an exit code to the simulation-control device */
	MACHINE_TIMEOUT,    /* virtual time reached the configured timeout */
	MACHINE_FATAL,      /* the CPU backend stopped with an error */
	MACHINE_PAUSED,     /* the boundary hook ended the run at a quantum boundary (--snapshot-at --stop) */
};

struct machine_stats {
	uint64_t instructions;
	uint64_t quanta;
	uint64_t events_fired;
	vtime_t idle_skipped; /* virtual time jumped over while the guest waited in WFI */
	uint64_t interrupts_taken; /* acknowledged at an interrupt controller (e.g. GICC_IAR) */
	uint64_t resets;           /* board restarts the guest asked for (PSCI SYSTEM_RESET) */
	vtime_t stalled;           /* virtual time the CPU waited on slow device accesses */
	/* when the guest went idle with nothing but the timeout to wake it; VTIME_NEVER if not */
	vtime_t idle_forever_since;
};

/* When the quantum loop tells an attached debugger about the run (machine.debugger). */
enum machine_debug_event {
	MACHINE_DEBUG_START,   /* before the first CPU run */
	MACHINE_DEBUG_QUANTUM, /* after a CPU run */
	MACHINE_DEBUG_RESET,   /* the board was rebuilt (PSCI SYSTEM_RESET, a checkpoint restored): new CPUs */
	MACHINE_DEBUG_CPU_STARTED, /* PSCI CPU_ON made a fresh backend CPU for one of the board's */
	MACHINE_DEBUG_INPUT,   /* typed input entered now: the run's future is a new one from here */
	MACHINE_DEBUG_END,     /* the run ended (machine.stop_cause says why) */
};

/* The UART on the console (the first PL011): where console input goes (runtime/console/). */
struct console_uart {
	bool (*can_receive)(void *uart); /* room in its receive FIFO, and the receiver enabled */
	bool (*interrupt_unmasked)(void *uart); /* its receive interrupt (Linux's driver: the port is open) */
	void (*receive)(void *uart, uint8_t byte);
	void *uart;                      /* NULL: the board has no such UART */
};

/* One CPU of the board. The loop runs them in this order, which is MPIDR order. */
struct machine_cpu {
	struct cpu *cpu;
	uint64_t affinity;     /* MPIDR_EL1's affinity fields: the cpu node's reg */
	bool powered;          /* CPU 0 from reset; the others from PSCI CPU_ON to CPU_OFF */
	bool waiting;          /* its last run ended in WFI or WFE: it runs again when woken */
	vtime_t local;         /* how far its own time has come */
	uint64_t instructions; /* retired since reset */
	uint64_t build;        /* which backend CPU this is: machine.cpu_builds when it was made */
};

struct console;
struct cpu_run_result;
struct snap_reader;
struct snap_writer;
struct irq_controller_entry;
struct iss_sysreg_hook;
struct semihosting;
struct trace;

#define MACHINE_MAX_SYSREG_HOOKS 4

/* With several CPUs, a round that a debugger's stop (a breakpoint, a watchpoint, a step) ended
 * part-way: the next turn of the loop goes on with it where it stopped, so the CPUs' turns fall
 * as they do without the debugger. */
struct machine_round {
	bool open;           /* stopped part-way: the next quantum goes on with this round */
	vtime_t start, end;  /* where the round began and where its turns end */
	unsigned next;       /* the CPU to go on with */
	bool turn_open;      /* that CPU's turn was cut short: it goes on with the rest */
	vtime_t turn_now;    /* machine->now at the start of the turn (what later CPUs catch up to) */
	uint64_t turn_left;  /* the instructions left of the turn's budget */
};

struct machine {
	struct machine_config config; /* what the board is rebuilt from on a reset */
	struct bus *bus;
	struct event_queue *events;
	struct cpu *cpu;          /* the CPU that runs now, or ran last: cpus[current_cpu].cpu */
	struct machine_cpu cpus[MACHINE_MAX_CPUS];
	unsigned cpu_count;
	uint64_t cpu_builds;      /* backend CPUs made so far: a new one (a reset, CPU_ON) is told by its number */
	struct image image;

	/* Virtual time: where events have fired up to, and during a CPU's run that CPU's own
	 * time at the start of the run (machine_now() adds what it has executed since). */
	vtime_t now;
	vtime_t time_seen;        /* the latest time any CPU's counter read showed (machine_counter_time) */
	vtime_t window;           /* the length of a round with several CPUs */
	bool cpu_running;         /* inside cpu->ops->run() */
	vtime_t run_deadline;     /* where the current CPU run is meant to end */
	vtime_t stall;            /* the current run's wait on slow device accesses (machine_stall_cpu) */
	bool cpu_kicked;          /* the current run was kicked (machine_kick_cpu): its turn ends there */
	struct machine_round round;
	vtime_t time_per_instruction;
	vtime_t quantum;
	vtime_t timeout;
	/* IRQ and FIQ of each CPU as last driven, [CPU index][enum cpu_line]. */
	bool line_level[MACHINE_MAX_CPUS][CPU_LINE_COUNT];
	unsigned current_cpu;     /* the CPU that runs: whose access a model serves (banked registers) */

	enum machine_stop_cause stop_cause;
	int exit_code;
	bool reset_requested;     /* machine_request_reset(): the loop rebuilds the board */
	struct machine_stats stats;
	struct bus_ram_spares ram_spares; /* a board rebuilt to be restored reuses the old one's RAM */

	FILE *console;
	/* A debugger went back (runtime/gdb/): what the guest prints before this instruction count
	 * was shown already, and the UART does not show it again (machine_console_muted()). */
	uint64_t replay_frontier;
	struct console_uart console_uart;
	/* Scripted or interactive input (runtime/console/), or NULL. The console UART tells it
	 * each byte it transmits (a script waits for output), the loop that the board was rebuilt
	 * (what it waited for was on the old event queue); hooks, so the machine needs no console. */
	struct console *console_input;
	void (*console_output)(struct console *console, uint8_t byte);
	void (*console_board_reset)(struct console *console);
	/* Its state in a snapshot (snapshot.h): script position, queued input, events. */
	void (*console_save)(const struct console *console, struct snap_writer *w);
	void (*console_load)(struct console *console, struct snap_reader *r);
	uint64_t ram_base;        /* the first RAM region the device tree describes */
	uint64_t ram_size;
	void *fdt;                /* the board's flattened device tree */
	void *board_source;       /* the platform's tree as first read (or compiled by dtc): what rebuilds start from */
	size_t board_source_size;
	uint64_t fdt_address;     /* where the guest finds it in RAM (x0 at entry) */
	struct model_instance *models;
	unsigned model_count;
	struct irq_controller_entry *irq_controllers; /* see irq.h */
	unsigned irq_controller_count;
	const struct iss_sysreg_hook *sysreg_hooks[MACHINE_MAX_SYSREG_HOOKS]; /* given to the iss CPU */
	unsigned sysreg_hook_count;
	uint64_t rtc_epoch;
	struct trace *trace;      /* --trace, or NULL */
	struct semihosting *semihosting; /* --semihosting: open files and errno, kept across resets; or NULL */
	int (*systemc_target)(void *opaque, const struct model_config *config, struct model_instance *instance);
	void *systemc_opaque;     /* both from machine_config */

	/* A debugger (runtime/gdb/), or NULL: it may keep the CPU halted inside the call,
	 * where virtual time stands still; `result` is NULL except after a CPU run. */
	void (*debugger)(struct machine *machine, enum machine_debug_event event, const struct cpu_run_result *result);
	void *debugger_opaque;
	uint64_t budget_limit; /* at most this many instructions per CPU run (a step: 1); 0: none */
	unsigned debug_cpu;    /* with budget_limit: the one CPU that runs (the one gdb steps) */

	/* Host input (the interactive console), or NULL: called at every quantum boundary to
	 * inject what has arrived, with `wait` when the guest idles with nothing due, to block
	 * until something does. False when no input can come any more. */
	bool (*host_input)(struct machine *machine, bool wait);

	/* Inputs from outside with where they entered (input_log.h: --record, --replay), or NULL:
	 * the loop replays those ahead of the run at their instruction counts and times. */
	struct input_log *input_log;

	/* Paces idle time against the host's clock (runtime/console/, --pace realtime), or NULL:
	 * called before the loop skips idle time up to `wake`, it sleeps the host until its clock
	 * has caught up and returns `wake`, or returns an earlier virtual time as soon as host
	 * input arrives (which then enters there). It never changes when anything else happens. */
	vtime_t (*pace_idle)(struct machine *machine, vtime_t wake);

	/* Called at every quantum boundary of machine_run(), where no CPU is mid-run and the state
	 * is whole (a snapshot, --snapshot-at); false ends the run there as MACHINE_PAUSED. May be NULL. */
	bool (*boundary)(struct machine *machine);
	void *boundary_opaque;

	/* Called after every quantum, e.g. to refresh a status line; may be NULL. */
	void (*progress)(struct machine *machine);
	void *progress_opaque;

	/* Called when machine_restart_board() has built the board anew, for what holds on to
	 * the old one beyond the trace, console and debugger (the SystemC CPU's bridge); or NULL. */
	void (*rebuilt)(void *opaque);
	void *rebuilt_opaque;
};

/* Builds the board from the platform DTS/DTB, loads the firmware, creates the CPU backend. */
struct machine *machine_create(const struct machine_config *config);
void machine_destroy(struct machine *machine);

/* Virtual time as a model sees it, exact to the instruction even in the middle of a run. */
vtime_t machine_now(const struct machine *machine);

/* The time a CPU's counter read shows: machine_now(), but with several CPUs never earlier than
 * any CPU has seen already (CPUs of one round run at their own times, and a counter must not
 * go back). With one CPU exactly machine_now(), as before there were several. */
vtime_t machine_counter_time(struct machine *machine);

/* PSCI CPU_ON: CPU `index` starts afresh at `entry` (EL1, MMU off) with x0 = `context`, at the
 * calling CPU's present time. */
int machine_start_cpu(struct machine *machine, unsigned index, uint64_t entry, uint64_t context);

/* Every iss CPU, now and on the boards a reset builds, gets `tracer` (iss.h: --trace-insns),
 * which must outlive the machine; NULL removes it. The CPUs must be the interpreter's. */
void machine_set_insn_tracer(struct machine *machine, const struct iss_insn_tracer *tracer);

/* Whether console output now repeats what was shown (history replayed up to replay_frontier). */
bool machine_console_muted(const struct machine *machine);

/* Ends the simulation with the guest's exit code, at the current instruction boundary. */
void machine_request_exit(struct machine *machine, int exit_code);
/* A debugger takes the machine back from the guest's exit: the run goes on (the exit comes again
 * when the guest gets there). */
void machine_cancel_exit(struct machine *machine);

/* Restarts the board at the current instruction boundary (PSCI SYSTEM_RESET): the quantum
 * loop then calls machine_reset(), which rebuilds bus, models, images and CPU from the
 * configuration; virtual time and the counters go on. A debugger sets its breakpoints again. */
void machine_request_reset(struct machine *machine);
int machine_reset(struct machine *machine);

/* The CPU waits `time` for the device access it is making (a SystemC target's annotated
 * latency): virtual time moves on by it after this instruction, where the run then ends so
 * that events keep their exact times. */
void machine_stall_cpu(struct machine *machine, vtime_t time);

/* Ends the running CPU's run (and with it its turn) at the next instruction boundary. */
void machine_kick_cpu(struct machine *machine);

/* Ends the simulation as MACHINE_FATAL, with the message error_set() last recorded. */
void machine_request_fatal_stop(struct machine *machine);

/* Drives CPU `cpu_index`'s IRQ or FIQ input (remembered until the CPU exists); a rising line
 * during a run stops the run at the next instruction boundary so the CPU can take it. */
void machine_set_cpu_line(struct machine *machine, unsigned cpu_index, enum cpu_line line, bool level);

/* Schedules a model's event; one due before the end of the current CPU run cuts the run short
 * (at the next instruction boundary), so events fire at their exact time. */
int machine_schedule_event(struct machine *machine, struct event *event, vtime_t time);

/* System registers a model serves (the generic timer); given to the iss CPU when it is created.
 * The hook must outlive the machine's CPU. */
int machine_add_sysreg_hook(struct machine *machine, const struct iss_sysreg_hook *hook);

#ifdef __cplusplus
}
#endif
#endif
