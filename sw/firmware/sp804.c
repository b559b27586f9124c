/* The SP804 dual timer at 1 MHz: a periodic 1 ms interrupt (SPI 10, ID 42) whose ticks are
 * exactly 1 ms of CNTVCT apart, a one-shot, a free-running 16-bit counter and the prescaler. */
#include <qvp/exception.h>
#include <qvp/fdt.h>
#include <qvp/gic.h>
#include <qvp/mmio.h>
#include <qvp/sdk.h>
#include <qvp/timer.h>
#include <sp804.h>
#include <stdio.h>

#define SP804_IRQ 42
#define TICKS 10
#define T2 SP804_TIMER_STRIDE

static uintptr_t sp804 = 0x09100000u;
static volatile unsigned ticks, oneshots;
static volatile uint64_t tick_at[TICKS + 1], oneshot_at;
static int errors;

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("sp804: FAILED: %s\n", what);
		errors++;
	}
}

static void on_irq(struct exception_frame *frame)
{
	uint32_t iar = gic_ack();
	uint64_t now = timer_count();

	(void)frame;
	if (iar == SP804_IRQ) {
		if (mmio_read32(sp804 + SP804_MIS)) {
			if (ticks <= TICKS)
				tick_at[ticks] = now;
			ticks++;
			mmio_write32(sp804 + SP804_INTCLR, 1);
		}
		if (mmio_read32(sp804 + T2 + SP804_MIS)) {
			oneshots++;
			oneshot_at = now;
			mmio_write32(sp804 + T2 + SP804_INTCLR, 1);
		}
	}
	gic_eoi(iar);
}

int main(void)
{
	uint64_t base, start;

	if (sdk_platform()->dtb && fdt_find_compatible_reg(sdk_platform()->dtb, "arm,sp804", &base, 0) == 0)
		sp804 = (uintptr_t)base;
	if (gic_init() != 0) {
		printf("sp804: no GIC\n");
		return 1;
	}
	check(mmio_read32(sp804 + SP804_VALUE) == 0xffffffff, "Value is 0xffffffff out of reset");
	exception_set_handler(EXCEPTION_IRQ, on_irq);
	gic_enable_irq(SP804_IRQ, 0x80, false);

	/* timer 1: periodic, 1000 ticks per period; timer 2: one-shot after 2500 ticks */
	mmio_write32(sp804 + SP804_LOAD, 999);
	mmio_write32(sp804 + T2 + SP804_LOAD, 2500);
	start = timer_count();
	mmio_write32(sp804 + SP804_CONTROL,
		     SP804_CTRL_ENABLE | SP804_CTRL_PERIODIC | SP804_CTRL_INTEN | SP804_CTRL_32BIT);
	mmio_write32(sp804 + T2 + SP804_CONTROL, SP804_CTRL_ENABLE | SP804_CTRL_ONESHOT | SP804_CTRL_INTEN |
							 SP804_CTRL_32BIT);
	irq_enable();
	while (ticks <= TICKS)
		wait_for_interrupt();
	irq_disable();
	mmio_write32(sp804 + SP804_CONTROL, 0);
	uint64_t period = timer_frequency() / 1000; /* counts per ms */
	for (unsigned i = 1; i <= TICKS; i++)
		check(tick_at[i] - tick_at[i - 1] == period, "periodic ticks are exactly 1 ms apart");
	check(oneshots == 1, "the one-shot fires once");
	check(oneshot_at - start >= 2500 * period / 1000 && oneshot_at - start < 2500 * period / 1000 + 64,
	      "the one-shot fires 2.5 ms after it started");
	check(mmio_read32(sp804 + T2 + SP804_VALUE) == 0, "a one-shot halts at zero");

	/* free-running 16-bit: wraps to 0xffff; prescaler /16 */
	mmio_write32(sp804 + SP804_LOAD, 10);
	mmio_write32(sp804 + SP804_CONTROL, SP804_CTRL_ENABLE);
	timer_sleep_counts(20 * period / 1000); /* 20 us: 10 -> 0 -> 0xffff -> ... */
	uint32_t value = mmio_read32(sp804 + SP804_VALUE);
	check(value > 0xff00 && value <= 0xffff, "a free-running 16-bit counter wraps to 0xffff");
	mmio_write32(sp804 + SP804_LOAD, 1000);
	mmio_write32(sp804 + SP804_CONTROL, SP804_CTRL_ENABLE | SP804_CTRL_32BIT | SP804_CTRL_PRESCALE_16);
	timer_sleep_counts(160 * period / 1000); /* 160 us: 10 ticks of 16 us */
	value = mmio_read32(sp804 + SP804_VALUE);
	check(value == 990, "prescale 16 counts once every 16 us");
	mmio_write32(sp804 + SP804_CONTROL, 0);

	printf("sp804: %s, %u periodic ticks\n", errors ? "failed" : "ok", ticks);
	return errors ? 1 : 0;
}
