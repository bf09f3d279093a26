#include "dram_controller.h"

#include <algorithm>
#include <cstring>

namespace dynavp {

// ---------------------------------------------------------------- config

std::string DramControllerConfig::validate() const {
    if (read_queue == 0 || read_queue > 4096) return "read_queue must be in [1, 4096]";
    if (write_queue == 0 || write_queue > 4096) return "write_queue must be in [1, 4096]";
    if (write_high == 0 || write_high > write_queue) return "write_high must be in [1, write_queue]";
    if (write_low >= write_high) return "write_low must be < write_high";
    if (write_idle == 0 || write_idle > write_queue) return "write_idle must be in [1, write_queue]";
    if (starvation_cap == 0) return "starvation_cap must be >= 1";
    return {};
}

const char* to_string(DramControllerConfig::Page p) { return p == DramControllerConfig::Page::Open ? "open" : "closed"; }
const char* to_string(DramControllerConfig::Scheduler s) { return s == DramControllerConfig::Scheduler::FrFcfs ? "fr-fcfs" : "fcfs"; }
const char* to_string(DramControllerConfig::Refresh r) { return r == DramControllerConfig::Refresh::AllBank ? "all_bank" : "per_bank"; }

const char* to_string(DramCommand c) {
    switch (c) {
    case DramCommand::None: return "NOP";
    case DramCommand::Act: return "ACT";
    case DramCommand::Pre: return "PRE";
    case DramCommand::Rd: return "RD";
    case DramCommand::Wr: return "WR";
    case DramCommand::Ref: return "REF";
    case DramCommand::RefPb: return "REFpb";
    case DramCommand::PreAll: return "PREA";
    }
    return "?";
}

// ---------------------------------------------------------------- histogram

uint64_t LatencyHistogram::bucket_high(size_t b) {
    if (b < 1024) return b;
    const uint32_t k = uint32_t((b - 1024) / 64) + 10, sub = uint32_t((b - 1024) % 64);
    return (uint64_t(1) << k) + (uint64_t(sub + 1) << (k - 6)) - 1;
}

void LatencyHistogram::merge(const LatencyHistogram& o) {
    if (bins_.size() < o.bins_.size()) bins_.resize(o.bins_.size(), 0);
    for (size_t i = 0; i < o.bins_.size(); ++i) bins_[i] += o.bins_[i];
    n_ += o.n_;
    sum_ += o.sum_;
    max_ = std::max(max_, o.max_);
}

uint64_t LatencyHistogram::percentile(double q) const {
    if (n_ == 0) return 0;
    uint64_t need = uint64_t(q * double(n_));
    if (double(need) < q * double(n_)) ++need;
    need = std::max<uint64_t>(need, 1);
    uint64_t acc = 0;
    for (size_t b = 0; b < bins_.size(); ++b) {
        acc += bins_[b];
        if (acc >= need) return std::min(bucket_high(b), max_);
    }
    return max_;
}

// ---------------------------------------------------------------- stats and energy

void DramChannelStats::merge(const DramChannelStats& o) {
    for (auto [a, b] : {std::pair{&reads, &o.reads}, {&writes, &o.writes}, {&reads_forwarded, &o.reads_forwarded}, {&row_hits, &o.row_hits},
                        {&row_closed, &o.row_closed}, {&row_conflicts, &o.row_conflicts}, {&activates, &o.activates},
                        {&precharges, &o.precharges}, {&refreshes, &o.refreshes}, {&refreshes_per_bank, &o.refreshes_per_bank},
                        {&refresh_stalls, &o.refresh_stalls}, {&refresh_stall_cycles, &o.refresh_stall_cycles},
                        {&refresh_postponed_cycles, &o.refresh_postponed_cycles}, {&read_to_write, &o.read_to_write},
                        {&write_to_read, &o.write_to_read}, {&write_drains, &o.write_drains}, {&commands, &o.commands},
                        {&data_busy_cycles, &o.data_busy_cycles}, {&read_service_sum, &o.read_service_sum},
                        {&write_accept_wait_sum, &o.write_accept_wait_sum}, {&active_cycles, &o.active_cycles}})
        *a += *b;
    read_latency.merge(o.read_latency);
    read_queueing.merge(o.read_queueing);
    write_queueing.merge(o.write_queueing);
    write_queue_max = std::max(write_queue_max, o.write_queue_max);
    elapsed_cycles = std::max(elapsed_cycles, o.elapsed_cycles);
}

DramEnergy& DramEnergy::operator+=(const DramEnergy& o) {
    activate += o.activate;
    read += o.read;
    write += o.write;
    refresh += o.refresh;
    background_active += o.background_active;
    background_precharged += o.background_precharged;
    return *this;
}

DramEnergy dram_energy(const DramTimingParams& p, const DramChannelStats& s) {
    DramEnergy e;
    if (!p.has_power()) return e;
    // V x mA x ns = pJ; a command acts on every device of its rank.
    const double k = p.VDD * double(p.devices) * double(p.tCK_ps) / 1000.0;
    const double tRC = double(p.tRAS) + p.tRP;
    e.activate = double(s.activates) * k * (p.IDD0 * tRC - (p.IDD3N * p.tRAS + p.IDD2N * p.tRP));
    e.read = double(s.reads) * k * (p.IDD4R - p.IDD3N) * p.tBURST();
    e.write = double(s.writes) * k * (p.IDD4W - p.IDD3N) * p.tBURST();
    const double ref = k * (p.IDD5AB - p.IDD3N) * p.tRFC;
    // A per-bank refresh refreshes 1/banks of the rank's rows: without an
    // IDD5PB figure it is charged that share of an all-bank refresh (ours).
    const double refpb = p.IDD5PB > 0 ? k * (p.IDD5PB - p.IDD3N) * p.tRFCpb : ref / double(p.banks());
    e.refresh = double(s.refreshes) * ref + double(s.refreshes_per_bank) * refpb;
    const uint64_t rank_cycles = s.elapsed_cycles * p.ranks;
    e.background_active = double(s.active_cycles) * k * p.IDD3N;
    e.background_precharged = double(rank_cycles - std::min(rank_cycles, s.active_cycles)) * k * p.IDD2N;
    return e;
}

// ---------------------------------------------------------------- channel

namespace {
inline uint64_t lb(int64_t t, uint64_t gap) {
    const int64_t v = t + int64_t(gap);
    return v > 0 ? uint64_t(v) : 0;
}
constexpr uint8_t kTypeMask = 7;
inline DramCommand type_of(uint8_t code) { return DramCommand(code & kTypeMask); }
inline uint32_t rank_of(uint8_t code) { return (code >> 3) & 3; }
inline uint32_t group_of(uint8_t code) { return code >> 5; }
inline bool is_col(uint8_t code) {
    const DramCommand t = type_of(code);
    return t == DramCommand::Rd || t == DramCommand::Wr;
}
} // namespace

DramChannel::DramChannel(const DramTimingParams& p, const DramControllerConfig& c)
    : p_(p), c_(c), banks_(size_t(p.ranks) * p.banks()), open_row_(banks_.size(), kNever), commit_at_(banks_.size(), 0), ranks_(p.ranks), groups_(size_t(p.ranks) * p.bank_groups) {
    const uint32_t B = p_.tBURST();
    lat_win_ = std::max({p_.tCCD_L, p_.tRTW, p_.CWL + B + p_.tWTR_L}) + 1;
    act_win_ = std::max(p_.tRRD_L, p_.tFAW) + 1;
    margin_ = 2 * std::max({lat_win_, act_win_, p_.CL + B + p_.tRTRS, p_.tRAS + p_.tRP}) + 64;
    const size_t ring = size_t(1) << 14;
    cmd_.assign(ring, 0);
    data_.assign(ring, 0);
    mask_ = ring - 1;
    for (uint32_t r = 0; r < p_.ranks; ++r) {
        if (c_.refresh == DramControllerConfig::Refresh::AllBank || !p_.per_bank_refresh()) {
            // Ranks refresh staggered (DRAMSim3's RANK_LEVEL_STAGGERED).
            ranks_[r].ref_due = p_.tREFI + uint64_t(r) * p_.tREFI / p_.ranks;
        } else {
            for (uint32_t b = 0; b < p_.banks(); ++b)
                banks_[size_t(r) * p_.banks() + b].refpb_due = uint64_t(p_.tREFIpb) * (b + 1) + uint64_t(r) * p_.tREFIpb / p_.ranks;
        }
    }
    update_next_due();
}

void DramChannel::grow(uint64_t x) {
    const uint64_t size = mask_ + 1;
    uint64_t n = size;
    while (x - base_ >= n) n *= 2;
    std::vector<uint8_t> c(n, 0), d(n, 0);
    const uint64_t hi = std::max(cmd_hi_, data_hi_);
    for (uint64_t t = base_; t < hi; ++t) {
        c[t & (n - 1)] = t < cmd_hi_ ? cmd_[t & mask_] : 0;
        d[t & (n - 1)] = t < data_hi_ ? data_[t & mask_] : 0;
    }
    cmd_.swap(c);
    data_.swap(d);
    mask_ = n - 1;
}

void DramChannel::put_cmd(uint64_t x, DramCommand c, uint32_t rank, uint32_t bg, uint32_t bank, uint32_t row, bool ap) {
    ensure(x);
    cmd_[x & mask_] = code(c, rank, bg);
    if (x >= cmd_hi_) cmd_hi_ = x + 1;
    ++st_.commands;
    if (record_) log_.push_back({x, c, rank, bg, bank, row, ap});
    const int64_t t = int64_t(x);
    RankState& rs = ranks_[rank];
    Track& g = groups_[bg_index(rank, bg)];
    if (c == DramCommand::Rd || c == DramCommand::Wr) {
        const bool w = c == DramCommand::Wr;
        const uint64_t e = x << 4 | bg << 1 | (w ? 1 : 0);
        if (rs.cols.empty() || rs.cols.back() < e) rs.cols.push_back(e);
        else rs.cols.insert(std::lower_bound(rs.cols.begin(), rs.cols.end(), e), e);
        if (x >= col_hi_) col_hi_ = x + 1;
        if (t > rs.t.col) rs.t.col = t;
        if (t > g.col) g.col = t;
        int64_t& rr = w ? rs.t.wr : rs.t.rd;
        int64_t& gg = w ? g.wr : g.rd;
        if (t > rr) rr = t;
        if (t > gg) gg = t;
    } else if (c == DramCommand::Act) {
        const uint64_t e = x << 3 | bg;
        if (rs.acts.empty() || rs.acts.back() < e) rs.acts.push_back(e);
        else rs.acts.insert(std::lower_bound(rs.acts.begin(), rs.acts.end(), e), e);
        if (t > rs.t.act) rs.t.act = t;
        if (t > g.act) g.act = t;
        auto& w = rs.act4;
        if (t > w[0]) {
            w[0] = t;
            for (size_t i = 0; i + 1 < w.size() && w[i] > w[i + 1]; ++i) std::swap(w[i], w[i + 1]);
        }
    }
}

void DramChannel::put_data(uint64_t d, uint32_t rank, bool write) {
    const uint32_t B = p_.tBURST();
    ensure(d + B);
    // Gaps shorter than a burst can never take one: not kept.
    if (d >= data_hi_) {
        if (d >= data_hi_ + B) gaps_.emplace_back(data_hi_, d);
    } else {
        auto it = std::upper_bound(gaps_.begin(), gaps_.end(), std::make_pair(d, kNever));
        if (it != gaps_.begin()) {
            --it;
            const uint64_t s = it->first, e = it->second;
            if (s <= d && d + B <= e) {
                const bool left = s + B <= d, right = d + 2 * B <= e;
                if (left && right) {
                    it->second = d;
                    gaps_.insert(it + 1, {d + B, e});
                } else if (left) {
                    it->second = d;
                } else if (right) {
                    it->first = d + B;
                } else {
                    gaps_.erase(it);
                }
            }
        }
    }
    for (uint64_t k = d; k < d + B; ++k) data_[k & mask_] = uint8_t(1 + rank * 2 + (write ? 1 : 0));
    if (d + B >= data_hi_) {
        data_hi_ = d + B;
        data_last_rank_ = rank;
    }
    st_.data_busy_cycles += B;
}

uint64_t DramChannel::data_fit(uint64_t d) const {
    const uint32_t B = p_.tBURST();
    if (d >= data_hi_) return d;
    auto it = std::upper_bound(gaps_.begin(), gaps_.end(), std::make_pair(d, kNever));
    if (it != gaps_.begin()) {
        auto pr = std::prev(it);
        if (pr->first <= d && d + B <= pr->second) return d;
    }
    return it != gaps_.end() ? it->first : data_hi_;
}

uint64_t DramChannel::free_slot(uint64_t x) const {
    while (cmd_at(x)) ++x;
    return x;
}

// Column command (RD/WR) at clock c for (rank, bank group), c past the
// rank's newest column command and its data past the end of the data bus
// (col_at_end): tCCD_S/L after the rank's last columns, tWTR_S/L after its
// last write data, tRTW after its last read, tRTRS after another rank's
// burst, a free command slot. Returns c when legal, else a later clock to try.
uint64_t DramChannel::col_next(uint64_t c, uint32_t rank, uint32_t bg, bool write) const {
    const uint64_t lat = write ? p_.CWL : p_.CL, B = p_.tBURST();
    const Track& r = ranks_[rank].t;
    const Track& g = groups_[bg_index(rank, bg)];
    uint64_t need = std::max({c, lb(g.col, p_.tCCD_L), lb(r.col, p_.tCCD_S)});
    if (!write) need = std::max({need, lb(g.wr, p_.CWL + B + p_.tWTR_L), lb(r.wr, p_.CWL + B + p_.tWTR_S)});
    else need = std::max(need, lb(r.rd, p_.tRTW));
    const uint64_t dmin = data_end_for(rank);
    if (need + lat < dmin) need = dmin - lat;
    while (cmd_at(need)) ++need; // another command holds the command bus: nothing above depends on the clock
    return need;
}

// ACT at clock q past the rank's newest ACT: tRRD_S/L after the rank's last
// ACTs, the fifth ACT no earlier than tFAW after the oldest of the last four.
uint64_t DramChannel::act_next(uint64_t q, uint32_t rank, uint32_t bg) const {
    if (cmd_at(q)) return q + 1;
    const Track& r = ranks_[rank].t;
    const Track& g = groups_[bg_index(rank, bg)];
    return std::max({q, lb(g.act, p_.tRRD_L), lb(r.act, p_.tRRD_S), lb(ranks_[rank].act4[0], p_.tFAW)});
}

// The data bus for a column command at c: tBURST free clocks CL/CWL later
// (data_fit) and tRTRS idle clocks between this rank's burst and another
// rank's. Returns c when legal, else a later clock to try.
uint64_t DramChannel::data_next(uint64_t c, uint32_t rank, uint64_t lat) const {
    const uint64_t d = c + lat, B = p_.tBURST(), fit = data_fit(d);
    if (fit != d) return fit - lat;
    uint64_t need = c;
    if (p_.tRTRS && p_.ranks > 1) {
        for (uint64_t x = d > p_.tRTRS ? d - p_.tRTRS : 0; x < d; ++x) {
            const uint8_t v = data_at(x);
            if (v && uint32_t(v - 1) / 2 != rank) need = std::max(need, x + 1 + p_.tRTRS - lat);
        }
        for (uint64_t x = d + B; x < d + B + p_.tRTRS; ++x) {
            const uint8_t v = data_at(x);
            if (v && uint32_t(v - 1) / 2 != rank) {
                uint64_t e = x;
                while (data_at(e)) ++e;
                need = std::max(need, e + p_.tRTRS - lat);
            }
        }
    }
    return need;
}

namespace {
// First element >= key of an ascending vector; most queries are near its end.
std::vector<uint64_t>::const_iterator from_key(const std::vector<uint64_t>& v, uint64_t key) {
    if (v.size() > 16 && v[v.size() - 16] < key) {
        auto it = v.end() - 16;
        while (it != v.end() && *it < key) ++it;
        return it;
    }
    return std::lower_bound(v.begin(), v.end(), key);
}
} // namespace

// The earliest legal column command >= c (kNever past `limit`). Behind the
// end of the timeline the rank's column commands near c are gathered once and
// candidates are tried against that list.
uint64_t DramChannel::col_slot(uint64_t c, uint32_t rank, uint32_t bg, bool write, uint64_t limit) const {
    const uint64_t lat = write ? p_.CWL : p_.CL, B = p_.tBURST();
    const uint64_t wtr_l = p_.CWL + B + p_.tWTR_L, wtr_s = p_.CWL + B + p_.tWTR_S;
    constexpr uint64_t kSpan = 64;
    struct Col {
        uint64_t t;
        bool same, wr;
    };
    Col cols[160];
    // A controller reorders within its queue: a burst may take a gap at most
    // read_queue bursts' worth of bus time after it can first go; past that
    // it queues behind everything already scheduled.
    const uint64_t window_end = c + uint64_t(c_.read_queue) * B;
    for (;;) {
        if (c > window_end) {
            const uint64_t dmin = data_end_for(rank);
            c = std::max({c, dmin > lat ? dmin - lat : 0, uint64_t(std::max<int64_t>(ranks_[rank].t.col + 1, 0))});
        }
        if (c > limit) return kNever;
        if (col_at_end(c, rank, write)) {
            const uint64_t n = col_next(c, rank, bg, write);
            if (n == c) return c;
            c = n;
            continue;
        }
        { // no free data-bus gap in the window: straight to the end
            const uint64_t fit = data_fit(c + lat);
            if (fit - lat > window_end && fit < data_hi_) {
                c = window_end + 1;
                continue;
            }
            c = std::max(c, fit - lat);
            if (c > window_end || col_at_end(c, rank, write)) continue;
        }
        // Gather the rank's column commands that can constrain [c, c + kSpan].
        int n = 0;
        const uint64_t from = c > lat_win_ ? c - lat_win_ : 0, to = c + kSpan + lat_win_ + 1;
        const std::vector<uint64_t>& v = ranks_[rank].cols;
        for (auto it = from_key(v, from << 4); it != v.end() && (*it >> 4) < to && n < 160; ++it)
            cols[n++] = {*it >> 4, ((*it >> 1) & 7) == bg, (*it & 1) != 0};
        const uint64_t stop = std::min(c + kSpan, limit);
        uint64_t next = c + kSpan + 1;
        int first = 0;
        while (c <= stop) {
            uint64_t need = c;
            if (cmd_at(c)) need = c + 1;
            while (first < n && cols[first].t + lat_win_ < c) ++first; // too early to matter
            for (int i = first; i < n && cols[i].t < c + lat_win_; ++i) {
                const Col& k = cols[i];
                if (k.t < c) {
                    uint64_t g = k.same ? p_.tCCD_L : p_.tCCD_S;
                    if (k.wr && !write) g = std::max(g, k.same ? wtr_l : wtr_s);
                    if (!k.wr && write) g = std::max<uint64_t>(g, p_.tRTW);
                    need = std::max(need, k.t + g);
                } else if (k.t > c) {
                    uint64_t c_to_k = k.same ? p_.tCCD_L : p_.tCCD_S, k_to_c = c_to_k;
                    if (!k.wr && write) c_to_k = std::max(c_to_k, k.same ? wtr_l : wtr_s), k_to_c = std::max<uint64_t>(k_to_c, p_.tRTW);
                    if (k.wr && !write) c_to_k = std::max<uint64_t>(c_to_k, p_.tRTW), k_to_c = std::max(k_to_c, k.same ? wtr_l : wtr_s);
                    if (k.t < c + c_to_k) need = std::max(need, k.t + k_to_c);
                } else {
                    need = std::max(need, c + 1);
                }
            }
            if (need == c) need = data_next(c, rank, lat);
            if (need == c) return c;
            c = need;
        }
        c = std::max(c, next);
    }
}


// tRRD and tFAW of an ACT at q against the rank's ACTs `acts` (clock << 3 |
// bank group, ascending): q when legal, else a later clock worth trying.
uint64_t DramChannel::act_need(uint64_t q, uint32_t bg, const uint64_t* acts, int n) const {
    if (cmd_at(q)) return q + 1;
    const int at = int(std::lower_bound(acts, acts + n, q << 3) - acts);
    if (at < n && (acts[at] >> 3) == q) return q + 1;
    uint64_t need = q;
    for (int i = at - 1; i >= 0 && (acts[i] >> 3) + act_win_ > q; --i) {
        const uint64_t t = acts[i] >> 3, rrd = (acts[i] & 7) == bg ? p_.tRRD_L : p_.tRRD_S;
        if (q < t + rrd) need = std::max(need, t + rrd);
    }
    for (int i = at; i < n && (acts[i] >> 3) < q + act_win_; ++i) {
        const uint64_t t = acts[i] >> 3, rrd = (acts[i] & 7) == bg ? p_.tRRD_L : p_.tRRD_S;
        if (t < q + rrd) need = std::max(need, t + rrd);
    }
    if (need != q) return need;
    // Every window of five consecutive ACTs holding q spans >= tFAW.
    for (int i = std::max(0, at - 4); i <= at; ++i) {
        const int j = i + 4; // the fifth, counting q at position `at`
        if (j > n) break;
        const uint64_t first = i == at ? q : acts[i] >> 3;
        const uint64_t last = j == at ? q : acts[j - 1] >> 3;
        if (last - first < p_.tFAW) return j == at ? first + p_.tFAW : q + 1;
    }
    return q;
}

uint64_t DramChannel::act_slot(uint64_t q, uint32_t rank, uint32_t bg) const {
    constexpr uint64_t kSpan = 64;
    uint64_t acts[96];
    for (;;) {
        if (int64_t(q) > ranks_[rank].t.act) {
            const uint64_t n = act_next(q, rank, bg);
            if (n == q) return q;
            q = n;
            continue;
        }
        const std::vector<uint64_t>& v = ranks_[rank].acts;
        const uint64_t from = q > act_win_ ? q - act_win_ : 0, to = q + kSpan + act_win_;
        int n = 0;
        for (auto it = from_key(v, from << 3); it != v.end() && (*it >> 3) < to && n < 96; ++it) acts[n++] = *it;
        const uint64_t stop = q + kSpan;
        while (q <= stop) {
            const uint64_t need = act_need(q, bg, acts, n);
            if (need == q) return q;
            q = need;
        }
    }
}

uint64_t DramChannel::act_latest(uint64_t lo, uint64_t hi, uint32_t rank, uint32_t bg) const {
    constexpr uint64_t kTries = 8;
    const uint64_t bottom = std::max(lo + 1, hi > kTries ? hi - kTries + 1 : 0);
    if (hi <= lo) return lo;
    uint64_t acts[96];
    const std::vector<uint64_t>& v = ranks_[rank].acts;
    const uint64_t from = bottom > act_win_ ? bottom - act_win_ : 0, to = hi + act_win_;
    int n = 0;
    for (auto it = from_key(v, from << 3); it != v.end() && (*it >> 3) < to && n < 96; ++it) acts[n++] = *it;
    for (uint64_t x = hi; x >= bottom; --x)
        if (act_need(x, bg, acts, n) == x) return x;
    return lo;
}

void DramChannel::close_session(uint32_t bi, Session& s, uint64_t pre) {
    s.pre = pre;
    if (&s == &banks_[bi].s.back()) open_row_[bi] = kNever;
    ranks_[bi / p_.banks()].closed.emplace(s.act, pre);
}

// Data-bus direction switches, counted as column commands are inserted
// anywhere on the timeline: the neighbours before and after (any rank).
void DramChannel::count_turnaround(uint64_t c, bool write) {
    int prev = -1, next = -1;
    if (c >= col_hi_) {
        prev = last_col_write_;
    } else {
        uint64_t best_prev = 0, best_next = kNever;
        for (const RankState& r : ranks_) {
            const auto it = std::lower_bound(r.cols.begin(), r.cols.end(), c << 4);
            if (it != r.cols.begin() && (*(it - 1) >> 4) >= best_prev) best_prev = *(it - 1) >> 4, prev = int(*(it - 1) & 1);
            if (it != r.cols.end() && (*it >> 4) < best_next) best_next = *it >> 4, next = int(*it & 1);
        }
    }
    const int me = write ? 1 : 0;
    auto bump = [&](int a, int b, int d) {
        if (a < 0 || b < 0 || a == b) return;
        uint64_t& ctr = a == 0 ? st_.read_to_write : st_.write_to_read;
        if (d > 0) ++ctr;
        else if (ctr > 0) --ctr;
    };
    bump(prev, next, -1);
    bump(prev, me, +1);
    bump(me, next, +1);
    if (next < 0) last_col_write_ = me;
}

// A column command at c into session s of bank bi (its data CL/CWL later);
// with close_after the row closes as soon as it may (auto-precharge).
void DramChannel::commit_col(uint32_t bi, Session& s, const Burst& b, uint64_t c, bool write, bool close_after) {
    const uint64_t lat = write ? p_.CWL : p_.CL;
    const uint64_t tail = write ? p_.CWL + p_.tBURST() + p_.tWR : p_.tRTP; // column -> earliest PRE
    count_turnaround(c, write);
    put_cmd(c, write ? DramCommand::Wr : DramCommand::Rd, b.rank, b.bank_group, b.bank, b.row, close_after && s.pre == kNever);
    put_data(c + lat, b.rank, write);
    uint64_t& last = write ? last_write_col_ : last_read_col_;
    last = std::max(last, c);
    if (s.pre != kNever) return;
    s.pre_ready = std::max(s.pre_ready, c + tail);
    if (close_after) {
        close_session(bi, s, s.pre_ready);
        ++st_.precharges;
    }
}

// The earliest schedule of one burst arriving at `earliest`: a column command
// into a row session that is (or can be kept) open, else a new session after
// the bank's newest one (PRE if a row is open, ACT, column), the ACT and PRE
// then moved as late as the column command allows, so the old row stays open
// for requests that still want it. A refresh that falls due first is
// scheduled before.
DramChannel::Placed DramChannel::place(const Burst& b, bool write, uint64_t earliest, bool close_after) {
    const uint32_t bi = bank_index(b);
    const uint64_t lat = write ? p_.CWL : p_.CL, B = p_.tBURST(), rcd = p_.rcd(write);
    const uint64_t tail = write ? p_.CWL + B + p_.tWR : p_.tRTP; // column -> earliest PRE
    const bool per_bank = banks_[bi].refpb_due != kNever;
    // Fast path: a row hit in the bank's open session, its column command
    // after the rank's newest one and its data after the bus's end (the
    // common case of streaming traffic). No free data-bus gap after the
    // earliest clock means nothing can go earlier than the end of the bus.
    if (open_row_[bi] == b.row) {
        Session& s = banks_[bi].s.back();
        uint64_t c = std::max(earliest, s.act + rcd);
        if (c + lat < data_hi_ && (gaps_.empty() || gaps_.back().second < c + lat + B)) c = data_hi_ - lat;
        if (col_at_end(c, b.rank, write)) {
            c = col_next(c, b.rank, b.bank_group, write); // exact in one step past the end of the timeline
            const uint64_t due = per_bank ? banks_[bi].refpb_due : ranks_[b.rank].ref_due;
            if (c < due) {
                commit_col(bi, s, b, c, write, close_after);
                ++st_.row_hits;
                return Placed{c, c, c + lat + B, RowOutcome::Hit};
            }
        }
    }
    for (;;) {
        Bank& bk = banks_[bi];
        const uint64_t due = per_bank ? bk.refpb_due : ranks_[b.rank].ref_due;
        // 1) a row hit
        size_t hit = SIZE_MAX;
        uint64_t c = kNever;
        for (size_t i = bk.s.size(), tried = 0; i-- > 0 && tried < 4; ++tried) { // the newest sessions only
            const Session& s = bk.s[i];
            if (s.pre != kNever && s.pre <= earliest) break;
            if (s.row != b.row) continue;
            const uint64_t lo = std::max(earliest, s.act + rcd);
            const uint64_t limit = s.pre == kNever ? kNever - 1 : (s.pre >= tail ? s.pre - tail : 0);
            if (lo > limit) continue;
            c = col_slot(lo, b.rank, b.bank_group, write, limit);
            if (c != kNever) {
                hit = i;
                break;
            }
        }
        if (hit != SIZE_MAX) {
            if (c >= due) {
                per_bank ? refresh_bank(bi) : refresh_rank(b.rank);
                continue;
            }
            commit_col(bi, bk.s[hit], b, c, write, close_after);
            ++st_.row_hits;
            return Placed{c, c, c + lat + B, RowOutcome::Hit};
        }
        // 2) a new row session
        Session* last = bk.s.empty() ? nullptr : &bk.s.back();
        const bool conflict = last && last->pre == kNever;
        uint64_t p = kNever, lb_rows = earliest;
        if (conflict) {
            p = free_slot(std::max(earliest, last->pre_ready));
            lb_rows = p + p_.tRP;
        } else if (last) {
            lb_rows = std::max(lb_rows, last->pre + p_.tRP);
        }
        const uint64_t q = act_slot(std::max(lb_rows, bk.act_floor), b.rank, b.bank_group);
        c = col_slot(q + rcd, b.rank, b.bank_group, write, kNever);
        if (c >= due) {
            per_bank ? refresh_bank(bi) : refresh_rank(b.rank);
            continue;
        }
        // Call mode: ACT (and PRE) as late as the column command allows, so the
        // old row stays open for calls still to come. Queue mode decides when
        // the bank frees, with the waiting requests in view: ACT at once.
        const uint64_t q2 = jit_ ? act_latest(q, c - rcd, b.rank, b.bank_group) : q;
        uint64_t p2 = p;
        if (conflict && jit_)
            for (uint64_t x = q2 - p_.tRP, n = 0; x > p && n < 8; --x, ++n)
                if (!cmd_at(x)) {
                    p2 = x;
                    break;
                }
        if (bk.floor_is_refresh && bk.act_floor > lb_rows && q2 >= bk.act_floor) {
            ++st_.refresh_stalls;
            st_.refresh_stall_cycles += bk.act_floor - lb_rows;
        }
        if (conflict) {
            put_cmd(p2, DramCommand::Pre, b.rank, b.bank_group, b.bank, last->row);
            close_session(bi, *last, p2);
            ++st_.precharges;
            ++st_.row_conflicts;
        } else {
            ++st_.row_closed;
        }
        put_cmd(q2, DramCommand::Act, b.rank, b.bank_group, b.bank, b.row);
        ++st_.activates;
        bk.s.push_back(Session{b.row, q2, kNever, q2 + p_.tRAS});
        open_row_[bi] = b.row;
        commit_col(bi, bk.s.back(), b, c, write, close_after);
        return Placed{conflict ? p2 : q2, c, c + lat + B, conflict ? RowOutcome::Conflict : RowOutcome::Closed};
    }
}

// All-bank refresh of a rank: every row closed (one PREA once the open rows
// allow it), then REF, then tRFC with no ACT. It goes after everything the
// rank already has on its timeline (those commands were promised).
void DramChannel::refresh_rank(uint32_t rank) {
    RankState& rk = ranks_[rank];
    const uint64_t due = rk.ref_due;
    uint64_t pa = due, after = due;
    bool any_open = false;
    const uint32_t nb = p_.banks();
    for (uint32_t i = 0; i < nb; ++i) {
        const Bank& bk = banks_[size_t(rank) * nb + i];
        after = std::max(after, bk.act_floor);
        if (bk.s.empty()) continue;
        const Session& s = bk.s.back();
        if (s.pre == kNever) {
            any_open = true;
            pa = std::max(pa, s.pre_ready);
        } else {
            after = std::max(after, s.pre + p_.tRP);
        }
    }
    if (any_open) {
        pa = free_slot(pa);
        put_cmd(pa, DramCommand::PreAll, rank, 0, 0, 0);
        for (uint32_t i = 0; i < nb; ++i) {
            Bank& bk = banks_[size_t(rank) * nb + i];
            if (!bk.s.empty() && bk.s.back().pre == kNever) {
                close_session(rank * nb + i, bk.s.back(), pa);
                ++st_.precharges;
            }
        }
        after = std::max(after, pa + p_.tRP);
    }
    const uint64_t r = free_slot(after);
    put_cmd(r, DramCommand::Ref, rank, 0, 0, 0);
    for (uint32_t i = 0; i < nb; ++i) {
        Bank& bk = banks_[size_t(rank) * nb + i];
        bk.act_floor = std::max(bk.act_floor, r + p_.tRFC);
        bk.floor_is_refresh = true;
    }
    ++st_.refreshes;
    st_.refresh_postponed_cycles += r - due;
    rk.ref_due += p_.tREFI;
    update_next_due();
}

// The refresh (all-bank of a rank, or per bank) that falls due first.
void DramChannel::refresh_next() {
    for (uint32_t r = 0; r < p_.ranks; ++r)
        if (ranks_[r].ref_due == next_due_) return refresh_rank(r);
    for (uint32_t i = 0; i < banks_.size(); ++i)
        if (banks_[i].refpb_due == next_due_) return refresh_bank(i);
}

void DramChannel::update_next_due() {
    next_due_ = kNever;
    for (const RankState& r : ranks_) next_due_ = std::min(next_due_, r.ref_due);
    for (const Bank& b : banks_) next_due_ = std::min(next_due_, b.refpb_due);
}

// Per-bank refresh (LPDDR4 REFpb, HBM2 REFSB): the rank's banks take turns,
// one every tREFIpb; only the refreshed bank is blocked, for tRFCpb.
void DramChannel::refresh_bank(uint32_t bi) {
    Bank& bk = banks_[bi];
    const uint64_t due = bk.refpb_due;
    const uint32_t rank = bi / p_.banks(), bg = (bi % p_.banks()) / p_.banks_per_group, bank = bi % p_.banks_per_group;
    uint64_t after = std::max(due, bk.act_floor);
    if (!bk.s.empty()) {
        Session& s = bk.s.back();
        if (s.pre == kNever) {
            const uint64_t p = free_slot(std::max(due, s.pre_ready));
            put_cmd(p, DramCommand::Pre, rank, bg, bank, s.row);
            close_session(bi, s, p);
            ++st_.precharges;
            after = std::max(after, p + p_.tRP);
        } else {
            after = std::max(after, s.pre + p_.tRP);
        }
    }
    const uint64_t r = free_slot(after);
    put_cmd(r, DramCommand::RefPb, rank, bg, bank, 0);
    bk.act_floor = r + p_.tRFCpb;
    bk.floor_is_refresh = true;
    ++st_.refreshes_per_bank;
    st_.refresh_postponed_cycles += r - due;
    bk.refpb_due += uint64_t(p_.tREFIpb) * p_.banks();
    update_next_due();
}

// Merges closed row sessions (by ACT time) into per-rank "some row open"
// coverage for the background energy; only sessions that can no longer be
// preceded by a new one (ACT before `limit`) are merged.
void DramChannel::coverage(uint32_t rank, uint64_t limit) {
    RankState& rk = ranks_[rank];
    const uint32_t nb = p_.banks();
    for (uint32_t i = 0; i < nb; ++i) {
        const Bank& bk = banks_[size_t(rank) * nb + i];
        if (!bk.s.empty() && bk.s.back().pre == kNever) limit = std::min(limit, bk.s.back().act);
    }
    while (!rk.closed.empty() && rk.closed.top().first < limit) {
        const auto [a, e] = rk.closed.top();
        rk.closed.pop();
        if (!rk.cov) {
            rk.cov = true;
            rk.cov_s = a;
            rk.cov_e = e;
        } else if (a > rk.cov_e) {
            st_.active_cycles += rk.cov_e - rk.cov_s;
            rk.cov_s = a;
            rk.cov_e = e;
        } else {
            rk.cov_e = std::max(rk.cov_e, e);
        }
    }
}

void DramChannel::retire_slow(uint64_t t) {
    auto advance = [&](uint64_t nb) { // forget the timeline before nb
        if (nb <= base_ + 4096 && nb < base_ + (mask_ + 1) / 2) return;
        const uint64_t hi = std::min(nb, std::max(cmd_hi_, data_hi_));
        const uint64_t size = mask_ + 1;
        if (hi > base_) {
            if (hi - base_ >= size) {
                std::fill(cmd_.begin(), cmd_.end(), 0);
                std::fill(data_.begin(), data_.end(), 0);
            } else {
                const uint64_t a = base_ & mask_, n = hi - base_, first = std::min(n, size - a);
                std::memset(&cmd_[a], 0, first);
                std::memset(&data_[a], 0, first);
                if (n > first) {
                    std::memset(&cmd_[0], 0, n - first);
                    std::memset(&data_[0], 0, n - first);
                }
            }
        }
        base_ = nb;
        size_t g = 0;
        while (g < gaps_.size() && gaps_[g].second <= nb) ++g;
        gaps_.erase(gaps_.begin(), gaps_.begin() + long(g));
        for (Bank& bk : banks_) {
            size_t keep = 0;
            while (keep + 1 < bk.s.size() && bk.s[keep].pre != kNever && bk.s[keep].pre + p_.tRP < nb) ++keep;
            if (keep) bk.s.erase(bk.s.begin(), bk.s.begin() + long(keep));
        }
        for (uint32_t r = 0; r < p_.ranks; ++r) {
            coverage(r, nb);
            auto& v = ranks_[r].acts;
            v.erase(v.begin(), std::lower_bound(v.begin(), v.end(), (nb > act_win_ ? nb - act_win_ : 0) << 3));
            auto& w = ranks_[r].cols;
            w.erase(w.begin(), std::lower_bound(w.begin(), w.end(), (nb > lat_win_ ? nb - lat_win_ : 0) << 4));
        }
    };
    // Refreshes that fell due before t, oldest first (an idle channel still refreshes).
    while (next_due_ < t) {
        const uint64_t due = next_due_;
        if (due > margin_) advance(std::min(due - margin_, t > margin_ ? t - margin_ : 0));
        refresh_next();
    }
    if (t > margin_) advance(t - margin_);
}

// ---------------------------------------------------------------- write queue and FR-FCFS

bool DramChannel::forwarded(const Burst& b) const {
    const uint32_t h = wbit(b.key);
    if (!(wmask_[h >> 6] >> (h & 63) & 1)) return false;
    for (uint64_t k : wkeys_)
        if (k == b.key) return true;
    return false;
}

void DramChannel::push_write(const Burst& b, uint64_t arrival, uint64_t accepted, uint64_t tag) {
    Pending w;
    w.b = b;
    w.arrival = arrival;
    w.accepted = accepted;
    w.tag = tag;
    w.bi = bank_index(b);
    wq_.push_back(w);
    wkeys_.push_back(b.key);
    wmask_[wbit(b.key) >> 6] |= uint64_t(1) << (wbit(b.key) & 63);
    st_.write_queue_max = std::max<uint64_t>(st_.write_queue_max, wq_.size());
}

void DramChannel::record_read(uint64_t arrival, const Placed& pl) {
    ++st_.reads;
    st_.read_latency.add(pl.end - arrival);
    st_.read_queueing.add(pl.first - arrival);
    st_.read_service_sum += pl.end - pl.first;
}

void DramChannel::record_forward() {
    ++st_.reads_forwarded;
    st_.read_latency.add(1);
    st_.read_queueing.add(0);
}

void DramChannel::record_write(uint64_t arrival, const Placed& pl) {
    ++st_.writes;
    st_.write_queueing.add(pl.col - std::min(pl.col, arrival));
}

// Older requests to the chosen one's bank (another row, ready by `by`) were passed once more.
void DramChannel::note_bypass(std::vector<Pending>& q, size_t chosen, bool write, uint64_t by) {
    const uint32_t bi = q[chosen].bi;
    for (size_t i = 0; i < chosen; ++i)
        if (q[i].bi == bi && q[i].b.row != q[chosen].b.row && ready_at(q[i], write) <= by) ++q[i].bypass;
}

bool DramChannel::row_wanted(const std::vector<Pending>& q, size_t skip, const Burst& b) const {
    const uint32_t bi = bank_index(b);
    for (size_t i = 0; i < q.size(); ++i)
        if (i != skip && q[i].b.row == b.row && q[i].bi == bi) return true;
    return false;
}

// Queue mode: the write `chosen` (FR-FCFS among those ready first) to the DRAM.
DramChannel::Placed DramChannel::drain_one(size_t i) {
    const uint64_t by = ready_at(wq_[i], true);
    note_bypass(wq_, i, true, by);
    const Pending w = wq_[i];
    const bool close = c_.page == DramControllerConfig::Page::Closed && !row_wanted(wq_, i, w.b) && !row_wanted(rq_, SIZE_MAX, w.b);
    wq_.erase(wq_.begin() + long(i));
    wkeys_.erase(wkeys_.begin() + long(i));
    rebuild_wmask();
    const Placed pl = place(w.b, true, std::max(by, retired_), close);
    commit_at_[w.bi] = pl.col;
    record_write(w.arrival, pl);
    return pl;
}

void DramChannel::rebuild_wmask() {
    wmask_.fill(0);
    for (uint64_t k : wkeys_) wmask_[wbit(k) >> 6] |= uint64_t(1) << (wbit(k) & 63);
}

// Call mode: n queued writes in FR-FCFS order (each time the oldest one that
// hits a row open at that point, else the oldest), after the reads already
// scheduled: the data bus turns around once per drain, as in queue mode.
void DramChannel::drain_batch(uint64_t at, size_t n, uint64_t* first_col) {
    n = std::min(n, wq_.size());
    if (n == 0) return;
    ++st_.write_drains;
    used_.assign(wq_.size(), 0);
    drain_from_ = kNever;
    const bool closed = c_.page == DramControllerConfig::Page::Closed, fcfs = c_.scheduler == DramControllerConfig::Scheduler::Fcfs;
    size_t oldest = 0;
    for (size_t k = 0; k < n; ++k) {
        while (used_[oldest]) ++oldest;
        size_t i = oldest;
        if (!fcfs)
            for (size_t j = oldest; j < wq_.size(); ++j)
                if (!used_[j] && open_row_[wq_[j].bi] == wq_[j].b.row) {
                    i = j;
                    break;
                }
        used_[i] = 1;
        const Pending& w = wq_[i];
        bool close = false;
        if (closed) { // keep the row open for a later write of this drain to it
            close = true;
            for (size_t j = 0; j < wq_.size() && close; ++j)
                if (!used_[j] && wq_[j].bi == w.bi && wq_[j].b.row == w.b.row) close = false;
        }
        const Placed pl = place(w.b, true, std::max({w.accepted, at, retired_, last_read_col_}), close);
        record_write(w.arrival, pl);
        drain_from_ = std::min(drain_from_, pl.col);
        drain_to_ = std::max(drain_to_, pl.col);
    }
    if (first_col) *first_col = drain_from_;
    size_t out = 0;
    for (size_t i = 0; i < wq_.size(); ++i)
        if (!used_[i]) {
            wq_[out] = wq_[i];
            wkeys_[out] = wkeys_[i];
            ++out;
        }
    wq_.resize(out);
    wkeys_.resize(out);
    rebuild_wmask();
}

// ---------------------------------------------------------------- call mode

uint64_t DramChannel::lt_read(const Burst& b, uint64_t arrival, bool more_in_row) {
    const uint64_t a = std::max(arrival, retired_);
    if (forwarded(b)) {
        record_forward();
        return a + 1;
    }
    const bool close = c_.page == DramControllerConfig::Page::Closed && !more_in_row;
    // A read that arrives while a drain's writes are being issued waits for
    // the drain (the bus turns around once); one that arrives before it may
    // take a gap in front.
    const uint64_t earliest = a >= drain_from_ && a < drain_to_ ? drain_to_ : a;
    const Placed pl = place(b, false, earliest, close);
    record_read(arrival, pl);
    return pl.end;
}

uint64_t DramChannel::lt_write(const Burst& b, uint64_t arrival) {
    uint64_t acc = std::max(arrival, retired_);
    if (wq_.size() >= c_.write_queue) { // full: drain to the low watermark; the first freed entry takes it
        uint64_t freed = kNever;
        drain_batch(acc, std::max<size_t>(1, wq_.size() - std::min<size_t>(wq_.size(), c_.write_low)), &freed);
        st_.write_accept_wait_sum += std::max(acc, freed) - acc;
        acc = std::max(acc, freed);
    }
    push_write(b, arrival, acc, 0);
    if (wq_.size() >= c_.write_high) drain_batch(acc, wq_.size() - std::min<size_t>(wq_.size(), c_.write_low), nullptr);
    else if (wq_.size() >= c_.write_idle && cmd_hi_ <= acc && data_hi_ <= acc) drain_batch(acc, wq_.size(), nullptr); // nothing else to do
    return acc + 1; // posted: acknowledged the clock after it is accepted (as DRAMSim3)
}

// ---------------------------------------------------------------- queue mode

bool DramChannel::q_full(bool write) const { return write ? wq_.size() >= c_.write_queue : rq_.size() >= c_.read_queue; }

void DramChannel::q_push(const Burst& b, bool write, uint64_t arrival, uint64_t tag) {
    jit_ = false;
    if (write) {
        push_write(b, arrival, arrival, tag);
        done_.push_back({tag, arrival, arrival + 1, true});
        return;
    }
    if (forwarded(b)) {
        record_forward();
        done_.push_back({tag, arrival, arrival + 1, false});
        return;
    }
    Pending r;
    r.b = b;
    r.arrival = r.accepted = arrival;
    r.tag = tag;
    r.bi = bank_index(b);
    rq_.push_back(r);
}

// FR-FCFS among the requests that are ready first (at `at`): in queue mode
// these are the waiting requests of the bank that frees first, so this is
// per-bank FR-FCFS as in DRAMSim3's command queues.
size_t DramChannel::pick_ready(const std::vector<Pending>& q, bool write, uint64_t& at) const {
    at = kNever;
    size_t first = SIZE_MAX, hit = SIZE_MAX, starved = SIZE_MAX;
    const bool fcfs = c_.scheduler == DramControllerConfig::Scheduler::Fcfs;
    for (size_t i = 0; i < q.size(); ++i) {
        const uint64_t r = ready_at(q[i], write);
        if (r > at) continue;
        if (r < at) {
            at = r;
            first = i;
            hit = starved = SIZE_MAX;
        }
        if (fcfs) continue;
        if (starved == SIZE_MAX && q[i].bypass >= c_.starvation_cap) starved = i;
        if (hit == SIZE_MAX && open_row_of(q[i].bi) == q[i].b.row) hit = i;
    }
    return starved != SIZE_MAX ? starved : hit != SIZE_MAX ? hit : first;
}

// The next decision (queue mode): the earliest moment a waiting request is
// ready (ready_at) in the current direction, or a write drain starts (the
// write queue reached write_high, or write_idle writes wait and no read).
DramChannel::Action DramChannel::next_action(uint64_t& at, size_t& choice) const {
    if (draining_) {
        choice = pick_ready(wq_, true, at);
        return wq_.empty() ? Action::None : Action::Write;
    }
    choice = pick_ready(rq_, false, at);
    uint64_t drain = kNever;
    if (wq_.size() >= c_.write_high) drain = wq_[c_.write_high - 1].accepted;
    else if (rq_.empty() && wq_.size() >= c_.write_idle) drain = wq_[c_.write_idle - 1].accepted;
    if (drain != kNever && drain <= at) {
        at = drain;
        return Action::StartDrain;
    }
    return at == kNever ? Action::None : Action::Read;
}

bool DramChannel::q_step() {
    uint64_t D;
    size_t i;
    const Action a = next_action(D, i);
    if (a == Action::None) return false;
    q_do(a, D, i);
    return true;
}

void DramChannel::q_do(Action a, uint64_t D, size_t i) {
    // Both queues are in arrival order: their fronts are the oldest.
    retire(std::min({D, rq_.empty() ? kNever : rq_.front().arrival, wq_.empty() ? kNever : wq_.front().accepted}));
    decided_ = std::max(decided_, D);
    if (a == Action::StartDrain) {
        // Turn the bus around once: the drain goes after the reads already scheduled.
        draining_ = true;
        drain_left_ = uint32_t(wq_.size() >= c_.write_high ? wq_.size() - std::min<size_t>(wq_.size(), c_.write_low) : wq_.size());
        write_barrier_ = std::max(D, last_read_col_);
        ++st_.write_drains;
        return;
    }
    if (a == Action::Write) {
        drain_one(i);
        if (--drain_left_ == 0 || wq_.empty()) {
            draining_ = false;
            read_barrier_ = last_write_col_; // reads follow the drain
        }
        return;
    }
    note_bypass(rq_, i, false, D);
    const Pending r = rq_[i];
    const bool close = c_.page == DramControllerConfig::Page::Closed && !row_wanted(rq_, i, r.b) && !row_wanted(wq_, SIZE_MAX, r.b);
    rq_.erase(rq_.begin() + long(i));
    const Placed pl = place(r.b, false, std::max(D, retired_), close);
    commit_at_[r.bi] = pl.col;
    record_read(r.arrival, pl);
    done_.push_back({r.tag, r.arrival, pl.end, false});
}

void DramChannel::q_run(uint64_t until) {
    for (;;) {
        uint64_t D;
        size_t i;
        const Action a = next_action(D, i);
        if (a == Action::None || D >= until) return;
        q_do(a, D, i);
    }
}

uint64_t DramChannel::q_room(bool write, uint64_t t) {
    while (q_full(write)) {
        const size_t before = write ? wq_.size() : rq_.size();
        if (!q_step()) return t; // cannot happen with a valid config (a full queue is always decidable)
        if ((write ? wq_.size() : rq_.size()) < before) return std::max(t, decided_);
    }
    return t;
}

// ---------------------------------------------------------------- end of run

void DramChannel::finish(uint64_t end) {
    if (finished_) return;
    finished_ = true;
    while (q_step()) {
    }
    drain_batch(0, wq_.size(), nullptr);
    uint64_t elapsed = std::max({end, cmd_hi_, data_hi_});
    while (next_due_ < elapsed) { // refreshes due during the run
        refresh_next();
        elapsed = std::max({elapsed, cmd_hi_, data_hi_});
    }
    for (uint32_t bi = 0; bi < banks_.size(); ++bi) {
        Bank& bk = banks_[bi];
        if (!bk.s.empty() && bk.s.back().pre == kNever) close_session(bi, bk.s.back(), std::max(bk.s.back().act, elapsed));
    }
    for (uint32_t r = 0; r < p_.ranks; ++r) {
        coverage(r, kNever);
        RankState& rk = ranks_[r];
        if (rk.cov) st_.active_cycles += std::min(rk.cov_e, elapsed) - std::min(rk.cov_s, elapsed);
        rk.cov = false;
    }
    st_.elapsed_cycles = elapsed;
}

} // namespace dynavp
