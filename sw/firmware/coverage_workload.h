/* The known-branch workload of the coverage tests, built for the guest and for the host (gcov). */
#ifndef QVP_COVERAGE_WORKLOAD_H
#define QVP_COVERAGE_WORKLOAD_H

int coverage_workload(int n);

#endif
