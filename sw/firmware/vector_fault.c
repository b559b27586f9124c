/* Points VBAR_EL1 where nothing is mapped, then reads there: the data abort's vector fetch
 * faults, and so does the next one, for ever. qvp ends the run (status 126) naming the first
 * fault, the read in main() (tests/test_cli.cpp). */
#include <stdint.h>
#include <stdio.h>

#define NOWHERE 0x100000000ull

int main(void)
{
	volatile uint32_t *nowhere = (volatile uint32_t *)NOWHERE;

	printf("vector_fault: vectors and a read at 0x100000000\n");
	__asm__ volatile("msr vbar_el1, %0\n isb" : : "r"(NOWHERE));
	return (int)*nowhere;
}
