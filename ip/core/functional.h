// Functional compute of the NPU cores (*what*, pure C++): the plain
// reference operators, and the execution of an operator tile by tile in the
// order a schedule prescribes. The core sc_module (a later increment of
// issue 4) adds the *when*: transfers over TLM and per-tile timing.
//
// Layouts (row-major): input [N][G*C][H][W] with H = (P-1)*stride +
// (R-1)*dilation + 1 (already zero-padded by the caller, see pad_input),
// weight [G*K][C][R][S], output [N][G*K][P][Q]; G = groups.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "ip/scheduling/schedule.h"

namespace dynavp::core {

using sched::Operator;
using sched::Schedule;

size_t input_elems(const Operator& op);
size_t weight_elems(const Operator& op);
size_t output_elems(const Operator& op);

// out = sum_{c,r,s} in * w, loops in canonical order. Acc = int32_t for
// int8 operands (exact), float for fp32.
template <class T, class Acc> std::vector<Acc> reference_conv(const Operator& op, const std::vector<T>& in, const std::vector<T>& w);

// The same operator computed tile by tile: the loops of `s` at levels >=
// tile_level enumerate tiles in the schedule's order (spatial loops too:
// functionally, PEs and cores are iterations); each tile is the
// hyper-rectangle the loops below tile_level cover, computed densely.
// Integer results equal reference_conv bit for bit for any schedule whose
// factors multiply to the operator's dims; fp32 results differ from it only
// by the reassociation of partial sums across tiles. Throws
// std::invalid_argument if the factors do not cover the operator.
template <class T, class Acc>
std::vector<Acc> execute_schedule(const Operator& op, const Schedule& s, int tile_level, const std::vector<T>& in, const std::vector<T>& w);

// Like execute_schedule but without the shape check: what hardware would do
// with a corrupted schedule (tests use it to show a dropped factor is caught).
template <class T, class Acc>
std::vector<Acc> execute_unchecked(const Operator& op, const Schedule& s, int tile_level, const std::vector<T>& in, const std::vector<T>& w);

// One dense tile: out[n][g*K+k][p][q] += the box's reduction range, for the
// box [lo, hi) of group g, on whole (unpadded-layout) tensors. What a core
// does with one tile of its walk (ip/core/tile_walk.h).
template <class T, class Acc>
void compute_tile(const Operator& op, uint32_t group, const std::array<uint32_t, sched::kDims>& lo, const std::array<uint32_t, sched::kDims>& hi,
                  const T* in, const T* w, Acc* out);

// Elementwise add (residual connections): int8 operands add in int32 and
// requantise with `scale`; fp32 operands add (scale unused).
std::vector<int8_t> eltwise_add(const std::vector<int8_t>& a, const std::vector<int8_t>& b, float scale);
std::vector<float> eltwise_add(const std::vector<float>& a, const std::vector<float>& b);

// Pooling over R x S windows with the operator's stride (no padding: pad
// with pad_input first), input [N][C][H][W] as for conv (K and groups
// unused), output [N][C][P][Q]. Max is exact; average sums in int32 (or
// fp32) and, for int8, requantises with `scale` (1/(R*S) for a true mean).
enum class PoolKind : uint32_t { Max = 0, Average = 1 };
std::vector<int8_t> pool(const Operator& op, PoolKind kind, const std::vector<int8_t>& in, float scale);
std::vector<float> pool(const Operator& op, PoolKind kind, const std::vector<float>& in);
size_t pool_output_elems(const Operator& op); // N * C * P * Q

// Requantisation to int8: round half away from zero of acc * scale, saturated.
int8_t requantize(int32_t acc, float scale);
std::vector<int8_t> requantize(const std::vector<int32_t>& acc, float scale);

// Zero-pads an unpadded [N][C][H0][W0] input by `pad` on every side.
template <class T> std::vector<T> pad_input(const std::vector<T>& in, uint32_t n, uint32_t c, uint32_t h0, uint32_t w0, uint32_t pad);

} // namespace dynavp::core
