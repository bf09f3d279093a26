#include "pipeline.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <set>
#include <stdexcept>

namespace dynavp::dypipe {

namespace {
constexpr uint64_t kNever = ~uint64_t(0);
uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
} // namespace

const char* to_string(Module m) {
    switch (m) {
    case Module::Load: return "load";
    case Module::Compute: return "compute";
    case Module::Store: return "store";
    }
    return "?";
}

const char* to_string(PipelineMode m) {
    switch (m) {
    case PipelineMode::None: return "none";
    case PipelineMode::Static: return "static";
    case PipelineMode::Dynamic: return "dynamic";
    }
    return "?";
}

PipelineMode parse_pipeline_mode(const std::string& s) {
    if (s == "none") return PipelineMode::None;
    if (s == "static") return PipelineMode::Static;
    if (s == "dynamic") return PipelineMode::Dynamic;
    throw std::invalid_argument("unknown pipeline \"" + s + "\" (known: none, static, dynamic)");
}

uint64_t compute_cycles(const ModuleFunction& f, const DyPipeHardware& hw) {
    return ceil_div(f.macs, hw.macs_per_cycle()) + ceil_div(f.vector_ops, hw.vector_lanes) + hw.compute_overhead_cycles;
}

uint64_t transfer_cycles(const ModuleFunction& f, const DyPipeHardware& hw) {
    return uint64_t(double(f.bytes) / hw.dram_bytes_per_cycle + 0.999999);
}

PipelineResult run_pipeline(const Program& p, PipelineMode mode, const DyPipeHardware& hw, const ExecuteHook& execute) {
    const size_t n = p.functions.size();
    PipelineResult r;
    r.mode = mode;
    r.timing.assign(n, {});
    for (size_t i = 0; i < n; ++i)
        for (uint32_t d : p.functions[i].deps)
            if (d >= i) throw std::invalid_argument(p.name + ": function " + std::to_string(i) + " depends on a later one");
    std::vector<uint32_t> op_of(n);
    for (uint32_t o = 0; o < p.ops.size(); ++o)
        for (uint32_t i = p.ops[o].first; i < p.ops[o].first + p.ops[o].count; ++i) op_of.at(i) = o;

    const bool dynamic = mode == PipelineMode::Dynamic;
    const uint64_t restore = dynamic ? hw.restore_cycles() : 0;
    uint64_t channel_free = 0;
    // Occupies the module from `start`: (restore), the work, the channel for transfers.
    auto occupy = [&](size_t i, uint64_t start) {
        const ModuleFunction& f = p.functions[i];
        uint64_t end;
        const uint64_t begin = start + restore;
        if (f.module == Module::Compute) {
            const uint64_t w = compute_cycles(f, hw);
            end = execute ? std::max(begin, execute(uint32_t(i), begin, begin + w)) : begin + w;
            r.work_cycles += end - begin;
        } else if (execute) {
            end = std::max(begin, execute(uint32_t(i), begin, begin + transfer_cycles(f, hw) + hw.dram_latency_cycles));
            r.work_cycles += end - begin;
            r.dram_bytes += f.bytes;
        } else {
            const uint64_t x = transfer_cycles(f, hw), begin = std::max(start + restore, channel_free);
            channel_free = begin + x;
            end = channel_free + hw.dram_latency_cycles;
            r.work_cycles += x + hw.dram_latency_cycles;
            r.dram_bytes += f.bytes;
        }
        r.restore_cycles += restore;
        r.timing[i].start = start;
        r.timing[i].end = end;
        r.busy[size_t(f.module)] += end - start;
        return end;
    };

    if (mode == PipelineMode::None) { // NonePipe: strictly one after another
        uint64_t t = 0;
        for (size_t i = 0; i < n; ++i) {
            r.timing[i].ready = t;
            t = occupy(i, t);
        }
        r.cycles = t;
        return r;
    }

    // Event-driven list scheduling. A function becomes a candidate of its
    // module once all its dependencies are scheduled (their end times known).
    std::vector<bool> scheduled(n, false);
    std::vector<uint64_t> saved(n, dynamic ? kNever : 0); // when the context is in the CB
    std::vector<uint32_t> missing(n, 0);
    std::vector<std::vector<uint32_t>> dependents(n);
    std::array<std::set<uint32_t>, kModules> candidates;
    for (uint32_t i = 0; i < n; ++i) {
        missing[i] = uint32_t(p.functions[i].deps.size());
        for (uint32_t d : p.functions[i].deps) dependents[d].push_back(i);
        if (!missing[i]) candidates[size_t(p.functions[i].module)].insert(i);
    }
    std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<uint64_t>> events, ends;
    std::array<uint64_t, kModules> module_free{};
    size_t next_save = 0, done = 0, finished = 0;
    uint64_t ctrl_free = 0, t = 0, full_since = kNever;
    const uint64_t cb_records = std::max<uint64_t>(1, hw.context_buffer_bytes / hw.record_bytes());

    // Static pipelines drain before an operation that follows a control decision:
    // it waits for every earlier function (known once all of them are scheduled).
    std::vector<uint64_t> barrier(p.ops.size(), kNever);
    size_t prefix_scheduled = 0; // functions 0 .. prefix_scheduled-1 are all scheduled
    uint64_t prefix_end = 0;
    auto op_barrier = [&](uint32_t o) -> uint64_t {
        if (dynamic || p.ops[o].decided_by < 0) return 0;
        if (barrier[o] != kNever) return barrier[o];
        while (prefix_scheduled < p.ops[o].first && scheduled[prefix_scheduled])
            prefix_end = std::max(prefix_end, r.timing[prefix_scheduled++].end);
        if (prefix_scheduled < p.ops[o].first) return kNever;
        return barrier[o] = prefix_end;
    };
    auto ready_at = [&](uint32_t i) {
        uint64_t ready = saved[i];
        for (uint32_t d : p.functions[i].deps) ready = std::max(ready, r.timing[d].end);
        if (ready == kNever) return kNever;
        return std::max(ready, op_barrier(op_of[i]));
    };

    while (done < n) {
        while (!ends.empty() && ends.top() <= t) { // functions finished by now: their CB records are free
            ends.pop();
            ++finished;
        }
        bool acted = false;
        // Dispatch: a free module takes its earliest ready function.
        for (int m = 0; m < kModules && !(dynamic && ctrl_free > t && hw.charge_cf_ctx); ++m) {
            if (module_free[size_t(m)] > t) continue;
            for (uint32_t i : candidates[size_t(m)]) {
                const uint64_t ready = ready_at(i);
                if (ready > t) continue;
                uint64_t start = t;
                if (dynamic) { // the controller dispatches one at a time
                    ctrl_free = t + hw.dispatch_cost();
                    r.dispatch_cycles += hw.dispatch_cost();
                    start = ctrl_free;
                    events.push(ctrl_free);
                }
                r.timing[i].ready = ready;
                module_free[size_t(m)] = occupy(i, start);
                events.push(module_free[size_t(m)]);
                ends.push(module_free[size_t(m)]);
                scheduled[i] = true;
                ++done;
                candidates[size_t(m)].erase(i);
                for (uint32_t k : dependents[i])
                    if (--missing[k] == 0) candidates[size_t(p.functions[k].module)].insert(k);
                acted = true;
                break;
            }
        }
        // Dynamic: an idle controller unfolds the graph, saving the next function's context.
        if (dynamic && ctrl_free <= t && next_save < n) {
            const int64_t by = p.ops[op_of[next_save]].decided_by;
            const bool decided = by < 0 || (scheduled[size_t(by)] && r.timing[size_t(by)].end <= t);
            const uint64_t in_cb = next_save - finished;
            const bool room = in_cb < cb_records;
            if (!room && full_since == kNever) full_since = t;
            if (room && full_since != kNever) {
                r.cb_full_cycles += t - full_since;
                full_since = kNever;
            }
            if (decided && room) {
                ctrl_free = t + hw.save_cycles();
                r.save_cycles += hw.save_cycles();
                saved[next_save++] = ctrl_free;
                r.cb_peak_records = std::max<uint64_t>(r.cb_peak_records, in_cb + 1);
                events.push(ctrl_free);
                acted = true;
            }
        }
        if (acted) continue; // more may start at the same time
        while (!events.empty() && events.top() <= t) events.pop();
        if (events.empty()) throw std::logic_error(p.name + ": the pipeline cannot make progress (a dependency cycle?)");
        t = events.top();
    }
    for (const auto& tm : r.timing) r.cycles = std::max(r.cycles, tm.end);
    return r;
}

} // namespace dynavp::dypipe
