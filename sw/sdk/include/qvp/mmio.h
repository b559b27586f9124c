/* Memory-mapped I/O and a few CPU instructions for bare-metal firmware. */
#ifndef QVP_SDK_MMIO_H
#define QVP_SDK_MMIO_H

#include <stdint.h>

/*
 * With the MMU off every data access is Device-nGnRnE, so plain volatile accesses are
 * already ordered and uncached; the compiler barrier keeps them in program order.
 */
static inline uint32_t mmio_read32(uintptr_t addr)
{
	return *(volatile const uint32_t *)addr;
}

static inline void mmio_write32(uintptr_t addr, uint32_t value)
{
	*(volatile uint32_t *)addr = value;
}

static inline void cpu_wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

#endif
