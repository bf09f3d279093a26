#include "sram.h"

#include <cstring>

#include "ip/common/tlm_util.h"

namespace dynavp {

Sram::Sram(sc_core::sc_module_name name, uint64_t size, const SramDeviceConfig& cfg, double clock_mhz)
    : sc_module(name), socket("socket"), cfg_(cfg), clk_ps_(period_ps(clock_mhz)), mem_(size, 0) {
    socket.register_b_transport(this, &Sram::b_transport);
    socket.register_transport_dbg(this, &Sram::transport_dbg);
    socket.register_get_direct_mem_ptr(this, &Sram::get_direct_mem_ptr);
}

void Sram::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    if (!check_plain_payload(t)) {
        ++errors_;
        return;
    }
    const uint64_t off = t.get_address(), len = t.get_data_length();
    if (off >= mem_.size() || len > mem_.size() - off) {
        ++errors_;
        t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    const bool data = !timing_only(t);
    if (t.is_write()) {
        if (data) std::memcpy(&mem_[off], t.get_data_ptr(), len);
        ++writes_;
        bytes_written_ += len;
    } else {
        if (data) std::memcpy(t.get_data_ptr(), &mem_[off], len);
        ++reads_;
        bytes_read_ += len;
    }
    // The port moves bytes_per_cycle per clock; requests queue on it.
    const uint64_t arrival = now_ps() + ps_of(delay);
    const uint64_t beats = (len + cfg_.bytes_per_cycle - 1) / cfg_.bytes_per_cycle;
    const uint64_t start = reserve(arrival, beats * clk_ps_);
    busy_ps_ += beats * clk_ps_;
    const uint64_t done = start + beats * clk_ps_ + uint64_t(cfg_.latency_cycles) * clk_ps_;
    delay = ps_time(done - now_ps());
    t.set_dmi_allowed(true);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
}

uint64_t Sram::reserve(uint64_t arrival, uint64_t dur) {
    // Reservations that ended before now can no longer collide: drop them.
    const uint64_t now = now_ps();
    while (!busy_.empty() && busy_.begin()->second <= now) busy_.erase(busy_.begin());
    uint64_t start = arrival;
    auto it = busy_.upper_bound(start);
    if (it != busy_.begin() && std::prev(it)->second > start) start = std::prev(it)->second;
    while (it != busy_.end() && it->first < start + dur) { // does not fit before the next reservation
        start = std::max(start, it->second);
        ++it;
    }
    // Insert, merging with touching neighbours to keep the calendar short.
    uint64_t s = start, e = start + dur;
    auto nx = busy_.lower_bound(s);
    if (nx != busy_.begin() && std::prev(nx)->second == s) {
        --nx;
        s = nx->first;
        nx = busy_.erase(nx);
    }
    if (nx != busy_.end() && nx->first == e) {
        e = nx->second;
        busy_.erase(nx);
    }
    busy_[s] = e;
    return start;
}

unsigned Sram::transport_dbg(tlm::tlm_generic_payload& t) {
    const uint64_t off = t.get_address(), len = t.get_data_length();
    if (off >= mem_.size() || len > mem_.size() - off) {
        t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return 0;
    }
    if (t.is_write()) std::memcpy(&mem_[off], t.get_data_ptr(), len);
    else if (t.is_read()) std::memcpy(t.get_data_ptr(), &mem_[off], len);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
    return unsigned(len);
}

bool Sram::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
    dmi.allow_read_write();
    dmi.set_dmi_ptr(mem_.data());
    dmi.set_start_address(0);
    dmi.set_end_address(mem_.size() - 1);
    dmi.set_read_latency(ps_time(uint64_t(cfg_.latency_cycles) * clk_ps_));
    dmi.set_write_latency(ps_time(uint64_t(cfg_.latency_cycles) * clk_ps_));
    return true;
}

void Sram::report(Stats& s, const std::string& p) const {
    s.set(p + ".size", uint64_t(mem_.size()));
    s.set(p + ".reads", reads_);
    s.set(p + ".writes", writes_);
    s.set(p + ".bytes_read", bytes_read_);
    s.set(p + ".bytes_written", bytes_written_);
    s.set(p + ".busy_ns", double(busy_ps_) / 1000.0);
    s.set(p + ".errors", errors_);
}

} // namespace dynavp
