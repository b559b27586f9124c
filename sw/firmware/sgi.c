/* Software-generated interrupts through GICD_SGIR, GICD_SPENDSGIR/CPENDSGIR: delivery to this
 * CPU, target filters, source CPU in GICC_IAR, priority order and preemption of a nested SGI. */
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <stdio.h>

static volatile unsigned seen[16];
static volatile uint32_t last_iar;
static volatile char order[8];
static volatile unsigned order_length;
static int errors;

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("sgi: FAILED: %s\n", what);
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
	unsigned id = iar & 0x3ff;

	(void)frame;
	last_iar = iar;
	if (id < 16)
		seen[id]++;
	if (id == 1) { /* low priority: send a higher one and let it preempt */
		note('1');
		gic_send_sgi_self(2);
		irq_enable();
		__asm__ volatile("isb; nop; nop" ::: "memory");
		irq_disable();
		note('1');
	} else if (id == 2) {
		note('2');
	}
	gic_eoi(iar);
}

static void settle(void)
{
	__asm__ volatile("dsb sy; isb; nop; nop; nop; nop" ::: "memory");
}

int main(void)
{
	if (gic_init() != 0) {
		printf("sgi: no GIC\n");
		return 1;
	}
	exception_set_handler(EXCEPTION_IRQ, on_irq);
	for (unsigned id = 0; id < 16; id++)
		gic_enable_irq(id, 0x80, true);
	gic_enable_irq(2, 0x40, true);
	irq_enable();

	gic_send_sgi_self(3);
	settle();
	check(seen[3] == 1, "SGI 3 to this CPU is taken");
	check((last_iar >> 10 & 7) == 0, "IAR names CPU 0 as the source");

	gic_dist_write(GICD_SGIR, GICD_SGIR_FILTER_OTHERS | 5);
	settle();
	check(seen[5] == 0, "SGI 5 to all other CPUs does not reach this one");

	gic_dist_write(GICD_SGIR, GICD_SGIR_FILTER_LIST | 1u << 16 | 7);
	settle();
	check(seen[7] == 1, "SGI 7 with CPU 0 in the target list is taken");

	gic_dist_write(GICD_SGIR, GICD_SGIR_FILTER_LIST | 2u << 16 | 8);
	settle();
	check(seen[8] == 0, "SGI 8 to CPU 1 only reaches nobody");

	irq_disable();
	*(volatile uint8_t *)(gic_dist_base() + GICD_SPENDSGIR + 9) = 1;
	check(gic_cpu_read(GICC_HPPIR) == 9, "SPENDSGIR makes SGI 9 pending");
	check(*(volatile uint8_t *)(gic_dist_base() + GICD_SPENDSGIR + 9) == 1, "SPENDSGIR reads back source CPU 0");
	*(volatile uint8_t *)(gic_dist_base() + GICD_CPENDSGIR + 9) = 1;
	check(gic_cpu_read(GICC_HPPIR) == GICV2_SPURIOUS, "CPENDSGIR clears it");

	/* priority order, polled with IRQs masked at the CPU */
	gic_send_sgi_self(4); /* 0x80 */
	gic_send_sgi_self(2); /* 0x40 */
	uint32_t first = gic_ack();
	check(first == 2, "the higher-priority SGI is acknowledged first");
	check(gic_ack() == GICV2_SPURIOUS, "the lower one cannot preempt it");
	gic_eoi(first);
	uint32_t second = gic_ack();
	check(second == 4, "after EOI the lower one is acknowledged");
	gic_eoi(second);
	check(gic_ack() == GICV2_SPURIOUS, "nothing pending reads 1023");

	/* preemption with real exceptions: SGI 1's handler sends SGI 2, which nests */
	irq_enable();
	gic_send_sgi_self(1);
	settle();
	order[order_length] = 0;
	check(order_length == 3 && order[0] == '1' && order[1] == '2' && order[2] == '1',
	      "SGI 2 preempts the handler of SGI 1");

	printf("sgi: %s (nesting order %s)\n", errors ? "failed" : "ok", (const char *)order);
	return errors ? 1 : 0;
}
