// qvp inside a SystemC/TLM-2.0 simulation (docs/systemc.md).
//
// qvp::sc::cpu owns a qvp machine's CPU and runs qvp's quantum loop (runtime/loop.c) in an
// SC_THREAD, kept in step with SystemC time by a tlm_utils::tlm_quantumkeeper. Guest accesses
// no qvp region claims leave through its `bridge` initiator socket; SystemC initiators (DMA)
// reach qvp's RAM and models through its `bus` target socket. qvp::sc::irq_input drives one of
// qvp's interrupt-controller inputs from an sc_signal<bool>; qvp::sc::mmio_target serves one
// qvp register block (struct mmio_ops) as a TLM-2.0 target.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "bus.h"
#include "events.h"
#include "irq.h"
#include "machine.h"

namespace qvp::sc {

// Serves a TLM transaction on a qvp bus: wholly inside one RAM region it is one copy (and the
// DMI hint is set); otherwise naturally aligned accesses of up to 8 bytes, as a CPU makes.
void serve_bus(struct bus *bus, tlm::tlm_generic_payload &trans);
// DMI into the RAM region of `bus` holding `address`, read-only unless `writable`; false if
// none does.
bool serve_bus_dmi(struct bus *bus, uint64_t address, tlm::tlm_dmi &dmi, bool writable);

// qvp's virtual time is picoseconds; the SystemC kernel must resolve exactly 1 ps.
sc_core::sc_time to_sc_time(vtime_t time);
vtime_t from_sc_time(const sc_core::sc_time &time);

// Sets the kernel's time resolution to 1 ps; call before any sc_time exists (in sc_main).
void set_time_resolution();

class cpu : public sc_core::sc_module {
public:
	// Guest loads and stores no qvp region claims: b_transport, or DMI where a target offers it.
	// May stay unbound: such accesses are then bus errors, as in qvp.
	tlm_utils::simple_initiator_socket_optional<cpu> bridge;
	// SystemC initiators (any number) into qvp's bus: RAM (with DMI) and qvp's models.
	tlm_utils::multi_passthrough_target_socket<cpu, 32, tlm::tlm_base_protocol_types, 0,
						   sc_core::SC_ZERO_OR_MORE_BOUND> bus;

	// `machine` is built (machine_create) and outlives this module; the module takes over its
	// bus's fallback and runs it from an SC_THREAD once sc_start() is called.
	cpu(sc_core::sc_module_name name, struct machine *machine);
	~cpu() override;

	struct machine *machine() const { return machine_; }
	// True once the loop ended (guest exit, timeout, fatal error); false after sc_start()
	// returned means SystemC ran out of events while the guest waited in WFI.
	bool finished() const { return finished_; }
	// Sets error_message() for a run that ended with nothing left to wake the guest.
	void report_starved() const;

	// Called from SystemC processes that change what the guest sees (interrupt inputs, DMA):
	// brings an idle CPU's virtual time up to SystemC's and wakes it to look again.
	void external_activity();

	// Counts TLM transactions through the bridge (b_transport) and accesses served by DMI.
	uint64_t bridge_transactions() const { return transactions_; }
	uint64_t bridge_dmi_accesses() const { return dmi_accesses_; }

	// Writes one line per bridge transaction to `log` (time, command, address, size, data,
	// response): a deterministic record of what crossed into SystemC. nullptr: none.
	void set_transaction_log(FILE *log) { log_ = log; }

private:
	void run();
	static void board_rebuilt(void *opaque);
	void sync();
	void idle();
	vtime_t systemc_next_activity() const;
	void bound_by_systemc();
	sc_core::sc_time local_time() const;

	static enum bus_result fallback(void *opaque, uint64_t address, unsigned size, uint64_t *value, bool write);
	enum bus_result transport(uint64_t address, unsigned size, uint64_t *value, bool write);
	bool dmi_access(uint64_t address, unsigned size, uint64_t *value, bool write);
	void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);

	void b_transport(int port, tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);
	bool get_direct_mem_ptr(int port, tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi);
	unsigned int transport_dbg(int port, tlm::tlm_generic_payload &trans);

	struct machine *machine_;
	tlm_utils::tlm_quantumkeeper keeper_;
	sc_core::sc_event wake_;
	struct event systemc_event_; // a qvp event at SystemC's next activity: the CPU stops there
	std::vector<tlm::tlm_dmi> dmi_;
	std::set<int> dmi_granted_; // the ports of `bus` given DMI into qvp's RAM
	bool idle_ = false;
	bool finished_ = false;
	uint64_t transactions_ = 0;
	uint64_t dmi_accesses_ = 0;
	FILE *log_ = nullptr;
};

// Drives one input of a qvp interrupt controller (e.g. a GIC SPI) from a SystemC signal.
class models;

class irq_input : public sc_core::sc_module {
public:
	sc_core::sc_in<bool> in;

	// `line` comes from irq_connect() for the device-tree node the SystemC device stands for,
	// on the machine `cpu` runs, or on the CPU-less machine of `models`.
	irq_input(sc_core::sc_module_name name, cpu &cpu, const struct irq_line &line);
	irq_input(sc_core::sc_module_name name, models &models, const struct irq_line &line);
	// The input on a rebuilt board (a reset made a new interrupt controller).
	void set_line(const struct irq_line &line);

private:
	void update();

	cpu *cpu_ = nullptr;
	models *models_ = nullptr;
	struct irq_line line_;
};

// One qvp register block (a model's struct mmio_ops and its opaque state) as a TLM-2.0
// target: offsets relative to the target, 1/2/4/8-byte naturally aligned accesses without
// byte enables. A refused access is TLM_GENERIC_ERROR_RESPONSE, one outside `size`
// TLM_ADDRESS_ERROR_RESPONSE. Its interrupt outputs are irq_lines (irq_output()) that
// drive sc_signal<bool>s.
class mmio_target : public sc_core::sc_module {
public:
	tlm_utils::simple_target_socket<mmio_target> socket;

	mmio_target(sc_core::sc_module_name name, const struct mmio_ops *ops, void *opaque, uint64_t size);

	// An irq_line for the model to drive (give it to the model in place of irq_connect());
	// it writes `signal` (an sc_signal<bool, SC_MANY_WRITERS> when several initiators may
	// change the line: the write happens in the accessing initiator's process).
	struct irq_line irq_output(sc_core::sc_signal_inout_if<bool> &signal);

private:
	void b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);

	const struct mmio_ops *ops_;
	void *opaque_;
	uint64_t size_;
};

// qvp's C models without a CPU, as one TLM-2.0 target: builds the RAM and every model a
// device tree describes (platform_build) on a bus of its own, which `socket` serves with the
// device tree's addresses (DMI for RAM). The models' events run in SystemC time. Interrupts
// whose parent is a node compatible with "qvp,sc-interrupts", "qvp,systemc-target" (with
// interrupt-controller and #interrupt-cells = <1>) drive irq(n), n being the specifier.
class models : public sc_core::sc_module {
public:
	static constexpr unsigned irq_count = 64;

	tlm_utils::multi_passthrough_target_socket<models, 32, tlm::tlm_base_protocol_types, 0,
						   sc_core::SC_ZERO_OR_MORE_BOUND> socket;

	// `console` receives what the UART models transmit. On failure `ok()` is false and
	// error_message() says why.
	models(sc_core::sc_module_name name, const char *platform_path, FILE *console);
	~models() override;
	bool ok() const { return built_; }

	// Written by whichever process made the model change the line: many writers.
	using irq_signal = sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS>;
	irq_signal &irq(unsigned input) { return *irqs_[input]; }
	// An interrupt controller's outputs to the CPU (a GIC's IRQ and FIQ), for a SystemC CPU.
	irq_signal cpu_irq, cpu_fiq;
	struct machine *machine() { return &machine_; }

	// Drives the index-th interrupt of the device-tree node at `path` (e.g. a GIC SPI) from
	// `signal`: a SystemC device's interrupt into qvp's controller. The node may be a
	// placeholder compatible with "qvp,systemc-target". -1 after error_set() if it fails.
	int connect_interrupt(const char *path, unsigned index, sc_core::sc_signal_in_if<bool> &signal);

	// Called by irq_input after it drove an input: the time, the CPU lines, the events.
	void input_changed();

private:
	static int create_target(void *opaque, const struct model_config *config, struct model_instance *instance);
	static int map_irq(void *controller, const uint32_t *cells, unsigned count, unsigned *input);
	static void set_irq(void *controller, unsigned input, bool level);
	static const struct irq_controller_ops irq_ops;
	void run_events();
	void b_transport(int port, tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);
	bool get_direct_mem_ptr(int port, tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi);

	void drive_cpu_lines();

	struct machine machine_ = {};
	bool built_ = false;
	std::vector<std::unique_ptr<irq_signal>> irqs_;
	std::vector<std::unique_ptr<irq_input>> inputs_;
	bool cpu_lines_[2] = { false, false };
	sc_core::sc_event rescheduled_;
};

} // namespace qvp::sc
