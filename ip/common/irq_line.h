// An interrupt output driven from anywhere in a model (register callbacks,
// threads, b_transport): set() records the level and one SC_METHOD writes it
// to the port a delta later, so the signal has a single driver.
#pragma once

#include <systemc>

namespace dynavp {

class IrqLine : public sc_core::sc_module {
public:
    sc_core::sc_out<bool> out;

    SC_HAS_PROCESS(IrqLine);
    explicit IrqLine(sc_core::sc_module_name name) : sc_module(name), out("out") {
        out.initialize(false);
        SC_METHOD(drive);
        sensitive << update_;
        dont_initialize();
    }
    void set(bool level) {
        level_ = level;
        update_.notify(sc_core::SC_ZERO_TIME);
    }
    bool level() const { return level_; }

private:
    void drive() { out.write(level_); }
    sc_core::sc_event update_;
    bool level_ = false;
};

} // namespace dynavp
