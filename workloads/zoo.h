// The model zoo: networks as lists of operator shapes (workloads/zoo/*.json,
// compiled into the binary). Dynamic behaviour (which dims an agent changes
// and how) is applied on top by the experiments and, later, the runtime.
#pragma once

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

struct ZooLayer {
    std::string name;
    sched::Operator op;
    LayerKind kind = LayerKind::Conv;
    // Layers whose outputs this one reads (indices into ZooNetwork::layers);
    // empty = the network's input. JSON "inputs" names them (default: the
    // previous layer; "input" = the network input).
    std::vector<size_t> inputs;
};

struct ZooNetwork {
    std::string name, description, source;
    std::vector<ZooLayer> layers;
};

// Throws ConfigError (file, JSON path, reason) for a bad entry or unknown name.
ZooNetwork load_zoo_network(const std::string& name);
std::vector<std::string> zoo_network_names();

} // namespace dynavp
