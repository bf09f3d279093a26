// `dynavp reproduce dna-fig16` and `dynavp bench transverter`: DNA sec. VII-E
// (Fig. 16) on our cost model, and the transverter-vs-oracle benchmark.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <numeric>
#include <random>

#include <nlohmann/json.hpp>

#include "ip/scheduling/mappers.h"
#include "platform/config_reader.h"
#include "platform/platform_config.h"
#include "schedule_cmd.h"
#include "workloads/zoo.h"

namespace dynavp {

using namespace sched;

namespace {

// DNA VII-E: dynamic pruning (channel keep ratio) and dynamic scaling (input
// size) on every operator. Keep ratios ~ U[0.25, 1]; scale ~ U[0.5, 1]. The
// image channels of a first layer (C <= 3) are never pruned.
Operator sample_dynamic(const Operator& bb, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> keep(0.25, 1.0), scale(0.5, 1.0);
    auto shrink = [](uint32_t v, double r) { return std::max<uint32_t>(1, uint32_t(std::lround(v * r))); };
    Operator d = bb;
    if (bb[C] > 3) d[C] = shrink(bb[C], keep(rng));
    d[K] = shrink(bb[K], keep(rng));
    const double s = scale(rng);
    d[P] = shrink(bb[P], s);
    d[Q] = shrink(bb[Q], s);
    return d;
}

std::vector<Dim> dynamic_dims_of(const Operator& bb) {
    std::vector<Dim> v = {K, P, Q};
    if (bb[C] > 3) v.insert(v.begin(), C);
    return v;
}

double geomean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += std::log(x);
    return v.empty() ? 0 : std::exp(s / double(v.size()));
}

uint64_t layer_seed(uint64_t seed, const std::string& net, size_t layer) {
    uint64_t h = seed ^ 0xF16F16F16ull;
    for (char c : net) h = (h ^ uint8_t(c)) * 0x100000001B3ull;
    return h ^ (layer * 0x9E3779B97F4A7C15ull);
}

} // namespace

int reproduce_command(const ReproduceOptions& o) {
    if (o.experiment.rfind("dypipe-", 0) == 0) return reproduce_dypipe(o);
    if (o.experiment == "dna-fig12" || o.experiment == "dna-fig15" || o.experiment == "dna-fig17") return reproduce_dna(o);
    if (o.experiment != "dna-fig16")
        throw ConfigError("reproduce", "", "unknown experiment \"" + o.experiment +
                                               "\" (known: dna-fig12, dna-fig15, dna-fig16, dna-fig17, dypipe-fig8, dypipe-fig9, dypipe-fig10, dypipe-fig11)");
    const uint32_t samples = o.samples ? o.samples : 6;
    const PlatformConfig cfg = load_platform(o.platform.empty() ? "dna-16c" : o.platform);
    const Hardware hw = npu_hardware(cfg);
    const MapperOptions so = mapper_options(o.seed, o.search_samples, o.search_steps, o.maxbuff_order, o.maxcomp_order);

    const std::string csv_path = o.csv.empty() ? "dna-fig16.csv" : o.csv;
    std::ofstream csv(csv_path);
    if (!csv) throw ConfigError(csv_path, "", "cannot write the CSV file");
    csv << "network,layer,sample,backbone,dynamic,mapper,executed,cycles,energy_pj,pe_utilization,table_updates\n";

    struct Row {
        std::string net, layer;
        double sp_lib, sp_tr, en_lib, en_tr, tr_of_oracle, updates;
    };
    std::vector<Row> rows;
    std::vector<double> all_sp_lib, all_sp_tr, all_en_lib, all_en_tr, all_tr_or;
    const auto t0 = std::chrono::steady_clock::now();
    size_t done = 0, total = 0;
    std::vector<ZooNetwork> nets = {load_zoo_network("vgg16"), load_zoo_network("resnet50")};
    for (const auto& n : nets) total += n.layers.size();
    for (const auto& net : nets) {
        for (size_t li = 0; li < net.layers.size(); ++li) {
            const Operator& bb = net.layers[li].op;
            std::fprintf(stderr, "\r[dynavp] dna-fig16: %zu/%zu layers (%s %s)          ", ++done, total, net.name.c_str(),
                         net.layers[li].name.c_str());
            std::mt19937_64 rng(layer_seed(o.seed, net.name, li));
            MapperSuite suite(bb, dynamic_dims_of(bb), hw, so, o.kernels);
            std::vector<double> sp_lib, sp_tr, en_lib, en_tr, tr_or, upd;
            for (uint32_t k = 0; k < samples; ++k) {
                const Operator dyn = sample_dynamic(suite.backbone(), rng);
                std::map<std::string, MapResult> r;
                for (const char* m : {"static", "library", "transverter", "oracle"}) {
                    r[m] = suite.run(m, dyn);
                    const MapResult& x = r[m];
                    csv << net.name << "," << net.layers[li].name << "," << k << ",\"" << bb.to_string() << "\",\"" << dyn.to_string()
                        << "\"," << m << ",\"" << x.executed.to_string() << "\"," << x.cost.cycles << "," << x.cost.energy_pj << ","
                        << x.cost.pe_utilization << "," << x.table_updates << "\n";
                }
                const double sc = r["static"].cost.cycles, se = r["static"].cost.energy_pj;
                sp_lib.push_back(sc / r["library"].cost.cycles);
                sp_tr.push_back(sc / r["transverter"].cost.cycles);
                en_lib.push_back(se / r["library"].cost.energy_pj);
                en_tr.push_back(se / r["transverter"].cost.energy_pj);
                tr_or.push_back(r["oracle"].cost.cycles / r["transverter"].cost.cycles);
                upd.push_back(double(r["transverter"].table_updates));
            }
            rows.push_back({net.name, net.layers[li].name, geomean(sp_lib), geomean(sp_tr), geomean(en_lib), geomean(en_tr), geomean(tr_or),
                            std::accumulate(upd.begin(), upd.end(), 0.0) / double(upd.size())});
            const auto append = [](std::vector<double>& all, const std::vector<double>& layer) { all.insert(all.end(), layer.begin(), layer.end()); };
            append(all_sp_lib, sp_lib);
            append(all_sp_tr, sp_tr);
            append(all_en_lib, en_lib);
            append(all_en_tr, en_tr);
            append(all_tr_or, tr_or);
        }
    }
    std::fprintf(stderr, "\n");
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::printf("dynavp reproduce dna-fig16 on %s: %u dynamic operators per layer (pruning C,K ~ U[0.25,1], scaling P,Q ~ U[0.5,1]), seed %llu\n",
                cfg.name.c_str(), samples, (unsigned long long)o.seed);
    std::printf("transverter dimension order: MaxBuff %s, MaxComp %s\n", o.maxbuff_order.c_str(), o.maxcomp_order.c_str());
    std::printf("speedup / energy saving over static (geomean per layer); transverter as %% of oracle performance\n\n");
    std::printf("  %-9s %-14s %9s %9s %9s %9s %9s %8s\n", "network", "layer", "lib spd", "trv spd", "lib enr", "trv enr", "trv/orc", "updates");
    for (const auto& r : rows)
        std::printf("  %-9s %-14s %8.2fx %8.2fx %8.2fx %8.2fx %8.1f%% %8.1f\n", r.net.c_str(), r.layer.c_str(), r.sp_lib, r.sp_tr, r.en_lib,
                    r.en_tr, 100 * r.tr_of_oracle, r.updates);
    const double g_sp_lib = geomean(all_sp_lib), g_sp_tr = geomean(all_sp_tr), g_en_tr = geomean(all_en_tr), g_en_lib = geomean(all_en_lib);
    const double g_or = geomean(all_tr_or);
    std::printf("  %-9s %-14s %8.2fx %8.2fx %8.2fx %8.2fx %8.1f%%\n\n", "GeoMean", "", g_sp_lib, g_sp_tr, g_en_lib, g_en_tr, 100 * g_or);
    const double lib_share = g_sp_tr > 1 ? (g_sp_lib - 1) / (g_sp_tr - 1) : 0;
    std::printf("  %-52s %10s %10s\n", "DNA Fig. 16 (GeoMean)", "paper", "dynavp");
    std::printf("  %-52s %9.2fx %9.2fx\n", "transverter speedup over static", 2.83, g_sp_tr);
    std::printf("  %-52s %9.2fx %9.2fx\n", "transverter energy saving over static", 3.03, g_en_tr);
    std::printf("  %-52s %9.1f%% %9.1f%%\n", "transverter performance as % of oracle", 93.0, 100 * g_or);
    std::printf("  %-52s %9.1f%% %9.1f%%\n", "library gain as % of transverter gain ((s_lib-1)/(s_trv-1))", 59.6, 100 * lib_share);
    std::printf("\n  per-sample rows: %s   (%.1f s host time)\n", csv_path.c_str(), secs);
    return 0;
}

int bench_transverter_command(const TransverterBenchOptions& o) {
    if (o.pairs == 0) throw ConfigError("--pairs", "", "must be > 0");
    const PlatformConfig cfg = load_platform(o.platform);
    const Hardware hw = npu_hardware(cfg);
    const MapperOptions so = mapper_options(o.seed, o.search_samples, o.search_steps, o.maxbuff_order, o.maxcomp_order);
    std::vector<ZooLayer> layers;
    for (const char* n : {"vgg16", "resnet50"})
        for (const auto& l : load_zoo_network(n).layers) layers.push_back(l);
    std::vector<std::unique_ptr<MapperSuite>> suites;
    for (const auto& l : layers) suites.push_back(std::make_unique<MapperSuite>(l.op, dynamic_dims_of(l.op), hw, so, 1));
    std::mt19937_64 rng(o.seed);
    std::vector<double> frac;
    double t_tr = 0, t_or = 0, worse_than_static = 0, more_iterations_than_static = 0;
    for (uint32_t i = 0; i < o.pairs; ++i) {
        if (i % 500 == 0) std::fprintf(stderr, "\r[dynavp] bench transverter: %u/%u pairs", i, o.pairs);
        const MapperSuite& s = *suites[std::uniform_int_distribution<size_t>(0, suites.size() - 1)(rng)];
        const Operator dyn = sample_dynamic(s.backbone(), rng);
        const MapResult tr = s.run("transverter", dyn), orc = s.run("oracle", dyn), st = s.run("static", dyn);
        frac.push_back(orc.cost.cycles / tr.cost.cycles);
        t_tr += tr.seconds;
        t_or += orc.seconds;
        worse_than_static += tr.cost.cycles > st.cost.cycles;
        more_iterations_than_static += tr.cost.compute_cycles > st.cost.compute_cycles;
    }
    std::fprintf(stderr, "\n");
    std::sort(frac.begin(), frac.end());
    const double mean = std::accumulate(frac.begin(), frac.end(), 0.0) / double(frac.size());
    const double p5 = frac[size_t(0.05 * double(frac.size()))];
    std::printf("dynavp bench transverter: %u random (backbone, dynamic) pairs from VGG16/ResNet-50 on %s (MaxBuff %s, MaxComp %s order)\n",
                o.pairs, cfg.name.c_str(), o.maxbuff_order.c_str(), o.maxcomp_order.c_str());
    std::printf("  transverter performance as fraction of oracle: mean %.3f, 5th percentile %.3f, min %.3f\n", mean, p5, frac.front());
    std::printf("  transverter slower than static on %.0f pairs (%.2f%%); more PE-array iterations (compute cycles) on %.0f\n",
                worse_than_static, 100 * worse_than_static / o.pairs, more_iterations_than_static);
    std::printf("  mapper wall time per operator: transverter %.2f us, oracle search %.2f ms (%u samples + %u steps)\n",
                1e6 * t_tr / o.pairs, 1e3 * t_or / o.pairs, o.search_samples, o.search_steps);
    if (!o.json_out.empty()) {
        std::ofstream f(o.json_out);
        if (!f) throw ConfigError(o.json_out, "", "cannot write the bench file");
        f << nlohmann::json{{"pairs", o.pairs},
                            {"fraction_of_oracle_mean", mean},
                            {"fraction_of_oracle_p5", p5},
                            {"transverter_worse_than_static", worse_than_static},
                            {"transverter_more_compute_cycles_than_static", more_iterations_than_static},
                            {"transverter_us_per_op", 1e6 * t_tr / o.pairs},
                            {"oracle_ms_per_op", 1e3 * t_or / o.pairs}}
                 .dump(2)
          << "\n";
    }
    return 0;
}

} // namespace dynavp
