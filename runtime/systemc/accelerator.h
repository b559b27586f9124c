// The example SystemC peripheral: a DMA engine with an interrupt (accelerator_regs.h).
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

namespace qvp::sc {

class accelerator : public sc_core::sc_module {
public:
	tlm_utils::simple_target_socket<accelerator> regs;     // the registers, 4-byte accesses
	tlm_utils::simple_initiator_socket<accelerator> dma;   // into guest memory
	sc_core::sc_out<bool> irq;                             // high while DONE and IRQ_ENABLE

	explicit accelerator(sc_core::sc_module_name name);
	// A board reset: registers as after construction, an operation under way abandoned.
	void reset();

private:
	void b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);
	bool read_register(uint64_t offset, uint32_t *value) const;
	bool write_register(uint64_t offset, uint32_t value, const sc_core::sc_time &delay);
	bool dma_transfer(tlm::tlm_command command, uint64_t address, std::vector<uint32_t> &words);
	void worker();
	void drive_irq();

	uint32_t ctrl_ = 0, status_ = 0, op_ = 0, length_ = 0, operand_ = 0, result_ = 0, completed_ = 0;
	uint64_t src_ = 0, dst_ = 0;
	unsigned generation_ = 0;         // counts resets: an operation started before one is dropped
	unsigned started_generation_ = 0; // generation_ when START was written
	sc_core::sc_event start_;
	sc_core::sc_event reset_;
	sc_core::sc_event irq_changed_;
};

// A TLM memory that offers DMI for all of itself.
class memory : public sc_core::sc_module {
public:
	tlm_utils::simple_target_socket<memory> socket;

	memory(sc_core::sc_module_name name, uint64_t size);
	// A board reset: zeroed, as qvp's RAM is when the board is rebuilt.
	void reset();

private:
	void b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);
	bool get_direct_mem_ptr(tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi);
	unsigned int transport_dbg(tlm::tlm_generic_payload &trans);

	std::vector<unsigned char> bytes_;
};

} // namespace qvp::sc
