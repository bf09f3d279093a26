// The firmware runtime's launch planner (firmware/runtime/plan.h): which
// launches a dynamic layer becomes once its agent has decided.
#include <catch2/catch.hpp>

#include "firmware/runtime/plan.h"

using namespace dynavp;
using namespace dynavp::fw;

namespace {

ZooLayer layer(const std::string& op, AgentKind a, uint32_t tiles, sched::Dim dim = sched::K) {
    ZooLayer l;
    l.name = "l";
    l.op = sched::parse_operator(op);
    DynamicSpec s;
    s.agent = a;
    s.tiles = tiles;
    s.dim = dim;
    l.dynamic = s;
    return l;
}

LayerDecision used(std::vector<uint8_t> u) {
    LayerDecision d;
    d.used = std::move(u);
    return d;
}

} // namespace

TEST_CASE("runs_of finds maximal runs of kept tiles", "[plan]") {
    using R = std::vector<std::pair<uint32_t, uint32_t>>;
    CHECK(runs_of({1, 1, 0, 1, 0, 0, 1, 1}) == R{{0, 2}, {3, 1}, {6, 2}});
    CHECK(runs_of({0, 0}).empty());
    CHECK(runs_of({1, 1, 1}) == R{{0, 3}});
}

TEST_CASE("gating keeps output-channel groups: one launch per run, weights and outputs sliced at the group", "[plan]") {
    const ZooLayer l = layer("R=3,S=3,P=8,Q=8,C=4,K=16", AgentKind::Gating, 4);
    const auto p = plan_pieces(l, *l.dynamic, used({1, 0, 1, 1}), 1);
    REQUIRE(p.size() == 2);
    CHECK(p[0].ops.at(0)[sched::K] == 4);
    CHECK(p[0].w_offset == 0);
    CHECK(p[1].ops.at(0)[sched::K] == 8);
    CHECK(p[1].first_tile == 2);
    CHECK(p[1].w_offset == 2 * 4 * 4 * 3 * 3);  // two groups of 4 channels x C x R x S
    CHECK(p[1].out_offset == 2 * 4 * 8 * 8);    // two groups of 4 output channels x P x Q
    CHECK(p[1].in_offset == 0);
    uint64_t macs = 0;
    for (const auto& x : p) macs += x.ops[0].macs();
    CHECK(macs == l.op.macs() * 3 / 4);
}

TEST_CASE("token merging keeps token groups: the input and output rows are sliced, not the weights", "[plan]") {
    const ZooLayer l = layer("N=40,C=8,K=16", AgentKind::TokenMerge, 4, sched::N);
    const auto p = plan_pieces(l, *l.dynamic, used({0, 1, 1, 0}), 1);
    REQUIRE(p.size() == 1);
    CHECK(p[0].ops[0][sched::N] == 20);
    CHECK(p[0].in_offset == 10 * 8);
    CHECK(p[0].out_offset == 10 * 16);
    CHECK(p[0].w_offset == 0);
}

TEST_CASE("routing runs each chosen expert's matmul chain on the tokens routed to it", "[plan]") {
    ZooLayer l = layer("N=4,C=8,K=16", AgentKind::Routing, 3, sched::N);
    l.dynamic->top_k = 2;
    l.dynamic->expert_ops = {sched::parse_operator("C=16,K=8")};
    LayerDecision d = used({1, 0, 1});
    d.tokens = {{0, 2}, {0, 2}, {2, 0}, {0, 2}};
    const auto p = plan_pieces(l, *l.dynamic, d, 1);
    REQUIRE(p.size() == 2);
    CHECK(p[0].first_tile == 0);
    CHECK(p[0].tokens == std::vector<uint32_t>{0, 1, 2, 3});
    CHECK(p[1].first_tile == 2);
    REQUIRE(p[1].ops.size() == 2);
    CHECK(p[1].ops[1][sched::N] == 4);
    CHECK(p[1].ops[1][sched::C] == 16);
    CHECK(p[1].w_offset == 2 * (8 * 16 + 16 * 8)); // experts are stored back to back
    d.tokens[1] = {0, 5};
    CHECK_THROWS_AS(plan_pieces(l, *l.dynamic, d, 1), std::invalid_argument);
}

TEST_CASE("conditional mixing mixes all expert kernels then runs the backbone, early exit launches nothing", "[plan]") {
    const ZooLayer m = layer("R=1,S=1,P=4,Q=4,C=8,K=8", AgentKind::ConditionalMixing, 4);
    const auto p = plan_pieces(m, *m.dynamic, used({1, 1, 1, 1}), 1);
    REQUIRE(p.size() == 1);
    REQUIRE(p[0].ops.size() == 2);
    CHECK(p[0].ops[0][sched::N] == 64); // the kernel's elements
    CHECK(p[0].ops[0][sched::C] == 4);  // the experts
    CHECK(p[0].ops[1] == m.op);
    const ZooLayer e = layer("C=64,K=10", AgentKind::EarlyExit, 1);
    CHECK(plan_pieces(e, *e.dynamic, used({1}), 1).empty());
    CHECK_THROWS_AS(plan_pieces(m, *m.dynamic, used({1, 1}), 1), std::invalid_argument);
}
