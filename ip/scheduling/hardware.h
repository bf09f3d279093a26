// The hardware constraint table eta of DNA eq. (1): per memory level its
// buffer capacity MS_i (per tensor, or shared), its spatial fan-out P_i,
// bandwidth and per-byte access energy, plus the MAC energy. Built from the
// platform JSON (hardware_from_platform) or by hand in tests.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "operator.h"

namespace dynavp {
struct PlatformConfig;
}

namespace dynavp::sched {

constexpr uint64_t kUnbounded = std::numeric_limits<uint64_t>::max();

struct MemLevel {
    std::string name;
    // Bytes each tensor may occupy here; 0 = the level does not hold it (B matrix
    // of eq. 2). When shared_capacity > 0 the held tensors share that many bytes.
    std::array<uint64_t, kTensors> capacity{0, 0, 0};
    uint64_t shared_capacity = 0;
    uint32_t fanout = 1;           // P_i: spatial instances of the level below
    double bytes_per_cycle = 0;    // one instance's bandwidth toward its children (0 = not a bottleneck)
    double read_pj_per_byte = 0, write_pj_per_byte = 0;
    bool holds(Tensor v) const { return capacity[v] > 0; }
};

struct Hardware {
    std::string name;
    std::vector<MemLevel> levels; // innermost (registers) first, DRAM last
    std::array<uint32_t, kTensors> elem_bytes{1, 1, 4}; // int8 weights/inputs, int32 partial sums
    uint32_t dram_output_bytes = 1;                      // final outputs are requantised to int8
    double mac_pj = 0;
    double clock_mhz = 500;
    bool double_buffered = true;  // transfers overlap compute
    uint32_t max_prime = 7;       // larger prime factors are padded away (see operator.h)

    int outermost() const { return int(levels.size()) - 1; }
    uint64_t total_pes() const;
};

// eta for a platform with an `npu` section: Reg | core buffers | GLB | DRAM.
// Energies: 45 nm figures from REFERENCE-DATA.md (cited in hardware.cpp).
// Throws std::invalid_argument when the platform has no NPU.
Hardware hardware_from_platform(const PlatformConfig& cfg);

// The same machine running fp32: every operand and result 4 bytes wide
// (registers hold one fp32 value of each tensor; outputs leave as fp32).
Hardware fp32_hardware(Hardware hw);

} // namespace dynavp::sched
