/*
 * PSCI SYSTEM_RESET on virt-sc under qvp-sc (docs/systemc.md): the SystemC peripherals are reset
 * with the rest of the board. The first boot writes the SystemC memory, starts a long DMA add
 * with its interrupt enabled and resets before it ends; the second (the generic timer's count
 * goes on across the reset, so it knows) checks that the accelerator's registers and the memory
 * are back to their reset values, that the abandoned operation never writes or interrupts,
 * and that a new operation runs. One line per check; exits 0 when all pass, 1 otherwise.
 */
#include <psci_ids.h>
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <qvp/mmio.h>
#include <qvp/timer.h>
#include <stdint.h>
#include <stdio.h>

#include "../../runtime/systemc/accelerator_regs.h"
#include "virt_sc.h"

#define WORDS       4096 /* the first boot's operation takes 100 ns + 2 ns a word: 8.3 us */

static struct virt_sc board;
static int failures;
static volatile int interrupts;
static uint32_t src[WORDS], dst[WORDS];

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "pass" : "FAIL", what);
	if (!ok)
		failures++;
}

static void irq_handler(struct exception_frame *frame)
{
	(void)frame;
	uint32_t iar = gic_ack();
	unsigned id = iar & 0x3ff;
	if (id == board.accel_irq)
		mmio_write32(board.accel + SC_ACCEL_STATUS, SC_ACCEL_STATUS_DONE | SC_ACCEL_STATUS_ERROR);
	interrupts++;
	if (id < GICV2_SPURIOUS_GRP1)
		gic_eoi(iar);
}

static void start_add(uint32_t words, uint32_t operand)
{
	mmio_write32(board.accel + SC_ACCEL_OP, SC_ACCEL_OP_ADD);
	mmio_write32(board.accel + SC_ACCEL_SRC_LO, (uint32_t)(uintptr_t)src);
	mmio_write32(board.accel + SC_ACCEL_SRC_HI, (uint32_t)((uint64_t)(uintptr_t)src >> 32));
	mmio_write32(board.accel + SC_ACCEL_DST_LO, (uint32_t)(uintptr_t)dst);
	mmio_write32(board.accel + SC_ACCEL_DST_HI, (uint32_t)((uint64_t)(uintptr_t)dst >> 32));
	mmio_write32(board.accel + SC_ACCEL_LENGTH, words * 4);
	mmio_write32(board.accel + SC_ACCEL_OPERAND, operand);
	mmio_write32(board.accel + SC_ACCEL_CTRL, SC_ACCEL_CTRL_START | SC_ACCEL_CTRL_IRQ_ENABLE);
}

static void system_reset(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_RESET;

	__asm__ volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
}

static void first_boot(void)
{
	printf("sc_reset: first boot: a long DMA add under way, resetting\n");
	mmio_write32(board.sram, 0x5ca1ab1e);
	for (unsigned i = 0; i < WORDS; i++)
		src[i] = i;
	while (timer_count() < timer_frequency() / 1000) /* the second boot will be after 1 ms */
		;
	start_add(WORDS, 1);
	system_reset();
	check(0, "SYSTEM_RESET does not return");
}

static void second_boot(void)
{
	uint64_t until;
	int untouched = 1, added = 1;

	printf("sc_reset: second boot\n");
	check(mmio_read32(board.accel + SC_ACCEL_ID) == SC_ACCEL_ID_VALUE, "the accelerator answers");
	check(mmio_read32(board.accel + SC_ACCEL_STATUS) == 0, "STATUS is 0: the operation under way was dropped");
	check(mmio_read32(board.accel + SC_ACCEL_CTRL) == 0 && mmio_read32(board.accel + SC_ACCEL_LENGTH) == 0 &&
		      mmio_read32(board.accel + SC_ACCEL_OPERAND) == 0 && mmio_read32(board.accel + SC_ACCEL_SRC_LO) == 0,
	      "CTRL, LENGTH, OPERAND and SRC are 0");
	check(mmio_read32(board.accel + SC_ACCEL_COMPLETED) == 0, "COMPLETED is 0");
	check(mmio_read32(board.sram) == 0, "the SystemC memory is zeroed, as RAM is");

	gic_enable_irq(board.accel_irq, 0xa0, false);
	irq_enable();
	until = timer_count() + timer_frequency() / 50000; /* 20 us: past the dropped operation's end */
	while (timer_count() < until)
		;
	for (unsigned i = 0; i < WORDS; i++)
		untouched &= dst[i] == 0;
	check(interrupts == 0, "the dropped operation raises no interrupt");
	check(untouched, "the dropped operation writes nothing");

	for (unsigned i = 0; i < 16; i++)
		src[i] = 100 + i;
	start_add(16, 5);
	while (interrupts == 0)
		wait_for_interrupt();
	irq_disable();
	for (unsigned i = 0; i < 16; i++)
		added &= dst[i] == 105 + i;
	check(interrupts == 1 && added, "a new operation runs and interrupts");
	check(mmio_read32(board.accel + SC_ACCEL_COMPLETED) == 1, "COMPLETED counts it");
}

int main(void)
{
	if (virt_sc_find(&board) < 0 || gic_init() != 0) {
		printf("sc_reset: no SystemC accelerator, memory and GIC in the device tree (run with qvp-sc --platform virt-sc)\n");
		return 1;
	}
	exception_set_handler(EXCEPTION_IRQ, irq_handler);

	if (timer_count() < timer_frequency() / 1000) /* before 1 ms: the first boot */
		first_boot();
	else
		second_boot();
	printf("sc_reset: %s\n", failures ? "FAILED" : "all checks passed");
	return failures ? 1 : 0;
}
