// Operators in the DNA/CoSA notation (DNA sec. II-A): seven loop dimensions
// R, S, P, Q, C, K, N, each factorised into primes F(j,n) (DNA sec. V-A).
// Pure C++: shared by the transverter IP, firmware, RTL cosim and tests.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace dynavp::sched {

enum Dim : uint8_t { R = 0, S, P, Q, C, K, N };
constexpr int kDims = 7;
constexpr std::array<Dim, kDims> kAllDims = {R, S, P, Q, C, K, N};
const char* dim_name(Dim d);

// Tensors (DNA Table II, index v).
enum Tensor : uint8_t { Weight = 0, Input, Output };
constexpr int kTensors = 3;
const char* tensor_name(Tensor t);

// The A matrix of DNA eq. 2 / CoSA: does dimension j index tensor v?
// Input is indexed by R, S, P, Q (sliding window), C and N.
constexpr bool relevant(Dim j, Tensor v) {
    switch (v) {
    case Weight: return j == R || j == S || j == C || j == K;
    case Input: return j != K;
    case Output: return j == P || j == Q || j == K || j == N;
    }
    return false;
}

constexpr uint32_t kMaxDim = 1u << 20;

struct Operator {
    std::string name;
    std::array<uint32_t, kDims> size{1, 1, 1, 1, 1, 1, 1};
    uint32_t stride = 1, dilation = 1;
    uint32_t groups = 1; // C and K are per group; groups run one after another

    uint32_t operator[](Dim d) const { return size[d]; }
    uint32_t& operator[](Dim d) { return size[d]; }
    uint64_t macs() const; // all groups
    // Input rows/cols a P x Q output tile with an R x S window needs.
    uint64_t input_extent(uint64_t out, uint64_t window) const { return (out - 1) * stride + (window - 1) * dilation + 1; }
    std::string to_string() const; // "R=3,S=3,P=28,..."
    bool operator==(const Operator& o) const { return size == o.size && stride == o.stride && dilation == o.dilation && groups == o.groups; }
};

// Parses "R=3,S=3,P=28,Q=28,C=256,K=256[,N=1][,stride=1][,dilation=1][,groups=1]";
// dims not given are 1 (so "P=1,Q=128,C=768,K=3072" is a matmul).
// Throws std::invalid_argument with the offending item and reason.
Operator parse_operator(const std::string& text);
// Applies "C=96,K=160"-style changes to a copy of `base`; each changed dim
// must be in [1, base's size] (agents shrink a backbone, never grow it).
Operator apply_dynamic(const Operator& base, const std::string& changes);

// Prime factors, ascending (DNA sec. V-A: P = 28 -> 2, 2, 7).
std::vector<uint32_t> prime_factors(uint32_t n);
// Smallest m >= n whose prime factors are all <= max_prime (n itself if so).
uint32_t smooth_at_least(uint32_t n, uint32_t max_prime);

} // namespace dynavp::sched
