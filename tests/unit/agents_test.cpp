// The core's nonlinear unit (agents) and runtime table.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "ip/core/nonlinear.h"
#include "ip/core/runtime_table.h"

using namespace dynavp::core;

TEST_CASE("softmax is a stable probability distribution", "[agents]") {
    const auto p = softmax({1.0f, 2.0f, 3.0f});
    REQUIRE(p.size() == 3);
    CHECK(std::accumulate(p.begin(), p.end(), 0.0) == Approx(1.0));
    CHECK(p[2] == Approx(std::exp(1.0) / (1 + std::exp(1.0) + std::exp(-1.0))));
    const auto big = softmax({1000.0f, 1000.0f}); // no overflow
    CHECK(big[0] == Approx(0.5));
    CHECK(softmax({}).empty());
}

TEST_CASE("top-k returns the largest entries first, ties to the lower index", "[agents]") {
    CHECK(top_k({0.1f, 0.7f, 0.2f, 0.7f}, 2) == std::vector<uint32_t>{1, 3});
    CHECK(top_k({0.1f, 0.7f, 0.2f}, 1) == std::vector<uint32_t>{1});
    CHECK(top_k({0.5f, 0.4f}, 5) == std::vector<uint32_t>{0, 1}); // k larger than n
    CHECK(argmax({3, 9, 9, 1}) == 1);
    CHECK_THROWS(argmax({}));
}

TEST_CASE("gates and activations follow their definitions", "[agents]") {
    CHECK(sigmoid_gate({-2.0f, 0.0f, 2.0f}) == std::vector<uint8_t>{0, 1, 1}); // sigmoid(0) = 0.5 >= 0.5
    CHECK(sigmoid_gate({1.0f}, 0.8f) == std::vector<uint8_t>{0});            // sigmoid(1) = 0.731
    CHECK(threshold({0.2f, 0.9f}, 0.9f) == std::vector<uint8_t>{0, 1});
    CHECK(relu({-1.0f, 0.0f, 2.5f}) == std::vector<float>{0.0f, 0.0f, 2.5f});
    const auto g = gelu({-1.0f, 0.0f, 1.0f});
    CHECK(g[0] == Approx(-0.1586553));
    CHECK(g[1] == 0.0f);
    CHECK(g[2] == Approx(0.8413447));
    CHECK(parse_nonlinear_op("topk") == NonlinearOp::TopK);
    CHECK_THROWS_WITH(parse_nonlinear_op("tanh"), Catch::Contains("unknown nonlinear op"));
}

TEST_CASE("nonlinear cycles scale with elements over lanes", "[agents]") {
    CHECK(nonlinear_cycles(NonlinearOp::Relu, 64, 8) == 8);
    CHECK(nonlinear_cycles(NonlinearOp::Softmax, 64, 8) == 16);
    CHECK(nonlinear_cycles(NonlinearOp::TopK, 8, 8, 2) == 1 + 2 * 3);
    CHECK(nonlinear_cycles(NonlinearOp::Relu, 65, 8) == 9);
    CHECK_THROWS(nonlinear_cycles(NonlinearOp::Relu, 1, 0));
}

TEST_CASE("runtime table records decisions, packs them into register words and yields the access trace", "[agents]") {
    RuntimeTable t(4);
    // MoE routing: token picked experts 1 and 6 out of 8 (DNA Fig. 1a / 11).
    CHECK(t.record({1, AgentPolicy::Routing, 1}));
    CHECK(t.record({6, AgentPolicy::Routing, 1}));
    CHECK(t.record({3, AgentPolicy::Gating, 0}));
    const auto trace = t.access_trace(AgentPolicy::Routing, 8);
    CHECK(trace == std::vector<bool>{false, true, false, false, false, false, true, false});
    const uint32_t w = encode({0x1234, AgentPolicy::Gating, 0xABC});
    CHECK(w == 0x12341ABCu);
    const RuntimeEntry e = decode(w);
    CHECK(e.address == 0x1234);
    CHECK(e.policy == AgentPolicy::Gating);
    CHECK(e.result == 0xABC);
    CHECK(t.record({7, AgentPolicy::Routing, 1}));
    CHECK_FALSE(t.record({0, AgentPolicy::Routing, 1})); // full
    CHECK_FALSE(RuntimeTable(4).record({0x10000, AgentPolicy::Routing, 1})); // address wider than 16 bits
    CHECK(t.overflows() == 1);
}
