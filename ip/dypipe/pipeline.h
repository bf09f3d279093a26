// The runtime scheduler of DyPipe (sec. 3.4) and the two pipelines it is
// compared with (sec. 4.1), as one discrete-event list scheduler. Pure C++:
// the accelerator sc_module and the experiments both run it.
//   none     NonePipe: one module function at a time, in program order.
//   static   compile-time software pipelining: functions overlap across the
//            Load / Compute / Store modules as dependencies allow, no run-time
//            overhead; the graph must be known at compile time (variable
//            lengths padded by the lowering), and it drains at every control
//            decision on computed data.
//   dynamic  DyPipe: the controller saves each function's context and PC
//            into the context buffer as the graph unfolds (capacity-limited)
//            and dispatches ready functions to free modules; each function
//            first restores its context. Those costs are the "CF & CTX" of Fig. 11.
// All modes share one DRAM channel (Load and Store transfers queue on it).
#pragma once

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "dypipe_hw.h"
#include "module_function.h"

namespace dynavp::dypipe {

enum class PipelineMode { None, Static, Dynamic };
const char* to_string(PipelineMode m);
PipelineMode parse_pipeline_mode(const std::string& s); // throws std::invalid_argument naming the known modes

struct FunctionTiming {
    uint64_t ready = 0; // dependencies met (and, dynamic, its context saved)
    uint64_t start = 0; // the module took it
    uint64_t end = 0;   // its module is free again
};

struct PipelineResult {
    PipelineMode mode = PipelineMode::Dynamic;
    uint64_t cycles = 0;
    std::array<uint64_t, kModules> busy{}; // per module, cycles occupied
    uint64_t work_cycles = 0;              // sum over functions of compute / transfer time (COM & IO)
    uint64_t save_cycles = 0, restore_cycles = 0, dispatch_cycles = 0; // CF & CTX work (dynamic)
    uint64_t cb_peak_records = 0, cb_full_cycles = 0;                  // context-buffer use (dynamic)
    uint64_t dram_bytes = 0;
    std::vector<FunctionTiming> timing; // per function
};

// Duration of a function's own work (no restore): transfers include the DRAM
// latency; the channel is shared, so `run_pipeline` may start a transfer later.
uint64_t compute_cycles(const ModuleFunction& f, const DyPipeHardware& hw);
uint64_t transfer_cycles(const ModuleFunction& f, const DyPipeHardware& hw);

// Who performs the functions: called as the scheduler starts function i at
// cycle `start` (after its context restore), in non-decreasing start order,
// with the end the model expects (compute: its cycles; IO: transfer + latency,
// without the shared-channel queueing); returns the cycle it really ends. The
// board's accelerator moves the bytes over its bus (the bus's timing) and
// computes. Without a hook: the model, IO on one shared channel of
// hw.dram_bytes_per_cycle plus hw.dram_latency_cycles.
using ExecuteHook = std::function<uint64_t(uint32_t function, uint64_t start, uint64_t modelled_end)>;

PipelineResult run_pipeline(const Program& p, PipelineMode mode, const DyPipeHardware& hw, const ExecuteHook& execute = {});

} // namespace dynavp::dypipe
