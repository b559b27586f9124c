/* The smallest firmware: one line on the UART, exit code 0. */
#include <stdio.h>

int main(void)
{
	printf("Hello from qvp!\n");
	return 0;
}
