/*
 * Code whose coverage is known: a function never called, an `if` taken one way only, a loop,
 * a switch with a case never reached. tests/test_coverage.cpp compares what qvp's --coverage
 * says of these lines with what gcov says of the same source built for the host.
 */
#include "coverage_workload.h"

static int never_called(int x)
{
	return x * 3;
}

static int classify(int x)
{
	if (x > 100)
		return never_called(x);
	return x + 1;
}

static int weigh(int x)
{
	switch (x % 3) {
	case 0:
		return 2;
	case 1:
		return 5;
	default:
		if (x < 0)
			return -1;
		return 7;
	}
}

int coverage_workload(int n)
{
	int sum = 0;

	for (int i = 0; i < n; i++)
		sum += classify(i) + weigh(i);
	if (sum < 0)
		sum = -sum;
	return sum;
}
