// `dynavp run`: build the board, run a firmware image, report.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dynavp {

struct RunOptions {
    std::string platform = "dna-16c";
    std::string firmware = "selftest";
    std::string json_out;      // empty: no file
    std::string trace_out;     // Perfetto / chrome://tracing JSON; empty: no trace
    uint64_t seed = 1;
    double max_sim_ms = 10000; // guard against firmware that never ends
    bool quiet = false;        // no summary on stdout
    bool timing_only = false;  // NPU: skip the arithmetic, keep timing and traffic
    // Dynamic-NN firmware only (fw::FirmwareInfo::takes_design): a named
    // design, then per-policy overrides; empty = the default ("dna").
    std::string design, sched, prefetch;
    uint32_t samples = 0;      // 0: the firmware's default
    std::string pipeline;      // DyPipe firmware only: none | static | dynamic | all (empty: dynamic)
    // The firmware runtime (fw::FirmwareInfo::takes_workload): a zoo model, and
    // where its agents' decisions come from: "functional" (the board's agents
    // on real activations), "generate" (the seeded generator, the model's
    // "trace" parameters), or a JSON Lines trace file. Empty: functional when
    // the model supports it and the run is not --timing-only, else generate.
    std::string workload, decisions;
    std::string save_decisions; // write the decisions used (generate / file) as a trace file
    std::string rtl;            // comma-separated RTL blocks to swap in (`--rtl predictor`); needs a DYNAVP_RTL build
    std::string vcd;            // waveforms of the RTL blocks
};

class Board;
class Stats;
// Set by a binary built with the RTL blocks (sim/main.cpp, DYNAVP_HAVE_RTL):
// swaps `blocks` in on the board before the simulation starts; the returned
// function adds the blocks' stats (and keeps them alive).
using RtlAttachFn = std::function<std::function<void(Stats&)>(Board&, const std::vector<std::string>& blocks, const std::string& vcd)>;
void set_rtl_attach(RtlAttachFn f);

// "a,b,,c" -> {"a", "b", "c"} (empty items dropped): the CLI's list options.
std::vector<std::string> split_list(const std::string& s);

// Returns the process exit code: 0 when the firmware passed.
// Throws ConfigError for bad platform input (caller prints it).
int run_command(const RunOptions& o);

// Pretty, short, human table of the key stats.
std::string summary_table(const nlohmann::json& stats);

} // namespace dynavp
