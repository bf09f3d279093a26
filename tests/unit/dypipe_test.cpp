// DyPipe without SystemC: the runtime scheduler (none / static / dynamic
// pipelines, DyPipe sec. 3.4), the lowering into module functions (sec. 3.3),
// the context-buffer ring and record format (sec. 3.2), fp16.
#include <catch2/catch.hpp>

#include <random>

#include "ip/common/half.h"
#include "ip/context_buffer/context_record.h"
#include "ip/context_buffer/context_ring.h"
#include "ip/dypipe/lowering.h"
#include "ip/dypipe/pipeline.h"
#include "platform/platform_config.h"

using namespace dynavp;
using namespace dynavp::dypipe;

namespace {

DyPipeHardware diannao() { return dypipe_hardware_from_platform(load_platform("dypipe-diannao")); }

// A random program: each function has a random module, size and 0-3 dependencies on earlier ones.
Program random_program(std::mt19937_64& rng, size_t n) {
    Program p;
    p.name = "random";
    p.ops.push_back({"op", "random", 0, uint32_t(n), -1});
    for (size_t i = 0; i < n; ++i) {
        ModuleFunction f;
        f.module = Module(std::uniform_int_distribution<int>(0, 2)(rng));
        f.op = 0;
        f.block = uint32_t(i);
        if (f.module == Module::Compute) f.macs = std::uniform_int_distribution<uint64_t>(0, 400000)(rng);
        else f.bytes = std::uniform_int_distribution<uint64_t>(1, 64000)(rng);
        const int deps = i ? std::uniform_int_distribution<int>(0, 3)(rng) : 0;
        for (int d = 0; d < deps; ++d) f.deps.push_back(uint32_t(std::uniform_int_distribution<size_t>(0, i - 1)(rng)));
        p.functions.push_back(f);
    }
    return p;
}

void check_schedule(const Program& p, const PipelineResult& r, bool work_conserving) {
    const size_t n = p.functions.size();
    // Dependencies: nothing starts before what it needs has ended.
    for (size_t i = 0; i < n; ++i)
        for (uint32_t d : p.functions[i].deps) REQUIRE(r.timing[i].start >= r.timing[d].end);
    // Module dependency: one function at a time per module.
    for (int m = 0; m < kModules; ++m) {
        std::vector<std::pair<uint64_t, uint64_t>> spans;
        for (size_t i = 0; i < n; ++i)
            if (int(p.functions[i].module) == m) spans.push_back({r.timing[i].start, r.timing[i].end});
        std::sort(spans.begin(), spans.end());
        for (size_t k = 1; k < spans.size(); ++k) REQUIRE(spans[k].first >= spans[k - 1].second);
    }
    if (!work_conserving) return;
    // No bubbles: while a function waited after it was ready, its module was busy.
    for (size_t i = 0; i < n; ++i) {
        const uint64_t ready = r.timing[i].ready, start = r.timing[i].start;
        if (start == ready) continue;
        uint64_t covered = ready;
        std::vector<std::pair<uint64_t, uint64_t>> spans;
        for (size_t k = 0; k < n; ++k)
            if (k != i && p.functions[k].module == p.functions[i].module && r.timing[k].end > ready && r.timing[k].start < start)
                spans.push_back({r.timing[k].start, r.timing[k].end});
        std::sort(spans.begin(), spans.end());
        for (const auto& s : spans)
            if (s.first <= covered) covered = std::max(covered, s.second);
        INFO("function " << i << " ready at " << ready << " started at " << start);
        REQUIRE(covered >= start);
    }
}

} // namespace

TEST_CASE("the runtime scheduler respects module and data dependencies and leaves no module idle while a function is ready (random DAGs)",
          "[dypipe][property]") {
    const DyPipeHardware hw = diannao();
    DyPipeHardware free = hw;
    free.charge_cf_ctx = false;
    std::mt19937_64 rng(7);
    for (int trial = 0; trial < 200; ++trial) {
        const Program p = random_program(rng, std::uniform_int_distribution<size_t>(1, 80)(rng));
        check_schedule(p, run_pipeline(p, PipelineMode::Static, hw), true);
        check_schedule(p, run_pipeline(p, PipelineMode::Dynamic, free), true);
        // With its controller costs the dynamic pipeline waits for dispatches, never for a busy dependency.
        check_schedule(p, run_pipeline(p, PipelineMode::Dynamic, hw), false);
        const PipelineResult none = run_pipeline(p, PipelineMode::None, hw);
        check_schedule(p, none, false);
        for (size_t i = 1; i < p.functions.size(); ++i) REQUIRE(none.timing[i].start == none.timing[i - 1].end); // strictly one at a time
    }
}

TEST_CASE("lowered operations load before they compute and compute before they store, and keep every MAC", "[dypipe]") {
    const DyPipeHardware hw = diannao();
    for (const char* n : {"dypipe-ops", "alexnet", "googlenet"}) {
        const ZooNetwork net = load_zoo_network(n);
        const Program p = lower_network(net, hw);
        uint64_t macs = 0;
        for (size_t i = 0; i < p.functions.size(); ++i) {
            const ModuleFunction& f = p.functions[i];
            macs += f.macs;
            if (f.module == Module::Compute) { // its own block's Load is among what it waits for
                bool own_load = false;
                for (uint32_t d : f.deps)
                    own_load |= p.functions[d].module == Module::Load && p.functions[d].op == f.op && p.functions[d].block == f.block;
                CHECK(own_load);
            }
            if (f.module == Module::Store) CHECK(p.functions[f.deps.at(0)].module == Module::Compute);
        }
        CHECK(macs == p.useful_macs); // blocking splits the work, it adds none
        const PipelineResult r = run_pipeline(p, PipelineMode::Dynamic, hw);
        check_schedule(p, r, false);
        // Pipelining can only help: static and dynamic beat one-at-a-time.
        CHECK(run_pipeline(p, PipelineMode::Static, hw).cycles <= run_pipeline(p, PipelineMode::None, hw).cycles);
        CHECK(r.cycles < run_pipeline(p, PipelineMode::None, hw).cycles);
    }
}

TEST_CASE("later blocks wait for the data block 0 brought for all of them, and slots are not refilled while in use", "[dypipe]") {
    const DyPipeHardware hw = diannao();
    ZooNetwork net;
    net.name = "two-fc";
    ZooLayer a, b;
    a.name = "fc1", a.kind = LayerKind::Fc, a.op = sched::parse_operator("C=4096,K=4096");
    b.name = "fc2", b.kind = LayerKind::Fc, b.op = sched::parse_operator("C=4096,K=1000");
    b.inputs = {0};
    net.layers = {a, b};
    const Program p = lower_network(net, hw);
    const PipelineResult r = run_pipeline(p, PipelineMode::Dynamic, hw);
    for (const ProgramOp& op : p.ops) {
        const uint32_t first_load = op.first; // block 0's Load carries the input vector
        for (uint32_t i = op.first; i < op.first + op.count; ++i)
            if (p.functions[i].module == Module::Compute) CHECK(r.timing[i].start >= r.timing[first_load].end);
    }
    // fc2's input vector replaces fc1's in the resident region: only once fc1's computes are done.
    const uint32_t fc2_first = p.ops[1].first;
    for (uint32_t i = p.ops[0].first; i < p.ops[0].first + p.ops[0].count; ++i)
        if (p.functions[i].module == Module::Compute) CHECK(r.timing[fc2_first].start >= r.timing[i].end);
}

TEST_CASE("DyPipe's costs: dynamic pays saves, restores and dispatches that static does not, and they vanish when free", "[dypipe]") {
    const DyPipeHardware hw = diannao();
    const Program p = lower_network(load_zoo_network("resnet18"), hw);
    const PipelineResult s = run_pipeline(p, PipelineMode::Static, hw), d = run_pipeline(p, PipelineMode::Dynamic, hw);
    DyPipeHardware free = hw;
    free.charge_cf_ctx = false;
    const PipelineResult f = run_pipeline(p, PipelineMode::Dynamic, free);
    const uint64_t n = p.functions.size();
    CHECK(d.save_cycles == n * hw.save_cycles());
    CHECK(d.restore_cycles == n * hw.restore_cycles());
    CHECK(d.dispatch_cycles == n * hw.dispatch_cycles);
    CHECK(s.save_cycles + s.restore_cycles + s.dispatch_cycles == 0);
    CHECK(d.cycles >= f.cycles);
    CHECK(f.cycles == s.cycles); // same graph, same dependencies: the only difference is CF & CTX
    CHECK(d.cb_peak_records * hw.record_bytes() <= hw.context_buffer_bytes);
}

TEST_CASE("a 256-byte context buffer throttles the controller but the pipeline still finishes in order", "[dypipe]") {
    DyPipeHardware hw = diannao();
    const Program p = lower_network(load_zoo_network("squeezenet"), hw);
    const PipelineResult big = run_pipeline(p, PipelineMode::Dynamic, hw);
    hw.context_buffer_bytes = 256; // 7 records of 36 bytes
    const PipelineResult small = run_pipeline(p, PipelineMode::Dynamic, hw);
    check_schedule(p, small, false);
    CHECK(small.cb_peak_records <= 7);
    CHECK(small.cb_full_cycles > 0);
    CHECK(small.cycles >= big.cycles); // never faster; equal when the dependencies allow no further lookahead anyway
}

TEST_CASE("variable-length sequences: static pads to the longest, dynamic runs what the input needs", "[dypipe]") {
    const DyPipeHardware hw = diannao();
    SequenceModel m;
    m.cell = CellKind::Gru;
    m.hidden = m.embedding = 128;
    const std::vector<uint32_t> lengths = {3, 20, 7};
    const Program dyn = lower_sequence(m, lengths, 0, hw), pad = lower_sequence(m, lengths, 20, hw);
    CHECK(pad.functions.size() == 2 * dyn.functions.size()); // 2 x 3 x 20 = 120 cell steps against 2 x (3 + 20 + 7) = 60
    CHECK(dyn.useful_macs == pad.useful_macs);                      // padding adds work, not useful work
    CHECK(run_pipeline(pad, PipelineMode::Static, hw).cycles > run_pipeline(dyn, PipelineMode::Dynamic, hw).cycles);
    // Decoder steps past the first are decided by the previous step's output.
    int decided = 0;
    for (const auto& op : dyn.ops) decided += op.decided_by >= 0;
    CHECK(decided == (3 - 1) + (20 - 1) + (7 - 1));
    CHECK_THROWS_WITH(lower_sequence(m, {21}, 20, hw), Catch::Contains("longer (21) than the compiled length 20"));
}

TEST_CASE("static pipelining rejects a tree-structured RNN with the reason, dynamic runs it", "[dypipe]") {
    const DyPipeHardware hw = diannao();
    const auto trees = random_trees({5, 9}, 3);
    REQUIRE(trees[0].size() == 2 * 5 - 1);
    CHECK_THROWS_WITH(lower_tree_rnn(256, trees, hw, true), Catch::Contains("static pipelining cannot compile a tree-structured RNN"));
    const Program p = lower_tree_rnn(256, trees, hw);
    CHECK(p.ops.size() == 2 * ((5 - 1) + (9 - 1))); // gates + update per internal node
    check_schedule(p, run_pipeline(p, PipelineMode::Dynamic, hw), false);
    CHECK_THROWS_AS(parse_pipeline_mode("fast"), std::invalid_argument);
}

TEST_CASE("the pipelines are deterministic", "[dypipe]") {
    const DyPipeHardware hw = diannao();
    const Program p = lower_sequence(SequenceModel{}, random_lengths(6, 1, 20, 9), 0, hw);
    const PipelineResult a = run_pipeline(p, PipelineMode::Dynamic, hw), b = run_pipeline(p, PipelineMode::Dynamic, hw);
    CHECK(a.cycles == b.cycles);
    for (size_t i = 0; i < p.functions.size(); ++i) REQUIRE(a.timing[i].end == b.timing[i].end);
    CHECK(random_lengths(6, 1, 20, 9) == random_lengths(6, 1, 20, 9));
}

TEST_CASE("context-buffer ring: records wrap, overflow is counted and nothing is overwritten", "[context_buffer]") {
    using context_buffer::ContextRing;
    ContextRing ring(64); // 16 words
    CHECK(ring.commit(4));  // 5 words
    CHECK(ring.commit(4));  // 10
    CHECK(ring.commit(4));  // 15
    CHECK_FALSE(ring.commit(4)); // 20 > 16: dropped
    CHECK(ring.overflows() == 1);
    CHECK(ring.count() == 3);
    ContextRing::Record r;
    REQUIRE(ring.pop(r));
    CHECK(r.start == 0);
    CHECK(r.words == 5);
    CHECK(ring.commit(4)); // fits again, wrapping past the end
    CHECK(ring.pending().back().start == 15);
    CHECK(ring.word_at(15, 3) == 2);
    CHECK(ring.peak_bytes() == 60);
}

TEST_CASE("context records encode and decode, and malformed headers are refused", "[context_buffer]") {
    using namespace context_buffer;
    ContextRecord r;
    r.pc = 7, r.module = 1, r.op = 3, r.block = 9, r.src = 0x10000000, r.dst = 0x10000400, r.aux = 0x10000800, r.a = 256, r.b = 128;
    r.kind = ComputeKind::FcRelu;
    r.dep_distances = {1, 4};
    const auto w = encode(r);
    REQUIRE(w.size() == 1 + 10);
    ContextRecord back;
    CHECK(decode(w[0], std::vector<uint32_t>(w.begin() + 1, w.end()), back).empty());
    CHECK(back == r);
    CHECK_FALSE(decode(w[0] | (3u << 14), std::vector<uint32_t>(w.begin() + 1, w.end()), back).empty()); // module 3
    CHECK_FALSE(decode(w[0], std::vector<uint32_t>(w.begin() + 1, w.end() - 1), back).empty());          // short
    std::vector<uint32_t> zero_dep(w.begin() + 1, w.end());
    zero_dep.back() = 0;
    CHECK_FALSE(decode(w[0], zero_dep, back).empty());
}

TEST_CASE("fp16 conversion rounds to nearest even and round-trips every half", "[dypipe]") {
    CHECK(half_to_float(float_to_half(1.0f)) == 1.0f);
    CHECK(float_to_half(1.0f) == 0x3C00);
    CHECK(float_to_half(-2.5f) == 0xC100);
    CHECK(float_to_half(65504.0f) == 0x7BFF);
    CHECK(float_to_half(1e6f) == 0x7C00);             // overflow to infinity
    CHECK(float_to_half(1.0f + 1.0f / 2048) == 0x3C00); // a tie rounds to even
    CHECK(float_to_half(5.96046448e-8f) == 0x0001);     // smallest subnormal
    for (uint32_t h = 0; h < 0x7C00; ++h) REQUIRE(float_to_half(half_to_float(uint16_t(h))) == h);
}

TEST_CASE("after a branch on a computed value, static drains the pipeline (a bubble) and dynamic overlaps the taken branch", "[dypipe]") {
    // Op A (3 blocks), then op B chosen by A's last compute (DyPipe Fig. 1b / Fig. 7).
    const DyPipeHardware hw = diannao();
    Program p;
    p.name = "branch";
    auto block = [&](uint32_t op, uint32_t b, std::vector<uint32_t> load_deps) {
        const uint32_t l = uint32_t(p.functions.size());
        p.functions.push_back({Module::Load, op, b, 64000, 0, 0, load_deps});
        p.functions.push_back({Module::Compute, op, b, 0, 4000000, 0, {l}});
        p.functions.push_back({Module::Store, op, b, 64000, 0, 0, {l + 1}});
        return l + 1; // the compute
    };
    p.ops.push_back({"A", "fc", 0, 9, -1});
    uint32_t decision = 0;
    for (uint32_t b = 0; b < 3; ++b) decision = block(0, b, {});
    p.ops.push_back({"B", "fc", 9, 9, int64_t(decision)});
    for (uint32_t b = 0; b < 3; ++b) block(1, b, {}); // B reads weights only: nothing ties it to A's stores
    const PipelineResult s = run_pipeline(p, PipelineMode::Static, hw);
    DyPipeHardware free = hw;
    free.charge_cf_ctx = false;
    const PipelineResult d = run_pipeline(p, PipelineMode::Dynamic, free);
    uint64_t a_end = 0;
    for (uint32_t i = 0; i < 9; ++i) a_end = std::max(a_end, s.timing[i].end);
    CHECK(s.timing[9].start >= a_end);                 // static: B waits for all of A, its last store included
    CHECK(d.timing[9].start >= d.timing[decision].end); // dynamic: B is saved once the decision is known ...
    CHECK(d.timing[9].start < d.timing[8].end);        // ... and its first load overlaps A's last store (function 8)
    CHECK(d.timing[9].start < s.timing[9].start);
    CHECK(d.cycles < s.cycles);
}
