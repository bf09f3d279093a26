// A dynamic recurrent network on the DyPipe accelerator (DyPipe secs. 3.3-3.4,
// 4.4): h_{t+1} = relu(W [x_t; h_t]) over a sequence whose length (1-20,
// seeded) is known only at run time. As the loop unfolds, firmware saves each
// step's module functions into the context buffer -- LoadFunction (x_t into a
// double-buffered slot of the global buffer), ComputeFunction (the fc cell),
// StoreFunction (h_{t+1} to DRAM) -- with SaveContext / SavePC; only the steps
// that run are saved (DyPipe Fig. 7). When the buffer is full, or the work is
// all saved, RUN executes the pending functions under the chosen pipeline.
// `static` is the compile-time pipeline: every sequence padded to the longest.
// Each pipeline's final states are checked bit for bit against a reference.
#include <algorithm>
#include <vector>

#include "drivers/dypipe_driver.h"
#include "firmware_registry.h"
#include "fw_util.h"
#include "ip/common/half.h"
#include "ip/dypipe/module_function.h"

namespace dynavp::fw {
namespace {

constexpr uint32_t kD = 128, kMaxLen = 20, kDefaultSamples = 8;
constexpr uint64_t kTimeout = 1000000000; // 1 s of simulated time per RUN

using context_buffer::ComputeKind;
using context_buffer::ContextRecord;

std::vector<uint16_t> reference(const std::vector<uint16_t>& w, const std::vector<std::vector<uint16_t>>& xs, uint32_t len) {
    std::vector<uint16_t> h(kD, 0), cat(2 * kD);
    for (uint32_t t = 0; t < len; ++t) {
        std::copy(xs[t].begin(), xs[t].end(), cat.begin());
        std::copy(h.begin(), h.end(), cat.begin() + kD);
        for (uint32_t o = 0; o < kD; ++o) {
            float acc = 0;
            for (uint32_t i = 0; i < 2 * kD; ++i) acc += half_to_float(w[size_t(o) * 2 * kD + i]) * half_to_float(cat[i]);
            h[o] = float_to_half(std::max(0.0f, acc));
        }
    }
    return h;
}

int mode_of(const std::string& p) { return p == "none" ? 0 : p == "static" ? 1 : 2; }

} // namespace

int dypipe_rnn_main(Hal& hal, const FirmwareArgs& args) {
    DyPipeDriver dp(hal);
    if (!dp.init()) {
        hal.log("FAIL dypipe: " + dp.why());
        return 1;
    }
    const DeviceInfo* dram = hal.board().first_of("dram");
    const DeviceInfo* gb = hal.board().find("global_buffer");
    if (!gb) {
        hal.log("FAIL the board has no sram named global_buffer");
        return 1;
    }
    const uint32_t samples = args.samples ? args.samples : kDefaultSamples;
    uint64_t rng = args.seed * 0x9E3779B97F4A7C15ull + 0xD1;
    std::vector<uint32_t> lens(samples);
    for (auto& l : lens) l = uint32_t(uniform(rng, 1, int(kMaxLen)));
    // Weights small enough that relu(W [x; h]) stays in fp16's comfortable range.
    std::vector<uint16_t> w(size_t(kD) * 2 * kD);
    for (auto& v : w) v = float_to_half(float(uniform(rng, -8, 8)) / 256.0f);
    std::vector<std::vector<std::vector<uint16_t>>> xs(samples, std::vector<std::vector<uint16_t>>(kMaxLen, std::vector<uint16_t>(kD)));
    for (auto& seq : xs)
        for (auto& x : seq)
            for (auto& v : x) v = float_to_half(float(uniform(rng, -16, 16)) / 8.0f);

    // DRAM: W, x[s][t] (zeros past each length: what padding feeds), h0 = 0, out[s][t].
    const uint64_t w_dram = dram->base + 0x1000000, x_dram = w_dram + 0x100000, zero_dram = x_dram + 0x200000, out_dram = zero_dram + 0x1000;
    hal.load(w_dram, w.data(), w.size() * 2);
    for (uint32_t s = 0; s < samples; ++s)
        for (uint32_t t = 0; t < kMaxLen; ++t) {
            std::vector<uint16_t> x = t < lens[s] ? xs[s][t] : std::vector<uint16_t>(kD, 0);
            hal.load(x_dram + (uint64_t(s) * kMaxLen + t) * kD * 2, x.data(), kD * 2);
        }
    const std::vector<uint16_t> zeros(kD, 0);
    hal.load(zero_dram, zeros.data(), kD * 2);
    // Global buffer: W, then two [x; h] slots.
    const uint64_t w_gb = gb->base, slot0 = gb->base + w.size() * 2;
    auto slot = [&](uint64_t g) { return slot0 + (g % 2) * 2 * kD * 2; };

    const uint32_t longest = *std::max_element(lens.begin(), lens.end());
    std::vector<std::vector<uint16_t>> finals_first;
    int failures = 0;
    for (const std::string& pipeline : args.pipelines) {
        const bool padded = pipeline == "static";
        const uint64_t t0 = hal.now_ns();
        uint64_t accel_cycles = 0, cf_ctx = 0, functions = 0, runs = 0;
        std::string error;
        // The record stream; deps are distances back in it.
        uint64_t index = 0;
        auto save = [&](ContextRecord r, std::vector<uint64_t> deps) {
            for (uint64_t d : deps) r.dep_distances.push_back(uint32_t(index - d));
            if (!dp.fits(r.words())) { // full: run what is saved, then go on
                const DyPipeRun run = dp.run(uint32_t(mode_of(pipeline)), kTimeout);
                if (!run.ok) error = run.message;
                accel_cycles += run.cycles, cf_ctx += run.cf_ctx_cycles, functions += run.functions, ++runs;
            }
            if (!dp.save(r)) error = "context buffer overflow";
            return index++;
        };
        auto io = [&](uint8_t module, uint32_t op, uint32_t block, uint64_t src, uint64_t dst, uint32_t bytes) {
            ContextRecord r;
            r.pc = module == uint8_t(dypipe::Module::Load) ? 1 : 3; // LoadFunction / StoreFunction bodies
            r.module = module, r.op = op, r.block = block, r.src = uint32_t(src), r.dst = uint32_t(dst), r.a = bytes;
            return r;
        };
        const uint64_t lw = save(io(uint8_t(dypipe::Module::Load), 0, 0, w_dram, w_gb, uint32_t(w.size() * 2)), {});
        std::vector<uint64_t> L, C, S; // per global step
        uint64_t g = 0;
        for (uint32_t s = 0; s < samples; ++s) {
            const uint32_t steps = padded ? longest : lens[s];
            for (uint32_t t = 0; t < steps; ++t, ++g) {
                const uint32_t op = 1 + s;
                // Load x_t (and, at t = 0, h_0 = 0) into slot g; it reuses the slot step g-2 computed from.
                std::vector<uint64_t> ld;
                if (g >= 2) ld.push_back(C[g - 2]);
                L.push_back(save(io(uint8_t(dypipe::Module::Load), op, t, x_dram + (uint64_t(s) * kMaxLen + t) * kD * 2, slot(g), kD * 2), ld));
                if (t == 0) // h_0: zeros into the h half (a second Load of the same block)
                    L.back() = save(io(uint8_t(dypipe::Module::Load), op, t, zero_dram, slot(g) + kD * 2, kD * 2), {L.back()});
                ContextRecord c;
                c.pc = 2; // ComputeFunction body: the fc cell
                c.module = uint8_t(dypipe::Module::Compute), c.op = op, c.block = t, c.kind = ComputeKind::FcRelu;
                c.src = uint32_t(slot(g)), c.aux = uint32_t(w_gb), c.dst = uint32_t(slot(g + 1) + kD * 2), c.a = 2 * kD, c.b = kD;
                std::vector<uint64_t> cd = {L[g], lw};
                if (t > 0) cd.push_back(C[g - 1]);       // h_t
                if (g >= 2) cd.push_back(S[g - 2]);     // h slot of g+1 was stored from there
                if (t == 0 && g >= 1) cd.push_back(C[g - 1]); // the previous sample's cell wrote this slot's h half
                C.push_back(save(c, cd));
                S.push_back(save(io(uint8_t(dypipe::Module::Store), op, t, slot(g + 1) + kD * 2, out_dram + (uint64_t(s) * kMaxLen + t) * kD * 2, kD * 2),
                                 {C[g]}));
            }
        }
        const DyPipeRun run = dp.run(uint32_t(mode_of(pipeline)), kTimeout);
        if (!run.ok) error = run.message;
        accel_cycles += run.cycles, cf_ctx += run.cf_ctx_cycles, functions += run.functions, ++runs;
        if (!error.empty()) {
            hal.log("FAIL pipeline " + pipeline + ": " + error);
            ++failures;
            continue;
        }
        // The answer of sample s is h after its own length (static computed past it: ignored).
        std::vector<std::vector<uint16_t>> finals;
        size_t wrong = 0;
        for (uint32_t s = 0; s < samples; ++s) {
            std::vector<uint16_t> h(kD);
            hal.peek(out_dram + (uint64_t(s) * kMaxLen + lens[s] - 1) * kD * 2, h.data(), kD * 2);
            if (h != reference(w, xs[s], lens[s])) ++wrong;
            finals.push_back(h);
        }
        if (finals_first.empty()) finals_first = finals;
        const bool same = finals == finals_first;
        uint64_t steps_run = 0;
        for (uint32_t s = 0; s < samples; ++s) steps_run += padded ? longest : lens[s];
        const bool ok = wrong == 0 && same;
        failures += ok ? 0 : 1;
        hal.log(std::string(ok ? "PASS" : "FAIL") + " pipeline " + pipeline + ": " + std::to_string(samples) + " sequences (" +
                std::to_string(steps_run) + " steps" + (padded ? ", padded to " + std::to_string(longest) : "") + "), " + std::to_string(functions) + " module functions in " +
                std::to_string(runs) + " runs, " + std::to_string(accel_cycles) + " accelerator cycles (CF & CTX work " + std::to_string(cf_ctx) +
                "), " + std::to_string(hal.now_ns() - t0) + " ns with the firmware; " +
                (wrong ? std::to_string(wrong) + " final states differ from the reference" : "final states bit-identical to the reference") +
                (same ? "" : "; they differ from the first pipeline's"));
        hal.metric(pipeline + ".accelerator_cycles", double(accel_cycles));
        hal.metric(pipeline + ".cf_ctx_cycles", double(cf_ctx));
        hal.metric(pipeline + ".functions", double(functions));
        hal.metric(pipeline + ".ns", double(hal.now_ns() - t0));
    }
    return failures ? 1 : 0;
}

} // namespace dynavp::fw
