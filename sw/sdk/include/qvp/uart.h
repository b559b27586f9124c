/* Polled driver for the ARM PL011 UART. */
#ifndef QVP_SDK_UART_H
#define QVP_SDK_UART_H

#include <stdbool.h>
#include <stdint.h>

/* Selects the UART at `base` and enables its transmitter. */
void uart_init(uintptr_t base);

/* Writes one byte exactly as given (no newline translation), waiting while the FIFO is full. */
void uart_putc(char c);

/* Waits until the UART has finished sending everything written so far. */
void uart_flush(void);

/* True when the receive FIFO holds a character. */
bool uart_rx_ready(void);

/* Waits for a received character and returns DR as read: the byte in bits 7:0, the framing,
 * parity, break and overrun errors in bits 11:8. */
int uart_getc(void);

#endif
