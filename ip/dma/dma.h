// DMA engine: a descriptor ring in memory, taken in FIFO order; 1-D and
// 2-D (strided) copies between any two mapped regions; completion and error
// interrupts. Register map and descriptor format: dma_regs.h.
#pragma once

#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "ip/common/register_bank.h"
#include "platform/platform_config.h"
#include "platform/stats.h"
#include "transfer_plan.h"

namespace dynavp {

class Dma : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Dma> regs_socket;   // MMIO registers
    tlm_utils::simple_initiator_socket<Dma> bus_socket; // bus master
    sc_core::sc_out<bool> irq;

    SC_HAS_PROCESS(Dma);
    Dma(sc_core::sc_module_name name, const DmaDeviceConfig& cfg, double clock_mhz);

    void report(Stats& s, const std::string& prefix) const;

private:
    enum class Failure { None, Read, Write };
    void regs_b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
    void run();
    bool bus(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, uint32_t len, uint64_t issue_ps, uint64_t& done_ps);
    Failure copy(const DmaTransfer& tr, uint64_t& t_ps, uint64_t& fail_addr);
    void sync_to(uint64_t t_ps);
    void raise(uint32_t irq_bits);
    void update_irq();
    void drive_irq();
    void fail(uint32_t index, uint32_t cause, uint64_t addr);
    bool ring_valid() const;

    DmaDeviceConfig cfg_;
    uint64_t clk_ps_;
    RegisterBank regs_;
    sc_core::sc_event doorbell_;
    sc_core::sc_event irq_update_;   // irq is driven by one process: drive_irq
    bool irq_level_ = false;
    sc_core::sc_time access_delay_;  // delay of the register access being served
    std::vector<uint8_t> buf_;
    uint64_t generation_ = 0; // bumped by SOFT_RESET and RING_SIZE writes
    uint64_t descriptors_ = 0, errors_ = 0, bytes_ = 0, chunks_ = 0, busy_ps_ = 0;
};

} // namespace dynavp
