/* Polled PL011 transmit and receive; register names shared with the qvp model (models/pl011.h). */
#include <pl011.h>
#include <qvp/mmio.h>
#include <qvp/uart.h>

/* QEMU virt's UART until sdk start-up has read the device tree. */
static uintptr_t uart_base = 0x09000000;

void uart_init(uintptr_t base)
{
	uart_base = base;
	uint32_t cr = mmio_read32(uart_base + PL011_CR);
	mmio_write32(uart_base + PL011_CR, cr | PL011_CR_UARTEN | PL011_CR_TXE);
}

void uart_putc(char c)
{
	while (mmio_read32(uart_base + PL011_FR) & PL011_FR_TXFF)
		;
	mmio_write32(uart_base + PL011_DR, (uint8_t)c);
}

void uart_flush(void)
{
	while (mmio_read32(uart_base + PL011_FR) & PL011_FR_BUSY)
		;
}

bool uart_rx_ready(void)
{
	return !(mmio_read32(uart_base + PL011_FR) & PL011_FR_RXFE);
}

int uart_getc(void)
{
	while (!uart_rx_ready())
		;
	return (int)(mmio_read32(uart_base + PL011_DR) & 0xfff);
}
