/* Interrupt wiring from the device tree (DTSpec v0.4, chapter 2.4): a node's `interrupts`
 * go to its interrupt parent (`interrupt-parent`, inherited from ancestors), each interrupt
 * being #interrupt-cells cells that the controller's map() turns into an input number;
 * `interrupts-extended` names the controller of every interrupt instead. */
#include "irq.h"

#include <libfdt.h>
#include <stdlib.h>

#include "error.h"
#include "machine.h"

struct irq_controller_entry {
	int node;
	unsigned cells; /* #interrupt-cells */
	const struct irq_controller_ops *ops;
	void *controller;
};

static const struct irq_controller_entry *find_controller(const struct machine *machine, int node)
{
	for (unsigned i = 0; i < machine->irq_controller_count; i++)
		if (machine->irq_controllers[i].node == node)
			return &machine->irq_controllers[i];
	return NULL;
}

static int read_u32(const void *fdt, int node, const char *name, uint32_t *value)
{
	int length;
	const fdt32_t *cell = fdt_getprop(fdt, node, name, &length);

	if (!cell || length != 4)
		return -1;
	*value = fdt32_to_cpu(*cell);
	return 0;
}

int irq_add_controller(struct machine *machine, int node, const struct irq_controller_ops *ops, void *controller)
{
	struct irq_controller_entry *entries;
	uint32_t cells;

	if (read_u32(machine->fdt, node, "#interrupt-cells", &cells) < 0 || cells == 0 || cells > 4)
		return error_set("interrupt controller without a usable #interrupt-cells (1 to 4)");
	entries = realloc(machine->irq_controllers, (machine->irq_controller_count + 1) * sizeof(*entries));
	if (!entries)
		return error_set("out of memory");
	entries[machine->irq_controller_count++] = (struct irq_controller_entry){
		.node = node, .cells = cells, .ops = ops, .controller = controller
	};
	machine->irq_controllers = entries;
	return 0;
}

void irq_release_controllers(struct machine *machine)
{
	free(machine->irq_controllers);
	machine->irq_controllers = NULL;
	machine->irq_controller_count = 0;
}

/* The node's interrupt parent: its own or the nearest ancestor's `interrupt-parent`, or an
 * ancestor that is itself an interrupt controller. */
static int interrupt_parent(const void *fdt, int node)
{
	uint32_t phandle;

	for (int at = node; at >= 0;) {
		if (read_u32(fdt, at, "interrupt-parent", &phandle) == 0)
			return fdt_node_offset_by_phandle(fdt, phandle);
		at = fdt_parent_offset(fdt, at);
		if (at >= 0 && fdt_getprop(fdt, at, "interrupt-controller", NULL))
			return at;
	}
	return -1;
}

static unsigned parent_cells(const struct machine *machine, int parent)
{
	const struct irq_controller_entry *entry = find_controller(machine, parent);
	uint32_t cells = 0;

	if (entry)
		return entry->cells;
	if (read_u32(machine->fdt, parent, "#interrupt-cells", &cells) < 0)
		return 0;
	return cells;
}

/* Finds the index-th specifier: its controller node and first cell. */
static int find_specifier(const struct machine *machine, int node, unsigned index, int *parent,
			  const fdt32_t **cells, unsigned *count)
{
	const void *fdt = machine->fdt;
	int length;
	const fdt32_t *list = fdt_getprop(fdt, node, "interrupts-extended", &length);

	if (list) { /* <&controller specifier...>, ... */
		unsigned at = 0, total = (unsigned)length / 4;
		for (unsigned i = 0; at < total; i++) {
			*parent = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(list[at]));
			*count = *parent >= 0 ? parent_cells(machine, *parent) : 0;
			if (*count == 0 || at + 1 + *count > total)
				return error_set("interrupts-extended: entry %u names no usable interrupt controller", i);
			if (i == index) {
				*cells = &list[at + 1];
				return 0;
			}
			at += 1 + *count;
		}
		return error_set("lists no interrupt %u in interrupts-extended", index);
	}
	list = fdt_getprop(fdt, node, "interrupts", &length);
	if (!list)
		return error_set("has no interrupts property");
	*parent = interrupt_parent(fdt, node);
	if (*parent < 0)
		return error_set("has interrupts but no interrupt-parent");
	*count = parent_cells(machine, *parent);
	if (*count == 0)
		return error_set("its interrupt parent has no #interrupt-cells");
	if ((index + 1) * *count * 4 > (unsigned)length)
		return error_set("lists no interrupt %u (interrupts has %u)", index, (unsigned)length / 4 / *count);
	*cells = &list[index * *count];
	return 0;
}

unsigned irq_count(const struct machine *machine, int node)
{
	const fdt32_t *cells;
	unsigned count, index = 0;
	int parent;

	while (find_specifier(machine, node, index, &parent, &cells, &count) == 0)
		index++;
	error_clear();
	return index;
}

int irq_connect(struct machine *machine, int node, unsigned index, struct irq_line *line)
{
	const struct irq_controller_entry *entry;
	const fdt32_t *cells;
	uint32_t specifier[4];
	unsigned count, input;
	int parent;
	char name[128];

	if (find_specifier(machine, node, index, &parent, &cells, &count) < 0)
		return -1;
	entry = find_controller(machine, parent);
	if (!entry) {
		if (fdt_get_path(machine->fdt, parent, name, sizeof(name)) != 0)
			name[0] = '\0';
		return error_set("interrupt %u: its interrupt parent %s is not an interrupt controller qvp models", index,
				 name);
	}
	for (unsigned i = 0; i < count; i++)
		specifier[i] = fdt32_to_cpu(cells[i]);
	if (entry->ops->map(entry->controller, specifier, count, &input) < 0)
		return error_set("interrupt %u: %s", index, error_message());
	*line = (struct irq_line){ .ops = entry->ops, .controller = entry->controller, .input = input };
	return 0;
}
