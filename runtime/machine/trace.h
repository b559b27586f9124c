/* --trace: Chrome trace-event JSON (Perfetto, chrome://tracing) stamped with virtual time only,
 * so two runs of the same inputs write byte-identical files. Callers check machine->trace
 * first: with tracing off nothing here is called. */
#ifndef QVP_TRACE_H
#define QVP_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu.h"
#include "vtime.h"

#ifdef __cplusplus
extern "C" {
#endif

struct machine;
struct trace;

/* Creates FILE; NULL after error_set() if it cannot. */
struct trace *trace_open(const char *path);

/* Starts tracing `machine` (sets machine->trace and watches its bus's MMIO accesses). */
void trace_attach(struct trace *trace, struct machine *machine);

/* Completes the JSON and closes the file; returns -1 after error_set() if writing failed. */
int trace_close(struct trace *trace);

/* One run of CPU `cpu` (its own track) from `start` to `end`, and why it stopped. */
void trace_quantum(struct trace *trace, unsigned cpu, vtime_t start, vtime_t end, uint64_t instructions,
		   enum cpu_stop_reason reason);

/* Virtual time skipped while the guest waited in WFI. */
void trace_idle(struct trace *trace, vtime_t start, vtime_t end);

/* CPU `cpu`'s IRQ or FIQ input changed. */
void trace_cpu_line(struct trace *trace, vtime_t time, unsigned cpu, enum cpu_line line, bool level);

/* An interrupt controller's input `input` changed level. */
void trace_irq_input(struct trace *trace, vtime_t time, const char *controller, unsigned input, bool level);

/* The CPU acknowledged interrupt `id` (e.g. read it from GICC_IAR). */
void trace_irq_ack(struct trace *trace, vtime_t time, const char *controller, unsigned id);

#ifdef __cplusplus
}
#endif
#endif
