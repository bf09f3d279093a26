// DRAM datasheet presets. Every figure is cited; see also
// ../shared/design/REFERENCE-DATA.md ("DRAM timing").
#include "dram_timing.h"

namespace dynavp {
namespace {

DramTimingParams ddr4_2400() {
    // Micron MT40A1G8 (8 Gb x8) speed bin -083E, as in DRAMSim3
    // configs/DDR4_8Gb_x8_2400.ini. A 64-bit channel = one rank of 8 x8 chips.
    DramTimingParams p;
    p.name = "DDR4-2400";
    p.tCK_ps = 833;           // 0.833 ns (2400 MT/s)
    p.burst_length = 8;       // BL8
    p.bus_bytes = 8;          // 64-bit channel
    p.bank_groups = 4;        // 4 bank groups x 4 banks
    p.banks_per_group = 4;
    p.rows = 65536;
    p.columns = 1024;         // 1 KiB page per x8 chip -> 8 KiB row per rank
    p.CL = 16;
    p.CWL = 16;
    p.tRCD = 16;
    p.tRP = 16;
    p.tRAS = 39;
    p.tWR = 19;
    p.tWTR = 9;               // tWTR_L (9); tWTR_S is 3: we keep the conservative one
    p.tRTP = 9;               // JESD79-4: max(4 nCK, 7.5 ns) = 9 nCK at 0.833 ns (not in REFERENCE-DATA)
    p.tCCD_S = 4;
    p.tCCD_L = 6;
    p.tRRD_S = 4;
    p.tRRD_L = 6;
    p.tFAW = 26;
    p.tRFC = 420;             // 350 ns (8 Gb, 1x refresh mode)
    p.tREFI = 9364;           // 7.8 us
    return p;
}

DramTimingParams lpddr4_3200() {
    // Ramulator 1 src/LPDDR4.h, speed LPDDR4_3200; 32-bit channel, BL16.
    DramTimingParams p;
    p.name = "LPDDR4-3200";
    p.tCK_ps = 625;           // 0.625 ns (3200 MT/s)
    p.burst_length = 16;      // BL16 -> 8 clocks on the bus
    p.bus_bytes = 4;          // 32-bit channel
    p.bank_groups = 1;        // LPDDR4 has no bank groups
    p.banks_per_group = 8;
    p.rows = 65536;           // 8 banks x 64 Ki rows x 4 KiB = 2 GiB (16 Gb) per 32-bit channel
    p.columns = 1024;
    p.CL = 32;
    p.CWL = 18;
    p.tRCD = 29;
    p.tRP = 27;               // tRPpb (per-bank precharge)
    p.tRAS = 68;
    p.tWR = 28;
    p.tWTR = 16;
    p.tRTP = 14;
    p.tCCD_S = 8;             // tCCD = BL/2 with no bank groups
    p.tCCD_L = 8;
    p.tRRD_S = 16;
    p.tRRD_L = 16;
    p.tFAW = 64;
    // Refresh is not in REFERENCE-DATA: JESD209-4 for an 8 Gb channel gives
    // tRFCab = 280 ns and tREFI = 3.904 us (*unverified here*), i.e. 448 and
    // 6246 clocks at 0.625 ns.
    p.tRFC = 448;
    p.tREFI = 6246;
    return p;
}

const std::vector<DramTimingParams>& presets() {
    static const std::vector<DramTimingParams> all = {ddr4_2400(), lpddr4_3200()};
    return all;
}

} // namespace

const DramTimingParams* find_dram_preset(const std::string& name) {
    for (const auto& p : presets())
        if (p.name == name) return &p;
    return nullptr;
}

std::vector<std::string> dram_preset_names() {
    std::vector<std::string> names;
    for (const auto& p : presets()) names.push_back(p.name);
    return names;
}

} // namespace dynavp
