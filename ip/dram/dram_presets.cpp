// DRAM datasheet presets. Every figure is cited; "REFERENCE-DATA" is
// ../shared/design/REFERENCE-DATA.md ("DRAM timing").
#include "dram_timing.h"

namespace dynavp {
namespace {

// Micron MT40A1G8 (8 Gb x8), DDR4-2400, speed bin -083 (CL17-17-17): exactly
// DRAMSim3's configs/DDR4_8Gb_x8_2400.ini as REFERENCE-DATA lists it, system
// included: one 64-bit channel of 16 GiB = 2 ranks of 8 x8 devices.
DramTimingParams ddr4_2400_cl17() {
    DramTimingParams p;
    p.name = "DDR4-2400-CL17";
    p.tCK_ps = 830;           // tCK 0.83 ns (DRAMSim3 rounds 0.833 to 0.83)
    p.burst_length = 8;       // BL 8
    p.bus_bytes = 8;          // bus_width 64
    p.ranks = 2;              // channel_size 16384 MB / 8 GiB per rank (8 devices x 8 Gb)
    p.bank_groups = 4;        // 4 bank groups x 4 banks
    p.banks_per_group = 4;
    p.rows = 65536;
    p.columns = 1024;         // 1 KiB page per x8 device -> 8 KiB row per rank
    p.CL = 17;
    p.CWL = 12;
    p.tRCD = 17;
    p.tRP = 17;
    p.tRAS = 39;
    p.tWR = 18;
    p.tWTR_S = 3;
    p.tWTR_L = 9;
    p.tRTP = 9;
    p.tRTRS = 1;
    // Read -> write command, same rank: DRAMSim3's read_to_write = RL + burst
    // - WL + tRTRS (src/timing.cc); JESD79-4's RL + BL/2 - WL + 2 differs by one.
    p.tRTW = 17 + 4 - 12 + 1;
    p.tCCD_S = 4;
    p.tCCD_L = 6;
    p.tRRD_S = 4;
    p.tRRD_L = 6;
    p.tFAW = 26;
    p.tRFC = 420;             // 1x refresh mode (tRFC2 312, tRFC4 192 are the 2x/4x modes)
    p.tREFI = 9360;
    // DDR4 has no per-bank refresh (tRFCpb = tREFIpb = 0).
    p.devices = 8;            // x8 devices on a 64-bit bus
    p.VDD = 1.2;              // mA per device at VDD (REFERENCE-DATA "Power")
    p.IDD0 = 48;
    p.IDD2N = 34;
    p.IDD3N = 43;
    p.IDD4R = 135;
    p.IDD4W = 123;
    p.IDD5AB = 250;
    return p;
}

// The faster -083E bin (CL16-16-16) of the same device. REFERENCE-DATA gives
// tCK 0.833 ns, CL 16, tRCD 16, tRP 16 for it; every other clock count is the
// -083 bin's (same device, same 2400 MT/s, so the same datasheet column for
// IDD), except tRFC and tREFI, which JEDEC specifies in ns (350 ns, 7.8 us)
// and are converted at 0.833 ns.
DramTimingParams ddr4_2400() {
    DramTimingParams p = ddr4_2400_cl17();
    p.name = "DDR4-2400";
    p.tCK_ps = 833;
    p.CL = 16;
    p.tRCD = 16;
    p.tRP = 16;
    p.tRTW = 16 + 4 - 12 + 1; // RL + burst - WL + tRTRS, as above
    p.tRFC = 420;             // 350 ns
    p.tREFI = 9364;           // 7.8 us
    return p;
}

// LPDDR4-3200: timings from Ramulator 1 src/LPDDR4.h (REFERENCE-DATA);
// one 32-bit channel of two x16 devices, BL16, 8 banks, no bank groups.
DramTimingParams lpddr4_3200() {
    DramTimingParams p;
    p.name = "LPDDR4-3200";
    p.tCK_ps = 625;           // 0.625 ns (3200 MT/s)
    p.burst_length = 16;      // BL16 -> 8 clocks on the bus
    p.bus_bytes = 4;          // 32-bit channel
    p.ranks = 1;
    p.bank_groups = 1;        // LPDDR4 has no bank groups
    p.banks_per_group = 8;
    p.rows = 65536;           // 8 banks x 64 Ki rows x 4 KiB = 2 GiB (16 Gb) per 32-bit channel
    p.columns = 1024;
    p.CL = 32;
    p.CWL = 18;
    p.tRCD = 29;
    p.tRP = 27;               // tRPpb (per-bank precharge; tRPab is 32)
    p.tRAS = 68;
    p.tWR = 28;
    p.tWTR_S = 16;            // one tWTR without bank groups
    p.tWTR_L = 16;
    p.tRTP = 14;
    p.tRTRS = 0;              // one rank
    p.tRTW = 32 + 8 - 18 + 2; // RL + BL/2 - WL + 2 (JESD79-4's form; *unverified* for LPDDR4)
    p.tCCD_S = 8;             // tCCD = BL/2 with no bank groups
    p.tCCD_L = 8;
    p.tRRD_S = 16;
    p.tRRD_L = 16;
    p.tFAW = 64;
    // Refresh is not in REFERENCE-DATA: JESD209-4 for an 8 Gb die gives
    // tRFCab = 280 ns, tREFI = 3.904 us, tRFCpb = 140 ns and tREFIpb =
    // tREFI / 8 (*unverified here*): 448, 6246, 224 and 781 clocks.
    p.tRFC = 448;
    p.tREFI = 6246;
    p.tRFCpb = 224;
    p.tREFIpb = 781;
    // Currents: REFERENCE-DATA has none for LPDDR4. These are DRAMSim3's
    // configs/LPDDR4_8Gb_x16_2400.ini (a 2400 MT/s part; DRAMSim3 keeps VDD
    // at 1.2 V where LPDDR4's core VDD2 is 1.1 V): *unverified* for 3200.
    p.devices = 2;            // x16 devices on a 32-bit channel
    p.VDD = 1.2;
    p.IDD0 = 80;
    p.IDD2N = 34;
    p.IDD3N = 47;
    p.IDD4R = 243;
    p.IDD4W = 228;
    p.IDD5AB = 280;
    return p;
}

// HBM2 8 Gb x128, DRAMSim3 configs/HBM2_8Gb_x128.ini (REFERENCE-DATA): one
// 128-bit channel of the stack's eight (set "channels": 8); DRAMSim3 sizes a
// channel at 1 GiB = 2 ranks of 16 banks x 32 Ki rows x 1 KiB.
DramTimingParams hbm2() {
    DramTimingParams p;
    p.name = "HBM2";
    p.tCK_ps = 1000;          // tCK 1 ns (2 Gb/s per pin)
    p.burst_length = 4;       // BL 4 -> 64 B per burst on 128 bits
    p.bus_bytes = 16;
    p.ranks = 2;
    p.bank_groups = 4;
    p.banks_per_group = 4;
    p.rows = 32768;
    p.columns = 64;
    p.CL = 14;
    p.CWL = 4;
    p.tRCD = 14;              // tRCDRD
    p.tRCDWR = 14;
    p.tRP = 14;
    p.tRAS = 34;
    p.tWR = 16;
    p.tWTR_S = 6;
    p.tWTR_L = 8;
    p.tRTP = 6;               // tRTP_L (6); tRTP_S is 4: one tRTP, the conservative one
    p.tRTRS = 2;              // DRAMSim3's default (not in the .ini)
    p.tRTW = 14 + 2 - 4 + 2;  // RL + burst - WL + tRTRS, as DRAMSim3
    p.tCCD_S = 1;
    p.tCCD_L = 2;
    p.tRRD_S = 4;
    p.tRRD_L = 6;
    p.tFAW = 30;
    p.tRFC = 260;
    p.tREFI = 3900;
    p.tREFIpb = 128;          // tREFIb
    p.tRFCpb = 20;            // DRAMSim3's default tRFCb (not in the .ini): *unverified*
    p.devices = 1;            // one 128-bit channel
    p.VDD = 1.2;
    p.IDD0 = 65;
    p.IDD2N = 40;
    p.IDD3N = 55;
    p.IDD4R = 390;
    p.IDD4W = 500;
    p.IDD5AB = 250;
    return p;
}

const std::vector<DramTimingParams>& presets() {
    static const std::vector<DramTimingParams> all = {ddr4_2400(), ddr4_2400_cl17(), lpddr4_3200(), hbm2()};
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
