/* The generic timer: the system counter (CNTPCT_EL0; CNTVCT_EL0 is it minus the CPU's
 * CNTVOFF_EL2, which only EL2 can set, 0 otherwise) is virtual time times the counter
 * frequency, in exact integer arithmetic, one for the board;
 * each CPU has its own EL1 physical and virtual timers and EL2 physical timer (CNTHP_*, EL2
 * only), events on the machine's queue at the first instant the counter reaches CVAL, driving
 * that CPU's copy of the PPIs the device tree names (interrupts: secure physical, non-secure
 * physical, virtual, hypervisor). The secure physical timer (CNTPS_*) answers at EL3 and, with
 * SCR_EL3.ST, in Secure EL1; it is not in snapshots (EL3 runs take none). A CPU reaches its own registers through an iss
 * system-register hook (machine.current_cpu says whose). Each CPU's event stream
 * (CNTKCTL_EL1.EVNTEN) is an event at every transition of the chosen CNTVCT_EL0 bit, which
 * sets that CPU's event register (WFE returns). */
#include "generic_timer.h"

#include <libfdt.h>
#include <stdlib.h>

#include "error.h"
#include "irq.h"
#include "iss.h"
#include "models.h"
#include "snapshot_stream.h"
#include "platform.h"

struct timer_channel {
	struct generic_timer *timer;
	uint32_t ctl; /* ENABLE and IMASK; ISTATUS is computed */
	uint64_t cval;
	uint64_t offset; /* subtracted from the system counter: CNTVOFF_EL2 for the virtual timer, 0 for the physical */
	struct irq_line line;
	struct event event;
};

/* One CPU's registers and timers. */
struct timer_cpu {
	uint64_t cntfrq; /* CNTFRQ_EL0: what firmware says the rate is */
	uint32_t cntkctl;
	struct timer_channel physical, virtual;
	struct timer_channel hyp; /* CNTHP_*: EL2's physical timer */
	struct timer_channel secure; /* CNTPS_*: the secure physical timer */
	struct generic_timer *timer;
	unsigned index;      /* the CPU's in the machine */
	struct event stream; /* the next event of the event stream */
};

struct generic_timer {
	struct machine *machine;
	uint64_t frequency; /* the counter's real rate */
	unsigned cpu_count;
	struct timer_cpu cpu[MACHINE_MAX_CPUS];
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

/* The count this channel compares with CVAL: the system counter minus its offset. */
static uint64_t channel_count(const struct timer_channel *channel, vtime_t now)
{
	return count_at(channel->timer, now) - channel->offset;
}

/* Drives the output and schedules the next time the condition becomes true. */
static void channel_update(struct timer_channel *channel, vtime_t now)
{
	struct generic_timer *timer = channel->timer;
	bool met = condition_met(channel, channel_count(channel, now));
	uint64_t target = channel->cval + channel->offset; /* the system counter's value then */
	vtime_t fire = VTIME_NEVER;

	irq_line_set(&channel->line, met && !(channel->ctl & GT_CTL_IMASK));
	if ((channel->ctl & GT_CTL_ENABLE) && !met && target >= channel->cval) /* a wrapped target: never */
		fire = time_of_count(timer, target);
	if (fire == VTIME_NEVER)
		event_cancel(timer->machine->events, &channel->event);
	else
		machine_schedule_event(timer->machine, &channel->event, fire);
}

static void channel_fire(void *opaque, vtime_t time)
{
	channel_update(opaque, time);
}

/* The first virtual count after `count` at which bit `bit` goes 0 to 1 (or, `falling`, 1 to 0). */
static uint64_t next_transition(uint64_t count, unsigned bit, bool falling)
{
	uint64_t period = 2ull << bit, next = (count & ~(period - 1)) + (falling ? period : period / 2);

	return next > count ? next : next + period;
}

/* Schedules the CPU's next event-stream event, or none when the stream is off. */
static void stream_update(struct timer_cpu *cpu, vtime_t now)
{
	struct generic_timer *timer = cpu->timer;
	uint64_t count = count_at(timer, now) - cpu->virtual.offset;
	unsigned bit = cpu->cntkctl >> GT_CNTKCTL_EVNTI_SHIFT & 0xf;
	uint64_t next;

	if (!(cpu->cntkctl & GT_CNTKCTL_EVNTEN)) {
		event_cancel(timer->machine->events, &cpu->stream);
		return;
	}
	next = next_transition(count, bit, cpu->cntkctl & GT_CNTKCTL_EVNTDIR) + cpu->virtual.offset;
	machine_schedule_event(timer->machine, &cpu->stream, time_of_count(timer, next));
}

static void stream_fire(void *opaque, vtime_t time)
{
	struct timer_cpu *cpu = opaque;
	struct cpu *target = cpu->timer->machine->cpus[cpu->index].cpu;

	if (target) /* a CPU that PSCI has not made yet has no WFE to leave */
		iss_signal_event(target);
	stream_update(cpu, time);
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
static bool el0_allowed(const struct timer_cpu *cpu, uint32_t encoding)
{
	uint32_t k = cpu->cntkctl;

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

static struct timer_channel *channel_of(struct timer_cpu *cpu, uint32_t encoding)
{
	if ((encoding >> 11 & 7) == 4)
		return &cpu->hyp; /* op1 4: CNTHP_* */
	if ((encoding >> 11 & 7) == 7)
		return &cpu->secure; /* op1 7: CNTPS_* */
	return (encoding >> 3 & 0xf) == 2 ? &cpu->physical : &cpu->virtual; /* CRm 2 or 3 */
}

static bool is_hyp_timer(uint32_t encoding)
{
	return encoding == GT_CNTHP_CTL_EL2 || encoding == GT_CNTHP_CVAL_EL2 || encoding == GT_CNTHP_TVAL_EL2;
}

static bool is_secure_timer(uint32_t encoding)
{
	return encoding == GT_CNTPS_CTL_EL1 || encoding == GT_CNTPS_CVAL_EL1 || encoding == GT_CNTPS_TVAL_EL1;
}

/* CNTPS_*: EL3, or EL1 in Secure state while SCR_EL3.ST lets it (else UNDEFINED here; the
 * architecture traps Secure EL1 to EL3 then, which TF-A never provokes). */
static bool secure_timer_allowed(const struct timer_cpu *cpu, unsigned el)
{
	return el == 3 || (el == 1 && iss_secure_el1_timer_enabled(cpu->timer->machine->cpus[cpu->index].cpu));
}

/* CNTVCT_EL0 and the virtual timer (op1 3, CRm 3) see the system counter minus CNTVOFF_EL2. */
static bool reads_virtual_count(uint32_t encoding)
{
	return encoding == GT_CNTVCT_EL0 || encoding == GT_CNTV_CTL_EL0 || encoding == GT_CNTV_CVAL_EL0 ||
	       encoding == GT_CNTV_TVAL_EL0;
}

/* The registers of the CPU whose MRS or MSR this is. */
static struct timer_cpu *accessing_cpu(struct generic_timer *timer)
{
	unsigned cpu = timer->machine->current_cpu;

	return &timer->cpu[cpu < timer->cpu_count ? cpu : 0];
}

static bool generic_timer_read(void *opaque, uint32_t encoding, unsigned el, uint64_t *value)
{
	struct generic_timer *timer = opaque;
	struct timer_cpu *cpu = accessing_cpu(timer);
	uint64_t count = count_at(timer, machine_counter_time(timer->machine));

	switch (encoding) {
	case GT_CNTFRQ_EL0: case GT_CNTPCT_EL0: case GT_CNTVCT_EL0: case GT_CNTKCTL_EL1:
	case GT_CNTP_CTL_EL0: case GT_CNTP_CVAL_EL0: case GT_CNTP_TVAL_EL0:
	case GT_CNTV_CTL_EL0: case GT_CNTV_CVAL_EL0: case GT_CNTV_TVAL_EL0:
		break;
	case GT_CNTVOFF_EL2: /* EL2 only: UNDEFINED below, and everywhere without EL2 */
		*value = cpu->virtual.offset;
		return el == 2;
	case GT_CNTHP_CTL_EL2: case GT_CNTHP_CVAL_EL2: case GT_CNTHP_TVAL_EL2:
		if (el != 2)
			return false; /* likewise */
		break;
	case GT_CNTPS_CTL_EL1: case GT_CNTPS_CVAL_EL1: case GT_CNTPS_TVAL_EL1:
		if (!secure_timer_allowed(cpu, el))
			return false;
		break;
	default:
		return false;
	}
	if (el == 0 && !el0_allowed(cpu, encoding))
		return false;
	if (reads_virtual_count(encoding))
		count -= cpu->virtual.offset;
	switch (encoding) {
	case GT_CNTFRQ_EL0:
		*value = cpu->cntfrq;
		break;
	case GT_CNTPCT_EL0:
	case GT_CNTVCT_EL0:
		*value = count;
		break;
	case GT_CNTKCTL_EL1:
		*value = cpu->cntkctl;
		break;
	case GT_CNTP_CTL_EL0:
	case GT_CNTV_CTL_EL0:
	case GT_CNTHP_CTL_EL2:
	case GT_CNTPS_CTL_EL1:
		*value = read_ctl(channel_of(cpu, encoding), count);
		break;
	case GT_CNTP_CVAL_EL0:
	case GT_CNTV_CVAL_EL0:
	case GT_CNTHP_CVAL_EL2:
	case GT_CNTPS_CVAL_EL1:
		*value = channel_of(cpu, encoding)->cval;
		break;
	default: /* TVAL */
		*value = read_tval(channel_of(cpu, encoding), count);
		break;
	}
	return true;
}

static bool generic_timer_write(void *opaque, uint32_t encoding, unsigned el, uint64_t value)
{
	struct generic_timer *timer = opaque;
	struct timer_cpu *cpu = accessing_cpu(timer);
	vtime_t now = machine_counter_time(timer->machine);
	struct timer_channel *channel = channel_of(cpu, encoding);

	switch (encoding) {
	case GT_CNTFRQ_EL0: /* writable at the highest exception level, EL1 here */
		if (el == 0)
			return false;
		cpu->cntfrq = (uint32_t)value;
		return true;
	case GT_CNTKCTL_EL1:
		if (el == 0)
			return false;
		cpu->cntkctl = (uint32_t)value & 0x3ff;
		stream_update(cpu, now);
		return true;
	case GT_CNTVOFF_EL2:
		if (el != 2)
			return false;
		cpu->virtual.offset = value;
		channel_update(&cpu->virtual, now);
		stream_update(cpu, now);
		return true;
	case GT_CNTP_CTL_EL0: case GT_CNTP_CVAL_EL0: case GT_CNTP_TVAL_EL0:
	case GT_CNTV_CTL_EL0: case GT_CNTV_CVAL_EL0: case GT_CNTV_TVAL_EL0:
	case GT_CNTHP_CTL_EL2: case GT_CNTHP_CVAL_EL2: case GT_CNTHP_TVAL_EL2:
	case GT_CNTPS_CTL_EL1: case GT_CNTPS_CVAL_EL1: case GT_CNTPS_TVAL_EL1:
		break;
	default:
		return false; /* CNTPCT/CNTVCT are read-only: writing them is undefined */
	}
	if ((el == 0 && !el0_allowed(cpu, encoding)) || (is_hyp_timer(encoding) && el != 2) ||
	    (is_secure_timer(encoding) && !secure_timer_allowed(cpu, el)))
		return false;
	if (encoding == GT_CNTP_CTL_EL0 || encoding == GT_CNTV_CTL_EL0 || encoding == GT_CNTHP_CTL_EL2 ||
	    encoding == GT_CNTPS_CTL_EL1)
		channel->ctl = (uint32_t)value & (GT_CTL_ENABLE | GT_CTL_IMASK);
	else if (encoding == GT_CNTP_CVAL_EL0 || encoding == GT_CNTV_CVAL_EL0 || encoding == GT_CNTHP_CVAL_EL2 ||
		 encoding == GT_CNTPS_CVAL_EL1)
		channel->cval = value;
	else
		write_tval(channel, channel_count(channel, now), value);
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

/* A CPU's timer: its events (named as one CPU's are, with the CPU's number after CPU 0) and
 * its copy of the PPI the node's index-th interrupt names. */
static int connect_channel(const struct model_config *config, struct generic_timer *timer, unsigned cpu,
			   struct timer_channel *channel, unsigned index, const char *name)
{
	channel->timer = timer;
	event_init(&channel->event, name, channel_fire, channel);
	if (irq_count(config->machine, config->node) <= index)
		return 0; /* not wired: the timer still counts and reports ISTATUS */
	if (irq_connect(config->machine, config->node, index, &channel->line) < 0)
		return -1;
	channel->line = irq_line_of_cpu(&channel->line, cpu);
	return 0;
}

static const char *const physical_names[MACHINE_MAX_CPUS] = {
	"generic timer (physical)", "generic timer (physical) cpu1", "generic timer (physical) cpu2",
	"generic timer (physical) cpu3", "generic timer (physical) cpu4", "generic timer (physical) cpu5",
	"generic timer (physical) cpu6", "generic timer (physical) cpu7",
};
static const char *const hyp_names[MACHINE_MAX_CPUS] = {
	"generic timer (hypervisor)", "generic timer (hypervisor) cpu1", "generic timer (hypervisor) cpu2",
	"generic timer (hypervisor) cpu3", "generic timer (hypervisor) cpu4", "generic timer (hypervisor) cpu5",
	"generic timer (hypervisor) cpu6", "generic timer (hypervisor) cpu7",
};
static const char *const secure_names[MACHINE_MAX_CPUS] = {
	"generic timer (secure)", "generic timer (secure) cpu1", "generic timer (secure) cpu2",
	"generic timer (secure) cpu3", "generic timer (secure) cpu4", "generic timer (secure) cpu5",
	"generic timer (secure) cpu6", "generic timer (secure) cpu7",
};
static const char *const stream_names[MACHINE_MAX_CPUS] = {
	"generic timer (event stream)", "generic timer (event stream) cpu1", "generic timer (event stream) cpu2",
	"generic timer (event stream) cpu3", "generic timer (event stream) cpu4", "generic timer (event stream) cpu5",
	"generic timer (event stream) cpu6", "generic timer (event stream) cpu7",
};
static const char *const virtual_names[MACHINE_MAX_CPUS] = {
	"generic timer (virtual)", "generic timer (virtual) cpu1", "generic timer (virtual) cpu2",
	"generic timer (virtual) cpu3", "generic timer (virtual) cpu4", "generic timer (virtual) cpu5",
	"generic timer (virtual) cpu6", "generic timer (virtual) cpu7",
};

static int connect_cpu(const struct model_config *config, struct generic_timer *timer, unsigned cpu)
{
	struct timer_cpu *registers = &timer->cpu[cpu];

	registers->cntfrq = timer->frequency;
	registers->timer = timer;
	registers->index = cpu;
	event_init(&registers->stream, stream_names[cpu], stream_fire, registers);
	if (connect_channel(config, timer, cpu, &registers->physical, 1, physical_names[cpu]) < 0 ||
	    connect_channel(config, timer, cpu, &registers->virtual, 2, virtual_names[cpu]) < 0 ||
	    connect_channel(config, timer, cpu, &registers->hyp, 3, hyp_names[cpu]) < 0 ||
	    connect_channel(config, timer, cpu, &registers->secure, 0, secure_names[cpu]) < 0)
		return -1;
	return 0;
}

static void save_channel(const struct timer_channel *channel, struct snap_writer *w)
{
	snap_put_u32(w, channel->ctl);
	snap_put_u64(w, channel->cval);
	snap_put_u64(w, channel->offset);
	snap_put_irq_line(w, &channel->line);
	snap_put_event(w, &channel->event);
}

static void load_channel(struct timer_channel *channel, struct snap_reader *r)
{
	channel->ctl = snap_get_u32(r) & (GT_CTL_ENABLE | GT_CTL_IMASK);
	channel->cval = snap_get_u64(r);
	channel->offset = snap_get_u64(r);
	snap_get_irq_line(r, &channel->line);
	snap_get_event(r, channel->timer->machine->events, &channel->event);
}

static void generic_timer_save(const void *state, struct snap_writer *w)
{
	const struct generic_timer *timer = state;

	snap_put_u32(w, timer->cpu_count);
	for (unsigned cpu = 0; cpu < timer->cpu_count; cpu++) {
		snap_put_u64(w, timer->cpu[cpu].cntfrq);
		snap_put_u32(w, timer->cpu[cpu].cntkctl);
		save_channel(&timer->cpu[cpu].physical, w);
		save_channel(&timer->cpu[cpu].virtual, w);
		save_channel(&timer->cpu[cpu].hyp, w);
		snap_put_event(w, &timer->cpu[cpu].stream);
	}
}

static void generic_timer_load(void *state, struct snap_reader *r)
{
	struct generic_timer *timer = state;

	if (snap_get_u32(r) != timer->cpu_count)
		snap_fail(r, "saved with another number of CPUs than the board's %u", timer->cpu_count);
	for (unsigned cpu = 0; cpu < timer->cpu_count && !r->failed; cpu++) {
		timer->cpu[cpu].cntfrq = snap_get_u64(r);
		timer->cpu[cpu].cntkctl = snap_get_u32(r) & 0x3ff;
		load_channel(&timer->cpu[cpu].physical, r);
		load_channel(&timer->cpu[cpu].virtual, r);
		load_channel(&timer->cpu[cpu].hyp, r);
		snap_get_event(r, timer->machine->events, &timer->cpu[cpu].stream);
	}
}

static void generic_timer_destroy(void *state)
{
	struct generic_timer *timer = state;

	for (unsigned cpu = 0; cpu < timer->cpu_count; cpu++) {
		event_cancel(timer->machine->events, &timer->cpu[cpu].physical.event);
		event_cancel(timer->machine->events, &timer->cpu[cpu].virtual.event);
		event_cancel(timer->machine->events, &timer->cpu[cpu].hyp.event);
		event_cancel(timer->machine->events, &timer->cpu[cpu].secure.event);
		event_cancel(timer->machine->events, &timer->cpu[cpu].stream);
	}
	free(timer);
}

int generic_timer_create(const struct model_config *config, struct model_instance *instance)
{
	struct generic_timer *timer = calloc(1, sizeof(*timer));

	if (!timer)
		return error_set("out of memory");
	timer->machine = config->machine;
	timer->cpu_count = platform_cpu_count(config->fdt);
	if (timer->cpu_count > MACHINE_MAX_CPUS) {
		unsigned count = timer->cpu_count;

		free(timer);
		return error_set("the board has %u CPUs; qvp models at most %u", count, MACHINE_MAX_CPUS);
	}
	timer->hook = (struct iss_sysreg_hook){ .read = generic_timer_read, .write = generic_timer_write, .opaque = timer };
	if (read_frequency(config, &timer->frequency) < 0) {
		free(timer);
		return -1;
	}
	for (unsigned cpu = 0; cpu < timer->cpu_count; cpu++)
		if (connect_cpu(config, timer, cpu) < 0) {
			free(timer);
			return -1;
		}
	if (machine_add_sysreg_hook(config->machine, &timer->hook) < 0) {
		free(timer);
		return -1;
	}
	instance->state = timer;
	instance->destroy = generic_timer_destroy;
	instance->save = generic_timer_save;
	instance->load = generic_timer_load;
	return 0;
}
