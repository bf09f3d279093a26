#include <catch2/catch.hpp>

#include "platform/config_reader.h"
#include "platform/platform_config.h"

using namespace dynavp;
using nlohmann::json;

namespace {

json base_platform() {
    return json::parse(R"({
      "name": "t", "clock_mhz": 500,
      "devices": [
        {"name": "dram", "type": "dram", "base": "0x80000000", "size": "1GiB", "preset": "DDR4-2400"},
        {"name": "glb", "type": "sram", "base": "0x10000000", "size": "128KiB"},
        {"name": "dma0", "type": "dma", "base": "0x40000000", "size": "0x1000", "irq": 0}
      ]})");
}

// Parses j and returns the ConfigError it raises (fails the test if none).
ConfigError error_of(const json& j) {
    try {
        parse_platform(j.dump(), "bad.json");
    } catch (const ConfigError& e) {
        return e;
    }
    FAIL("configuration was accepted: " << j.dump());
    throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("every embedded preset parses, and dna-16c matches DNA sec. VII-A", "[config]") {
    REQUIRE(!embedded_platform_presets().empty());
    for (const auto& p : embedded_platform_presets()) CHECK_NOTHROW(parse_platform(p.text, p.path));
    PlatformConfig c = load_platform("dna-16c");
    CHECK(c.clock_mhz == 500);
    CHECK(c.npu.cores == 16);
    CHECK(c.npu.pe_rows == 8);
    CHECK(c.npu.pe_cols == 8);
    CHECK(c.npu.core_buffer_bytes() == 8 * 1024);
    REQUIRE(c.find("glb"));
    CHECK(c.find("glb")->size == 128 * 1024);
    REQUIRE(c.find("prefetch_buffer"));
    CHECK(c.find("prefetch_buffer")->size == 128 * 1024);
    CHECK(c.first_of(DeviceType::Dram)->dram.timing.name == "DDR4-2400");
}

TEST_CASE("sizes may be written as integers, hex strings or KiB/MiB/GiB", "[config]") {
    PlatformConfig c = parse_platform(base_platform().dump(), "x.json");
    CHECK(c.find("dram")->size == (uint64_t(1) << 30));
    CHECK(c.find("glb")->size == 131072);
    CHECK(c.find("dma0")->base == 0x40000000);
}

TEST_CASE("DRAM timing overrides apply on top of the preset and are validated", "[config]") {
    json j = base_platform();
    j["devices"][0]["timing"] = {{"CL", 20}, {"tRCD", 18}};
    PlatformConfig c = parse_platform(j.dump(), "x.json");
    CHECK(c.find("dram")->dram.timing.CL == 20);
    CHECK(c.find("dram")->dram.timing.tRCD == 18);
    CHECK(c.find("dram")->dram.timing.tRP == 16); // untouched
}

TEST_CASE("bad platform files give an error naming file, JSON path and reason", "[config]") {
    struct Case {
        const char* what;
        std::function<void(json&)> edit;
        const char* path;
        const char* reason;
    };
    const std::vector<Case> cases = {
        {"overlap", [](json& j) { j["devices"][1]["base"] = "0x80001000"; }, "/devices/1/base", "overlaps 'dram'"},
        {"unknown preset", [](json& j) { j["devices"][0]["preset"] = "DDR9"; }, "/devices/0/preset", "unknown DRAM preset"},
        {"unknown type", [](json& j) { j["devices"][1]["type"] = "flux"; }, "/devices/1/type", "unknown device type"},
        {"missing name", [](json& j) { j.erase("name"); }, "/name", "missing required field"},
        {"typo field", [](json& j) { j["devices"][1]["latencycycles"] = 2; }, "/devices/1/latencycycles", "unknown field"},
        {"negative size", [](json& j) { j["devices"][1]["size"] = -4; }, "/devices/1/size", "must not be negative"},
        {"negative size text", [](json& j) { j["devices"][1]["size"] = "-1"; }, "/devices/1/size", "cannot read"},
        {"negative hex text", [](json& j) { j["devices"][1]["base"] = "0x-1"; }, "/devices/1/base", "cannot read"},
        {"interleave below burst", [](json& j) { j["devices"][0]["timing"] = {{"burst_length", 16}}; j["devices"][0]["interleave_bytes"] = 64; }, "/devices/0/interleave_bytes", "128 bytes"},
        {"bad size text", [](json& j) { j["devices"][1]["size"] = "12 parsecs"; }, "/devices/1/size", "cannot read"},
        {"zero size", [](json& j) { j["devices"][1]["size"] = 0; }, "/devices/1/size", "must be > 0"},
        {"wraps", [](json& j) { j["devices"][1]["base"] = "0xFFFFFFFFFFFFF000"; j["devices"][1]["size"] = "0x2000"; }, "/devices/1/size", "wraps"},
        {"dram too big", [](json& j) { j["devices"][0]["size"] = "64GiB"; }, "/devices/0/size", "exceeds the capacity"},
        {"irq twice", [](json& j) { j["devices"].push_back({{"name", "dma1"}, {"type", "dma"}, {"base", "0x40001000"}, {"size", "0x1000"}, {"irq", 0}}); }, "/devices/3/irq", "already used"},
        {"irq out of range", [](json& j) { j["devices"][2]["irq"] = 12; }, "/devices/2/irq", "does not exist"},
        {"duplicate name", [](json& j) { j["devices"][1]["name"] = "dram"; }, "/devices/1/name", "duplicate device name"},
        {"no dram", [](json& j) { j["devices"].erase(0); }, "/devices", "needs a device of type \"dram\""},
        {"zero clock", [](json& j) { j["clock_mhz"] = 0; }, "/clock_mhz", "must be in"},
        {"tiny clock", [](json& j) { j["clock_mhz"] = 1e-20; }, "/clock_mhz", "must be in"},
        {"dotted name", [](json& j) { j["devices"][1]["name"] = "glb.reads"; }, "/devices/1/name", "only letters"},
        {"refresh leaves no room", [](json& j) { j["devices"][0]["timing"] = {{"tRFC", 9000}, {"tREFI", 9010}}; }, "/devices/0/timing", "tREFI too short"},
        {"huge burst", [](json& j) { j["devices"][0]["timing"] = {{"burst_length", 65536}, {"bus_bytes", 65536}, {"columns", 65536}}; }, "/devices/0/timing", "burst_length must be <= 32"},
        {"huge bank count", [](json& j) { j["devices"][0]["timing"] = {{"bank_groups", 32768}, {"banks_per_group", 32768}}; }, "/devices/0/timing", "bank_groups must be <= 8"},
        {"bad timing", [](json& j) { j["devices"][0]["timing"] = {{"tRFC", 100000}}; }, "/devices/0/timing", "tRFC"},
        {"unknown timing", [](json& j) { j["devices"][0]["timing"] = {{"tXYZ", 1}}; }, "/devices/0/timing/tXYZ", "unknown DRAM timing field"},
        {"devices not array", [](json& j) { j["devices"] = 3; }, "/devices", "expected an array"},
        {"chunk not pow2", [](json& j) { j["devices"][2]["chunk_bytes"] = 100; }, "/devices/2/chunk_bytes", "power of two"},
        {"npu device without npu section", [](json& j) { j["devices"].push_back({{"name", "npu"}, {"type", "npu"}, {"base", "0x20000000"}, {"size", "0x20000"}, {"irq", 1}}); }, "/devices/3/type", "needs the top-level \"npu\" section"},
        {"npu page too small", [](json& j) {
             j["devices"].push_back({{"name", "npu"}, {"type", "npu"}, {"base", "0x20000000"}, {"size", "0x2000"}, {"irq", 1}});
             j["npu"] = {{"cores", 4}, {"pe_array", {{"rows", 8}, {"cols", 8}}}, {"core_buffers", {{"weight", 4096}, {"input", 2048}, {"output", 2048}}}};
         }, "/devices/3/size", "0x1000 bytes per core"},
        {"npu too many cores", [](json& j) {
             j["devices"].push_back({{"name", "npu"}, {"type", "npu"}, {"base", "0x20000000"}, {"size", "0x100000"}, {"irq", 1}});
             j["npu"] = {{"cores", 64}, {"pe_array", {{"rows", 8}, {"cols", 8}}}, {"core_buffers", {{"weight", 4096}, {"input", 2048}, {"output", 2048}}}};
         }, "/npu/cores", "at most 32 cores"},
        {"npu without glb", [](json& j) {
             j["devices"][1]["name"] = "sram0";
             j["devices"].push_back({{"name", "npu"}, {"type", "npu"}, {"base", "0x20000000"}, {"size", "0x20000"}, {"irq", 1}});
             j["npu"] = {{"cores", 4}, {"pe_array", {{"rows", 8}, {"cols", 8}}}, {"core_buffers", {{"weight", 4096}, {"input", 2048}, {"output", 2048}}}};
         }, "/devices/3", "named \"glb\""},
        {"npu zero cores", [](json& j) { j["npu"] = {{"cores", 0}, {"pe_array", {{"rows", 8}, {"cols", 8}}}, {"core_buffers", {{"weight", 1}, {"input", 1}, {"output", 1}}}}; }, "/npu/cores", "out of range"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.what) {
            json j = base_platform();
            c.edit(j);
            ConfigError e = error_of(j);
            CHECK(e.file() == "bad.json");
            CHECK(e.path() == c.path);
            INFO(e.what());
            CHECK(e.reason().find(c.reason) != std::string::npos);
            CHECK(std::string(e.what()).find('\n') == std::string::npos); // one line
        }
    }
}

TEST_CASE("malformed JSON is reported with its line number", "[config]") {
    try {
        parse_platform("{\n  \"name\": \"x\",\n  \"clock_mhz\": 500,,\n}", "broken.json");
        FAIL("accepted");
    } catch (const ConfigError& e) {
        CHECK(e.file() == "broken.json");
        CHECK(e.reason().find("malformed JSON near line 3") != std::string::npos);
    }
}

TEST_CASE("numbers JSON cannot represent are a config error, not a crash", "[config]") {
    try {
        parse_platform("{\"name\": \"x\", \"clock_mhz\": 1e400, \"devices\": []}", "big.json");
        FAIL("accepted");
    } catch (const ConfigError& e) {
        CHECK(e.file() == "big.json");
    }
}

TEST_CASE("unknown preset names list the known ones", "[config]") {
    try {
        load_platform("dna-99c");
        FAIL("accepted");
    } catch (const ConfigError& e) {
        CHECK(e.reason().find("unknown preset \"dna-99c\"") != std::string::npos);
        CHECK(e.reason().find("dna-16c") != std::string::npos);
    }
    CHECK_THROWS_AS(load_platform("/nonexistent/p.json"), ConfigError);
}

TEST_CASE("dna-16c carries DNA's online scheduler: a 64-row transverter, a 1 KB predictor table, a runtime monitor", "[config]") {
    const PlatformConfig c = load_platform("dna-16c");
    const DeviceConfig* t = c.first_of(DeviceType::Transverter);
    const DeviceConfig* p = c.first_of(DeviceType::Predictor);
    REQUIRE(t);
    REQUIRE(p);
    REQUIRE(c.first_of(DeviceType::RuntimeMonitor));
    CHECK(t->transverter.table_entries == 64); // 16 items per level x 4 levels (DNA VII-A)
    CHECK(p->predictor.tiles * (1u << p->predictor.rat_bits) * 2 / 8 == 1024);
}

TEST_CASE("online-scheduler devices are validated: table geometry, a missing NPU or prefetch buffer, duplicates", "[config]") {
    json j;
    for (const auto& pr : embedded_platform_presets())
        if (std::string(pr.name) == "dna-16c") j = json::parse(pr.text);
    auto index_of = [&](const std::string& type) {
        for (size_t i = 0; i < j["devices"].size(); ++i)
            if (j["devices"][i]["type"] == type) return i;
        FAIL("no " << type);
        return size_t(0);
    };
    {
        json k = j;
        k["devices"][index_of("predictor")]["rat_bits"] = 6; // 256 x 64 x 2 bits = 4 KB > 1 KB
        const ConfigError e = error_of(k);
        CHECK(e.path() == "/devices/" + std::to_string(index_of("predictor")) + "/rat_bits");
        CHECK(e.reason().find("more than table_bytes") != std::string::npos);
    }
    {
        json k = j;
        k["devices"][index_of("transverter")]["alu_cycles"] = 0;
        CHECK(error_of(k).path().find("alu_cycles") != std::string::npos);
    }
    {
        json k = j;
        k["devices"][index_of("runtime_monitor")]["bogus"] = 1;
        CHECK(error_of(k).path().find("bogus") != std::string::npos);
    }
    {
        json k = j;
        k["devices"].push_back(k["devices"][index_of("transverter")]);
        k["devices"].back()["name"] = "transverter2";
        k["devices"].back()["base"] = "0x31000000";
        k["devices"].back().erase("irq");
        CHECK(error_of(k).reason().find("only one device of type \"transverter\"") != std::string::npos);
    }
    {
        json k = j;
        k["devices"].erase(index_of("npu"));
        k.erase("npu");
        CHECK(error_of(k).reason().find("needs a device of type \"npu\"") != std::string::npos);
    }
    {
        json k = j;
        k["devices"].erase(index_of("sram") + 1); // the prefetch buffer follows the GLB
        CHECK(error_of(k).reason().find("prefetch_buffer") != std::string::npos);
    }
}

TEST_CASE("DRAM controller, address mapping and power fields are read and validated", "[config][dram]") {
    json j = base_platform();
    j["devices"][0]["address_mapping"] = "rochrababgco";
    j["devices"][0]["controller"] = {{"page_policy", "closed"}, {"scheduler", "fcfs"}, {"write_high", 24}, {"write_low", 8}, {"starvation_cap", 2}};
    j["devices"][0]["power"] = {{"IDD0", 50}};
    j["devices"][0]["timing"] = {{"ranks", 1}};
    PlatformConfig c = parse_platform(j.dump(), "x.json");
    const DramDeviceConfig& d = c.find("dram")->dram;
    CHECK(d.address_mapping == "rochrababgco");
    CHECK(d.controller.page == DramControllerConfig::Page::Closed);
    CHECK(d.controller.scheduler == DramControllerConfig::Scheduler::Fcfs);
    CHECK(d.controller.write_high == 24);
    CHECK(d.controller.write_low == 8);
    CHECK(d.controller.starvation_cap == 2);
    CHECK(d.timing.IDD0 == 50);
    CHECK(d.timing.ranks == 1);
    CHECK(d.timing.name == "DDR4-2400 (modified)");

    struct Bad {
        const char* field;
        json value;
        const char* path;
        const char* reason;
    };
    const Bad bad[] = {
        {"address_mapping", "ro-ra-ba-co", "/devices/0/address_mapping", "\"bg\" is missing"},
        {"address_mapping", "ro-ra-ba-co-bg-qq", "/devices/0/address_mapping", "unknown field \"qq\""},
        {"controller", {{"refresh", "per_bank"}}, "/devices/0/controller/refresh", "has no per-bank refresh"},
        {"controller", {{"page_policy", "half"}}, "/devices/0/controller/page_policy", "known: open, closed"},
        {"controller", {{"write_low", 40}}, "/devices/0/controller", "write_low must be < write_high"},
        {"controller", {{"queue", 4}}, "/devices/0/controller/queue", "unknown"},
        {"power", {{"IDD9", 1}}, "/devices/0/power/IDD9", "unknown DRAM power field"},
        {"power", {{"IDD0", 1}}, "/devices/0/power", "IDD0 x tRC"},
        {"timing", {{"ranks", 3}}, "/devices/0/timing", "ranks must be 1, 2 or 4"},
    };
    for (const Bad& b : bad) {
        json k = base_platform();
        k["devices"][0][b.field] = b.value;
        INFO(k.dump());
        const ConfigError e = error_of(k);
        CHECK(e.file() == "bad.json");
        CHECK(e.path() == b.path);
        CHECK(e.reason().find(b.reason) != std::string::npos);
    }
    // A mapping with a channel field takes the channel from the address bits.
    json k = base_platform();
    k["devices"][0]["address_mapping"] = "rochrababgco";
    k["devices"][0]["interleave_bytes"] = 256;
    CHECK(error_of(k).path() == "/devices/0/interleave_bytes");
}
