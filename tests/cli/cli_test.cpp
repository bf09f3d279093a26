// The dynavp binary as a user runs it: exit codes, one-line errors, JSON.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
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

TEST_CASE("dynavp bench dram reports sequential near peak and random well below", "[cli]") {
    const fs::path out = scratch() / "bench.json";
    Result r = dynavp("bench dram --transactions 50000 --json " + out.string());
    REQUIRE(r.code == 0);
    json j = read_json(out);
    CHECK(j["sequential"]["fraction_of_peak"].get<double>() >= 0.9);
    CHECK(j["random"]["fraction_of_peak"].get<double>() < 0.6);
    CHECK(j["sequential"]["transactions_per_host_second"].get<double>() > 0);
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
