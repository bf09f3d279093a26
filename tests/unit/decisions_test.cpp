// Tests of agent decisions (workloads/decisions.h): the seeded generator
// against its own model and the statistics it is asked for, and the JSON
// Lines trace format.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "platform/config_reader.h"
#include "workloads/decisions.h"

using namespace dynavp;

namespace {

ZooLayer layer(const std::string& name, const std::string& op) {
    ZooLayer l;
    l.name = name;
    l.op = sched::parse_operator(op);
    l.op.name = name;
    return l;
}

DynamicSpec spec(AgentKind agent, sched::Dim dim, uint32_t tiles, TraceModel tm = {}) {
    DynamicSpec d;
    d.agent = agent;
    d.dim = dim;
    d.tiles = tiles;
    d.trace = tm;
    return d;
}

TraceModel model(double density, double imbalance, double correlation, uint32_t clusters, double persistence = 0) {
    TraceModel tm;
    tm.density = density;
    tm.imbalance = imbalance;
    tm.correlation = correlation;
    tm.clusters = clusters;
    tm.persistence = persistence;
    tm.source = "test";
    return tm;
}

// Layers of the test network (indices into ZooNetwork::layers).
constexpr size_t kGate = 1, kFollower = 2, kMoe = 3, kExit = 4, kMix = 5;

// stem (static) -> gate (FBS gating, 16 channel groups) -> follower (applies
// gate's decision) -> moe (8 experts, top-2, 64 tokens) -> exit (early exit)
// -> mix (CondConv, 4 kernels).
ZooNetwork test_net(TraceModel gate = model(0.25, 0.5, 0.3, 4, 0.5), TraceModel moe = model(0.25, 0.8, 0.5, 2, 0.5),
                    double exit_density = 0.3) {
    ZooNetwork net;
    net.name = "test-dyn";
    net.layers.push_back(layer("stem", "R=3,S=3,P=16,Q=16,C=8,K=64"));
    net.layers.push_back(layer("gate", "R=3,S=3,P=16,Q=16,C=64,K=64"));
    net.layers.back().dynamic = spec(AgentKind::Gating, sched::K, 16, gate);
    net.layers.push_back(layer("follower", "R=1,S=1,P=16,Q=16,C=64,K=64"));
    net.layers.back().dynamic = spec(AgentKind::Gating, sched::K, 16);
    net.layers.back().dynamic->follows = "gate";
    net.layers.push_back(layer("moe", "P=1,Q=1,C=64,K=256,N=64"));
    net.layers.back().dynamic = spec(AgentKind::Routing, sched::N, 8, moe);
    net.layers.back().dynamic->top_k = 2;
    net.layers.push_back(layer("exit", "C=256,K=10"));
    net.layers.back().dynamic = spec(AgentKind::EarlyExit, sched::K, 1, model(exit_density, 0, 0, 1));
    net.layers.push_back(layer("mix", "R=3,S=3,P=16,Q=16,C=64,K=64"));
    net.layers.back().dynamic = spec(AgentKind::ConditionalMixing, sched::K, 4);
    for (size_t i = 1; i < net.layers.size(); ++i) net.layers[i].inputs = {i - 1};
    return net;
}

// A network with only one gating layer of the given model.
ZooNetwork gate_net(TraceModel tm, uint32_t tiles = 16) {
    ZooNetwork net;
    net.name = "gate-only";
    net.layers.push_back(layer("gate", "R=3,S=3,P=16,Q=16,C=64,K=64"));
    net.layers.back().dynamic = spec(AgentKind::Gating, sched::K, tiles, tm);
    return net;
}

double mean_of(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / double(v.size());
}

double cv_of(const std::vector<double>& v) {
    double m = mean_of(v), var = 0;
    for (double x : v) var += (x - m) * (x - m);
    return std::sqrt(var / double(v.size())) / m;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
    REQUIRE(a.size() == b.size());
    double d = 0;
    for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
    return d;
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

std::string join_lines(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
}

// A routing line with `tokens` tokens, each choosing experts {first, first+1}.
std::string moe_line(uint32_t sample, size_t tokens, const std::string& first_token = "[0, 1]") {
    std::string s = "{\"sample\": " + std::to_string(sample) + ", \"layer\": \"moe\", \"tokens\": [" + first_token;
    for (size_t i = 1; i < tokens; ++i) s += ", [2, 3]";
    return s + "]}";
}

} // namespace

TEST_CASE("agent_layers lists the dynamic layers with an agent of their own in order", "[decisions]") {
    ZooNetwork net = test_net();
    CHECK(agent_layers(net) == std::vector<size_t>{kGate, kMoe, kExit, kMix});
}

TEST_CASE("the generator gives the same trace for the same seed and a different one for another seed", "[decisions]") {
    ZooNetwork net = test_net();
    DecisionTrace a = generate_trace(net, 50, 7), b = generate_trace(net, 50, 7), c = generate_trace(net, 50, 8);
    CHECK(a.model == "test-dyn");
    CHECK(a.samples == 50);
    REQUIRE(a.decisions.size() == 50 * 4);
    CHECK(a.decisions == b.decisions);
    CHECK(a.decisions != c.decisions);
    // Sample-major, then layer order.
    CHECK(a.decisions[0].layer == kGate);
    CHECK(a.decisions[1].layer == kMoe);
    CHECK(a.decisions[4].sample == 1);
    CHECK(a.at(3, kMoe).sample == 3);
    CHECK(a.at(3, kMoe).layer == kMoe);
    CHECK_THROWS_AS(a.at(50, kGate), std::out_of_range);
    CHECK_THROWS_AS(a.at(0, kFollower), std::out_of_range);
}

TEST_CASE("a layer's decisions do not depend on the other layers or on the sample count", "[decisions]") {
    ZooNetwork net = test_net();
    DecisionTrace base = generate_trace(net, 40, 3);
    // Another gating layer at the end, and a different model on the exit layer.
    ZooNetwork more = test_net(model(0.25, 0.5, 0.3, 4, 0.5), model(0.25, 0.8, 0.5, 2, 0.5), 0.9);
    more.layers.push_back(layer("late", "R=3,S=3,P=16,Q=16,C=64,K=64"));
    more.layers.back().dynamic = spec(AgentKind::Gating, sched::K, 8, model(0.5, 1, 0.5, 2));
    DecisionTrace other = generate_trace(more, 40, 3);
    for (uint32_t s = 0; s < 40; ++s) {
        CHECK(other.at(s, kGate) == base.at(s, kGate));
        CHECK(other.at(s, kMoe) == base.at(s, kMoe));
    }
    // The first 40 samples of a longer trace are the 40-sample trace.
    DecisionTrace longer = generate_trace(net, 80, 3);
    CHECK(std::vector<LayerDecision>(longer.decisions.begin(), longer.decisions.begin() + 160) == base.decisions);
}

TEST_CASE("every gating decision uses at least one tile, the most probable one when the draw picks none", "[decisions]") {
    ZooNetwork net = gate_net(model(0.01, 1.0, 0, 1));
    DecisionTrace t = generate_trace(net, 500, 11);
    GeneratorModel g = generator_model(net, 0, 11);
    size_t top = size_t(std::max_element(g.p.begin(), g.p.end()) - g.p.begin());
    size_t singles_on_top = 0;
    for (const auto& d : t.decisions) {
        size_t n = 0;
        for (auto u : d.used) n += u;
        REQUIRE(n >= 1);
        if (n == 1 && d.used[top]) ++singles_on_top;
    }
    // P(no tile) is about 0.85 here, so most decisions are the fallback.
    CHECK(singles_on_top > 350);
    TraceStats s = measure_trace(t, net, 0, g.cluster);
    CHECK(max_abs_diff(s.frequency, g.p) < 0.05);

    // Equally probable tiles share the fallback: no bias to low indices.
    ZooNetwork flat = gate_net(model(0.01, 0, 0, 1));
    GeneratorModel gf = generator_model(flat, 0, 11);
    TraceStats sf = measure_trace(generate_trace(flat, 4000, 11), flat, 0, gf.cluster);
    CHECK(cv_of(gf.p) < 1e-9);
    CHECK(sf.imbalance_cv < 0.1);
    CHECK(max_abs_diff(sf.frequency, gf.p) < 0.03);
}

TEST_CASE("measured tile frequencies and density match the requested model over 4000 samples", "[decisions]") {
    // density 0.3, imbalance 0.5, no correlation: nothing is clamped, so
    // generator_model().p is density * w / mean(w) and its mean is 0.3.
    ZooNetwork net = gate_net(model(0.3, 0.5, 0, 1));
    DecisionTrace t = generate_trace(net, 4000, 1);
    GeneratorModel g = generator_model(net, 0, 1);
    // (The at-least-one-tile fallback adds P(no tile) = prod(1 - p), ~1e-3 here.)
    CHECK(mean_of(g.p) == Approx(0.3).margin(1e-3));
    TraceStats s = measure_trace(t, net, 0, g.cluster);
    CHECK(s.decisions == 4000);
    CHECK(max_abs_diff(s.frequency, g.p) < 0.03);
    CHECK(s.density == Approx(0.3).margin(0.01));
    CHECK(s.imbalance_cv == Approx(cv_of(g.p)).margin(0.03));
    CHECK(s.max_over_mean == Approx(*std::max_element(g.p.begin(), g.p.end()) / mean_of(g.p)).margin(0.1));
    // Zipf exponent 0.5 over 16 tiles: the most popular tile is sqrt(16) = 4x the least.
    CHECK(*std::max_element(g.p.begin(), g.p.end()) / *std::min_element(g.p.begin(), g.p.end()) == Approx(4.0).epsilon(0.01));
}

TEST_CASE("correlation on tiles too popular for it keeps their mean and the density", "[decisions]") {
    // p up to ~0.9 (water-filled: density 0.4, imbalance 0.8): p (1 + 0.3 * 3)
    // would exceed 1, so those tiles get less correlation instead.
    ZooNetwork net = gate_net(model(0.4, 0.8, 0.3, 4, 0.5));
    DecisionTrace t = generate_trace(net, 4000, 5);
    GeneratorModel g = generator_model(net, 0, 5);
    CHECK(*std::max_element(g.p.begin(), g.p.end()) * 1.9 > 1.0);
    TraceStats s = measure_trace(t, net, 0, g.cluster);
    CHECK(max_abs_diff(s.frequency, g.p) < 0.03);
    CHECK(s.imbalance_cv == Approx(cv_of(g.p)).margin(0.03));
    CHECK(s.density == Approx(0.4).margin(0.01));
    // Density 1 with correlation: every tile in every decision.
    ZooNetwork full = gate_net(model(1.0, 0, 0.5, 4));
    for (const auto& d : generate_trace(full, 100, 5).decisions) CHECK(d.used == std::vector<uint8_t>(16, 1));
}

TEST_CASE("imbalance 0 gives uniform tile use and imbalance 1.2 skews it", "[decisions]") {
    ZooNetwork flat = gate_net(model(0.25, 0.0, 0, 1)), skewed = gate_net(model(0.25, 1.2, 0, 1));
    GeneratorModel gf = generator_model(flat, 0, 2), gs = generator_model(skewed, 0, 2);
    TraceStats f = measure_trace(generate_trace(flat, 4000, 2), flat, 0, gf.cluster);
    TraceStats s = measure_trace(generate_trace(skewed, 4000, 2), skewed, 0, gs.cluster);
    CHECK(f.imbalance_cv < 0.05);
    CHECK(f.max_over_mean < 1.1);
    CHECK(s.imbalance_cv > 0.8);
    CHECK(s.max_over_mean > 3.5);
    CHECK(s.imbalance_cv == Approx(cv_of(gs.p)).margin(0.03));
    // Water-filling keeps the density although the top tile is capped at 1.
    CHECK(*std::max_element(gs.p.begin(), gs.p.end()) == Approx(1.0));
    CHECK(s.density == Approx(0.25).margin(0.01));
}

TEST_CASE("correlation 0 gives co-selection lift 1 and correlation 0.6 the analytic lift within and across clusters", "[decisions]") {
    // Tiles i, j with popularity p_i, p_j (no clamping) and C clusters, the
    // active one uniform: in the same cluster both use p(1+a(C-1)) when
    // theirs is active (probability 1/C), both p(1-a) otherwise, so
    //   lift_same  = [(1+a(C-1))^2 + (C-1)(1-a)^2] / C
    // in different clusters one of the two is active with probability 2/C:
    //   lift_other = [2(1+a(C-1))(1-a) + (C-2)(1-a)^2] / C
    // a = 0.6, C = 4: lift_same = (2.8^2 + 3 * 0.4^2) / 4 = 2.08,
    // lift_other = (2 * 2.8 * 0.4 + 2 * 0.16) / 4 = 0.64. density 0.25 keeps
    // q <= 0.7 (no clamping); the at-least-one-tile fallback fires with
    // probability 0.3^4 0.9^12 = 0.2 %.
    const double a = 0.6, C = 4;
    const double same = (std::pow(1 + a * (C - 1), 2) + (C - 1) * std::pow(1 - a, 2)) / C;
    const double other = (2 * (1 + a * (C - 1)) * (1 - a) + (C - 2) * std::pow(1 - a, 2)) / C;
    CHECK(same == Approx(2.08));
    CHECK(other == Approx(0.64));

    ZooNetwork indep = gate_net(model(0.25, 0, 0.0, 4)), corr = gate_net(model(0.25, 0, a, 4));
    GeneratorModel gi = generator_model(indep, 0, 9), gc = generator_model(corr, 0, 9);
    // The partition is balanced: 4 tiles per cluster.
    std::vector<int> sizes(4, 0);
    for (auto c : gc.cluster) ++sizes.at(c);
    CHECK(sizes == std::vector<int>{4, 4, 4, 4});

    TraceStats si = measure_trace(generate_trace(indep, 4000, 9), indep, 0, gi.cluster);
    TraceStats sc = measure_trace(generate_trace(corr, 4000, 9), corr, 0, gc.cluster);
    CHECK(si.lift_same_cluster == Approx(1.0).margin(0.05));
    CHECK(si.lift_other_cluster == Approx(1.0).margin(0.05));
    CHECK(sc.lift_same_cluster == Approx(same).epsilon(0.10));
    CHECK(sc.lift_other_cluster == Approx(other).epsilon(0.10));
    CHECK(sc.lift_other_cluster < 1.0);
    // Correlation moves tiles together but keeps each tile's mean.
    CHECK(sc.density == Approx(0.25).margin(0.01));
}

TEST_CASE("with persistence consecutive samples share more tiles", "[decisions]") {
    // Shared tiles of consecutive samples: same active cluster 4 * 0.7^2 +
    // 12 * 0.1^2 = 2.08, different 2 * 4 * 0.7 * 0.1 + 8 * 0.1^2 = 0.64;
    // P(same) = persistence + (1 - persistence) / 4.
    auto shared = [](double persistence) {
        ZooNetwork net = gate_net(model(0.25, 0, 0.6, 4, persistence));
        DecisionTrace t = generate_trace(net, 4000, 4);
        double sum = 0;
        for (uint32_t s = 1; s < t.samples; ++s) {
            const auto &x = t.at(s - 1, 0).used, &y = t.at(s, 0).used;
            for (size_t i = 0; i < x.size(); ++i) sum += x[i] && y[i];
        }
        return sum / (t.samples - 1);
    };
    const double none = shared(0.0), high = shared(0.9);
    CHECK(none == Approx(0.25 * 2.08 + 0.75 * 0.64).epsilon(0.1));  // 1.0
    CHECK(high == Approx(0.925 * 2.08 + 0.075 * 0.64).epsilon(0.1)); // 1.97
    CHECK(high > 1.5 * none);
}

TEST_CASE("routing gives every token top_k distinct experts and uses the experts some token chose", "[decisions]") {
    ZooNetwork net = test_net();
    DecisionTrace t = generate_trace(net, 200, 21);
    for (uint32_t s = 0; s < 200; ++s) {
        const LayerDecision& d = t.at(s, kMoe);
        REQUIRE(d.tokens.size() == 64);
        std::vector<uint8_t> used(8, 0);
        for (const auto& tok : d.tokens) {
            REQUIRE(tok.size() == 2);
            CHECK(tok[0] != tok[1]);
            for (auto e : tok) {
                REQUIRE(e < 8);
                used[e] = 1;
            }
        }
        CHECK(d.used == used);
    }
    // Other layers have no tokens.
    CHECK(t.at(0, kGate).tokens.empty());
}

TEST_CASE("routing expert use matches generator_model with few tokens per sample", "[decisions]") {
    // 2 tokens per sample, so an expert is often unused: P(used) = mean over
    // the active cluster of 1 - (1 - pi)^2, pi from successive sampling.
    ZooNetwork net;
    net.name = "moe-few";
    net.layers.push_back(layer("moe", "P=1,Q=1,C=64,K=256,N=2"));
    net.layers.back().dynamic = spec(AgentKind::Routing, sched::N, 8, model(0.9, 1.0, 0.5, 2, 0.3));
    net.layers.back().dynamic->top_k = 2;
    DecisionTrace t = generate_trace(net, 4000, 13);
    GeneratorModel g = generator_model(net, 0, 13);
    TraceStats s = measure_trace(t, net, 0, g.cluster);
    CHECK(max_abs_diff(s.frequency, g.p) < 0.03);
    CHECK(s.imbalance_cv > 0.2);
    // Per token, the most popular expert is chosen more often than the least.
    std::vector<double> per_token(8, 0);
    for (const auto& d : t.decisions)
        for (const auto& tok : d.tokens)
            for (auto e : tok) per_token[e] += 1;
    CHECK(*std::max_element(per_token.begin(), per_token.end()) > 3 * *std::min_element(per_token.begin(), per_token.end()));
}

TEST_CASE("early exit continues with probability density and conditional mixing uses every tile", "[decisions]") {
    ZooNetwork net = test_net();
    DecisionTrace t = generate_trace(net, 4000, 17);
    double cont = 0;
    for (uint32_t s = 0; s < 4000; ++s) {
        const auto& e = t.at(s, kExit);
        REQUIRE(e.used.size() == 1);
        cont += e.used[0];
        CHECK(t.at(s, kMix).used == std::vector<uint8_t>(4, 1));
    }
    CHECK(cont / 4000 == Approx(0.3).margin(0.02));
    CHECK(generator_model(net, kExit, 17).p == std::vector<double>{0.3});
    CHECK(measure_trace(t, net, kExit, {}).density == Approx(0.3).margin(0.02));
}

TEST_CASE("a trace survives the round trip through JSON Lines text and a file", "[decisions]") {
    ZooNetwork net = test_net();
    DecisionTrace t = generate_trace(net, 30, 5);
    const std::string text = trace_to_jsonl(t, net);
    auto lines = split_lines(text);
    REQUIRE(lines.size() == 1 + 30 * 4);
    CHECK(lines[0] == "{\"dynavp_trace\": 1, \"model\": \"test-dyn\", \"samples\": 30}");
    CHECK(lines[1].rfind("{\"sample\": 0, \"layer\": \"gate\", \"used\": [", 0) == 0);
    CHECK(lines[2].rfind("{\"sample\": 0, \"layer\": \"moe\", \"tokens\": [[", 0) == 0);
    CHECK(lines[2].find("used") == std::string::npos);
    CHECK(lines[4] == "{\"sample\": 0, \"layer\": \"mix\", \"used\": [0, 1, 2, 3]}");

    DecisionTrace back = trace_from_jsonl(text, "mem.jsonl", net);
    CHECK(back.model == t.model);
    CHECK(back.samples == t.samples);
    CHECK(back.decisions == t.decisions);

    const std::string path = "decisions_test_roundtrip.jsonl";
    write_trace(path, t, net);
    DecisionTrace file = read_trace(path, net);
    std::remove(path.c_str());
    CHECK(file.decisions == t.decisions);

    // Lines in another order (and CRLF endings) read to the same trace.
    std::vector<std::string> shuffled(lines.begin() + 1, lines.end());
    std::reverse(shuffled.begin(), shuffled.end());
    std::string crlf = lines[0] + "\r\n";
    for (const auto& l : shuffled) crlf += l + "\r\n";
    CHECK(trace_from_jsonl(crlf, "crlf.jsonl", net).decisions == t.decisions);
}

TEST_CASE("malformed trace files give errors naming the file, the line and the field", "[decisions]") {
    ZooNetwork net = test_net();
    const std::string good = trace_to_jsonl(generate_trace(net, 2, 1), net);
    const auto lines = split_lines(good);
    // Lines: 1 header, 2 gate s0, 3 moe s0, 4 exit s0, 5 mix s0, 6..9 sample 1.
    REQUIRE(lines.size() == 9);
    REQUIRE_NOTHROW(trace_from_jsonl(good, "t.jsonl", net));

    struct Case {
        const char* what;
        size_t line; // 1-based line to replace (0: drop line `drop`)
        std::string text;
        std::string path; // expected in what(): "t.jsonl: <path>: "
    };
    const std::vector<Case> cases = {
        {"malformed JSON", 3, "{\"sample\": 0, \"layer\": \"moe\", \"tokens\": [[0, 1]", "line 3"},
        {"no header", 1, lines[1], "line 1/dynavp_trace"},
        {"wrong version", 1, "{\"dynavp_trace\": 2, \"model\": \"test-dyn\", \"samples\": 2}", "line 1/dynavp_trace"},
        {"other model", 1, "{\"dynavp_trace\": 1, \"model\": \"resnet50\", \"samples\": 2}", "line 1/model"},
        {"unknown header field", 1, "{\"dynavp_trace\": 1, \"model\": \"test-dyn\", \"samples\": 2, \"seed\": 1}", "line 1/seed"},
        {"header without samples", 1, "{\"dynavp_trace\": 1, \"model\": \"test-dyn\"}", "line 1/samples"},
        {"not an object", 2, "[0, \"gate\", [1]]", "line 2"},
        {"unknown field", 2, "{\"sample\": 0, \"layer\": \"gate\", \"used\": [1], \"prob\": 0.5}", "line 2/prob"},
        {"unknown layer", 2, "{\"sample\": 0, \"layer\": \"conv9\", \"used\": [1]}", "line 2/layer"},
        {"static layer", 2, "{\"sample\": 0, \"layer\": \"stem\", \"used\": [1]}", "line 2/layer"},
        {"follower layer", 2, "{\"sample\": 0, \"layer\": \"follower\", \"used\": [1]}", "line 2/layer"},
        {"tile out of range", 2, "{\"sample\": 0, \"layer\": \"gate\", \"used\": [1, 16]}", "line 2/used/1"},
        {"tile repeated", 2, "{\"sample\": 0, \"layer\": \"gate\", \"used\": [3, 3]}", "line 2/used/1"},
        {"negative tile", 2, "{\"sample\": 0, \"layer\": \"gate\", \"used\": [-1]}", "line 2/used/0"},
        {"no tile", 2, "{\"sample\": 0, \"layer\": \"gate\", \"used\": []}", "line 2/used"},
        {"used missing", 2, "{\"sample\": 0, \"layer\": \"gate\"}", "line 2/used"},
        {"tokens on gating", 2, "{\"sample\": 0, \"layer\": \"gate\", \"used\": [1], \"tokens\": [[1]]}", "line 2/tokens"},
        {"routing without tokens", 3, "{\"sample\": 0, \"layer\": \"moe\"}", "line 3/tokens"},
        {"routing with used", 3, "{\"sample\": 0, \"layer\": \"moe\", \"used\": [0, 1]}", "line 3/used"},
        {"token with 3 experts", 3, moe_line(0, 64, "[0, 1, 2]"), "line 3/tokens/0"},
        {"token with a repeated expert", 3, moe_line(0, 64, "[5, 5]"), "line 3/tokens/0/1"},
        {"expert out of range", 3, moe_line(0, 64, "[8, 1]"), "line 3/tokens/0/0"},
        {"63 tokens", 3, moe_line(0, 63), "line 3/tokens"},
        {"early exit tile 1", 4, "{\"sample\": 0, \"layer\": \"exit\", \"used\": [1]}", "line 4/used/0"},
        {"mixing without every tile", 5, "{\"sample\": 0, \"layer\": \"mix\", \"used\": [0, 1]}", "line 5/used"},
        {"sample out of range", 6, "{\"sample\": 2, \"layer\": \"gate\", \"used\": [1]}", "line 6/sample"},
        {"fractional sample", 6, "{\"sample\": 1.5, \"layer\": \"gate\", \"used\": [1]}", "line 6/sample"},
        {"duplicate sample and layer", 6, lines[1], "line 6/sample"},
        {"missing sample and layer", 0, "", "line 9"},
    };
    for (const auto& c : cases) {
        std::vector<std::string> l = lines;
        if (c.line) l[c.line - 1] = c.text;
        else l.erase(l.begin() + 6); // sample 1's moe line
        const std::string text = join_lines(l);
        INFO(c.what);
        try {
            trace_from_jsonl(text, "t.jsonl", net);
            FAIL("no error for: " << c.what);
        } catch (const ConfigError& e) {
            const std::string msg = e.what();
            INFO(msg);
            CHECK(msg.rfind("t.jsonl: " + c.path + ": ", 0) == 0);
            if (c.line == 0) CHECK(msg.find("sample 1, layer \"moe\"") != std::string::npos);
        }
    }

    // An empty file, a missing file.
    CHECK_THROWS_WITH(trace_from_jsonl("", "e.jsonl", net), Catch::Contains("e.jsonl: line 1: "));
    CHECK_THROWS_AS(read_trace("no-such-dir/none.jsonl", net), ConfigError);
}
