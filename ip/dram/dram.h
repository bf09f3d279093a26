// DRAM device (TLM-2.0, loosely timed): a sparse backing store (the *what* of
// the bytes) and one DramChannel controller per channel (the *when*,
// dram_controller.h). A read's completion is known when its call returns:
// its bursts are scheduled as the call arrives (call mode); writes are
// posted into the channel's write queue and drained by watermarks.
#pragma once

#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "dram_address.h"
#include "dram_controller.h"
#include "ip/common/sparse_memory.h"
#include "platform/platform_config.h"
#include "platform/stats.h"

namespace dynavp {

class Dram : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Dram> socket;

    SC_HAS_PROCESS(Dram);
    Dram(sc_core::sc_module_name name, uint64_t size, const DramDeviceConfig& cfg);

    // Timing of one request arriving at arrival_ps; returns when it completes
    // (a read: its last data beat; a write: accepted by the controller).
    uint64_t timed_access(uint64_t offset, uint64_t len, bool is_write, uint64_t arrival_ps);
    // No request will arrive before now_ps (the controllers forget older history).
    void retire(uint64_t now_ps);
    SparseMemory& memory() { return mem_; }
    const std::vector<DramChannel>& channels() const { return channels_; }
    const DramAddressMap& address_map() const { return map_; }
    // A snapshot as if the run ended now: the write queues drained, the
    // energy counted up to now. The controllers themselves go on.
    void report(Stats& s, const std::string& prefix) const;

private:
    void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& t);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi);

    DramDeviceConfig cfg_;
    DramAddressMap map_;
    SparseMemory mem_;
    std::vector<DramChannel> channels_;
    uint64_t transactions_ = 0, bytes_read_ = 0, bytes_written_ = 0, errors_ = 0;
    uint64_t latency_sum_ps_ = 0, latency_max_ps_ = 0;
};

// Stats of finished channels under `p` (shared by the board and `dynavp bench dram`).
void report_dram_channels(Stats& s, const std::string& p, const DramTimingParams& t, const std::vector<DramChannel>& finished);

} // namespace dynavp
