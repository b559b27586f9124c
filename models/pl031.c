/* PL031 RTC: a 32-bit seconds counter driven by a 1 Hz clock that ticks at every whole second
 * of virtual time. At reset it holds the machine's RTC epoch (a fixed date by default, the host
 * clock with --rtc host); writing LR loads it. When the count reaches MR the raw interrupt is set
 * (one event on the queue, at that second). As on QEMU's virt board the counter runs from reset
 * (CR reads 1), and writing MR or LR equal to the current count matches at once. */
#include "pl031.h"

#include <stddef.h>
#include <stdlib.h>

#include "error.h"
#include "irq.h"
#include "models.h"
#include "snapshot_stream.h"

struct pl031 {
	struct machine *machine;
	uint32_t loaded;       /* the count at second `loaded_tick` */
	uint64_t loaded_tick;  /* whole seconds of virtual time when LR was last written */
	uint32_t match, imsc;
	bool raw_interrupt;
	struct irq_line line;
	struct event event;
};

static const uint8_t pl031_id[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static uint64_t tick_at(vtime_t time)
{
	return time / VTIME_S;
}

static uint32_t count_at(const struct pl031 *rtc, vtime_t time)
{
	return rtc->loaded + (uint32_t)(tick_at(time) - rtc->loaded_tick);
}

static void pl031_update(struct pl031 *rtc)
{
	irq_line_set(&rtc->line, rtc->raw_interrupt && (rtc->imsc & 1));
}

/* The next second at which the count equals MR; none within the end of virtual time. */
static void schedule_match(struct pl031 *rtc, vtime_t now)
{
	uint32_t seconds = rtc->match - count_at(rtc, now); /* 1 .. 2^32 - 1 */
	uint64_t tick = tick_at(now) + seconds;

	if (seconds == 0 || tick >= VTIME_NEVER / VTIME_S)
		event_cancel(rtc->machine->events, &rtc->event);
	else
		machine_schedule_event(rtc->machine, &rtc->event, tick * VTIME_S);
}

static void match_reached(void *opaque, vtime_t time)
{
	struct pl031 *rtc = opaque;

	(void)time; /* the next match is 2^32 s later, past the end of virtual time */
	rtc->raw_interrupt = true;
	pl031_update(rtc);
}

/* Writing MR or LR so that the count already equals MR matches at once (as QEMU does). */
static void check_match(struct pl031 *rtc, vtime_t now)
{
	if (count_at(rtc, now) == rtc->match)
		rtc->raw_interrupt = true;
	schedule_match(rtc, now);
}

static uint32_t read_dr(struct pl031 *rtc)
{
	return count_at(rtc, machine_now(rtc->machine));
}

static uint32_t read_mr(struct pl031 *rtc)
{
	return rtc->match;
}

static uint32_t read_lr(struct pl031 *rtc)
{
	return rtc->loaded;
}

static uint32_t read_cr(struct pl031 *rtc)
{
	(void)rtc;
	return 1;
}

static uint32_t read_imsc(struct pl031 *rtc)
{
	return rtc->imsc;
}

static uint32_t read_ris(struct pl031 *rtc)
{
	return rtc->raw_interrupt;
}

static uint32_t read_mis(struct pl031 *rtc)
{
	return rtc->raw_interrupt && (rtc->imsc & 1);
}

static void write_mr(struct pl031 *rtc, vtime_t now, uint32_t value)
{
	rtc->match = value;
	check_match(rtc, now);
}

static void write_lr(struct pl031 *rtc, vtime_t now, uint32_t value)
{
	rtc->loaded = value;
	rtc->loaded_tick = tick_at(now);
	check_match(rtc, now);
}

static void write_cr(struct pl031 *rtc, vtime_t now, uint32_t value)
{
	(void)rtc;
	(void)now;
	(void)value; /* once started, the counter cannot be stopped */
}

static void write_imsc(struct pl031 *rtc, vtime_t now, uint32_t value)
{
	(void)now;
	rtc->imsc = value & 1;
}

static void write_icr(struct pl031 *rtc, vtime_t now, uint32_t value)
{
	(void)now;
	if (value & 1)
		rtc->raw_interrupt = false;
}

struct pl031_register_info {
	uint32_t offset;
	const char *name;
	uint32_t (*read)(struct pl031 *rtc);
	void (*write)(struct pl031 *rtc, vtime_t now, uint32_t value);
};

static const struct pl031_register_info pl031_registers[] = {
	{ PL031_DR, "RTCDR", read_dr, NULL },
	{ PL031_MR, "RTCMR", read_mr, write_mr },
	{ PL031_LR, "RTCLR", read_lr, write_lr },
	{ PL031_CR, "RTCCR", read_cr, write_cr },
	{ PL031_IMSC, "RTCIMSC", read_imsc, write_imsc },
	{ PL031_RIS, "RTCRIS", read_ris, NULL },
	{ PL031_MIS, "RTCMIS", read_mis, NULL },
	{ PL031_ICR, "RTCICR", NULL, write_icr },
};

static const struct pl031_register_info *find_register(uint64_t offset)
{
	for (size_t i = 0; i < sizeof(pl031_registers) / sizeof(pl031_registers[0]); i++)
		if (pl031_registers[i].offset == offset)
			return &pl031_registers[i];
	return NULL;
}

static bool pl031_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
	struct pl031 *rtc = opaque;
	const struct pl031_register_info *info = find_register(offset & ~3ull);

	(void)size;
	*value = 0;
	if (offset >= PL031_PERIPH_ID0 && offset < PL031_PERIPH_ID0 + 0x20)
		*value = pl031_id[(offset - PL031_PERIPH_ID0) / 4];
	else if (info && info->read)
		*value = info->read(rtc);
	return true;
}

static bool pl031_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct pl031 *rtc = opaque;
	const struct pl031_register_info *info = find_register(offset & ~3ull);

	(void)size;
	if (!info || !info->write)
		return true; /* reserved or read-only: ignored */
	info->write(rtc, machine_now(rtc->machine), (uint32_t)value);
	pl031_update(rtc);
	return true;
}

static const struct mmio_ops pl031_mmio = { .read = pl031_read, .write = pl031_write };

static void pl031_save(const void *state, struct snap_writer *w)
{
	const struct pl031 *rtc = state;

	snap_put_u32(w, rtc->loaded);
	snap_put_u64(w, rtc->loaded_tick);
	snap_put_u32(w, rtc->match);
	snap_put_u32(w, rtc->imsc);
	snap_put_bool(w, rtc->raw_interrupt);
	snap_put_irq_line(w, &rtc->line);
	snap_put_event(w, &rtc->event);
}

static void pl031_load(void *state, struct snap_reader *r)
{
	struct pl031 *rtc = state;

	rtc->loaded = snap_get_u32(r);
	rtc->loaded_tick = snap_get_u64(r);
	rtc->match = snap_get_u32(r);
	rtc->imsc = snap_get_u32(r);
	rtc->raw_interrupt = snap_get_bool(r);
	snap_get_irq_line(r, &rtc->line);
	snap_get_event(r, rtc->machine->events, &rtc->event);
}

static void pl031_destroy(void *state)
{
	struct pl031 *rtc = state;

	event_cancel(rtc->machine->events, &rtc->event);
	free(rtc);
}

int pl031_create(const struct model_config *config, struct model_instance *instance)
{
	struct pl031 *rtc = calloc(1, sizeof(*rtc));

	if (!rtc)
		return error_set("out of memory");
	rtc->machine = config->machine;
	rtc->loaded = (uint32_t)config->machine->rtc_epoch;
	event_init(&rtc->event, "pl031 match", match_reached, rtc);
	if ((irq_count(config->machine, config->node) > 0 &&
	     irq_connect(config->machine, config->node, 0, &rtc->line) < 0) ||
	    bus_add_mmio(config->machine->bus, config->path, config->base, config->size, &pl031_mmio, rtc) < 0) {
		free(rtc);
		return -1;
	}
	instance->state = rtc;
	instance->destroy = pl031_destroy;
	instance->save = pl031_save;
	instance->load = pl031_load;
	return 0;
}
