// Analytical cost of running an operator with a schedule on hardware eta:
// occupancy U_i (DNA eq. 2), spatial use C_i (eq. 3), validity R1/R2
// (eq. 1), per-tensor per-level traffic, cycles, PE utilisation and energy.
// The model and its assumptions are documented in COST_MODEL.md.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hardware.h"
#include "schedule.h"

namespace dynavp::sched {

struct LevelCost {
    std::array<uint64_t, kTensors> tile_bytes{};   // per instance (what R1 checks)
    uint64_t U = 0;                                 // eq. 2: sum over held tensors
    uint64_t C = 1;                                 // eq. 3: spatial factors at this level
    uint64_t instances = 1;                         // copies of this level in the machine
    std::array<uint64_t, kTensors> read_bytes{};    // all instances together
    std::array<uint64_t, kTensors> write_bytes{};
    double transfer_cycles = 0;                     // serving its children at its bandwidth
    double energy_pj = 0;
};

struct Cost {
    bool valid = false;
    std::string violation;        // first R1/R2/shape violation, when !valid
    std::vector<LevelCost> level;
    uint64_t executed_macs = 0;   // what the PEs do (padded op)
    uint64_t useful_macs = 0;     // what the dynamic operator needs
    uint64_t compute_cycles = 0;
    double cycles = 0;            // with transfers (double-buffered: max, else sum)
    double pe_utilization = 0;    // useful MACs / (cycles x all PEs)
    double spatial_utilization = 0; // PEs given work / all PEs
    double mac_energy_pj = 0;
    double energy_pj = 0;
    nlohmann::json to_json(const Hardware& hw) const;
};

// `op` is the operator the schedule executes (its dims must equal the
// schedule's factor products). useful_macs = 0 means op.macs().
Cost evaluate(const Operator& op, const Schedule& s, const Hardware& hw, uint64_t useful_macs = 0);

// Only the checks of eq. 1 (R1: U_i <= MS_i, R2: C_i <= P_i) and the shape.
// Empty string when valid, else the reason (names level, tensor, numbers).
std::string check_valid(const Operator& op, const Schedule& s, const Hardware& hw);

// R1 at one level only (what MaxBuff and the repair of a search need).
std::string check_capacity(const Operator& op, const Schedule& s, const Hardware& hw, int level);

// Tile of tensor v held at `level` (factors at levels <= level), in bytes.
uint64_t tile_bytes(const Operator& op, const Schedule& s, const Hardware& hw, Tensor v, int level);

} // namespace dynavp::sched
