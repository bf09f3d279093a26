#include "zoo.h"

#include "platform/config_reader.h"
#include "platform/platform_config.h"

namespace dynavp {

const char* to_string(LayerKind k) {
    switch (k) {
    case LayerKind::Conv: return "conv";
    case LayerKind::Fc: return "fc";
    case LayerKind::PoolMax: return "pool_max";
    case LayerKind::PoolAvg: return "pool_avg";
    case LayerKind::Add: return "add";
    case LayerKind::Concat: return "concat";
    }
    return "?";
}

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
            l.allow_only({"name", "op", "kind", "inputs"});
            ZooLayer layer;
            layer.name = l.str("name");
            for (const auto& other : net.layers)
                if (other.name == layer.name) l.fail("name", "duplicate layer name \"" + layer.name + "\"");
            const std::string kind = l.str("kind", "conv");
            const LayerKind kinds[] = {LayerKind::Conv, LayerKind::Fc, LayerKind::PoolMax, LayerKind::PoolAvg, LayerKind::Add, LayerKind::Concat};
            bool known = false;
            for (LayerKind k : kinds)
                if (kind == to_string(k)) layer.kind = k, known = true;
            if (!known) l.fail("kind", "unknown layer kind \"" + kind + "\" (known: conv, fc, pool_max, pool_avg, add, concat)");
            try {
                layer.op = sched::parse_operator(l.str("op"));
            } catch (const std::invalid_argument& e) {
                l.fail("op", e.what());
            }
            layer.op.name = layer.name;
            if (l.has("inputs")) {
                if (!l.json().at("inputs").is_array() || l.json().at("inputs").empty()) l.fail("inputs", "must be a non-empty array of layer names");
                for (const auto& in : l.json().at("inputs")) {
                    if (!in.is_string()) l.fail("inputs", "must be a non-empty array of layer names");
                    const std::string n = in.get<std::string>();
                    if (n == "input") continue;
                    size_t idx = net.layers.size();
                    for (size_t i = 0; i < net.layers.size(); ++i)
                        if (net.layers[i].name == n) idx = i;
                    if (idx == net.layers.size()) l.fail("inputs", "\"" + n + "\" is not an earlier layer");
                    layer.inputs.push_back(idx);
                }
            } else if (!net.layers.empty()) {
                layer.inputs.push_back(net.layers.size() - 1);
            }
            if ((layer.kind == LayerKind::Add || layer.kind == LayerKind::Concat) && layer.inputs.size() < 2)
                l.fail("inputs", std::string(to_string(layer.kind)) + " needs at least two inputs");
            net.layers.push_back(layer);
        }
        return net;
    }
    std::string names;
    for (const auto& n : zoo_network_names()) names += (names.empty() ? "" : ", ") + n;
    throw ConfigError("workloads/zoo", "", "unknown network \"" + name + "\" (known: " + names + ")");
}

} // namespace dynavp
