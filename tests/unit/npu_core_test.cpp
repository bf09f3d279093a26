// The pure parts of the NPU engine: job/schedule encoding shared by model and
// driver, the tile walk a core makes, weight layouts.
#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "ip/core/functional.h"
#include "ip/core/layout.h"
#include "ip/core/npu_regs.h"
#include "ip/core/tile_walk.h"
#include "ip/scheduling/mappers.h"
#include "platform/platform_config.h"

using namespace dynavp;
using namespace dynavp::sched;

namespace {

Operator random_op(std::mt19937_64& rng) {
    auto pick = [&](uint32_t lo, uint32_t hi) { return std::uniform_int_distribution<uint32_t>(lo, hi)(rng); };
    const std::string dims[] = {"R=" + std::to_string(pick(1, 3)), "S=" + std::to_string(pick(1, 3)), "P=" + std::to_string(pick(1, 16)),
                                "Q=" + std::to_string(pick(1, 16)), "C=" + std::to_string(pick(1, 64)), "K=" + std::to_string(pick(1, 64)),
                                "N=" + std::to_string(pick(1, 2))};
    std::string s;
    for (const auto& d : dims) s += (s.empty() ? "" : ",") + d;
    s += ",stride=" + std::to_string(pick(1, 2)) + ",groups=" + std::to_string(pick(1, 2));
    return parse_operator(s);
}

} // namespace

TEST_CASE("job descriptors round-trip every field and reject a bad magic", "[npu]") {
    npu::JobDescriptor d;
    d.kind = npu::kJobTensor;
    for (int i = 0; i < 7; ++i) d.dims[i] = uint32_t(10 + i);
    d.stride = 2, d.dilation = 3, d.groups = 4, d.dtype = npu::kFp32, d.out_format = npu::kOutRaw, d.scale = 0.125f;
    d.slot = 5, d.slots = 16, d.group = 99, d.in_addr = 0x80001000, d.w_addr = 0x80002000, d.out_addr = 0x10000040;
    d.sched_addr = 0x80100000, d.sched_bytes = 88, d.psum_addr = 0x90000000, d.w_layout = 1;
    d.nl_op = 3, d.nl_n = 17, d.nl_k = 2, d.nl_threshold = 0.75f, d.policy = 2, d.rt_address = 40, d.nl_src = 0x1234, d.nl_dst = 0x5678;
    uint8_t raw[npu::kJobBytes];
    npu::encode_job(d, raw);
    npu::JobDescriptor e;
    REQUIRE(npu::decode_job(raw, e));
    uint8_t again[npu::kJobBytes];
    npu::encode_job(e, again);
    CHECK(std::equal(raw, raw + npu::kJobBytes, again));
    CHECK(e.dims[6] == 16);
    CHECK(e.psum_addr == 0x90000000);
    CHECK(e.scale == 0.125f);
    CHECK(e.w_layout == 1);
    raw[0] ^= 1;
    CHECK_FALSE(npu::decode_job(raw, e));
}

TEST_CASE("serialised schedules round-trip and malformed ones are rejected with the reason", "[npu]") {
    const Hardware hw = hardware_from_platform(load_platform("dna-16c"));
    const Operator op = parse_operator("R=3,S=3,P=14,Q=14,C=32,K=64");
    const Schedule s = random_schedule(op, hw, 3);
    auto bytes = npu::encode_schedule(s);
    Schedule back;
    REQUIRE(npu::decode_schedule(bytes.data(), bytes.size(), back).empty());
    CHECK(back == s);

    CHECK(npu::decode_schedule(bytes.data(), 4, back).find("shorter") != std::string::npos);
    CHECK(npu::decode_schedule(bytes.data(), bytes.size() - 8, back).find("truncated") != std::string::npos);
    auto bad = bytes;
    bad[8] = 9; // first factor's dimension
    CHECK(npu::decode_schedule(bad.data(), bad.size(), back).find("dimension index") != std::string::npos);
    bad = bytes;
    bad[9] = 7; // first factor's level
    CHECK(npu::decode_schedule(bad.data(), bad.size(), back).find("does not exist") != std::string::npos);
    bad = bytes;
    const size_t order_at = 8 + 8 * s.factors.size();
    bad[order_at + 1] = bad[order_at]; // a dim twice in level 0's order
    CHECK(npu::decode_schedule(bad.data(), bad.size(), back).find("permutation") != std::string::npos);
}

TEST_CASE("the cores' tile walks refill buffers exactly as often as the cost model counts, and cover every MAC once", "[npu][property]") {
    const Hardware hw = hardware_from_platform(load_platform("dna-16c"));
    std::mt19937_64 rng(11);
    for (int t = 0; t < 200; ++t) {
        const Operator op = random_op(rng);
        const Schedule s = random_schedule(op, hw, rng());
        REQUIRE(check_valid(op, s, hw).empty());
        const Cost cost = evaluate(op, s, hw);
        const uint32_t slots = uint32_t(s.spatial_product(2));
        std::array<uint64_t, kTensors> fills{}, glb_fills{};
        uint64_t macs = 0, cycles = 0;
        std::set<uint64_t> glb_out_tiles_seen;
        for (uint32_t slot = 0; slot < slots; ++slot) {
            core::TileWalk w(op, s, slot);
            core::TileStep st;
            uint64_t steps = 0;
            while (w.next(st)) {
                ++steps;
                uint64_t vol = 1;
                for (Dim d : kAllDims) vol *= st.box.hi[d] - st.box.lo[d];
                macs += vol;
                for (int v = 0; v < kTensors; ++v) {
                    fills[size_t(v)] += st.fetch[size_t(v)];
                    if (slot == 0) glb_fills[size_t(v)] += st.glb_change[size_t(v)];
                }
            }
            CHECK(steps == w.tiles());
            cycles = std::max(cycles, w.tiles() * w.inner_cycles());
        }
        INFO(op.to_string() << "\n" << s.loop_nest(hw));
        CHECK(macs == op.macs());
        CHECK(cycles == cost.compute_cycles);
        // Core buffers (level 1) are refilled from the GLB once per fill the cost model counts.
        for (Tensor v : {Weight, Input})
            CHECK(fills[v] * tile_bytes(op, s, hw, v, 1) == cost.level[1].write_bytes[v]);
        // GLB tiles come from DRAM once per GLB fill.
        for (Tensor v : {Weight, Input}) CHECK(glb_fills[v] * tile_bytes(op, s, hw, v, 2) == cost.level[3].read_bytes[v]);
    }
}

TEST_CASE("a core's slot selects a distinct share: together the slots' tiles partition the operator", "[npu]") {
    // 2 cores split K spatially at the GLB; 4 PEs split C inside each core.
    const Operator op = parse_operator("P=2,Q=2,C=4,K=4");
    Schedule s = all_outermost(op, 4);
    for (auto& f : s.factors) {
        if (f.dim == K && f.level == 3) { f.level = 2, f.spatial = true; break; }
    }
    for (auto& f : s.factors)
        if (f.dim == C) f.level = 1, f.spatial = true;
    std::set<std::array<uint32_t, 7>> seen;
    for (uint32_t slot = 0; slot < 2; ++slot) {
        core::TileWalk w(op, s, slot);
        core::TileStep st;
        while (w.next(st)) {
            for (uint32_t k = st.box.lo[K]; k < st.box.hi[K]; ++k)
                for (uint32_t p = st.box.lo[P]; p < st.box.hi[P]; ++p)
                    for (uint32_t q = st.box.lo[Q]; q < st.box.hi[Q]; ++q) {
                        std::array<uint32_t, 7> key{0, 0, p, q, 0, k, 0};
                        CHECK(seen.insert(key).second); // every output element belongs to one slot only
                    }
        }
        CHECK(w.sharers(Input) == 2);   // both cores read the same inputs: multicast
        CHECK(w.sharers(Weight) == 1);  // each its own weights
        CHECK(w.sharers(Output) == 1);
    }
    CHECK(seen.size() == 4 * 2 * 2);
    CHECK_THROWS_AS(core::TileWalk(op, s, 2), std::invalid_argument);
}

TEST_CASE("blocked weights put every GLB weight tile in one contiguous block and convert back losslessly", "[npu][layout]") {
    const Operator op = parse_operator("R=3,S=3,P=4,Q=4,C=8,K=12,groups=2");
    std::array<uint64_t, kDims> e{};
    e.fill(1);
    e[R] = 3, e[C] = 4, e[K] = 6;
    const core::WeightBlocking b = core::weight_blocking(op, e);
    CHECK(b.blocks == std::array<uint64_t, 4>{4, 2, 1, 3});
    std::vector<int8_t> w(size_t(2) * 12 * 8 * 9);
    for (size_t i = 0; i < w.size(); ++i) w[i] = int8_t(i * 7 + 1);
    const auto blocked = core::to_blocked(op, b, w);
    CHECK(blocked != w);
    CHECK(core::from_blocked(op, b, blocked) == w);
    // The tile at k in [6, 12), c in [4, 8), s = 2 occupies [block_offset, +tile_elems).
    const uint64_t base = b.block_offset(6, 4, 0, 2);
    std::set<uint64_t> offs;
    for (uint64_t k = 6; k < 12; ++k)
        for (uint64_t c = 4; c < 8; ++c)
            for (uint64_t r = 0; r < 3; ++r) offs.insert(b.offset(k, c, r, 2));
    CHECK(offs.size() == b.tile_elems());
    CHECK(*offs.begin() == base);
    CHECK(*offs.rbegin() == base + b.tile_elems() - 1);
    e[C] = 3; // does not divide C = 8
    CHECK_THROWS_AS(core::weight_blocking(op, e), std::invalid_argument);
}

TEST_CASE("cores computing their tile walks with compute_tile reproduce the reference bit for bit (500 random ops and schedules)", "[npu][property]") {
    const Hardware hw8 = hardware_from_platform(load_platform("dna-16c"));
    const Hardware hw32 = fp32_hardware(hw8);
    std::mt19937_64 rng(2024);
    auto values = [&](size_t n, bool dyadic) {
        std::vector<float> v(n);
        for (auto& e : v) e = float(int(rng() % 15) - 7) / (dyadic ? 16.0f : 1.0f);
        return v;
    };
    for (int t = 0; t < 500; ++t) {
        const Operator op = random_op(rng);
        const bool fp = t % 2 == 1;
        const Schedule s = random_schedule(op, fp ? hw32 : hw8, rng());
        REQUIRE(check_valid(op, s, fp ? hw32 : hw8).empty());
        const uint32_t slots = uint32_t(s.spatial_product(2));
        INFO(op.to_string() << (fp ? " fp32" : " int8") << "\n" << s.loop_nest(hw8));
        if (fp) {
            const auto in = values(core::input_elems(op), true), w = values(core::weight_elems(op), true);
            std::vector<float> acc(core::output_elems(op), 0.f);
            for (uint32_t slot = 0; slot < slots; ++slot) {
                core::TileWalk walk(op, s, slot);
                core::TileStep st;
                while (walk.next(st)) core::compute_tile<float, float>(op, st.group, st.box.lo, st.box.hi, in.data(), w.data(), acc.data());
            }
            CHECK(acc == core::reference_conv<float, float>(op, in, w));
        } else {
            std::vector<int8_t> in(core::input_elems(op)), w(core::weight_elems(op));
            for (auto& e : in) e = int8_t(rng() % 256);
            for (auto& e : w) e = int8_t(rng() % 256);
            std::vector<int32_t> acc(core::output_elems(op), 0);
            for (uint32_t slot = 0; slot < slots; ++slot) {
                core::TileWalk walk(op, s, slot);
                core::TileStep st;
                while (walk.next(st)) core::compute_tile<int8_t, int32_t>(op, st.group, st.box.lo, st.box.hi, in.data(), w.data(), acc.data());
            }
            CHECK(acc == core::reference_conv<int8_t, int32_t>(op, in, w));
        }
    }
}
