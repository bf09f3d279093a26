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

} // namespace dynavp
