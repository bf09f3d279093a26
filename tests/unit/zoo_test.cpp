// Tests of the model zoo loader (workloads/zoo.h).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "platform/config_reader.h"
#include "workloads/zoo.h"

using namespace dynavp;
using nlohmann::json;

namespace {

const std::vector<std::string> kDynamicModels = {"dcn-resnet50",      "tome-vit-b16",       "fbs-vgg16",     "moefication-bert",
                                                 "switch-125m",       "mixtral-125m",       "fbs-cnn-small", "moe-block-small",
                                                 "condconv-effnetb0", "branchynet-alexnet"};

// A small valid dynamic network to break one field at a time.
json base_net() {
    return json::parse(R"({
      "name": "t", "category": "dynamic weight structures", "reference": "test",
      "layers": [
        {"name": "conv1", "op": "R=3,S=3,P=16,Q=16,C=8,K=16"},
        {"name": "conv2", "op": "R=3,S=3,P=16,Q=16,C=16,K=32",
         "dynamic": {"agent": "gating", "tiles": 4, "trace": {"density": 0.5, "source": "assumption: test"}}},
        {"name": "conv3", "op": "R=3,S=3,P=16,Q=16,C=32,K=32", "dynamic": {"follows": "conv2"}},
        {"name": "moe", "kind": "fc", "op": "N=64,C=32,K=64",
         "dynamic": {"agent": "routing", "tiles": 8, "top_k": 2, "expert_ops": ["C=64,K=32"],
                     "trace": {"clusters": 4, "correlation": 0.5, "source": "assumption: test"}}}
      ]})");
}

ZooNetwork parse(const json& j) { return parse_zoo_network(j.dump(), "bad.json"); }

// Parses j and returns the ConfigError it raises (fails the test if none).
ConfigError error_of(const json& j) {
    try {
        parse(j);
    } catch (const ConfigError& e) {
        return e;
    }
    FAIL("network was accepted: " << j.dump());
    throw std::logic_error("unreachable");
}

// Weights of an op: groups x R x S x C x K (a routing layer: every expert's matrices).
uint64_t weights(const ZooLayer& l) {
    if (l.kind != LayerKind::Conv && l.kind != LayerKind::Fc) return 0;
    // Grouped fc = per-head attention matmuls: their "weights" are activations.
    if (l.kind == LayerKind::Fc && l.op.groups > 1) return 0;
    const auto w = [](const sched::Operator& o) { return uint64_t(o.groups) * o[sched::R] * o[sched::S] * o[sched::C] * o[sched::K]; };
    uint64_t n = w(l.op);
    if (l.dynamic && (l.dynamic->agent == AgentKind::Routing || l.dynamic->agent == AgentKind::ConditionalMixing)) {
        for (const auto& e : l.dynamic->expert_ops) n += w(e);
        n *= l.dynamic->tiles; // every expert's copy (a follower has its agent's tiles)
    }
    return n;
}

uint64_t parameters(const ZooNetwork& net) {
    uint64_t n = 0;
    for (const auto& l : net.layers) n += weights(l);
    return n;
}

const ZooLayer& layer(const ZooNetwork& net, const std::string& name) {
    for (const auto& l : net.layers)
        if (l.name == name) return l;
    FAIL("no layer " << name << " in " << net.name);
    throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("every zoo model loads and its name is its file name", "[zoo]") {
    const auto names = zoo_network_names();
    REQUIRE(names.size() >= 17);
    for (const auto& n : names) {
        INFO(n);
        ZooNetwork net;
        REQUIRE_NOTHROW(net = load_zoo_network(n));
        CHECK(net.name == n);
        CHECK(!net.layers.empty());
        CHECK(!net.description.empty());
        CHECK(net.dynamic() == (net.category != "static"));
    }
    for (const auto& n : kDynamicModels) CHECK(std::find(names.begin(), names.end(), n) != names.end());
    CHECK_THROWS_WITH(load_zoo_network("no-such-net"), Catch::Contains("unknown network"));
}

TEST_CASE("every dynamic model has agents, a category, a reference and sourced traces", "[zoo]") {
    for (const auto& n : kDynamicModels) {
        INFO(n);
        const ZooNetwork net = load_zoo_network(n);
        CHECK(net.dynamic());
        CHECK(net.category != "static");
        CHECK(!net.reference.empty());
        uint32_t own = 0, tiles = 0;
        for (const auto& l : net.layers) {
            if (!l.dynamic || !l.dynamic->follows.empty()) continue;
            ++own;
            tiles += l.dynamic->tiles;
            CHECK(!l.dynamic->trace.source.empty());
            CHECK(l.dynamic->trace.density > 0);
            CHECK(l.dynamic->trace.density <= 1);
        }
        CHECK(own >= 1);
        CHECK(tiles <= 256); // the predictor's table has 256 tile rows
    }
    // The static networks stay static.
    for (const char* n : {"vgg16", "resnet50", "alexnet", "resnet18", "googlenet", "squeezenet", "dypipe-ops"}) {
        const ZooNetwork net = load_zoo_network(n);
        CHECK(net.category == "static");
        CHECK(!net.dynamic());
    }
}

TEST_CASE("the Table III categories match DNA's wording", "[zoo]") {
    CHECK(load_zoo_network("dcn-resnet50").category == "dynamic input regions");
    CHECK(load_zoo_network("tome-vit-b16").category == "dynamic input regions");
    CHECK(load_zoo_network("fbs-vgg16").category == "dynamic weight structures");
    CHECK(load_zoo_network("moefication-bert").category == "dynamic weight structures");
    CHECK(load_zoo_network("switch-125m").category == "dynamic branches");
    CHECK(load_zoo_network("mixtral-125m").category == "dynamic branches");
    CHECK(load_zoo_network("condconv-effnetb0").category == "dynamic weight parameters");
    CHECK(load_zoo_network("branchynet-alexnet").category == "dynamic depth (early exit)");
}

TEST_CASE("the scaled Switch and Mixtral models have about 125M parameters", "[zoo]") {
    const ZooNetwork sw = load_zoo_network("switch-125m"), mx = load_zoo_network("mixtral-125m");
    CHECK(parameters(sw) == 123338752); // the description's 123,363,328 minus the 6 routers (6 x 4,096), which are agents
    CHECK(parameters(mx) == 124125184); // 124,149,760 minus the routers
    for (const ZooNetwork* n : {&sw, &mx}) {
        CHECK(parameters(*n) >= 115000000);
        CHECK(parameters(*n) <= 135000000);
    }
    const DynamicSpec& s = *layer(sw, "l1_moe").dynamic;
    CHECK(s.agent == AgentKind::Routing);
    CHECK(s.modifies == Modifies::Branch);
    CHECK(s.dim == sched::N);
    CHECK(s.tiles == 8);
    CHECK(s.top_k == 1);
    CHECK(s.trace.density == Approx(1.0 / 8));
    REQUIRE(s.expert_ops.size() == 1);
    CHECK(s.expert_ops[0][sched::C] == 2048);
    CHECK(s.expert_ops[0][sched::K] == 512);
    CHECK(s.expert_ops[0][sched::N] == 128); // set to the layer's tokens
    const DynamicSpec& m = *layer(mx, "l6_moe").dynamic;
    CHECK(m.top_k == 2);
    CHECK(m.trace.density == Approx(0.25));
    CHECK(layer(mx, "l6_moe").op[sched::K] == 2816); // w1 || w3
    CHECK(m.expert_ops.at(0)[sched::C] == 1408);      // after the SwiGLU product
}

TEST_CASE("ViT-B/16 with Token Merging has ToMe's shapes and schedule", "[zoo]") {
    const ZooNetwork net = load_zoo_network("tome-vit-b16");
    const ZooLayer& qkv = layer(net, "b1_qkv");
    CHECK(qkv.kind == LayerKind::Fc);
    CHECK(qkv.op[sched::N] == 200); // 197 tokens padded to 8 tiles of 25
    CHECK(qkv.op[sched::C] == 768);
    CHECK(qkv.op[sched::K] == 2304);
    const ZooLayer& scores = layer(net, "b1_scores");
    CHECK(scores.op.groups == 12);
    CHECK(scores.op[sched::C] == 64);
    CHECK(scores.op[sched::K] == 200);
    CHECK(layer(net, "b1_context").op.groups == 12);
    CHECK(scores.dynamic->follows == "b1_qkv");
    uint32_t blocks = 0;
    for (const auto& l : net.layers) {
        if (!l.dynamic || !l.dynamic->follows.empty()) continue;
        CHECK(l.dynamic->agent == AgentKind::TokenMerge);
        CHECK(l.dynamic->dim == sched::N);
        CHECK(l.dynamic->tiles == 8);
        CHECK(l.dynamic->trace.density == Approx((197.0 - 8 * blocks) / 197).epsilon(1e-5));
        ++blocks;
    }
    CHECK(blocks == 12);
    // ViT-B/16's ~86M weights (no embeddings of positions / class token, no norms).
    CHECK(parameters(net) > 85000000);
    CHECK(parameters(net) < 87000000);
}

TEST_CASE("the other Table III models have their papers' shapes", "[zoo]") {
    const ZooNetwork bert = load_zoo_network("moefication-bert");
    uint32_t routing = 0;
    for (const auto& l : bert.layers)
        if (l.dynamic) {
            CHECK(l.dynamic->tiles * l.op[sched::K] == 3072); // 16 experts x 192 neurons = BERT-base's FFN
            CHECK(l.dynamic->top_k == 4);
            ++routing;
        }
    CHECK(routing == 12);
    CHECK(parameters(bert) == 12ull * (4 * 768 * 768 + 2 * 768 * 3072));

    const ZooNetwork fbs = load_zoo_network("fbs-vgg16");
    uint32_t gated = 0;
    for (const auto& l : fbs.layers)
        if (l.dynamic) {
            CHECK(l.dynamic->agent == AgentKind::Gating);
            CHECK(l.dynamic->dim == sched::K);
            ++gated;
        }
    CHECK(gated == 11); // conv2_1..conv5_3
    CHECK(parameters(fbs) == 14710464ull + 25088ull * 4096 + 4096ull * 4096 + 4096ull * 1000);

    const ZooNetwork dcn = load_zoo_network("dcn-resnet50");
    for (const char* n : {"conv3_3x3", "conv4_3x3", "conv5_3x3"}) {
        const ZooLayer& l = layer(dcn, n);
        REQUIRE(l.dynamic);
        CHECK(l.dynamic->agent == AgentKind::RegionMask);
        CHECK(l.dynamic->dim == sched::P);
        CHECK(l.op[sched::P] % l.dynamic->tiles == 0);
    }
    CHECK(!layer(dcn, "conv2_3x3").dynamic);

    const ZooNetwork cc = load_zoo_network("condconv-effnetb0");
    uint32_t mixing = 0, followers = 0;
    for (const auto& l : cc.layers)
        if (l.dynamic) {
            CHECK(l.dynamic->agent == AgentKind::ConditionalMixing);
            CHECK(l.dynamic->modifies == Modifies::Parameters);
            CHECK(l.dynamic->tiles == 8);
            (l.dynamic->follows.empty() ? mixing : followers)++;
            if (l.dynamic->follows.empty()) CHECK(l.dynamic->trace.density == 1.0);
        }
    CHECK(mixing == 8); // the blocks of the last three stages
    CHECK(followers == 16);
    CHECK(layer(cc, "s6_b1_dw").op.groups == 480);

    const ZooNetwork bn = load_zoo_network("branchynet-alexnet");
    for (const char* n : {"exit1_fc", "exit2_fc"}) {
        const ZooLayer& l = layer(bn, n);
        REQUIRE(l.dynamic);
        CHECK(l.dynamic->agent == AgentKind::EarlyExit);
        CHECK(l.dynamic->tiles == 1);
    }
    CHECK(bn.layers[layer(bn, "conv2").inputs.at(0)].name == "pool1"); // the backbone skips the exit branch
    CHECK(bn.layers[layer(bn, "exit1_fc").inputs.at(0)].name == "exit1_pool");

    const ZooNetwork moe = load_zoo_network("moe-block-small");
    const DynamicSpec& r = *moe.layers.at(0).dynamic;
    CHECK(r.tiles == 8);
    CHECK(r.top_k == 2);
    CHECK(r.trace.persistence == Approx(0.6));
    CHECK(r.trace.clusters == 4);
}

TEST_CASE("the dynamic fields parse with their defaults", "[zoo]") {
    const ZooNetwork net = parse(base_net());
    CHECK(net.category == "dynamic weight structures");
    const DynamicSpec& g = *net.layers[1].dynamic;
    CHECK(g.agent == AgentKind::Gating);
    CHECK(g.modifies == Modifies::Dims);
    CHECK(g.dim == sched::K);
    CHECK(g.tiles == 4);
    CHECK(g.trace.imbalance == 0);
    CHECK(g.trace.clusters == 1);
    const DynamicSpec& f = *net.layers[2].dynamic;
    CHECK(f.follows == "conv2");
    CHECK(f.agent == AgentKind::Gating);
    CHECK(f.tiles == 4);
    const DynamicSpec& r = *net.layers[3].dynamic;
    CHECK(r.dim == sched::N);
    CHECK(r.trace.density == Approx(0.25));
    CHECK(r.expert_ops.at(0)[sched::N] == 64);
    CHECK(std::string(to_string(AgentKind::ConditionalMixing)) == "conditional_mixing");
    CHECK(std::string(to_string(AgentKind::EarlyExit)) == "early_exit");
    CHECK(std::string(to_string(Modifies::Parameters)) == "parameters");

    json j = json::parse(R"({"name": "s", "layers": [{"name": "fc", "kind": "fc", "op": "C=4,K=4"}]})");
    CHECK(parse(j).category == "static");
    CHECK(parse(j).reference.empty());
}

TEST_CASE("malformed dynamic fields are ConfigErrors naming the field", "[zoo]") {
    auto msg = [](const json& j) { return std::string(error_of(j).what()); };
    json j = base_net();

    SECTION("unknown agent") {
        j["layers"][1]["dynamic"]["agent"] = "pruning";
        CHECK_THAT(msg(j), Catch::Contains("/layers/1/dynamic/agent") && Catch::Contains("unknown agent \"pruning\""));
    }
    SECTION("inconsistent modifies") {
        j["layers"][3]["dynamic"]["modifies"] = "dims";
        CHECK_THAT(msg(j), Catch::Contains("modifies") && Catch::Contains("routing, which modifies \"branch\""));
        j["layers"][3]["dynamic"]["modifies"] = "shape";
        CHECK_THAT(msg(j), Catch::Contains("modifies") && Catch::Contains("unknown value"));
    }
    SECTION("a dim that is not the agent's") {
        j["layers"][1]["dynamic"]["dim"] = "C";
        CHECK_THAT(msg(j), Catch::Contains("/dynamic/dim") && Catch::Contains("splits K"));
    }
    SECTION("tiles that do not divide the dim") {
        j["layers"][1]["op"] = "R=3,S=3,P=16,Q=16,C=16,K=100";
        j["layers"][1]["dynamic"]["tiles"] = 8;
        CHECK_THAT(msg(j), Catch::Contains("/dynamic/tiles") && Catch::Contains("K=100 is not divisible by tiles=8"));
    }
    SECTION("tiles out of range") {
        j["layers"][1]["dynamic"]["tiles"] = 128;
        CHECK_THAT(msg(j), Catch::Contains("tiles"));
        j["layers"][1]["dynamic"]["tiles"] = 4;
        j["layers"][3]["dynamic"]["tiles"] = 1;
        j["layers"][3]["dynamic"]["top_k"] = 1;
        CHECK_THAT(msg(j), Catch::Contains("tiles") && Catch::Contains("at least 2 experts"));
    }
    SECTION("top_k greater than tiles, or on a non-routing agent") {
        j["layers"][3]["dynamic"]["top_k"] = 9;
        CHECK_THAT(msg(j), Catch::Contains("top_k") && Catch::Contains("tiles=8"));
        j["layers"][3]["dynamic"]["top_k"] = 2;
        j["layers"][1]["dynamic"]["top_k"] = 2;
        CHECK_THAT(msg(j), Catch::Contains("top_k") && Catch::Contains("only for agent routing"));
    }
    SECTION("follows of an unknown, a later or an agent-less layer") {
        j["layers"][2]["dynamic"]["follows"] = "nope";
        CHECK_THAT(msg(j), Catch::Contains("follows") && Catch::Contains("not an earlier layer"));
        j["layers"][2]["dynamic"]["follows"] = "moe";
        CHECK_THAT(msg(j), Catch::Contains("follows") && Catch::Contains("not an earlier layer"));
        j["layers"][2]["dynamic"]["follows"] = "conv1";
        CHECK_THAT(msg(j), Catch::Contains("follows") && Catch::Contains("has no agent"));
    }
    SECTION("a follower that contradicts its agent or has a trace") {
        j["layers"][2]["dynamic"]["tiles"] = 8;
        CHECK_THAT(msg(j), Catch::Contains("tiles") && Catch::Contains("followed layer"));
        j["layers"][2]["dynamic"].erase("tiles");
        j["layers"][2]["dynamic"]["agent"] = "token_merge";
        CHECK_THAT(msg(j), Catch::Contains("agent") && Catch::Contains("followed layer"));
        j["layers"][2]["dynamic"].erase("agent");
        j["layers"][2]["dynamic"]["trace"] = {{"density", 0.5}, {"source", "x"}};
        CHECK_THAT(msg(j), Catch::Contains("trace") && Catch::Contains("follows"));
        j["layers"][2]["dynamic"].erase("trace");
        j["layers"][2]["op"] = "R=3,S=3,P=16,Q=16,C=32,K=30";
        CHECK_THAT(msg(j), Catch::Contains("tiles") && Catch::Contains("K=30 is not divisible by tiles=4"));
    }
    SECTION("missing trace or trace source") {
        j["layers"][1]["dynamic"]["trace"].erase("source");
        CHECK_THAT(msg(j), Catch::Contains("/trace/source") && Catch::Contains("missing"));
        j["layers"][1]["dynamic"]["trace"]["source"] = " ";
        CHECK_THAT(msg(j), Catch::Contains("/trace/source") && Catch::Contains("assumption"));
        j["layers"][1]["dynamic"].erase("trace");
        CHECK_THAT(msg(j), Catch::Contains("/dynamic/trace") && Catch::Contains("missing"));
    }
    SECTION("bad expert_ops chain") {
        j["layers"][3]["dynamic"]["expert_ops"] = {"C=48,K=32"};
        CHECK_THAT(msg(j), Catch::Contains("expert_ops/0") && Catch::Contains("C=48 must equal the previous matmul's K=64"));
        j["layers"][3]["dynamic"]["expert_ops"] = {"C=64,K=128", "C=100,K=32"};
        CHECK_THAT(msg(j), Catch::Contains("expert_ops/1") && Catch::Contains("K=128"));
        j["layers"][3]["dynamic"]["expert_ops"] = {"C=64,K=64", "C=32,K=32"}; // 32 = 64/2: a gated unit
        CHECK(parse(j).layers[3].dynamic->expert_ops.size() == 2);
        j["layers"][3]["dynamic"]["expert_ops"] = {"R=3,C=64,K=32"};
        CHECK_THAT(msg(j), Catch::Contains("expert_ops") && Catch::Contains("matmul"));
        j["layers"][3]["dynamic"]["expert_ops"] = {"C=64,K=oops"};
        CHECK_THAT(msg(j), Catch::Contains("expert_ops") && Catch::Contains("positive integer"));
        j["layers"][3]["dynamic"]["expert_ops"] = {"C=64,K=32"};
        j["layers"][1]["dynamic"]["expert_ops"] = {"C=32,K=16"};
        CHECK_THAT(msg(j), Catch::Contains("expert_ops") && Catch::Contains("only for agent routing"));
    }
    SECTION("density and the other trace numbers out of range") {
        j["layers"][1]["dynamic"]["trace"]["density"] = 0;
        CHECK_THAT(msg(j), Catch::Contains("/trace/density") && Catch::Contains("(0, 1]"));
        j["layers"][1]["dynamic"]["trace"]["density"] = 1.5;
        CHECK_THAT(msg(j), Catch::Contains("/trace/density"));
        j["layers"][1]["dynamic"]["trace"].erase("density");
        CHECK_THAT(msg(j), Catch::Contains("/trace/density") && Catch::Contains("missing"));
        j["layers"][1]["dynamic"]["trace"]["density"] = 0.5;
        j["layers"][3]["dynamic"]["trace"]["density"] = 0.5;
        CHECK_THAT(msg(j), Catch::Contains("/trace/density") && Catch::Contains("top_k/tiles = 0.25"));
        j["layers"][3]["dynamic"]["trace"].erase("density");
        j["layers"][1]["dynamic"]["trace"]["correlation"] = 1.0;
        CHECK_THAT(msg(j), Catch::Contains("/trace/correlation"));
        j["layers"][1]["dynamic"]["trace"]["correlation"] = 0.5;
        j["layers"][1]["dynamic"]["trace"]["persistence"] = -0.1;
        CHECK_THAT(msg(j), Catch::Contains("/trace/persistence"));
        j["layers"][1]["dynamic"]["trace"]["persistence"] = 0.5;
        j["layers"][1]["dynamic"]["trace"]["imbalance"] = -1;
        CHECK_THAT(msg(j), Catch::Contains("/trace/imbalance"));
        j["layers"][1]["dynamic"]["trace"]["imbalance"] = 1;
        j["layers"][1]["dynamic"]["trace"]["clusters"] = 5;
        CHECK_THAT(msg(j), Catch::Contains("/trace/clusters") && Catch::Contains("tiles=4"));
    }
    SECTION("early_exit and conditional_mixing constraints") {
        j["layers"][1]["dynamic"] = {{"agent", "early_exit"}, {"tiles", 2}, {"trace", {{"density", 0.5}, {"source", "x"}}}};
        j["layers"][2].erase("dynamic");
        CHECK_THAT(msg(j), Catch::Contains("tiles") && Catch::Contains("exactly 1 tile"));
        j["layers"][1]["dynamic"]["tiles"] = 1;
        j["layers"][1]["dynamic"]["dim"] = "K";
        CHECK_THAT(msg(j), Catch::Contains("dim") && Catch::Contains("early_exit has no dim"));
        j["layers"][1]["dynamic"] = {{"agent", "conditional_mixing"}, {"tiles", 8}, {"trace", {{"density", 0.5}, {"source", "x"}}}};
        CHECK_THAT(msg(j), Catch::Contains("/trace/density") && Catch::Contains("must be 1"));
    }
    SECTION("unknown keys and inconsistent categories") {
        j["layers"][1]["dynamic"]["tile"] = 4;
        CHECK_THAT(msg(j), Catch::Contains("/dynamic/tile") && Catch::Contains("unknown field"));
        j["layers"][1]["dynamic"].erase("tile");
        j["layers"][1]["dynamic"]["trace"]["sources"] = "x";
        CHECK_THAT(msg(j), Catch::Contains("/trace/sources") && Catch::Contains("unknown field"));
        j["layers"][1]["dynamic"]["trace"].erase("sources");
        j["category"] = "static";
        CHECK_THAT(msg(j), Catch::Contains("/category") && Catch::Contains("agent layers"));
        json s = json::parse(R"({"name": "s", "category": "dynamic branches", "layers": [{"name": "fc", "kind": "fc", "op": "C=4,K=4"}]})");
        CHECK_THAT(msg(s), Catch::Contains("/category") && Catch::Contains("static"));
    }
}
