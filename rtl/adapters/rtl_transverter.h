// The transverter RTL (rtl/transverter/, verilated) in SystemC: clock, reset,
// pins, register accesses from SystemC threads (serialised), and its IRQ pin.
// Two uses:
//  * the whole TLM transverter on the board passes its bus accesses and the
//    runtime monitor's wires through to it (`dynavp run --rtl transverter`);
//  * `RtlTransverterHal` lets the firmware TransverterDriver drive it
//    directly (`dynavp cosim transverter`), exactly as it drives the TLM IP.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <systemc>

#include "firmware/hal.h"
#include "ip/transverter/transverter.h"
#include "rtl/adapters/rtl_bus.h"

class Vtransverter;
class VerilatedVcdSc;

namespace dynavp::rtl {

class RtlTransverter : public sc_core::sc_module, public TransverterPassthrough {
public:
    SC_HAS_PROCESS(RtlTransverter);
    RtlTransverter(sc_core::sc_module_name name, uint64_t clock_ps, const std::string& vcd = "");
    ~RtlTransverter() override;

    uint32_t read(uint32_t off) override;
    void write(uint32_t off, uint32_t v) override;
    // The IRQ pin drives this line too (the TLM model's, on the board).
    void forward_irq(IrqLine* line) { irq_out_ = line; }
    bool irq_level() const { return irq_.read(); }
    sc_core::sc_clock& clock() { return clk_; }
    uint64_t bus_cycles() const { return cycles_; }

private:
    void start_of_simulation() override;
    void reset();
    void irq_changed();
    sc_core::sc_clock clk_;
    std::string vcd_path_;
    sc_core::sc_signal<bool> rst_n_{"rst_n"}, irq_{"irq"};
    BusPins bus_;
    std::unique_ptr<Vtransverter> rtl_;
    std::unique_ptr<VerilatedVcdSc> vcd_;
    sc_core::sc_mutex lock_;
    IrqLine* irq_out_ = nullptr;
    bool out_of_reset_ = false;
    uint64_t cycles_ = 0;
};

// A HAL whose only device is the RTL transverter (base 0, IRQ line 0): the
// firmware driver runs on it unchanged. Everything else is unsupported.
class RtlTransverterHal : public fw::Hal {
public:
    explicit RtlTransverterHal(RtlTransverter& t);
    uint32_t read32(uint64_t a) override { return t_.read(uint32_t(a)); }
    void write32(uint64_t a, uint32_t v) override { t_.write(uint32_t(a), v); }
    uint64_t read64(uint64_t a) override { return read32(a) | uint64_t(read32(a + 4)) << 32; }
    void write64(uint64_t a, uint64_t v) override {
        write32(a, uint32_t(v));
        write32(a + 4, uint32_t(v >> 32));
    }
    void read_block(uint64_t a, void* dst, size_t len) override;
    void write_block(uint64_t a, const void* src, size_t len) override;
    std::optional<fw::BusFault> take_fault() override { return std::nullopt; }
    bool load(uint64_t, const void*, size_t) override { return false; }
    bool peek(uint64_t, void*, size_t) override { return false; }
    bool wait_irq(unsigned line, uint64_t timeout_ns) override;
    void delay_ns(uint64_t ns) override { sc_core::wait(sc_core::sc_time(double(ns), sc_core::SC_NS)); }
    uint64_t now_ns() override { return uint64_t(sc_core::sc_time_stamp().to_seconds() * 1e9); }
    void log(const std::string&) override {}
    void metric(const std::string&, double) override {}
    const fw::BoardInfo& board() const override { return info_; }

private:
    RtlTransverter& t_;
    fw::BoardInfo info_;
};

} // namespace dynavp::rtl
