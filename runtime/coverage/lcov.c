/* lcov tracefiles: collecting, folding, writing and reading back (lcov.h). */
#include "lcov.h"

#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* Makes room for one more item in a growing array. */
static int reserve(void **items, size_t count, size_t *capacity, size_t size)
{
	void *grown;

	if (count < *capacity)
		return 0;
	grown = realloc(*items, (*capacity ? *capacity * 2 : 64) * size);
	if (!grown)
		return error_set("coverage: out of memory");
	*items = grown;
	*capacity = *capacity ? *capacity * 2 : 64;
	return 0;
}

int lcov_file(struct lcov_data *data, const char *path, unsigned *file)
{
	if (data->last_file < data->file_count && strcmp(data->files[data->last_file], path) == 0) {
		*file = data->last_file;
		return 0;
	}
	for (size_t k = 0; k < data->file_count; k++) {
		if (strcmp(data->files[k], path) == 0) {
			*file = data->last_file = (unsigned)k;
			return 0;
		}
	}
	if (reserve((void **)&data->files, data->file_count, &data->file_capacity, sizeof(char *)) < 0)
		return -1;
	data->files[data->file_count] = strdup(path);
	if (!data->files[data->file_count])
		return error_set("coverage: out of memory");
	*file = data->last_file = (unsigned)data->file_count++;
	return 0;
}

int lcov_add_line(struct lcov_data *data, unsigned file, unsigned line, uint64_t count)
{
	if (reserve((void **)&data->lines, data->line_count, &data->line_capacity, sizeof(*data->lines)) < 0)
		return -1;
	data->lines[data->line_count++] = (struct lcov_line){ .file = file, .line = line, .count = count };
	return 0;
}

int lcov_add_function(struct lcov_data *data, unsigned file, unsigned line, const char *name, uint64_t count)
{
	char *copy;

	if (reserve((void **)&data->functions, data->function_count, &data->function_capacity,
		    sizeof(*data->functions)) < 0)
		return -1;
	copy = strdup(name);
	if (!copy)
		return error_set("coverage: out of memory");
	data->functions[data->function_count++] =
		(struct lcov_function){ .file = file, .line = line, .name = copy, .count = count };
	return 0;
}

int lcov_add_branch(struct lcov_data *data, unsigned file, unsigned line, uint64_t order, unsigned branch,
		    int64_t taken)
{
	if (reserve((void **)&data->branches, data->branch_count, &data->branch_capacity,
		    sizeof(*data->branches)) < 0)
		return -1;
	data->branches[data->branch_count++] = (struct lcov_branch){
		.file = file, .line = line, .order = order, .branch = branch, .taken = taken };
	return 0;
}

void lcov_release(struct lcov_data *data)
{
	for (size_t k = 0; k < data->file_count; k++)
		free(data->files[k]);
	for (size_t k = 0; k < data->function_count; k++)
		free(data->functions[k].name);
	free(data->files);
	free(data->lines);
	free(data->functions);
	free(data->branches);
	memset(data, 0, sizeof(*data));
}

/* ---- Sorting: files by path, then lines, functions and branches by where they are ---- */

static int compare_unsigned(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int compare_lines(const void *a, const void *b)
{
	const struct lcov_line *x = a, *y = b;

	return x->file != y->file ? compare_unsigned(x->file, y->file) : compare_unsigned(x->line, y->line);
}

static int compare_functions(const void *a, const void *b)
{
	const struct lcov_function *x = a, *y = b;

	if (x->file != y->file)
		return compare_unsigned(x->file, y->file);
	if (x->line != y->line)
		return compare_unsigned(x->line, y->line);
	return strcmp(x->name, y->name);
}

static int compare_branches(const void *a, const void *b)
{
	const struct lcov_branch *x = a, *y = b;

	if (x->file != y->file)
		return compare_unsigned(x->file, y->file);
	if (x->line != y->line)
		return compare_unsigned(x->line, y->line);
	if (x->order != y->order)
		return compare_unsigned(x->order, y->order);
	return compare_unsigned(x->branch, y->branch);
}

static int compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Renumbers the files in path order, so every entry sorts by path. */
static int sort_files(struct lcov_data *data)
{
	char **sorted = malloc((data->file_count + 1) * sizeof(char *));
	unsigned *rank = malloc((data->file_count + 1) * sizeof(unsigned));

	if (!sorted || !rank) {
		free(sorted);
		free(rank);
		return error_set("coverage: out of memory");
	}
	memcpy(sorted, data->files, data->file_count * sizeof(char *));
	qsort(sorted, data->file_count, sizeof(char *), compare_paths);
	for (size_t old = 0; old < data->file_count; old++)
		for (size_t k = 0; k < data->file_count; k++)
			if (sorted[k] == data->files[old])
				rank[old] = (unsigned)k;
	for (size_t k = 0; k < data->line_count; k++)
		data->lines[k].file = rank[data->lines[k].file];
	for (size_t k = 0; k < data->function_count; k++)
		data->functions[k].file = rank[data->functions[k].file];
	for (size_t k = 0; k < data->branch_count; k++)
		data->branches[k].file = rank[data->branches[k].file];
	free(data->files);
	data->files = sorted;
	data->file_capacity = data->file_count + 1;
	data->last_file = 0;
	free(rank);
	return 0;
}

static void sort_entries(struct lcov_data *data)
{
	qsort(data->lines, data->line_count, sizeof(*data->lines), compare_lines);
	qsort(data->functions, data->function_count, sizeof(*data->functions), compare_functions);
	qsort(data->branches, data->branch_count, sizeof(*data->branches), compare_branches);
}

static uint64_t fold_count(uint64_t a, uint64_t b, enum lcov_fold fold)
{
	if (fold == LCOV_FOLD_SUM)
		return a + b;
	return a > b ? a : b;
}

static int64_t fold_taken(int64_t a, int64_t b, enum lcov_fold fold)
{
	if (a == LCOV_NOT_RUN)
		return b;
	if (b == LCOV_NOT_RUN)
		return a;
	return (int64_t)fold_count((uint64_t)a, (uint64_t)b, fold);
}

/* ---- Writing one file's record ---- */

struct record_writer {
	FILE *out;
	const struct lcov_data *data;
	enum lcov_fold fold;
	size_t line, function, branch; /* the next entry of each kind */
};

static void write_functions(struct record_writer *w, unsigned file)
{
	const struct lcov_data *data = w->data;
	size_t first = w->function, end = first, found = 0, hit = 0;

	while (end < data->function_count && data->functions[end].file == file)
		end++;
	for (size_t k = first; k < end; k++)
		if (k == first || strcmp(data->functions[k].name, data->functions[k - 1].name) != 0 ||
		    data->functions[k].line != data->functions[k - 1].line)
			fprintf(w->out, "FN:%u,%s\n", data->functions[k].line, data->functions[k].name);
	for (size_t k = first; k < end; k++) {
		uint64_t count = data->functions[k].count;
		while (k + 1 < end && data->functions[k + 1].line == data->functions[k].line &&
		       strcmp(data->functions[k + 1].name, data->functions[k].name) == 0)
			count = fold_count(count, data->functions[++k].count, w->fold);
		fprintf(w->out, "FNDA:%" PRIu64 ",%s\n", count, data->functions[k].name);
		found++;
		hit += count > 0;
	}
	fprintf(w->out, "FNF:%zu\nFNH:%zu\n", found, hit);
	w->function = end;
}

/* The branches of each line: blocks numbered 0, 1, ... in the order of their `order`. */
static void write_branches(struct record_writer *w, unsigned file)
{
	const struct lcov_branch *all = w->data->branches;
	size_t count = w->data->branch_count, found = 0, hit = 0, k = w->branch;

	while (k < count && all[k].file == file) {
		unsigned line = all[k].line, block = 0;
		uint64_t order = all[k].order;
		for (; k < count && all[k].file == file && all[k].line == line; k++) {
			const struct lcov_branch *b = &all[k];
			int64_t taken = b->taken;
			if (b->order != order) {
				block++;
				order = b->order;
			}
			while (k + 1 < count && compare_branches(&all[k + 1], b) == 0)
				taken = fold_taken(taken, all[++k].taken, w->fold);
			if (taken == LCOV_NOT_RUN)
				fprintf(w->out, "BRDA:%u,%u,%u,-\n", line, block, b->branch);
			else
				fprintf(w->out, "BRDA:%u,%u,%u,%" PRId64 "\n", line, block, b->branch, taken);
			found++;
			hit += taken > 0;
		}
	}
	if (found)
		fprintf(w->out, "BRF:%zu\nBRH:%zu\n", found, hit);
	w->branch = k;
}

static void write_lines(struct record_writer *w, unsigned file)
{
	const struct lcov_data *data = w->data;
	size_t found = 0, hit = 0;
	size_t k = w->line;

	while (k < data->line_count && data->lines[k].file == file) {
		uint64_t count = data->lines[k].count;
		while (k + 1 < data->line_count && data->lines[k + 1].file == file &&
		       data->lines[k + 1].line == data->lines[k].line)
			count = fold_count(count, data->lines[++k].count, w->fold);
		fprintf(w->out, "DA:%u,%" PRIu64 "\n", data->lines[k].line, count);
		found++;
		hit += count > 0;
		k++;
	}
	fprintf(w->out, "LF:%zu\nLH:%zu\n", found, hit);
	w->line = k;
}

int lcov_write(struct lcov_data *data, const char *path, const char *test_name, enum lcov_fold fold)
{
	struct record_writer w = { .data = data, .fold = fold };
	int failed;

	if (sort_files(data) < 0)
		return -1;
	sort_entries(data);
	w.out = fopen(path, "w");
	if (!w.out)
		return error_set("--coverage %s: %s", path, strerror(errno));
	for (unsigned file = 0; file < data->file_count; file++) {
		fprintf(w.out, "TN:%s\nSF:%s\n", test_name, data->files[file]);
		write_functions(&w, file);
		write_branches(&w, file);
		write_lines(&w, file);
		fputs("end_of_record\n", w.out);
	}
	failed = ferror(w.out);
	if (fclose(w.out) != 0 || failed)
		return error_set("--coverage %s: write error", path);
	return 0;
}

/* ---- Reading a tracefile back ---- */

struct record_reader {
	const char *path;
	unsigned line_number;
	bool in_record;
	unsigned file;
	size_t record_functions; /* the first function of the current record */
};

static int read_error(const struct record_reader *r, const char *what)
{
	return error_set("%s:%u: %s", r->path, r->line_number, what);
}

/* FNDA names a function of its record's FN lines; its line is theirs. */
static int read_function_count(struct lcov_data *data, struct record_reader *r, const char *text)
{
	uint64_t count;
	int used = 0;

	if (sscanf(text, "%" SCNu64 ",%n", &count, &used) != 1 || !used)
		return read_error(r, "FNDA needs COUNT,NAME");
	for (size_t k = r->record_functions; k < data->function_count; k++)
		if (strcmp(data->functions[k].name, text + used) == 0)
			return lcov_add_function(data, r->file, data->functions[k].line, text + used, count);
	return read_error(r, "FNDA names a function no FN line declared");
}

static int read_branch(struct lcov_data *data, struct record_reader *r, const char *text)
{
	unsigned line, block, branch;
	uint64_t taken;
	char dash;

	if (sscanf(text, "%u,%u,%u,%" SCNu64, &line, &block, &branch, &taken) == 4)
		return lcov_add_branch(data, r->file, line, block, branch, (int64_t)taken);
	if (sscanf(text, "%u,%u,%u,%c", &line, &block, &branch, &dash) == 4 && dash == '-')
		return lcov_add_branch(data, r->file, line, block, branch, LCOV_NOT_RUN);
	return read_error(r, "BRDA needs LINE,BLOCK,BRANCH,TAKEN");
}

static int read_record_line(struct lcov_data *data, struct record_reader *r, char *text)
{
	unsigned line;
	uint64_t count;
	int used = 0;

	text[strcspn(text, "\r\n")] = '\0';
	if (strncmp(text, "SF:", 3) == 0) {
		r->in_record = true;
		r->record_functions = data->function_count;
		return lcov_file(data, text + 3, &r->file);
	}
	if (strcmp(text, "end_of_record") == 0) {
		r->in_record = false;
		return 0;
	}
	if (!r->in_record || !text[0] || strncmp(text, "TN:", 3) == 0)
		return 0;
	if (strncmp(text, "DA:", 3) == 0) {
		if (sscanf(text + 3, "%u,%" SCNu64, &line, &count) != 2)
			return read_error(r, "DA needs LINE,COUNT");
		return lcov_add_line(data, r->file, line, count);
	}
	if (strncmp(text, "FN:", 3) == 0) {
		if (sscanf(text + 3, "%u,%n", &line, &used) != 1 || !used)
			return read_error(r, "FN needs LINE,NAME");
		return lcov_add_function(data, r->file, line, text + 3 + used, 0);
	}
	if (strncmp(text, "FNDA:", 5) == 0)
		return read_function_count(data, r, text + 5);
	if (strncmp(text, "BRDA:", 5) == 0)
		return read_branch(data, r, text + 5);
	return 0; /* the totals (LF, LH, FNF, ...) are computed again when written */
}

int lcov_read(struct lcov_data *data, const char *path)
{
	struct record_reader r = { .path = path };
	FILE *in = fopen(path, "r");
	char text[8192];
	int result = 0;

	if (!in)
		return error_set("%s: %s", path, strerror(errno));
	while (result == 0 && fgets(text, sizeof(text), in)) {
		r.line_number++;
		result = read_record_line(data, &r, text);
	}
	fclose(in);
	return result;
}
