// The core's nonlinear unit, which runs the agents of dynamic NNs (DNA
// sec. IV-A): softmax, top-k (MoE routing), sigmoid gate and threshold (FBS
// channel gating, early exit), argmax, ReLU/GELU. Pure C++ (*what*); the
// cycle cost is a simple lanes model the core sc_module will annotate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dynavp::core {

enum class NonlinearOp { Softmax, TopK, SigmoidGate, Threshold, Argmax, Relu, Gelu };
const char* to_string(NonlinearOp op);
NonlinearOp parse_nonlinear_op(const std::string& name); // throws std::invalid_argument

// Numerically stable (max subtracted); empty in, empty out.
std::vector<float> softmax(const std::vector<float>& x);
// Indices of the k largest values, largest first; ties go to the lower index.
std::vector<uint32_t> top_k(const std::vector<float>& x, uint32_t k);
// 1 where sigmoid(x) >= threshold (FBS-style channel gate), else 0.
std::vector<uint8_t> sigmoid_gate(const std::vector<float>& x, float threshold = 0.5f);
// 1 where x >= threshold (e.g. early-exit confidence), else 0.
std::vector<uint8_t> threshold(const std::vector<float>& x, float t);
// Index of the largest value (first on ties); throws on empty input.
uint32_t argmax(const std::vector<float>& x);
std::vector<float> relu(const std::vector<float>& x);
// Exact GELU: 0.5 x (1 + erf(x / sqrt 2)).
std::vector<float> gelu(const std::vector<float>& x);

// Cycles for `n` elements on a unit with `lanes` parallel lanes: one pass
// per element group, two for softmax (max/exp-sum, then divide), plus
// log2(n) compare stages per selected element for top-k/argmax.
uint64_t nonlinear_cycles(NonlinearOp op, uint64_t n, uint32_t lanes, uint32_t k = 1);

} // namespace dynavp::core
