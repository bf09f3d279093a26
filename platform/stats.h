// Run statistics: flat dotted names ("dram.row_hits") in, nested JSON out.
// Ordered maps keep the output byte-identical from run to run (except the
// wall-clock `host_seconds` the run command adds).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

namespace dynavp {

class Stats {
public:
    using Value = std::variant<uint64_t, int64_t, double, std::string, bool>;
    void set(const std::string& name, Value v) { values_[name] = std::move(v); }
    void add(const std::string& name, uint64_t v);
    bool has(const std::string& name) const { return values_.count(name) != 0; }
    const Value& get(const std::string& name) const { return values_.at(name); }
    uint64_t u64(const std::string& name) const;
    double number(const std::string& name) const; // any numeric kind
    const std::map<std::string, Value>& all() const { return values_; }

    nlohmann::json to_json() const; // "a.b" -> {"a": {"b": ...}}

private:
    std::map<std::string, Value> values_;
};

} // namespace dynavp
