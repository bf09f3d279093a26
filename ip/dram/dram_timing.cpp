#include "dram_timing.h"

#include <algorithm>
#include <stdexcept>

namespace dynavp {
namespace {

bool is_pow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

uint32_t log2u(uint64_t v) {
    uint32_t n = 0;
    while ((uint64_t(1) << n) < v) ++n;
    return n;
}

} // namespace

std::string DramTimingParams::validate() const {
    if (tCK_ps == 0) return "tCK_ps must be > 0";
    // Plausibility caps keep every derived product far inside 64 bits.
    if (burst_length > 32) return "burst_length must be <= 32";
    if (bus_bytes > 128) return "bus_bytes must be <= 128";
    if (bank_groups > 16 || banks_per_group > 32) return "bank_groups must be <= 16 and banks_per_group <= 32";
    if (rows > (1u << 20) || columns > (1u << 16)) return "rows must be <= 2^20 and columns <= 2^16";
    if (burst_length < 2 || burst_length % 2) return "burst_length must be an even number >= 2";
    if (!is_pow2(bus_bytes)) return "bus_bytes must be a power of two";
    if (!is_pow2(bank_groups)) return "bank_groups must be a power of two";
    if (!is_pow2(banks_per_group)) return "banks_per_group must be a power of two";
    if (!is_pow2(rows)) return "rows must be a power of two";
    if (!is_pow2(columns)) return "columns must be a power of two";
    if (!is_pow2(burst_length) || columns < burst_length) return "columns must be a multiple of burst_length (both powers of two)";
    if (CL == 0 || CWL == 0) return "CL and CWL must be > 0";
    if (tRCD == 0 || tRP == 0 || tRAS == 0) return "tRCD, tRP and tRAS must be > 0";
    if (tCCD_S == 0 || tCCD_L < tCCD_S) return "tCCD_S must be > 0 and tCCD_L >= tCCD_S";
    if (tRRD_L < tRRD_S) return "tRRD_L must be >= tRRD_S";
    if (tREFI == 0 || tRFC == 0 || tRFC >= tREFI) return "need 0 < tRFC < tREFI";
    // After a refresh a burst needs ACT + column + data before the next one.
    if (uint64_t(tRFC) + tRP + tRCD + std::max(CL, CWL) + tBURST() >= tREFI)
        return "tREFI too short: tRFC + tRP + tRCD + CL + tBURST must fit between refreshes";
    return {};
}

namespace {
const DramTimingParams& validated(const DramTimingParams& p) {
    std::string err = p.validate();
    if (!err.empty()) throw std::invalid_argument("DRAM preset '" + p.name + "': " + err);
    return p;
}
} // namespace

DramChannel::DramChannel(const DramTimingParams& p) : p_(validated(p)), banks_(p.banks()), next_refresh_ps_(cyc(p.tREFI)) {
    last_col_in_group_.fill(kNever);
    last_act_in_group_.fill(kNever);
    group_shift_ = log2u(p_.burst_bytes());
    col_shift_ = group_shift_ + log2u(p_.bank_groups);
    bank_shift_ = col_shift_ + log2u(p_.columns / p_.burst_length);
    row_shift_ = bank_shift_ + log2u(p_.banks_per_group);
}

DramCoord DramChannel::decode(uint64_t a) const {
    DramCoord c;
    c.bank_group = uint32_t((a >> group_shift_) & (p_.bank_groups - 1));
    c.column = uint32_t((a >> col_shift_) & (p_.columns / p_.burst_length - 1)) * p_.burst_length;
    c.bank = uint32_t((a >> bank_shift_) & (p_.banks_per_group - 1));
    c.row = uint32_t((a >> row_shift_) & (p_.rows - 1)); // wraps beyond capacity
    return c;
}

// Earliest legal command times for one burst given the current state. Pure:
// the caller commits it only once no refresh falls before the column command.
DramChannel::Plan DramChannel::plan(const DramCoord& c, uint32_t bi, bool is_write, uint64_t arrival) const {
    const Bank& b = banks_[bi];
    Plan pl;
    pl.hit = b.open && b.row == c.row;
    uint64_t col = arrival;
    if (pl.hit) {
        col = std::max(col, b.col_ready_ps);
    } else {
        // ACTs issue in arrival order but may run ahead of earlier column
        // commands (bank-level parallelism of an open-page controller).
        uint64_t act = std::max(arrival, last_act_ps_);
        if (b.open) act = std::max(act, b.pre_ready_ps) + cyc(p_.tRP); // PRE, then tRP
        act = std::max(act, b.act_ready_ps);
        if (activates_seen_ > 0) act = std::max(act, last_act_ps_ + cyc(p_.tRRD_S));
        act = after(act, last_act_in_group_[c.bank_group], p_.tRRD_L);
        if (activates_seen_ >= 4) act = std::max(act, act_window_[act_window_pos_] + cyc(p_.tFAW)); // oldest of four
        pl.act_ps = act;
        col = act + cyc(p_.tRCD);
    }
    if (any_column_) col = std::max(col, last_col_ps_ + cyc(p_.tCCD_S));
    col = after(col, last_col_in_group_[c.bank_group], p_.tCCD_L);
    if (!is_write && any_write_) col = std::max(col, write_data_end_ps_ + cyc(p_.tWTR));
    const uint64_t lat = cyc(is_write ? p_.CWL : p_.CL);
    // The data bus is shared: a burst's beats start no earlier than the bus frees.
    uint64_t data = std::max(col + lat, bus_free_ps_);
    pl.col_ps = data - lat;
    pl.data_start_ps = data;
    return pl;
}

// All-bank refresh k is due at k*tREFI. REF needs every bank precharged, so
// with rows open it waits for their tRAS/tWR/tRTP, precharges all (tRP),
// then blocks every bank for tRFC. The schedule stays on the k*tREFI grid.
void DramChannel::refresh_through(uint64_t t) {
    const uint64_t refi = cyc(p_.tREFI);
    if (t >= next_refresh_ps_ + refi) { // idle gap: refreshes nobody waited for
        uint64_t skipped = (t - next_refresh_ps_) / refi;
        c_.refreshes += skipped;
        next_refresh_ps_ += skipped * refi;
    }
    uint64_t start = next_refresh_ps_;
    bool any_open = false;
    for (const Bank& b : banks_)
        if (b.open) {
            any_open = true;
            start = std::max(start, b.pre_ready_ps);
        }
    if (any_open) start += cyc(p_.tRP);
    for (Bank& b : banks_) {
        if (b.open) ++c_.precharges;
        b.open = false;
        b.act_ready_ps = std::max(b.act_ready_ps, start + cyc(p_.tRFC));
    }
    ++c_.refreshes;
    next_refresh_ps_ += refi;
}

DramBurstResult DramChannel::access_burst(uint64_t addr, bool is_write, uint64_t arrival) {
    const DramCoord c = decode(addr);
    const uint32_t bi = c.bank_group * p_.banks_per_group + c.bank;
    DramBurstResult r;
    Plan pl = plan(c, bi, is_write, arrival);
    const uint64_t unrefreshed_col = pl.col_ps;
    while (next_refresh_ps_ <= pl.col_ps) { // ends: validate() leaves room for a burst between refreshes
        refresh_through(pl.col_ps);
        pl = plan(c, bi, is_write, arrival);
    }
    r.waited_for_refresh = pl.col_ps > unrefreshed_col;
    Bank& b = banks_[bi];
    if (pl.hit) {
        r.outcome = RowOutcome::Hit;
        ++c_.row_hits;
    } else {
        r.outcome = b.open ? RowOutcome::Conflict : RowOutcome::Closed;
        ++c_.row_misses;
        if (b.open) {
            ++c_.row_conflicts;
            ++c_.precharges;
        }
        ++c_.activates;
        b.open = true;
        b.row = c.row;
        b.col_ready_ps = pl.act_ps + cyc(p_.tRCD);
        b.pre_ready_ps = pl.act_ps + cyc(p_.tRAS);
        last_act_ps_ = pl.act_ps;
        last_act_in_group_[c.bank_group] = pl.act_ps;
        act_window_[act_window_pos_] = pl.act_ps;
        act_window_pos_ = (act_window_pos_ + 1) % act_window_.size();
        ++activates_seen_;
    }
    r.data_end_ps = pl.data_start_ps + cyc(p_.tBURST());
    if (is_write) {
        b.pre_ready_ps = std::max(b.pre_ready_ps, r.data_end_ps + cyc(p_.tWR));
        write_data_end_ps_ = r.data_end_ps;
        any_write_ = true;
        ++c_.writes;
        c_.bytes_written += p_.burst_bytes();
    } else {
        b.pre_ready_ps = std::max(b.pre_ready_ps, pl.col_ps + cyc(p_.tRTP));
        ++c_.reads;
        c_.bytes_read += p_.burst_bytes();
    }
    if (r.waited_for_refresh) ++c_.refresh_stalls;
    last_col_ps_ = pl.col_ps;
    last_col_in_group_[c.bank_group] = pl.col_ps;
    any_column_ = true;
    bus_free_ps_ = r.data_end_ps;
    return r;
}

uint64_t DramChannel::access(uint64_t addr, uint64_t len, bool is_write, uint64_t arrival) {
    const uint64_t bb = p_.burst_bytes();
    uint64_t end = arrival;
    if (len == 0) return end;
    for (uint64_t a = addr & ~(bb - 1); a < addr + len; a += bb) end = access_burst(a, is_write, arrival).data_end_ps;
    return end;
}

} // namespace dynavp
