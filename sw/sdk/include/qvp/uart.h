/* Polled transmit driver for the ARM PL011 UART. */
#ifndef QVP_SDK_UART_H
#define QVP_SDK_UART_H

#include <stdint.h>

/* Selects the UART at `base` and enables its transmitter. */
void uart_init(uintptr_t base);

/* Writes one byte exactly as given (no newline translation), waiting while the FIFO is full. */
void uart_putc(char c);

/* Waits until the UART has finished sending everything written so far. */
void uart_flush(void);

#endif
