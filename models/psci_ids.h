/* PSCI function IDs and return codes (Arm DEN 0022), shared by the runtime's PSCI
 * (runtime/machine/psci.c) and the guest firmware that calls it. */
#ifndef QVP_PSCI_IDS_H
#define QVP_PSCI_IDS_H

#define PSCI_FN_SMC64 0x40000000u /* bit 30 of a function ID: the 64-bit calling convention */

enum psci_function {
	PSCI_VERSION = 0x84000000u,
	PSCI_CPU_SUSPEND = 0x84000001u,
	PSCI_CPU_OFF = 0x84000002u,
	PSCI_CPU_ON = 0x84000003u,
	PSCI_AFFINITY_INFO = 0x84000004u,
	PSCI_MIGRATE = 0x84000005u,
	PSCI_MIGRATE_INFO_TYPE = 0x84000006u,
	PSCI_MIGRATE_INFO_UP_CPU = 0x84000007u,
	PSCI_SYSTEM_OFF = 0x84000008u,
	PSCI_SYSTEM_RESET = 0x84000009u,
	PSCI_FEATURES = 0x8400000au,
};

enum psci_return {
	PSCI_SUCCESS = 0,
	PSCI_NOT_SUPPORTED = -1,
	PSCI_INVALID_PARAMETERS = -2,
	PSCI_ALREADY_ON = -4,
	PSCI_ON_PENDING = -5,
	PSCI_INTERNAL_FAILURE = -6,
	PSCI_NOT_PRESENT = -7,
	PSCI_DISABLED = -8,
	PSCI_INVALID_ADDRESS = -9,
};

/* AFFINITY_INFO's answers. */
enum psci_affinity_state {
	PSCI_AFFINITY_ON = 0,
	PSCI_AFFINITY_OFF = 1,
	PSCI_AFFINITY_ON_PENDING = 2,
};

#endif
