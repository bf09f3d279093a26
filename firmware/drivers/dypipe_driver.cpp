#include "dypipe_driver.h"

#include "ip/context_buffer/context_buffer_regs.h"
#include "ip/dypipe/dypipe_regs.h"

namespace dynavp::fw {

namespace D = dypipe;
namespace C = context_buffer;

bool DyPipeDriver::init() {
    if (!find_device(hal_, "dypipe", D::ID.offset, D::kIdValue, dev_, why_)) return false;
    const DeviceInfo* cb = hal_.board().first_of("context_buffer");
    if (!cb) {
        why_ = "the board has no device of type context_buffer";
        return false;
    }
    cb_base_ = cb->base;
    capacity_ = hal_.read32(dev_.base + C::CB_CAPACITY.offset);
    hal_.write32(dev_.base + D::IRQ_STATUS.offset, D::irq::DONE.mask() | D::irq::ERROR.mask());
    hal_.write32(dev_.base + D::CTRL.offset, D::ctrl::IRQ_EN.make(1));
    return true;
}

uint32_t DyPipeDriver::used() { return hal_.read32(dev_.base + C::CB_USED.offset); }
uint32_t DyPipeDriver::pending() { return hal_.read32(dev_.base + C::CB_COUNT.offset); }
uint32_t DyPipeDriver::overflows() { return hal_.read32(dev_.base + C::CB_OVERFLOWS.offset); }

bool DyPipeDriver::save(const context_buffer::ContextRecord& r) {
    if (r.words() > context_buffer::kMaxWords) {
        why_ = "a record of " + std::to_string(r.words()) + " context words (at most " + std::to_string(context_buffer::kMaxWords) + ")";
        return false;
    }
    const std::vector<uint32_t> w = context_buffer::encode(r);
    const uint32_t tail = hal_.read32(dev_.base + C::CB_TAIL.offset), before = overflows();
    // SaveContext only into free space: pending records past it must stay intact.
    if (fits(r.words()))
        for (size_t i = 1; i < w.size(); ++i) hal_.write32(cb_base_ + (tail + 4 * i) % capacity_, w[i]);
    hal_.write32(dev_.base + C::CB_COMMIT.offset, w[0]); // SavePC: the hardware refuses (and reports) a record that does not fit
    if (overflows() != before) {
        why_ = "context buffer overflow";
        return false;
    }
    return true;
}

DyPipeRun DyPipeDriver::run(uint32_t mode, uint64_t timeout_ns) {
    DyPipeRun r;
    hal_.write32(dev_.base + D::IRQ_STATUS.offset, D::irq::DONE.mask() | D::irq::ERROR.mask()); // nothing older counts
    hal_.write32(dev_.base + D::PIPELINE.offset, mode);
    hal_.write32(dev_.base + D::CMD.offset, D::cmd::kRun);
    uint32_t st = 0;
    do { // until the RUN itself has ended (an interrupt for something else does not end it)
        if (!wait_device_irq(hal_, dev_, D::IRQ_STATUS.offset, D::irq::DONE.mask() | D::irq::ERROR.mask(), timeout_ns)) {
            r.message = "timeout waiting for the dypipe accelerator";
            return r;
        }
        st = hal_.read32(dev_.base + D::STATUS.offset);
    } while (D::status::STATE.get(st) == D::status::kBusy);
    r.cycles = (uint64_t(hal_.read32(dev_.base + D::CYCLES_HI.offset)) << 32) | hal_.read32(dev_.base + D::CYCLES_LO.offset);
    r.functions = hal_.read32(dev_.base + D::FUNCTIONS.offset);
    r.cf_ctx_cycles = hal_.read32(dev_.base + D::CF_CTX.offset);
    if (D::status::STATE.get(st) == D::status::kError) {
        r.message = std::string("dypipe: ") + D::err_name(D::status::ERR_CODE.get(st)) + " (detail " +
                    std::to_string(hal_.read32(dev_.base + D::ERR_DETAIL.offset)) + ")";
        return r;
    }
    r.ok = true;
    return r;
}

std::optional<context_buffer::ContextRecord> DyPipeDriver::pop() {
    const uint32_t header = hal_.read32(dev_.base + C::CB_POP.offset);
    if (header == 0) return std::nullopt;
    const uint32_t at = hal_.read32(dev_.base + C::CB_POP_OFFSET.offset);
    std::vector<uint32_t> words(context_buffer::words_in_header(header));
    for (size_t i = 0; i < words.size(); ++i) words[i] = hal_.read32(cb_base_ + (at + 4 * (i + 1)) % capacity_);
    context_buffer::ContextRecord r;
    if (!context_buffer::decode(header, words, r).empty()) return std::nullopt;
    return r;
}

void DyPipeDriver::reset_buffer() { hal_.write32(dev_.base + D::CMD.offset, D::cmd::kCbReset); }

} // namespace dynavp::fw
