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
    if (t.is_write()) {
        std::memcpy(&mem_[off], t.get_data_ptr(), len);
        ++writes_;
        bytes_written_ += len;
    } else {
        std::memcpy(t.get_data_ptr(), &mem_[off], len);
        ++reads_;
        bytes_read_ += len;
    }
    // The port moves bytes_per_cycle per clock; requests queue on it.
    const uint64_t arrival = now_ps() + ps_of(delay);
    const uint64_t beats = (len + cfg_.bytes_per_cycle - 1) / cfg_.bytes_per_cycle;
    const uint64_t start = std::max(arrival, port_free_ps_);
    port_free_ps_ = start + beats * clk_ps_;
    busy_ps_ += beats * clk_ps_;
    const uint64_t done = port_free_ps_ + uint64_t(cfg_.latency_cycles) * clk_ps_;
    delay = ps_time(done - now_ps());
    t.set_dmi_allowed(true);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
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
