// A core's runtime table (DNA sec. IV-A): one entry per agent decision --
// the agent-controlled address (channel ID, expert ID, region, ...), the
// policy that decided it and the result. The runtime monitor forwards the
// entries to the transverter (modified dims) and the predictor (the access
// trace). Pure C++; the MMIO view comes with the core sc_module.
#pragma once

#include <cstdint>
#include <vector>

namespace dynavp::core {

enum class AgentPolicy : uint8_t { Gating = 1, Routing = 2, EarlyExit = 3, Region = 4, Mixing = 5 };

struct RuntimeEntry {
    uint32_t address; // agent-controlled address: channel ID, expert ID, ... (16 bits in hardware)
    AgentPolicy policy;
    uint32_t result;  // e.g. gating: 1 = channel kept; routing: 1 = expert selected (12 bits in hardware)
};

// The 32-bit word a register read returns: [31:16] address, [15:12] policy, [11:0] result.
uint32_t encode(const RuntimeEntry& e);
RuntimeEntry decode(uint32_t word);

class RuntimeTable {
public:
    explicit RuntimeTable(uint32_t capacity) : capacity_(capacity) {}
    // False (and counted as an overflow) when the table is full or a field
    // does not fit its hardware width.
    bool record(const RuntimeEntry& e);
    void clear() { entries_.clear(); }
    const std::vector<RuntimeEntry>& entries() const { return entries_; }
    uint32_t capacity() const { return capacity_; }
    uint64_t overflows() const { return overflows_; }
    // The access trace of one policy over `tiles` tile IDs (address = tile):
    // bit t set when some entry for t has a non-zero result (DNA sec. VI-A).
    std::vector<bool> access_trace(AgentPolicy policy, uint32_t tiles) const;

private:
    uint32_t capacity_;
    std::vector<RuntimeEntry> entries_;
    uint64_t overflows_ = 0;
};

// What the runtime monitor makes of several cores' tables (DNA Fig. 8c):
// per tile (agent-controlled address base .. base + tiles - 1, one policy)
// how many entries had a non-zero result -- a routed expert's token count, a
// kept channel -- and the access trace (count > 0) the predictor learns from.
struct AgentOutcome {
    std::vector<uint32_t> counts;
    std::vector<bool> trace;
    uint64_t entries_scanned = 0;
};
AgentOutcome aggregate(const std::vector<const RuntimeTable*>& tables, AgentPolicy policy, uint32_t base, uint32_t tiles);

} // namespace dynavp::core
