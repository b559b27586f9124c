/* The bench workload on the host: prints exactly what bench.elf prints, as an oracle. */
#include <stdio.h>

#include "bench_workload.h"

int main(void)
{
	struct bench_result r;

	bench_run(&r);
	return bench_print(&r, printf);
}
