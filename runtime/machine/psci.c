/* The Power State Coordination Interface (Arm DEN 0022): CPU 0 is on from reset, the others
 * from CPU_ON (at once: never ON_PENDING) until CPU_OFF; CPU_SUSPEND is a standby (WFI) for
 * every power state, as QEMU's; SYSTEM_OFF ends the run with status 0 and SYSTEM_RESET
 * rebuilds the board (machine_request_reset). */
#include "psci.h"

#include <stddef.h>

#include "bus.h"
#include "error.h"
#include "iss.h"
#include "machine.h"
#include "platform.h"
#include "psci_ids.h"

#define PSCI_MIGRATE_NOT_NEEDED 2 /* MIGRATE_INFO_TYPE: no Trusted OS that needs migrating */
#define NO_CPU MACHINE_MAX_CPUS

struct psci_call {
	struct machine *machine;
	uint32_t function; /* the SMC32 form: bit 30 cleared */
	bool smc64;
	uint64_t args[3];  /* x1..x3, cut to 32 bits for SMC32 calls */
};

/* The functions this board implements, and whether each also has an SMC64 form. */
static const struct {
	uint32_t function;
	bool has_smc64;
} implemented[] = {
	{ PSCI_VERSION, false },
	{ PSCI_CPU_SUSPEND, true },
	{ PSCI_CPU_OFF, false },
	{ PSCI_CPU_ON, true },
	{ PSCI_AFFINITY_INFO, true },
	{ PSCI_MIGRATE_INFO_TYPE, false },
	{ PSCI_SYSTEM_OFF, false },
	{ PSCI_SYSTEM_RESET, false },
	{ PSCI_FEATURES, false },
};

static bool is_implemented(uint32_t function_id)
{
	bool smc64 = function_id & PSCI_FN_SMC64;

	for (size_t i = 0; i < sizeof(implemented) / sizeof(implemented[0]); i++)
		if (implemented[i].function == (function_id & ~PSCI_FN_SMC64))
			return !smc64 || implemented[i].has_smc64;
	return false;
}

/* The board CPU whose MPIDR affinity is `affinity`, or NO_CPU. */
static unsigned cpu_of(const struct machine *machine, uint64_t affinity)
{
	for (unsigned k = 0; k < machine->cpu_count; k++)
		if (machine->cpus[k].affinity == affinity)
			return k;
	return NO_CPU;
}

/* CPU_ON(target, entry, context id): the target starts at once, at the caller's time. */
static int64_t cpu_on(const struct psci_call *call)
{
	struct machine *machine = call->machine;
	unsigned target = cpu_of(machine, call->args[0]);

	if (target == NO_CPU)
		return PSCI_INVALID_PARAMETERS;
	if (machine->cpus[target].powered)
		return PSCI_ALREADY_ON;
	if (!bus_ram_pointer(machine->bus, call->args[1], 4) || (call->args[1] & 3))
		return PSCI_INVALID_ADDRESS;
	if (machine_start_cpu(machine, target, call->args[1], call->args[2]) < 0) {
		machine_request_fatal_stop(machine);
		return PSCI_INTERNAL_FAILURE;
	}
	return PSCI_SUCCESS;
}

/* Whether `affinity` names CPU `cpu` at the affinity levels from `level` up. */
static bool names_cpu(const struct machine_cpu *cpu, uint64_t affinity, uint64_t level)
{
	uint64_t ignored = level == 0 ? 0 : level == 1 ? 0xff : level == 2 ? 0xffff : 0xffffff;
	uint64_t compared = MPIDR_AFFINITY_FIELDS & ~ignored;

	return (affinity & compared) == (cpu->affinity & compared);
}

/* AFFINITY_INFO(target, lowest level): ON when any CPU of the named node is on. */
static int64_t affinity_info(const struct psci_call *call)
{
	const struct machine *machine = call->machine;
	bool named = false, on = false;

	if (call->args[1] > 3 || (call->args[0] & ~MPIDR_AFFINITY_FIELDS))
		return PSCI_INVALID_PARAMETERS;
	for (unsigned k = 0; k < machine->cpu_count; k++) {
		if (!names_cpu(&machine->cpus[k], call->args[0], call->args[1]))
			continue;
		named = true;
		on = on || machine->cpus[k].powered;
	}
	if (!named)
		return PSCI_INVALID_PARAMETERS;
	return on ? PSCI_AFFINITY_ON : PSCI_AFFINITY_OFF;
}

/* CPU_OFF: the caller stops at once and does not return; with none left on, the run ends. */
static int64_t cpu_off(const struct psci_call *call)
{
	struct machine *machine = call->machine;

	machine->cpus[machine->current_cpu].powered = false;
	for (unsigned k = 0; k < machine->cpu_count; k++)
		if (machine->cpus[k].powered) {
			machine_kick_cpu(machine);
			return PSCI_SUCCESS;
		}
	error_set("PSCI CPU_OFF: the %s CPU turned itself off; nothing can turn it on again",
	          machine->cpu_count == 1 ? "only" : "last running");
	machine_request_fatal_stop(machine);
	return PSCI_SUCCESS;
}

/* CPU_SUSPEND: the CPU stands by until an interrupt, as in WFI, and returns SUCCESS; a
 * powerdown state is taken as standby too (no state is lost), and a power level above the
 * core's or a reserved bit (31:17 of the original power_state format) is INVALID_PARAMETERS. */
static int64_t cpu_suspend(const struct psci_call *call)
{
	if (call->args[0] & 0xfffe0000u)
		return PSCI_INVALID_PARAMETERS;
	iss_wait_for_interrupt(call->machine->cpu);
	return PSCI_SUCCESS;
}

static int64_t dispatch(const struct psci_call *call)
{
	switch (call->function) {
	case PSCI_VERSION:
		return PSCI_VERSION_IMPLEMENTED;
	case PSCI_FEATURES:
		return is_implemented((uint32_t)call->args[0]) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
	case PSCI_CPU_ON:
		return cpu_on(call);
	case PSCI_CPU_SUSPEND:
		return cpu_suspend(call);
	case PSCI_CPU_OFF:
		return cpu_off(call);
	case PSCI_AFFINITY_INFO:
		return affinity_info(call);
	case PSCI_MIGRATE_INFO_TYPE:
		return PSCI_MIGRATE_NOT_NEEDED;
	case PSCI_SYSTEM_OFF:
		machine_request_exit(call->machine, 0);
		return PSCI_SUCCESS;
	case PSCI_SYSTEM_RESET:
		machine_request_reset(call->machine);
		return PSCI_SUCCESS;
	}
	return PSCI_NOT_SUPPORTED;
}

bool psci_call(void *opaque, struct cpu *cpu, bool smc, uint16_t imm)
{
	struct psci_call call = { .machine = opaque };
	uint64_t x0 = 0;
	uint32_t function_id;
	int64_t result = PSCI_NOT_SUPPORTED;

	(void)imm;
	if (smc != platform_start_el2(call.machine->fdt))
		return false; /* not the conduit the tree names (psci method) */
	cpu->ops->get_register(cpu, CPU_REG_X0, &x0);
	function_id = (uint32_t)x0; /* the function ID is W0: bits 63:32 are not part of it */
	call.smc64 = function_id & PSCI_FN_SMC64;
	call.function = function_id & ~PSCI_FN_SMC64;
	for (int i = 0; i < 3; i++) {
		cpu->ops->get_register(cpu, (enum cpu_register)(CPU_REG_X0 + 1 + i), &call.args[i]);
		if (!call.smc64)
			call.args[i] &= 0xffffffffu;
	}
	if (!call.smc64 || is_implemented(function_id))
		result = dispatch(&call);
	cpu->ops->set_register(cpu, CPU_REG_X0, (uint64_t)result);
	return true;
}
