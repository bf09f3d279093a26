// Driver for the transverter unit (ip/transverter): loads the constraint
// table, a backbone operator and its schedule, the dynamic dims, runs
// Algorithm 1 in hardware and reads the result. Uses only the HAL and
// ip/transverter/transverter_regs.h.
#pragma once

#include <cstdint>
#include <string>

#include "device_irq.h"
#include "ip/scheduling/mappers.h"

namespace dynavp::fw {

struct TransverterRun {
    bool ok = false;
    uint32_t err_code = 0, err_detail = 0;
    std::string message;
    uint32_t updates = 0, cycles = 0;
    sched::Operator executed;  // the dynamic operator as it runs (dims padded to smooth sizes)
    sched::Schedule schedule;  // read back from the scheduling table
    uint64_t table_addr = 0;   // where the cores can fetch it (a job's sched_addr) ...
    uint32_t table_bytes = 0;  // ... and its size
};

class TransverterDriver {
public:
    explicit TransverterDriver(Hal& hal) : hal_(hal) {}
    bool init();
    const std::string& why() const { return why_; }
    uint32_t table_entries() const { return entries_; }
    uint32_t levels() const { return levels_; }

    // The constraint table eta, element sizes and MAX_PRIME from a Hardware.
    void load_constraints(const sched::Hardware& hw);
    void set_options(const sched::TransverterOptions& o);
    // Backbone dims and its schedule into the scheduling table.
    void load_backbone(const sched::Operator& backbone, const sched::Schedule& s);
    // Only the schedule (a run overwrote the table; the dims are still loaded).
    void load_table(const sched::Schedule& s);
    void set_dynamic(const sched::Operator& dyn);
    void go();
    // Waits for DONE / ERROR; reads the result (read_back: the table too).
    TransverterRun wait(uint64_t timeout_ns = 0, bool read_back = true);
    TransverterRun transform(const sched::Operator& dyn, uint64_t timeout_ns = 0) {
        set_dynamic(dyn);
        go();
        return wait(timeout_ns);
    }

private:
    Hal& hal_;
    DeviceHandle dev_;
    uint32_t entries_ = 0, levels_ = 0;
    std::string why_;
};

} // namespace dynavp::fw
