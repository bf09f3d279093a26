// The model zoo: networks as lists of operator shapes (workloads/zoo/*.json,
// compiled into the binary). Dynamic behaviour (which dims an agent changes
// and how) is applied on top by the experiments and, later, the runtime.
#pragma once

#include <string>
#include <vector>

#include "ip/scheduling/operator.h"

namespace dynavp {

struct ZooLayer {
    std::string name;
    sched::Operator op;
};

struct ZooNetwork {
    std::string name, description, source;
    std::vector<ZooLayer> layers;
};

// Throws ConfigError (file, JSON path, reason) for a bad entry or unknown name.
ZooNetwork load_zoo_network(const std::string& name);
std::vector<std::string> zoo_network_names();

} // namespace dynavp
