// Driver for the DMA engine (ip/dma): descriptor ring in memory, doorbell,
// completion/error interrupts. Uses only the HAL and ip/dma/dma_regs.h.
#pragma once

#include <cstdint>
#include <string>

#include "firmware/hal.h"

namespace dynavp::fw {

struct DmaCopy {
    uint64_t src = 0, dst = 0;
    uint32_t row_bytes = 0, rows = 1;
    uint32_t src_stride = 0, dst_stride = 0;
    static DmaCopy linear(uint64_t src, uint64_t dst, uint32_t bytes) { return DmaCopy{src, dst, bytes, 1, bytes, bytes}; }
};

struct DmaError {
    uint32_t descriptor = 0;
    uint32_t cause = 0; // dma::err_info::kCause*
    uint64_t address = 0;
};

class DmaDriver {
public:
    // ring_addr: 64-byte aligned memory for `entries` descriptors (power of two).
    DmaDriver(Hal& hal, const DeviceInfo& dev, uint64_t ring_addr, uint32_t entries = 64);

    // Checks the ID, resets the engine, programs the ring, enables IRQs.
    // Returns false (with why()) if the block does not answer as a DMA engine.
    bool init();
    // Queues one descriptor; rings the doorbell unless more are to follow.
    // Returns false when the ring is full.
    bool post(const DmaCopy& c, bool irq_on_done = false);
    void ring_doorbell();
    // Waits until the engine has taken every posted descriptor. Returns false
    // on timeout or if any descriptor failed (see last_error()).
    bool wait_all(uint64_t timeout_ns);
    // post + doorbell + wait.
    bool copy(const DmaCopy& c, uint64_t timeout_ns = 0);

    const DmaError& last_error() const { return err_; }
    uint32_t errors() const { return errors_; }
    const std::string& why() const { return why_; }
    uint64_t reg_addr(uint32_t offset) const { return dev_.base + offset; }
    // Status word the engine wrote back into descriptor `index`.
    uint32_t descriptor_status(uint32_t index);

private:
    uint64_t timeout_for(uint64_t bytes) const;
    bool acknowledge();
    Hal& hal_;
    DeviceInfo dev_;
    uint64_t ring_;
    uint32_t entries_;
    uint32_t tail_ = 0;
    uint64_t pending_bytes_ = 0;
    DmaError err_;
    uint32_t errors_ = 0;
    std::string why_;
};

} // namespace dynavp::fw
