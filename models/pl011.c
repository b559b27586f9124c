/* PL011 UART: transmit only for now. Characters go straight to the console, so the FIFO is
 * always empty and never full. Registers follow the TRM's table; each write handler ends in
 * pl011_update(), which recomputes the masked interrupt status. */
#include "pl011.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "irq.h"
#include "models.h"

struct pl011 {
	struct machine *machine;
	FILE *console;
	uint32_t rsr, ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr;
	struct irq_line irq; /* UARTINTR */
};

static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static void pl011_update(struct pl011 *uart)
{
	irq_line_set(&uart->irq, (uart->ris & uart->imsc) != 0);
}

static void pl011_reset(struct pl011 *uart)
{
	uart->rsr = uart->ilpr = uart->ibrd = uart->fbrd = uart->lcr_h = 0;
	uart->imsc = uart->ris = uart->dmacr = 0;
	uart->cr = PL011_CR_TXE | PL011_CR_RXE;
	uart->ifls = 0x12;
	pl011_update(uart);
}

static uint32_t pl011_read_dr(struct pl011 *uart)
{
	(void)uart;
	return 0; /* receive FIFO empty */
}

static uint32_t pl011_read_fr(struct pl011 *uart)
{
	(void)uart;
	return PL011_FR_TXFE | PL011_FR_RXFE;
}

static uint32_t pl011_read_mis(struct pl011 *uart)
{
	return uart->ris & uart->imsc;
}

/* Like QEMU's model, transmit even when UARTEN/TXE are clear: firmware for the virt board
 * commonly writes DR without enabling the UART first. */
static void pl011_write_dr(struct pl011 *uart, uint32_t value)
{
	fputc((int)(value & 0xff), uart->console);
	uart->ris |= PL011_INT_TX;
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
	{ PL011_RSR, "RSR", offsetof(struct pl011, rsr), 0, NULL, NULL }, /* writes clear the errors */
	{ PL011_FR, "FR", 0, 0, pl011_read_fr, NULL },
	{ PL011_ILPR, "ILPR", offsetof(struct pl011, ilpr), 0xff, NULL, NULL },
	{ PL011_IBRD, "IBRD", offsetof(struct pl011, ibrd), 0xffff, NULL, NULL },
	{ PL011_FBRD, "FBRD", offsetof(struct pl011, fbrd), 0x3f, NULL, NULL },
	{ PL011_LCR_H, "LCR_H", offsetof(struct pl011, lcr_h), 0xff, NULL, NULL },
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
	if (!info)
		*value = 0; /* reserved: reads as zero */
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
	else if (info->offset == PL011_RSR)
		uart->rsr = 0;
	else if (info->field)
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

	fflush(uart->console);
	free(uart);
}

int pl011_create(const struct model_config *config, struct model_instance *instance)
{
	struct pl011 *uart = calloc(1, sizeof(*uart));

	if (!uart)
		return error_set("%s: out of memory", config->path);
	uart->machine = config->machine;
	uart->console = config->machine->console;
	if (irq_count(config->machine, config->node) > 0 && irq_connect(config->machine, config->node, 0, &uart->irq) < 0) {
		free(uart);
		return -1;
	}
	pl011_reset(uart);
	if (bus_add_mmio(config->machine->bus, config->path, config->base, config->size, &pl011_mmio, uart) < 0) {
		free(uart);
		return -1;
	}
	instance->state = uart;
	instance->destroy = pl011_destroy;
	return 0;
}
