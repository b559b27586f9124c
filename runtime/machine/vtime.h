/* Virtual time: picoseconds since the board was reset, as an unsigned 64-bit count. */
#ifndef QVP_VTIME_H
#define QVP_VTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t vtime_t;

static const vtime_t VTIME_NS = 1000ull;
static const vtime_t VTIME_US = 1000ull * 1000;
static const vtime_t VTIME_MS = 1000ull * 1000 * 1000;
static const vtime_t VTIME_S = 1000ull * 1000 * 1000 * 1000;
/* "No such time": the end of time, used for "no event pending" and "no timeout". */
static const vtime_t VTIME_NEVER = UINT64_MAX;

/* Parses a decimal number with a unit, exactly in picoseconds: "250us", "1.5s", "40ps". A bare
 * number is an error (its unit is nobody's guess), as is a time finer than a picosecond; the
 * message (error_message()) names the accepted units. The one parser of the command line,
 * console scripts, farm manifests and gdb's monitor. */
int vtime_parse(const char *text, vtime_t *out);
/* The same for a time at the start of `text` ending at a blank or the end; *end follows it. */
int vtime_parse_prefix(const char *text, const char **end, vtime_t *out);

/* Formats as seconds with picosecond precision, e.g. "1.000250000000 s". */
void vtime_format(vtime_t time, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
