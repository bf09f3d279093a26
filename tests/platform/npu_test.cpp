// The NPU engine on the board, driven by firmware through the NPU driver.
// Firmware records what it saw; assertions run after sc_start() returns.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "firmware/drivers/npu_driver.h"
#include "firmware/firmware_registry.h"
#include "ip/common/tlm_util.h"
#include "ip/core/functional.h"
#include "ip/core/layout.h"
#include "ip/core/nonlinear.h"
#include "ip/scheduling/mappers.h"
#include "platform/board.h"
#include "board_fixture.h"

using namespace dynavp;
using namespace dynavp::sched;
using test::dna16c;
using test::run_board;
using test::the_board;

namespace {

std::vector<int8_t> random_int8(size_t n, uint32_t seed) {
    std::vector<int8_t> v(n);
    uint32_t x = seed;
    for (auto& e : v) {
        x = x * 1664525u + 1013904223u;
        e = int8_t(int(x >> 28) - 8); // [-8, 7]
    }
    return v;
}

struct Mem {
    uint64_t dram, glb, pfb;
    explicit Mem(fw::Hal& hal) : dram(hal.board().find("dram")->base), glb(hal.board().find("glb")->base), pfb(hal.board().find("prefetch_buffer")->base) {}
    // A job with its tensors at fixed DRAM offsets: in +16 MiB, weights +32, out +48, partial sums +64.
    fw::NpuTensorJob job(const Operator& op, const Schedule& s) const {
        fw::NpuTensorJob j;
        j.op = op, j.schedule = s, j.in_addr = dram + 0x1000000, j.w_addr = dram + 0x2000000, j.out_addr = dram + 0x3000000, j.psum_addr = dram + 0x4000000;
        return j;
    }
};

} // namespace

TEST_CASE("conv-check firmware: a conv (int8) and a matmul (fp32) split over 16 cores match the reference bit for bit", "[platform][npu]") {
    const fw::FirmwareInfo* image = fw::find_firmware("conv-check");
    REQUIRE(image);
    fw::FirmwareArgs args;
    args.seed = 3;
    args.platform = &dna16c();
    Board& b = run_board(dna16c(), [&](fw::Hal& hal) { return image->entry(hal, args); });
    for (const auto& line : b.host().log_lines()) INFO(line);
    CHECK(b.host().exit_code() == 0);
    Stats s;
    b.report(s);
    CHECK(s.u64("npu.launches") == 2);
    CHECK(s.number("npu.pe_utilization") > 0.1);
    CHECK(s.number("npu.energy_pj.pe") > 0);
    CHECK(s.number("npu.energy_pj.dram") > 0);
    CHECK(s.u64("npu.core.15.busy_cycles") > 0);
    const auto& log = b.npu()->launch_log();
    REQUIRE(log.size() == 2);
    CHECK(log[0]["cores"].get<uint32_t>() == 16);
}

TEST_CASE("a compute-bound conv runs within 5% of the cost model's cycles", "[platform][npu][timing]") {
    const Operator op = parse_operator("R=3,S=3,P=56,Q=56,C=256,K=256"); // VGG16 conv3_2
    const Hardware hw = hardware_from_platform(dna16c());
    MapperOptions mo;
    const MapResult m = search_schedule(op, hw, mo);
    // The model's bottleneck is inside the cores (MACs / PE-array feed), not the GLB or DRAM.
    REQUIRE(m.cost.level[2].transfer_cycles < 0.8 * m.cost.cycles);
    REQUIRE(m.cost.level[3].transfer_cycles < 0.8 * m.cost.cycles);
    fw::NpuResult r;
    the_board(dna16c()).npu()->set_timing_only(true); // timing is the same either way (see the timing-only test)
    run_board(dna16c(), [&](fw::Hal& hal) {
        Mem mem(hal);
        fw::NpuDriver drv(hal, mem.dram + 0x100000);
        if (!drv.init()) return 1;
        fw::NpuTensorJob job = mem.job(op, m.schedule);
        job.weight_layout = uint32_t(core::WeightLayout::Blocked);
        r = drv.run(job);
        return r.ok ? 0 : 1;
    });
    INFO(r.message);
    REQUIRE(r.ok);
    INFO("simulated " << r.cycles << " cycles, cost model " << m.cost.cycles);
    CHECK(std::abs(double(r.cycles) / m.cost.cycles - 1.0) < 0.05);
}

TEST_CASE("a DRAM-bound matrix-vector product runs within 10% of its DRAM bytes over the DRAM bandwidth", "[platform][npu][timing]") {
    // A GLB port wide enough that DRAM, not the GLB, is the bottleneck
    // (on dna-16c the 64 B/cycle GLB port binds before DDR4-2400 does).
    static PlatformConfig cfg = dna16c();
    for (auto& d : cfg.devices)
        if (d.name == "glb") d.sram.bytes_per_cycle = 512;
    const Operator op = parse_operator("P=1,Q=1,C=4096,K=4096");
    const Hardware hw = hardware_from_platform(cfg);
    const MapResult m = search_schedule(op, hw, MapperOptions{});
    REQUIRE(m.cost.level[3].transfer_cycles == Approx(m.cost.cycles)); // DRAM-bound in the model too
    fw::NpuResult r;
    Board& b = run_board(cfg, [&](fw::Hal& hal) {
        Mem mem(hal);
        fw::NpuDriver drv(hal, mem.dram + 0x100000);
        if (!drv.init()) return 1;
        fw::NpuTensorJob job = mem.job(op, m.schedule);
        job.weight_layout = uint32_t(core::WeightLayout::Blocked);
        hal.load(job.w_addr, core::to_blocked(op, core::weight_blocking(op, m.schedule), random_int8(core::weight_elems(op), 5)).data(),
                 core::weight_elems(op));
        r = drv.run(job);
        return r.ok ? 0 : 1;
    });
    INFO(r.message);
    REQUIRE(r.ok);
    const auto& launch = b.npu()->launch_log().back();
    const double bytes = launch["bytes"]["dram_read"].get<double>() + launch["bytes"]["dram_write"].get<double>();
    CHECK(bytes >= double(core::weight_elems(op)));
    const double bound = bytes / hw.levels[3].bytes_per_cycle;
    INFO("simulated " << r.cycles << " cycles, DRAM bytes/bandwidth " << bound);
    CHECK(std::abs(double(r.cycles) / bound - 1.0) < 0.10);
}

TEST_CASE("inter-core forwarding: cores 0-7 hand their output to cores 8-15 through the GLB without a DRAM access", "[platform][npu]") {
    // Layer A (cores 0-7) writes its int8 output into the GLB; layer B (cores 8-15)
    // reads it from there as its input. Weights of B also sit in the GLB.
    const Operator a = parse_operator("P=1,Q=16,C=32,K=32");
    const Operator bop = parse_operator("P=1,Q=16,C=32,K=16");
    const Hardware hw = hardware_from_platform(dna16c());
    // Hand-made schedules: 8 cores split K at the GLB, all else inside the cores.
    auto schedule = [&](const Operator& op) {
        Schedule s = all_outermost(op, 4);
        uint32_t k_spatial = 1;
        for (auto& f : s.factors) {
            if (f.dim == K && k_spatial < 8) f.level = 2, f.spatial = true, k_spatial *= f.value;
            else f.level = 1, f.spatial = false;
        }
        return s;
    };
    const Schedule sa = schedule(a), sb = schedule(bop);
    REQUIRE(check_valid(a, sa, hw).empty());
    REQUIRE(check_valid(bop, sb, hw).empty());
    const auto x = random_int8(core::input_elems(a), 1), wa = random_int8(core::weight_elems(a), 2), wb = random_int8(core::weight_elems(bop), 3);
    std::vector<int8_t> got(core::output_elems(bop));
    fw::NpuResult ra, rb;
    uint64_t dram_read_during_b = ~0ull, dram_written_during_a = ~0ull;
    Board& board = the_board(dna16c());
    Board* bp = &board;
    run_board(dna16c(), [&](fw::Hal& hal) {
        Mem mem(hal);
        fw::NpuDriver drv(hal, mem.glb + 0x1C000, 0x4000); // descriptors and schedules on chip too
        if (!drv.init()) return 1;
        const uint64_t fwd = mem.glb + 0x10000; // A's output / B's input
        hal.load(mem.dram + 0x1000000, x.data(), x.size());
        hal.load(mem.dram + 0x2000000, wa.data(), wa.size());
        hal.load(mem.glb + 0x18000, wb.data(), wb.size());
        fw::NpuTensorJob ja;
        ja.op = a, ja.schedule = sa, ja.in_addr = mem.dram + 0x1000000, ja.w_addr = mem.dram + 0x2000000, ja.out_addr = fwd, ja.scale = 1.0f / 16;
        Stats s0;
        bp->report(s0);
        ra = drv.run(ja, 0, 0);
        Stats s1;
        bp->report(s1);
        fw::NpuTensorJob jb;
        jb.op = bop, jb.schedule = sb, jb.in_addr = fwd, jb.w_addr = mem.glb + 0x18000, jb.out_addr = mem.dram + 0x3000000, jb.scale = 1.0f / 16;
        rb = drv.run(jb, 0, 8);
        Stats s2;
        bp->report(s2);
        dram_written_during_a = s1.u64("dram.bytes_written") - s0.u64("dram.bytes_written");
        dram_read_during_b = s2.u64("dram.bytes_read") - s1.u64("dram.bytes_read");
        hal.peek(mem.dram + 0x3000000, got.data(), got.size());
        return ra.ok && rb.ok ? 0 : 1;
    });
    INFO(ra.message << " / " << rb.message);
    REQUIRE(ra.ok);
    REQUIRE(rb.ok);
    CHECK(dram_written_during_a == 0); // A's output never left the chip
    CHECK(dram_read_during_b == 0);    // B found its input (and weights) in the GLB
    const auto ya = core::requantize(core::reference_conv<int8_t, int32_t>(a, x, wa), 1.0f / 16);
    CHECK(got == core::requantize(core::reference_conv<int8_t, int32_t>(bop, ya, wb), 1.0f / 16));
    const auto& log = board.npu()->launch_log();
    REQUIRE(log.size() == 2);
    CHECK(log[0]["bytes"]["dram_write"].get<uint64_t>() == 0);
    CHECK(log[1]["bytes"]["dram_read"].get<uint64_t>() == 0);
    CHECK(log[1]["bytes"]["glb_read"].get<uint64_t>() > 0);
}

TEST_CASE("the nonlinear unit writes the runtime table and firmware reads it over MMIO, overflow counted", "[platform][npu]") {
    std::vector<float> x(100);
    for (size_t i = 0; i < x.size(); ++i) x[i] = float(int(i % 7) - 3); // sigmoid >= 0.5 where x >= 0
    std::vector<core::RuntimeEntry> entries, after_clear;
    uint32_t overflow = 0, count = 0;
    fw::NpuResult r;
    run_board(dna16c(), [&](fw::Hal& hal) {
        Mem mem(hal);
        fw::NpuDriver drv(hal, mem.dram + 0x100000);
        if (!drv.init()) return 1;
        hal.load(mem.dram + 0x1000000, x.data(), x.size() * 4);
        npu::JobDescriptor d;
        d.nl_op = uint32_t(core::NonlinearOp::SigmoidGate);
        d.nl_n = uint32_t(x.size());
        d.nl_threshold = 0.5f;
        d.policy = uint32_t(core::AgentPolicy::Gating);
        d.rt_address = 1000;
        d.nl_src = mem.dram + 0x1000000;
        r = drv.run_nonlinear(5, d);
        entries = drv.runtime_table(5);
        count = hal.read32(drv.core_reg(5, npu::RT_COUNT));
        overflow = hal.read32(drv.core_reg(5, npu::RT_OVERFLOW));
        drv.clear_runtime_table(5);
        after_clear = drv.runtime_table(5);
        return r.ok ? 0 : 1;
    });
    INFO(r.message);
    REQUIRE(r.ok);
    const uint32_t capacity = dna16c().npu.runtime_table_entries;
    REQUIRE(entries.size() == capacity); // 100 decisions, 64 slots
    CHECK(count == capacity);
    CHECK(overflow == x.size() - capacity);
    const auto gate = core::sigmoid_gate(x, 0.5f);
    for (size_t i = 0; i < entries.size(); ++i) {
        CHECK(entries[i].address == 1000 + i);
        CHECK(entries[i].policy == core::AgentPolicy::Gating);
        CHECK(entries[i].result == gate[i]);
    }
    CHECK(after_clear.empty());
}

TEST_CASE("a core given a schedule that breaks R1 or R2 reports an error status, the driver surfaces it, and the engine still works", "[platform][npu]") {
    const Operator op = parse_operator("R=3,S=3,P=28,Q=28,C=64,K=64");
    const Hardware hw = hardware_from_platform(dna16c());
    Schedule r1 = all_outermost(op, 4);
    for (auto& f : r1.factors) f.level = 1; // the whole operator in 8 KiB of core buffers
    Schedule r2 = all_outermost(op, 4);
    for (auto& f : r2.factors)
        if (f.dim == K || f.dim == C) f.level = 1, f.spatial = true; // 4096 PEs wanted, 64 there
    REQUIRE(check_valid(op, r1, hw).rfind("R1", 0) == 0);
    REQUIRE(check_valid(op, r2, hw).rfind("R2", 0) == 0);
    Schedule shape = search_schedule(op, hw, MapperOptions{}).schedule;
    shape.factors.pop_back(); // a dropped loop factor
    fw::NpuResult e1, e2, e3, ok;
    Board& b = run_board(dna16c(), [&](fw::Hal& hal) {
        Mem mem(hal);
        fw::NpuDriver drv(hal, mem.dram + 0x100000);
        if (!drv.init()) return 1;
        fw::NpuTensorJob job = mem.job(op, r1);
        e1 = drv.run(job, 1000000);
        job.schedule = r2;
        e2 = drv.run(job, 1000000);
        job.schedule = shape;
        e3 = drv.run(job, 1000000);
        job.schedule = search_schedule(op, hw, MapperOptions{}).schedule;
        ok = drv.run(job, 1000000000);
        return 0;
    });
    CHECK_FALSE(e1.ok);
    CHECK(e1.err_code == npu::kErrR1);
    CHECK(e1.err_detail == 1); // level 1: the core buffers
    CHECK(e1.message.find("R1") != std::string::npos);
    CHECK_FALSE(e2.ok);
    CHECK(e2.err_code == npu::kErrR2);
    CHECK_FALSE(e3.ok);
    CHECK(e3.err_code == npu::kErrShape);
    INFO(ok.message);
    CHECK(ok.ok);
    Stats s;
    b.report(s);
    CHECK(s.u64("npu.core.0.errors") == 3);
    CHECK(s.u64("npu.launches") == 1); // the rejected jobs never started
}

TEST_CASE("a valid prefetch-buffer tile serves the engine's weight reads (its bytes are what the cores use), a disabled one sends them back to DRAM", "[platform][npu]") {
    const Operator op = parse_operator("P=1,Q=32,C=64,K=64");
    const Hardware hw = hardware_from_platform(dna16c());
    const MapResult m = search_schedule(op, hw, MapperOptions{});
    const auto x = random_int8(core::input_elems(op), 4), w = random_int8(core::weight_elems(op), 5);
    const auto w_copy = random_int8(core::weight_elems(op), 6); // a prefetched copy that differs from DRAM
    std::vector<int8_t> out_pfb(core::output_elems(op)), out_dram(core::output_elems(op));
    fw::NpuResult r1, r2;
    Board& b = run_board(dna16c(), [&](fw::Hal& hal) {
        Mem mem(hal);
        fw::NpuDriver drv(hal, mem.dram + 0x100000);
        if (!drv.init()) return 1;
        const uint64_t wa = mem.dram + 0x2000000;
        hal.load(mem.dram + 0x1000000, x.data(), x.size());
        hal.load(wa, w.data(), w.size());
        hal.load(mem.pfb + 0x400, w_copy.data(), w_copy.size()); // the prefetcher's copy (issue 5 will move it with the FIFO scheduler)
        drv.map_prefetch_tile(3, wa, 0x400, uint32_t(w.size()), true);
        fw::NpuTensorJob job = mem.job(op, m.schedule);
        job.w_addr = wa, job.scale = 1.0f / 32;
        r1 = drv.run(job);
        hal.peek(job.out_addr, out_pfb.data(), out_pfb.size());
        drv.map_prefetch_tile(3, wa, 0x400, uint32_t(w.size()), true, /*disabled=*/true);
        r2 = drv.run(job);
        hal.peek(job.out_addr, out_dram.data(), out_dram.size());
        return r1.ok && r2.ok ? 0 : 1;
    });
    REQUIRE(r1.ok);
    REQUIRE(r2.ok);
    const auto& log = b.npu()->launch_log();
    REQUIRE(log.size() == 2);
    const uint64_t w_bytes = w.size();
    CHECK(log[0]["bytes"]["prefetch_read"].get<uint64_t>() >= w_bytes);
    CHECK(log[1]["bytes"]["prefetch_read"].get<uint64_t>() == 0);
    CHECK(log[1]["bytes"]["dram_read"].get<uint64_t>() >= log[0]["bytes"]["dram_read"].get<uint64_t>() + w_bytes);
    CHECK(out_pfb == core::requantize(core::reference_conv<int8_t, int32_t>(op, x, w_copy), 1.0f / 32));
    CHECK(out_dram == core::requantize(core::reference_conv<int8_t, int32_t>(op, x, w), 1.0f / 32));
    CHECK(out_pfb != out_dram);
}

TEST_CASE("timing-only runs keep every cycle and byte of a functional run but compute and write nothing", "[platform][npu]") {
    const Operator op = parse_operator("R=3,S=3,P=14,Q=14,C=32,K=64");
    const Hardware hw = hardware_from_platform(dna16c());
    const MapResult m = search_schedule(op, hw, MapperOptions{});
    fw::NpuResult functional, timing;
    std::vector<uint8_t> out_timing(core::output_elems(op));
    Board& b = run_board(dna16c(), [&](fw::Hal& hal) {
        Mem mem(hal);
        fw::NpuDriver drv(hal, mem.dram + 0x100000);
        if (!drv.init()) return 1;
        const auto x = random_int8(core::input_elems(op), 6), w = random_int8(core::weight_elems(op), 7);
        hal.load(mem.dram + 0x1000000, x.data(), x.size());
        hal.load(mem.dram + 0x2000000, w.data(), w.size());
        fw::NpuTensorJob job = mem.job(op, m.schedule);
        functional = drv.run(job);
        the_board(dna16c()).npu()->set_timing_only(true);
        std::vector<uint8_t> marker(out_timing.size(), 0x5A);
        job.out_addr = mem.dram + 0x5000000;
        hal.load(job.out_addr, marker.data(), marker.size());
        const bool flag = drv.timing_only();
        timing = drv.run(job);
        hal.peek(job.out_addr, out_timing.data(), out_timing.size());
        return functional.ok && timing.ok && flag ? 0 : 1;
    });
    CHECK(b.host().exit_code() == 0);
    REQUIRE(functional.ok);
    REQUIRE(timing.ok);
    const auto& log = b.npu()->launch_log();
    REQUIRE(log.size() == 2);
    CHECK(log[0]["bytes"] == log[1]["bytes"]);
    // Same tiles and bytes; the DRAM starts from another row-buffer state, so cycles differ a little.
    CHECK(double(timing.cycles) == Approx(double(functional.cycles)).epsilon(0.05));
    CHECK(out_timing == std::vector<uint8_t>(out_timing.size(), 0x5A));
}

TEST_CASE("the NPU on the board equals the reference for 40 random ops under random valid schedules, int8 and fp32", "[platform][npu][property]") {
    const Hardware hw8 = hardware_from_platform(dna16c());
    const Hardware hw32 = fp32_hardware(hw8);
    std::mt19937_64 rng(99);
    auto pick = [&](uint32_t lo, uint32_t hi) { return std::uniform_int_distribution<uint32_t>(lo, hi)(rng); };
    struct Case {
        Operator op;
        Schedule s;
        bool fp;
        uint32_t pad = 0;
        std::vector<uint8_t> in, w, want, got;
        fw::NpuResult r;
    };
    std::vector<Case> cases;
    for (int t = 0; t < 40; ++t) {
        Case c;
        const int kind = int(pick(0, 2));
        if (kind == 0)
            c.op = parse_operator("R=" + std::to_string(pick(1, 3)) + ",S=" + std::to_string(pick(1, 3)) + ",P=" + std::to_string(pick(1, 14)) +
                                  ",Q=" + std::to_string(pick(1, 14)) + ",C=" + std::to_string(pick(1, 48)) + ",K=" + std::to_string(pick(1, 48)) +
                                  ",N=" + std::to_string(pick(1, 2)) + ",stride=" + std::to_string(pick(1, 2)));
        else if (kind == 1)
            c.op = parse_operator("P=1,Q=" + std::to_string(pick(1, 32)) + ",C=" + std::to_string(pick(1, 96)) + ",K=" + std::to_string(pick(1, 96)));
        else
            c.op = parse_operator("R=3,S=3,P=" + std::to_string(pick(1, 12)) + ",Q=" + std::to_string(pick(1, 12)) + ",C=1,K=1,groups=" +
                                  std::to_string(pick(1, 32)));
        c.fp = t % 2 == 1;
        // Some convs keep their input unpadded in memory and let the cores pad it.
        if (kind == 0 && !c.fp && c.op[R] > 1 && c.op[S] > 1 && c.op.input_extent(c.op[P], c.op[R]) > 2 && c.op.input_extent(c.op[Q], c.op[S]) > 2) c.pad = 1;
        c.s = random_schedule(c.op, c.fp ? hw32 : hw8, rng());
        REQUIRE(check_valid(c.op, c.s, c.fp ? hw32 : hw8).empty());
        if (c.fp) {
            std::vector<float> in(core::input_elems(c.op)), w(core::weight_elems(c.op));
            for (auto* v : {&in, &w})
                for (auto& e : *v) e = float(int(pick(0, 14)) - 7) / 8.0f; // dyadic: any summation order is exact
            const auto o = core::reference_conv<float, float>(c.op, in, w);
            c.in.assign(reinterpret_cast<uint8_t*>(in.data()), reinterpret_cast<uint8_t*>(in.data() + in.size()));
            c.w.assign(reinterpret_cast<uint8_t*>(w.data()), reinterpret_cast<uint8_t*>(w.data() + w.size()));
            c.want.assign(reinterpret_cast<const uint8_t*>(o.data()), reinterpret_cast<const uint8_t*>(o.data() + o.size()));
        } else {
            const uint64_t H = c.op.input_extent(c.op[P], c.op[R]), W = c.op.input_extent(c.op[Q], c.op[S]);
            const uint32_t nc = c.op[N] * c.op[C] * c.op.groups;
            const auto stored = random_int8(size_t(nc) * (H - 2 * c.pad) * (W - 2 * c.pad), uint32_t(rng()));
            const auto in = core::pad_input(stored, 1, nc, uint32_t(H - 2 * c.pad), uint32_t(W - 2 * c.pad), c.pad);
            const auto w = random_int8(core::weight_elems(c.op), uint32_t(rng()));
            const auto o = core::requantize(core::reference_conv<int8_t, int32_t>(c.op, in, w), 1.0f / 8);
            c.in.assign(stored.begin(), stored.end());
            c.w.assign(w.begin(), w.end());
            c.want.assign(o.begin(), o.end());
        }
        cases.push_back(std::move(c));
    }
    run_board(dna16c(), [&](fw::Hal& hal) {
        Mem mem(hal);
        fw::NpuDriver drv(hal, mem.dram + 0x100000);
        if (!drv.init()) return 1;
        for (Case& c : cases) {
            fw::NpuTensorJob job = mem.job(c.op, c.s);
            job.dtype = c.fp ? npu::kFp32 : npu::kInt8;
            job.out_format = c.fp ? npu::kOutRaw : npu::kOutRequantInt8, job.scale = 1.0f / 8;
            job.pad = c.pad;
            hal.load(job.in_addr, c.in.data(), c.in.size());
            hal.load(job.w_addr, c.w.data(), c.w.size());
            c.r = drv.run(job, 1000000000);
            c.got.resize(c.want.size());
            hal.peek(job.out_addr, c.got.data(), c.got.size());
        }
        return 0;
    });
    CHECK(std::count_if(cases.begin(), cases.end(), [](const Case& c) { return c.pad > 0; }) >= 2); // padding by the cores is exercised
    for (const Case& c : cases) {
        INFO(c.op.to_string() << (c.fp ? " fp32" : " int8") << " pad " << c.pad << " on " << c.s.spatial_product(2) << " cores: " << c.r.message);
        CHECK(c.r.ok);
        CHECK(c.got == c.want);
    }
}

namespace {

// Programs cores by hand (what a driver does), so tests can hand them
// inconsistent descriptors. Returns each core's STATUS after its interrupt.
std::vector<uint32_t> launch_by_hand(fw::Hal& hal, const std::vector<std::pair<uint32_t, npu::JobDescriptor>>& jobs, const Schedule& s) {
    const uint64_t npu_base = hal.board().find("npu")->base, scratch = hal.board().find("dram")->base + 0x200000;
    const auto sb = npu::encode_schedule(s);
    hal.write_block(scratch, sb.data(), sb.size());
    auto reg = [&](uint32_t c, const reg::Register& r) { return npu_base + npu::core_page(c) + r.offset; };
    for (size_t i = 0; i < jobs.size(); ++i) {
        npu::JobDescriptor d = jobs[i].second;
        d.sched_addr = scratch, d.sched_bytes = uint32_t(sb.size());
        uint8_t raw[npu::kJobBytes];
        npu::encode_job(d, raw);
        const uint64_t at = scratch + 0x1000 + i * npu::kJobBytes;
        hal.write_block(at, raw, npu::kJobBytes);
        const uint32_t c = jobs[i].first;
        hal.write32(reg(c, npu::IRQ_STATUS), 3);
        hal.write32(reg(c, npu::CTRL), 3);
        hal.write32(reg(c, npu::JOB_LO), uint32_t(at));
        hal.write32(reg(c, npu::JOB_HI), uint32_t(at >> 32));
    }
    for (const auto& j : jobs) hal.write32(reg(j.first, npu::CMD), npu::cmd::kStart);
    std::vector<uint32_t> status(jobs.size(), 0);
    for (size_t done = 0; done < jobs.size();) {
        if (!hal.wait_irq(1, 1000000000)) break;
        done = 0;
        for (size_t i = 0; i < jobs.size(); ++i) {
            const uint32_t st = hal.read32(reg(jobs[i].first, npu::STATUS));
            if (npu::status::STATE.get(st) >= npu::status::kDone) {
                status[i] = st;
                ++done;
                hal.write32(reg(jobs[i].first, npu::IRQ_STATUS), 3);
            }
        }
    }
    return status;
}

// 2 cores split K at the GLB; a C factor and a K factor at the DRAM level with
// C outside K, so every GLB output tile is left and revisited: its partial sums
// go to DRAM and come back. Everything else inside the core buffers.
Schedule spilling_schedule(const Operator& op) {
    Schedule s = all_outermost(op, 4);
    bool k_spatial = false, k_dram = false, c_dram = false;
    for (auto& f : s.factors) {
        f.level = 1;
        if (f.dim == K && !k_spatial) f.level = 2, f.spatial = true, k_spatial = true;
        else if (f.dim == K && !k_dram) f.level = 3, k_dram = true;
        else if (f.dim == C && !c_dram) f.level = 3, c_dram = true;
    }
    s.order[3] = {C, K, N, P, Q, R, S};
    return s;
}

npu::JobDescriptor tensor_job(const Operator& op, uint64_t in, uint64_t w, uint64_t out, uint32_t slots, uint32_t slot, uint32_t group) {
    npu::JobDescriptor d;
    for (int i = 0; i < 7; ++i) d.dims[i] = op.size[size_t(i)];
    d.in_addr = in, d.w_addr = w, d.out_addr = out, d.slots = slots, d.slot = slot, d.group = group, d.scale = 1.0f / 8;
    return d;
}

} // namespace

TEST_CASE("a launch whose cores disagree or fail writes no output and refuses its group until cleared, then that group works again", "[platform][npu]") {
    const Operator op = parse_operator("P=1,Q=8,C=16,K=16");
    Schedule s = all_outermost(op, 4);
    for (auto& f : s.factors) {
        if (f.dim == K && f.level == 3 && f.value == 2 && s.spatial_product(2) == 1) f.level = 2, f.spatial = true; // 2 cores split K
        else f.level = 1;
    }
    REQUIRE(check_valid(op, s, hardware_from_platform(dna16c())).empty());
    const auto x = random_int8(core::input_elems(op), 8), w = random_int8(core::weight_elems(op), 9);
    std::vector<uint32_t> dup, refused, bad_slot, good;
    std::vector<int8_t> out_after_dup(core::output_elems(op)), out_after_bad(core::output_elems(op)), out_good(core::output_elems(op));
    Board& b = run_board(dna16c(), [&](fw::Hal& hal) {
        Mem mem(hal);
        const uint64_t in = mem.dram + 0x1000000, wa = mem.dram + 0x2000000, out = mem.dram + 0x3000000;
        hal.load(in, x.data(), x.size());
        hal.load(wa, w.data(), w.size());
        const std::vector<int8_t> marker(out_good.size(), 0x55);
        hal.load(out, marker.data(), marker.size());
        // Both cores claim slot 0 of launch 7.
        dup = launch_by_hand(hal, {{0, tensor_job(op, in, wa, out, 2, 0, 7)}, {1, tensor_job(op, in, wa, out, 2, 0, 7)}}, s);
        hal.peek(out, out_after_dup.data(), out_after_dup.size());
        const uint64_t clear = hal.board().find("npu")->base + npu::LAUNCH_CLEAR.offset;
        refused = launch_by_hand(hal, {{0, tensor_job(op, in, wa, out, 2, 0, 7)}, {1, tensor_job(op, in, wa, out, 2, 1, 7)}}, s);
        hal.write32(clear, 7); // firmware clears the failed launch
        // Launch 7 again: core 1's slot does not exist, so the launch fails before it can finish.
        bad_slot = launch_by_hand(hal, {{0, tensor_job(op, in, wa, out, 2, 0, 7)}, {1, tensor_job(op, in, wa, out, 2, 5, 7)}}, s);
        hal.peek(out, out_after_bad.data(), out_after_bad.size());
        hal.write32(clear, 7);
        // And a correct launch 7.
        good = launch_by_hand(hal, {{0, tensor_job(op, in, wa, out, 2, 0, 7)}, {1, tensor_job(op, in, wa, out, 2, 1, 7)}}, s);
        hal.peek(out, out_good.data(), out_good.size());
        return 0;
    });
    using namespace npu;
    REQUIRE(dup.size() == 2);
    CHECK(status::STATE.get(dup[1]) == status::kError);
    CHECK(status::ERR_CODE.get(dup[1]) == kErrGroup);
    CHECK(out_after_dup == std::vector<int8_t>(out_good.size(), 0x55)); // nothing written
    // Until firmware clears it, the failed launch refuses its group.
    CHECK(status::ERR_CODE.get(refused[0]) == kErrGroup);
    CHECK(status::ERR_CODE.get(refused[1]) == kErrGroup);
    CHECK(status::STATE.get(bad_slot[1]) == status::kError);
    CHECK(status::ERR_CODE.get(bad_slot[1]) == kErrBadDescriptor);
    CHECK(out_after_bad == std::vector<int8_t>(out_good.size(), 0x55));
    CHECK(status::STATE.get(good[0]) == status::kDone);
    CHECK(status::STATE.get(good[1]) == status::kDone);
    CHECK(out_good == core::requantize(core::reference_conv<int8_t, int32_t>(op, x, w), 1.0f / 8)); // not doubled by leftovers
    Stats st;
    b.report(st);
    CHECK(st.u64("npu.launches") == 3);
}

TEST_CASE("tensors outside their memory and oversize operators are refused with an error code, never a crash", "[platform][npu]") {
    const Operator small = parse_operator("P=1,Q=8,C=16,K=16");
    Schedule s = all_outermost(small, 4);
    for (auto& f : s.factors) f.level = 1;
    Operator huge = parse_operator("P=1,Q=1,C=1,K=1");
    huge[N] = huge[K] = huge[P] = huge[Q] = 65536;
    std::vector<uint32_t> past_glb, unmapped, too_big;
    run_board(dna16c(), [&](fw::Hal& hal) {
        Mem mem(hal);
        const uint64_t glb_end = mem.glb + hal.board().find("glb")->size;
        past_glb = launch_by_hand(hal, {{0, tensor_job(small, mem.dram, mem.dram + 0x1000, glb_end - 64, 1, 0, 1)}}, s);
        unmapped = launch_by_hand(hal, {{0, tensor_job(small, 0x1000, mem.dram + 0x1000, mem.dram + 0x2000, 1, 0, 2)}}, s);
        too_big = launch_by_hand(hal, {{0, tensor_job(huge, mem.dram, mem.dram, mem.dram, 1, 0, 3)}}, all_outermost(huge, 4));
        return 0;
    });
    using namespace npu;
    CHECK(status::ERR_CODE.get(past_glb.at(0)) == kErrRange); // the output would run past the end of the GLB
    CHECK(status::ERR_CODE.get(unmapped.at(0)) == kErrRange);
    CHECK(status::STATE.get(too_big.at(0)) == status::kError);
    CHECK(status::ERR_CODE.get(too_big.at(0)) == kErrBadDescriptor);
}

TEST_CASE("START to a busy core is refused visibly: a sticky status bit, and the driver names the busy core", "[platform][npu]") {
    const Operator op = parse_operator("R=3,S=3,P=28,Q=28,C=64,K=64");
    const MapResult m = search_schedule(op, hardware_from_platform(dna16c()), MapperOptions{});
    uint32_t status_after = 0;
    fw::NpuResult first, second;
    run_board(dna16c(), [&](fw::Hal& hal) {
        Mem mem(hal);
        fw::NpuDriver drv(hal, mem.dram + 0x100000);
        if (!drv.init()) return 1;
        fw::NpuTensorJob job = mem.job(op, m.schedule);
        first = drv.run(job, 1000); // times out after 1 us: the cores are still running
        hal.write32(drv.core_reg(0, npu::CMD), npu::cmd::kStart);
        status_after = hal.read32(drv.core_reg(0, npu::STATUS));
        second = drv.run(job, 1000000000);
        // Let the first launch finish (threads left mid-job at the end of a simulation are never unwound).
        for (uint32_t c = 0; c < drv.cores(); ++c)
            while (npu::status::STATE.get(hal.read32(drv.core_reg(c, npu::STATUS))) == npu::status::kBusy) hal.delay_ns(10000);
        return 0;
    });
    CHECK_FALSE(first.ok);
    CHECK(first.message.find("timeout") != std::string::npos);
    CHECK(npu::status::STATE.get(status_after) == npu::status::kBusy);
    CHECK(npu::status::START_IGNORED.get(status_after) == 1);
    CHECK_FALSE(second.ok);
    CHECK(second.message.find("still busy") != std::string::npos);
}

TEST_CASE("a core waiting for partial sums of a launch whose other core failed gives up instead of hanging", "[platform][npu]") {
    // C at the DRAM level outside K: every GLB output tile is left and revisited,
    // and a revisit waits until all cores have written the tile's partial sums.
    const Operator op = parse_operator("P=1,Q=8,C=16,K=16");
    const Schedule s = spilling_schedule(op);
    REQUIRE(check_valid(op, s, hardware_from_platform(dna16c())).empty());
    REQUIRE(core::TileWalk(op, s, 0).glb_out_visits_per_tile() == 2);
    std::vector<uint32_t> st;
    run_board(dna16c(), [&](fw::Hal& hal) {
        Mem mem(hal);
        npu::JobDescriptor good = tensor_job(op, mem.dram + 0x1000000, mem.dram + 0x2000000, mem.dram + 0x3000000, 2, 0, 11);
        good.psum_addr = mem.dram + 0x4000000;
        npu::JobDescriptor bad = good;
        bad.slot = 9; // no such slot: core 1 never joins
        st = launch_by_hand(hal, {{0, good}, {1, bad}}, s);
        return 0;
    });
    using namespace npu;
    REQUIRE(st.size() == 2);
    CHECK(status::STATE.get(st[0]) == status::kError); // not busy forever
    CHECK(status::ERR_CODE.get(st[0]) == kErrGroup);
    CHECK(status::ERR_CODE.get(st[1]) == kErrBadDescriptor);
}

TEST_CASE("a stride-2 conv with pad 1 on an even input size reads the stored tensor with its own row length (56 -> 28 style)", "[platform][npu]") {
    // 3x3, stride 2, pad 1: an 8x8 input gives 4x4 outputs; the padded window
    // reaches 9 rows/columns, so the 10th padded row/column is never used.
    const Operator op = parse_operator("R=3,S=3,P=4,Q=4,C=4,K=8,stride=2");
    const Hardware hw = hardware_from_platform(dna16c());
    const MapResult m = search_schedule(op, hw, MapperOptions{});
    const auto stored = random_int8(size_t(4) * 8 * 8, 21), w = random_int8(core::weight_elems(op), 22);
    // The reference sees the padded tensor cropped to the 9x9 the window reaches.
    const auto padded = core::pad_input(stored, 1, 4, 8, 8, 1); // 10x10
    std::vector<int8_t> in(size_t(4) * 9 * 9);
    for (size_t c = 0; c < 4; ++c)
        for (size_t y = 0; y < 9; ++y)
            for (size_t x = 0; x < 9; ++x) in[(c * 9 + y) * 9 + x] = padded[(c * 10 + y) * 10 + x];
    std::vector<int8_t> got(core::output_elems(op));
    fw::NpuResult r, too_much_pad;
    run_board(dna16c(), [&](fw::Hal& hal) {
        Mem mem(hal);
        fw::NpuDriver drv(hal, mem.dram + 0x100000);
        if (!drv.init()) return 1;
        fw::NpuTensorJob job = mem.job(op, m.schedule);
        job.pad = 1, job.in_h = 8, job.in_w = 8, job.scale = 1.0f / 8;
        hal.load(job.in_addr, stored.data(), stored.size());
        hal.load(job.w_addr, w.data(), w.size());
        r = drv.run(job, 1000000000);
        hal.peek(job.out_addr, got.data(), got.size());
        job.pad = 3; // beyond a 3x3 window's reach
        too_much_pad = drv.run(job, 1000000000);
        return 0;
    });
    INFO(r.message);
    REQUIRE(r.ok);
    CHECK(got == core::requantize(core::reference_conv<int8_t, int32_t>(op, in, w), 1.0f / 8));
    CHECK_FALSE(too_much_pad.ok);
    CHECK(too_much_pad.err_code == npu::kErrBadDescriptor);
}

TEST_CASE("partial sums that leave the GLB come back after they were written, and the result is exact", "[platform][npu]") {
    const Operator op = parse_operator("P=1,Q=8,C=16,K=16");
    const Schedule s = spilling_schedule(op);
    REQUIRE(check_valid(op, s, hardware_from_platform(dna16c())).empty());
    const auto x = random_int8(core::input_elems(op), 31), w = random_int8(core::weight_elems(op), 32);
    std::vector<int8_t> got(core::output_elems(op));
    fw::NpuResult r;
    Board& b = run_board(dna16c(), [&](fw::Hal& hal) {
        Mem mem(hal);
        fw::NpuDriver drv(hal, mem.dram + 0x100000);
        if (!drv.init()) return 1;
        fw::NpuTensorJob job = mem.job(op, s);
        job.scale = 1.0f / 8;
        hal.load(job.in_addr, x.data(), x.size());
        hal.load(job.w_addr, w.data(), w.size());
        r = drv.run(job, 1000000000);
        hal.peek(job.out_addr, got.data(), got.size());
        return 0;
    });
    INFO(r.message);
    REQUIRE(r.ok);
    CHECK(got == core::requantize(core::reference_conv<int8_t, int32_t>(op, x, w), 1.0f / 8));
    const auto& bytes = b.npu()->launch_log().back()["bytes"];
    const uint64_t outs = core::output_elems(op);
    CHECK(bytes["dram_write"].get<uint64_t>() == outs * 4 + outs); // int32 partials once, then int8 finals
    CHECK(bytes["dram_read"].get<uint64_t>() >= outs * 4);         // the partials come back
}
