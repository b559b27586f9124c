/* ARM PrimeCell UART (PL011), register map from the Technical Reference Manual (DDI 0183). */
#ifndef QVP_PL011_H
#define QVP_PL011_H

#ifdef __cplusplus
extern "C" {
#endif

enum pl011_register {
	PL011_DR = 0x000,
	PL011_RSR = 0x004, /* read: receive status; write: error clear (ECR) */
	PL011_FR = 0x018,
	PL011_ILPR = 0x020,
	PL011_IBRD = 0x024,
	PL011_FBRD = 0x028,
	PL011_LCR_H = 0x02c,
	PL011_CR = 0x030,
	PL011_IFLS = 0x034,
	PL011_IMSC = 0x038,
	PL011_RIS = 0x03c,
	PL011_MIS = 0x040,
	PL011_ICR = 0x044,
	PL011_DMACR = 0x048,
	PL011_PERIPH_ID0 = 0xfe0, /* PeriphID0..3 at 0xfe0..0xfec, PCellID0..3 at 0xff0..0xffc */
};

/* Error bits of a received character in DR (RSR has them in bits 3:0) */
enum pl011_receive_error {
	PL011_DR_FE = 1u << 8,  /* framing */
	PL011_DR_PE = 1u << 9,  /* parity */
	PL011_DR_BE = 1u << 10, /* break */
	PL011_DR_OE = 1u << 11, /* overrun */
	PL011_RSR_FE = 1u << 0,
	PL011_RSR_PE = 1u << 1,
	PL011_RSR_BE = 1u << 2,
	PL011_RSR_OE = 1u << 3,
};

enum pl011_flag {
	PL011_FR_BUSY = 1u << 3,
	PL011_FR_RXFE = 1u << 4,
	PL011_FR_TXFF = 1u << 5,
	PL011_FR_RXFF = 1u << 6,
	PL011_FR_TXFE = 1u << 7,
};

enum pl011_line_control {
	PL011_LCR_H_FEN = 1u << 4, /* FIFOs on; off, each direction holds one character */
};

enum pl011_fifo_level {
	PL011_IFLS_RX_1_8 = 0u << 3,
	PL011_IFLS_RX_1_4 = 1u << 3,
	PL011_IFLS_RX_1_2 = 2u << 3,
	PL011_IFLS_RX_3_4 = 3u << 3,
	PL011_IFLS_RX_7_8 = 4u << 3,
};

enum pl011_control {
	PL011_CR_UARTEN = 1u << 0,
	PL011_CR_TXE = 1u << 8,
	PL011_CR_RXE = 1u << 9,
};

enum pl011_interrupt {
	PL011_INT_RX = 1u << 4,
	PL011_INT_TX = 1u << 5,
	PL011_INT_RT = 1u << 6,
	PL011_INT_FE = 1u << 7,
	PL011_INT_PE = 1u << 8,
	PL011_INT_BE = 1u << 9,
	PL011_INT_OE = 1u << 10,
};

#ifndef __ASSEMBLER__
#include <stdint.h>

/* A character from the line with its error bits (PL011_DR_FE/PE/BE), for test benches; the
 * console's bytes arrive through machine->console_uart. `uart` is console_uart.uart. */
void pl011_receive_entry(void *uart, uint16_t entry);
#endif

#ifdef __cplusplus
}
#endif
#endif
