#include "context_record.h"

namespace dynavp::context_buffer {

bool ContextRecord::operator==(const ContextRecord& o) const {
    return pc == o.pc && module == o.module && op == o.op && block == o.block && src == o.src && dst == o.dst && aux == o.aux && a == o.a &&
           b == o.b && kind == o.kind && dep_distances == o.dep_distances;
}

uint32_t header_of(const ContextRecord& r) { return uint32_t(r.pc) << 16 | (uint32_t(r.module) & 3u) << 14 | (r.words() & 63u) << 8; }

uint32_t words_in_header(uint32_t header) { return (header >> 8) & 63u; }

std::vector<uint32_t> encode(const ContextRecord& r) {
    std::vector<uint32_t> w = {header_of(r), r.op, r.block, r.src, r.dst, r.aux, r.a, r.b, uint32_t(r.kind)};
    w.insert(w.end(), r.dep_distances.begin(), r.dep_distances.end());
    return w;
}

std::string decode(uint32_t header, const std::vector<uint32_t>& w, ContextRecord& r) {
    const uint32_t n = words_in_header(header);
    if (n < kFixedWords) return "context of " + std::to_string(n) + " words, fewer than the 8 fixed ones";
    if (w.size() != n) return "record has " + std::to_string(w.size()) + " words, its header says " + std::to_string(n);
    r = ContextRecord{};
    r.pc = uint16_t(header >> 16);
    r.module = uint8_t((header >> 14) & 3u);
    if (r.module > 2) return "module field 3 (0 load, 1 compute, 2 store)";
    r.op = w[0], r.block = w[1], r.src = w[2], r.dst = w[3], r.aux = w[4], r.a = w[5], r.b = w[6];
    if (w[7] > uint32_t(ComputeKind::Timed)) return "compute kind " + std::to_string(w[7]);
    r.kind = ComputeKind(w[7]);
    r.dep_distances.assign(w.begin() + kFixedWords, w.end());
    for (uint32_t d : r.dep_distances)
        if (d == 0) return "a dependency distance of 0";
    return {};
}

} // namespace dynavp::context_buffer
