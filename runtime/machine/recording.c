/* Recording files: written section by section as inputs enter, read back into an input log. */
#include "recording.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "snapshot_parts.h"

#define RECORDING_FORMAT 1 /* the "recording" section's version, inside the snapshot format's */
#define MAX_INPUT_BYTES (1u << 20)

struct recording {
	FILE *file;
	char *path;
	bool failed; /* a write failed: the file is incomplete */
	int error;   /* errno of the first failed write */
};

/* One section appended and pushed out, so a killed run loses nothing before it. */
static void write_section(struct recording *recording, const char *tag, const struct snap_writer *payload)
{
	struct snap_writer frame = { 0 };

	snapshot_put_section(&frame, tag, payload);
	if (!recording->failed && (frame.failed || fwrite(frame.data, 1, frame.length, recording->file) != frame.length ||
				   fflush(recording->file) != 0)) {
		recording->failed = true;
		recording->error = frame.failed ? ENOMEM : errno;
	}
	free(frame.data);
}

static void input_added(void *opaque, const struct input_record *record)
{
	struct snap_writer w = { 0 };

	snap_put_u32(&w, (uint32_t)record->kind);
	snap_put_u64(&w, record->instructions);
	snap_put_u64(&w, record->time);
	snap_put_u32(&w, record->cpu);
	snap_put_u64(&w, record->value);
	snap_put_u32(&w, record->length);
	snap_put_bytes(&w, record->bytes, record->length);
	write_section(opaque, "input", &w);
	free(w.data);
}

static void stream_read(void *opaque, const uint8_t *bytes, size_t length)
{
	struct snap_writer w = { 0 };

	snap_put_bytes(&w, bytes, length);
	write_section(opaque, length ? "stream" : "stream end", &w);
	free(w.data);
}

static void log_cut(void *opaque, size_t kept)
{
	struct snap_writer w = { 0 };

	snap_put_u64(&w, kept);
	write_section(opaque, "cut", &w);
	free(w.data);
}

struct recording *recording_start(const char *path, struct machine *machine, const struct snapshot_inputs *inputs,
				  struct input_log *log)
{
	struct recording *recording = calloc(1, sizeof(*recording));
	struct snap_writer w = { 0 }, format = { 0 };

	if (!recording || !(recording->path = strdup(path))) {
		free(recording);
		error_set("--record: out of memory");
		return NULL;
	}
	if (snapshot_write_preamble(machine, inputs, &w) < 0 || !(recording->file = fopen(path, "wb")) ||
	    fwrite(w.data, 1, w.length, recording->file) != w.length) {
		error_set("--record %s: %s", path, recording->file ? strerror(errno) : error_message());
		if (recording->file)
			fclose(recording->file);
		free(w.data);
		free(recording->path);
		free(recording);
		return NULL;
	}
	free(w.data);
	snap_put_u32(&format, RECORDING_FORMAT);
	write_section(recording, "recording", &format);
	free(format.data);
	input_log_set_listener(log, &(struct input_log_listener){ input_added, stream_read, log_cut, recording });
	return recording;
}

int recording_finish(struct recording *recording, struct machine *machine)
{
	struct snap_writer none = { 0 };
	struct input_record end = { .kind = INPUT_END };
	int status = 0;

	if (!recording)
		return 0;
	if (input_log_add(machine->input_log, machine, &end) < 0)
		recording->failed = true;
	input_log_set_listener(machine->input_log, &(struct input_log_listener){ 0 });
	write_section(recording, "end", &none);
	if (fclose(recording->file) != 0 && !recording->failed) {
		recording->failed = true;
		recording->error = errno;
	}
	if (recording->failed)
		status = error_set("--record %s: cannot write: %s", recording->path, strerror(recording->error));
	free(recording->path);
	free(recording);
	return status;
}

/* ---- Reading ---- */

static void read_input(struct snap_reader *r, struct input_log *log)
{
	struct input_record record = { 0 };
	uint8_t *bytes = NULL;

	record.kind = (enum input_kind)snap_get_index(r, INPUT_KIND_LIMIT, "an input's kind");
	record.instructions = snap_get_u64(r);
	record.time = snap_get_u64(r);
	record.cpu = snap_get_index(r, MACHINE_MAX_CPUS, "an input's CPU");
	record.value = snap_get_u64(r);
	record.length = snap_get_index(r, MAX_INPUT_BYTES, "an input's length");
	if (!r->failed && record.kind == 0)
		snap_fail(r, "an input of kind 0");
	if (!r->failed && (record.kind == INPUT_REGISTER || record.kind == INPUT_VECTOR) &&
	    record.length != (record.kind == INPUT_REGISTER ? 8u : 16u))
		snap_fail(r, "a register write of %u bytes", record.length);
	if (!r->failed && record.value >= (record.kind == INPUT_REGISTER ? CPU_REG_SYSTEM_END : 32u) &&
	    (record.kind == INPUT_REGISTER || record.kind == INPUT_VECTOR))
		snap_fail(r, "a write of register number %llu", (unsigned long long)record.value);
	if (!r->failed && record.length && !(bytes = malloc(record.length)))
		snap_fail(r, "out of memory");
	if (bytes)
		snap_get_bytes(r, bytes, record.length);
	record.bytes = bytes;
	if (!r->failed && input_log_append(log, &record) < 0)
		snap_fail(r, "%s", error_message());
	free(bytes);
}

static void read_cut(struct snap_reader *r, struct input_log *log)
{
	uint64_t kept = snap_get_u64(r);

	if (!r->failed && kept > input_log_count(log))
		snap_fail(r, "a cut to %llu inputs of %zu", (unsigned long long)kept, input_log_count(log));
	if (!r->failed)
		input_log_truncate(log, (size_t)kept);
}

/* One section after the header and the "recording" one. */
static void read_section(const char *tag, struct snap_reader *r, struct input_log *log)
{
	if (strcmp(tag, "input") == 0)
		read_input(r, log);
	else if (strcmp(tag, "stream") == 0) {
		if (input_log_stream_add(log, r->data, r->length) < 0)
			snap_fail(r, "%s", error_message());
		r->offset = r->length;
	} else if (strcmp(tag, "stream end") == 0)
		input_log_stream_end(log);
	else if (strcmp(tag, "cut") == 0)
		read_cut(r, log);
	else if (strcmp(tag, "end") != 0)
		snap_fail(r, "a section '%s' that no recording has", tag);
}

static int read_inputs(const struct snapshot *snapshot, struct input_log *log)
{
	struct snap_reader r;
	const char *tag;

	if (snapshot_section_count(snapshot) < 2 || strcmp(snapshot_section(snapshot, 1, &r), "recording") != 0)
		return error_set("%s: not a recording (a snapshot? qvp run --restore %s)", snapshot_name(snapshot),
				 snapshot_name(snapshot));
	if (snap_get_u32(&r) != RECORDING_FORMAT && !r.failed)
		snap_fail(&r, "recording format %u; this qvp reads format %d", (unsigned)r.data[0], RECORDING_FORMAT);
	if (snap_reader_finish(&r) < 0)
		return error_set("%s: %s", snapshot_name(snapshot), error_message());
	for (unsigned k = 2; k < snapshot_section_count(snapshot); k++) {
		tag = snapshot_section(snapshot, k, &r);
		read_section(tag, &r, log);
		if (snap_reader_finish(&r) < 0)
			return error_set("%s: %s", snapshot_name(snapshot), error_message());
	}
	return 0;
}

struct input_log *recording_inputs(const struct snapshot *snapshot)
{
	struct input_log *log = input_log_create();

	if (log && read_inputs(snapshot, log) < 0) {
		input_log_destroy(log);
		return NULL;
	}
	return log;
}

struct snapshot *recording_read(const char *path, struct machine_config *config, struct snapshot_inputs *inputs,
				struct input_log **log, bool *complete)
{
	struct snapshot *snapshot = snapshot_read_cut_short(path, complete);

	*log = NULL;
	if (!snapshot)
		return NULL;
	if (!(*log = input_log_create()) || read_inputs(snapshot, *log) < 0 ||
	    snapshot_config(snapshot, config, inputs) < 0) {
		input_log_destroy(*log);
		*log = NULL;
		snapshot_free(snapshot);
		return NULL;
	}
	return snapshot;
}
