/* Calls every PSCI function the board offers through HVC, as Linux does, and prints each
 * result as "psci: NAME = VALUE" (signed decimal), then powers off with SYSTEM_OFF itself.
 * tests/test_psci.cpp checks the values on qvp and compares them with QEMU's. */
#include <psci_ids.h>
#include <qvp/smp.h> /* psci_call: HVC, as Linux calls PSCI here */
#include <stdint.h>
#include <stdio.h>

#define SMC64 PSCI_FN_SMC64

static void show(const char *name, int64_t value)
{
	printf("psci: %s = %ld\n", name, (long)value);
}

static void features(const char *name, uint32_t function)
{
	printf("psci: FEATURES(%s) = %ld\n", name, (long)psci_call(PSCI_FEATURES, function, 0, 0));
}

int main(void)
{
	uint64_t entry = 0x40080000u;

	show("VERSION", psci_call(PSCI_VERSION, 0, 0, 0));
	features("VERSION", PSCI_VERSION);
	features("CPU_OFF", PSCI_CPU_OFF);
	features("CPU_ON", PSCI_CPU_ON);
	features("CPU_ON64", PSCI_CPU_ON | SMC64);
	features("AFFINITY_INFO", PSCI_AFFINITY_INFO);
	features("AFFINITY_INFO64", PSCI_AFFINITY_INFO | SMC64);
	features("MIGRATE_INFO_TYPE", PSCI_MIGRATE_INFO_TYPE);
	features("SYSTEM_OFF", PSCI_SYSTEM_OFF);
	features("SYSTEM_RESET", PSCI_SYSTEM_RESET);
	features("FEATURES", PSCI_FEATURES);
	features("MIGRATE", PSCI_MIGRATE);
	features("unknown", 0x8400001fu);
	show("CPU_ON64(self)", psci_call(PSCI_CPU_ON | SMC64, 0, entry, 0));
	show("CPU_ON(self)", psci_call(PSCI_CPU_ON, 0, entry, 0));
	show("CPU_ON64(cpu1)", psci_call(PSCI_CPU_ON | SMC64, 1, entry, 0));
	show("CPU_ON64(aff1)", psci_call(PSCI_CPU_ON | SMC64, 0x100, entry, 0));
	show("AFFINITY_INFO64(self,0)", psci_call(PSCI_AFFINITY_INFO | SMC64, 0, 0, 0));
	show("AFFINITY_INFO(self,0)", psci_call(PSCI_AFFINITY_INFO, 0, 0, 0));
	show("AFFINITY_INFO64(cpu1,0)", psci_call(PSCI_AFFINITY_INFO | SMC64, 1, 0, 0));
	show("MIGRATE_INFO_TYPE", psci_call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0));
	show("MIGRATE_INFO_UP_CPU", psci_call(PSCI_MIGRATE_INFO_UP_CPU, 0, 0, 0));
	show("unknown(0x8400001f)", psci_call(0x8400001fu, 0, 0, 0));
	show("unknown(0xc4000000)", psci_call(PSCI_VERSION | SMC64, 0, 0, 0));
	show("unknown(0xc2000000)", psci_call(0xc2000000u, 0, 0, 0));
	printf("psci: SYSTEM_OFF\n");
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	printf("psci: still running after SYSTEM_OFF\n");
	return 1;
}
