/* SGI ping-pong: CPU 0 sends SGI 1 to CPU 1, which answers with SGI 1 back, a thousand times
 * each way; every interrupt's GICC_IAR must name the other CPU as its source. The SGI's
 * enable is banked, so each CPU enables its own. Run with --cpus 2 (QEMU: -smp 2). */
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <qvp/smp.h>
#include <stdio.h>

#define PING 1
#define ROUNDS 1000u

static uint32_t received[2], wrong_source, ready;

static unsigned this_cpu(void)
{
	return (unsigned)(smp_mpidr() & 0xff);
}

static void on_irq(struct exception_frame *frame)
{
	uint32_t iar = gic_ack();
	unsigned me = this_cpu(), source = (iar >> 10) & 7;

	(void)frame;
	if ((iar & 0x3ff) == PING) {
		if (source != 1 - me)
			wrong_source++;
		received[me]++;
		if (me == 1 || received[0] < ROUNDS)
			smp_send_sgi(PING, 1 - me);
	}
	gic_eoi(iar);
}

static void pong(unsigned index)
{
	(void)index;
	smp_gic_init_this_cpu();
	gic_enable_irq(PING, 0x80, true);
	irq_enable();
	__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
	send_event();
	for (;;) /* answering pings until CPU 0 ends the run */
		wait_for_interrupt();
}

int main(void)
{
	exception_set_handler(EXCEPTION_IRQ, on_irq);
	if (gic_init() != 0 || smp_start_cpu(1, pong) != 0) {
		printf("smp_ipi: needs a GIC and a second CPU\n");
		return 1;
	}
	gic_enable_irq(PING, 0x80, true);
	while (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
		wait_for_event();
	irq_enable();
	smp_send_sgi(PING, 1);
	while (__atomic_load_n(&received[0], __ATOMIC_ACQUIRE) < ROUNDS)
		wait_for_interrupt();
	irq_disable();
	printf("smp_ipi: cpu 0 received %u, cpu 1 received %u, wrong sources %u\n", received[0], received[1],
	       wrong_source);
	return received[0] == ROUNDS && received[1] == ROUNDS && wrong_source == 0 ? 0 : 1;
}
