#include "vtime.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

struct time_unit {
	const char *suffix;
	vtime_t picoseconds;
};

static const struct time_unit time_units[] = {
	{ "ps", 1 },
	{ "ns", 1000ull },
	{ "us", 1000ull * 1000 },
	{ "ms", 1000ull * 1000 * 1000 },
	{ "s", 1000ull * 1000 * 1000 * 1000 },
	{ "", 1000ull }, /* a bare number is nanoseconds */
};

int vtime_parse(const char *text, vtime_t *out)
{
	char *end;
	unsigned long long count;

	if (text[0] < '0' || text[0] > '9')
		return error_set("invalid time '%s': expected a number with a unit (ps, ns, us, ms, s)", text);
	errno = 0;
	count = strtoull(text, &end, 10);
	if (errno == ERANGE)
		return error_set("invalid time '%s': too large", text);
	for (size_t i = 0; i < sizeof(time_units) / sizeof(time_units[0]); i++) {
		if (strcmp(end, time_units[i].suffix) != 0)
			continue;
		if (count > UINT64_MAX / time_units[i].picoseconds)
			return error_set("invalid time '%s': more than %" PRIu64 " ps", text, UINT64_MAX);
		*out = count * time_units[i].picoseconds;
		return 0;
	}
	return error_set("invalid time '%s': unknown unit '%s' (use ps, ns, us, ms or s)", text, end);
}

void vtime_format(vtime_t time, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRIu64 ".%012" PRIu64 " s", time / VTIME_S, time % VTIME_S);
}
