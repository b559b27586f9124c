/* The coverage tests' firmware: runs the known-branch workload once (tests/test_coverage.cpp). */
#include <stdio.h>

#include "coverage_workload.h"

int main(void)
{
	printf("coverage workload: %d\n", coverage_workload(5));
	return 0;
}
