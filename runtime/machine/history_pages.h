/* The RAM of history's checkpoints (history.c): per region, groups of page copies that later
 * checkpoints share while nothing in them changes, so a checkpoint costs what was written
 * since the one before, in page copies and in table. */
#ifndef QVP_HISTORY_PAGES_H
#define QVP_HISTORY_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "cpu.h"

#define HISTORY_PAGE_BYTES 4096u /* what a page copy holds: the guest's smallest page */

struct page_group;
struct page_store;

/* A RAM region as a checkpoint kept it. */
struct region_pages {
	uint64_t base, size;
	struct page_group **groups;
	size_t group_count;
};

struct page_store *page_store_create(void);
void page_store_destroy(struct page_store *store);
/* Bytes held for page copies and groups (history's memory budget counts them). */
uint64_t page_store_bytes(const struct page_store *store);

/* The region now, sharing what has not changed since `previous` (NULL: nothing to share);
 * `watcher`, if not NULL, is the CPU that flagged the pages nothing stored to since then. */
int region_pages_keep(struct page_store *store, const struct bus_ram *ram, const struct region_pages *previous,
		      struct cpu *watcher, struct region_pages *region);
/* The region's RAM made as kept, in place: pages copied back, the others cleared where backed. */
void region_pages_restore(const struct bus_ram *ram, const struct region_pages *region);
void region_pages_release(struct page_store *store, struct region_pages *region);

#endif
