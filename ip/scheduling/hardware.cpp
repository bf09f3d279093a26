#include "hardware.h"

#include <stdexcept>

#include "platform/platform_config.h"

namespace dynavp::sched {

uint64_t Hardware::total_pes() const {
    uint64_t p = 1;
    for (const auto& l : levels) p *= l.fanout;
    return p;
}

Hardware fp32_hardware(Hardware hw) {
    hw.elem_bytes = {4, 4, 4};
    hw.dram_output_bytes = 4;
    hw.levels.at(0).capacity = {4, 4, 4};
    return hw;
}

Hardware hardware_from_platform(const PlatformConfig& cfg) {
    if (cfg.npu.cores == 0) throw std::invalid_argument("platform '" + cfg.name + "' declares no npu section");
    Hardware hw;
    hw.name = cfg.name;
    hw.clock_mhz = cfg.clock_mhz;
    hw.max_prime = cfg.npu.max_prime_factor;
    hw.double_buffered = cfg.npu.double_buffered;
    // 8-bit MAC, 45 nm (Aladdin): 0.561 pJ -- REFERENCE-DATA.md "Energy per action".
    hw.mac_pj = 0.561;

    MemLevel reg;
    reg.name = "Reg";
    // One operand of each tensor per PE (a weight/input register and an int32 accumulator).
    reg.capacity = {hw.elem_bytes[Weight], hw.elem_bytes[Input], hw.elem_bytes[Output]};
    // Register file 24 x 16 b, 45 nm: 0.13 pJ per 2-byte access.
    reg.read_pj_per_byte = reg.write_pj_per_byte = 0.13 / 2;

    MemLevel core;
    core.name = "CoreBuf";
    core.capacity = {cfg.npu.weight_buffer_bytes, cfg.npu.input_buffer_bytes, cfg.npu.output_buffer_bytes};
    core.fanout = cfg.npu.pe_rows * cfg.npu.pe_cols;
    core.bytes_per_cycle = cfg.npu.core_buffer_bytes_per_cycle;
    // SRAM 1024 x 32 b, 45 nm: read 1.959 pJ, write 1.803 pJ per 4-byte access.
    core.read_pj_per_byte = 1.959 / 4;
    core.write_pj_per_byte = 1.803 / 4;

    MemLevel glb;
    glb.name = "GLB";
    const DeviceConfig* g = cfg.find("glb");
    if (!g) throw std::invalid_argument("platform '" + cfg.name + "' has an npu but no device named \"glb\"");
    glb.capacity = {g->size, g->size, g->size};
    glb.shared_capacity = g->size;
    glb.fanout = cfg.npu.cores;
    glb.bytes_per_cycle = g->sram.bytes_per_cycle * (g->clock_mhz / cfg.clock_mhz);
    // 128 KB SRAM (16384 x 64 b), 40 nm: read 13.25 pJ, write 10.57 pJ per 8-byte access.
    glb.read_pj_per_byte = 13.25 / 8;
    glb.write_pj_per_byte = 10.57 / 8;

    MemLevel dram;
    dram.name = "DRAM";
    dram.capacity = {kUnbounded, kUnbounded, kUnbounded};
    const DeviceConfig* d = cfg.first_of(DeviceType::Dram);
    dram.bytes_per_cycle = d->dram.timing.peak_bytes_per_second() * d->dram.channels / (cfg.clock_mhz * 1e6);
    // DRAM (LPDDR4, CACTI): 512 pJ per 64-bit access = 64 pJ/byte; used for DDR4 too.
    dram.read_pj_per_byte = dram.write_pj_per_byte = 512.0 / 8;

    hw.levels = {reg, core, glb, dram};
    for (int v = 0; v < kTensors; ++v)
        if (core.capacity[v] < hw.elem_bytes[v])
            throw std::invalid_argument(std::string("npu core ") + tensor_name(Tensor(v)) + " buffer of " + std::to_string(core.capacity[v]) +
                                        " B cannot hold one " + std::to_string(hw.elem_bytes[v]) + "-byte element");
    return hw;
}

} // namespace dynavp::sched
