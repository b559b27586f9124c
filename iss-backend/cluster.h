/* What the CPUs of one machine share: events, the global exclusive monitor, and the
 * maintenance of decoded code and TLBs that must reach every CPU. */
#ifndef QVP_ISS_CLUSTER_H
#define QVP_ISS_CLUSTER_H

#include <stdint.h>

#include "iss_state.h"

/* code_flags bits of a RAM page (mmu.c): a store to a flagged page takes the slow path. */
enum {
	PAGE_HAS_CODE = 1,  /* some CPU decoded instructions here */
	PAGE_UNWRITTEN = 2, /* nothing stored here since iss_watch_ram_writes() (a history checkpoint) */
};

#define EXCLUSIVE_GRANULE 64ull /* CTR_EL0.ERG: what one exclusive monitor marks */

/* The flags of the RAM region at `base` (`pages` long), which every CPU of the cluster shares. */
uint8_t *iss_cluster_page_flags(struct iss *cpu, uint64_t base, uint64_t pages);

/* On destruction: the cluster goes with its last CPU. */
void iss_cluster_leave(struct iss *cpu);

/* SEV: sets the event register of every CPU. */
void iss_cluster_send_event(struct iss *cpu);

/* Before `cpu` runs: its stores to a page where another CPU's monitor marks a granule take
 * the slow path, which clears that monitor (the other CPUs do not run meanwhile). */
void iss_cluster_protect_reservations(struct iss *cpu);

/* Whether another CPU's monitor marks a granule of the page: its TLB write tag stays unset. */
bool iss_cluster_reserved_by_others(const struct iss *cpu, uint64_t pa_page);

/* `cpu` stored to RAM at physical [pa, pa + length) through the slow path, on a page with
 * `page_flags`: decoded code there is stale on every CPU, and the other CPUs' monitors on
 * those granules are cleared (which is an event for them). */
void iss_cluster_stored(struct iss *cpu, uint64_t pa, uint64_t length, uint8_t page_flags);

/* A device wrote RAM (DMA): `cpu`'s decoded code there is stale and its monitor cleared. */
void iss_cluster_ram_written(struct iss *cpu, uint64_t pa, uint64_t length);

/* A TLBI reaches every CPU (dropping more than an operation's shareability asks is allowed). */
void iss_cluster_tlbi(struct iss *cpu, unsigned op, uint64_t operand);

/* Sets `flag` on a RAM page for every CPU, dropping their TLB write tags for it. */
void iss_cluster_flag_page(struct iss *cpu, uint64_t pa_page, uint8_t flag);

/* PAGE_UNWRITTEN on every page of writable RAM, for every CPU (iss.h, iss_watch_ram_writes). */
void iss_cluster_watch_ram_writes(struct iss *cpu);

#endif
