/*
 * The generic timer's event stream (CNTKCTL_EL1.EVNTEN): with nothing else to wake it, WFE
 * returns at each transition of the chosen CNTVCT_EL0 bit, 0 to 1 and then (EVNTDIR) 1 to 0.
 * Prints the count's low bits at each wake, which tests/test_irq_firmware.cpp checks against
 * the architecture's rule; then, with the stream off, an interrupt-free WFE never returns
 * before the timeout.
 */
#include <qvp/smp.h>
#include <qvp/timer.h>
#include <stdio.h>

#define STREAM_BIT 6 /* events every 128 counts of the 62.5 MHz counter: 2.048 us */
#define WAKES 4
#define CNTKCTL_EVNTEN (1u << 2)
#define CNTKCTL_EVNTDIR (1u << 3)

static void set_cntkctl(uint64_t value)
{
	__asm__ volatile("msr cntkctl_el1, %0; isb" ::"r"(value) : "memory");
}

/* SEVL then WFE empties the event register, so the next WFE waits for a new event. */
static void clear_event(void)
{
	__asm__ volatile("sevl; wfe" ::: "memory");
}

static void show_wakes(const char *direction, uint64_t cntkctl)
{
	uint64_t period = 2ull << STREAM_BIT, seen[WAKES];

	set_cntkctl(cntkctl | (STREAM_BIT << 4));
	for (int k = 0; k < WAKES; k++) {
		clear_event(); /* an event of the stream may have come meanwhile */
		wait_for_event();
		seen[k] = timer_count() % period;
	}
	for (int k = 0; k < WAKES; k++)
		printf("event_stream: %s wake %d at count mod %llu = %llu\n", direction, k, (unsigned long long)period,
		       (unsigned long long)seen[k]);
}

int main(void)
{
	show_wakes("rising", CNTKCTL_EVNTEN);
	show_wakes("falling", CNTKCTL_EVNTEN | CNTKCTL_EVNTDIR);
	set_cntkctl(0);
	clear_event();
	printf("event_stream: off, waiting\n");
	wait_for_event(); /* nothing sets the event register now: the run's timeout ends it */
	printf("event_stream: woke with the stream off\n");
	return 1;
}
