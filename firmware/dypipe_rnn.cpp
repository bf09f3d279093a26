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
#include "module_functions.h"
#include "fw_util.h"
#include "ip/common/half.h"
#include "ip/dypipe/module_function.h"

namespace dynavp::fw {
namespace {

constexpr uint32_t kD = 128, kMaxLen = 20, kDefaultSamples = 8;
constexpr uint64_t kTimeout = 1000000000; // 1 s of simulated time per RUN

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
        // The loop below is the program: each step saves its module functions
        // (DyPipe Fig. 4) as the loop unfolds; a sequence's steps past its
        // length are never saved, except when static pads them.
        ModuleFunctions mf(dp, uint32_t(mode_of(pipeline)), kTimeout);
        const auto lw = mf.LoadFunction(0, 0, w_dram, w_gb, uint32_t(w.size() * 2)); // the weights stay resident
        std::vector<ModuleFunctions::Id> L, C, S;                                    // per global step g
        uint64_t g = 0;
        for (uint32_t s = 0; s < samples; ++s) {
            const uint32_t steps = padded ? longest : lens[s];
            for (uint32_t t = 0; t < steps; ++t, ++g) {
                const uint32_t op = 1 + s;
                // x_t into slot g, which step g-2 computed from (double buffering); at t = 0 also h_0 = 0.
                std::vector<ModuleFunctions::Id> slot_free;
                if (g >= 2) slot_free.push_back(C[g - 2]);
                L.push_back(mf.LoadFunction(op, t, x_dram + (uint64_t(s) * kMaxLen + t) * kD * 2, slot(g), kD * 2, slot_free));
                if (t == 0) { // the h half: the previous step's cell wrote it and its store reads it
                    std::vector<ModuleFunctions::Id> h_free = {L.back()};
                    if (g >= 1) h_free.insert(h_free.end(), {C[g - 1], S[g - 1]});
                    L.back() = mf.LoadFunction(op, t, zero_dram, slot(g) + kD * 2, kD * 2, h_free);
                }
                // h_{t+1} = relu(W [x_t; h_t]) into the h half of slot g+1.
                std::vector<ModuleFunctions::Id> cd = {L[g], lw};
                if (g >= 1) cd.push_back(C[g - 1]); // h_t (or, at t = 0, the previous cell's write into this slot)
                if (g >= 2) cd.push_back(S[g - 2]); // slot g+1's h half was stored from there
                C.push_back(mf.ComputeFunction(op, t, slot(g), w_gb, slot(g + 1) + kD * 2, 2 * kD, kD, true, cd));
                S.push_back(mf.StoreFunction(op, t, slot(g + 1) + kD * 2, out_dram + (uint64_t(s) * kMaxLen + t) * kD * 2, kD * 2, {C[g]}));
            }
        }
        if (!mf.finish()) {
            hal.log("FAIL pipeline " + pipeline + ": " + mf.error());
            ++failures;
            continue;
        }
        const uint64_t accel_cycles = mf.accelerator_cycles(), cf_ctx = mf.cf_ctx_cycles(), functions = mf.functions(), runs = mf.runs();
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
