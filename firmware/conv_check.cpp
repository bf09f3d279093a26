// NPU bring-up firmware: compiles two layers offline (the `offline` mapper
// on the platform's eta), runs each on the cores its schedule splits it
// over, and checks the output tensors against the plain reference:
//   1. conv 3x3, 64 -> 64 channels, 28x28, pad 1 (done by the cores), int8 with requantisation
//   2. matmul 64 tokens x 256 -> 256 (R = S = 1), fp32 on small-integer values
//      (exact in fp32, so any summation order gives the same bits)
//   3. max pooling (int8), average pooling (fp32), a residual add (int8)
// plus an agent (top-k on the nonlinear unit) whose decisions firmware reads
// back from the runtime table over MMIO.
#include <cmath>
#include <cstring>
#include <sstream>
#include <vector>

#include "drivers/npu_driver.h"
#include "firmware_registry.h"
#include "fw_util.h"
#include "ip/core/functional.h"
#include "ip/core/layout.h"
#include "ip/core/nonlinear.h"
#include "ip/scheduling/mappers.h"
#include "platform/platform_config.h"

namespace dynavp::fw {
namespace {

template <class T> std::vector<T> random_tensor(size_t n, uint64_t& rng, int lo, int hi) {
    std::vector<T> v(n);
    for (auto& e : v) e = T(uniform(rng, lo, hi));
    return v;
}

struct Layer {
    std::string what;
    sched::Operator op;
    uint32_t dtype;
    core::WeightLayout layout;
};

} // namespace

int conv_check_main(Hal& hal, const FirmwareArgs& args) {
    if (!args.platform) {
        hal.log("FAIL conv-check needs the platform description for its offline mapper");
        return 1;
    }
    const DeviceInfo* dram = hal.board().first_of("dram");
    NpuDriver npu(hal, dram->base + 0x100000);
    if (!npu.init()) {
        hal.log("FAIL npu init: " + npu.why());
        return 1;
    }
    const bool timing_only = npu.timing_only();
    const sched::Hardware hw8 = sched::hardware_from_platform(*args.platform);
    const sched::Hardware hw32 = sched::fp32_hardware(hw8);

    uint64_t rng = args.seed * 0x9E3779B97F4A7C15ull + 7;
    const uint64_t in_addr = dram->base + 0x1000000, w_addr = dram->base + 0x2000000, out_addr = dram->base + 0x3000000,
                   psum_addr = dram->base + 0x4000000;
    int failures = 0;
    const Layer layers[] = {
        {"conv 3x3 int8", sched::parse_operator("R=3,S=3,P=28,Q=28,C=64,K=64"), npu::kInt8, core::WeightLayout::Blocked},
        {"matmul fp32", sched::parse_operator("P=1,Q=64,C=256,K=256"), npu::kFp32, core::WeightLayout::Canonical},
    };
    for (const Layer& L : layers) {
        const sched::Hardware& hw = L.dtype == npu::kFp32 ? hw32 : hw8;
        sched::MapperOptions mo;
        mo.seed = args.seed;
        const sched::MapResult m = sched::search_schedule(L.op, hw, mo);
        if (!m.cost.valid) {
            hal.log("FAIL " + L.what + ": the mapper found no valid schedule: " + m.cost.violation);
            ++failures;
            continue;
        }
        NpuTensorJob job;
        job.op = L.op;
        job.schedule = m.schedule;
        job.dtype = L.dtype;
        job.in_addr = in_addr;
        job.w_addr = w_addr;
        job.out_addr = out_addr;
        job.psum_addr = psum_addr;
        job.weight_layout = uint32_t(L.layout);
        // Weights as the compiler stores them (blocked: one contiguous block per GLB tile).
        auto weights = [&](const auto& w) { return L.layout == core::WeightLayout::Blocked ? core::to_blocked(L.op, core::weight_blocking(L.op, m.schedule), w) : w; };
        std::vector<uint8_t> want;
        if (L.dtype == npu::kInt8) {
            // A 3x3 "same" conv: the input is stored 28x28 and the core pads it by 1
            // (job.pad); values in [-8, 7] keep the requantised output informative.
            const auto raw = random_tensor<int8_t>(size_t(L.op[sched::C]) * 28 * 28, rng, -8, 7);
            const auto in = core::pad_input(raw, 1, L.op[sched::C], 28, 28, 1); // what the reference sees
            const auto w = random_tensor<int8_t>(core::weight_elems(L.op), rng, -8, 7);
            job.out_format = npu::kOutRequantInt8;
            job.scale = 1.0f / 64;
            job.pad = 1;
            hal.load(in_addr, raw.data(), raw.size());
            const auto wl = weights(w);
            hal.load(w_addr, wl.data(), wl.size());
            const auto q = core::requantize(core::reference_conv<int8_t, int32_t>(L.op, in, w), job.scale);
            want.assign(reinterpret_cast<const uint8_t*>(q.data()), reinterpret_cast<const uint8_t*>(q.data()) + q.size());
        } else {
            const auto in = random_tensor<float>(core::input_elems(L.op), rng, -4, 4);
            const auto w = random_tensor<float>(core::weight_elems(L.op), rng, -4, 4);
            job.out_format = npu::kOutRaw;
            hal.load(in_addr, in.data(), in.size() * 4);
            const auto wl = weights(w);
            hal.load(w_addr, wl.data(), wl.size() * 4);
            const auto o = core::reference_conv<float, float>(L.op, in, w);
            want.resize(o.size() * 4);
            std::memcpy(want.data(), o.data(), want.size());
        }
        std::vector<uint8_t> clear(want.size(), 0xA5); // a stale output must not pass
        hal.load(out_addr, clear.data(), clear.size());

        const uint64_t t0 = hal.now_ns();
        const NpuResult r = npu.run(job, 1000000000);
        const uint64_t t1 = hal.now_ns();
        if (!r.ok) {
            hal.log("FAIL " + L.what + ": " + r.message);
            ++failures;
            continue;
        }
        const double util0 = double(L.op.macs()) / (double(r.cycles) * double(hw.total_pes()));
        if (timing_only) { // nothing was computed: report the timing only
            hal.log("SKIP output check of " + L.what + " (timing-only run): " + std::to_string(r.cycles) + " cycles, PE utilisation " +
                    fixed(100 * util0, 1) + "%");
            continue;
        }
        std::vector<uint8_t> got(want.size());
        hal.peek(out_addr, got.data(), got.size());
        size_t bad = 0, first = 0;
        for (size_t i = 0; i < got.size(); ++i)
            if (got[i] != want[i] && bad++ == 0) first = i;
        const double util = double(L.op.macs()) / (double(r.cycles) * double(hw.total_pes()));
        std::string line = L.what + " " + L.op.to_string() + " on " + std::to_string(r.cores_used) + " cores: " + std::to_string(r.cycles) +
                           " cycles (cost model " + fixed(m.cost.cycles, 0) + "), PE utilisation " + fixed(100 * util, 1) + "%, " +
                           std::to_string(t1 - t0) + " ns with the driver";
        if (bad) {
            hal.log("FAIL " + line + ": " + std::to_string(bad) + " output bytes differ from the reference (first at byte " + std::to_string(first) + ")");
            ++failures;
        } else {
            hal.log("PASS " + line + ": output bit-identical to the reference");
        }
    }

    // Streaming layers: 2x2/2 max pooling of a 28x28x64 int8 map, average
    // pooling of the same in fp32, and a residual add (int8, requantised).
    {
        const sched::Operator pool_op = sched::parse_operator("R=2,S=2,P=14,Q=14,C=64,K=1,stride=2");
        const auto x8 = random_tensor<int8_t>(size_t(64) * 28 * 28, rng, -128, 127);
        hal.load(in_addr, x8.data(), x8.size());
        const NpuResult r = npu.run_pool(pool_op, uint32_t(core::PoolKind::Max), npu::kInt8, 1.0f, in_addr, out_addr, npu.cores(), 1000000000);
        const auto want = core::pool(pool_op, core::PoolKind::Max, x8, 1.0f);
        std::vector<int8_t> got(want.size());
        hal.peek(out_addr, got.data(), got.size());
        const bool ok = r.ok && (timing_only || got == want);
        hal.log(std::string(ok ? "PASS" : "FAIL") + " max pool 2x2/2 int8 " + pool_op.to_string() + " on " + std::to_string(r.cores_used) + " cores: " +
                std::to_string(r.cycles) + " cycles" + (r.ok ? (timing_only ? " (timing only)" : "") : ": " + r.message));
        failures += ok ? 0 : 1;

        const auto xf = random_tensor<float>(size_t(64) * 28 * 28, rng, -16, 16);
        hal.load(in_addr, xf.data(), xf.size() * 4);
        const NpuResult ra = npu.run_pool(pool_op, uint32_t(core::PoolKind::Average), npu::kFp32, 1.0f, in_addr, out_addr, npu.cores(), 1000000000);
        const auto wantf = core::pool(pool_op, core::PoolKind::Average, xf);
        std::vector<float> gotf(wantf.size());
        hal.peek(out_addr, gotf.data(), gotf.size() * 4);
        const bool okf = ra.ok && (timing_only || std::memcmp(gotf.data(), wantf.data(), gotf.size() * 4) == 0);
        hal.log(std::string(okf ? "PASS" : "FAIL") + " average pool 2x2/2 fp32: " + std::to_string(ra.cycles) + " cycles" + (ra.ok ? "" : ": " + ra.message));
        failures += okf ? 0 : 1;

        const sched::Operator shape = sched::parse_operator("P=28,Q=28,C=64");
        const auto a = random_tensor<int8_t>(size_t(64) * 28 * 28, rng, -100, 100), b = random_tensor<int8_t>(a.size(), rng, -100, 100);
        hal.load(in_addr, a.data(), a.size());
        hal.load(w_addr, b.data(), b.size());
        const NpuResult re = npu.run_eltwise_add(shape, npu::kInt8, 0.5f, in_addr, w_addr, out_addr, npu.cores(), 1000000000);
        const auto wante = core::eltwise_add(a, b, 0.5f);
        std::vector<int8_t> gote(wante.size());
        hal.peek(out_addr, gote.data(), gote.size());
        const bool oke = re.ok && (timing_only || gote == wante);
        hal.log(std::string(oke ? "PASS" : "FAIL") + " residual add int8 (x0.5) of 28x28x64 on " + std::to_string(re.cores_used) + " cores: " +
                std::to_string(re.cycles) + " cycles" + (re.ok ? "" : ": " + re.message));
        failures += oke ? 0 : 1;
    }

    // An agent: MoE-style top-2 routing over 8 experts on core 0's nonlinear unit.
    {
        std::vector<float> logits = random_tensor<float>(8, rng, -50, 50);
        for (auto& l : logits) l /= 10;
        hal.load(in_addr, logits.data(), logits.size() * 4);
        npu.clear_runtime_table(0);
        npu::JobDescriptor d;
        d.nl_op = uint32_t(core::NonlinearOp::TopK);
        d.nl_n = 8;
        d.nl_k = 2;
        d.policy = uint32_t(core::AgentPolicy::Routing);
        d.nl_src = in_addr;
        const NpuResult r = npu.run_nonlinear(0, d, 1000000000);
        const auto entries = npu.runtime_table(0);
        const auto want = core::top_k(logits, 2);
        bool ok = r.ok && entries.size() == want.size();
        for (size_t i = 0; ok && i < want.size(); ++i)
            ok = entries[i].address == want[i] && entries[i].policy == core::AgentPolicy::Routing && entries[i].result == 1;
        hal.log(std::string(ok ? "PASS" : "FAIL") + " agent top-2 of 8 experts on core 0: runtime table holds " + std::to_string(entries.size()) +
                " entries" + (ok ? " matching the reference" : (r.ok ? " that differ from the reference" : ": " + r.message)));
        failures += ok ? 0 : 1;
    }
    return failures == 0 ? 0 : 1;
}

} // namespace dynavp::fw
