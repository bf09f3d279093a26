// DRAM device parameters: datasheet timings (in DRAM clocks), organisation
// and IDD currents of one channel. Pure data; the controller that obeys them
// is dram_controller.h, the address decode dram_address.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dynavp {

// Timing parameters in DRAM clock cycles (tCK) unless the name says otherwise.
// Field names follow JEDEC / DRAMSim3 spelling.
struct DramTimingParams {
    std::string name;          // preset name, e.g. "DDR4-2400"
    uint64_t tCK_ps = 0;       // clock period
    uint32_t burst_length = 8; // BL: beats per burst (data rate is 2 beats per tCK)
    uint32_t bus_bytes = 8;    // channel data width in bytes (64-bit = 8)
    uint32_t ranks = 1;        // ranks sharing the channel's command and data bus
    uint32_t bank_groups = 1;
    uint32_t banks_per_group = 1;
    uint32_t rows = 0;         // rows per bank
    uint32_t columns = 0;      // columns per row (one column = bus_bytes)
    uint32_t CL = 0;           // read: column command -> first data beat
    uint32_t CWL = 0;          // write: column command -> first data beat
    uint32_t tRCD = 0;         // ACT -> read command, same bank
    uint32_t tRCDWR = 0;       // ACT -> write command, same bank (0: = tRCD; HBM2 and GDDR split them)
    uint32_t tRP = 0;          // PRE -> ACT, same bank
    uint32_t tRAS = 0;         // ACT -> PRE, same bank
    uint32_t tWR = 0;          // end of write data -> PRE, same bank
    uint32_t tWTR_S = 0;       // end of write data -> read command, same rank, other bank group
    uint32_t tWTR_L = 0;       // end of write data -> read command, same rank, same bank group
    uint32_t tRTP = 0;         // read command -> PRE, same bank
    uint32_t tRTW = 0;         // read command -> write command, same rank (bus turnaround)
    uint32_t tRTRS = 0;        // idle data-bus clocks between bursts of two different ranks
    uint32_t tCCD_S = 0;       // column -> column, same rank, other bank group
    uint32_t tCCD_L = 0;       // column -> column, same rank, same bank group
    uint32_t tRRD_S = 0;       // ACT -> ACT, same rank, other bank group
    uint32_t tRRD_L = 0;       // ACT -> ACT, same rank, same bank group
    uint32_t tFAW = 0;         // window holding at most four ACTs of one rank
    uint32_t tRFC = 0;         // all-bank refresh duration
    uint32_t tREFI = 0;        // all-bank refresh interval (per rank)
    uint32_t tRFCpb = 0;       // per-bank refresh duration (0: the device has no per-bank refresh)
    uint32_t tREFIpb = 0;      // interval between per-bank refreshes of one rank (banks take turns)

    // Power (Micron's DDR4 power-calculation method, TN-40-07): currents in mA
    // per device at VDD volts; `devices` devices make one rank. 0 = unknown.
    uint32_t devices = 0;
    double VDD = 0, IDD0 = 0, IDD2N = 0, IDD3N = 0, IDD4R = 0, IDD4W = 0, IDD5AB = 0, IDD5PB = 0;

    uint32_t tBURST() const { return burst_length / 2; }            // clocks a burst holds the data bus
    uint32_t burst_bytes() const { return burst_length * bus_bytes; } // bytes moved per column command
    uint32_t banks() const { return bank_groups * banks_per_group; } // per rank
    uint32_t rcd(bool write) const { return write && tRCDWR ? tRCDWR : tRCD; }
    uint64_t row_bytes() const { return uint64_t(columns) * bus_bytes; }
    uint64_t channel_bytes() const { return uint64_t(ranks) * banks() * rows * row_bytes(); }
    bool has_power() const { return devices > 0 && VDD > 0 && IDD0 > 0; }
    bool per_bank_refresh() const { return tRFCpb > 0 && tREFIpb > 0; }
    // Peak data rate in bytes per second: 2 transfers per clock x bus width.
    double peak_bytes_per_second() const { return 2.0 * bus_bytes * 1e12 / double(tCK_ps); }
    // Empty string when consistent, else the reason (names the field).
    std::string validate() const;
};

// Datasheet presets; nullptr when unknown. Sources are cited in dram_presets.cpp.
const DramTimingParams* find_dram_preset(const std::string& name);
std::vector<std::string> dram_preset_names();

} // namespace dynavp
