#include "router.h"

#include <sstream>

#include "ip/common/tlm_util.h"
#include "platform/trace.h"

namespace dynavp {

Router::Router(sc_core::sc_module_name name, sc_core::sc_time hop_latency)
    : sc_module(name), target_socket("target_socket"), initiator_socket("initiator_socket"), hop_(hop_latency) {
    target_socket.register_b_transport(this, &Router::b_transport);
    target_socket.register_transport_dbg(this, &Router::transport_dbg);
    target_socket.register_get_direct_mem_ptr(this, &Router::get_direct_mem_ptr);
    initiator_socket.register_invalidate_direct_mem_ptr(this, &Router::invalidate_direct_mem_ptr);
}

void Router::add_region(const std::string& name, uint64_t base, uint64_t size) {
    map_.add(AddressRegion{name, base, size, next_target_++});
}

void Router::name_initiator(unsigned index, const std::string& name) {
    if (initiator_names_.size() <= index) initiator_names_.resize(index + 1);
    initiator_names_[index] = name;
}

void Router::record_error(int id, const tlm::tlm_generic_payload& t, uint64_t addr, const sc_core::sc_time& delay) {
    board_trace().instant(name(), "bus error", now_ps() + ps_of(delay),
                          {{"address", addr}, {"response", t.get_response_string()}, {"initiator", id}});
    if (error_log_.size() >= kMaxLoggedErrors) return;
    std::string who = (size_t(id) < initiator_names_.size() && !initiator_names_[id].empty()) ? initiator_names_[id]
                                                                                                : "initiator" + std::to_string(id);
    error_log_.push_back({now_ps() + ps_of(delay), who, addr, t.is_write(), t.get_response_string()});
}

void Router::b_transport(int id, tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    ++transactions_;
    delay += hop_;
    const uint64_t addr = t.get_address();
    const DecodeResult d = map_.decode(addr, t.get_data_length());
    if (d.status != DecodeStatus::Ok) {
        if (d.status == DecodeStatus::Unmapped) {
            ++unmapped_;
            t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        } else {
            ++crossing_;
            t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        }
        record_error(id, t, addr, delay);
        return;
    }
    t.set_address(d.offset);
    initiator_socket[d.region->target]->b_transport(t, delay);
    t.set_address(addr);
    if (t.is_response_error()) {
        ++target_errors_;
        record_error(id, t, addr, delay);
    } else {
        bytes_ += t.get_data_length();
    }
}

unsigned Router::transport_dbg(int, tlm::tlm_generic_payload& t) {
    const uint64_t addr = t.get_address();
    const DecodeResult d = map_.decode(addr, t.get_data_length());
    if (d.status != DecodeStatus::Ok) {
        t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return 0;
    }
    t.set_address(d.offset);
    unsigned n = initiator_socket[d.region->target]->transport_dbg(t);
    t.set_address(addr);
    return n;
}

bool Router::get_direct_mem_ptr(int, tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi) {
    const uint64_t addr = t.get_address();
    const DecodeResult d = map_.decode(addr, 1);
    if (d.status != DecodeStatus::Ok) return false;
    t.set_address(d.offset);
    const bool ok = initiator_socket[d.region->target]->get_direct_mem_ptr(t, dmi);
    t.set_address(addr);
    if (!ok) return false;
    // Translate the granted range back to bus addresses, clipped to the region.
    const uint64_t base = d.region->base, last = d.region->end() - 1;
    dmi.set_start_address(std::min<uint64_t>(base + dmi.get_start_address(), last));
    dmi.set_end_address(std::min<uint64_t>(base + dmi.get_end_address(), last));
    return true;
}

void Router::invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end) {
    for (const AddressRegion& r : map_.regions()) {
        if (int(r.target) != id) continue;
        if (start >= r.size) continue;
        const uint64_t s = r.base + start, e = end >= r.size ? r.end() - 1 : r.base + end;
        for (unsigned i = 0; i < target_socket.size(); ++i) target_socket[i]->invalidate_direct_mem_ptr(s, e);
    }
}

void Router::report(Stats& s) const {
    s.set("bus.transactions", transactions_);
    s.set("bus.bytes", bytes_);
    s.set("bus.errors", errors());
    s.set("bus.errors_unmapped", unmapped_);
    s.set("bus.errors_crossing", crossing_);
    s.set("bus.errors_from_targets", target_errors_);
}

} // namespace dynavp
