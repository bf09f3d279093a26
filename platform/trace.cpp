#include "trace.h"

namespace dynavp {

int Trace::track_id(const std::string& track) {
    auto it = tracks_.find(track);
    if (it != tracks_.end()) return it->second;
    const int id = int(tracks_.size()) + 1;
    tracks_.emplace(track, id);
    return id;
}

void Trace::span(const std::string& track, const std::string& name, uint64_t b, uint64_t e, nlohmann::json args) {
    if (!enabled_) return;
    nlohmann::json ev = {{"name", name}, {"ph", "X"}, {"pid", 1}, {"tid", track_id(track)},
                         {"ts", double(b) / 1e6}, {"dur", double(e > b ? e - b : 0) / 1e6}};
    if (!args.is_null()) ev["args"] = std::move(args);
    events_.push_back(std::move(ev));
}

void Trace::instant(const std::string& track, const std::string& name, uint64_t at, nlohmann::json args) {
    if (!enabled_) return;
    nlohmann::json ev = {{"name", name}, {"ph", "i"}, {"s", "t"}, {"pid", 1}, {"tid", track_id(track)}, {"ts", double(at) / 1e6}};
    if (!args.is_null()) ev["args"] = std::move(args);
    events_.push_back(std::move(ev));
}

nlohmann::json Trace::to_json() const {
    nlohmann::json all = nlohmann::json::array();
    all.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"args", {{"name", "dynavp board"}}}});
    for (const auto& [name, id] : tracks_)
        all.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", id}, {"args", {{"name", name}}}});
    for (const auto& e : events_) all.push_back(e);
    return {{"traceEvents", all}, {"displayTimeUnit", "ns"}};
}

Trace& board_trace() {
    static Trace t;
    return t;
}

} // namespace dynavp
