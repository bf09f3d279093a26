// The DyPipe accelerator on the board (DyPipe sec. 3, Fig. 3): the controller
// with its register page, the IO load / compute / IO store modules and the
// runtime scheduler. RUN takes the module functions pending in the context
// buffer (the deterministic graph the firmware saved as the dynamic graph
// unfolded) and schedules them with `run_pipeline` under the PIPELINE mode
// (the *what*, pipeline.h); the modules execute each function as it starts:
// loads and stores move real bytes over the bus and take the bus's time, fc
// computes run on the fp16 data in the global buffer, other computes take
// their time only. README.md here.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "dypipe_hw.h"
#include "ip/common/irq_line.h"
#include "ip/common/register_bank.h"
#include "pipeline.h"
#include "platform/platform_config.h"
#include "platform/stats.h"

namespace dynavp {

class ContextBuffer;

class DyPipe : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<DyPipe> socket; // registers
    tlm_utils::simple_initiator_socket<DyPipe> bus;  // operand moves
    IrqLine irq;

    SC_HAS_PROCESS(DyPipe);
    DyPipe(sc_core::sc_module_name name, const PlatformConfig& cfg, const DeviceConfig& dev);
    void attach(ContextBuffer* cb);

    void report(Stats& s, const std::string& prefix) const;

private:
    void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
    void run();
    void finish(uint32_t err, uint32_t detail);
    void update_irq();
    bool fc(uint64_t in, uint64_t w, uint64_t out, uint32_t c, uint32_t k, bool relu, uint32_t& fault);
    bool bus_access(tlm::tlm_command cmd, uint64_t addr, void* data, uint32_t len);

    dypipe::DyPipeHardware hw_;
    uint64_t clk_ps_;
    ContextBuffer* cb_ = nullptr;
    RegisterBank regs_;
    sc_core::sc_event run_;
    sc_core::sc_time access_delay_ = sc_core::SC_ZERO_TIME;
    bool busy_ = false;
    uint64_t runs_ = 0, functions_ = 0, cycles_ = 0, cf_ctx_ = 0, errors_ = 0, bytes_loaded_ = 0, bytes_stored_ = 0, macs_ = 0;
    std::array<uint64_t, dypipe::kModules> busy_cycles_{};
};

} // namespace dynavp
