#include "predictor_driver.h"

#include "ip/predictor/predictor_regs.h"
#include "ip/runtime_monitor/runtime_monitor_regs.h"

namespace dynavp::fw {

namespace P = predictor;
namespace M = runtime_monitor;

bool PredictorDriver::init() {
    if (!find_device(hal_, "predictor", P::ID.offset, P::kIdValue, dev_, why_)) return false;
    tiles_ = hal_.read32(dev_.base + P::TILES.offset);
    rat_bits_ = hal_.read32(dev_.base + P::RAT_BITS.offset);
    hal_.write32(dev_.base + P::IRQ_STATUS.offset, P::irq::READY.mask() | P::irq::ERROR.mask());
    hal_.write32(dev_.base + P::CTRL.offset, P::ctrl::IRQ_EN.make(1));
    return true;
}

void PredictorDriver::select_bank(uint32_t bank) {
    hal_.write32(dev_.base + P::BANK.offset, bank);
    layer_tiles_ = hal_.read32(dev_.base + P::LAYER_TILES.offset);
}

void PredictorDriver::set_layout(const TileLayout& l) {
    layer_tiles_ = l.tiles;
    hal_.write32(dev_.base + P::LAYER_TILES.offset, l.tiles);
    hal_.write32(dev_.base + P::TILE_DRAM_LO.offset, uint32_t(l.dram));
    hal_.write32(dev_.base + P::TILE_DRAM_HI.offset, uint32_t(l.dram >> 32));
    hal_.write32(dev_.base + P::TILE_BYTES.offset, l.tile_bytes);
    hal_.write32(dev_.base + P::PFB_OFFSET.offset, l.pfb_offset);
    hal_.write32(dev_.base + P::DIR_BASE.offset, l.directory_base);
    hal_.write32(dev_.base + P::TILE_BASE.offset, l.table_base);
    hal_.write32(dev_.base + P::TILE_STRIDE.offset, l.stride);
}

std::vector<bool> PredictorDriver::mask(uint32_t base) {
    std::vector<bool> m(layer_tiles_);
    uint32_t w = 0;
    for (uint32_t t = 0; t < layer_tiles_; ++t) {
        if (t % 32 == 0) w = hal_.read32(dev_.base + base + 4 * (t / 32));
        m[t] = (w >> (t % 32)) & 1;
    }
    return m;
}

void PredictorDriver::write_mask(uint32_t base, const std::vector<bool>& m) {
    for (uint32_t w = 0; w * 32 < m.size(); ++w) {
        uint32_t v = 0;
        for (uint32_t b = 0; b < 32 && w * 32 + b < m.size(); ++b) v |= uint32_t(m[w * 32 + b]) << b;
        hal_.write32(dev_.base + base + 4 * w, v);
    }
}

void PredictorDriver::predict() { hal_.write32(dev_.base + P::CMD.offset, P::cmd::kPredict); }
void PredictorDriver::prefetch(const std::vector<bool>& m) {
    write_mask(P::kMask, m);
    hal_.write32(dev_.base + P::CMD.offset, P::cmd::kPrefetch);
}
void PredictorDriver::resolve(const std::vector<bool>& used) {
    write_mask(P::kActual, used);
    hal_.write32(dev_.base + P::CMD.offset, P::cmd::kResolve);
}
void PredictorDriver::release() { hal_.write32(dev_.base + P::CMD.offset, P::cmd::kRelease); }
void PredictorDriver::reset_table() { hal_.write32(dev_.base + P::CMD.offset, P::cmd::kResetTable); }

bool PredictorDriver::wait_ready(uint64_t timeout_ns) {
    const uint32_t st = wait_device_irq(hal_, dev_, P::IRQ_STATUS.offset, P::irq::READY.mask() | P::irq::ERROR.mask(), timeout_ns);
    if (!st) {
        why_ = "timeout waiting for the predictor";
        return false;
    }
    if (P::irq::ERROR.get(st)) {
        const uint32_t code = P::status::ERR_CODE.get(hal_.read32(dev_.base + P::STATUS.offset));
        why_ = std::string("predictor: ") + P::err_name(code) + " (detail " + std::to_string(hal_.read32(dev_.base + P::ERR_DETAIL.offset)) + ")";
        return false;
    }
    return true;
}

uint32_t PredictorDriver::rat() { return hal_.read32(dev_.base + P::RAT.offset); }
void PredictorDriver::set_rat(uint32_t r) { hal_.write32(dev_.base + P::RAT.offset, r); }
std::vector<bool> PredictorDriver::predicted() { return mask(P::kPredicted); }
std::vector<bool> PredictorDriver::loaded() { return mask(P::kLoaded); }

uint8_t PredictorDriver::state(uint32_t tile, uint32_t rat) {
    const uint64_t e = (uint64_t(tile) << rat_bits_) | rat;
    return uint8_t((hal_.read32(dev_.base + P::kTablePage + 4 * (e / 16)) >> (2 * (e % 16))) & 3);
}

void PredictorDriver::set_state(uint32_t tile, uint32_t rat, uint8_t s) {
    const uint64_t e = (uint64_t(tile) << rat_bits_) | rat, addr = dev_.base + P::kTablePage + 4 * (e / 16);
    const uint32_t sh = uint32_t(2 * (e % 16));
    hal_.write32(addr, (hal_.read32(addr) & ~(3u << sh)) | (uint32_t(s & 3) << sh));
}

PredictorCounters PredictorDriver::counters() {
    PredictorCounters c;
    c.decisions = hal_.read32(dev_.base + P::DECISIONS.offset);
    c.correct = hal_.read32(dev_.base + P::CORRECT.offset);
    c.prefetched = hal_.read32(dev_.base + P::PREFETCHED.offset);
    c.useful = hal_.read32(dev_.base + P::USEFUL.offset);
    c.useless = hal_.read32(dev_.base + P::USELESS.offset);
    c.missed = hal_.read32(dev_.base + P::MISSED.offset);
    return c;
}

// ---------------------------------------------------------------- runtime monitor

bool RuntimeMonitorDriver::init() {
    if (!find_device(hal_, "runtime_monitor", M::ID.offset, M::kIdValue, dev_, why_)) return false;
    hal_.write32(dev_.base + M::IRQ_STATUS.offset, M::irq::DONE.mask() | M::irq::ERROR.mask());
    ctrl_ = M::ctrl::IRQ_EN.make(1);
    hal_.write32(dev_.base + M::CTRL.offset, ctrl_);
    return true;
}

bool RuntimeMonitorDriver::command(uint32_t c, uint64_t timeout_ns) {
    hal_.write32(dev_.base + M::CMD.offset, c);
    const uint32_t st = wait_device_irq(hal_, dev_, M::IRQ_STATUS.offset, M::irq::DONE.mask() | M::irq::ERROR.mask(), timeout_ns);
    if (!st) {
        why_ = "timeout waiting for the runtime monitor";
        return false;
    }
    if (M::irq::ERROR.get(st)) {
        why_ = std::string("runtime monitor: ") + M::err_name(M::status::ERR_CODE.get(hal_.read32(dev_.base + M::STATUS.offset)));
        return false;
    }
    return true;
}

AgentOutcomes RuntimeMonitorDriver::collect(uint32_t core_mask, core::AgentPolicy policy, uint32_t addr_base, uint32_t tiles, bool to_predictor,
                                            bool clear_tables, uint64_t timeout_ns) {
    AgentOutcomes o;
    hal_.write32(dev_.base + M::CORE_MASK.offset, core_mask);
    hal_.write32(dev_.base + M::POLICY.offset, uint32_t(policy));
    hal_.write32(dev_.base + M::ADDR_BASE.offset, addr_base);
    hal_.write32(dev_.base + M::TILES.offset, tiles);
    const uint32_t c = (ctrl_ & ~(M::ctrl::TO_PREDICTOR.mask() | M::ctrl::CLEAR_TABLES.mask())) | M::ctrl::TO_PREDICTOR.make(to_predictor) |
                       M::ctrl::CLEAR_TABLES.make(clear_tables);
    if (c != ctrl_) hal_.write32(dev_.base + M::CTRL.offset, ctrl_ = c);
    if (!command(M::cmd::kCollect, timeout_ns)) {
        o.message = why_;
        return o;
    }
    o.entries = hal_.read32(dev_.base + M::ENTRIES.offset);
    o.cycles = hal_.read32(dev_.base + M::CYCLES.offset);
    o.counts.resize(tiles);
    o.trace.resize(tiles);
    for (uint32_t t = 0; t < tiles; ++t) {
        o.counts[t] = hal_.read32(dev_.base + M::tile_count(t).offset);
        o.trace[t] = o.counts[t] > 0;
    }
    o.ok = true;
    return o;
}

bool RuntimeMonitorDriver::forward_dim(uint32_t tile, sched::Dim j, bool go, uint64_t timeout_ns) {
    hal_.write32(dev_.base + M::FWD_TILE.offset, tile);
    hal_.write32(dev_.base + M::FWD_DIM.offset, uint32_t(j));
    const uint32_t c = (ctrl_ & ~M::ctrl::AUTO_GO.mask()) | M::ctrl::AUTO_GO.make(go);
    if (c != ctrl_) hal_.write32(dev_.base + M::CTRL.offset, ctrl_ = c);
    return command(M::cmd::kForwardDim, timeout_ns);
}

} // namespace dynavp::fw
