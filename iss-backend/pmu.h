/* Performance monitors (pmu.c): PMUv3 with the cycle counter, counted lazily. */
#ifndef QVP_ISS_PMU_H
#define QVP_ISS_PMU_H

#include "iss_state.h"

/* The registers the sysreg table hands over. */
enum iss_pmu_register {
	PMU_PMCR,
	PMU_PMCNTENSET,
	PMU_PMCNTENCLR,
	PMU_PMOVSCLR,
	PMU_PMOVSSET,
	PMU_PMSWINC,
	PMU_PMSELR,
	PMU_PMCEID0,
	PMU_PMCEID1,
	PMU_PMCCNTR,
	PMU_PMXEVTYPER,
	PMU_PMXEVCNTR,
	PMU_PMUSERENR,
	PMU_PMINTENSET,
	PMU_PMINTENCLR,
	PMU_PMCCFILTR,
};
void iss_pmu_sync(struct iss *cpu); /* before the EL or the counting configuration changes */
int iss_pmu_el0_access(const struct iss *cpu, enum iss_pmu_register reg, bool read); /* 1, 0 UNDEFINED, -1 trap */
bool iss_pmu_read(struct iss *cpu, enum iss_pmu_register reg, uint64_t *value); /* false: UNDEFINED */
void iss_pmu_write(struct iss *cpu, enum iss_pmu_register reg, uint64_t value);

#endif
