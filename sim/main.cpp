// dynavp: the virtual platform's command line.
//   dynavp list  [--json]
//   dynavp run   --platform <preset|file.json> [--firmware NAME] [--json out.json] [--seed N]
//   dynavp bench dram [--platform P] [--pattern stream,random,mixed:2 | --trace F] [--mode queue|call] [--json out.json]
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <systemc>

#include "firmware/firmware_registry.h"
#include "ip/dram/dram_timing.h"
#include "platform/config_reader.h"
#include "platform/platform_config.h"
#include "sim/bench.h"
#include "sim/cosim.h"
#ifdef DYNAVP_HAVE_RTL
#include "platform/stats.h"
#include "rtl/adapters/rtl_attach.h"
#endif
#include "sim/run.h"
#include "sim/schedule_cmd.h"
#include "ip/scheduling/mappers.h"
#include "workloads/decisions.h"
#include "workloads/zoo.h"

namespace po = boost::program_options;
using namespace dynavp;

namespace {

const char* kUsage =
    "usage: dynavp <command> [options]\n"
    "commands:\n"
    "  list   [--json]                       platforms, firmware, DRAM presets known to this build\n"
    "  run    --platform P [--firmware F]    boot board P, run firmware F (default selftest), report\n"
    "         [--workload MODEL [--decisions functional|generate|trace.jsonl] [--save-decisions f.jsonl]]   (firmware runtime)\n"
    "         [--json out.json] [--trace trace.json] [--seed N] [--max-sim-ms T] [--quiet] [--timing-only]\n"
    "         [--design baseline|online|prefetch|dna|oracle] [--sched S] [--prefetch P] [--samples N]   (moe-layer)\n"
    "         [--pipeline none|static|dynamic|all] [--samples N]   (dypipe-rnn on --platform dypipe-diannao)\n"
    "  bench  dram [--pattern stream,random,strided:N,mixed:R | --trace F] [--mode queue|call] [--outstanding W] [--json f]\n"
    "  schedule --op 'R=3,S=3,P=28,Q=28,C=256,K=256' --dynamic 'C=96,K=160' [--platform P] [--json]\n"
    "         every mapper's schedule, cycles, utilisation and energy for one dynamic operator\n"
    "  reproduce dna-fig16 [--samples N] [--seed S] [--csv out.csv]   DNA Fig. 16 on our model, paper beside ours\n"
    "  reproduce dna-fig12|dna-fig15|dna-fig17 [--samples N] [--seed S] [--models a,b] [--jobs J] [--csv f]\n"
    "         DNA Figs. 12 / 15 / 17: every evaluation model x design on the board (timing only), paper beside ours\n"
    "  reproduce dypipe-fig8|dypipe-fig9|dypipe-fig10|dypipe-fig11 [--samples N] [--seed S] [--csv f]   DyPipe Figs. 8-11\n"
    "  trace-gen   --workload M --out f.jsonl [--samples N] [--seed S]   a seeded agent-decision trace, with its statistics\n"
    "  trace-check --workload M --file f.jsonl   validate a decision trace (e.g. from scripts/record_trace.py), with its statistics\n"
    "  cosim  predictor [--cases N] [--seed S] [--replay f.json] [--vcd w.vcd]   golden model, TLM IP and RTL compared step by step\n"
    "  bench  transverter [--pairs N]        transverter vs oracle on random VGG16/ResNet-50 pairs\n"
    "  bench  npu [--case NAME] [--json f]   NPU engine: VGG16 conv layer, BERT FFN, full VGG16 (timing only)\n"
    "run `dynavp <command> --help` for the options of one command.\n";

int fail_usage(const std::string& msg) {
    std::fprintf(stderr, "dynavp: error: %s\n%s", msg.c_str(), kUsage);
    return 2;
}

po::variables_map parse(const std::vector<std::string>& args, const po::options_description& desc,
                        const po::positional_options_description* pos = nullptr) {
    po::variables_map vm;
    po::command_line_parser p(args);
    p.options(desc);
    if (pos) p.positional(*pos);
    po::store(p.run(), vm);
    po::notify(vm);
    return vm;
}

// Prints the command's options when --help was given.
bool wants_help(const po::variables_map& vm, const po::options_description& desc) {
    if (!vm.count("help")) return false;
    std::cout << desc;
    return true;
}

void add_transverter_order_options(po::options_description& desc, std::string& maxbuff, std::string& maxcomp) {
    desc.add_options()("maxbuff-order", po::value(&maxbuff)->default_value(maxbuff), "transverter MaxBuff dim order: table|nest")(
        "maxcomp-order", po::value(&maxcomp)->default_value(maxcomp), "transverter MaxComp dim order: table|backbone");
}

int cmd_list(const std::vector<std::string>& args) {
    po::options_description desc("dynavp list");
    desc.add_options()("help,h", "this help")("json", "machine-readable output");
    auto vm = parse(args, desc);
    if (wants_help(vm, desc)) return 0;
    nlohmann::json j;
    j["platforms"] = nlohmann::json::array();
    for (const auto& p : embedded_platform_presets()) {
        PlatformConfig c = parse_platform(p.text, p.path);
        j["platforms"].push_back({{"name", c.name}, {"description", c.description}, {"file", p.path}});
    }
    j["firmware"] = nlohmann::json::array();
    for (const auto& f : fw::firmware_images()) j["firmware"].push_back({{"name", f.name}, {"description", f.description}});
    j["dram_presets"] = dram_preset_names();
    j["workloads"] = nlohmann::json::array();
    for (const auto& n : zoo_network_names()) {
        const ZooNetwork net = load_zoo_network(n);
        j["workloads"].push_back({{"name", net.name}, {"description", net.description}, {"layers", net.layers.size()}});
    }
    // Mappers (`dynavp schedule`), and DNA's designs (`dynavp run --design`, DNA VII-A).
    j["mappers"] = sched::MapperSuite::names();
    j["designs"] = nlohmann::json::array();
    for (const auto& d : fw::named_designs())
        j["designs"].push_back({{"name", d.name}, {"sched", d.design.sched}, {"prefetch", d.design.prefetch}});
    j["sched_policies"] = fw::sched_policies();
    j["prefetch_policies"] = fw::prefetch_policies();
    j["experiments"] = {{{"name", "dna-fig12"}, {"description", "DNA Fig. 12: speedup and energy saving of online / prefetch / dna / oracle over baseline, every evaluation model"}},
                        {{"name", "dna-fig15"}, {"description", "DNA Fig. 15: energy breakdown of the dna design, transverter and predictor share"}},
                        {{"name", "dna-fig17"}, {"description", "DNA Fig. 17: feature / weight off-chip access reduction and prediction accuracy per model"}},
                        {{"name", "dna-fig16"}, {"description", "DNA Fig. 16: static / library / transverter / oracle scheduling on VGG16 and ResNet-50 under dynamic pruning and scaling"}},
                        {{"name", "dypipe-fig8"}, {"description", "DyPipe Fig. 8: none / static / dynamic pipelining on the Table 2 operations"}},
                        {{"name", "dypipe-fig9"}, {"description", "DyPipe Fig. 9: AlexNet, ResNet-18, GoogLeNet, SqueezeNet"}},
                        {{"name", "dypipe-fig10"}, {"description", "DyPipe Fig. 10: seq2seq RNN / LSTM / GRU with lengths 1-20, and a tree-RNN"}},
                        {{"name", "dypipe-fig11"}, {"description", "DyPipe Fig. 11: COM & IO vs CF & CTX time of the dynamic pipeline"}}};
    if (vm.count("json")) {
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    std::cout << "platforms:\n";
    for (const auto& p : j["platforms"]) std::printf("  %-18s %s\n", p["name"].get<std::string>().c_str(), p["description"].get<std::string>().c_str());
    std::cout << "firmware:\n";
    for (const auto& f : j["firmware"]) std::printf("  %-18s %s\n", f["name"].get<std::string>().c_str(), f["description"].get<std::string>().c_str());
    std::cout << "DRAM presets:\n";
    for (const auto& d : j["dram_presets"]) std::printf("  %s\n", d.get<std::string>().c_str());
    std::cout << "workloads:\n";
    for (const auto& w : j["workloads"]) std::printf("  %-18s %s\n", w["name"].get<std::string>().c_str(), w["description"].get<std::string>().c_str());
    std::cout << "mappers (dynavp schedule):\n ";
    for (const auto& m : j["mappers"]) std::printf(" %s", m.get<std::string>().c_str());
    std::cout << "\ndesigns (dynavp run --design, for firmware that runs a dynamic NN; --sched / --prefetch pick any pair):\n";
    for (const auto& d : j["designs"])
        std::printf("  %-18s scheduling %s, prefetch %s\n", d["name"].get<std::string>().c_str(), d["sched"].get<std::string>().c_str(),
                    d["prefetch"].get<std::string>().c_str());
    std::cout << "experiments:\n";
    for (const auto& e : j["experiments"]) std::printf("  %-18s %s\n", e["name"].get<std::string>().c_str(), e["description"].get<std::string>().c_str());
    return 0;
}

int cmd_run(const std::vector<std::string>& args) {
    RunOptions o;
    po::options_description desc("dynavp run");
    desc.add_options()("help,h", "this help")("platform,p", po::value(&o.platform)->default_value(o.platform), "preset name or platform .json file")(
        "firmware,f", po::value(&o.firmware)->default_value(o.firmware), "firmware image (see `dynavp list`)")(
        "json", po::value(&o.json_out), "write stats JSON to this file")(
        "trace", po::value(&o.trace_out), "write a Perfetto/chrome://tracing timeline to this file")("seed", po::value(&o.seed)->default_value(o.seed), "random seed")(
        "max-sim-ms", po::value(&o.max_sim_ms)->default_value(o.max_sim_ms), "stop after this much simulated time")(
        "quiet,q", po::bool_switch(&o.quiet), "no summary on stdout")(
        "timing-only", po::bool_switch(&o.timing_only), "NPU: skip the arithmetic (outputs are not computed), keep all timing and traffic")(
        "design", po::value(&o.design), "dynamic-NN firmware: baseline|online|prefetch|dna|oracle (DNA VII-A; default dna)")(
        "sched", po::value(&o.sched), "override the scheduling policy: static|library|transverter|oracle")(
        "prefetch", po::value(&o.prefetch), "override the prefetch policy: none|conventional|predictor|oracle")(
        "samples", po::value(&o.samples), "dynamic-NN firmware: samples to run (default: the firmware's)")(
        "pipeline", po::value(&o.pipeline), "DyPipe firmware (dypipe-rnn): none|static|dynamic|all (default dynamic)")(
        "workload,w", po::value(&o.workload), "a zoo model (`dynavp list`) for the runtime firmware (implies --firmware runtime)")(
        "decisions", po::value(&o.decisions), "runtime: functional | generate | <trace.jsonl> (default: functional if the model supports it)")(
        "save-decisions", po::value(&o.save_decisions), "runtime: write the decisions used as a JSON Lines trace")(
        "rtl", po::value(&o.rtl), "swap RTL blocks in for the TLM models' logic: predictor (a DYNAVP_RTL build)")(
        "vcd", po::value(&o.vcd), "with --rtl: write the RTL blocks' waveforms (VCD) here");
    auto vm = parse(args, desc);
    if (wants_help(vm, desc)) return 0;
    if (!o.workload.empty() && vm["firmware"].defaulted()) o.firmware = "runtime";
    return run_command(o);
}

int cmd_schedule(const std::vector<std::string>& args) {
    ScheduleOptions o;
    po::options_description desc("dynavp schedule");
    desc.add_options()("help,h", "this help")("platform,p", po::value(&o.platform)->default_value(o.platform), "preset or .json")(
        "op", po::value(&o.op), "backbone operator, e.g. 'R=3,S=3,P=28,Q=28,C=256,K=256'")(
        "dynamic", po::value(&o.dynamic), "dynamic operator as changes, e.g. 'C=96,K=160'")(
        "json", po::bool_switch(&o.json), "JSON on stdout")("verbose,v", po::bool_switch(&o.verbose), "loop nest of every mapper")(
        "seed", po::value(&o.seed)->default_value(o.seed), "search seed")(
        "samples", po::value(&o.samples)->default_value(o.samples), "search: random candidates")(
        "steps", po::value(&o.steps)->default_value(o.steps), "search: local-search steps")(
        "kernels", po::value(&o.kernels)->default_value(o.kernels), "library: kernels compiled offline");
    add_transverter_order_options(desc, o.maxbuff_order, o.maxcomp_order);
    auto vm = parse(args, desc);
    if (wants_help(vm, desc)) return 0;
    return schedule_command(o);
}

int cmd_reproduce(const std::vector<std::string>& args) {
    ReproduceOptions o;
    std::string models;
    po::options_description desc("dynavp reproduce");
    desc.add_options()("help,h", "this help")("experiment", po::value(&o.experiment), "experiment: dna-fig16, dypipe-fig8, dypipe-fig9, dypipe-fig10, dypipe-fig11")(
        "platform,p", po::value(&o.platform), "preset or .json (default: dna-16c for dna-*, dypipe-diannao for dypipe-*)")(
        "csv", po::value(&o.csv), "per-sample CSV (default ./<experiment>.csv)")("seed", po::value(&o.seed)->default_value(o.seed), "seed")(
        "samples", po::value(&o.samples), "dna-fig16: dynamic operators per layer (6); dna-fig12/15/17: samples per run (4); dypipe-fig10/11: sequences (16)")(
        "search-samples", po::value(&o.search_samples)->default_value(o.search_samples), "search: random candidates")(
        "search-steps", po::value(&o.search_steps)->default_value(o.search_steps), "search: local-search steps")(
        "kernels", po::value(&o.kernels)->default_value(o.kernels), "library kernels per layer")(
        "models", po::value(&models), "dna-fig12/15/17: comma-separated subset of the evaluation models")(
        "jobs,j", po::value(&o.jobs)->default_value(o.jobs), "dna-fig12/15/17: runs in parallel");
    add_transverter_order_options(desc, o.maxbuff_order, o.maxcomp_order);
    po::positional_options_description pos;
    pos.add("experiment", 1);
    auto vm = parse(args, desc, &pos);
    if (wants_help(vm, desc)) return 0;
    o.models = split_list(models);
    return reproduce_command(o);
}

// `dynavp trace-gen` / `dynavp trace-check`: agent-decision traces (workloads/decisions.h).
void print_trace_stats(const ZooNetwork& net, const DecisionTrace& t, uint64_t seed = 1) {
    std::printf("  %-16s %-18s %6s %9s %9s %9s %9s\n", "layer", "agent", "tiles", "density", "CV", "max/mean", "lift");
    for (size_t li : agent_layers(net)) {
        const ZooLayer& l = net.layers[li];
        const TraceStats st = measure_trace(t, net, li, generator_model(net, li, seed).cluster);
        std::printf("  %-16s %-18s %6u %9.3f %9.3f %9.2f %9.2f\n", l.name.c_str(), to_string(l.dynamic->agent), l.dynamic->tiles, st.density,
                    st.imbalance_cv, st.max_over_mean, st.lift_same_cluster);
    }
    std::printf("  (lift: co-selection of tiles in the same generator cluster, P(i and j) / (P(i) P(j)); 1 = independent)\n");
}

int cmd_trace(const std::vector<std::string>& args, bool generate) {
    std::string workload, file;
    uint32_t samples = 16;
    uint64_t seed = 1;
    po::options_description desc(generate ? "dynavp trace-gen" : "dynavp trace-check");
    desc.add_options()("help,h", "this help")("workload,w", po::value(&workload), "zoo model")(
        generate ? "out" : "file", po::value(&file), generate ? "write the JSON Lines trace here" : "the JSON Lines trace to validate");
    if (generate)
        desc.add_options()("samples", po::value(&samples)->default_value(samples), "samples")("seed", po::value(&seed)->default_value(seed), "seed");
    auto vm = parse(args, desc);
    if (wants_help(vm, desc)) return 0;
    if (workload.empty()) return fail_usage("--workload is required");
    if (file.empty()) return fail_usage(generate ? "--out is required" : "--file is required");
    const ZooNetwork net = load_zoo_network(workload);
    if (agent_layers(net).empty()) throw ConfigError("--workload", "", net.name + " has no agent layers: there is nothing to decide");
    if (generate) {
        if (samples == 0 || samples > 1000000) throw ConfigError("--samples", "", "must be in [1, 1000000]");
        const DecisionTrace t = generate_trace(net, samples, seed);
        write_trace(file, t, net);
        std::printf("dynavp trace-gen: %s, %u samples, seed %lu -> %s\n", net.name.c_str(), samples, (unsigned long)seed, file.c_str());
        print_trace_stats(net, t, seed);
        return 0;
    }
    const DecisionTrace t = read_trace(file, net);
    std::printf("dynavp trace-check: %s is a valid %s trace, %u samples, %zu decisions\n", file.c_str(), net.name.c_str(), t.samples, t.decisions.size());
    print_trace_stats(net, t);
    return 0;
}

int cmd_cosim(const std::vector<std::string>& args) {
    CosimOptions o;
    po::options_description desc("dynavp cosim");
    desc.add_options()("help,h", "this help")("block", po::value(&o.block), "predictor")(
        "platform,p", po::value(&o.platform)->default_value(o.platform), "preset or .json (its predictor parameters must match the RTL build)")(
        "cases", po::value(&o.cases)->default_value(o.cases), "operations (predictor: table updates)")(
        "seed", po::value(&o.seed)->default_value(o.seed), "stimulus seed")("replay", po::value(&o.replay), "replay a failing-case file")(
        "replay-out", po::value(&o.replay_out), "where a mismatch writes its replay file (default ./cosim-<block>-replay.json)")(
        "vcd", po::value(&o.vcd), "write the RTL block's waveforms (VCD) here")(
        "faulty-rtl", po::bool_switch(&o.faulty_rtl), "use the test-only RTL build with a corrupted parameter (cosim must fail)")(
        "quiet,q", po::bool_switch(&o.quiet), "no progress on stderr");
    po::positional_options_description pos;
    pos.add("block", 1);
    auto vm = parse(args, desc, &pos);
    if (wants_help(vm, desc)) return 0;
#ifdef DYNAVP_HAVE_RTL
    return cosim_command(o);
#else
    throw ConfigError("cosim", "", "this build has no RTL blocks (configure with -DDYNAVP_RTL=ON; Verilator is needed: bash scripts/setup.sh)");
#endif
}

int cmd_bench(const std::vector<std::string>& args) {
    if (!args.empty() && args[0] == "npu") {
        NpuBenchOptions n;
        po::options_description desc("dynavp bench npu");
        desc.add_options()("help,h", "this help")("what", "npu")("platform,p", po::value(&n.platform)->default_value(n.platform), "preset or .json")(
            "case", po::value(&n.only), "run one case only (names in the table)")("verbose,v", po::bool_switch(&n.verbose), "per-layer rows")("seed", po::value(&n.seed)->default_value(n.seed), "seed")(
            "json", po::value(&n.json_out), "write results JSON here");
        po::positional_options_description pos;
        pos.add("what", 1);
        auto vm = parse(args, desc, &pos);
        if (wants_help(vm, desc)) return 0;
        return bench_npu_command(n);
    }
    if (!args.empty() && args[0] == "transverter") {
        TransverterBenchOptions t;
        po::options_description desc("dynavp bench transverter");
        desc.add_options()("help,h", "this help")("what", "transverter")("platform,p", po::value(&t.platform)->default_value(t.platform), "preset or .json")(
            "pairs", po::value(&t.pairs)->default_value(t.pairs), "random (backbone, dynamic) pairs")(
            "seed", po::value(&t.seed)->default_value(t.seed), "seed")(
            "search-samples", po::value(&t.search_samples)->default_value(t.search_samples), "oracle: random candidates")(
            "search-steps", po::value(&t.search_steps)->default_value(t.search_steps), "oracle: local-search steps")(
            "json", po::value(&t.json_out), "write results JSON here");
        add_transverter_order_options(desc, t.maxbuff_order, t.maxcomp_order);
        po::positional_options_description pos;
        pos.add("what", 1);
        auto vm = parse(args, desc, &pos);
        if (wants_help(vm, desc)) return 0;
        return bench_transverter_command(t);
    }
    BenchOptions o;
    std::string what;
    po::options_description desc("dynavp bench dram");
    desc.add_options()("help,h", "this help")("what", po::value(&what), "what to benchmark: dram")(
        "platform,p", po::value(&o.platform)->default_value(o.platform), "preset name or platform .json file (its first DRAM)")(
        "preset", po::value(&o.preset), "replace the DRAM preset (dynavp list shows them)")(
        "mapping", po::value(&o.mapping), "replace the address mapping, e.g. rochrababgco")(
        "pattern", po::value(&o.patterns)->default_value(o.patterns), "comma list of stream, random, strided:N, mixed:R")(
        "trace", po::value(&o.trace), "replay a DRAMSim3 trace (0xADDR READ|WRITE cycle per line) instead")(
        "trace-as-fast-as-possible", po::bool_switch(&o.as_fast_as_possible), "ignore the trace's clocks")(
        "mode", po::value(&o.mode)->default_value(o.mode), "queue (DRAMSim3's controller semantics) or call (the board's)")(
        "requests", po::value(&o.requests)->default_value(o.requests), "requests per pattern (one burst each)")(
        "outstanding", po::value(&o.outstanding), "reads in flight at most (default 32 for patterns; a trace: as the queues allow; 0: as the queues allow)")(
        "seed", po::value(&o.seed)->default_value(o.seed), "pattern seed")(
        "trace-out", po::value(&o.trace_out), "also write the pattern as a DRAMSim3 trace")("json", po::value(&o.json_out), "write results JSON here")(
        "quiet,q", po::bool_switch(&o.quiet), "no progress on stderr");
    po::positional_options_description pos;
    pos.add("what", 1);
    auto vm = parse(args, desc, &pos);
    if (wants_help(vm, desc)) return 0;
    if (what != "dram") return fail_usage("bench: unknown or missing target \"" + what + "\" (known: dram, transverter, npu)");
    return bench_dram_command(o);
}

} // namespace

int sc_main(int argc, char* argv[]) {
    // Keep stdout for results (`list --json` must be pure JSON): no
    // "simulation stopped" info line. (Debian's libsystemc prints its banner
    // on stderr and offers no switch to silence it.)
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    std::vector<std::string> args(argv + 1, argv + argc);
#ifdef DYNAVP_HAVE_RTL
    set_rtl_attach([](Board& b, const std::vector<std::string>& blocks, const std::string& vcd) -> std::function<void(Stats&)> {
        std::shared_ptr<rtl::RtlOnBoard> on = rtl::attach_rtl(b, blocks, vcd);
        return [on](Stats& s) { on->report(s); };
    });
#endif
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << kUsage;
        return args.empty() ? 2 : 0;
    }
    const std::string cmd = args[0];
    args.erase(args.begin());
    try {
        if (cmd == "list") return cmd_list(args);
        if (cmd == "run") return cmd_run(args);
        if (cmd == "bench") return cmd_bench(args);
        if (cmd == "schedule") return cmd_schedule(args);
        if (cmd == "reproduce") return cmd_reproduce(args);
        if (cmd == "trace-gen") return cmd_trace(args, true);
        if (cmd == "cosim") return cmd_cosim(args);
        if (cmd == "trace-check") return cmd_trace(args, false);
        return fail_usage("unknown command \"" + cmd + "\"");
    } catch (const ConfigError& e) {
        std::fprintf(stderr, "dynavp: error: %s\n", e.what());
        return 2;
    } catch (const po::error& e) {
        return fail_usage(e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "dynavp: error: %s\n", e.what());
        return 3;
    }
}
