/* One error message slot: qvp is single-threaded, and callers report the message right away. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char last_message[512];

int error_set(const char *format, ...)
{
	char message[sizeof(last_message)]; /* the arguments may include error_message() itself */
	va_list args;

	va_start(args, format);
	vsnprintf(message, sizeof(message), format, args);
	va_end(args);
	memcpy(last_message, message, sizeof(last_message));
	return -1;
}

const char *error_message(void)
{
	return last_message;
}

void error_clear(void)
{
	last_message[0] = '\0';
}
