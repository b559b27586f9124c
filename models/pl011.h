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

enum pl011_flag {
	PL011_FR_BUSY = 1u << 3,
	PL011_FR_RXFE = 1u << 4,
	PL011_FR_TXFF = 1u << 5,
	PL011_FR_RXFF = 1u << 6,
	PL011_FR_TXFE = 1u << 7,
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
};

#ifdef __cplusplus
}
#endif
#endif
