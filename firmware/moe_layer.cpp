// One mixture-of-experts layer run sample by sample the way DNA Fig. 8
// describes, with the online scheduler in the loop:
//   offline: the backbone expert matmul (64 tokens) and the router compiled
//            by the offline mapper; a kernel library for the `library` policy;
//            the constraint table loaded into the transverter.
//   online, per sample of 64 tokens:
//     1. router agent: logits = X Wg on the PE arrays (fp32), top-2 per token
//        on all 16 cores' nonlinear units -> runtime tables
//     2. runtime monitor: collects the decisions (per-expert token counts and
//        the access trace) and hands the trace to the predictor
//     3. predictor: a used expert that was not prefetched is loaded at once,
//        useless ones are disabled; firmware waits until the used ones are in
//     4. the next sample's prefetch starts (other predictor bank): predicted
//        from this sample's trace (RAT), all experts (conventional), or the
//        exact set (oracle)
//     5. per used expert: its schedule (transverter: the monitor forwards the
//        expert's token count as N and starts the unit; the cores fetch the
//        schedule from its table), then h = X_e W1, y = h W2 (int8,
//        requantised) on the cores, weights read through the prefetch buffer
//        where the predictor put them
// Sizes (our choice, sized so the 8 experts' weights fill half of dna-16c's
// 128 KB prefetch buffer and two samples can be in flight): d_model = d_ff =
// 64, 8 experts of 8 KiB (W1 and W2), 64 tokens per sample.
// Router: tokens are drawn around one of 4 "topics" per sample, each topic
// favouring 3 experts, and the topic persists from one sample to the next
// with probability 0.6: the imbalance and correlation DNA sec. III-B reports
// for Switch Transformer, here as an assumption, not a measured statistic.
#include <algorithm>
#include <cstring>
#include <vector>

#include "drivers/npu_driver.h"
#include "drivers/predictor_driver.h"
#include "drivers/transverter_driver.h"
#include "firmware_registry.h"
#include "fw_util.h"
#include "ip/core/functional.h"
#include "ip/core/nonlinear.h"
#include "ip/scheduling/mappers.h"
#include "platform/platform_config.h"

namespace dynavp::fw {
namespace {

constexpr uint32_t kTokens = 64, kModel = 64, kHidden = 64, kExperts = 8, kTopK = 2, kTopics = 4, kDefaultSamples = 8;
constexpr uint32_t kW1Bytes = kHidden * kModel, kTileBytes = kW1Bytes + kModel * kHidden; // W1 [F][D] then W2 [D][F]
constexpr float kScale1 = 1.0f / 64, kScale2 = 1.0f / 128;
constexpr uint64_t kTimeout = 100000000; // 100 ms of simulated time per wait


// Everything the host knows about the layer and its inputs (the reference side).
struct MoeModel {
    std::vector<float> wg;                      // [E][D] router
    std::vector<std::vector<int8_t>> w1, w2;    // per expert: [F][D], [D][F]
    std::vector<std::vector<int>> topic_experts;
    std::vector<std::vector<int8_t>> x;         // per sample: [T][D]
};

MoeModel make_model(uint64_t seed, uint32_t samples) {
    MoeModel m;
    uint64_t rng = seed * 0x9E3779B97F4A7C15ull + 0x5EED;
    std::vector<std::vector<int>> g(kExperts, std::vector<int>(kModel));
    for (auto& ge : g)
        for (auto& v : ge) v = uniform(rng, -1, 1);
    for (const auto& ge : g)
        for (int v : ge) m.wg.push_back(float(v));
    for (uint32_t e = 0; e < kExperts; ++e) {
        std::vector<int8_t> a(kW1Bytes), b(kW1Bytes);
        for (auto& v : a) v = int8_t(uniform(rng, -8, 7));
        for (auto& v : b) v = int8_t(uniform(rng, -8, 7));
        m.w1.push_back(a);
        m.w2.push_back(b);
    }
    for (uint32_t k = 0; k < kTopics; ++k) { // 3 distinct favoured experts per topic
        std::vector<int> pick;
        while (pick.size() < 3) {
            const int e = uniform(rng, 0, kExperts - 1);
            if (std::find(pick.begin(), pick.end(), e) == pick.end()) pick.push_back(e);
        }
        m.topic_experts.push_back(pick);
    }
    int topic = uniform(rng, 0, kTopics - 1);
    for (uint32_t s = 0; s < samples; ++s) {
        if (s > 0 && uniform(rng, 0, 9) >= 6) topic = uniform(rng, 0, kTopics - 1);
        std::vector<int8_t> xs(size_t(kTokens) * kModel);
        for (uint32_t t = 0; t < kTokens; ++t) {
            // Around the topic: two of its favoured experts' gate directions, plus noise.
            const auto& fav = m.topic_experts[size_t(topic)];
            const int a = fav[size_t(uniform(rng, 0, 2))], b = fav[size_t(uniform(rng, 0, 2))];
            for (uint32_t d = 0; d < kModel; ++d) xs[t * kModel + d] = int8_t(2 * g[size_t(a)][d] + g[size_t(b)][d] + uniform(rng, -2, 2));
        }
        m.x.push_back(xs);
    }
    return m;
}

std::vector<float> router_logits(const MoeModel& m, const std::vector<int8_t>& x) {
    std::vector<float> l(size_t(kTokens) * kExperts, 0.0f);
    for (uint32_t t = 0; t < kTokens; ++t)
        for (uint32_t e = 0; e < kExperts; ++e) {
            float acc = 0; // small integers: exact in fp32 in any order
            for (uint32_t d = 0; d < kModel; ++d) acc += float(x[t * kModel + d]) * m.wg[e * kModel + d];
            l[t * kExperts + e] = acc;
        }
    return l;
}

// Per expert, the tokens routed to it (ascending), as the reference decides.
std::vector<std::vector<uint32_t>> route(const std::vector<float>& logits) {
    std::vector<std::vector<uint32_t>> to(kExperts);
    for (uint32_t t = 0; t < kTokens; ++t) {
        const std::vector<float> row(logits.begin() + long(t * kExperts), logits.begin() + long((t + 1) * kExperts));
        for (uint32_t e : core::top_k(row, kTopK)) to[e].push_back(t);
    }
    return to;
}

sched::Operator expert_op(uint32_t tokens) {
    sched::Operator op; // a matmul: N tokens x C inputs -> K outputs (R = S = P = Q = 1)
    op[sched::N] = tokens;
    op[sched::C] = kModel;
    op[sched::K] = kHidden;
    return op;
}

struct Phases {
    uint64_t agent_ns = 0, monitor_ns = 0, data_ns = 0, schedule_ns = 0, experts_ns = 0;
    uint64_t transverter_runs = 0, transverter_cycles = 0, transverter_updates = 0;
    uint64_t useful_macs = 0, executed_macs = 0, expert_launches = 0;
};

} // namespace

int moe_layer_main(Hal& hal, const FirmwareArgs& args) {
    if (!args.platform) {
        hal.log("FAIL moe-layer needs the platform description for its offline mapper");
        return 1;
    }
    const Design& design = args.design;
    const uint32_t samples = args.samples ? args.samples : kDefaultSamples;
    const DeviceInfo* dram = hal.board().first_of("dram");
    const DeviceInfo* pfb = hal.board().find("prefetch_buffer");
    NpuDriver npu(hal, dram->base + 0x100000);
    TransverterDriver trv(hal);
    PredictorDriver pred(hal);
    RuntimeMonitorDriver mon(hal);
    if (!npu.init()) {
        hal.log("FAIL npu: " + npu.why());
        return 1;
    }
    if (!mon.init()) {
        hal.log("FAIL runtime monitor: " + mon.why());
        return 1;
    }
    const bool use_transverter = design.sched == "transverter", use_predictor = design.prefetch != "none";
    if (use_transverter && !trv.init()) {
        hal.log("FAIL transverter: " + trv.why());
        return 1;
    }
    if (use_predictor && !pred.init()) {
        hal.log("FAIL predictor: " + pred.why());
        return 1;
    }
    if (use_predictor && (!pfb || pfb->size < 2 * kExperts * kTileBytes)) {
        hal.log("FAIL the prefetch buffer must hold two samples' experts (" + std::to_string(2 * kExperts * kTileBytes) + " bytes)");
        return 1;
    }
    const bool timing_only = npu.timing_only();

    // ---- offline compilation (host, no simulated time: done before deployment)
    const sched::Hardware hw8 = sched::hardware_from_platform(*args.platform), hw32 = sched::fp32_hardware(hw8);
    sched::MapperOptions mo;
    mo.seed = args.seed;
    mo.samples = 200;
    mo.local_steps = 600;
    const sched::Operator backbone = expert_op(kTokens);
    const sched::MapperSuite suite(backbone, {sched::N}, hw8, mo, 8);
    sched::Operator router_op;
    router_op[sched::N] = kTokens;
    router_op[sched::C] = kModel;
    router_op[sched::K] = kExperts;
    const sched::MapResult router_map = sched::search_schedule(router_op, hw32, mo);
    if (!router_map.cost.valid) {
        hal.log("FAIL no schedule for the router: " + router_map.cost.violation);
        return 1;
    }
    if (use_transverter) { // eta, the backbone (alpha) and tau = alpha: per expert only N changes
        trv.load_constraints(hw8);
        trv.load_backbone(suite.backbone(), suite.offline().schedule);
        trv.set_dynamic(suite.backbone());
    }

    // ---- the layer's data in DRAM
    const MoeModel model = make_model(args.seed, samples);
    const uint64_t base = dram->base, x8_addr = base + 0x200000, xf_addr = base + 0x210000, wg_addr = base + 0x220000,
                   logits_addr = base + 0x230000, tiles_addr = base + 0x300000, work_addr = base + 0x400000, psum_addr = base + 0x800000;
    for (uint32_t e = 0; e < kExperts; ++e) {
        hal.load(tiles_addr + e * kTileBytes, model.w1[e].data(), kW1Bytes);
        hal.load(tiles_addr + e * kTileBytes + kW1Bytes, model.w2[e].data(), kW1Bytes);
    }
    hal.load(wg_addr, model.wg.data(), model.wg.size() * 4);
    auto bank_layout = [&](uint32_t b) {
        TileLayout l;
        l.tiles = kExperts;
        l.dram = tiles_addr;
        l.tile_bytes = kTileBytes;
        l.pfb_offset = b * kExperts * kTileBytes;
        l.directory_base = b * kExperts;
        return l;
    };
    if (use_predictor) {
        pred.reset_table();
        for (uint32_t b = 0; b < 2; ++b) {
            pred.select_bank(b);
            pred.set_layout(bank_layout(b));
        }
    }
    // The reference decisions, for the oracle policies and the output check.
    std::vector<std::vector<std::vector<uint32_t>>> ref_routes;
    for (uint32_t s = 0; s < samples; ++s) ref_routes.push_back(route(router_logits(model, model.x[s])));
    auto issue_prefetch = [&](uint32_t s) { // sample s's tiles into bank s % 2
        pred.select_bank(s % 2);
        if (design.prefetch == "predictor") pred.predict();
        else if (design.prefetch == "conventional") pred.prefetch(std::vector<bool>(kExperts, true));
        else {
            std::vector<bool> m(kExperts);
            for (uint32_t e = 0; e < kExperts; ++e) m[e] = !ref_routes[s][e].empty();
            pred.prefetch(m);
        }
    };

    Phases ph;
    int failures = 0;
    uint64_t expert_rows_checked = 0;
    const uint64_t t_begin = hal.now_ns();
    if (use_predictor) issue_prefetch(0);
    for (uint32_t s = 0; s < samples; ++s) {
        const uint64_t t0 = hal.now_ns();
        // 1. router agent
        std::vector<float> xf(model.x[s].begin(), model.x[s].end());
        hal.load(x8_addr, model.x[s].data(), model.x[s].size()); // the layer's input, as the previous layer left it
        hal.load(xf_addr, xf.data(), xf.size() * 4);
        NpuTensorJob rj;
        rj.op = router_op;
        rj.schedule = router_map.schedule;
        rj.dtype = npu::kFp32;
        rj.out_format = npu::kOutRaw;
        rj.in_addr = xf_addr;
        rj.w_addr = wg_addr;
        rj.out_addr = logits_addr;
        rj.psum_addr = psum_addr;
        const NpuResult rr = npu.run(rj, kTimeout);
        if (!rr.ok) {
            hal.log("FAIL router matmul: " + rr.message);
            return 1;
        }
        if (timing_only) { // nothing was computed: the agent reads the logits the reference computes
            const auto l = router_logits(model, model.x[s]);
            hal.load(logits_addr, l.data(), l.size() * 4);
        }
        std::vector<uint32_t> cores;
        std::vector<npu::JobDescriptor> agents;
        const uint32_t per_core = (kTokens + npu.cores() - 1) / npu.cores();
        for (uint32_t c = 0; c * per_core < kTokens; ++c) {
            npu::JobDescriptor d;
            d.nl_op = uint32_t(core::NonlinearOp::TopK);
            d.nl_n = kExperts;
            d.nl_k = kTopK;
            d.nl_rows = std::min(per_core, kTokens - c * per_core);
            d.policy = uint32_t(core::AgentPolicy::Routing);
            d.nl_src = logits_addr + uint64_t(c) * per_core * kExperts * 4;
            cores.push_back(c);
            agents.push_back(d);
        }
        const NpuResult ar = npu.run_nonlinear(cores, agents, kTimeout);
        if (!ar.ok) {
            hal.log("FAIL router top-k: " + ar.message);
            return 1;
        }
        // Dispatch needs each token's experts: firmware reads the runtime tables.
        std::vector<std::vector<uint32_t>> routes(kExperts);
        uint32_t core_mask = 0;
        for (uint32_t c : cores) {
            core_mask |= 1u << c;
            const auto entries = npu.runtime_table(c);
            for (size_t i = 0; i < entries.size(); ++i)
                routes[entries[i].address].push_back(c * per_core + uint32_t(i / kTopK));
        }
        const uint64_t t1 = hal.now_ns();
        ph.agent_ns += t1 - t0;
        // 2. runtime monitor -> predictor
        if (use_predictor) pred.select_bank(s % 2);
        const AgentOutcomes out = mon.collect(core_mask, core::AgentPolicy::Routing, 0, kExperts, use_predictor, true, kTimeout);
        if (!out.ok) {
            hal.log("FAIL runtime monitor: " + out.message);
            return 1;
        }
        const uint64_t t2 = hal.now_ns();
        ph.monitor_ns += t2 - t1;
        // 3. the used experts' weights on chip; 4. the next sample's prefetch
        if (use_predictor) {
            if (!pred.wait_ready(kTimeout)) {
                hal.log("FAIL " + pred.why());
                return 1;
            }
            ph.data_ns += hal.now_ns() - t2;
            if (s + 1 < samples) issue_prefetch(s + 1);
        }
        const uint64_t t3 = hal.now_ns();
        // 5. the experts
        for (uint32_t e = 0; e < kExperts; ++e) {
            const uint32_t n = uint32_t(routes[e].size());
            if (n == 0) continue;
            const sched::Operator dyn = expert_op(n);
            NpuTensorJob job;
            job.out_format = npu::kOutRequantInt8;
            job.psum_addr = psum_addr;
            const uint64_t ts = hal.now_ns();
            if (use_transverter) {
                trv.load_table(suite.offline().schedule); // the last run left its result there
                if (!mon.forward_dim(e, sched::N, true, kTimeout)) { // COUNT[e] -> DIM_DYN[N], GO
                    hal.log("FAIL runtime monitor forward: " + mon.why());
                    return 1;
                }
                const TransverterRun t = trv.wait(kTimeout);
                if (!t.ok) {
                    hal.log("FAIL " + t.message);
                    return 1;
                }
                job.op = t.executed;
                job.schedule = t.schedule;
                job.sched_addr = t.table_addr; // the cores fetch it from the transverter's table
                job.sched_bytes = t.table_bytes;
                ++ph.transverter_runs;
                ph.transverter_cycles += t.cycles;
                ph.transverter_updates += t.updates;
            } else {
                const sched::MapResult m = suite.run(design.sched, dyn);
                job.op = m.executed;
                job.schedule = m.schedule;
            }
            ph.schedule_ns += hal.now_ns() - ts;
            const uint32_t rows = job.op[sched::N]; // >= n: padded rows are zeros
            const uint64_t in = work_addr + e * 0x10000, h = in + 0x4000, y = in + 0x8000;
            std::vector<int8_t> gathered(size_t(rows) * kModel, 0);
            for (uint32_t i = 0; i < n; ++i) // dispatch: the CPU copies the token rows
                hal.read_block(x8_addr + uint64_t(routes[e][i]) * kModel, &gathered[i * kModel], kModel);
            hal.write_block(in, gathered.data(), gathered.size());
            const uint64_t w = tiles_addr + e * kTileBytes;
            job.in_addr = in, job.w_addr = w, job.out_addr = h, job.scale = kScale1;
            const NpuResult r1 = npu.run(job, kTimeout);
            job.in_addr = h, job.w_addr = w + kW1Bytes, job.out_addr = y, job.scale = kScale2;
            const NpuResult r2 = r1.ok ? npu.run(job, kTimeout) : r1;
            if (!r2.ok) {
                hal.log("FAIL expert " + std::to_string(e) + ": " + r2.message);
                return 1;
            }
            ph.expert_launches += 2;
            ph.useful_macs += 2 * dyn.macs();
            ph.executed_macs += 2 * job.op.macs();
            if (!timing_only) { // y rows 0..n-1 against the reference
                const sched::Operator op = expert_op(n);
                std::vector<int8_t> xe(size_t(n) * kModel);
                for (uint32_t i = 0; i < n; ++i) std::copy_n(&model.x[s][routes[e][i] * kModel], kModel, &xe[i * kModel]);
                const auto hr = core::requantize(core::reference_conv<int8_t, int32_t>(op, xe, model.w1[e]), kScale1);
                const auto yr = core::requantize(core::reference_conv<int8_t, int32_t>(op, hr, model.w2[e]), kScale2);
                std::vector<int8_t> got(yr.size());
                hal.peek(y, got.data(), got.size());
                if (got != yr) {
                    hal.log("FAIL sample " + std::to_string(s) + " expert " + std::to_string(e) + ": output differs from the reference");
                    ++failures;
                }
                expert_rows_checked += n;
            }
        }
        if (routes != ref_routes[s]) {
            hal.log("FAIL sample " + std::to_string(s) + ": the router agent's decisions differ from the reference");
            ++failures;
        }
        ph.experts_ns += hal.now_ns() - t3;
        if (use_predictor) {
            pred.select_bank(s % 2);
            pred.release();
        }
    }
    const uint64_t total_ns = hal.now_ns() - t_begin;
    const double mhz = args.platform->clock_mhz;
    auto cyc = [&](uint64_t ns) { return double(ns) * mhz / 1000.0; };
    hal.metric("samples", samples);
    hal.metric("cycles", cyc(total_ns));
    hal.metric("cycles_per_sample", cyc(total_ns) / samples);
    hal.metric("agent_cycles", cyc(ph.agent_ns));
    hal.metric("monitor_cycles", cyc(ph.monitor_ns));
    hal.metric("data_wait_cycles", cyc(ph.data_ns));
    hal.metric("schedule_wait_cycles", cyc(ph.schedule_ns));
    hal.metric("transverter_runs", double(ph.transverter_runs));
    hal.metric("transverter_cycles", double(ph.transverter_cycles));
    hal.metric("transverter_updates", double(ph.transverter_updates));
    hal.metric("expert_macs_useful", double(ph.useful_macs));
    hal.metric("expert_macs_executed", double(ph.executed_macs));
    hal.log(std::string(failures ? "FAIL" : "PASS") + " moe-layer, design " + args.design_name + " (sched " + design.sched + ", prefetch " +
            design.prefetch + "): " + std::to_string(samples) + " samples x " + std::to_string(kTokens) + " tokens in " +
            fixed(cyc(total_ns), 0) + " cycles (" + fixed(cyc(total_ns) / samples, 0) + " per sample)" +
            (timing_only ? ", timing only" : ", " + std::to_string(expert_rows_checked) + " expert rows bit-identical to the reference"));
    hal.log("  per phase: agent " + fixed(cyc(ph.agent_ns), 0) + ", monitor " + fixed(cyc(ph.monitor_ns), 0) + ", waiting for data " +
            fixed(cyc(ph.data_ns), 0) + ", schedules " + fixed(cyc(ph.schedule_ns), 0) + ", experts " + fixed(cyc(ph.experts_ns - ph.schedule_ns), 0) +
            " cycles; expert MACs executed / useful " + fixed(double(ph.executed_macs) / double(std::max<uint64_t>(1, ph.useful_macs)), 2));
    return failures ? 1 : 0;
}

} // namespace dynavp::fw
