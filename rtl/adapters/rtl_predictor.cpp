#include "rtl_predictor.h"

#include <verilated.h>
#include <verilated_vcd_sc.h>

#include "Vpredictor.h"
#include "Vpredictor_faulty.h"
#include "ip/predictor/predictor_regs.h"

namespace dynavp::rtl {

namespace {
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

} // namespace dynavp::rtl
