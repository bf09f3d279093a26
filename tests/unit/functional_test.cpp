// Functional compute: reference operators and schedule-driven tiled execution.
#include <catch2/catch.hpp>

#include <random>

#include "ip/core/functional.h"
#include "ip/scheduling/mappers.h"
#include "platform/platform_config.h"

using namespace dynavp;
using namespace dynavp::sched;
using core::execute_schedule;
using core::reference_conv;

TEST_CASE("reference conv computes a hand-checked 3x3 window", "[functional]") {
    // 1 channel, 4x4 input, 3x3 ones kernel, stride 1: 2x2 output of window sums.
    Operator op = parse_operator("R=3,S=3,P=2,Q=2,C=1,K=1");
    std::vector<int8_t> in(16), w(9, 1);
    for (int i = 0; i < 16; ++i) in[size_t(i)] = int8_t(i);
    const auto out = reference_conv<int8_t, int32_t>(op, in, w);
    CHECK(out == std::vector<int32_t>{45, 54, 81, 90});
    op.stride = 2; // 2x2 outputs from a 5x5 input
    std::vector<int8_t> in5(25);
    for (int i = 0; i < 25; ++i) in5[size_t(i)] = int8_t(i);
    // Windows start at (0,0), (0,2), (2,0), (2,2).
    CHECK(reference_conv<int8_t, int32_t>(op, in5, w) == std::vector<int32_t>{54, 72, 144, 162});
}

TEST_CASE("requantisation rounds half away from zero and saturates", "[functional]") {
    CHECK(core::requantize(5, 0.5f) == 3);
    CHECK(core::requantize(-5, 0.5f) == -3);
    CHECK(core::requantize(1000, 1.0f) == 127);
    CHECK(core::requantize(-1000, 1.0f) == -128);
    CHECK(core::requantize(std::vector<int32_t>{4, -4}, 0.25f) == std::vector<int8_t>{1, -1});
}

TEST_CASE("zero padding surrounds the input", "[functional]") {
    const auto p = core::pad_input(std::vector<int8_t>{1, 2, 3, 4}, 1, 1, 2, 2, 1);
    CHECK(p == std::vector<int8_t>{0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0});
}

TEST_CASE("tiled execution equals the reference bit for bit under 500 random valid schedules", "[functional][property]") {
    const Hardware hw = hardware_from_platform(load_platform("dna-16c"));
    std::mt19937_64 rng(77);
    auto pick = [&](uint32_t lo, uint32_t hi) { return std::uniform_int_distribution<uint32_t>(lo, hi)(rng); };
    int conv = 0, matmul = 0, depthwise = 0;
    for (int t = 0; t < 500; ++t) {
        Operator op;
        const int kind = int(pick(0, 2));
        if (kind == 0) { // conv, with stride and dilation
            op = parse_operator("R=" + std::to_string(pick(1, 5)) + ",S=" + std::to_string(pick(1, 3)) + ",P=" + std::to_string(pick(1, 12)) +
                                ",Q=" + std::to_string(pick(1, 12)) + ",C=" + std::to_string(pick(1, 16)) + ",K=" + std::to_string(pick(1, 16)) +
                                ",N=" + std::to_string(pick(1, 2)) + ",stride=" + std::to_string(pick(1, 2)) + ",dilation=" + std::to_string(pick(1, 2)));
            ++conv;
        } else if (kind == 1) { // matmul: R = S = Q = 1
            op = parse_operator("P=" + std::to_string(pick(1, 24)) + ",C=" + std::to_string(pick(1, 32)) + ",K=" + std::to_string(pick(1, 32)));
            ++matmul;
        } else { // depthwise: one channel per group
            op = parse_operator("R=3,S=3,P=" + std::to_string(pick(1, 10)) + ",Q=" + std::to_string(pick(1, 10)) + ",C=1,K=1,groups=" +
                                std::to_string(pick(1, 12)));
            ++depthwise;
        }
        const Schedule s = random_schedule(op, hw, uint64_t(t));
        REQUIRE(check_valid(op, s, hw).empty());
        const int tile_level = int(pick(0, uint32_t(s.levels() - 1)));
        INFO("case " << t << ": " << op.to_string() << ", tile level " << tile_level << "\n" << s.loop_nest(hw));
        std::vector<int8_t> in8(core::input_elems(op)), w8(core::weight_elems(op));
        for (auto& v : in8) v = int8_t(pick(0, 255) - 128);
        for (auto& v : w8) v = int8_t(pick(0, 255) - 128);
        REQUIRE(execute_schedule<int8_t, int32_t>(op, s, tile_level, in8, w8) == reference_conv<int8_t, int32_t>(op, in8, w8));
        // fp32 on dyadic values (k/16): every partial sum is exact, so any
        // order of accumulation must give the same bits.
        std::vector<float> inf(in8.size()), wf(w8.size());
        for (size_t i = 0; i < inf.size(); ++i) inf[i] = float(in8[i] / 2) / 16.0f;
        for (size_t i = 0; i < wf.size(); ++i) wf[i] = float(w8[i] / 2) / 16.0f;
        REQUIRE(execute_schedule<float, float>(op, s, tile_level, inf, wf) == reference_conv<float, float>(op, inf, wf));
    }
    CHECK(conv > 100);
    CHECK(matmul > 100);
    CHECK(depthwise > 100);
}

TEST_CASE("a schedule that drops a loop factor computes a wrong tensor", "[functional]") {
    const Hardware hw = hardware_from_platform(load_platform("dna-16c"));
    const Operator op = parse_operator("R=3,S=3,P=8,Q=8,C=8,K=8");
    Schedule s = random_schedule(op, hw, 5);
    std::vector<int8_t> in(core::input_elems(op), 1), w(core::weight_elems(op), 1);
    const auto ref = reference_conv<int8_t, int32_t>(op, in, w);
    for (Dim d : {C, K, P}) {
        Schedule broken = s;
        for (size_t f = 0; f < broken.factors.size(); ++f)
            if (broken.factors[f].dim == d) {
                broken.factors.erase(broken.factors.begin() + long(f));
                break;
            }
        INFO(dim_name(d));
        CHECK_THROWS_AS((execute_schedule<int8_t, int32_t>(op, broken, 1, in, w)), std::invalid_argument);
        CHECK(core::execute_unchecked<int8_t, int32_t>(op, broken, 1, in, w) != ref);
    }
}

TEST_CASE("pooling takes the max or the requantised mean of each window", "[functional]") {
    // 1 channel 4x4 -> 2x2 with 2x2 windows, stride 2.
    const Operator op = parse_operator("R=2,S=2,P=2,Q=2,C=1,stride=2");
    const std::vector<int8_t> in = {1, 2, 3, 4, 5, 6, 7, 8, -9, -10, 11, 12, -13, -14, 15, 16};
    CHECK(core::pool(op, core::PoolKind::Max, in, 1.0f) == std::vector<int8_t>{6, 8, -9, 16});
    // Sums 14, 22, -46, 54; x 1/4 rounded half away from zero: 3.5 -> 4, 5.5 -> 6, -11.5 -> -12, 13.5 -> 14.
    CHECK(core::pool(op, core::PoolKind::Average, in, 0.25f) == std::vector<int8_t>{4, 6, -12, 14});
    const std::vector<float> f(in.begin(), in.end());
    CHECK(core::pool(op, core::PoolKind::Average, f) == std::vector<float>{3.5f, 5.5f, -11.5f, 13.5f});
    CHECK_THROWS_AS(core::pool(op, core::PoolKind::Max, std::vector<int8_t>(15), 1.0f), std::invalid_argument);
}

TEST_CASE("elementwise add sums in int32 and requantises, or adds fp32", "[functional]") {
    CHECK(core::eltwise_add(std::vector<int8_t>{100, -100, 3}, std::vector<int8_t>{100, -100, 4}, 1.0f) == std::vector<int8_t>{127, -128, 7});
    CHECK(core::eltwise_add(std::vector<int8_t>{100, 5}, std::vector<int8_t>{100, 0}, 0.5f) == std::vector<int8_t>{100, 3});
    CHECK(core::eltwise_add(std::vector<float>{1.5f}, std::vector<float>{2.25f}) == std::vector<float>{3.75f});
    CHECK_THROWS_AS(core::eltwise_add(std::vector<int8_t>{1}, std::vector<int8_t>{1, 2}, 1.0f), std::invalid_argument);
}
