// qvp's C models as one TLM-2.0 target, their events in SystemC time, interrupts as signals.
#include <cstdlib>
#include <cstring>
#include <libfdt.h>
#include <string>

#include "error.h"
#include "models.h"
#include "platform.h"
#include "qvp_systemc.h"

namespace qvp::sc {

const struct irq_controller_ops models::irq_ops = { &models::map_irq, &models::set_irq, nullptr };

models::models(sc_core::sc_module_name name, const char *platform_path, FILE *console)
	: sc_module(name), socket("socket"), cpu_irq("cpu_irq"), cpu_fiq("cpu_fiq")
{
	for (unsigned i = 0; i < irq_count; i++)
		irqs_.push_back(std::make_unique<irq_signal>(
			sc_core::sc_gen_unique_name((std::string(basename()) + "_irq").c_str())));
	socket.register_b_transport(this, &models::b_transport);
	socket.register_get_direct_mem_ptr(this, &models::get_direct_mem_ptr);
	machine_.console = console ? console : stdout;
	machine_.timeout = VTIME_NEVER;
	machine_.run_deadline = VTIME_NEVER;
	machine_.rtc_epoch = QVP_RTC_EPOCH;
	machine_.systemc_target = &models::create_target;
	machine_.systemc_opaque = this;
	machine_.bus = bus_create();
	machine_.events = event_queue_create();
	if (!machine_.bus || !machine_.events)
		error_set("out of memory");
	else
		built_ = platform_build(&machine_, platform_path) == 0;
	SC_HAS_PROCESS(models);
	SC_THREAD(run_events);
}

models::~models()
{
	platform_teardown(&machine_);
	std::free(machine_.models);
	std::free(machine_.fdt);
	std::free(machine_.board_source);
	event_queue_destroy(machine_.events);
	bus_destroy(machine_.bus);
}

// The one kind of "qvp,systemc-target" node here: the interrupt controller that is irq(n).
int models::create_target(void *opaque, const struct model_config *config, struct model_instance *instance)
{
	const char *compatible = static_cast<const char *>(fdt_getprop(config->fdt, config->node, "compatible", nullptr));

	instance->state = nullptr;
	instance->destroy = nullptr;
	if (std::strcmp(compatible, "qvp,sc-interrupts") != 0)
		return 0; // a SystemC device stands here: its interrupts are wired by connect_interrupt()
	return irq_add_controller(config->machine, config->node, &irq_ops, opaque);
}

int models::map_irq(void *, const uint32_t *cells, unsigned count, unsigned *input)
{
	if (count != 1 || cells[0] >= irq_count)
		return error_set("qvp,sc-interrupts takes one cell below %u", irq_count);
	*input = cells[0];
	return 0;
}

void models::set_irq(void *controller, unsigned input, bool level)
{
	static_cast<models *>(controller)->irqs_[input]->write(level);
}

int models::connect_interrupt(const char *path, unsigned index, sc_core::sc_signal_in_if<bool> &signal)
{
	int node = fdt_path_offset(machine_.fdt, path);
	struct irq_line line = {};

	if (node < 0)
		return error_set("%s: no such node in the device tree", path);
	if (irq_connect(&machine_, node, index, &line) < 0)
		return error_set("%s: %s", path, error_message());
	std::string name = std::string(basename()) + "_input_" + std::to_string(inputs_.size());
	inputs_.push_back(std::make_unique<irq_input>(name.c_str(), *this, line));
	inputs_.back()->in.bind(signal);
	return 0;
}

void models::input_changed()
{
	drive_cpu_lines();
	rescheduled_.notify(sc_core::SC_ZERO_TIME);
}

// The controller sets machine_.line_level (machine_set_cpu_line with no CPU): pass it on.
void models::drive_cpu_lines()
{
	for (int line = CPU_LINE_IRQ; line <= CPU_LINE_FIQ; line++) {
		if (machine_.line_level[0][line] == cpu_lines_[line])
			continue;
		cpu_lines_[line] = machine_.line_level[0][line];
		(line == CPU_LINE_IRQ ? cpu_irq : cpu_fiq).write(cpu_lines_[line]);
	}
}

// Fires the models' events at their times; a transaction that schedules one wakes it.
void models::run_events()
{
	for (;;) {
		machine_.now = from_sc_time(sc_core::sc_time_stamp());
		machine_.stats.events_fired += event_queue_fire_due(machine_.events, machine_.now);
		drive_cpu_lines();
		vtime_t next = event_queue_next_time(machine_.events);
		if (next == VTIME_NEVER)
			wait(rescheduled_);
		else
			wait(to_sc_time(next - machine_.now), rescheduled_);
	}
}

// At the initiator's time: the models read machine_now() as sc_time_stamp() + delay.
void models::b_transport(int, tlm::tlm_generic_payload &trans, sc_core::sc_time &delay)
{
	machine_.now = from_sc_time(sc_core::sc_time_stamp() + delay);
	serve_bus(machine_.bus, trans);
	drive_cpu_lines();
	rescheduled_.notify(sc_core::SC_ZERO_TIME);
}

bool models::get_direct_mem_ptr(int, tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi)
{
	return serve_bus_dmi(machine_.bus, trans.get_address(), dmi, true); // no CPU decodes this RAM
}

} // namespace qvp::sc
