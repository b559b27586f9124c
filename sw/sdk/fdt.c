/*
 * Read-only flattened-device-tree walker (DTSpec v0.4, chapter 5).
 *
 * Every multi-byte field is big-endian and is read a byte at a time, so a DTB at any
 * address works even with the MMU off (where unaligned accesses fault).
 */
#include <qvp/fdt.h>
#include <string.h>

enum {
	FDT_BEGIN_NODE = 1,
	FDT_END_NODE = 2,
	FDT_PROP = 3,
	FDT_NOP = 4,
	FDT_END = 9,
};

/* Header field offsets. */
enum {
	HDR_MAGIC = 0,
	HDR_TOTALSIZE = 4,
	HDR_OFF_DT_STRUCT = 8,
	HDR_OFF_DT_STRINGS = 12,
	HDR_OFF_MEM_RSVMAP = 16,
	HDR_VERSION = 20,
	HDR_LAST_COMP_VERSION = 24,
	HDR_SIZE_DT_STRINGS = 32,
	HDR_SIZE_DT_STRUCT = 36,
	HDR_SIZE = 40, /* version 17 */
};

#define FDT_MAX_DEPTH 16

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t hdr(const void *fdt, unsigned offset)
{
	return be32((const uint8_t *)fdt + offset);
}

/* True if [off, off + size) lies within [0, total). */
static int inside(uint32_t off, uint32_t size, uint32_t total)
{
	return off <= total && size <= total - off;
}

int fdt_check_header(const void *fdt)
{
	if (fdt == NULL || hdr(fdt, HDR_MAGIC) != FDT_MAGIC)
		return 0;
	uint32_t total = hdr(fdt, HDR_TOTALSIZE);
	/* Version 17 is what dtc writes; 16 lacks the block sizes we rely on. */
	if (hdr(fdt, HDR_VERSION) < 17 || hdr(fdt, HDR_LAST_COMP_VERSION) > 17)
		return 0;
	if (total < HDR_SIZE)
		return 0;
	return inside(hdr(fdt, HDR_OFF_DT_STRUCT), hdr(fdt, HDR_SIZE_DT_STRUCT), total) &&
	       inside(hdr(fdt, HDR_OFF_DT_STRINGS), hdr(fdt, HDR_SIZE_DT_STRINGS), total) &&
	       inside(hdr(fdt, HDR_OFF_MEM_RSVMAP), 16, total) && hdr(fdt, HDR_OFF_DT_STRUCT) % 4 == 0;
}

uint32_t fdt_total_size(const void *fdt)
{
	return fdt_check_header(fdt) ? hdr(fdt, HDR_TOTALSIZE) : 0;
}

/* A walk over the structure block; every read is bounds-checked. */
struct walker {
	const uint8_t *strings;
	uint32_t strings_size;
	uint32_t pos; /* offset into the structure block */
	uint32_t end; /* size of the structure block */
	const uint8_t *dt;
};

static int next_token(struct walker *w, uint32_t *token)
{
	if (!inside(w->pos, 4, w->end))
		return -1;
	*token = be32(w->dt + w->pos);
	w->pos += 4;
	return 0;
}

/* Length of the NUL-terminated string at `s` within `limit` bytes, or -1 if unterminated. */
static long bounded_strlen(const uint8_t *s, uint32_t limit)
{
	for (uint32_t i = 0; i < limit; i++)
		if (s[i] == '\0')
			return (long)i;
	return -1;
}

static int skip_node_name(struct walker *w)
{
	long len = bounded_strlen(w->dt + w->pos, w->end - w->pos);
	if (len < 0)
		return -1;
	w->pos += ((uint32_t)len + 1 + 3) & ~3u;
	return w->pos <= w->end ? 0 : -1;
}

struct prop {
	const char *name;
	const uint8_t *value;
	uint32_t len;
};

static int read_prop(struct walker *w, struct prop *p)
{
	if (!inside(w->pos, 8, w->end))
		return -1;
	p->len = be32(w->dt + w->pos);
	uint32_t nameoff = be32(w->dt + w->pos + 4);
	w->pos += 8;
	if (!inside(w->pos, p->len, w->end) || nameoff >= w->strings_size)
		return -1;
	if (bounded_strlen(w->strings + nameoff, w->strings_size - nameoff) < 0)
		return -1;
	p->name = (const char *)(w->strings + nameoff);
	p->value = w->dt + w->pos;
	w->pos += (p->len + 3) & ~3u;
	return 0;
}

/* True if the string list (NUL-separated, like `compatible`) contains `s`. */
static int stringlist_contains(const uint8_t *list, uint32_t len, const char *s)
{
	size_t slen = strlen(s);
	uint32_t i = 0;
	while (i < len) {
		long n = bounded_strlen(list + i, len - i);
		if (n < 0)
			return 0;
		if ((size_t)n == slen && memcmp(list + i, s, slen) == 0)
			return 1;
		i += (uint32_t)n + 1;
	}
	return 0;
}

static int status_okay(const struct prop *p)
{
	return stringlist_contains(p->value, p->len, "okay") || stringlist_contains(p->value, p->len, "ok");
}

static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
	uint64_t v = 0;
	for (uint32_t i = 0; i < cells; i++)
		v = v << 32 | be32(p + 4 * i);
	return v;
}

/* Per-depth state: the cell sizes a node declares for its children, and what we saw. */
struct node {
	uint32_t address_cells; /* for this node's children */
	uint32_t size_cells;
	int compatible; /* its compatible list contains the string */
	int disabled;
	int has_reg;
	struct prop reg;
	int decided; /* its properties are complete and were checked */
};

int fdt_find_compatible_reg(const void *fdt, const char *compatible, uint64_t *base, uint64_t *size)
{
	return fdt_find_compatible_reg_index(fdt, compatible, 0, base, size);
}

int fdt_find_compatible_reg_index(const void *fdt, const char *compatible, unsigned index, uint64_t *base,
				  uint64_t *size)
{
	if (!fdt_check_header(fdt) || compatible == NULL)
		return -1;

	struct walker w = {
	    .dt = (const uint8_t *)fdt + hdr(fdt, HDR_OFF_DT_STRUCT),
	    .end = hdr(fdt, HDR_SIZE_DT_STRUCT),
	    .strings = (const uint8_t *)fdt + hdr(fdt, HDR_OFF_DT_STRINGS),
	    .strings_size = hdr(fdt, HDR_SIZE_DT_STRINGS),
	};
	struct node stack[FDT_MAX_DEPTH];
	int depth = -1; /* index of the current node */

	for (;;) {
		uint32_t token;
		if (next_token(&w, &token) != 0)
			return -1;

		/*
		 * Properties precede subnodes, so the first BEGIN_NODE or END_NODE after a
		 * node's properties completes it; checking there gives document order.
		 */
		if ((token == FDT_BEGIN_NODE || token == FDT_END_NODE) && depth >= 0 && !stack[depth].decided) {
			struct node *n = &stack[depth];
			n->decided = 1;
			if (n->compatible && !n->disabled && n->has_reg && depth > 0) {
				const struct node *parent = &stack[depth - 1];
				uint32_t ac = parent->address_cells, sc = parent->size_cells;
				if (ac < 1 || ac > 2 || sc > 2 || n->reg.len < 4 * (ac + sc) * (index + 1))
					return -1;
				*base = read_cells(n->reg.value + 4 * (ac + sc) * index, ac);
				if (size != NULL)
					*size = read_cells(n->reg.value + 4 * (ac + sc) * index + 4 * ac, sc);
				return 0;
			}
		}

		switch (token) {
		case FDT_BEGIN_NODE:
			if (++depth >= FDT_MAX_DEPTH || skip_node_name(&w) != 0)
				return -1;
			/* DTSpec 2.3.5: defaults when a node has no #address-cells/#size-cells. */
			stack[depth] = (struct node){.address_cells = 2, .size_cells = 1};
			break;
		case FDT_END_NODE:
			if (depth < 0)
				return -1;
			depth--;
			break;
		case FDT_PROP: {
			struct prop p;
			if (read_prop(&w, &p) != 0 || depth < 0)
				return -1;
			struct node *n = &stack[depth];
			if (strcmp(p.name, "compatible") == 0) {
				n->compatible = stringlist_contains(p.value, p.len, compatible);
			} else if (strcmp(p.name, "status") == 0) {
				n->disabled = !status_okay(&p);
			} else if (strcmp(p.name, "reg") == 0) {
				n->reg = p;
				n->has_reg = 1;
			} else if (strcmp(p.name, "#address-cells") == 0 && p.len == 4) {
				n->address_cells = be32(p.value);
			} else if (strcmp(p.name, "#size-cells") == 0 && p.len == 4) {
				n->size_cells = be32(p.value);
			}
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
			return -1;
		default:
			return -1;
		}
	}
}
