#include "operator.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace dynavp::sched {

const char* dim_name(Dim d) {
    static const char* names[kDims] = {"R", "S", "P", "Q", "C", "K", "N"};
    return names[d];
}

const char* tensor_name(Tensor t) {
    static const char* names[kTensors] = {"weight", "input", "output"};
    return names[t];
}

uint64_t Operator::macs() const {
    uint64_t m = groups;
    for (uint32_t s : size) m *= s;
    return m;
}

std::string Operator::to_string() const {
    std::ostringstream os;
    for (int d = 0; d < kDims; ++d) os << (d ? "," : "") << dim_name(Dim(d)) << "=" << size[d];
    if (stride != 1) os << ",stride=" << stride;
    if (dilation != 1) os << ",dilation=" << dilation;
    if (groups != 1) os << ",groups=" << groups;
    return os.str();
}

namespace {

std::vector<std::pair<std::string, uint64_t>> parse_items(const std::string& text) {
    std::vector<std::pair<std::string, uint64_t>> items;
    std::stringstream ss(text);
    for (std::string item; std::getline(ss, item, ',');) {
        const auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
        if (b == std::string::npos) throw std::invalid_argument("empty item in \"" + text + "\"");
        item = item.substr(b, e - b + 1);
        const auto eq = item.find('=');
        if (eq == std::string::npos) throw std::invalid_argument("\"" + item + "\": expected NAME=VALUE");
        const std::string key = item.substr(0, eq), val = item.substr(eq + 1);
        if (val.empty() || val.find_first_not_of("0123456789") != std::string::npos || val.size() > 9)
            throw std::invalid_argument("\"" + item + "\": value must be a positive integer");
        items.emplace_back(key, std::stoull(val));
    }
    if (items.empty()) throw std::invalid_argument("no dimensions given");
    return items;
}

int dim_index(const std::string& key) {
    for (int d = 0; d < kDims; ++d)
        if (key == dim_name(Dim(d))) return d;
    return -1;
}

} // namespace

Operator parse_operator(const std::string& text) {
    Operator op;
    std::vector<std::string> seen;
    for (const auto& [key, v] : parse_items(text)) {
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) throw std::invalid_argument("\"" + key + "\" given twice");
        seen.push_back(key);
        const int d = dim_index(key);
        if (v == 0) throw std::invalid_argument("\"" + key + "\" must be >= 1");
        const uint64_t limit = (key == "stride" || key == "dilation") ? 64 : kMaxDim;
        if (v > limit) throw std::invalid_argument("\"" + key + "=" + std::to_string(v) + "\" exceeds " + std::to_string(limit));
        if (d >= 0) op.size[d] = uint32_t(v);
        else if (key == "stride") op.stride = uint32_t(v);
        else if (key == "dilation") op.dilation = uint32_t(v);
        else if (key == "groups") op.groups = uint32_t(v);
        else throw std::invalid_argument("unknown item \"" + key + "\" (known: R,S,P,Q,C,K,N,stride,dilation,groups)");
    }
    // Keeps every MAC, byte and cycle count of the cost model far inside 64 bits.
    long double macs = op.groups;
    for (uint32_t s : op.size) macs *= s;
    if (macs > std::ldexp(1.0L, 50)) throw std::invalid_argument("operator has more than 2^50 MACs: " + op.to_string());
    op.name = op.to_string();
    return op;
}

Operator apply_dynamic(const Operator& base, const std::string& changes) {
    Operator op = base;
    for (const auto& [key, v] : parse_items(changes)) {
        const int d = dim_index(key);
        if (d < 0) throw std::invalid_argument("dynamic change \"" + key + "\" is not a dimension (R,S,P,Q,C,K,N)");
        if (v == 0 || v > base.size[d])
            throw std::invalid_argument("dynamic " + key + "=" + std::to_string(v) + " must be in [1, " + std::to_string(base.size[d]) +
                                        "] (the backbone's size)");
        op.size[d] = uint32_t(v);
    }
    op.name = op.to_string();
    return op;
}

std::vector<uint32_t> prime_factors(uint32_t n) {
    std::vector<uint32_t> f;
    for (uint32_t p = 2; uint64_t(p) * p <= n; ++p)
        while (n % p == 0) {
            f.push_back(p);
            n /= p;
        }
    if (n > 1) f.push_back(n);
    return f;
}

uint32_t smooth_at_least(uint32_t n, uint32_t max_prime) {
    // Divide out the small factors of each candidate instead of factorising it.
    for (uint32_t m = std::max<uint32_t>(n, 1);; ++m) {
        uint32_t rest = m;
        for (uint32_t p = 2; p <= max_prime && rest > 1; ++p)
            while (rest % p == 0) rest /= p;
        if (rest == 1) return m;
    }
}

} // namespace dynavp::sched
