#include "mappers.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <stdexcept>

namespace dynavp::sched {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Lower cycles first; energy breaks near-ties.
bool better(const Cost& a, const Cost& b) {
    if (!a.valid) return false;
    if (!b.valid) return true;
    if (a.cycles < b.cycles * (1 - 1e-9)) return true;
    if (b.cycles < a.cycles * (1 - 1e-9)) return false;
    return a.energy_pj < b.energy_pj;
}

bool level_fits(const Operator& op, const Schedule& s, const Hardware& hw, int i) { return check_capacity(op, s, hw, i).empty(); }

// Makes any placement valid: spatial overflow becomes temporal, buffer
// overflow pushes factors outwards (DRAM holds anything).
void repair(const Operator& op, Schedule& s, const Hardware& hw) {
    const int L = s.levels();
    for (int i = 0; i < L; ++i) {
        while (s.spatial_product(i) > hw.levels[i].fanout) {
            FactorSlot* big = nullptr;
            for (auto& f : s.factors)
                if (f.level == i && f.spatial && (!big || f.value > big->value)) big = &f;
            big->spatial = false;
        }
    }
    for (int i = 0; i < L - 1; ++i) {
        while (!level_fits(op, s, hw, i)) {
            // Which tensors overflow here (all held ones when a shared buffer does).
            const MemLevel& Lv = hw.levels[i];
            std::array<bool, kTensors> over{};
            for (int v = 0; v < kTensors; ++v)
                over[v] = Lv.holds(Tensor(v)) && (Lv.shared_capacity > 0 || tile_bytes(op, s, hw, Tensor(v), i) > Lv.capacity[v]);
            // Move the outermost (then largest) factor at or below level i that
            // shrinks an overflowing tensor one level out; keep it spatial if it fits there.
            FactorSlot* pick = nullptr;
            for (auto& f : s.factors) {
                bool shrinks = false;
                for (int v = 0; v < kTensors; ++v) shrinks |= over[v] && relevant(f.dim, Tensor(v));
                if (shrinks && f.level <= i && (!pick || f.level > pick->level || (f.level == pick->level && f.value > pick->value)))
                    pick = &f;
            }
            if (!pick) break;
            const bool was_spatial = pick->spatial;
            pick->spatial = false;
            pick->level = i + 1;
            if (was_spatial && s.spatial_product(i + 1) * pick->value <= hw.levels[i + 1].fanout) pick->spatial = true;
        }
    }
}

// (level, spatial?) a factor may take: temporal anywhere, spatial where the level fans out.
std::vector<std::pair<int, bool>> placements(const Hardware& hw) {
    std::vector<std::pair<int, bool>> places;
    for (int i = 0; i < int(hw.levels.size()); ++i) {
        places.emplace_back(i, false);
        if (hw.levels[i].fanout > 1) places.emplace_back(i, true);
    }
    return places;
}

Schedule random_placement(const Operator& op, const Hardware& hw, const std::vector<std::pair<int, bool>>& places, std::mt19937_64& rng) {
    std::uniform_int_distribution<size_t> pick_place(0, places.size() - 1);
    Schedule s = all_outermost(op, int(hw.levels.size()));
    for (auto& f : s.factors) std::tie(f.level, f.spatial) = places[pick_place(rng)];
    for (auto& ord : s.order) std::shuffle(ord.begin(), ord.end(), rng);
    repair(op, s, hw);
    return s;
}

uint64_t mix(uint64_t seed, const Operator& op) {
    uint64_t h = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
    for (uint32_t v : op.size) h = (h ^ v) * 0x100000001B3ull;
    return h;
}

} // namespace

Operator pad_to_smooth(const Operator& op, const Hardware& hw, std::vector<std::string>* notes) {
    Operator out = op;
    for (Dim d : kAllDims) {
        const uint32_t padded = smooth_at_least(op[d], hw.max_prime);
        if (padded != op[d]) {
            if (notes)
                notes->push_back(std::string("padded ") + dim_name(d) + " " + std::to_string(op[d]) + " -> " + std::to_string(padded) +
                                 " (prime factor above " + std::to_string(hw.max_prime) + ")");
            out[d] = padded;
        }
    }
    return out;
}

MapResult search_schedule(const Operator& op, const Hardware& hw, const MapperOptions& o, uint64_t useful_macs,
                          const std::vector<Schedule>& seeds) {
    const auto t0 = Clock::now();
    MapResult r;
    r.mapper = "search";
    r.executed = op;
    const int L = int(hw.levels.size());
    std::mt19937_64 rng(mix(o.seed, op));
    Schedule best = all_outermost(op, L); // always valid: everything in DRAM
    repair(op, best, hw);
    Cost best_cost = evaluate(op, best, hw, useful_macs);
    r.candidates = 1;
    auto consider = [&](const Schedule& s) {
        Cost c = evaluate(op, s, hw, useful_macs);
        ++r.candidates;
        if (better(c, best_cost)) {
            best = s;
            best_cost = c;
        }
    };
    for (const Schedule& s : seeds) consider(s);

    const std::vector<std::pair<int, bool>> places = placements(hw);
    const size_t nf = best.factors.size();
    double space = 1;
    for (size_t k = 0; k < nf; ++k) space *= double(places.size());
    if (space <= double(o.exhaustive_limit)) {
        // Small: every placement with the default order, then order search below.
        std::vector<size_t> idx(nf, 0);
        Schedule s = all_outermost(op, L);
        for (;;) {
            for (size_t k = 0; k < nf; ++k) std::tie(s.factors[k].level, s.factors[k].spatial) = places[idx[k]];
            if (check_valid(op, s, hw).empty()) consider(s);
            size_t k = 0;
            while (k < nf && ++idx[k] == places.size()) idx[k++] = 0;
            if (k == nf) break;
        }
    } else {
        for (uint32_t n = 0; n < o.samples; ++n) consider(random_placement(op, hw, places, rng));
    }
    // Local search: move one factor, or swap two loops of one level.
    if (nf > 0) {
        std::uniform_int_distribution<size_t> pick_factor(0, nf - 1), pick_place(0, places.size() - 1), pick_dim(0, kDims - 1);
        std::uniform_int_distribution<int> pick_level(0, L - 1), coin(0, 2);
        for (uint32_t n = 0; n < o.local_steps; ++n) {
            Schedule s = best;
            if (coin(rng) == 0) {
                auto& ord = s.order[size_t(pick_level(rng))];
                std::swap(ord[pick_dim(rng)], ord[pick_dim(rng)]);
            } else {
                FactorSlot& f = s.factors[pick_factor(rng)];
                std::tie(f.level, f.spatial) = places[pick_place(rng)];
                repair(op, s, hw);
            }
            consider(s);
        }
    }
    r.schedule = best;
    r.cost = best_cost;
    r.seconds = since(t0);
    return r;
}

namespace {
// Puts dim j's loop first (outermost) or last (innermost) in a level's order.
void move_loop(LoopOrder& o, Dim j, bool outermost) {
    auto it = std::find(o.begin(), o.end(), j);
    if (outermost) std::rotate(o.begin(), it, it + 1);
    else std::rotate(it, it + 1, o.end());
}
} // namespace

Schedule random_schedule(const Operator& op, const Hardware& hw, uint64_t seed) {
    std::mt19937_64 rng(mix(seed, op));
    return random_placement(op, hw, placements(hw), rng);
}

std::vector<Dim> changed_dims(const Operator& backbone, const Operator& dynamic) {
    std::vector<Dim> v;
    for (Dim d : kAllDims)
        if (backbone[d] != dynamic[d]) v.push_back(d);
    return v;
}

DimOrder parse_dim_order(const std::string& s) {
    if (s == "table") return DimOrder::Table;
    if (s == "nest") return DimOrder::Nest;
    if (s == "backbone") return DimOrder::Backbone;
    throw std::invalid_argument("unknown dimension order \"" + s + "\" (known: table, nest, backbone)");
}

Schedule transverter_transform(const Operator& backbone, const Schedule& bbs, const Operator& dyn, const Hardware& hw,
                               uint64_t* updates, const TransverterOptions& opt) {
    if (opt.maxbuff == DimOrder::Backbone || opt.maxcomp == DimOrder::Nest)
        throw std::invalid_argument("MaxBuff takes table or nest order, MaxComp table or backbone order");
    const int L = bbs.levels(), I = L - 1;
    uint64_t writes = 0;
    // Initialization (Alg. 1 lines 5-10): changed dims refactorised, all at (I, temporal).
    // The computation order is kept (DNA sec. V-B): a dim keeps its place in
    // each level's order wherever the backbone schedule had a loop of it. A
    // dim that had none there is placed where the nest already had it: the
    // changed dims' factors come from inner levels, so they go innermost at
    // level I; MaxBuff pulls a factor in from level i+1, i.e. from just
    // outside level i's loops, so it enters level i outermost.
    Schedule m = bbs;
    const std::vector<Dim> changed = changed_dims(backbone, dyn);
    if (changed.empty()) { // no agent changed anything: nothing to transform
        if (updates) *updates = 0;
        return m;
    }
    for (Dim j : changed) {
        if (m.temporal_bound(I, j) == 1) move_loop(m.order[size_t(I)], j, false);
        refactor_dim(m, j, dyn[j], I);
        writes += prime_factors(dyn[j]).size();
    }
    for (int i = I - 1; i >= 1; --i) {
        // MaxBuff (lines 11-14): pull temporal factors of level i+1 into level i
        // while R1 holds (eta.MS_i / m.U_i >= F).
        LoopOrder visit = kAllDims;
        if (opt.maxbuff == DimOrder::Nest) {
            visit = m.order[size_t(i + 1)];
            std::reverse(visit.begin(), visit.end());
        }
        for (Dim j : visit) {
            bool stored = false;
            for (int v = 0; v < kTensors; ++v) stored |= relevant(j, Tensor(v)) && hw.levels[i].holds(Tensor(v));
            if (!stored) continue;
            for (auto& f : m.factors) {
                if (f.dim != j || f.level != i + 1 || f.spatial) continue;
                const bool first_here = m.temporal_bound(i, j) == 1 && bbs.temporal_bound(i, j) == 1;
                f.level = i;
                if (level_fits(dyn, m, hw, i)) {
                    ++writes;
                    if (first_here) move_loop(m.order[size_t(i)], j, true);
                } else {
                    f.level = i + 1;
                }
            }
        }
        // MaxComp (lines 15-21): while r = eta.P_i / m.C_i >= 2, map temporal
        // factors of levels i..0 with F <= r to spatial at level i.
        std::vector<Dim> dims(kAllDims.begin(), kAllDims.end());
        auto bb_spatial = [&](Dim d) {
            uint64_t p = 1;
            for (const auto& f : bbs.factors)
                if (f.level == i && f.spatial && f.dim == d) p *= f.value;
            return p;
        };
        if (opt.maxcomp == DimOrder::Backbone) // widest backbone spatial dim first, ties in table order
            std::stable_sort(dims.begin(), dims.end(), [&](Dim a, Dim b) { return bb_spatial(a) > bb_spatial(b); });
        const uint64_t P = hw.levels[i].fanout;
        bool moved = true;
        while (moved && P / m.spatial_product(i) >= 2) {
            moved = false;
            for (int ip = i; ip >= 0; --ip)
                for (Dim j : dims)
                    for (auto& f : m.factors) {
                        if (f.dim != j || f.level != ip || f.spatial) continue;
                        if (m.spatial_product(i) * f.value > P) continue; // F > r
                        f.level = i;
                        f.spatial = true;
                        ++writes;
                        moved = true;
                    }
        }
    }
    if (updates) *updates = writes;
    return m;
}

KernelLibrary::KernelLibrary(const Operator& backbone, const std::vector<Dim>& dyn_dims, const Hardware& hw, uint32_t count,
                             const MapperOptions& o) {
    const auto t0 = Clock::now();
    std::vector<Operator> shapes = {backbone};
    const Operator largest = pad_to_smooth(backbone, hw, nullptr); // no sampled shape may exceed it
    std::mt19937_64 rng(mix(o.seed ^ 0x4C1B, backbone));
    for (uint32_t attempt = 0; shapes.size() < count && attempt < count * 50; ++attempt) {
        Operator s = backbone;
        for (Dim d : dyn_dims) {
            const uint32_t bb = backbone[d], lo = std::max<uint32_t>(1, (bb + 7) / 8), q = bb >= 64 ? 8 : 1;
            uint32_t v = std::uniform_int_distribution<uint32_t>(lo, bb)(rng);
            v = std::min(bb, (v + q - 1) / q * q);
            s[d] = v;
        }
        s = pad_to_smooth(s, hw, nullptr);
        bool dup = false;
        for (const auto& x : shapes) dup |= (x == s);
        for (Dim d : kAllDims) dup |= s[d] > largest[d];
        if (!dup) shapes.push_back(s);
    }
    for (const Operator& s : shapes) {
        Operator named = s;
        named.name = s.to_string();
        kernels_.push_back({named, search_schedule(s, hw, o).schedule});
    }
    build_seconds_ = since(t0);
}

const KernelLibrary::Kernel& KernelLibrary::lookup(const Operator& dyn) const {
    const Kernel* best = nullptr;
    for (const auto& k : kernels_) {
        bool covers = true;
        for (Dim d : kAllDims) covers &= k.shape[d] >= dyn[d];
        if (covers && (!best || k.shape.macs() < best->shape.macs())) best = &k;
    }
    if (!best) throw std::invalid_argument("no kernel in the library covers " + dyn.to_string());
    return *best;
}

MapperSuite::MapperSuite(const Operator& backbone, const std::vector<Dim>& dyn_dims, const Hardware& hw, const MapperOptions& o,
                         uint32_t library_kernels)
    : backbone_(pad_to_smooth(backbone, hw, nullptr)), hw_(hw), opts_(o) {
    offline_ = search_schedule(backbone_, hw_, opts_);
    offline_.mapper = "offline";
    if (!offline_.cost.valid)
        throw std::invalid_argument("no valid schedule for " + backbone_.to_string() + " on " + hw_.name + ": " + offline_.cost.violation);
    pad_to_smooth(backbone, hw, &offline_.notes);
    library_ = std::make_unique<KernelLibrary>(backbone_, dyn_dims, hw_, library_kernels, opts_);
}

const std::vector<std::string>& MapperSuite::names() {
    static const std::vector<std::string> n = {"offline", "static", "library", "transverter", "oracle"};
    return n;
}

MapResult MapperSuite::run(const std::string& mapper, const Operator& dyn_in) const {
    const auto t0 = Clock::now();
    MapResult r;
    r.mapper = mapper;
    for (Dim d : kAllDims)
        if (dyn_in[d] > backbone_[d])
            throw std::invalid_argument(std::string("dynamic ") + dim_name(d) + "=" + std::to_string(dyn_in[d]) + " exceeds the backbone's " +
                                        std::to_string(backbone_[d]));
    const uint64_t useful = dyn_in.macs();
    if (mapper == "offline") return offline_; // its cost counts all of the backbone's MACs as useful
    if (mapper == "static") {
        r.executed = backbone_;
        r.schedule = offline_.schedule;
        r.notes.push_back("runs the backbone shape " + backbone_.to_string() + ", padded");
    } else if (mapper == "library") {
        const auto& k = library_->lookup(dyn_in);
        r.executed = k.shape;
        r.schedule = k.schedule;
        r.notes.push_back("kernel " + k.shape.to_string() + " of " + std::to_string(library_->kernels().size()));
    } else if (mapper == "transverter" || mapper == "oracle") {
        r.executed = pad_to_smooth(dyn_in, hw_, &r.notes);
        r.schedule = transverter_transform(backbone_, offline_.schedule, r.executed, hw_, &r.table_updates, opts_.transverter);
        if (mapper == "oracle") {
            MapperOptions o = opts_;
            o.seed = mix(opts_.seed, r.executed);
            MapResult s = search_schedule(r.executed, hw_, o, useful, {r.schedule});
            r.schedule = s.schedule;
            r.candidates = s.candidates;
            r.table_updates = 0;
        }
    } else {
        throw std::invalid_argument("unknown mapper \"" + mapper + "\" (known: offline, static, library, transverter, oracle)");
    }
    r.cost = evaluate(r.executed, r.schedule, hw_, useful);
    r.seconds = since(t0);
    return r;
}

} // namespace dynavp::sched
