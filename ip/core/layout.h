// DRAM layouts of weight tensors (pure C++, shared by the NPU model and the
// firmware that lays weights out). Weights are constants, so the offline
// compiler may store them in the order the schedule reads them, as NPU
// toolchains do: `blocked` puts every GLB weight tile (the extents of R, S,
// C, K at levels <= GLB) in one contiguous block, blocks row-major over
// [G*K/kt][C/ct][R/rt][S/st], elements row-major [kt][ct][rt][st] inside.
// A GLB tile then streams from DRAM as one burst sequence instead of kt*ct*rt
// short strided runs (DRAM row misses and partial bursts).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "ip/scheduling/schedule.h"

namespace dynavp::core {

enum class WeightLayout : uint32_t { Canonical = 0, Blocked = 1 }; // canonical: [G*K][C][R][S]

struct WeightBlocking {
    std::array<uint64_t, 4> tile{};   // kt, ct, rt, st
    std::array<uint64_t, 4> blocks{}; // G*K/kt, C/ct, R/rt, S/st
    uint64_t tile_elems() const { return tile[0] * tile[1] * tile[2] * tile[3]; }
    // Element offset of canonical index (k over G*K, c, r, s) in the blocked layout.
    uint64_t offset(uint64_t k, uint64_t c, uint64_t r, uint64_t s) const;
    // Element offset of the block holding canonical (k, c, r, s) -- a tile's first element.
    uint64_t block_offset(uint64_t k, uint64_t c, uint64_t r, uint64_t s) const;
};

// `glb_extent`: per-dim extents at levels <= GLB (TileWalk::glb_extent()).
// Throws std::invalid_argument if the extents do not divide the operator.
WeightBlocking weight_blocking(const sched::Operator& op, const std::array<uint64_t, sched::kDims>& glb_extent);

// The same for a 4-level schedule (Reg, CoreBuf, GLB, DRAM): its GLB tile.
WeightBlocking weight_blocking(const sched::Operator& op, const sched::Schedule& s);

template <class T> std::vector<T> to_blocked(const sched::Operator& op, const WeightBlocking& b, const std::vector<T>& canonical);
template <class T> std::vector<T> from_blocked(const sched::Operator& op, const WeightBlocking& b, const std::vector<T>& blocked);

} // namespace dynavp::core
