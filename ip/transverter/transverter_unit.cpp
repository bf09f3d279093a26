#include "transverter_unit.h"

#include <algorithm>

#include "ip/core/npu_regs.h"
#include "transverter_regs.h"

namespace dynavp::transverter {

const char* err_name(uint32_t code) {
    switch (code) {
    case kErrNone: return "none";
    case kErrTable: return "scheduling table malformed";
    case kErrShape: return "table does not match the backbone dims";
    case kErrDynamic: return "dynamic dim out of range";
    case kErrTableFull: return "result does not fit the scheduling table";
    case kErrConstraint: return "constraint table unusable";
    case kErrOperator: return "operator fields out of range";
    }
    return "unknown";
}

uint64_t unit_cycles(int levels, size_t factors, uint64_t updates, bool changed, const UnitTiming& t) {
    uint64_t c = uint64_t(sched::kDims) * t.alu_cycles;
    if (changed && levels > 2) c += uint64_t(levels - 2) * 2 * factors * t.alu_cycles;
    return c + updates * (uint64_t(t.alu_cycles) + t.mux_cycles + t.write_cycles);
}

UnitResult run_unit(const std::vector<uint8_t>& table, const sched::Operator& backbone, const sched::Operator& dynamic,
                    const sched::Hardware& hw, const sched::TransverterOptions& opt, uint32_t table_entries, const UnitTiming& t) {
    using namespace sched;
    UnitResult r;
    auto fail = [&](uint32_t code, uint32_t detail, const std::string& why) {
        r.err = code;
        r.detail = detail;
        r.why = why;
        return r;
    };
    if (backbone.stride == 0 || backbone.stride > 64 || backbone.dilation == 0 || backbone.dilation > 64 || backbone.groups == 0)
        return fail(kErrOperator, 0, "stride, dilation or groups out of range");
    for (int v = 0; v < kTensors; ++v)
        if (hw.elem_bytes[size_t(v)] == 0 || hw.elem_bytes[size_t(v)] > 8) return fail(kErrOperator, uint32_t(v), "element bytes out of range");
    for (size_t i = 0; i < hw.levels.size(); ++i)
        if (hw.levels[i].fanout == 0) return fail(kErrConstraint, uint32_t(i), "level with fan-out 0");
    Schedule bbs;
    const std::string bad = npu::decode_schedule(table.data(), table.size(), bbs);
    if (!bad.empty()) return fail(kErrTable, 0xFFFF, "scheduling table: " + bad);
    if (bbs.factors.size() > table_entries) return fail(kErrTable, uint32_t(bbs.factors.size()), "more factor rows than the table holds");
    if (bbs.levels() != int(hw.levels.size()))
        return fail(kErrConstraint, uint32_t(bbs.levels()), "the schedule has " + std::to_string(bbs.levels()) + " levels, the constraint table " +
                                                                std::to_string(hw.levels.size()));
    for (Dim j : kAllDims) {
        if (bbs.dim_product(j) != backbone[j])
            return fail(kErrShape, j, std::string("factors of ") + dim_name(j) + " multiply to " + std::to_string(bbs.dim_product(j)) +
                                          ", DIM_BB says " + std::to_string(backbone[j]));
        if (dynamic[j] == 0 || dynamic[j] > backbone[j])
            return fail(kErrDynamic, j, std::string("dynamic ") + dim_name(j) + " = " + std::to_string(dynamic[j]) + " outside [1, " +
                                            std::to_string(backbone[j]) + "]");
    }
    // The factoriser handles primes up to MAX_PRIME: larger ones are padded away
    // (the same rule the scheduling core's mappers apply, operator.h).
    r.executed = pad_to_smooth(dynamic, hw, nullptr);
    for (Dim j : kAllDims)
        if (r.executed[j] > backbone[j]) r.executed[j] = dynamic[j]; // never pad past the backbone (it is smooth itself)
    const bool changed = !changed_dims(backbone, r.executed).empty();
    r.schedule = transverter_transform(backbone, bbs, r.executed, hw, &r.updates, opt);
    if (r.schedule.factors.size() > table_entries)
        return fail(kErrTableFull, uint32_t(r.schedule.factors.size()), "the result has " + std::to_string(r.schedule.factors.size()) +
                                                                           " factor rows, the table holds " + std::to_string(table_entries));
    r.table = npu::encode_schedule(r.schedule);
    r.cycles = unit_cycles(bbs.levels(), r.schedule.factors.size(), r.updates, changed, t);
    return r;
}

ConstraintRow row_of(const sched::MemLevel& l) {
    auto clamp = [](uint64_t v) { return v >= kUnboundedCapacity ? kUnboundedCapacity : uint32_t(v); };
    ConstraintRow r;
    for (int v = 0; v < 3; ++v) r.cap[v] = clamp(l.capacity[size_t(v)]);
    r.shared = clamp(l.shared_capacity);
    r.fanout = l.fanout;
    return r;
}

void apply_row(const ConstraintRow& r, sched::MemLevel& l) {
    auto widen = [](uint32_t v) { return v == kUnboundedCapacity ? sched::kUnbounded : uint64_t(v); };
    for (int v = 0; v < 3; ++v) l.capacity[size_t(v)] = widen(r.cap[v]);
    l.shared_capacity = widen(r.shared);
    l.fanout = r.fanout;
}

} // namespace dynavp::transverter
