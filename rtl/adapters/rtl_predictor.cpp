#include "rtl_predictor.h"

#include <verilated.h>
#include <verilated_vcd_sc.h>

#include "Vpredictor.h"
#include "Vpredictor_faulty.h"
#include "ip/predictor/predictor_regs.h"

namespace dynavp::rtl {

namespace {
struct Guard {
    sc_core::sc_mutex& m;
    explicit Guard(sc_core::sc_mutex& x) : m(x) { m.lock(); }
    ~Guard() { m.unlock(); }
};

template <class V> void bind(V& v, sc_core::sc_clock& clk, sc_core::sc_signal<bool>& rst, BusPins& b, sc_core::sc_signal<bool>& pfv,
                             sc_core::sc_signal<bool>& pfb, sc_core::sc_signal<uint32_t>& pft, sc_core::sc_signal<bool>& pfr,
                             sc_core::sc_signal<bool>& irq) {
    v.clk(clk);
    v.rst_n(rst);
    v.bus_valid(b.valid);
    v.bus_write(b.write);
    v.bus_addr(b.addr);
    v.bus_wdata(b.wdata);
    v.bus_ready(b.ready);
    v.bus_rdata(b.rdata);
    v.pf_valid(pfv);
    v.pf_bank(pfb);
    v.pf_tile(pft);
    v.pf_ready(pfr);
    v.irq(irq);
}
} // namespace

RtlPredictor::RtlPredictor(sc_core::sc_module_name name, uint64_t clock_ps, bool faulty, const std::string& vcd)
    : sc_module(name), clk_("clk", sc_core::sc_time(double(clock_ps), sc_core::SC_PS)), vcd_path_(vcd) {
    if (faulty) {
        bad_ = std::make_unique<Vpredictor_faulty>("rtl_faulty");
        bind(*bad_, clk_, rst_n_, bus_, pf_valid_, pf_bank_, pf_tile_, pf_ready_, irq_);
    } else {
        good_ = std::make_unique<Vpredictor>("rtl");
        bind(*good_, clk_, rst_n_, bus_, pf_valid_, pf_bank_, pf_tile_, pf_ready_, irq_);
    }
    if (!vcd.empty()) Verilated::traceEverOn(true);
    pf_ready_.write(true);
    rst_n_.write(false);
    SC_THREAD(watch_stream);
}

// Verilated models can be traced once elaboration is complete.
void RtlPredictor::start_of_simulation() {
    if (vcd_path_.empty()) return;
    vcd_ = std::make_unique<VerilatedVcdSc>();
    if (good_) good_->trace(vcd_.get(), 99);
    else bad_->trace(vcd_.get(), 99);
    vcd_->open(vcd_path_.c_str());
}

RtlPredictor::~RtlPredictor() {
    if (vcd_) vcd_->close();
}

void RtlPredictor::watch_stream() {
    // Reset for two clocks, then record every accepted prefetch request.
    sc_core::wait(clk_.posedge_event());
    sc_core::wait(clk_.posedge_event());
    rst_n_.write(true);
    for (;;) {
        sc_core::wait(clk_.posedge_event());
        if (pf_valid_.read() && pf_ready_.read()) requests_.push_back(pf_tile_.read());
    }
}

uint64_t RtlPredictor::wait_idle() {
    uint64_t n = 0;
    while (predictor::status::BUSY.get(read(predictor::STATUS.offset))) ++n;
    return n;
}

std::vector<uint32_t> RtlPredictor::take_requests() {
    std::vector<uint32_t> r;
    r.swap(requests_);
    return r;
}

void RtlPredictionTable::layer(uint32_t rat, uint32_t n, uint32_t base) {
    namespace P = predictor;
    rtl_.wait_idle(); // e.g. the reset's table initialisation
    rtl_.write(P::BANK.offset, 0);
    rtl_.write(P::LAYER_TILES.offset, n);
    rtl_.write(P::TILE_BASE.offset, base);
    rtl_.write(P::RAT.offset, rat);
}

std::vector<bool> RtlPredictionTable::predict(uint32_t rat, uint32_t n, uint32_t base) {
    Guard g(rtl_.lock());
    namespace P = predictor;
    layer(rat, n, base);
    rtl_.write(P::CMD.offset, P::cmd::kPredict);
    rtl_.wait_idle();
    ++commands_;
    std::vector<bool> m(n);
    for (uint32_t w = 0; w * 32 < n; ++w) {
        const uint32_t v = rtl_.read(P::kPredicted + 4 * w);
        for (uint32_t b = 0; b < 32 && w * 32 + b < n; ++b) m[w * 32 + b] = (v >> b) & 1;
    }
    rtl_.take_requests(); // the TLM FIFO scheduler queues the same tiles
    return m;
}

void RtlPredictionTable::update(uint32_t rat, const std::vector<bool>& actual, uint32_t base) {
    Guard g(rtl_.lock());
    namespace P = predictor;
    layer(rat, uint32_t(actual.size()), base);
    for (uint32_t w = 0; w * 32 < actual.size(); ++w) {
        uint32_t v = 0;
        for (uint32_t b = 0; b < 32 && w * 32 + b < actual.size(); ++b) v |= uint32_t(actual[w * 32 + b]) << b;
        rtl_.write(P::kActual + 4 * w, v);
    }
    rtl_.write(P::CMD.offset, P::cmd::kResolve);
    rtl_.wait_idle();
    rtl_.write(P::CMD.offset, P::cmd::kRelease);
    ++commands_;
}

void RtlPredictionTable::reset() {
    Guard g(rtl_.lock());
    rtl_.write(predictor::CMD.offset, predictor::cmd::kResetTable);
    rtl_.wait_idle();
    ++commands_;
}

uint32_t RtlPredictionTable::word(size_t i) {
    Guard g(rtl_.lock());
    return rtl_.read(predictor::kTablePage + 4 * uint32_t(i));
}

void RtlPredictionTable::set_word(size_t i, uint32_t w) {
    Guard g(rtl_.lock());
    rtl_.write(predictor::kTablePage + 4 * uint32_t(i), w);
}

} // namespace dynavp::rtl
