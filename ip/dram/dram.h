// DRAM device: sparse backing store + one DramChannel timing model per
// channel (the *when*); the *what* of row buffers is in dram_timing.h.
#pragma once

#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "dram_timing.h"
#include "ip/common/sparse_memory.h"
#include "platform/platform_config.h"
#include "platform/stats.h"

namespace dynavp {

class Dram : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Dram> socket;

    SC_HAS_PROCESS(Dram);
    Dram(sc_core::sc_module_name name, uint64_t size, const DramDeviceConfig& cfg);

    // Timing of one request arriving at arrival_ps; returns completion time.
    uint64_t timed_access(uint64_t offset, uint64_t len, bool is_write, uint64_t arrival_ps);
    SparseMemory& memory() { return mem_; }
    const std::vector<DramChannel>& channels() const { return channels_; }
    void report(Stats& s, const std::string& prefix) const;

private:
    void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& t);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi);

    DramDeviceConfig cfg_;
    SparseMemory mem_;
    std::vector<DramChannel> channels_;
    uint64_t transactions_ = 0, bytes_read_ = 0, bytes_written_ = 0, errors_ = 0;
    uint64_t latency_sum_ps_ = 0, latency_max_ps_ = 0;
};

} // namespace dynavp
