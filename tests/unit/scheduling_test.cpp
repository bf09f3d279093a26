// Scheduling core: factorisation, CoSA-form schedules, cost model (DNA eqs.
// 1-3), mappers and Algorithm 1 (DNA sec. V).
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <random>

#include "ip/scheduling/mappers.h"
#include "platform/platform_config.h"
#include "workloads/zoo.h"

using namespace dynavp::sched;

namespace {

// DNA Fig. 9: levels R, W, G; only C and K; W holds 24 weights and feeds 4 PEs.
Hardware fig9_hardware() {
    Hardware hw;
    hw.name = "fig9";
    hw.elem_bytes = {1, 1, 1};
    hw.dram_output_bytes = 1;
    MemLevel r{"R", {1, 0, 0}, 0, 1, 0, 0, 0};
    MemLevel w{"W", {24, 0, 0}, 0, 4, 0, 0, 0};
    MemLevel g{"G", {kUnbounded, kUnbounded, kUnbounded}, 0, 1, 0, 0, 0};
    hw.levels = {r, w, g};
    return hw;
}

FactorSlot slot(Dim d, uint32_t v, int level, bool spatial) { return FactorSlot{d, v, level, spatial}; }

// A tiny accelerator for hand-checked costs: registers, one buffer feeding
// 64 PEs, DRAM with 8 B/cycle.
Hardware small_hardware() {
    Hardware hw;
    hw.name = "small";
    hw.elem_bytes = {1, 1, 4};
    hw.dram_output_bytes = 1;
    hw.mac_pj = 1;
    MemLevel reg{"Reg", {1, 1, 4}, 0, 1, 0, 0.5, 0.5};
    MemLevel buf{"Buf", {1024, 1024, 1024}, 0, 64, 0, 2, 2};
    MemLevel dram{"DRAM", {kUnbounded, kUnbounded, kUnbounded}, 0, 1, 8, 100, 100};
    hw.levels = {reg, buf, dram};
    return hw;
}

} // namespace

TEST_CASE("prime factorisation lists the primes of a dimension in ascending order", "[sched]") {
    CHECK(prime_factors(28) == std::vector<uint32_t>{2, 2, 7}); // DNA sec. V-A
    CHECK(prime_factors(1).empty());
    CHECK(prime_factors(97) == std::vector<uint32_t>{97});
    CHECK(prime_factors(1u << 20) == std::vector<uint32_t>(20, 2));
    std::mt19937 rng(3);
    for (int i = 0; i < 2000; ++i) {
        const uint32_t n = std::uniform_int_distribution<uint32_t>(1, 1u << 20)(rng);
        uint64_t p = 1;
        uint32_t last = 0;
        for (uint32_t f : prime_factors(n)) {
            CHECK(f >= last);
            CHECK(prime_factors(f).size() == 1); // each factor is prime
            last = f;
            p *= f;
        }
        REQUIRE(p == n);
    }
}

TEST_CASE("dims with large prime factors are padded to the next smooth size and reported", "[sched]") {
    CHECK(smooth_at_least(11, 7) == 12);
    CHECK(smooth_at_least(97, 7) == 98);
    CHECK(smooth_at_least(224, 7) == 224);
    CHECK(smooth_at_least(1048573, 7) >= 1048573);
    Hardware hw = small_hardware();
    std::vector<std::string> notes;
    Operator op = parse_operator("P=167,C=11,K=8");
    Operator padded = pad_to_smooth(op, hw, &notes);
    CHECK(padded[P] == 168);
    CHECK(padded[C] == 12);
    CHECK(padded[K] == 8);
    REQUIRE(notes.size() == 2);
    CHECK(notes[0].find("P 167 -> 168") != std::string::npos);
}

TEST_CASE("operator strings are parsed strictly", "[sched]") {
    Operator op = parse_operator("R=3,S=3,P=28,Q=28,C=256,K=256,stride=2");
    CHECK(op[R] == 3);
    CHECK(op[N] == 1);
    CHECK(op.stride == 2);
    CHECK(op.macs() == 3ull * 3 * 28 * 28 * 256 * 256);
    CHECK_THROWS_WITH(parse_operator("R=0"), Catch::Contains("must be >= 1"));
    CHECK_THROWS_WITH(parse_operator("X=3"), Catch::Contains("unknown item"));
    CHECK_THROWS_WITH(parse_operator("R=3,,S=3"), Catch::Contains("empty item"));
    CHECK_THROWS_WITH(parse_operator("P=2000000"), Catch::Contains("exceeds 1048576"));
    CHECK_THROWS_WITH(parse_operator("P=28,stride=100"), Catch::Contains("exceeds 64"));
    CHECK_THROWS_WITH(parse_operator("P=3,P=5"), Catch::Contains("given twice"));
    CHECK_THROWS_WITH(parse_operator("P=1048576,Q=1048576,C=4096,K=4096"), Catch::Contains("more than 2^50 MACs"));
    CHECK_THROWS_WITH(parse_operator("P=-1"), Catch::Contains("positive integer"));
    CHECK_THROWS_WITH(apply_dynamic(op, "C=300"), Catch::Contains("must be in [1, 256]"));
    CHECK(apply_dynamic(op, "C=96,K=160")[C] == 96);
}

TEST_CASE("cost model matches a hand-computed conv on an 8x8 array", "[sched][cost]") {
    // P=16, C=4, K=8. Buf: spatial K8 x P8 (64 PEs), temporal C4; DRAM: temporal P2.
    const Hardware hw = small_hardware();
    const Operator op = parse_operator("P=16,C=4,K=8");
    Schedule s;
    s.order.assign(3, default_order());
    s.factors = {slot(P, 2, 1, true), slot(P, 2, 1, true), slot(P, 2, 1, true), slot(P, 2, 2, false),
                 slot(C, 2, 1, false), slot(C, 2, 1, false), slot(K, 2, 1, true), slot(K, 2, 1, true), slot(K, 2, 1, true)};
    const Cost c = evaluate(op, s, hw);
    REQUIRE(c.valid);
    CHECK(c.executed_macs == 512);
    CHECK(c.compute_cycles == 8);               // C4 x P2 temporal
    CHECK(c.level[1].C == 64);                  // eq. 3
    CHECK(c.level[1].tile_bytes[Weight] == 32); // C4 x K8
    CHECK(c.level[1].tile_bytes[Input] == 32);  // P8 x C4
    CHECK(c.level[1].tile_bytes[Output] == 256); // P8 x K8 x 4 B
    CHECK(c.level[1].U == 320);                 // eq. 2
    // DRAM: weights once (P is irrelevant to them), inputs per P2, outputs
    // written once per tile as final int8.
    CHECK(c.level[2].read_bytes[Weight] == 32);
    CHECK(c.level[2].read_bytes[Input] == 64);
    CHECK(c.level[2].write_bytes[Output] == 128);
    CHECK(c.level[2].read_bytes[Output] == 0);
    CHECK(c.level[2].transfer_cycles == Approx(224.0 / 8));
    CHECK(c.cycles == Approx(28)); // transfer-bound, double-buffered
    // Buf -> Reg: 8 fills of each operand per PE; P8 spatial multicasts weights, K8 inputs.
    CHECK(c.level[0].write_bytes[Weight] == 64 * 8);
    CHECK(c.level[1].read_bytes[Weight] == 64);
    CHECK(c.level[1].read_bytes[Input] == 64);
    // Outputs stay in the accumulators across C; each of 2 tiles written back once.
    CHECK(c.level[1].write_bytes[Output] == 128 * 4);
    CHECK(c.pe_utilization == Approx(512.0 / (28 * 64)));
    CHECK(c.mac_energy_pj == Approx(512));
    Hardware single = hw;
    single.double_buffered = false;
    CHECK(evaluate(op, s, single).cycles == Approx(8 + 28 + c.level[1].transfer_cycles));
}

TEST_CASE("R1 and R2 violations are rejected with the level and numbers", "[sched][cost]") {
    const Hardware hw = small_hardware();
    const Operator op = parse_operator("P=16,C=4,K=8");
    Schedule s = all_outermost(op, 3);
    for (auto& f : s.factors)
        if (f.dim != C) {
            f.level = 1;
            f.spatial = true; // 128 spatial instances > 64 PEs
        }
    CHECK_THAT(check_valid(op, s, hw), Catch::Contains("R2 violated at Buf") && Catch::Contains("128"));
    CHECK_FALSE(evaluate(op, s, hw).valid);
    Schedule big = all_outermost(parse_operator("C=2048,K=2"), 3);
    for (auto& f : big.factors) f.level = 1; // 4096 weights > 1024 B
    CHECK_THAT(check_valid(parse_operator("C=2048,K=2"), big, hw), Catch::Contains("R1 violated at Buf: weight tile 4096 B > 1024 B"));
    Schedule wrong = all_outermost(op, 3);
    wrong.factors.pop_back();
    CHECK_THAT(check_valid(op, wrong, hw), Catch::Contains("factors multiply to"));
}

TEST_CASE("Algorithm 1 on the Fig. 9 case makes the described moves and gains 2.5x utilisation", "[sched][transverter]") {
    const Hardware hw = fig9_hardware();
    const Operator backbone = parse_operator("C=10,K=12"), dyn = apply_dynamic(backbone, "C=6,K=8");
    // Preliminary schedule (our reading): W holds C2(S) K2(S) K2 K3 = 24 weights; C5 at G.
    Schedule bbs;
    bbs.order.assign(3, default_order());
    bbs.factors = {slot(C, 2, 1, true), slot(C, 5, 2, false), slot(K, 2, 1, true), slot(K, 2, 1, false), slot(K, 3, 1, false)};
    REQUIRE(check_valid(backbone, bbs, hw).empty());
    uint64_t updates = 0;
    const Schedule m = transverter_transform(backbone, bbs, dyn, hw, &updates);
    // MaxBuff at W moves C2, C3, K2, K2 (U_W 1 -> 2 -> 6 -> 12 -> 24); the third K2 stays at G.
    // MaxComp with r = 4 maps C2, then K2, spatially (r 4 -> 2 -> 1).
    std::vector<FactorSlot> want = {slot(C, 2, 1, true), slot(C, 3, 1, false), slot(K, 2, 1, true), slot(K, 2, 1, false),
                                    slot(K, 2, 2, false)};
    REQUIRE(m.factors.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        INFO("factor " << i);
        CHECK(m.factors[i].dim == want[i].dim);
        CHECK(m.factors[i].value == want[i].value);
        CHECK(m.factors[i].level == want[i].level);
        CHECK(m.factors[i].spatial == want[i].spatial);
    }
    CHECK(updates == 5 + 4 + 2); // Initialization writes 5 factors, MaxBuff 4 moves, MaxComp 2
    const Cost tr = evaluate(dyn, m, hw), st = evaluate(backbone, bbs, hw, dyn.macs());
    REQUIRE(tr.valid);
    CHECK(tr.level[1].U == 24);
    CHECK(tr.level[1].C == 4);
    CHECK(st.pe_utilization == Approx(0.4)); // 48 of 120 MACs useful
    CHECK(tr.pe_utilization == Approx(1.0));
    CHECK(tr.pe_utilization / st.pe_utilization == Approx(2.5));
    // Buffer: 24 of 24 entries useful vs 24 x 48/120 for the padded static run.
    CHECK((24.0 / 24) / (24.0 * 48 / 120 / 24) == Approx(2.5));
}

TEST_CASE("every mapper returns a valid schedule for 10,000 random (backbone, dynamic) pairs", "[sched][property]") {
    const Hardware hw = hardware_from_platform(dynavp::load_platform("dna-16c"));
    MapperOptions o;
    o.samples = 20;
    o.local_steps = 30;
    std::vector<dynavp::ZooLayer> layers;
    for (const char* n : {"vgg16", "resnet50"})
        for (const auto& l : dynavp::load_zoo_network(n).layers) layers.push_back(l);
    std::vector<std::unique_ptr<MapperSuite>> suites;
    for (const auto& l : layers) suites.push_back(std::make_unique<MapperSuite>(l.op, std::vector<Dim>{C, K, P, Q}, hw, o, 4));
    std::mt19937_64 rng(2024);
    uint64_t checked = 0;
    for (int i = 0; i < 10000; ++i) {
        const MapperSuite& s = *suites[rng() % suites.size()];
        Operator dyn = s.backbone();
        for (Dim d : {C, K, P, Q}) dyn[d] = 1 + uint32_t(rng() % dyn[d]);
        for (const auto& name : MapperSuite::names()) {
            if (name == "oracle" && i % 10) continue; // the search is the slow one: every 10th pair
            const MapResult r = s.run(name, name == "offline" ? s.backbone() : dyn);
            if (!r.cost.valid) FAIL(name << " invalid for " << dyn.to_string() << ": " << r.cost.violation);
            for (Dim d : kAllDims)
                if (r.executed[d] < dyn[d]) FAIL(name << " executes less than the dynamic operator in " << dim_name(d));
            if (name != "offline" && r.cost.useful_macs != dyn.macs()) FAIL("useful MACs wrong");
            ++checked;
        }
    }
    CHECK(checked == 10000 * 4 + 1000);
}

TEST_CASE("transverter runs only on the shapes it was asked for: exact dims, padding only for large primes", "[sched][transverter]") {
    const Hardware hw = hardware_from_platform(dynavp::load_platform("dna-16c"));
    MapperOptions o;
    o.samples = 50;
    o.local_steps = 100;
    MapperSuite s(parse_operator("R=3,S=3,P=28,Q=28,C=256,K=256"), {C, K}, hw, o, 8);
    const MapResult r = s.run("transverter", apply_dynamic(s.backbone(), "C=96,K=167"));
    CHECK(r.executed[C] == 96);
    CHECK(r.executed[K] == 168);
    REQUIRE(r.notes.size() == 1);
    CHECK(r.table_updates > 0);
    const MapResult st = s.run("static", apply_dynamic(s.backbone(), "C=96,K=167"));
    CHECK(st.executed[C] == 256);
    CHECK(st.cost.useful_macs == r.cost.useful_macs);
}

TEST_CASE("the library runs the smallest precompiled kernel that covers the dynamic shape", "[sched][library]") {
    const Hardware hw = hardware_from_platform(dynavp::load_platform("dna-16c"));
    MapperOptions o;
    o.samples = 20;
    o.local_steps = 30;
    const Operator bb = parse_operator("R=3,S=3,P=28,Q=28,C=256,K=256");
    KernelLibrary lib(bb, {C, K}, hw, 32, o);
    CHECK(lib.kernels().size() == 32);
    CHECK(lib.kernels()[0].shape == bb);
    const Operator dyn = apply_dynamic(bb, "C=100,K=70");
    const auto& k = lib.lookup(dyn);
    CHECK(k.shape[C] >= 100);
    CHECK(k.shape[K] >= 70);
    for (const auto& other : lib.kernels())
        if (other.shape[C] >= 100 && other.shape[K] >= 70) CHECK(other.shape.macs() >= k.shape.macs());
}

TEST_CASE("search and mappers are deterministic for a seed", "[sched]") {
    const Hardware hw = hardware_from_platform(dynavp::load_platform("dna-16c"));
    MapperOptions o;
    o.samples = 100;
    o.local_steps = 300;
    o.seed = 9;
    const Operator bb = parse_operator("R=3,S=3,P=14,Q=14,C=512,K=512");
    MapperSuite a(bb, {C, K}, hw, o, 6), b(bb, {C, K}, hw, o, 6);
    const Operator dyn = apply_dynamic(bb, "C=300,K=200");
    for (const auto& name : MapperSuite::names()) {
        INFO(name);
        const MapResult x = a.run(name, dyn), y = b.run(name, dyn);
        CHECK(x.schedule == y.schedule);
        CHECK(x.cost.cycles == y.cost.cycles);
    }
}

TEST_CASE("schedules print as a loop nest and serialise X with one 1 per factor", "[sched]") {
    const Hardware hw = fig9_hardware();
    Schedule s;
    s.order.assign(3, default_order());
    s.factors = {slot(C, 2, 1, true), slot(C, 5, 2, false), slot(K, 2, 1, false)};
    const std::string nest = s.loop_nest(hw);
    CHECK_THAT(nest, Catch::Contains("for c2 in 0..5  (G, temporal)"));
    CHECK_THAT(nest, Catch::Contains("spatial_for c1s in 0..2  (W, spatial)"));
    CHECK_THAT(nest, Catch::Contains("for k1 in 0..2  (W, temporal)"));
    const auto j = s.to_json(hw);
    REQUIRE(j["X"].size() == 3);
    for (size_t f = 0; f < s.factors.size(); ++f) {
        int ones = 0;
        for (size_t i = 0; i < 3; ++i) ones += j["X"][i][f][0].get<int>() + j["X"][i][f][1].get<int>();
        CHECK(ones == 1);
    }
    CHECK(j["factors"][0]["k"] == 0); // spatial is k = 0 (DNA sec. V-A)
}

TEST_CASE("grouped and strided convolutions cost per group and read the input halo", "[sched][cost]") {
    const Hardware hw = small_hardware();
    Operator dw = parse_operator("R=3,S=3,P=8,Q=8,C=1,K=1,groups=16"); // depthwise, 16 channels
    CHECK(dw.macs() == 16ull * 9 * 64);
    Schedule s = all_outermost(dw, 3);
    const Cost one = evaluate(parse_operator("R=3,S=3,P=8,Q=8,C=1,K=1"), s, hw);
    const Cost all = evaluate(dw, s, hw);
    REQUIRE(all.valid);
    CHECK(all.compute_cycles == 16 * one.compute_cycles);
    CHECK(all.level[2].read_bytes[Weight] == 16 * one.level[2].read_bytes[Weight]);
    // Input tile with a 3x3 window over an 8x8 output, stride 2: (8-1)*2+3 = 17 rows and cols.
    Operator strided = parse_operator("R=3,S=3,P=8,Q=8,C=1,K=1,stride=2");
    Schedule in_buf = all_outermost(strided, 3);
    for (auto& f : in_buf.factors) f.level = 1;
    CHECK(tile_bytes(strided, in_buf, hw, Input, 1) == 17 * 17);
}

TEST_CASE("spatial reductions count every child's partial sums on the way up", "[sched][cost]") {
    // C16 reduced across 16 instances above CoreBuf-like level: each instance reads out its own psums.
    Hardware hw = small_hardware();
    hw.levels.insert(hw.levels.begin() + 2, MemLevel{"GLB", {1u << 20, 1u << 20, 1u << 20}, 0, 16, 64, 1, 1});
    const Operator op = parse_operator("P=4,C=16,K=8");
    Schedule s = all_outermost(op, 4);
    for (auto& f : s.factors) {
        if (f.dim == C) f.level = 2, f.spatial = true; // reduced over 16 "cores"
        if (f.dim == K) f.level = 1, f.spatial = true; // 8 PEs
        if (f.dim == P) f.level = 1, f.spatial = false;
    }
    const Cost c = evaluate(op, s, hw);
    REQUIRE(c.valid);
    // Each of 16 Buf instances holds a P4 x K8 output tile (32 elems x 4 B) and sends it up once.
    CHECK(c.level[1].read_bytes[Output] == 16 * 32 * 4);
    // The GLB receives them reduced: one tile's worth.
    CHECK(c.level[2].write_bytes[Output] == 32 * 4);
}

TEST_CASE("the transverter leaves the backbone schedule alone when no dim changed", "[sched][transverter]") {
    const Hardware hw = hardware_from_platform(dynavp::load_platform("dna-16c"));
    MapperOptions o;
    o.samples = 50;
    o.local_steps = 100;
    MapperSuite s(parse_operator("P=1,Q=128,C=768,K=3072"), {C, K}, hw, o, 4);
    const MapResult tr = s.run("transverter", s.backbone()), st = s.run("static", s.backbone());
    CHECK(tr.table_updates == 0);
    CHECK(tr.schedule == st.schedule);
    CHECK(tr.cost.cycles == st.cost.cycles);
}

TEST_CASE("a platform whose core buffers cannot hold one element is refused", "[sched]") {
    dynavp::PlatformConfig cfg = dynavp::load_platform("dna-16c");
    cfg.npu.output_buffer_bytes = 2; // int32 partial sums need 4
    CHECK_THROWS_WITH(hardware_from_platform(cfg), Catch::Contains("output buffer of 2 B"));
}
