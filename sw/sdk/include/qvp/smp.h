/* Several CPUs for SDK firmware: start the others through PSCI CPU_ON, and a spinlock built
 * on the exclusives with WFE, as Linux's arm64 spinlocks are. */
#ifndef QVP_SDK_SMP_H
#define QVP_SDK_SMP_H

#include <stdint.h>

#define SMP_MAX_CPUS 8

/* A PSCI call through HVC (QEMU virt and qvp without EL2/EL3): x0 comes back. */
int64_t psci_call(uint32_t function, uint64_t a1, uint64_t a2, uint64_t a3);

/* Starts the CPU whose MPIDR affinity is `index` (Aff0) running `function(index)` on a stack
 * of its own; when it returns, the CPU turns itself off (PSCI CPU_OFF). Returns PSCI's answer:
 * 0, or e.g. -2 (INVALID_PARAMETERS) when there is no such CPU. */
int64_t smp_start_cpu(unsigned index, void (*function)(unsigned index));

/* This CPU's MPIDR_EL1. */
static inline uint64_t smp_mpidr(void)
{
	uint64_t mpidr;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	return mpidr;
}

/* This CPU's GIC CPU interface on (PMR 0xff, BPR 2, both groups), for a CPU other than the one
 * that ran gic_init(), which set up the distributor for all of them. */
void smp_gic_init_this_cpu(void);

/* SGI `id` to the CPU whose GIC CPU interface number is `target` (its index here). */
void smp_send_sgi(unsigned id, unsigned target);

struct spinlock {
	uint32_t locked;
};

/* Waits in WFE: an unlocking store clears this CPU's exclusive monitor, which is an event. */
void spin_lock(struct spinlock *lock);
void spin_unlock(struct spinlock *lock);

static inline void send_event(void)
{
	__asm__ volatile("dsb ish\n\tsev" ::: "memory");
}

static inline void wait_for_event(void)
{
	__asm__ volatile("wfe" ::: "memory");
}

#endif
