// Where a byte of a DRAM device lands: channel, rank, bank group, bank, row,
// column. The mapping is written as DRAMSim3 and Ramulator write it: two-letter
// fields from the most to the least significant bit above the burst offset,
// e.g. "rochrababgco" or "ro-ra-ba-co-bg" (ch channel, ra rank, bg bank group,
// ba bank, ro row, co column in bursts).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "dram_timing.h"

namespace dynavp {

struct DramCoord {
    uint32_t channel = 0, rank = 0, bank_group = 0, bank = 0; // bank: within its group
    uint32_t row = 0, column = 0;                             // column: first column of the burst
};

class DramAddressMap {
public:
    // The mapping of today's boards: channels interleaved every
    // `interleave_bytes` (no "ch" field), then inside a channel
    // [burst offset][bank group][column][bank][rank][row], LSB first, so
    // consecutive bursts alternate bank groups (tCCD_S, not tCCD_L).
    static constexpr const char* kDefault = "ro-ra-ba-co-bg";

    // spec "" = kDefault. With a "ch" field the channel comes from the
    // address bits and interleave_bytes is unused. Empty string when valid,
    // else the reason.
    std::string configure(const std::string& spec, const DramTimingParams& p, uint32_t channels, uint64_t interleave_bytes);
    DramCoord decode(uint64_t offset) const;
    const std::string& spec() const { return spec_; } // canonical, dash-separated
    bool channel_field() const { return channel_field_; }
    uint32_t burst_bytes() const { return burst_bytes_; }

private:
    enum Field { Ch, Ra, Bg, Ba, Ro, Co, kFields };
    std::array<uint32_t, kFields> pos_{}, width_{};
    std::string spec_;
    bool channel_field_ = false;
    uint32_t channels_ = 1, burst_bits_ = 6, burst_bytes_ = 64, col_scale_ = 8;
    uint64_t interleave_ = 64;
    uint32_t field(uint64_t a, Field f) const { return uint32_t((a >> pos_[f]) & ((uint64_t(1) << width_[f]) - 1)); }
};

} // namespace dynavp
