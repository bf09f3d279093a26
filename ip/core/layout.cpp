#include "layout.h"

#include <stdexcept>
#include <string>

namespace dynavp::core {

using namespace sched;

WeightBlocking weight_blocking(const Operator& op, const std::array<uint64_t, kDims>& e) {
    WeightBlocking b;
    const uint64_t full[4] = {uint64_t(op.groups) * op[K], op[C], op[R], op[S]};
    b.tile = {e[K], e[C], e[R], e[S]};
    const uint64_t per_group_k = op[K];
    if (e[K] == 0 || per_group_k % e[K] != 0) throw std::invalid_argument("weight blocking: K tile does not divide K");
    for (int i = 0; i < 4; ++i) {
        if (b.tile[size_t(i)] == 0 || full[i] % b.tile[size_t(i)] != 0)
            throw std::invalid_argument("weight blocking: tile " + std::to_string(b.tile[size_t(i)]) + " does not divide " + std::to_string(full[i]));
        b.blocks[size_t(i)] = full[i] / b.tile[size_t(i)];
    }
    return b;
}

WeightBlocking weight_blocking(const Operator& op, const Schedule& s) {
    std::array<uint64_t, kDims> e;
    e.fill(1);
    for (const auto& f : s.factors)
        if (f.level <= 2) e[f.dim] *= f.value;
    return weight_blocking(op, e);
}

uint64_t WeightBlocking::block_offset(uint64_t k, uint64_t c, uint64_t r, uint64_t s) const {
    const uint64_t blk = ((k / tile[0] * blocks[1] + c / tile[1]) * blocks[2] + r / tile[2]) * blocks[3] + s / tile[3];
    return blk * tile_elems();
}

uint64_t WeightBlocking::offset(uint64_t k, uint64_t c, uint64_t r, uint64_t s) const {
    return block_offset(k, c, r, s) + ((k % tile[0] * tile[1] + c % tile[1]) * tile[2] + r % tile[2]) * tile[3] + s % tile[3];
}

namespace {
template <class T, class F> void each(const Operator& op, F f) {
    const uint64_t KK = uint64_t(op.groups) * op[K];
    uint64_t i = 0;
    for (uint64_t k = 0; k < KK; ++k)
        for (uint64_t c = 0; c < op[C]; ++c)
            for (uint64_t r = 0; r < op[R]; ++r)
                for (uint64_t s = 0; s < op[S]; ++s) f(i++, k, c, r, s);
}
} // namespace

template <class T> std::vector<T> to_blocked(const Operator& op, const WeightBlocking& b, const std::vector<T>& in) {
    std::vector<T> out(in.size());
    each<T>(op, [&](uint64_t i, uint64_t k, uint64_t c, uint64_t r, uint64_t s) { out.at(b.offset(k, c, r, s)) = in.at(i); });
    return out;
}

template <class T> std::vector<T> from_blocked(const Operator& op, const WeightBlocking& b, const std::vector<T>& in) {
    std::vector<T> out(in.size());
    each<T>(op, [&](uint64_t i, uint64_t k, uint64_t c, uint64_t r, uint64_t s) { out.at(i) = in.at(b.offset(k, c, r, s)); });
    return out;
}

template std::vector<int8_t> to_blocked<int8_t>(const Operator&, const WeightBlocking&, const std::vector<int8_t>&);
template std::vector<float> to_blocked<float>(const Operator&, const WeightBlocking&, const std::vector<float>&);
template std::vector<int8_t> from_blocked<int8_t>(const Operator&, const WeightBlocking&, const std::vector<int8_t>&);
template std::vector<float> from_blocked<float>(const Operator&, const WeightBlocking&, const std::vector<float>&);

} // namespace dynavp::core
