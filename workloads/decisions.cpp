// Agent decisions: the seeded generator, measured statistics and the JSON
// Lines trace format (decisions.h).
//
// Generator details decisions.h leaves open:
//   * Random numbers: splitmix64, doubles as (x >> 11) * 2^-53, integers in
//     [0, n) as ((x >> 32) * n) >> 32 -- no std:: distributions, so traces are
//     the same with every standard library.
//   * Each agent layer has three streams of its own, seeded from (seed, the
//     layer's index in ZooNetwork::layers, purpose): popularity (the Zipf
//     permutation), clusters (the partition) and samples (active cluster and
//     draws). Layers never share a stream, so adding or changing one layer
//     leaves the others' decisions alone, and the first n samples of a longer
//     trace are the trace of n samples.
//   * Popularity: p_t = density * w_t / mean(w). When that puts a tile above
//     1 (strong imbalance, high density), p is water-filled instead: such
//     tiles get 1 and the rest keep their Zipf ratios with the scale that
//     keeps mean(p) = density (the plain formula, clamped, would silently
//     lower the density). With no tile above 1 both are the same.
//   * Clusters: the tiles in a seeded order, tile at position i in cluster
//     i mod C (C = min(clusters, tiles)): sizes differ by at most one.
//   * Active cluster: sample 0 draws one uniformly; each later sample keeps
//     the previous one with probability `persistence`, else draws uniformly
//     (possibly the same one again), so every sample's cluster is uniform.
//   * q_t = p_t (1 + a_t (C-1)) in the active cluster, p_t (1 - a_t) outside,
//     with a_t = min(a, (1 - p_t) / (p_t (C-1))): a tile too popular for the
//     full correlation gets as much as keeps q_t <= 1, so its mean stays p_t
//     as decisions.h promises (clamping q at 1 instead would lower the
//     density, e.g. a layer with density 1 and correlation 0.3 would drop
//     to 0.85). For tiles with p_t (1 + a (C-1)) <= 1, a_t = a.
//   * gating / region_mask / token_merge: tile t used with probability q_t,
//     independently. A dynamic operator needs at least one tile: a draw that
//     selects none uses the single most probable tile under q instead (among
//     equally probable tiles, one drawn uniformly: no bias to low indices).
//   * routing: density = top_k / tiles (the zoo's density is not used); each
//     token draws top_k distinct experts one after another, each with
//     probability proportional to its q among those not yet drawn (uniform
//     if they all have weight 0); `tokens` keeps the draw order.
//   * early_exit: one tile, used (= continue) with probability density.
//   * conditional_mixing: all tiles, no random numbers.
//
// generator_model().p is the exact probability that a sample's decision uses
// the tile (what measure_trace's `frequency` estimates): the mean over the
// active cluster of q_t (= p_t), plus the at-least-one-tile fallback's share; for
// routing 1 - (1 - pi_t)^N with pi_t the probability that one token draws
// expert t (exact when the number of draw orders is small, else the
// successive-sampling approximation 1 - exp(-lambda q_t) with
// sum pi = top_k).
#include "decisions.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "platform/config_reader.h"

namespace dynavp {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------- PRNG

uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t mix64(uint64_t x) { return splitmix64(x); }

class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}
    uint64_t next() { return splitmix64(state_); }
    double uniform() { return double(next() >> 11) * 0x1.0p-53; } // [0, 1)
    uint32_t below(uint32_t n) { return uint32_t(((next() >> 32) * uint64_t(n)) >> 32); } // [0, n)

private:
    uint64_t state_;
};

enum class Stream : uint64_t { Popularity = 1, Clusters = 2, Samples = 3 };

uint64_t stream_seed(uint64_t seed, size_t layer, Stream s) {
    uint64_t x = mix64(seed);
    x = mix64(x ^ (0x6c61796572000000ULL + uint64_t(layer)));
    return mix64(x ^ (0x73747265616d0000ULL + uint64_t(s)));
}

// ---------------------------------------------------------------- helpers

const char* agent_name(AgentKind k) {
    switch (k) {
    case AgentKind::Gating: return "gating";
    case AgentKind::Routing: return "routing";
    case AgentKind::EarlyExit: return "early_exit";
    case AgentKind::RegionMask: return "region_mask";
    case AgentKind::TokenMerge: return "token_merge";
    case AgentKind::ConditionalMixing: return "conditional_mixing";
    }
    return "?";
}

bool has_own_agent(const ZooLayer& l) { return l.dynamic && l.dynamic->follows.empty(); }

// Tiles a decision of this layer covers (early_exit: the one "continue" tile).
uint32_t decision_tiles(const DynamicSpec& d) { return d.agent == AgentKind::EarlyExit ? 1u : d.tiles; }

bool independent_tiles(AgentKind k) {
    return k == AgentKind::Gating || k == AgentKind::RegionMask || k == AgentKind::TokenMerge;
}

// The agent layer `layer` of `net`, or std::invalid_argument.
const DynamicSpec& agent_spec(const ZooNetwork& net, size_t layer, const char* who) {
    if (layer >= net.layers.size())
        throw std::invalid_argument(std::string(who) + ": layer index " + std::to_string(layer) + " out of range (" +
                                    net.name + " has " + std::to_string(net.layers.size()) + " layers)");
    const auto& l = net.layers[layer];
    if (!l.dynamic) throw std::invalid_argument(std::string(who) + ": layer \"" + l.name + "\" of " + net.name + " is not dynamic");
    if (!l.dynamic->follows.empty())
        throw std::invalid_argument(std::string(who) + ": layer \"" + l.name + "\" of " + net.name + " follows \"" +
                                    l.dynamic->follows + "\" and has no agent of its own");
    return *l.dynamic;
}

// p_t = min(1, lambda w_t) with sum p = target (target < number of tiles).
std::vector<double> water_fill(const std::vector<double>& w, double target) {
    const size_t n = w.size();
    std::vector<double> p(n, 1.0);
    if (target >= double(n)) return p;
    std::vector<uint8_t> capped(n, 0);
    for (;;) {
        double free_w = 0, ncap = 0;
        for (size_t t = 0; t < n; ++t) {
            if (capped[t]) ncap += 1;
            else free_w += w[t];
        }
        const double lambda = free_w > 0 ? (target - ncap) / free_w : 0.0;
        bool changed = false;
        for (size_t t = 0; t < n; ++t)
            if (!capped[t] && lambda * w[t] > 1.0) capped[t] = 1, changed = true;
        if (!changed) {
            for (size_t t = 0; t < n; ++t) p[t] = capped[t] ? 1.0 : lambda * w[t];
            return p;
        }
    }
}

// Everything the generator derives from (net, layer, seed) before drawing.
struct LayerModel {
    size_t layer = 0;
    AgentKind agent = AgentKind::Gating;
    uint32_t tiles = 1, top_k = 1, tokens = 1, clusters = 1;
    double density = 0, persistence = 0;
    std::vector<double> p;               // per tile: popularity
    std::vector<uint32_t> cluster;       // per tile
    std::vector<std::vector<double>> q;  // per active cluster, per tile
    std::vector<std::vector<uint32_t>> fallback; // per active cluster: the most probable tiles (ties)
};

LayerModel build_model(const ZooNetwork& net, size_t layer, uint64_t seed) {
    const DynamicSpec& d = agent_spec(net, layer, "decision generator");
    const ZooLayer& L = net.layers[layer];
    const TraceModel& tm = d.trace;
    auto bad = [&](const std::string& why) {
        return std::invalid_argument("decision generator: " + net.name + " layer \"" + L.name + "\": " + why);
    };
    LayerModel m;
    m.layer = layer;
    m.agent = d.agent;
    m.tiles = decision_tiles(d);
    if (m.tiles < 1) throw bad("tiles must be at least 1");
    m.tokens = L.op[sched::N];
    m.top_k = d.top_k;
    if (d.agent == AgentKind::Routing) {
        if (m.top_k < 1 || m.top_k > m.tiles)
            throw bad("top_k " + std::to_string(m.top_k) + " must be in [1, " + std::to_string(m.tiles) + " experts]");
        if (m.tokens < 1) throw bad("the op's N (tokens) must be at least 1");
    }
    if (!(tm.density >= 0 && tm.density <= 1)) throw bad("density must be in [0, 1]");
    if (!(tm.imbalance >= 0 && std::isfinite(tm.imbalance))) throw bad("imbalance must be >= 0");
    if (!(tm.correlation >= 0 && tm.correlation < 1)) throw bad("correlation must be in [0, 1)");
    if (!(tm.persistence >= 0 && tm.persistence <= 1)) throw bad("persistence must be in [0, 1]");
    if (tm.clusters < 1) throw bad("clusters must be at least 1");
    m.persistence = tm.persistence;
    switch (d.agent) {
    case AgentKind::Routing: m.density = double(m.top_k) / m.tiles; break;
    case AgentKind::ConditionalMixing: m.density = 1.0; break;
    default: m.density = tm.density; break;
    }

    const uint32_t T = m.tiles;
    // Popularity: Zipf weights over a seeded permutation (rank[t] = tile t's rank).
    std::vector<uint32_t> rank(T);
    for (uint32_t t = 0; t < T; ++t) rank[t] = t;
    Rng pop(stream_seed(seed, layer, Stream::Popularity));
    for (uint32_t i = T - 1; i > 0; --i) std::swap(rank[i], rank[pop.below(i + 1)]);
    std::vector<double> w(T);
    for (uint32_t t = 0; t < T; ++t) w[t] = std::pow(double(rank[t]) + 1.0, -tm.imbalance);
    m.p = water_fill(w, m.density * T);

    // Clusters: a seeded balanced partition.
    m.clusters = std::min<uint32_t>(tm.clusters, T);
    if (d.agent == AgentKind::EarlyExit || d.agent == AgentKind::ConditionalMixing) m.clusters = 1;
    std::vector<uint32_t> order(T);
    for (uint32_t t = 0; t < T; ++t) order[t] = t;
    Rng clu(stream_seed(seed, layer, Stream::Clusters));
    for (uint32_t i = T - 1; i > 0; --i) std::swap(order[i], order[clu.below(i + 1)]);
    m.cluster.assign(T, 0);
    for (uint32_t i = 0; i < T; ++i) m.cluster[order[i]] = i % m.clusters;

    const double a = (d.agent == AgentKind::EarlyExit || d.agent == AgentKind::ConditionalMixing) ? 0.0 : tm.correlation;
    std::vector<double> q_in(T), q_out(T);
    for (uint32_t t = 0; t < T; ++t) {
        double at = a;
        if (m.clusters > 1 && m.p[t] > 0) at = std::min(a, (1.0 - m.p[t]) / (m.p[t] * (m.clusters - 1.0)));
        q_in[t] = std::clamp(m.p[t] * (1.0 + at * (m.clusters - 1.0)), 0.0, 1.0);
        q_out[t] = std::clamp(m.p[t] * (1.0 - at), 0.0, 1.0);
    }
    m.q.assign(m.clusters, std::vector<double>(T));
    m.fallback.assign(m.clusters, {});
    for (uint32_t c = 0; c < m.clusters; ++c) {
        for (uint32_t t = 0; t < T; ++t) m.q[c][t] = m.cluster[t] == c ? q_in[t] : q_out[t];
        const double top = *std::max_element(m.q[c].begin(), m.q[c].end());
        for (uint32_t t = 0; t < T; ++t)
            if (m.q[c][t] == top) m.fallback[c].push_back(t);
    }
    return m;
}

// Per-layer drawing state of the generator.
struct LayerDrawer {
    LayerModel m;
    Rng rng;
    uint32_t active = 0;
    LayerDrawer(LayerModel model, uint64_t seed) : m(std::move(model)), rng(seed) {}

    LayerDecision draw(uint32_t sample) {
        LayerDecision d;
        d.sample = sample;
        d.layer = m.layer;
        d.used.assign(m.tiles, 0);
        if (m.agent == AgentKind::ConditionalMixing) {
            std::fill(d.used.begin(), d.used.end(), uint8_t(1));
            return d;
        }
        if (m.agent == AgentKind::EarlyExit) {
            d.used[0] = rng.uniform() < m.density ? 1 : 0;
            return d;
        }
        if (sample == 0 || !(rng.uniform() < m.persistence)) active = rng.below(m.clusters);
        const std::vector<double>& q = m.q[active];
        if (m.agent == AgentKind::Routing) {
            d.tokens.assign(m.tokens, {});
            std::vector<uint8_t> taken(m.tiles);
            for (auto& tok : d.tokens) {
                std::fill(taken.begin(), taken.end(), uint8_t(0));
                tok.reserve(m.top_k);
                for (uint32_t k = 0; k < m.top_k; ++k) {
                    double total = 0;
                    for (uint32_t t = 0; t < m.tiles; ++t)
                        if (!taken[t]) total += q[t];
                    uint32_t pick = m.tiles;
                    if (total > 0) {
                        double u = rng.uniform() * total;
                        for (uint32_t t = 0; t < m.tiles; ++t) {
                            if (taken[t] || q[t] <= 0) continue;
                            pick = t; // the last candidate absorbs rounding
                            if (u < q[t]) break;
                            u -= q[t];
                        }
                    } else {
                        uint32_t nth = rng.below(m.tiles - k);
                        for (uint32_t t = 0; t < m.tiles; ++t)
                            if (!taken[t] && nth-- == 0) {
                                pick = t;
                                break;
                            }
                    }
                    taken[pick] = 1;
                    tok.push_back(pick);
                    d.used[pick] = 1;
                }
            }
            return d;
        }
        bool any = false;
        for (uint32_t t = 0; t < m.tiles; ++t)
            if (rng.uniform() < q[t]) d.used[t] = 1, any = true;
        if (!any) {
            const auto& f = m.fallback[active];
            d.used[f.size() == 1 ? f[0] : f[rng.below(uint32_t(f.size()))]] = 1;
        }
        return d;
    }
};

// Probability that one token's top_k draws (successive sampling with weights
// q) include each expert.
void inclusion_exact(const std::vector<double>& q, std::vector<uint8_t>& taken, uint32_t depth, uint32_t k, double prob,
                     std::vector<double>& pi) {
    const size_t n = q.size();
    double total = 0;
    for (size_t t = 0; t < n; ++t)
        if (!taken[t]) total += q[t];
    const double remaining = double(n - depth);
    for (size_t t = 0; t < n; ++t) {
        if (taken[t]) continue;
        const double pt = total > 0 ? prob * q[t] / total : prob / remaining;
        if (pt <= 0) continue;
        pi[t] += pt;
        if (depth + 1 < k) {
            taken[t] = 1;
            inclusion_exact(q, taken, depth + 1, k, pt, pi);
            taken[t] = 0;
        }
    }
}

std::vector<double> token_inclusion(const std::vector<double>& q, uint32_t k) {
    const size_t n = q.size();
    if (k >= n) return std::vector<double>(n, 1.0);
    // Nodes of the exact recursion: n + n(n-1) + ... (k terms) times n.
    double nodes = 0, level = 1;
    for (uint32_t d = 0; d < k && nodes < 1e7; ++d) level *= double(n - d), nodes += level * double(n);
    std::vector<double> pi(n, 0.0);
    if (nodes < 4e6) {
        std::vector<uint8_t> taken(n, 0);
        inclusion_exact(q, taken, 0, k, 1.0, pi);
        for (auto& v : pi) v = std::min(v, 1.0);
        return pi;
    }
    // Successive-sampling approximation: pi_t = 1 - exp(-lambda q_t), sum = k.
    double qmax = *std::max_element(q.begin(), q.end());
    if (qmax <= 0) return std::vector<double>(n, double(k) / double(n));
    auto sum_at = [&](double lambda) {
        double s = 0;
        for (double v : q) s += 1.0 - std::exp(-lambda * v);
        return s;
    };
    double lo = 0, hi = 1.0 / qmax;
    while (sum_at(hi) < double(k) && hi < 1e300) hi *= 2;
    for (int i = 0; i < 200; ++i) {
        double mid = 0.5 * (lo + hi);
        (sum_at(mid) < double(k) ? lo : hi) = mid;
    }
    for (size_t t = 0; t < n; ++t) pi[t] = 1.0 - std::exp(-hi * q[t]);
    return pi;
}

// ---------------------------------------------------------------- JSONL reading

class LineReader {
public:
    LineReader(const std::string& file, size_t line) : file_(file), line_(line) {}
    std::string path(const std::string& field = "") const {
        return "line " + std::to_string(line_) + (field.empty() ? "" : "/" + field);
    }
    [[noreturn]] void fail(const std::string& field, const std::string& reason) const {
        throw ConfigError(file_, path(field), reason);
    }
    json parse(const std::string& text) const {
        try {
            return json::parse(text);
        } catch (const json::parse_error& e) {
            std::string what = e.what();
            auto pos = what.find("parse error");
            fail("", "malformed JSON: " + (pos == std::string::npos ? what : what.substr(pos)));
        } catch (const json::exception& e) {
            fail("", std::string("malformed JSON: ") + e.what());
        }
    }
    // A non-negative integer below `limit` (what: "tile", "expert", ...).
    uint64_t index(const json& v, const std::string& field, uint64_t limit, const std::string& what,
                   const std::string& range) const {
        if (!v.is_number_unsigned()) {
            if (v.is_number_integer()) fail(field, what + " " + v.dump() + " is negative");
            fail(field, "expected a non-negative integer (" + what + "), got " + v.dump());
        }
        uint64_t x = v.get<uint64_t>();
        if (x >= limit) fail(field, what + " " + std::to_string(x) + " out of range (" + range + ")");
        return x;
    }
    const json& field(const json& obj, const std::string& key, const std::string& context = "") const {
        auto it = obj.find(key);
        if (it == obj.end()) fail(key, "missing required field" + context);
        return *it;
    }

private:
    const std::string& file_;
    size_t line_;
};

const char* kHeaderForm = "{\"dynavp_trace\": 1, \"model\": \"<zoo name>\", \"samples\": N}";

} // namespace

// ---------------------------------------------------------------- API

const LayerDecision& DecisionTrace::at(uint32_t sample, size_t layer) const {
    auto less = [](const LayerDecision& d, std::pair<uint32_t, size_t> key) {
        return std::make_pair(d.sample, d.layer) < key;
    };
    auto it = std::lower_bound(decisions.begin(), decisions.end(), std::make_pair(sample, layer), less);
    if (it != decisions.end() && it->sample == sample && it->layer == layer) return *it;
    for (const auto& d : decisions) // not in sample-major order: look everywhere
        if (d.sample == sample && d.layer == layer) return d;
    throw std::out_of_range("trace of " + model + ": no decision for sample " + std::to_string(sample) + ", layer " +
                            std::to_string(layer));
}

std::vector<size_t> agent_layers(const ZooNetwork& net) {
    std::vector<size_t> out;
    for (size_t i = 0; i < net.layers.size(); ++i)
        if (has_own_agent(net.layers[i])) out.push_back(i);
    return out;
}

DecisionTrace generate_trace(const ZooNetwork& net, uint32_t samples, uint64_t seed) {
    std::vector<LayerDrawer> drawers;
    for (size_t li : agent_layers(net)) drawers.emplace_back(build_model(net, li, seed), stream_seed(seed, li, Stream::Samples));
    DecisionTrace t;
    t.model = net.name;
    t.samples = samples;
    t.decisions.reserve(size_t(samples) * drawers.size());
    for (uint32_t s = 0; s < samples; ++s)
        for (auto& d : drawers) t.decisions.push_back(d.draw(s));
    return t;
}

GeneratorModel generator_model(const ZooNetwork& net, size_t layer, uint64_t seed) {
    LayerModel m = build_model(net, layer, seed);
    GeneratorModel g;
    g.cluster = m.cluster;
    g.p.assign(m.tiles, 0.0);
    switch (m.agent) {
    case AgentKind::ConditionalMixing: std::fill(g.p.begin(), g.p.end(), 1.0); break;
    case AgentKind::EarlyExit: g.p[0] = m.density; break;
    case AgentKind::Routing:
        for (uint32_t c = 0; c < m.clusters; ++c) {
            std::vector<double> pi = token_inclusion(m.q[c], m.top_k);
            for (uint32_t t = 0; t < m.tiles; ++t) g.p[t] += (1.0 - std::pow(1.0 - pi[t], double(m.tokens))) / m.clusters;
        }
        break;
    default:
        for (uint32_t c = 0; c < m.clusters; ++c) {
            double none = 1.0;
            for (double v : m.q[c]) none *= 1.0 - v;
            for (uint32_t t = 0; t < m.tiles; ++t) g.p[t] += m.q[c][t] / m.clusters;
            for (uint32_t t : m.fallback[c]) g.p[t] += none / double(m.fallback[c].size()) / m.clusters;
        }
        break;
    }
    return g;
}

TraceStats measure_trace(const DecisionTrace& t, const ZooNetwork& net, size_t layer, const std::vector<uint32_t>& clusters) {
    const DynamicSpec& spec = agent_spec(net, layer, "measure_trace");
    const uint32_t T = decision_tiles(spec);
    if (!clusters.empty() && clusters.size() != T)
        throw std::invalid_argument("measure_trace: " + std::to_string(clusters.size()) + " cluster labels for " +
                                    std::to_string(T) + " tiles of layer \"" + net.layers[layer].name + "\"");
    auto cluster_of = [&](size_t tile) { return clusters.empty() ? 0u : clusters[tile]; };

    std::vector<uint64_t> count(T, 0), co(size_t(T) * T, 0);
    std::vector<uint32_t> idx;
    uint64_t n = 0;
    for (const auto& d : t.decisions) {
        if (d.layer != layer) continue;
        if (d.used.size() != T)
            throw std::invalid_argument("measure_trace: a decision of layer \"" + net.layers[layer].name + "\" covers " +
                                        std::to_string(d.used.size()) + " tiles, the layer has " + std::to_string(T));
        ++n;
        idx.clear();
        for (uint32_t i = 0; i < T; ++i)
            if (d.used[i]) idx.push_back(i);
        for (size_t a = 0; a < idx.size(); ++a) {
            ++count[idx[a]];
            for (size_t b = a + 1; b < idx.size(); ++b) ++co[size_t(idx[a]) * T + idx[b]];
        }
    }
    TraceStats s;
    s.decisions = uint32_t(n);
    s.frequency.assign(T, 0.0);
    if (n == 0) return s;
    double sum = 0, mx = 0;
    for (uint32_t i = 0; i < T; ++i) {
        s.frequency[i] = double(count[i]) / double(n);
        sum += s.frequency[i];
        mx = std::max(mx, s.frequency[i]);
    }
    const double mean = sum / T;
    s.density = mean;
    if (mean > 0) {
        double var = 0;
        for (double f : s.frequency) var += (f - mean) * (f - mean);
        s.imbalance_cv = std::sqrt(var / T) / mean;
        s.max_over_mean = mx / mean;
    }
    double same = 0, other = 0;
    uint64_t nsame = 0, nother = 0;
    for (uint32_t i = 0; i < T; ++i)
        for (uint32_t j = i + 1; j < T; ++j) {
            const double pp = s.frequency[i] * s.frequency[j];
            if (pp <= 0) continue;
            const double lift = (double(co[size_t(i) * T + j]) / double(n)) / pp;
            if (cluster_of(i) == cluster_of(j)) same += lift, ++nsame;
            else other += lift, ++nother;
        }
    s.lift_same_cluster = nsame ? same / double(nsame) : 0.0;
    s.lift_other_cluster = nother ? other / double(nother) : 0.0;
    return s;
}

std::string trace_to_jsonl(const DecisionTrace& t, const ZooNetwork& net) {
    if (t.model != net.name)
        throw std::invalid_argument("trace_to_jsonl: the trace is of model \"" + t.model + "\", the network is \"" + net.name + "\"");
    std::ostringstream out;
    out << "{\"dynavp_trace\": 1, \"model\": " << json(t.model).dump() << ", \"samples\": " << t.samples << "}\n";
    for (const auto& d : t.decisions) {
        const DynamicSpec& spec = agent_spec(net, d.layer, "trace_to_jsonl");
        if (d.sample >= t.samples)
            throw std::invalid_argument("trace_to_jsonl: decision of sample " + std::to_string(d.sample) + " in a trace of " +
                                        std::to_string(t.samples) + " samples");
        out << "{\"sample\": " << d.sample << ", \"layer\": " << json(net.layers[d.layer].name).dump();
        if (spec.agent == AgentKind::Routing) {
            out << ", \"tokens\": [";
            for (size_t i = 0; i < d.tokens.size(); ++i) {
                out << (i ? ", [" : "[");
                for (size_t k = 0; k < d.tokens[i].size(); ++k) out << (k ? ", " : "") << d.tokens[i][k];
                out << "]";
            }
        } else {
            out << ", \"used\": [";
            bool first = true;
            for (size_t i = 0; i < d.used.size(); ++i)
                if (d.used[i]) out << (first ? "" : ", ") << i, first = false;
        }
        out << "]}\n";
    }
    return out.str();
}

void write_trace(const std::string& path, const DecisionTrace& t, const ZooNetwork& net) {
    const std::string text = trace_to_jsonl(t, net);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw ConfigError(path, "", "cannot open the file for writing");
    out << text;
    out.flush();
    if (!out) throw ConfigError(path, "", "write failed");
}

DecisionTrace read_trace(const std::string& path, const ZooNetwork& net) { return trace_from_jsonl(read_text_file(path), path, net); }

DecisionTrace trace_from_jsonl(const std::string& text, const std::string& source, const ZooNetwork& net) {
    // Lines (a trailing '\r' is dropped, so CRLF files read too).
    std::vector<std::string> lines;
    {
        size_t pos = 0;
        while (pos <= text.size()) {
            size_t nl = text.find('\n', pos);
            std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            lines.push_back(std::move(line));
            if (nl == std::string::npos) break;
            pos = nl + 1;
        }
    }
    auto blank = [](const std::string& s) { return s.find_first_not_of(" \t\r") == std::string::npos; };

    // Header.
    DecisionTrace trace;
    {
        LineReader r(source, 1);
        if (lines.empty() || blank(lines[0])) r.fail("", std::string("expected the trace header ") + kHeaderForm);
        json h = r.parse(lines[0]);
        if (!h.is_object()) r.fail("", std::string("expected the trace header ") + kHeaderForm);
        if (!h.contains("dynavp_trace"))
            r.fail("dynavp_trace", std::string("missing: the first line must be the trace header ") + kHeaderForm);
        for (auto it = h.begin(); it != h.end(); ++it)
            if (it.key() != "dynavp_trace" && it.key() != "model" && it.key() != "samples")
                r.fail(it.key(), "unknown field in the trace header (expected dynavp_trace, model, samples)");
        const json& v = h["dynavp_trace"];
        if (!v.is_number_unsigned() || v.get<uint64_t>() != 1)
            r.fail("dynavp_trace", "unsupported trace version " + v.dump() + " (this dynavp reads version 1)");
        const json& m = r.field(h, "model");
        if (!m.is_string()) r.fail("model", "expected a string");
        if (m.get<std::string>() != net.name)
            r.fail("model", "the trace is of model \"" + m.get<std::string>() + "\", not \"" + net.name + "\"");
        trace.model = net.name;
        trace.samples = uint32_t(r.index(r.field(h, "samples"), "samples", uint64_t(UINT32_MAX) + 1, "sample count", "at most 2^32-1"));
    }

    std::map<std::string, size_t> by_name;
    for (size_t i = 0; i < net.layers.size(); ++i) by_name.emplace(net.layers[i].name, i);
    std::map<std::pair<uint32_t, size_t>, size_t> seen; // (sample, layer) -> line
    size_t last_line = 1;

    for (size_t ln = 2; ln <= lines.size(); ++ln) {
        const std::string& text_line = lines[ln - 1];
        if (blank(text_line)) continue;
        last_line = ln;
        LineReader r(source, ln);
        json j = r.parse(text_line);
        if (!j.is_object()) r.fail("", "expected a JSON object {\"sample\": ..., \"layer\": ..., \"used\" or \"tokens\": ...}");
        for (auto it = j.begin(); it != j.end(); ++it)
            if (it.key() != "sample" && it.key() != "layer" && it.key() != "used" && it.key() != "tokens")
                r.fail(it.key(), "unknown field (a decision line has sample, layer and used, or tokens for routing)");

        LayerDecision d;
        d.sample = uint32_t(r.index(r.field(j, "sample"), "sample", trace.samples, "sample",
                                    "the header says " + std::to_string(trace.samples) + " samples"));
        const json& lj = r.field(j, "layer");
        if (!lj.is_string()) r.fail("layer", "expected a string (a layer name)");
        const std::string lname = lj.get<std::string>();
        auto found = by_name.find(lname);
        if (found == by_name.end()) r.fail("layer", "unknown layer \"" + lname + "\" (not in " + net.name + ")");
        d.layer = found->second;
        const ZooLayer& L = net.layers[d.layer];
        if (!L.dynamic) r.fail("layer", "layer \"" + lname + "\" is not dynamic (it has no agent)");
        if (!L.dynamic->follows.empty())
            r.fail("layer", "layer \"" + lname + "\" follows \"" + L.dynamic->follows + "\" and has no decisions of its own");
        const DynamicSpec& spec = *L.dynamic;
        const uint32_t T = decision_tiles(spec);
        d.used.assign(T, 0);

        if (spec.agent == AgentKind::Routing) {
            if (j.contains("used"))
                r.fail("used", "routing layer \"" + lname + "\" gives \"tokens\" (each token's experts); \"used\" is derived from them");
            const json& toks = r.field(j, "tokens", " (routing layer \"" + lname + "\": each token's experts)");
            if (!toks.is_array()) r.fail("tokens", "expected an array of tokens, each an array of experts");
            const uint32_t N = L.op[sched::N];
            if (toks.size() != N)
                r.fail("tokens", "expected " + std::to_string(N) + " tokens (the N of layer \"" + lname + "\"), got " +
                                     std::to_string(toks.size()));
            d.tokens.resize(N);
            const std::string range = std::to_string(T) + " experts";
            for (size_t i = 0; i < N; ++i) {
                const std::string tp = "tokens/" + std::to_string(i);
                const json& tok = toks[i];
                if (!tok.is_array()) r.fail(tp, "expected an array of " + std::to_string(spec.top_k) + " experts");
                if (tok.size() != spec.top_k)
                    r.fail(tp, "expected top_k = " + std::to_string(spec.top_k) + " experts, got " + std::to_string(tok.size()));
                std::vector<uint8_t> mine(T, 0);
                for (size_t k = 0; k < tok.size(); ++k) {
                    const std::string ep = tp + "/" + std::to_string(k);
                    uint32_t e = uint32_t(r.index(tok[k], ep, T, "expert", range));
                    if (mine[e]) r.fail(ep, "expert " + std::to_string(e) + " chosen twice by one token (top_k experts are distinct)");
                    mine[e] = 1;
                    d.tokens[i].push_back(e);
                    d.used[e] = 1;
                }
            }
        } else {
            if (j.contains("tokens"))
                r.fail("tokens", std::string("only routing layers give \"tokens\"; layer \"") + lname + "\" is " +
                                     agent_name(spec.agent) + " (give \"used\")");
            const json& used = r.field(j, "used", " (the tile indices the decision uses)");
            if (!used.is_array()) r.fail("used", "expected an array of tile indices");
            const std::string range = std::to_string(T) + (T == 1 ? " tile" : " tiles");
            for (size_t k = 0; k < used.size(); ++k) {
                const std::string up = "used/" + std::to_string(k);
                uint32_t t = uint32_t(r.index(used[k], up, T, "tile", range));
                if (d.used[t]) r.fail(up, "tile " + std::to_string(t) + " listed twice");
                d.used[t] = 1;
            }
            if (independent_tiles(spec.agent) && used.empty())
                r.fail("used", "a decision of a dynamic operator uses at least one tile");
            if (spec.agent == AgentKind::ConditionalMixing && used.size() != T)
                r.fail("used", "conditional_mixing uses every tile: expected all " + std::to_string(T) + ", got " +
                                   std::to_string(used.size()));
        }

        auto [it, fresh] = seen.emplace(std::make_pair(d.sample, d.layer), ln);
        if (!fresh)
            r.fail("sample", "second decision for sample " + std::to_string(d.sample) + ", layer \"" + lname +
                                 "\" (the first is on line " + std::to_string(it->second) + ")");
        trace.decisions.push_back(std::move(d));
    }

    const std::vector<size_t> agents = agent_layers(net);
    if (seen.size() != uint64_t(trace.samples) * agents.size()) {
        // Some (sample, layer) is missing: name the first.
        for (uint32_t s = 0; s < trace.samples; ++s)
            for (size_t li : agents)
                if (!seen.count({s, li}))
                    throw ConfigError(source, "line " + std::to_string(last_line + 1),
                                      "end of trace without the decision of sample " + std::to_string(s) + ", layer \"" +
                                          net.layers[li].name + "\" (each of the " + std::to_string(trace.samples) +
                                          " samples needs one line per agent layer)");
    }
    std::sort(trace.decisions.begin(), trace.decisions.end(), [](const LayerDecision& a, const LayerDecision& b) {
        return std::make_pair(a.sample, a.layer) < std::make_pair(b.sample, b.layer);
    });
    return trace;
}

} // namespace dynavp
