/* Cache maintenance for SDK firmware. */
#ifndef QVP_SDK_CACHE_H
#define QVP_SDK_CACHE_H

/* Before running instructions the CPU or a device has just written: the architecture's
 * sequence (whole instruction cache, one CPU). Real CPUs and KVM need it; the interpreter
 * drops stale decoded code by itself. */
static inline void icache_sync_all(void)
{
	__asm__ volatile("dsb ish\n\tic iallu\n\tdsb ish\n\tisb" ::: "memory");
}

#endif
