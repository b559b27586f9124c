/* Interrupt wiring: a model's output line, connected by the platform builder to the input of
 * the interrupt controller its device-tree node names (interrupts, interrupt-parent). */
#ifndef QVP_IRQ_H
#define QVP_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct machine;

/* What an interrupt controller tells the platform builder about itself. */
struct irq_controller_ops {
	/* Turns an interrupt specifier (#interrupt-cells cells, host byte order) into an input
	 * number; returns -1 after error_set() for a specifier it does not accept. */
	int (*map)(void *controller, const uint32_t *cells, unsigned count, unsigned *input);
	/* Drives an input to a level. */
	void (*set)(void *controller, unsigned input, bool level);
	/* The input of CPU `cpu`'s own copy of a per-CPU interrupt (a GIC PPI); NULL or an input
	 * that is not per-CPU: the same input. */
	unsigned (*cpu_input)(void *controller, unsigned input, unsigned cpu);
};

/* A model's interrupt output. Zeroed, it is connected to nothing and only keeps its level. */
struct irq_line {
	const struct irq_controller_ops *ops;
	void *controller;
	unsigned input;
	bool level;
};

/* Drives the line; the controller hears about changes only. */
static inline void irq_line_set(struct irq_line *line, bool level)
{
	if (line->level == level)
		return;
	line->level = level;
	if (line->ops)
		line->ops->set(line->controller, line->input, level);
}

/* `line`, connected as CPU `cpu`'s copy of a per-CPU interrupt (each core's timer drives its
 * own PPI); the level starts low. */
static inline struct irq_line irq_line_of_cpu(const struct irq_line *line, unsigned cpu)
{
	struct irq_line copy = *line;

	copy.level = false;
	if (line->ops && line->ops->cpu_input)
		copy.input = line->ops->cpu_input(line->controller, line->input, cpu);
	return copy;
}

/* Called by a controller's constructor: the device-tree node `node` (with an
 * `interrupt-controller` property and #interrupt-cells) is served by `controller`. */
int irq_add_controller(struct machine *machine, int node, const struct irq_controller_ops *ops, void *controller);

/* The number of interrupts `node` lists in `interrupts` or `interrupts-extended`. */
unsigned irq_count(const struct machine *machine, int node);

/* Connects `line` to the index-th interrupt `node` lists, resolving interrupt-parent (inherited
 * from ancestors) or interrupts-extended phandles. Returns -1 after error_set() when the node
 * lists no such interrupt, its parent is not a controller qvp built, or the specifier is bad. */
int irq_connect(struct machine *machine, int node, unsigned index, struct irq_line *line);

/* Forgets the controllers (at teardown). */
void irq_release_controllers(struct machine *machine);

#ifdef __cplusplus
}
#endif
#endif
