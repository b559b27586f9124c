/*
 * The performance monitors: PMUv3 with no event counters (PMCR_EL0.N = 0) and a cycle
 * counter that counts retired instructions, one cycle each, so it is as deterministic as
 * the instruction count. Nothing runs per instruction: PMCCNTR_EL0 is brought up to date
 * from the instruction count when software reads or reconfigures it, and when the EL
 * changes (PMCCFILTR_EL0 filters by EL). The overflow flag is computed at the same moments;
 * no overflow interrupt is wired, so nobody could see it earlier.
 */
#include "dispatch.h"
#include "iss_state.h"
#include "pmu.h"

/* PMCR_EL0 fields. */
#define PMCR_E  (1ull << 0) /* enable */
#define PMCR_P  (1ull << 1) /* reset the event counters (there are none) */
#define PMCR_C  (1ull << 2) /* reset the cycle counter */
#define PMCR_D  (1ull << 3) /* count once every 64 cycles */
#define PMCR_DP (1ull << 5) /* disable where event counting is prohibited: nowhere here */
#define PMCR_LC (1ull << 6) /* the overflow is at 64 bits, not 32 */
#define PMCR_WRITABLE (PMCR_E | PMCR_D | PMCR_DP | PMCR_LC)
#define PMCR_ID (0x41ull << 24 | 0x01ull << 16) /* IMP Arm, IDCODE Cortex-A57; N = 0 (bits 15:11) */

#define PMU_CYCLE_BIT (1ull << 31) /* the cycle counter's bit in PMCNTEN, PMOVS, PMINTEN */
#define PMCCFILTR_P   (1ull << 31) /* do not count at EL1 */
#define PMCCFILTR_U   (1ull << 30) /* do not count at EL0 (NSK, NSU, NSH, M are RES0 without EL2/EL3) */
#define PMSELR_CYCLE  31u          /* PMSELR_EL0.SEL that makes PMXEVTYPER_EL0 PMCCFILTR_EL0 */
#define PMCEID0_CPU_CYCLES (1ull << 0x11) /* the one common event: CPU_CYCLES, by the cycle counter */
#define DIVIDER 64u

/* PMUSERENR_EL0 bits. */
#define PMUSERENR_EN 1u /* EL0 may access every PMU register but PMINTEN */
#define PMUSERENR_SW 2u /* EL0 may write PMSWINC_EL0 */
#define PMUSERENR_CR 4u /* EL0 may read PMCCNTR_EL0 */
#define PMUSERENR_ER 8u /* EL0 may read PMXEVCNTR_EL0 and read/write PMSELR_EL0 */

static bool counts_at_el(const struct iss *cpu, unsigned el)
{
	uint64_t filter = el ? PMCCFILTR_P : PMCCFILTR_U;

	return (cpu->pmcr_el0 & PMCR_E) && (cpu->pmcnten & PMU_CYCLE_BIT) && !(cpu->pmccfiltr & filter);
}

/* Adds `cycles` to PMCCNTR_EL0, setting the overflow flag on a wrap at 32 or 64 bits (PMCR.LC). */
static void advance(struct iss *cpu, uint64_t cycles)
{
	uint64_t old = cpu->pmccntr;

	if ((cpu->pmcr_el0 & (PMCR_D | PMCR_LC)) == PMCR_D) { /* the divider applies with LC = 0 */
		uint64_t total = cpu->pmu_phase + cycles;
		cpu->pmu_phase = (unsigned)(total % DIVIDER);
		cycles = total / DIVIDER;
	}
	cpu->pmccntr = old + cycles;
	if (cpu->pmcr_el0 & PMCR_LC) {
		if (cpu->pmccntr < old)
			cpu->pmovs |= PMU_CYCLE_BIT;
	} else if (cycles > UINT32_MAX - (old & UINT32_MAX)) {
		cpu->pmovs |= PMU_CYCLE_BIT;
	}
}

/* Counts the instructions from pmu_since up to (not including) instruction `now`. */
static void sync_to(struct iss *cpu, uint64_t now)
{
	if (counts_at_el(cpu, cpu->el))
		advance(cpu, now - cpu->pmu_since);
	cpu->pmu_since = now;
}

/* Brings PMCCNTR_EL0 up to the current instruction, which counts under what follows (a new EL). */
void iss_pmu_sync(struct iss *cpu)
{
	sync_to(cpu, iss_instruction_count(cpu));
}

/* The PMU registers' EL0 access under PMUSERENR_EL0: 1 allowed, 0 UNDEFINED, -1 trapped to EL1. */
int iss_pmu_el0_access(const struct iss *cpu, enum iss_pmu_register reg, bool read)
{
	uint64_t enabled = cpu->pmuserenr;

	switch (reg) {
	case PMU_PMUSERENR:
		return read ? 1 : 0;
	case PMU_PMINTENSET:
	case PMU_PMINTENCLR:
		return 0;
	case PMU_PMSWINC:
		if (read)
			return 0; /* write-only */
		enabled &= PMUSERENR_EN | PMUSERENR_SW;
		break;
	case PMU_PMCCNTR:
		enabled &= read ? PMUSERENR_EN | PMUSERENR_CR : PMUSERENR_EN;
		break;
	case PMU_PMXEVCNTR:
		enabled &= read ? PMUSERENR_EN | PMUSERENR_ER : PMUSERENR_EN;
		break;
	case PMU_PMSELR:
		enabled &= PMUSERENR_EN | PMUSERENR_ER;
		break;
	default:
		enabled &= PMUSERENR_EN;
		break;
	}
	return enabled ? 1 : -1;
}

/* MRS of a PMU register; false when the register cannot be read (UNDEFINED). */
bool iss_pmu_read(struct iss *cpu, enum iss_pmu_register reg, uint64_t *value)
{
	switch (reg) {
	case PMU_PMCR:
		*value = (cpu->pmcr_el0 & PMCR_WRITABLE) | PMCR_ID;
		return true;
	case PMU_PMCNTENSET:
	case PMU_PMCNTENCLR:
		*value = cpu->pmcnten;
		return true;
	case PMU_PMOVSSET:
	case PMU_PMOVSCLR:
		iss_pmu_sync(cpu); /* an overflow until now sets the flag */
		*value = cpu->pmovs;
		return true;
	case PMU_PMINTENSET:
	case PMU_PMINTENCLR:
		*value = cpu->pminten;
		return true;
	case PMU_PMUSERENR:
		*value = cpu->pmuserenr;
		return true;
	case PMU_PMSELR:
		*value = cpu->pmselr;
		return true;
	case PMU_PMCEID0:
		*value = PMCEID0_CPU_CYCLES;
		return true;
	case PMU_PMCEID1:
		*value = 0;
		return true;
	case PMU_PMCCNTR:
		iss_pmu_sync(cpu);
		*value = cpu->pmccntr;
		return true;
	case PMU_PMXEVTYPER: /* SEL = 31 selects PMCCFILTR_EL0; other counters do not exist: RAZ/WI */
	case PMU_PMCCFILTR:
		*value = reg == PMU_PMCCFILTR || cpu->pmselr == PMSELR_CYCLE ? cpu->pmccfiltr : 0;
		return true;
	case PMU_PMXEVCNTR: /* no event counter to select: RAZ/WI (CONSTRAINED UNPREDICTABLE) */
		*value = 0;
		return true;
	case PMU_PMSWINC:
		return false;
	}
	return false;
}

/*
 * MSR of a PMU register (the read-only PMCEIDs never get here). The MSR itself counts under
 * the old configuration; a value written to PMCCNTR_EL0 is the count after the MSR.
 */
void iss_pmu_write(struct iss *cpu, enum iss_pmu_register reg, uint64_t value)
{
	sync_to(cpu, iss_instruction_count(cpu) + 1);
	switch (reg) {
	case PMU_PMCR:
		if (value & PMCR_C) {
			cpu->pmccntr = 0;
			cpu->pmu_phase = 0;
		}
		cpu->pmcr_el0 = value & PMCR_WRITABLE; /* PMCR.P: no event counters to reset */
		break;
	case PMU_PMCNTENSET:
		cpu->pmcnten |= value & PMU_CYCLE_BIT;
		break;
	case PMU_PMCNTENCLR:
		cpu->pmcnten &= ~value;
		break;
	case PMU_PMOVSSET:
		cpu->pmovs |= value & PMU_CYCLE_BIT;
		break;
	case PMU_PMOVSCLR:
		cpu->pmovs &= ~value;
		break;
	case PMU_PMINTENSET:
		cpu->pminten |= value & PMU_CYCLE_BIT;
		break;
	case PMU_PMINTENCLR:
		cpu->pminten &= ~value;
		break;
	case PMU_PMUSERENR:
		cpu->pmuserenr = value & (PMUSERENR_EN | PMUSERENR_SW | PMUSERENR_CR | PMUSERENR_ER);
		break;
	case PMU_PMSELR:
		cpu->pmselr = value & 31;
		break;
	case PMU_PMCCNTR:
		cpu->pmccntr = value;
		cpu->pmu_phase = 0;
		break;
	case PMU_PMXEVTYPER:
	case PMU_PMCCFILTR:
		if (reg == PMU_PMCCFILTR || cpu->pmselr == PMSELR_CYCLE)
			cpu->pmccfiltr = value & (PMCCFILTR_P | PMCCFILTR_U);
		break;
	case PMU_PMXEVCNTR:
	case PMU_PMSWINC: /* increments event counters of event 0x00: there are none */
	case PMU_PMCEID0:
	case PMU_PMCEID1:
		break;
	}
}
