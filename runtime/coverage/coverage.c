/* A run's coverage: the map the CPU marks, the images whose lines it is reported for. */
#include "coverage.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "image_dwarf.h"
#include "iss.h"
#include "lcov.h"

#define MAX_IMAGES 16

struct coverage_image {
	char *path;
	uint64_t offset; /* where its code ran, above its physical addresses */
};

struct coverage {
	struct iss_coverage *map;
	struct coverage_image images[MAX_IMAGES];
	unsigned image_count;
};

struct coverage *coverage_create(void)
{
	struct coverage *coverage = calloc(1, sizeof(*coverage));

	if (coverage)
		coverage->map = iss_coverage_create();
	if (!coverage || !coverage->map) {
		free(coverage);
		error_set("coverage: out of memory");
		return NULL;
	}
	return coverage;
}

void coverage_destroy(struct coverage *coverage)
{
	if (!coverage)
		return;
	for (unsigned k = 0; k < coverage->image_count; k++)
		free(coverage->images[k].path);
	iss_coverage_destroy(coverage->map);
	free(coverage);
}

struct iss_coverage *coverage_map(struct coverage *coverage)
{
	return coverage->map;
}

/* "@OFFSET" at the end of a spec: true and the offset when it is one. */
static bool parse_offset(const char *at, uint64_t *offset)
{
	char *end;

	if (!at || !at[1] || at[1] == '-')
		return false;
	errno = 0;
	*offset = strtoull(at + 1, &end, 0);
	return !errno && !*end;
}

int coverage_add_image(struct coverage *coverage, const char *spec)
{
	const char *at = strrchr(spec, '@');
	struct coverage_image *image = &coverage->images[coverage->image_count];
	size_t length = strlen(spec);

	if (coverage->image_count == MAX_IMAGES)
		return error_set("--coverage-image: at most %d images", MAX_IMAGES);
	image->offset = 0;
	if (parse_offset(at, &image->offset))
		length = (size_t)(at - spec);
	else if (at && at[1] && strchr(at, '/') == NULL)
		return error_set("--coverage-image %s: '%s' is not an offset (FILE@0x200000)", spec, at + 1);
	if (length == 0)
		return error_set("--coverage-image '%s': no FILE", spec);
	image->path = strndup(spec, length);
	if (!image->path)
		return error_set("coverage: out of memory");
	if (access(image->path, R_OK) != 0) {
		error_set("--coverage-image %s: %s", image->path, strerror(errno));
		free(image->path);
		return -1;
	}
	coverage->image_count++;
	return 0;
}

struct coverage *coverage_start(const char *firmware, const char *const *images, unsigned count)
{
	struct coverage *coverage = coverage_create();
	int result = coverage ? 0 : -1;

	if (result == 0 && firmware)
		result = coverage_add_image(coverage, firmware);
	for (unsigned k = 0; result == 0 && k < count; k++)
		result = coverage_add_image(coverage, images[k]);
	if (result < 0) {
		coverage_destroy(coverage);
		return NULL;
	}
	return coverage;
}

/* ---- What ran, by source line ---- */

struct collector {
	const struct iss_coverage *map;
	struct lcov_data data;
};

static bool executed(const struct collector *c, uint64_t pa)
{
	return iss_coverage_marks(c->map, pa) & ISS_COVERAGE_EXECUTED;
}

static int collect_line(void *opaque, const char *file, unsigned line, uint64_t pa, uint64_t length)
{
	struct collector *c = opaque;
	unsigned index;
	bool ran = false;

	for (uint64_t at = pa & ~3ull; at < pa + length && !ran; at += 4)
		ran = executed(c, at);
	if (lcov_file(&c->data, file, &index) < 0)
		return -1;
	return lcov_add_line(&c->data, index, line, ran);
}

/* Branch 0 is the jump to the target, branch 1 the fall-through. */
static int collect_branch(void *opaque, const char *file, unsigned line, uint64_t pa)
{
	struct collector *c = opaque;
	unsigned marks = iss_coverage_marks(c->map, pa), index;
	bool ran = marks & ISS_COVERAGE_EXECUTED;

	if (lcov_file(&c->data, file, &index) < 0 ||
	    lcov_add_branch(&c->data, index, line, pa, 0, ran ? !!(marks & ISS_COVERAGE_TAKEN) : LCOV_NOT_RUN) < 0)
		return -1;
	return lcov_add_branch(&c->data, index, line, pa, 1, ran ? !!(marks & ISS_COVERAGE_NOT_TAKEN) : LCOV_NOT_RUN);
}

static int collect_function(void *opaque, const char *file, unsigned line, const char *name, uint64_t pa)
{
	struct collector *c = opaque;
	unsigned index;

	if (lcov_file(&c->data, file, &index) < 0)
		return -1;
	return lcov_add_function(&c->data, index, line, name, executed(c, pa));
}

int coverage_write(struct coverage *coverage, const char *path)
{
	struct collector c = { .map = coverage->map };
	struct image_dwarf_visitor visitor = {
		.line_range = collect_line, .branch = collect_branch, .function = collect_function, .opaque = &c };
	int result = 0;

	for (unsigned k = 0; k < coverage->image_count && result == 0; k++)
		result = image_dwarf_visit(coverage->images[k].path, coverage->images[k].offset, &visitor);
	if (result == 0)
		result = lcov_write(&c.data, path, "", LCOV_FOLD_ANY);
	lcov_release(&c.data);
	return result;
}

int coverage_merge(const char *const *inputs, unsigned count, const char *path)
{
	struct lcov_data data = { 0 };
	int result = 0;

	for (unsigned k = 0; k < count && result == 0; k++)
		result = lcov_read(&data, inputs[k]);
	if (result == 0)
		result = lcov_write(&data, path, "", LCOV_FOLD_SUM);
	lcov_release(&data);
	return result;
}
