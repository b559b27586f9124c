/* The console script format (docs/user-guide.md): one step per line. */
#ifndef QVP_CONSOLE_SCRIPT_H
#define QVP_CONSOLE_SCRIPT_H

#include <stddef.h>

#include "vtime.h"

enum script_op {
	SCRIPT_EXPECT, /* wait until the console has printed `text` */
	SCRIPT_SEND,   /* queue `text` for the UART */
	SCRIPT_SLEEP,  /* wait `time` */
	SCRIPT_AT,     /* wait until virtual time `time` */
};

struct script_step {
	enum script_op op;
	unsigned line;
	char *text; /* EXPECT and SEND, escapes resolved; may hold NUL bytes */
	size_t length;
	vtime_t time;
};

struct script {
	char *path;
	struct script_step *steps;
	size_t count;
};

/* Reads `path`; -1 after error_set("FILE:LINE: ...") for the first malformed line. */
int console_script_parse(const char *path, struct script *script);
void console_script_free(struct script *script);

#endif
