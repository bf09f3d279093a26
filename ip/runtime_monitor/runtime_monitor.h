// The runtime monitor on the board (DNA sec. IV-B, Fig. 8c): hardware that
// reads the agent outcomes out of the cores' runtime tables, and forwards the
// access trace to the predictor and modified dims to the transverter over
// dedicated wires, with its own latency (cycles per entry scanned, per
// forward). Register map: runtime_monitor_regs.h; README.md here.
#pragma once

#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "ip/common/irq_line.h"
#include "ip/common/register_bank.h"
#include "platform/platform_config.h"
#include "platform/stats.h"

namespace dynavp {

class Npu;
class Predictor;
class Transverter;

class RuntimeMonitor : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<RuntimeMonitor> socket;
    IrqLine irq;

    SC_HAS_PROCESS(RuntimeMonitor);
    RuntimeMonitor(sc_core::sc_module_name name, const DeviceConfig& dev);
    void attach(Npu* npu, Predictor* predictor, Transverter* transverter) {
        npu_ = npu;
        predictor_ = predictor;
        transverter_ = transverter;
    }

    void report(Stats& s, const std::string& prefix) const;

private:
    void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
    void run();
    void finish(uint32_t err, uint64_t begin, const std::string& what);
    void update_irq();

    MonitorDeviceConfig cfg_;
    uint64_t clk_ps_;
    Npu* npu_ = nullptr;
    Predictor* predictor_ = nullptr;
    Transverter* transverter_ = nullptr;
    RegisterBank regs_;
    sc_core::sc_event cmd_event_;
    sc_core::sc_time access_delay_ = sc_core::SC_ZERO_TIME;
    uint32_t pending_ = 0;
    bool busy_ = false;
    std::vector<uint32_t> counts_;
    uint64_t collects_ = 0, forwards_ = 0, entries_ = 0, busy_cycles_ = 0, errors_ = 0, ignored_ = 0;
};

} // namespace dynavp
