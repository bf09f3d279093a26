// The DRAM controller (ip/dram/dram_controller.h): timings of command
// sequences against hand-computed clock counts, bank-level parallelism,
// FR-FCFS and its starvation cap, write draining, refresh, energy, address
// mapping, and the DRAMSim3 trace format.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "ip/dram/dram_address.h"
#include "ip/dram/dram_controller.h"
#include "ip/dram/dram_traffic.h"

using namespace dynavp;

namespace {

// DDR4-2400 -083 bin, exactly DRAMSim3's DDR4_8Gb_x8_2400: CL 17, CWL 12,
// tRCD 17, tRP 17, tRAS 39, tRTP 9, tWR 18, tCCD_S/L 4/6, tRRD_S/L 4/6,
// tFAW 26, tWTR_S/L 3/9, tRTW 10, tRTRS 1, BL8 (4 clocks), tRFC 420, tREFI 9360.
const DramTimingParams& ddr4() {
    const DramTimingParams* p = find_dram_preset("DDR4-2400-CL17");
    REQUIRE(p != nullptr);
    return *p;
}

DramChannel::Burst at(uint32_t rank, uint32_t bg, uint32_t bank, uint32_t row, uint32_t col = 0) {
    DramChannel::Burst b;
    b.rank = rank;
    b.bank_group = bg;
    b.bank = bank;
    b.row = row;
    b.column = col;
    b.key = (uint64_t(rank) << 40) | (uint64_t(bg) << 36) | (uint64_t(bank) << 32) | (uint64_t(row) << 12) | col;
    return b;
}

const DramCommandRecord* find(const DramChannel& ch, DramCommand c, size_t nth = 0) {
    for (const auto& r : ch.commands())
        if (r.cmd == c && nth-- == 0) return &r;
    return nullptr;
}

// A channel that schedules writes as soon as they arrive (no batching) so
// that turnaround rules can be checked one command at a time.
DramControllerConfig immediate_writes() {
    DramControllerConfig c;
    c.write_idle = 1;
    c.write_high = 1;
    c.write_low = 0;
    return c;
}

} // namespace

TEST_CASE("DRAM closed-bank, row-hit and row-conflict reads take the datasheet's clocks", "[dram]") {
    DramChannel ch(ddr4(), DramControllerConfig{});
    ch.record_commands(true);
    // Closed bank: ACT at 100, RD tRCD later, data CL later for 4 clocks.
    CHECK(ch.lt_read(at(0, 0, 0, 7), 100) == 100 + 17 + 17 + 4);
    // Row hit: RD at once.
    CHECK(ch.lt_read(at(0, 0, 0, 7, 8), 300) == 300 + 17 + 4);
    // Conflict: PRE, tRP, ACT, tRCD, RD.
    CHECK(ch.lt_read(at(0, 0, 0, 9), 500) == 500 + 17 + 17 + 17 + 4);
    REQUIRE(find(ch, DramCommand::Pre));
    CHECK(find(ch, DramCommand::Pre)->cycle == 500);
    CHECK(find(ch, DramCommand::Act, 1)->cycle == 517);
    const auto& s = ch.stats();
    CHECK(s.row_hits == 1);
    CHECK(s.row_closed == 1);
    CHECK(s.row_conflicts == 1);
    CHECK(s.activates == 2);
}

TEST_CASE("DRAM precharge waits for tRAS after the ACT and tRTP after the read", "[dram]") {
    DramChannel ch(ddr4(), DramControllerConfig{});
    ch.record_commands(true);
    ch.lt_read(at(0, 0, 0, 1), 0);           // ACT 0, RD 17
    ch.lt_read(at(0, 0, 0, 2), 1);           // conflict right away: PRE >= max(0 + tRAS, 17 + tRTP) = 39
    CHECK(find(ch, DramCommand::Pre)->cycle == 39);
    CHECK(find(ch, DramCommand::Act, 1)->cycle == 39 + 17);
}

TEST_CASE("DRAM write then read pays tWTR after the write data, read then write pays tRTW", "[dram]") {
    SECTION("write to read, same bank group: tWTR_L") {
        DramChannel ch(ddr4(), immediate_writes());
        ch.record_commands(true);
        ch.lt_read(at(0, 0, 0, 1), 0);       // opens the row: RD at 17, data 34..38
        ch.lt_write(at(0, 0, 0, 1, 8), 100); // WR at 100 (row hit), data 112..116
        const uint64_t done = ch.lt_read(at(0, 0, 0, 1, 16), 101);
        REQUIRE(find(ch, DramCommand::Wr));
        CHECK(find(ch, DramCommand::Wr)->cycle == 100);
        CHECK(find(ch, DramCommand::Rd, 1)->cycle == 100 + 12 + 4 + 9); // WR + CWL + burst + tWTR_L
        CHECK(done == 125 + 17 + 4);
    }
    SECTION("write to read, other bank group: tWTR_S") {
        DramChannel ch(ddr4(), immediate_writes());
        ch.record_commands(true);
        ch.lt_read(at(0, 0, 0, 1), 0);
        ch.lt_read(at(0, 1, 0, 1), 1);       // opens bank group 1's row
        ch.lt_write(at(0, 0, 0, 1, 8), 100);
        ch.lt_read(at(0, 1, 0, 1, 8), 101);
        CHECK(find(ch, DramCommand::Rd, 2)->cycle == 100 + 12 + 4 + 3);
    }
    SECTION("a read slotted in front of later commands still pays tWTR and tRTW") {
        DramChannel ch(ddr4(), immediate_writes());
        ch.record_commands(true);
        ch.lt_read(at(0, 0, 0, 1), 0);         // RD 17
        ch.lt_write(at(0, 0, 0, 1, 8), 200);   // WR 200, data 212..216
        ch.lt_read(at(0, 0, 0, 1, 16), 1000);  // RD 1000: the timeline now ends past both
        ch.lt_read(at(0, 0, 0, 1, 24), 201);   // goes in the gap, after the write's tWTR_L
        CHECK(find(ch, DramCommand::Rd, 2)->cycle == 200 + 12 + 4 + 9);
        ch.lt_read(at(0, 0, 0, 1, 32), 150);   // before the write: at most tRTW before it
        CHECK(find(ch, DramCommand::Rd, 3)->cycle == 150);
        ch.lt_read(at(0, 0, 0, 1, 40), 195);   // 195 + tRTW > 200: not in front, after the write instead
        CHECK(find(ch, DramCommand::Rd, 4)->cycle > 225);
    }
    SECTION("read to write: tRTW") {
        DramChannel ch(ddr4(), immediate_writes());
        ch.record_commands(true);
        ch.lt_read(at(0, 0, 0, 1), 0);       // RD 17
        ch.lt_read(at(0, 0, 0, 1, 8), 100);  // RD 100
        ch.lt_write(at(0, 1, 0, 1), 100);    // other bank: ACT, tRCD; and the write command >= 100 + tRTW
        const auto* wr = find(ch, DramCommand::Wr);
        REQUIRE(wr);
        CHECK(wr->cycle == std::max<uint64_t>(100 + 10, find(ch, DramCommand::Act, 1)->cycle + 17));
    }
}

TEST_CASE("DRAM allows at most four ACTs of a rank in any tFAW window", "[dram]") {
    DramChannel ch(ddr4(), DramControllerConfig{});
    ch.record_commands(true);
    // Five reads to five banks in alternating bank groups, all at clock 0:
    // ACTs tRRD_S = 4 apart, the fifth held until the first + tFAW (26).
    const uint32_t bg[5] = {0, 1, 2, 3, 0};
    const uint32_t bank[5] = {0, 0, 0, 0, 1};
    for (int i = 0; i < 5; ++i) ch.lt_read(at(0, bg[i], bank[i], 3), 0);
    for (int i = 0; i < 4; ++i) CHECK(find(ch, DramCommand::Act, size_t(i))->cycle == uint64_t(4 * i));
    CHECK(find(ch, DramCommand::Act, 4)->cycle == 26);
    // The other rank has its own window.
    ch.lt_read(at(1, 0, 0, 3), 0);
    CHECK(find(ch, DramCommand::Act, 5)->cycle < 26);
    // The same when the requests arrive one after another (each ACT past the
    // newest one: the fast path).
    DramChannel seq(ddr4(), DramControllerConfig{});
    seq.record_commands(true);
    const uint64_t when[5] = {0, 4, 8, 12, 13};
    for (int i = 0; i < 5; ++i) seq.lt_read(at(0, bg[i], bank[i], 3), when[i]);
    for (int i = 0; i < 4; ++i) CHECK(find(seq, DramCommand::Act, size_t(i))->cycle == uint64_t(4 * i));
    CHECK(find(seq, DramCommand::Act, 4)->cycle == 26);
}

TEST_CASE("DRAM refresh closes the rows and blocks ACTs for tRFC", "[dram]") {
    DramChannel ch(ddr4(), DramControllerConfig{});
    ch.record_commands(true);
    ch.lt_read(at(0, 0, 0, 5), 9000);          // row open when rank 0's refresh falls due at tREFI = 9360
    const uint64_t done = ch.lt_read(at(0, 0, 0, 5, 8), 9365); // would be a hit without the refresh
    const auto* prea = find(ch, DramCommand::PreAll);
    const auto* ref = find(ch, DramCommand::Ref);
    REQUIRE(prea);
    REQUIRE(ref);
    CHECK(prea->cycle == 9360);
    CHECK(ref->cycle == 9360 + 17);                          // after tRP
    CHECK(done == ref->cycle + 420 + 17 + 17 + 4);           // tRFC, then ACT, tRCD, CL, burst
    CHECK(ch.stats().refreshes == 1);
    CHECK(ch.stats().refresh_stalls == 1);
    CHECK(ch.stats().row_hits == 0);
    // Rank 1 refreshes half an interval later (staggered) and an idle
    // channel still refreshes: retire() schedules what fell due.
    ch.retire(3 * 9360);
    CHECK(ch.stats().refreshes == 4); // rank 0 at 9360 and 18720, rank 1 at 14040 and 23400 (28080 is not before the retire point)
}

TEST_CASE("DRAM per-bank refresh blocks only the refreshed bank", "[dram]") {
    const DramTimingParams* lp = find_dram_preset("LPDDR4-3200");
    REQUIRE(lp);
    DramControllerConfig c;
    c.refresh = DramControllerConfig::Refresh::PerBank;
    DramChannel ch(*lp, c);
    ch.record_commands(true);
    // Bank 0's first REFpb falls due at tREFIpb = 781; bank 1's at 1562.
    ch.retire(800);
    const auto* r = find(ch, DramCommand::RefPb);
    REQUIRE(r);
    CHECK(r->cycle == 781);
    CHECK(r->bank == 0);
    // Bank 1 is free during bank 0's tRFCpb; bank 0 is not.
    const uint64_t other = ch.lt_read(at(0, 0, 1, 1), 800);
    const uint64_t same = ch.lt_read(at(0, 0, 0, 1), 800);
    CHECK(other == 800 + 29 + 32 + 8);
    CHECK(same >= 781 + 224 + 29 + 32 + 8);
    CHECK(ch.stats().refreshes == 0);
    CHECK(ch.stats().refreshes_per_bank == 1);
}

TEST_CASE("DRAM requests to different banks overlap, to one bank's different rows they do not", "[dram]") {
    DramChannel a(ddr4(), DramControllerConfig{});
    const uint64_t first = a.lt_read(at(0, 0, 0, 1), 0);
    const uint64_t other_bank = a.lt_read(at(0, 1, 0, 1), 0);
    CHECK(first == 38);
    CHECK(other_bank == 38 + 4); // only the data bus separates them (ACT tRRD_S after, burst after burst)
    DramChannel b(ddr4(), DramControllerConfig{});
    b.lt_read(at(0, 0, 0, 1), 0);
    const uint64_t same_bank = b.lt_read(at(0, 0, 0, 2), 0);
    CHECK(same_bank == 39 + 17 + 17 + 17 + 4); // PRE at tRAS, then a whole row cycle
}

TEST_CASE("FR-FCFS serves a younger row hit before an older miss to the same bank", "[dram]") {
    for (auto sched : {DramControllerConfig::Scheduler::FrFcfs, DramControllerConfig::Scheduler::Fcfs}) {
        DramControllerConfig c;
        c.scheduler = sched;
        DramChannel ch(ddr4(), c);
        ch.q_push(at(0, 0, 0, 1), false, 0, 1);    // opens row 1; the bank is busy until its RD at 17
        ch.q_push(at(0, 0, 0, 2), false, 1, 2);    // older: a miss
        ch.q_push(at(0, 0, 0, 1, 8), false, 2, 3); // younger: a hit
        ch.q_run(DramChannel::kNever);
        uint64_t miss = 0, hit = 0;
        for (const auto& d : ch.q_done()) {
            if (d.tag == 2) miss = d.done;
            if (d.tag == 3) hit = d.done;
        }
        INFO(to_string(sched));
        if (sched == DramControllerConfig::Scheduler::FrFcfs) {
            CHECK(hit < miss);
            CHECK(ch.stats().row_hits == 1);
        } else {
            CHECK(miss < hit);
            CHECK(ch.stats().row_hits == 0); // the miss closed row 1 first
        }
    }
}

TEST_CASE("FR-FCFS starvation cap bounds how many younger hits pass an older miss", "[dram]") {
    for (uint32_t cap : {1u, 4u, 8u}) {
        DramControllerConfig c;
        c.starvation_cap = cap;
        DramChannel ch(ddr4(), c);
        ch.q_push(at(0, 0, 0, 1), false, 0, 0);   // opens row 1
        ch.q_push(at(0, 0, 0, 2), false, 1, 999); // the older miss
        for (uint32_t i = 0; i < 20; ++i) ch.q_push(at(0, 0, 0, 1, 8 * (i + 1)), false, 2 + i, 100 + i); // younger hits
        ch.q_run(DramChannel::kNever);
        uint64_t miss_done = 0;
        for (const auto& d : ch.q_done())
            if (d.tag == 999) miss_done = d.done;
        uint32_t ahead = 0;
        for (const auto& d : ch.q_done())
            if (d.tag >= 100 && d.done < miss_done) ++ahead;
        INFO("cap " << cap);
        CHECK(ahead == cap);
    }
}

TEST_CASE("DRAM random-read throughput rises with requests in flight and saturates", "[dram]") {
    DramAddressMap map;
    REQUIRE(map.configure("", ddr4(), 1, 64).empty());
    DramPattern p;
    std::string why;
    REQUIRE(parse_pattern("random", p, why));
    std::vector<double> bw;
    for (uint32_t w : {1u, 4u, 16u, 32u, 64u}) {
        DramPatternSource src(p, ddr4().channel_bytes(), 64, 20000, 7);
        DramReplayOptions o;
        o.outstanding = w;
        const DramReplayResult r = dram_replay(ddr4(), DramControllerConfig{}, map, 1, src, o);
        bw.push_back(r.bytes_per_second(ddr4()));
    }
    CHECK(bw[1] > 2.5 * bw[0]);
    CHECK(bw[2] > 1.8 * bw[1]);
    CHECK(bw[3] > bw[2]);
    CHECK(bw[4] < 1.10 * bw[3]); // 32 in flight already keeps the banks busy
}

TEST_CASE("DRAM writes are posted, drained by watermarks and forwarded to later reads", "[dram]") {
    DramControllerConfig c;
    c.write_queue = 16;
    c.write_high = 12;
    c.write_low = 4;
    c.write_idle = 16;
    DramChannel ch(ddr4(), c);
    for (uint32_t i = 0; i < 11; ++i) CHECK(ch.lt_write(at(0, i % 4, 0, 1, 8 * i), 10 + i) == 10 + i + 1); // posted: next clock
    CHECK(ch.stats().writes == 0);
    CHECK(ch.write_queue_size() == 11);
    // A read of a queued write's data is served from the queue.
    CHECK(ch.lt_read(at(0, 2, 0, 1, 16), 30) == 31);
    CHECK(ch.stats().reads_forwarded == 1);
    ch.lt_write(at(0, 3, 0, 1, 88), 40); // the 12th: drain down to 4
    CHECK(ch.stats().writes == 8);
    CHECK(ch.write_queue_size() == 4);
    CHECK(ch.stats().write_drains == 1);
    ch.finish(1000);
    CHECK(ch.stats().writes == 12);
}

TEST_CASE("DRAM write drains turn the bus around once per batch, not once per write", "[dram]") {
    DramAddressMap map;
    REQUIRE(map.configure("", ddr4(), 1, 64).empty());
    DramPattern p;
    std::string why;
    REQUIRE(parse_pattern("mixed:2", p, why));
    DramPatternSource src(p, ddr4().channel_bytes(), 64, 30000, 3);
    const DramReplayResult r = dram_replay(ddr4(), DramControllerConfig{}, map, 1, src, DramReplayOptions{});
    const auto& s = r.channels[0].stats();
    CHECK(s.writes == r.writes);
    CHECK(s.write_drains > 0);
    CHECK(s.read_to_write <= s.write_drains + 1);
    CHECK(s.write_to_read <= s.write_drains + 1);
}

TEST_CASE("DRAM closed-page policy precharges after each access unless the next one wants the row", "[dram]") {
    DramControllerConfig c;
    c.page = DramControllerConfig::Page::Closed;
    DramChannel ch(ddr4(), c);
    ch.lt_read(at(0, 0, 0, 1), 0, true);  // the caller's next burst uses the row
    ch.lt_read(at(0, 0, 0, 1, 8), 0);     // last one: auto-precharge
    const uint64_t again = ch.lt_read(at(0, 0, 0, 1, 16), 200);
    CHECK(ch.stats().row_hits == 1);
    CHECK(ch.stats().activates == 2);
    CHECK(again == 200 + 17 + 17 + 4); // closed bank: ACT + RD, no PRE
}

TEST_CASE("DRAM energy of one ACT, RD and precharge equals the hand-computed IDD figure", "[dram]") {
    DramControllerConfig c;
    c.page = DramControllerConfig::Page::Closed; // the row closes at max(tRAS, RD + tRTP) = 39
    DramChannel ch(ddr4(), c);
    ch.lt_read(at(0, 0, 0, 1), 0);
    ch.finish(1000);
    const DramEnergy e = dram_energy(ddr4(), ch.stats());
    // Micron TN-40-07 as DRAMSim3 applies it, per command on 8 devices,
    // V x mA x ns = pJ with tCK = 0.83 ns: k = 1.2 V x 8 x 0.83 ns = 7.968.
    const double k = 1.2 * 8 * 0.83;
    const double act = k * (48.0 * (39 + 17) - (43.0 * 39 + 34.0 * 17)); // IDD0 tRC - (IDD3N tRAS + IDD2N tRP) = 433
    const double rd = k * (135.0 - 43.0) * 4;                            // (IDD4R - IDD3N) x burst
    const double bg = k * (43.0 * 39 + 34.0 * (2 * 1000 - 39));          // rank 0 active 39 clocks; 2 ranks x 1000 clocks
    CHECK(e.activate == Approx(act));
    CHECK(e.activate == Approx(3450.144));
    CHECK(e.read == Approx(rd));
    CHECK(e.background_active + e.background_precharged == Approx(bg));
    CHECK(e.total() == Approx(act + rd + bg));
    CHECK(e.refresh == 0);
}

TEST_CASE("DRAM address mapping strings decode as DRAMSim3 writes them", "[dram]") {
    DramAddressMap m;
    // Default (today's): [offset 6][bg 2][col 7][bank 2][rank 1][row 16].
    REQUIRE(m.configure("", ddr4(), 1, 64).empty());
    CHECK(m.spec() == "ro-ra-ba-co-bg");
    DramCoord c = m.decode(uint64_t(3) << 6);
    CHECK((c.bank_group == 3 && c.column == 0 && c.bank == 0));
    c = m.decode(uint64_t(5) << 8);
    CHECK((c.bank_group == 0 && c.column == 5 * 8));
    c = m.decode(uint64_t(1) << 17);
    CHECK((c.rank == 1 && c.row == 0));
    c = m.decode(uint64_t(1) << 18);
    CHECK((c.rank == 0 && c.row == 1));
    // DRAMSim3's rochrababgco: column lowest, then bank group, bank, rank, channel, row.
    REQUIRE(m.configure("rochrababgco", ddr4(), 2, 64).empty());
    CHECK(m.spec() == "ro-ch-ra-ba-bg-co");
    c = m.decode(uint64_t(1) << 6);
    CHECK(c.column == 8);
    c = m.decode(uint64_t(1) << 13);
    CHECK(c.bank_group == 1);
    c = m.decode(uint64_t(1) << 17);
    CHECK(c.rank == 1);
    c = m.decode(uint64_t(1) << 18);
    CHECK(c.channel == 1);
    CHECK(m.configure("ro-ra-ba-co", ddr4(), 1, 64).find("\"bg\" is missing") != std::string::npos);
    CHECK(m.configure("ro-ra-ba-co-bg-xx", ddr4(), 1, 64).find("unknown field \"xx\"") != std::string::npos);
    CHECK(m.configure("ro-ro-ra-ba-co-bg", ddr4(), 1, 64).find("appears twice") != std::string::npos);
}

TEST_CASE("DRAMSim3 trace lines round-trip and malformed lines are rejected with their line", "[dram]") {
    DramPattern p;
    std::string why;
    REQUIRE(parse_pattern("mixed:3", p, why));
    DramPatternSource src(p, uint64_t(1) << 34, 64, 500, 11);
    const std::string path = "dram_trace_roundtrip.trace";
    std::vector<DramRequest> made;
    {
        std::ofstream f(path);
        DramRequest r;
        uint64_t i = 0;
        while (src.next(r)) {
            r.cycle = 3 * i++;
            made.push_back(r);
            f << format_trace_line(r) << "\n";
        }
    }
    DramTraceFile tf(path);
    REQUIRE(tf.ok());
    std::vector<DramRequest> back;
    DramRequest r;
    while (tf.next(r)) back.push_back(r);
    CHECK(tf.error().empty());
    REQUIRE(back.size() == made.size());
    for (size_t i = 0; i < made.size(); ++i) {
        CHECK(back[i].addr == made[i].addr);
        CHECK(back[i].write == made[i].write);
        CHECK(back[i].cycle == made[i].cycle);
    }
    std::remove(path.c_str());

    bool blank = false;
    CHECK(parse_trace_line("0x1f40 READ 12", r, blank, why));
    CHECK((r.addr == 0x1f40 && !r.write && r.cycle == 12 && !blank));
    CHECK(parse_trace_line("  # a comment", r, blank, why));
    CHECK(blank);
    const char* bad[] = {"1f40 READ 12", "0xzz READ 1", "0x10 LOAD 1", "0x10 READ", "0x10 READ -4", "0x10 READ 1 extra", "0x10000000000000000 READ 1"};
    for (const char* line : bad) {
        INFO(line);
        CHECK_FALSE(parse_trace_line(line, r, blank, why));
        CHECK_FALSE(why.empty());
    }
    {
        std::ofstream f(path);
        f << "0x40 READ 0\n\n0x80 WRITE 4\n0x80 WRTE 5\n";
    }
    DramTraceFile bad_file(path);
    uint64_t n = 0;
    while (bad_file.next(r)) ++n;
    CHECK(n == 2);
    CHECK(bad_file.error_line() == 4);
    CHECK(bad_file.error_reason().find("WRTE") != std::string::npos);
    std::remove(path.c_str());
}

TEST_CASE("DRAM replay is deterministic", "[dram]") {
    auto once = [] {
        DramAddressMap map;
        REQUIRE(map.configure("", ddr4(), 2, 64).empty());
        DramPattern p;
        std::string why;
        REQUIRE(parse_pattern("mixed:2", p, why));
        DramPatternSource src(p, ddr4().channel_bytes() * 2, 64, 20000, 5);
        const DramReplayResult r = dram_replay(ddr4(), DramControllerConfig{}, map, 2, src, DramReplayOptions{});
        const auto& s = r.channels[1].stats();
        return std::vector<uint64_t>{r.end_cycle, s.reads, s.writes, s.row_hits, s.activates, s.refreshes, s.read_to_write,
                                     s.read_latency.sum(), s.read_latency.percentile(0.99), s.active_cycles};
    };
    CHECK(once() == once());
}

TEST_CASE("DRAM timing and controller validation name the broken field", "[dram]") {
    DramTimingParams p = ddr4();
    p.tRFC = p.tREFI;
    CHECK(p.validate().find("tRFC") != std::string::npos);
    p = ddr4();
    p.ranks = 3;
    CHECK(p.validate().find("ranks") != std::string::npos);
    p = ddr4();
    p.tWTR_L = 1;
    CHECK(p.validate().find("tWTR_L") != std::string::npos);
    p = ddr4();
    p.IDD0 = 1;
    CHECK(p.validate().find("IDD0") != std::string::npos);
    p = ddr4();
    p.tRFCpb = 10;
    CHECK(p.validate().find("tRFCpb") != std::string::npos);
    DramControllerConfig c;
    c.write_low = c.write_high;
    CHECK(c.validate().find("write_low") != std::string::npos);
    c = DramControllerConfig{};
    c.write_high = 64;
    CHECK(c.validate().find("write_high") != std::string::npos);
    for (const auto& name : dram_preset_names()) {
        INFO(name);
        CHECK(find_dram_preset(name)->validate().empty());
        CHECK(find_dram_preset(name)->has_power());
    }
}

TEST_CASE("DRAM latency histogram percentiles are exact below 1024 clocks", "[dram]") {
    LatencyHistogram h;
    for (uint64_t v = 1; v <= 100; ++v) h.add(v);
    CHECK(h.percentile(0.5) == 50);
    CHECK(h.percentile(0.99) == 99);
    CHECK(h.percentile(1.0) == 100);
    CHECK(h.mean() == Approx(50.5));
    h.add(100000);
    CHECK(h.max() == 100000);
    CHECK(h.percentile(1.0) == 100000);
    const uint64_t hi = LatencyHistogram{}.percentile(0.5);
    CHECK(hi == 0);
}
