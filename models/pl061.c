/* PL061 GPIO as the power controller of QEMU's secure virt board: TF-A's qemu port drives
 * line 0 high to power off and line 1 to reset (QEMU's gpio-pwr device behind the secure
 * PL061). The node names those lines with qvp,poweroff-gpio and qvp,restart-gpio; a rising
 * output on one ends the run with 0 or rebuilds the board. No input drives the lines, so
 * the interrupt registers are kept for the guest to read back and never fire. */
#include "pl061.h"

#include <libfdt.h>
#include <stdlib.h>

#include "error.h"
#include "models.h"
#include "snapshot_stream.h"

#define NO_LINE 0xffffffffu

struct pl061 {
	struct machine *machine;
	uint8_t data, dir, is, ibe, iev, ie, afsel;
	uint8_t output;  /* the lines as last driven: data where dir says output */
	uint32_t poweroff_line, restart_line;
};

static const uint8_t pl061_id[8] = { 0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static bool rose(const struct pl061 *gpio, uint8_t before, uint32_t line)
{
	return line < PL061_LINES && !(before & (1u << line)) && (gpio->output & (1u << line));
}

/* The one update after every write: new output levels, and what a rising power line asks. */
static void pl061_update(struct pl061 *gpio)
{
	uint8_t before = gpio->output;

	gpio->output = gpio->data & gpio->dir;
	if (rose(gpio, before, gpio->poweroff_line))
		machine_request_exit(gpio->machine, 0);
	else if (rose(gpio, before, gpio->restart_line))
		machine_request_reset(gpio->machine);
}

/* The byte register at `offset`, or NULL (data, the read-only and write-only ones aside). */
static uint8_t *control_register(struct pl061 *gpio, uint64_t offset)
{
	switch (offset) {
	case PL061_DIR: return &gpio->dir;
	case PL061_IS: return &gpio->is;
	case PL061_IBE: return &gpio->ibe;
	case PL061_IEV: return &gpio->iev;
	case PL061_IE: return &gpio->ie;
	case PL061_AFSEL: return &gpio->afsel;
	default: return NULL;
	}
}

static bool pl061_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
	struct pl061 *gpio = opaque;
	uint8_t *reg = control_register(gpio, offset);

	(void)size;
	if (offset < PL061_DIR)
		*value = gpio->data & (offset >> 2); /* input lines read 0: nothing drives them */
	else if (reg)
		*value = *reg;
	else if (offset >= PL061_PERIPH_ID0 && offset < PL061_PERIPH_ID0 + 32 && !(offset & 3))
		*value = pl061_id[(offset - PL061_PERIPH_ID0) / 4];
	else
		*value = 0; /* RIS, MIS: no interrupt ever; reserved space reads as zero */
	return true;
}

static bool pl061_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct pl061 *gpio = opaque;
	uint8_t *reg = control_register(gpio, offset);
	uint8_t mask = (uint8_t)(offset >> 2);

	(void)size;
	if (offset < PL061_DIR)
		gpio->data = (uint8_t)((gpio->data & ~mask) | (value & mask));
	else if (reg)
		*reg = (uint8_t)value;
	pl061_update(gpio);
	return true;
}

static const struct mmio_ops pl061_mmio = {
	.read = pl061_read,
	.write = pl061_write,
};

static void pl061_save(const void *state, struct snap_writer *w)
{
	const struct pl061 *gpio = state;
	const uint8_t fields[] = { gpio->data, gpio->dir, gpio->is, gpio->ibe, gpio->iev, gpio->ie, gpio->afsel, gpio->output };

	for (size_t k = 0; k < sizeof(fields); k++)
		snap_put_u32(w, fields[k]);
}

static void pl061_load(void *state, struct snap_reader *r)
{
	struct pl061 *gpio = state;
	uint8_t *fields[] = { &gpio->data, &gpio->dir, &gpio->is, &gpio->ibe, &gpio->iev, &gpio->ie, &gpio->afsel, &gpio->output };

	for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		*fields[k] = (uint8_t)snap_get_u32(r);
}

/* An optional one-cell property naming a line; absent: no line. */
static int power_line(const struct model_config *config, const char *name, uint32_t *line)
{
	int length;
	const fdt32_t *cell = fdt_getprop(config->fdt, config->node, name, &length);

	*line = NO_LINE;
	if (!cell)
		return 0;
	if (length != 4 || fdt32_to_cpu(*cell) >= PL061_LINES)
		return error_set("%s must be one cell, a line from 0 to %d", name, PL061_LINES - 1);
	*line = fdt32_to_cpu(*cell);
	return 0;
}

int pl061_create(const struct model_config *config, struct model_instance *instance)
{
	struct pl061 *gpio = calloc(1, sizeof(*gpio));

	if (!gpio)
		return error_set("out of memory");
	gpio->machine = config->machine;
	if (power_line(config, "qvp,poweroff-gpio", &gpio->poweroff_line) < 0 ||
	    power_line(config, "qvp,restart-gpio", &gpio->restart_line) < 0 ||
	    bus_add_mmio(config->machine->bus, config->path, config->base, config->size, &pl061_mmio, gpio) < 0) {
		free(gpio);
		return -1;
	}
	instance->state = gpio;
	instance->destroy = free;
	instance->save = pl061_save;
	instance->load = pl061_load;
	return 0;
}
