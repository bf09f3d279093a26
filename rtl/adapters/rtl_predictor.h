// The predictor RTL (rtl/predictor/predictor.sv, verilated) in SystemC: its
// clock, reset and pins, and register accesses from a SystemC thread. The
// prefetch-request stream is consumed (pf_ready high) and recorded, so a
// caller can compare the tiles the RTL asked for with the TLM model's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "ip/predictor/predictor.h"
#include "rtl/adapters/rtl_bus.h"

class Vpredictor;
class Vpredictor_faulty;
class VerilatedVcdSc;

namespace dynavp::rtl {

class RtlPredictor : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(RtlPredictor);
    // clock_ps: the core clock. faulty: the test-only build with a wrong
    // INITIAL_STATE parameter (cosim must catch it). vcd: waveform file or "".
    RtlPredictor(sc_core::sc_module_name name, uint64_t clock_ps, bool faulty, const std::string& vcd = "");
    ~RtlPredictor() override;

    uint32_t read(uint32_t off) { return bus_access(clk_, bus_, off, 0, false, &cycles_); }
    void write(uint32_t off, uint32_t v) { bus_access(clk_, bus_, off, v, true, &cycles_); }
    // Waits (clock by clock) until STATUS.BUSY is low; returns the clocks waited.
    uint64_t wait_idle();
    // Tiles requested on the prefetch stream since the last call, in order.
    std::vector<uint32_t> take_requests();
    uint64_t bus_cycles() const { return cycles_; }
    // One command sequence at a time (several SystemC threads may drive it).
    sc_core::sc_mutex& lock() { return lock_; }

private:
    void start_of_simulation() override;
    void watch_stream();
    sc_core::sc_clock clk_;
    std::string vcd_path_;
    sc_core::sc_signal<bool> rst_n_{"rst_n"}, pf_valid_{"pf_valid"}, pf_bank_{"pf_bank"}, pf_ready_{"pf_ready"}, irq_{"irq"};
    sc_core::sc_signal<uint32_t> pf_tile_{"pf_tile"};
    BusPins bus_;
    std::unique_ptr<Vpredictor> good_;
    std::unique_ptr<Vpredictor_faulty> bad_;
    std::unique_ptr<VerilatedVcdSc> vcd_;
    std::vector<uint32_t> requests_;
    sc_core::sc_mutex lock_;
    uint64_t cycles_ = 0;
};

// The predictor RTL as the TLM predictor's table (`dynavp run --rtl
// predictor`): PREDICT / RESOLVE / RESET_TABLE and the table window go to the
// RTL over its pins, in its bank 0 (the TLM model keeps the banks, the FIFO
// scheduler and the tile moves); the time they take is the RTL's clocks.
class RtlPredictionTable : public PredictionTableBackend {
public:
    explicit RtlPredictionTable(RtlPredictor& rtl) : rtl_(rtl) {}
    std::vector<bool> predict(uint32_t rat, uint32_t n, uint32_t base) override;
    void update(uint32_t rat, const std::vector<bool>& actual, uint32_t base) override;
    void reset() override;
    uint32_t word(size_t i) override;
    void set_word(size_t i, uint32_t w) override;
    uint64_t commands() const { return commands_; }

private:
    void layer(uint32_t rat, uint32_t n, uint32_t base);
    RtlPredictor& rtl_;
    uint64_t commands_ = 0;
};

} // namespace dynavp::rtl
