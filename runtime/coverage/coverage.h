/*
 * Firmware coverage without instrumenting the firmware (docs/coverage.md): the iss backend
 * marks what ran (iss.h's iss_coverage), and this room maps it to source lines, functions
 * and branches through the DWARF line tables of the images (libdw), written as an lcov
 * tracefile. It also merges tracefiles (qvp test --coverage).
 */
#ifndef QVP_COVERAGE_H
#define QVP_COVERAGE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct coverage;
struct iss_coverage;

struct coverage *coverage_create(void); /* NULL with error_set() */
void coverage_destroy(struct coverage *coverage);

/* An ELF file whose lines to report: "FILE" or "FILE@OFFSET", where its code ran OFFSET
 * bytes above its physical (p_paddr) addresses, e.g. U-Boot's relocated copy. */
int coverage_add_image(struct coverage *coverage, const char *spec);

/* The coverage of one run: the lines of `firmware` (an ELF, or NULL for none) and of each
 * --coverage-image spec; NULL with error_set() when one is not usable. */
struct coverage *coverage_start(const char *firmware, const char *const *images, unsigned count);

/* The map the CPU marks (machine_config.coverage). */
struct iss_coverage *coverage_map(struct coverage *coverage);

/* Writes the lcov tracefile of what ran in the images added. */
int coverage_write(struct coverage *coverage, const char *path);

/* Merges lcov tracefiles into one at `path`: counts added up (in how many tests a line ran). */
int coverage_merge(const char *const *inputs, unsigned count, const char *path);

#ifdef __cplusplus
}
#endif
#endif
