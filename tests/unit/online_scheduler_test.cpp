// What DNA's online scheduler units compute, without SystemC: the predictor's
// two-level table (DNA sec. VI-A, Fig. 10), the transverter unit around
// Algorithm 1 (sec. V-B/C) and the runtime monitor's aggregation (Fig. 8c).
#include <catch2/catch.hpp>

#include <random>

#include "ip/core/npu_regs.h"
#include "ip/core/runtime_table.h"
#include "ip/predictor/prediction_table.h"
#include "ip/transverter/transverter_regs.h"
#include "ip/transverter/transverter_unit.h"
#include "platform/platform_config.h"

using namespace dynavp;
using namespace dynavp::sched;
using predictor::PredictionTable;

TEST_CASE("prediction-table states saturate at 00 and 11 and predict useful at 10 and 11", "[predictor]") {
    PredictionTable t(8, 4, 1);
    CHECK(t.bytes() == 32); // 8 tiles x 16 RAT values x 2 bits
    CHECK(t.state(3, 5) == 1);
    CHECK_FALSE(PredictionTable::useful(0));
    CHECK_FALSE(PredictionTable::useful(1));
    CHECK(PredictionTable::useful(2));
    CHECK(PredictionTable::useful(3));
    std::vector<bool> used(8, false);
    used[3] = true;
    // 01 -> 10 -> 11 -> 11 for the used tile; 01 -> 00 -> 00 for the others.
    const uint8_t up[] = {2, 3, 3};
    for (uint8_t s : up) {
        t.update(5, used);
        CHECK(t.state(3, 5) == s);
        CHECK(t.state(2, 5) == 0);
    }
    CHECK(t.predict(5, 8) == std::vector<bool>{false, false, false, true, false, false, false, false});
    CHECK(t.state(3, 6) == 1); // other RAT columns untouched
    used[3] = false;
    const uint8_t down[] = {2, 1, 0, 0};
    for (uint8_t s : down) {
        t.update(5, used);
        CHECK(t.state(3, 5) == s);
    }
    t.reset();
    CHECK(t.state(3, 5) == 1);
}

TEST_CASE("the recent access trace is the first RAT_BITS tiles' use, and the packed table round-trips", "[predictor]") {
    PredictionTable t(8, 4, 0);
    // DNA Fig. 11: only expert 2 of the first four was used -> RAT "0100" (expert 1 first) = bit 1.
    CHECK(t.rat_of({false, true, false, false, true, true, true, true}) == 0b0010);
    CHECK(t.rat_of({true, true, true, true}) == 0b1111);
    t.set_state(2, 0b0110, 3);
    t.set_state(7, 0b1111, 2);
    PredictionTable u(8, 4, 1);
    for (size_t w = 0; w < t.words(); ++w) u.set_word(w, t.word(w));
    CHECK(u.state(2, 0b0110) == 3);
    CHECK(u.state(7, 0b1111) == 2);
    CHECK(u.state(0, 0) == 0);
    CHECK_THROWS_AS(PredictionTable(0, 4, 1), std::invalid_argument);
    CHECK_THROWS_AS(PredictionTable(8, 4, 4), std::invalid_argument);
}

namespace {
Hardware dna_hw() { return hardware_from_platform(load_platform("dna-16c")); }
} // namespace

TEST_CASE("the transverter unit returns the golden mapper's schedule, and its latency grows with table updates", "[transverter]") {
    const Hardware hw = dna_hw();
    MapperOptions o;
    o.samples = 60;
    o.local_steps = 100;
    const Operator bb = parse_operator("R=3,S=3,P=28,Q=28,C=64,K=128");
    MapperSuite suite(bb, {C, K}, hw, o, 4);
    const std::vector<uint8_t> table = npu::encode_schedule(suite.offline().schedule);
    const transverter::UnitTiming timing{1, 1, 1};
    for (const char* dyn : {"C=64,K=96", "C=40,K=96", "C=24,K=20"}) {
        const Operator d = apply_dynamic(bb, dyn);
        const MapResult gold = suite.run("transverter", d);
        const transverter::UnitResult r = transverter::run_unit(table, suite.backbone(), d, hw, {}, 64, timing);
        INFO(dyn << ": " << r.why);
        REQUIRE(r.err == 0);
        CHECK(r.schedule == gold.schedule);
        CHECK(r.table == npu::encode_schedule(gold.schedule));
        CHECK(r.updates == gold.table_updates);
        CHECK(r.executed == gold.executed);
        // 7 compares, 2 passes over the rows per inner level, 3 clocks per update.
        CHECK(r.cycles == 7 + uint64_t(hw.levels.size() - 2) * 2 * r.schedule.factors.size() + 3 * r.updates);
    }
    CHECK(transverter::unit_cycles(4, 20, 10, true, timing) - transverter::unit_cycles(4, 20, 5, true, timing) == 15);
    CHECK(transverter::unit_cycles(4, 20, 0, false, {2, 1, 1}) == 14); // nothing changed: only the compare stage
}

TEST_CASE("the transverter unit rejects malformed tables, grown dims and results that overflow the table", "[transverter]") {
    const Hardware hw = dna_hw();
    const Operator bb = parse_operator("R=1,S=1,P=16,Q=1,C=64,K=64");
    const Schedule s = all_outermost(bb, int(hw.levels.size()));
    const std::vector<uint8_t> table = npu::encode_schedule(s);
    using namespace transverter;
    std::vector<uint8_t> bad = table;
    bad[0] ^= 1;
    CHECK(run_unit(bad, bb, bb, hw, {}, 64, {}).err == kErrTable);
    Operator wrong = bb;
    wrong[C] = 32;
    CHECK(run_unit(table, wrong, wrong, hw, {}, 64, {}).err == kErrShape);
    Operator grown = bb;
    grown[K] = 128;
    const UnitResult g = run_unit(table, bb, grown, hw, {}, 64, {});
    CHECK(g.err == kErrDynamic);
    CHECK(g.detail == K);
    CHECK(run_unit(table, bb, apply_dynamic(bb, "K=32"), hw, {}, 8, {}).err == kErrTable); // 16 rows in an 8-row table
    const UnitResult full = run_unit(table, bb, apply_dynamic(bb, "C=32"), hw, {}, uint32_t(s.factors.size()), {});
    CHECK(full.err == 0); // C=32 has fewer factors than C=64
    Hardware zero = hw;
    zero.levels[1].fanout = 0;
    CHECK(run_unit(table, bb, bb, zero, {}, 64, {}).err == kErrConstraint);
}

TEST_CASE("constraint-table rows map capacities (unbounded included) and fan-out both ways", "[transverter]") {
    const Hardware hw = dna_hw();
    for (const MemLevel& l : hw.levels) {
        MemLevel back;
        transverter::apply_row(transverter::row_of(l), back);
        CHECK(back.capacity == l.capacity);
        CHECK(back.shared_capacity == l.shared_capacity);
        CHECK(back.fanout == l.fanout);
    }
}

TEST_CASE("the runtime monitor's aggregation counts positive outcomes per tile over several cores", "[monitor]") {
    core::RuntimeTable a(16), b(16);
    using core::AgentPolicy;
    a.record({2, AgentPolicy::Routing, 1});
    a.record({5, AgentPolicy::Routing, 1});
    a.record({5, AgentPolicy::Gating, 1}); // other policy: not counted
    b.record({5, AgentPolicy::Routing, 1});
    b.record({3, AgentPolicy::Routing, 0}); // not selected
    b.record({9, AgentPolicy::Routing, 1}); // outside the 8 tiles
    const core::AgentOutcome o = core::aggregate({&a, &b}, AgentPolicy::Routing, 0, 8);
    CHECK(o.entries_scanned == 6);
    CHECK(o.counts == std::vector<uint32_t>{0, 0, 1, 0, 0, 2, 0, 0});
    CHECK(o.trace == std::vector<bool>{false, false, true, false, false, true, false, false});
    const core::AgentOutcome shifted = core::aggregate({&a, &b}, AgentPolicy::Routing, 2, 4);
    CHECK(shifted.counts == std::vector<uint32_t>{1, 0, 0, 2});
}
