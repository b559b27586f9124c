/*
 * A target for the gdb tests (tests/test_gdb.cpp): a call to step into and over, a local to
 * print, and a global whose value decides the output and the exit code. Built without
 * optimisation so every line and variable is where gdb expects it.
 */
#pragma GCC optimize("O0")

#include <stdio.h>
#include <stdlib.h>

volatile int counter = 5; /* the tests set it from gdb and watch it change */

int add_twice(int value)
{
	int twice = value * 2;
	return twice + 1;
}

int main(void)
{
	int local = 7;
	int result = add_twice(local);
	counter = counter + result;
	printf("debugme: counter %d\n", counter);
	return counter == 20 ? 0 : 4;
}
