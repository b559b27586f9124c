/* PSCI CPU_ON with entry addresses no CPU can start at: outside RAM, and not 4-byte aligned.
 * qvp answers INVALID_ADDRESS as the specification allows; QEMU starts the CPU there anyway,
 * so this one is not compared with QEMU (tests/test_smp.cpp). */
#include <psci_ids.h>
#include <qvp/smp.h>
#include <stdio.h>

int main(void)
{
	printf("psci_bad_entry: outside RAM = %ld\n", (long)psci_call(PSCI_CPU_ON | PSCI_FN_SMC64, 1, 0x1000, 0));
	printf("psci_bad_entry: unaligned = %ld\n", (long)psci_call(PSCI_CPU_ON | PSCI_FN_SMC64, 1, 0x40080002u, 0));
	printf("psci_bad_entry: AFFINITY_INFO(cpu1) = %ld\n", (long)psci_call(PSCI_AFFINITY_INFO | PSCI_FN_SMC64, 1, 0, 0));
	return 0;
}
