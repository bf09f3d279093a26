// DRAM channel controller (*what* and *when* of every DRAM command, pure C++,
// no SystemC). Times are DRAM clock cycles.
//
// The channel keeps a timeline of the commands it has scheduled: a command-bus
// slot per clock, the data bus, and per bank its row "sessions" (ACT .. PRE).
// A burst is scheduled at the earliest clock that satisfies every timing rule
// against every command already on the timeline, before *and after* it, so
// requests to different banks overlap (bank-level parallelism) and a request
// may take a gap left in front of commands promised earlier. Two front ends
// feed it:
//  - queue mode (`q_*`): a read queue and a write queue with FR-FCFS
//    scheduling (row hits first, then oldest, with a starvation cap), write
//    draining by watermarks, posted writes. Requests are decided in time
//    order, when the data bus is about to need one: what DRAMSim3's
//    controller does, used for trace replay (`dynavp bench dram`).
//  - call mode (`lt_*`): the board's loosely-timed masters need a read's
//    completion when their call returns, so a read is scheduled as it
//    arrives (FR-FCFS applies among the bursts of one call); writes are
//    posted into the write queue and drained by watermarks as in queue mode.
// Refresh (all-bank per rank, staggered; or per bank where the device has
// it) closes the rows and blocks the banks. Energy follows Micron's DDR4
// power calculation (TN-40-07) as DRAMSim3 implements it.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <queue>
#include <string>
#include <vector>

#include "dram_timing.h"

namespace dynavp {

struct DramControllerConfig {
    enum class Page { Open, Closed };
    enum class Scheduler { FrFcfs, Fcfs };
    enum class Refresh { AllBank, PerBank };
    Page page = Page::Open;
    Scheduler scheduler = Scheduler::FrFcfs;
    Refresh refresh = Refresh::AllBank;
    // Defaults are DRAMSim3's controller (src/controller.cc, configs/*.ini):
    // 32-entry transaction queues, a write buffer drained when full, or when
    // more than 8 writes wait and no read does, down to empty; at most 4 row
    // hits go ahead of an older request to the same bank (ArbitratePrecharge).
    uint32_t read_queue = 32;     // reads waiting for the scheduler (queue mode)
    uint32_t write_queue = 32;    // posted writes
    uint32_t write_high = 32;     // a drain starts when this many writes wait ...
    uint32_t write_low = 0;       // ... and stops at this many
    uint32_t write_idle = 9;      // with no read waiting, drain once this many writes wait
    uint32_t starvation_cap = 4;  // younger requests served ahead of an older one to the same bank
    std::string validate() const; // empty when consistent, else the reason
};
const char* to_string(DramControllerConfig::Page p);
const char* to_string(DramControllerConfig::Scheduler s);
const char* to_string(DramControllerConfig::Refresh r);

// Latencies in DRAM clocks: exact below 1024, then 64 buckets per power of two
// (percentiles within 1.6%). Percentiles are integer clocks.
class LatencyHistogram {
public:
    void add(uint64_t v) {
        const size_t b = bucket(v);
        if (b >= bins_.size()) bins_.resize(std::max<size_t>(b + 1, 1024 + 8 * 64), 0);
        ++bins_[b];
        ++n_;
        sum_ += v;
        max_ = std::max(max_, v);
    }
    void merge(const LatencyHistogram& o);
    uint64_t count() const { return n_; }
    uint64_t sum() const { return sum_; }
    uint64_t max() const { return max_; }
    double mean() const { return n_ ? double(sum_) / double(n_) : 0.0; }
    uint64_t percentile(double q) const; // smallest bucket bound holding >= q of the samples

private:
    static size_t bucket(uint64_t v) {
        if (v < 1024) return size_t(v);
        const uint32_t k = 63 - uint32_t(__builtin_clzll(v)); // 2^k <= v < 2^(k+1), k >= 10
        return 1024 + size_t(k - 10) * 64 + size_t((v - (uint64_t(1) << k)) >> (k - 6));
    }
    static uint64_t bucket_high(size_t b);
    std::vector<uint64_t> bins_;
    uint64_t n_ = 0, sum_ = 0, max_ = 0;
};

enum class RowOutcome { Hit, Closed, Conflict };

struct DramChannelStats {
    uint64_t reads = 0, writes = 0;                    // bursts served by the DRAM
    uint64_t reads_forwarded = 0;                      // reads served from the write queue
    uint64_t row_hits = 0, row_closed = 0, row_conflicts = 0;
    uint64_t activates = 0, precharges = 0, refreshes = 0, refreshes_per_bank = 0;
    uint64_t refresh_stalls = 0, refresh_stall_cycles = 0; // bursts whose ACT waited for a refresh, and how long
    uint64_t refresh_postponed_cycles = 0;             // refreshes issued after their due time (rows in use)
    uint64_t read_to_write = 0, write_to_read = 0;     // data-bus direction switches
    uint64_t write_drains = 0;
    uint64_t commands = 0, data_busy_cycles = 0;
    LatencyHistogram read_latency;    // arrival -> last data beat
    LatencyHistogram read_queueing;   // arrival -> first command for the burst
    LatencyHistogram write_queueing;  // arrival -> its write command (posted: not seen by the master)
    uint64_t read_service_sum = 0;    // first command -> last data beat
    uint64_t write_accept_wait_sum = 0; // arrival -> accepted into a full write queue
    uint64_t write_queue_max = 0;
    uint64_t active_cycles = 0;       // rank-cycles with at least one row open (sum over ranks)
    uint64_t elapsed_cycles = 0;      // 0 .. the last scheduled activity (set by finish())
    void merge(const DramChannelStats& o); // another channel's: counts add, maxima and elapsed take the larger
};

// Energy of a channel's counters, pJ (Micron TN-40-07 / DRAMSim3's Config::InitPowerParams).
struct DramEnergy {
    double activate = 0, read = 0, write = 0, refresh = 0, background_active = 0, background_precharged = 0;
    double total() const { return activate + read + write + refresh + background_active + background_precharged; }
    DramEnergy& operator+=(const DramEnergy& o);
};
DramEnergy dram_energy(const DramTimingParams& p, const DramChannelStats& s);

// One recorded command (tests, `--cmd-trace`).
enum class DramCommand : uint8_t { None = 0, Act = 1, Pre = 2, Rd = 3, Wr = 4, Ref = 5, RefPb = 6, PreAll = 7 };
const char* to_string(DramCommand c);
struct DramCommandRecord {
    uint64_t cycle = 0;
    DramCommand cmd = DramCommand::None;
    uint32_t rank = 0, bank_group = 0, bank = 0, row = 0;
    bool auto_precharge = false;
};

class DramChannel {
public:
    struct Burst {
        uint32_t rank = 0, bank_group = 0, bank = 0, row = 0, column = 0; // bank within its group
        uint64_t key = 0; // the burst's address (same address = same data), for write-queue forwarding
    };
    struct Placed {
        uint64_t first = 0, col = 0, end = 0; // first command, column command, last data beat
        RowOutcome outcome = RowOutcome::Hit;
    };
    struct Done {
        uint64_t tag = 0, arrival = 0, done = 0;
        bool write = false;
    };

    DramChannel(const DramTimingParams& p, const DramControllerConfig& c);
    const DramTimingParams& params() const { return p_; }
    const DramControllerConfig& config() const { return c_; }

    // ---- call mode (the board): completion of a read (last data beat),
    // acceptance of a posted write. `more_in_row`: the caller's next burst
    // uses the same row (closed-page policy keeps it open for it).
    uint64_t lt_read(const Burst& b, uint64_t arrival, bool more_in_row = false);
    uint64_t lt_write(const Burst& b, uint64_t arrival);
    // No request will arrive before `t`: history older than the longest
    // timing window is forgotten, refreshes due before `t` are scheduled.
    void retire(uint64_t t) {
        if (t <= retired_) return;
        retired_ = t;
        if (t > next_due_ || t > base_ + margin_ + 4096) retire_slow(t);
    }

    // ---- queue mode (trace replay): push in arrival order; q_run(t)
    // makes every decision that falls before t.
    bool q_full(bool write) const;
    uint64_t q_room(bool write, uint64_t t); // earliest time >= t a request of this kind can enter
    void q_push(const Burst& b, bool write, uint64_t arrival, uint64_t tag);
    void q_run(uint64_t until);
    bool q_step();  // one decision, whatever its time; false when nothing is waiting
    std::vector<Done>& q_done() { return done_; } // completions so far (the caller clears it)

    // End of the run at `end`: drain the write queue, refresh up to the end,
    // close the books (elapsed time, background energy). Call once; stats()
    // is final afterwards.
    void finish(uint64_t end);
    const DramChannelStats& stats() const { return st_; }
    uint64_t last_data() const { return data_hi_; }
    size_t write_queue_size() const { return wq_.size(); }

    void record_commands(bool on) { record_ = on; }
    const std::vector<DramCommandRecord>& commands() const { return log_; }

    static constexpr uint64_t kNever = ~uint64_t(0);

private:
    struct Session {
        uint32_t row = 0;
        uint64_t act = 0, pre = kNever, pre_ready = 0; // pre == kNever: still open
    };
    struct Bank {
        std::vector<Session> s;  // oldest first
        uint64_t act_floor = 0;  // no ACT before (end of a refresh)
        bool floor_is_refresh = false;
        uint64_t refpb_due = kNever;
    };
    struct Track { // newest commands, for the fast path past the end of the timeline
        int64_t act = kFar, col = kFar, rd = kFar, wr = kFar;
    };
    struct RankState {
        Track t;
        std::array<int64_t, 4> act4{kFar, kFar, kFar, kFar}; // four newest ACTs, ascending
        std::vector<uint64_t> acts; // ACTs on the timeline, (clock << 3 | bank group), ascending
        std::vector<uint64_t> cols; // column commands, (clock << 4 | bank group << 1 | write), ascending
        uint64_t ref_due = kNever;
        std::priority_queue<std::pair<uint64_t, uint64_t>, std::vector<std::pair<uint64_t, uint64_t>>, std::greater<>> closed; // (act, pre)
        uint64_t cov_s = 0, cov_e = 0; // open-row coverage being merged
        bool cov = false;
    };
    struct Pending {
        Burst b;
        uint64_t arrival = 0, tag = 0, accepted = 0;
        uint32_t bypass = 0, bi = 0; // bi: flat bank index
    };
    static constexpr int64_t kFar = -(int64_t(1) << 40);

    uint32_t bank_index(const Burst& b) const { return (b.rank * p_.bank_groups + b.bank_group) * p_.banks_per_group + b.bank; }
    uint32_t bg_index(uint32_t rank, uint32_t bg) const { return rank * p_.bank_groups + bg; }
    // Timeline slots.
    uint8_t cmd_at(uint64_t x) const { return x < base_ || x >= cmd_hi_ ? 0 : cmd_[x & mask_]; }
    uint8_t data_at(uint64_t x) const { return x < base_ || x >= data_hi_ ? 0 : data_[x & mask_]; }
    void ensure(uint64_t x) {
        if (x - base_ > mask_) grow(x);
    }
    void grow(uint64_t x);
    static uint8_t code(DramCommand c, uint32_t rank, uint32_t bg) { return uint8_t(uint32_t(c) | rank << 3 | bg << 5); }
    void put_cmd(uint64_t x, DramCommand c, uint32_t rank, uint32_t bg, uint32_t bank, uint32_t row, bool ap = false);
    void put_data(uint64_t d, uint32_t rank, bool write);
    // The *_next checks return x when a command at x is legal, else a later
    // clock worth trying; col_next and act_next only past the end of the
    // rank's timeline (the *_slot searches handle the rest).
    uint64_t col_next(uint64_t c, uint32_t rank, uint32_t bg, bool write) const;
    uint64_t act_next(uint64_t q, uint32_t rank, uint32_t bg) const;
    uint64_t data_next(uint64_t c, uint32_t rank, uint64_t lat) const;
    uint64_t col_slot(uint64_t c, uint32_t rank, uint32_t bg, bool write, uint64_t limit) const;
    // Past the rank's newest column command and the end of the data bus only
    // earlier commands constrain a column command: its earliest legal clock.
    bool col_at_end(uint64_t c, uint32_t rank, bool write) const {
        return int64_t(c) > ranks_[rank].t.col && c + (write ? p_.CWL : p_.CL) >= data_hi_;
    }
    uint64_t act_slot(uint64_t q, uint32_t rank, uint32_t bg) const;
    uint64_t act_latest(uint64_t lo, uint64_t hi, uint32_t rank, uint32_t bg) const; // latest legal ACT in (lo, hi], else lo
    uint64_t act_need(uint64_t q, uint32_t bg, const uint64_t* acts, int n) const;
    uint64_t free_slot(uint64_t x) const;
    uint64_t data_fit(uint64_t d) const; // earliest d' >= d with tBURST free data clocks
    Placed place(const Burst& b, bool write, uint64_t earliest, bool close_after);
    void retire_slow(uint64_t t);
    void refresh_next();
    void refresh_rank(uint32_t rank);
    void refresh_bank(uint32_t bi);
    void close_session(uint32_t bi, Session& s, uint64_t pre);
    void count_turnaround(uint64_t c, bool write);
    void coverage(uint32_t rank, uint64_t limit);
    // One more column command of `rank` may start its data here: the end of
    // the data bus, after tRTRS idle clocks if another rank's burst ends it.
    uint64_t data_end_for(uint32_t rank) const { return data_hi_ + (data_hi_ > 0 && data_last_rank_ != rank ? p_.tRTRS : 0); }
    // Stats of a read served (or forwarded from the write queue) and of a write drained.
    void record_read(uint64_t arrival, const Placed& pl);
    void record_forward();
    void record_write(uint64_t arrival, const Placed& pl);
    // Queue mode: when a waiting request may be decided: once it has arrived,
    // its bank has issued the column command of the request before it (a bank
    // serves one request at a time; DRAMSim3 keeps per-bank command queues)
    // and the data bus has turned to its direction (reads wait out a write
    // drain, a drain waits for the reads already scheduled).
    uint64_t ready_at(const Pending& r, bool write) const {
        return std::max({r.accepted, commit_at_[r.bi], write ? write_barrier_ : read_barrier_});
    }
    void note_bypass(std::vector<Pending>& q, size_t chosen, bool write, uint64_t by);
    bool row_wanted(const std::vector<Pending>& q, size_t skip, const Burst& b) const;
    Placed drain_one(size_t chosen);
    void commit_col(uint32_t bi, Session& s, const Burst& b, uint64_t c, bool write, bool close_after);
    void push_write(const Burst& b, uint64_t arrival, uint64_t accepted, uint64_t tag);
    bool forwarded(const Burst& b) const;
    uint64_t open_row_of(uint32_t bi) const { return open_row_[bi]; } // kNever when closed

    DramTimingParams p_;
    DramControllerConfig c_;
    uint32_t lat_win_ = 0, act_win_ = 0, margin_ = 0;
    std::vector<Bank> banks_;
    std::vector<uint64_t> open_row_;     // per bank: the row of its open session, kNever when closed
    std::vector<uint64_t> commit_at_;    // queue mode, per bank: when it takes its next request (its newest column command)
    std::vector<RankState> ranks_;
    std::vector<Track> groups_;          // per rank x bank group
    std::vector<uint8_t> cmd_, data_;    // the timeline, a ring over [base_, base_ + size)
    uint64_t mask_ = 0, base_ = 0, cmd_hi_ = 0, data_hi_ = 0;
    uint64_t col_hi_ = 0;                // one past the newest column command
    uint32_t data_last_rank_ = 0;
    int last_col_write_ = -1;            // direction of the newest column command (-1 none)
    std::vector<std::pair<uint64_t, uint64_t>> gaps_; // free data-bus intervals [start, end) >= a burst, below data_hi_, ascending
    uint64_t retired_ = 0;
    std::vector<Pending> rq_, wq_;
    std::vector<uint64_t> wkeys_;         // wq_[i].b.key, for forwarding
    std::array<uint64_t, 4> wmask_{};     // a bit per hash of a queued write's key: most reads miss it
    static uint32_t wbit(uint64_t key) { return uint32_t(((key >> 6) * 0x9E3779B97F4A7C15ull) >> 56); }
    void rebuild_wmask();
    void drain_batch(uint64_t at, size_t n, uint64_t* first_col);
    std::vector<uint8_t> used_;           // drain_batch scratch
    std::vector<Done> done_;
    uint64_t read_barrier_ = 0, write_barrier_ = 0; // the data bus turns around once per write drain
    uint64_t last_read_col_ = 0, last_write_col_ = 0;
    uint64_t drain_from_ = kNever, drain_to_ = 0;    // call mode: the newest drain's write commands
    bool draining_ = false;
    uint32_t drain_left_ = 0;
    uint64_t decided_ = 0;               // queue mode: time of the newest decision
    enum class Action { None, Read, StartDrain, Write };
    Action next_action(uint64_t& at, size_t& pick) const;
    void q_do(Action a, uint64_t at, size_t pick);
    size_t pick_ready(const std::vector<Pending>& q, bool write, uint64_t& at) const; // FR-FCFS among the earliest ready
    uint64_t next_due_ = 0;              // the earliest refresh due (cache)
    void update_next_due();
    bool finished_ = false;
    bool jit_ = true;                    // call mode (cleared by the first q_push)
    bool record_ = false;
    std::vector<DramCommandRecord> log_;
    DramChannelStats st_;
};

} // namespace dynavp
