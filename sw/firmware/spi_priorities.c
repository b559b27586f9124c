/* Shared peripheral interrupts made pending by software (GICD_ISPENDR): priority order,
 * masking by GICC_PMR, preemption by group priority (GICC_BPR), EOImode split of priority drop
 * and deactivation, Group 0 as FIQ, and a nested higher-priority interrupt. */
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <stdio.h>

#define LOW 40  /* priority 0x80 */
#define HIGH 41 /* priority 0x40 */
#define NEAR 42 /* priority 0x48 */

static int errors;
static volatile char order[8];
static volatile unsigned order_length, fiqs;

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("spi_priorities: FAILED: %s\n", what);
		errors++;
	}
}

static void note(char c)
{
	if (order_length < sizeof(order) - 1)
		order[order_length++] = c;
}

static void on_irq(struct exception_frame *frame)
{
	uint32_t iar = gic_ack();

	(void)frame;
	if (iar == LOW) {
		note('L');
		gic_set_pending(HIGH);
		irq_enable();
		__asm__ volatile("dsb sy; isb; nop; nop" ::: "memory");
		irq_disable();
		note('l');
	} else if (iar == HIGH) {
		note('H');
	}
	gic_eoi(iar);
}

static void on_fiq(struct exception_frame *frame)
{
	uint32_t iar = gic_ack();

	(void)frame;
	if (iar == LOW)
		fiqs++;
	gic_eoi(iar);
}

int main(void)
{
	if (gic_init() != 0) {
		printf("spi_priorities: no GIC\n");
		return 1;
	}
	gic_enable_irq(LOW, 0x80, true);
	gic_enable_irq(HIGH, 0x40, true);
	gic_enable_irq(NEAR, 0x48, true);

	/* order and preemption, polled with IRQs masked at the CPU */
	gic_set_pending(LOW);
	gic_set_pending(HIGH);
	check(gic_cpu_read(GICC_HPPIR) == HIGH, "HPPIR names the higher priority");
	check(gic_ack() == HIGH, "the higher priority is acknowledged first");
	check(gic_cpu_read(GICC_RPR) == 0x40, "RPR is the running priority");
	check(gic_ack() == GICV2_SPURIOUS, "a lower priority cannot preempt");
	gic_eoi(HIGH);
	check(gic_cpu_read(GICC_RPR) == 0xff, "RPR is idle after EOI");
	check(gic_ack() == LOW, "then the lower one");
	gic_set_pending(HIGH);
	check(gic_ack() == HIGH, "a higher priority preempts an active lower one");
	gic_eoi(HIGH);
	gic_eoi(LOW);
	check(!gic_is_active(LOW) && !gic_is_active(HIGH), "EOI deactivates");

	/* masking */
	gic_cpu_write(GICC_PMR, 0x80);
	gic_set_pending(LOW);
	check(gic_ack() == GICV2_SPURIOUS, "PMR 0x80 masks priority 0x80");
	check(gic_is_pending(LOW), "a masked interrupt stays pending");
	gic_cpu_write(GICC_PMR, 0x88);
	check(gic_ack() == LOW, "PMR 0x88 lets priority 0x80 through");
	gic_eoi(LOW);
	gic_cpu_write(GICC_PMR, 0xff);

	/* binary point: 0x40 preempts 0x48 only while the sub-priority bit is not ignored */
	gic_set_pending(NEAR);
	check(gic_ack() == NEAR, "acknowledge priority 0x48");
	gic_set_pending(HIGH);
	check(gic_ack() == HIGH, "BPR 2: 0x40 preempts 0x48");
	gic_eoi(HIGH);
	gic_eoi(NEAR);
	gic_cpu_write(GICC_BPR, 3);
	gic_set_pending(NEAR);
	check(gic_ack() == NEAR, "acknowledge priority 0x48 again");
	gic_set_pending(HIGH);
	check(gic_ack() == GICV2_SPURIOUS, "BPR 3: 0x40 and 0x48 are one group priority, no preemption");
	gic_eoi(NEAR);
	check(gic_ack() == HIGH, "it is taken after EOI");
	gic_eoi(HIGH);
	gic_cpu_write(GICC_BPR, 2);

	/* EOImode 1: EOIR drops the priority, DIR deactivates */
	gic_cpu_write(GICC_CTLR, gic_cpu_read(GICC_CTLR) | GICC_CTLR_EOI_MODE);
	gic_set_pending(LOW);
	check(gic_ack() == LOW, "acknowledge with EOImode 1");
	gic_eoi(LOW);
	check(gic_cpu_read(GICC_RPR) == 0xff && gic_is_active(LOW), "EOIR drops priority, stays active");
	gic_set_pending(LOW);
	check(gic_ack() == GICV2_SPURIOUS, "an active interrupt is not taken again");
	gic_cpu_write(GICC_DIR, LOW);
	check(!gic_is_active(LOW), "DIR deactivates");
	check(gic_ack() == LOW, "then it is taken");
	gic_eoi(LOW);
	gic_cpu_write(GICC_DIR, LOW);
	gic_cpu_write(GICC_CTLR, gic_cpu_read(GICC_CTLR) & ~GICC_CTLR_EOI_MODE);

	/* nesting with real exceptions: LOW's handler makes HIGH pending and unmasks IRQs */
	exception_set_handler(EXCEPTION_IRQ, on_irq);
	irq_enable();
	gic_set_pending(LOW);
	__asm__ volatile("dsb sy; isb; nop; nop" ::: "memory");
	irq_disable();
	order[order_length] = 0;
	check(order_length == 3 && order[0] == 'L' && order[1] == 'H' && order[2] == 'l',
	      "HIGH preempts LOW's handler");

	/* Group 0 as FIQ: LOW in Group 0, everything else in Group 1 */
	exception_set_handler(EXCEPTION_FIQ, on_fiq);
	gic_set_group(HIGH, 1);
	gic_set_group(NEAR, 1);
	gic_cpu_write(GICC_CTLR, GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_ACK_CTL |
					 GICC_CTLR_FIQ_EN);
	__asm__ volatile("msr daifclr, #1" ::: "memory");
	gic_set_pending(LOW);
	__asm__ volatile("dsb sy; isb; nop; nop" ::: "memory");
	__asm__ volatile("msr daifset, #1" ::: "memory");
	check(fiqs == 1, "Group 0 with FIQEn arrives as FIQ");

	printf("spi_priorities: %s (nesting order %s)\n", errors ? "failed" : "ok", (const char *)order);
	return errors ? 1 : 0;
}
