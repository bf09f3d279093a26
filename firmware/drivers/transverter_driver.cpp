#include "transverter_driver.h"

#include <vector>

#include "ip/core/npu_regs.h"
#include "ip/transverter/transverter_regs.h"
#include "ip/transverter/transverter_unit.h"

namespace dynavp::fw {

using namespace transverter;

bool TransverterDriver::init() {
    if (!find_device(hal_, "transverter", ID.offset, kIdValue, dev_, why_)) return false;
    entries_ = hal_.read32(dev_.base + TABLE_ENTRIES.offset);
    levels_ = hal_.read32(dev_.base + LEVELS.offset);
    hal_.write32(dev_.base + IRQ_STATUS.offset, irq::DONE.mask() | irq::ERROR.mask());
    hal_.write32(dev_.base + CTRL.offset, ctrl::IRQ_EN.make(1));
    return true;
}

void TransverterDriver::load_constraints(const sched::Hardware& hw) {
    for (uint32_t i = 0; i < hw.levels.size() && i < levels_; ++i) {
        const ConstraintRow r = row_of(hw.levels[i]);
        const uint64_t row = dev_.base + kConstraintBase + i * kConstraintStride;
        hal_.write32(row + kCapWeight, r.cap[0]);
        hal_.write32(row + kCapInput, r.cap[1]);
        hal_.write32(row + kCapOutput, r.cap[2]);
        hal_.write32(row + kCapShared, r.shared);
        hal_.write32(row + kFanout, r.fanout);
    }
    hal_.write32(dev_.base + ELEM_BYTES.offset, elem::WEIGHT.make(hw.elem_bytes[0]) | elem::INPUT.make(hw.elem_bytes[1]) |
                                                    elem::OUTPUT.make(hw.elem_bytes[2]) | elem::DRAM_OUTPUT.make(hw.dram_output_bytes));
    hal_.write32(dev_.base + MAX_PRIME.offset, hw.max_prime);
}

void TransverterDriver::set_options(const sched::TransverterOptions& o) {
    hal_.write32(dev_.base + CTRL.offset, ctrl::IRQ_EN.make(1) | ctrl::MAXBUFF_NEST.make(o.maxbuff == sched::DimOrder::Nest) |
                                              ctrl::MAXCOMP_BACKBONE.make(o.maxcomp == sched::DimOrder::Backbone));
}

void TransverterDriver::load_backbone(const sched::Operator& bb, const sched::Schedule& s) {
    for (uint32_t j = 0; j < sched::kDims; ++j) hal_.write32(dev_.base + dim_backbone(j).offset, bb.size[j]);
    hal_.write32(dev_.base + OP_STRIDE.offset, bb.stride);
    hal_.write32(dev_.base + OP_DILATION.offset, bb.dilation);
    hal_.write32(dev_.base + OP_GROUPS.offset, bb.groups);
    load_table(s);
}

void TransverterDriver::load_table(const sched::Schedule& s) {
    const std::vector<uint8_t> t = npu::encode_schedule(s);
    hal_.write_block(dev_.base + kTablePage, t.data(), t.size());
}

void TransverterDriver::set_dynamic(const sched::Operator& dyn) {
    for (uint32_t j = 0; j < sched::kDims; ++j) hal_.write32(dev_.base + dim_dynamic(j).offset, dyn.size[j]);
}

void TransverterDriver::go() { hal_.write32(dev_.base + CMD.offset, cmd::kGo); }

TransverterRun TransverterDriver::wait(uint64_t timeout_ns, bool read_back) {
    TransverterRun r;
    const uint32_t irqs = wait_device_irq(hal_, dev_, IRQ_STATUS.offset, irq::DONE.mask() | irq::ERROR.mask(), timeout_ns);
    if (!irqs) {
        r.message = "timeout waiting for the transverter";
        return r;
    }
    const uint32_t st = hal_.read32(dev_.base + STATUS.offset);
    r.cycles = hal_.read32(dev_.base + CYCLES.offset);
    if (status::STATE.get(st) != status::kDone) {
        r.err_code = status::ERR_CODE.get(st);
        r.err_detail = hal_.read32(dev_.base + ERR_DETAIL.offset);
        r.message = std::string("transverter: ") + err_name(r.err_code) + " (detail " + std::to_string(r.err_detail) + ")";
        return r;
    }
    r.updates = hal_.read32(dev_.base + UPDATES.offset);
    r.table_addr = dev_.base + kTablePage;
    r.table_bytes = hal_.read32(dev_.base + TABLE_BYTES.offset);
    for (uint32_t j = 0; j < sched::kDims; ++j) r.executed.size[j] = hal_.read32(dev_.base + dim_executed(j).offset);
    r.executed.stride = hal_.read32(dev_.base + OP_STRIDE.offset);
    r.executed.dilation = hal_.read32(dev_.base + OP_DILATION.offset);
    r.executed.groups = hal_.read32(dev_.base + OP_GROUPS.offset);
    if (read_back) {
        std::vector<uint8_t> t(r.table_bytes);
        hal_.read_block(r.table_addr, t.data(), t.size());
        const std::string bad = npu::decode_schedule(t.data(), t.size(), r.schedule);
        if (!bad.empty()) {
            r.message = "transverter table unreadable: " + bad;
            return r;
        }
    }
    r.ok = true;
    return r;
}

} // namespace dynavp::fw
