#include "functional.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace dynavp::core {

using namespace sched;

size_t input_elems(const Operator& op) {
    return size_t(op[N]) * op.groups * op[C] * op.input_extent(op[P], op[R]) * op.input_extent(op[Q], op[S]);
}
size_t weight_elems(const Operator& op) { return size_t(op.groups) * op[K] * op[C] * op[R] * op[S]; }
size_t output_elems(const Operator& op) { return size_t(op[N]) * op.groups * op[K] * op[P] * op[Q]; }

namespace {

struct Box { // half-open index ranges per dim
    std::array<uint32_t, kDims> lo{}, hi{};
};

// Dense block: every output in the box accumulates the box's reduction range.
template <class T, class Acc> void compute_box(const Operator& op, uint32_t g, const Box& b, const T* in, const T* w, Acc* out) {
    const size_t H = op.input_extent(op[P], op[R]), W = op.input_extent(op[Q], op[S]);
    const size_t Ct = size_t(op.groups) * op[C], Kt = size_t(op.groups) * op[K];
    for (uint32_t n = b.lo[N]; n < b.hi[N]; ++n)
        for (uint32_t k = b.lo[K]; k < b.hi[K]; ++k) {
            const size_t kk = size_t(g) * op[K] + k;
            for (uint32_t p = b.lo[P]; p < b.hi[P]; ++p)
                for (uint32_t q = b.lo[Q]; q < b.hi[Q]; ++q) {
                    Acc acc = out[((n * Kt + kk) * op[P] + p) * op[Q] + q];
                    for (uint32_t c = b.lo[C]; c < b.hi[C]; ++c) {
                        const size_t cc = size_t(g) * op[C] + c;
                        for (uint32_t r = b.lo[R]; r < b.hi[R]; ++r) {
                            const size_t y = size_t(p) * op.stride + size_t(r) * op.dilation;
                            const T* in_row = in + ((n * Ct + cc) * H + y) * W;
                            const T* w_row = w + ((kk * op[C] + c) * op[R] + r) * op[S];
                            for (uint32_t s = b.lo[S]; s < b.hi[S]; ++s)
                                acc += Acc(in_row[size_t(q) * op.stride + size_t(s) * op.dilation]) * Acc(w_row[s]);
                        }
                    }
                    out[((n * Kt + kk) * op[P] + p) * op[Q] + q] = acc;
                }
        }
}

// A loop of the nest: `bound` iterations of dim `dim`, each advancing its
// index by `stride` (the product of the bounds of that dim's inner loops).
struct Loop {
    Dim dim;
    uint32_t bound;
    uint32_t stride = 1;
};

template <class T> void check_sizes(const Operator& op, const std::vector<T>& in, const std::vector<T>& w) {
    if (in.size() != input_elems(op) || w.size() != weight_elems(op))
        throw std::invalid_argument("tensor sizes do not match the operator " + op.to_string());
}

template <class T, class Acc>
std::vector<Acc> run(const Operator& op, const Schedule& s, int tile_level, const std::vector<T>& in, const std::vector<T>& w) {
    check_sizes(op, in, w);
    // Loops outermost first: per level, temporal in the level's order, then spatial.
    std::vector<Loop> tile_loops, inner_loops;
    for (int lvl = s.levels() - 1; lvl >= 0; --lvl) {
        auto& dst = lvl >= tile_level ? tile_loops : inner_loops;
        for (Dim d : s.order[size_t(lvl)])
            if (const uint64_t b = s.temporal_bound(lvl, d); b > 1) dst.push_back({d, uint32_t(b)});
        for (Dim d : kAllDims) {
            uint64_t b = 1;
            for (const auto& f : s.factors)
                if (f.level == lvl && f.spatial && f.dim == d) b *= f.value;
            if (b > 1) dst.push_back({d, uint32_t(b)});
        }
    }
    // Mixed-radix strides: inner loops of a dim are its low digits.
    std::array<uint64_t, kDims> inner{};
    inner.fill(1);
    for (const Loop& l : inner_loops) inner[l.dim] *= l.bound;
    std::array<uint64_t, kDims> acc = inner;
    for (auto it = tile_loops.rbegin(); it != tile_loops.rend(); ++it) {
        it->stride = uint32_t(acc[it->dim]);
        acc[it->dim] *= it->bound;
    }
    std::vector<Acc> out(output_elems(op), Acc(0));
    std::vector<uint32_t> idx(tile_loops.size(), 0);
    for (uint32_t g = 0; g < op.groups; ++g) {
        std::fill(idx.begin(), idx.end(), 0);
        for (;;) {
            Box b;
            for (Dim d : kAllDims) b.lo[d] = 0;
            for (size_t l = 0; l < tile_loops.size(); ++l) b.lo[tile_loops[l].dim] += idx[l] * tile_loops[l].stride;
            for (Dim d : kAllDims) b.hi[d] = std::min<uint64_t>(op[d], b.lo[d] + inner[d]);
            compute_box<T, Acc>(op, g, b, in.data(), w.data(), out.data());
            size_t l = tile_loops.size();
            while (l > 0 && ++idx[l - 1] == tile_loops[l - 1].bound) idx[--l] = 0;
            if (l == 0) break;
        }
    }
    return out;
}

} // namespace

template <class T, class Acc>
void compute_tile(const Operator& op, uint32_t group, const std::array<uint32_t, kDims>& lo, const std::array<uint32_t, kDims>& hi, const T* in,
                  const T* w, Acc* out) {
    Box b;
    b.lo = lo;
    b.hi = hi;
    compute_box<T, Acc>(op, group, b, in, w, out);
}

template <class T, class Acc> std::vector<Acc> reference_conv(const Operator& op, const std::vector<T>& in, const std::vector<T>& w) {
    check_sizes(op, in, w);
    std::vector<Acc> out(output_elems(op), Acc(0));
    Box all;
    for (Dim d : kAllDims) all.hi[d] = op[d];
    for (uint32_t g = 0; g < op.groups; ++g) compute_box<T, Acc>(op, g, all, in.data(), w.data(), out.data());
    return out;
}

template <class T, class Acc>
std::vector<Acc> execute_schedule(const Operator& op, const Schedule& s, int tile_level, const std::vector<T>& in, const std::vector<T>& w) {
    for (Dim d : kAllDims)
        if (s.dim_product(d) != op[d])
            throw std::invalid_argument(std::string("schedule covers ") + dim_name(d) + "=" + std::to_string(s.dim_product(d)) +
                                        ", operator has " + std::to_string(op[d]));
    return run<T, Acc>(op, s, tile_level, in, w);
}

template <class T, class Acc>
std::vector<Acc> execute_unchecked(const Operator& op, const Schedule& s, int tile_level, const std::vector<T>& in, const std::vector<T>& w) {
    return run<T, Acc>(op, s, tile_level, in, w);
}

std::vector<int8_t> eltwise_add(const std::vector<int8_t>& a, const std::vector<int8_t>& b, float scale) {
    if (a.size() != b.size()) throw std::invalid_argument("eltwise_add: operands differ in size");
    std::vector<int8_t> out(a.size());
    for (size_t i = 0; i < a.size(); ++i) out[i] = requantize(int32_t(a[i]) + int32_t(b[i]), scale);
    return out;
}

std::vector<float> eltwise_add(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) throw std::invalid_argument("eltwise_add: operands differ in size");
    std::vector<float> out(a.size());
    for (size_t i = 0; i < a.size(); ++i) out[i] = a[i] + b[i];
    return out;
}

size_t pool_output_elems(const Operator& op) { return size_t(op[N]) * op[C] * op[P] * op[Q]; }

namespace {
template <class T, class Acc, class Finish> std::vector<T> pool_impl(const Operator& op, PoolKind kind, const std::vector<T>& in, Finish finish) {
    const size_t H = op.input_extent(op[P], op[R]), W = op.input_extent(op[Q], op[S]);
    if (in.size() != size_t(op[N]) * op[C] * H * W) throw std::invalid_argument("pool: input size does not match " + op.to_string());
    std::vector<T> out(pool_output_elems(op));
    size_t o = 0;
    for (size_t nc = 0; nc < size_t(op[N]) * op[C]; ++nc)
        for (uint32_t p = 0; p < op[P]; ++p)
            for (uint32_t q = 0; q < op[Q]; ++q) {
                Acc acc = kind == PoolKind::Max ? Acc(in[(nc * H + size_t(p) * op.stride) * W + size_t(q) * op.stride]) : Acc(0);
                for (uint32_t r = 0; r < op[R]; ++r)
                    for (uint32_t s = 0; s < op[S]; ++s) {
                        const Acc v = Acc(in[(nc * H + size_t(p) * op.stride + size_t(r) * op.dilation) * W + size_t(q) * op.stride + size_t(s) * op.dilation]);
                        acc = kind == PoolKind::Max ? std::max(acc, v) : acc + v;
                    }
                out[o++] = kind == PoolKind::Max ? T(acc) : finish(acc);
            }
    return out;
}
} // namespace

std::vector<int8_t> pool(const Operator& op, PoolKind kind, const std::vector<int8_t>& in, float scale) {
    return pool_impl<int8_t, int32_t>(op, kind, in, [&](int32_t a) { return requantize(a, scale); });
}

std::vector<float> pool(const Operator& op, PoolKind kind, const std::vector<float>& in) {
    const float n = float(op[R]) * float(op[S]);
    return pool_impl<float, float>(op, kind, in, [&](float a) { return a / n; });
}

int8_t requantize(int32_t acc, float scale) {
    if (!std::isfinite(scale)) throw std::invalid_argument("requantisation scale must be finite");
    const double v = std::round(double(acc) * double(scale)); // std::round: half away from zero
    return int8_t(std::clamp(v, -128.0, 127.0));
}

std::vector<int8_t> requantize(const std::vector<int32_t>& acc, float scale) {
    if (!std::isfinite(scale)) throw std::invalid_argument("requantisation scale must be finite");
    std::vector<int8_t> out(acc.size());
    std::transform(acc.begin(), acc.end(), out.begin(), [&](int32_t a) { return requantize(a, scale); });
    return out;
}

template <class T> std::vector<T> pad_input(const std::vector<T>& in, uint32_t n, uint32_t c, uint32_t h0, uint32_t w0, uint32_t pad) {
    if (in.size() != size_t(n) * c * h0 * w0) throw std::invalid_argument("pad_input: tensor size does not match its shape");
    const size_t H = h0 + 2 * pad, W = w0 + 2 * pad;
    std::vector<T> out(size_t(n) * c * H * W, T(0));
    for (size_t i = 0; i < size_t(n) * c; ++i)
        for (uint32_t y = 0; y < h0; ++y)
            std::copy_n(&in[(i * h0 + y) * w0], w0, &out[(i * H + y + pad) * W + pad]);
    return out;
}

template std::vector<int32_t> reference_conv<int8_t, int32_t>(const Operator&, const std::vector<int8_t>&, const std::vector<int8_t>&);
template std::vector<float> reference_conv<float, float>(const Operator&, const std::vector<float>&, const std::vector<float>&);
template std::vector<int32_t> execute_schedule<int8_t, int32_t>(const Operator&, const Schedule&, int, const std::vector<int8_t>&,
                                                                const std::vector<int8_t>&);
template std::vector<float> execute_schedule<float, float>(const Operator&, const Schedule&, int, const std::vector<float>&,
                                                           const std::vector<float>&);
template std::vector<int32_t> execute_unchecked<int8_t, int32_t>(const Operator&, const Schedule&, int, const std::vector<int8_t>&,
                                                                 const std::vector<int8_t>&);
template void compute_tile<int8_t, int32_t>(const Operator&, uint32_t, const std::array<uint32_t, kDims>&, const std::array<uint32_t, kDims>&,
                                            const int8_t*, const int8_t*, int32_t*);
template void compute_tile<float, float>(const Operator&, uint32_t, const std::array<uint32_t, kDims>&, const std::array<uint32_t, kDims>&,
                                         const float*, const float*, float*);
template std::vector<int8_t> pad_input<int8_t>(const std::vector<int8_t>&, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
template std::vector<float> pad_input<float>(const std::vector<float>&, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);

} // namespace dynavp::core
