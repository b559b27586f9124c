/* PSCI CPU_OFF on the only CPU: nothing can turn it on again, so the run must stop and say so. */
#include <psci_ids.h>
#include <stdint.h>
#include <stdio.h>


static int64_t cpu_off(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_CPU_OFF;

	__asm__ volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	return (int64_t)x0;
}

int main(void)
{
	printf("psci_cpu_off: turning the only CPU off\n");
	printf("psci_cpu_off: CPU_OFF returned %ld\n", (long)cpu_off());
	return 1;
}
