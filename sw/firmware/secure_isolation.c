/*
 * The Secure and Non-secure physical address spaces on the virt-secure board (QEMU's
 * -M virt,secure=on): started at EL3, the firmware writes a word into the secure RAM at
 * 0x0e000000, then reads it through two EL3 mappings of the same physical page, one with the
 * descriptor's NS bit clear (the Secure space: the word) and one with NS set (the Non-secure
 * space, where nothing is: an external abort). It reads the secure physical timer
 * (CNTPS_*), then drops to Non-secure EL1, where the secure RAM and the secure UART abort
 * (as on QEMU, where nothing is mapped there in that space) and CNTPS_CTL_EL1 is UNDEFINED.
 * Back at EL3 the word is unchanged. Every syndrome is printed, so the output is compared
 * with QEMU's (tests/test_tfa.cpp); semihosting SYS_EXIT ends the run.
 */
#include <qvp/exception.h>
#include <stdint.h>
#include <stdio.h>

#include "semihosting.h"

#define READ_SYSREG(name)                                                                                       \
	({                                                                                                      \
		uint64_t value_;                                                                                \
		__asm__ volatile("mrs %0, " #name : "=r"(value_));                                              \
		value_;                                                                                         \
	})
#define WRITE_SYSREG(name, value) __asm__ volatile("msr " #name ", %0; isb" : : "r"((uint64_t)(value)) : "memory")

#define SCR_NS (1ull << 0)
#define SCR_RW (1ull << 10)

#define SECURE_RAM  0x0e000000ull
#define SECURE_UART 0x09040000ull
#define PATTERN     0x5ec0de5ec0de0001ull

/* EL3's stage 1: 1 GiB blocks at level 1 (T0SZ 32, 4 KiB granule). */
#define BLOCK         1ull
#define AF            (1ull << 10)
#define NS            (1ull << 5)
#define ATTR_DEVICE   (0ull << 2) /* MAIR index 0: Device-nGnRnE */
#define ATTR_NORMAL   (1ull << 2) /* MAIR index 1: Normal write-back */
#define VA_SECURE     0x80000000ull /* PA 0, NS = 0 */
#define VA_NONSECURE  0xc0000000ull /* PA 0, NS = 1 */

#define SMC_CHECK  0x21
#define SMC_FINISH 0x22

extern char el3_vectors[];
void el3_enter_lower(void (*entry)(void), uint64_t stack, unsigned el);
void el3_dispatch(struct exception_frame *frame);

static uint64_t level1[512] __attribute__((aligned(4096)));
static uint64_t lower_stack[1024] __attribute__((aligned(16)));

static void finish(int code)
{
	uint64_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (uint64_t)code };

	printf("el3: exiting with %d\n", code);
	semihost_block(SYS_EXIT, block);
	for (;;)
		;
}

static uint64_t read64(uint64_t address)
{
	return *(volatile uint64_t *)address;
}

/* ---- EL3 ---- */

static void el3_synchronous(struct exception_frame *frame)
{
	unsigned ec = (unsigned)(frame->esr >> 26) & 0x3f;

	if (ec == 0x25) { /* a data abort at EL3: report it and go on after the access */
		printf("el3: data abort ESR_EL3=0x%08llx FAR_EL3=0x%llx\n", (unsigned long long)frame->esr,
		       (unsigned long long)frame->far);
		frame->x[0] = 0xdead;
		frame->elr += 4;
		return;
	}
	if (ec != 0x17) {
		printf("el3: unexpected ESR_EL3=0x%08llx ELR_EL3=0x%llx\n", (unsigned long long)frame->esr,
		       (unsigned long long)frame->elr);
		finish(3);
	}
	if ((frame->esr & 0xffff) == SMC_CHECK)
		printf("el3: the secure word is still 0x%llx\n", (unsigned long long)read64(SECURE_RAM));
	else
		finish((int)frame->x[0]);
}

void el3_dispatch(struct exception_frame *frame)
{
	if ((frame->vector & 3) == 0)
		el3_synchronous(frame);
	else
		finish(2);
}

/* Two aliases of the first GiB (secure RAM, UARTs), NS clear and set; the RAM GiB, secure. */
static void el3_mmu_on(void)
{
	level1[0] = 0x00000000ull | ATTR_DEVICE | AF | BLOCK | NS; /* the UART printf uses */
	level1[1] = 0x40000000ull | ATTR_NORMAL | AF | BLOCK | (3ull << 8);
	level1[2] = 0x00000000ull | ATTR_DEVICE | AF | BLOCK;
	level1[3] = 0x00000000ull | ATTR_DEVICE | AF | BLOCK | NS;
	WRITE_SYSREG(mair_el3, 0xff00);
	WRITE_SYSREG(tcr_el3, (1ull << 31) | (1ull << 23) | (3ull << 12) | (1ull << 10) | (1ull << 8) | 32);
	WRITE_SYSREG(ttbr0_el3, (uint64_t)level1);
	__asm__ volatile("tlbi alle3; dsb sy; isb" ::: "memory");
	WRITE_SYSREG(sctlr_el3, READ_SYSREG(sctlr_el3) | 1);
}

static void el3_mmu_off(void)
{
	WRITE_SYSREG(sctlr_el3, READ_SYSREG(sctlr_el3) & ~1ull);
	__asm__ volatile("tlbi alle3; dsb sy; isb" ::: "memory");
}

static void el3_secure_timer(void)
{
	WRITE_SYSREG(cntps_cval_el1, 0x123456789ull);
	WRITE_SYSREG(cntps_ctl_el1, 2); /* masked, disabled */
	printf("el3: CNTPS_CVAL_EL1=0x%llx CNTPS_CTL_EL1=%llu\n", (unsigned long long)READ_SYSREG(cntps_cval_el1),
	       (unsigned long long)READ_SYSREG(cntps_ctl_el1));
}

/* ---- Non-secure EL1 ---- */

static void el1_abort(struct exception_frame *frame)
{
	printf("el1: ESR_EL1=0x%08llx FAR_EL1=0x%llx\n", (unsigned long long)frame->esr, (unsigned long long)frame->far);
	frame->x[0] = 0xdead;
	frame->elr += 4;
}

static uint64_t load_x0(uint64_t address)
{
	register uint64_t value __asm__("x0") = address;

	__asm__ volatile("ldr %0, [%0]" : "+r"(value) : : "memory");
	return value;
}

static void el1_write(uint64_t address, uint64_t value)
{
	register uint64_t x0 __asm__("x0") = address;
	register uint64_t x1 __asm__("x1") = value;

	__asm__ volatile("str %1, [%0]" : "+r"(x0) : "r"(x1) : "memory");
}

static void lower_main(void)
{
	register uint64_t x0 __asm__("x0") = 0;

	printf("el1: running in Non-secure EL1\n");
	exception_set_handler(EXCEPTION_SYNC, el1_abort);
	printf("el1: secure RAM read gives 0x%llx\n", (unsigned long long)load_x0(SECURE_RAM));
	el1_write(SECURE_RAM, 0x1111);
	printf("el1: secure UART UARTFR read gives 0x%llx\n", (unsigned long long)load_x0(SECURE_UART + 0x18));
	__asm__ volatile("mrs %0, cntps_ctl_el1" : "+r"(x0) : : "memory"); /* UNDEFINED here */
	__asm__ volatile("smc #0x21" ::: "x0", "memory");
	__asm__ volatile("mov x0, #0; smc #0x22" ::: "x0", "memory");
	for (;;)
		;
}

int main(void)
{
	uint64_t value;

	if (((READ_SYSREG(CurrentEL) >> 2) & 3) != 3) {
		printf("el3: this firmware needs to start at EL3 (qvp --platform virt-secure)\n");
		return 1;
	}
	WRITE_SYSREG(vbar_el3, (uint64_t)el3_vectors);
	*(volatile uint64_t *)SECURE_RAM = PATTERN;
	printf("el3: MMU off, the secure word reads 0x%llx\n", (unsigned long long)read64(SECURE_RAM));
	el3_mmu_on();
	printf("el3: NS=0 alias reads 0x%llx\n", (unsigned long long)read64(VA_SECURE + SECURE_RAM));
	value = load_x0(VA_NONSECURE + SECURE_RAM); /* the same x0-only load: the abort handler sets x0 */
	printf("el3: NS=1 alias reads 0x%llx\n", (unsigned long long)value);
	el3_mmu_off();
	el3_secure_timer();
	WRITE_SYSREG(scr_el3, SCR_NS | SCR_RW);
	printf("el3: entering Non-secure EL1\n");
	el3_enter_lower(lower_main, (uint64_t)&lower_stack[1024], 1);
	return 4;
}
