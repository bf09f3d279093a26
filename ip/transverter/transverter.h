// The transverter unit on the board (DNA sec. V-C, Fig. 9b): the scheduling
// table and the constraint table as memory-mapped tables, Algorithm 1 run on
// GO with modelled time per table update, DONE/ERROR interrupt. Register map:
// transverter_regs.h; what it computes: transverter_unit.h; README.md here.
#pragma once

#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "ip/common/irq_line.h"
#include "ip/common/register_bank.h"
#include "platform/platform_config.h"
#include "platform/stats.h"
#include "transverter_unit.h"

namespace dynavp {

// Another implementation of the whole unit (the RTL, `dynavp run --rtl
// transverter`): every register / table word access and the runtime
// monitor's wires go to it. Called from SystemC threads at the current time.
class TransverterPassthrough {
public:
    virtual ~TransverterPassthrough() = default;
    virtual uint32_t read(uint32_t offset) = 0;
    virtual void write(uint32_t offset, uint32_t value) = 0;
};

class Transverter : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Transverter> socket;
    IrqLine irq;

    SC_HAS_PROCESS(Transverter);
    Transverter(sc_core::sc_module_name name, const PlatformConfig& cfg, const DeviceConfig& dev);

    // Hardware side (the runtime monitor's wires): tau's dim j, and GO.
    void set_dynamic_dim(sched::Dim j, uint32_t value);
    bool go(const sc_core::sc_time& delay); // false (and counted) while a run is in progress
    bool busy() const;

    void report(Stats& s, const std::string& prefix) const;
    // From now on the unit is `p` (its interrupt drives `irq` itself); null: this model.
    void set_passthrough(TransverterPassthrough* p) { pass_ = p; }

private:
    void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload& t);
    bool table_access(tlm::tlm_generic_payload& t); // page 1
    void run();
    void update_irq();
    sched::Hardware hardware() const; // the constraint table as a Hardware

    void passthrough_access(tlm::tlm_generic_payload& t);
    TransverterPassthrough* pass_ = nullptr;
    TransverterDeviceConfig cfg_;
    uint64_t clk_ps_;
    sched::Hardware base_hw_; // the platform's int8 machine: reset values, names
    RegisterBank regs_;
    std::vector<uint8_t> table_;
    sc_core::sc_event go_;
    sc_core::sc_time access_delay_ = sc_core::SC_ZERO_TIME;
    bool go_pending_ = false;
    uint64_t runs_ = 0, errors_ = 0, updates_ = 0, busy_cycles_ = 0, gos_ignored_ = 0, table_writes_ignored_ = 0;
};

} // namespace dynavp
