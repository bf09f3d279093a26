#include "nonlinear.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace dynavp::core {

const char* to_string(NonlinearOp op) {
    switch (op) {
    case NonlinearOp::Softmax: return "softmax";
    case NonlinearOp::TopK: return "topk";
    case NonlinearOp::SigmoidGate: return "sigmoid_gate";
    case NonlinearOp::Threshold: return "threshold";
    case NonlinearOp::Argmax: return "argmax";
    case NonlinearOp::Relu: return "relu";
    case NonlinearOp::Gelu: return "gelu";
    }
    return "?";
}

NonlinearOp parse_nonlinear_op(const std::string& name) {
    for (NonlinearOp op : {NonlinearOp::Softmax, NonlinearOp::TopK, NonlinearOp::SigmoidGate, NonlinearOp::Threshold, NonlinearOp::Argmax,
                           NonlinearOp::Relu, NonlinearOp::Gelu})
        if (name == to_string(op)) return op;
    throw std::invalid_argument("unknown nonlinear op \"" + name + "\" (known: softmax, topk, sigmoid_gate, threshold, argmax, relu, gelu)");
}

std::vector<float> softmax(const std::vector<float>& x) {
    if (x.empty()) return {};
    const float m = *std::max_element(x.begin(), x.end());
    std::vector<float> e(x.size());
    double sum = 0;
    for (size_t i = 0; i < x.size(); ++i) sum += (e[i] = std::exp(x[i] - m));
    for (float& v : e) v = float(v / sum);
    return e;
}

std::vector<uint32_t> top_k(const std::vector<float>& x, uint32_t k) {
    std::vector<uint32_t> idx(x.size());
    std::iota(idx.begin(), idx.end(), 0u);
    const size_t n = std::min<size_t>(k, idx.size());
    std::partial_sort(idx.begin(), idx.begin() + long(n), idx.end(), [&](uint32_t a, uint32_t b) { return x[a] > x[b] || (x[a] == x[b] && a < b); });
    idx.resize(n);
    return idx;
}

std::vector<uint8_t> sigmoid_gate(const std::vector<float>& x, float t) {
    std::vector<uint8_t> g(x.size());
    for (size_t i = 0; i < x.size(); ++i) g[i] = 1.0 / (1.0 + std::exp(-double(x[i]))) >= double(t) ? 1 : 0;
    return g;
}

std::vector<uint8_t> threshold(const std::vector<float>& x, float t) {
    std::vector<uint8_t> g(x.size());
    for (size_t i = 0; i < x.size(); ++i) g[i] = x[i] >= t ? 1 : 0;
    return g;
}

uint32_t argmax(const std::vector<float>& x) {
    if (x.empty()) throw std::invalid_argument("argmax of an empty vector");
    return uint32_t(std::max_element(x.begin(), x.end()) - x.begin());
}

std::vector<float> relu(const std::vector<float>& x) {
    std::vector<float> y(x.size());
    std::transform(x.begin(), x.end(), y.begin(), [](float v) { return v > 0 ? v : 0.0f; });
    return y;
}

std::vector<float> gelu(const std::vector<float>& x) {
    std::vector<float> y(x.size());
    std::transform(x.begin(), x.end(), y.begin(), [](float v) { return float(0.5 * v * (1.0 + std::erf(double(v) / std::sqrt(2.0)))); });
    return y;
}

uint64_t nonlinear_cycles(NonlinearOp op, uint64_t n, uint32_t lanes, uint32_t k) {
    if (lanes == 0) throw std::invalid_argument("nonlinear unit needs at least one lane");
    const uint64_t passes = (n + lanes - 1) / lanes;
    uint64_t log2n = 0;
    while ((uint64_t(1) << log2n) < n) ++log2n;
    switch (op) {
    case NonlinearOp::Softmax: return 2 * passes;
    case NonlinearOp::TopK: return passes + uint64_t(k) * log2n;
    case NonlinearOp::Argmax: return passes + log2n;
    default: return passes;
    }
}

} // namespace dynavp::core
