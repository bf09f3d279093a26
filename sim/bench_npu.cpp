// `dynavp bench npu` (see bench.h). One board runs every case in turn; the
// harness switches the engine between functional and timing-only between
// launches. Schedules come from the `offline` mapper (their search time is
// reported apart from the simulation's).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "bench.h"
#include "firmware/drivers/npu_driver.h"
#include "ip/common/tlm_util.h"
#include "ip/core/functional.h"
#include "ip/core/layout.h"
#include "ip/scheduling/mappers.h"
#include "platform/board.h"
#include "platform/config_reader.h"
#include "workloads/zoo.h"

namespace dynavp {
namespace {

struct Case {
    std::string name;
    std::vector<std::pair<std::string, sched::Operator>> layers;
    bool timing_only;
};

struct Result {
    std::string name;
    bool timing_only = false, ok = true;
    std::string error;
    uint64_t layers = 0, macs = 0, cycles = 0;
    double model_cycles = 0, sim_seconds = 0, host_seconds = 0, mapper_seconds = 0;
    nlohmann::json per_layer = nlohmann::json::array();
};

double secs_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

int bench_npu_command(const NpuBenchOptions& o) {
    PlatformConfig cfg = load_platform(o.platform);
    if (!cfg.first_of(DeviceType::Npu)) throw ConfigError(cfg.source, "/devices", "the platform has no device of type \"npu\"");
    const sched::Hardware hw = sched::hardware_from_platform(cfg);

    const sched::Operator conv = sched::parse_operator("R=3,S=3,P=56,Q=56,C=256,K=256");  // VGG16 conv3_2 (workloads/zoo/vgg16.json)
    const sched::Operator ffn = sched::parse_operator("P=1,Q=128,C=768,K=3072");          // BERT-base FFN1, 128 tokens (REFERENCE-DATA.md)
    std::vector<std::pair<std::string, sched::Operator>> vgg;
    for (const auto& l : load_zoo_network("vgg16").layers) vgg.emplace_back(l.name, l.op);
    // VGG16's classifier, FC 25088->4096->4096->1000 (REFERENCE-DATA.md "Layer shapes"), as matmuls.
    vgg.emplace_back("fc6", sched::parse_operator("P=1,Q=1,C=25088,K=4096"));
    vgg.emplace_back("fc7", sched::parse_operator("P=1,Q=1,C=4096,K=4096"));
    vgg.emplace_back("fc8", sched::parse_operator("P=1,Q=1,C=4096,K=1000"));
    std::vector<Case> cases = {
        {"vgg16-conv3_2", {{"conv3_2", conv}}, false},   {"vgg16-conv3_2-timing", {{"conv3_2", conv}}, true},
        {"bert-ffn1", {{"ffn1", ffn}}, false},           {"bert-ffn1-timing", {{"ffn1", ffn}}, true},
        {"vgg16-full-timing", vgg, true},
    };
    if (!o.only.empty()) {
        std::vector<Case> keep;
        for (auto& c : cases)
            if (c.name == o.only) keep.push_back(c);
        if (keep.empty()) {
            std::string names;
            for (auto& c : cases) names += (names.empty() ? "" : ", ") + c.name;
            throw ConfigError("--case", "", "unknown case \"" + o.only + "\" (known: " + names + ")");
        }
        cases = keep;
    }

    Board board(cfg);
    std::vector<Result> results;
    board.host().set_firmware([&](fw::Hal& hal) {
        const fw::DeviceInfo* dram = hal.board().first_of("dram");
        fw::NpuDriver drv(hal, dram->base + 0x100000);
        if (!drv.init()) {
            hal.log("npu init: " + drv.why());
            return 1;
        }
        uint64_t rng = o.seed * 0x9E3779B97F4A7C15ull + 3;
        for (const Case& c : cases) {
            Result r;
            r.name = c.name;
            r.timing_only = c.timing_only;
            board.npu()->set_timing_only(c.timing_only);
            for (size_t i = 0; i < c.layers.size() && r.ok; ++i) {
                const sched::Operator& op = c.layers[i].second;
                std::fprintf(stderr, "\r[bench npu] %s: %s (%zu/%zu)        ", c.name.c_str(), c.layers[i].first.c_str(), i + 1, c.layers.size());
                const auto tm = std::chrono::steady_clock::now();
                sched::MapperOptions mo;
                mo.seed = o.seed;
                const sched::MapResult m = sched::search_schedule(op, hw, mo);
                r.mapper_seconds += secs_since(tm);
                fw::NpuTensorJob job;
                job.op = m.executed;
                job.schedule = m.schedule;
                job.scale = 1.0f / 256;
                // Activations ping-pong between two DRAM regions, weights per layer.
                job.in_addr = dram->base + (i % 2 ? 0x10000000 : 0x20000000);
                job.out_addr = dram->base + (i % 2 ? 0x20000000 : 0x10000000);
                job.w_addr = dram->base + 0x40000000;
                job.psum_addr = dram->base + 0x30000000;
                job.weight_layout = uint32_t(core::WeightLayout::Blocked); // weights laid out per GLB tile, as a compiler would
                job.pad = op[sched::R] == 3 ? 1 : 0; // VGG16's 3x3 convs pad by 1: activations are stored without the border
                if (!c.timing_only) {
                    const uint64_t stored_in = uint64_t(job.op[sched::N]) * job.op[sched::C] * (job.op.input_extent(job.op[sched::P], job.op[sched::R]) - 2 * job.pad) *
                                               (job.op.input_extent(job.op[sched::Q], job.op[sched::S]) - 2 * job.pad);
                    std::vector<int8_t> in(stored_in), w(core::weight_elems(job.op));
                    for (auto* v : {&in, &w})
                        for (auto& e : *v) {
                            rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
                            e = int8_t((rng * 0x2545F4914F6CDD1Dull) >> 56);
                        }
                    hal.load(job.in_addr, in.data(), in.size());
                    const auto wb = core::to_blocked(job.op, core::weight_blocking(job.op, job.schedule), w);
                    hal.load(job.w_addr, wb.data(), wb.size());
                }
                const size_t launches_before = board.npu()->launch_log().size();
                const auto th = std::chrono::steady_clock::now();
                const uint64_t t0 = hal.now_ns();
                const fw::NpuResult res = drv.run(job, 0);
                r.host_seconds += secs_since(th);
                r.sim_seconds += double(hal.now_ns() - t0) * 1e-9;
                if (!res.ok) {
                    r.ok = false;
                    r.error = c.layers[i].first + ": " + res.message;
                }
                const nlohmann::json launch = board.npu()->launch_log().size() > launches_before ? board.npu()->launch_log().back() : nlohmann::json::object();
                const uint64_t dram_bytes = launch.empty() ? 0 : launch["bytes"]["dram_read"].get<uint64_t>() + launch["bytes"]["dram_write"].get<uint64_t>();
                r.per_layer.push_back({{"layer", c.layers[i].first}, {"operator", op.to_string()}, {"cores", res.cores_used},
                                       {"cycles", res.cycles}, {"cost_model_cycles", m.cost.cycles}, {"macs", op.macs()},
                                       {"dram_bytes", dram_bytes},
                                       {"dram_bound_cycles", double(dram_bytes) / hw.levels.back().bytes_per_cycle}});
                r.cycles += res.cycles;
                r.model_cycles += m.cost.cycles;
                r.macs += op.macs();
                ++r.layers;
            }
            results.push_back(r);
        }
        std::fprintf(stderr, "\r%60s\r", "");
        return 0;
    });
    sc_core::sc_start();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const double peak_mib = double(ru.ru_maxrss) / 1024.0;

    const double pes = double(hw.total_pes());
    std::printf("dynavp bench npu on %s (%u cores x %ux%u PEs, %.0f MHz)\n", cfg.name.c_str(), cfg.npu.cores, cfg.npu.pe_rows, cfg.npu.pe_cols,
                cfg.clock_mhz);
    std::printf("  %-22s %7s %10s %13s %13s %7s %7s %8s %9s %11s\n", "case", "layers", "GMAC", "cycles", "model cycles", "sim/mod",
                "PE util", "host s", "mapper s", "Mcycles/s");
    nlohmann::json j = {{"platform", cfg.name}, {"peak_rss_mib", peak_mib}, {"cases", nlohmann::json::array()}};
    bool ok = true;
    for (const Result& r : results) {
        const double util = r.cycles ? double(r.macs) / (double(r.cycles) * pes) : 0;
        const double speed = r.host_seconds > 0 ? double(r.cycles) / r.host_seconds / 1e6 : 0;
        std::printf("  %-22s %7lu %10.3f %13lu %13.0f %7.3f %6.1f%% %8.2f %9.2f %11.2f%s\n", r.name.c_str(), (unsigned long)r.layers,
                    double(r.macs) / 1e9, (unsigned long)r.cycles, r.model_cycles, r.model_cycles > 0 ? double(r.cycles) / r.model_cycles : 0,
                    100 * util, r.host_seconds, r.mapper_seconds, speed, r.ok ? "" : ("  FAILED: " + r.error).c_str());
        ok &= r.ok;
        j["cases"].push_back({{"name", r.name},
                              {"timing_only", r.timing_only},
                              {"ok", r.ok},
                              {"layers", r.layers},
                              {"macs", r.macs},
                              {"cycles", r.cycles},
                              {"cost_model_cycles", r.model_cycles},
                              {"pe_utilization", util},
                              {"seconds_simulated", r.sim_seconds},
                              {"host_seconds", r.host_seconds},
                              {"mapper_seconds", r.mapper_seconds},
                              {"simulated_cycles_per_host_second", speed},
                              {"layers_detail", r.per_layer}});
        if (o.verbose && r.per_layer.size() > 1)
            for (const auto& l : r.per_layer)
                std::printf("      %-8s %-36s %2u cores %10lu cycles, model %10.0f (x%.2f), DRAM %7.2f MB, at peak %9.0f cycles\n",
                            l["layer"].get<std::string>().c_str(), l["operator"].get<std::string>().c_str(), l["cores"].get<uint32_t>(),
                            (unsigned long)l["cycles"].get<uint64_t>(), l["cost_model_cycles"].get<double>(),
                            double(l["cycles"].get<uint64_t>()) / l["cost_model_cycles"].get<double>(), l["dram_bytes"].get<double>() / 1e6,
                            l["dram_bound_cycles"].get<double>());
    }
    std::printf("  peak RSS of the process: %.1f MiB (all cases; run one with --case to see its own)\n", peak_mib);
    if (!o.json_out.empty()) {
        std::ofstream f(o.json_out);
        if (!f) throw ConfigError(o.json_out, "", "cannot write the results file");
        f << j.dump(2) << "\n";
    }
    return ok ? 0 : 1;
}

} // namespace dynavp
