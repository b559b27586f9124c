/* Console input by polling: reads lines (ended by \n or \r) and answers each in upper case.
 * "exit N" ends the run with status N, "reset" restarts the board (PSCI SYSTEM_RESET).
 * Driven by console scripts (tests/test_console.cpp). */
#include <psci_ids.h>
#include <qvp/uart.h>
#include <stdio.h>
#include <stdlib.h>

#define LINE_MAX 128

static unsigned read_line(char *line, unsigned size)
{
	unsigned length = 0;

	for (;;) {
		int c = uart_getc();
		if (c & 0xf00)
			printf("[error bits 0x%x]", (unsigned)c >> 8);
		c &= 0xff;
		if (c == '\n' || c == '\r')
			break;
		if (length < size - 1)
			line[length++] = (char)c;
	}
	line[length] = '\0';
	return length;
}

static int exit_code(const char *line)
{
	int code = 0;

	for (const char *p = line + 5; *p >= '0' && *p <= '9'; p++)
		code = code * 10 + (*p - '0');
	return code;
}

static void system_reset(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_RESET;

	__asm__ volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
}

int main(void)
{
	char line[LINE_MAX];

	for (;;) {
		printf("poll> ");
		read_line(line, sizeof(line));
		if (line[0] == 'e' && line[1] == 'x' && line[2] == 'i' && line[3] == 't' && line[4] == ' ')
			exit(exit_code(line));
		if (line[0] == 'r' && line[1] == 'e' && line[2] == 's' && line[3] == 'e' && line[4] == 't' && !line[5])
			system_reset();
		for (char *p = line; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		printf("upper: %s\n", line);
	}
}
