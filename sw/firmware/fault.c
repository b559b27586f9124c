/* Reads an address where nothing is mapped, with no handler installed: the SDK's default
 * handler reports the data abort (ESR_EL1, ELR_EL1, FAR_EL1) and exits with 127. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	volatile uint32_t *nowhere = (volatile uint32_t *)0x100000000ull;

	printf("fault: reading 0x100000000\n");
	return (int)*nowhere;
}
