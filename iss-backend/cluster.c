/*
 * The CPUs of one machine (iss_join). They run one at a time on one host thread, so what one
 * CPU does reaches the others' state directly: at once in the simulated world, and in the
 * order the machine runs them, so runs repeat.
 *
 * The page flags of RAM (PAGE_HAS_CODE) belong to the cluster, one array per RAM region shared
 * by every CPU: a page one CPU decoded is code for all of them, so a store from any CPU
 * invalidates every CPU's decoded copy. The global monitor costs nothing on the fast path: a
 * monitor can only be cleared by another CPU's store while its own CPU is not running, so a
 * CPU about to run drops its TLB write tags for the pages others have marked granules in
 * (they are few, and usually none), and its slow-path stores clear those monitors.
 */
#include <stdlib.h>

#include "cluster.h"
#include "dispatch.h"
#include "error.h"
#include "iss.h"
#include "mmu.h"
#include "stage2.h"

struct cluster_flags {
	uint64_t base;  /* the RAM region's base address */
	uint8_t *flags; /* one byte per page */
};

struct iss_cluster {
	struct iss *cpus[ISS_MAX_CPUS];
	unsigned count;
	struct cluster_flags *regions;
	unsigned region_count;
};

static struct iss_cluster *cluster_create(struct iss *first)
{
	struct iss_cluster *cluster = calloc(1, sizeof(*cluster));

	if (!cluster)
		return NULL;
	cluster->cpus[cluster->count++] = first;
	first->cluster = cluster;
	return cluster;
}

/* Forgets what the CPU learned alone: its RAM regions take the cluster's shared flags. */
static void forget_private_ram(struct iss *cpu)
{
	for (unsigned k = 0; k < cpu->ram_count; k++) {
		if (!cpu->rams[k]->shared_flags)
			free(cpu->rams[k]->code_flags);
		free(cpu->rams[k]);
	}
	cpu->ram_count = 0;
	iss_tlb_flush(cpu);
	for (unsigned k = 0; k < PAGE_CACHE_SLOTS; k++)
		if (cpu->pages[k])
			cpu->pages[k]->base = ~0ull;
	cpu->code_base = 1; /* odd: the next fetch enters its page again */
}

int iss_join(struct cpu *base, struct cpu *member)
{
	struct iss *cpu = to_iss(base), *other = to_iss(member);
	struct iss_cluster *cluster = other->cluster;

	if (cpu->cluster)
		return error_set("iss: the CPU already belongs to a cluster");
	if (!cluster) {
		forget_private_ram(other);
		cluster = cluster_create(other);
		if (!cluster)
			return error_set("iss: out of memory");
	}
	if (cluster->count == ISS_MAX_CPUS)
		return error_set("iss: at most %d CPUs share a cluster", ISS_MAX_CPUS);
	forget_private_ram(cpu);
	cluster->cpus[cluster->count++] = cpu;
	cpu->cluster = cluster;
	return 0;
}

void iss_cluster_leave(struct iss *cpu)
{
	struct iss_cluster *cluster = cpu->cluster;
	unsigned k = 0;

	if (!cluster)
		return;
	while (cluster->cpus[k] != cpu)
		k++;
	cluster->cpus[k] = cluster->cpus[--cluster->count];
	cpu->cluster = NULL;
	if (cluster->count)
		return;
	for (unsigned r = 0; r < cluster->region_count; r++)
		free(cluster->regions[r].flags);
	free(cluster->regions);
	free(cluster);
}

uint8_t *iss_cluster_page_flags(struct iss *cpu, uint64_t base, uint64_t pages)
{
	struct iss_cluster *cluster = cpu->cluster;
	struct cluster_flags *regions;

	for (unsigned r = 0; r < cluster->region_count; r++)
		if (cluster->regions[r].base == base)
			return cluster->regions[r].flags;
	regions = realloc(cluster->regions, (cluster->region_count + 1) * sizeof(*regions));
	if (!regions)
		return NULL;
	cluster->regions = regions;
	regions[cluster->region_count].base = base;
	regions[cluster->region_count].flags = calloc(pages, 1);
	if (!regions[cluster->region_count].flags)
		return NULL;
	return regions[cluster->region_count++].flags;
}

void iss_cluster_send_event(struct iss *cpu)
{
	if (!cpu->cluster) {
		cpu->event_register = true;
		return;
	}
	for (unsigned k = 0; k < cpu->cluster->count; k++)
		cpu->cluster->cpus[k]->event_register = true;
}

void iss_cluster_protect_reservations(struct iss *cpu)
{
	for (unsigned k = 0; k < cpu->cluster->count; k++) {
		const struct iss *other = cpu->cluster->cpus[k];
		if (other != cpu && other->exclusive_valid)
			iss_tlb_protect_page(cpu, other->exclusive_pa & ~(PAGE_SIZE - 1));
	}
}

bool iss_cluster_reserved_by_others(const struct iss *cpu, uint64_t pa_page)
{
	for (unsigned k = 0; k < cpu->cluster->count; k++) {
		const struct iss *other = cpu->cluster->cpus[k];
		if (other != cpu && other->exclusive_valid && (other->exclusive_pa & ~(PAGE_SIZE - 1)) == pa_page)
			return true;
	}
	return false;
}

/* Clearing another CPU's monitor is an event for it: its WFE on the lock wakes up. */
static void clear_monitor(struct iss *other, uint64_t pa, uint64_t length)
{
	uint64_t first = pa & ~(EXCLUSIVE_GRANULE - 1);

	if (other->exclusive_valid && other->exclusive_pa >= first && other->exclusive_pa < pa + length) {
		other->exclusive_valid = false;
		other->event_register = true;
	}
}

void iss_cluster_stored(struct iss *cpu, uint64_t pa, uint64_t length, uint8_t page_flags)
{
	iss_clear_unwritten(cpu, pa, length); /* the flags are the cluster's: once for all */
	if (!cpu->cluster) {
		if (page_flags & PAGE_HAS_CODE)
			iss_code_written(cpu, pa, length);
		return;
	}
	for (unsigned k = 0; k < cpu->cluster->count; k++) {
		struct iss *other = cpu->cluster->cpus[k];
		if (page_flags & PAGE_HAS_CODE)
			iss_code_written(other, pa, length);
		if (other != cpu)
			clear_monitor(other, pa, length);
	}
}

void iss_cluster_ram_written(struct iss *cpu, uint64_t pa, uint64_t length)
{
	iss_clear_unwritten(cpu, pa, length);
	iss_code_written(cpu, pa, length);
	clear_monitor(cpu, pa, length);
}

void iss_cluster_tlbi(struct iss *cpu, unsigned op, uint64_t operand)
{
	uint16_t vmid = iss_current_vmid(cpu); /* the issuer's VMID scopes the operation on every CPU */

	if (!cpu->cluster) {
		iss_tlbi(cpu, op, operand, vmid);
		return;
	}
	for (unsigned k = 0; k < cpu->cluster->count; k++)
		iss_tlbi(cpu->cluster->cpus[k], op, operand, vmid);
}

void iss_cluster_watch_ram_writes(struct iss *cpu)
{
	iss_flag_ram_unwritten(cpu); /* the flags are shared: once for all */
	if (!cpu->cluster) {
		iss_tlb_protect_all(cpu);
		return;
	}
	for (unsigned k = 0; k < cpu->cluster->count; k++)
		iss_tlb_protect_all(cpu->cluster->cpus[k]);
}

void iss_cluster_flag_page(struct iss *cpu, uint64_t pa_page, uint8_t flag)
{
	if (iss_page_flagged(cpu, pa_page, flag))
		return; /* the flags are shared: every CPU dropped its write tags when it was set */
	if (!cpu->cluster) {
		iss_flag_page(cpu, pa_page, flag);
		return;
	}
	for (unsigned k = 0; k < cpu->cluster->count; k++)
		iss_flag_page(cpu->cluster->cpus[k], pa_page, flag);
}
