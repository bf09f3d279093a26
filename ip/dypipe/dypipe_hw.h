// The DyPipe accelerator (DyPipe sec. 3.2, Table 1): a DianNao-style parallel
// function unit, a global buffer holding the context buffer, a controller.
// Numbers from Table 1 where it gives them; the rest are our assumptions,
// named as such here and in README.md. Pure C++.
#pragma once

#include <cstdint>

namespace dynavp {
struct PlatformConfig;
}

namespace dynavp::dypipe {

struct DyPipeHardware {
    uint32_t pe_rows = 32, pe_cols = 64;   // Table 1: 32 x 64 PEs, fp16
    double clock_mhz = 1000;               // Table 1: 1 GHz
    uint32_t elem_bytes = 2;               // fp16
    double dram_bytes_per_cycle = 32;      // Table 1: 32 GB/s at 1 GHz
    uint32_t dram_latency_cycles = 100;    // assumption: ~100 ns to first data
    uint64_t global_bytes = 1008 * 1024;   // Table 1: 1008 KB of global memory (operand buffers)
    uint64_t context_buffer_bytes = 16 * 1024; // Table 1: 16 KB, carved from the global buffer
    uint32_t vector_lanes = 64;            // assumption: pooling / adds / activations use one PE row's width
    uint64_t block_bytes = 0;              // operand bytes per data block; 0: as much as half the free buffer holds (our compiler's choice)
    uint32_t compute_overhead_cycles = 16; // assumption: PFU pipeline fill per ComputeFunction
    // The controller (a scalar core, one instruction per cycle; assumption):
    uint32_t context_words = 8;            // 4-byte context words per module function (addresses, sizes, shape, PC)
    uint32_t dispatch_cycles = 8;          // control flow per dispatch: dependency check, branch, call through the PC

    // false: the dynamic pipeline without its control-flow and context costs
    // (what Fig. 11's breakdown subtracts to get CF & CTX).
    bool charge_cf_ctx = true;

    uint64_t macs_per_cycle() const { return uint64_t(pe_rows) * pe_cols; }
    // SaveContext x words + SavePC (Fig. 5): one store each.
    uint32_t save_cycles() const { return charge_cf_ctx ? context_words + 1 : 0; }
    // A module function first loads its parameters from the CB into registers (Fig. 6).
    uint32_t restore_cycles() const { return charge_cf_ctx ? context_words : 0; }
    uint32_t dispatch_cost() const { return charge_cf_ctx ? dispatch_cycles : 0; }
    uint32_t record_bytes() const { return 4 * (context_words + 1); } // context + PC word
};

// From the platform JSON's "dypipe" section (throws std::invalid_argument if absent).
DyPipeHardware dypipe_hardware_from_platform(const PlatformConfig& cfg);

} // namespace dynavp::dypipe
