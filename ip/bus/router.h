// System bus: decodes each transaction through the AddressMap and forwards
// it, with the address made region-relative, to the target that owns it.
// Errors (unmapped, region-crossing, or signalled by the target) go back to
// the initiator as TLM error responses and are counted -- never a crash.
#pragma once

#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "address_map.h"
#include "platform/stats.h"

namespace dynavp {

struct BusErrorRecord {
    uint64_t time_ps;
    std::string initiator;
    uint64_t address;
    bool write;
    std::string response; // tlm response string
};

class Router : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<Router> target_socket;       // initiators bind here
    tlm_utils::multi_passthrough_initiator_socket<Router> initiator_socket; // targets bind here

    SC_HAS_PROCESS(Router);
    Router(sc_core::sc_module_name name, sc_core::sc_time hop_latency);

    // Regions must be added in the order targets are bound to initiator_socket.
    void add_region(const std::string& name, uint64_t base, uint64_t size);
    // Name for the n-th initiator bound to target_socket (for error records).
    void name_initiator(unsigned index, const std::string& name);
    const AddressMap& address_map() const { return map_; }

    uint64_t errors() const { return unmapped_ + crossing_ + target_errors_; }
    const std::vector<BusErrorRecord>& error_log() const { return error_log_; }
    void report(Stats& s) const;

private:
    void b_transport(int id, tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
    unsigned transport_dbg(int id, tlm::tlm_generic_payload& t);
    bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& t, tlm::tlm_dmi& dmi);
    void invalidate_direct_mem_ptr(int id, sc_dt::uint64 start, sc_dt::uint64 end);
    void record_error(int id, const tlm::tlm_generic_payload& t, uint64_t addr, const sc_core::sc_time& delay);

    AddressMap map_;
    unsigned next_target_ = 0;
    sc_core::sc_time hop_;
    std::vector<std::string> initiator_names_;
    uint64_t transactions_ = 0, bytes_ = 0;
    uint64_t unmapped_ = 0, crossing_ = 0, target_errors_ = 0;
    std::vector<BusErrorRecord> error_log_; // first kMaxLoggedErrors
    static constexpr size_t kMaxLoggedErrors = 32;
};

} // namespace dynavp
