// What the firmware runtime launches for one dynamic layer once its agent has
// decided (pure C++, no HAL): the dynamic operator as launch pieces, and
// where each piece's data lies inside the layer's tensors. The *when* (MMIO,
// waiting, prefetching) is model_runtime.cpp.
//
// An agent keeps some tiles of its layer (DNA sec. II-B); the kept tiles of
// gating / region_mask / token_merge are not contiguous in general, and the
// cores have no gather: each maximal run of kept tiles is one launch whose
// operator is the backbone with the tile dim shrunk to the run
// (K: output-channel groups, weights [K][C][R][S] and output [K][P][Q] are
// contiguous per group; N: token groups, input [N][C] and output [N][K]
// contiguous; P: row bands, input and output stored band-major -- an
// approximation: the halo rows a 3x3 window needs from the next band are
// not read). Routing: one piece per chosen expert, its tokens gathered by
// the CPU, the expert's matmul chain on N = its token count. Mixing: one
// mixing matmul over the expert kernels, then the backbone on the mixed
// kernel. Early exit: no piece (the exit's classifier is its agent).
#pragma once

#include <cstdint>
#include <vector>

#include "ip/scheduling/operator.h"
#include "workloads/decisions.h"
#include "workloads/zoo.h"

namespace dynavp::fw {

struct Piece {
    std::vector<sched::Operator> ops; // one launch each, in order (routing: the expert's chain; mixing: mix, then conv)
    uint32_t first_tile = 0, tiles = 0; // the kept run (routing: the expert, tiles = 1)
    uint64_t in_offset = 0, w_offset = 0, out_offset = 0; // bytes into the layer's input / weights / output
    std::vector<uint32_t> tokens;     // routing: the tokens routed to this expert, ascending
};

// Bytes of a tile's data along the tile dim, per tensor, at `elem_bytes`
// per element (int8: 1): what one tile of weights / input / output spans.
struct TileBytes {
    uint64_t weight = 0, input = 0, output = 0;
};
TileBytes tile_bytes(const ZooLayer& layer, const DynamicSpec& spec, uint32_t elem_bytes);

// Bytes of one expert's weights (routing: the layer op's and every expert
// op's weights, stored together; mixing: one expert kernel).
uint64_t expert_bytes(const ZooLayer& layer, const DynamicSpec& spec, uint32_t elem_bytes);

// The launches for `decision` (its `used` tiles; routing: its `tokens`).
// Throws std::invalid_argument if the decision does not fit the spec.
std::vector<Piece> plan_pieces(const ZooLayer& layer, const DynamicSpec& spec, const LayerDecision& decision, uint32_t elem_bytes);

// Runs of consecutive set entries: (first, length) pairs.
std::vector<std::pair<uint32_t, uint32_t>> runs_of(const std::vector<uint8_t>& used);

} // namespace dynavp::fw
