// Timeline trace in Chrome trace-event JSON (opens in Perfetto /
// chrome://tracing): one track per module, complete ("X") events for work
// spans and instant ("i") events for things like bus errors.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dynavp {

class Trace {
public:
    void enable(bool on) { enabled_ = on; }
    bool enabled() const { return enabled_; }
    // Times in picoseconds of simulated time.
    void span(const std::string& track, const std::string& name, uint64_t begin_ps, uint64_t end_ps, nlohmann::json args = {});
    void instant(const std::string& track, const std::string& name, uint64_t at_ps, nlohmann::json args = {});
    size_t events() const { return events_.size(); }
    nlohmann::json to_json() const;

private:
    int track_id(const std::string& track);
    bool enabled_ = false;
    std::map<std::string, int> tracks_;
    std::vector<nlohmann::json> events_;
};

// The board's trace; disabled (and free) unless `dynavp run --trace` asks for it.
Trace& board_trace();

} // namespace dynavp
