#include <catch2/catch.hpp>

#include <deque>

#include "ip/dram/dram_timing.h"

using namespace dynavp;

namespace {

const DramTimingParams& preset(const char* name) {
    const DramTimingParams* p = find_dram_preset(name);
    REQUIRE(p != nullptr);
    return *p;
}

// Address of `row` in bank group 0, bank 0, column 0.
uint64_t row_addr(const DramChannel& ch, uint32_t row) {
    const auto& p = ch.params();
    const uint64_t bank_span = p.burst_bytes() * p.bank_groups * (p.columns / p.burst_length) * p.banks_per_group;
    return uint64_t(row) * bank_span;
}

// Bytes per second achieved by `n` bursts with `window` requests in flight,
// issued one every `issue_ps` (a pipelined bus master).
double stream(DramChannel& ch, bool random, uint64_t n, unsigned window = 16, uint64_t issue_ps = 1000) {
    const uint64_t bb = ch.params().burst_bytes();
    const uint64_t span = uint64_t(ch.params().banks()) * ch.params().rows * ch.params().row_bytes();
    std::deque<uint64_t> inflight;
    uint64_t issue = 0, end = 0, x = 12345;
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t addr = i * bb;
        if (random) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            addr = (x >> 11) % (span / bb) * bb;
        }
        if (inflight.size() >= window) {
            issue = std::max(issue, inflight.front());
            inflight.pop_front();
        }
        const uint64_t done = ch.access_burst(addr, false, issue).data_end_ps;
        inflight.push_back(done);
        end = std::max(end, done);
        issue += issue_ps;
    }
    return double(n * bb) / (double(end) * 1e-12);
}

} // namespace

TEST_CASE("DDR4-2400 preset carries the datasheet timings", "[dram]") {
    const auto& p = preset("DDR4-2400");
    CHECK(p.tCK_ps == 833);
    CHECK(p.CL == 16);
    CHECK(p.tRCD == 16);
    CHECK(p.tRP == 16);
    CHECK(p.tRAS == 39);
    CHECK(p.tRFC == 420);
    CHECK(p.tREFI == 9364);
    CHECK(p.burst_bytes() == 64);
    CHECK(p.peak_bytes_per_second() == Approx(19.2e9).epsilon(0.001));
    CHECK(preset("LPDDR4-3200").peak_bytes_per_second() == Approx(12.8e9).epsilon(0.001));
    CHECK(find_dram_preset("DDR9-1") == nullptr);
}

TEST_CASE("DRAM latency of closed-row, row-hit and row-conflict reads equals the timing formula", "[dram]") {
    for (const char* name : {"DDR4-2400", "LPDDR4-3200"}) {
        DYNAMIC_SECTION(name) {
            DramChannel ch(preset(name));
            const auto& p = ch.params();
            const uint64_t tck = p.tCK_ps;
            // Closed row (after power-up): ACT + RD.
            auto r = ch.access_burst(row_addr(ch, 0), false, 0);
            CHECK(r.outcome == RowOutcome::Closed);
            CHECK(r.data_end_ps == (p.tRCD + p.CL + p.tBURST()) * tck);
            // Row hit, long after: RD only.
            const uint64_t t1 = 1000 * tck;
            r = ch.access_burst(row_addr(ch, 0) + p.burst_bytes() * p.bank_groups, false, t1);
            CHECK(r.outcome == RowOutcome::Hit);
            CHECK(r.data_end_ps - t1 == (p.CL + p.tBURST()) * tck);
            // Another row of the same bank: PRE + ACT + RD.
            const uint64_t t2 = 2000 * tck;
            REQUIRE(ch.decode(row_addr(ch, 1)).bank == ch.decode(row_addr(ch, 0)).bank);
            r = ch.access_burst(row_addr(ch, 1), false, t2);
            CHECK(r.outcome == RowOutcome::Conflict);
            CHECK(r.data_end_ps - t2 == (p.tRP + p.tRCD + p.CL + p.tBURST()) * tck);
            // A write hit uses CWL.
            const uint64_t t3 = 3000 * tck;
            r = ch.access_burst(row_addr(ch, 1), true, t3);
            CHECK(r.outcome == RowOutcome::Hit);
            CHECK(r.data_end_ps - t3 == (p.CWL + p.tBURST()) * tck);
            CHECK(ch.counters().row_hits == 2);
            CHECK(ch.counters().row_misses == 2);
            CHECK(ch.counters().row_conflicts == 1);
        }
    }
}

TEST_CASE("DRAM access arriving at a refresh waits for precharge-all and tRFC, then finds its row closed", "[dram]") {
    DramChannel ch(preset("DDR4-2400"));
    const auto& p = ch.params();
    const uint64_t tck = p.tCK_ps;
    ch.access_burst(row_addr(ch, 3), false, 0); // open row 3
    const uint64_t refresh_start = uint64_t(p.tREFI) * tck;
    auto r = ch.access_burst(row_addr(ch, 3), false, refresh_start);
    CHECK(r.waited_for_refresh);
    CHECK(r.outcome == RowOutcome::Closed); // refresh closed the row it would have hit
    // A row was open, so REF waits tRP for the precharge-all first.
    CHECK(r.data_end_ps - refresh_start == (p.tRP + p.tRFC + p.tRCD + p.CL + p.tBURST()) * tck);
    CHECK(ch.counters().refreshes == 1);
    // Just before the next refresh window, the same row is a plain hit again.
    const uint64_t before = 2 * refresh_start - 100 * tck;
    r = ch.access_burst(row_addr(ch, 3), false, before);
    CHECK_FALSE(r.waited_for_refresh);
    CHECK(r.data_end_ps - before == (p.CL + p.tBURST()) * tck);
}

TEST_CASE("DRAM refresh waits for write recovery of an open bank", "[dram]") {
    DramChannel ch(preset("DDR4-2400"));
    const auto& p = ch.params();
    const uint64_t tck = p.tCK_ps;
    const uint64_t refresh_start = uint64_t(p.tREFI) * tck;
    // A write whose data ends just before the refresh is due: tWR must pass
    // before the precharge-all, then tRP, then tRFC.
    const uint64_t arrival = refresh_start - uint64_t(p.CWL + p.tBURST()) * tck - 2 * tck;
    ch.access_burst(row_addr(ch, 0), false, arrival - 1000 * tck); // open the row well before
    const auto w = ch.access_burst(row_addr(ch, 0), true, arrival);
    REQUIRE(w.data_end_ps < refresh_start);
    const auto r = ch.access_burst(row_addr(ch, 0), false, refresh_start);
    CHECK(r.waited_for_refresh);
    const uint64_t ref_start = w.data_end_ps + uint64_t(p.tWR + p.tRP) * tck;
    CHECK(r.data_end_ps == ref_start + uint64_t(p.tRFC + p.tRCD + p.CL + p.tBURST()) * tck);
}

TEST_CASE("DRAM same-bank-group column commands keep tCCD_L even with other groups between", "[dram]") {
    DramTimingParams p = preset("DDR4-2400");
    p.tCCD_L = 12; // > 2 x tCCD_S, so the group spacing shows through an interleaved access
    DramChannel ch(p);
    const uint64_t tck = p.tCK_ps;
    const uint64_t bb = p.burst_bytes();
    ch.access_burst(0, false, 0);             // opens BG0 bank 0
    ch.access_burst(bb, false, 0);            // opens BG1 bank 0
    const uint64_t t = 1000 * tck;
    const auto a = ch.access_burst(0, false, t);                 // BG0 hit at t
    ch.access_burst(bb, false, t);                               // BG1 hit: tCCD_S later
    const auto c = ch.access_burst(bb * p.bank_groups, false, t); // BG0 again: tCCD_L after a
    CHECK(c.data_end_ps - a.data_end_ps == uint64_t(p.tCCD_L) * tck);
}

TEST_CASE("DRAM tRAS holds off an early precharge", "[dram]") {
    DramChannel ch(preset("DDR4-2400"));
    const auto& p = ch.params();
    const uint64_t tck = p.tCK_ps;
    ch.access_burst(row_addr(ch, 0), false, 0);                    // ACT at 0
    auto r = ch.access_burst(row_addr(ch, 1), false, 0);           // same bank, other row, at once
    CHECK(r.outcome == RowOutcome::Conflict);
    CHECK(r.data_end_ps == (p.tRAS + p.tRP + p.tRCD + p.CL + p.tBURST()) * tck); // PRE waits for tRAS
}

TEST_CASE("sequential DRAM streaming reaches within 10% of peak and random rows fall clearly below", "[dram]") {
    for (const char* name : {"DDR4-2400", "LPDDR4-3200"}) {
        DYNAMIC_SECTION(name) {
            DramChannel seq(preset(name));
            const double peak = seq.params().peak_bytes_per_second();
            const double seq_bw = stream(seq, false, 400000); // 25.6 MB: many refresh windows and row switches
            INFO("sequential " << seq_bw / 1e9 << " GB/s of " << peak / 1e9);
            CHECK(seq_bw >= 0.90 * peak);
            CHECK(seq_bw <= peak);
            // LPDDR4: 4 KiB rows and a refresh every 3.9 us still leave > 98% hits.
            CHECK(seq.counters().row_hits > 50 * seq.counters().row_misses);
            DramChannel rnd(preset(name));
            const double rnd_bw = stream(rnd, true, 100000);
            INFO("random " << rnd_bw / 1e9 << " GB/s");
            CHECK(rnd_bw < 0.6 * peak);
            CHECK(rnd.counters().row_misses > rnd.counters().row_hits);
        }
    }
}

TEST_CASE("DRAM timing is deterministic", "[dram]") {
    DramChannel a(preset("DDR4-2400")), b(preset("DDR4-2400"));
    CHECK(stream(a, true, 5000) == stream(b, true, 5000));
}

TEST_CASE("DRAM timing validation names the broken field", "[dram]") {
    DramTimingParams p = preset("DDR4-2400");
    p.tRFC = p.tREFI + 1;
    CHECK(p.validate().find("tRFC") != std::string::npos);
    CHECK_THROWS_AS(DramChannel(p), std::invalid_argument);
    p = preset("DDR4-2400");
    p.rows = 1000;
    CHECK(p.validate().find("rows") != std::string::npos);
}
