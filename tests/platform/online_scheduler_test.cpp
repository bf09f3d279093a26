// DNA's online scheduler on the board, driven by firmware over MMIO: the
// transverter unit, the predictor with its FIFO scheduler and misprediction
// paths, and the runtime monitor between the cores and both.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <vector>

#include "firmware/drivers/npu_driver.h"
#include "firmware/drivers/predictor_driver.h"
#include "firmware/drivers/transverter_driver.h"
#include "ip/core/nonlinear.h"
#include "ip/core/npu_regs.h"
#include "ip/scheduling/mappers.h"
#include "ip/transverter/transverter_regs.h"
#include "board_fixture.h"

using namespace dynavp;
using namespace dynavp::sched;
using test::dna16c;
using test::run_board;

namespace {

// A random backbone (7-smooth dims, so nothing is padded) with a random
// schedule, and a dynamic operator shrinking some of its dims.
struct Case {
    Operator bb, dyn;
    Schedule s;
};

Case random_case(std::mt19937_64& rng, const Hardware& hw) {
    static const uint32_t sizes[] = {1, 2, 3, 4, 6, 7, 8, 12, 14, 16, 24, 28, 32, 48, 56, 64, 96, 128};
    auto pick = [&](size_t lo, size_t hi) { return sizes[std::uniform_int_distribution<size_t>(lo, hi)(rng)]; };
    Case c;
    const uint32_t rs = std::uniform_int_distribution<int>(0, 2)(rng) ? 1 : 3;
    c.bb.size = {rs, rs, pick(0, 12), pick(0, 12), pick(0, 17), pick(0, 17), pick(0, 5)};
    c.s = random_schedule(c.bb, hw, rng());
    c.dyn = c.bb;
    for (Dim j : kAllDims)
        if (c.bb[j] > 1 && std::uniform_int_distribution<int>(0, 2)(rng) == 0)
            c.dyn[j] = std::uniform_int_distribution<uint32_t>(1, c.bb[j])(rng);
    return c;
}

std::vector<bool> tiles(uint32_t n, std::initializer_list<uint32_t> on) {
    std::vector<bool> m(n);
    for (uint32_t t : on) m[t] = true;
    return m;
}

} // namespace

TEST_CASE("transverter IP equals the golden mapper bit for bit on 1,000 random cases driven over MMIO", "[platform][transverter]") {
    const Hardware hw = hardware_from_platform(dna16c());
    struct Outcome {
        Case c;
        fw::TransverterRun run;
    };
    std::vector<Outcome> out;
    std::string init_error;
    run_board([&](fw::Hal& hal) {
        fw::TransverterDriver t(hal);
        if (!t.init()) {
            init_error = t.why();
            return 1;
        }
        t.load_constraints(hw);
        std::mt19937_64 rng(2024);
        for (int i = 0; i < 1000; ++i) {
            Outcome o;
            o.c = random_case(rng, hw);
            t.load_backbone(o.c.bb, o.c.s);
            o.run = t.transform(o.c.dyn, 1000000);
            out.push_back(o);
        }
        return 0;
    });
    REQUIRE(init_error.empty());
    REQUIRE(out.size() == 1000);
    int compared = 0, full = 0;
    for (const Outcome& o : out) {
        uint64_t updates = 0;
        const Operator executed = pad_to_smooth(o.c.dyn, hw, nullptr);
        const Schedule gold = transverter_transform(o.c.bb, o.c.s, executed, hw, &updates);
        INFO("backbone " << o.c.bb.to_string() << ", dynamic " << o.c.dyn.to_string() << ": " << o.run.message);
        if (gold.factors.size() > 64) { // the table holds 64 rows
            CHECK(o.run.err_code == transverter::kErrTableFull);
            ++full;
            continue;
        }
        REQUIRE(o.run.ok);
        CHECK(npu::encode_schedule(o.run.schedule) == npu::encode_schedule(gold));
        CHECK(o.run.updates == updates);
        CHECK(o.run.executed == executed);
        ++compared;
    }
    CHECK(compared > 900);
    INFO(full << " results overflowed the table");
}

TEST_CASE("transverter latency is 3 clocks per table update on top of the level passes, and is simulated time", "[platform][transverter]") {
    const Hardware hw = hardware_from_platform(dna16c());
    const Operator bb = parse_operator("R=3,S=3,P=28,Q=28,C=64,K=128");
    MapperOptions o;
    o.samples = 40;
    o.local_steps = 50;
    const Schedule s = search_schedule(bb, hw, o).schedule;
    struct Run {
        fw::TransverterRun r;
        uint64_t ns;
    };
    std::vector<Run> runs;
    run_board([&](fw::Hal& hal) {
        fw::TransverterDriver t(hal);
        if (!t.init()) return 1;
        t.load_backbone(bb, s);
        for (const char* dyn : {"C=64", "C=32", "C=16,K=40", "C=6,K=10,P=7"}) {
            t.load_backbone(bb, s); // a run rewrites the table: start from the backbone each time
            const uint64_t t0 = hal.now_ns();
            const fw::TransverterRun r = t.transform(apply_dynamic(bb, dyn), 100000);
            runs.push_back({r, hal.now_ns() - t0});
        }
        return 0;
    });
    REQUIRE(runs.size() == 4);
    CHECK(runs[0].r.updates == 0); // nothing changed
    CHECK(runs[0].r.cycles == 7);
    for (size_t i = 1; i < runs.size(); ++i) {
        REQUIRE(runs[i].r.ok);
        CHECK(runs[i].r.updates > 0);
        CHECK(runs[i].r.cycles == 7 + 2 * 2 * runs[i].r.schedule.factors.size() + 3 * runs[i].r.updates);
        CHECK(runs[i].ns * 500 / 1000 >= runs[i].r.cycles); // 500 MHz: the firmware waited at least that long
    }
    // Beyond the level passes (4 clocks per row here), latency orders like the update count.
    auto beyond_passes = [&](const Run& x) { return x.r.cycles - 4 * x.r.schedule.factors.size(); };
    int ordered = 0;
    for (size_t i = 1; i < runs.size(); ++i)
        for (size_t j = 1; j < runs.size(); ++j)
            if (runs[i].r.updates > runs[j].r.updates) {
                CHECK(beyond_passes(runs[i]) > beyond_passes(runs[j]));
                ++ordered;
            }
    CHECK(ordered > 0);
}

TEST_CASE("transverter errors reach firmware: a malformed table and a grown dim raise ERROR with the reason", "[platform][transverter]") {
    std::vector<fw::TransverterRun> runs;
    run_board([&](fw::Hal& hal) {
        fw::TransverterDriver t(hal);
        if (!t.init()) return 1;
        const Operator bb = parse_operator("R=1,S=1,P=16,C=64,K=64");
        t.load_backbone(bb, all_outermost(bb, 4));
        Operator grown = bb;
        grown[K] = 65;
        runs.push_back(t.transform(grown, 100000));
        const uint32_t junk = 0xDEADBEEF;
        hal.write_block(hal.board().find("transverter")->base + transverter::kTablePage, &junk, 4);
        runs.push_back(t.transform(bb, 100000));
        return 0;
    });
    REQUIRE(runs.size() == 2);
    CHECK_FALSE(runs[0].ok);
    CHECK(runs[0].err_code == transverter::kErrDynamic);
    CHECK(runs[0].err_detail == K);
    CHECK(runs[1].err_code == transverter::kErrTable);
    CHECK(runs[1].message.find("malformed") != std::string::npos);
}

namespace {
// 8 expert tiles of 4 KiB in DRAM, each filled with its own byte pattern.
constexpr uint32_t kTileBytes = 4096;
fw::TileLayout expert_tiles(fw::Hal& hal) {
    fw::TileLayout l;
    l.tiles = 8;
    l.dram = hal.board().find("dram")->base + 0x100000;
    l.tile_bytes = kTileBytes;
    l.pfb_offset = 0;
    l.directory_base = 0;
    std::vector<uint8_t> data(kTileBytes);
    for (uint32_t t = 0; t < 8; ++t) {
        for (uint32_t i = 0; i < kTileBytes; ++i) data[i] = uint8_t(t * 31 + i);
        hal.load(l.dram + t * kTileBytes, data.data(), data.size());
    }
    return l;
}
} // namespace

TEST_CASE("DNA Fig. 11 on the predictor over MMIO: RAT 0100 for 'I' prefetches expert 7, 'Admire' gets expert 8, experts 5 and 6 are never loaded",
          "[platform][predictor]") {
    // Experts 1..8 are TileIDs 0..7; the RAT is the first four experts' use, expert 1 in bit 0.
    const uint32_t rat_I = 0b0010, rat_Admire = 0b0001; // "0100" and "1000" in the paper's left-to-right notation
    std::vector<std::vector<bool>> predicted, loaded;
    std::vector<uint8_t> pfb_tile6(kTileBytes), dram_tile6(kTileBytes);
    fw::PredictorCounters counters;
    bool ok = true;
    Board& b = run_board([&](fw::Hal& hal) {
        fw::PredictorDriver p(hal);
        if (!p.init()) return 1;
        const fw::TileLayout l = expert_tiles(hal);
        p.set_layout(l);
        auto token = [&](uint32_t rat, std::vector<bool> used) {
            p.set_rat(rat);
            p.predict();
            predicted.push_back(p.predicted());
            hal.delay_ns(5000); // the agent runs while the predicted tiles are prefetched
            p.resolve(used);
            ok &= p.wait_ready(1000000);
            loaded.push_back(p.loaded());
            if (predicted.size() == 3) {
                hal.peek(hal.board().find("prefetch_buffer")->base + l.pfb_offset + 6 * kTileBytes, pfb_tile6.data(), kTileBytes);
                hal.peek(l.dram + 6 * kTileBytes, dram_tile6.data(), kTileBytes);
            }
            p.release();
        };
        // Input-1: "I" (RAT 0100) used experts 2 and 7; "Admire" (RAT 1000) used experts 1 and 8.
        token(rat_I, tiles(8, {1, 6}));
        token(rat_Admire, tiles(8, {0, 7}));
        // Input-2: the same tokens, same RATs.
        token(rat_I, tiles(8, {1, 6}));
        token(rat_Admire, tiles(8, {0, 7}));
        counters = p.counters();
        return 0;
    });
    REQUIRE(ok);
    REQUIRE(predicted.size() == 4);
    CHECK(predicted[0] == tiles(8, {})); // a cold table (state 01) predicts nothing
    CHECK(predicted[2] == tiles(8, {1, 6})); // expert 7 (and 2) for "I"
    CHECK(predicted[3] == tiles(8, {0, 7})); // expert 8 (and 1) for "Admire"
    for (const auto& m : loaded) {
        CHECK_FALSE(m[4]); // expert 5
        CHECK_FALSE(m[5]); // expert 6
    }
    CHECK(pfb_tile6 == dram_tile6); // the prefetched tile really is in the prefetch buffer
    Stats s;
    b.report(s);
    CHECK(s.u64("predictor.tiles.missed") == 4);     // Input-1: nothing was predicted
    CHECK(s.u64("predictor.tiles.useful") == 4);     // Input-2: all used tiles were prefetched
    CHECK(s.u64("predictor.tiles.useless") == 0);
    CHECK(s.u64("predictor.bytes.prefetched") == 4 * kTileBytes);
    CHECK(s.u64("predictor.bytes.demand_loaded") == 4 * kTileBytes);
    CHECK(s.number("predictor.accuracy") == Approx(1.0 - 4.0 / 32)); // 4 wrong of 8 x 4 decisions, all in Input-1
    CHECK(s.number("predictor.bytes.saved_vs_conventional") == 4 * (8 - 2) * kTileBytes);
    CHECK(s.number("predictor.bytes.saved_vs_none") == 0); // every tile moved was used
    CHECK(counters.correct == 28);
}

TEST_CASE("mispredictions: a used tile that was not predicted is loaded at once, a useless one is disabled, queued useless ones are dropped",
          "[platform][predictor]") {
    std::vector<bool> loaded_after;
    uint32_t dir_ctrl_useless = 0, dir_ctrl_useful = 0;
    bool ready = false;
    Board& b = run_board([&](fw::Hal& hal) {
        fw::PredictorDriver p(hal);
        fw::NpuDriver npu(hal, hal.board().find("dram")->base);
        if (!p.init() || !npu.init()) return 1;
        const fw::TileLayout l = expert_tiles(hal);
        p.set_layout(l);
        // Teach RAT 0 that tiles 0 and 1 are used, then let the agent use 1 and 2 instead.
        p.set_state(0, 0, 2);
        p.set_state(1, 0, 2);
        p.set_rat(0);
        p.predict();
        hal.delay_ns(20000); // both prefetches land before the agent decides
        p.resolve(tiles(8, {1, 2}));
        ready = p.wait_ready(1000000);
        loaded_after = p.loaded();
        auto dir_ctrl = [&](uint32_t e) {
            hal.write32(npu.control_reg(npu::PFB_SEL), e);
            return hal.read32(npu.control_reg(npu::PFB_CTRL));
        };
        dir_ctrl_useless = dir_ctrl(0);
        dir_ctrl_useful = dir_ctrl(1);
        p.release();
        // Predict all 8, then resolve at once: the tiles still queued and not used are never loaded.
        for (uint32_t t = 0; t < 8; ++t) p.set_state(t, 0, 3);
        p.set_rat(0);
        p.predict();
        p.resolve(tiles(8, {0}));
        p.wait_ready(1000000);
        hal.delay_ns(50000);
        p.release();
        return 0;
    });
    REQUIRE(ready);
    CHECK(loaded_after == tiles(8, {1, 2}));
    CHECK(npu::pfb_ctrl::VALID.get(dir_ctrl_useless) == 1);
    CHECK(npu::pfb_ctrl::DISABLE.get(dir_ctrl_useless) == 1); // kept, never served
    CHECK(npu::pfb_ctrl::DISABLE.get(dir_ctrl_useful) == 0);
    Stats s;
    b.report(s);
    CHECK(s.u64("predictor.tiles.missed") == 1); // tile 2
    CHECK(s.u64("predictor.bytes.missed") == kTileBytes);
    CHECK(s.u64("predictor.tiles.dropped_from_fifo") >= 5); // at most one or two of 7 left the FIFO before RESOLVE
    CHECK(s.u64("predictor.tiles.useless") == 1 + 7);
    CHECK(s.u64("predictor.bytes.useless") >= kTileBytes); // tile 0 of the first round was loaded for nothing
    // Tile 2 of the first round, and tile 0 of the second: predicted, still in the FIFO when the
    // agent decided, so it moved to the demand queue (useful, but loaded on demand).
    CHECK(s.u64("predictor.bytes.demand_loaded") == 2 * kTileBytes);
    CHECK(s.u64("predictor.tiles.useful") == 1 + 1);
}

TEST_CASE("the runtime monitor collects top-k decisions from the cores, hands the trace to the predictor and a count to the transverter",
          "[platform][monitor]") {
    fw::AgentOutcomes o;
    fw::TransverterRun tr;
    std::vector<bool> pred_after;
    uint32_t rt_after = 99, rat_after = 99;
    bool fwd = false;
    Board& b = run_board([&](fw::Hal& hal) {
        fw::NpuDriver npu(hal, hal.board().find("dram")->base + 0x200000);
        fw::PredictorDriver p(hal);
        fw::TransverterDriver t(hal);
        fw::RuntimeMonitorDriver m(hal);
        if (!npu.init() || !p.init() || !t.init() || !m.init()) return 1;
        // 4 tokens x 8 router logits on cores 0 and 1 (2 tokens each), top-2 per token.
        const float logits[4][8] = {{9, 1, 0, 0, 0, 0, 8, 0}, {7, 0, 0, 6, 0, 0, 0, 0}, {0, 0, 5, 0, 0, 0, 4, 0}, {3, 0, 0, 0, 0, 0, 2, 0}};
        const uint64_t src = hal.board().find("dram")->base + 0x300000;
        hal.load(src, logits, sizeof logits);
        std::vector<npu::JobDescriptor> jobs(2);
        for (uint32_t c = 0; c < 2; ++c) {
            jobs[c].nl_op = uint32_t(core::NonlinearOp::TopK);
            jobs[c].nl_n = 8;
            jobs[c].nl_rows = 2;
            jobs[c].nl_k = 2;
            jobs[c].policy = uint32_t(core::AgentPolicy::Routing);
            jobs[c].nl_src = src + c * 2 * 8 * 4;
        }
        if (!npu.run_nonlinear({0, 1}, jobs, 1000000).ok) return 2;
        fw::TileLayout l = expert_tiles(hal);
        p.set_layout(l);
        o = m.collect(0b11, core::AgentPolicy::Routing, 0, 8, true, true, 1000000);
        p.wait_ready(1000000);
        rat_after = p.rat();
        rt_after = hal.read32(npu.core_reg(0, npu::RT_COUNT));
        // Expert 6 (tile 6) got 3 tokens: that becomes N of its matmul in the transverter.
        const Operator bb = parse_operator("N=4,C=64,K=64");
        t.load_backbone(bb, all_outermost(bb, 4));
        t.set_dynamic(bb);
        fwd = m.forward_dim(6, N, true, 1000000);
        tr = t.wait(1000000);
        return 0;
    });
    REQUIRE(o.ok);
    CHECK(o.entries == 8); // 4 tokens x top-2
    CHECK(o.counts == std::vector<uint32_t>{3, 0, 1, 1, 0, 0, 3, 0});
    CHECK(o.cycles == 8 + 4); // one clock per entry + the hand-over
    CHECK(rt_after == 0);     // the monitor emptied the tables it read
    CHECK(rat_after == 0b1101); // tiles 0, 2, 3 of the first four were used
    REQUIRE(fwd);
    REQUIRE(tr.ok);
    CHECK(tr.executed[N] == 3);
    Stats s;
    b.report(s);
    CHECK(s.u64("predictor.resolves") == 1);
    CHECK(s.u64("predictor.tiles.missed") == 4); // nothing was predicted: every used tile was loaded on demand
    CHECK(s.u64("runtime_monitor.collects") == 1);
    CHECK(s.u64("transverter.runs") == 1);
}

TEST_CASE("a tile layout that does not fit the prefetch buffer raises the predictor's ERROR with how many tiles fit", "[platform][predictor]") {
    bool ready = true;
    std::string why;
    run_board([&](fw::Hal& hal) {
        fw::PredictorDriver p(hal);
        if (!p.init()) return 1;
        fw::TileLayout l;
        l.tiles = 40;
        l.dram = hal.board().find("dram")->base;
        l.tile_bytes = 4096; // 40 x 4 KiB > the 128 KiB buffer
        p.set_layout(l);
        p.predict();
        ready = p.wait_ready(100000);
        why = p.why();
        return 0;
    });
    CHECK_FALSE(ready);
    CHECK(why.find("do not fit the prefetch buffer") != std::string::npos);
    CHECK(why.find("detail 32") != std::string::npos); // 128 KiB / 4 KiB
}
