/*
 * Drives the SystemC peripherals of platforms/virt-sc.dts under qvp-sc (docs/systemc.md): the
 * accelerator's registers, a DMA copy polled to completion, a DMA add finished by its GIC
 * interrupt while the CPU waits in WFI, a checksum the accelerator reads from the SystemC
 * memory (DMA out of qvp and back into SystemC), the SystemC memory through DMI, a failed DMA,
 * and a TLM address error that must reach the guest as a data abort. One line per check;
 * exits 0 when all pass, 1 otherwise.
 */
#include <qvp/cache.h>
#include <qvp/exception.h>
#include <qvp/gic.h>
#include <qvp/mmio.h>
#include <stdint.h>
#include <stdio.h>

#include "../../runtime/systemc/accelerator_regs.h"
#include "virt_sc.h"

#define WORDS       256

static struct virt_sc board;
static int failures;

static uint32_t src[WORDS], dst[WORDS];

static volatile struct {
	int interrupts;
	unsigned last_id;
	uint32_t status;
	int aborts;
	uint64_t esr, far;
} seen;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "pass" : "FAIL", what);
	if (!ok)
		failures++;
}

static uint32_t reg_read(unsigned offset)
{
	return mmio_read32(board.accel + offset);
}

static void reg_write(unsigned offset, uint32_t value)
{
	mmio_write32(board.accel + offset, value);
}

static void irq_handler(struct exception_frame *frame)
{
	(void)frame;
	uint32_t iar = gic_ack();
	unsigned id = iar & 0x3ff;
	if (id == board.accel_irq) {
		seen.status = reg_read(SC_ACCEL_STATUS);
		reg_write(SC_ACCEL_STATUS, SC_ACCEL_STATUS_DONE | SC_ACCEL_STATUS_ERROR); /* drops the line */
	}
	seen.last_id = id;
	seen.interrupts++;
	if (id < GICV2_SPURIOUS_GRP1)
		gic_eoi(iar);
}

static void sync_handler(struct exception_frame *frame)
{
	seen.esr = frame->esr;
	seen.far = frame->far;
	seen.aborts++;
	frame->elr += 4; /* skip the access */
}

static void start(uint32_t op, const void *from, void *to, uint32_t length, uint32_t ctrl)
{
	reg_write(SC_ACCEL_OP, op);
	reg_write(SC_ACCEL_SRC_LO, (uint32_t)(uintptr_t)from);
	reg_write(SC_ACCEL_SRC_HI, (uint32_t)((uint64_t)(uintptr_t)from >> 32));
	reg_write(SC_ACCEL_DST_LO, (uint32_t)(uintptr_t)to);
	reg_write(SC_ACCEL_DST_HI, (uint32_t)((uint64_t)(uintptr_t)to >> 32));
	reg_write(SC_ACCEL_LENGTH, length);
	reg_write(SC_ACCEL_CTRL, ctrl | SC_ACCEL_CTRL_START);
}

static void copy_polled(void)
{
	int same = 1;
	unsigned polls = 0;

	for (unsigned i = 0; i < WORDS; i++) {
		src[i] = i * 0x01010101u + 7;
		dst[i] = 0;
	}
	start(SC_ACCEL_OP_COPY, src, dst, sizeof(src), 0);
	uint32_t status = reg_read(SC_ACCEL_STATUS);
	while (!(reg_read(SC_ACCEL_STATUS) & SC_ACCEL_STATUS_DONE))
		polls++;
	check(status == SC_ACCEL_STATUS_BUSY, "copy: BUSY right after START");
	for (unsigned i = 0; i < WORDS; i++)
		same &= dst[i] == src[i];
	check(same, "copy: DMA wrote the source words into guest RAM");
	check(polls > 0, "copy: the operation takes SystemC time (polled until DONE)");
	reg_write(SC_ACCEL_STATUS, SC_ACCEL_STATUS_DONE);
	check(reg_read(SC_ACCEL_STATUS) == 0, "copy: writing DONE clears it");
}

static void add_with_interrupt(void)
{
	int same = 1;

	start(SC_ACCEL_OP_ADD, src, dst, sizeof(src), SC_ACCEL_CTRL_IRQ_ENABLE);
	irq_enable();
	while (seen.interrupts == 0)
		wait_for_interrupt();
	irq_disable();
	for (unsigned i = 0; i < WORDS; i++)
		same &= dst[i] == src[i] + 0x11111111u;
	check(seen.interrupts == 1 && seen.last_id == board.accel_irq, "add: one interrupt, the accelerator's SPI");
	check(seen.status == SC_ACCEL_STATUS_DONE, "add: STATUS in the handler is DONE");
	check(same, "add: DMA wrote src + OPERAND into guest RAM");
	check(reg_read(SC_ACCEL_COMPLETED) == 2, "add: COMPLETED counts two operations");
}

static void sram_and_checksum(void)
{
	volatile uint32_t *words = (volatile uint32_t *)board.sram;
	volatile uint64_t *doubles = (volatile uint64_t *)board.sram;
	volatile uint8_t *bytes = (volatile uint8_t *)board.sram;
	uint32_t sum = 0;

	for (unsigned i = 0; i < WORDS; i++) {
		words[i] = i * 2654435761u;
		sum += i * 2654435761u;
	}
	check(words[5] == 5 * 2654435761u && words[WORDS - 1] == (WORDS - 1) * 2654435761u,
	      "SystemC memory: 32-bit reads return what was written");
	doubles[WORDS] = 0x0123456789abcdefull;
	check(bytes[WORDS * 8] == 0xef && bytes[WORDS * 8 + 7] == 0x01, "SystemC memory: 64-bit write, byte reads");
	start(SC_ACCEL_OP_CHECKSUM, (const void *)board.sram, 0, WORDS * 4, 0);
	while (!(reg_read(SC_ACCEL_STATUS) & SC_ACCEL_STATUS_DONE))
		;
	check(reg_read(SC_ACCEL_RESULT) == sum, "checksum: the accelerator summed the SystemC memory");
	reg_write(SC_ACCEL_STATUS, SC_ACCEL_STATUS_DONE);
}

/* A DMA copy over instructions the CPU has already run: the CPU runs the copied ones. */
static void dma_over_code(void)
{
	static uint32_t code[16] __attribute__((aligned(64)));
	int (*function)(void) = (int (*)(void))(uintptr_t)code;

	code[0] = 0x52800020; /* mov w0, #1 */
	code[1] = 0xd65f03c0; /* ret */
	icache_sync_all();
	int before = function();
	src[0] = 0x52800060; /* mov w0, #3 */
	src[1] = 0xd65f03c0;
	start(SC_ACCEL_OP_COPY, src, code, 8, 0);
	while (!(reg_read(SC_ACCEL_STATUS) & SC_ACCEL_STATUS_DONE))
		;
	reg_write(SC_ACCEL_STATUS, SC_ACCEL_STATUS_DONE);
	icache_sync_all();
	int after = function();
	check(before == 1 && after == 3, "DMA over code the CPU ran: the CPU runs the new code");
}

static void errors(void)
{
	seen.interrupts = 0;
	start(SC_ACCEL_OP_COPY, (const void *)0x100000000ull, dst, 64, SC_ACCEL_CTRL_IRQ_ENABLE);
	irq_enable();
	while (seen.interrupts == 0)
		wait_for_interrupt();
	irq_disable();
	check(seen.status == SC_ACCEL_STATUS_ERROR, "DMA from an unmapped address: STATUS ERROR and an interrupt");

	volatile uint32_t *past = (volatile uint32_t *)(board.accel + 0x800);
	uint32_t value = *past;
	(void)value;
	check(seen.aborts == 1 && seen.esr == 0x96000010 && seen.far == board.accel + 0x800,
	      "TLM address error on a read: synchronous external data abort, FAR");
	*past = 1;
	check(seen.aborts == 2 && seen.esr == 0x96000050 && seen.far == board.accel + 0x800,
	      "TLM address error on a write: data abort with WnR");
}

int main(void)
{
	if (virt_sc_find(&board) < 0 || gic_init() != 0) {
		printf("sc_accel: no SystemC accelerator, memory and GIC in the device tree (run with qvp-sc --platform virt-sc)\n");
		return 1;
	}
	exception_set_handler(EXCEPTION_IRQ, irq_handler);
	exception_set_handler(EXCEPTION_SYNC, sync_handler);
	gic_enable_irq(board.accel_irq, 0xa0, false);

	check(reg_read(SC_ACCEL_ID) == SC_ACCEL_ID_VALUE, "ID register reads \"QSCA\"");
	reg_write(SC_ACCEL_OPERAND, 0x11111111u);
	check(reg_read(SC_ACCEL_OPERAND) == 0x11111111u, "OPERAND reads back");
	copy_polled();
	add_with_interrupt();
	sram_and_checksum();
	dma_over_code();
	errors();
	printf("sc_accel: %s\n", failures ? "FAILED" : "all checks passed");
	return failures ? 1 : 0;
}
