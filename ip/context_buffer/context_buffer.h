// The context buffer on the board (DyPipe sec. 3.2): word storage at the top
// of the global memory array (its own device, "context_buffer"), the ring of
// pending module-function records, and the CB_* control registers that the
// DyPipe controller's register page forwards here (context_buffer_regs.h).
// Record format: context_record.h; README.md here.
#pragma once

#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "context_ring.h"
#include "ip/common/register_bank.h"
#include "platform/platform_config.h"
#include "platform/stats.h"

namespace dynavp {

class ContextBuffer : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<ContextBuffer> socket; // the storage

    SC_HAS_PROCESS(ContextBuffer);
    ContextBuffer(sc_core::sc_module_name name, const DeviceConfig& dev);

    RegisterBank& registers() { return regs_; } // CB_* (served through the controller's page)
    const context_buffer::ContextRing& ring() const { return ring_; }
    // The controller's side: forget every pending record / free the oldest n after executing them.
    void reset();
    void retire(size_t n);
    uint32_t word(uint32_t word_index) const { return mem_.at(word_index); }
    // Called by the controller on an overflow (it raises the interrupt).
    void on_overflow(std::function<void()> f) { overflow_ = std::move(f); }

    void report(Stats& s, const std::string& prefix) const;

private:
    void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& t);
    bool access(tlm::tlm_generic_payload& t);
    void refresh(); // CB_* registers from the ring

    uint64_t clk_ps_;
    std::vector<uint32_t> mem_;
    context_buffer::ContextRing ring_;
    RegisterBank regs_;
    std::function<void()> overflow_;
    uint64_t saves_ = 0, pops_ = 0, bytes_written_ = 0, bytes_read_ = 0;
};

} // namespace dynavp
