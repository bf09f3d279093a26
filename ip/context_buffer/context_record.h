// The context buffer's record format (DyPipe sec. 3.2-3.3, Figs. 5-6): one
// record per pending module function -- its PC (which function body), its
// module (IO load, compute, IO store) and its context words. Shared by the
// firmware that saves records (SaveContext / SavePC) and the controller that
// restores them. Pure C++, little-endian 32-bit words.
//
//   header  [31:16] PC, [15:14] module (0 load, 1 compute, 2 store), [13:8] context words n
//   word 0  operation id            word 4  aux address (compute: weights)
//   word 1  data block              word 5  A: bytes (IO) | inputs C (fc) | MACs (timed)
//   word 2  source address          word 6  B: outputs K (fc) | vector ops (timed)
//   word 3  destination address     word 7  kind (ComputeKind) | flags
//   words 8 .. n-1: dependencies, as distances back in records (1 = the record before)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dynavp::context_buffer {

constexpr uint32_t kFixedWords = 8, kMaxWords = 63;

enum class ComputeKind : uint32_t {
    None = 0,    // IO functions
    Fc = 1,      // out[K] = W[K][C] x in[C] (fp16, fp32 accumulation)
    FcRelu = 2,  // the same, then max(0, .)
    Timed = 3,   // takes its time (A MACs, B vector ops); values not computed
};

struct ContextRecord {
    uint16_t pc = 0;
    uint8_t module = 0; // dypipe::Module
    uint32_t op = 0, block = 0;
    uint32_t src = 0, dst = 0, aux = 0;
    uint32_t a = 0, b = 0;
    ComputeKind kind = ComputeKind::None;
    std::vector<uint32_t> dep_distances; // 1 = the previous record
    uint32_t words() const { return kFixedWords + uint32_t(dep_distances.size()); }
    bool operator==(const ContextRecord& o) const;
};

uint32_t header_of(const ContextRecord& r);
std::vector<uint32_t> encode(const ContextRecord& r); // header first
// Empty string on success, else what is wrong (module, word count).
std::string decode(uint32_t header, const std::vector<uint32_t>& words, ContextRecord& r);
uint32_t words_in_header(uint32_t header);

} // namespace dynavp::context_buffer
