// A TLM-2.0 address decoder: forwards each transaction to the target whose window holds it,
// with the address made relative to the window; DMI ranges are translated both ways. An
// address no window holds is TLM_ADDRESS_ERROR_RESPONSE.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

namespace qvp::sc {

class router : public sc_core::sc_module {
public:
	tlm_utils::simple_target_socket<router> in;
	tlm_utils::multi_passthrough_initiator_socket<router, 32, tlm::tlm_base_protocol_types, 0,
						      sc_core::SC_ZERO_OR_MORE_BOUND> out;

	explicit router(sc_core::sc_module_name name);

	// Binds `target` to the next port of `out` for [base, base + size).
	void map(tlm::tlm_target_socket<> &target, uint64_t base, uint64_t size);

private:
	struct window {
		uint64_t base;
		uint64_t size;
	};
	int decode(uint64_t address) const;
	void b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);
	bool get_direct_mem_ptr(tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi);
	unsigned int transport_dbg(tlm::tlm_generic_payload &trans);
	void invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end);

	std::vector<window> windows_; // indexed by port of `out`
};

} // namespace qvp::sc
