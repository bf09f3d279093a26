// Host CPU: runs a firmware entry point in an SC_THREAD and implements the
// firmware HAL with TLM-2.0 blocking transactions under a quantum keeper.
#pragma once

#include <deque>
#include <map>
#include <functional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "firmware/hal.h"
#include "platform/stats.h"

namespace dynavp {

class HostCpu : public sc_core::sc_module, public fw::Hal {
public:
    using Entry = std::function<int(fw::Hal&)>;

    tlm_utils::simple_initiator_socket<HostCpu> socket;
    sc_core::sc_vector<sc_core::sc_in<bool>> irq;

    SC_HAS_PROCESS(HostCpu);
    HostCpu(sc_core::sc_module_name name, unsigned irq_lines, double clock_mhz, fw::BoardInfo board);

    void set_firmware(Entry e) { entry_ = std::move(e); }
    bool finished() const { return finished_; }
    int exit_code() const { return exit_code_; }
    const std::vector<std::string>& log_lines() const { return log_; }
    void report(Stats& s, const std::string& prefix) const;

    // fw::Hal
    uint32_t read32(uint64_t addr) override;
    void write32(uint64_t addr, uint32_t value) override;
    uint64_t read64(uint64_t addr) override;
    void write64(uint64_t addr, uint64_t value) override;
    void read_block(uint64_t addr, void* dst, size_t len) override;
    void write_block(uint64_t addr, const void* src, size_t len) override;
    std::optional<fw::BusFault> take_fault() override;
    bool load(uint64_t addr, const void* src, size_t len) override;
    bool peek(uint64_t addr, void* dst, size_t len) override;
    bool wait_irq(unsigned line, uint64_t timeout_ns) override;
    void delay_ns(uint64_t ns) override;
    uint64_t now_ns() override;
    void log(const std::string& message) override;
    void metric(const std::string& name, double value) override { metrics_[name] = value; }
    const std::map<std::string, double>& metrics() const { return metrics_; }
    const fw::BoardInfo& board() const override { return board_; }

private:
    void run();
    bool access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len);
    bool functional(tlm::tlm_command cmd, uint64_t addr, void* data, size_t len);

    static constexpr unsigned kLineBytes = 64;
    fw::BoardInfo board_;
    uint64_t clk_ps_;
    tlm_utils::tlm_quantumkeeper qk_;
    Entry entry_;
    bool finished_ = false;
    int exit_code_ = -1;
    std::deque<fw::BusFault> faults_;
    std::vector<std::string> log_;
    std::map<std::string, double> metrics_;
    uint64_t reads_ = 0, writes_ = 0, faults_seen_ = 0, irq_waits_ = 0, irq_timeouts_ = 0;
    uint64_t dmi_bytes_ = 0, dbg_bytes_ = 0;
};

} // namespace dynavp
