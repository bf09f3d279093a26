#include "bench.h"

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "ip/dram/dram.h"
#include "ip/dram/dram_traffic.h"
#include "platform/config_reader.h"
#include "platform/platform_config.h"
#include "platform/stats.h"
#include "sim/run.h"

namespace dynavp {

int bench_dram_command(const BenchOptions& o) {
    const PlatformConfig cfg = load_platform(o.platform);
    const DeviceConfig* dev = cfg.first_of(DeviceType::Dram);
    DramDeviceConfig d = dev->dram;
    if (!o.preset.empty()) {
        const DramTimingParams* p = find_dram_preset(o.preset);
        if (!p) {
            std::string names;
            for (const auto& n : dram_preset_names()) names += (names.empty() ? "" : ", ") + n;
            throw ConfigError("--preset", "", "unknown DRAM preset \"" + o.preset + "\" (known: " + names + ")");
        }
        d.timing = *p;
        d.interleave_bytes = std::max<uint64_t>(d.interleave_bytes, p->burst_bytes());
    }
    if (!o.mapping.empty()) d.address_mapping = o.mapping;
    DramAddressMap map;
    if (std::string e = map.configure(d.address_mapping, d.timing, d.channels, d.interleave_bytes); !e.empty()) throw ConfigError("--mapping", "", e);
    if (o.mode != "queue" && o.mode != "call") throw ConfigError("--mode", "", "\"" + o.mode + "\" (known: queue, call)");
    if (o.requests == 0 || o.requests > (uint64_t(1) << 40)) throw ConfigError("--requests", "", "must be in [1, 2^40]");
    if (o.outstanding > int64_t(1) << 20) throw ConfigError("--outstanding", "", "must be in [0, 2^20] (0: as many as the queues hold)");
    if (o.trace.empty() && o.as_fast_as_possible) throw ConfigError("--trace-as-fast-as-possible", "", "applies to --trace only");
    std::vector<DramPattern> patterns;
    if (o.trace.empty()) {
        for (const std::string& spec : split_list(o.patterns)) {
            DramPattern p;
            std::string why;
            if (!parse_pattern(spec, p, why)) throw ConfigError("--pattern", "", why);
            patterns.push_back(p);
        }
        if (patterns.empty()) throw ConfigError("--pattern", "", "no pattern given");
        if (!o.trace_out.empty() && patterns.size() != 1) throw ConfigError("--trace-out", "", "writes one pattern: give exactly one --pattern");
    } else if (!o.trace_out.empty()) {
        throw ConfigError("--trace-out", "", "writes a generated pattern, not a replayed trace");
    }

    DramReplayOptions ro;
    ro.call_mode = o.mode == "call";
    ro.as_fast_as_possible = o.as_fast_as_possible;
    // Patterns: 32 reads in flight unless asked; a trace: its own pacing (only the queues limit it) unless asked.
    ro.outstanding = o.outstanding >= 0 ? uint32_t(o.outstanding) : o.trace.empty() ? 32 : 0;
    const uint64_t span = std::min<uint64_t>(dev->size, uint64_t(d.channels) * d.timing.channel_bytes());
    const double peak = d.timing.peak_bytes_per_second() * d.channels;
    std::printf("dynavp bench dram: %s, %u x %s (%u rank%s), mapping %s, %s %s page, %s mode, %s\n", cfg.name.c_str(), d.channels,
                d.timing.name.c_str(), d.timing.ranks, d.timing.ranks > 1 ? "s" : "", map.spec().c_str(), to_string(d.controller.scheduler),
                to_string(d.controller.page), o.mode.c_str(),
                ro.outstanding ? (std::to_string(ro.outstanding) + " reads in flight").c_str() : "in flight as the queues allow");
    std::printf("  %-10s %9s %7s %6s %6s %8s %6s %6s %6s %7s %7s %6s %6s %7s %10s\n", "pattern", "requests", "GB/s", "%peak", "rowhit",
                "lat ns", "p50", "p95", "p99", "queue", "service", "r->w", "w->r", "pJ/B", "Mreq/host-s");
    nlohmann::json out = {{"platform", cfg.name}, {"dram_preset", d.timing.name}, {"channels", d.channels}, {"ranks", d.timing.ranks},
                          {"address_mapping", map.spec()}, {"mode", o.mode}, {"outstanding", ro.outstanding},
                          {"peak_bytes_per_second", peak}, {"results", nlohmann::json::array()}};
    auto run = [&](const std::string& name, DramRequestSource& src) {
        bool shown = false;
        ro.progress = [&](uint64_t n) {
            if (o.quiet) return;
            std::fprintf(stderr, "\r[bench dram] %s: %llu requests", name.c_str(), (unsigned long long)n);
            shown = true;
        };
        DramReplayResult r = dram_replay(d.timing, d.controller, map, d.channels, src, ro);
        if (shown) std::fprintf(stderr, "\r%60s\r", "");
        if (!r.error.empty()) {
            const auto* tf = dynamic_cast<const DramTraceFile*>(&src);
            if (tf) throw ConfigError(o.trace, "line " + std::to_string(tf->error_line()), tf->error_reason());
            throw ConfigError(name, "", r.error);
        }
        Stats s;
        report_dram_channels(s, "dram", d.timing, r.channels);
        const double bw = r.bytes_per_second(d.timing);
        const double tck = double(d.timing.tCK_ps) / 1000.0;
        const double rate = r.host_seconds > 0 ? double(r.requests) / r.host_seconds : 0.0;
        const double epb = r.bytes ? s.number("dram.energy_pj.total") / double(r.bytes) : 0.0;
        std::printf("  %-10s %9llu %7.2f %5.1f%% %5.1f%% %8.1f %6.0f %6.0f %6.0f %7.1f %7.1f %6llu %6llu %7.1f %10.2f\n", name.c_str(),
                    (unsigned long long)r.requests, bw / 1e9, 100 * bw / peak, 100 * s.number("dram.row_hit_rate"),
                    s.number("dram.latency.read.mean_ns"), s.number("dram.latency.read.p50_cycles") * tck, s.number("dram.latency.read.p95_cycles") * tck,
                    s.number("dram.latency.read.p99_cycles") * tck, s.number("dram.latency.read_queueing.mean_ns"),
                    s.number("dram.latency.read_service_mean_ns"), (unsigned long long)s.u64("dram.turnarounds.read_to_write"),
                    (unsigned long long)s.u64("dram.turnarounds.write_to_read"), epb, rate / 1e6);
        nlohmann::json j = s.to_json()["dram"];
        j["pattern"] = name;
        j["requests"] = r.requests;
        j["reads"] = r.reads;
        j["writes"] = r.writes;
        j["bytes"] = r.bytes;
        j["first_cycle"] = r.first_cycle;
        j["end_cycle"] = r.end_cycle;
        j["bytes_per_second"] = bw;
        j["fraction_of_peak"] = bw / peak;
        j["host_seconds"] = r.host_seconds;
        j["requests_per_host_second"] = rate;
        out["results"].push_back(j);
    };
    if (!o.trace.empty()) {
        DramTraceFile tf(o.trace);
        if (!tf.ok()) throw ConfigError(o.trace, "", "cannot open the trace file");
        run("trace", tf);
    } else {
        for (const DramPattern& p : patterns) {
            DramPatternSource src(p, span, d.timing.burst_bytes(), o.requests, o.seed);
            if (o.trace_out.empty()) {
                run(p.name, src);
                continue;
            }
            // The same requests written as a DRAMSim3 trace while they are replayed, one per clock.
            struct Tee : DramRequestSource {
                DramRequestSource& in;
                std::ofstream out;
                uint64_t i = 0;
                Tee(DramRequestSource& s, const std::string& path) : in(s), out(path) {}
                bool next(DramRequest& r) override {
                    if (!in.next(r)) return false;
                    DramRequest w = r;
                    w.cycle = i++;
                    out << format_trace_line(w) << "\n";
                    return true;
                }
            } tee(src, o.trace_out);
            if (!tee.out) throw ConfigError(o.trace_out, "", "cannot write the trace file");
            run(p.name, tee);
            tee.out.close();
            if (!tee.out) throw ConfigError(o.trace_out, "", "cannot write the trace file");
        }
    }
    std::printf("  (latencies of reads, ns: mean, percentiles; queue = arrival to first command, service = first command to last data beat)\n");
    if (!o.json_out.empty()) {
        std::ofstream f(o.json_out);
        f << out.dump(2) << "\n";
        f.close();
        if (!f) throw ConfigError(o.json_out, "", "cannot write the bench file");
    }
    return 0;
}

} // namespace dynavp
