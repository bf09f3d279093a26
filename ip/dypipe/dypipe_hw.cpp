#include "dypipe_hw.h"

#include <stdexcept>

#include "platform/platform_config.h"

namespace dynavp::dypipe {

DyPipeHardware dypipe_hardware_from_platform(const PlatformConfig& cfg) {
    if (!cfg.dypipe.pe_rows) throw std::invalid_argument("platform " + cfg.name + " has no \"dypipe\" section");
    DyPipeHardware hw;
    const DyPipeConfig& y = cfg.dypipe;
    hw.pe_rows = y.pe_rows;
    hw.pe_cols = y.pe_cols;
    hw.clock_mhz = cfg.clock_mhz;
    hw.elem_bytes = y.elem_bytes;
    hw.vector_lanes = y.vector_lanes;
    hw.block_bytes = y.block_bytes;
    hw.dram_latency_cycles = y.dram_latency_cycles;
    hw.compute_overhead_cycles = y.compute_overhead_cycles;
    hw.context_words = y.context_words;
    hw.dispatch_cycles = y.dispatch_cycles;
    // Bandwidth: the board's DRAM at its peak (all channels), per accelerator clock.
    const DeviceConfig* dram = cfg.first_of(DeviceType::Dram);
    hw.dram_bytes_per_cycle = dram->dram.timing.peak_bytes_per_second() * dram->dram.channels / (cfg.clock_mhz * 1e6);
    if (const DeviceConfig* g = cfg.find("global_buffer")) hw.global_bytes = g->size;
    if (const DeviceConfig* cb = cfg.first_of(DeviceType::ContextBuffer)) hw.context_buffer_bytes = cb->size;
    return hw;
}

} // namespace dynavp::dypipe
