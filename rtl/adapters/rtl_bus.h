// The pin side of an RTL block's register bus (rtl/*/ *.sv: bus_valid,
// bus_write, bus_addr, bus_wdata -> bus_ready, bus_rdata) driven from a
// SystemC thread, one 32-bit access at a time, clock-accurately: inputs
// change after a falling edge (never inside a temporally decoupled region),
// an access completes at the rising edge where the block's bus_ready is high.
#pragma once

#include <cstdint>

#include <systemc>

namespace dynavp::rtl {

// The inputs may be driven by several threads (the host CPU's MMIO and the
// runtime monitor's wires), one access at a time: callers serialise with a mutex.
struct BusPins {
    sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS> valid{"bus_valid"}, write{"bus_write"};
    sc_core::sc_signal<bool> ready{"bus_ready"};
    sc_core::sc_signal<uint32_t, sc_core::SC_MANY_WRITERS> addr{"bus_addr"}, wdata{"bus_wdata"};
    sc_core::sc_signal<uint32_t> rdata{"bus_rdata"};
};

// Must be called from an SC_THREAD. Returns the read data (writes: 0);
// `cycles` counts the clocks the access took.
inline uint32_t bus_access(sc_core::sc_clock& clk, BusPins& b, uint32_t addr, uint32_t data, bool write, uint64_t* cycles = nullptr) {
    sc_core::wait(clk.negedge_event());
    b.valid.write(true);
    b.write.write(write);
    b.addr.write(addr);
    b.wdata.write(data);
    uint64_t n = 0;
    for (;;) {
        sc_core::wait(clk.posedge_event());
        ++n;
        // Values before this edge's updates: what the block presented to the edge.
        if (b.ready.read()) break;
    }
    const uint32_t r = b.rdata.read();
    sc_core::wait(clk.negedge_event());
    b.valid.write(false);
    b.write.write(false);
    if (cycles) *cycles += n;
    return r;
}

} // namespace dynavp::rtl
