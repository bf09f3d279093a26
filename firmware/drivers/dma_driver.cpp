#include "dma_driver.h"

#include <algorithm>
#include <cstring>

#include "ip/dma/dma_regs.h"

namespace dynavp::fw {

using namespace dynavp::dma;

DmaDriver::DmaDriver(Hal& hal, const DeviceInfo& dev, uint64_t ring_addr, uint32_t entries)
    : hal_(hal), dev_(dev), ring_(ring_addr), entries_(entries) {}

bool DmaDriver::init() {
    const uint32_t id = hal_.read32(reg_addr(ID.offset));
    if (id != kIdValue) {
        why_ = "unexpected ID register value " + std::to_string(id);
        return false;
    }
    if (dev_.irq < 0) {
        why_ = "device has no interrupt line";
        return false;
    }
    hal_.write32(reg_addr(CTRL.offset), ctrl::SOFT_RESET.make(1));
    hal_.write32(reg_addr(RING_BASE_LO.offset), uint32_t(ring_));
    hal_.write32(reg_addr(RING_BASE_HI.offset), uint32_t(ring_ >> 32));
    hal_.write32(reg_addr(RING_SIZE.offset), entries_);
    if (status::RING_ERROR.get(hal_.read32(reg_addr(STATUS.offset)))) {
        why_ = "engine rejected ring size " + std::to_string(entries_);
        return false;
    }
    tail_ = 0;
    hal_.write32(reg_addr(RING_TAIL.offset), tail_);
    hal_.write32(reg_addr(CTRL.offset), ctrl::ENABLE.make(1) | ctrl::IRQ_DONE_EN.make(1) | ctrl::IRQ_ERR_EN.make(1));
    return true;
}

bool DmaDriver::post(const DmaCopy& c, bool irq_on_done) {
    const uint32_t head = hal_.read32(reg_addr(RING_HEAD.offset));
    if ((tail_ + 1) % entries_ == head) return false; // one slot stays empty: full != empty
    uint8_t d[desc::kBytes] = {};
    std::memcpy(d + desc::SRC, &c.src, 8);
    std::memcpy(d + desc::DST, &c.dst, 8);
    std::memcpy(d + desc::ROW_BYTES, &c.row_bytes, 4);
    std::memcpy(d + desc::ROWS, &c.rows, 4);
    std::memcpy(d + desc::SRC_STRIDE, &c.src_stride, 4);
    std::memcpy(d + desc::DST_STRIDE, &c.dst_stride, 4);
    const uint32_t control = desc::IRQ_ON_DONE.make(irq_on_done ? 1 : 0);
    std::memcpy(d + desc::CONTROL, &control, 4);
    std::memcpy(d + desc::TAG, &tail_, 4);
    hal_.write_block(ring_ + uint64_t(tail_) * desc::kBytes, d, sizeof d);
    tail_ = (tail_ + 1) % entries_;
    pending_bytes_ += uint64_t(c.row_bytes) * c.rows;
    return true;
}

void DmaDriver::ring_doorbell() { hal_.write32(reg_addr(RING_TAIL.offset), tail_); }

// Generous: 100 ns per 64 bytes (>= 0.6 GB/s) plus 1 ms.
uint64_t DmaDriver::timeout_for(uint64_t bytes) const { return 1000000 + bytes / 64 * 100; }

// Reads and acknowledges IRQ_STATUS; false if it reports a failed descriptor.
bool DmaDriver::acknowledge() {
    const uint32_t st = hal_.read32(reg_addr(IRQ_STATUS.offset));
    if (st) hal_.write32(reg_addr(IRQ_STATUS.offset), st); // W1C: acknowledge what we saw
    if (!irq::ERROR.get(st)) return true;
    const uint32_t info = hal_.read32(reg_addr(ERR_INFO.offset));
    err_.descriptor = err_info::DESC_INDEX.get(info);
    err_.cause = err_info::CAUSE.get(info);
    err_.address = (uint64_t(hal_.read32(reg_addr(ERR_ADDR_HI.offset))) << 32) | hal_.read32(reg_addr(ERR_ADDR_LO.offset));
    ++errors_;
    why_ = "descriptor " + std::to_string(err_.descriptor) + " failed, cause " + std::to_string(err_.cause);
    return false;
}

bool DmaDriver::wait_all(uint64_t timeout_ns) {
    why_.clear();
    if (timeout_ns == 0) timeout_ns = timeout_for(pending_bytes_);
    pending_bytes_ = 0;
    const uint64_t deadline = hal_.now_ns() + timeout_ns;
    bool ok = true;
    while (hal_.read32(reg_addr(RING_HEAD.offset)) != tail_ ||
           status::BUSY.get(hal_.read32(reg_addr(STATUS.offset)))) {
        const uint64_t now = hal_.now_ns();
        if (now >= deadline) {
            why_ = "timeout waiting for DMA completion";
            return false;
        }
        // Sleep until an interrupt, but look again at least every 10 us:
        // the last posted descriptor need not have asked for one.
        if (hal_.wait_irq(unsigned(dev_.irq), std::min<uint64_t>(deadline - now, 10000))) ok = acknowledge() && ok;
    }
    // The engine may have finished before we first looked: collect its status.
    return acknowledge() && ok;
}

bool DmaDriver::copy(const DmaCopy& c, uint64_t timeout_ns) {
    if (!post(c, true)) {
        why_ = "descriptor ring full";
        return false;
    }
    ring_doorbell();
    return wait_all(timeout_ns);
}

uint32_t DmaDriver::descriptor_status(uint32_t index) {
    return hal_.read32(ring_ + uint64_t(index % entries_) * desc::kBytes + desc::STATUS);
}

} // namespace dynavp::fw
