/* The coverage workload built for the host with gcov: prints what coverage.elf prints. */
#include <stdio.h>

#include "coverage_workload.h"

int main(void)
{
	printf("coverage workload: %d\n", coverage_workload(5));
	return 0;
}
