/* Chrome trace-event JSON ("JSON object format"): one process, a thread for the CPU, one for
 * interrupts, one per device with MMIO accesses (numbered in order of first access); counters
 * for interrupt line levels. Timestamps are virtual time in microseconds written exactly from
 * picoseconds (six decimals), never host time. */
#include "trace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "machine.h"

enum {
	TRACE_TID_CPU = 1,
	TRACE_TID_INTERRUPTS = 2,
	TRACE_TID_FIRST_DEVICE = 3,
	TRACE_TID_OTHER_CPUS = 100, /* CPU n > 0 is 100 + n; CPU 0 keeps the track of one-CPU runs */
	TRACE_MAX_DEVICES = 64,
};

struct trace {
	FILE *file;
	char *path;
	struct machine *machine;
	const char *devices[TRACE_MAX_DEVICES]; /* region names (owned by the bus), by tid */
	unsigned named_cpus; /* bit n: CPU n's track has its name (named at its first event) */
	unsigned device_count;
};

/* Picoseconds as microseconds with six exact decimals. */
static void print_us(FILE *file, vtime_t time)
{
	fprintf(file, "%" PRIu64 ".%06" PRIu64, time / VTIME_US, time % VTIME_US);
}

/* A JSON string; device-tree names need no escaping in practice, but be safe. */
static void print_string(FILE *file, const char *text)
{
	fputc('"', file);
	for (; *text; text++) {
		if (*text == '"' || *text == '\\')
			fputc('\\', file);
		if ((unsigned char)*text < 0x20)
			fprintf(file, "\\u%04x", *text);
		else
			fputc(*text, file);
	}
	fputc('"', file);
}

static void begin_event(struct trace *trace, const char *phase, unsigned tid, const char *name, vtime_t time)
{
	fprintf(trace->file, ",\n{\"ph\":\"%s\",\"pid\":1,\"tid\":%u,\"name\":", phase, tid);
	print_string(trace->file, name);
	fputs(",\"ts\":", trace->file);
	print_us(trace->file, time);
}

static void thread_name(struct trace *trace, unsigned tid, const char *name)
{
	fprintf(trace->file, ",\n{\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"name\":\"thread_name\",\"args\":{\"name\":", tid);
	print_string(trace->file, name);
	fputs("}}", trace->file);
}

struct trace *trace_open(const char *path)
{
	struct trace *trace = calloc(1, sizeof(*trace));

	if (!trace) {
		error_set("--trace %s: out of memory", path);
		return NULL;
	}
	trace->file = fopen(path, "w");
	trace->path = strdup(path);
	if (!trace->file || !trace->path) {
		error_set("--trace %s: %s", path, strerror(errno));
		if (trace->file)
			fclose(trace->file);
		free(trace->path);
		free(trace);
		return NULL;
	}
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n"
	      "{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\",\"args\":{\"name\":\"qvp (virtual time)\"}}",
	      trace->file);
	thread_name(trace, TRACE_TID_CPU, "cpu0");
	thread_name(trace, TRACE_TID_INTERRUPTS, "interrupts");
	return trace;
}

static unsigned device_tid(struct trace *trace, const char *region)
{
	for (unsigned i = 0; i < trace->device_count; i++)
		if (trace->devices[i] == region)
			return TRACE_TID_FIRST_DEVICE + i;
	if (trace->device_count == TRACE_MAX_DEVICES)
		return TRACE_TID_FIRST_DEVICE + TRACE_MAX_DEVICES; /* "other devices" */
	trace->devices[trace->device_count] = region;
	thread_name(trace, TRACE_TID_FIRST_DEVICE + trace->device_count, region);
	return TRACE_TID_FIRST_DEVICE + trace->device_count++;
}

static void trace_mmio(void *opaque, const char *region, uint64_t offset, unsigned size, uint64_t value, bool write)
{
	struct trace *trace = opaque;
	char name[48];

	snprintf(name, sizeof(name), "%s 0x%03" PRIx64, write ? "write" : "read", offset);
	begin_event(trace, "i", device_tid(trace, region), name, machine_now(trace->machine));
	fprintf(trace->file, ",\"s\":\"t\",\"cat\":\"mmio\",\"args\":{\"size\":%u,\"value\":\"0x%" PRIx64 "\"}}", size,
		value);
}

void trace_attach(struct trace *trace, struct machine *machine)
{
	trace->machine = machine;
	machine->trace = trace;
	bus_set_mmio_observer(machine->bus, trace_mmio, trace);
}

int trace_close(struct trace *trace)
{
	int result = 0;

	if (!trace)
		return 0;
	if (trace->machine) {
		bus_set_mmio_observer(trace->machine->bus, NULL, NULL);
		trace->machine->trace = NULL;
	}
	fputs("\n]}\n", trace->file);
	if (ferror(trace->file) | (fclose(trace->file) != 0))
		result = error_set("--trace %s: write failed", trace->path);
	free(trace->path);
	free(trace);
	return result;
}

static const char *stop_reason_name(enum cpu_stop_reason reason)
{
	switch (reason) {
	case CPU_STOP_BUDGET:
		return "budget";
	case CPU_STOP_WFI:
		return "wfi";
	case CPU_STOP_KICKED:
		return "kicked";
	case CPU_STOP_BREAKPOINT:
		return "breakpoint";
	case CPU_STOP_STEP:
		return "step";
	case CPU_STOP_FATAL:
		return "fatal";
	}
	return "?";
}

static unsigned cpu_tid(struct trace *trace, unsigned cpu)
{
	char name[16];

	if (cpu == 0)
		return TRACE_TID_CPU;
	if (!(trace->named_cpus & (1u << cpu))) {
		snprintf(name, sizeof(name), "cpu%u", cpu);
		thread_name(trace, TRACE_TID_OTHER_CPUS + cpu, name);
		trace->named_cpus |= 1u << cpu;
	}
	return TRACE_TID_OTHER_CPUS + cpu;
}

void trace_quantum(struct trace *trace, unsigned cpu, vtime_t start, vtime_t end, uint64_t instructions,
		   enum cpu_stop_reason reason)
{
	begin_event(trace, "X", cpu_tid(trace, cpu), "run", start);
	fputs(",\"dur\":", trace->file);
	print_us(trace->file, end - start);
	fprintf(trace->file, ",\"cat\":\"cpu\",\"args\":{\"instructions\":%" PRIu64 ",\"stop\":\"%s\"}}", instructions,
		stop_reason_name(reason));
}

void trace_idle(struct trace *trace, vtime_t start, vtime_t end)
{
	begin_event(trace, "X", TRACE_TID_CPU, "idle (WFI)", start);
	fputs(",\"dur\":", trace->file);
	print_us(trace->file, end - start);
	fputs(",\"cat\":\"idle\"}", trace->file);
}

void trace_cpu_line(struct trace *trace, vtime_t time, unsigned cpu, enum cpu_line line, bool level)
{
	char name[24];

	static const char *const names[CPU_LINE_COUNT] = { "IRQ", "FIQ", "vIRQ", "vFIQ" };

	snprintf(name, sizeof(name), "cpu%u %s", cpu, line < CPU_LINE_COUNT ? names[line] : "?");
	begin_event(trace, "C", TRACE_TID_INTERRUPTS, name, time);
	fprintf(trace->file, ",\"cat\":\"irq\",\"args\":{\"level\":%d}}", level);
}

void trace_irq_input(struct trace *trace, vtime_t time, const char *controller, unsigned input, bool level)
{
	char name[160];

	snprintf(name, sizeof(name), "%s input %u", controller, input);
	begin_event(trace, "C", TRACE_TID_INTERRUPTS, name, time);
	fprintf(trace->file, ",\"cat\":\"irq\",\"args\":{\"level\":%d}}", level);
}

void trace_irq_ack(struct trace *trace, vtime_t time, const char *controller, unsigned id)
{
	char name[160];

	snprintf(name, sizeof(name), "%s ack %u", controller, id);
	begin_event(trace, "i", TRACE_TID_INTERRUPTS, name, time);
	fputs(",\"s\":\"t\",\"cat\":\"irq\"}", trace->file);
}
