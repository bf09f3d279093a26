// `dynavp run --rtl <blocks>`: swaps RTL blocks in for the TLM models' logic
// on a board before the simulation starts.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace dynavp {
class Board;
class Stats;
}

namespace dynavp::rtl {

class RtlOnBoard {
public:
    virtual ~RtlOnBoard() = default;
    virtual void report(Stats& s) const = 0;
};

// Throws ConfigError for an unknown block, one not in this build, or a board
// whose parameters differ from the RTL build's.
std::unique_ptr<RtlOnBoard> attach_rtl(Board& board, const std::vector<std::string>& blocks, const std::string& vcd);

} // namespace dynavp::rtl
