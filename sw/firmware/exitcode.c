/* Checks that an exit code gets out of the simulator: prints a line and exits with 3. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	printf("exitcode: exiting with 3\n");
	exit(3);
}
