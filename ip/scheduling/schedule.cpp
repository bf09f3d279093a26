#include "schedule.h"

#include <algorithm>
#include <sstream>

namespace dynavp::sched {

LoopOrder default_order() { return {N, K, C, P, Q, R, S}; }

uint64_t Schedule::dim_product(Dim j) const {
    uint64_t p = 1;
    for (const auto& f : factors)
        if (f.dim == j) p *= f.value;
    return p;
}

uint64_t Schedule::spatial_product(int level) const {
    uint64_t p = 1;
    for (const auto& f : factors)
        if (f.level == level && f.spatial) p *= f.value;
    return p;
}

uint64_t Schedule::temporal_bound(int level, Dim j) const {
    uint64_t p = 1;
    for (const auto& f : factors)
        if (f.level == level && !f.spatial && f.dim == j) p *= f.value;
    return p;
}

bool Schedule::operator==(const Schedule& o) const {
    if (factors.size() != o.factors.size() || order != o.order) return false;
    for (size_t i = 0; i < factors.size(); ++i) {
        const auto &a = factors[i], &b = o.factors[i];
        if (a.dim != b.dim || a.value != b.value || a.level != b.level || a.spatial != b.spatial) return false;
    }
    return true;
}

namespace {
std::string loop_var(Dim d, int level) {
    std::string s(1, char(std::tolower(dim_name(d)[0])));
    return s + std::to_string(level);
}
} // namespace

std::string Schedule::loop_nest(const Hardware& hw) const {
    std::ostringstream os;
    int indent = 0;
    for (int i = levels() - 1; i >= 0; --i) {
        const std::string lvl = i < int(hw.levels.size()) ? hw.levels[i].name : "L" + std::to_string(i);
        for (Dim d : order[i]) {
            const uint64_t b = temporal_bound(i, d);
            if (b > 1)
                os << std::string(size_t(indent) * 2, ' ') << "for " << loop_var(d, i) << " in 0.." << b << "  (" << lvl << ", temporal)\n", ++indent;
        }
        for (Dim d : kAllDims) {
            uint64_t b = 1;
            for (const auto& f : factors)
                if (f.level == i && f.spatial && f.dim == d) b *= f.value;
            if (b > 1)
                os << std::string(size_t(indent) * 2, ' ') << "spatial_for " << loop_var(d, i) << "s in 0.." << b << "  (" << lvl
                   << ", spatial)\n",
                    ++indent;
        }
    }
    os << std::string(size_t(indent) * 2, ' ') << "mac\n";
    return os.str();
}

nlohmann::json Schedule::to_json(const Hardware& hw) const {
    nlohmann::json j;
    j["levels"] = nlohmann::json::array();
    for (int i = 0; i < levels(); ++i) j["levels"].push_back(i < int(hw.levels.size()) ? hw.levels[i].name : "L" + std::to_string(i));
    j["factors"] = nlohmann::json::array();
    for (const auto& f : factors)
        j["factors"].push_back({{"dim", dim_name(f.dim)}, {"value", f.value}, {"level", f.level}, {"k", f.spatial ? 0 : 1}});
    j["order"] = nlohmann::json::array();
    for (const auto& o : order) {
        std::string s;
        for (Dim d : o) s += dim_name(d);
        j["order"].push_back(s);
    }
    // X[i][(j,n)][k] as the paper writes it.
    nlohmann::json X = nlohmann::json::array();
    for (int i = 0; i < levels(); ++i) {
        nlohmann::json row = nlohmann::json::array();
        for (size_t f = 0; f < factors.size(); ++f) row.push_back({x(i, f, 0) ? 1 : 0, x(i, f, 1) ? 1 : 0});
        X.push_back(row);
    }
    j["X"] = X;
    return j;
}

Schedule all_outermost(const Operator& op, int levels) {
    Schedule s;
    s.order.assign(size_t(levels), default_order());
    for (Dim d : kAllDims)
        for (uint32_t p : prime_factors(op[d])) s.factors.push_back({d, p, levels - 1, false});
    return s;
}

void refactor_dim(Schedule& s, Dim j, uint32_t new_size, int level) {
    auto first = std::find_if(s.factors.begin(), s.factors.end(), [&](const FactorSlot& f) { return f.dim >= j; });
    first = s.factors.erase(first, std::find_if(first, s.factors.end(), [&](const FactorSlot& f) { return f.dim != j; }));
    std::vector<FactorSlot> fresh;
    for (uint32_t p : prime_factors(new_size)) fresh.push_back({j, p, level, false});
    s.factors.insert(first, fresh.begin(), fresh.end());
}

} // namespace dynavp::sched
