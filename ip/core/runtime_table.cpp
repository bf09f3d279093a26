#include "runtime_table.h"

namespace dynavp::core {

uint32_t encode(const RuntimeEntry& e) { return (e.address & 0xFFFFu) << 16 | (uint32_t(e.policy) & 0xFu) << 12 | (e.result & 0xFFFu); }

RuntimeEntry decode(uint32_t w) { return RuntimeEntry{w >> 16, AgentPolicy((w >> 12) & 0xFu), w & 0xFFFu}; }

bool RuntimeTable::record(const RuntimeEntry& e) {
    if (entries_.size() >= capacity_ || e.address > 0xFFFFu || e.result > 0xFFFu) {
        ++overflows_;
        return false;
    }
    entries_.push_back(e);
    return true;
}

std::vector<bool> RuntimeTable::access_trace(AgentPolicy policy, uint32_t tiles) const {
    std::vector<bool> t(tiles, false);
    for (const auto& e : entries_)
        if (e.policy == policy && e.address < tiles && e.result != 0) t[e.address] = true;
    return t;
}

} // namespace dynavp::core
