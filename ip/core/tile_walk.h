// The walk a core makes over its share of an operator (*what*, pure C++):
// the tiles of its core buffers (the loop nest at levels >= 2, i.e. the GLB
// and DRAM temporal loops, in the schedule's order; the GLB-level spatial
// loops fixed to the core's slot), and for each tile which buffer must be
// refilled -- a tensor is refetched only when a loop that indexes it moves
// (stationarity, as in the cost model) -- and which GLB tile it lies in.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "ip/scheduling/schedule.h"

namespace dynavp::core {

using sched::kDims;
using sched::kTensors;

struct TileBox { // half-open index ranges per dim, within one group
    std::array<uint32_t, kDims> lo{}, hi{};
};

struct TileStep {
    TileBox box;
    uint32_t group = 0;
    std::array<bool, kTensors> fetch{};        // core buffer refill (Output: a new output tile starts)
    bool out_revisit = false;                  // the output tile was visited before: read its partial sums back
    bool out_final = false;                    // its last visit: what leaves it is final
    std::array<uint64_t, kTensors> glb_tile{}; // sequence number of the GLB tile (per tensor) this tile lies in
    std::array<bool, kTensors> glb_change{};   // first step in a new GLB tile
    bool glb_out_revisit = false;              // that GLB output tile was visited before (partials come back from DRAM)
    bool glb_out_final = false;                // and this is its last visit
};

class TileWalk {
public:
    // `levels` must be 4 (Reg, CoreBuf, GLB, DRAM); slot < spatial_product(2).
    TileWalk(const sched::Operator& op, const sched::Schedule& s, uint32_t slot);
    bool next(TileStep& out);
    uint64_t tiles() const { return tiles_; }           // steps of this core
    uint64_t inner_cycles() const { return inner_cycles_; } // temporal iterations inside one tile
    const std::array<uint64_t, kDims>& glb_extent() const { return ext2_; }
    // > 1 when a GLB output tile is left and revisited: partial sums go to DRAM and back.
    uint64_t glb_out_visits_per_tile() const { return glb_out_visits_per_tile_; }
    // Cores whose tiles of tensor v are the same data at every step: they
    // differ only in GLB-level spatial loops that do not index v (multicast
    // for weights/inputs, reduction for outputs). sharing_key(v) is equal
    // exactly for the cores of one such set; sharers(v) is its size.
    uint64_t sharing_key(sched::Tensor v) const { return share_key_[v]; }
    uint32_t sharers(sched::Tensor v) const { return sharers_[v]; }

private:
    struct Loop {
        sched::Dim dim;
        uint32_t bound, stride;
        int level;
    };
    sched::Operator op_;
    std::vector<Loop> loops_;               // temporal loops at levels >= 2, outermost first
    std::array<uint32_t, kDims> base_{};    // offset of this core's slot
    std::array<uint64_t, kTensors> share_key_{};
    std::array<uint32_t, kTensors> sharers_{1, 1, 1};
    std::array<uint64_t, kDims> ext1_{}, ext2_{};
    std::vector<uint32_t> idx_;
    uint32_t group_ = 0;
    bool started_ = false, done_ = false;
    uint64_t tiles_ = 1, inner_cycles_ = 1;
    std::array<uint64_t, kTensors> glb_seq_{};
    std::vector<uint32_t> prev_idx_;
    uint32_t prev_group_ = 0;
    // Loops whose moves revisit an output tile (core level, GLB level).
    std::array<std::vector<size_t>, 2> revisit_loops_;
    uint64_t glb_out_visits_per_tile_ = 1;
};

} // namespace dynavp::core
