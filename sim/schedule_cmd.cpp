#include "schedule_cmd.h"

#include <chrono>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "ip/scheduling/mappers.h"
#include "platform/config_reader.h"
#include "platform/platform_config.h"

namespace dynavp {

using namespace sched;

Hardware npu_hardware(const PlatformConfig& cfg) {
    try {
        return hardware_from_platform(cfg);
    } catch (const std::invalid_argument& e) {
        throw ConfigError(cfg.source, "/npu", e.what());
    }
}

MapperOptions mapper_options(uint64_t seed, uint32_t samples, uint32_t steps, const std::string& maxbuff_order,
                             const std::string& maxcomp_order) {
    MapperOptions so;
    so.seed = seed;
    so.samples = samples;
    so.local_steps = steps;
    try {
        so.transverter.maxbuff = parse_dim_order(maxbuff_order);
        so.transverter.maxcomp = parse_dim_order(maxcomp_order);
        if (so.transverter.maxbuff == DimOrder::Backbone) throw std::invalid_argument("--maxbuff-order takes table or nest");
        if (so.transverter.maxcomp == DimOrder::Nest) throw std::invalid_argument("--maxcomp-order takes table or backbone");
    } catch (const std::invalid_argument& e) {
        throw ConfigError("--maxbuff-order/--maxcomp-order", "", e.what());
    }
    return so;
}

namespace {
Operator parse_or_fail(const std::string& flag, const std::string& text, const Operator* base) {
    try {
        return base ? apply_dynamic(*base, text) : parse_operator(text);
    } catch (const std::invalid_argument& e) {
        throw ConfigError(flag, "", e.what());
    }
}
} // namespace

int schedule_command(const ScheduleOptions& o) {
    if (o.op.empty()) throw ConfigError("--op", "", "missing: give the backbone operator, e.g. 'R=3,S=3,P=28,Q=28,C=256,K=256'");
    const PlatformConfig cfg = load_platform(o.platform);
    const Hardware hw = npu_hardware(cfg);
    const Operator backbone = parse_or_fail("--op", o.op, nullptr);
    const Operator dyn = o.dynamic.empty() ? backbone : parse_or_fail("--dynamic", o.dynamic, &backbone);
    const MapperOptions so = mapper_options(o.seed, o.samples, o.steps, o.maxbuff_order, o.maxcomp_order);
    if (!o.json) std::fprintf(stderr, "[dynavp] compiling backbone and a %u-kernel library...\n", o.kernels);
    MapperSuite suite(backbone, changed_dims(backbone, dyn), hw, so, o.kernels);

    nlohmann::json out;
    out["platform"] = cfg.name;
    out["backbone"] = backbone.to_string();
    out["dynamic"] = dyn.to_string();
    out["useful_macs"] = dyn.macs();
    out["mappers"] = nlohmann::json::array();
    std::vector<MapResult> results;
    for (const auto& name : MapperSuite::names()) {
        MapResult r = suite.run(name, name == "offline" ? suite.backbone() : dyn);
        nlohmann::json mj = {{"mapper", name},
                             {"executed", r.executed.to_string()},
                             {"schedule", r.schedule.to_json(hw)},
                             {"cost", r.cost.to_json(hw)},
                             {"table_updates", r.table_updates},
                             {"candidates", r.candidates},
                             {"notes", r.notes},
                             {"host_seconds", r.seconds}};
        out["mappers"].push_back(mj);
        results.push_back(std::move(r));
    }
    if (o.json) {
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    const double static_cycles = results[1].cost.cycles, static_energy = results[1].cost.energy_pj;
    std::printf("dynavp schedule on %s (%u cores x %ux%u PEs @ %.0f MHz)\n", cfg.name.c_str(), cfg.npu.cores, cfg.npu.pe_rows,
                cfg.npu.pe_cols, cfg.clock_mhz);
    std::printf("  backbone  %s\n  dynamic   %s  (%llu useful MACs)\n\n", backbone.to_string().c_str(), dyn.to_string().c_str(),
                (unsigned long long)dyn.macs());
    std::printf("  %-12s %12s %8s %10s %8s %8s %12s %10s\n", "mapper", "cycles", "PE util", "energy uJ", "speedup", "energy",
                "work", "host time");
    for (const auto& r : results) {
        const bool is_offline = r.mapper == "offline";
        // Work: table updates for the transverter, schedules evaluated for the searches.
        const std::string work = r.table_updates ? std::to_string(r.table_updates) + " updates"
                                 : r.candidates  ? std::to_string(r.candidates) + " cands"
                                                 : "-";
        std::printf("  %-12s %12.0f %7.1f%% %10.3f %7s%s %7s%s %12s %8.2fms\n", r.mapper.c_str(), r.cost.cycles, 100 * r.cost.pe_utilization,
                    r.cost.energy_pj * 1e-6, is_offline ? "" : std::to_string(static_cycles / r.cost.cycles).substr(0, 5).c_str(),
                    is_offline ? "-" : "x", is_offline ? "" : std::to_string(static_energy / r.cost.energy_pj).substr(0, 5).c_str(),
                    is_offline ? "-" : "x", work.c_str(), r.seconds * 1e3);
    }
    std::printf("  (offline: the backbone itself; speedup and energy are relative to static; library kernels: %zu, built in %.0f ms)\n",
                suite.library().kernels().size(), suite.library().build_seconds() * 1e3);
    for (const auto& r : results) {
        if (!o.verbose && r.mapper != "static" && r.mapper != "transverter") continue;
        std::printf("\n%s: executes %s\n", r.mapper.c_str(), r.executed.to_string().c_str());
        for (const auto& n : r.notes) std::printf("  note: %s\n", n.c_str());
        std::printf("%s", r.schedule.loop_nest(hw).c_str());
    }
    return 0;
}

} // namespace dynavp
