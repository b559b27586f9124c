/* Paced idle time for interactive use (--pace realtime): see console_pace.c. */
#ifndef QVP_CONSOLE_PACE_H
#define QVP_CONSOLE_PACE_H

#include "console.h"

/* Makes the machine's idle skips keep pace with the host's clock (machine->pace_idle); input
 * `console` reads interactively (a terminal; NULL for none) ends a wait at once. */
void console_pace_attach(struct machine *machine, struct console *console);

/* `console` is going away: pacing goes on without its input. */
void console_pace_forget(const struct console *console);

#endif
