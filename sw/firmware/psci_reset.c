/* PSCI SYSTEM_RESET restarts the board: the first boot dirties its data and BSS and resets;
 * the second (the generic timer's count goes on across the reset, so it knows) checks that
 * the images were loaded again and BSS is zero, and exits 0. */
#include <qvp/timer.h>
#include <psci_ids.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>


static volatile uint32_t loaded = 0x600dda7a; /* .data, as the ELF holds it */
static volatile uint32_t zeroed;              /* .bss */

static void system_reset(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_RESET;

	__asm__ volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
}

int main(void)
{
	uint64_t reset_after = timer_frequency() / 1000; /* 1 ms */

	if (timer_count() < reset_after) {
		printf("psci_reset: first boot, resetting\n");
		loaded = 0xbad;
		zeroed = 0xbad;
		while (timer_count() < reset_after)
			;
		system_reset();
		printf("psci_reset: SYSTEM_RESET returned\n");
		return 2;
	}
	printf("psci_reset: second boot: data 0x%x, bss 0x%x\n", (unsigned)loaded, (unsigned)zeroed);
	return loaded == 0x600dda7a && zeroed == 0 ? 0 : 1;
}
