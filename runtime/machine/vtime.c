#include "vtime.h"

#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

struct time_unit {
	const char *name;
	vtime_t picoseconds;
};

static const struct time_unit time_units[] = {
	{ "ps", 1 }, { "ns", 1000ull }, { "us", 1000000ull }, { "ms", 1000000000ull }, { "s", 1000000000000ull },
};

/* Digits at *s into *value (at most UINT64_MAX) and their count; advances *s. */
static bool parse_digits(const char **s, unsigned __int128 *value, unsigned *count)
{
	*value = 0;
	for (*count = 0; **s >= '0' && **s <= '9'; (*s)++, (*count)++) {
		*value = *value * 10 + (unsigned)(**s - '0');
		if (*value > UINT64_MAX)
			return false;
	}
	return true;
}

/* The unit at *s: "s" is tried last, after the units that end in it. */
static const struct time_unit *parse_unit(const char **s)
{
	for (size_t i = 0; i < sizeof(time_units) / sizeof(time_units[0]); i++) {
		size_t n = strlen(time_units[i].name);
		if (strncmp(*s, time_units[i].name, n) == 0) {
			*s += n;
			return &time_units[i];
		}
	}
	return NULL;
}

/* The word at text (up to a blank or the end), for messages. */
static int word_length(const char *text)
{
	int n = 0;

	while (text[n] && text[n] != ' ' && text[n] != '\t' && n < 40)
		n++;
	return n;
}

int vtime_parse_prefix(const char *text, const char **end, vtime_t *out)
{
	const char *s = text;
	unsigned __int128 whole, fraction = 0, scale = 1, total;
	unsigned digits, fraction_digits = 0;
	const struct time_unit *unit;
	int n = word_length(text);

	if (*s < '0' || *s > '9')
		return error_set("expected a time such as 1.5s, 200ms or 10us, not '%.*s'", n, text);
	if (!parse_digits(&s, &whole, &digits))
		return error_set("time '%.*s' is too large", n, text);
	if (*s == '.' && (s++, !parse_digits(&s, &fraction, &fraction_digits) || fraction_digits > 12))
		return error_set("time '%.*s' is finer than a picosecond", n, text);
	unit = parse_unit(&s);
	if (!unit || (*s && *s != ' ' && *s != '\t'))
		return error_set("time '%.*s' needs a unit: ps, ns, us, ms or s (e.g. 10ms)", n, text);
	for (unsigned i = 0; i < fraction_digits; i++)
		scale *= 10;
	if (fraction * unit->picoseconds % scale != 0)
		return error_set("time '%.*s' is finer than a picosecond", n, text);
	total = whole * unit->picoseconds + fraction * unit->picoseconds / scale; /* below 2^105 */
	if (total >= VTIME_NEVER)
		return error_set("time '%.*s' is too large", n, text);
	*out = (vtime_t)total;
	*end = s;
	return 0;
}

int vtime_parse(const char *text, vtime_t *out)
{
	const char *end;

	if (vtime_parse_prefix(text, &end, out) < 0)
		return -1;
	if (*end)
		return error_set("time '%s' needs a unit: ps, ns, us, ms or s (e.g. 10ms)", text);
	return 0;
}

void vtime_format(vtime_t time, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRIu64 ".%012" PRIu64 " s", time / VTIME_S, time % VTIME_S);
}
