#include "transverter.h"

#include <algorithm>
#include <cstring>

#include "ip/common/tlm_util.h"
#include "platform/trace.h"
#include "transverter_regs.h"

namespace dynavp {

using namespace transverter;

Transverter::Transverter(sc_core::sc_module_name name, const PlatformConfig& cfg, const DeviceConfig& dev)
    : sc_module(name), socket("socket"), irq("irq"), cfg_(dev.transverter), clk_ps_(period_ps(dev.clock_mhz)),
      base_hw_(sched::hardware_from_platform(cfg)), table_(kTableWindowBytes, 0) {
    socket.register_b_transport(this, &Transverter::b_transport);
    socket.register_transport_dbg(this, &Transverter::transport_dbg);
    regs_.declare(kRegisters);
    for (uint32_t j = 0; j < sched::kDims; ++j) {
        regs_.declare(dim_backbone(j));
        regs_.declare(dim_dynamic(j));
        regs_.declare(dim_executed(j));
    }
    // Reset values: the platform's machine (int8 operands, int32 partial sums).
    const auto& hw = base_hw_;
    regs_.set(TABLE_ENTRIES, cfg_.table_entries);
    regs_.set(LEVELS, uint32_t(hw.levels.size()));
    regs_.set(MAX_PRIME, hw.max_prime);
    regs_.set(ELEM_BYTES, elem::WEIGHT.make(hw.elem_bytes[0]) | elem::INPUT.make(hw.elem_bytes[1]) | elem::OUTPUT.make(hw.elem_bytes[2]) |
                              elem::DRAM_OUTPUT.make(hw.dram_output_bytes));
    for (uint32_t i = 0; i < hw.levels.size(); ++i) {
        const ConstraintRow r = row_of(hw.levels[i]);
        const uint32_t base = kConstraintBase + i * kConstraintStride;
        regs_.declare(reg::Register{base + kCapWeight, "ETA_CAP_W", r.cap[0], reg::Access::RW});
        regs_.declare(reg::Register{base + kCapInput, "ETA_CAP_I", r.cap[1], reg::Access::RW});
        regs_.declare(reg::Register{base + kCapOutput, "ETA_CAP_O", r.cap[2], reg::Access::RW});
        regs_.declare(reg::Register{base + kCapShared, "ETA_SHARED", r.shared, reg::Access::RW});
        regs_.declare(reg::Register{base + kFanout, "ETA_FANOUT", r.fanout, reg::Access::RW});
    }
    regs_.on_write(CMD, [this](uint32_t, uint32_t v) {
        if (v == cmd::kGo) go(access_delay_);
    });
    regs_.on_write(IRQ_STATUS, [this](uint32_t, uint32_t) { update_irq(); });
    regs_.on_write(CTRL, [this](uint32_t, uint32_t) { update_irq(); });
    SC_THREAD(run);
}

sched::Hardware Transverter::hardware() const {
    sched::Hardware hw = base_hw_;
    const uint32_t eb = regs_.get(ELEM_BYTES);
    hw.elem_bytes = {elem::WEIGHT.get(eb), elem::INPUT.get(eb), elem::OUTPUT.get(eb)};
    hw.dram_output_bytes = elem::DRAM_OUTPUT.get(eb);
    hw.max_prime = regs_.get(MAX_PRIME);
    for (uint32_t i = 0; i < hw.levels.size(); ++i) {
        const uint32_t base = kConstraintBase + i * kConstraintStride;
        auto word = [&](uint32_t off) { return regs_.get(reg::Register{base + off, "", 0, reg::Access::RW}); };
        ConstraintRow r;
        r.cap[0] = word(kCapWeight);
        r.cap[1] = word(kCapInput);
        r.cap[2] = word(kCapOutput);
        r.shared = word(kCapShared);
        r.fanout = word(kFanout);
        apply_row(r, hw.levels[i]);
    }
    return hw;
}

bool Transverter::busy() const {
    if (pass_) return status::STATE.get(pass_->read(STATUS.offset)) == status::kBusy;
    return status::STATE.get(regs_.get(STATUS)) == status::kBusy || go_pending_;
}

void Transverter::set_dynamic_dim(sched::Dim j, uint32_t value) {
    if (pass_) return pass_->write(dim_dynamic(j).offset, value);
    regs_.set(dim_dynamic(j), value);
}

bool Transverter::go(const sc_core::sc_time& delay) {
    if (pass_) {
        sc_core::wait(delay); // pins move at the current time
        if (busy()) {
            ++gos_ignored_;
            return false;
        }
        pass_->write(CMD.offset, cmd::kGo);
        return true;
    }
    if (busy()) { // the unit finishes what it is doing; firmware sees the drop in stats
        ++gos_ignored_;
        return false;
    }
    go_pending_ = true;
    go_.notify(delay);
    return true;
}

void Transverter::run() {
    for (;;) {
        sc_core::wait(go_);
        go_pending_ = false;
        const uint64_t begin = now_ps();
        regs_.set(STATUS, status::STATE.make(status::kBusy));
        sched::Operator bb, dyn;
        for (uint32_t j = 0; j < sched::kDims; ++j) {
            bb.size[j] = regs_.get(dim_backbone(j));
            dyn.size[j] = regs_.get(dim_dynamic(j));
        }
        bb.stride = dyn.stride = regs_.get(OP_STRIDE);
        bb.dilation = dyn.dilation = regs_.get(OP_DILATION);
        bb.groups = dyn.groups = regs_.get(OP_GROUPS);
        sched::TransverterOptions opt;
        const uint32_t ctrl = regs_.get(CTRL);
        opt.maxbuff = ctrl::MAXBUFF_NEST.get(ctrl) ? sched::DimOrder::Nest : sched::DimOrder::Table;
        opt.maxcomp = ctrl::MAXCOMP_BACKBONE.get(ctrl) ? sched::DimOrder::Backbone : sched::DimOrder::Table;
        UnitTiming timing{cfg_.alu_cycles, cfg_.mux_cycles, cfg_.write_cycles};
        const UnitResult r = run_unit(table_, bb, dyn, hardware(), opt, cfg_.table_entries, timing);
        // A rejected run stops after Initialization's compare stage.
        const uint64_t cycles = r.err ? uint64_t(sched::kDims) * cfg_.alu_cycles : r.cycles;
        sc_core::wait(ps_time(cycles * clk_ps_));
        ++runs_;
        busy_cycles_ += cycles;
        regs_.set(RUNS, uint32_t(runs_));
        regs_.set(CYCLES, uint32_t(cycles));
        regs_.set(ERR_DETAIL, r.detail);
        if (r.err) {
            ++errors_;
            regs_.set(UPDATES, 0);
            regs_.set(STATUS, status::STATE.make(status::kError) | status::ERR_CODE.make(r.err));
            regs_.set(IRQ_STATUS, regs_.get(IRQ_STATUS) | irq::ERROR.make(1));
            board_trace().span(name(), std::string("error: ") + err_name(r.err), begin, now_ps(), {{"why", r.why}});
        } else {
            updates_ += r.updates;
            std::fill(table_.begin(), table_.end(), 0);
            std::memcpy(table_.data(), r.table.data(), r.table.size());
            regs_.set(TABLE_BYTES, uint32_t(r.table.size()));
            regs_.set(UPDATES, uint32_t(r.updates));
            for (uint32_t j = 0; j < sched::kDims; ++j) regs_.set(dim_executed(j), r.executed.size[j]);
            regs_.set(STATUS, status::STATE.make(status::kDone));
            regs_.set(IRQ_STATUS, regs_.get(IRQ_STATUS) | irq::DONE.make(1));
            board_trace().span(name(), "transform " + r.executed.to_string(), begin, now_ps(),
                               {{"updates", r.updates}, {"cycles", cycles}, {"factors", r.schedule.factors.size()}});
        }
        update_irq();
    }
}

void Transverter::update_irq() {
    const uint32_t st = regs_.get(IRQ_STATUS);
    irq.set(ctrl::IRQ_EN.get(regs_.get(CTRL)) && (irq::DONE.get(st) || irq::ERROR.get(st)));
}

bool Transverter::table_access(tlm::tlm_generic_payload& t) {
    const uint64_t off = t.get_address() - kTablePage, len = t.get_data_length();
    if (off >= table_.size() || len > table_.size() - off) return false;
    if (t.is_write()) {
        if (busy()) { // the unit owns the table while it runs
            ++table_writes_ignored_;
            return true;
        }
        std::memcpy(&table_[off], t.get_data_ptr(), len);
        regs_.set(TABLE_BYTES, 0); // firmware is loading a new schedule
    } else {
        std::memcpy(t.get_data_ptr(), &table_[off], len);
    }
    return true;
}

// Pass-through: the access at the current time (out of any decoupled
// region), split into the unit's 32-bit word accesses; partial words are
// read-modify-write (the table window is byte-addressable).
void Transverter::passthrough_access(tlm::tlm_generic_payload& t) {
    const uint64_t a = t.get_address(), len = t.get_data_length();
    uint8_t* d = t.get_data_ptr();
    for (uint64_t pos = a & ~uint64_t(3); pos < a + len; pos += 4) {
        const uint64_t lo = std::max(pos, a), hi = std::min(pos + 4, a + len);
        uint32_t w = 0;
        if (t.is_read() || hi - lo < 4) w = pass_->read(uint32_t(pos));
        uint8_t b[4];
        std::memcpy(b, &w, 4);
        if (t.is_write()) {
            std::memcpy(b + (lo - pos), d + (lo - a), hi - lo);
            std::memcpy(&w, b, 4);
            pass_->write(uint32_t(pos), w);
        } else {
            std::memcpy(d + (lo - a), b + (lo - pos), hi - lo);
        }
    }
    t.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Transverter::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    if (!check_plain_payload(t)) return;
    if (pass_) {
        sc_core::wait(delay);
        delay = sc_core::SC_ZERO_TIME;
        return passthrough_access(t);
    }
    access_delay_ = delay; // GO takes effect at the access's local time
    if (t.get_address() < kTablePage) {
        access_registers(regs_, t.get_address(), t);
        delay += ps_time(clk_ps_);
        return;
    }
    t.set_response_status(table_access(t) ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
    delay += ps_time(((t.get_data_length() + 7) / 8) * clk_ps_); // the table is a 64-bit wide SRAM: one clock per 8 bytes
}

unsigned int Transverter::transport_dbg(tlm::tlm_generic_payload& t) {
    if (pass_) return 0; // pins cannot be driven untimed
    if (t.get_address() < kTablePage) return 0;
    return table_access(t) ? t.get_data_length() : 0;
}

void Transverter::report(Stats& s, const std::string& p) const {
    s.set(p + ".runs", runs_);
    s.set(p + ".errors", errors_);
    s.set(p + ".table_updates", updates_);
    s.set(p + ".busy_cycles", busy_cycles_);
    s.set(p + ".gos_ignored", gos_ignored_);
    s.set(p + ".table_writes_ignored", table_writes_ignored_);
    s.set(p + ".register_writes_ignored", regs_.ignored_writes());
}

} // namespace dynavp
