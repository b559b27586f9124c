/* The generic timer: the system counter (CNTPCT_EL0 = CNTVCT_EL0, no EL2 so no offset) is
 * virtual time times the counter frequency, in exact integer arithmetic; the EL1 physical and
 * virtual timers are events on the machine's queue at the first instant the counter reaches
 * CVAL, and drive the PPIs the device tree names (interrupts: secure physical, non-secure
 * physical, virtual, hypervisor; only the middle two exist without EL3 and EL2). The CPU
 * reaches the registers through an iss system-register hook. */
#include "generic_timer.h"

#include <libfdt.h>
#include <stdlib.h>

#include "error.h"
#include "irq.h"
#include "iss.h"
#include "models.h"

struct timer_channel {
	struct generic_timer *timer;
	uint32_t ctl; /* ENABLE and IMASK; ISTATUS is computed */
	uint64_t cval;
	struct irq_line line;
	struct event event;
};

struct generic_timer {
	struct machine *machine;
	uint64_t frequency; /* the counter's real rate */
	uint64_t cntfrq;    /* CNTFRQ_EL0: what firmware says the rate is */
	uint32_t cntkctl;
	struct timer_channel physical, virtual;
	struct iss_sysreg_hook hook;
};

static uint64_t count_at(const struct generic_timer *timer, vtime_t time)
{
	return (uint64_t)((unsigned __int128)time * timer->frequency / VTIME_S);
}

/* The first instant the counter reads `count` or more; VTIME_NEVER past the end of time. */
static vtime_t time_of_count(const struct generic_timer *timer, uint64_t count)
{
	unsigned __int128 time = ((unsigned __int128)count * VTIME_S + timer->frequency - 1) / timer->frequency;

	return time >= VTIME_NEVER ? VTIME_NEVER : (vtime_t)time;
}

static bool condition_met(const struct timer_channel *channel, uint64_t count)
{
	return (channel->ctl & GT_CTL_ENABLE) && count >= channel->cval;
}

/* Drives the output and schedules the next time the condition becomes true. */
static void channel_update(struct timer_channel *channel, vtime_t now)
{
	struct generic_timer *timer = channel->timer;
	bool met = condition_met(channel, count_at(timer, now));
	vtime_t fire = VTIME_NEVER;

	irq_line_set(&channel->line, met && !(channel->ctl & GT_CTL_IMASK));
	if ((channel->ctl & GT_CTL_ENABLE) && !met)
		fire = time_of_count(timer, channel->cval);
	if (fire == VTIME_NEVER)
		event_cancel(timer->machine->events, &channel->event);
	else
		machine_schedule_event(timer->machine, &channel->event, fire);
}

static void channel_fire(void *opaque, vtime_t time)
{
	channel_update(opaque, time);
}

static uint64_t read_ctl(const struct timer_channel *channel, uint64_t count)
{
	return channel->ctl | (condition_met(channel, count) ? GT_CTL_ISTATUS : 0);
}

/* TVAL: the low 32 bits of CVAL - count, a signed 32-bit value. */
static uint64_t read_tval(const struct timer_channel *channel, uint64_t count)
{
	return (uint32_t)(channel->cval - count);
}

static void write_tval(struct timer_channel *channel, uint64_t count, uint64_t value)
{
	channel->cval = count + (uint64_t)(int64_t)(int32_t)(uint32_t)value;
}

/* EL0 access as CNTKCTL_EL1 allows; EL1 may do everything (there is no EL2). */
static bool el0_allowed(const struct generic_timer *timer, uint32_t encoding)
{
	uint32_t k = timer->cntkctl;

	switch (encoding) {
	case GT_CNTFRQ_EL0:
		return k & (GT_CNTKCTL_EL0PCTEN | GT_CNTKCTL_EL0VCTEN);
	case GT_CNTPCT_EL0:
		return k & GT_CNTKCTL_EL0PCTEN;
	case GT_CNTVCT_EL0:
		return k & GT_CNTKCTL_EL0VCTEN;
	case GT_CNTP_CTL_EL0:
	case GT_CNTP_CVAL_EL0:
	case GT_CNTP_TVAL_EL0:
		return k & GT_CNTKCTL_EL0PTEN;
	case GT_CNTV_CTL_EL0:
	case GT_CNTV_CVAL_EL0:
	case GT_CNTV_TVAL_EL0:
		return k & GT_CNTKCTL_EL0VTEN;
	}
	return false; /* CNTKCTL_EL1 */
}

static struct timer_channel *channel_of(struct generic_timer *timer, uint32_t encoding)
{
	return (encoding >> 3 & 0xf) == 2 ? &timer->physical : &timer->virtual; /* CRm 2 or 3 */
}

static bool generic_timer_read(void *opaque, uint32_t encoding, unsigned el, uint64_t *value)
{
	struct generic_timer *timer = opaque;
	uint64_t count = count_at(timer, machine_now(timer->machine));

	switch (encoding) {
	case GT_CNTFRQ_EL0: case GT_CNTPCT_EL0: case GT_CNTVCT_EL0: case GT_CNTKCTL_EL1:
	case GT_CNTP_CTL_EL0: case GT_CNTP_CVAL_EL0: case GT_CNTP_TVAL_EL0:
	case GT_CNTV_CTL_EL0: case GT_CNTV_CVAL_EL0: case GT_CNTV_TVAL_EL0:
		break;
	default:
		return false;
	}
	if (el == 0 && !el0_allowed(timer, encoding))
		return false;
	switch (encoding) {
	case GT_CNTFRQ_EL0:
		*value = timer->cntfrq;
		break;
	case GT_CNTPCT_EL0:
	case GT_CNTVCT_EL0:
		*value = count;
		break;
	case GT_CNTKCTL_EL1:
		*value = timer->cntkctl;
		break;
	case GT_CNTP_CTL_EL0:
	case GT_CNTV_CTL_EL0:
		*value = read_ctl(channel_of(timer, encoding), count);
		break;
	case GT_CNTP_CVAL_EL0:
	case GT_CNTV_CVAL_EL0:
		*value = channel_of(timer, encoding)->cval;
		break;
	default: /* TVAL */
		*value = read_tval(channel_of(timer, encoding), count);
		break;
	}
	return true;
}

static bool generic_timer_write(void *opaque, uint32_t encoding, unsigned el, uint64_t value)
{
	struct generic_timer *timer = opaque;
	vtime_t now = machine_now(timer->machine);
	struct timer_channel *channel = channel_of(timer, encoding);

	switch (encoding) {
	case GT_CNTFRQ_EL0: /* writable at the highest exception level, EL1 here */
		if (el == 0)
			return false;
		timer->cntfrq = (uint32_t)value;
		return true;
	case GT_CNTKCTL_EL1:
		if (el == 0)
			return false;
		timer->cntkctl = (uint32_t)value & 0x3ff;
		return true;
	case GT_CNTP_CTL_EL0: case GT_CNTP_CVAL_EL0: case GT_CNTP_TVAL_EL0:
	case GT_CNTV_CTL_EL0: case GT_CNTV_CVAL_EL0: case GT_CNTV_TVAL_EL0:
		break;
	default:
		return false; /* CNTPCT/CNTVCT are read-only: writing them is undefined */
	}
	if (el == 0 && !el0_allowed(timer, encoding))
		return false;
	if (encoding == GT_CNTP_CTL_EL0 || encoding == GT_CNTV_CTL_EL0)
		channel->ctl = (uint32_t)value & (GT_CTL_ENABLE | GT_CTL_IMASK);
	else if (encoding == GT_CNTP_CVAL_EL0 || encoding == GT_CNTV_CVAL_EL0)
		channel->cval = value;
	else
		write_tval(channel, count_at(timer, now), value);
	channel_update(channel, now);
	return true;
}

/* clock-frequency in the timer node if present (one cell), else GT_DEFAULT_FREQUENCY. */
static int read_frequency(const struct model_config *config, uint64_t *frequency)
{
	int length;
	const fdt32_t *cell = fdt_getprop(config->fdt, config->node, "clock-frequency", &length);

	*frequency = GT_DEFAULT_FREQUENCY;
	if (!cell)
		return 0;
	if (length != 4 || fdt32_to_cpu(*cell) == 0)
		return error_set("clock-frequency must be one non-zero cell");
	*frequency = fdt32_to_cpu(*cell);
	return 0;
}

static int connect_channel(const struct model_config *config, struct generic_timer *timer,
			   struct timer_channel *channel, unsigned index, const char *name)
{
	channel->timer = timer;
	event_init(&channel->event, name, channel_fire, channel);
	if (irq_count(config->machine, config->node) <= index)
		return 0; /* not wired: the timer still counts and reports ISTATUS */
	return irq_connect(config->machine, config->node, index, &channel->line);
}

static void generic_timer_destroy(void *state)
{
	struct generic_timer *timer = state;

	event_cancel(timer->machine->events, &timer->physical.event);
	event_cancel(timer->machine->events, &timer->virtual.event);
	free(timer);
}

int generic_timer_create(const struct model_config *config, struct model_instance *instance)
{
	struct generic_timer *timer = calloc(1, sizeof(*timer));

	if (!timer)
		return error_set("out of memory");
	timer->machine = config->machine;
	timer->hook = (struct iss_sysreg_hook){ .read = generic_timer_read, .write = generic_timer_write, .opaque = timer };
	if (read_frequency(config, &timer->frequency) < 0 ||
	    connect_channel(config, timer, &timer->physical, 1, "generic timer (physical)") < 0 ||
	    connect_channel(config, timer, &timer->virtual, 2, "generic timer (virtual)") < 0 ||
	    machine_add_sysreg_hook(config->machine, &timer->hook) < 0) {
		free(timer);
		return -1;
	}
	timer->cntfrq = timer->frequency;
	instance->state = timer;
	instance->destroy = generic_timer_destroy;
	return 0;
}
