// `dynavp schedule`, `dynavp reproduce dna-fig16`, `dynavp bench transverter`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ip/scheduling/mappers.h"

namespace dynavp {

struct PlatformConfig;
// eta of the platform's NPU; ConfigError (file, /npu, reason) when it has none.
sched::Hardware npu_hardware(const PlatformConfig& cfg);
// Mapper options from the CLI's search and transverter flags (ConfigError on a bad order name).
sched::MapperOptions mapper_options(uint64_t seed, uint32_t samples, uint32_t steps, const std::string& maxbuff_order,
                                    const std::string& maxcomp_order);

struct ScheduleOptions {
    std::string platform = "dna-16c";
    std::string op;        // backbone, "R=3,S=3,P=28,Q=28,C=256,K=256"
    std::string dynamic;   // changes, "C=96,K=160"
    bool json = false;
    bool verbose = false;  // loop nests of every mapper (default: static and transverter)
    uint64_t seed = 1;
    uint32_t samples = 400, steps = 1500, kernels = 32;
    std::string maxbuff_order = "table", maxcomp_order = "table";
};
int schedule_command(const ScheduleOptions& o);

struct ReproduceOptions {
    std::string experiment;
    std::string platform;  // empty: the experiment's board (dna-16c, dypipe-diannao)
    std::string csv;       // default ./<experiment>.csv
    uint64_t seed = 1;
    uint32_t samples = 0;  // 0: the experiment's default (dna-fig16: 6 dynamic operators per layer; dypipe-fig10/11: 16 sequences)
    uint32_t search_samples = 300, search_steps = 1000, kernels = 32;
    std::string maxbuff_order = "table", maxcomp_order = "table";
    std::vector<std::string> models; // dna-fig12/15/17: a subset of the evaluation models (empty: all)
    uint32_t jobs = 2;               // dna-fig12/15/17: runs in parallel (one process each)
};
int reproduce_command(const ReproduceOptions& o);
int reproduce_dna(const ReproduceOptions& o); // dna-fig12, dna-fig15, dna-fig17 (runs on the board)
int reproduce_dypipe(const ReproduceOptions& o); // dypipe-fig8 .. dypipe-fig11

struct TransverterBenchOptions {
    std::string platform = "dna-16c";
    uint32_t pairs = 10000;
    uint64_t seed = 1;
    uint32_t search_samples = 150, search_steps = 400;
    std::string maxbuff_order = "table", maxcomp_order = "table";
    std::string json_out;
};
int bench_transverter_command(const TransverterBenchOptions& o);

} // namespace dynavp
