// The dynavp binary as a user runs it: exit codes, one-line errors, JSON.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Result {
    int code;
    std::string out, err;
};

fs::path scratch() {
    static int n = 0;
    fs::path p = fs::temp_directory_path() / ("dynavp_cli_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::create_directories(p);
    return p;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Result dynavp(const std::string& args) {
    const fs::path dir = scratch();
    const std::string cmd = std::string(DYNAVP_BIN) + " " + args + " >" + (dir / "out").string() + " 2>" + (dir / "err").string();
    const int status = std::system(cmd.c_str());
    Result r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir / "out"), slurp(dir / "err")};
    fs::remove_all(dir);
    return r;
}

// The lines of stderr that are ours (libsystemc prints a banner there too).
std::vector<std::string> error_lines(const std::string& err) {
    std::vector<std::string> v;
    std::istringstream in(err);
    for (std::string line; std::getline(in, line);)
        if (line.rfind("dynavp: error:", 0) == 0) v.push_back(line);
    return v;
}

fs::path write_file(const std::string& name, const std::string& text) {
    fs::path p = scratch() / name;
    std::ofstream(p) << text;
    return p;
}

json read_json(const fs::path& p) { return json::parse(slurp(p)); }

// A Perfetto trace file's tracks (tid -> name) and the number of spans on each track name.
struct TraceTracks {
    std::map<int, std::string> names;
    std::map<std::string, int> spans;
};
TraceTracks trace_tracks(const fs::path& p) {
    const json t = read_json(p);
    TraceTracks r;
    for (const auto& e : t["traceEvents"])
        if (e["ph"] == "M" && e["name"] == "thread_name") r.names[e["tid"].get<int>()] = e["args"]["name"].get<std::string>();
    for (const auto& e : t["traceEvents"])
        if (e["ph"] == "X") ++r.spans[r.names[e["tid"].get<int>()]];
    return r;
}

} // namespace

TEST_CASE("dynavp run selftest on dna-16c exits 0 and writes the stats schema", "[cli]") {
    const fs::path out = scratch() / "s.json";
    Result r = dynavp("run --platform dna-16c --firmware selftest --json " + out.string());
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    json j = read_json(out);
    CHECK(j["firmware"]["status"] == "pass");
    for (const char* key : {"cycles", "seconds_simulated", "host_seconds"}) CHECK(j.contains(key));
    for (const char* key : {"bytes_read", "bytes_written", "row_hits", "row_misses"}) CHECK(j["dram"].contains(key));
    CHECK(j["bus"]["errors"].get<uint64_t>() == 3);
    CHECK(j["cycles"].get<uint64_t>() > 0);
    CHECK(j["seconds_simulated"].get<double>() * 500e6 == Approx(double(j["cycles"].get<uint64_t>())).epsilon(1e-6));
    CHECK(r.out.find("PASS") != std::string::npos); // human summary on stdout
}

TEST_CASE("same platform and seed give bit-identical stats JSON apart from host_seconds", "[cli]") {
    const fs::path a = scratch() / "a.json", b = scratch() / "b.json";
    REQUIRE(dynavp("run --platform dna-16c --seed 42 --quiet --json " + a.string()).code == 0);
    REQUIRE(dynavp("run --platform dna-16c --seed 42 --quiet --json " + b.string()).code == 0);
    json ja = read_json(a), jb = read_json(b);
    CHECK(ja["host_seconds"].is_number());
    ja.erase("host_seconds");
    jb.erase("host_seconds");
    CHECK(ja.dump() == jb.dump());
}

TEST_CASE("dynavp list --json is valid JSON listing dna-16c and the selftest firmware", "[cli]") {
    Result r = dynavp("list --json");
    REQUIRE(r.code == 0);
    json j = json::parse(r.out); // stdout is pure JSON
    bool found = false;
    for (const auto& p : j["platforms"]) found |= p["name"] == "dna-16c";
    CHECK(found);
    CHECK(j["firmware"][0]["name"] == "selftest");
    for (const char* k : {"workloads", "designs", "experiments", "dram_presets"}) CHECK(j.contains(k));
}

TEST_CASE("bad input gives one error line naming file, field and reason, and a non-zero exit", "[cli]") {
    const std::string good = slurp(fs::path(DYNAVP_SOURCE_DIR) / "platform/presets/dna-16c.json");
    REQUIRE(!good.empty());
    struct Case {
        const char* what;
        std::string args;
        std::vector<std::string> expect; // substrings of the error line
    };
    std::string overlap = good;
    overlap.replace(overlap.find("\"0x10000000\""), 12, "\"0x80000000\"");
    std::string typo = good;
    typo.replace(typo.find("\"latency_cycles\""), 16, "\"latency_cycle\"");
    const fs::path malformed = write_file("malformed.json", good.substr(0, good.size() / 2));
    const fs::path overlapping = write_file("overlap.json", overlap);
    const fs::path typod = write_file("typo.json", typo);
    const std::vector<Case> cases = {
        {"malformed JSON", "run --platform " + malformed.string(), {malformed.string(), "malformed JSON near line"}},
        {"overlapping regions", "run --platform " + overlapping.string(), {overlapping.string(), "/devices/1/base", "overlaps 'dram'"}},
        {"unknown field", "run --platform " + typod.string(), {typod.string(), "/bus/latency_cycle", "unknown field"}},
        {"unknown preset", "run --platform dna-99c", {"--platform", "unknown preset \"dna-99c\""}},
        {"missing file", "run --platform /nonexistent/board.json", {"/nonexistent/board.json", "cannot open file"}},
        {"unknown firmware", "run --platform dna-16c --firmware nope", {"--firmware", "unknown firmware \"nope\""}},
        {"unknown option", "run --frobnicate", {"frobnicate"}},
        {"unknown command", "fly", {"unknown command"}},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.what) {
            Result r = dynavp(c.args);
            INFO(r.err);
            CHECK(r.code == 2);
            auto lines = error_lines(r.err);
            REQUIRE(lines.size() == 1);
            for (const auto& e : c.expect) CHECK(lines[0].find(e) != std::string::npos);
        }
    }
}

TEST_CASE("dynavp bench dram replays patterns and DRAMSim3 traces, and reports what it measured", "[cli][dram]") {
    const fs::path out = scratch() / "bench.json", trace = scratch() / "random.trace";
    Result r = dynavp("bench dram -q --pattern stream,random --requests 20000 --json " + out.string());
    REQUIRE(r.code == 0);
    json j = read_json(out);
    REQUIRE(j["results"].size() == 2);
    const json& stream = j["results"][0];
    const json& random = j["results"][1];
    CHECK(stream["pattern"] == "stream");
    CHECK(stream["fraction_of_peak"].get<double>() >= 0.9);
    CHECK(stream["row_hit_rate"].get<double>() > 0.95);
    CHECK(random["row_hit_rate"].get<double>() < 0.05);
    CHECK(random["latency"]["read"]["p99_cycles"].get<uint64_t>() >= random["latency"]["read"]["p50_cycles"].get<uint64_t>());
    CHECK(random["energy_pj"]["total"].get<double>() > 0);
    CHECK(random["requests_per_host_second"].get<double>() > 0);
    // The same random requests written as a DRAMSim3 trace and replayed as fast as possible give the same result.
    REQUIRE(dynavp("bench dram -q --pattern random --requests 20000 --trace-out " + trace.string()).code == 0);
    const fs::path out2 = scratch() / "bench2.json";
    REQUIRE(dynavp("bench dram -q --outstanding 32 --trace " + trace.string() + " --trace-as-fast-as-possible --json " + out2.string()).code == 0);
    json k = read_json(out2);
    CHECK(k["results"][0]["end_cycle"] == random["end_cycle"]);
    CHECK(k["results"][0]["row_hits"] == random["row_hits"]);
    // A malformed line is one error naming the file, the line and the reason.
    const fs::path bad = write_file("bad.trace", "0x40 READ 0\n0x80 WRTE 4\n");
    Result e = dynavp("bench dram --trace " + bad.string());
    CHECK(e.code == 2);
    const auto lines = error_lines(e.err);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find(bad.string() + ": line 2: \"WRTE\" is neither READ nor WRITE") != std::string::npos);
    CHECK(dynavp("bench dram --pattern zigzag").code == 2);
    CHECK(dynavp("bench dram --mode eager").code == 2);
}

TEST_CASE("dynavp run --trace writes trace-event JSON with DMA descriptor spans and bus errors", "[cli]") {
    const fs::path trace = scratch() / "trace.json";
    REQUIRE(dynavp("run --platform dna-16c --quiet --trace " + trace.string()).code == 0);
    json j = read_json(trace);
    REQUIRE(j["traceEvents"].is_array());
    int dma_track = -1, spans = 0, errors = 0;
    for (const auto& e : j["traceEvents"])
        if (e["ph"] == "M" && e["name"] == "thread_name" && e["args"]["name"] == "dma0") dma_track = e["tid"];
    REQUIRE(dma_track > 0);
    for (const auto& e : j["traceEvents"]) {
        if (e["ph"] == "X" && e["tid"] == dma_track) {
            ++spans;
            CHECK(e["dur"].get<double>() > 0);
        }
        if (e["ph"] == "i" && e["name"] == "bus error") ++errors;
    }
    CHECK(spans == 21);  // every descriptor the selftest posts
    CHECK(errors == 3);  // the bus errors it provokes
}

TEST_CASE("dynavp schedule prints every mapper and, with --json, their schedules and costs", "[cli][sched]") {
    const std::string op = "--op 'R=3,S=3,P=28,Q=28,C=256,K=256' --dynamic 'C=96,K=160' --samples 50 --steps 100 --kernels 8";
    Result r = dynavp("schedule " + op);
    INFO(r.err);
    REQUIRE(r.code == 0);
    for (const char* m : {"offline", "static", "library", "transverter", "oracle"}) CHECK(r.out.find(m) != std::string::npos);
    CHECK(r.out.find("for ") != std::string::npos); // a loop nest
    Result j = dynavp("schedule --json " + op);
    REQUIRE(j.code == 0);
    json out = json::parse(j.out);
    REQUIRE(out["mappers"].size() == 5);
    for (const auto& m : out["mappers"]) {
        CHECK(m["cost"]["valid"] == true);
        CHECK(m["cost"]["cycles"].get<double>() > 0);
        CHECK(m["schedule"]["X"].is_array());
    }
    CHECK(out["mappers"][3]["mapper"] == "transverter");
    CHECK(out["mappers"][3]["table_updates"].get<uint64_t>() > 0);
    Result bad = dynavp("schedule --op 'R=3,Z=2'");
    CHECK(bad.code == 2);
    REQUIRE(error_lines(bad.err).size() == 1);
    CHECK(error_lines(bad.err)[0].find("--op") != std::string::npos);
    Result grow = dynavp("schedule --op 'C=16,K=16' --dynamic 'C=32'");
    CHECK(grow.code == 2);
    CHECK(error_lines(grow.err).at(0).find("must be in [1, 16]") != std::string::npos);
}

TEST_CASE("dynavp reproduce dna-fig16 prints paper and model figures side by side and writes CSV", "[cli][sched]") {
    const fs::path csv = scratch() / "fig16.csv";
    Result r = dynavp("reproduce dna-fig16 --samples 1 --kernels 4 --search-samples 20 --search-steps 40 --csv " + csv.string());
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("GeoMean") != std::string::npos);
    CHECK(r.out.find("2.83x") != std::string::npos); // the paper's column
    CHECK(r.out.find("93.0%") != std::string::npos);
    const std::string text = slurp(csv);
    CHECK(text.rfind("network,layer,sample,backbone,dynamic,mapper", 0) == 0);
    // 13 VGG16 + 17 ResNet-50 layers, 1 sample, 4 mappers, plus the header.
    CHECK(std::count(text.begin(), text.end(), '\n') == 30 * 4 + 1);
    Result again = dynavp("reproduce dna-fig16 --samples 1 --kernels 4 --search-samples 20 --search-steps 40 --csv " + (csv.string() + "2"));
    CHECK(slurp(csv) == slurp(csv.string() + "2")); // deterministic
    CHECK(dynavp("reproduce dna-fig99").code == 2);
    CHECK(dynavp("bench transverter --pairs 0").code == 2);
    CHECK(dynavp("schedule --op 'C=16,K=16' --maxbuff-order backbone").code == 2);
}

TEST_CASE("dynavp run conv-check passes with non-zero PE utilisation, an energy breakdown and per-core cycles", "[cli][npu]") {
    const fs::path out = scratch() / "s.json";
    Result r = dynavp("run --platform dna-16c --firmware conv-check --json " + out.string());
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    json j = read_json(out);
    CHECK(j["firmware"]["status"] == "pass");
    const json& n = j["npu"];
    CHECK(n["pe_utilization"].get<double>() > 0);
    CHECK(n["pe_utilization"].get<double>() <= 1.0);
    double parts = 0;
    for (const char* k : {"pe", "registers", "core_buffers", "glb", "prefetch_buffer", "dram", "noc", "leakage"}) {
        REQUIRE(n["energy_pj"].contains(k));
        parts += n["energy_pj"][k].get<double>();
    }
    CHECK(n["energy_pj"]["total"].get<double>() == Approx(parts));
    CHECK(n["energy_pj"]["pe"].get<double>() > 0);
    for (const char* k : {"dram_read", "dram_write", "prefetch_read", "glb_read", "glb_write", "core_buffer_fill", "core_buffer_drain"})
        CHECK(n["bytes"].contains(k));
    REQUIRE(n["core"].size() == 16);
    for (const auto& [id, c] : n["core"].items()) {
        INFO("core " << id);
        CHECK(c["busy_cycles"].get<uint64_t>() + c["stall_cycles"].get<uint64_t>() + c["idle_cycles"].get<uint64_t>() == j["cycles"].get<uint64_t>());
    }
    CHECK(n["launch_log"].size() == 2);
    CHECK(r.out.find("NPU energy") != std::string::npos);
}

TEST_CASE("conv-check with the same seed gives bit-identical stats JSON apart from host_seconds", "[cli][npu]") {
    const fs::path a = scratch() / "a.json", b = scratch() / "b.json";
    REQUIRE(dynavp("run --platform dna-16c --firmware conv-check --seed 9 --quiet --json " + a.string()).code == 0);
    REQUIRE(dynavp("run --platform dna-16c --firmware conv-check --seed 9 --quiet --json " + b.string()).code == 0);
    json ja = read_json(a), jb = read_json(b);
    ja.erase("host_seconds");
    jb.erase("host_seconds");
    CHECK(ja.dump() == jb.dump());
}

TEST_CASE("dynavp run --timing-only runs conv-check without arithmetic and says it skipped the output checks", "[cli][npu]") {
    const fs::path out = scratch() / "s.json";
    Result r = dynavp("run --platform dna-16c --firmware conv-check --timing-only --json " + out.string());
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    json j = read_json(out);
    CHECK(j["npu"]["timing_only"] == true);
    CHECK(j["npu"]["macs"].get<uint64_t>() > 0);
    CHECK(r.out.find("SKIP output check") != std::string::npos);
}

TEST_CASE("dynavp bench npu runs one case and reports cycles next to the cost model", "[cli][npu]") {
    const fs::path out = scratch() / "b.json";
    Result r = dynavp("bench npu --case bert-ffn1-timing --json " + out.string());
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    json j = read_json(out);
    REQUIRE(j["cases"].size() == 1);
    const json& c = j["cases"][0];
    CHECK(c["name"] == "bert-ffn1-timing");
    CHECK(c["ok"] == true);
    CHECK(c["cycles"].get<uint64_t>() > 0);
    CHECK(c["cost_model_cycles"].get<double>() > 0);
    CHECK(c["pe_utilization"].get<double>() > 0);
    CHECK(dynavp("bench npu --case nope").code == 2);
}

TEST_CASE("dynavp run --trace shows a track per NPU core with job and tile spans, and the launches", "[cli][npu]") {
    const fs::path trace = scratch() / "trace.json";
    REQUIRE(dynavp("run --platform dna-16c --firmware conv-check --quiet --trace " + trace.string()).code == 0);
    json j = read_json(trace);
    std::map<int, std::string> track;
    for (const auto& e : j["traceEvents"])
        if (e["ph"] == "M" && e["name"] == "thread_name") track[e["tid"].get<int>()] = e["args"]["name"];
    std::map<std::string, int> jobs, tiles;
    for (const auto& e : j["traceEvents"]) {
        if (e["ph"] != "X") continue;
        const std::string t = track[e["tid"].get<int>()], n = e["name"];
        if (n.rfind("job ", 0) == 0 || n.rfind("launch ", 0) == 0) ++jobs[t];
        if (n == "tile") ++tiles[t];
    }
    for (int c = 0; c < 16; ++c) {
        const std::string t = "npu.core" + std::to_string(c);
        CHECK(jobs[t] == 2);   // the conv and the matmul
        CHECK(tiles[t] > 0);
    }
    CHECK(jobs["npu"] == 2);   // one span per launch
}

namespace {
json run_moe(const std::string& extra) {
    const fs::path dir = scratch();
    const Result r = dynavp("run --platform dna-16c --firmware moe-layer --quiet --json " + (dir / "s.json").string() + " " + extra);
    INFO(extra << "\n" << r.err);
    REQUIRE(r.code == 0);
    return json::parse(slurp(dir / "s.json"));
}
} // namespace

TEST_CASE("moe-layer runs every DNA design: designs change timing but never results", "[cli][dna]") {
    std::map<std::string, json> j;
    for (const char* d : {"baseline", "online", "prefetch", "dna", "oracle"}) {
        j[d] = run_moe(std::string("--design ") + d);
        CHECK(j[d]["firmware"]["status"] == "pass"); // every design's expert outputs are bit-identical to the reference
        CHECK(j[d]["firmware"]["design"]["name"] == d);
    }
    CHECK(j["baseline"]["firmware"]["design"]["sched"] == "library");
    CHECK(j["baseline"]["firmware"]["design"]["prefetch"] == "none");
    CHECK(j["dna"]["firmware"]["design"]["sched"] == "transverter");
    CHECK(j["dna"]["firmware"]["design"]["prefetch"] == "predictor");
    auto cycles = [&](const char* d) { return j[d]["firmware"]["metrics"]["cycles"].get<double>(); };
    // Which design is faster is a measurement, not an invariant: with the
    // bank-parallel DRAM controller the library's schedules beat the
    // transverter's on this layer (see the DNA fig12 numbers in README).
    CHECK(cycles("baseline") != cycles("dna"));
    CHECK(cycles("baseline") != cycles("online"));
    // The transverter is in the loop only where the design says so, and so is the predictor.
    CHECK(j["dna"]["transverter"]["runs"].get<uint64_t>() > 0);
    CHECK(j["dna"]["transverter"]["busy_cycles"].get<uint64_t>() > 0);
    CHECK(j["online"]["transverter"]["runs"].get<uint64_t>() > 0);
    CHECK(j["baseline"]["transverter"]["runs"].get<uint64_t>() == 0);
    CHECK(j["baseline"]["predictor"]["resolves"].get<uint64_t>() == 0);
    CHECK(j["baseline"]["npu"]["bytes"]["prefetch_read"].get<uint64_t>() == 0);
    const auto& p = j["dna"]["predictor"];
    CHECK(p["tile_decisions"].get<uint64_t>() > 0);
    CHECK(p["accuracy"].get<double>() > 0.5);
    CHECK(p["accuracy"].get<double>() <= 1.0);
    CHECK(j["dna"]["npu"]["bytes"]["prefetch_read"].get<uint64_t>() > 0); // the cores read weights the predictor brought in
    // Oracle prefetching knows the decisions: nothing missed, nothing useless, no wait for data.
    const auto& o = j["oracle"]["predictor"];
    CHECK(o["tiles"]["missed"].get<uint64_t>() == 0);
    CHECK(o["tiles"]["useless"].get<uint64_t>() == 0);
    CHECK(o["data_stall_cycles"].get<uint64_t>() == 0);
    CHECK(o["bytes"]["saved_vs_none"].get<int64_t>() == 0);
    // Transverter/oracle schedules execute fewer padded MACs than the library's kernels.
    auto waste = [&](const char* d) {
        return j[d]["firmware"]["metrics"]["expert_macs_executed"].get<double>() / j[d]["firmware"]["metrics"]["expert_macs_useful"].get<double>();
    };
    CHECK(waste("dna") < waste("baseline"));
}

TEST_CASE("moe-layer --sched and --prefetch pick any pair, and conventional prefetching moves every expert and disables the useless ones", "[cli][dna]") {
    const json j = run_moe("--sched static --prefetch conventional --samples 3");
    CHECK(j["firmware"]["design"]["name"] == "custom");
    CHECK(j["firmware"]["metrics"]["samples"].get<double>() == 3);
    const auto& p = j["predictor"];
    CHECK(p["bytes"]["prefetched"].get<uint64_t>() == p["bytes"]["if_conventional"].get<uint64_t>());
    CHECK(p["tiles"]["useless"].get<uint64_t>() > 0);
    CHECK(p["bytes"]["saved_vs_conventional"].get<int64_t>() == 0);
    CHECK(j["transverter"]["runs"].get<uint64_t>() == 0);
    const json pair = run_moe("--design baseline --prefetch predictor --samples 3");
    CHECK(pair["firmware"]["design"]["name"] == "prefetch"); // library + predictor is the named design
}

TEST_CASE("moe-layer with the same seed gives bit-identical stats JSON apart from host_seconds", "[cli][dna]") {
    json a = run_moe("--design dna --seed 5 --samples 4"), b = run_moe("--design dna --seed 5 --samples 4");
    a.erase("host_seconds");
    b.erase("host_seconds");
    CHECK(a == b);
}

TEST_CASE("unknown designs and policies, and designs for firmware without one, are one-line errors", "[cli][dna]") {
    const Result bad = dynavp("run --platform dna-16c --firmware moe-layer --design fast");
    CHECK(bad.code != 0);
    REQUIRE(error_lines(bad.err).size() == 1);
    CHECK(error_lines(bad.err)[0].find("unknown design \"fast\" (known: baseline, online, prefetch, dna, oracle)") != std::string::npos);
    const Result pol = dynavp("run --platform dna-16c --firmware moe-layer --prefetch magic");
    CHECK(pol.code != 0);
    REQUIRE(error_lines(pol.err).size() == 1);
    CHECK(error_lines(pol.err)[0].find("--prefetch") != std::string::npos);
    const Result nodesign = dynavp("run --platform dna-16c --firmware conv-check --design dna");
    CHECK(nodesign.code != 0);
    REQUIRE(error_lines(nodesign.err).size() == 1);
    CHECK(error_lines(nodesign.err)[0].find("runs no dynamic NN") != std::string::npos);
}

TEST_CASE("moe-layer --trace has tracks for the transverter, the predictor and the runtime monitor", "[cli][dna]") {
    const fs::path dir = scratch();
    const Result r = dynavp("run --platform dna-16c --firmware moe-layer --design dna --samples 2 --quiet --trace " + (dir / "t.json").string());
    REQUIRE(r.code == 0);
    const TraceTracks t = trace_tracks(dir / "t.json");
    CHECK(t.spans.at("transverter") > 0);
    CHECK(t.spans.at("predictor") > 0);
    CHECK(t.spans.at("runtime_monitor") >= 2);
}

TEST_CASE("dynavp reproduce dypipe-fig8 to fig11 print ours beside the paper and write CSV", "[cli][dypipe]") {
    const std::pair<const char*, const char*> figs[] = {{"dypipe-fig8", "DyPipe Fig. 8: 0.96x"},
                                                        {"dypipe-fig9", "DyPipe Fig. 9: 96%"},
                                                        {"dypipe-fig10", "DyPipe Fig. 10: 1.75x"},
                                                        {"dypipe-fig11", "DyPipe Fig. 11: < 8%"}};
    for (const auto& [fig, paper] : figs) {
        const fs::path csv = scratch() / "f.csv";
        const Result r = dynavp(std::string("reproduce ") + fig + " --samples 4 --csv " + csv.string());
        INFO(fig << "\n" << r.out << r.err);
        REQUIRE(r.code == 0);
        CHECK(r.out.find(paper) != std::string::npos);
        const std::string text = slurp(csv);
        CHECK(text.rfind("experiment,workload,pipeline,cycles", 0) == 0);
        CHECK(text.find(std::string(fig) + ",") != std::string::npos);
    }
    const Result tree = dynavp("reproduce dypipe-fig10 --samples 3 --csv " + (scratch() / "t.csv").string());
    CHECK(tree.out.find("static pipelining cannot compile a tree-structured RNN") != std::string::npos);
}

TEST_CASE("dypipe reproductions are deterministic for a seed", "[cli][dypipe]") {
    const fs::path a = scratch() / "a.csv", b = scratch() / "b.csv";
    REQUIRE(dynavp("reproduce dypipe-fig10 --samples 5 --seed 3 --csv " + a.string()).code == 0);
    REQUIRE(dynavp("reproduce dypipe-fig10 --samples 5 --seed 3 --csv " + b.string()).code == 0);
    CHECK(slurp(a) == slurp(b));
}

TEST_CASE("scripts/plot.py turns a reproduce CSV into a PNG (where matplotlib is installed)", "[cli][dypipe]") {
    // Debian's matplotlib lives under /usr/bin/python3; a pyenv python3 on PATH may lack it.
    std::string py;
    for (const char* cand : {"/usr/bin/python3", "python3"})
        if (std::system((std::string(cand) + " -c 'import matplotlib' >/dev/null 2>&1").c_str()) == 0) {
            py = cand;
            break;
        }
    if (py.empty()) {
        WARN("matplotlib is not installed here: scripts/plot.py is not exercised (scripts/setup.sh installs python3-matplotlib)");
        return;
    }
    const fs::path csv = scratch() / "fig11.csv", png = scratch() / "fig11.png";
    REQUIRE(dynavp("reproduce dypipe-fig11 --samples 3 --csv " + csv.string()).code == 0);
    const std::string cmd = py + " " + DYNAVP_SOURCE_DIR + "/scripts/plot.py " + csv.string() + " -o " + png.string() + " >/dev/null 2>&1";
    CHECK(std::system(cmd.c_str()) == 0);
    REQUIRE(fs::exists(png));
    CHECK(fs::file_size(png) > 1000);
    const fs::path bad = write_file("bad.csv", "a,b\n1,2\n");
    CHECK(std::system((py + " " + DYNAVP_SOURCE_DIR + "/scripts/plot.py " + bad.string() + " >/dev/null 2>&1").c_str()) != 0);
}

TEST_CASE("dypipe-rnn runs under --pipeline all on dypipe-diannao, and pipelines are refused where they mean nothing", "[cli][dypipe]") {
    const fs::path j = scratch() / "d.json";
    const Result r = dynavp("run --platform dypipe-diannao --firmware dypipe-rnn --pipeline all --samples 3 --json " + j.string());
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("PASS pipeline static") != std::string::npos);
    CHECK(r.out.find("dypipe accelerator") != std::string::npos);
    const json s = json::parse(slurp(j));
    CHECK(s["firmware"]["pipeline"] == "none,static,dynamic");
    CHECK(s["context_buffer"]["records_saved"].get<uint64_t>() > 0);
    const Result bad = dynavp("run --platform dypipe-diannao --firmware dypipe-rnn --pipeline fast");
    CHECK(bad.code != 0);
    REQUIRE(error_lines(bad.err).size() == 1);
    CHECK(error_lines(bad.err)[0].find("unknown pipeline \"fast\"") != std::string::npos);
    const Result wrong = dynavp("run --platform dna-16c --firmware moe-layer --pipeline static");
    CHECK(wrong.code != 0);
    REQUIRE(error_lines(wrong.err).size() == 1);
    CHECK(error_lines(wrong.err)[0].find("does not run on the DyPipe accelerator") != std::string::npos);
}

TEST_CASE("the board's DyPipe transfers take the DRAM device's time, not the model's latency figure", "[cli][dypipe]") {
    // dram_latency_cycles only feeds the scheduler's own channel model (reproduce); on the board the
    // transfers go over the bus, so it must not matter there, while the DRAM's clock must.
    json base = json::parse(slurp(fs::path(DYNAVP_SOURCE_DIR) / "platform/presets/dypipe-diannao.json"));
    auto cycles = [&](json cfg) {
        const fs::path p = write_file("board.json", cfg.dump()), j = scratch() / "s.json";
        const Result r = dynavp("run --platform " + p.string() + " --firmware dypipe-rnn --pipeline dynamic --seed 2 --quiet --json " + j.string());
        INFO(r.err);
        REQUIRE(r.code == 0);
        return json::parse(slurp(j))["firmware"]["metrics"]["dynamic"]["accelerator_cycles"].get<double>();
    };
    const double normal = cycles(base);
    json latency = base;
    latency["dypipe"]["dram_latency_cycles"] = 1000;
    CHECK(cycles(latency) == normal);
    json slow = base;
    slow["devices"][0]["timing"]["tCK_ps"] = 2000; // 16 GB/s
    CHECK(cycles(slow) > 1.1 * normal);
}

// ---- the DynNN firmware runtime (firmware/runtime) and DNA's evaluation (issue 6)

namespace {
json runtime_json(const std::string& args, Result* out = nullptr) {
    const fs::path f = scratch() / "r.json";
    const Result r = dynavp("run --platform dna-16c " + args + " --quiet --json " + f.string());
    if (out) *out = r;
    INFO(args << "\n" << r.out << r.err);
    REQUIRE(r.code == 0);
    return read_json(f);
}
} // namespace

TEST_CASE("the runtime runs a small FBS CNN and a small MoE block under every design with outputs bit-identical to the C++ reference", "[cli][runtime]") {
    for (const char* model : {"fbs-cnn-small", "moe-block-small"}) {
        std::map<std::string, double> cycles;
        for (const char* d : {"baseline", "online", "prefetch", "dna", "oracle"}) {
            const json j = runtime_json(std::string("--workload ") + model + " --design " + d + " --samples 3");
            CHECK(j["firmware"]["name"] == "runtime");
            CHECK(j["firmware"]["workload"]["decisions"] == "functional");
            const std::string log = j["firmware"]["log"].back().get<std::string>();
            INFO(model << " " << d << ": " << log);
            CHECK(log.rfind("PASS", 0) == 0);
            CHECK(log.find("outputs bit-identical to the reference") != std::string::npos);
            cycles[d] = j["firmware"]["metrics"]["cycles"].get<double>();
            CHECK(j["firmware"]["metrics"]["agent_layers"].get<double>() >= 1);
        }
        CHECK(cycles["dna"] != cycles["baseline"]); // designs change timing (and, checked above, never results)
    }
}

TEST_CASE("every DNA evaluation model runs on the board from its generated decision trace", "[cli][runtime]") {
    for (const char* model : {"dcn-resnet50", "tome-vit-b16", "fbs-vgg16", "moefication-bert", "switch-125m", "mixtral-125m", "condconv-effnetb0",
                              "branchynet-alexnet"}) {
        const json j = runtime_json(std::string("--workload ") + model + " --design dna --timing-only");
        CHECK(j["firmware"]["workload"]["decisions"] == "generated");
        CHECK(j["firmware"]["metrics"]["cycles"].get<double>() > 0);
        CHECK(j["firmware"]["metrics"]["macs_useful"].get<double>() > 0);
        CHECK(j["npu"]["timing_only"] == true);
    }
}

TEST_CASE("the runtime with the same seed gives bit-identical stats JSON apart from host_seconds", "[cli][runtime]") {
    for (const char* args : {"--workload fbs-cnn-small --design dna --samples 2 --seed 5", "--workload switch-125m --design dna --timing-only --samples 2 --seed 5"}) {
        json a = runtime_json(args), b = runtime_json(args);
        a.erase("host_seconds");
        b.erase("host_seconds");
        CHECK(a.dump() == b.dump());
    }
}

TEST_CASE("trace-gen writes a decision trace that trace-check, run --decisions and --save-decisions agree on", "[cli][runtime]") {
    const fs::path t = scratch() / "t.jsonl", saved = scratch() / "s.jsonl";
    const Result g = dynavp("trace-gen --workload fbs-vgg16 --samples 3 --seed 2 --out " + t.string());
    REQUIRE(g.code == 0);
    CHECK(g.out.find("conv5_3") != std::string::npos);
    const Result c = dynavp("trace-check --workload fbs-vgg16 --file " + t.string());
    CHECK(c.code == 0);
    CHECK(c.out.find("valid fbs-vgg16 trace, 3 samples") != std::string::npos);
    const json j = runtime_json("--workload fbs-vgg16 --design dna --timing-only --samples 3 --decisions " + t.string());
    CHECK(j["firmware"]["workload"]["decisions"] == t.string());
    runtime_json("--workload fbs-vgg16 --design dna --timing-only --samples 3 --seed 2 --decisions generate --save-decisions " + saved.string());
    CHECK(slurp(saved) == slurp(t));
}

TEST_CASE("runtime input errors are one-line errors naming the option, file, line and field", "[cli][runtime]") {
    auto one_error = [](const std::string& args, const std::string& needle) {
        const Result r = dynavp(args);
        INFO(args << "\n" << r.err);
        CHECK(r.code != 0);
        const auto lines = error_lines(r.err);
        REQUIRE(lines.size() == 1);
        CHECK(lines[0].find(needle) != std::string::npos);
    };
    one_error("run --workload no-such-model", "unknown network \"no-such-model\"");
    one_error("run --workload switch-125m --decisions functional", "--decisions");
    one_error("run --workload fbs-cnn-small --decisions functional --timing-only", "not with --timing-only");
    one_error("run --firmware moe-layer --workload fbs-cnn-small", "--workload");
    one_error("run --firmware runtime", "needs a model");
    const fs::path bad = write_file("bad.jsonl", "{\"dynavp_trace\": 1, \"model\": \"fbs-cnn-small\", \"samples\": 1}\n"
                                                 "{\"sample\": 0, \"layer\": \"conv2\", \"used\": [0, 9]}\n");
    one_error("run --workload fbs-cnn-small --decisions " + bad.string(), "line 2/used");
    const fs::path broken = write_file("broken.jsonl", "{\"dynavp_trace\": 1, \"model\": \"fbs-cnn-small\", \"samples\": 1}\n{\"sample\": 0,\n");
    one_error("trace-check --workload fbs-cnn-small --file " + broken.string(), "line 2");
    const fs::path t = scratch() / "t.jsonl";
    REQUIRE(dynavp("trace-gen --workload fbs-cnn-small --samples 2 --out " + t.string()).code == 0);
    one_error("run --workload fbs-cnn-small --samples 5 --decisions " + t.string(), "the trace has 2 samples");
    one_error("trace-gen --workload vgg16 --out " + t.string(), "no agent layers");
}

TEST_CASE("a runtime --trace has a track per core, for the agents, the transverter, the predictor and the runtime monitor", "[cli][runtime]") {
    const fs::path dir = scratch();
    REQUIRE(dynavp("run --workload fbs-cnn-small --design dna --samples 2 --quiet --trace " + (dir / "t.json").string()).code == 0);
    const TraceTracks t = trace_tracks(dir / "t.json");
    CHECK(t.spans.at("npu.agents") >= 6); // 3 gated layers x 2 samples
    CHECK(t.spans.at("transverter") > 0);
    CHECK(t.spans.at("predictor") > 0);
    CHECK(t.spans.at("runtime_monitor") >= 6);
    int core_tracks = 0;
    for (const auto& [tid, name] : t.names) core_tracks += name.rfind("npu.core", 0) == 0 ? 1 : 0;
    CHECK(core_tracks == 16);
}

TEST_CASE("dynavp reproduce dna-fig12, fig15 and fig17 print ours beside the paper, write CSV, and plot.py draws them", "[cli][runtime]") {
    std::string py;
    for (const char* cand : {"/usr/bin/python3", "python3"})
        if (std::system((std::string(cand) + " -c 'import matplotlib' >/dev/null 2>&1").c_str()) == 0) {
            py = cand;
            break;
        }
    const std::pair<const char*, const char*> figs[] = {{"dna-fig12", "3.48x"}, {"dna-fig15", "misprediction 2.02%"}, {"dna-fig17", "92.5% accuracy"}};
    for (const auto& [fig, paper] : figs) {
        const fs::path csv = scratch() / "f.csv", png = scratch() / "f.png";
        const Result r = dynavp(std::string("reproduce ") + fig + " --models branchynet-alexnet,condconv-effnetb0 --samples 2 --csv " + csv.string());
        INFO(fig << "\n" << r.out << r.err);
        REQUIRE(r.code == 0);
        CHECK(r.out.find(paper) != std::string::npos);
        CHECK(r.out.find("condconv-effnetb0") != std::string::npos);
        CHECK(slurp(csv).rfind("model,short,", 0) == 0);
        if (py.empty()) continue;
        CHECK(std::system((py + " " + DYNAVP_SOURCE_DIR + "/scripts/plot.py " + csv.string() + " -o " + png.string() + " >/dev/null 2>&1").c_str()) == 0);
        CHECK(fs::exists(png));
    }
    const Result bad = dynavp("reproduce dna-fig12 --models vgg16");
    CHECK(bad.code != 0);
    CHECK(bad.err.find("not one of the DNA evaluation models") != std::string::npos);
}

TEST_CASE("a model file of one's own runs with --workload, and a bad one is a one-line error naming the file and field", "[cli][runtime]") {
    std::string text = slurp(fs::path(DYNAVP_SOURCE_DIR) / "workloads/zoo/fbs-cnn-small.json");
    const std::string from = "\"name\": \"fbs-cnn-small\"";
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), "\"name\": \"my-fbs\"");
    const fs::path mine = write_file("my-fbs.json", text);
    const json j = runtime_json("--workload " + mine.string() + " --design dna --samples 2");
    CHECK(j["firmware"]["workload"]["name"] == "my-fbs");
    CHECK(j["firmware"]["status"] == "pass");
    const auto tiles = text.find("\"tiles\": 4");
    REQUIRE(tiles != std::string::npos);
    text.replace(tiles, 10, "\"tiles\": 5");
    const fs::path bad = write_file("bad-fbs.json", text);
    const Result r = dynavp("run --workload " + bad.string());
    CHECK(r.code == 2);
    const auto lines = error_lines(r.err);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find(bad.string()) != std::string::npos);
    CHECK(lines[0].find("tiles") != std::string::npos);
}

// ---- RTL blocks (rtl/, DYNAVP_RTL builds only)
#ifdef DYNAVP_HAVE_RTL
TEST_CASE("cosim predictor: 10,000 seeded updates agree between the golden model, the TLM IP and the RTL", "[cli][rtl]") {
    const Result r = dynavp("cosim predictor --cases 10000 --seed 1 --quiet");
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("0 mismatches") != std::string::npos);
    CHECK(r.out.find("10000 updates") != std::string::npos);
    CHECK(r.out.find("RTL clocks per PREDICT") != std::string::npos);
}

TEST_CASE("a corrupted RTL parameter makes cosim fail with a replay file that reproduces the mismatch", "[cli][rtl]") {
    const fs::path replay = scratch() / "replay.json", again = scratch() / "again.json";
    const Result bad = dynavp("cosim predictor --cases 500 --faulty-rtl --quiet --replay-out " + replay.string());
    INFO(bad.out << bad.err);
    CHECK(bad.code == 1);
    CHECK(bad.out.find("MISMATCH at operation") != std::string::npos);
    REQUIRE(fs::exists(replay));
    const json j = read_json(replay);
    CHECK(j["block"] == "predictor");
    CHECK(!j["ops"].empty());
    const Result rerun = dynavp("cosim predictor --faulty-rtl --quiet --replay " + replay.string() + " --replay-out " + again.string());
    CHECK(rerun.code == 1);
    const Result good = dynavp("cosim predictor --quiet --replay " + replay.string());
    CHECK(good.code == 0);
    CHECK(good.out.find("0 mismatches") != std::string::npos);
    const fs::path broken = write_file("broken.json", "{\"ops\": [{\"bank\": 3}]}");
    const Result e = dynavp("cosim predictor --replay " + broken.string());
    CHECK(e.code == 2);
    CHECK(error_lines(e.err).size() == 1);
}

TEST_CASE("cosim --vcd writes the RTL block's waveforms", "[cli][rtl]") {
    const fs::path vcd = scratch() / "p.vcd";
    REQUIRE(dynavp("cosim predictor --cases 20 --quiet --vcd " + vcd.string()).code == 0);
    const std::string text = slurp(vcd);
    CHECK(text.find("$enddefinitions") != std::string::npos);
    CHECK(text.find("bus_valid") != std::string::npos);
}

TEST_CASE("the board runs MoE with the predictor RTL swapped in: same outputs and predictions as the TLM predictor, RTL clocks added", "[cli][rtl]") {
    for (const char* args : {"--firmware moe-layer --design dna --samples 4", "--workload moe-block-small --design dna --samples 4"}) {
        const json tlm = runtime_json(args), rtl = runtime_json(std::string(args) + " --rtl predictor");
        INFO(args);
        CHECK(rtl["firmware"]["status"] == "pass"); // outputs checked bit for bit against the reference by the firmware
        CHECK(rtl["rtl"]["blocks"] == "predictor");
        CHECK(rtl["rtl"]["predictor"]["commands"].get<uint64_t>() > 0);
        for (const char* k : {"useful", "useless", "missed", "prefetched"}) CHECK(rtl["predictor"]["tiles"][k] == tlm["predictor"]["tiles"][k]);
        CHECK(rtl["predictor"]["accuracy"] == tlm["predictor"]["accuracy"]);
        // The RTL's clocks land where the runtime waits for the predictor (the
        // monitor's hand-over); the run's total need not grow: a later
        // request can meet a less busy DRAM.
        CHECK(rtl["rtl"]["predictor"]["bus_cycles"].get<uint64_t>() > 0);
        CHECK(rtl["firmware"]["metrics"]["monitor_cycles"].get<double>() > tlm["firmware"]["metrics"]["monitor_cycles"].get<double>());
    }
    const fs::path vcd = scratch() / "b.vcd";
    runtime_json("--firmware moe-layer --design dna --samples 1 --rtl predictor --vcd " + vcd.string());
    CHECK(fs::file_size(vcd) > 1000);
    for (const auto& [args, needle] : std::vector<std::pair<std::string, std::string>>{{"--rtl nosuch", "unknown RTL block"},
                                                                                       {"--vcd x.vcd", "give --rtl too"}}) {
        const Result r = dynavp("run --firmware moe-layer " + args);
        CHECK(r.code == 2);
        const auto lines = error_lines(r.err);
        REQUIRE(lines.size() == 1);
        CHECK(lines[0].find(needle) != std::string::npos);
    }
}

TEST_CASE("cosim transverter: 1,000 seeded cases agree between the golden model, the TLM IP and the RTL, with the cycle comparison", "[cli][rtl]") {
    const Result r = dynavp("cosim transverter --cases 1000 --seed 1 --quiet");
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("0 mismatches") != std::string::npos);
    CHECK(r.out.find("cycles per run: RTL") != std::string::npos);
    // A replay file with one case runs that case.
    const fs::path f = write_file("case.json", "{\"cases\": [{\"backbone\": \"R=1,S=1,P=1,Q=1,C=64,K=64,N=64\", \"dynamic\": \"R=1,S=1,P=1,Q=1,C=64,K=64,N=9\", "
                                              "\"schedule_schd_hex\": \"zz\"}]}");
    const Result e = dynavp("cosim transverter --replay " + f.string());
    CHECK(e.code == 2);
    REQUIRE(error_lines(e.err).size() == 1);
    CHECK(error_lines(e.err)[0].find("/cases/0/schedule_schd_hex") != std::string::npos);
}

TEST_CASE("the board runs the MoE firmware with both RTL blocks swapped in and gives the TLM blocks' results", "[cli][rtl]") {
    for (const char* args : {"--firmware moe-layer --design dna --samples 3", "--workload moe-block-small --design dna --samples 3"}) {
        const json tlm = runtime_json(args), rtl = runtime_json(std::string(args) + " --rtl transverter,predictor");
        INFO(args);
        CHECK(rtl["firmware"]["status"] == "pass"); // expert outputs bit-identical to the reference, checked by the firmware
        CHECK(rtl["rtl"]["blocks"] == "transverter,predictor");
        CHECK(rtl["rtl"]["transverter"]["bus_cycles"].get<uint64_t>() > 0);
        CHECK(rtl["firmware"]["metrics"]["transverter_runs"] == tlm["firmware"]["metrics"]["transverter_runs"]);
        CHECK(rtl["firmware"]["metrics"]["transverter_updates"] == tlm["firmware"]["metrics"]["transverter_updates"]);
        auto executed = [](const json& j) {
            const json& m = j["firmware"]["metrics"];
            return m.contains("macs_executed") ? m["macs_executed"].get<double>() : m["expert_macs_executed"].get<double>();
        };
        CHECK(executed(rtl) == executed(tlm)); // the same schedules: the same padded operators
        CHECK(executed(rtl) > 0);
        CHECK(rtl["predictor"]["accuracy"] == tlm["predictor"]["accuracy"]);
    }
}

TEST_CASE("the RTL blocks are verilator --lint-only -Wall clean", "[cli][rtl]") {
    const std::string src = std::string(DYNAVP_SOURCE_DIR) + "/rtl/";
    const std::string blocks[] = {
        "-I" + std::string(DYNAVP_RTL_GEN) + " " + src + "predictor/predictor.sv --top-module predictor",
        "-I" + std::string(DYNAVP_RTL_GEN) + " -I" + src + "transverter " + src + "transverter/transverter_table_ram.sv " + src +
            "transverter/transverter_factor.sv " + src + "transverter/transverter_core.sv " + src + "transverter/transverter.sv --top-module transverter"};
    for (const std::string& b : blocks) {
        FILE* p = popen(("verilator --lint-only -Wall " + b + " 2>&1").c_str(), "r");
        REQUIRE(p);
        std::string out;
        char buf[256];
        while (fgets(buf, sizeof buf, p)) out += buf;
        const int status = pclose(p);
        INFO(b << "\n" << out);
        CHECK(status == 0);
        CHECK(out.empty());
    }
}
#endif
