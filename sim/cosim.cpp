// `dynavp cosim predictor`: the same seeded stimulus into the golden C++ model
// (predictor::PredictionTable), the TLM IP on the dna-16c board (over MMIO,
// through the firmware driver) and the verilated RTL (rtl/predictor), every
// output compared after every operation: the predicted mask, the prefetch
// requests, the RAT, the accuracy counters and the table rows each update
// touched (the whole table every 1,000 updates and at the end). On the first
// mismatch: stop, write the failing prefix as a replayable JSON, exit 1.
#include "cosim.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <random>

#include "firmware/drivers/predictor_driver.h"
#include "firmware/drivers/transverter_driver.h"
#include "ip/core/npu_regs.h"
#include "ip/scheduling/mappers.h"
#include "ip/transverter/transverter_unit.h"
#include "rtl/adapters/rtl_transverter.h"
#include "firmware/fw_util.h"
#include "ip/predictor/prediction_table.h"
#include "ip/predictor/predictor_regs.h"
#include "platform/board.h"
#include "platform/config_reader.h"
#include "rtl/adapters/rtl_predictor.h"

namespace dynavp {
namespace {

// One operation of the stimulus: select a bank and a layer's tile range, set
// the RAT, optionally PREDICT, then RESOLVE with the actual trace, RELEASE.
struct Op {
    uint32_t bank = 0, tiles = 1, base = 0, rat = 0;
    bool predict = true;
    std::vector<bool> actual;
};

nlohmann::json to_json(const Op& o) {
    std::string a;
    for (bool b : o.actual) a += b ? '1' : '0';
    return {{"bank", o.bank}, {"tiles", o.tiles}, {"base", o.base}, {"rat", o.rat}, {"predict", o.predict}, {"actual", a}};
}

Op op_from_json(const nlohmann::json& j, const std::string& file, size_t i, const PredictorDeviceConfig& pc) {
    const std::string at = "/ops/" + std::to_string(i);
    try {
        Op o;
        o.bank = j.at("bank").get<uint32_t>();
        o.tiles = j.at("tiles").get<uint32_t>();
        o.base = j.at("base").get<uint32_t>();
        o.rat = j.at("rat").get<uint32_t>();
        o.predict = j.at("predict").get<bool>();
        for (char c : j.at("actual").get<std::string>()) o.actual.push_back(c == '1');
        if (o.bank > 1 || o.tiles == 0 || o.tiles > 32 || o.base + o.tiles > pc.tiles || o.actual.size() != o.tiles)
            throw ConfigError(file, at, "bank 0/1, tiles 1..32 within the table, one actual bit per tile");
        return o;
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError(file, at, e.what());
    }
}

std::vector<Op> random_ops(uint32_t n, uint64_t seed, const PredictorDeviceConfig& pc) {
    uint64_t rng = seed * 0x9E3779B97F4A7C15ull + 0xC05;
    std::vector<Op> v;
    // A few "layers" (tile ranges) revisited, with biased traces, so states
    // saturate both ways and predictions are mostly right, as in a real run.
    struct Layer {
        uint32_t base, tiles;
        std::vector<int> bias;
    };
    std::vector<Layer> layers;
    for (int l = 0; l < 6; ++l) {
        Layer y;
        y.tiles = uint32_t(fw::uniform(rng, 1, 32));
        y.base = uint32_t(fw::uniform(rng, 0, int(pc.tiles - y.tiles)));
        for (uint32_t t = 0; t < y.tiles; ++t) y.bias.push_back(fw::uniform(rng, 0, 9));
        layers.push_back(y);
    }
    uint32_t rat = 0;
    for (uint32_t i = 0; i < n; ++i) {
        const Layer& y = layers[size_t(fw::uniform(rng, 0, 5))];
        Op o;
        o.bank = uint32_t(fw::uniform(rng, 0, 1));
        o.tiles = y.tiles;
        o.base = y.base;
        o.rat = fw::uniform(rng, 0, 9) < 7 ? rat : uint32_t(fw::uniform(rng, 0, (1 << pc.rat_bits) - 1));
        o.predict = fw::uniform(rng, 0, 9) < 8;
        for (uint32_t t = 0; t < o.tiles; ++t) o.actual.push_back(fw::uniform(rng, 0, 9) < y.bias[t]);
        rat = 0;
        for (uint32_t b = 0; b < pc.rat_bits && b < o.tiles; ++b) rat |= uint32_t(o.actual[b]) << b;
        v.push_back(o);
    }
    return v;
}

std::string mask_text(const std::vector<bool>& m) {
    std::string s;
    for (bool b : m) s += b ? '1' : '0';
    return s;
}

// ---- transverter: independent cases {backbone, its schedule, dynamic op}.
struct TrvCase {
    sched::Operator bb, dyn;
    sched::Schedule s;
};

nlohmann::json to_json(const TrvCase& c) {
    const std::vector<uint8_t> b = npu::encode_schedule(c.s);
    std::string hex;
    for (uint8_t x : b) {
        char h[3];
        std::snprintf(h, sizeof h, "%02x", x);
        hex += h;
    }
    return {{"backbone", c.bb.to_string()}, {"dynamic", c.dyn.to_string()}, {"schedule_schd_hex", hex}};
}

TrvCase trv_case_from_json(const nlohmann::json& j, const std::string& file, size_t i) {
    const std::string at = "/cases/" + std::to_string(i);
    try {
        TrvCase c;
        c.bb = sched::parse_operator(j.at("backbone").get<std::string>());
        c.dyn = sched::parse_operator(j.at("dynamic").get<std::string>());
        const std::string hex = j.at("schedule_schd_hex").get<std::string>();
        if (hex.empty() || hex.size() % 2 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
            throw ConfigError(file, at + "/schedule_schd_hex", "must be the SCHD bytes as an even number of hex digits");
        std::vector<uint8_t> b;
        for (size_t k = 0; k + 1 < hex.size(); k += 2) b.push_back(uint8_t(std::stoul(hex.substr(k, 2), nullptr, 16)));
        const std::string why = npu::decode_schedule(b.data(), b.size(), c.s);
        if (!why.empty()) throw ConfigError(file, at + "/schedule_schd_hex", why);
        return c;
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError(file, at, e.what());
    } catch (const std::invalid_argument& e) {
        throw ConfigError(file, at, e.what());
    }
}

// Random backbones, random valid schedules, dynamic ops shrinking some dims
// (as the platform test of the TLM IP does).
TrvCase random_trv_case(std::mt19937_64& rng, const sched::Hardware& hw) {
    static const uint32_t sizes[] = {1, 2, 3, 4, 6, 7, 8, 12, 14, 16, 24, 28, 32, 48, 56, 64, 96, 128};
    auto pick = [&](size_t lo, size_t hi) { return sizes[std::uniform_int_distribution<size_t>(lo, hi)(rng)]; };
    TrvCase c;
    const uint32_t rs = std::uniform_int_distribution<int>(0, 2)(rng) ? 1 : 3;
    c.bb.size = {rs, rs, pick(0, 12), pick(0, 12), pick(0, 17), pick(0, 17), pick(0, 5)};
    c.s = sched::random_schedule(c.bb, hw, rng());
    c.dyn = c.bb;
    for (sched::Dim j : sched::kAllDims)
        if (c.bb[j] > 1 && std::uniform_int_distribution<int>(0, 2)(rng) == 0) c.dyn[j] = std::uniform_int_distribution<uint32_t>(1, c.bb[j])(rng);
    return c;
}

int cosim_transverter(const CosimOptions& o, const PlatformConfig& cfg) {
    const DeviceConfig* dev = cfg.first_of(DeviceType::Transverter);
    if (!dev) throw ConfigError(cfg.source, "/devices", "the platform has no transverter");
    const sched::Hardware hw = sched::hardware_from_platform(cfg);
    std::vector<TrvCase> cases;
    if (!o.replay.empty()) {
        const nlohmann::json j = parse_json_text(read_text_file(o.replay), o.replay);
        if (!j.contains("cases") || !j["cases"].is_array()) throw ConfigError(o.replay, "/cases", "a replay file lists its cases in \"cases\"");
        for (size_t i = 0; i < j["cases"].size(); ++i) cases.push_back(trv_case_from_json(j["cases"][i], o.replay, i));
    } else {
        if (o.cases == 0 || o.cases > 1000000) throw ConfigError("--cases", "", "must be in [1, 1000000]");
        std::mt19937_64 rng(o.seed);
        for (uint32_t i = 0; i < o.cases; ++i) cases.push_back(random_trv_case(rng, hw));
    }
    Board board(cfg);
    rtl::RtlTransverter rtl("rtl_transverter", board.board_clock_ps(), o.vcd);
    struct Outcome {
        size_t mismatch_at = SIZE_MAX, ok = 0, errors = 0;
        std::string what;
        double rtl_cycles = 0, model_cycles = 0, abs_err = 0;
    } res;
    const auto t0 = std::chrono::steady_clock::now();
    board.host().set_firmware([&](fw::Hal& hal) {
        fw::TransverterDriver tlm(hal);
        rtl::RtlTransverterHal rhal(rtl);
        fw::TransverterDriver r(rhal);
        if (!tlm.init() || !r.init()) {
            res.what = "driver init: TLM " + tlm.why() + ", RTL " + r.why();
            return 1;
        }
        if (tlm.table_entries() != r.table_entries() || tlm.levels() != r.levels()) {
            res.what = "the RTL was built for " + std::to_string(r.table_entries()) + " table rows and " + std::to_string(r.levels()) +
                       " levels; the platform has " + std::to_string(tlm.table_entries()) + " and " + std::to_string(tlm.levels());
            return 1;
        }
        tlm.load_constraints(hw);
        r.load_constraints(hw);
        transverter::UnitTiming timing{dev->transverter.alu_cycles, dev->transverter.mux_cycles, dev->transverter.write_cycles};
        for (size_t i = 0; i < cases.size(); ++i) {
            const TrvCase& c = cases[i];
            const transverter::UnitResult g =
                transverter::run_unit(npu::encode_schedule(c.s), c.bb, c.dyn, hw, sched::TransverterOptions{}, dev->transverter.table_entries, timing);
            tlm.load_backbone(c.bb, c.s);
            const fw::TransverterRun t = tlm.transform(c.dyn, 100000000);
            r.load_backbone(c.bb, c.s);
            const fw::TransverterRun x = r.transform(c.dyn, 100000000);
            std::string bad;
            auto bytes = [](const fw::TransverterRun& run) { return run.ok ? npu::encode_schedule(run.schedule) : std::vector<uint8_t>{}; };
            if (t.err_code != g.err || x.err_code != g.err)
                bad = "error code: golden " + std::to_string(g.err) + ", TLM " + std::to_string(t.err_code) + ", RTL " + std::to_string(x.err_code);
            else if (g.err == 0 && (bytes(t) != g.table || bytes(x) != g.table))
                bad = "scheduling table differs (golden " + std::to_string(g.table.size()) + " bytes, TLM " + std::to_string(bytes(t).size()) + ", RTL " +
                      std::to_string(bytes(x).size()) + ")";
            else if (g.err == 0 && (t.updates != g.updates || x.updates != g.updates))
                bad = "UPDATES: golden " + std::to_string(g.updates) + ", TLM " + std::to_string(t.updates) + ", RTL " + std::to_string(x.updates);
            else if (g.err == 0 && (!(t.executed == g.executed) || !(x.executed == g.executed)))
                bad = "DIM_EXEC: golden " + g.executed.to_string() + ", TLM " + t.executed.to_string() + ", RTL " + x.executed.to_string();
            if (!bad.empty()) {
                res.mismatch_at = i;
                res.what = bad;
                return 1;
            }
            if (g.err == 0) {
                ++res.ok;
                res.rtl_cycles += x.cycles;
                res.model_cycles += t.cycles;
                res.abs_err += std::abs(double(x.cycles) - double(t.cycles)) / std::max(1.0, double(t.cycles));
            } else {
                ++res.errors;
            }
            if (!o.quiet && (i + 1) % 100 == 0) std::fprintf(stderr, "\r[dynavp] cosim transverter: %zu/%zu cases", i + 1, cases.size());
        }
        return 0;
    });
    sc_core::sc_start();
    if (!o.quiet && cases.size() >= 100) std::fprintf(stderr, "\n");
    const double host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("dynavp cosim transverter on %s: golden C++ model (run_unit), TLM IP, RTL; %zu cases (seed %lu)%s\n", cfg.name.c_str(), cases.size(),
                (unsigned long)o.seed, o.replay.empty() ? "" : (", replay of " + o.replay).c_str());
    if (res.mismatch_at != SIZE_MAX) {
        const TrvCase& c = cases[res.mismatch_at];
        std::printf("  MISMATCH in case %zu (backbone %s, dynamic %s): %s\n", res.mismatch_at, c.bb.to_string().c_str(), c.dyn.to_string().c_str(),
                    res.what.c_str());
        const std::string out = o.replay_out.empty() ? "cosim-transverter-replay.json" : o.replay_out;
        nlohmann::json j = {{"block", "transverter"}, {"platform", cfg.name}, {"seed", o.seed}, {"mismatch", res.what}, {"cases", {to_json(c)}}};
        std::ofstream f(out);
        f << j.dump(1) << "\n";
        std::printf("  the failing case is in %s: replay with dynavp cosim transverter --replay %s\n", out.c_str(), out.c_str());
        return 1;
    }
    if (!res.what.empty()) throw ConfigError("cosim", "", res.what);
    std::printf("  0 mismatches: %zu results (scheduling tables bit for bit, UPDATES, DIM_EXEC), %zu error cases (same error codes)\n", res.ok,
                res.errors);
    if (res.ok)
        std::printf("  cycles per run: RTL %.1f, TLM latency model %.1f (mean |RTL - model| / model %.0f%%)\n", res.rtl_cycles / double(res.ok),
                    res.model_cycles / double(res.ok), 100 * res.abs_err / double(res.ok));
    std::printf("  host %.2f s\n", host_s);
    return 0;
}

} // namespace

int cosim_command(const CosimOptions& o) {
    if (o.block == "transverter") {
        if (o.faulty_rtl) throw ConfigError("--faulty-rtl", "", "the faulty test build exists for the predictor only");
        return cosim_transverter(o, load_platform(o.platform));
    }
    if (o.block != "predictor") throw ConfigError("cosim", "", "unknown block \"" + o.block + "\" (known: predictor, transverter)");
    PlatformConfig cfg = load_platform(o.platform);
    const DeviceConfig* dev = cfg.first_of(DeviceType::Predictor);
    if (!dev) throw ConfigError(cfg.source, "/devices", "the platform has no predictor");
    const PredictorDeviceConfig pc = dev->predictor;
    std::vector<Op> ops;
    if (!o.replay.empty()) {
        const nlohmann::json j = parse_json_text(read_text_file(o.replay), o.replay);
        if (!j.contains("ops") || !j["ops"].is_array()) throw ConfigError(o.replay, "/ops", "a replay file lists its operations in \"ops\"");
        for (size_t i = 0; i < j["ops"].size(); ++i) ops.push_back(op_from_json(j["ops"][i], o.replay, i, pc));
    } else {
        if (o.cases == 0 || o.cases > 1000000) throw ConfigError("--cases", "", "must be in [1, 1000000]");
        ops = random_ops(o.cases, o.seed, pc);
    }

    Board board(cfg);
    rtl::RtlPredictor rtl("rtl_predictor", board.board_clock_ps(), o.faulty_rtl, o.vcd);
    namespace P = predictor;
    struct Outcome {
        size_t done = 0, mismatch_at = SIZE_MAX;
        std::string what;
        uint64_t predict_cycles = 0, resolve_cycles = 0, predicts = 0, resolves = 0;
    } res;
    const auto t0 = std::chrono::steady_clock::now();
    board.host().set_firmware([&](fw::Hal& hal) {
        fw::PredictorDriver tlm(hal);
        if (!tlm.init()) {
            res.what = "TLM predictor: " + tlm.why();
            return 1;
        }
        const uint64_t base = hal.board().find("predictor")->base;
        P::PredictionTable golden(pc.tiles, pc.rat_bits, uint8_t(pc.initial_state));
        if (rtl.read(P::TILES.offset) != pc.tiles || rtl.read(P::RAT_BITS.offset) != pc.rat_bits) {
            res.what = "the RTL was built for TILES " + std::to_string(rtl.read(P::TILES.offset)) + ", RAT_BITS " +
                       std::to_string(rtl.read(P::RAT_BITS.offset)) + "; the platform has " + std::to_string(pc.tiles) + ", " + std::to_string(pc.rat_bits);
            res.mismatch_at = 0;
            return 1;
        }
        tlm.reset_table();
        rtl.write(P::CMD.offset, P::cmd::kResetTable);
        rtl.wait_idle();
        auto compare_rows = [&](uint32_t first_tile, uint32_t tiles) -> std::string {
            const uint32_t w0 = first_tile * (1u << pc.rat_bits) / 16, w1 = uint32_t(std::min<size_t>(golden.words(), ((first_tile + tiles) * (1u << pc.rat_bits) + 15) / 16));
            for (uint32_t w = w0; w < w1; ++w) {
                const uint32_t g = golden.word(w), t = hal.read32(base + P::kTablePage + 4 * w), r = rtl.read(P::kTablePage + 4 * w);
                if (g != t || g != r) {
                    std::ostringstream s;
                    s << "table word " << w << ": golden 0x" << std::hex << g << ", TLM 0x" << t << ", RTL 0x" << r;
                    return s.str();
                }
            }
            return "";
        };
        for (size_t i = 0; i < ops.size(); ++i) {
            const Op& op = ops[i];
            std::string bad;
            // TLM, through the firmware driver.
            fw::TileLayout l;
            l.tiles = op.tiles;
            l.dram = hal.board().first_of("dram")->base + 0x100000;
            l.tile_bytes = 64;
            l.pfb_offset = op.bank * 32 * 64;
            l.directory_base = op.bank * 32;
            l.table_base = op.base;
            tlm.select_bank(op.bank);
            tlm.set_layout(l);
            tlm.set_rat(op.rat);
            // RTL, the same registers.
            rtl.write(P::BANK.offset, op.bank);
            rtl.write(P::LAYER_TILES.offset, op.tiles);
            rtl.write(P::TILE_BASE.offset, op.base);
            rtl.write(P::RAT.offset, op.rat);
            std::vector<bool> want;
            if (op.predict) {
                want = golden.predict(op.rat, op.tiles, op.base);
                tlm.predict();
                const std::vector<bool> t = tlm.predicted();
                const uint64_t c0 = rtl.bus_cycles();
                rtl.write(P::CMD.offset, P::cmd::kPredict);
                rtl.wait_idle();
                res.predict_cycles += rtl.bus_cycles() - c0;
                ++res.predicts;
                std::vector<bool> r(op.tiles);
                for (uint32_t w = 0; w * 32 < op.tiles; ++w) {
                    const uint32_t v = rtl.read(P::kPredicted + 4 * w);
                    for (uint32_t b = 0; b < 32 && w * 32 + b < op.tiles; ++b) r[w * 32 + b] = (v >> b) & 1;
                }
                std::vector<uint32_t> asked;
                for (uint32_t tt = 0; tt < op.tiles; ++tt)
                    if (want[tt]) asked.push_back(tt);
                const std::vector<uint32_t> got = rtl.take_requests();
                if (t != want || r != want)
                    bad = "PREDICT: golden " + mask_text(want) + ", TLM " + mask_text(t) + ", RTL " + mask_text(r);
                else if (got != asked)
                    bad = "PREDICT: the RTL requested " + std::to_string(got.size()) + " tiles, " + std::to_string(asked.size()) + " predicted";
            }
            if (bad.empty()) {
                golden.update(op.rat, op.actual, op.base);
                tlm.resolve(op.actual);
                for (uint32_t w = 0; w * 32 < op.tiles; ++w) {
                    uint32_t v = 0;
                    for (uint32_t b = 0; b < 32 && w * 32 + b < op.tiles; ++b) v |= uint32_t(op.actual[w * 32 + b]) << b;
                    rtl.write(P::kActual + 4 * w, v);
                }
                const uint64_t c0 = rtl.bus_cycles();
                rtl.write(P::CMD.offset, P::cmd::kResolve);
                rtl.wait_idle();
                res.resolve_cycles += rtl.bus_cycles() - c0;
                ++res.resolves;
                const uint32_t g = golden.rat_of(op.actual), t = tlm.rat(), r = rtl.read(P::RAT.offset);
                if (g != t || g != r) bad = "RAT after RESOLVE: golden " + std::to_string(g) + ", TLM " + std::to_string(t) + ", RTL " + std::to_string(r);
                if (bad.empty()) bad = compare_rows(op.base, op.tiles);
                if (bad.empty()) {
                    const fw::PredictorCounters c = tlm.counters();
                    const uint32_t rd = rtl.read(P::DECISIONS.offset), rc = rtl.read(P::CORRECT.offset);
                    if (c.decisions != rd || c.correct != rc)
                        bad = "accuracy counters: TLM " + std::to_string(c.correct) + "/" + std::to_string(c.decisions) + ", RTL " + std::to_string(rc) + "/" +
                              std::to_string(rd);
                }
                if (bad.empty() && ((i + 1) % 1000 == 0 || i + 1 == ops.size())) bad = compare_rows(0, pc.tiles);
                tlm.release();
                rtl.write(P::CMD.offset, P::cmd::kRelease);
            }
            if (!bad.empty()) {
                res.mismatch_at = i;
                res.what = bad;
                return 1;
            }
            res.done = i + 1;
            if (!o.quiet && (i + 1) % 1000 == 0)
                std::fprintf(stderr, "\r[dynavp] cosim predictor: %zu/%zu updates", i + 1, ops.size());
        }
        return 0;
    });
    sc_core::sc_start();
    if (!o.quiet && ops.size() >= 1000) std::fprintf(stderr, "\n");
    const double host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("dynavp cosim predictor on %s: golden C++ model, TLM IP, RTL%s; %zu operations (seed %lu)%s\n", cfg.name.c_str(),
                o.faulty_rtl ? " (faulty test build)" : "", ops.size(), (unsigned long)o.seed, o.replay.empty() ? "" : (", replay of " + o.replay).c_str());
    if (res.mismatch_at != SIZE_MAX) {
        std::printf("  MISMATCH at operation %zu: %s\n", res.mismatch_at, res.what.c_str());
        const std::string out = o.replay_out.empty() ? "cosim-predictor-replay.json" : o.replay_out;
        nlohmann::json j = {{"block", "predictor"}, {"platform", cfg.name}, {"seed", o.seed}, {"mismatch", res.what}, {"ops", nlohmann::json::array()}};
        for (size_t i = 0; i <= res.mismatch_at && i < ops.size(); ++i) j["ops"].push_back(to_json(ops[i]));
        std::ofstream f(out);
        f << j.dump(1) << "\n";
        std::printf("  the failing prefix (%zu operations) is in %s: replay with dynavp cosim predictor --replay %s\n", res.mismatch_at + 1, out.c_str(),
                    out.c_str());
        return 1;
    }
    if (!res.what.empty()) throw ConfigError("cosim", "", res.what);
    std::printf("  0 mismatches: %zu predictions, %zu updates; table, RAT, predictions, prefetch requests and counters agree\n", size_t(res.predicts),
                size_t(res.resolves));
    std::printf("  RTL clocks per PREDICT %.1f, per RESOLVE %.1f (register accesses included; the TLM model takes one bus access: it has no latency figure)\n",
                res.predicts ? double(res.predict_cycles) / double(res.predicts) : 0.0, res.resolves ? double(res.resolve_cycles) / double(res.resolves) : 0.0);
    std::printf("  host %.2f s\n", host_s);
    return 0;
}

} // namespace dynavp
