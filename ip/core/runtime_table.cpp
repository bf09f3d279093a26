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

AgentOutcome aggregate(const std::vector<const RuntimeTable*>& tables, AgentPolicy policy, uint32_t base, uint32_t tiles) {
    AgentOutcome o;
    o.counts.assign(tiles, 0);
    for (const RuntimeTable* t : tables)
        for (const auto& e : t->entries()) {
            ++o.entries_scanned;
            if (e.policy == policy && e.address >= base && e.address - base < tiles && e.result != 0) ++o.counts[e.address - base];
        }
    o.trace.resize(tiles);
    for (uint32_t i = 0; i < tiles; ++i) o.trace[i] = o.counts[i] > 0;
    return o;
}

} // namespace dynavp::core
