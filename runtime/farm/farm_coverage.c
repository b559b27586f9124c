/* qvp test --coverage DIR: each test's first run writes DIR/<test>.info, and the farm merges
 * them into DIR/merged.info when the suite ends (docs/farm.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coverage.h"
#include "error.h"
#include "farm.h"

int farm_coverage_open(const char *dir)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return error_set("--coverage %s: %s", dir, strerror(errno));
	if (access(dir, W_OK | X_OK) != 0)
		return error_set("--coverage %s: cannot write there: %s", dir, strerror(errno));
	return 0;
}

char *farm_coverage_path(const char *dir, const char *test_name)
{
	char *path;

	if (asprintf(&path, "%s/%s.info", dir, test_name) < 0)
		abort();
	return path;
}

int farm_coverage_merge(const char *dir, const struct farm_summary *summary)
{
	char **inputs = calloc(summary->count + 1, sizeof(char *));
	char *merged = farm_coverage_path(dir, "merged");
	unsigned count = 0;
	int result;

	if (!inputs)
		abort();
	for (size_t k = 0; k < summary->count; k++) {
		char *path = farm_coverage_path(dir, summary->results[k].test->name);
		if (access(path, R_OK) == 0) /* a test that did not get to run has none */
			inputs[count++] = path;
		else
			free(path);
	}
	result = coverage_merge((const char *const *)inputs, count, merged);
	if (result == 0)
		printf("coverage: %s (%u tests)\n", merged, count);
	for (unsigned k = 0; k < count; k++)
		free(inputs[k]);
	free(inputs);
	free(merged);
	return result;
}
