#include "platform_sc.h"

#include <cctype>
#include <cstring>
#include <libfdt.h>

#include "accelerator.h"
#include "error.h"
#include "irq.h"
#include "models.h"
#include "platform.h"

namespace qvp::sc {

platform::platform() : router_("router") {}

int platform::create_target(void *opaque, const struct model_config *config, struct model_instance *instance)
{
	instance->state = nullptr;
	instance->destroy = nullptr; // the modules live as long as the SystemC simulation
	return static_cast<platform *>(opaque)->create(config);
}

// SystemC names may not hold '/' or '.': "/accel@9200000" becomes "accel_9200000".
static std::string module_name(const char *path)
{
	std::string name;

	for (const char *c = path; *c; c++)
		if (c != path || *c != '/')
			name += std::isalnum((unsigned char)*c) ? *c : '_';
	return name;
}

int platform::create(const struct model_config *config)
{
	if (attached_)
		return reset(config);
	const char *compatible = static_cast<const char *>(fdt_getprop(config->fdt, config->node, "compatible", nullptr));
	std::string name = module_name(config->path);
	uint64_t base, size;

	if (platform_node_reg(config->fdt, config->node, 0, &base, &size) < 0)
		return error_set("missing or malformed reg property");

	if (std::strcmp(compatible, "qvp,sc-accelerator") == 0) {
		auto device = std::make_unique<accelerator>(name.c_str());
		auto signal = std::make_unique<sc_core::sc_signal<bool>>((name + "_irq").c_str());
		struct irq_line line = {};
		if (irq_count(config->machine, config->node) > 0 &&
		    irq_connect(config->machine, config->node, 0, &line) < 0)
			return -1;
		router_.map(device->regs, base, size);
		device->irq(*signal);
		dma_masters_.push_back(&device->dma);
		interrupts_.push_back({ name, signal.get(), line, nullptr });
		targets_.push_back({ name, [module = device.get()] { module->reset(); } });
		modules_.push_back(std::move(device));
		signals_.push_back(std::move(signal));
		return 0;
	}
	if (std::strcmp(compatible, "qvp,sc-memory") == 0) {
		auto device = std::make_unique<memory>(name.c_str(), size);
		router_.map(device->socket, base, size);
		targets_.push_back({ name, [module = device.get()] { module->reset(); } });
		modules_.push_back(std::move(device));
		return 0;
	}
	return error_set("no SystemC module for compatible \"%s\" (qvp-sc builds qvp,sc-accelerator and qvp,sc-memory)",
			 compatible);
}

// The node's module, on a board a reset rebuilt: its interrupt goes to the new controller.
int platform::reset(const struct model_config *config)
{
	std::string name = module_name(config->path);

	for (interrupt &interrupt : interrupts_) {
		if (interrupt.name != name || irq_count(config->machine, config->node) == 0)
			continue;
		if (irq_connect(config->machine, config->node, 0, &interrupt.line) < 0)
			return -1;
		interrupt.input->set_line(interrupt.line);
	}
	for (target &target : targets_) {
		if (target.name == name) {
			target.reset();
			return 0;
		}
	}
	return error_set("no SystemC module was built for this node");
}

void platform::attach(cpu &cpu)
{
	attached_ = true;
	cpu.bridge.bind(router_.in);
	for (tlm::tlm_initiator_socket<> *master : dma_masters_)
		master->bind(cpu.bus);
	for (interrupt &interrupt : interrupts_) {
		auto input = std::make_unique<irq_input>((interrupt.name + "_in").c_str(), cpu, interrupt.line);
		input->in.bind(*interrupt.signal);
		interrupt.input = input.get();
		modules_.push_back(std::move(input));
	}
}

} // namespace qvp::sc
