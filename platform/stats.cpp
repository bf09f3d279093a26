#include "stats.h"

#include <stdexcept>

namespace dynavp {

void Stats::add(const std::string& name, uint64_t v) {
    auto it = values_.find(name);
    if (it == values_.end()) values_[name] = v;
    else it->second = std::get<uint64_t>(it->second) + v;
}

uint64_t Stats::u64(const std::string& name) const { return std::get<uint64_t>(values_.at(name)); }

double Stats::number(const std::string& name) const {
    const Value& v = values_.at(name);
    if (auto p = std::get_if<uint64_t>(&v)) return double(*p);
    if (auto p = std::get_if<int64_t>(&v)) return double(*p);
    if (auto p = std::get_if<double>(&v)) return *p;
    throw std::invalid_argument("stat " + name + " is not a number");
}

nlohmann::json Stats::to_json() const {
    nlohmann::json root = nlohmann::json::object();
    for (const auto& [name, value] : values_) {
        nlohmann::json* node = &root;
        size_t start = 0;
        for (size_t dot; (dot = name.find('.', start)) != std::string::npos; start = dot + 1) node = &(*node)[name.substr(start, dot - start)];
        nlohmann::json& leaf = (*node)[name.substr(start)];
        std::visit([&](const auto& x) { leaf = x; }, value);
    }
    return root;
}

} // namespace dynavp
