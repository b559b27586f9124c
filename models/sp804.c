/* SP804 dual timer: two 32/16-bit down-counters clocked by TIMCLK through a prescaler (1, 16
 * or 256), each free-running (wraps to its maximum), periodic (reloads from Load) or one-shot
 * (halts at zero). Reaching zero sets the raw interrupt; it is cleared by writing IntClr.
 *
 * A counter is not advanced tick by tick: each timer keeps the value it had when last
 * (re)started and the virtual time of that start, computes its value from the ticks since, and
 * has one event on the queue for the next time it reaches zero. The counter sequence is Load,
 * Load - 1, ..., 1, 0, then Load again: a period is Load + 1 ticks.
 *
 * Clocks: with three `clocks` (TIMCLK1, TIMCLK2, APB clock, as Linux's binding) each timer has
 * its own; otherwise the first clock drives both (default 1 MHz). Interrupts: one combined
 * (TIMINTC) or one per timer (TIMINT1, TIMINT2). */
#include "sp804.h"

#include <stddef.h>
#include <stdlib.h>

#include "clock.h"
#include "error.h"
#include "irq.h"
#include "models.h"
#include "snapshot_stream.h"

#define SP804_DEFAULT_CLOCK 1000000u
#define NO_TICK UINT64_MAX

struct sp804;

struct sp804_timer {
	struct sp804 *device;
	uint64_t frequency;
	uint32_t load;    /* the reload value (Load and BGLoad) */
	uint32_t control;
	uint32_t value;   /* the counter at `since`, or now when stopped */
	vtime_t since;
	bool raw_interrupt;
	struct event event;
};

struct sp804 {
	struct machine *machine;
	struct sp804_timer timer[2];
	struct irq_line line[2]; /* TIMINTC on line[0] when combined */
	bool combined;
};

static const uint8_t sp804_id[8] = { 0x04, 0x18, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static uint32_t counter_max(const struct sp804_timer *timer)
{
	return timer->control & SP804_CTRL_32BIT ? UINT32_MAX : UINT16_MAX;
}

static uint32_t prescale(const struct sp804_timer *timer)
{
	return (timer->control >> 2 & 3) == 0 ? 1 : (timer->control >> 2 & 3) == 1 ? 16 : 256; /* 3: reserved, as 256 */
}

static bool running(const struct sp804_timer *timer)
{
	return timer->control & SP804_CTRL_ENABLE;
}

/* Prescaled ticks from `since` to `time`. */
static uint64_t ticks_at(const struct sp804_timer *timer, vtime_t time)
{
	return (uint64_t)((unsigned __int128)(time - timer->since) * timer->frequency / (VTIME_S * prescale(timer)));
}

static vtime_t time_of_tick(const struct sp804_timer *timer, uint64_t tick)
{
	unsigned __int128 divisor = timer->frequency;
	unsigned __int128 offset = ((unsigned __int128)tick * VTIME_S * prescale(timer) + divisor - 1) / divisor;

	return offset >= VTIME_NEVER - timer->since ? VTIME_NEVER : timer->since + (vtime_t)offset;
}

/* After wrapping: periodic reloads from Load, free-running from the maximum. */
static uint64_t period(const struct sp804_timer *timer)
{
	uint32_t reload = timer->control & SP804_CTRL_PERIODIC ? timer->load & counter_max(timer) : counter_max(timer);

	return (uint64_t)reload + 1;
}

static uint32_t value_after(const struct sp804_timer *timer, uint64_t ticks)
{
	uint32_t start = timer->value & counter_max(timer);

	if (ticks <= start)
		return start - (uint32_t)ticks;
	if (timer->control & SP804_CTRL_ONESHOT)
		return 0;
	return (uint32_t)(period(timer) - 1 - (ticks - start - 1) % period(timer));
}

/* The first tick after `ticks` at which the counter reaches zero, or NO_TICK. */
static uint64_t next_zero(const struct sp804_timer *timer, uint64_t ticks)
{
	uint64_t start = timer->value & counter_max(timer);

	if (start > ticks)
		return start;
	if (timer->control & SP804_CTRL_ONESHOT)
		return NO_TICK;
	return start + period(timer) * ((ticks - start) / period(timer) + 1);
}

static uint32_t current_value(const struct sp804_timer *timer)
{
	if (!running(timer))
		return timer->value; /* 0xffffffff out of reset, even in 16-bit mode */
	return value_after(timer, ticks_at(timer, machine_now(timer->device->machine)));
}

static void sp804_update(struct sp804 *device)
{
	bool level[2];

	for (int i = 0; i < 2; i++)
		level[i] = device->timer[i].raw_interrupt && (device->timer[i].control & SP804_CTRL_INTEN);
	if (device->combined) {
		irq_line_set(&device->line[0], level[0] || level[1]);
	} else {
		irq_line_set(&device->line[0], level[0]);
		irq_line_set(&device->line[1], level[1]);
	}
}

/* Schedules the event for the next zero after `time` (ticks since the start). */
static void schedule_zero(struct sp804_timer *timer, vtime_t time)
{
	uint64_t tick = running(timer) ? next_zero(timer, ticks_at(timer, time)) : NO_TICK;
	vtime_t when = tick == NO_TICK ? VTIME_NEVER : time_of_tick(timer, tick);

	if (when == VTIME_NEVER)
		event_cancel(timer->device->machine->events, &timer->event);
	else
		machine_schedule_event(timer->device->machine, &timer->event, when);
}

static void timer_reached_zero(void *opaque, vtime_t time)
{
	struct sp804_timer *timer = opaque;

	timer->raw_interrupt = true;
	schedule_zero(timer, time);
	sp804_update(timer->device);
}

/* Freezes the counter's value now, so the next configuration counts from here. */
static void restart(struct sp804_timer *timer, vtime_t now)
{
	timer->value = current_value(timer);
	timer->since = now;
}

static uint32_t read_load(struct sp804_timer *timer)
{
	return timer->load;
}

static uint32_t read_value(struct sp804_timer *timer)
{
	return current_value(timer);
}

static uint32_t read_control(struct sp804_timer *timer)
{
	return timer->control;
}

static uint32_t read_ris(struct sp804_timer *timer)
{
	return timer->raw_interrupt;
}

static uint32_t read_mis(struct sp804_timer *timer)
{
	return timer->raw_interrupt && (timer->control & SP804_CTRL_INTEN);
}

/* Load sets the reload value and restarts the counter from it. */
static void write_load(struct sp804_timer *timer, vtime_t now, uint32_t value)
{
	timer->load = value;
	timer->value = value;
	timer->since = now;
}

static void write_bgload(struct sp804_timer *timer, vtime_t now, uint32_t value)
{
	(void)now;
	timer->load = value; /* used at the next reload; the count goes on */
}

static void write_control(struct sp804_timer *timer, vtime_t now, uint32_t value)
{
	restart(timer, now);
	timer->control = value & 0xef;
}

static void write_intclr(struct sp804_timer *timer, vtime_t now, uint32_t value)
{
	(void)now;
	(void)value;
	timer->raw_interrupt = false;
}

struct sp804_register_info {
	uint32_t offset; /* within a timer's block */
	const char *name;
	uint32_t (*read)(struct sp804_timer *timer);
	void (*write)(struct sp804_timer *timer, vtime_t now, uint32_t value);
};

static const struct sp804_register_info sp804_registers[] = {
	{ SP804_LOAD, "Load", read_load, write_load },
	{ SP804_VALUE, "Value", read_value, NULL },
	{ SP804_CONTROL, "Control", read_control, write_control },
	{ SP804_INTCLR, "IntClr", NULL, write_intclr },
	{ SP804_RIS, "RIS", read_ris, NULL },
	{ SP804_MIS, "MIS", read_mis, NULL },
	{ SP804_BGLOAD, "BGLoad", read_load, write_bgload },
};

/* The register at `offset` and its timer, or NULL for anything else (reserved: RAZ/WI). */
static const struct sp804_register_info *find_register(struct sp804 *device, uint64_t offset,
						       struct sp804_timer **timer)
{
	if (offset >= 2 * SP804_TIMER_STRIDE)
		return NULL;
	*timer = &device->timer[offset / SP804_TIMER_STRIDE];
	for (size_t i = 0; i < sizeof(sp804_registers) / sizeof(sp804_registers[0]); i++)
		if (sp804_registers[i].offset == offset % SP804_TIMER_STRIDE)
			return &sp804_registers[i];
	return NULL;
}

static bool sp804_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
	struct sp804 *device = opaque;
	struct sp804_timer *timer;
	const struct sp804_register_info *info = find_register(device, offset & ~3ull, &timer);

	(void)size;
	*value = 0;
	if (offset >= SP804_PERIPH_ID0 && offset < SP804_PERIPH_ID0 + 0x20)
		*value = sp804_id[(offset - SP804_PERIPH_ID0) / 4];
	else if (info && info->read)
		*value = info->read(timer);
	return true;
}

static bool sp804_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct sp804 *device = opaque;
	struct sp804_timer *timer;
	const struct sp804_register_info *info = find_register(device, offset & ~3ull, &timer);
	vtime_t now = machine_now(device->machine);

	(void)size;
	if (!info || !info->write)
		return true;
	info->write(timer, now, (uint32_t)value);
	schedule_zero(timer, now);
	sp804_update(device);
	return true;
}

static const struct mmio_ops sp804_mmio = { .read = sp804_read, .write = sp804_write };

static void sp804_save(const void *state, struct snap_writer *w)
{
	const struct sp804 *device = state;

	for (unsigned i = 0; i < 2; i++) {
		const struct sp804_timer *timer = &device->timer[i];
		snap_put_u32(w, timer->load);
		snap_put_u32(w, timer->control);
		snap_put_u32(w, timer->value);
		snap_put_u64(w, timer->since);
		snap_put_bool(w, timer->raw_interrupt);
		snap_put_event(w, &timer->event);
		snap_put_irq_line(w, &device->line[i]);
	}
}

static void sp804_load(void *state, struct snap_reader *r)
{
	struct sp804 *device = state;

	for (unsigned i = 0; i < 2; i++) {
		struct sp804_timer *timer = &device->timer[i];
		timer->load = snap_get_u32(r);
		timer->control = snap_get_u32(r);
		timer->value = snap_get_u32(r);
		timer->since = snap_get_u64(r);
		timer->raw_interrupt = snap_get_bool(r);
		snap_get_event(r, device->machine->events, &timer->event);
		snap_get_irq_line(r, &device->line[i]);
	}
}

static void sp804_destroy(void *state)
{
	struct sp804 *device = state;

	event_cancel(device->machine->events, &device->timer[0].event);
	event_cancel(device->machine->events, &device->timer[1].event);
	free(device);
}

static int sp804_connect(const struct model_config *config, struct sp804 *device)
{
	unsigned interrupts = irq_count(config->machine, config->node);

	device->combined = interrupts < 2;
	for (unsigned i = 0; i < 2 && i < interrupts; i++)
		if (irq_connect(config->machine, config->node, i, &device->line[i]) < 0)
			return -1;
	for (unsigned i = 0; i < 2; i++) {
		struct sp804_timer *timer = &device->timer[i];
		unsigned clock = clock_count(config->fdt, config->node) == 3 ? i : 0;
		timer->device = device;
		timer->control = SP804_CTRL_INTEN;
		timer->value = UINT32_MAX;
		event_init(&timer->event, i == 0 ? "sp804 timer 1" : "sp804 timer 2", timer_reached_zero, timer);
		if (clock_rate(config->fdt, config->node, clock, SP804_DEFAULT_CLOCK, &timer->frequency) < 0)
			return -1;
	}
	return 0;
}

int sp804_create(const struct model_config *config, struct model_instance *instance)
{
	struct sp804 *device = calloc(1, sizeof(*device));

	if (!device)
		return error_set("out of memory");
	device->machine = config->machine;
	if (sp804_connect(config, device) < 0 ||
	    bus_add_mmio(config->machine->bus, config->path, config->base, config->size, &sp804_mmio, device) < 0) {
		free(device);
		return -1;
	}
	instance->state = device;
	instance->destroy = sp804_destroy;
	instance->save = sp804_save;
	instance->load = sp804_load;
	return 0;
}
