/* The machine's sections of a snapshot: time and counters, RAM (pages that are not all zero),
 * each CPU (the loop's view of it, then the backend's state), each model, the console input,
 * and the event queue's sequence, which the components' own events are restored against. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "models.h"
#include "snapshot_parts.h"

#define SNAPSHOT_PAGE 4096u
#define NO_MORE_PAGES UINT64_MAX

static void save_stats(const struct machine_stats *stats, struct snap_writer *w)
{
	snap_put_u64(w, stats->instructions);
	snap_put_u64(w, stats->quanta);
	snap_put_u64(w, stats->events_fired);
	snap_put_u64(w, stats->idle_skipped);
	snap_put_u64(w, stats->interrupts_taken);
	snap_put_u64(w, stats->resets);
	snap_put_u64(w, stats->stalled);
	snap_put_u64(w, stats->idle_forever_since);
}

static void load_stats(struct machine_stats *stats, struct snap_reader *r)
{
	stats->instructions = snap_get_u64(r);
	stats->quanta = snap_get_u64(r);
	stats->events_fired = snap_get_u64(r);
	stats->idle_skipped = snap_get_u64(r);
	stats->interrupts_taken = snap_get_u64(r);
	stats->resets = snap_get_u64(r);
	stats->stalled = snap_get_u64(r);
	stats->idle_forever_since = snap_get_u64(r);
}

/* A round of several CPUs' turns that a debugger stopped part-way (loop.c goes on with it). */
static void save_round(const struct machine_round *round, struct snap_writer *w)
{
	snap_put_u64(w, round->start);
	snap_put_u64(w, round->end);
	snap_put_u32(w, round->next);
	snap_put_bool(w, round->turn_open);
	snap_put_u64(w, round->turn_now);
	snap_put_u64(w, round->turn_left);
}

static void load_round(struct machine *machine, struct snap_reader *r)
{
	struct machine_round *round = &machine->round;

	round->open = true;
	round->start = snap_get_u64(r);
	round->end = snap_get_u64(r);
	round->next = snap_get_index(r, machine->cpu_count, "the CPU the round goes on with");
	round->turn_open = snap_get_bool(r);
	round->turn_now = snap_get_u64(r);
	round->turn_left = snap_get_u64(r);
	/* A turn never runs past the round's end: nor may a file make one (and so pass --timeout). */
	if (!r->failed && (round->start > round->end || round->turn_now < round->start || round->turn_now > round->end ||
			   round->turn_left > (round->end - round->turn_now) / machine->time_per_instruction + 1))
		snap_fail(r, "a round of the CPUs' turns that does not fit in itself (start %" PRIu64 " ps, end %" PRIu64
			  " ps, turn from %" PRIu64 " ps with %" PRIu64 " instructions left)",
			  round->start, round->end, round->turn_now, round->turn_left);
}

/* Virtual time, the counters --stats reports, what the loop knows of the CPUs' lines, and a
 * round stopped part-way if there is one. */
static void save_machine(const struct machine *machine, struct snap_writer *w)
{
	snap_put_u64(w, machine->now);
	snap_put_u64(w, machine->time_seen);
	snap_put_u32(w, machine->current_cpu);
	snap_put_u32(w, machine->cpu_count);
	save_stats(&machine->stats, w);
	for (unsigned k = 0; k < machine->cpu_count; k++) {
		for (unsigned line = 0; line < CPU_LINE_COUNT; line++)
			snap_put_bool(w, machine->line_level[k][line]);
	}
	if (machine->round.open) /* only then: a snapshot between rounds reads as before */
		save_round(&machine->round, w);
}

static void load_machine(struct machine *machine, struct snap_reader *r)
{
	machine->now = snap_get_u64(r);
	machine->time_seen = snap_get_u64(r);
	machine->current_cpu = snap_get_index(r, machine->cpu_count, "the current CPU");
	if (snap_get_u32(r) != machine->cpu_count)
		snap_fail(r, "saved with another number of CPUs than the board's %u", machine->cpu_count);
	load_stats(&machine->stats, r);
	for (unsigned k = 0; k < machine->cpu_count && !r->failed; k++) {
		for (unsigned line = 0; line < CPU_LINE_COUNT; line++)
			machine->line_level[k][line] = snap_get_bool(r);
	}
	machine->round = (struct machine_round){ 0 };
	if (!r->failed && r->offset < r->length)
		load_round(machine, r);
	machine->cpu = machine->cpus[machine->current_cpu].cpu;
}

static bool page_is_zero(const uint8_t *page, size_t length)
{
	static const uint8_t zero[SNAPSHOT_PAGE];

	return memcmp(page, zero, length) == 0;
}

#define PAGEMAP_PRESENT (1ull << 63)
#define PAGEMAP_SWAPPED (1ull << 62)
#define PAGEMAP_CHUNK 512

/* Present or swapped out, as /proc/self/pagemap says. */
bool snapshot_backed_range(int pagemap, const uint8_t *host, size_t host_page, size_t count, bool *backed)
{
	uint64_t entries[PAGEMAP_CHUNK];
	off_t at = (off_t)((uintptr_t)host / host_page * sizeof(entries[0]));

	for (size_t done = 0; done < count;) {
		size_t want = count - done < PAGEMAP_CHUNK ? count - done : PAGEMAP_CHUNK;
		size_t bytes = want * sizeof(entries[0]);
		if (pagemap < 0 || pread(pagemap, entries, bytes, at + (off_t)(done * sizeof(entries[0]))) != (ssize_t)bytes)
			return false;
		for (size_t k = 0; k < want; k++)
			backed[done + k] = (entries[k] & (PAGEMAP_PRESENT | PAGEMAP_SWAPPED)) != 0;
		done += want;
	}
	return true;
}

bool *snapshot_backed_pages(const struct bus_ram *ram, size_t host_page, size_t *count)
{
	int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	bool *backed;

	*count = (size_t)((ram->size + host_page - 1) / host_page);
	backed = pagemap >= 0 ? calloc(*count ? *count : 1, sizeof(*backed)) : NULL;
	if (backed && !snapshot_backed_range(pagemap, ram->host, host_page, *count, backed)) {
		free(backed);
		backed = NULL;
	}
	if (pagemap >= 0)
		close(pagemap);
	return backed;
}

/* Each RAM region: its place, then the pages that are not all zero, by index. */
static void save_ram(const struct machine *machine, struct snap_writer *w)
{
	size_t host_page = (size_t)sysconf(_SC_PAGESIZE), host_pages;
	struct bus_ram ram;

	for (size_t index = 0; bus_ram_at(machine->bus, index, &ram); index++) {
		bool *backed = snapshot_backed_pages(&ram, host_page, &host_pages);
		snap_put_u64(w, ram.base);
		snap_put_u64(w, ram.size);
		for (uint64_t at = 0; at < ram.size; at += SNAPSHOT_PAGE) {
			size_t length = ram.size - at < SNAPSHOT_PAGE ? (size_t)(ram.size - at) : SNAPSHOT_PAGE;
			if ((backed && !backed[at / host_page]) || page_is_zero(ram.host + at, length))
				continue;
			snap_put_u64(w, at / SNAPSHOT_PAGE);
			snap_put_bytes(w, ram.host + at, length);
		}
		free(backed);
		snap_put_u64(w, NO_MORE_PAGES);
	}
}

/* The region zeroed (anonymous memory: the host drops its pages), then the saved pages. */
static void load_region(const struct bus_ram *ram, struct snap_reader *r)
{
	uint64_t page;

	if (snap_get_u64(r) != ram->base || snap_get_u64(r) != ram->size) {
		snap_fail(r, "RAM at 0x%" PRIx64 " (0x%" PRIx64 " bytes) was saved elsewhere or with another size",
			  ram->base, ram->size);
		return;
	}
	madvise(ram->host, (size_t)ram->size, MADV_DONTNEED);
	while (!r->failed && (page = snap_get_u64(r)) != NO_MORE_PAGES) {
		uint64_t at = page * SNAPSHOT_PAGE;
		if (page >= (ram->size + SNAPSHOT_PAGE - 1) / SNAPSHOT_PAGE) {
			snap_fail(r, "RAM page %" PRIu64 " past the region's end", page);
			return;
		}
		snap_get_bytes(r, ram->host + at, ram->size - at < SNAPSHOT_PAGE ? (size_t)(ram->size - at) : SNAPSHOT_PAGE);
	}
}

static void load_ram(struct machine *machine, struct snap_reader *r)
{
	struct bus_ram ram;

	for (size_t index = 0; !r->failed && bus_ram_at(machine->bus, index, &ram); index++)
		load_region(&ram, r);
}

/* The loop's view of a CPU, then its backend's state. */
static void save_cpu(const struct machine_cpu *cpu, struct snap_writer *w)
{
	snap_put_u64(w, cpu->affinity);
	snap_put_bool(w, cpu->powered);
	snap_put_bool(w, cpu->waiting);
	snap_put_u64(w, cpu->local);
	snap_put_u64(w, cpu->instructions);
	cpu->cpu->ops->save(cpu->cpu, w);
}

static void load_cpu(struct machine_cpu *cpu, struct snap_reader *r)
{
	if (snap_get_u64(r) != cpu->affinity)
		snap_fail(r, "saved for a CPU with another MPIDR affinity than 0x%" PRIx64, cpu->affinity);
	cpu->powered = snap_get_bool(r);
	cpu->waiting = snap_get_bool(r);
	cpu->local = snap_get_u64(r);
	cpu->instructions = snap_get_u64(r);
	if (!r->failed)
		cpu->cpu->ops->load(cpu->cpu, r);
}

static void save_console(const struct machine *machine, struct snap_writer *w)
{
	snap_put_bool(w, machine->console_input != NULL);
	if (machine->console_input)
		machine->console_save(machine->console_input, w);
}

static void load_console(struct machine *machine, struct snap_reader *r)
{
	bool saved = snap_get_bool(r);

	if (saved != (machine->console_input != NULL))
		snap_fail(r, "console input (a script, a terminal or a pipe) was %s when saved and is %s now%s",
			  saved ? "attached" : "absent", machine->console_input ? "attached" : "absent",
			  saved ? ": give the restored run a terminal or a pipe as standard input, or --console-script" : "");
	else if (saved)
		machine->console_load(machine->console_input, r);
}

/* Every component restored its own events; the queue's next sequence number goes on, and the
 * queue must hold as many as it did (else an owner of events was not restored). */
static void save_events(const struct machine *machine, struct snap_writer *w)
{
	snap_put_u64(w, event_queue_sequence(machine->events));
	snap_put_u64(w, event_queue_length(machine->events));
}

static void load_events(struct machine *machine, struct snap_reader *r)
{
	uint64_t sequence = snap_get_u64(r), length = snap_get_u64(r);

	event_queue_set_sequence(machine->events, sequence);
	if (!r->failed && length != event_queue_length(machine->events))
		snap_fail(r, "%" PRIu64 " events were queued, %zu are after loading every component", length,
			  event_queue_length(machine->events));
}

typedef void (*save_fn)(const struct machine *machine, struct snap_writer *w);

static void save_part(const struct machine *machine, struct snap_writer *file, const char *tag, save_fn save)
{
	struct snap_writer payload = { 0 };

	save(machine, &payload);
	file->failed |= payload.failed;
	snapshot_put_section(file, tag, &payload);
	free(payload.data);
}

static void save_cpus_and_models(const struct machine *machine, struct snap_writer *file)
{
	char tag[64];

	for (unsigned k = 0; k < machine->cpu_count; k++) {
		struct snap_writer payload = { 0 };
		snprintf(tag, sizeof(tag), "cpu%u", k);
		save_cpu(&machine->cpus[k], &payload);
		file->failed |= payload.failed;
		snapshot_put_section(file, tag, &payload);
		free(payload.data);
	}
	for (unsigned k = 0; k < machine->model_count; k++) {
		const struct model_instance *model = &machine->models[k];
		struct snap_writer payload = { 0 };
		if (!model->save)
			continue;
		model->save(model->state, &payload);
		file->failed |= payload.failed;
		snapshot_put_section(file, model->path, &payload);
		free(payload.data);
	}
}

int snapshot_parts_save(const struct machine *machine, struct snap_writer *file, bool with_ram)
{
	for (unsigned k = 0; k < machine->cpu_count; k++)
		if (!machine->cpus[k].cpu->ops->save)
			return error_set("snapshot: the %s backend cannot be saved (use --backend iss)",
					 machine->cpus[k].cpu->ops->name);
	save_part(machine, file, "machine", save_machine);
	if (with_ram)
		save_part(machine, file, "ram", save_ram);
	save_cpus_and_models(machine, file);
	save_part(machine, file, "console", save_console);
	save_part(machine, file, "events", save_events);
	return file->failed ? error_set("snapshot: %s", error_message()) : 0;
}

typedef void (*load_fn)(struct machine *machine, struct snap_reader *r);

static int load_part(struct machine *machine, const struct snapshot *snapshot, unsigned *cursor, const char *tag,
		     load_fn load)
{
	struct snap_reader r;

	if (snapshot_next_section(snapshot, cursor, tag, &r) < 0)
		return -1;
	load(machine, &r);
	return snap_reader_finish(&r);
}

static int load_cpus_and_models(struct machine *machine, const struct snapshot *snapshot, unsigned *cursor)
{
	struct snap_reader r;
	char tag[64];

	for (unsigned k = 0; k < machine->cpu_count; k++) {
		snprintf(tag, sizeof(tag), "cpu%u", k);
		if (snapshot_next_section(snapshot, cursor, tag, &r) < 0)
			return -1;
		load_cpu(&machine->cpus[k], &r);
		if (snap_reader_finish(&r) < 0)
			return -1;
	}
	for (unsigned k = 0; k < machine->model_count; k++) {
		struct model_instance *model = &machine->models[k];
		if (!model->save)
			continue;
		if (snapshot_next_section(snapshot, cursor, model->path, &r) < 0)
			return -1;
		model->load(model->state, &r);
		if (snap_reader_finish(&r) < 0)
			return -1;
	}
	return 0;
}

int snapshot_parts_load(struct machine *machine, const struct snapshot *snapshot, unsigned *cursor, bool with_ram)
{
	if (load_part(machine, snapshot, cursor, "machine", load_machine) < 0 ||
	    (with_ram && load_part(machine, snapshot, cursor, "ram", load_ram) < 0) ||
	    load_cpus_and_models(machine, snapshot, cursor) < 0 ||
	    load_part(machine, snapshot, cursor, "console", load_console) < 0 ||
	    load_part(machine, snapshot, cursor, "events", load_events) < 0)
		return -1;
	return 0;
}
