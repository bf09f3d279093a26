#include "zoo.h"

#include <cmath>
#include <cstdio>

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

const char* to_string(AgentKind k) {
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

const char* to_string(Modifies m) {
    switch (m) {
    case Modifies::Dims: return "dims";
    case Modifies::Branch: return "branch";
    case Modifies::Parameters: return "parameters";
    }
    return "?";
}

Modifies modifies_of(AgentKind k) {
    switch (k) {
    case AgentKind::Gating:
    case AgentKind::RegionMask:
    case AgentKind::TokenMerge: return Modifies::Dims;
    case AgentKind::Routing:
    case AgentKind::EarlyExit: return Modifies::Branch;
    case AgentKind::ConditionalMixing: return Modifies::Parameters;
    }
    return Modifies::Dims;
}

sched::Dim tile_dim_of(AgentKind k) {
    switch (k) {
    case AgentKind::RegionMask: return sched::P;
    case AgentKind::TokenMerge:
    case AgentKind::Routing: return sched::N;
    default: return sched::K;
    }
}

bool splits_dim(AgentKind k) { return k == AgentKind::Gating || k == AgentKind::RegionMask || k == AgentKind::TokenMerge; }

std::vector<std::string> zoo_network_names() {
    std::vector<std::string> v;
    for (const auto& z : embedded_workload_zoo()) v.push_back(z.name);
    return v;
}

namespace {

constexpr AgentKind kAgents[] = {AgentKind::Gating,     AgentKind::Routing,    AgentKind::EarlyExit,
                                 AgentKind::RegionMask, AgentKind::TokenMerge, AgentKind::ConditionalMixing};
constexpr uint32_t kMaxTiles = 64;

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }
std::string num(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return b;
}

AgentKind parse_agent(const ConfigNode& d) {
    const std::string s = d.str("agent");
    for (AgentKind k : kAgents)
        if (s == to_string(k)) return k;
    d.fail("agent", "unknown agent " + in_quotes(s) + " (known: gating, routing, early_exit, region_mask, token_merge, conditional_mixing)");
}

// Routing expert ops: matmuls chained inside one expert, N = the layer's tokens.
std::vector<sched::Operator> parse_expert_ops(const ConfigNode& d, const ZooLayer& layer) {
    const nlohmann::json& a = d.json().at("expert_ops");
    if (!a.is_array()) d.fail("expert_ops", "expected an array of operator strings such as \"C=3072,K=768\"");
    std::vector<sched::Operator> ops;
    uint32_t prev_k = layer.op[sched::K];
    for (size_t i = 0; i < a.size(); ++i) {
        const std::string where = d.path_of("expert_ops") + "/" + std::to_string(i);
        auto bad = [&](const std::string& reason) { throw ConfigError(d.file(), where, "expert_ops: " + reason); };
        if (!a[i].is_string()) bad("expected an operator string such as \"C=3072,K=768\"");
        const std::string text = a[i].get<std::string>();
        sched::Operator op;
        try {
            op = sched::parse_operator(text);
        } catch (const std::invalid_argument& e) {
            bad(in_quotes(text) + ": " + e.what());
        }
        if (op[sched::R] != 1 || op[sched::S] != 1 || op[sched::P] != 1 || op[sched::Q] != 1 || op.groups != 1 || op.stride != 1 ||
            op.dilation != 1)
            bad(in_quotes(text) + " must be a matmul (only C, K and N)");
        if (op[sched::N] != 1 && op[sched::N] != layer.op[sched::N])
            bad(in_quotes(text) + ": N=" + std::to_string(op[sched::N]) + " differs from the layer's N=" + std::to_string(layer.op[sched::N]) +
                " (omit N: the expert's tokens are set at run time)");
        // A gated unit (SwiGLU: w1||w3 in one matmul, multiplied pairwise) halves the width.
        const uint32_t c = op[sched::C];
        if (c != prev_k && !(prev_k % 2 == 0 && c == prev_k / 2))
            bad(in_quotes(text) + ": C=" + std::to_string(c) + " must equal the previous matmul's K=" + std::to_string(prev_k) +
                (prev_k % 2 == 0 ? " (or K/2=" + std::to_string(prev_k / 2) + " after a gated unit such as SwiGLU)" : std::string()));
        op[sched::N] = layer.op[sched::N];
        op.name = layer.name + "_expert_op" + std::to_string(i + 1);
        prev_k = op[sched::K];
        ops.push_back(op);
    }
    return ops;
}

TraceModel parse_trace(const ConfigNode& d, const DynamicSpec& s) {
    if (!d.has("trace"))
        d.fail("trace", "missing required field: the decision generator's parameters (or \"follows\" an earlier layer's agent)");
    const ConfigNode t = d.object("trace");
    t.allow_only({"density", "imbalance", "correlation", "persistence", "clusters", "source"});
    TraceModel m;
    m.source = t.str("source");
    if (m.source.find_first_not_of(" \t\n") == std::string::npos)
        t.fail("source", "must say where the numbers come from: a paper and figure/table, or \"assumption: <why>\"");
    if (s.agent == AgentKind::Routing) {
        m.density = double(s.top_k) / s.tiles;
        if (t.has("density") && std::fabs(t.number("density") - m.density) > 1e-9)
            t.fail("density", "routing density is top_k/tiles = " + num(m.density) + " (derived by the generator): omit it or give " + num(m.density));
    } else if (s.agent == AgentKind::ConditionalMixing) {
        m.density = 1.0;
        if (t.has("density") && t.number("density") != 1.0)
            t.fail("density", "conditional_mixing uses every expert in every sample: density must be 1 (or omitted)");
    } else {
        m.density = t.number("density");
        if (!(m.density > 0 && m.density <= 1)) t.fail("density", "density " + num(m.density) + " out of range (0, 1]");
    }
    m.imbalance = t.number("imbalance", 0.0);
    if (!(m.imbalance >= 0)) t.fail("imbalance", "imbalance (a Zipf exponent) must be >= 0, got " + num(m.imbalance));
    m.correlation = t.number("correlation", 0.0);
    if (!(m.correlation >= 0 && m.correlation < 1)) t.fail("correlation", "correlation " + num(m.correlation) + " out of range [0, 1)");
    m.persistence = t.number("persistence", 0.0);
    if (!(m.persistence >= 0 && m.persistence <= 1)) t.fail("persistence", "persistence " + num(m.persistence) + " out of range [0, 1]");
    const uint64_t clusters = t.u64("clusters", 1);
    if (clusters < 1 || clusters > s.tiles)
        t.fail("clusters", "clusters=" + std::to_string(clusters) + " out of range [1, tiles=" + std::to_string(s.tiles) + "]");
    m.clusters = uint32_t(clusters);
    return m;
}

DynamicSpec parse_dynamic(const ConfigNode& d, const ZooLayer& layer, const std::vector<ZooLayer>& earlier) {
    d.allow_only({"agent", "modifies", "dim", "tiles", "top_k", "expert_ops", "follows", "trace"});
    DynamicSpec s;
    const DynamicSpec* followed = nullptr;
    if (d.has("follows")) {
        s.follows = d.str("follows");
        const ZooLayer* f = nullptr;
        for (const auto& l : earlier)
            if (l.name == s.follows) f = &l;
        if (!f) d.fail("follows", in_quotes(s.follows) + " is not an earlier layer (a layer can only follow an agent above it)");
        if (!f->dynamic) d.fail("follows", in_quotes(s.follows) + " has no agent (no \"dynamic\")");
        if (!f->dynamic->follows.empty())
            d.fail("follows", in_quotes(s.follows) + " follows " + in_quotes(f->dynamic->follows) + " itself: name the layer with the agent");
        followed = &*f->dynamic;
        for (const char* key : {"trace", "top_k", "expert_ops"})
            if (d.has(key)) d.fail(key, "not allowed with \"follows\": the followed layer's agent decides (set it there)");
    }

    if (d.has("agent") || !followed) s.agent = parse_agent(d);
    else s.agent = followed->agent;
    if (followed && s.agent != followed->agent)
        d.fail("agent", std::string("agent ") + to_string(s.agent) + " does not match the followed layer's agent " + to_string(followed->agent));

    s.modifies = modifies_of(s.agent);
    if (d.has("modifies")) {
        const std::string m = d.str("modifies");
        if (m != "dims" && m != "branch" && m != "parameters") d.fail("modifies", "unknown value " + in_quotes(m) + " (known: dims, branch, parameters)");
        if (m != to_string(s.modifies))
            d.fail("modifies", in_quotes(m) + " is inconsistent with agent " + to_string(s.agent) + ", which modifies " + in_quotes(to_string(s.modifies)));
    }

    s.dim = tile_dim_of(s.agent);
    if (d.has("dim")) {
        const std::string v = d.str("dim");
        if (s.agent == AgentKind::EarlyExit) d.fail("dim", "agent early_exit has no dim (its one tile is \"continue\"): omit it");
        if (s.agent == AgentKind::ConditionalMixing) d.fail("dim", "agent conditional_mixing has no dim (its tiles are whole experts): omit it");
        if (v != sched::dim_name(s.dim))
            d.fail("dim", "dim " + in_quotes(v) + " does not match agent " + to_string(s.agent) + ", which splits " + sched::dim_name(s.dim));
    }

    if (followed) {
        s.tiles = uint32_t(d.u64_in("tiles", followed->tiles, 1, kMaxTiles));
        if (s.tiles != followed->tiles)
            d.fail("tiles", "tiles=" + std::to_string(s.tiles) + " does not match the followed layer's tiles=" + std::to_string(followed->tiles));
    } else if (s.agent == AgentKind::EarlyExit) {
        s.tiles = uint32_t(d.u64_in("tiles", 1, 1, kMaxTiles));
        if (s.tiles != 1) d.fail("tiles", "early_exit has exactly 1 tile (\"continue\"), got tiles=" + std::to_string(s.tiles));
    } else {
        s.tiles = uint32_t(d.u64_in("tiles", 1, kMaxTiles));
    }
    if ((s.agent == AgentKind::Routing || s.agent == AgentKind::ConditionalMixing) && s.tiles < 2)
        d.fail("tiles", std::string(to_string(s.agent)) + " needs at least 2 experts (tiles), got tiles=" + std::to_string(s.tiles));
    if (splits_dim(s.agent) && layer.op[s.dim] % s.tiles != 0)
        d.fail("tiles", std::string(sched::dim_name(s.dim)) + "=" + std::to_string(layer.op[s.dim]) + " is not divisible by tiles=" +
                            std::to_string(s.tiles));
    if (followed) {
        s.top_k = followed->top_k;
        return s;
    }

    if (d.has("top_k")) {
        if (s.agent != AgentKind::Routing) d.fail("top_k", std::string("only for agent routing, not ") + to_string(s.agent));
        const uint64_t k = d.u64("top_k");
        if (k < 1 || k > s.tiles) d.fail("top_k", "top_k=" + std::to_string(k) + " out of range [1, tiles=" + std::to_string(s.tiles) + "]");
        s.top_k = uint32_t(k);
    }
    if (d.has("expert_ops")) {
        if (s.agent != AgentKind::Routing) d.fail("expert_ops", std::string("only for agent routing, not ") + to_string(s.agent));
        s.expert_ops = parse_expert_ops(d, layer);
    }
    s.trace = parse_trace(d, s);
    return s;
}

} // namespace

ZooNetwork parse_zoo_network(const std::string& text, const std::string& source) {
    const nlohmann::json j = parse_json_text(text, source);
    ConfigNode root(j, source, "");
    root.allow_only({"name", "description", "category", "reference", "layers"});
    ZooNetwork net;
    net.name = root.str("name");
    net.description = root.str("description", "");
    net.category = root.str("category", "static");
    net.reference = root.str("reference", "");
    net.source = source;
    if (net.category.empty()) root.fail("category", "must not be empty: \"static\" or a DNA Table III category such as \"dynamic branches\"");
    for (const ConfigNode& l : root.array_of_objects("layers")) {
        l.allow_only({"name", "op", "kind", "inputs", "dynamic"});
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
        if (l.has("dynamic")) layer.dynamic = parse_dynamic(l.object("dynamic"), layer, net.layers);
        net.layers.push_back(layer);
    }
    if (net.dynamic() && net.category == "static")
        root.fail("category", "the network has agent layers (\"dynamic\"): give its DNA Table III category, e.g. \"dynamic branches\"");
    if (!net.dynamic() && net.category != "static")
        root.fail("category", in_quotes(net.category) + " but no layer has \"dynamic\": a network without agents is \"static\"");
    return net;
}

ZooNetwork load_zoo_network(const std::string& name) {
    // A model file of the user's own, not compiled in: any name ending in .json.
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) return parse_zoo_network(read_text_file(name), name);
    for (const auto& z : embedded_workload_zoo()) {
        if (name != z.name) continue;
        ZooNetwork net = parse_zoo_network(z.text, z.path);
        if (net.name != name) throw ConfigError(z.path, "/name", "\"" + net.name + "\" must equal the file's name \"" + name + "\"");
        return net;
    }
    std::string names;
    for (const auto& n : zoo_network_names()) names += (names.empty() ? "" : ", ") + n;
    throw ConfigError("workloads/zoo", "", "unknown network \"" + name + "\" (known: " + names + "; or a model file, path ending in .json)");
}

} // namespace dynavp
