#include "dram_address.h"

namespace dynavp {
namespace {
uint32_t log2u(uint64_t v) {
    uint32_t n = 0;
    while ((uint64_t(1) << n) < v) ++n;
    return n;
}
} // namespace

std::string DramAddressMap::configure(const std::string& spec_in, const DramTimingParams& p, uint32_t channels, uint64_t interleave_bytes) {
    const std::string spec = spec_in.empty() ? kDefault : spec_in;
    static const char* names[kFields] = {"ch", "ra", "bg", "ba", "ro", "co"};
    std::array<int, kFields> order{};
    order.fill(-1);
    std::string letters;
    for (char c : spec)
        if (c != '-') letters += c;
    if (letters.size() % 2) return "\"" + spec + "\": fields are two letters each (ch ra bg ba ro co)";
    const int n = int(letters.size() / 2);
    for (int i = 0; i < n; ++i) {
        const std::string f = letters.substr(size_t(i) * 2, 2);
        int k = -1;
        for (int j = 0; j < kFields; ++j)
            if (f == names[j]) k = j;
        if (k < 0) return "\"" + spec + "\": unknown field \"" + f + "\" (known: ch ra bg ba ro co)";
        if (order[size_t(k)] >= 0) return "\"" + spec + "\": field \"" + f + "\" appears twice";
        order[size_t(k)] = i;
    }
    for (int j = Ra; j < kFields; ++j)
        if (order[size_t(j)] < 0) return "\"" + spec + "\": field \"" + names[j] + "\" is missing";
    channel_field_ = order[Ch] >= 0;
    width_[Ch] = log2u(channels);
    width_[Ra] = log2u(p.ranks);
    width_[Bg] = log2u(p.bank_groups);
    width_[Ba] = log2u(p.banks_per_group);
    width_[Ro] = log2u(p.rows);
    width_[Co] = log2u(p.columns / p.burst_length);
    // Positions: the last field written is the least significant.
    uint32_t pos = 0;
    spec_.clear();
    for (int i = n - 1; i >= 0; --i)
        for (int j = 0; j < kFields; ++j)
            if (order[size_t(j)] == i) {
                pos_[size_t(j)] = pos;
                pos += width_[size_t(j)];
            }
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < kFields; ++j)
            if (order[size_t(j)] == i) spec_ += std::string(spec_.empty() ? "" : "-") + names[j];
    channels_ = channels;
    burst_bytes_ = p.burst_bytes();
    burst_bits_ = log2u(burst_bytes_);
    col_scale_ = p.burst_length;
    interleave_ = interleave_bytes ? interleave_bytes : burst_bytes_;
    return {};
}

DramCoord DramAddressMap::decode(uint64_t off) const {
    DramCoord c;
    uint64_t a;
    if (channel_field_) {
        a = off >> burst_bits_;
        c.channel = field(a, Ch);
    } else {
        const uint64_t block = off / interleave_;
        c.channel = uint32_t(block % channels_);
        a = ((block / channels_) * interleave_ + off % interleave_) >> burst_bits_;
    }
    c.rank = field(a, Ra);
    c.bank_group = field(a, Bg);
    c.bank = field(a, Ba);
    c.row = field(a, Ro); // wraps beyond capacity; the platform config rejects larger regions
    c.column = field(a, Co) * col_scale_;
    return c;
}

} // namespace dynavp
