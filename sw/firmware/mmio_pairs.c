/* Device-register accesses that carry no instruction syndrome on KVM (load/store pairs and
 * writeback addressing), on GICD_IPRIORITYR, whose bytes keep the 5 implemented priority bits.
 * Under --backend kvm each one reaches qvp as KVM_EXIT_ARM_NISV and is emulated there. */
#include <qvp/gic.h>
#include <stdio.h>

#define PRIORITY_SPI32 0x420u /* GICD_IPRIORITYR for interrupts 32..39 */

static int errors;

static void check(uint32_t got, uint32_t want, const char *what)
{
	printf("%s: 0x%08x\n", what, (unsigned)got);
	if (got != want) {
		printf("mmio_pairs: FAILED: %s, expected 0x%08x\n", what, (unsigned)want);
		errors++;
	}
}

int main(void)
{
	uintptr_t base;
	uint32_t first, second;
	uintptr_t cursor;

	if (gic_init() != 0) {
		printf("mmio_pairs: no GIC\n");
		return 1;
	}
	base = gic_dist_base() + PRIORITY_SPI32;

	__asm__ volatile("stp %w0, %w1, [%2]" ::"r"(0x12345678u), "r"(0x9abcdef0u), "r"(base) : "memory");
	check(gic_dist_read(PRIORITY_SPI32), 0x10305078u, "stp, first word");
	check(gic_dist_read(PRIORITY_SPI32 + 4), 0x98b8d8f0u, "stp, second word");

	gic_dist_write(PRIORITY_SPI32, 0xf8f0e8e0u);
	gic_dist_write(PRIORITY_SPI32 + 4, 0x08101820u);
	__asm__ volatile("ldp %w0, %w1, [%2]" : "=&r"(first), "=&r"(second) : "r"(base) : "memory");
	check(first, 0xf8f0e8e0u, "ldp, first word");
	check(second, 0x08101820u, "ldp, second word");

	cursor = base;
	__asm__ volatile("ldr %w0, [%1], #4" : "=r"(first), "+r"(cursor) : : "memory");
	check(first, 0xf8f0e8e0u, "ldr post-index, value");
	check((uint32_t)(cursor - base), 4, "ldr post-index, base advanced by");

	__asm__ volatile("str %w1, [%0, #-4]!" : "+r"(cursor) : "r"(0x40404040u) : "memory");
	check((uint32_t)(cursor - base), 0, "str pre-index, base back by");
	check(gic_dist_read(PRIORITY_SPI32), 0x40404040u, "str pre-index, value");

	printf("mmio_pairs: %s\n", errors ? "FAILED" : "ok");
	return errors ? 1 : 0;
}
