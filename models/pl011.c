/* PL011 UART (TRM DDI 0183). Transmit goes straight to the console, so the transmit FIFO is
 * always empty and never full. Receive has the TRM's 32-entry FIFO (one entry while FEN is
 * clear), the error bits, the level-triggered RX interrupt and the receive timeout, an event
 * 32 bit periods after the last character. Registers are a table; every access ends in
 * pl011_update(), which drives UARTINTR from the masked status. */
#include "pl011.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "irq.h"
#include "models.h"
#include "snapshot_stream.h"

#define PL011_FIFO_DEPTH 32
#define PL011_UARTCLK 24000000ull    /* the apb-pclk of the virt board, which drives UARTCLK */
#define PL011_DEFAULT_BAUD 115200ull /* for the timeout before the guest programs a rate */

struct pl011 {
	struct machine *machine;
	FILE *console;
	bool on_console; /* console input arrives here and console scripts watch what it sends */
	uint32_t rsr, ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr;
	uint16_t rx_fifo[PL011_FIFO_DEPTH]; /* data in bits 7:0, FE/PE/BE/OE in bits 11:8 */
	unsigned rx_head, rx_count;
	bool overrun; /* a character was lost to a full FIFO and none has been stored since */
	struct event rx_timeout;
	struct irq_line irq; /* UARTINTR */
};

static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static void pl011_update(struct pl011 *uart)
{
	irq_line_set(&uart->irq, (uart->ris & uart->imsc) != 0);
}

static unsigned pl011_rx_depth(const struct pl011 *uart)
{
	return (uart->lcr_h & PL011_LCR_H_FEN) ? PL011_FIFO_DEPTH : 1;
}

/* IFLS RXIFLSEL: 1/8, 1/4, 1/2, 3/4 or 7/8 full; the reserved encodings as 7/8. */
static unsigned pl011_rx_trigger(const struct pl011 *uart)
{
	static const unsigned levels[] = { 4, 8, 16, 24, 28 };
	unsigned select = (uart->ifls >> 3) & 7;

	if (!(uart->lcr_h & PL011_LCR_H_FEN))
		return 1;
	return levels[select < 5 ? select : 4];
}

/* 32 bit periods at the programmed rate: UARTCLK / (16 * (IBRD + FBRD / 64)) baud. */
static vtime_t pl011_timeout_period(const struct pl011 *uart)
{
	uint64_t divisor64 = (uint64_t)uart->ibrd * 64 + uart->fbrd; /* 64 * the baud divisor */

	if (uart->ibrd == 0)
		return 32 * VTIME_S / PL011_DEFAULT_BAUD;
	return (vtime_t)(32 * (unsigned __int128)VTIME_S * 16 * divisor64 / (64 * PL011_UARTCLK));
}

static void pl011_rx_clear(struct pl011 *uart)
{
	uart->rx_head = uart->rx_count = 0;
	uart->overrun = false;
	uart->ris &= ~(PL011_INT_RX | PL011_INT_RT);
	event_cancel(uart->machine->events, &uart->rx_timeout);
}

static void pl011_reset(struct pl011 *uart)
{
	uart->rsr = uart->ilpr = uart->ibrd = uart->fbrd = uart->lcr_h = 0;
	uart->imsc = uart->ris = uart->dmacr = 0;
	uart->cr = PL011_CR_TXE | PL011_CR_RXE;
	uart->ifls = 0x12;
	pl011_rx_clear(uart);
	pl011_update(uart);
}

static void pl011_restart_timeout(struct pl011 *uart)
{
	machine_schedule_event(uart->machine, &uart->rx_timeout,
			       machine_now(uart->machine) + pl011_timeout_period(uart));
}

/* The receive timeout: characters wait in the FIFO and none came for 32 bit periods. */
static void pl011_rx_timeout_fire(void *opaque, vtime_t time)
{
	struct pl011 *uart = opaque;

	(void)time;
	if (uart->rx_count)
		uart->ris |= PL011_INT_RT;
	pl011_update(uart);
}

/* A character (with its error bits) arrives from the line. */
static void pl011_push(struct pl011 *uart, uint16_t entry)
{
	if (uart->rx_count == pl011_rx_depth(uart)) {
		uart->overrun = true; /* the FIFO's contents stay; this character is lost */
		uart->rsr |= PL011_RSR_OE;
		uart->ris |= PL011_INT_OE;
	} else {
		uart->overrun = false;
		uart->rx_fifo[(uart->rx_head + uart->rx_count) % PL011_FIFO_DEPTH] = entry;
		uart->ris |= (entry >> 1) & (PL011_INT_FE | PL011_INT_PE | PL011_INT_BE); /* DR bit n is RIS bit n-1 */
		if (++uart->rx_count == pl011_rx_trigger(uart))
			uart->ris |= PL011_INT_RX;
	}
	pl011_restart_timeout(uart);
	pl011_update(uart);
}

static bool pl011_can_receive(void *opaque)
{
	struct pl011 *uart = opaque;
	uint32_t enabled = PL011_CR_UARTEN | PL011_CR_RXE;

	return (uart->cr & enabled) == enabled && uart->rx_count < pl011_rx_depth(uart);
}

/* RXIM: Linux's driver sets it when a program opens the port, after draining the FIFO. */
static bool pl011_interrupt_unmasked(void *opaque)
{
	const struct pl011 *uart = opaque;

	return (uart->imsc & PL011_INT_RX) != 0;
}

static void pl011_receive(void *opaque, uint8_t byte)
{
	pl011_push(opaque, byte);
}

void pl011_receive_entry(void *uart, uint16_t entry)
{
	pl011_push(uart, entry & 0x7ff); /* OE is the FIFO's own doing */
}

/* Reading pops the oldest character; its break, parity and framing errors go to RSR too, and
 * OE shows while the overrun lasts (RSR keeps it until ECR is written). */
static uint32_t pl011_read_dr(struct pl011 *uart)
{
	uint32_t entry;

	if (uart->rx_count == 0)
		return uart->overrun ? PL011_DR_OE : 0;
	entry = uart->rx_fifo[uart->rx_head];
	uart->rx_head = (uart->rx_head + 1) % PL011_FIFO_DEPTH;
	uart->rx_count--;
	uart->rsr = (uart->rsr & PL011_RSR_OE) | ((entry >> 8) & (PL011_RSR_FE | PL011_RSR_PE | PL011_RSR_BE));
	if (uart->overrun)
		entry |= PL011_DR_OE;
	if (uart->rx_count < pl011_rx_trigger(uart))
		uart->ris &= ~PL011_INT_RX;
	if (uart->rx_count == 0) {
		uart->ris &= ~PL011_INT_RT;
		event_cancel(uart->machine->events, &uart->rx_timeout);
	} else {
		pl011_restart_timeout(uart);
	}
	pl011_update(uart);
	return entry;
}

static uint32_t pl011_read_fr(struct pl011 *uart)
{
	uint32_t flags = PL011_FR_TXFE;

	if (uart->rx_count == 0)
		flags |= PL011_FR_RXFE;
	if (uart->rx_count == pl011_rx_depth(uart))
		flags |= PL011_FR_RXFF;
	return flags;
}

static uint32_t pl011_read_mis(struct pl011 *uart)
{
	return uart->ris & uart->imsc;
}

/* Like QEMU's model, transmit even when UARTEN/TXE are clear: firmware for the virt board
 * commonly writes DR without enabling the UART first. */
static void pl011_write_dr(struct pl011 *uart, uint32_t value)
{
	if (!machine_console_muted(uart->machine)) /* shown before a debugger went back */
		fputc((int)(value & 0xff), uart->console);
	if (uart->on_console && uart->machine->console_input)
		uart->machine->console_output(uart->machine->console_input, (uint8_t)value);
	uart->ris |= PL011_INT_TX;
}

static void pl011_write_rsr(struct pl011 *uart, uint32_t value)
{
	(void)value;
	uart->rsr = 0; /* ECR: any write clears the errors */
}

/* Switching the FIFOs on or off empties the receive FIFO, as in QEMU's model. */
static void pl011_write_lcr_h(struct pl011 *uart, uint32_t value)
{
	if ((uart->lcr_h ^ value) & PL011_LCR_H_FEN)
		pl011_rx_clear(uart);
	uart->lcr_h = value & 0xff;
}

static void pl011_write_icr(struct pl011 *uart, uint32_t value)
{
	uart->ris &= ~value;
}

/* One entry per register: either a field (plain storage) or handlers. */
struct pl011_register_info {
	uint32_t offset;
	const char *name;
	size_t field; /* offset of the backing field in struct pl011; 0 (the machine pointer) for none */
	uint32_t write_mask;
	uint32_t (*read)(struct pl011 *uart);
	void (*write)(struct pl011 *uart, uint32_t value);
};

static const struct pl011_register_info pl011_registers[] = {
	{ PL011_DR, "DR", 0, 0xff, pl011_read_dr, pl011_write_dr },
	{ PL011_RSR, "RSR", offsetof(struct pl011, rsr), 0, NULL, pl011_write_rsr },
	{ PL011_FR, "FR", 0, 0, pl011_read_fr, NULL },
	{ PL011_ILPR, "ILPR", offsetof(struct pl011, ilpr), 0xff, NULL, NULL },
	{ PL011_IBRD, "IBRD", offsetof(struct pl011, ibrd), 0xffff, NULL, NULL },
	{ PL011_FBRD, "FBRD", offsetof(struct pl011, fbrd), 0x3f, NULL, NULL },
	{ PL011_LCR_H, "LCR_H", offsetof(struct pl011, lcr_h), 0xff, NULL, pl011_write_lcr_h },
	{ PL011_CR, "CR", offsetof(struct pl011, cr), 0xff87, NULL, NULL },
	{ PL011_IFLS, "IFLS", offsetof(struct pl011, ifls), 0x3f, NULL, NULL },
	{ PL011_IMSC, "IMSC", offsetof(struct pl011, imsc), 0x7ff, NULL, NULL },
	{ PL011_RIS, "RIS", offsetof(struct pl011, ris), 0, NULL, NULL },
	{ PL011_MIS, "MIS", 0, 0, pl011_read_mis, NULL },
	{ PL011_ICR, "ICR", 0, 0, NULL, pl011_write_icr },
	{ PL011_DMACR, "DMACR", offsetof(struct pl011, dmacr), 0x7, NULL, NULL },
};

static const struct pl011_register_info *pl011_find_register(uint64_t offset)
{
	for (size_t i = 0; i < sizeof(pl011_registers) / sizeof(pl011_registers[0]); i++)
		if (pl011_registers[i].offset == offset)
			return &pl011_registers[i];
	return NULL;
}

static uint32_t *pl011_field(struct pl011 *uart, const struct pl011_register_info *info)
{
	return (uint32_t *)((char *)uart + info->field);
}

static bool pl011_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
	struct pl011 *uart = opaque;
	const struct pl011_register_info *info = pl011_find_register(offset & ~3ull);

	(void)size;
	if (offset >= PL011_PERIPH_ID0 && offset < PL011_PERIPH_ID0 + 0x20) {
		*value = pl011_id[(offset - PL011_PERIPH_ID0) / 4];
		return true;
	}
	if (!info || (!info->read && !info->field))
		*value = 0; /* reserved, or write-only (ICR): reads as zero, not the machine pointer */
	else if (info->read)
		*value = info->read(uart);
	else
		*value = *pl011_field(uart, info);
	return true;
}

static bool pl011_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct pl011 *uart = opaque;
	const struct pl011_register_info *info = pl011_find_register(offset & ~3ull);

	(void)size;
	if (!info)
		return true; /* reserved: writes are ignored */
	if (info->write)
		info->write(uart, (uint32_t)value);
	else if (info->field && info->write_mask)
		*pl011_field(uart, info) = (uint32_t)value & info->write_mask;
	pl011_update(uart);
	return true;
}

static const struct mmio_ops pl011_mmio = {
	.read = pl011_read,
	.write = pl011_write,
};

static void pl011_destroy(void *state)
{
	struct pl011 *uart = state;

	event_cancel(uart->machine->events, &uart->rx_timeout);
	if (uart->on_console)
		memset(&uart->machine->console_uart, 0, sizeof(uart->machine->console_uart));
	fflush(uart->console);
	free(uart);
}

static void pl011_save(const void *state, struct snap_writer *w)
{
	const struct pl011 *uart = state;
	const uint32_t registers[] = { uart->rsr, uart->ilpr, uart->ibrd, uart->fbrd, uart->lcr_h,
	                               uart->cr, uart->ifls, uart->imsc, uart->ris, uart->dmacr };

	for (unsigned k = 0; k < sizeof(registers) / sizeof(registers[0]); k++)
		snap_put_u32(w, registers[k]);
	for (unsigned k = 0; k < PL011_FIFO_DEPTH; k++)
		snap_put_u32(w, uart->rx_fifo[k]);
	snap_put_u32(w, uart->rx_head);
	snap_put_u32(w, uart->rx_count);
	snap_put_bool(w, uart->overrun);
	snap_put_event(w, &uart->rx_timeout);
	snap_put_irq_line(w, &uart->irq);
}

static void pl011_load(void *state, struct snap_reader *r)
{
	struct pl011 *uart = state;
	uint32_t *registers[] = { &uart->rsr, &uart->ilpr, &uart->ibrd, &uart->fbrd, &uart->lcr_h,
	                          &uart->cr, &uart->ifls, &uart->imsc, &uart->ris, &uart->dmacr };

	for (unsigned k = 0; k < sizeof(registers) / sizeof(registers[0]); k++)
		*registers[k] = snap_get_u32(r);
	for (unsigned k = 0; k < PL011_FIFO_DEPTH; k++)
		uart->rx_fifo[k] = (uint16_t)snap_get_index(r, 1u << 12, "a receive FIFO entry");
	uart->rx_head = snap_get_index(r, PL011_FIFO_DEPTH, "the receive FIFO's head");
	uart->rx_count = snap_get_index(r, PL011_FIFO_DEPTH + 1, "the receive FIFO's count");
	uart->overrun = snap_get_bool(r);
	snap_get_event(r, uart->machine->events, &uart->rx_timeout);
	snap_get_irq_line(r, &uart->irq);
}

/* The first PL011 is the console's: the one virt's /chosen/stdout-path names. */
static void pl011_claim_console(struct pl011 *uart)
{
	struct console_uart *port = &uart->machine->console_uart;

	if (port->uart)
		return;
	port->can_receive = pl011_can_receive;
	port->interrupt_unmasked = pl011_interrupt_unmasked;
	port->receive = pl011_receive;
	port->uart = uart;
	uart->on_console = true;
}

int pl011_create(const struct model_config *config, struct model_instance *instance)
{
	struct pl011 *uart = calloc(1, sizeof(*uart));

	if (!uart)
		return error_set("%s: out of memory", config->path);
	uart->machine = config->machine;
	uart->console = config->machine->console;
	event_init(&uart->rx_timeout, "pl011 receive timeout", pl011_rx_timeout_fire, uart);
	if (irq_count(config->machine, config->node) > 0 && irq_connect(config->machine, config->node, 0, &uart->irq) < 0) {
		free(uart);
		return -1;
	}
	pl011_reset(uart);
	if (bus_add_mmio(config->machine->bus, config->path, config->base, config->size, &pl011_mmio, uart) < 0) {
		free(uart);
		return -1;
	}
	pl011_claim_console(uart);
	instance->state = uart;
	instance->destroy = pl011_destroy;
	instance->save = pl011_save;
	instance->load = pl011_load;
	return 0;
}
