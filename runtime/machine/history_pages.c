/* Checkpoints' RAM (history_pages.h). A region is a table of groups of GROUP_PAGES page
 * copies; a group nothing in which changed since the checkpoint before is that one's group,
 * shared, and a page that did not change shares its copy. A NULL group or page is zeros.
 * Page copies come from chunks mapped and populated at once and are reused when dropped: on
 * a virtual host a page fault per copied page costs several times the copy. */
#include "history_pages.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "snapshot_parts.h"

#define PAGE_BYTES HISTORY_PAGE_BYTES
#define GROUP_PAGES 512u /* a group's table fills one host page */
#define CHUNK_PAGES 256u /* page copies are mapped 1 MiB at a time */

/* A RAM page as it was, shared by the groups in which it had these bytes. */
struct page_copy {
	unsigned users;
	uint8_t *bytes; /* a slot of a chunk */
};

struct page_group {
	unsigned users; /* checkpoints whose region holds this group */
	struct page_copy *pages[GROUP_PAGES];
};

struct page_store {
	uint8_t **chunks;
	size_t chunk_count;
	uint8_t **free_slots;
	size_t free_count, free_capacity;
	uint64_t bytes;
};

struct page_store *page_store_create(void)
{
	struct page_store *store = calloc(1, sizeof(*store));

	if (!store)
		error_set("history: out of memory");
	return store;
}

void page_store_destroy(struct page_store *store)
{
	if (!store)
		return;
	for (size_t k = 0; k < store->chunk_count; k++)
		munmap(store->chunks[k], (size_t)CHUNK_PAGES * PAGE_BYTES);
	free(store->chunks);
	free(store->free_slots);
	free(store);
}

uint64_t page_store_bytes(const struct page_store *store)
{
	return store->bytes;
}

/* Another chunk's slots on the free list. */
static bool add_chunk(struct page_store *store)
{
	size_t size = (size_t)CHUNK_PAGES * PAGE_BYTES;
	uint8_t **chunks = realloc(store->chunks, (store->chunk_count + 1) * sizeof(*chunks));
	uint8_t *chunk;

	if (!chunks)
		return false;
	store->chunks = chunks;
	if (store->free_capacity < (store->chunk_count + 1) * CHUNK_PAGES) { /* room for every slot */
		size_t capacity = (store->chunk_count + 1) * CHUNK_PAGES * 2;
		uint8_t **slots = realloc(store->free_slots, capacity * sizeof(*slots));
		if (!slots)
			return false;
		store->free_slots = slots;
		store->free_capacity = capacity;
	}
	chunk = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (chunk == MAP_FAILED)
		return false;
	store->chunks[store->chunk_count++] = chunk;
	for (unsigned k = CHUNK_PAGES; k-- > 0;)
		store->free_slots[store->free_count++] = chunk + (size_t)k * PAGE_BYTES;
	return true;
}

static struct page_copy *copy_page(struct page_store *store, const uint8_t *host)
{
	struct page_copy *page = malloc(sizeof(*page));

	if (!page || (!store->free_count && !add_chunk(store))) {
		free(page);
		return NULL;
	}
	page->users = 1;
	page->bytes = store->free_slots[--store->free_count];
	memcpy(page->bytes, host, PAGE_BYTES);
	store->bytes += PAGE_BYTES + sizeof(*page);
	return page;
}

static void release_page(struct page_store *store, struct page_copy *page)
{
	if (!page || --page->users)
		return;
	store->free_slots[store->free_count++] = page->bytes; /* its chunk's slot: room was made then */
	store->bytes -= PAGE_BYTES + sizeof(*page);
	free(page);
}

static void release_group(struct page_store *store, struct page_group *group)
{
	if (!group || --group->users)
		return;
	for (unsigned k = 0; k < GROUP_PAGES; k++)
		release_page(store, group->pages[k]);
	store->bytes -= sizeof(*group);
	free(group);
}

static bool page_is_zero(const uint8_t *page)
{
	static const uint8_t zero[PAGE_BYTES];

	return memcmp(page, zero, PAGE_BYTES) == 0;
}

/* Where a group's pages are in RAM and what the host and the CPU know of them. */
struct group_view {
	const struct bus_ram *ram;
	size_t first, count;  /* pages of the region */
	int pagemap;          /* /proc/self/pagemap, or -1 */
	size_t host_page;     /* bytes (4 KiB or more) */
	bool backed[GROUP_PAGES]; /* per page of the group: the host backed it (read_backed()) */
	struct cpu *watcher;
};

/* Which of the group's pages the host backed; all of them if it cannot tell. Read only for a
 * group something may have changed: the checkpoint's cost is what was written, not RAM's size. */
static void read_backed(struct group_view *view)
{
	size_t offset = view->first * PAGE_BYTES, host_first = offset / view->host_page;
	size_t host_count = ((offset + view->count * PAGE_BYTES - 1) / view->host_page) - host_first + 1;
	bool host_backed[GROUP_PAGES];

	if (!snapshot_backed_range(view->pagemap, view->ram->host + host_first * view->host_page, view->host_page,
				   host_count, host_backed)) {
		memset(view->backed, true, sizeof(view->backed));
		return;
	}
	for (size_t k = 0; k < view->count; k++)
		view->backed[k] = host_backed[(offset + k * PAGE_BYTES) / view->host_page - host_first];
}

/* Nothing stored to pages [k, k + count) of the group since the checkpoint before, as the CPU saw. */
static bool unwritten(const struct group_view *view, size_t k, size_t count)
{
	return view->watcher && view->watcher->ops->ram_unwritten(view->watcher,
								  view->ram->base + (view->first + k) * PAGE_BYTES,
								  count * PAGE_BYTES);
}

/* The page certainly holds what it held in the checkpoint before: zeros then and now (the host
 * backs no page for it), or the CPU saw nothing store to it since. */
static bool page_unchanged(const struct group_view *view, const struct page_copy *before, size_t k)
{
	if (!view->backed[k])
		return !before;
	return unwritten(view, k, 1);
}

static bool group_unchanged(const struct group_view *view, const struct page_group *before)
{
	for (size_t k = 0; k < view->count; k++)
		if (!page_unchanged(view, before ? before->pages[k] : NULL, k))
			return false;
	return true;
}

/* The page's copy: `before`'s if the bytes are the same, NULL if zero, else a new one. */
static bool keep_page(struct page_store *store, const struct group_view *view, struct page_copy *before, size_t k,
		      struct page_copy **kept)
{
	const uint8_t *host = view->ram->host + (view->first + k) * PAGE_BYTES;

	*kept = NULL;
	if (page_unchanged(view, before, k) ||
	    (view->backed[k] && before && memcmp(before->bytes, host, PAGE_BYTES) == 0)) {
		*kept = before;
		if (before)
			before->users++;
		return true;
	}
	if (!view->backed[k] || page_is_zero(host))
		return true;
	*kept = copy_page(store, host);
	return *kept != NULL;
}

/* `fresh` holds the same pages as `before` (both may be NULL: all zeros). */
static bool same_pages(const struct page_group *fresh, const struct page_group *before)
{
	for (unsigned k = 0; k < GROUP_PAGES; k++)
		if ((fresh ? fresh->pages[k] : NULL) != (before ? before->pages[k] : NULL))
			return false;
	return true;
}

/* The group now: `before` again when nothing changed, NULL when all zeros. False if out of memory. */
static bool keep_group(struct page_store *store, struct group_view *view, struct page_group *before,
		       struct page_group **kept)
{
	bool untouched = unwritten(view, 0, view->count), all_zero = true;
	struct page_group *fresh;

	*kept = before;
	if (!untouched)
		read_backed(view);
	if (untouched || group_unchanged(view, before)) {
		if (before)
			before->users++;
		return true;
	}
	fresh = calloc(1, sizeof(*fresh));
	if (!fresh)
		return false;
	fresh->users = 1;
	store->bytes += sizeof(*fresh);
	for (size_t k = 0; k < view->count; k++) {
		if (!keep_page(store, view, before ? before->pages[k] : NULL, k, &fresh->pages[k])) {
			release_group(store, fresh);
			return false;
		}
		all_zero = all_zero && !fresh->pages[k];
	}
	if (all_zero || same_pages(fresh, before)) { /* compared equal: share, or nothing at all */
		release_group(store, fresh);
		if (all_zero)
			*kept = NULL;
		else
			before->users++;
		return true;
	}
	*kept = fresh;
	return true;
}

int region_pages_keep(struct page_store *store, const struct bus_ram *ram, const struct region_pages *previous,
		      struct cpu *watcher, struct region_pages *region)
{
	size_t pages = (size_t)(ram->size / PAGE_BYTES);
	struct group_view view = { .ram = ram, .host_page = (size_t)sysconf(_SC_PAGESIZE), .watcher = watcher };
	bool kept = true;

	view.pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	region->base = ram->base;
	region->size = ram->size;
	region->group_count = (pages + GROUP_PAGES - 1) / GROUP_PAGES;
	region->groups = calloc(region->group_count ? region->group_count : 1, sizeof(region->groups[0]));
	if (!region->groups) {
		region->group_count = 0;
		if (view.pagemap >= 0)
			close(view.pagemap);
		return error_set("history: out of memory");
	}
	store->bytes += region->group_count * sizeof(region->groups[0]);
	if (!previous)
		view.watcher = NULL; /* its flags count from the checkpoint before, and there is none */
	for (size_t g = 0; g < region->group_count && kept; g++) {
		view.first = g * GROUP_PAGES;
		view.count = pages - view.first < GROUP_PAGES ? pages - view.first : GROUP_PAGES;
		kept = keep_group(store, &view, previous ? previous->groups[g] : NULL, &region->groups[g]);
	}
	if (view.pagemap >= 0)
		close(view.pagemap);
	return kept ? 0 : error_set("history: out of memory");
}

void region_pages_restore(const struct bus_ram *ram, const struct region_pages *region)
{
	size_t host_page = (size_t)sysconf(_SC_PAGESIZE), host_pages;
	bool *backed = snapshot_backed_pages(ram, host_page, &host_pages);
	size_t pages = (size_t)(ram->size / PAGE_BYTES);

	if (!backed) /* the host cannot tell: all of it zeroed, as a fresh mapping */
		madvise(ram->host, (size_t)ram->size, MADV_DONTNEED);
	for (size_t k = 0; k < pages; k++) {
		const struct page_group *group = region->groups[k / GROUP_PAGES];
		const struct page_copy *page = group ? group->pages[k % GROUP_PAGES] : NULL;
		uint8_t *host = ram->host + k * PAGE_BYTES;
		if (page)
			memcpy(host, page->bytes, PAGE_BYTES);
		else if (backed && backed[k * PAGE_BYTES / host_page])
			memset(host, 0, PAGE_BYTES);
	}
	free(backed);
}

void region_pages_release(struct page_store *store, struct region_pages *region)
{
	for (size_t g = 0; g < region->group_count; g++)
		release_group(store, region->groups[g]);
	store->bytes -= region->group_count * sizeof(region->groups[0]);
	free(region->groups);
	region->groups = NULL;
	region->group_count = 0;
}
