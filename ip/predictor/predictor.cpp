#include "predictor.h"

#include <algorithm>
#include <cstring>

#include "ip/common/tlm_util.h"
#include "ip/core/npu.h"
#include "ip/scheduling/hardware.h"
#include "platform/trace.h"

namespace dynavp {

using namespace predictor;

namespace {
uint32_t sat32(uint64_t v) { return uint32_t(std::min<uint64_t>(v, 0xFFFFFFFFu)); }
} // namespace

Predictor::Predictor(sc_core::sc_module_name name, const PlatformConfig& cfg, const DeviceConfig& dev)
    : sc_module(name), socket("socket"), bus("bus"), irq("irq"), cfg_(dev.predictor), clk_ps_(period_ps(dev.clock_mhz)),
      table_(dev.predictor.tiles, dev.predictor.rat_bits, uint8_t(dev.predictor.initial_state)) {
    if (const DeviceConfig* p = cfg.find("prefetch_buffer")) pfb_base_ = p->base, pfb_size_ = p->size;
    // Energy per byte as the NPU charges it (45 nm figures, ip/scheduling/hardware.cpp):
    // DRAM reads at the outermost level's, prefetch-buffer writes at the GLB-sized SRAM's.
    const sched::Hardware hw = sched::hardware_from_platform(cfg);
    dram_pj_per_byte_ = hw.levels.back().read_pj_per_byte;
    pfb_write_pj_per_byte_ = hw.levels[2].write_pj_per_byte;
    for (Bank& b : banks_) {
        b.state.assign(cfg_.tiles, Tile::Absent);
        b.needed.assign(cfg_.tiles, false);
        b.requested.assign(cfg_.tiles, false);
        b.predicted.assign(cfg_.tiles, false);
    }
    socket.register_b_transport(this, &Predictor::b_transport);
    regs_.declare(kRegisters);
    for (uint32_t w = 0; w < kMaskWords; ++w) {
        regs_.declare(mask(w));
        regs_.declare(actual(w));
        regs_.declare(predicted(w));
        regs_.declare(loaded(w));
    }
    regs_.set(TILES, cfg_.tiles);
    regs_.set(RAT_BITS, cfg_.rat_bits);
    regs_.set(TABLE_BYTES, uint32_t(table_.bytes()));
    regs_.on_write(CMD, [this](uint32_t, uint32_t v) { command(v); });
    regs_.on_write(IRQ_STATUS, [this](uint32_t, uint32_t) { update_irq(); });
    regs_.on_write(CTRL, [this](uint32_t, uint32_t) { update_irq(); });
    regs_.on_write(BANK, [this](uint32_t old, uint32_t v) {
        if (v >= kBanks) { // only banks 0 and 1 exist: keep the old one
            regs_.set(BANK, old);
            return;
        }
        latch_layout();
        sel_ = v;
        show_bank();
    });
    regs_.on_read(STATUS, [this](uint32_t) {
        return status::FIFO_LEVEL.make(uint32_t(fifo_.size() + demand_.size())) | status::BUSY.make(in_flight_ > 0) |
               status::READY.make(banks_[sel_].ready) | status::ERR_CODE.make(err_code_);
    });
    const std::pair<reg::Register, const uint64_t*> counters[] = {{DECISIONS, &decisions_}, {CORRECT, &correct_}, {PREFETCHED, &prefetched_},
                                                                  {USEFUL, &useful_},       {USELESS, &useless_}, {MISSED, &missed_}};
    for (const auto& [r, v] : counters) {
        const uint64_t* p = v;
        regs_.on_read(r, [p](uint32_t) { return sat32(*p); });
    }
    SC_THREAD(engine);
}

void Predictor::latch_layout() {
    Bank& b = bank();
    b.layer_tiles = regs_.get(LAYER_TILES);
    b.dram = (uint64_t(regs_.get(TILE_DRAM_HI)) << 32) | regs_.get(TILE_DRAM_LO);
    b.tile_bytes = regs_.get(TILE_BYTES);
    b.pfb_offset = regs_.get(PFB_OFFSET);
    b.dir_base = regs_.get(DIR_BASE);
    b.tile_base = regs_.get(TILE_BASE);
    b.tile_stride = regs_.get(TILE_STRIDE);
}

void Predictor::show_bank() {
    const Bank& b = bank();
    regs_.set(LAYER_TILES, b.layer_tiles);
    regs_.set(TILE_DRAM_LO, uint32_t(b.dram));
    regs_.set(TILE_DRAM_HI, uint32_t(b.dram >> 32));
    regs_.set(TILE_BYTES, b.tile_bytes);
    regs_.set(PFB_OFFSET, b.pfb_offset);
    regs_.set(DIR_BASE, b.dir_base);
    regs_.set(TILE_BASE, b.tile_base);
    regs_.set(TILE_STRIDE, b.tile_stride);
    write_mask(kPredicted, b.predicted);
    std::vector<bool> l(cfg_.tiles);
    for (uint32_t t = 0; t < cfg_.tiles; ++t) l[t] = b.state[t] == Tile::Loaded && (!b.resolved || b.needed[t]); // disabled tiles are not served
    write_mask(kLoaded, l);
}

std::vector<bool> Predictor::read_mask(uint32_t base) const {
    std::vector<bool> m(std::min<uint32_t>(regs_.get(LAYER_TILES), cfg_.tiles));
    for (uint32_t t = 0; t < m.size(); ++t) m[t] = (regs_.get(reg::Register{base + 4 * (t / 32), "", 0, Access::RW}) >> (t % 32)) & 1;
    return m;
}

void Predictor::write_mask(uint32_t base, const std::vector<bool>& m) {
    for (uint32_t w = 0; w < kMaskWords; ++w) {
        uint32_t v = 0;
        for (uint32_t b = 0; b < 32 && w * 32 + b < m.size(); ++b) v |= uint32_t(m[w * 32 + b]) << b;
        regs_.set(reg::Register{base + 4 * w, "", 0, Access::RW}, v);
    }
}

bool Predictor::check_layer(const Bank& b) {
    const uint32_t n = b.layer_tiles;
    if (n == 0 || uint64_t(n) + b.tile_base > cfg_.tiles || (b.tile_stride && b.tile_stride < b.tile_bytes)) {
        fail(kErrLayer, n);
        return false;
    }
    const uint64_t fit = b.tile_bytes == 0 || b.pfb_offset >= pfb_size_ ? 0 : (pfb_size_ - b.pfb_offset) / b.tile_bytes;
    const uint64_t entries = npu_ ? npu_->prefetch_entries() : 0;
    const uint64_t dir = entries > b.dir_base ? entries - b.dir_base : 0;
    if (fit < n || dir < n) {
        fail(kErrPlace, uint32_t(std::min(fit, dir)));
        return false;
    }
    return true;
}

void Predictor::fail(uint32_t code, uint32_t detail) {
    ++errors_;
    err_code_ = code;
    regs_.set(ERR_DETAIL, detail);
    regs_.set(IRQ_STATUS, regs_.get(IRQ_STATUS) | irq::ERROR.make(1));
    board_trace().instant(name(), std::string("error: ") + err_name(code), now_ps(), {{"detail", detail}});
    update_irq();
}

void Predictor::command(uint32_t c) {
    latch_layout();
    err_code_ = 0; // STATUS.ERR_CODE describes the latest command
    Bank& b = bank();
    switch (c) {
    case cmd::kPredict: {
        if (!check_layer(b)) return;
        const uint32_t rat = regs_.get(RAT);
        b.predicted = backend_ ? backend_->predict(rat, b.layer_tiles, b.tile_base) : table_.predict(rat, b.layer_tiles, b.tile_base);
        b.predicted.resize(cfg_.tiles);
        write_mask(kPredicted, b.predicted);
        b.predicted_round = true;
        ++predictions_;
        board_trace().instant(name(), "predict", now_ps(),
                              {{"bank", sel_}, {"rat", rat}, {"tiles", uint64_t(std::count(b.predicted.begin(), b.predicted.end(), true))}});
        enqueue(sel_, b.predicted, false);
        break;
    }
    case cmd::kPrefetch:
        if (!check_layer(b)) return;
        enqueue(sel_, read_mask(kMask), false);
        break;
    case cmd::kResolve: do_resolve(read_mask(kActual)); break;
    case cmd::kRelease: release(sel_); break;
    case cmd::kResetTable:
        if (backend_) backend_->reset();
        else table_.reset();
        regs_.set(RAT, 0);
        break;
    default: fail(kErrCommand, c);
    }
}

void Predictor::release(uint32_t k) {
    Bank& b = banks_[k];
    for (uint32_t t = 0; t < cfg_.tiles; ++t)
        if (b.state[t] == Tile::Loaded) set_entry(k, t, false, false);
    std::fill(b.state.begin(), b.state.end(), Tile::Absent);
    std::fill(b.needed.begin(), b.needed.end(), false);
    std::fill(b.requested.begin(), b.requested.end(), false);
    std::fill(b.predicted.begin(), b.predicted.end(), false);
    auto mine = [k](const Op& o) { return o.first == k; };
    fifo_.erase(std::remove_if(fifo_.begin(), fifo_.end(), mine), fifo_.end());
    demand_.erase(std::remove_if(demand_.begin(), demand_.end(), mine), demand_.end());
    b.resolved = b.predicted_round = b.ready = false;
    ++b.generation; // a tile in flight lands, but no directory entry points at it
    if (k == sel_) show_bank();
}

void Predictor::enqueue(uint32_t k, const std::vector<bool>& tiles, bool demand) {
    Bank& b = banks_[k];
    for (uint32_t t = 0; t < tiles.size() && t < cfg_.tiles; ++t) {
        if (!tiles[t]) continue;
        if (!demand) b.requested[t] = true;
        if (b.state[t] != Tile::Absent) continue;
        if (!demand && fifo_.size() >= cfg_.fifo_depth) { // the FIFO is full: the tile will be a miss if it is used
            ++fifo_overflows_;
            b.requested[t] = false;
            continue;
        }
        b.state[t] = demand ? Tile::Demand : Tile::Queued;
        (demand ? demand_ : fifo_).push_back({k, t});
    }
    work_.notify(access_delay_);
}

void Predictor::erase(std::deque<Op>& q, Op op) {
    auto it = std::find(q.begin(), q.end(), op);
    if (it != q.end()) q.erase(it);
}

void Predictor::resolve(uint32_t k, const std::vector<bool>& actual) {
    access_delay_ = sc_core::SC_ZERO_TIME;
    latch_layout();
    const uint32_t keep = sel_;
    sel_ = k % kBanks;
    show_bank();
    write_mask(kActual, actual);
    do_resolve(actual);
    sel_ = keep;
    show_bank();
}

void Predictor::do_resolve(const std::vector<bool>& actual_in) {
    Bank& b = bank();
    if (!check_layer(b)) return;
    const uint32_t n = b.layer_tiles;
    std::vector<bool> actual = actual_in;
    actual.resize(n);
    const uint64_t tb = b.tile_bytes;
    ++resolves_;
    std::vector<bool> urgent(n);
    for (uint32_t t = 0; t < n; ++t) {
        b.needed[t] = actual[t];
        bytes_if_conventional_ += tb;
        if (actual[t]) bytes_if_none_ += tb;
        if (b.predicted_round) {
            ++decisions_;
            correct_ += b.predicted[t] == actual[t];
        }
        if (actual[t] && b.requested[t]) {
            ++useful_;
            bytes_useful_ += tb;
            if (b.state[t] == Tile::Queued) { // still waiting in the FIFO: it is needed now
                erase(fifo_, {sel_, t});
                b.state[t] = Tile::Absent;
                urgent[t] = true;
            }
        } else if (actual[t]) { // DNA VI-B: not prefetched -> loaded at once, bypassing the FIFO
            ++missed_;
            bytes_missed_ += tb;
            if (b.state[t] == Tile::Absent) urgent[t] = true;
        } else if (b.requested[t]) { // useless: disabled, or never loaded
            ++useless_;
            if (b.state[t] == Tile::Loaded) {
                set_entry(sel_, t, true, true);
                bytes_useless_ += tb;
            }
            if (b.state[t] == Tile::Queued) {
                erase(fifo_, {sel_, t});
                b.state[t] = Tile::Absent;
                ++dropped_;
            }
        }
    }
    // Table update (DNA Fig. 10a step 3), then the actual trace is the next RAT.
    if (backend_) backend_->update(regs_.get(RAT), actual, b.tile_base);
    else table_.update(regs_.get(RAT), actual, b.tile_base);
    regs_.set(RAT, table_.rat_of(actual));
    b.resolved = true;
    b.ready = false;
    b.resolve_ps = now_ps() + ps_of(access_delay_);
    board_trace().instant(name(), "resolve", b.resolve_ps,
                          {{"bank", sel_},
                           {"used", uint64_t(std::count(actual.begin(), actual.end(), true))},
                           {"load_now", uint64_t(std::count(urgent.begin(), urgent.end(), true))}});
    enqueue(sel_, urgent, true);
    check_ready(sel_);
}

void Predictor::check_ready(uint32_t k) {
    Bank& b = banks_[k];
    if (!b.resolved || b.ready) return;
    for (uint32_t t = 0; t < b.layer_tiles && t < cfg_.tiles; ++t)
        if (b.needed[t] && b.state[t] != Tile::Loaded) return;
    b.ready = true;
    data_stall_ps_ += std::max(now_ps(), b.resolve_ps) - b.resolve_ps;
    regs_.set(IRQ_STATUS, regs_.get(IRQ_STATUS) | irq::READY.make(1));
    update_irq();
}

void Predictor::set_entry(uint32_t k, uint32_t t, bool valid, bool disabled) {
    const Bank& b = banks_[k];
    if (npu_) npu_->set_prefetch_entry(b.dir_base + t, b.tile_dram(t), b.pfb_offset + uint64_t(t) * b.tile_bytes, b.tile_bytes, valid, disabled);
    if (k != sel_) return;
    const reg::Register w = loaded(t / 32);
    const uint32_t bit = 1u << (t % 32);
    regs_.set(w, valid && !disabled ? regs_.get(w) | bit : regs_.get(w) & ~bit);
}

bool Predictor::move_tile(const Bank& b, uint32_t t, uint64_t& done_ps) {
    const uint64_t tb = b.tile_bytes, src = b.tile_dram(t), dst = pfb_base_ + b.pfb_offset + uint64_t(t) * tb;
    uint64_t fault = 0;
    return timed_copy(bus, src, dst, tb, now_ps(), buf_, done_ps, fault);
}

void Predictor::engine() {
    for (;;) {
        while (fifo_.empty() && demand_.empty()) sc_core::wait(work_);
        const bool urgent = !demand_.empty();
        std::deque<Op>& q = urgent ? demand_ : fifo_;
        const auto [k, t] = q.front();
        q.pop_front();
        Bank& b = banks_[k];
        b.state[t] = Tile::InFlight;
        ++in_flight_;
        const uint64_t gen = b.generation, begin = now_ps();
        uint64_t done = begin;
        const bool ok = move_tile(b, t, done);
        if (done > now_ps()) sc_core::wait(ps_time(done - now_ps()));
        --in_flight_;
        busy_ps_ += now_ps() - begin;
        const uint64_t tb = b.tile_bytes;
        if (ok && !urgent) { // the traffic happened even if the bank was released meanwhile
            ++prefetched_;
            bytes_prefetched_ += tb;
        } else if (ok) {
            bytes_demand_ += tb;
        }
        if (gen != b.generation) continue; // released while it moved: no directory entry points at it
        if (!ok) {
            b.state[t] = Tile::Absent;
            fail(kErrBus, t);
            continue;
        }
        b.state[t] = Tile::Loaded;
        const bool useless = b.resolved && !b.needed[t];
        if (useless) bytes_useless_ += tb;
        set_entry(k, t, true, useless);
        board_trace().span(name(), (urgent ? "load tile " : "prefetch tile ") + std::to_string(t), begin, now_ps(), {{"bank", k}, {"bytes", tb}});
        check_ready(k);
    }
}

void Predictor::update_irq() {
    const uint32_t st = regs_.get(IRQ_STATUS);
    irq.set(ctrl::IRQ_EN.get(regs_.get(CTRL)) && (irq::READY.get(st) || irq::ERROR.get(st)));
}

void Predictor::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    if (!check_plain_payload(t)) return;
    if (backend_) { // a pin-level backend runs at the current time: leave the decoupled region first
        sc_core::wait(delay);
        delay = sc_core::SC_ZERO_TIME;
    }
    access_delay_ = delay; // command side effects happen at the access's local time
    const uint64_t a = t.get_address();
    delay += ps_time(clk_ps_);
    if (a < kTablePage) return access_registers(regs_, a, t);
    RegAccessStatus st = RegAccessStatus::AddressError;
    {
        const uint64_t i = (a - kTablePage) / 4;
        if (t.get_data_length() != 4) st = RegAccessStatus::BurstError;
        else if (a % 4 == 0 && i < table_.words()) {
            uint32_t w = backend_ ? backend_->word(i) : table_.word(i);
            if (t.is_write()) {
                std::memcpy(&w, t.get_data_ptr(), 4);
                if (backend_) backend_->set_word(i, w);
                else table_.set_word(i, w);
            } else {
                std::memcpy(t.get_data_ptr(), &w, 4);
            }
            st = RegAccessStatus::Ok;
        }
    }
    t.set_response_status(to_tlm(st));
}

void Predictor::report(Stats& s, const std::string& p) const {
    s.set(p + ".predictions", predictions_);
    s.set(p + ".resolves", resolves_);
    s.set(p + ".tile_decisions", decisions_);
    s.set(p + ".tile_decisions_correct", correct_);
    s.set(p + ".accuracy", decisions_ ? double(correct_) / double(decisions_) : 0.0);
    s.set(p + ".tiles.prefetched", prefetched_);
    s.set(p + ".tiles.useful", useful_);
    s.set(p + ".tiles.useless", useless_);
    s.set(p + ".tiles.missed", missed_);
    s.set(p + ".tiles.dropped_from_fifo", dropped_);
    s.set(p + ".tiles.fifo_overflows", fifo_overflows_);
    s.set(p + ".bytes.prefetched", bytes_prefetched_);
    s.set(p + ".bytes.demand_loaded", bytes_demand_);
    s.set(p + ".bytes.useful", bytes_useful_);
    s.set(p + ".bytes.useless", bytes_useless_);
    s.set(p + ".bytes.missed", bytes_missed_);
    // What the same agent decisions would have cost under the other policies.
    const int64_t moved = int64_t(bytes_prefetched_ + bytes_demand_);
    s.set(p + ".bytes.if_none", bytes_if_none_);
    s.set(p + ".bytes.if_conventional", bytes_if_conventional_);
    s.set(p + ".bytes.saved_vs_none", int64_t(bytes_if_none_) - moved);
    s.set(p + ".bytes.saved_vs_conventional", int64_t(bytes_if_conventional_) - moved);
    s.set(p + ".data_stall_cycles", data_stall_ps_ / clk_ps_);
    s.set(p + ".busy_cycles", busy_ps_ / clk_ps_);
    s.set(p + ".errors", errors_);
    // Tile moves only: the table and FIFO themselves are small SRAM/logic we have no figure for.
    const double moved_bytes = double(bytes_prefetched_ + bytes_demand_);
    s.set(p + ".energy_pj.dram", moved_bytes * dram_pj_per_byte_);
    s.set(p + ".energy_pj.prefetch_buffer", moved_bytes * pfb_write_pj_per_byte_);
    s.set(p + ".energy_pj.total", moved_bytes * (dram_pj_per_byte_ + pfb_write_pj_per_byte_));
}

} // namespace dynavp
