// The virtual board: every module of a PlatformConfig instantiated and wired
// (host + DMA masters -> router -> DRAM / SRAM / DMA registers; IRQ lines).
// SystemC elaborates once per process: build one Board per process.
#pragma once

#include <memory>
#include <vector>

#include <systemc>

#include "firmware/hal.h"
#include "ip/bus/router.h"
#include "ip/context_buffer/context_buffer.h"
#include "ip/core/npu.h"
#include "ip/dypipe/dypipe.h"
#include "ip/dma/dma.h"
#include "ip/dram/dram.h"
#include "ip/host/host_cpu.h"
#include "ip/predictor/predictor.h"
#include "ip/runtime_monitor/runtime_monitor.h"
#include "ip/transverter/transverter.h"
#include "ip/sram/sram.h"
#include "platform_config.h"
#include "stats.h"

namespace dynavp {

class Board {
public:
    explicit Board(const PlatformConfig& cfg, const NpuOptions& npu_options = {});
    ~Board();

    const PlatformConfig& config() const { return cfg_; }
    HostCpu& host() { return *host_; }
    Router& bus() { return *router_; }
    Dram* dram(const std::string& name);
    Sram* sram(const std::string& name);
    Dma* dma(const std::string& name);
    Npu* npu() { return npu_.get(); }
    Transverter* transverter() { return transverter_.get(); }
    Predictor* predictor() { return predictor_.get(); }
    RuntimeMonitor* runtime_monitor() { return monitor_.get(); }
    ContextBuffer* context_buffer() { return cb_.get(); }
    DyPipe* dypipe() { return dypipe_.get(); }
    uint64_t board_clock_ps() const { return clk_ps_; }

    // Everything the modules counted, under one schema (see README "Reading the report").
    void report(Stats& s) const;

private:
    PlatformConfig cfg_;
    uint64_t clk_ps_;
    std::unique_ptr<Router> router_;
    std::unique_ptr<HostCpu> host_;
    std::vector<std::pair<std::string, std::unique_ptr<Dram>>> drams_;
    std::vector<std::pair<std::string, std::unique_ptr<Sram>>> srams_;
    std::vector<std::pair<std::string, std::unique_ptr<Dma>>> dmas_;
    std::unique_ptr<Npu> npu_;
    std::unique_ptr<Transverter> transverter_;
    std::unique_ptr<Predictor> predictor_;
    std::unique_ptr<RuntimeMonitor> monitor_;
    std::unique_ptr<ContextBuffer> cb_;
    std::unique_ptr<DyPipe> dypipe_;
    sc_core::sc_signal<bool>& irq_signal(const DeviceConfig& d); // its host line, or a fresh unconnected signal
    std::vector<std::unique_ptr<sc_core::sc_signal<bool>>> irq_lines_;
};

fw::BoardInfo board_info_of(const PlatformConfig& cfg);

} // namespace dynavp
