/* The PL031 RTC counts seconds of virtual time from its epoch; a match raises its interrupt
 * (SPI 2, ID 34) at the exact second. */
#include <pl031.h>
#include <qvp/exception.h>
#include <qvp/fdt.h>
#include <qvp/gic.h>
#include <qvp/mmio.h>
#include <qvp/sdk.h>
#include <qvp/timer.h>
#include <stdio.h>

#define RTC_IRQ 34
#define VIRT_RTC 0x09010000u

static uintptr_t rtc = VIRT_RTC;
static volatile uint64_t matched_at;
static int errors;

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("rtc: FAILED: %s\n", what);
		errors++;
	}
}

static void on_irq(struct exception_frame *frame)
{
	uint32_t iar = gic_ack();

	(void)frame;
	if (iar == RTC_IRQ) {
		matched_at = timer_count();
		mmio_write32(rtc + PL031_ICR, 1);
	}
	gic_eoi(iar);
}

int main(void)
{
	uint64_t base, frequency = timer_frequency();

	if (sdk_platform()->dtb && fdt_find_compatible_reg(sdk_platform()->dtb, "arm,pl031", &base, 0) == 0)
		rtc = (uintptr_t)base;
	if (gic_init() != 0) {
		printf("rtc: no GIC\n");
		return 1;
	}
	uint32_t start = mmio_read32(rtc + PL031_DR);
	printf("rtc: starts at %u\n", start);
	timer_sleep_counts(3 * frequency);
	check(mmio_read32(rtc + PL031_DR) == start + 3, "three seconds later it reads three more");

	/* match two seconds ahead: the interrupt comes at the start of that second */
	uint32_t now = mmio_read32(rtc + PL031_DR);
	exception_set_handler(EXCEPTION_IRQ, on_irq);
	gic_enable_irq(RTC_IRQ, 0x80, false);
	mmio_write32(rtc + PL031_MR, now + 2);
	mmio_write32(rtc + PL031_IMSC, 1);
	irq_enable();
	while (!matched_at)
		wait_for_interrupt();
	irq_disable();
	uint64_t second = (uint64_t)(now - start + 2) * frequency;
	check(matched_at >= second && matched_at - second < 64, "the match interrupt comes at that second");
	check(mmio_read32(rtc + PL031_DR) == now + 2, "DR equals MR then");
	check(mmio_read32(rtc + PL031_RIS) == 0, "ICR cleared the interrupt");

	mmio_write32(rtc + PL031_LR, 1000);
	check(mmio_read32(rtc + PL031_DR) == 1000, "LR loads the counter");
	check(mmio_read32(rtc + PL031_PERIPH_ID0) == 0x31, "PeriphID0 is 0x31");

	printf("rtc: %s, match at %llu counts\n", errors ? "failed" : "ok", (unsigned long long)matched_at);
	return errors ? 1 : 0;
}
