/*
 * The instruction trace: the iss backend calls insn_trace_insn() before each instruction of a
 * run that may reach the window (iss.h's iss_insn_tracer), which filters and writes one line:
 *
 *   INSN TIME cpuN ELn PC pa=PA WORD  ASSEMBLY
 *
 * INSN is how many instructions every CPU had retired before this one (what --stats counts),
 * TIME the virtual time the instruction starts at. With `regs`, an indented line after an
 * instruction lists the registers that changed by the time the CPU's next line is written.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "insn_trace.h"
#include "insn_text.h"
#include "iss.h"
#include "machine.h"

#define DEFAULT_LIMIT 1000000ull
#define TRACED_REGISTERS 33 /* X0..X30, SP, PSTATE */

/* The registers of the last line written, to show what its instruction changed. */
struct pending_registers {
	bool valid;
	unsigned cpu_index;
	uint64_t build; /* machine_cpu.build: a rebuilt board's CPU is another CPU */
	uint64_t value[TRACED_REGISTERS];
};

struct insn_trace {
	FILE *file;
	char *path;
	struct machine *machine;
	struct insn_text *text;
	uint64_t first_insn, last_insn;
	vtime_t from, until;
	uint64_t pc_low, pc_high;
	uint64_t limit;
	uint64_t written;
	bool regs;
	bool limit_reached;
	struct pending_registers pending;
	struct iss_insn_tracer tracer; /* what the CPUs call */
};

/* ---- Options ---- */

static int parse_number(const char *option, const char *text, uint64_t *value)
{
	char *end;

	errno = 0;
	*value = strtoull(text, &end, 0);
	if (!*text || *end || errno || *text == '-')
		return error_set("--trace-insns: %s: '%s' is not a number", option, text);
	return 0;
}

/* "A-B", "A-" or "A": the two halves, B empty when absent. */
static int split_range(const char *option, char *text, char **low, char **high)
{
	char *dash = strchr(text, '-');

	*low = text;
	*high = dash ? dash + 1 : text;
	if (dash)
		*dash = '\0';
	if (!**low)
		return error_set("--trace-insns: %s needs FIRST-LAST (LAST may be left out)", option);
	return 0;
}

static int parse_number_range(const char *option, char *text, uint64_t *low, uint64_t *high)
{
	char *first, *last;

	if (split_range(option, text, &first, &last) < 0 || parse_number(option, first, low) < 0)
		return -1;
	*high = UINT64_MAX;
	if (*last && parse_number(option, last, high) < 0)
		return -1;
	if (*high < *low)
		return error_set("--trace-insns: %s: the range ends before it starts", option);
	return 0;
}

static int parse_time_range(char *text, vtime_t *from, vtime_t *until)
{
	char *first, *last;

	if (split_range("time", text, &first, &last) < 0)
		return -1;
	*until = VTIME_NEVER;
	if (vtime_parse(first, from) < 0 || (*last && vtime_parse(last, until) < 0))
		return error_set("--trace-insns: time: %s", error_message());
	if (*until < *from)
		return error_set("--trace-insns: time: the range ends before it starts");
	return 0;
}

static int parse_option(struct insn_trace *trace, char *option)
{
	char *value = strchr(option, '=');

	if (strcmp(option, "regs") == 0) {
		trace->regs = true;
		return 0;
	}
	if (!value)
		return error_set("--trace-insns: unknown option '%s' (insns=, time=, pc=, limit=, regs)", option);
	*value++ = '\0';
	if (strcmp(option, "insns") == 0)
		return parse_number_range("insns", value, &trace->first_insn, &trace->last_insn);
	if (strcmp(option, "time") == 0)
		return parse_time_range(value, &trace->from, &trace->until);
	if (strcmp(option, "pc") == 0)
		return parse_number_range("pc", value, &trace->pc_low, &trace->pc_high);
	if (strcmp(option, "limit") == 0) {
		if (parse_number("limit", value, &trace->limit) < 0)
			return -1;
		return trace->limit ? 0 : error_set("--trace-insns: limit must be at least 1");
	}
	return error_set("--trace-insns: unknown option '%s' (insns=, time=, pc=, limit=, regs)", option);
}

static int parse_spec(struct insn_trace *trace, char *spec)
{
	char *option = strchr(spec, ',');

	if (option)
		*option++ = '\0';
	if (!*spec)
		return error_set("--trace-insns needs a file name: FILE[,OPTION...]");
	while (option) {
		char *next = strchr(option, ',');
		if (next)
			*next++ = '\0';
		if (parse_option(trace, option) < 0)
			return -1;
		option = next;
	}
	return 0;
}

/* ---- Lines ---- */

static void read_registers(struct cpu *cpu, uint64_t value[TRACED_REGISTERS])
{
	for (unsigned k = 0; k < TRACED_REGISTERS; k++)
		if (cpu->ops->get_register(cpu, k == 32 ? CPU_REG_PSTATE : (enum cpu_register)k, &value[k]) < 0)
			value[k] = 0;
}

static void write_register(FILE *file, unsigned k, uint64_t value)
{
	if (k == 32)
		fprintf(file, " nzcv=%" PRIx64, value >> 28 & 0xf);
	else if (k == 31)
		fprintf(file, " sp=0x%" PRIx64, value);
	else
		fprintf(file, " x%u=0x%" PRIx64, k, value);
}

/* The registers the last line's instruction changed, read from its CPU if that CPU still exists. */
static void flush_pending(struct insn_trace *trace)
{
	struct pending_registers *pending = &trace->pending;
	const struct machine_cpu *owner = &trace->machine->cpus[pending->cpu_index];
	uint64_t now[TRACED_REGISTERS];
	bool any = false;

	if (!pending->valid)
		return;
	pending->valid = false;
	if (!owner->cpu || owner->build != pending->build)
		return;
	read_registers(owner->cpu, now);
	for (unsigned k = 0; k < TRACED_REGISTERS; k++) {
		bool changed = k == 32 ? (now[k] ^ pending->value[k]) >> 28 & 0xf : now[k] != pending->value[k];
		if (!changed)
			continue;
		if (!any)
			fputs("   ", trace->file);
		write_register(trace->file, k, now[k]);
		any = true;
	}
	if (any)
		fputc('\n', trace->file);
}

static void write_line(struct insn_trace *trace, const struct iss_insn_view *insn, uint64_t number, vtime_t time)
{
	char assembly[INSN_TEXT_MAX];

	insn_text_disassemble(trace->text, insn->word, insn->pc, assembly, sizeof(assembly));
	fprintf(trace->file, "%" PRIu64 " %" PRIu64 ".%03" PRIu64 "ns cpu%u EL%u 0x%016" PRIx64 " pa=0x%" PRIx64 " %08x  %s\n",
		number, time / VTIME_NS, time % VTIME_NS, trace->machine->current_cpu, insn->el, insn->pc, insn->pa,
		insn->word, assembly);
}

static void remember_registers(struct insn_trace *trace, struct cpu *cpu)
{
	unsigned index = trace->machine->current_cpu;

	trace->pending = (struct pending_registers){
		.valid = true, .cpu_index = index, .build = trace->machine->cpus[index].build
	};
	read_registers(cpu, trace->pending.value);
}

/*
 * Whether a run of up to `budget` instructions from now may hold one in the window: its
 * instructions are numbered from the count so far (no other CPU runs meanwhile) and start at
 * times from now on, each a time_per_instruction after the last (qvp run's boards never
 * stall a CPU; only qvp-sc's SystemC targets do, and it has no --trace-insns).
 */
static bool insn_trace_wants_run(void *opaque, struct cpu *cpu, uint64_t budget)
{
	struct insn_trace *trace = opaque;
	const struct machine *machine = trace->machine;
	uint64_t first = machine->stats.instructions, last = first + budget - 1;
	vtime_t start = machine->now, end = start + (budget - 1) * machine->time_per_instruction;

	(void)cpu;
	if (!budget)
		return false;
	if (trace->limit_reached || first > trace->last_insn || start > trace->until)
		return true; /* the tracer's first call ends it */
	return last >= trace->first_insn && end >= trace->from;
}

/* Before each instruction of a traced run; false once the window is over for this CPU. */
static bool insn_trace_insn(void *opaque, struct cpu *cpu, const struct iss_insn_view *insn)
{
	struct insn_trace *trace = opaque;
	struct machine *machine = trace->machine;
	uint64_t number = machine->stats.instructions + cpu->ops->executed_in_run(cpu);
	vtime_t time = machine_now(machine);

	flush_pending(trace);
	if (trace->limit_reached || number > trace->last_insn || time > trace->until)
		return false;
	if (number < trace->first_insn || time < trace->from || insn->pc < trace->pc_low || insn->pc > trace->pc_high)
		return true;
	if (trace->written == trace->limit) { /* one more line was due: the limit cut the window short */
		trace->limit_reached = true;
		return false;
	}
	write_line(trace, insn, number, time);
	trace->written++;
	if (trace->regs)
		remember_registers(trace, cpu);
	return true;
}

/* ---- Life ---- */

struct insn_trace *insn_trace_open(const char *spec, struct machine *machine)
{
	struct insn_trace *trace = calloc(1, sizeof(*trace));
	char *copy = strdup(spec);

	if (!trace || !copy) {
		free(trace);
		free(copy);
		error_set("out of memory");
		return NULL;
	}
	*trace = (struct insn_trace){
		.path = copy, .machine = machine, .last_insn = UINT64_MAX, .until = VTIME_NEVER, .pc_high = UINT64_MAX, .limit = DEFAULT_LIMIT
	};
	if (parse_spec(trace, copy) < 0 || !(trace->text = insn_text_create()))
		goto fail;
	trace->file = fopen(trace->path, "w");
	if (!trace->file) {
		error_set("--trace-insns: cannot write %s: %s", trace->path, strerror(errno));
		goto fail;
	}
	fputs("# qvp instruction trace: INSN TIME CPU EL PC PA WORD ASSEMBLY (docs/coverage.md)\n", trace->file);
	trace->tracer = (struct iss_insn_tracer){ insn_trace_wants_run, insn_trace_insn, trace };
	machine_set_insn_tracer(machine, &trace->tracer);
	return trace;
fail:
	insn_text_destroy(trace->text);
	free(trace->path);
	free(trace);
	return NULL;
}

int insn_trace_close(struct insn_trace *trace)
{
	int status = 0;

	flush_pending(trace);
	machine_set_insn_tracer(trace->machine, NULL);
	if (trace->limit_reached)
		fprintf(trace->file, "# the trace stopped at its limit of %" PRIu64 " lines (limit=N)\n", trace->limit);
	if (ferror(trace->file) | (fclose(trace->file) != 0))
		status = error_set("--trace-insns: writing %s failed", trace->path);
	insn_text_destroy(trace->text);
	free(trace->path);
	free(trace);
	return status;
}
