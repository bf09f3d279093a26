// `dynavp reproduce dypipe-fig8 | dypipe-fig9 | dypipe-fig10 | dypipe-fig11`:
// DyPipe sec. 4.2-4.5 on our model of its accelerator (ip/dypipe: the
// lowering into module functions and the runtime scheduler), paper beside ours.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>

#include "ip/dypipe/lowering.h"
#include "ip/dypipe/pipeline.h"
#include "platform/config_reader.h"
#include "platform/platform_config.h"
#include "schedule_cmd.h"
#include "workloads/zoo.h"

namespace dynavp {

using namespace dypipe;

namespace {

double geomean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += std::log(x);
    return v.empty() ? 0 : std::exp(s / double(v.size()));
}

struct Runs {
    PipelineResult none, stat, dyn, dyn_free; // dyn_free: dynamic without CF & CTX costs
    bool has_static = true;
    std::string static_error;
};

Runs run_all(const Program& dyn_prog, const Program* static_prog, const DyPipeHardware& hw) {
    Runs r;
    r.none = run_pipeline(dyn_prog, PipelineMode::None, hw);
    r.dyn = run_pipeline(dyn_prog, PipelineMode::Dynamic, hw);
    DyPipeHardware free = hw;
    free.charge_cf_ctx = false;
    r.dyn_free = run_pipeline(dyn_prog, PipelineMode::Dynamic, free);
    if (static_prog) r.stat = run_pipeline(*static_prog, PipelineMode::Static, hw);
    else r.has_static = false;
    return r;
}

ZooNetwork single_layer(const ZooNetwork& ops, size_t i) {
    ZooNetwork n;
    n.name = ops.layers[i].name;
    ZooLayer l = ops.layers[i];
    l.inputs.clear();
    n.layers.push_back(l);
    return n;
}

void csv_row(std::ofstream& csv, const std::string& exp, const std::string& workload, const char* pipeline, const PipelineResult& r) {
    csv << exp << "," << workload << "," << pipeline << "," << r.cycles << "," << r.work_cycles << "," << r.save_cycles << ","
        << r.restore_cycles << "," << r.dispatch_cycles << "," << r.busy[0] << "," << r.busy[1] << "," << r.busy[2] << "," << r.dram_bytes << "\n";
}

} // namespace

int reproduce_dypipe(const ReproduceOptions& o) {
    const std::string& e = o.experiment;
    const PlatformConfig cfg = load_platform(o.platform.empty() ? "dypipe-diannao" : o.platform);
    DyPipeHardware hw;
    try {
        hw = dypipe_hardware_from_platform(cfg);
    } catch (const std::invalid_argument& x) {
        throw ConfigError("--platform", "", x.what());
    }
    const std::string csv_path = o.csv.empty() ? e + ".csv" : o.csv;
    std::ofstream csv(csv_path);
    if (!csv) throw ConfigError(csv_path, "", "cannot write the CSV file");
    csv << "experiment,workload,pipeline,cycles,work_cycles,save_cycles,restore_cycles,dispatch_cycles,load_busy,compute_busy,store_busy,dram_bytes\n";
    std::printf("%s on %s (%u x %u PEs, %.0f MHz, %.1f B/cycle DRAM, %llu KB global buffer, %llu KB context buffer)\n", e.c_str(), cfg.name.c_str(),
                hw.pe_rows, hw.pe_cols, hw.clock_mhz, hw.dram_bytes_per_cycle, (unsigned long long)(hw.global_bytes / 1024),
                (unsigned long long)(hw.context_buffer_bytes / 1024));

    // The workloads of each figure.
    struct Item {
        std::string name;
        Program dyn;
        std::unique_ptr<Program> stat;
        std::string static_error;
    };
    std::vector<Item> items;
    const uint32_t samples = o.samples ? o.samples : 16;
    auto add_net = [&](const ZooNetwork& n) {
        Item it{n.name, lower_network(n, hw), nullptr, ""};
        it.stat = std::make_unique<Program>(it.dyn); // a static graph compiles as is
        items.push_back(std::move(it));
    };
    auto add_seq = [&](CellKind c) {
        SequenceModel m;
        m.cell = c;
        // Static pipelining pads every sequence to the longest one (DyPipe sec. 4.4).
        const auto lengths = random_lengths(samples, 1, 20, o.seed);
        const uint32_t longest = *std::max_element(lengths.begin(), lengths.end());
        Item it{std::string("seq2seq-") + to_string(c), lower_sequence(m, lengths, 0, hw), std::make_unique<Program>(lower_sequence(m, lengths, longest, hw)), ""};
        items.push_back(std::move(it));
    };
    if (e == "dypipe-fig8") {
        const ZooNetwork ops = load_zoo_network("dypipe-ops");
        for (size_t i = 0; i < ops.layers.size(); ++i) add_net(single_layer(ops, i));
    } else if (e == "dypipe-fig9") {
        for (const char* n : {"alexnet", "resnet18", "googlenet", "squeezenet"}) add_net(load_zoo_network(n));
    } else if (e == "dypipe-fig10") {
        for (CellKind c : {CellKind::Rnn, CellKind::Lstm, CellKind::Gru}) add_seq(c);
        const auto leaves = random_lengths(samples, 1, 20, o.seed);
        Item it{"tree-rnn", lower_tree_rnn(512, random_trees(leaves, o.seed), hw), nullptr, ""};
        try {
            lower_tree_rnn(512, random_trees(leaves, o.seed), hw, true);
        } catch (const std::invalid_argument& x) {
            it.static_error = x.what();
        }
        items.push_back(std::move(it));
    } else if (e == "dypipe-fig11") {
        add_net(load_zoo_network("alexnet"));
        add_net(load_zoo_network("resnet18"));
        add_seq(CellKind::Lstm);
        add_seq(CellKind::Gru);
    } else {
        throw ConfigError("reproduce", "", "unknown experiment \"" + e + "\" (known: dna-fig16, dypipe-fig8, dypipe-fig9, dypipe-fig10, dypipe-fig11)");
    }

    std::vector<double> ratios;
    if (e != "dypipe-fig11") {
        std::printf("\n  %-18s %9s %14s %14s %14s %10s %10s\n", "workload", "functions", "none cycles", "static cycles", "dynamic cycles",
                    "dyn/static", "dyn/none");
    } else {
        std::printf("\n  %-18s %14s %12s %12s %10s   %s\n", "workload", "dynamic cycles", "COM & IO", "CF & CTX", "CF & CTX %",
                    "(CF & CTX work: save / restore / dispatch cycles)");
    }
    for (const Item& it : items) {
        std::fprintf(stderr, "\r[dynavp] %s: %s            ", e.c_str(), it.name.c_str());
        const Runs r = run_all(it.dyn, it.stat.get(), hw);
        csv_row(csv, e, it.name, "none", r.none);
        csv_row(csv, e, it.name, "dynamic", r.dyn);
        csv_row(csv, e, it.name, "dynamic-without-cf-ctx", r.dyn_free);
        if (r.has_static) csv_row(csv, e, it.name, "static", r.stat);
        const double speed = r.has_static ? double(r.stat.cycles) / double(r.dyn.cycles) : 0; // > 1: dynamic faster
        if (e != "dypipe-fig11") {
            if (r.has_static) ratios.push_back(speed);
            std::printf("  %-18s %9zu %14llu %14s %14llu %10s %10.2f\n", it.name.c_str(), it.dyn.functions.size(), (unsigned long long)r.none.cycles,
                        r.has_static ? std::to_string(r.stat.cycles).c_str() : "-", (unsigned long long)r.dyn.cycles,
                        r.has_static ? (std::to_string(speed).substr(0, 5) + "x").c_str() : "-", double(r.none.cycles) / double(r.dyn.cycles));
            if (!r.has_static) std::printf("  %-18s static: %s\n", "", it.static_error.c_str());
        } else {
            const uint64_t cf = r.dyn.cycles - std::min(r.dyn.cycles, r.dyn_free.cycles);
            const double share = 100.0 * double(cf) / double(r.dyn.cycles);
            ratios.push_back(share);
            std::printf("  %-18s %14llu %12llu %12llu %9.2f%%   (%llu / %llu / %llu)\n", it.name.c_str(), (unsigned long long)r.dyn.cycles,
                        (unsigned long long)(r.dyn.cycles - cf), (unsigned long long)cf, share, (unsigned long long)r.dyn.save_cycles,
                        (unsigned long long)r.dyn.restore_cycles, (unsigned long long)r.dyn.dispatch_cycles);
        }
    }
    std::fprintf(stderr, "\r%60s\r", "");
    std::printf("\n");
    if (e == "dypipe-fig8")
        std::printf("  geomean dynamic vs static (static cycles / dynamic cycles): ours %.3fx, DyPipe Fig. 8: 0.96x\n", geomean(ratios));
    else if (e == "dypipe-fig9")
        std::printf("  geomean dynamic vs static: ours %.1f%% of static's performance, DyPipe Fig. 9: 96%%\n", 100 * geomean(ratios));
    else if (e == "dypipe-fig10") {
        const auto lengths = random_lengths(samples, 1, 20, o.seed);
        double mean = 0;
        for (uint32_t l : lengths) mean += l;
        mean /= double(lengths.size());
        const uint32_t longest = *std::max_element(lengths.begin(), lengths.end());
        std::printf("  %u samples, lengths 1-20 (seed %llu): mean %.2f, longest %u, so static runs %.2fx the steps\n", samples,
                    (unsigned long long)o.seed, mean, longest, longest / mean);
        std::printf("  geomean dynamic over static (RNN, LSTM, GRU): ours %.2fx, DyPipe Fig. 10: 1.75x\n", geomean(ratios));
    }
    else {
        double mx = 0;
        for (double x : ratios) mx = std::max(mx, x);
        std::printf("  CF & CTX = dynamic cycles - the same run with free context saves, restores and dispatches\n");
        std::printf("  largest CF & CTX share: ours %.2f%%, DyPipe Fig. 11: < 8%%\n", mx);
    }
    std::printf("  CSV: %s   (plot: python3 scripts/plot.py %s)\n", csv_path.c_str(), csv_path.c_str());
    return 0;
}

} // namespace dynavp
