// DRAM channel timing model: *what* happens to a request (pure C++, no SystemC).
//
// One DramChannel models one channel: per-bank row-buffer state machine,
// a shared data bus, in-order column commands, all-bank refresh. Not
// modelled: command-bus slots (two commands may issue in the same clock),
// read-to-write turnaround, per-bank refresh, power-down. Times are integer picoseconds so
// that runs are bit-reproducible. The sc_module in dram.h only converts
// sc_time <-> ps and moves the bytes.
#pragma once

#include <algorithm>
#include <array>
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
    uint32_t bank_groups = 1;
    uint32_t banks_per_group = 1;
    uint32_t rows = 0;         // rows per bank
    uint32_t columns = 0;      // columns per row (one column = bus_bytes)
    uint32_t CL = 0;           // read: column command -> first data beat
    uint32_t CWL = 0;          // write: column command -> first data beat
    uint32_t tRCD = 0;         // ACT -> column command, same bank
    uint32_t tRP = 0;          // PRE -> ACT, same bank
    uint32_t tRAS = 0;         // ACT -> PRE, same bank
    uint32_t tWR = 0;          // end of write data -> PRE, same bank
    uint32_t tWTR = 0;         // end of write data -> read column command (any bank)
    uint32_t tRTP = 0;         // read column command -> PRE, same bank
    uint32_t tCCD_S = 0;       // column -> column, different bank group
    uint32_t tCCD_L = 0;       // column -> column, same bank group
    uint32_t tRRD_S = 0;       // ACT -> ACT, different bank group
    uint32_t tRRD_L = 0;       // ACT -> ACT, same bank group
    uint32_t tFAW = 0;         // window holding at most four ACTs
    uint32_t tRFC = 0;         // all-bank refresh duration
    uint32_t tREFI = 0;        // refresh interval

    uint32_t tBURST() const { return burst_length / 2; }            // clocks a burst holds the data bus
    uint32_t burst_bytes() const { return burst_length * bus_bytes; } // bytes moved per column command
    uint32_t banks() const { return bank_groups * banks_per_group; }
    uint64_t row_bytes() const { return uint64_t(columns) * bus_bytes; }
    // Peak data rate in bytes per second: 2 transfers per clock x bus width.
    double peak_bytes_per_second() const { return 2.0 * bus_bytes * 1e12 / double(tCK_ps); }
    // Empty string when consistent, else the reason (names the field).
    std::string validate() const;
};

// Datasheet presets; nullptr when unknown. Sources are cited in dram_presets.cpp.
const DramTimingParams* find_dram_preset(const std::string& name);
std::vector<std::string> dram_preset_names();

// Where a burst lands. Address bits, LSB first:
// [burst offset][bank group][column / BL][bank][row] -- consecutive bursts
// alternate bank groups (so streaming pays tCCD_S, not tCCD_L) and stay in one
// row of each bank until the row is used up.
struct DramCoord {
    uint32_t bank_group = 0;
    uint32_t bank = 0;   // bank within its group
    uint32_t row = 0;
    uint32_t column = 0; // first column of the burst
};

enum class RowOutcome { Hit, Closed, Conflict };

struct DramBurstResult {
    uint64_t data_end_ps = 0; // last beat leaves/arrives the pins
    RowOutcome outcome = RowOutcome::Hit;
    bool waited_for_refresh = false; // a refresh made this burst later
};

struct DramCounters {
    uint64_t reads = 0, writes = 0;   // bursts
    uint64_t bytes_read = 0, bytes_written = 0;
    uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0; // misses = closed + conflicts
    uint64_t activates = 0, precharges = 0, refreshes = 0;
    uint64_t refresh_stalls = 0; // bursts issued later than they would have been without a refresh
};

class DramChannel {
public:
    explicit DramChannel(const DramTimingParams& p);

    const DramTimingParams& params() const { return p_; }
    DramCoord decode(uint64_t channel_addr) const;

    // One burst (burst_bytes aligned) arriving at the controller at arrival_ps.
    // Commands are issued in arrival order (an in-order, open-page controller).
    DramBurstResult access_burst(uint64_t channel_addr, bool is_write, uint64_t arrival_ps);

    // A request of any length: split into bursts, all arriving at arrival_ps.
    // Returns the time the last beat completes.
    uint64_t access(uint64_t channel_addr, uint64_t len, bool is_write, uint64_t arrival_ps);

    const DramCounters& counters() const { return c_; }

private:
    struct Bank {
        bool open = false;
        uint32_t row = 0;
        uint64_t pre_ready_ps = 0; // earliest PRE (tRAS, tWR, tRTP)
        uint64_t act_ready_ps = 0; // earliest ACT (tRP after PRE, end of refresh)
        uint64_t col_ready_ps = 0; // earliest column command (tRCD after ACT)
    };
    uint64_t cyc(uint32_t n) const { return uint64_t(n) * p_.tCK_ps; }
    struct Plan {
        bool hit = false;
        uint64_t act_ps = 0, col_ps = 0, data_start_ps = 0;
    };
    Plan plan(const DramCoord& c, uint32_t bank_index, bool is_write, uint64_t arrival_ps) const;
    void refresh_through(uint64_t t_ps);

    DramTimingParams p_;
    std::vector<Bank> banks_;
    uint64_t next_refresh_ps_;
    // Last column command / ACT on the channel (the _S spacings) and per bank
    // group (the _L spacings); kNever until one happened.
    static constexpr uint64_t kNever = ~uint64_t(0);
    uint64_t last_col_ps_ = 0;
    uint64_t last_act_ps_ = 0;
    std::array<uint64_t, 16> last_col_in_group_, last_act_in_group_;
    std::array<uint64_t, 4> act_window_{}; // last four ACT times (tFAW), ring
    uint32_t act_window_pos_ = 0;
    uint64_t bus_free_ps_ = 0;
    uint64_t write_data_end_ps_ = 0;
    uint64_t activates_seen_ = 0;
    bool any_column_ = false;
    uint64_t after(uint64_t t, uint64_t last, uint32_t n) const { return last == kNever ? t : std::max(t, last + cyc(n)); }
    bool any_write_ = false;
    uint32_t group_shift_ = 0, col_shift_ = 0, bank_shift_ = 0, row_shift_ = 0;
    DramCounters c_;
};

} // namespace dynavp
