#include "dram.h"

#include <stdexcept>

#include "ip/common/tlm_util.h"

namespace dynavp {

Dram::Dram(sc_core::sc_module_name name, uint64_t size, const DramDeviceConfig& cfg)
    : sc_module(name), socket("socket"), cfg_(cfg), mem_(size), channels_(cfg.channels, DramChannel(cfg.timing, cfg.controller)) {
    if (std::string e = map_.configure(cfg.address_mapping, cfg.timing, cfg.channels, cfg.interleave_bytes); !e.empty())
        throw std::invalid_argument("DRAM '" + std::string(this->name()) + "': address_mapping " + e);
    socket.register_b_transport(this, &Dram::b_transport);
    socket.register_transport_dbg(this, &Dram::transport_dbg);
    socket.register_get_direct_mem_ptr(this, &Dram::get_direct_mem_ptr);
}

uint64_t Dram::timed_access(uint64_t offset, uint64_t len, bool is_write, uint64_t arrival_ps) {
    const uint64_t tck = cfg_.timing.tCK_ps, bb = cfg_.timing.burst_bytes();
    const uint64_t arrival = (arrival_ps + tck - 1) / tck; // the controller acts on clock edges
    const bool closed = cfg_.controller.page == DramControllerConfig::Page::Closed;
    uint64_t done = arrival;
    if (len == 0) return arrival_ps;
    const uint64_t first = offset & ~(bb - 1), end = offset + len;
    DramCoord c = map_.decode(first);
    for (uint64_t a = first; a < end; a += bb) {
        DramChannel::Burst b{c.rank, c.bank_group, c.bank, c.row, c.column, a};
        const uint32_t ch = c.channel;
        bool more = false;
        if (a + bb < end) {
            c = map_.decode(a + bb);
            more = closed && c.channel == ch && c.rank == b.rank && c.bank_group == b.bank_group && c.bank == b.bank && c.row == b.row;
        }
        DramChannel& chan = channels_[ch];
        done = std::max(done, is_write ? chan.lt_write(b, arrival) : chan.lt_read(b, arrival, more));
    }
    return std::max(done * tck, arrival_ps);
}

void Dram::retire(uint64_t now_ps) {
    const uint64_t t = now_ps / cfg_.timing.tCK_ps;
    for (DramChannel& ch : channels_) ch.retire(t);
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
    const uint64_t now = now_ps();
    retire(now); // loosely-timed masters never ask for a time before now
    const uint64_t arrival = now + ps_of(delay);
    const uint64_t done = timed_access(off, len, wr, arrival);
    ++transactions_;
    latency_sum_ps_ += done - arrival;
    latency_max_ps_ = std::max(latency_max_ps_, done - arrival);
    delay = ps_time(done - now);
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

void report_dram_channels(Stats& s, const std::string& p, const DramTimingParams& t, const std::vector<DramChannel>& chans) {
    const double tck_ns = double(t.tCK_ps) / 1000.0;
    DramChannelStats sum;
    DramEnergy e;
    auto lat = [&](const std::string& k, const LatencyHistogram& h) {
        s.set(k + ".count", h.count());
        s.set(k + ".mean_ns", h.mean() * tck_ns);
        for (auto [name, q] : {std::pair<const char*, double>{"p50", 0.50}, {"p95", 0.95}, {"p99", 0.99}}) {
            s.set(k + "." + name + "_cycles", h.percentile(q));
            s.set(k + "." + name + "_ns", double(h.percentile(q)) * tck_ns);
        }
        s.set(k + ".max_cycles", h.max());
    };
    for (size_t i = 0; i < chans.size(); ++i) {
        const DramChannelStats& c = chans[i].stats();
        const DramEnergy ce = dram_energy(t, c);
        const std::string q = p + ".channel." + std::to_string(i);
        s.set(q + ".bursts_read", c.reads);
        s.set(q + ".bursts_written", c.writes);
        s.set(q + ".row_hits", c.row_hits);
        s.set(q + ".row_misses", c.row_closed + c.row_conflicts);
        const uint64_t el = std::max<uint64_t>(1, c.elapsed_cycles);
        s.set(q + ".data_bus_utilization", double(c.data_busy_cycles) / double(el));
        lat(q + ".latency.read", c.read_latency);
        lat(q + ".latency.read_queueing", c.read_queueing);
        s.set(q + ".latency.read_service_mean_ns", c.reads ? double(c.read_service_sum) / double(c.reads) * tck_ns : 0.0);
        s.set(q + ".queue.read_mean_occupancy", double(c.read_queueing.sum()) / double(el));
        s.set(q + ".queue.write_mean_occupancy", double(c.write_queueing.sum()) / double(el));
        s.set(q + ".queue.write_max", c.write_queue_max);
        s.set(q + ".energy_pj", ce.total());
        sum.merge(c);
        e += ce;
    }
    s.set(p + ".bursts_read", sum.reads);
    s.set(p + ".bursts_written", sum.writes);
    s.set(p + ".reads_forwarded", sum.reads_forwarded);
    s.set(p + ".row_hits", sum.row_hits);
    s.set(p + ".row_misses", sum.row_closed + sum.row_conflicts);
    s.set(p + ".row_conflicts", sum.row_conflicts);
    const uint64_t placed = sum.row_hits + sum.row_closed + sum.row_conflicts;
    s.set(p + ".row_hit_rate", placed ? double(sum.row_hits) / double(placed) : 0.0);
    s.set(p + ".activates", sum.activates);
    s.set(p + ".precharges", sum.precharges);
    s.set(p + ".refreshes", sum.refreshes);
    s.set(p + ".refreshes_per_bank", sum.refreshes_per_bank);
    s.set(p + ".refresh_stalls", sum.refresh_stalls);
    s.set(p + ".refresh_stall_cycles", sum.refresh_stall_cycles);
    s.set(p + ".refresh_postponed_cycles", sum.refresh_postponed_cycles);
    s.set(p + ".turnarounds.read_to_write", sum.read_to_write);
    s.set(p + ".turnarounds.write_to_read", sum.write_to_read);
    s.set(p + ".write_drains", sum.write_drains);
    s.set(p + ".commands", sum.commands);
    s.set(p + ".data_bus_busy_cycles", sum.data_busy_cycles);
    const uint64_t elapsed = sum.elapsed_cycles;
    s.set(p + ".elapsed_cycles", elapsed);
    s.set(p + ".clock_mhz", 1e6 / double(t.tCK_ps));
    const double el = double(std::max<uint64_t>(1, elapsed));
    s.set(p + ".data_bus_utilization", double(sum.data_busy_cycles) / (el * double(std::max<size_t>(1, chans.size()))));
    lat(p + ".latency.read", sum.read_latency);
    lat(p + ".latency.read_queueing", sum.read_queueing);
    lat(p + ".latency.write_queueing", sum.write_queueing);
    s.set(p + ".latency.read_service_mean_ns", sum.reads ? double(sum.read_service_sum) / double(sum.reads) * tck_ns : 0.0);
    s.set(p + ".queue.read_mean_occupancy", double(sum.read_queueing.sum()) / el);
    s.set(p + ".queue.write_mean_occupancy", double(sum.write_queueing.sum()) / el);
    s.set(p + ".queue.write_max", sum.write_queue_max);
    s.set(p + ".queue.write_accept_wait_cycles", sum.write_accept_wait_sum);
    s.set(p + ".energy_pj.activate", e.activate);
    s.set(p + ".energy_pj.read", e.read);
    s.set(p + ".energy_pj.write", e.write);
    s.set(p + ".energy_pj.refresh", e.refresh);
    s.set(p + ".energy_pj.background_active", e.background_active);
    s.set(p + ".energy_pj.background_precharged", e.background_precharged);
    s.set(p + ".energy_pj.total", e.total());
    s.set(p + ".energy_modelled", t.has_power());
    s.set(p + ".average_power_mw", e.total() / (el * tck_ns)); // pJ / ns = mW
}

void Dram::report(Stats& s, const std::string& p) const {
    std::vector<DramChannel> fin = channels_;
    const uint64_t now = now_ps() / cfg_.timing.tCK_ps;
    for (DramChannel& ch : fin) ch.finish(now);
    s.set(p + ".preset", cfg_.timing.name);
    s.set(p + ".channels", uint64_t(cfg_.channels));
    s.set(p + ".ranks", uint64_t(cfg_.timing.ranks));
    s.set(p + ".address_mapping", map_.spec() + (map_.channel_field() ? "" : " (channels interleaved every " + std::to_string(cfg_.interleave_bytes) + " B)"));
    s.set(p + ".page_policy", std::string(to_string(cfg_.controller.page)));
    s.set(p + ".scheduler", std::string(to_string(cfg_.controller.scheduler)));
    s.set(p + ".refresh_mode", std::string(cfg_.timing.per_bank_refresh() ? to_string(cfg_.controller.refresh) : "all_bank"));
    s.set(p + ".transactions", transactions_);
    s.set(p + ".bytes_read", bytes_read_);
    s.set(p + ".bytes_written", bytes_written_);
    s.set(p + ".errors", errors_);
    s.set(p + ".avg_latency_ns", transactions_ ? double(latency_sum_ps_) / double(transactions_) / 1000.0 : 0.0);
    s.set(p + ".max_latency_ns", double(latency_max_ps_) / 1000.0);
    s.set(p + ".peak_bytes_per_second", cfg_.timing.peak_bytes_per_second() * cfg_.channels);
    s.set(p + ".allocated_bytes", mem_.allocated_bytes());
    report_dram_channels(s, p, cfg_.timing, fin);
}

} // namespace dynavp
