// The model zoo: networks as lists of operator shapes (workloads/zoo/*.json,
// compiled into the binary). Dynamic behaviour (which dims an agent changes
// and how) is applied on top by the experiments and, later, the runtime.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ip/scheduling/operator.h"

namespace dynavp {

// What a layer computes. conv (default): R,S,P,Q,C,K,N, stride, groups; fc:
// C inputs -> K outputs (a 1x1 "conv" on one pixel); pool_max / pool_avg:
// R x S windows over C channels, P x Q outputs; add: elementwise sum of its
// inputs over P x Q x C; concat: channel concatenation of its inputs.
enum class LayerKind { Conv, Fc, PoolMax, PoolAvg, Add, Concat };
const char* to_string(LayerKind k);

// What an agent is (DNA sec. II-B, Fig. 1) and what it changes in its
// backbone operator.
//   gating             FBS: keeps some output-channel groups (tiles along K)
//   routing            MoE: top-k experts per token (tiles = experts)
//   early_exit         BranchyNet: a side classifier ends the sample here (1 tile: "continue")
//   region_mask        DCN / DRConv: the input regions (row bands, tiles along P) that matter
//   token_merge        Token Merging: the token groups that survive (tiles along N)
//   conditional_mixing CondConv: per-sample mixing weights over expert kernels (all tiles used)
enum class AgentKind { Gating, Routing, EarlyExit, RegionMask, TokenMerge, ConditionalMixing };
enum class Modifies { Dims, Branch, Parameters };
const char* to_string(AgentKind k);
const char* to_string(Modifies m);

// Parameters of the seeded decision generator (workloads/decisions.h) for
// one dynamic layer, the two properties DNA sec. III-B measures:
//   density     mean fraction of tiles a decision uses (routing: top_k / tiles)
//   imbalance   Zipf exponent of the tiles' popularity (0 = uniform)
//   correlation a in [0, 1): how strongly a sample's tiles follow its cluster
//   clusters    tiles are split into this many clusters (groups chosen together)
//   persistence probability that a sample keeps the previous sample's cluster
// `source` says where the numbers come from (a paper, or "assumption: why").
struct TraceModel {
    double density = 0.5, imbalance = 0.0, correlation = 0.0, persistence = 0.0;
    uint32_t clusters = 1;
    std::string source;
};

struct DynamicSpec {
    AgentKind agent = AgentKind::Gating;
    Modifies modifies = Modifies::Dims;
    // The dim the tiles split: K (gating), P (region_mask), N (token_merge,
    // routing: the tokens an expert gets). Unused for early_exit / mixing.
    sched::Dim dim = sched::K;
    uint32_t tiles = 1;   // tiles along `dim`, experts (routing, mixing), 1 (early_exit)
    uint32_t top_k = 1;   // routing: experts per token
    // routing: the matmuls after the layer's op inside one expert (e.g. the
    // FFN's second matrix), N = the expert's tokens; op's N = all tokens.
    std::vector<sched::Operator> expert_ops;
    // Non-empty: this layer has no agent of its own and applies the named
    // earlier layer's decision (same tiles along the same dim), e.g. the
    // matmuls of a ViT block after Token Merging's merge. `trace` unused.
    std::string follows;
    TraceModel trace;
};

struct ZooLayer {
    std::string name;
    sched::Operator op;
    LayerKind kind = LayerKind::Conv;
    // Layers whose outputs this one reads (indices into ZooNetwork::layers);
    // empty = the network's input. JSON "inputs" names them (default: the
    // previous layer; "input" = the network input).
    std::vector<size_t> inputs;
    std::optional<DynamicSpec> dynamic; // JSON "dynamic": the layer's agent
};

struct ZooNetwork {
    std::string name, description, source;
    // DNA Table III category ("dynamic branches", ...) or "static".
    std::string category = "static";
    // Paper the network (and its dynamic behaviour) comes from.
    std::string reference;
    bool dynamic() const {
        for (const auto& l : layers)
            if (l.dynamic) return true;
        return false;
    }
    std::vector<ZooLayer> layers;
};

// What each agent modifies (gating, region_mask, token_merge: dims; routing,
// early_exit: branch; conditional_mixing: parameters) and the dim its tiles
// split (K, P, N, routing N; early_exit / conditional_mixing: none, K returned).
Modifies modifies_of(AgentKind k);
sched::Dim tile_dim_of(AgentKind k);
bool splits_dim(AgentKind k); // gating, region_mask, token_merge: tiles are slices of `dim`

// A zoo model by name, or a model file of one's own (`name` ending in
// ".json": read from disk, same schema). Throws ConfigError (file, JSON path,
// reason) for a bad entry, an unknown name or an unreadable file.
ZooNetwork load_zoo_network(const std::string& name);
// The same from JSON text; `source` names the text in errors (e.g. its path).
ZooNetwork parse_zoo_network(const std::string& text, const std::string& source);
std::vector<std::string> zoo_network_names();

} // namespace dynavp
