/*
 * lcov tracefile data (lcov.c): lines, functions and branches by source file, folded and
 * written in lcov's format, or read back from a tracefile to merge several.
 */
#ifndef QVP_COVERAGE_LCOV_H
#define QVP_COVERAGE_LCOV_H

#include <stddef.h>
#include <stdint.h>

#define LCOV_NOT_RUN (-1) /* a branch whose line never ran: '-' in BRDA */

struct lcov_line {
	unsigned file;
	unsigned line;
	uint64_t count;
};

struct lcov_function {
	unsigned file;
	unsigned line;
	char *name;
	uint64_t count;
};

struct lcov_branch {
	unsigned file;
	unsigned line;
	uint64_t order; /* where it is in its line (an address, or a block read back): numbers the blocks */
	unsigned branch;
	int64_t taken; /* LCOV_NOT_RUN or a count */
};

struct lcov_data {
	char **files;
	size_t file_count, file_capacity;
	unsigned last_file; /* lookups come in runs of one file */
	struct lcov_line *lines;
	size_t line_count, line_capacity;
	struct lcov_function *functions;
	size_t function_count, function_capacity;
	struct lcov_branch *branches;
	size_t branch_count, branch_capacity;
};

/* How entries for the same line, function or branch fold: one run says whether it ran at
 * all; tracefiles merged add up. */
enum lcov_fold {
	LCOV_FOLD_ANY,
	LCOV_FOLD_SUM,
};

/* Each returns -1 with error_set() when out of memory. */
int lcov_file(struct lcov_data *data, const char *path, unsigned *file);
int lcov_add_line(struct lcov_data *data, unsigned file, unsigned line, uint64_t count);
int lcov_add_function(struct lcov_data *data, unsigned file, unsigned line, const char *name, uint64_t count);
int lcov_add_branch(struct lcov_data *data, unsigned file, unsigned line, uint64_t order, unsigned branch,
		    int64_t taken);

/* Writes the folded data, files by path, with "TN:<test_name>"; in the same order every time. */
int lcov_write(struct lcov_data *data, const char *path, const char *test_name, enum lcov_fold fold);
/* Adds a tracefile's records (one test's: its lines, functions and branches) to `data`. */
int lcov_read(struct lcov_data *data, const char *path);
void lcov_release(struct lcov_data *data);

#endif
