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

enum backend_kind {
	BACKEND_AUTO,
	BACKEND_ISS,
	BACKEND_KVM,
};

struct machine_config {
	const char *platform_path;  /* .dts or .dtb */
	const char *firmware_path;  /* ELF, or raw binary when raw_firmware is set */
	bool raw_firmware;
	uint64_t raw_address;       /* load address and entry point of a raw binary */
	enum backend_kind backend;
	vtime_t quantum;            /* longest stretch the CPU runs without the models */
	vtime_t timeout;            /* virtual-time limit, VTIME_NEVER for none */
	FILE *console;              /* where the UART transmits; stdout if NULL */
};

enum machine_stop_cause {
	MACHINE_RUNNING,
	MACHINE_GUEST_EXIT, /* the guest wrote an exit code to the simulation-control device */
	MACHINE_TIMEOUT,    /* virtual time reached the configured timeout */
	MACHINE_FATAL,      /* the CPU backend stopped with an error */
};

struct machine_stats {
	uint64_t instructions;
	uint64_t quanta;
	uint64_t events_fired;
	vtime_t idle_skipped; /* virtual time jumped over while the guest waited in WFI */
};

struct model_instance;

struct machine {
	struct bus *bus;
	struct event_queue *events;
	struct cpu *cpu;
	struct image image;

	vtime_t now;              /* virtual time at the start of the current CPU run */
	bool cpu_running;         /* inside cpu->ops->run() */
	vtime_t time_per_instruction;
	vtime_t quantum;
	vtime_t timeout;
	bool line_level[2];       /* IRQ and FIQ as last driven, indexed by enum cpu_line */

	enum machine_stop_cause stop_cause;
	int exit_code;
	struct machine_stats stats;

	FILE *console;
	uint64_t ram_base;        /* the first RAM region the device tree describes */
	uint64_t ram_size;
	void *fdt;                /* the board's flattened device tree */
	uint64_t fdt_address;     /* where the guest finds it in RAM (x0 at entry) */
	struct model_instance *models;
	unsigned model_count;

	/* Called after every quantum, e.g. to refresh a status line; may be NULL. */
	void (*progress)(struct machine *machine);
	void *progress_opaque;
};

/* Builds the board from the platform DTS/DTB, loads the firmware, creates the CPU backend. */
struct machine *machine_create(const struct machine_config *config);
void machine_destroy(struct machine *machine);

/* Virtual time as a model sees it, exact to the instruction even in the middle of a run. */
vtime_t machine_now(const struct machine *machine);

/* Ends the simulation with the guest's exit code, at the current instruction boundary. */
void machine_request_exit(struct machine *machine, int exit_code);

/* Drives the CPU's IRQ or FIQ input. */
void machine_set_cpu_line(struct machine *machine, enum cpu_line line, bool level);

#ifdef __cplusplus
}
#endif
#endif
