#include "zoo.h"

#include "platform/config_reader.h"
#include "platform/platform_config.h"

namespace dynavp {

std::vector<std::string> zoo_network_names() {
    std::vector<std::string> v;
    for (const auto& z : embedded_workload_zoo()) v.push_back(z.name);
    return v;
}

ZooNetwork load_zoo_network(const std::string& name) {
    for (const auto& z : embedded_workload_zoo()) {
        if (name != z.name) continue;
        const nlohmann::json j = parse_json_text(z.text, z.path);
        ConfigNode root(j, z.path, "");
        root.allow_only({"name", "description", "layers"});
        ZooNetwork net;
        net.name = root.str("name");
        net.description = root.str("description", "");
        net.source = z.path;
        for (const ConfigNode& l : root.array_of_objects("layers")) {
            l.allow_only({"name", "op"});
            ZooLayer layer;
            layer.name = l.str("name");
            try {
                layer.op = sched::parse_operator(l.str("op"));
            } catch (const std::invalid_argument& e) {
                l.fail("op", e.what());
            }
            layer.op.name = layer.name;
            net.layers.push_back(layer);
        }
        return net;
    }
    std::string names;
    for (const auto& n : zoo_network_names()) names += (names.empty() ? "" : ", ") + n;
    throw ConfigError("workloads/zoo", "", "unknown network \"" + name + "\" (known: " + names + ")");
}

} // namespace dynavp
