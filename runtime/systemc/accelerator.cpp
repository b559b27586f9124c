// The example SystemC peripheral and a TLM memory with DMI (docs/systemc.md).
#include "accelerator.h"

#include <algorithm>
#include <cstring>

#include "accelerator_regs.h"

namespace qvp::sc {

using sc_core::sc_time;

accelerator::accelerator(sc_core::sc_module_name name) : sc_module(name), regs("regs"), dma("dma"), irq("irq")
{
	SC_HAS_PROCESS(accelerator);
	regs.register_b_transport(this, &accelerator::b_transport);
	SC_THREAD(worker);
	SC_METHOD(drive_irq);
	sensitive << irq_changed_;
}

bool accelerator::read_register(uint64_t offset, uint32_t *value) const
{
	switch (offset) {
	case SC_ACCEL_ID: *value = SC_ACCEL_ID_VALUE; return true;
	case SC_ACCEL_CTRL: *value = ctrl_; return true;
	case SC_ACCEL_STATUS: *value = status_; return true;
	case SC_ACCEL_OP: *value = op_; return true;
	case SC_ACCEL_SRC_LO: *value = (uint32_t)src_; return true;
	case SC_ACCEL_SRC_HI: *value = (uint32_t)(src_ >> 32); return true;
	case SC_ACCEL_DST_LO: *value = (uint32_t)dst_; return true;
	case SC_ACCEL_DST_HI: *value = (uint32_t)(dst_ >> 32); return true;
	case SC_ACCEL_LENGTH: *value = length_; return true;
	case SC_ACCEL_OPERAND: *value = operand_; return true;
	case SC_ACCEL_RESULT: *value = result_; return true;
	case SC_ACCEL_COMPLETED: *value = completed_; return true;
	}
	return false;
}

// `delay` is the writer's local time: what the write sets off happens at the writer's time.
bool accelerator::write_register(uint64_t offset, uint32_t value, const sc_time &delay)
{
	switch (offset) {
	case SC_ACCEL_CTRL:
		ctrl_ = value & SC_ACCEL_CTRL_IRQ_ENABLE;
		if ((value & SC_ACCEL_CTRL_START) && !(status_ & SC_ACCEL_STATUS_BUSY)) {
			status_ |= SC_ACCEL_STATUS_BUSY;
			started_generation_ = generation_;
			start_.notify(delay);
		}
		irq_changed_.notify(delay);
		return true;
	case SC_ACCEL_STATUS:
		status_ &= ~(value & (SC_ACCEL_STATUS_DONE | SC_ACCEL_STATUS_ERROR));
		irq_changed_.notify(delay);
		return true;
	case SC_ACCEL_OP: op_ = value; return true;
	case SC_ACCEL_SRC_LO: src_ = (src_ & ~0xffffffffull) | value; return true;
	case SC_ACCEL_SRC_HI: src_ = (src_ & 0xffffffffull) | (uint64_t)value << 32; return true;
	case SC_ACCEL_DST_LO: dst_ = (dst_ & ~0xffffffffull) | value; return true;
	case SC_ACCEL_DST_HI: dst_ = (dst_ & 0xffffffffull) | (uint64_t)value << 32; return true;
	case SC_ACCEL_LENGTH: length_ = value; return true;
	case SC_ACCEL_OPERAND: operand_ = value; return true;
	case SC_ACCEL_ID:
	case SC_ACCEL_RESULT:
	case SC_ACCEL_COMPLETED:
		return true; // read-only: writes are ignored
	}
	return false;
}

void accelerator::b_transport(tlm::tlm_generic_payload &trans, sc_time &delay)
{
	uint64_t offset = trans.get_address();
	uint32_t value = 0;

	if (offset >= SC_ACCEL_REGISTERS_END) {
		trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
		return;
	}
	if (trans.get_data_length() != 4 || (offset & 3) || trans.get_byte_enable_ptr()) {
		trans.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
		return;
	}
	if (trans.is_write()) {
		std::memcpy(&value, trans.get_data_ptr(), 4);
		write_register(offset, value, delay);
	} else if (trans.is_read()) {
		read_register(offset, &value);
		std::memcpy(trans.get_data_ptr(), &value, 4);
	}
	trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

bool accelerator::dma_transfer(tlm::tlm_command command, uint64_t address, std::vector<uint32_t> &words)
{
	tlm::tlm_generic_payload trans;
	sc_time delay = sc_core::SC_ZERO_TIME;
	unsigned length = (unsigned)(words.size() * 4);

	trans.set_command(command);
	trans.set_address(address);
	trans.set_data_ptr(reinterpret_cast<unsigned char *>(words.data()));
	trans.set_data_length(length);
	trans.set_streaming_width(length);
	trans.set_byte_enable_ptr(nullptr);
	trans.set_dmi_allowed(false);
	trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
	dma->b_transport(trans, delay);
	return trans.is_response_ok();
}

void accelerator::reset()
{
	ctrl_ = status_ = op_ = length_ = operand_ = result_ = completed_ = 0;
	src_ = dst_ = 0;
	generation_++;
	start_.cancel();
	reset_.notify(sc_core::SC_ZERO_TIME);
	irq_changed_.notify(sc_core::SC_ZERO_TIME);
}

void accelerator::worker()
{
	for (;;) {
		wait(start_);
		unsigned generation = started_generation_;
		if (generation != generation_)
			continue; // reset between START and now
		std::vector<uint32_t> words(length_ / 4);
		bool ok = length_ % 4 == 0 && length_ <= SC_ACCEL_MAX_LENGTH && op_ <= SC_ACCEL_OP_CHECKSUM &&
			  dma_transfer(tlm::TLM_READ_COMMAND, src_, words);
		if (ok) {
			uint32_t sum = 0;
			for (uint32_t &word : words) {
				sum += word;
				if (op_ == SC_ACCEL_OP_ADD)
					word += operand_;
			}
			if (op_ == SC_ACCEL_OP_CHECKSUM)
				result_ = sum;
		}
		wait(sc_time((double)(SC_ACCEL_SETUP_NS + SC_ACCEL_PER_WORD_NS * words.size()), sc_core::SC_NS), reset_);
		if (generation != generation_)
			continue; // a reset came first
		if (ok && op_ != SC_ACCEL_OP_CHECKSUM)
			ok = dma_transfer(tlm::TLM_WRITE_COMMAND, dst_, words);
		status_ &= ~SC_ACCEL_STATUS_BUSY;
		status_ |= ok ? SC_ACCEL_STATUS_DONE : SC_ACCEL_STATUS_ERROR;
		completed_++;
		irq_changed_.notify(sc_core::SC_ZERO_TIME);
	}
}

void accelerator::drive_irq()
{
	irq.write((ctrl_ & SC_ACCEL_CTRL_IRQ_ENABLE) && (status_ & (SC_ACCEL_STATUS_DONE | SC_ACCEL_STATUS_ERROR)));
}

memory::memory(sc_core::sc_module_name name, uint64_t size) : sc_module(name), socket("socket"), bytes_(size)
{
	socket.register_b_transport(this, &memory::b_transport);
	socket.register_get_direct_mem_ptr(this, &memory::get_direct_mem_ptr);
	socket.register_transport_dbg(this, &memory::transport_dbg);
}

void memory::reset()
{
	std::fill(bytes_.begin(), bytes_.end(), 0);
}

void memory::b_transport(tlm::tlm_generic_payload &trans, sc_time &)
{
	if (transport_dbg(trans) != trans.get_data_length() || trans.get_byte_enable_ptr()) {
		trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
		return;
	}
	trans.set_dmi_allowed(true);
	trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

bool memory::get_direct_mem_ptr(tlm::tlm_generic_payload &, tlm::tlm_dmi &dmi)
{
	dmi.set_dmi_ptr(bytes_.data());
	dmi.set_start_address(0);
	dmi.set_end_address(bytes_.size() - 1);
	dmi.allow_read_write();
	return true;
}

unsigned int memory::transport_dbg(tlm::tlm_generic_payload &trans)
{
	uint64_t address = trans.get_address();
	unsigned length = trans.get_data_length();

	if (address >= bytes_.size() || length > bytes_.size() - address)
		return 0;
	if (trans.is_write())
		std::memcpy(&bytes_[address], trans.get_data_ptr(), length);
	else if (trans.is_read())
		std::memcpy(trans.get_data_ptr(), &bytes_[address], length);
	return length;
}

} // namespace qvp::sc
