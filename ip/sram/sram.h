// On-chip SRAM (GLB, prefetch buffer, ...): dense storage, one port of
// bytes_per_cycle at the device clock plus a fixed access latency.
#pragma once

#include <map>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "platform/platform_config.h"
#include "platform/stats.h"

namespace dynavp {

class Sram : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Sram> socket;

    SC_HAS_PROCESS(Sram);
    Sram(sc_core::sc_module_name name, uint64_t size, const SramDeviceConfig& cfg, double clock_mhz);

    uint8_t* data() { return mem_.data(); }
    uint64_t size() const { return mem_.size(); }
    void report(Stats& s, const std::string& prefix) const;

private:
    void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& t);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi);

    SramDeviceConfig cfg_;
    uint64_t clk_ps_;
    std::vector<uint8_t> mem_;
    // Port reservations [start, end) in ps. Initiators run ahead of SystemC
    // time (temporal decoupling) and annotate future arrivals, so the port
    // is a calendar: a request takes the first gap at or after its arrival
    // rather than queueing behind a reservation made for a later time.
    uint64_t reserve(uint64_t arrival_ps, uint64_t duration_ps);
    std::map<uint64_t, uint64_t> busy_;
    uint64_t reads_ = 0, writes_ = 0, bytes_read_ = 0, bytes_written_ = 0, errors_ = 0, busy_ps_ = 0;
};

} // namespace dynavp
