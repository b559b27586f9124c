/* The Power State Coordination Interface (Arm DEN 0022) for a uniprocessor board: the only
 * CPU is always on, so CPU_ON and AFFINITY_INFO only ever talk about it, SYSTEM_OFF ends the
 * run with status 0 and SYSTEM_RESET rebuilds the board (machine_request_reset). */
#include "psci.h"

#include <stddef.h>

#include "error.h"
#include "machine.h"
#include "psci_ids.h"

#define PSCI_AFFINITY_ON 0
#define PSCI_MIGRATE_NOT_NEEDED 2 /* MIGRATE_INFO_TYPE: no Trusted OS that needs migrating */
#define MPIDR_AFFINITY_MASK 0xff00ffffffull /* Aff3, Aff2, Aff1, Aff0 */

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

/* Affinity fields that name the only CPU (MPIDR_EL1 affinity 0.0.0.0) at levels >= `level`. */
static bool is_this_cpu(uint64_t affinity, uint64_t level)
{
	uint64_t ignored = level == 0 ? 0 : level == 1 ? 0xff : level == 2 ? 0xffff : 0xffffff;

	return (affinity & MPIDR_AFFINITY_MASK & ~ignored) == 0;
}

static int64_t cpu_on(const struct psci_call *call)
{
	return is_this_cpu(call->args[0], 0) ? PSCI_ALREADY_ON : PSCI_INVALID_PARAMETERS;
}

static int64_t affinity_info(const struct psci_call *call)
{
	if (call->args[1] > 3 || !is_this_cpu(call->args[0], call->args[1]))
		return PSCI_INVALID_PARAMETERS;
	return PSCI_AFFINITY_ON;
}

/* The only CPU off: nothing is left that could turn it on again. */
static int64_t cpu_off(const struct psci_call *call)
{
	error_set("PSCI CPU_OFF: the only CPU turned itself off; nothing can turn it on again");
	machine_request_fatal_stop(call->machine);
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
	if (smc)
		return false;
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
