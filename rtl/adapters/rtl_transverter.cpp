#include "rtl_transverter.h"

#include <cstring>

#include <verilated.h>
#include <verilated_vcd_sc.h>

#include "Vtransverter.h"

namespace dynavp::rtl {

RtlTransverter::RtlTransverter(sc_core::sc_module_name name, uint64_t clock_ps, const std::string& vcd)
    : sc_module(name), clk_("clk", sc_core::sc_time(double(clock_ps), sc_core::SC_PS)), vcd_path_(vcd), rtl_(std::make_unique<Vtransverter>("rtl")) {
    rtl_->clk(clk_);
    rtl_->rst_n(rst_n_);
    rtl_->bus_valid(bus_.valid);
    rtl_->bus_write(bus_.write);
    rtl_->bus_addr(bus_.addr);
    rtl_->bus_wdata(bus_.wdata);
    rtl_->bus_ready(bus_.ready);
    rtl_->bus_rdata(bus_.rdata);
    rtl_->irq(irq_);
    if (!vcd.empty()) Verilated::traceEverOn(true);
    rst_n_.write(false);
    SC_THREAD(reset);
    SC_METHOD(irq_changed);
    sensitive << irq_;
    dont_initialize();
}

RtlTransverter::~RtlTransverter() {
    if (vcd_) vcd_->close();
}

void RtlTransverter::start_of_simulation() {
    if (vcd_path_.empty()) return;
    vcd_ = std::make_unique<VerilatedVcdSc>();
    rtl_->trace(vcd_.get(), 99);
    vcd_->open(vcd_path_.c_str());
}

void RtlTransverter::reset() {
    sc_core::wait(clk_.posedge_event());
    sc_core::wait(clk_.posedge_event());
    rst_n_.write(true);
    sc_core::wait(clk_.posedge_event());
    out_of_reset_ = true;
}

void RtlTransverter::irq_changed() {
    if (irq_out_) irq_out_->set(irq_.read());
}

uint32_t RtlTransverter::read(uint32_t off) {
    lock_.lock();
    while (!out_of_reset_) sc_core::wait(clk_.posedge_event());
    const uint32_t v = bus_access(clk_, bus_, off, 0, false, &cycles_);
    lock_.unlock();
    return v;
}

void RtlTransverter::write(uint32_t off, uint32_t v) {
    lock_.lock();
    while (!out_of_reset_) sc_core::wait(clk_.posedge_event());
    bus_access(clk_, bus_, off, v, true, &cycles_);
    lock_.unlock();
}

RtlTransverterHal::RtlTransverterHal(RtlTransverter& t) : t_(t) {
    info_.platform = "rtl";
    info_.devices.push_back({"transverter", "transverter", 0, 0x2000, 0});
}

void RtlTransverterHal::read_block(uint64_t a, void* dst, size_t len) {
    auto* d = static_cast<uint8_t*>(dst);
    for (size_t i = 0; i < len; i += 4) {
        const uint32_t w = read32(a + i);
        std::memcpy(d + i, &w, std::min<size_t>(4, len - i));
    }
}

void RtlTransverterHal::write_block(uint64_t a, const void* src, size_t len) {
    const auto* s = static_cast<const uint8_t*>(src);
    for (size_t i = 0; i < len; i += 4) {
        uint32_t w = len - i >= 4 ? 0 : read32(a + i);
        std::memcpy(&w, s + i, std::min<size_t>(4, len - i));
        write32(a + i, w);
    }
}

bool RtlTransverterHal::wait_irq(unsigned, uint64_t timeout_ns) {
    const double end = sc_core::sc_time_stamp().to_seconds() * 1e9 + double(timeout_ns);
    while (!t_.irq_level()) {
        if (timeout_ns && sc_core::sc_time_stamp().to_seconds() * 1e9 > end) return false;
        sc_core::wait(t_.clock().posedge_event());
    }
    return true;
}

} // namespace dynavp::rtl
