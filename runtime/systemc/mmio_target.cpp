// A qvp register block (struct mmio_ops) as a TLM-2.0 target, its interrupts as sc_signals.
#include "qvp_systemc.h"

#include <cstring>

namespace qvp::sc {

mmio_target::mmio_target(sc_core::sc_module_name name, const struct mmio_ops *ops, void *opaque, uint64_t size)
	: sc_module(name), socket("socket"), ops_(ops), opaque_(opaque), size_(size)
{
	socket.register_b_transport(this, &mmio_target::b_transport);
}

static void drive_signal(void *signal, unsigned, bool level)
{
	static_cast<sc_core::sc_signal_inout_if<bool> *>(signal)->write(level);
}

static const struct irq_controller_ops signal_ops = { nullptr, drive_signal, nullptr }; // no per-CPU inputs

struct irq_line mmio_target::irq_output(sc_core::sc_signal_inout_if<bool> &signal)
{
	struct irq_line line = {};

	line.ops = &signal_ops;
	line.controller = &signal;
	return line;
}

void mmio_target::b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &)
{
	uint64_t offset = trans.get_address();
	unsigned size = trans.get_data_length();
	uint64_t value = 0;
	bool ok;

	if (trans.get_byte_enable_ptr() || trans.get_streaming_width() < size) {
		trans.set_response_status(trans.get_byte_enable_ptr() ? tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE
							    : tlm::TLM_BURST_ERROR_RESPONSE);
		return;
	}
	if ((size != 1 && size != 2 && size != 4 && size != 8) || (offset & (size - 1))) {
		trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
		return;
	}
	if (offset >= size_ || size > size_ - offset) {
		trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
		return;
	}
	if (trans.is_write()) {
		std::memcpy(&value, trans.get_data_ptr(), size);
		ok = ops_->write && ops_->write(opaque_, offset, size, value);
	} else if (trans.is_read()) {
		ok = ops_->read && ops_->read(opaque_, offset, size, &value);
		if (ok)
			std::memcpy(trans.get_data_ptr(), &value, size);
	} else {
		ok = true;
	}
	trans.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_GENERIC_ERROR_RESPONSE);
}

} // namespace qvp::sc
