#include "dram.h"

#include "ip/common/tlm_util.h"

namespace dynavp {

Dram::Dram(sc_core::sc_module_name name, uint64_t size, const DramDeviceConfig& cfg)
    : sc_module(name), socket("socket"), cfg_(cfg), mem_(size), channels_(cfg.channels, DramChannel(cfg.timing)) {
    socket.register_b_transport(this, &Dram::b_transport);
    socket.register_transport_dbg(this, &Dram::transport_dbg);
    socket.register_get_direct_mem_ptr(this, &Dram::get_direct_mem_ptr);
}

uint64_t Dram::timed_access(uint64_t offset, uint64_t len, bool is_write, uint64_t arrival_ps) {
    const uint64_t il = cfg_.interleave_bytes, nch = cfg_.channels;
    uint64_t done = arrival_ps;
    // Cut at interleave boundaries; each piece goes to its channel.
    for (uint64_t a = offset; a < offset + len;) {
        const uint64_t piece_end = std::min(offset + len, (a / il + 1) * il);
        const uint64_t block = a / il;
        const uint64_t ch_addr = (block / nch) * il + a % il;
        done = std::max(done, channels_[block % nch].access(ch_addr, piece_end - a, is_write, arrival_ps));
        a = piece_end;
    }
    return done;
}

void Dram::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
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
    const bool wr = t.is_write(), data = !timing_only(t);
    if (wr) {
        if (data) mem_.write(off, t.get_data_ptr(), len);
        bytes_written_ += len;
    } else {
        if (data) mem_.read(off, t.get_data_ptr(), len);
        bytes_read_ += len;
    }
    const uint64_t arrival = now_ps() + ps_of(delay);
    const uint64_t done = timed_access(off, len, wr, arrival);
    ++transactions_;
    latency_sum_ps_ += done - arrival;
    latency_max_ps_ = std::max(latency_max_ps_, done - arrival);
    delay = ps_time(done - now_ps());
    t.set_dmi_allowed(true);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned Dram::transport_dbg(tlm::tlm_generic_payload& t) {
    const uint64_t off = t.get_address(), len = t.get_data_length();
    if (off >= mem_.size() || len > mem_.size() - off) {
        t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return 0;
    }
    if (t.is_write()) mem_.write(off, t.get_data_ptr(), len);
    else if (t.is_read()) mem_.read(off, t.get_data_ptr(), len);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
    return unsigned(len);
}

// DMI is for functional access (loaders, checkers) and is granted one page
// at a time because the store is sparse; it carries no timing.
bool Dram::get_direct_mem_ptr(tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi) {
    const uint64_t off = t.get_address();
    if (off >= mem_.size()) return false;
    uint64_t page_base = 0;
    uint8_t* p = mem_.page_for_dmi(off, page_base);
    dmi.allow_read_write();
    dmi.set_dmi_ptr(p);
    dmi.set_start_address(page_base);
    dmi.set_end_address(std::min(page_base + SparseMemory::kPageBytes, mem_.size()) - 1);
    dmi.set_read_latency(sc_core::SC_ZERO_TIME);
    dmi.set_write_latency(sc_core::SC_ZERO_TIME);
    return true;
}

void Dram::report(Stats& s, const std::string& p) const {
    DramCounters sum;
    for (const auto& ch : channels_) {
        const DramCounters& c = ch.counters();
        sum.reads += c.reads;
        sum.writes += c.writes;
        sum.row_hits += c.row_hits;
        sum.row_misses += c.row_misses;
        sum.row_conflicts += c.row_conflicts;
        sum.activates += c.activates;
        sum.precharges += c.precharges;
        sum.refreshes += c.refreshes;
        sum.refresh_stalls += c.refresh_stalls;
    }
    s.set(p + ".preset", cfg_.timing.name);
    s.set(p + ".channels", uint64_t(cfg_.channels));
    s.set(p + ".transactions", transactions_);
    s.set(p + ".bytes_read", bytes_read_);
    s.set(p + ".bytes_written", bytes_written_);
    s.set(p + ".bursts_read", sum.reads);
    s.set(p + ".bursts_written", sum.writes);
    s.set(p + ".row_hits", sum.row_hits);
    s.set(p + ".row_misses", sum.row_misses);
    s.set(p + ".row_conflicts", sum.row_conflicts);
    s.set(p + ".activates", sum.activates);
    s.set(p + ".precharges", sum.precharges);
    s.set(p + ".refreshes", sum.refreshes);
    s.set(p + ".refresh_stalls", sum.refresh_stalls);
    s.set(p + ".errors", errors_);
    s.set(p + ".avg_latency_ns", transactions_ ? double(latency_sum_ps_) / double(transactions_) / 1000.0 : 0.0);
    s.set(p + ".max_latency_ns", double(latency_max_ps_) / 1000.0);
    s.set(p + ".peak_bytes_per_second", cfg_.timing.peak_bytes_per_second() * cfg_.channels);
    s.set(p + ".allocated_bytes", mem_.allocated_bytes());
}

} // namespace dynavp
