#include "router.h"

namespace qvp::sc {

router::router(sc_core::sc_module_name name) : sc_module(name), in("in"), out("out")
{
	in.register_b_transport(this, &router::b_transport);
	in.register_get_direct_mem_ptr(this, &router::get_direct_mem_ptr);
	in.register_transport_dbg(this, &router::transport_dbg);
	out.register_invalidate_direct_mem_ptr(this, &router::invalidate_direct_mem_ptr);
}

void router::map(tlm::tlm_target_socket<> &target, uint64_t base, uint64_t size)
{
	out.bind(target);
	windows_.push_back({ base, size });
}

int router::decode(uint64_t address) const
{
	for (size_t i = 0; i < windows_.size(); i++)
		if (address - windows_[i].base < windows_[i].size)
			return (int)i;
	return -1;
}

void router::b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay)
{
	uint64_t address = trans.get_address();
	int port = decode(address);

	if (port < 0 || trans.get_data_length() > windows_[port].size - (address - windows_[port].base)) {
		trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
		return;
	}
	trans.set_address(address - windows_[port].base);
	out[port]->b_transport(trans, delay);
	trans.set_address(address);
}

bool router::get_direct_mem_ptr(tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi)
{
	uint64_t address = trans.get_address();
	int port = decode(address);

	if (port < 0)
		return false;
	const window &w = windows_[port];
	trans.set_address(address - w.base);
	bool granted = out[port]->get_direct_mem_ptr(trans, dmi);
	trans.set_address(address);
	if (!granted)
		return false;
	uint64_t last = dmi.get_end_address() < w.size - 1 ? dmi.get_end_address() : w.size - 1;
	dmi.set_start_address(dmi.get_start_address() + w.base);
	dmi.set_end_address(last + w.base);
	return true;
}

unsigned int router::transport_dbg(tlm::tlm_generic_payload &trans)
{
	uint64_t address = trans.get_address();
	int port = decode(address);

	if (port < 0)
		return 0;
	trans.set_address(address - windows_[port].base);
	unsigned int done = out[port]->transport_dbg(trans);
	trans.set_address(address);
	return done;
}

void router::invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end)
{
	const window &w = windows_[port];
	sc_dt::uint64 last = end < w.size - 1 ? end : w.size - 1;

	if (start > last)
		return;
	in->invalidate_direct_mem_ptr(start + w.base, last + w.base);
}

} // namespace qvp::sc
