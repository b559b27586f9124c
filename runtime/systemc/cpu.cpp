// The qvp CPU as a SystemC module: qvp's quantum loop in an SC_THREAD, the bus bridge both ways.
#include "qvp_systemc.h"

#include <cinttypes>
#include <cstring>

#include "error.h"
#include "loop.h"

namespace qvp::sc {

using sc_core::sc_time;
using sc_core::sc_time_stamp;

sc_time to_sc_time(vtime_t time)
{
	return sc_time::from_value(time);
}

vtime_t from_sc_time(const sc_time &time)
{
	return time.value();
}

void set_time_resolution()
{
	sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
}

static void systemc_event_fired(void *, vtime_t)
{
	// nothing to do: the event only ends the CPU's run where SystemC has work (see run())
}

cpu::cpu(sc_core::sc_module_name name, struct machine *machine)
	: sc_module(name), bridge("bridge"), bus("bus"), machine_(machine)
{
	if (sc_core::sc_get_time_resolution() != sc_time(1, sc_core::SC_PS))
		SC_REPORT_FATAL("qvp", "qvp::sc::cpu needs a 1 ps time resolution (qvp::sc::set_time_resolution())");
	event_init(&systemc_event_, "systemc", systemc_event_fired, this);
	bridge.register_invalidate_direct_mem_ptr(this, &cpu::invalidate_direct_mem_ptr);
	bus.register_b_transport(this, &cpu::b_transport);
	bus.register_get_direct_mem_ptr(this, &cpu::get_direct_mem_ptr);
	bus.register_transport_dbg(this, &cpu::transport_dbg);
	bus_set_fallback(machine_->bus, &cpu::fallback, this);
	machine_->rebuilt = &cpu::board_rebuilt;
	machine_->rebuilt_opaque = this;
	tlm_utils::tlm_quantumkeeper::set_global_quantum(to_sc_time(machine_->quantum));
	keeper_.reset();
	sc_core::sc_spawn_options options;
	options.set_stack_size(8 << 20); // the interpreter and the models run on this stack
	sc_core::sc_spawn([this] { run(); }, "loop", &options);
}

cpu::~cpu()
{
	event_cancel(machine_->events, &systemc_event_);
	bus_set_fallback(machine_->bus, nullptr, nullptr);
	machine_->rebuilt = nullptr;
}

// The CPU's time (exact inside a run) less SystemC's: the TLM local time offset.
sc_time cpu::local_time() const
{
	vtime_t now = machine_now(machine_);
	vtime_t kernel = from_sc_time(sc_time_stamp());

	return now > kernel ? to_sc_time(now - kernel) : sc_core::SC_ZERO_TIME;
}

// When SystemC next has something to do, in qvp time (VTIME_NEVER: nothing).
vtime_t cpu::systemc_next_activity() const
{
	if (!sc_core::sc_pending_activity())
		return VTIME_NEVER;
	return from_sc_time(sc_time_stamp() + sc_core::sc_time_to_pending_activity());
}

// Puts a qvp event where SystemC next has work, so the CPU's run ends there (a run already
// under way is cut short by machine_schedule_event) and SystemC never falls behind the CPU.
void cpu::bound_by_systemc()
{
	vtime_t next = systemc_next_activity();
	vtime_t now = machine_now(machine_);

	if (next == VTIME_NEVER) {
		event_cancel(machine_->events, &systemc_event_);
		return;
	}
	if (next < now)
		next = now;
	if (event_is_queued(&systemc_event_) && systemc_event_.time == next)
		return;
	machine_schedule_event(machine_, &systemc_event_, next);
}

// Lets SystemC catch up with the CPU: the kernel runs every process up to machine->now.
void cpu::sync()
{
	keeper_.set(local_time());
	keeper_.sync();
}

// The guest waits in WFI: wait for the next qvp event (or the timeout), or for SystemC to
// wake it (an interrupt input), whichever is first; SystemC time skips as qvp's would.
void cpu::idle()
{
	for (;;) {
		vtime_t wake = machine_idle_wake_time(machine_);
		if (wake <= machine_->now || machine_->stop_cause != MACHINE_RUNNING)
			return;
		if (!sc_core::sc_pending_activity())
			machine_note_idle(machine_, wake);
		if (wake == VTIME_NEVER && !sc_core::sc_pending_activity() && machine_->host_input &&
		    machine_->host_input(machine_, true))
			return; // typed input arrived (it enters at this virtual time) or the user quit
		idle_ = true;
		if (wake == VTIME_NEVER)
			wait(wake_);
		else
			wait(to_sc_time(wake - machine_->now), wake_);
		idle_ = false;
		machine_skip_idle(machine_, from_sc_time(sc_time_stamp()));
	}
}

void cpu::external_activity()
{
	if (idle_) {
		machine_skip_idle(machine_, from_sc_time(sc_time_stamp()));
		wake_.notify(sc_core::SC_ZERO_TIME);
	}
}

void cpu::report_starved() const
{
	uint64_t pc = 0;

	machine_->cpu->ops->get_register(machine_->cpu, CPU_REG_PC, &pc);
	error_set("the guest waits for an interrupt (WFI before pc 0x%" PRIx64
		  ") but neither qvp nor SystemC has an event that can wake it", pc);
}

// qvp's loop (machine_run() in runtime/loop.c), with SystemC in place of the idle skip.
void cpu::run()
{
	struct cpu_run_result result;

	machine_tell_debugger(machine_, MACHINE_DEBUG_START, nullptr);
	for (;;) {
		if (!machine_->round.open && systemc_next_activity() <= machine_->now) {
			sync(); // SystemC has work before the CPU may go on
			continue;
		}
		bound_by_systemc();
		if (!machine_run_quantum(machine_, &result))
			break;
		keeper_.set(local_time());
		// Not inside a round a debugger stopped part-way: SystemC catches up between rounds, as without it.
		if (!machine_->round.open &&
		    (keeper_.need_sync() || systemc_next_activity() <= machine_->now || result.reason == CPU_STOP_WFI))
			sync();
		if (result.reason == CPU_STOP_WFI)
			idle();
		machine_finish_quantum(machine_, &result);
	}
	machine_tell_debugger(machine_, MACHINE_DEBUG_END, nullptr);
	sync();
	finished_ = true;
	sc_core::sc_stop();
}

// A reset built qvp's side of the board anew (bus, models, event queue, CPU); the SystemC
// modules, which SystemC cannot build again once it runs, were reset in place
// (platform::create). The bridge moves to the new bus; SystemC initiators lose their DMI into
// the old RAM; the event that bounds runs by SystemC's activity belongs to no queue now.
void cpu::board_rebuilt(void *opaque)
{
	cpu *self = static_cast<cpu *>(opaque);

	event_init(&self->systemc_event_, "systemc", systemc_event_fired, self);
	bus_set_fallback(self->machine_->bus, &cpu::fallback, self);
	for (int port : self->dmi_granted_)
		self->bus[port]->invalidate_direct_mem_ptr(0, ~sc_dt::uint64(0));
	self->dmi_granted_.clear();
}

enum bus_result cpu::fallback(void *opaque, uint64_t address, unsigned size, uint64_t *value, bool write)
{
	return static_cast<cpu *>(opaque)->transport(address, size, value, write);
}

bool cpu::dmi_access(uint64_t address, unsigned size, uint64_t *value, bool write)
{
	for (const tlm::tlm_dmi &dmi : dmi_) {
		if (address < dmi.get_start_address() || address + (size - 1) > dmi.get_end_address())
			continue;
		if (write ? !dmi.is_write_allowed() : !dmi.is_read_allowed())
			continue;
		unsigned char *host = dmi.get_dmi_ptr() + (address - dmi.get_start_address());
		if (write)
			std::memcpy(host, value, size); // a little-endian host, as bus.c assumes
		else
			std::memcpy(value, host, size);
		dmi_accesses_++;
		machine_stall_cpu(machine_, from_sc_time(write ? dmi.get_write_latency() : dmi.get_read_latency()));
		return true;
	}
	return false;
}

static const char *response_name(tlm::tlm_response_status status)
{
	switch (status) {
	case tlm::TLM_OK_RESPONSE:
		return "ok";
	case tlm::TLM_INCOMPLETE_RESPONSE:
		return "incomplete";
	case tlm::TLM_GENERIC_ERROR_RESPONSE:
		return "generic-error";
	case tlm::TLM_ADDRESS_ERROR_RESPONSE:
		return "address-error";
	case tlm::TLM_COMMAND_ERROR_RESPONSE:
		return "command-error";
	case tlm::TLM_BURST_ERROR_RESPONSE:
		return "burst-error";
	case tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE:
		return "byte-enable-error";
	}
	return "unknown";
}

// A guest access no qvp region claims, at the CPU's exact time (SystemC time + local offset).
enum bus_result cpu::transport(uint64_t address, unsigned size, uint64_t *value, bool write)
{
	if (!write)
		*value = 0;
	if (dmi_access(address, size, value, write))
		return BUS_OK;
	if (bridge.size() == 0)
		return BUS_UNMAPPED;

	unsigned char data[8] = { 0 };
	tlm::tlm_generic_payload trans;
	sc_time local = local_time(), delay = local;
	vtime_t at = machine_now(machine_);

	if (write)
		std::memcpy(data, value, size);
	trans.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
	trans.set_address(address);
	trans.set_data_ptr(data);
	trans.set_data_length(size);
	trans.set_streaming_width(size);
	trans.set_byte_enable_ptr(nullptr); // every byte of the access is enabled
	trans.set_dmi_allowed(false);
	trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
	sc_time before = sc_time_stamp();
	bridge->b_transport(trans, delay);
	transactions_++;
	if (sc_time_stamp() != before) {
		// SystemC time moved under the CPU, which cannot follow in the middle of its run
		error_set("the SystemC target for 0x%" PRIx64 " called wait() in b_transport: qvp needs targets "
			  "that return at once and annotate their delay (docs/systemc.md)", address);
		machine_->stop_cause = MACHINE_FATAL;
		machine_->cpu->ops->kick(machine_->cpu);
	}
	if (!write)
		std::memcpy(value, data, size);
	if (delay > local) // the target's latency: the CPU waits for the access
		machine_stall_cpu(machine_, from_sc_time(delay - local));
	if (log_)
		std::fprintf(log_, "%" PRIu64 " ps %s 0x%" PRIx64 " %u 0x%" PRIx64 " %s\n", at, write ? "write" : "read",
			     address, size, *value, response_name(trans.get_response_status()));
	// what the target scheduled (e.g. an operation it started) ends the CPU's run in time
	bound_by_systemc();
	if (trans.is_response_error())
		return trans.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE ? BUS_UNMAPPED : BUS_DEVICE_ERROR;
	if (trans.is_dmi_allowed()) {
		tlm::tlm_dmi dmi;
		trans.set_address(address);
		if (bridge->get_direct_mem_ptr(trans, dmi))
			dmi_.push_back(dmi);
	}
	return BUS_OK;
}

void cpu::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end)
{
	for (size_t i = dmi_.size(); i-- > 0;)
		if (dmi_[i].get_start_address() <= end && start <= dmi_[i].get_end_address())
			dmi_.erase(dmi_.begin() + (std::ptrdiff_t)i);
}

void serve_bus(struct bus *bus, tlm::tlm_generic_payload &trans)
{
	uint64_t address = trans.get_address();
	unsigned length = trans.get_data_length();
	unsigned char *data = trans.get_data_ptr();
	bool write = trans.is_write();

	if (trans.get_byte_enable_ptr()) {
		trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
		return;
	}
	if (trans.get_streaming_width() < length) {
		trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
		return;
	}
	if (!trans.is_read() && !write) {
		trans.set_response_status(tlm::TLM_OK_RESPONSE); // TLM_IGNORE_COMMAND
		return;
	}
	if (uint8_t *ram = bus_ram_pointer(bus, address, length)) {
		if (write) {
			std::memcpy(ram, data, length);
			bus_ram_written(bus, address, length);
		} else
			std::memcpy(data, ram, length);
		trans.set_dmi_allowed(true);
		trans.set_response_status(tlm::TLM_OK_RESPONSE);
		return;
	}
	for (unsigned done = 0; done < length;) {
		uint64_t at = address + done;
		unsigned size = 8;
		while (size > 1 && ((at & (size - 1)) || size > length - done))
			size /= 2;
		uint64_t value = 0;
		enum bus_result result;
		if (write) {
			std::memcpy(&value, data + done, size);
			result = bus_write(bus, at, size, value);
		} else {
			result = bus_read(bus, at, size, &value);
			std::memcpy(data + done, &value, size);
		}
		if (result != BUS_OK) {
			trans.set_response_status(result == BUS_UNMAPPED ? tlm::TLM_ADDRESS_ERROR_RESPONSE
									  : tlm::TLM_GENERIC_ERROR_RESPONSE);
			return;
		}
		done += size;
	}
	trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

// A SystemC initiator into qvp's bus, at SystemC's time (the CPU waits while SystemC runs).
void cpu::b_transport(int, tlm::tlm_generic_payload &trans, sc_time &)
{
	external_activity();
	serve_bus(machine_->bus, trans);
}

bool serve_bus_dmi(struct bus *bus, uint64_t address, tlm::tlm_dmi &dmi, bool writable)
{
	struct bus_ram ram;

	if (!bus_find_ram(bus, address, &ram))
		return false;
	dmi.set_dmi_ptr(ram.host);
	dmi.set_start_address(ram.base);
	dmi.set_end_address(ram.base + ram.size - 1);
	if (writable)
		dmi.allow_read_write();
	else
		dmi.allow_read();
	dmi.set_read_latency(sc_core::SC_ZERO_TIME);
	dmi.set_write_latency(sc_core::SC_ZERO_TIME);
	return true;
}

bool cpu::get_direct_mem_ptr(int port, tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi)
{
	// Writes the CPU must hear of (over code it decoded) take b_transport: DMI only reads then.
	if (!serve_bus_dmi(machine_->bus, trans.get_address(), dmi, !machine_->cpu->ops->ram_written))
		return false;
	dmi_granted_.insert(port);
	return true;
}

// Debug access (no side effects on time): RAM only.
unsigned int cpu::transport_dbg(int, tlm::tlm_generic_payload &trans)
{
	uint8_t *ram = bus_ram_pointer(machine_->bus, trans.get_address(), trans.get_data_length());

	if (!ram)
		return 0;
	if (trans.is_write()) {
		std::memcpy(ram, trans.get_data_ptr(), trans.get_data_length());
		bus_ram_written(machine_->bus, trans.get_address(), trans.get_data_length());
	} else if (trans.is_read())
		std::memcpy(trans.get_data_ptr(), ram, trans.get_data_length());
	return trans.get_data_length();
}

void irq_input::set_line(const struct irq_line &line)
{
	line_ = line;
}

irq_input::irq_input(sc_core::sc_module_name name, cpu &cpu, const struct irq_line &line)
	: sc_module(name), in("in"), cpu_(&cpu), line_(line)
{
	SC_HAS_PROCESS(irq_input);
	SC_METHOD(update);
	sensitive << in;
	dont_initialize();
}

irq_input::irq_input(sc_core::sc_module_name name, models &models, const struct irq_line &line)
	: sc_module(name), in("in"), models_(&models), line_(line)
{
	SC_HAS_PROCESS(irq_input);
	SC_METHOD(update);
	sensitive << in;
	dont_initialize();
}

void irq_input::update()
{
	if (cpu_)
		cpu_->external_activity();
	if (models_)
		models_->machine()->now = from_sc_time(sc_time_stamp());
	irq_line_set(&line_, in.read());
	if (models_)
		models_->input_changed();
}

} // namespace qvp::sc
