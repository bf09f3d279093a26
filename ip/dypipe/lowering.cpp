#include "lowering.h"

#include <algorithm>
#include <random>
#include <stdexcept>

namespace dynavp::dypipe {

namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// The Stores of an operation, with the output rows each one wrote (all rows: [0, 1) for vectors).
struct Produced {
    uint32_t store;
    uint64_t row_lo, row_hi;
};

class Builder {
public:
    Builder(Program& p, const DyPipeHardware& hw) : p_(p), hw_(hw) {}
    // Budgets: a quarter of the buffer for resident weights, the rest in two slots.
    uint64_t weight_budget() const { return hw_.global_bytes / 4; }
    uint64_t slot() const {
        const uint64_t half = (hw_.global_bytes - weight_budget()) / 2;
        return hw_.block_bytes ? std::min(hw_.block_bytes, half) : half;
    }
    uint32_t eb() const { return hw_.elem_bytes; }

    void begin(const std::string& name, const std::string& kind, int64_t decided_by = -1) {
        ProgramOp o;
        o.name = name;
        o.kind = kind;
        o.first = uint32_t(p_.functions.size());
        o.decided_by = decided_by;
        p_.ops.push_back(o);
        op_blocks_ = 0;
        resident_load_ = kNone;
    }
    void end() { p_.ops.back().count = uint32_t(p_.functions.size()) - p_.ops.back().first; }

    // One data block: Load (deps: producers' stores), Compute, Store. Returns the Store's index.
    // resident: this Load also brings what the op's later blocks read (weights, the
    // input vector) into the resident region, which the previous resident data's
    // users must be done with.
    uint32_t block(uint64_t load_bytes, uint64_t macs, uint64_t vops, uint64_t store_bytes, std::vector<uint32_t> load_deps, bool resident = false) {
        const uint32_t op = uint32_t(p_.ops.size() - 1), b = op_blocks_++;
        const size_t n = computes_.size();
        // Double buffering (across operations too): this Load refills the slot the
        // block two back computed from; this Compute overwrites that block's output before its Store read it.
        if (n >= 2) load_deps.push_back(computes_[n - 2]);
        if (resident) {
            load_deps.insert(load_deps.end(), resident_users_.begin(), resident_users_.end());
            resident_users_.clear();
        }
        std::sort(load_deps.begin(), load_deps.end());
        load_deps.erase(std::unique(load_deps.begin(), load_deps.end()), load_deps.end());
        const uint32_t l = add({Module::Load, op, b, load_bytes, 0, 0, load_deps});
        std::vector<uint32_t> cdeps = {l};
        if (!resident && resident_load_ != kNone) cdeps.push_back(resident_load_);
        if (n >= 2) cdeps.push_back(stores_[n - 2]);
        if (resident) resident_load_ = l;
        const uint32_t c = add({Module::Compute, op, b, 0, macs, vops, cdeps});
        const uint32_t s = add({Module::Store, op, b, store_bytes, 0, 0, {c}});
        computes_.push_back(c);
        stores_.push_back(s);
        if (resident_load_ != kNone) resident_users_.push_back(c);
        return s;
    }

private:
    uint32_t add(ModuleFunction f) {
        p_.functions.push_back(std::move(f));
        return uint32_t(p_.functions.size() - 1);
    }
    static constexpr uint32_t kNone = ~0u;
    Program& p_;
    const DyPipeHardware& hw_;
    std::vector<uint32_t> computes_, stores_; // of every block so far, in order (the slots alternate)
    std::vector<uint32_t> resident_users_;   // Computes reading the resident region's current contents
    uint32_t op_blocks_ = 0, resident_load_ = kNone;
};

// The producers' stores covering rows [lo, hi) of their output.
std::vector<uint32_t> stores_for(const std::vector<std::vector<Produced>>& made, const std::vector<size_t>& inputs, uint64_t lo, uint64_t hi) {
    std::vector<uint32_t> deps;
    for (size_t in : inputs)
        for (const Produced& pr : made[in])
            if (pr.row_lo < hi && lo < pr.row_hi) deps.push_back(pr.store);
    return deps;
}

} // namespace

Program lower_network(const ZooNetwork& net, const DyPipeHardware& hw) {
    using sched::Dim;
    Program p;
    p.name = net.name;
    Builder B(p, hw);
    const uint64_t eb = hw.elem_bytes;
    std::vector<std::vector<Produced>> made(net.layers.size());
    std::vector<uint64_t> out_rows(net.layers.size(), 1);
    for (size_t li = 0; li < net.layers.size(); ++li) {
        const ZooLayer& L = net.layers[li];
        const sched::Operator& op = L.op;
        const uint64_t P = op[Dim::P], Q = op[Dim::Q], C = op[Dim::C], K = op[Dim::K], R = op[Dim::R], S = op[Dim::S];
        // Rows of the input: the producer's output rows (the network input: what the window needs).
        uint64_t H = 0;
        for (size_t in : L.inputs) H = std::max(H, out_rows[in]);
        if (L.inputs.empty()) H = op.input_extent(P, R);
        if (L.kind == LayerKind::Concat) { // no functions: consumers read the inputs' stores
            for (size_t in : L.inputs) made[li].insert(made[li].end(), made[in].begin(), made[in].end());
            out_rows[li] = P;
            continue;
        }
        B.begin(L.name, to_string(L.kind));
        if (L.kind == LayerKind::Fc) {
            // Blocks of kb output neurons: weights C x kb per block, the input vector once.
            const uint64_t per_out = C * eb + eb;
            const uint64_t kb = std::max<uint64_t>(1, std::min<uint64_t>(K, (B.slot() > C * eb ? B.slot() - C * eb : 0) / per_out));
            const std::vector<uint32_t> all = stores_for(made, L.inputs, 0, ~uint64_t(0));
            for (uint64_t k0 = 0, b = 0; k0 < K; k0 += kb, ++b) {
                const uint64_t k = std::min(kb, K - k0);
                made[li].push_back({B.block((b == 0 ? C * eb : 0) + k * C * eb, k * C, k, k * eb, b == 0 ? all : std::vector<uint32_t>{}, b == 0), 0, 1});
            }
            p.useful_macs += C * K;
            out_rows[li] = 1;
        } else {
            const bool pool = L.kind == LayerKind::PoolMax || L.kind == LayerKind::PoolAvg, add = L.kind == LayerKind::Add;
            const uint64_t Kout = pool || add ? C : K;
            const uint64_t W = op.input_extent(Q, S); // input columns the windows read
            const uint64_t weights = pool || add ? 0 : R * S * C * K * eb;
            const uint64_t Kg = ceil_div(Kout, std::max<uint64_t>(1, ceil_div(weights, B.weight_budget())));
            const uint64_t groups = ceil_div(Kout, Kg); // every group non-empty
            const uint64_t inputs = add ? L.inputs.size() : 1;
            // Rows per block: as many output rows as fit a slot (at least one).
            const uint64_t pad = op.input_extent(P, R) > H ? (op.input_extent(P, R) - H) / 2 : 0;
            auto in_rows = [&](uint64_t rows) { return (rows - 1) * op.stride + R; };
            uint64_t b = 1;
            while (b < P && inputs * in_rows(b + 1) * W * C * eb + (b + 1) * Q * Kg * eb <= B.slot()) ++b;
            for (uint64_t g = 0; g < groups; ++g) {
                const uint64_t kg = std::min(Kg, Kout - g * Kg);
                for (uint64_t r0 = 0, j = 0; r0 < P; r0 += b, ++j) {
                    const uint64_t rows = std::min(b, P - r0);
                    const uint64_t lo = std::min(H, r0 * op.stride > pad ? r0 * op.stride - pad : 0);
                    const uint64_t hi = std::max(lo, std::min(H, lo + in_rows(rows)));
                    const uint64_t load = inputs * (hi - lo) * W * C * eb + (j == 0 && weights > 0 ? R * S * C * kg * eb : 0);
                    const uint64_t macs = pool || add ? 0 : rows * Q * kg * C * R * S;
                    const uint64_t vops = pool ? rows * Q * kg * R * S : add ? rows * Q * kg * inputs : 0;
                    const uint32_t s = B.block(load, macs, vops, rows * Q * kg * eb, stores_for(made, L.inputs, lo, hi), j == 0 && weights > 0);
                    made[li].push_back({s, r0, r0 + rows});
                }
            }
            if (!pool && !add) p.useful_macs += P * Q * K * C * R * S;
            out_rows[li] = P;
        }
        B.end();
    }
    return p;
}

const char* to_string(CellKind k) {
    switch (k) {
    case CellKind::Rnn: return "rnn";
    case CellKind::Lstm: return "lstm";
    case CellKind::Gru: return "gru";
    }
    return "?";
}

CellKind parse_cell_kind(const std::string& s) {
    if (s == "rnn") return CellKind::Rnn;
    if (s == "lstm") return CellKind::Lstm;
    if (s == "gru") return CellKind::Gru;
    throw std::invalid_argument("unknown cell \"" + s + "\" (known: rnn, lstm, gru)");
}

namespace {

// One recurrent cell step: gates = FC([x, h]) in blocks of output neurons, then
// the element-wise update (activations, state) as one block. Returns the
// update's Store (h_t). `prev`: the Store of h_{t-1} (none for t = 0).
uint32_t cell_step(Builder& B, Program& p, const std::string& name, uint64_t in, uint64_t gates, uint64_t hidden, uint64_t eb,
                   std::vector<uint32_t> prev, int64_t decided_by) {
    B.begin(name + ".gates", "fc", decided_by);
    const uint64_t per_out = in * eb + eb;
    const uint64_t kb = std::max<uint64_t>(1, std::min<uint64_t>(gates, (B.slot() > in * eb ? B.slot() - in * eb : 0) / per_out));
    std::vector<uint32_t> gate_stores;
    for (uint64_t k0 = 0, b = 0; k0 < gates; k0 += kb, ++b) {
        const uint64_t k = std::min(kb, gates - k0);
        gate_stores.push_back(B.block((b == 0 ? in * eb : 0) + k * in * eb, k * in, 0, k * eb, b == 0 ? prev : std::vector<uint32_t>{}, b == 0));
    }
    p.useful_macs += in * gates;
    B.end();
    B.begin(name + ".update", "eltwise");
    // Reads the gates (and the cell state), applies sigmoid/tanh and the state update, writes h (and c).
    const uint32_t h = B.block((gates + hidden) * eb, 0, 3 * gates + 2 * hidden, 2 * hidden * eb, gate_stores);
    B.end();
    return h;
}

} // namespace

Program lower_sequence(const SequenceModel& m, const std::vector<uint32_t>& lengths, uint32_t pad_to, const DyPipeHardware& hw) {
    if (m.hidden == 0 || m.embedding == 0) throw std::invalid_argument("sequence model: hidden and embedding sizes must be > 0");
    Program p;
    p.name = std::string("seq2seq-") + to_string(m.cell);
    Builder B(p, hw);
    const uint64_t eb = hw.elem_bytes, H = m.hidden, E = m.embedding;
    const uint64_t G = (m.cell == CellKind::Rnn ? 1 : m.cell == CellKind::Gru ? 3 : 4) * H;
    uint64_t useful = 0;
    for (size_t s = 0; s < lengths.size(); ++s) {
        if (lengths[s] == 0) throw std::invalid_argument("sequence model: sample " + std::to_string(s) + " has length 0");
        if (pad_to && lengths[s] > pad_to)
            throw std::invalid_argument("sequence model: sample " + std::to_string(s) + " is longer (" + std::to_string(lengths[s]) +
                                        ") than the compiled length " + std::to_string(pad_to));
        const uint32_t steps = pad_to ? pad_to : lengths[s];
        std::vector<uint32_t> h;
        for (uint32_t t = 0; t < steps; ++t)
            h = {cell_step(B, p, "s" + std::to_string(s) + ".enc" + std::to_string(t), E + H, G, H, eb, h, -1)};
        for (uint32_t t = 0; t < steps; ++t) {
            // Dynamic: whether step t runs is the previous step's end-of-sequence test.
            const int64_t decided = (!pad_to && t > 0) ? int64_t(h[0]) : -1;
            h = {cell_step(B, p, "s" + std::to_string(s) + ".dec" + std::to_string(t), E + H, G, H, eb, h, decided)};
        }
        useful += 2 * uint64_t(lengths[s]) * (E + H) * G;
    }
    p.useful_macs = useful;
    return p;
}

Program lower_tree_rnn(uint32_t hidden, const std::vector<std::vector<int32_t>>& trees, const DyPipeHardware& hw, bool for_static) {
    if (for_static)
        throw std::invalid_argument("static pipelining cannot compile a tree-structured RNN: its graph depends on each input's parse "
                                    "tree, so there is no fixed schedule to build (DyPipe sec. 4.4); use --pipeline dynamic or none");
    Program p;
    p.name = "tree-rnn";
    Builder B(p, hw);
    const uint64_t eb = hw.elem_bytes, H = hidden;
    for (size_t s = 0; s < trees.size(); ++s) {
        const auto& parent = trees[s];
        std::vector<std::vector<uint32_t>> child_h(parent.size());
        // Leaves carry their embedding (no function); every internal node is a cell over its two children.
        std::vector<int> children(parent.size(), 0);
        for (int32_t q : parent)
            if (q >= 0) ++children.at(size_t(q));
        for (size_t v = 0; v < parent.size(); ++v) {
            if (children[v] == 0) continue; // a leaf
            const uint32_t h = cell_step(B, p, "s" + std::to_string(s) + ".node" + std::to_string(v), 2 * H, H, H, eb, child_h[v], -1);
            if (parent[v] >= 0) child_h[size_t(parent[v])].push_back(h);
        }
    }
    return p;
}

std::vector<uint32_t> random_lengths(uint32_t samples, uint32_t lo, uint32_t hi, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<uint32_t> v(samples);
    for (auto& x : v) x = std::uniform_int_distribution<uint32_t>(lo, hi)(rng);
    return v;
}

std::vector<std::vector<int32_t>> random_trees(const std::vector<uint32_t>& leaves, uint64_t seed) {
    std::mt19937_64 rng(seed ^ 0x7EE5);
    std::vector<std::vector<int32_t>> out;
    for (uint32_t n : leaves) {
        // Merge two adjacent roots at random until one is left (a random binary parse).
        std::vector<int32_t> parent(n, -1), roots(n);
        for (uint32_t i = 0; i < n; ++i) roots[i] = int32_t(i);
        while (roots.size() > 1) {
            const size_t k = std::uniform_int_distribution<size_t>(0, roots.size() - 2)(rng);
            const int32_t node = int32_t(parent.size());
            parent.push_back(-1);
            parent[size_t(roots[k])] = node;
            parent[size_t(roots[k + 1])] = node;
            roots[k] = node;
            roots.erase(roots.begin() + long(k + 1));
        }
        out.push_back(parent);
    }
    return out;
}

} // namespace dynavp::dypipe
