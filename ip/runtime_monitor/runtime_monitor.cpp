#include "runtime_monitor.h"

#include "ip/common/tlm_util.h"
#include "ip/core/npu.h"
#include "ip/predictor/predictor.h"
#include "ip/transverter/transverter.h"
#include "platform/trace.h"
#include "runtime_monitor_regs.h"

namespace dynavp {

using namespace runtime_monitor;

const char* runtime_monitor::err_name(uint32_t code) {
    switch (code) {
    case kErrNone: return "none";
    case kErrTiles: return "TILES or FWD_TILE out of range";
    case kErrCore: return "CORE_MASK names a missing core";
    case kErrNoTarget: return "no predictor / transverter on this board";
    case kErrDim: return "FWD_DIM out of range or COUNT is 0";
    case kErrCommand: return "unknown command";
    case kErrTargetBusy: return "the transverter is busy";
    }
    return "unknown";
}

RuntimeMonitor::RuntimeMonitor(sc_core::sc_module_name name, const DeviceConfig& dev)
    : sc_module(name), socket("socket"), irq("irq"), cfg_(dev.monitor), clk_ps_(period_ps(dev.clock_mhz)), counts_(kMaxTiles, 0) {
    socket.register_b_transport(this, &RuntimeMonitor::b_transport);
    regs_.declare(kRegisters);
    for (uint32_t w = 0; w < kMaxTiles / 32; ++w) regs_.declare(trace_word(w));
    for (uint32_t t = 0; t < kMaxTiles; ++t) regs_.declare(tile_count(t));
    regs_.on_write(CMD, [this](uint32_t, uint32_t v) {
        if (busy_ || pending_) { // the monitor finishes what it is doing
            ++ignored_;
            return;
        }
        pending_ = v;
        cmd_event_.notify(access_delay_); // at the access's local time
    });
    regs_.on_write(IRQ_STATUS, [this](uint32_t, uint32_t) { update_irq(); });
    regs_.on_write(CTRL, [this](uint32_t, uint32_t) { update_irq(); });
    SC_THREAD(run);
}

void RuntimeMonitor::finish(uint32_t err, uint64_t begin, const std::string& what) {
    const uint64_t cycles = (now_ps() - begin) / clk_ps_;
    busy_cycles_ += cycles;
    regs_.set(CYCLES, uint32_t(cycles));
    if (err) {
        ++errors_;
        regs_.set(STATUS, status::STATE.make(status::kError) | status::ERR_CODE.make(err));
        regs_.set(IRQ_STATUS, regs_.get(IRQ_STATUS) | irq::ERROR.make(1));
        board_trace().instant(name(), std::string("error: ") + err_name(err), now_ps());
    } else {
        regs_.set(STATUS, status::STATE.make(status::kDone));
        regs_.set(IRQ_STATUS, regs_.get(IRQ_STATUS) | irq::DONE.make(1));
        board_trace().span(name(), what, begin, now_ps());
    }
    busy_ = false;
    update_irq();
}

void RuntimeMonitor::run() {
    for (;;) {
        while (!pending_) sc_core::wait(cmd_event_);
        const uint32_t c = pending_;
        pending_ = 0;
        busy_ = true;
        regs_.set(STATUS, status::STATE.make(status::kBusy));
        const uint64_t begin = now_ps();
        const uint32_t ctrl = regs_.get(CTRL), tiles = regs_.get(TILES);
        if (c == cmd::kCollect) {
            const uint32_t mask = regs_.get(CORE_MASK);
            if (tiles == 0 || tiles > kMaxTiles) {
                finish(kErrTiles, begin, "");
                continue;
            }
            if (!npu_ || (npu_->cores() < 32 && (mask >> npu_->cores()) != 0)) {
                finish(kErrCore, begin, "");
                continue;
            }
            if (ctrl::TO_PREDICTOR.get(ctrl) && !predictor_) {
                finish(kErrNoTarget, begin, "");
                continue;
            }
            // Snapshot (and, if asked, empty) the tables now, and latch the predictor bank:
            // decisions recorded while the monitor works belong to the next COLLECT.
            std::vector<const core::RuntimeTable*> tables;
            for (uint32_t i = 0; i < npu_->cores(); ++i)
                if ((mask >> i) & 1) tables.push_back(&npu_->core(i).runtime_table());
            const core::AgentOutcome o = core::aggregate(tables, core::AgentPolicy(regs_.get(POLICY)), regs_.get(ADDR_BASE), tiles);
            if (ctrl::CLEAR_TABLES.get(ctrl))
                for (uint32_t i = 0; i < npu_->cores(); ++i)
                    if ((mask >> i) & 1) npu_->core(i).clear_runtime_table();
            const uint32_t bank = predictor_ ? predictor_->selected_bank() : 0;
            // One table entry read and accumulated per cycles_per_entry, then the hand-over.
            sc_core::wait(ps_time((o.entries_scanned * cfg_.cycles_per_entry + cfg_.forward_cycles) * clk_ps_));
            for (uint32_t t = 0; t < kMaxTiles; ++t) {
                counts_[t] = t < tiles ? o.counts[t] : 0;
                regs_.set(tile_count(t), counts_[t]);
            }
            for (uint32_t w = 0; w < kMaxTiles / 32; ++w) {
                uint32_t v = 0;
                for (uint32_t b = 0; b < 32 && w * 32 + b < tiles; ++b) v |= uint32_t(o.trace[w * 32 + b]) << b;
                regs_.set(trace_word(w), v);
            }
            regs_.set(ENTRIES, uint32_t(o.entries_scanned));
            entries_ += o.entries_scanned;
            ++collects_;
            if (ctrl::TO_PREDICTOR.get(ctrl)) predictor_->resolve(bank, o.trace);
            finish(kErrNone, begin, "collect " + std::to_string(o.entries_scanned) + " entries");
        } else if (c == cmd::kForwardDim) {
            const uint32_t t = regs_.get(FWD_TILE), j = regs_.get(FWD_DIM);
            if (!transverter_) {
                finish(kErrNoTarget, begin, "");
                continue;
            }
            if (t >= tiles || t >= kMaxTiles) {
                finish(kErrTiles, begin, "");
                continue;
            }
            if (j >= uint32_t(sched::kDims) || counts_[t] == 0) {
                finish(kErrDim, begin, "");
                continue;
            }
            if (transverter_->busy()) { // its DIM_DYN belongs to the run in progress
                finish(kErrTargetBusy, begin, "");
                continue;
            }
            sc_core::wait(ps_time(uint64_t(cfg_.forward_cycles) * clk_ps_));
            if (transverter_->busy()) { // firmware started it meanwhile
                finish(kErrTargetBusy, begin, "");
                continue;
            }
            transverter_->set_dynamic_dim(sched::Dim(j), counts_[t]);
            if (ctrl::AUTO_GO.get(ctrl)) transverter_->go(sc_core::SC_ZERO_TIME);
            ++forwards_;
            finish(kErrNone, begin, std::string("forward ") + sched::dim_name(sched::Dim(j)) + "=" + std::to_string(counts_[t]));
        } else {
            finish(kErrCommand, begin, "");
        }
    }
}

void RuntimeMonitor::update_irq() {
    const uint32_t st = regs_.get(IRQ_STATUS);
    irq.set(ctrl::IRQ_EN.get(regs_.get(CTRL)) && (irq::DONE.get(st) || irq::ERROR.get(st)));
}

void RuntimeMonitor::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    if (!check_plain_payload(t)) return;
    access_delay_ = delay;
    access_registers(regs_, t.get_address(), t);
    delay += ps_time(clk_ps_);
}

void RuntimeMonitor::report(Stats& s, const std::string& p) const {
    s.set(p + ".collects", collects_);
    s.set(p + ".forwards", forwards_);
    s.set(p + ".entries_scanned", entries_);
    s.set(p + ".busy_cycles", busy_cycles_);
    s.set(p + ".errors", errors_);
    s.set(p + ".commands_ignored", ignored_);
}

} // namespace dynavp
