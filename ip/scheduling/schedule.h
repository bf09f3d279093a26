// A schedule in CoSA form (DNA sec. V-A): every prime factor F(j,n) of every
// dimension is placed at one memory level i, spatially (k = 0, spatial_for)
// or temporally (k = 1). That is the binary matrix X[i][(j,n)][k] with exactly
// one 1 per factor, stored here as a placement per factor, plus the order of
// the temporal loops at each level.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hardware.h"
#include "operator.h"

namespace dynavp::sched {

struct FactorSlot {
    Dim dim;
    uint32_t value;  // a prime (or 1-free: never 1)
    int level;       // i
    bool spatial;    // k == 0
};

using LoopOrder = std::array<Dim, kDims>; // outer -> inner

struct Schedule {
    std::vector<FactorSlot> factors; // grouped by dim in R..N order, ascending within a dim
    std::vector<LoopOrder> order;    // per level (temporal loops)

    int levels() const { return int(order.size()); }
    // X[i][(j,n)][k] of the paper; f indexes `factors`.
    bool x(int i, size_t f, int k) const { return factors[f].level == i && factors[f].spatial == (k == 0); }
    uint64_t dim_product(Dim j) const;                       // must equal the executed size
    uint64_t spatial_product(int level) const;               // C_i of eq. 3
    uint64_t temporal_bound(int level, Dim j) const;
    bool operator==(const Schedule& o) const;

    // "for k3 in 0..4 (DRAM, temporal)" lines, outermost first.
    std::string loop_nest(const Hardware& hw) const;
    nlohmann::json to_json(const Hardware& hw) const;
};

LoopOrder default_order(); // N, K, C, P, Q, R, S (output-stationary-ish)

// Factorised operator, every factor temporal at the outermost level (what
// Initialization of Algorithm 1 does to changed dims).
Schedule all_outermost(const Operator& op, int levels);
// Replaces dimension j's factors by those of new_size, all at (level, temporal).
void refactor_dim(Schedule& s, Dim j, uint32_t new_size, int level);

} // namespace dynavp::sched
