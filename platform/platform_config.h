// The board description: everything a board is built from, read from one
// JSON document (a preset in platform/presets/ or a user file) and validated
// before anything is instantiated.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ip/dram/dram_controller.h"
#include "ip/dram/dram_timing.h"

namespace dynavp {

enum class DeviceType { Dram, Sram, Dma, Npu, Transverter, Predictor, RuntimeMonitor, ContextBuffer, DyPipe };
const char* to_string(DeviceType t);

struct DramDeviceConfig {
    DramTimingParams timing;       // preset, with per-field overrides applied
    uint32_t channels = 1;
    uint64_t interleave_bytes = 0; // channel interleave granularity (>= one burst); unused when the mapping has "ch"
    std::string address_mapping;   // "" = DramAddressMap::kDefault
    DramControllerConfig controller;
};

struct SramDeviceConfig {
    uint32_t latency_cycles = 1;   // access latency at the device clock
    uint32_t bytes_per_cycle = 64; // port width
};

struct DmaDeviceConfig {
    uint32_t chunk_bytes = 256;    // bytes per bus transaction
    uint32_t outstanding = 8;      // transactions in flight per direction
};

// DNA's online scheduler (sec. V-C, VI-B, IV-B). Latencies: DNA gives none;
// one clock per ALU / mux / write step and per runtime-table entry are ours.
struct TransverterDeviceConfig {
    uint32_t table_entries = 64; // factor rows: DNA VII-A's "16 items for each layer" x 4 memory levels
    uint32_t alu_cycles = 1, mux_cycles = 1, write_cycles = 1;
};

struct PredictorDeviceConfig {
    uint32_t tiles = 256, rat_bits = 4;  // 256 x 2^4 two-bit states = DNA VII-A's 1 KB table
    uint64_t table_bytes = 1024;         // the budget tiles x 2^rat_bits x 2 bits must fit
    uint32_t initial_state = 1;          // "weakly not useful" (DNA does not say)
    uint32_t fifo_depth = 64;            // FIFO scheduler entries
};

struct MonitorDeviceConfig {
    uint32_t cycles_per_entry = 1; // one runtime-table entry read and accumulated per clock
    uint32_t forward_cycles = 4;   // hand-over to the predictor / transverter
};

struct DeviceConfig {
    std::string name;
    DeviceType type = DeviceType::Sram;
    uint64_t base = 0;
    uint64_t size = 0;
    int irq = -1;                  // host interrupt line, -1 = none
    double clock_mhz = 0;          // 0 = board clock
    std::string json_path;         // where it was declared, for later errors
    DramDeviceConfig dram;
    SramDeviceConfig sram;
    DmaDeviceConfig dma;
    TransverterDeviceConfig transverter;
    PredictorDeviceConfig predictor;
    MonitorDeviceConfig monitor;
};

// The NPU compute engine (DNA sec. VII-A, IV-A): its cores are modelled by
// ip/core (registers behind the device of type "npu").
struct NpuConfig {
    uint32_t cores = 0;
    uint32_t pe_rows = 0, pe_cols = 0;
    uint64_t weight_buffer_bytes = 0, input_buffer_bytes = 0, output_buffer_bytes = 0;
    uint32_t core_buffer_bytes_per_cycle = 32; // core buffers -> PE array, per core
    uint32_t max_prime_factor = 7;             // schedulers pad dims with larger prime factors
    bool double_buffered = true;               // buffers overlap transfers with compute
    uint32_t nonlinear_lanes = 8;              // agent unit lanes per core (DNA IV-A gives no width: assumption)
    uint32_t runtime_table_entries = 64;       // per core
    uint32_t prefetch_tiles = 64;              // entries of the prefetch-buffer tile directory
    double leakage_mw = 0;                     // whole engine; 0 = not modelled (no public figure for DNA's engine)
    uint64_t core_buffer_bytes() const { return weight_buffer_bytes + input_buffer_bytes + output_buffer_bytes; }
};

// The DyPipe accelerator (DyPipe sec. 3.2, Table 1): a DianNao-style PE array
// with IO load / compute / IO store modules and a controller that runs the
// module functions the context buffer holds (ip/dypipe, ip/context_buffer).
struct DyPipeConfig {
    uint32_t pe_rows = 0, pe_cols = 0;     // 0: no DyPipe section
    uint32_t elem_bytes = 2;               // fp16
    uint32_t vector_lanes = 64;
    uint64_t block_bytes = 0;              // 0: blocks fill half the free buffer
    uint32_t dram_latency_cycles = 100;
    uint32_t compute_overhead_cycles = 16;
    uint32_t context_words = 8;
    uint32_t dispatch_cycles = 8;
};

struct PlatformConfig {
    std::string name;
    std::string description;
    std::string source;           // file path, or "preset <name>"
    double clock_mhz = 500;       // board (NPU) clock; `cycles` in stats count it
    double host_clock_mhz = 1000;
    uint64_t quantum_ns = 1000;   // host temporal-decoupling quantum
    uint32_t bus_latency_cycles = 1;
    uint32_t host_irq_lines = 8;
    std::vector<DeviceConfig> devices;
    NpuConfig npu;
    DyPipeConfig dypipe;

    const DeviceConfig* find(const std::string& name) const;
    const DeviceConfig* first_of(DeviceType t) const;
};

struct PresetText {
    const char* name;
    const char* path; // path in the source tree, for error messages
    const char* text;
};
const std::vector<PresetText>& embedded_platform_presets(); // generated at build time
const std::vector<PresetText>& embedded_workload_zoo();     // workloads/zoo/*.json, likewise

// Throws ConfigError (file, JSON path, reason) for anything malformed,
// inconsistent or unknown.
PlatformConfig parse_platform(const std::string& json_text, const std::string& file);
// `spec` is a preset name or a path to a .json file.
PlatformConfig load_platform(const std::string& spec);

} // namespace dynavp
