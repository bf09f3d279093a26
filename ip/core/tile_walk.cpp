#include "tile_walk.h"

#include <stdexcept>

namespace dynavp::core {

using namespace sched;

TileWalk::TileWalk(const Operator& op, const Schedule& s, uint32_t slot) : op_(op) {
    if (s.levels() != 4) throw std::invalid_argument("a core walks 4-level schedules (Reg, CoreBuf, GLB, DRAM)");
    ext1_.fill(1);
    ext2_.fill(1);
    for (const auto& f : s.factors) {
        if (f.level <= 1) ext1_[f.dim] *= f.value;
        if (f.level <= 2) ext2_[f.dim] *= f.value;
        if (f.level <= 1 && !f.spatial) inner_cycles_ *= f.value;
    }
    // Loops above the core buffers, outermost first, in the order the
    // functional reference uses (per level: temporal in order, then spatial),
    // so digit strides match execute_schedule's tiles.
    struct L {
        Dim dim;
        uint32_t bound;
        int level;
        bool spatial;
        uint32_t stride = 1;
    };
    std::vector<L> all;
    for (int lvl = 3; lvl >= 2; --lvl) {
        for (Dim d : s.order[size_t(lvl)])
            if (const uint64_t b = s.temporal_bound(lvl, d); b > 1) all.push_back({d, uint32_t(b), lvl, false});
        for (Dim d : kAllDims) {
            uint64_t b = 1;
            for (const auto& f : s.factors)
                if (f.level == lvl && f.spatial && f.dim == d) b *= f.value;
            if (b > 1) all.push_back({d, uint32_t(b), lvl, true});
        }
    }
    std::array<uint64_t, kDims> acc = ext1_;
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        it->stride = uint32_t(acc[it->dim]);
        acc[it->dim] *= it->bound;
    }
    // The slot is a mixed-radix number over the spatial loops (last fastest).
    uint64_t slots = 1;
    for (const L& l : all)
        if (l.spatial) slots *= l.bound;
    if (slot >= slots) throw std::invalid_argument("slot " + std::to_string(slot) + " >= " + std::to_string(slots) + " spatial instances");
    uint64_t rest = slot;
    for (auto it = all.rbegin(); it != all.rend(); ++it)
        if (it->spatial) {
            const uint32_t digit = uint32_t(rest % it->bound);
            base_[it->dim] += digit * it->stride;
            rest /= it->bound;
            for (int v = 0; v < kTensors; ++v) {
                if (relevant(it->dim, Tensor(v))) share_key_[size_t(v)] = share_key_[size_t(v)] * it->bound + digit;
                else sharers_[size_t(v)] *= it->bound;
            }
        }
    for (const L& l : all)
        if (!l.spatial) {
            loops_.push_back({l.dim, l.bound, l.stride, l.level});
            tiles_ *= l.bound;
        }
    tiles_ *= op.groups;
    idx_.assign(loops_.size(), 0);

    // An output tile is visited again each time a loop that does not index
    // the output, outside the innermost loop that does, moves: the visit
    // number is those loops' indices (the cost model's fills/distinct).
    for (int i = 0; i < 2; ++i) {
        const int min_level = i == 0 ? 2 : 3;
        size_t last_rel = 0;
        for (size_t k = 0; k < loops_.size(); ++k)
            if (loops_[k].level >= min_level && relevant(loops_[k].dim, Output)) last_rel = k + 1;
        for (size_t k = 0; k < last_rel; ++k)
            if (loops_[k].level >= min_level && !relevant(loops_[k].dim, Output)) revisit_loops_[size_t(i)].push_back(k);
    }
    for (size_t k : revisit_loops_[1]) glb_out_visits_per_tile_ *= loops_[k].bound;
}

bool TileWalk::next(TileStep& st) {
    if (done_) return false;
    if (started_) { // advance the odometer (group outermost)
        size_t l = loops_.size();
        while (l > 0 && ++idx_[l - 1] == loops_[l - 1].bound) idx_[--l] = 0;
        if (l == 0 && ++group_ == op_.groups) {
            done_ = true;
            return false;
        }
    }
    st.group = group_;
    for (Dim d : kAllDims) st.box.lo[d] = base_[d];
    for (size_t i = 0; i < loops_.size(); ++i) st.box.lo[loops_[i].dim] += idx_[i] * loops_[i].stride;
    for (Dim d : kAllDims) st.box.hi[d] = uint32_t(st.box.lo[d] + ext1_[d]);
    for (int vi = 0; vi < kTensors; ++vi) {
        const Tensor v = Tensor(vi);
        bool core_moved = !started_ || group_ != prev_group_, glb_moved = core_moved;
        for (size_t i = 0; i < loops_.size() && started_; ++i)
            if (idx_[i] != prev_idx_[i] && relevant(loops_[i].dim, v)) {
                core_moved = true;
                if (loops_[i].level == 3) glb_moved = true;
            }
        st.fetch[v] = core_moved;
        st.glb_change[v] = glb_moved;
        if (glb_moved && started_) ++glb_seq_[v];
        st.glb_tile[v] = glb_seq_[v];
    }
    auto visit = [&](const std::vector<size_t>& loops, bool& revisit, bool& final) {
        revisit = false;
        final = true;
        for (size_t k : loops) {
            revisit |= idx_[k] > 0;
            final &= idx_[k] + 1 == loops_[k].bound;
        }
    };
    if (st.fetch[Output]) visit(revisit_loops_[0], st.out_revisit, st.out_final);
    if (st.glb_change[Output]) visit(revisit_loops_[1], st.glb_out_revisit, st.glb_out_final);
    prev_idx_ = idx_;
    prev_group_ = group_;
    started_ = true;
    return true;
}

} // namespace dynavp::core
