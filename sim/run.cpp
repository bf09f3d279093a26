#include "run.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "firmware/firmware_registry.h"
#include "ip/common/tlm_util.h"
#include "platform/board.h"
#include "platform/config_reader.h"
#include "platform/trace.h"
#include "firmware/runtime/model_runtime.h"
#include "workloads/decisions.h"
#include "workloads/zoo.h"

namespace dynavp {

static void resolve_design(const RunOptions& o, const fw::FirmwareInfo& image, fw::FirmwareArgs& args) {
    if (image.takes_pipeline) {
        if (!o.design.empty() || !o.sched.empty() || !o.prefetch.empty())
            throw ConfigError(!o.design.empty() ? "--design" : !o.sched.empty() ? "--sched" : "--prefetch", "",
                              std::string("firmware \"") + image.name + "\" runs on the DyPipe accelerator: it takes --pipeline, not DNA designs");
        if (o.pipeline == "all") args.pipelines = {"none", "static", "dynamic"};
        else if (o.pipeline.empty()) args.pipelines = {"dynamic"};
        else if (o.pipeline == "none" || o.pipeline == "static" || o.pipeline == "dynamic") args.pipelines = {o.pipeline};
        else throw ConfigError("--pipeline", "", "unknown pipeline \"" + o.pipeline + "\" (known: none, static, dynamic, all)");
        if (o.samples > 10000) throw ConfigError("--samples", "", "at most 10000 samples");
        args.samples = o.samples;
        return;
    }
    if (!o.pipeline.empty()) throw ConfigError("--pipeline", "", std::string("firmware \"") + image.name + "\" does not run on the DyPipe accelerator");
    if (!image.takes_design) {
        const char* given = !o.design.empty() ? "--design" : !o.sched.empty() ? "--sched" : !o.prefetch.empty() ? "--prefetch" : o.samples ? "--samples" : nullptr;
        if (given) throw ConfigError(given, "", std::string("firmware \"") + image.name + "\" runs no dynamic NN: it has no design, policies or samples");
        return;
    }
    auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
        return s;
    };
    const std::string name = o.design.empty() ? "dna" : o.design;
    bool found = false;
    std::vector<std::string> names;
    for (const auto& d : fw::named_designs()) {
        names.push_back(d.name);
        if (name == d.name) args.design = d.design, found = true;
    }
    if (!found) throw ConfigError("--design", "", "unknown design \"" + name + "\" (known: " + join(names) + ")");
    args.design_name = name;
    auto check = [&](const std::string& v, const std::vector<std::string>& known, const char* opt, std::string& field) {
        if (v.empty()) return;
        if (std::find(known.begin(), known.end(), v) == known.end())
            throw ConfigError(opt, "", "unknown policy \"" + v + "\" (known: " + join(known) + ")");
        field = v;
    };
    check(o.sched, fw::sched_policies(), "--sched", args.design.sched);
    check(o.prefetch, fw::prefetch_policies(), "--prefetch", args.design.prefetch);
    // The pair may now be another named design, or none of them.
    args.design_name = "custom";
    for (const auto& d : fw::named_designs())
        if (d.design.sched == args.design.sched && d.design.prefetch == args.design.prefetch) args.design_name = d.name;
    if (o.samples > 100000) throw ConfigError("--samples", "", "at most 100000 samples");
    args.samples = o.samples;
}

namespace {
RtlAttachFn& rtl_attach() {
    static RtlAttachFn f;
    return f;
}
} // namespace

void set_rtl_attach(RtlAttachFn f) { rtl_attach() = std::move(f); }

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> v;
    for (size_t a = 0, b; a < s.size(); a = b + 1) {
        b = s.find(',', a);
        if (b == std::string::npos) b = s.size();
        if (b > a) v.push_back(s.substr(a, b - a));
    }
    return v;
}

int run_command(const RunOptions& o) {
    PlatformConfig cfg = load_platform(o.platform);
    const fw::FirmwareInfo* image = fw::find_firmware(o.firmware);
    if (!image) {
        std::string names;
        for (const auto& f : fw::firmware_images()) names += (names.empty() ? "" : ", ") + std::string(f.name);
        throw ConfigError("--firmware", "", "unknown firmware \"" + o.firmware + "\" (known: " + names + ")");
    }

    fw::FirmwareArgs args;
    args.seed = o.seed;
    args.platform = &cfg;
    resolve_design(o, *image, args);
    ZooNetwork net;
    DecisionTrace trace;
    std::string decisions_source;
    if (image->takes_workload) {
        if (o.workload.empty()) {
            std::string names;
            for (const auto& n : zoo_network_names()) names += (names.empty() ? "" : ", ") + n;
            throw ConfigError("--workload", "", std::string("firmware \"") + image->name + "\" needs a model (known: " + names + ")");
        }
        net = load_zoo_network(o.workload);
        args.workload = &net;
        if (!args.samples) args.samples = 1;
        const std::string why = fw::functional_support(net);
        std::string mode = o.decisions;
        if (mode.empty()) mode = why.empty() && !o.timing_only ? "functional" : "generate";
        if (mode == "functional") {
            if (!why.empty()) throw ConfigError("--decisions", "", "functional agents cannot run " + net.name + ": " + why + " (use --decisions generate or a trace file)");
            if (o.timing_only) throw ConfigError("--decisions", "", "functional agents need real activations: not with --timing-only");
            decisions_source = "functional";
        } else if (mode == "generate") {
            trace = generate_trace(net, args.samples, o.seed);
            args.decisions = &trace;
            decisions_source = "generated";
        } else {
            trace = read_trace(mode, net);
            if (trace.samples < args.samples)
                throw ConfigError(mode, "", "the trace has " + std::to_string(trace.samples) + " samples, --samples asks for " + std::to_string(args.samples));
            args.decisions = &trace;
            decisions_source = mode;
        }
        if (!o.save_decisions.empty()) {
            if (!args.decisions) throw ConfigError("--save-decisions", "", "functional decisions are made on the board; save generated or file traces");
            write_trace(o.save_decisions, trace, net);
        }
    } else if (!o.workload.empty() || !o.decisions.empty()) {
        throw ConfigError(!o.workload.empty() ? "--workload" : "--decisions", "",
                          std::string("firmware \"") + image->name + "\" runs no zoo model (the runtime firmware does: --firmware runtime)");
    }

    const auto host_t0 = std::chrono::steady_clock::now();
    board_trace().enable(!o.trace_out.empty());
    NpuOptions npu_opt;
    npu_opt.timing_only = o.timing_only;
    Board board(cfg, npu_opt);
    std::function<void(Stats&)> rtl_report;
    const std::vector<std::string> rtl_blocks = split_list(o.rtl);
    if (!rtl_blocks.empty() || !o.vcd.empty()) {
        if (!rtl_attach()) throw ConfigError("--rtl", "", "this build has no RTL blocks (configure with -DDYNAVP_RTL=ON; Verilator is needed: bash scripts/setup.sh)");
        if (rtl_blocks.empty()) throw ConfigError("--vcd", "", "waveforms are of RTL blocks: give --rtl too");
        rtl_report = rtl_attach()(board, rtl_blocks, o.vcd);
    }
    board.host().set_firmware([&](fw::Hal& hal) { return image->entry(hal, args); });

    // Run in slices so long runs can show progress (stderr, after 1 s of host time).
    const sc_core::sc_time slice(100, sc_core::SC_US);
    const double max_ps = o.max_sim_ms * 1e9;
    bool progress_shown = false;
    auto last_print = host_t0;
    while (!board.host().finished() && double(now_ps()) < max_ps && sc_core::sc_get_status() != sc_core::SC_STOPPED) {
        sc_core::sc_start(slice);
        const auto now = std::chrono::steady_clock::now();
        if (now - last_print > std::chrono::seconds(1)) {
            std::fprintf(stderr, "\r[dynavp] %s on %s: %.3f ms simulated, %.1f s host", o.firmware.c_str(), cfg.name.c_str(),
                         double(now_ps()) / 1e9, std::chrono::duration<double>(now - host_t0).count());
            progress_shown = true;
            last_print = now;
        }
    }
    if (progress_shown) std::fprintf(stderr, "\n");
    const double host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - host_t0).count();

    const bool timed_out = !board.host().finished();
    const bool pass = !timed_out && board.host().exit_code() == 0;
    Stats s;
    const uint64_t sim_ps = now_ps();
    s.set("schema_version", uint64_t(1));
    s.set("platform.name", cfg.name);
    s.set("platform.source", cfg.source);
    s.set("platform.clock_mhz", cfg.clock_mhz);
    s.set("platform.npu.cores", uint64_t(cfg.npu.cores));
    s.set("platform.npu.pe_rows", uint64_t(cfg.npu.pe_rows));
    s.set("platform.npu.pe_cols", uint64_t(cfg.npu.pe_cols));
    s.set("seed", o.seed);
    s.set("cycles", sim_ps / board.board_clock_ps());
    s.set("seconds_simulated", double(sim_ps) * 1e-12);
    s.set("host_seconds", host_seconds);
    s.set("firmware.name", o.firmware);
    s.set("firmware.status", pass ? "pass" : "fail");
    s.set("firmware.exit_code", int64_t(board.host().exit_code()));
    s.set("firmware.timed_out", timed_out);
    if (image->takes_pipeline) {
        std::string p;
        for (const auto& x : args.pipelines) p += (p.empty() ? "" : ",") + x;
        s.set("firmware.pipeline", p);
    }
    if (image->takes_workload) {
        s.set("firmware.workload.name", net.name);
        s.set("firmware.workload.category", net.category);
        s.set("firmware.workload.decisions", decisions_source);
    }
    if (image->takes_design) {
        s.set("firmware.design.name", args.design_name);
        s.set("firmware.design.sched", args.design.sched);
        s.set("firmware.design.prefetch", args.design.prefetch);
    }
    for (const auto& [k, v] : board.host().metrics()) s.set("firmware.metrics." + k, v);
    board.report(s);
    if (rtl_report) {
        std::string list;
        for (const auto& b : rtl_blocks) list += (list.empty() ? "" : ",") + b;
        s.set("rtl.blocks", list);
        rtl_report(s);
    }
    // Everything that has an energy figure: the NPU engine, the predictor's
    // tile moves and main memory. Where the DRAM device is simulated with its
    // datasheet currents (dram.energy_modelled), its command and background
    // energy replaces the flat pJ per byte (REFERENCE-DATA "Energy per action")
    // that the NPU and the predictor charge for their DRAM bytes.
    auto num = [&](const char* k) { return s.has(k) ? s.number(k) : 0.0; };
    const double flat_dram = num("npu.energy_pj.dram") + num("predictor.energy_pj.dram");
    const double on_chip = num("npu.energy_pj.total") + num("predictor.energy_pj.total") - flat_dram;
    const bool dram_sim = s.has("dram.energy_modelled") && std::get<bool>(s.get("dram.energy_modelled"));
    const double dram_e = dram_sim ? num("dram.energy_pj.total") : flat_dram;
    s.set("energy_pj.on_chip", on_chip);
    s.set("energy_pj.dram", dram_e);
    s.set("energy_pj.dram_model", std::string(dram_sim ? "simulated (IDD currents, ip/dram)" : "flat pJ per byte"));
    s.set("energy_pj.total", on_chip + dram_e);

    nlohmann::json j = s.to_json();
    j["firmware"]["log"] = board.host().log_lines();
    nlohmann::json errs = nlohmann::json::array();
    for (const auto& e : board.bus().error_log())
        errs.push_back({{"time_ns", double(e.time_ps) / 1000.0}, {"initiator", e.initiator}, {"address", e.address},
                        {"write", e.write}, {"response", e.response}});
    j["bus"]["error_log"] = errs;
    if (board.npu()) j["npu"]["launch_log"] = board.npu()->launch_log();

    if (!o.json_out.empty()) {
        std::ofstream out(o.json_out);
        if (!out) throw ConfigError(o.json_out, "", "cannot write the stats file");
        out << j.dump(2) << "\n";
    }
    if (!o.trace_out.empty()) {
        std::ofstream out(o.trace_out);
        if (!out) throw ConfigError(o.trace_out, "", "cannot write the trace file");
        out << board_trace().to_json().dump() << "\n";
    }
    if (!o.quiet) std::cout << summary_table(j);
    if (timed_out) std::fprintf(stderr, "dynavp: firmware did not finish within %.0f ms of simulated time\n", o.max_sim_ms);
    return pass ? 0 : 1;
}

namespace {
std::string human_bytes(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB"};
    int u = 0;
    while (b >= 1024 && u < 3) {
        b /= 1024;
        ++u;
    }
    std::ostringstream os;
    os << std::fixed << std::setprecision(u ? 2 : 0) << b << " " << units[u];
    return os.str();
}
} // namespace

std::string summary_table(const nlohmann::json& j) {
    std::ostringstream os;
    auto row = [&](const std::string& k, const std::string& v) { os << "  " << std::left << std::setw(30) << k << (k.size() >= 30 ? " " : "") << v << "\n"; };
    const double secs = j["seconds_simulated"].get<double>();
    os << "dynavp run: firmware '" << j["firmware"]["name"].get<std::string>() << "' on '" << j["platform"]["name"].get<std::string>()
       << "'\n";
    for (const auto& line : j["firmware"]["log"]) os << "    " << line.get<std::string>() << "\n";
    std::ostringstream t;
    t << j["cycles"].get<uint64_t>() << " cycles @ " << j["platform"]["clock_mhz"].get<double>() << " MHz = " << std::fixed
      << std::setprecision(3) << secs * 1e6 << " us";
    row("simulated time", t.str());
    std::ostringstream h;
    h << std::fixed << std::setprecision(3) << j["host_seconds"].get<double>() << " s";
    row("host time", h.str());
    const auto& d = j["dram"];
    const double moved = d["bytes_read"].get<double>() + d["bytes_written"].get<double>();
    std::ostringstream bw;
    bw << human_bytes(d["bytes_read"].get<double>()) << " read, " << human_bytes(d["bytes_written"].get<double>()) << " written";
    row("DRAM traffic (" + d["preset"].get<std::string>() + ")", bw.str());
    std::ostringstream rb;
    const double hits = d["row_hits"].get<double>(), misses = d["row_misses"].get<double>();
    rb << std::fixed << std::setprecision(1) << (hits + misses > 0 ? 100.0 * hits / (hits + misses) : 0.0) << "% row hits ("
       << d["row_hits"].get<uint64_t>() << " hits, " << d["row_misses"].get<uint64_t>() << " misses, " << d["refreshes"].get<uint64_t>()
       << " refreshes)";
    row("DRAM row buffer", rb.str());
    std::ostringstream avg;
    avg << std::fixed << std::setprecision(2) << (secs > 0 ? moved / secs / 1e9 : 0.0) << " GB/s over the run (peak "
        << d["peak_bytes_per_second"].get<double>() / 1e9 << ")";
    row("DRAM bandwidth", avg.str());
    std::ostringstream lat;
    lat << std::fixed << std::setprecision(0) << d["latency"]["read"]["mean_ns"].get<double>() << " ns mean, p99 "
        << d["latency"]["read"]["p99_ns"].get<double>() << " ns (queueing " << d["latency"]["read_queueing"]["mean_ns"].get<double>()
        << " ns, service " << d["latency"]["read_service_mean_ns"].get<double>() << " ns), " << d["turnarounds"]["read_to_write"].get<uint64_t>()
        << " bus turnarounds";
    row("DRAM read latency", lat.str());
    if (d["energy_modelled"].get<bool>()) {
        const auto& de = d["energy_pj"];
        const double t = std::max(1.0, de["total"].get<double>());
        std::ostringstream e;
        e << std::fixed << std::setprecision(2) << de["total"].get<double>() / 1e6 << " uJ (activate " << std::setprecision(0)
          << 100 * de["activate"].get<double>() / t << "%, read/write " << 100 * (de["read"].get<double>() + de["write"].get<double>()) / t
          << "%, refresh " << 100 * de["refresh"].get<double>() / t << "%, background "
          << 100 * (de["background_active"].get<double>() + de["background_precharged"].get<double>()) / t << "%)";
        row("DRAM energy", e.str());
    }
    if (j.contains("npu") && j["npu"]["launches"].get<uint64_t>() > 0) {
        const auto& n = j["npu"];
        std::ostringstream u;
        u << std::fixed << std::setprecision(1) << 100.0 * n["pe_utilization"].get<double>() << "% while active (" << n["macs"].get<uint64_t>()
          << " MACs, " << n["launches"].get<uint64_t>() << " launches" << (n["timing_only"].get<bool>() ? ", timing only" : "") << ")";
        row("NPU PE utilisation", u.str());
        const auto& b = n["bytes"];
        row("NPU traffic", "DRAM " + human_bytes(b["dram_read"].get<double>() + b["dram_write"].get<double>()) + ", prefetch buf " +
                               human_bytes(b["prefetch_read"].get<double>()) + ", GLB " +
                               human_bytes(b["glb_read"].get<double>() + b["glb_write"].get<double>()) + ", core buffers " +
                               human_bytes(b["core_buffer_fill"].get<double>() + b["core_buffer_drain"].get<double>()));
        const auto& e = n["energy_pj"];
        std::ostringstream en;
        const double onchip = e["total"].get<double>() - e["dram"].get<double>();
        en << std::fixed << std::setprecision(2) << onchip / 1e6 << " uJ on chip (";
        const char* parts[] = {"pe", "registers", "core_buffers", "glb", "prefetch_buffer", "noc", "leakage"};
        for (size_t i = 0; i < 7; ++i)
            en << (i ? ", " : "") << parts[i] << " " << std::setprecision(0) << 100.0 * e[parts[i]].get<double>() / std::max(1.0, onchip) << "%";
        en << ")";
        row("NPU energy", en.str());
        if (j.contains("predictor") && j["predictor"]["energy_pj"]["total"].get<double>() > 0) {
            std::ostringstream pe;
            pe << std::fixed << std::setprecision(2) << j["predictor"]["energy_pj"]["prefetch_buffer"].get<double>() / 1e6
               << " uJ writing tiles into the prefetch buffer";
            row("predictor energy", pe.str());
        }
    }
    if (j.contains("firmware") && j["firmware"].contains("workload")) {
        const auto& w = j["firmware"]["workload"];
        row("workload", w["name"].get<std::string>() + " (" + w["category"].get<std::string>() + "), decisions " + w["decisions"].get<std::string>());
    }
    if (j.contains("firmware") && j["firmware"].contains("design")) {
        const auto& d = j["firmware"]["design"];
        row("design", d["name"].get<std::string>() + " (scheduling " + d["sched"].get<std::string>() + ", prefetch " + d["prefetch"].get<std::string>() + ")");
    }
    if (j.contains("transverter") && j["transverter"]["runs"].get<uint64_t>() > 0) {
        const auto& t = j["transverter"];
        const double runs = t["runs"].get<double>();
        std::ostringstream tv;
        tv << t["runs"].get<uint64_t>() << " runs, " << t["busy_cycles"].get<uint64_t>() << " cycles (" << std::fixed << std::setprecision(1)
           << t["busy_cycles"].get<double>() / runs << " per run, " << t["table_updates"].get<double>() / runs << " table updates per run)";
        row("transverter", tv.str());
    }
    if (j.contains("predictor") && j["predictor"]["resolves"].get<uint64_t>() > 0) {
        const auto& p = j["predictor"];
        std::ostringstream pa;
        pa << std::fixed << std::setprecision(1);
        if (p["tile_decisions"].get<uint64_t>() > 0) pa << 100.0 * p["accuracy"].get<double>() << "% accuracy, ";
        pa << p["tiles"]["useful"].get<uint64_t>() << " useful / " << p["tiles"]["useless"].get<uint64_t>() << " useless / "
           << p["tiles"]["missed"].get<uint64_t>() << " missed tiles, " << p["data_stall_cycles"].get<uint64_t>() << " cycles waiting for data";
        row("predictor", pa.str());
        const auto& b = p["bytes"];
        row("prefetch traffic", human_bytes(b["prefetched"].get<double>() + b["demand_loaded"].get<double>()) + " moved (no prefetch: " +
                                    human_bytes(b["if_none"].get<double>()) + ", conventional: " + human_bytes(b["if_conventional"].get<double>()) + ")");
    }
    if (j.contains("dypipe") && j["dypipe"]["runs"].get<uint64_t>() > 0) {
        const auto& d = j["dypipe"];
        std::ostringstream dv;
        dv << d["runs"].get<uint64_t>() << " runs, " << d["functions"].get<uint64_t>() << " module functions, " << d["cycles"].get<uint64_t>()
           << " cycles (CF & CTX work " << d["cf_ctx_cycles"].get<uint64_t>() << ")";
        row("dypipe accelerator", dv.str());
        const auto& c = j["context_buffer"];
        row("context buffer", std::to_string(c["records_saved"].get<uint64_t>()) + " records saved, peak " + human_bytes(c["peak_bytes"].get<double>()) +
                                  " of " + human_bytes(c["capacity_bytes"].get<double>()) + ", " + std::to_string(c["overflows"].get<uint64_t>()) + " overflows");
    }
    row("bus errors", std::to_string(j["bus"]["errors"].get<uint64_t>()) + " (" +
                          std::to_string(j["bus"]["errors_unmapped"].get<uint64_t>()) + " unmapped, " +
                          std::to_string(j["bus"]["errors_from_targets"].get<uint64_t>()) + " from targets)");
    row("firmware", j["firmware"]["status"].get<std::string>() == "pass" ? "PASS" : "FAIL");
    return os.str();
}

} // namespace dynavp
