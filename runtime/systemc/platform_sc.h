// The SystemC side of a board: builds the device-tree nodes compatible with
// "qvp,systemc-target" as SystemC modules behind a router on the CPU's bridge.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "qvp_systemc.h"
#include "router.h"

struct model_config;
struct model_instance;

namespace qvp::sc {

class platform {
public:
	platform();

	// machine_config.systemc_target with `this` as its opaque: builds one node by its first
	// compatible ("qvp,sc-accelerator" or "qvp,sc-memory"). Called again for each node when a
	// PSCI SYSTEM_RESET rebuilds qvp's side of the board: the module is then reset, not built.
	static int create_target(void *opaque, const struct model_config *config, struct model_instance *instance);

	// Once the machine and its CPU module exist: binds the bridge to the router, DMA masters to
	// the CPU's bus socket and interrupt outputs to the interrupt controller's inputs.
	void attach(cpu &cpu);

private:
	int create(const struct model_config *config);
	int reset(const struct model_config *config);

	struct interrupt {
		std::string name;
		sc_core::sc_signal<bool> *signal;
		struct irq_line line;
		irq_input *input; // made by attach()
	};
	struct target {
		std::string name;
		std::function<void()> reset; // back to its state after construction
	};
	router router_;
	std::vector<std::unique_ptr<sc_core::sc_signal<bool>>> signals_;
	std::vector<std::unique_ptr<sc_core::sc_module>> modules_;
	std::vector<tlm::tlm_initiator_socket<> *> dma_masters_;
	std::vector<interrupt> interrupts_;
	std::vector<target> targets_;
	bool attached_ = false; // the simulation is built: create() resets instead
};

} // namespace qvp::sc
