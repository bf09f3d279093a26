#include "dypipe.h"

#include <algorithm>

#include "dypipe_regs.h"
#include "ip/common/half.h"
#include "ip/common/tlm_util.h"
#include "ip/context_buffer/context_buffer.h"
#include "ip/context_buffer/context_record.h"
#include "platform/trace.h"

namespace dynavp {

using namespace dypipe;
namespace cb = context_buffer;

const char* dypipe::err_name(uint32_t code) {
    switch (code) {
    case kErrNone: return "none";
    case kErrOverflow: return "context buffer overflow (record dropped)";
    case kErrRecord: return "malformed context record";
    case kErrPipeline: return "PIPELINE out of range";
    case kErrBus: return "operand access faulted";
    }
    return "unknown";
}

DyPipe::DyPipe(sc_core::sc_module_name name, const PlatformConfig& cfg, const DeviceConfig& dev)
    : sc_module(name), socket("socket"), bus("bus"), irq("irq"), hw_(dypipe_hardware_from_platform(cfg)), clk_ps_(period_ps(dev.clock_mhz)) {
    socket.register_b_transport(this, &DyPipe::b_transport);
    regs_.declare(kRegisters);
    regs_.on_write(CMD, [this](uint32_t, uint32_t v) {
        if (v == cmd::kRun && !busy_) {
            busy_ = true;
            regs_.set(STATUS, status::STATE.make(status::kBusy));
            run_.notify(access_delay_);
        } else if (v == cmd::kCbReset && !busy_ && cb_) {
            cb_->reset();
        }
    });
    regs_.on_write(IRQ_STATUS, [this](uint32_t, uint32_t) { update_irq(); });
    regs_.on_write(CTRL, [this](uint32_t, uint32_t) { update_irq(); });
    SC_THREAD(run);
}

void DyPipe::attach(ContextBuffer* c) {
    cb_ = c;
    if (cb_) cb_->on_overflow([this] { finish(kErrOverflow, uint32_t(cb_->ring().overflows())); });
}

void DyPipe::update_irq() {
    const uint32_t st = regs_.get(IRQ_STATUS);
    irq.set(ctrl::IRQ_EN.get(regs_.get(CTRL)) && (irq::DONE.get(st) || irq::ERROR.get(st)));
}

void DyPipe::finish(uint32_t err, uint32_t detail) {
    regs_.set(ERR_DETAIL, detail);
    if (err) {
        ++errors_;
        // An overflow while a RUN executes is reported without ending it.
        if (!busy_ || err != kErrOverflow) regs_.set(STATUS, status::STATE.make(status::kError) | status::ERR_CODE.make(err));
        regs_.set(IRQ_STATUS, regs_.get(IRQ_STATUS) | irq::ERROR.make(1));
        board_trace().instant(name(), std::string("error: ") + err_name(err), now_ps(), {{"detail", detail}});
    } else {
        regs_.set(STATUS, status::STATE.make(status::kDone));
        regs_.set(IRQ_STATUS, regs_.get(IRQ_STATUS) | irq::DONE.make(1));
    }
    update_irq();
}

bool DyPipe::bus_access(tlm::tlm_command cmd, uint64_t addr, void* data, uint32_t len) {
    tlm::tlm_generic_payload p;
    p.set_command(cmd);
    p.set_address(addr);
    p.set_data_ptr(static_cast<uint8_t*>(data));
    p.set_data_length(len);
    p.set_streaming_width(len);
    // The PE array's operand traffic is inside the compute time the model charged:
    // a debug access moves the data without occupying the buffer's port again.
    return bus->transport_dbg(p) == len;
}

// out[k] = sum_c w[k][c] * in[c] (fp16 operands, fp32 accumulation in c order, fp16 result).
bool DyPipe::fc(uint64_t in, uint64_t w, uint64_t out, uint32_t c, uint32_t k, bool relu, uint32_t& fault) {
    std::vector<uint16_t> x(c), wt(size_t(c) * k), y(k);
    if (!bus_access(tlm::TLM_READ_COMMAND, in, x.data(), c * 2)) return fault = uint32_t(in), false;
    if (!bus_access(tlm::TLM_READ_COMMAND, w, wt.data(), uint32_t(wt.size() * 2))) return fault = uint32_t(w), false;
    for (uint32_t o = 0; o < k; ++o) {
        float acc = 0;
        for (uint32_t i = 0; i < c; ++i) acc += half_to_float(wt[size_t(o) * c + i]) * half_to_float(x[i]);
        y[o] = float_to_half(relu ? std::max(0.0f, acc) : acc);
    }
    if (!bus_access(tlm::TLM_WRITE_COMMAND, out, y.data(), k * 2)) return fault = uint32_t(out), false;
    macs_ += uint64_t(c) * k;
    return true;
}

void DyPipe::run() {
    for (;;) {
        sc_core::wait(run_);
        const uint64_t begin = now_ps();
        const uint32_t mode_reg = regs_.get(PIPELINE);
        if (mode_reg > 2 || !cb_) {
            busy_ = false;
            finish(kErrPipeline, mode_reg);
            continue;
        }
        const PipelineMode mode = PipelineMode(mode_reg);
        // Restore the pending records: the deterministic graph (DyPipe sec. 3.4).
        const auto& pending = cb_->ring().pending();
        std::vector<cb::ContextRecord> recs(pending.size());
        std::string bad;
        uint32_t bad_at = 0;
        for (size_t i = 0; i < pending.size() && bad.empty(); ++i) {
            std::vector<uint32_t> words;
            for (uint32_t j = 1; j < pending[i].words; ++j) words.push_back(cb_->word(cb_->ring().word_at(pending[i].start, j)));
            bad = cb::decode(cb_->word(pending[i].start), words, recs[i]);
            bad_at = uint32_t(i);
        }
        if (!bad.empty()) {
            busy_ = false;
            finish(kErrRecord, bad_at);
            continue;
        }
        Program prog;
        prog.name = "cb";
        for (size_t i = 0; i < recs.size(); ++i) {
            const auto& r = recs[i];
            ModuleFunction f;
            f.module = Module(r.module);
            f.op = r.op;
            f.block = r.block;
            if (f.module != Module::Compute) f.bytes = r.a;
            else if (r.kind == cb::ComputeKind::Timed) f.macs = r.a, f.vector_ops = r.b;
            else f.macs = uint64_t(r.a) * r.b, f.vector_ops = r.kind == cb::ComputeKind::FcRelu ? r.b : 0;
            for (uint32_t d : r.dep_distances)
                if (d <= i) f.deps.push_back(uint32_t(i - d)); // older ones finished in an earlier RUN
            if (prog.ops.empty() || prog.ops.back().name != std::to_string(r.op)) prog.ops.push_back({std::to_string(r.op), "", uint32_t(i), 0, -1});
            ++prog.ops.back().count;
            prog.functions.push_back(f);
        }
        // The modules run each function as the scheduler starts it: transfers
        // move real bytes over the bus and take the bus's time (DRAM banks and
        // rows, the global buffer's port); computes run on the global buffer's
        // data and take the model's cycles. Starts come in time order, so every
        // function sees what the functions it depends on left behind.
        uint64_t fault = 0;
        bool ok = true;
        std::vector<uint8_t> buf;
        auto execute = [&](uint32_t i, uint64_t start, uint64_t modelled_end) -> uint64_t {
            const auto& r = recs[i];
            if (!ok) return modelled_end; // after a fault nothing more takes effect
            if (r.module == uint8_t(Module::Compute)) {
                if (r.kind == cb::ComputeKind::Fc || r.kind == cb::ComputeKind::FcRelu) {
                    uint32_t f32 = 0;
                    ok = fc(r.src, r.aux, r.dst, r.a, r.b, r.kind == cb::ComputeKind::FcRelu, f32);
                    fault = f32;
                }
                return modelled_end;
            }
            uint64_t done_ps = 0;
            ok = timed_copy(bus, r.src, r.dst, r.a, begin + start * clk_ps_, buf, done_ps, fault);
            (r.module == uint8_t(Module::Load) ? bytes_loaded_ : bytes_stored_) += r.a;
            return (done_ps - begin + clk_ps_ - 1) / clk_ps_;
        };
        const PipelineResult res = run_pipeline(prog, mode, hw_, execute);
        for (size_t i = 0; i < recs.size(); ++i)
            board_trace().span(std::string(name()) + "." + to_string(Module(recs[i].module)),
                               "op " + std::to_string(recs[i].op) + " block " + std::to_string(recs[i].block), begin + res.timing[i].start * clk_ps_,
                               begin + res.timing[i].end * clk_ps_);
        const uint64_t end = begin + res.cycles * clk_ps_;
        if (end > now_ps()) sc_core::wait(ps_time(end - now_ps()));
        cb_->retire(recs.size()); // restored and executed: the space is free
        ++runs_;
        functions_ += recs.size();
        cycles_ += res.cycles;
        const uint64_t cf = res.save_cycles + res.restore_cycles + res.dispatch_cycles;
        cf_ctx_ += cf;
        for (int m = 0; m < kModules; ++m) busy_cycles_[size_t(m)] += res.busy[size_t(m)];
        regs_.set(CYCLES_LO, uint32_t(res.cycles));
        regs_.set(CYCLES_HI, uint32_t(res.cycles >> 32));
        regs_.set(FUNCTIONS, uint32_t(recs.size()));
        regs_.set(CF_CTX, uint32_t(std::min<uint64_t>(cf, 0xFFFFFFFFu)));
        busy_ = false;
        board_trace().span(name(), std::string("run (") + to_string(mode) + ", " + std::to_string(recs.size()) + " functions)", begin, now_ps());
        finish(ok ? kErrNone : kErrBus, uint32_t(fault));
    }
}

void DyPipe::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    if (!check_plain_payload(t)) return;
    access_delay_ = delay;
    const uint64_t a = t.get_address();
    delay += ps_time(clk_ps_);
    if (a >= 0x100 && a < 0x200 && cb_) return access_registers(cb_->registers(), a, t);
    access_registers(regs_, a, t);
}

void DyPipe::report(Stats& s, const std::string& p) const {
    s.set(p + ".runs", runs_);
    s.set(p + ".functions", functions_);
    s.set(p + ".cycles", cycles_);
    s.set(p + ".cf_ctx_cycles", cf_ctx_);
    s.set(p + ".load_busy_cycles", busy_cycles_[0]);
    s.set(p + ".compute_busy_cycles", busy_cycles_[1]);
    s.set(p + ".store_busy_cycles", busy_cycles_[2]);
    s.set(p + ".bytes_loaded", bytes_loaded_);
    s.set(p + ".bytes_stored", bytes_stored_);
    s.set(p + ".macs_computed", macs_);
    s.set(p + ".errors", errors_);
}

} // namespace dynavp
