#include "cost_model.h"

#include <algorithm>
#include <sstream>

namespace dynavp::sched {
namespace {

// Extent of each dim covered by levels <= level (spatial and temporal).
std::array<uint64_t, kDims> extents(const Schedule& s, int level) {
    std::array<uint64_t, kDims> e;
    e.fill(1);
    for (const auto& f : s.factors)
        if (f.level <= level) e[f.dim] *= f.value;
    return e;
}

uint64_t tile_elems(const Operator& op, const std::array<uint64_t, kDims>& e, Tensor v) {
    switch (v) {
    case Weight: return e[R] * e[S] * e[C] * e[K];
    case Input: return e[N] * e[C] * op.input_extent(e[P], e[R]) * op.input_extent(e[Q], e[S]);
    case Output: return e[N] * e[K] * e[P] * e[Q];
    }
    return 0;
}

std::string fmt_bytes(uint64_t b) { return b == kUnbounded ? "unbounded" : std::to_string(b) + " B"; }

// R1 at level i given the extents of the dims there; empty when it holds.
std::string capacity_violation(const Operator& op, const std::array<uint64_t, kDims>& e, const Hardware& hw, int i) {
    const MemLevel& L = hw.levels[i];
    uint64_t U = 0;
    for (int v = 0; v < kTensors; ++v) {
        if (!L.holds(Tensor(v))) continue;
        const uint64_t b = tile_elems(op, e, Tensor(v)) * hw.elem_bytes[v];
        U += b;
        if (L.shared_capacity == 0 && b > L.capacity[v])
            return "R1 violated at " + L.name + ": " + tensor_name(Tensor(v)) + " tile " + fmt_bytes(b) + " > " + fmt_bytes(L.capacity[v]);
    }
    if (L.shared_capacity > 0 && U > L.shared_capacity)
        return "R1 violated at " + L.name + ": U_i = " + fmt_bytes(U) + " > MS_i = " + fmt_bytes(L.shared_capacity);
    return {};
}

} // namespace

std::string check_capacity(const Operator& op, const Schedule& s, const Hardware& hw, int level) {
    return capacity_violation(op, extents(s, level), hw, level);
}

uint64_t tile_bytes(const Operator& op, const Schedule& s, const Hardware& hw, Tensor v, int level) {
    return tile_elems(op, extents(s, level), v) * hw.elem_bytes[v];
}

std::string check_valid(const Operator& op, const Schedule& s, const Hardware& hw) {
    if (s.levels() != int(hw.levels.size())) return "schedule has " + std::to_string(s.levels()) + " levels, hardware " + std::to_string(hw.levels.size());
    for (Dim d : kAllDims)
        if (s.dim_product(d) != op[d])
            return std::string("dimension ") + dim_name(d) + ": factors multiply to " + std::to_string(s.dim_product(d)) + ", operator has " +
                   std::to_string(op[d]);
    for (const auto& f : s.factors)
        if (f.level < 0 || f.level >= s.levels()) return "factor placed at a level that does not exist";
    for (int i = 0; i < s.levels(); ++i) {
        const MemLevel& L = hw.levels[i];
        const uint64_t c = s.spatial_product(i);
        if (c > L.fanout)
            return "R2 violated at " + L.name + ": C_i = " + std::to_string(c) + " spatial instances > P_i = " + std::to_string(L.fanout);
        if (std::string r1 = capacity_violation(op, extents(s, i), hw, i); !r1.empty()) return r1;
    }
    return {};
}

Cost evaluate(const Operator& op, const Schedule& s, const Hardware& hw, uint64_t useful_macs) {
    Cost c;
    c.violation = check_valid(op, s, hw);
    c.valid = c.violation.empty();
    const int L = s.levels();
    c.level.resize(size_t(L));
    c.executed_macs = op.macs();
    c.useful_macs = useful_macs ? useful_macs : c.executed_macs;
    if (!c.valid) return c;
    const uint64_t G = op.groups;

    std::vector<std::array<uint64_t, kDims>> ext(static_cast<size_t>(L));
    for (int i = 0; i < L; ++i) {
        ext[i] = extents(s, i);
        LevelCost& lc = c.level[i];
        lc.C = s.spatial_product(i);
        for (int v = 0; v < kTensors; ++v)
            if (hw.levels[i].holds(Tensor(v))) {
                lc.tile_bytes[v] = tile_elems(op, ext[i], Tensor(v)) * hw.elem_bytes[v];
                lc.U += lc.tile_bytes[v];
            }
    }
    for (int i = L - 1; i >= 0; --i) c.level[i].instances = (i == L - 1) ? 1 : c.level[i + 1].instances * c.level[i + 1].C;

    // Temporal loops above level i, outermost first.
    auto loops_above = [&](int i) {
        std::vector<std::pair<Dim, uint64_t>> loops;
        for (int l = L - 1; l > i; --l)
            for (Dim d : s.order[l]) {
                const uint64_t b = s.temporal_bound(l, d);
                if (b > 1) loops.emplace_back(d, b);
            }
        return loops;
    };

    // Traffic between each level i and the nearest outer level p holding the tensor.
    for (int i = 0; i < L - 1; ++i) {
        const auto loops = loops_above(i);
        for (int vi = 0; vi < kTensors; ++vi) {
            const Tensor v = Tensor(vi);
            if (!hw.levels[i].holds(v)) continue;
            int p = i + 1;
            while (p < L - 1 && !hw.levels[p].holds(v)) ++p;
            // Fills: loops down to the innermost loop that indexes v; the
            // irrelevant loops inside it reuse the tile (stationarity).
            uint64_t fills = 1, distinct = 1;
            size_t last_rel = 0;
            for (size_t k = 0; k < loops.size(); ++k)
                if (relevant(loops[k].first, v)) last_rel = k + 1;
            for (size_t k = 0; k < last_rel; ++k) {
                fills *= loops[k].second;
                if (relevant(loops[k].first, v)) distinct *= loops[k].second;
            }
            // Spatial factors between i and p: relevant ones split the tensor
            // over children; irrelevant ones multicast (or reduce, for outputs).
            uint64_t shared = 1;
            for (int l = i + 1; l <= p; ++l)
                for (const auto& f : s.factors)
                    if (f.level == l && f.spatial && !relevant(f.dim, v)) shared *= f.value;
            const uint64_t tile = tile_elems(op, ext[i], v);
            const uint64_t copies = c.level[i].instances; // child tiles alive at once
            const uint64_t unique = copies / shared;      // distinct data among them
            const uint64_t eb = hw.elem_bytes[v];
            LevelCost &child = c.level[i], &parent = c.level[p];
            if (v != Output) {
                child.write_bytes[v] += G * copies * fills * tile * eb;
                parent.read_bytes[v] += G * unique * fills * tile * eb;
            } else {
                // Each fill is written back once (partial or final); all but
                // the first visit of a tile read the partial sum back.
                const uint64_t back = G * unique * fills * tile, first = G * unique * distinct * tile;
                const uint64_t parent_eb = (p == L - 1) ? hw.dram_output_bytes : eb;
                // Final results leave at parent_eb bytes; partial sums travel at full width.
                parent.write_bytes[v] += first * parent_eb + (back - first) * eb;
                parent.read_bytes[v] += (back - first) * eb;
                child.read_bytes[v] += G * copies * fills * tile * eb; // every child sends its own partial sums
                child.write_bytes[v] += (back - first) * eb;
            }
        }
    }
    // The MACs themselves: operands from registers, accumulator read-modify-write.
    const uint64_t macs = c.executed_macs;
    c.level[0].read_bytes[Weight] += macs * hw.elem_bytes[Weight];
    c.level[0].read_bytes[Input] += macs * hw.elem_bytes[Input];
    c.level[0].read_bytes[Output] += macs * hw.elem_bytes[Output];
    c.level[0].write_bytes[Output] += macs * hw.elem_bytes[Output];

    uint64_t temporal = 1;
    for (const auto& f : s.factors)
        if (!f.spatial) temporal *= f.value;
    c.compute_cycles = temporal * G;
    double transfer_max = 0, transfer_sum = 0;
    for (int i = 0; i < L; ++i) {
        LevelCost& lc = c.level[i];
        const MemLevel& m = hw.levels[i];
        uint64_t rb = 0, wb = 0;
        for (int v = 0; v < kTensors; ++v) {
            rb += lc.read_bytes[v];
            wb += lc.write_bytes[v];
        }
        lc.energy_pj = double(rb) * m.read_pj_per_byte + double(wb) * m.write_pj_per_byte;
        c.energy_pj += lc.energy_pj;
        if (i > 0 && m.bytes_per_cycle > 0) {
            // Everything the level reads and writes crosses its port; register traffic (i = 0) is inside the MAC.
            lc.transfer_cycles = double(rb + wb) / (m.bytes_per_cycle * double(lc.instances));
            transfer_max = std::max(transfer_max, lc.transfer_cycles);
            transfer_sum += lc.transfer_cycles;
        }
    }
    c.mac_energy_pj = double(macs) * hw.mac_pj;
    c.energy_pj += c.mac_energy_pj;
    c.cycles = hw.double_buffered ? std::max(double(c.compute_cycles), transfer_max) : double(c.compute_cycles) + transfer_sum;
    const double pes = double(hw.total_pes());
    c.pe_utilization = double(c.useful_macs) / (c.cycles * pes);
    uint64_t used = 1;
    for (const auto& lc : c.level) used *= lc.C;
    c.spatial_utilization = double(used) / pes;
    return c;
}

nlohmann::json Cost::to_json(const Hardware& hw) const {
    nlohmann::json j;
    j["valid"] = valid;
    if (!valid) j["violation"] = violation;
    j["cycles"] = cycles;
    j["compute_cycles"] = compute_cycles;
    j["executed_macs"] = executed_macs;
    j["useful_macs"] = useful_macs;
    j["pe_utilization"] = pe_utilization;
    j["spatial_utilization"] = spatial_utilization;
    j["energy_pj"] = energy_pj;
    j["mac_energy_pj"] = mac_energy_pj;
    j["levels"] = nlohmann::json::array();
    for (size_t i = 0; i < level.size(); ++i) {
        const LevelCost& l = level[i];
        nlohmann::json lj = {{"name", hw.levels[i].name}, {"U", l.U}, {"C", l.C}, {"instances", l.instances},
                             {"transfer_cycles", l.transfer_cycles}, {"energy_pj", l.energy_pj}};
        for (int v = 0; v < kTensors; ++v) {
            lj["tile_bytes"][tensor_name(Tensor(v))] = l.tile_bytes[v];
            lj["read_bytes"][tensor_name(Tensor(v))] = l.read_bytes[v];
            lj["write_bytes"][tensor_name(Tensor(v))] = l.write_bytes[v];
        }
        j["levels"].push_back(lj);
    }
    return j;
}

} // namespace dynavp::sched
