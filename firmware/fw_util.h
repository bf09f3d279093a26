// Small helpers firmware images share: a seeded generator and number formatting.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>

namespace dynavp::fw {

inline uint64_t next(uint64_t& x) { // xorshift64*
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    return x * 0x2545F4914F6CDD1Dull;
}

// Uniform integer in [lo, hi].
inline int uniform(uint64_t& rng, int lo, int hi) { return int(next(rng) % uint64_t(hi - lo + 1)) + lo; }

inline std::string fixed(double v, int digits) {
    std::ostringstream os;
    os.setf(std::ios::fixed);
    os.precision(digits);
    os << v;
    return os.str();
}

} // namespace dynavp::fw
