// The DynNN firmware runtime: see model_runtime.h for the flow (DNA Fig. 8).
#include "model_runtime.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "firmware/drivers/npu_driver.h"
#include "firmware/drivers/predictor_driver.h"
#include "firmware/drivers/transverter_driver.h"
#include "firmware/fw_util.h"
#include "firmware/runtime/plan.h"
#include "ip/core/functional.h"
#include "ip/core/layout.h"
#include "ip/core/nonlinear.h"
#include "ip/scheduling/mappers.h"
#include "platform/platform_config.h"
#include "workloads/decisions.h"
#include "workloads/zoo.h"

namespace dynavp::fw {

using sched::Operator;

std::string functional_support(const ZooNetwork& net) {
    for (const auto& l : net.layers) {
        if (l.kind != LayerKind::Conv && l.kind != LayerKind::Fc) return "layer " + l.name + " is a " + to_string(l.kind) + " layer";
        if (l.op.groups != 1 || l.op.stride != 1 || l.op.dilation != 1) return "layer " + l.name + " is grouped, strided or dilated";
        if (l.inputs.size() > 1) return "layer " + l.name + " has several inputs";
        if (l.dynamic && l.dynamic->agent != AgentKind::Gating && l.dynamic->agent != AgentKind::Routing)
            return "layer " + l.name + "'s agent (" + to_string(l.dynamic->agent) + ") has no functional model (use a trace)";
        if (l.dynamic && !l.dynamic->follows.empty()) return "layer " + l.name + " follows another layer's decision";
        if (l.dynamic && l.dynamic->agent == AgentKind::Gating && l.op[sched::R] > 1 && l.op[sched::P] != l.op[sched::Q])
            return "layer " + l.name + " is not square";
    }
    return "";
}

namespace {

constexpr uint64_t kTimeout = 4000000000ull; // 4 s of simulated time per wait
constexpr uint64_t kAlign = 4096;

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

core::AgentPolicy policy_of(AgentKind a) {
    switch (a) {
    case AgentKind::Gating: return core::AgentPolicy::Gating;
    case AgentKind::Routing: return core::AgentPolicy::Routing;
    case AgentKind::EarlyExit: return core::AgentPolicy::EarlyExit;
    case AgentKind::RegionMask:
    case AgentKind::TokenMerge: return core::AgentPolicy::Region;
    case AgentKind::ConditionalMixing: return core::AgentPolicy::Mixing;
    }
    return core::AgentPolicy::Gating;
}

// Zero border a "same" convolution's window needs (stored input excludes it).
uint32_t pad_of(const ZooLayer& l) {
    if (l.kind != LayerKind::Conv) return 0;
    const uint32_t reach = std::min(l.op[sched::R], l.op[sched::S]) - 1;
    return reach / 2 * l.op.dilation;
}

// Stored input height / width of a (padded) operator.
std::pair<uint64_t, uint64_t> stored_hw(const Operator& op, uint32_t pad) {
    return {op.input_extent(op[sched::P], op[sched::R]) - 2 * pad, op.input_extent(op[sched::Q], op[sched::S]) - 2 * pad};
}

uint64_t stored_input_bytes(const Operator& op, uint32_t pad) {
    const auto [h, w] = stored_hw(op, pad);
    return uint64_t(op[sched::N]) * op.groups * op[sched::C] * h * w;
}

// The layer's output elements (int8): tensor ops N*G*K*P*Q, pooling N*C*P*Q, add/concat P*Q*C (their "op").
uint64_t output_bytes(const ZooLayer& l) {
    const Operator& op = l.op;
    switch (l.kind) {
    case LayerKind::Conv:
    case LayerKind::Fc: return core::output_elems(op);
    case LayerKind::PoolMax:
    case LayerKind::PoolAvg: return core::pool_output_elems(op);
    case LayerKind::Add:
    case LayerKind::Concat: return uint64_t(op[sched::N]) * op[sched::P] * op[sched::Q] * op[sched::C] * std::max<uint32_t>(1, op[sched::K]);
    }
    return 0;
}

float scale_of(const Operator& op) { return 4.0f / float(uint64_t(op[sched::C]) * op[sched::R] * op[sched::S]); }

// Everything the offline compiler decided about one layer.
struct LayerPlan {
    const ZooLayer* layer = nullptr;
    size_t index = 0;
    const DynamicSpec* spec = nullptr; // the layer's own, or the followed layer's
    size_t decider = 0;                // the layer whose decision applies
    bool agent = false;                // has an agent of its own
    uint32_t pad = 0;
    float scale = 1.0f;
    uint64_t w_addr = 0, w_bytes = 0, out_offset = 0, out_bytes = 0;
    sched::MapResult offline;                              // static conv / fc
    std::vector<std::shared_ptr<sched::MapperSuite>> suites; // dynamic: one per operator of a piece
    // The agent's own operator and nonlinear job.
    bool gate_pool = false;
    Operator pool_op, gate_op;
    sched::MapResult gate_map;
    uint32_t gate_pad = 0;
    uint64_t gate_w_addr = 0;
    core::NonlinearOp nl_op = core::NonlinearOp::Threshold;
    uint32_t nl_n = 1, nl_k = 1, nl_rows = 1;
    // Prefetching: tile t of this agent layer is at tile_dram + t * stride.
    uint64_t tile_dram = 0, tile_stride = 0; // tile_dram: offset within its region (see tiles_in)
    enum class TileHome { Weights, Input, NextWeights } tiles_in = TileHome::Weights;
    uint32_t tile_bytes = 0, table_base = 0;
    size_t consumer = 0; // the layer that reads the tiles (itself; an early exit: the next layer with weights)
    // Functional data (int8).
    std::vector<int8_t> w;      // canonical weights (routing: per expert, the chain's weights back to back)
    std::vector<int8_t> gate_w; // the agent's weights
};

struct Phases {
    uint64_t agent = 0, monitor = 0, data = 0, schedule = 0, pieces = 0, fixed = 0, dispatch = 0;
    uint64_t transverter_runs = 0, transverter_cycles = 0, transverter_updates = 0, transverter_fallbacks = 0;
    uint64_t useful_macs = 0, executed_macs = 0, static_macs = 0, launches = 0, exits = 0, layers_skipped = 0;
};

} // namespace

int model_runtime_main(Hal& hal, const FirmwareArgs& args) {
    if (!args.platform || !args.workload) {
        hal.log("FAIL runtime: needs the platform description and a workload (--workload)");
        return 1;
    }
    const ZooNetwork& net = *args.workload;
    const Design& design = args.design;
    const uint32_t samples = args.samples ? args.samples : 1;
    const bool functional = args.decisions == nullptr;
    const DeviceInfo* dram = hal.board().first_of("dram");
    const DeviceInfo* pfb = hal.board().find("prefetch_buffer");
    NpuDriver npu(hal, dram->base + 0x100000);
    TransverterDriver trv(hal);
    PredictorDriver pred(hal);
    RuntimeMonitorDriver mon(hal);
    if (!npu.init()) return hal.log("FAIL npu: " + npu.why()), 1;
    if (!mon.init()) return hal.log("FAIL runtime monitor: " + mon.why()), 1;
    const bool use_transverter = design.sched == "transverter", use_predictor = design.prefetch != "none";
    if (use_transverter && !trv.init()) return hal.log("FAIL transverter: " + trv.why()), 1;
    if (use_predictor && !pred.init()) return hal.log("FAIL predictor: " + pred.why()), 1;
    if (use_predictor && !pfb) return hal.log("FAIL the platform has no prefetch_buffer"), 1;
    const bool timing_only = npu.timing_only();
    if (functional) {
        const std::string why = functional_support(net);
        if (!why.empty()) return hal.log("FAIL functional agents cannot run " + net.name + ": " + why), 1;
        if (timing_only) return hal.log("FAIL functional agents need real activations: not with --timing-only (use a trace)"), 1;
    }
    if (!functional && args.decisions->samples < samples)
        return hal.log("FAIL the decision trace has " + std::to_string(args.decisions->samples) + " samples, the run needs " + std::to_string(samples)), 1;

    // ---------------- offline compilation (host; no simulated time) ----------------
    const sched::Hardware hw = sched::hardware_from_platform(*args.platform);
    sched::MapperOptions mo;
    mo.seed = args.seed;
    mo.samples = 150;
    mo.local_steps = 300;
    std::map<std::string, sched::MapResult> schedules;
    auto offline_schedule = [&](const Operator& op) -> const sched::MapResult& {
        const std::string key = op.to_string();
        auto it = schedules.find(key);
        if (it == schedules.end()) it = schedules.emplace(key, sched::search_schedule(op, hw, mo)).first;
        return it->second;
    };
    std::map<std::string, std::shared_ptr<sched::MapperSuite>> suites;
    auto suite_of = [&](const Operator& op, sched::Dim d) {
        const std::string key = op.to_string() + "/" + sched::dim_name(d);
        auto it = suites.find(key);
        if (it == suites.end()) it = suites.emplace(key, std::make_shared<sched::MapperSuite>(op, std::vector<sched::Dim>{d}, hw, mo, 8)).first;
        return it->second;
    };

    const uint64_t B = dram->base;
    const uint64_t scores_addr = B + 0x200000, gate_out = B + 0x280000, pooled_addr = B + 0x2C0000, gather_addr = B + 0x400000,
                   chain_addr[2] = {B + 0x800000, B + 0xC00000}, scratch_out = B + 0x1000000, psum_addr = B + 0x2000000;
    uint64_t next_w = B + 0x4000000;
    auto place_weights = [&](uint64_t bytes) {
        const uint64_t a = next_w;
        next_w = align_up(next_w + std::max<uint64_t>(bytes, 1), kAlign);
        return a;
    };

    std::vector<LayerPlan> plans(net.layers.size());
    uint64_t act_bytes = 0;
    const uint64_t input_bytes = align_up(net.layers.empty() ? 0 : stored_input_bytes(net.layers[0].op, pad_of(net.layers[0])), kAlign);
    act_bytes = input_bytes;
    uint32_t table_rows = 0;
    const uint32_t dir_half = 32; // prefetch-directory entries per bank (npu.prefetch_tiles >= 64)
    const uint64_t bank_bytes = pfb ? pfb->size / 2 : 0;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const ZooLayer& l = net.layers[i];
        LayerPlan& p = plans[i];
        p.layer = &l;
        p.index = i;
        p.pad = pad_of(l);
        p.scale = scale_of(l.op);
        p.out_offset = act_bytes;
        p.out_bytes = output_bytes(l);
        act_bytes += align_up(std::max<uint64_t>(p.out_bytes, 1), kAlign);
        if (l.dynamic) {
            p.decider = i;
            if (!l.dynamic->follows.empty())
                for (size_t j = 0; j < i; ++j)
                    if (net.layers[j].name == l.dynamic->follows) p.decider = j;
            p.spec = &*net.layers[p.decider].dynamic;
            p.agent = l.dynamic->follows.empty();
        }
        const bool tensor = l.kind == LayerKind::Conv || l.kind == LayerKind::Fc;
        if (tensor) {
            const DynamicSpec* s = l.dynamic ? &*l.dynamic : nullptr;
            if (s && s->agent == AgentKind::Routing) {
                p.suites.push_back(suite_of(l.op, sched::N));
                for (const Operator& e : s->expert_ops) p.suites.push_back(suite_of(e, sched::N));
                p.w_bytes = expert_bytes(l, *s, 1) * s->tiles;
            } else if (s && (s->agent == AgentKind::Gating || s->agent == AgentKind::RegionMask || s->agent == AgentKind::TokenMerge)) {
                p.suites.push_back(suite_of(l.op, s->dim));
                p.w_bytes = core::weight_elems(l.op);
            } else if (s && s->agent == AgentKind::ConditionalMixing) {
                p.offline = offline_schedule(l.op);
                p.w_bytes = core::weight_elems(l.op) * (s->tiles + 1); // the experts' kernels, then the mixed one
            } else {
                p.offline = offline_schedule(l.op);
                p.w_bytes = core::weight_elems(l.op);
            }
            if (!p.offline.cost.valid && p.suites.empty()) return hal.log("FAIL no schedule for " + l.name + ": " + p.offline.cost.violation), 1;
            for (const auto& su : p.suites)
                if (!su->offline().cost.valid) return hal.log("FAIL no schedule for " + l.name + " (" + su->backbone().to_string() + ")"), 1;
            p.w_addr = place_weights(p.w_bytes);
        }
        if (!p.agent) continue;
        // The agent's own operator (what it computes before its nonlinear op).
        const DynamicSpec& s = *l.dynamic;
        const Operator& op = l.op;
        const auto [h, w] = stored_hw(op, p.pad);
        auto pooled_fc = [&](uint32_t outs) {
            p.gate_pool = true;
            p.pool_op = Operator{};
            p.pool_op[sched::R] = uint32_t(h), p.pool_op[sched::S] = uint32_t(w), p.pool_op[sched::C] = op[sched::C] * op.groups;
            p.pool_op[sched::N] = op[sched::N];
            p.gate_op = Operator{};
            p.gate_op[sched::N] = 1, p.gate_op[sched::C] = op[sched::C] * op.groups, p.gate_op[sched::K] = outs;
        };
        switch (s.agent) {
        case AgentKind::Gating: // FBS: saliency = fc(avgpool(x)), then keep the top groups
            pooled_fc(s.tiles);
            p.nl_op = functional ? core::NonlinearOp::TopK : core::NonlinearOp::Threshold;
            p.nl_n = s.tiles;
            p.nl_k = std::max<uint32_t>(1, uint32_t(std::lround(s.trace.density * s.tiles)));
            break;
        case AgentKind::ConditionalMixing: // CondConv: r = sigmoid(fc(avgpool(x)))
            pooled_fc(s.tiles);
            p.nl_op = core::NonlinearOp::SigmoidGate;
            p.nl_n = s.tiles;
            break;
        case AgentKind::Routing: // the router: logits = X Wg, top-k per token
            p.gate_op[sched::N] = op[sched::N], p.gate_op[sched::C] = op[sched::C], p.gate_op[sched::K] = s.tiles;
            p.nl_op = core::NonlinearOp::TopK;
            p.nl_n = s.tiles, p.nl_k = s.top_k, p.nl_rows = op[sched::N];
            break;
        case AgentKind::EarlyExit: // the exit branch's classifier, then a confidence threshold
            p.gate_op = op;
            p.gate_pad = p.pad;
            p.nl_op = core::NonlinearOp::Threshold;
            break;
        case AgentKind::RegionMask: // DCN: the offset field, a 3x3 conv with 2 x 9 outputs
            p.gate_op = op;
            p.gate_op[sched::R] = p.gate_op[sched::S] = 3, p.gate_op[sched::K] = 18, p.gate_op.groups = 1;
            p.gate_op[sched::C] = op[sched::C] * op.groups;
            p.gate_op.stride = op.stride, p.gate_op.dilation = 1;
            p.gate_pad = 1;
            p.nl_op = core::NonlinearOp::Threshold;
            p.nl_n = s.tiles;
            break;
        case AgentKind::TokenMerge: // ToMe: bipartite similarity of the two token halves' keys (64 wide)
            p.gate_op[sched::N] = std::max<uint32_t>(1, op[sched::N] / 2), p.gate_op[sched::C] = 64, p.gate_op[sched::K] = std::max<uint32_t>(1, op[sched::N] / 2);
            p.nl_op = core::NonlinearOp::Threshold;
            p.nl_n = s.tiles;
            break;
        }
        p.gate_map = s.agent == AgentKind::EarlyExit ? p.offline : offline_schedule(p.gate_op);
        if (!p.gate_map.cost.valid) return hal.log("FAIL no schedule for " + l.name + "'s agent (" + p.gate_op.to_string() + ")"), 1;
        p.gate_w_addr = s.agent == AgentKind::EarlyExit ? p.w_addr : place_weights(core::weight_elems(p.gate_op));
        // Its tiles for the predictor.
        if (s.tiles > dir_half) return hal.log("FAIL " + l.name + ": " + std::to_string(s.tiles) + " tiles, a predictor bank holds " + std::to_string(dir_half)), 1;
        p.table_base = table_rows % 256;
        if (p.table_base + s.tiles > 256) p.table_base = 0; // wrap: rows are shared (the table has 256)
        table_rows = p.table_base + s.tiles;
        switch (s.agent) {
        case AgentKind::Gating: p.tiles_in = LayerPlan::TileHome::Weights, p.tile_stride = tile_bytes(l, s, 1).weight; break;
        case AgentKind::Routing:
        case AgentKind::ConditionalMixing: p.tiles_in = LayerPlan::TileHome::Weights, p.tile_stride = expert_bytes(l, s, 1); break;
        case AgentKind::RegionMask:
        case AgentKind::TokenMerge: p.tiles_in = LayerPlan::TileHome::Input, p.tile_stride = tile_bytes(l, s, 1).input; break;
        case AgentKind::EarlyExit: p.tiles_in = LayerPlan::TileHome::NextWeights, p.tile_stride = 0; break;
        }
    }
    // Early exits prefetch the next tensor layer's weights.
    for (size_t i = 0; i < plans.size(); ++i) {
        LayerPlan& p = plans[i];
        if (!p.agent || p.tiles_in != LayerPlan::TileHome::NextWeights) continue;
        for (size_t j = i + 1; j < plans.size(); ++j)
            if (plans[j].w_bytes) {
                p.tile_dram = plans[j].w_addr;
                p.tile_stride = plans[j].w_bytes;
                p.consumer = j;
                break;
            }
    }
    for (auto& p : plans)
        if (p.agent) {
            const uint64_t share = p.spec->tiles ? bank_bytes / p.spec->tiles / 64 * 64 : 0;
            p.tile_bytes = uint32_t(std::min<uint64_t>(p.tile_stride, share));
            if (p.tiles_in != LayerPlan::TileHome::NextWeights) p.consumer = p.index;
        }
    const uint64_t act_base = align_up(next_w, 1ull << 24);
    const uint64_t act_stride = align_up(act_bytes, 1ull << 20);
    if (act_base + act_stride * (functional ? samples : 1) > B + dram->size)
        return hal.log("FAIL the model's weights and activations do not fit the DRAM"), 1;
    if (use_transverter) trv.load_constraints(hw);

    // ---------------- functional data and the reference forward pass ----------------
    uint64_t rng = args.seed * 0x9E3779B97F4A7C15ull + 0xD7A;
    auto fill = [&](size_t n) {
        std::vector<int8_t> v(n);
        for (auto& x : v) x = int8_t(uniform(rng, -8, 7));
        return v;
    };
    std::vector<std::vector<int8_t>> inputs;                 // per sample
    std::vector<std::vector<LayerDecision>> ref_decisions;   // functional: per sample, per layer (agent layers)
    std::vector<std::vector<int8_t>> ref_outputs;            // per sample: the last layer's output
    if (functional) {
        for (auto& p : plans) {
            const auto* s = p.layer->dynamic ? &*p.layer->dynamic : nullptr;
            if (s && s->agent == AgentKind::Routing) {
                p.w.clear();
                for (uint32_t e = 0; e < s->tiles; ++e) {
                    auto a = fill(core::weight_elems(p.layer->op));
                    p.w.insert(p.w.end(), a.begin(), a.end());
                    for (const auto& x : s->expert_ops) {
                        auto b = fill(core::weight_elems(x));
                        p.w.insert(p.w.end(), b.begin(), b.end());
                    }
                }
            } else {
                p.w = fill(core::weight_elems(p.layer->op));
            }
            if (p.agent) p.gate_w = fill(core::weight_elems(p.gate_op));
            // Static layers store their weights blocked per GLB tile (the offline schedule is known); pieces need canonical.
            if (p.suites.empty()) {
                const auto wb = core::to_blocked(p.layer->op, core::weight_blocking(p.layer->op, p.offline.schedule), p.w);
                hal.load(p.w_addr, wb.data(), wb.size());
            } else {
                hal.load(p.w_addr, p.w.data(), p.w.size());
            }
            if (p.agent) hal.load(p.gate_w_addr, p.gate_w.data(), p.gate_w.size());
        }
        for (uint32_t s = 0; s < samples; ++s) inputs.push_back(fill(input_bytes));
        // Reference: the same network in plain C++.
        for (uint32_t s = 0; s < samples; ++s) {
            std::vector<int8_t> x(inputs[s].begin(), inputs[s].begin() + long(stored_input_bytes(net.layers[0].op, pad_of(net.layers[0]))));
            std::vector<LayerDecision> decs(plans.size());
            for (auto& p : plans) {
                const ZooLayer& l = *p.layer;
                const Operator& op = l.op;
                const auto [h, w] = stored_hw(op, p.pad);
                auto conv = [&](const Operator& o, const std::vector<int8_t>& in, const int8_t* wt, uint32_t pad, float scale) {
                    const auto [hh, ww] = stored_hw(o, pad);
                    const auto padded = pad ? core::pad_input(in, o[sched::N], o[sched::C], uint32_t(hh), uint32_t(ww), pad) : in;
                    std::vector<int8_t> wv(wt, wt + core::weight_elems(o));
                    return core::requantize(core::reference_conv<int8_t, int32_t>(o, padded, wv), scale);
                };
                if (!p.agent) {
                    x = conv(op, x, p.w.data(), p.pad, p.scale);
                    continue;
                }
                LayerDecision d;
                d.sample = s, d.layer = p.index;
                const DynamicSpec& sp = *l.dynamic;
                if (sp.agent == AgentKind::Gating) {
                    const auto pooled = core::pool(p.pool_op, core::PoolKind::Average, x, 1.0f / float(h * w));
                    const auto sal = core::reference_conv<int8_t, int32_t>(p.gate_op, pooled, p.gate_w);
                    std::vector<float> f(sal.begin(), sal.end());
                    d.used.assign(sp.tiles, 0);
                    for (uint32_t t : core::top_k(f, p.nl_k)) d.used[t] = 1;
                    auto y = conv(op, x, p.w.data(), p.pad, p.scale);
                    const uint64_t per = y.size() / sp.tiles;
                    for (uint32_t t = 0; t < sp.tiles; ++t)
                        if (!d.used[t]) std::fill(y.begin() + long(t * per), y.begin() + long((t + 1) * per), int8_t(0));
                    x = y;
                } else { // routing
                    const auto logits = core::reference_conv<int8_t, int32_t>(p.gate_op, x, p.gate_w);
                    const uint32_t T = op[sched::N], E = sp.tiles, D = op[sched::C];
                    d.used.assign(E, 0);
                    d.tokens.resize(T);
                    for (uint32_t t = 0; t < T; ++t) {
                        std::vector<float> row(logits.begin() + long(t * E), logits.begin() + long((t + 1) * E));
                        d.tokens[t] = core::top_k(row, sp.top_k);
                        std::sort(d.tokens[t].begin(), d.tokens[t].end());
                        for (uint32_t e : d.tokens[t]) d.used[e] = 1;
                    }
                    const uint32_t Dout = sp.expert_ops.empty() ? op[sched::K] : sp.expert_ops.back()[sched::K];
                    std::vector<int32_t> acc(size_t(T) * Dout, 0);
                    const uint64_t eb = expert_bytes(l, sp, 1);
                    for (const Piece& pc : plan_pieces(l, sp, d, 1)) {
                        std::vector<int8_t> xe(pc.tokens.size() * D);
                        for (size_t i = 0; i < pc.tokens.size(); ++i) std::copy_n(&x[pc.tokens[i] * D], D, &xe[i * D]);
                        const int8_t* wt = p.w.data() + pc.first_tile * eb;
                        for (const Operator& o : pc.ops) {
                            xe = conv(o, xe, wt, 0, scale_of(o));
                            wt += core::weight_elems(o);
                        }
                        for (size_t i = 0; i < pc.tokens.size(); ++i)
                            for (uint32_t k = 0; k < Dout; ++k) acc[pc.tokens[i] * Dout + k] += xe[i * Dout + k];
                    }
                    x.assign(acc.size(), 0);
                    for (size_t i = 0; i < acc.size(); ++i) x[i] = int8_t(std::clamp(acc[i], -128, 127));
                }
                decs[p.index] = d;
            }
            ref_decisions.push_back(decs);
            ref_outputs.push_back(x);
        }
    }
    auto decision_of = [&](uint32_t s, size_t layer) -> LayerDecision {
        if (functional) return ref_decisions[s][layer];
        return args.decisions->at(s, layer);
    };

    // ---------------- online: sample by sample, layer by layer ----------------
    std::vector<size_t> agents;
    for (const auto& p : plans)
        if (p.agent) agents.push_back(p.index);
    Phases ph;
    int failures = 0;
    const void* trv_loaded = nullptr; // the backbone the transverter holds
    auto cyc = [&](uint64_t ns) { return double(ns) * args.platform->clock_mhz / 1000.0; };
    auto act = [&](uint32_t s) { return act_base + (functional ? s * act_stride : 0); };
    auto input_addr = [&](uint32_t s, const LayerPlan& p, size_t k = 0) {
        return p.layer->inputs.size() > k ? act(s) + plans[p.layer->inputs[k]].out_offset : act(s);
    };
    auto layout_of = [&](const LayerPlan& p, uint32_t s, uint32_t bank) {
        TileLayout t;
        t.tiles = p.spec->tiles;
        t.dram = p.tiles_in == LayerPlan::TileHome::Input ? input_addr(s, p) : p.tiles_in == LayerPlan::TileHome::NextWeights ? p.tile_dram : p.w_addr;
        t.tile_bytes = p.tile_bytes;
        t.stride = uint32_t(std::min<uint64_t>(p.tile_stride, 0xFFFFFFFFu));
        t.pfb_offset = uint32_t(bank * bank_bytes);
        t.directory_base = bank * dir_half;
        t.table_base = p.table_base;
        return t;
    };
    // Predictor banks (DNA VI-B): at most one prefetch `pending` (issued, not yet
    // resolved) and one bank `held` (resolved, its tiles in use until its
    // consumer layer has run). A layer whose tiles are input features is
    // prefetched only once the layer producing that input has run (`deferred`).
    struct Pending {
        bool active = false;
        uint32_t sample = 0, bank = 0;
        size_t layer = 0;
    } pending;
    struct Held {
        bool active = false, ready = false;
        uint32_t bank = 0;
        size_t consumer = 0;
    } held;
    struct Deferred {
        bool active = false;
        uint32_t sample = 0;
        size_t layer = 0;
        long trigger = -1; // the producer layer; -1: the sample's input (at the sample's start)
    } deferred;
    auto issue_prefetch = [&](uint32_t s, size_t li) {
        const LayerPlan& p = plans[li];
        const uint32_t bank = held.active ? 1 - held.bank : 0;
        pred.select_bank(bank);
        pred.set_layout(layout_of(p, s, bank));
        if (design.prefetch == "predictor") pred.predict();
        else if (design.prefetch == "conventional") pred.prefetch(std::vector<bool>(p.spec->tiles, true));
        else {
            const LayerDecision d = decision_of(s, li);
            pred.prefetch(std::vector<bool>(d.used.begin(), d.used.end()));
        }
        pending = {true, s, bank, li};
    };
    auto release_held = [&] {
        if (!held.active) return;
        pred.select_bank(held.bank);
        pred.release();
        held.active = false;
    };
    // The prefetch of agent layer nx.second of sample nx.first, as soon as its tiles can be read.
    auto schedule_prefetch = [&](uint32_t s_now, size_t li_now, std::pair<uint32_t, size_t> nx) {
        if (!use_predictor || nx.first >= samples) return;
        const LayerPlan& q = plans[nx.second];
        if (q.tiles_in == LayerPlan::TileHome::Input) {
            const long producer = q.layer->inputs.empty() ? -1 : long(q.layer->inputs[0]);
            if (nx.first == s_now && producer >= 0 && size_t(producer) < li_now) return issue_prefetch(nx.first, nx.second);
            deferred = {true, nx.first, nx.second, producer};
            return;
        }
        issue_prefetch(nx.first, nx.second);
    };
    auto layer_finished = [&](uint32_t s, size_t li) {
        if (!use_predictor) return;
        if (held.active && held.consumer == li) release_held();
        if (deferred.active && deferred.sample == s && deferred.trigger == long(li)) {
            deferred.active = false;
            issue_prefetch(s, deferred.layer);
        }
    };
    auto next_agent = [&](uint32_t s, size_t after) -> std::pair<uint32_t, size_t> { // (sample, layer); sample == samples: none
        for (size_t a : agents)
            if (a > after) return {s, a};
        return {s + 1, agents.empty() ? 0 : agents[0]};
    };

    // Schedules a piece's operator by the design's policy: executed op, schedule, and where the cores fetch it.
    struct Sched {
        Operator executed;
        sched::Schedule schedule;
        uint64_t addr = 0;
        uint32_t bytes = 0;
    };
    std::map<std::string, sched::MapResult> policy_cache;
    auto schedule_piece = [&](const std::shared_ptr<sched::MapperSuite>& su, const Operator& op, bool routed, uint32_t expert) -> Sched {
        Sched r;
        if (op == su->backbone()) { // nothing changed: the backbone's own schedule, for every design
            r.executed = op, r.schedule = su->offline().schedule;
            return r;
        }
        if (use_transverter) {
            if (trv_loaded != su.get()) trv.load_backbone(su->backbone(), su->offline().schedule);
            else trv.load_table(su->offline().schedule); // the last run left its result there
            trv_loaded = su.get();
            trv.set_dynamic(op); // the dims the agent does not change; a routed expert's N comes from the monitor
            bool started = false;
            if (routed) started = mon.forward_dim(expert, sched::N, true, kTimeout); // DNA Fig. 8: COUNT[e] -> DIM_DYN[N], GO
            if (!started) trv.go();
            const TransverterRun t = trv.wait(kTimeout);
            bool covers = t.ok;
            for (sched::Dim dd : sched::kAllDims) covers = covers && t.executed[dd] >= op[dd];
            if (t.ok && !covers) {
                hal.log("FAIL transverter result " + t.executed.to_string() + " does not cover " + op.to_string());
                ++failures;
            }
            if (t.ok) {
                ++ph.transverter_runs;
                ph.transverter_cycles += t.cycles;
                ph.transverter_updates += t.updates;
                r.executed = t.executed, r.schedule = t.schedule, r.addr = t.table_addr, r.bytes = t.table_bytes;
                return r;
            }
            if (ph.transverter_fallbacks++ == 0) hal.log("note: transverter: " + t.message + " (" + op.to_string() + "); the library schedule is used instead");
            trv_loaded = nullptr;
        }
        const std::string policy = use_transverter ? "library" : design.sched;
        const std::string key = policy + "/" + su->backbone().to_string() + "/" + op.to_string();
        auto it = policy_cache.find(key);
        if (it == policy_cache.end()) it = policy_cache.emplace(key, su->run(policy, op)).first;
        r.executed = it->second.executed, r.schedule = it->second.schedule;
        return r;
    };
    auto run_tensor = [&](const Operator& op, const Sched& sc, uint64_t in, uint64_t w, uint64_t out, uint32_t pad, float scale, bool blocked,
                          uint32_t out_format = npu::kOutRequantInt8) -> bool {
        NpuTensorJob job;
        job.op = sc.executed;
        job.schedule = sc.schedule;
        job.sched_addr = sc.addr;
        job.sched_bytes = sc.bytes;
        job.out_format = out_format;
        job.scale = scale;
        job.in_addr = in, job.w_addr = w, job.out_addr = out, job.psum_addr = psum_addr;
        job.weight_layout = uint32_t(blocked ? core::WeightLayout::Blocked : core::WeightLayout::Canonical);
        job.pad = pad;
        if (pad) { // stored input of the operator as given (a padded executed op reads rows beyond: they belong to no one)
            const auto [h, w2] = stored_hw(op, pad);
            job.in_h = uint32_t(h), job.in_w = uint32_t(w2);
            const auto [eh, ew] = stored_hw(job.op, pad);
            job.in_h = uint32_t(std::max(h, eh)), job.in_w = uint32_t(std::max(w2, ew));
        }
        const NpuResult r = npu.run(job, kTimeout);
        ++ph.launches;
        ph.useful_macs += op.macs();
        ph.executed_macs += job.op.macs();
        if (!r.ok) hal.log("FAIL " + op.to_string() + ": " + r.message);
        return r.ok;
    };

    const uint64_t t_begin = hal.now_ns();
    if (use_predictor && !agents.empty()) {
        pred.reset_table();
        schedule_prefetch(0, 0, {0, agents[0]});
    }
    std::vector<int8_t> fb;
    for (uint32_t s = 0; s < samples && !failures; ++s) {
        if (functional) hal.load(act(s), inputs[s].data(), inputs[s].size()); // the sample arrives (camera / tokenizer DMA)
        std::vector<LayerDecision> decided(plans.size());
        bool exited = false;
        if (use_predictor && deferred.active && deferred.sample == s && deferred.trigger < 0) { // tiles in the sample's input
            deferred.active = false;
            issue_prefetch(s, deferred.layer);
        }
        for (size_t li = 0; li < plans.size() && !failures; ++li) {
            LayerPlan& p = plans[li];
            const ZooLayer& l = *p.layer;
            if (li > 0) layer_finished(s, li - 1);
            if (exited) {
                ++ph.layers_skipped;
                continue;
            }
            if (use_predictor && held.active && held.consumer == li && !held.ready) { // an early exit's prefetch of this layer
                const uint64_t tw = hal.now_ns();
                pred.select_bank(held.bank);
                if (!pred.wait_ready(kTimeout)) return hal.log("FAIL " + pred.why()), 1;
                ph.data += hal.now_ns() - tw;
                held.ready = true;
            }
            const uint64_t in = input_addr(s, p), out = act(s) + p.out_offset;
            const uint64_t t0 = hal.now_ns();
            // ---- static layers
            if (!l.dynamic) {
                bool ok = true;
                switch (l.kind) {
                case LayerKind::Conv:
                case LayerKind::Fc:
                    ok = run_tensor(l.op, Sched{p.offline.executed, p.offline.schedule}, in, p.w_addr, out, p.pad, p.scale, true);
                    ph.static_macs += l.op.macs();
                    break;
                case LayerKind::PoolMax:
                case LayerKind::PoolAvg: {
                    const bool avg = l.kind == LayerKind::PoolAvg;
                    const NpuResult r = npu.run_pool(l.op, avg ? 1 : 0, npu::kInt8, avg ? 1.0f / float(l.op[sched::R] * l.op[sched::S]) : 1.0f, in, out,
                                                     npu.cores(), kTimeout);
                    ok = r.ok;
                    if (!ok) hal.log("FAIL " + l.name + ": " + r.message);
                    break;
                }
                case LayerKind::Add: {
                    Operator shape = l.op;
                    const NpuResult r = npu.run_eltwise_add(shape, npu::kInt8, 1.0f, in, input_addr(s, p, 1), out, npu.cores(), kTimeout);
                    ok = r.ok;
                    if (!ok) hal.log("FAIL " + l.name + ": " + r.message);
                    break;
                }
                case LayerKind::Concat: break; // the inputs are laid out side by side: nothing moves
                }
                if (!ok) ++failures;
                ph.fixed += hal.now_ns() - t0;
                continue;
            }
            const DynamicSpec& spec = *p.spec;
            LayerDecision d;
            if (p.agent) {
                // ---- 1. the agent
                LayerDecision want = decision_of(s, li);
                for (auto& t : want.tokens) std::sort(t.begin(), t.end()); // a token's experts, as a set
                if (p.gate_pool) {
                    const NpuResult r = npu.run_pool(p.pool_op, 1, npu::kInt8, 1.0f / float(p.pool_op[sched::R] * p.pool_op[sched::S]), in, pooled_addr,
                                                     npu.cores(), kTimeout);
                    if (!r.ok) return hal.log("FAIL " + l.name + " agent pooling: " + r.message), 1;
                }
                const uint64_t gate_in = p.gate_pool ? pooled_addr : in;
                if (!run_tensor(p.gate_op, Sched{p.gate_map.executed, p.gate_map.schedule}, gate_in, p.gate_w_addr, gate_out, p.gate_pad, 1.0f,
                                spec.agent == AgentKind::EarlyExit, npu::kOutRaw))
                    return 1;
                if (!functional) { // the agent reads scores that encode the trace's decision
                    std::vector<float> sc;
                    if (spec.agent == AgentKind::Routing) {
                        sc.assign(size_t(p.nl_rows) * p.nl_n, 0.0f);
                        for (uint32_t t = 0; t < want.tokens.size(); ++t)
                            for (uint32_t e : want.tokens[t]) sc[t * p.nl_n + e] = 1.0f;
                    } else if (spec.agent == AgentKind::ConditionalMixing) {
                        sc.assign(p.nl_n, 4.0f); // sigmoid(4) > 0.5: every expert mixes
                    } else {
                        for (uint8_t u : want.used) sc.push_back(u ? 1.0f : 0.0f);
                    }
                    hal.load(scores_addr, sc.data(), sc.size() * 4);
                }
                std::vector<uint32_t> cores;
                std::vector<npu::JobDescriptor> jobs;
                const uint32_t per_core = (p.nl_rows + npu.cores() - 1) / npu.cores();
                for (uint32_t c = 0; c * per_core < p.nl_rows; ++c) {
                    npu::JobDescriptor j;
                    j.nl_op = uint32_t(p.nl_op);
                    j.nl_n = p.nl_n;
                    j.nl_k = p.nl_op == core::NonlinearOp::TopK ? p.nl_k : 1;
                    j.nl_threshold = 0.5f;
                    j.nl_rows = std::min(per_core, p.nl_rows - c * per_core);
                    j.policy = uint32_t(policy_of(spec.agent));
                    j.nl_in_format = functional ? npu::kNlInInt32 : npu::kNlInFp32;
                    j.nl_src = (functional ? gate_out : scores_addr) + uint64_t(c) * per_core * p.nl_n * 4;
                    cores.push_back(c);
                    jobs.push_back(j);
                }
                const NpuResult ar = npu.run_nonlinear(cores, jobs, kTimeout);
                if (!ar.ok) return hal.log("FAIL " + l.name + " agent: " + ar.message), 1;
                uint32_t mask = 0;
                d.sample = s, d.layer = li;
                if (spec.agent == AgentKind::Routing) d.tokens.resize(p.nl_rows);
                for (uint32_t c : cores) {
                    mask |= 1u << c;
                    if (spec.agent != AgentKind::Routing) continue;
                    const auto entries = npu.runtime_table(c);
                    for (size_t i = 0; i < entries.size(); ++i)
                        if (entries[i].result) d.tokens[c * per_core + uint32_t(i / p.nl_k)].push_back(entries[i].address);
                }
                for (auto& t : d.tokens) std::sort(t.begin(), t.end());
                const uint64_t t1 = hal.now_ns();
                ph.agent += t1 - t0;
                // ---- 2. runtime monitor -> predictor; 3. wait for the used tiles
                const bool to_pred = use_predictor && pending.active && pending.layer == li && pending.sample == s;
                if (to_pred) pred.select_bank(pending.bank);
                const AgentOutcomes o = mon.collect(mask, policy_of(spec.agent), 0, spec.tiles, to_pred, true, kTimeout);
                if (!o.ok) return hal.log("FAIL runtime monitor: " + o.message), 1;
                d.used.assign(spec.tiles, 0);
                for (uint32_t t = 0; t < spec.tiles; ++t) d.used[t] = o.trace[t] ? 1 : 0;
                const uint64_t t2 = hal.now_ns();
                ph.monitor += t2 - t1;
                if (d.used != want.used || (spec.agent == AgentKind::Routing && d.tokens != want.tokens)) {
                    hal.log("FAIL sample " + std::to_string(s) + " " + l.name + ": the agent's decision on the board differs from the " +
                            (functional ? "reference" : "trace"));
                    ++failures;
                    break;
                }
                const bool exit_now = spec.agent == AgentKind::EarlyExit && !d.used[0];
                if (deferred.active && deferred.sample == s && deferred.layer == li) deferred.active = false; // its input never came
                if (to_pred) {
                    pending.active = false;
                    if (p.tiles_in != LayerPlan::TileHome::NextWeights) { // 3. this layer's tiles, now
                        if (!pred.wait_ready(kTimeout)) return hal.log("FAIL " + pred.why()), 1;
                        ph.data += hal.now_ns() - t2;
                        held = {true, true, pending.bank, li};
                    } else if (exit_now) { // the next layer's weights are not needed after all
                        pred.release();
                    } else { // waited for just before the next layer with weights runs
                        held = {true, false, pending.bank, p.consumer};
                    }
                }
                // ---- 4. the next agent layer's prefetch (after an exit: the next sample's)
                schedule_prefetch(s, li, exit_now ? std::pair<uint32_t, size_t>{s + 1, agents[0]} : next_agent(s, li));
                decided[li] = d;
                if (exit_now) {
                    exited = true;
                    ++ph.exits;
                }
            } else {
                d = decided[p.decider];
                if (d.used.empty()) continue; // the followed layer was skipped: so is this one
            }
            if (exited || spec.agent == AgentKind::EarlyExit) continue;
            // ---- pieces: the dynamic operator, run by run (or expert by expert)
            const uint64_t tp = hal.now_ns();
            const std::vector<Piece> pieces = plan_pieces(l, spec, d, 1);
            const sched::Dim dim = spec.dim;
            if (spec.agent == AgentKind::Routing) {
                const uint32_t T = l.op[sched::N], D = l.op[sched::C];
                const uint32_t Dout = spec.expert_ops.empty() ? l.op[sched::K] : spec.expert_ops.back()[sched::K];
                std::vector<int32_t> acc(functional ? size_t(T) * Dout : 0, 0);
                const uint64_t eb = expert_bytes(l, spec, 1);
                for (const Piece& pc : pieces) {
                    uint64_t src = gather_addr, w = p.w_addr + pc.first_tile * eb;
                    for (size_t k = 0; k < pc.ops.size() && !failures; ++k) {
                        // Each operator's schedule just before its launch: the cores fetch it from the transverter's table.
                        const uint64_t ts = hal.now_ns();
                        const Sched sc = schedule_piece(p.suites[k], pc.ops[k], k == 0, pc.first_tile);
                        ph.schedule += hal.now_ns() - ts;
                        if (k == 0) { // dispatch: the CPU gathers the expert's token rows (padded rows zero)
                            const uint32_t rows = std::max(sc.executed[sched::N], pc.ops[0][sched::N]);
                            std::vector<int8_t> g(size_t(rows) * D, 0);
                            const uint64_t td = hal.now_ns();
                            for (size_t i = 0; i < pc.tokens.size(); ++i) hal.read_block(in + uint64_t(pc.tokens[i]) * D, &g[i * D], D);
                            hal.write_block(gather_addr, g.data(), g.size());
                            ph.dispatch += hal.now_ns() - td;
                        }
                        const uint64_t dst = chain_addr[k % 2];
                        if (!run_tensor(pc.ops[k], sc, src, w, dst, 0, scale_of(pc.ops[k]), false)) ++failures;
                        w += core::weight_elems(pc.ops[k]);
                        src = dst;
                    }
                    const uint64_t td = hal.now_ns();
                    // Combine: the CPU adds the expert's rows into the layer output (timed reads; the writes below).
                    std::vector<int8_t> y(pc.tokens.size() * Dout);
                    hal.read_block(src, y.data(), y.size());
                    if (functional)
                        for (size_t i = 0; i < pc.tokens.size(); ++i)
                            for (uint32_t k = 0; k < Dout; ++k) acc[pc.tokens[i] * Dout + k] += y[i * Dout + k];
                    ph.dispatch += hal.now_ns() - td;
                }
                std::vector<int8_t> o(size_t(T) * Dout, 0);
                for (size_t i = 0; i < acc.size(); ++i) o[i] = int8_t(std::clamp(acc[i], -128, 127));
                hal.write_block(out, o.data(), o.size());
            } else if (spec.agent == AgentKind::ConditionalMixing) {
                const Piece& pc = pieces.at(0);
                const uint64_t wk = core::weight_elems(l.op), mixed = p.w_addr + wk * spec.tiles;
                const Operator& mix = pc.ops[0];
                const sched::MapResult& mm = offline_schedule(mix);
                if (!mm.cost.valid) return hal.log("FAIL no schedule for " + l.name + "'s kernel mixing (" + mix.to_string() + ")"), 1;
                // Mixing weights r (E values) sit after the gate output; the experts' kernels are the "input" rows.
                if (!run_tensor(mix, Sched{mm.executed, mm.schedule}, p.w_addr, gate_out, mixed, 0, 1.0f, false)) ++failures;
                else if (!run_tensor(l.op, Sched{p.offline.executed, p.offline.schedule}, in, mixed, out, p.pad, p.scale, false)) ++failures;
            } else {
                for (const Piece& pc : pieces) {
                    const uint64_t ts = hal.now_ns();
                    const Sched sc = schedule_piece(p.suites[0], pc.ops[0], false, 0);
                    ph.schedule += hal.now_ns() - ts;
                    const bool padded = sc.executed[dim] > pc.ops[0][dim];
                    const uint64_t dst = padded ? scratch_out : out + pc.out_offset;
                    if (!run_tensor(pc.ops[0], sc, in + pc.in_offset, p.w_addr + pc.w_offset, dst, p.pad, p.scale, false)) {
                        ++failures;
                        break;
                    }
                    // A padded operator's extra outputs are not the layer's: keep the valid prefix (K: channels, N:
                    // tokens -- contiguous). This copy is untimed, standing in for output predication the NPU model
                    // does not have; the padded compute and its writes are timed.
                    if (padded && functional) {
                        const uint64_t bytes = core::output_elems(pc.ops[0]);
                        fb.resize(bytes);
                        hal.peek(scratch_out, fb.data(), bytes);
                        hal.load(out + pc.out_offset, fb.data(), bytes);
                    }
                }
            }
            ph.pieces += hal.now_ns() - tp;
        }
        if (!plans.empty()) layer_finished(s, plans.size() - 1);
        if (use_predictor) release_held(); // a consumer an early exit skipped
        if (functional && !failures) { // the sample's output against the reference
            const LayerPlan& last = plans.back();
            std::vector<int8_t> got(ref_outputs[s].size());
            hal.peek(act(s) + last.out_offset, got.data(), got.size());
            if (got != ref_outputs[s]) {
                hal.log("FAIL sample " + std::to_string(s) + ": the output differs from the reference forward pass");
                ++failures;
            }
        }
    }
    const uint64_t total = hal.now_ns() - t_begin;
    hal.metric("samples", samples);
    hal.metric("cycles", cyc(total));
    hal.metric("cycles_per_sample", cyc(total) / samples);
    hal.metric("agent_cycles", cyc(ph.agent));
    hal.metric("monitor_cycles", cyc(ph.monitor));
    hal.metric("data_wait_cycles", cyc(ph.data));
    hal.metric("schedule_wait_cycles", cyc(ph.schedule));
    hal.metric("dynamic_operator_cycles", cyc(ph.pieces - ph.schedule - ph.dispatch));
    hal.metric("dispatch_cycles", cyc(ph.dispatch));
    hal.metric("static_layer_cycles", cyc(ph.fixed));
    hal.metric("transverter_runs", double(ph.transverter_runs));
    hal.metric("transverter_cycles", double(ph.transverter_cycles));
    hal.metric("transverter_updates", double(ph.transverter_updates));
    hal.metric("transverter_fallbacks", double(ph.transverter_fallbacks));
    hal.metric("macs_useful", double(ph.useful_macs));
    hal.metric("macs_executed", double(ph.executed_macs));
    hal.metric("launches", double(ph.launches));
    hal.metric("early_exits", double(ph.exits));
    hal.metric("layers_skipped", double(ph.layers_skipped));
    hal.metric("agent_layers", double(agents.size()));
    double feature_layers = 0;
    for (size_t a : agents) feature_layers += plans[a].tiles_in == LayerPlan::TileHome::Input ? 1 : 0;
    hal.metric("tile_layers_feature", feature_layers); // agent layers whose tiles are input features (the rest: weights)
    hal.log(std::string(failures ? "FAIL" : "PASS") + " runtime " + net.name + ", design " + args.design_name + " (sched " + design.sched + ", prefetch " +
            design.prefetch + "): " + std::to_string(samples) + " samples in " + fixed(cyc(total), 0) + " cycles (" + fixed(cyc(total) / samples, 0) +
            " per sample), decisions " + (functional ? std::string("from the board's agents") + (failures ? "" : ", outputs bit-identical to the reference") : "from a trace") +
            (timing_only ? ", timing only" : ""));
    return failures ? 1 : 0;
}

} // namespace dynavp::fw
