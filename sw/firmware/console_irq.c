/* Console input by interrupts, as Linux's amba-pl011 driver takes it: FIFOs on, RX interrupt
 * at half full (16 characters) and the receive timeout for the rest; the handler drains the
 * FIFO into a ring, main() sleeps in WFI between lines and answers each reversed.
 * "stats" prints how many RX and timeout interrupts came; "quit" ends the run with 0. */
#include <pl011.h>
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <qvp/mmio.h>
#include <qvp/sdk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UART_IRQ 33 /* SPI 1 on the virt board */
#define RING_SIZE 256
#define LINE_MAX 128

static uintptr_t uart;
static volatile char ring[RING_SIZE];
static volatile unsigned ring_head, ring_tail;
static volatile unsigned rx_interrupts, timeout_interrupts, errors;

static void on_irq(struct exception_frame *frame)
{
	uint32_t iar = gic_ack();
	uint32_t status = mmio_read32(uart + PL011_MIS);

	(void)frame;
	if ((iar & 0x3ff) == UART_IRQ) {
		if (status & PL011_INT_RX)
			rx_interrupts++;
		if (status & PL011_INT_RT)
			timeout_interrupts++;
		while (!(mmio_read32(uart + PL011_FR) & PL011_FR_RXFE)) {
			uint32_t data = mmio_read32(uart + PL011_DR);
			if (data & 0xf00)
				errors++;
			if (ring_head - ring_tail < RING_SIZE)
				ring[ring_head++ % RING_SIZE] = (char)data;
		}
		/* draining the FIFO cleared RX and RT; the rest would be a model bug */
		if (mmio_read32(uart + PL011_MIS) & (PL011_INT_RX | PL011_INT_RT))
			errors++;
	}
	gic_eoi(iar);
}

/* Waits in WFI until the ring holds a whole line. */
static unsigned next_line(char *line, unsigned size)
{
	unsigned length = 0;

	for (;;) {
		irq_disable();
		if (ring_tail == ring_head) {
			wait_for_interrupt(); /* an interrupt pending wakes WFI even while masked */
			irq_enable();
			continue;
		}
		char c = ring[ring_tail++ % RING_SIZE];
		irq_enable();
		if (c == '\n' || c == '\r')
			break;
		if (length < size - 1)
			line[length++] = c;
	}
	line[length] = '\0';
	return length;
}

static void reverse(char *line, unsigned length)
{
	for (unsigned i = 0; i < length / 2; i++) {
		char c = line[i];
		line[i] = line[length - 1 - i];
		line[length - 1 - i] = c;
	}
}

int main(void)
{
	char line[LINE_MAX];

	uart = sdk_platform()->uart_base;
	if (gic_init() != 0) {
		printf("console_irq: no GIC\n");
		return 1;
	}
	exception_set_handler(EXCEPTION_IRQ, on_irq);
	mmio_write32(uart + PL011_LCR_H, PL011_LCR_H_FEN | (3u << 5)); /* 8 bits, FIFOs on */
	mmio_write32(uart + PL011_IFLS, PL011_IFLS_RX_1_2);
	mmio_write32(uart + PL011_ICR, 0x7ff);
	mmio_write32(uart + PL011_IMSC, PL011_INT_RX | PL011_INT_RT);
	mmio_write32(uart + PL011_CR, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE);
	gic_enable_irq(UART_IRQ, 0x80, false);
	irq_enable();
	for (;;) {
		printf("irq> ");
		unsigned length = next_line(line, sizeof(line));
		if (strcmp(line, "quit") == 0)
			break;
		if (strcmp(line, "stats") == 0) {
			printf("rx %u timeout %u errors %u\n", rx_interrupts, timeout_interrupts, errors);
			continue;
		}
		reverse(line, length);
		printf("reversed: %s\n", line);
	}
	return errors ? 1 : 0;
}
