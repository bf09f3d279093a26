// Standalone Verilator testbench of rtl/transverter (no SystemC): drives the
// firmware driver's MMIO sequence (firmware/drivers/transverter_driver.cpp:
// init, load_constraints, set_options, load_backbone, set_dynamic, go, wait)
// into the RTL and checks every register and the whole 4 KB table window
// against a shadow of the TLM model (ip/transverter/transverter.cpp) whose
// runs are computed by the golden dynavp::transverter::run_unit.
//
//   harness [--cases N] [--seed S] [--verbose]
//
// Cases: hand cases (nothing changed, every dim changed, table full, the
// error codes, unsorted/composite tables, GO/table writes while busy), then N
// random ones: the platform test's random_case (7-smooth backbone, random
// schedule, dims shrunk), VGG16/ResNet-50 layers with an offline-searched
// schedule, under the dna-16c constraint table or variants of it (fp32,
// other buffer sizes / fan-outs / MAX_PRIME), with random CTRL orders.
// Exit 0 only when every case matched.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "Vtransverter.h"
#include "verilated.h"

#include "ip/core/npu_regs.h"
#include "ip/scheduling/mappers.h"
#include "ip/transverter/transverter_regs.h"
#include "ip/transverter/transverter_unit.h"
#include "platform/platform_config.h"
#include "workloads/zoo.h"

using namespace dynavp;
using namespace dynavp::sched;
namespace tv = dynavp::transverter;

namespace {

constexpr uint32_t kTableEntries = 64; // the RTL's TABLE_ENTRIES parameter (default)

// ------------------------------------------------------------------ the DUT and its bus
struct Dut {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vtransverter> m;
    uint64_t clocks = 0;

    Dut() : ctx(new VerilatedContext), m(new Vtransverter(ctx.get())) {
        m->clk = 0;
        m->rst_n = 0;
        m->bus_valid = 0;
        m->eval();
        for (int i = 0; i < 3; ++i) posedge();
        m->rst_n = 1;
        m->eval();
        posedge();
    }
    void posedge() {
        m->clk = 1;
        m->eval();
        m->clk = 0;
        m->eval();
        ++clocks;
    }
    // One access; completes on the clock edge after bus_ready was seen high.
    uint32_t access(bool write, uint32_t addr, uint32_t data) {
        m->bus_valid = 1;
        m->bus_write = write;
        m->bus_addr = uint16_t(addr);
        m->bus_wdata = data;
        m->eval();
        uint32_t r = 0;
        for (int n = 0;; ++n) {
            if (m->bus_ready) {
                r = m->bus_rdata;
                posedge();
                break;
            }
            posedge();
            if (n > 100000) {
                std::fprintf(stderr, "bus access to 0x%04x never completed\n", addr);
                std::exit(2);
            }
        }
        m->bus_valid = 0;
        m->eval();
        return r;
    }
    uint32_t read32(uint32_t a) { return access(false, a, 0); }
    void write32(uint32_t a, uint32_t v) { access(true, a, v); }
};

// ------------------------------------------------------------------ shadow of the TLM model
struct Shadow {
    std::map<uint32_t, uint32_t> reg; // every declared register, as the TLM bank holds it
    std::vector<uint8_t> table = std::vector<uint8_t>(tv::kTableWindowBytes, 0);
    Hardware base;
    bool busy = false;

    explicit Shadow(const Hardware& hw) : base(hw) {
        using namespace tv;
        for (const auto& r : kRegisters) reg[r.offset] = r.reset;
        for (uint32_t j = 0; j < kDims; ++j) {
            reg[dim_backbone(j).offset] = 1;
            reg[dim_dynamic(j).offset] = 1;
            reg[dim_executed(j).offset] = 1;
        }
        reg[TABLE_ENTRIES.offset] = kTableEntries;
        reg[LEVELS.offset] = uint32_t(hw.levels.size());
        reg[MAX_PRIME.offset] = hw.max_prime;
        reg[ELEM_BYTES.offset] = elem::WEIGHT.make(hw.elem_bytes[0]) | elem::INPUT.make(hw.elem_bytes[1]) |
                                 elem::OUTPUT.make(hw.elem_bytes[2]) | elem::DRAM_OUTPUT.make(hw.dram_output_bytes);
        for (uint32_t i = 0; i < hw.levels.size(); ++i) {
            const ConstraintRow r = row_of(hw.levels[i]);
            const uint32_t b = kConstraintBase + i * kConstraintStride;
            reg[b + kCapWeight] = r.cap[0];
            reg[b + kCapInput] = r.cap[1];
            reg[b + kCapOutput] = r.cap[2];
            reg[b + kCapShared] = r.shared;
            reg[b + kFanout] = r.fanout;
        }
    }
    static bool read_only(uint32_t off) {
        using namespace tv;
        for (const auto& r : kRegisters)
            if (r.offset == off) return r.access == reg::Access::RO;
        return off >= kDimExecuted && off < kDimExecuted + 4 * kDims;
    }
    void write(uint32_t off, uint32_t v) {
        using namespace tv;
        if (off >= kTablePage) {
            if (busy) return;
            std::memcpy(&table[off - kTablePage], &v, 4);
            reg[TABLE_BYTES.offset] = 0;
            return;
        }
        auto it = reg.find(off);
        if (it == reg.end() || read_only(off)) return;
        if (off == IRQ_STATUS.offset) it->second &= ~v;
        else it->second = v;
    }
    uint32_t read(uint32_t off) const {
        if (off >= tv::kTablePage) {
            uint32_t v;
            std::memcpy(&v, &table[off - tv::kTablePage], 4);
            return v;
        }
        if (off == tv::CMD.offset) return 0;
        auto it = reg.find(off);
        return it == reg.end() ? 0 : it->second;
    }
    Hardware hardware() const { // Transverter::hardware()
        using namespace tv;
        Hardware hw = base;
        const uint32_t eb = reg.at(ELEM_BYTES.offset);
        hw.elem_bytes = {elem::WEIGHT.get(eb), elem::INPUT.get(eb), elem::OUTPUT.get(eb)};
        hw.dram_output_bytes = elem::DRAM_OUTPUT.get(eb);
        hw.max_prime = reg.at(MAX_PRIME.offset);
        for (uint32_t i = 0; i < hw.levels.size(); ++i) {
            const uint32_t b = kConstraintBase + i * kConstraintStride;
            ConstraintRow r;
            r.cap[0] = reg.at(b + kCapWeight);
            r.cap[1] = reg.at(b + kCapInput);
            r.cap[2] = reg.at(b + kCapOutput);
            r.shared = reg.at(b + kCapShared);
            r.fanout = reg.at(b + kFanout);
            apply_row(r, hw.levels[i]);
        }
        return hw;
    }
    // Transverter::run() for one GO: what the registers and table hold at DONE.
    tv::UnitResult run() {
        using namespace tv;
        Operator bb, dyn;
        for (uint32_t j = 0; j < kDims; ++j) {
            bb.size[j] = reg.at(dim_backbone(j).offset);
            dyn.size[j] = reg.at(dim_dynamic(j).offset);
        }
        bb.stride = dyn.stride = reg.at(OP_STRIDE.offset);
        bb.dilation = dyn.dilation = reg.at(OP_DILATION.offset);
        bb.groups = dyn.groups = reg.at(OP_GROUPS.offset);
        TransverterOptions opt;
        const uint32_t ctrl = reg.at(CTRL.offset);
        opt.maxbuff = ctrl::MAXBUFF_NEST.get(ctrl) ? DimOrder::Nest : DimOrder::Table;
        opt.maxcomp = ctrl::MAXCOMP_BACKBONE.get(ctrl) ? DimOrder::Backbone : DimOrder::Table;
        UnitResult r = run_unit(table, bb, dyn, hardware(), opt, kTableEntries, UnitTiming{1, 1, 1});
        if (r.err) r.cycles = uint64_t(kDims) * 1; // a rejected run stops after the compare stage
        reg[RUNS.offset] += 1;
        reg[ERR_DETAIL.offset] = r.detail;
        if (r.err) {
            reg[UPDATES.offset] = 0;
            reg[STATUS.offset] = status::STATE.make(status::kError) | status::ERR_CODE.make(r.err);
            reg[IRQ_STATUS.offset] |= irq::ERROR.make(1);
        } else {
            std::fill(table.begin(), table.end(), 0);
            std::memcpy(table.data(), r.table.data(), r.table.size());
            reg[TABLE_BYTES.offset] = uint32_t(r.table.size());
            reg[UPDATES.offset] = uint32_t(r.updates);
            for (uint32_t j = 0; j < kDims; ++j) reg[dim_executed(j).offset] = r.executed.size[j];
            reg[STATUS.offset] = status::STATE.make(status::kDone);
            reg[IRQ_STATUS.offset] |= irq::DONE.make(1);
        }
        return r;
    }
};

// ------------------------------------------------------------------ a case
struct Case {
    std::string label;
    Operator bb, dyn;
    Schedule s;                  // the backbone's schedule ...
    std::vector<uint8_t> raw;    // ... or raw table bytes (malformed tables)
    Hardware hw;                 // the constraint table firmware loads
    TransverterOptions opt;
    std::function<void(Dut&, Shadow&)> while_busy; // extra MMIO right after GO
};

std::string schedule_text(const Schedule& s) {
    std::ostringstream os;
    os << s.factors.size() << " factors:";
    for (const auto& f : s.factors) os << " " << dim_name(f.dim) << f.value << "@" << f.level << (f.spatial ? "S" : "T");
    os << "; orders:";
    for (const auto& o : s.order) {
        os << " ";
        for (Dim d : o) os << dim_name(d);
    }
    return os.str();
}

std::string opt_text(const TransverterOptions& o) {
    return std::string("maxbuff=") + (o.maxbuff == DimOrder::Nest ? "nest" : "table") + " maxcomp=" + (o.maxcomp == DimOrder::Backbone ? "backbone" : "table");
}

std::string hw_text(const Hardware& hw) {
    std::ostringstream os;
    os << "elem " << hw.elem_bytes[0] << "/" << hw.elem_bytes[1] << "/" << hw.elem_bytes[2] << " max_prime " << hw.max_prime << ";";
    for (const auto& l : hw.levels) {
        const tv::ConstraintRow r = tv::row_of(l);
        os << " [" << std::hex << r.cap[0] << "," << r.cap[1] << "," << r.cap[2] << " sh " << r.shared << std::dec << " P " << r.fanout << "]";
    }
    return os.str();
}

// ------------------------------------------------------------------ case generators
// tests/platform/online_scheduler_test.cpp's random_case.
Case random_case(std::mt19937_64& rng, const Hardware& hw) {
    static const uint32_t sizes[] = {1, 2, 3, 4, 6, 7, 8, 12, 14, 16, 24, 28, 32, 48, 56, 64, 96, 128};
    auto pick = [&](size_t lo, size_t hi) { return sizes[std::uniform_int_distribution<size_t>(lo, hi)(rng)]; };
    Case c;
    c.label = "random";
    const uint32_t rs = std::uniform_int_distribution<int>(0, 2)(rng) ? 1 : 3;
    c.bb.size = {rs, rs, pick(0, 12), pick(0, 12), pick(0, 17), pick(0, 17), pick(0, 5)};
    c.s = random_schedule(c.bb, hw, rng());
    c.dyn = c.bb;
    for (Dim j : kAllDims)
        if (c.bb[j] > 1 && std::uniform_int_distribution<int>(0, 2)(rng) == 0)
            c.dyn[j] = std::uniform_int_distribution<uint32_t>(1, c.bb[j])(rng);
    c.hw = hw;
    return c;
}

struct ZooBackbone {
    std::string name;
    Operator op;
    Schedule s;
};

std::vector<ZooBackbone> zoo_backbones(const Hardware& hw) {
    std::vector<ZooBackbone> out;
    MapperOptions o;
    o.samples = 30;
    o.local_steps = 60;
    for (const char* net : {"vgg16", "resnet50"}) {
        for (const auto& l : load_zoo_network(net).layers) {
            if (l.kind != LayerKind::Conv && l.kind != LayerKind::Fc) continue;
            ZooBackbone b;
            b.name = std::string(net) + "/" + l.name;
            b.op = pad_to_smooth(l.op, hw, nullptr);
            const MapResult r = search_schedule(b.op, hw, o);
            if (!r.cost.valid) continue;
            b.s = r.schedule;
            out.push_back(b);
        }
    }
    return out;
}

Case zoo_case(std::mt19937_64& rng, const std::vector<ZooBackbone>& zoo, const Hardware& hw) {
    const ZooBackbone& b = zoo[rng() % zoo.size()];
    Case c;
    c.label = "zoo " + b.name;
    c.bb = b.op;
    c.s = b.s;
    c.dyn = c.bb;
    const int mode = int(rng() % 3);
    for (Dim d : {C, K, P, Q, N}) {
        if (c.bb[d] <= 1) continue;
        const bool change = mode == 0 ? (d == C || d == K) : mode == 1 ? (rng() % 2 == 0) : (d == N || d == P);
        if (change) c.dyn[d] = 1 + uint32_t(rng() % c.bb[d]);
    }
    c.hw = hw;
    return c;
}

// The constraint table firmware may load instead of the platform's.
Hardware hw_variant(std::mt19937_64& rng, const Hardware& base) {
    Hardware hw = base;
    switch (rng() % 8) {
    case 0: hw = fp32_hardware(base); break;
    case 1:
    case 2: { // other buffer sizes and fan-outs
        static const uint32_t fan[] = {2, 4, 8, 16, 32, 64, 128, 256};
        const uint64_t cb = 256ull << (rng() % 8), glb = 8192ull << (rng() % 7);
        hw.levels[1].capacity = {cb, cb / 2 + 1, cb / 2};
        hw.levels[2].capacity = {glb, glb, glb};
        hw.levels[2].shared_capacity = (rng() % 3) ? glb : 0;
        hw.levels[1].fanout = fan[rng() % 8];
        hw.levels[2].fanout = fan[rng() % 8];
        if (rng() % 4 == 0) hw.levels[1].capacity[rng() % 3] = 0; // a tensor the core buffers do not hold
        break;
    }
    case 3: { // another factoriser limit
        static const uint32_t mp[] = {2, 3, 5, 11, 13, 1000003};
        hw.max_prime = mp[rng() % 6];
        break;
    }
    default: break;
    }
    return hw;
}

// Fuzz: tables the decoder accepts but encode_schedule never writes (unsorted
// or composite rows, other placements), corrupted bytes, fields out of range.
void mutate(Case& c, std::mt19937_64& rng) {
    auto& f = c.s.factors;
    switch (rng() % 7) {
    case 0: // unsorted rows
        if (f.size() >= 2) std::swap(f[rng() % f.size()], f[rng() % f.size()]);
        c.label += " +swapped rows";
        break;
    case 1: { // two rows of a dim merged into a composite factor
        for (int tries = 0; tries < 20 && f.size() >= 2; ++tries) {
            const size_t a = rng() % f.size(), b = rng() % f.size();
            if (a != b && f[a].dim == f[b].dim) {
                f[a].value *= f[b].value;
                f.erase(f.begin() + long(b));
                break;
            }
        }
        c.label += " +composite row";
        break;
    }
    case 2: // other placements (any level, spatial or not)
        for (auto& x : f)
            if (rng() % 3 == 0) {
                x.level = int(rng() % c.s.order.size());
                x.spatial = rng() % 2;
            }
        c.label += " +moved rows";
        break;
    case 3: { // a corrupted byte
        c.raw = npu::encode_schedule(c.s);
        const size_t at = rng() % c.raw.size();
        c.raw[at] ^= uint8_t(1u << (rng() % 8));
        c.label += " +bit flip at byte " + std::to_string(at);
        break;
    }
    case 4: { // a dynamic dim out of range
        const Dim d = Dim(rng() % kDims);
        c.dyn[d] = (rng() % 2) ? 0 : c.bb[d] + 1 + uint32_t(rng() % 3);
        c.label += " +dynamic out of range";
        break;
    }
    case 5: // operator / constraint fields
        switch (rng() % 4) {
        case 0: c.bb.stride = c.dyn.stride = uint32_t(rng() % 70); break;
        case 1: c.bb.dilation = c.dyn.dilation = uint32_t(rng() % 70); break;
        case 2: c.hw.elem_bytes[rng() % 3] = uint32_t(rng() % 10); break;
        default: c.hw.levels[rng() % c.hw.levels.size()].fanout = uint32_t(rng() % 3); break;
        }
        c.label += " +fields";
        break;
    default: // a factoriser limit that pads more
        c.hw.max_prime = 2 + uint32_t(rng() % 19);
        c.label += " +max_prime " + std::to_string(c.hw.max_prime);
        break;
    }
}

// ------------------------------------------------------------------ running a case
struct Totals {
    uint64_t cases = 0, mismatches = 0, ok_runs = 0, err_runs = 0, rtl_cycles = 0, model_cycles = 0;
    uint64_t rtl_cycles_ok = 0, model_cycles_ok = 0, max_rtl = 0;
    std::map<uint32_t, uint64_t> errs;
};

struct Bench {
    Dut dut;
    Shadow sh;
    Totals t;
    bool verbose = false;
    Hardware loaded;

    explicit Bench(const Hardware& hw) : sh(hw), loaded(hw) {}

    void w(uint32_t off, uint32_t v) {
        dut.write32(off, v);
        sh.write(off, v);
    }
    uint32_t r(uint32_t off) { return dut.read32(off); }

    // TransverterDriver::init
    bool init() {
        using namespace tv;
        if (r(ID.offset) != kIdValue) return false;
        r(TABLE_ENTRIES.offset);
        r(LEVELS.offset);
        w(IRQ_STATUS.offset, irq::DONE.mask() | irq::ERROR.mask());
        w(CTRL.offset, ctrl::IRQ_EN.make(1));
        return true;
    }
    void load_constraints(const Hardware& hw) {
        using namespace tv;
        for (uint32_t i = 0; i < hw.levels.size() && i < sh.base.levels.size(); ++i) {
            const ConstraintRow row = row_of(hw.levels[i]);
            const uint32_t b = kConstraintBase + i * kConstraintStride;
            w(b + kCapWeight, row.cap[0]);
            w(b + kCapInput, row.cap[1]);
            w(b + kCapOutput, row.cap[2]);
            w(b + kCapShared, row.shared);
            w(b + kFanout, row.fanout);
        }
        w(ELEM_BYTES.offset, elem::WEIGHT.make(hw.elem_bytes[0]) | elem::INPUT.make(hw.elem_bytes[1]) | elem::OUTPUT.make(hw.elem_bytes[2]) |
                                 elem::DRAM_OUTPUT.make(hw.dram_output_bytes));
        w(MAX_PRIME.offset, hw.max_prime);
    }
    void set_options(const TransverterOptions& o) {
        using namespace tv;
        w(CTRL.offset, ctrl::IRQ_EN.make(1) | ctrl::MAXBUFF_NEST.make(o.maxbuff == DimOrder::Nest) |
                           ctrl::MAXCOMP_BACKBONE.make(o.maxcomp == DimOrder::Backbone));
    }
    void load_table_bytes(const std::vector<uint8_t>& t) {
        for (size_t a = 0; a + 3 < t.size(); a += 4) {
            uint32_t v;
            std::memcpy(&v, &t[a], 4);
            w(tv::kTablePage + uint32_t(a), v);
        }
    }
    void load_backbone(const Operator& bb, const std::vector<uint8_t>& t) {
        using namespace tv;
        for (uint32_t j = 0; j < kDims; ++j) w(dim_backbone(j).offset, bb.size[j]);
        w(OP_STRIDE.offset, bb.stride);
        w(OP_DILATION.offset, bb.dilation);
        w(OP_GROUPS.offset, bb.groups);
        load_table_bytes(t);
    }
    void set_dynamic(const Operator& d) {
        for (uint32_t j = 0; j < kDims; ++j) w(tv::dim_dynamic(j).offset, d.size[j]);
    }
    // wait_device_irq + TransverterDriver::wait's reads: returns the IRQ bits seen.
    uint32_t wait_irq() {
        using namespace tv;
        const uint32_t mask = irq::DONE.mask() | irq::ERROR.mask();
        for (uint64_t n = 0;; ++n) {
            const uint32_t st = r(IRQ_STATUS.offset) & mask;
            if (st) {
                w(IRQ_STATUS.offset, st);
                return st;
            }
            while (!dut.m->irq) {
                dut.posedge();
                if (++n > 50'000'000) return 0;
            }
        }
    }

    std::string compare_all() {
        // every readable register of the map (CYCLES is the RTL's own count) and the whole table window
        using namespace tv;
        std::ostringstream diff;
        std::vector<uint32_t> offs;
        for (const auto& rg : kRegisters)
            if (rg.offset != CYCLES.offset) offs.push_back(rg.offset);
        for (uint32_t j = 0; j < kDims; ++j) {
            offs.push_back(dim_backbone(j).offset);
            offs.push_back(dim_dynamic(j).offset);
            offs.push_back(dim_executed(j).offset);
        }
        for (uint32_t i = 0; i < sh.base.levels.size(); ++i)
            for (uint32_t wd = 0; wd < 5; ++wd) offs.push_back(kConstraintBase + i * kConstraintStride + 4 * wd);
        for (uint32_t off : offs) {
            const uint32_t got = r(off), want = sh.read(off);
            if (got != want) diff << "  reg 0x" << std::hex << off << ": rtl 0x" << got << " model 0x" << want << std::dec << "\n";
        }
        int bad_words = 0;
        for (uint32_t a = 0; a < kTableWindowBytes; a += 4) {
            const uint32_t got = r(kTablePage + a), want = sh.read(kTablePage + a);
            if (got != want && bad_words++ < 8)
                diff << "  table +0x" << std::hex << a << ": rtl 0x" << got << " model 0x" << want << std::dec << "\n";
        }
        if (bad_words > 8) diff << "  ... " << bad_words << " table words differ\n";
        return diff.str();
    }

    bool run(const Case& c) {
        using namespace tv;
        if (!(c.hw.levels.size() == loaded.levels.size() && hw_text(c.hw) == hw_text(loaded))) {
            load_constraints(c.hw);
            loaded = c.hw;
        }
        set_options(c.opt);
        load_backbone(c.bb, c.raw.empty() ? npu::encode_schedule(c.s) : c.raw);
        set_dynamic(c.dyn);
        const uint32_t runs_before = r(RUNS.offset);
        w(CMD.offset, cmd::kGo);
        sh.busy = true;
        if (c.while_busy) c.while_busy(dut, sh);
        const UnitResult res = sh.run();
        const uint32_t irqs = wait_irq();
        sh.busy = false;
        const uint32_t rtl_cycles = r(CYCLES.offset);
        std::string diff = irqs ? compare_all() : std::string("  timeout: no DONE/ERROR interrupt\n");
        if (r(RUNS.offset) != runs_before + 1) diff += "  RUNS did not advance by one\n";
        ++t.cases;
        t.rtl_cycles += rtl_cycles;
        t.model_cycles += res.cycles;
        t.max_rtl = std::max<uint64_t>(t.max_rtl, rtl_cycles);
        if (res.err) {
            ++t.err_runs;
            ++t.errs[res.err];
        } else {
            ++t.ok_runs;
            t.rtl_cycles_ok += rtl_cycles;
            t.model_cycles_ok += res.cycles;
        }
        if (verbose)
            std::printf("case %" PRIu64 " [%s] err %u detail %u updates %" PRIu64 " rows %zu: rtl %u clocks, model %" PRIu64 "\n", t.cases,
                        c.label.c_str(), res.err, res.detail, res.updates, res.schedule.factors.size(), rtl_cycles, res.cycles);
        if (diff.empty()) return true;
        ++t.mismatches;
        std::printf("MISMATCH in case %" PRIu64 " [%s]\n", t.cases, c.label.c_str());
        std::printf("  backbone %s\n  dynamic  %s\n", c.bb.to_string().c_str(), c.dyn.to_string().c_str());
        if (c.raw.empty()) std::printf("  schedule %s\n", schedule_text(c.s).c_str());
        else std::printf("  raw table of %zu bytes\n", c.raw.size());
        std::printf("  %s; constraints %s\n", opt_text(c.opt).c_str(), hw_text(c.hw).c_str());
        std::printf("  golden: err %u (%s) detail %u updates %" PRIu64 " why '%s'\n", res.err, err_name(res.err), res.detail, res.updates, res.why.c_str());
        if (!res.err) std::printf("  golden result %s, executed %s\n", schedule_text(res.schedule).c_str(), res.executed.to_string().c_str());
        std::printf("%s", diff.c_str());
        return false;
    }
};

// ------------------------------------------------------------------ hand cases
std::vector<Case> hand_cases(const Hardware& hw, const std::vector<ZooBackbone>& zoo) {
    std::vector<Case> v;
    auto mk = [&](const std::string& label, const std::string& bb, const std::string& dyn) {
        Case c;
        c.label = label;
        c.bb = parse_operator(bb);
        c.dyn = dyn.empty() ? c.bb : apply_dynamic(c.bb, dyn);
        c.s = random_schedule(c.bb, hw, 7);
        c.hw = hw;
        return c;
    };
    // operators too large for parse_operator's 2^50-MAC limit: all factors outermost
    auto mk_big = [&](const std::string& label, std::array<uint32_t, kDims> bb, std::array<uint32_t, kDims> dyn) {
        Case c;
        c.label = label;
        c.bb.size = bb;
        c.dyn.size = dyn;
        c.s = all_outermost(c.bb, int(hw.levels.size()));
        c.hw = hw;
        return c;
    };
    // nothing changed
    v.push_back(mk("nothing changed", "R=3,S=3,P=28,Q=28,C=64,K=128,N=2", ""));
    if (!zoo.empty()) {
        Case c;
        c.label = "nothing changed (zoo " + zoo[0].name + ")";
        c.bb = c.dyn = zoo[0].op;
        c.s = zoo[0].s;
        c.hw = hw;
        v.push_back(c);
    }
    // a dim that pads back to the backbone: not a change either
    v.push_back(mk("pads back to backbone", "R=1,S=1,P=16,Q=1,C=128,K=64", "C=127"));
    // every dim changed
    v.push_back(mk("every dim changed", "R=3,S=3,P=28,Q=28,C=64,K=128,N=4", "R=2,S=1,P=13,Q=27,C=40,K=97,N=3"));
    {
        Case c = mk("every dim changed, all outermost", "R=5,S=5,P=56,Q=56,C=96,K=96,N=8", "R=3,S=4,P=55,Q=21,C=11,K=64,N=7");
        c.s = all_outermost(c.bb, int(hw.levels.size()));
        v.push_back(c);
        c.opt.maxbuff = DimOrder::Nest;
        c.opt.maxcomp = DimOrder::Backbone;
        c.label += ", nest/backbone";
        v.push_back(c);
    }
    // the result overflows the 64-row table: 7 dims of 3^8 -> 2^12 (8 -> 12 rows each)
    {
        const uint32_t a = 6561, b = 4096;
        v.push_back(mk_big("table full", {a, a, a, a, a, a, a}, {b, b, b, b, b, b, b})); // 84 rows
        v.push_back(mk_big("table full, fits exactly", {a, a, a, a, a, a, a}, {b, b, a, a, a, a, a})); // 56 + 8 = 64 rows
        v.push_back(mk_big("table full by one", {a, a, a, a, a, a, a}, {b, b, b, a, a, a, a}));        // 68 rows
    }
    // Initialization's intermediate table outgrows TE + 20 rows, the final one fits:
    // R, S: 7^7 (7 rows) -> 2^19 (19 rows) first, then P..N (50 rows) -> 1
    v.push_back(mk_big("intermediate > TE + 20 rows", {823543, 823543, 1024, 1024, 1024, 1024, 1024},
                       {524288, 524288, 1, 1, 1, 1, 1}));
    v.push_back(mk_big("intermediate > TE + 20 rows, final full", {823543, 823543, 1024, 1024, 1024, 1024, 1024},
                       {524288, 524288, 1024, 1, 1, 1024, 1024})); // 68 rows
    // more factor rows than the table holds: 4 x 17 = 68
    v.push_back(mk_big("backbone > TABLE_ENTRIES rows", {1, 1, 131072, 131072, 131072, 131072, 1}, {1, 1, 131072, 131072, 4, 131072, 1}));
    // malformed tables
    const Case base = mk("base", "R=3,S=3,P=14,Q=14,C=32,K=64", "C=24,K=40");
    const std::vector<uint8_t> good = npu::encode_schedule(base.s);
    auto raw = [&](const std::string& label, std::function<void(std::vector<uint8_t>&)> f) {
        Case c = base;
        c.label = label;
        c.raw = good;
        f(c.raw);
        v.push_back(c);
    };
    raw("bad magic", [](std::vector<uint8_t>& t) { t[0] ^= 1; });
    raw("levels 0", [](std::vector<uint8_t>& t) { t[4] = 0; t[5] = 0; });
    raw("levels 17", [](std::vector<uint8_t>& t) { t[4] = 17; });
    raw("levels 3", [](std::vector<uint8_t>& t) { t[4] = 3; });
    raw("levels 5 (reads past orders)", [](std::vector<uint8_t>& t) { t[4] = 5; });
    raw("truncated", [](std::vector<uint8_t>& t) { t[6] = 0x00; t[7] = 0x02; });
    raw("496 rows promised", [](std::vector<uint8_t>& t) { t[6] = 0xF0; t[7] = 0x01; });
    raw("factor dim 7", [](std::vector<uint8_t>& t) { t[8 + 8 * 2] = 7; });
    raw("factor level 4", [](std::vector<uint8_t>& t) { t[8 + 8 * 1 + 1] = 4; });
    raw("factor spatial 2", [](std::vector<uint8_t>& t) { t[8 + 8 * 3 + 2] = 2; });
    raw("factor value 1", [](std::vector<uint8_t>& t) { t[8 + 8 * 0 + 4] = 1; });
    raw("factor value huge", [](std::vector<uint8_t>& t) { t[8 + 8 * 0 + 7] = 0x80; });
    raw("order not a permutation", [](std::vector<uint8_t>& t) {
        const size_t nf = t[6] | (t[7] << 8);
        t[8 + 8 * nf + 9] = t[8 + 8 * nf + 10];
    });
    raw("order dim 9", [](std::vector<uint8_t>& t) {
        const size_t nf = t[6] | (t[7] << 8);
        t[8 + 8 * nf + 27] = 9;
    });
    raw("byte 3 of a row and padding set (ignored)", [](std::vector<uint8_t>& t) {
        t[8 + 3] = 0xAB;
        t.push_back(0xCD);
        t.push_back(0xEF);
        t.push_back(0x01);
        t.push_back(0x02);
    });
    // factors that do not match DIM_BB, dims out of range, operator / constraint fields
    {
        Case c = base;
        c.label = "shape: DIM_BB C wrong";
        c.bb[C] = 48;
        c.dyn[C] = 24;
        v.push_back(c);
        c = base;
        c.label = "dynamic K grown";
        c.dyn[K] = 65;
        v.push_back(c);
        c = base;
        c.label = "dynamic P zero";
        c.dyn[P] = 0;
        v.push_back(c);
        c = base;
        c.label = "stride 0";
        c.bb.stride = 0;
        v.push_back(c);
        c = base;
        c.label = "dilation 65";
        c.bb.dilation = 65;
        v.push_back(c);
        c = base;
        c.label = "groups 0";
        c.bb.groups = 0;
        v.push_back(c);
        c = base;
        c.label = "stride 2 dilation 3";
        c.bb.stride = 2;
        c.bb.dilation = 3;
        v.push_back(c);
        c = base;
        c.label = "input elem bytes 9";
        c.hw.elem_bytes[1] = 9;
        v.push_back(c);
        c = base;
        c.label = "output elem bytes 0";
        c.hw.elem_bytes[2] = 0;
        v.push_back(c);
        c = base;
        c.label = "fan-out 0 at level 2";
        c.hw.levels[2].fanout = 0;
        v.push_back(c);
    }
    // a schedule for another number of levels than the constraint table has rows
    for (int levels : {3, 5, 1}) {
        Case c = base;
        c.label = "schedule with " + std::to_string(levels) + " levels";
        c.s = all_outermost(c.bb, levels);
        v.push_back(c);
    }
    // unsorted and composite factor rows (decode accepts them; refactor_dim's find_if semantics)
    {
        Case c = mk("unsorted rows", "R=3,S=3,P=28,Q=28,C=64,K=96,N=2", "C=40,K=33,P=20");
        std::mt19937_64 r(5);
        std::shuffle(c.s.factors.begin(), c.s.factors.end(), r);
        v.push_back(c);
        Case d = mk("composite rows", "R=3,S=3,P=28,Q=28,C=64,K=96,N=2", "C=40,K=33");
        d.s.factors.clear();
        d.s.factors.push_back({R, 3, 1, false});
        d.s.factors.push_back({S, 3, 2, false});
        d.s.factors.push_back({P, 28, 3, false});
        d.s.factors.push_back({Q, 4, 2, true});
        d.s.factors.push_back({Q, 7, 3, false});
        d.s.factors.push_back({C, 64, 2, false});
        d.s.factors.push_back({K, 96, 3, false});
        d.s.factors.push_back({N, 2, 1, false});
        v.push_back(d);
    }
    // padding paths: MAX_PRIME 5 with a 7 in the backbone (pads past it: runs tau as is), a huge MAX_PRIME with a large prime
    {
        Case c = mk("MAX_PRIME 5, pad past backbone", "R=1,S=1,P=56,Q=7,C=98,K=64", "P=55,Q=6,C=97");
        c.hw.max_prime = 5;
        v.push_back(c);
        Case d = mk_big("large prime dim", {1, 1, 1048576, 1, 4, 4, 1}, {1, 1, 1048573, 1, 4, 3, 1});
        d.hw.max_prime = 0x7FFFFFFF;
        v.push_back(d);
        Case d2 = mk_big("large prime dim, pads back", {1, 1, 1048576, 1, 4, 4, 1}, {1, 1, 1048573, 1, 4, 3, 1});
        v.push_back(d2);
        Case e = mk("dims to 1", "R=3,S=3,P=28,Q=28,C=64,K=96,N=4", "R=1,S=1,P=1,C=1,N=1");
        v.push_back(e);
    }
    // GO and table writes while busy are ignored; a table read while busy sees the old table
    {
        Case c = mk("GO / table write / table read while busy", "R=3,S=3,P=28,Q=28,C=64,K=128", "C=40,K=100");
        c.while_busy = [](Dut& dut, Shadow& sh) {
            const uint32_t want = sh.read(tv::kTablePage + 8);
            const uint32_t got = dut.read32(tv::kTablePage + 8);
            if (got != want) std::printf("  table read while busy: rtl 0x%x, old table 0x%x\n", got, want);
            dut.write32(tv::kTablePage + 8, 0xDEADBEEF);
            sh.write(tv::kTablePage + 8, 0xDEADBEEF); // ignored: busy
            dut.write32(tv::CMD.offset, tv::cmd::kGo);  // ignored: busy
        };
        v.push_back(c);
    }
    return v;
}

} // namespace

int main(int argc, char** argv) {
    Verilated::commandArgs(argc, argv);
    uint64_t ncases = 1000, seed = 2024;
    bool verbose = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--cases" && i + 1 < argc) ncases = std::stoull(argv[++i]);
        else if (a == "--seed" && i + 1 < argc) seed = std::stoull(argv[++i]);
        else if (a == "--verbose") verbose = true;
    }
    const Hardware hw = hardware_from_platform(load_platform("dna-16c"));
    Bench b(hw);
    b.verbose = verbose;

    // reset values against the TLM model's (transverter_regs.h + the platform)
    std::string reset_diff = b.compare_all();
    if (!reset_diff.empty()) {
        std::printf("MISMATCH in reset values\n%s", reset_diff.c_str());
        return 1;
    }
    if (!b.init()) {
        std::printf("ID register does not read TRV0\n");
        return 1;
    }

    const std::vector<ZooBackbone> zoo = zoo_backbones(hw);
    std::printf("harness: %zu zoo backbones (vgg16, resnet50) with offline schedules\n", zoo.size());

    const std::vector<Case> hand = hand_cases(hw, zoo);
    for (const Case& c : hand)
        if (!b.run(c)) return 1;
    const uint64_t hand_n = b.t.cases;
    std::printf("hand cases: %" PRIu64 ", mismatches 0\n", hand_n);

    std::mt19937_64 rng(seed);
    for (uint64_t i = 0; i < ncases; ++i) {
        const Hardware h = hw_variant(rng, hw);
        Case c = (rng() % 3 == 0 && !zoo.empty()) ? zoo_case(rng, zoo, h) : random_case(rng, h);
        if (rng() % 4 == 0) { // other strides and dilations
            c.bb.stride = c.dyn.stride = 1 + uint32_t(rng() % 3);
            c.bb.dilation = c.dyn.dilation = 1 + uint32_t(rng() % 2);
        }
        if (rng() % 6 == 0) mutate(c, rng);
        if (rng() % 2) {
            c.opt.maxbuff = (rng() % 2) ? DimOrder::Nest : DimOrder::Table;
            c.opt.maxcomp = (rng() % 2) ? DimOrder::Backbone : DimOrder::Table;
        }
        if (!b.run(c)) {
            std::printf("random case %" PRIu64 " (seed %" PRIu64 ") failed\n", i, seed);
            return 1;
        }
    }
    const Totals& t = b.t;
    std::printf("errors exercised:");
    for (const auto& [code, n] : t.errs) std::printf(" %u(%s) x%" PRIu64, code, tv::err_name(code), n);
    std::printf("\n");
    std::printf("RESULT: %" PRIu64 " cases (%" PRIu64 " hand + %" PRIu64 " random; %" PRIu64 " done, %" PRIu64 " error), %" PRIu64
                " mismatches; mean cycles RTL %.1f vs model unit_cycles %.1f (successful runs: %.1f vs %.1f; RTL max %" PRIu64 ")\n",
                t.cases, hand_n, t.cases - hand_n, t.ok_runs, t.err_runs, t.mismatches, double(t.rtl_cycles) / double(t.cases),
                double(t.model_cycles) / double(t.cases), t.ok_runs ? double(t.rtl_cycles_ok) / double(t.ok_runs) : 0.0,
                t.ok_runs ? double(t.model_cycles_ok) / double(t.ok_runs) : 0.0, t.max_rtl);
    return t.mismatches ? 1 : 0;
}
