#include "plan.h"

#include <stdexcept>
#include <string>

#include "ip/core/functional.h"

namespace dynavp::fw {

using sched::Dim;

std::vector<std::pair<uint32_t, uint32_t>> runs_of(const std::vector<uint8_t>& used) {
    std::vector<std::pair<uint32_t, uint32_t>> r;
    for (uint32_t i = 0; i < used.size(); ++i) {
        if (!used[i]) continue;
        if (!r.empty() && r.back().first + r.back().second == i) ++r.back().second;
        else r.push_back({i, 1});
    }
    return r;
}

TileBytes tile_bytes(const ZooLayer& layer, const DynamicSpec& spec, uint32_t elem_bytes) {
    const sched::Operator& op = layer.op;
    const uint64_t t = spec.tiles;
    TileBytes b;
    b.weight = core::weight_elems(op) * elem_bytes / t;
    b.input = core::input_elems(op) * elem_bytes / t;
    b.output = core::output_elems(op) * elem_bytes / t;
    return b;
}

uint64_t expert_bytes(const ZooLayer& layer, const DynamicSpec& spec, uint32_t elem_bytes) {
    uint64_t w = core::weight_elems(layer.op);
    if (spec.agent == AgentKind::Routing)
        for (const auto& e : spec.expert_ops) w += core::weight_elems(e);
    return w * elem_bytes;
}

std::vector<Piece> plan_pieces(const ZooLayer& layer, const DynamicSpec& spec, const LayerDecision& d, uint32_t elem_bytes) {
    if (d.used.size() != spec.tiles)
        throw std::invalid_argument(layer.name + ": decision has " + std::to_string(d.used.size()) + " tiles, the layer " + std::to_string(spec.tiles));
    std::vector<Piece> out;
    const sched::Operator& bb = layer.op;
    switch (spec.agent) {
    case AgentKind::EarlyExit: return out;
    case AgentKind::Routing: {
        if (d.tokens.size() != bb[sched::N])
            throw std::invalid_argument(layer.name + ": routing decision for " + std::to_string(d.tokens.size()) + " tokens, the layer has " +
                                        std::to_string(bb[sched::N]));
        std::vector<std::vector<uint32_t>> to(spec.tiles);
        for (uint32_t t = 0; t < d.tokens.size(); ++t)
            for (uint32_t e : d.tokens[t]) {
                if (e >= spec.tiles) throw std::invalid_argument(layer.name + ": token " + std::to_string(t) + " routed to expert " + std::to_string(e));
                to[e].push_back(t);
            }
        const uint64_t eb = expert_bytes(layer, spec, elem_bytes);
        for (uint32_t e = 0; e < spec.tiles; ++e) {
            if (to[e].empty()) continue;
            Piece p;
            p.first_tile = e, p.tiles = 1;
            p.tokens = to[e];
            p.w_offset = e * eb;
            sched::Operator op = bb;
            op[sched::N] = uint32_t(to[e].size());
            p.ops.push_back(op);
            for (sched::Operator x : spec.expert_ops) {
                x[sched::N] = op[sched::N];
                p.ops.push_back(x);
            }
            out.push_back(p);
        }
        return out;
    }
    case AgentKind::ConditionalMixing: {
        // Mixed kernel = sum_e r_e W_e: a matmul with the kernel's elements as
        // rows (N), the experts as the reduction (C) and one output (K).
        Piece p;
        p.first_tile = 0, p.tiles = spec.tiles;
        sched::Operator mix;
        mix[sched::N] = uint32_t(core::weight_elems(bb));
        mix[sched::C] = spec.tiles;
        mix[sched::K] = 1;
        p.ops = {mix, bb};
        out.push_back(p);
        return out;
    }
    case AgentKind::Gating:
    case AgentKind::RegionMask:
    case AgentKind::TokenMerge: {
        const Dim dim = spec.dim;
        if (bb[dim] % spec.tiles) throw std::invalid_argument(layer.name + ": tiles do not divide the dim");
        const uint32_t per = bb[dim] / spec.tiles;
        const TileBytes tb = tile_bytes(layer, spec, elem_bytes);
        for (const auto& [first, n] : runs_of(d.used)) {
            Piece p;
            p.first_tile = first, p.tiles = n;
            sched::Operator op = bb;
            op[dim] = per * n;
            p.ops.push_back(op);
            // K slices weights and output; N slices input and output; P (band-major) input and output.
            if (dim == sched::K) p.w_offset = first * tb.weight;
            else p.in_offset = first * tb.input;
            p.out_offset = first * tb.output;
            out.push_back(p);
        }
        return out;
    }
    }
    return out;
}

} // namespace dynavp::fw
