#include "platform_config.h"

#include <algorithm>
#include <sstream>

#include "config_reader.h"
#include "ip/dram/dram_address.h"

namespace dynavp {
namespace {

std::string hex(uint64_t v) {
    std::ostringstream os;
    os << "0x" << std::hex << v;
    return os.str();
}

bool is_pow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

// A field spelled one of two ways (the first is the default): true for the second.
bool second_of(const ConfigNode& c, const char* key, const char* first, const char* second) {
    const std::string v = c.str(key, first);
    if (v != first && v != second) c.fail(key, "\"" + v + "\" (known: " + first + ", " + second + ")");
    return v == second;
}

void read_dram(const ConfigNode& n, DeviceConfig& d) {
    const std::string preset = n.str("preset");
    const DramTimingParams* p = find_dram_preset(preset);
    if (!p) {
        std::string names;
        for (const auto& s : dram_preset_names()) names += (names.empty() ? "" : ", ") + s;
        n.fail("preset", "unknown DRAM preset \"" + preset + "\" (known: " + names + ")");
    }
    d.dram.timing = *p;
    d.dram.channels = uint32_t(n.u64_in("channels", 1, 1, 64));
    if (!is_pow2(d.dram.channels)) n.fail("channels", "must be a power of two");
    DramTimingParams& tp = d.dram.timing;
    bool modified = false;
    if (n.has("timing")) {
        // Per-field overrides of the preset, in DRAM clocks (tCK_ps in ps).
        ConfigNode t = n.object("timing");
        struct F { const char* k; uint32_t* v; };
        const F fields[] = {{"CL", &tp.CL}, {"CWL", &tp.CWL}, {"tRCD", &tp.tRCD}, {"tRCDWR", &tp.tRCDWR}, {"tRP", &tp.tRP},
                            {"tRAS", &tp.tRAS}, {"tWR", &tp.tWR}, {"tWTR_S", &tp.tWTR_S}, {"tWTR_L", &tp.tWTR_L},
                            {"tRTP", &tp.tRTP}, {"tRTW", &tp.tRTW}, {"tRTRS", &tp.tRTRS}, {"tCCD_S", &tp.tCCD_S},
                            {"tCCD_L", &tp.tCCD_L}, {"tRRD_S", &tp.tRRD_S}, {"tRRD_L", &tp.tRRD_L}, {"tFAW", &tp.tFAW},
                            {"tRFC", &tp.tRFC}, {"tREFI", &tp.tREFI}, {"tRFCpb", &tp.tRFCpb}, {"tREFIpb", &tp.tREFIpb},
                            {"burst_length", &tp.burst_length}, {"bus_bytes", &tp.bus_bytes}, {"ranks", &tp.ranks},
                            {"bank_groups", &tp.bank_groups}, {"banks_per_group", &tp.banks_per_group}, {"rows", &tp.rows},
                            {"columns", &tp.columns}, {"devices", &tp.devices}};
        for (auto it = t.json().begin(); it != t.json().end(); ++it) {
            const std::string k = it.key();
            if (k == "tCK_ps") {
                tp.tCK_ps = t.u64_in(k, 1, 1000000);
                continue;
            }
            if (k == "tWTR") { // one value for both (devices without bank groups)
                tp.tWTR_S = tp.tWTR_L = uint32_t(t.u64_in(k, 0, 1u << 30));
                continue;
            }
            auto f = std::find_if(std::begin(fields), std::end(fields), [&](const F& x) { return k == x.k; });
            if (f == std::end(fields)) t.fail(k, "unknown DRAM timing field");
            *f->v = uint32_t(t.u64_in(k, 0, 1u << 30));
        }
        modified = true;
    }
    if (n.has("power")) {
        // IDD currents (mA per device) and VDD (V) of the preset's datasheet.
        ConfigNode w = n.object("power");
        struct F { const char* k; double* v; };
        const F fields[] = {{"VDD", &tp.VDD}, {"IDD0", &tp.IDD0}, {"IDD2N", &tp.IDD2N}, {"IDD3N", &tp.IDD3N}, {"IDD4R", &tp.IDD4R},
                            {"IDD4W", &tp.IDD4W}, {"IDD5AB", &tp.IDD5AB}, {"IDD5PB", &tp.IDD5PB}};
        for (auto it = w.json().begin(); it != w.json().end(); ++it) {
            const std::string k = it.key();
            auto f = std::find_if(std::begin(fields), std::end(fields), [&](const F& x) { return k == x.k; });
            if (f == std::end(fields)) w.fail(k, "unknown DRAM power field (VDD IDD0 IDD2N IDD3N IDD4R IDD4W IDD5AB IDD5PB)");
            const double v = w.number(k);
            if (!(v >= 0 && v <= 100000)) w.fail(k, "must be in [0, 100000]");
            *f->v = v;
        }
        modified = true;
    }
    if (modified) {
        std::string err = tp.validate();
        if (!err.empty()) n.fail(n.has("timing") ? "timing" : "power", "inconsistent DRAM parameters: " + err);
        tp.name = preset + " (modified)";
    }
    const uint32_t burst = tp.burst_bytes(); // after overrides
    d.dram.interleave_bytes = n.u64("interleave_bytes", burst);
    if (!is_pow2(d.dram.interleave_bytes) || d.dram.interleave_bytes < burst)
        n.fail("interleave_bytes", "must be a power of two >= the burst size (" + std::to_string(burst) + " bytes)");
    d.dram.address_mapping = n.str("address_mapping", "");
    {
        DramAddressMap m;
        if (std::string e = m.configure(d.dram.address_mapping, tp, d.dram.channels, d.dram.interleave_bytes); !e.empty()) n.fail("address_mapping", e);
        if (m.channel_field() && n.has("interleave_bytes"))
            n.fail("interleave_bytes", "the address mapping has a \"ch\" field: the channel comes from it, not from interleave_bytes");
    }
    if (n.has("controller")) {
        ConfigNode c = n.object("controller");
        c.allow_only({"page_policy", "scheduler", "refresh", "read_queue", "write_queue", "write_high", "write_low", "write_idle", "starvation_cap"});
        DramControllerConfig& cc = d.dram.controller;
        cc.page = second_of(c, "page_policy", "open", "closed") ? DramControllerConfig::Page::Closed : DramControllerConfig::Page::Open;
        cc.scheduler = second_of(c, "scheduler", "fr-fcfs", "fcfs") ? DramControllerConfig::Scheduler::Fcfs : DramControllerConfig::Scheduler::FrFcfs;
        const bool per_bank = second_of(c, "refresh", "all_bank", "per_bank");
        if (per_bank && !tp.per_bank_refresh()) c.fail("refresh", "per_bank: " + tp.name + " has no per-bank refresh (tRFCpb / tREFIpb are 0)");
        cc.refresh = per_bank ? DramControllerConfig::Refresh::PerBank : DramControllerConfig::Refresh::AllBank;
        cc.read_queue = uint32_t(c.u64_in("read_queue", cc.read_queue, 1, 4096));
        cc.write_queue = uint32_t(c.u64_in("write_queue", cc.write_queue, 1, 4096));
        cc.write_high = uint32_t(c.u64_in("write_high", std::min(cc.write_high, cc.write_queue), 1, 4096));
        cc.write_low = uint32_t(c.u64_in("write_low", cc.write_low, 0, 4096));
        cc.write_idle = uint32_t(c.u64_in("write_idle", std::min(cc.write_idle, cc.write_queue), 1, 4096));
        cc.starvation_cap = uint32_t(c.u64_in("starvation_cap", cc.starvation_cap, 1, 1u << 20));
        if (std::string e = cc.validate(); !e.empty()) n.fail("controller", e);
    }
    const uint64_t capacity = uint64_t(d.dram.channels) * tp.channel_bytes();
    if (d.size > capacity)
        n.fail("size", "region of " + hex(d.size) + " bytes exceeds the capacity of " + std::to_string(d.dram.channels) +
                           " x " + tp.name + " channel(s) (" + hex(capacity) + " bytes)");
}

DeviceConfig read_device(const ConfigNode& n, double board_clock) {
    DeviceConfig d;
    d.json_path = n.path();
    d.name = n.str("name");
    if (d.name.empty() || d.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != std::string::npos)
        n.fail("name", "\"" + d.name + "\" must be non-empty and use only letters, digits, '_' and '-'");
    const std::string type = n.str("type");
    d.base = n.u64("base");
    d.size = n.u64("size");
    if (d.size == 0) n.fail("size", "must be > 0");
    if (d.base + d.size < d.base) n.fail("size", "region wraps around the 64-bit address space");
    d.clock_mhz = n.number("clock_mhz", board_clock);
    if (!(d.clock_mhz >= 0.001 && d.clock_mhz <= 100000)) n.fail("clock_mhz", "must be in [0.001, 100000] MHz");
    if (type == "dram") {
        d.type = DeviceType::Dram;
        n.allow_only({"name", "type", "base", "size", "preset", "channels", "interleave_bytes", "timing", "power", "address_mapping", "controller"});
        read_dram(n, d);
    } else if (type == "sram") {
        d.type = DeviceType::Sram;
        n.allow_only({"name", "type", "base", "size", "clock_mhz", "latency_cycles", "bytes_per_cycle"});
        d.sram.latency_cycles = uint32_t(n.u64_in("latency_cycles", 1, 0, 1000));
        d.sram.bytes_per_cycle = uint32_t(n.u64_in("bytes_per_cycle", 64, 1, 4096));
        if (d.size > (uint64_t(1) << 32)) n.fail("size", "on-chip SRAM above 4 GiB is not plausible (got " + hex(d.size) + ")");
    } else if (type == "dma") {
        d.type = DeviceType::Dma;
        n.allow_only({"name", "type", "base", "size", "clock_mhz", "irq", "chunk_bytes", "outstanding"});
        d.dma.chunk_bytes = uint32_t(n.u64_in("chunk_bytes", 256, 4, 65536));
        if (!is_pow2(d.dma.chunk_bytes)) n.fail("chunk_bytes", "must be a power of two");
        d.dma.outstanding = uint32_t(n.u64_in("outstanding", 8, 1, 256));
        if (d.size < 0x100) n.fail("size", "a DMA register block needs at least 0x100 bytes");
    } else if (type == "npu") {
        d.type = DeviceType::Npu;
        n.allow_only({"name", "type", "base", "size", "irq"});
    } else if (type == "transverter") {
        d.type = DeviceType::Transverter;
        n.allow_only({"name", "type", "base", "size", "clock_mhz", "irq", "table_entries", "alu_cycles", "mux_cycles", "write_cycles"});
        auto& t = d.transverter;
        // The SCHD image of a full table (8-byte header, 8 bytes per row, 7 bytes of loop order per level) fits the 4 KiB window.
        t.table_entries = uint32_t(n.u64_in("table_entries", t.table_entries, 1, 400));
        t.alu_cycles = uint32_t(n.u64_in("alu_cycles", t.alu_cycles, 1, 1000));
        t.mux_cycles = uint32_t(n.u64_in("mux_cycles", t.mux_cycles, 0, 1000));
        t.write_cycles = uint32_t(n.u64_in("write_cycles", t.write_cycles, 0, 1000));
        if (d.size < 0x2000) n.fail("size", "the transverter needs 0x2000 bytes (registers + scheduling-table page)");
    } else if (type == "predictor") {
        d.type = DeviceType::Predictor;
        n.allow_only({"name", "type", "base", "size", "clock_mhz", "irq", "tiles", "rat_bits", "table_bytes", "initial_state", "fifo_depth"});
        auto& p = d.predictor;
        p.tiles = uint32_t(n.u64_in("tiles", p.tiles, 1, 256));
        p.rat_bits = uint32_t(n.u64_in("rat_bits", p.rat_bits, 0, 16));
        p.table_bytes = n.u64_in("table_bytes", p.table_bytes, 1, 1u << 20);
        p.initial_state = uint32_t(n.u64_in("initial_state", p.initial_state, 0, 3));
        p.fifo_depth = uint32_t(n.u64_in("fifo_depth", p.fifo_depth, 1, 256));
        const uint64_t need = ((uint64_t(p.tiles) << p.rat_bits) * 2 + 7) / 8;
        if (need > p.table_bytes)
            n.fail("rat_bits", std::to_string(p.tiles) + " tiles x 2^" + std::to_string(p.rat_bits) + " RAT values x 2 bits = " +
                                   std::to_string(need) + " bytes, more than table_bytes (" + std::to_string(p.table_bytes) + ")");
        if (d.size < 0x1000 + ((need + 3) / 4) * 4) n.fail("size", "the predictor needs 0x1000 bytes of registers plus its table");
    } else if (type == "runtime_monitor") {
        d.type = DeviceType::RuntimeMonitor;
        n.allow_only({"name", "type", "base", "size", "clock_mhz", "irq", "cycles_per_entry", "forward_cycles"});
        d.monitor.cycles_per_entry = uint32_t(n.u64_in("cycles_per_entry", d.monitor.cycles_per_entry, 0, 1000));
        d.monitor.forward_cycles = uint32_t(n.u64_in("forward_cycles", d.monitor.forward_cycles, 0, 100000));
        if (d.size < 0x1000) n.fail("size", "the runtime monitor needs 0x1000 bytes");
    } else if (type == "context_buffer") {
        d.type = DeviceType::ContextBuffer;
        n.allow_only({"name", "type", "base", "size", "clock_mhz"}); // its controller (dypipe) reports overflows
        if (d.size < 256 || d.size > (uint64_t(1) << 20) || d.size % 4) n.fail("size", "a context buffer holds 256 B to 1 MiB, in words");
    } else if (type == "dypipe") {
        d.type = DeviceType::DyPipe;
        n.allow_only({"name", "type", "base", "size", "clock_mhz", "irq"});
        if (d.size < 0x1000) n.fail("size", "the dypipe register block needs 0x1000 bytes");
    } else {
        n.fail("type", "unknown device type \"" + type + "\" (known: dram, sram, dma, npu, transverter, predictor, runtime_monitor, context_buffer, dypipe)");
    }
    if (n.has("irq")) d.irq = int(n.u64_in("irq", 0, 63));
    return d;
}

} // namespace

const char* to_string(DeviceType t) {
    switch (t) {
    case DeviceType::Dram: return "dram";
    case DeviceType::Sram: return "sram";
    case DeviceType::Dma: return "dma";
    case DeviceType::Npu: return "npu";
    case DeviceType::Transverter: return "transverter";
    case DeviceType::Predictor: return "predictor";
    case DeviceType::RuntimeMonitor: return "runtime_monitor";
    case DeviceType::ContextBuffer: return "context_buffer";
    case DeviceType::DyPipe: return "dypipe";
    }
    return "?";
}

const DeviceConfig* PlatformConfig::find(const std::string& n) const {
    for (const auto& d : devices)
        if (d.name == n) return &d;
    return nullptr;
}

const DeviceConfig* PlatformConfig::first_of(DeviceType t) const {
    for (const auto& d : devices)
        if (d.type == t) return &d;
    return nullptr;
}

PlatformConfig parse_platform(const std::string& text, const std::string& file) {
    nlohmann::json j = parse_json_text(text, file);
    if (!j.is_object()) throw ConfigError(file, "", "expected a JSON object at the top level");
    ConfigNode root(j, file, "");
    root.allow_only({"name", "description", "clock_mhz", "host", "bus", "devices", "npu", "dypipe"});
    PlatformConfig pc;
    pc.source = file;
    pc.name = root.str("name");
    pc.description = root.str("description", "");
    pc.clock_mhz = root.number("clock_mhz");
    if (!(pc.clock_mhz >= 0.001 && pc.clock_mhz <= 100000)) root.fail("clock_mhz", "must be in [0.001, 100000] MHz");

    if (root.has("host")) {
        ConfigNode h = root.object("host");
        h.allow_only({"clock_mhz", "quantum_ns", "irq_lines"});
        pc.host_clock_mhz = h.number("clock_mhz", pc.host_clock_mhz);
        if (!(pc.host_clock_mhz >= 0.001 && pc.host_clock_mhz <= 100000)) h.fail("clock_mhz", "must be in [0.001, 100000] MHz");
        pc.quantum_ns = h.u64_in("quantum_ns", pc.quantum_ns, 1, 1000000000);
        pc.host_irq_lines = uint32_t(h.u64_in("irq_lines", pc.host_irq_lines, 1, 64));
    }
    if (root.has("bus")) {
        ConfigNode b = root.object("bus");
        b.allow_only({"latency_cycles"});
        pc.bus_latency_cycles = uint32_t(b.u64_in("latency_cycles", pc.bus_latency_cycles, 0, 1000));
    }

    for (const ConfigNode& n : root.array_of_objects("devices")) {
        n.allow_only({"name", "type", "base", "size", "clock_mhz", "irq", "preset", "channels", "interleave_bytes",
                      "timing", "power", "address_mapping", "controller", "latency_cycles", "bytes_per_cycle", "chunk_bytes", "outstanding", "table_entries", "alu_cycles",
                      "mux_cycles", "write_cycles", "tiles", "rat_bits", "table_bytes", "initial_state", "fifo_depth", "cycles_per_entry",
                      "forward_cycles"});
        DeviceConfig d = read_device(n, pc.clock_mhz);
        if (d.irq >= int(pc.host_irq_lines))
            n.fail("irq", "line " + std::to_string(d.irq) + " does not exist (host has " + std::to_string(pc.host_irq_lines) + ")");
        for (const DeviceConfig& o : pc.devices) {
            if (o.name == d.name) n.fail("name", "duplicate device name \"" + d.name + "\" (first at " + o.json_path + ")");
            if (d.base < o.base + o.size && o.base < d.base + d.size)
                n.fail("base", "region '" + d.name + "' [" + hex(d.base) + ", " + hex(d.base + d.size) + ") overlaps '" +
                                   o.name + "' [" + hex(o.base) + ", " + hex(o.base + o.size) + ") declared at " + o.json_path);
            if (d.irq >= 0 && d.irq == o.irq)
                n.fail("irq", "line " + std::to_string(d.irq) + " already used by '" + o.name + "'");
        }
        pc.devices.push_back(d);
    }
    if (pc.devices.empty()) root.fail("devices", "a board needs at least one device");
    if (!pc.first_of(DeviceType::Dram)) root.fail("devices", "a board needs a device of type \"dram\"");

    if (root.has("npu")) {
        ConfigNode n = root.object("npu");
        n.allow_only({"cores", "pe_array", "core_buffers", "core_buffer_bytes_per_cycle", "max_prime_factor", "double_buffered",
                      "nonlinear_lanes", "runtime_table_entries", "prefetch_tiles", "leakage_mw"});
        pc.npu.nonlinear_lanes = uint32_t(n.u64_in("nonlinear_lanes", 8, 1, 4096));
        pc.npu.runtime_table_entries = uint32_t(n.u64_in("runtime_table_entries", 64, 1, 960)); // what fits a core's register page
        pc.npu.prefetch_tiles = uint32_t(n.u64_in("prefetch_tiles", 64, 1, 1024));
        pc.npu.leakage_mw = n.number("leakage_mw", 0);
        if (!(pc.npu.leakage_mw >= 0 && pc.npu.leakage_mw <= 1e6)) n.fail("leakage_mw", "must be in [0, 1e6] mW");
        pc.npu.double_buffered = n.boolean("double_buffered", true);
        pc.npu.max_prime_factor = uint32_t(n.u64_in("max_prime_factor", 7, 2, 1u << 20));
        pc.npu.core_buffer_bytes_per_cycle = uint32_t(n.u64_in("core_buffer_bytes_per_cycle", 32, 1, 4096));
        pc.npu.cores = uint32_t(n.u64_in("cores", 1, 1024));
        ConfigNode pe = n.object("pe_array");
        pe.allow_only({"rows", "cols"});
        pc.npu.pe_rows = uint32_t(pe.u64_in("rows", 1, 1024));
        pc.npu.pe_cols = uint32_t(pe.u64_in("cols", 1, 1024));
        ConfigNode cb = n.object("core_buffers");
        cb.allow_only({"weight", "input", "output"});
        pc.npu.weight_buffer_bytes = cb.u64_in("weight", 1, uint64_t(1) << 30);
        pc.npu.input_buffer_bytes = cb.u64_in("input", 1, uint64_t(1) << 30);
        pc.npu.output_buffer_bytes = cb.u64_in("output", 1, uint64_t(1) << 30);
    }
    // The engine's registers: a device of type "npu" needs the npu section, and one window per core.
    for (size_t i = 0; i < pc.devices.size(); ++i) {
        const DeviceConfig& d = pc.devices[i];
        if (d.type != DeviceType::Npu) continue;
        const std::string where = "/devices/" + std::to_string(i);
        if (pc.npu.cores == 0) throw ConfigError(file, where + "/type", "a device of type \"npu\" needs the top-level \"npu\" section");
        if (pc.npu.cores > 32) // IRQ_PENDING has a bit per core
            throw ConfigError(file, "/npu/cores", "the npu register block supports at most 32 cores (npu.cores is " + std::to_string(pc.npu.cores) + ")");
        if (d.size < uint64_t(pc.npu.cores + 1) * 0x1000)
            throw ConfigError(file, where + "/size", "the npu register block needs 0x1000 bytes per core plus one control page (" +
                                                        hex(uint64_t(pc.npu.cores + 1) * 0x1000) + " for " + std::to_string(pc.npu.cores) + " cores)");
        for (size_t j = 0; j < i; ++j)
            if (pc.devices[j].type == DeviceType::Npu) throw ConfigError(file, where + "/type", "only one device of type \"npu\" per board");
        if (!pc.find("glb")) throw ConfigError(file, where, "the npu needs an sram device named \"glb\" (its L2, DNA IV-A)");
    }
    if (root.has("dypipe")) {
        ConfigNode n = root.object("dypipe");
        n.allow_only({"pe_array", "dtype", "vector_lanes", "block_bytes", "dram_latency_cycles", "compute_overhead_cycles", "context_words", "dispatch_cycles"});
        ConfigNode pe = n.object("pe_array");
        pe.allow_only({"rows", "cols"});
        DyPipeConfig& y = pc.dypipe;
        y.pe_rows = uint32_t(pe.u64_in("rows", 1, 4096));
        y.pe_cols = uint32_t(pe.u64_in("cols", 1, 4096));
        const std::string dt = n.str("dtype", "fp16");
        if (dt == "fp16") y.elem_bytes = 2;
        else if (dt == "fp32") y.elem_bytes = 4;
        else if (dt == "int8") y.elem_bytes = 1;
        else n.fail("dtype", "unknown dtype \"" + dt + "\" (known: int8, fp16, fp32)");
        y.vector_lanes = uint32_t(n.u64_in("vector_lanes", y.vector_lanes, 1, 1u << 16));
        y.block_bytes = n.u64_in("block_bytes", 0, 0, uint64_t(1) << 30);
        y.dram_latency_cycles = uint32_t(n.u64_in("dram_latency_cycles", y.dram_latency_cycles, 0, 100000));
        y.compute_overhead_cycles = uint32_t(n.u64_in("compute_overhead_cycles", y.compute_overhead_cycles, 0, 100000));
        y.context_words = uint32_t(n.u64_in("context_words", y.context_words, 1, 256));
        y.dispatch_cycles = uint32_t(n.u64_in("dispatch_cycles", y.dispatch_cycles, 0, 100000));
    }
    for (size_t i = 0; i < pc.devices.size(); ++i) {
        const DeviceConfig& d = pc.devices[i];
        if (d.type != DeviceType::DyPipe && d.type != DeviceType::ContextBuffer) continue;
        const std::string where = "/devices/" + std::to_string(i) + "/type";
        for (size_t j = 0; j < i; ++j)
            if (pc.devices[j].type == d.type) throw ConfigError(file, where, std::string("only one device of type \"") + to_string(d.type) + "\" per board");
        if (d.type == DeviceType::DyPipe) {
            if (!pc.dypipe.pe_rows) throw ConfigError(file, where, "a device of type \"dypipe\" needs the top-level \"dypipe\" section");
            if (!pc.first_of(DeviceType::ContextBuffer)) throw ConfigError(file, where, "the dypipe accelerator needs a device of type \"context_buffer\"");
            if (!pc.find("global_buffer")) throw ConfigError(file, where, "the dypipe accelerator needs an sram device named \"global_buffer\"");
        }
    }
    // DNA's online scheduler: one of each, next to an NPU.
    for (size_t i = 0; i < pc.devices.size(); ++i) {
        const DeviceConfig& d = pc.devices[i];
        if (d.type != DeviceType::Transverter && d.type != DeviceType::Predictor && d.type != DeviceType::RuntimeMonitor) continue;
        const std::string where = "/devices/" + std::to_string(i) + "/type";
        for (size_t j = 0; j < i; ++j)
            if (pc.devices[j].type == d.type) throw ConfigError(file, where, std::string("only one device of type \"") + to_string(d.type) + "\" per board");
        if (!pc.first_of(DeviceType::Npu)) throw ConfigError(file, where, std::string("a ") + to_string(d.type) + " needs a device of type \"npu\"");
        if (d.type == DeviceType::Predictor && !pc.find("prefetch_buffer"))
            throw ConfigError(file, where, "the predictor needs an sram device named \"prefetch_buffer\" (DNA VI-B)");
    }
    return pc;
}

PlatformConfig load_platform(const std::string& spec) {
    const bool looks_like_file = spec.find('/') != std::string::npos || (spec.size() > 5 && spec.substr(spec.size() - 5) == ".json");
    if (!looks_like_file) {
        for (const auto& p : embedded_platform_presets())
            if (spec == p.name) {
                PlatformConfig pc = parse_platform(p.text, p.path);
                pc.source = std::string("preset ") + p.name;
                return pc;
            }
        std::string names;
        for (const auto& p : embedded_platform_presets()) names += (names.empty() ? "" : ", ") + std::string(p.name);
        throw ConfigError("--platform", "", "unknown preset \"" + spec + "\" (known: " + names + "; or give a path to a .json file)");
    }
    return parse_platform(read_text_file(spec), spec);
}

} // namespace dynavp
