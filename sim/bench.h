// `dynavp bench dram`: achieved vs peak DRAM bandwidth for sequential and
// random traffic through the TLM DRAM model, and simulation speed.
#pragma once

#include <cstdint>
#include <string>

namespace dynavp {

struct BenchOptions {
    std::string platform = "dna-16c";
    uint64_t transactions = 200000; // per pattern
    uint32_t bytes = 64;            // per transaction
    uint32_t outstanding = 16;      // requests in flight
    uint64_t seed = 1;
    std::string json_out;
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
