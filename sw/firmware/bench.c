/* Benchmark firmware: a fixed integer workload; prints its checksums (tests/bench/). */
#include <stdio.h>

#include "bench_workload.h"

int main(void)
{
	struct bench_result r;

	bench_run(&r);
	return bench_print(&r, printf);
}
