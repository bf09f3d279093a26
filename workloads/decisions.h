// Agent decisions of a dynamic network, sample by sample (DNA sec. II-B):
// which tiles of each dynamic layer the agent's choice makes the dynamic
// operator use. Two sources feed the firmware runtime through this type:
//   * functional: the agents run on the cores' nonlinear units on real
//     activations (firmware/runtime), and what they chose is recorded here;
//   * trace: decisions from a JSON Lines file (read_trace) or from the seeded
//     generator below (generate_trace), whose parameters each model states in
//     its zoo file ("dynamic" -> "trace").
// Pure C++ (no SystemC).
//
// DecisionTrace file format (JSON Lines, one JSON object per line):
//   line 1, header: {"dynavp_trace": 1, "model": "<zoo name>", "samples": N}
//   then one line per (sample, dynamic layer with an agent of its own):
//     {"sample": 0, "layer": "conv3_1", "used": [0, 2, 5]}          tile indices used
//     {"sample": 0, "layer": "moe1", "tokens": [[3, 5], [1, 0], ...]} routing: per token its top_k experts
//   early_exit: "used": [0] = continue past the exit, [] = the sample exits here.
//   conditional_mixing: every tile is used ("used" lists them all).
// Layers that follow another's decision ("follows") have no lines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/zoo.h"

namespace dynavp {

struct LayerDecision {
    uint32_t sample = 0;
    size_t layer = 0;                          // index into ZooNetwork::layers
    std::vector<uint8_t> used;                 // per tile: 1 = used (routing: some token chose it)
    std::vector<std::vector<uint32_t>> tokens; // routing only: per token, its top_k experts (distinct)
    bool operator==(const LayerDecision& o) const { return sample == o.sample && layer == o.layer && used == o.used && tokens == o.tokens; }
};

// All decisions of a run, sample-major, then in layer order.
struct DecisionTrace {
    std::string model;
    uint32_t samples = 0;
    std::vector<LayerDecision> decisions;
    // The decision of (sample, layer); throws std::out_of_range if absent.
    const LayerDecision& at(uint32_t sample, size_t layer) const;
};

// Layers with an agent of their own (dynamic and not following another), in order.
std::vector<size_t> agent_layers(const ZooNetwork& net);

// The seeded generator: per layer, tile popularity p_t = density * w_t /
// mean(w), w_t = Zipf weights (t+1)^-imbalance over a seeded permutation of
// the tiles (imbalance); tiles split into `clusters` seeded groups, each
// sample has an active cluster (kept from the previous sample with
// probability `persistence`), and a tile is used with probability
// p_t (1 + a (C-1)) in the active cluster, p_t (1 - a) outside (a =
// correlation), which keeps its mean at p_t. Routing draws each token's top_k
// experts without replacement with those weights. early_exit: continue with
// probability `density`. conditional_mixing: all tiles. Deterministic in
// (net, samples, seed).
DecisionTrace generate_trace(const ZooNetwork& net, uint32_t samples, uint64_t seed);

// The generator's own view of a layer, for tests and reports.
struct GeneratorModel {
    std::vector<double> p;         // per tile: mean use probability
    std::vector<uint32_t> cluster; // per tile: its cluster
};
GeneratorModel generator_model(const ZooNetwork& net, size_t layer, uint64_t seed);

// Measured statistics of one layer's decisions.
struct TraceStats {
    uint32_t decisions = 0;
    double density = 0;               // mean fraction of tiles used
    std::vector<double> frequency;    // per tile: fraction of decisions using it
    double imbalance_cv = 0;          // coefficient of variation of `frequency`
    double max_over_mean = 0;         // most used tile's frequency / mean frequency
    // Co-selection lift P(i and j) / (P(i) P(j)), averaged over tile pairs in
    // the same cluster and over pairs in different clusters (clusters given
    // by the caller, e.g. generator_model().cluster); 1 = independent.
    double lift_same_cluster = 0, lift_other_cluster = 0;
};
TraceStats measure_trace(const DecisionTrace& t, const ZooNetwork& net, size_t layer, const std::vector<uint32_t>& clusters);

// JSON Lines I/O. read_trace validates against the network: header, model
// name, every line's fields, layer names (dynamic, with an agent), tile
// indices, token count (= the layer op's N) and top_k distinct experts per
// token, every (sample, agent layer) exactly once. Errors are ConfigError
// naming the file, "line N" and the field.
void write_trace(const std::string& path, const DecisionTrace& t, const ZooNetwork& net);
DecisionTrace read_trace(const std::string& path, const ZooNetwork& net);
std::string trace_to_jsonl(const DecisionTrace& t, const ZooNetwork& net);
DecisionTrace trace_from_jsonl(const std::string& text, const std::string& source, const ZooNetwork& net);

} // namespace dynavp
