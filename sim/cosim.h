// `dynavp cosim <block>` (built when DYNAVP_RTL is ON): golden model, TLM IP
// and verilated RTL driven with the same stimulus, compared step by step.
#pragma once

#include <cstdint>
#include <string>

namespace dynavp {

struct CosimOptions {
    std::string block;            // predictor
    std::string platform = "dna-16c";
    uint32_t cases = 1000;        // operations (predictor: updates)
    uint64_t seed = 1;
    std::string replay;           // replay the operations of a failing-case file
    std::string replay_out;       // where a mismatch's replay file goes (default ./cosim-<block>-replay.json)
    std::string vcd;              // waveforms of the RTL block
    bool faulty_rtl = false;      // the test-only RTL build with a corrupted parameter
    bool quiet = false;
};
int cosim_command(const CosimOptions& o);

} // namespace dynavp
