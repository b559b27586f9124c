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

/* Parses "250us", "10ms", "2s", "1500ns", "40ps"; a bare number is nanoseconds. */
int vtime_parse(const char *text, vtime_t *out);

/* Formats as seconds with picosecond precision, e.g. "1.000250000000 s". */
void vtime_format(vtime_t time, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
