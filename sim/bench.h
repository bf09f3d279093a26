// `dynavp bench dram`: DRAMSim3-style patterns or a DRAMSim3 trace through the
// DRAM controller model: bandwidth, latency percentiles, row hits, energy and
// requests simulated per host second.
#pragma once

#include <cstdint>
#include <string>

namespace dynavp {

struct BenchOptions {
    std::string platform = "dna-16c";
    std::string preset;             // replaces the platform DRAM's preset
    std::string mapping;            // replaces its address mapping
    std::string patterns = "stream,random,mixed:2";
    std::string trace;              // a DRAMSim3 trace instead of patterns
    bool as_fast_as_possible = false;
    std::string mode = "queue";     // queue (DRAMSim3's semantics) | call (the board's)
    uint64_t requests = 200000;     // per pattern
    int64_t outstanding = -1;       // reads in flight (0: only the queues limit them; -1: 32 for patterns, 0 for a trace)
    uint64_t seed = 1;
    std::string trace_out;          // write the generated pattern as a DRAMSim3 trace
    std::string json_out;
    bool quiet = false;
};

int bench_dram_command(const BenchOptions& o);

// `dynavp bench npu`: the NPU engine on a VGG16 conv layer and a BERT-base
// FFN matmul (functional and timing-only), and a full VGG16 inference
// timing-only: simulated cycles next to the cost model's, PE utilisation,
// host seconds and simulated cycles per host second.
struct NpuBenchOptions {
    std::string platform = "dna-16c";
    std::string only;   // one case by name; empty = all
    bool verbose = false; // per-layer rows
    uint64_t seed = 1;
    std::string json_out;
};
int bench_npu_command(const NpuBenchOptions& o);

} // namespace dynavp
