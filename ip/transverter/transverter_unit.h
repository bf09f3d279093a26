// What the transverter unit computes (DNA sec. V-B/V-C), without SystemC:
// decode the scheduling table, run Algorithm 1 (the scheduling core's golden
// `transverter_transform`, so the IP equals the golden mapper bit for bit),
// check the result fits the table, and the latency model the sc_module
// annotates. Also the constraint-table row <-> MemLevel mapping.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ip/scheduling/mappers.h"

namespace dynavp::transverter {

// Cycles per scheduling-table update (Fig. 9b: the ALU accumulates U_i / C_i,
// the mux picks table or ALU operands, then the write strobe). Per platform
// device; DNA gives no figure, 1 each is our assumption.
struct UnitTiming {
    uint32_t alu_cycles = 1, mux_cycles = 1, write_cycles = 1;
};

// Latency of one run, in unit clocks:
//   Initialization compares alpha and tau dim by dim:      7 x alu
//   each level i = I-1 .. 1 (only when a dim changed):
//     MaxBuff accumulates U_i, MaxComp C_i over the rows:  2 x factors x alu
//   every table update (a factor moved or rewritten):      alu + mux + write
uint64_t unit_cycles(int levels, size_t factors, uint64_t updates, bool changed, const UnitTiming& t);

struct UnitResult {
    uint32_t err = 0, detail = 0; // ErrCode (transverter_regs.h)
    std::string why;
    sched::Operator executed;     // tau padded to MAX_PRIME-smooth dims
    sched::Schedule schedule;
    std::vector<uint8_t> table;   // the schedule re-serialised (SCHD)
    uint64_t updates = 0, cycles = 0;
};

// One GO: `table` holds the backbone's schedule (SCHD bytes), `hw` the
// constraint table. table_entries: factor rows the unit holds.
UnitResult run_unit(const std::vector<uint8_t>& table, const sched::Operator& backbone, const sched::Operator& dynamic,
                    const sched::Hardware& hw, const sched::TransverterOptions& opt, uint32_t table_entries, const UnitTiming& t);

// Constraint-table row of a memory level: {cap W, cap I, cap O, shared, fan-out}.
struct ConstraintRow {
    uint32_t cap[3] = {0, 0, 0};
    uint32_t shared = 0, fanout = 1;
};
ConstraintRow row_of(const sched::MemLevel& l);
void apply_row(const ConstraintRow& r, sched::MemLevel& l);

} // namespace dynavp::transverter
