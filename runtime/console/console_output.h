/* The console UART's output stream when a signal ends qvp: see console_output.c. */
#ifndef QVP_CONSOLE_OUTPUT_H
#define QVP_CONSOLE_OUTPUT_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* On SIGTERM, SIGINT and SIGHUP, writes what `stream` holds to `fd` (the descriptor beneath
 * it) before the signal ends qvp. One stream at a time. */
void console_output_flush_on_signals(FILE *stream, int fd);

/* Gives the signals back their former handlers (before `stream` is closed). */
void console_output_unguard(void);

#ifdef __cplusplus
}
#endif
#endif
