/* Which tests a farm runs: the shard given with --shard K/N. */
#include "farm.h"

#include <errno.h>
#include <stdlib.h>

#include "error.h"

static int parse_part(const char *text, char **end, unsigned long *value)
{
	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	*value = strtoul(text, end, 10);
	return errno || *value == 0 || *value > 1000000 ? -1 : 0;
}

int farm_shard_parse(const char *text, unsigned *k, unsigned *n)
{
	unsigned long first, second;
	char *end;

	if (parse_part(text, &end, &first) < 0 || *end != '/' || parse_part(end + 1, &end, &second) < 0 || *end ||
	    first > second)
		return error_set("--shard: invalid shard '%s': expected K/N with 1 <= K <= N (e.g. 2/4)", text);
	*k = (unsigned)first;
	*n = (unsigned)second;
	return 0;
}

bool farm_shard_contains(size_t index, unsigned k, unsigned n)
{
	return index % n == k - 1;
}
