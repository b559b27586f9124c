/* Fixed clocks: `clocks = <&phandle>, ...` where every provider is a fixed-clock with
 * #clock-cells = <0> and a clock-frequency. */
#include "clock.h"

#include <libfdt.h>

#include "error.h"

unsigned clock_count(const void *fdt, int node)
{
	int length;

	return fdt_getprop(fdt, node, "clocks", &length) ? (unsigned)length / 4 : 0;
}

static int read_frequency(const void *fdt, int node, uint64_t *rate)
{
	int length;
	const fdt32_t *cell = fdt_getprop(fdt, node, "clock-frequency", &length);

	if (!cell || length != 4 || fdt32_to_cpu(*cell) == 0)
		return -1;
	*rate = fdt32_to_cpu(*cell);
	return 0;
}

int clock_rate(const void *fdt, int node, unsigned index, uint64_t fallback, uint64_t *rate)
{
	int length, provider;
	const fdt32_t *clocks = fdt_getprop(fdt, node, "clocks", &length);

	*rate = fallback;
	if (clocks && index < (unsigned)length / 4) {
		provider = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(clocks[index]));
		if (provider < 0 || read_frequency(fdt, provider, rate) < 0)
			return error_set("clock %u is not a fixed clock with a clock-frequency", index);
		return 0;
	}
	read_frequency(fdt, node, rate);
	return 0;
}
