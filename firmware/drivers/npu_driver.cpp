#include "npu_driver.h"

namespace dynavp::fw {

using namespace npu;

NpuDriver::NpuDriver(Hal& hal, uint64_t scratch_addr, uint64_t scratch_bytes) : hal_(hal), scratch_(scratch_addr), scratch_bytes_(scratch_bytes) {}

bool NpuDriver::init() {
    const DeviceInfo* d = hal_.board().first_of("npu");
    if (!d) {
        why_ = "the board has no device of type npu";
        return false;
    }
    base_ = d->base;
    irq_ = d->irq;
    if (irq_ < 0) {
        why_ = "the npu has no interrupt line";
        return false;
    }
    if (hal_.read32(control_reg(ID)) != kIdValue) {
        why_ = "npu ID register does not read \"NPU0\"";
        return false;
    }
    cores_ = hal_.read32(control_reg(CORES));
    hal_.write32(control_reg(DISPATCH_IRQ), dispatch::DONE.mask() | dispatch::ERROR.mask());
    hal_.write32(control_reg(DISPATCH_CTRL), dispatch::IRQ_EN.make(1));
    if (scratch_bytes_ < uint64_t(cores_ + 1) * kJobBytes + kScheduleBytes) {
        why_ = "driver scratch too small for " + std::to_string(cores_) + " descriptors";
        return false;
    }
    return true;
}

NpuResult NpuDriver::run(const NpuTensorJob& job, uint64_t timeout_ns, uint32_t first_core) {
    NpuResult r;
    const uint32_t slots = uint32_t(job.schedule.levels() > 2 ? job.schedule.spatial_product(2) : 1);
    if (first_core + slots > cores_) {
        r.message = "schedule needs " + std::to_string(slots) + " cores from core " + std::to_string(first_core) + ", the engine has " +
                    std::to_string(cores_);
        return r;
    }
    uint64_t sched_addr = job.sched_addr;
    uint32_t sched_bytes = job.sched_bytes;
    if (!sched_addr) {
        const std::vector<uint8_t> sb = encode_schedule(job.schedule);
        sched_addr = scratch_ + uint64_t(cores_) * kJobBytes;
        if (sb.size() > kScheduleBytes) {
            r.message = "serialised schedule (" + std::to_string(sb.size()) + " B) does not fit the driver scratch";
            return r;
        }
        hal_.write_block(sched_addr, sb.data(), sb.size());
        sched_bytes = uint32_t(sb.size());
    }
    JobDescriptor d;
    d.kind = kJobTensor;
    for (int i = 0; i < sched::kDims; ++i) d.dims[i] = job.op.size[size_t(i)];
    d.stride = job.op.stride;
    d.dilation = job.op.dilation;
    d.groups = job.op.groups;
    d.dtype = job.dtype;
    d.out_format = job.out_format;
    d.scale = job.scale;
    d.group = next_group_++;
    d.in_addr = job.in_addr;
    d.w_addr = job.w_addr;
    d.out_addr = job.out_addr;
    d.psum_addr = job.psum_addr;
    d.w_layout = job.weight_layout;
    d.pad = job.pad;
    d.in_h = job.in_h;
    d.in_w = job.in_w;
    d.sched_addr = sched_addr;
    d.sched_bytes = sched_bytes;
    return launch_slots(d, slots, first_core, timeout_ns); // the outer (GLB-level spatial) loops: one slot per core
}

namespace {
JobDescriptor stream_job(uint32_t kind, const sched::Operator& op, uint32_t dtype, float scale) {
    JobDescriptor d;
    d.kind = kind;
    for (int i = 0; i < sched::kDims; ++i) d.dims[i] = op.size[size_t(i)];
    d.stride = op.stride;
    d.dilation = op.dilation;
    d.dtype = dtype;
    d.scale = scale;
    return d;
}
} // namespace

NpuResult NpuDriver::run_eltwise_add(const sched::Operator& shape, uint32_t dtype, float scale, uint64_t a, uint64_t b, uint64_t out,
                                     uint32_t cores, uint64_t timeout_ns) {
    JobDescriptor d = stream_job(kJobEltwise, shape, dtype, scale);
    d.group = next_group_++;
    d.in_addr = a, d.w_addr = b, d.out_addr = out;
    return launch_slots(d, std::max(1u, std::min(cores, cores_)), 0, timeout_ns);
}

NpuResult NpuDriver::run_pool(const sched::Operator& op, uint32_t kind, uint32_t dtype, float scale, uint64_t in, uint64_t out, uint32_t cores,
                              uint64_t timeout_ns) {
    JobDescriptor d = stream_job(kJobPool, op, dtype, scale);
    d.group = next_group_++;
    d.pool_kind = kind;
    d.in_addr = in, d.out_addr = out;
    return launch_slots(d, std::max(1u, std::min({cores, cores_, op[sched::C]})), 0, timeout_ns);
}

NpuResult NpuDriver::run_nonlinear(uint32_t core, JobDescriptor d, uint64_t timeout_ns) {
    if (core >= cores_) {
        NpuResult r;
        r.message = "core " + std::to_string(core) + " does not exist";
        return r;
    }
    d.kind = kJobNonlinear;
    return launch({d}, {core}, timeout_ns);
}

NpuResult NpuDriver::run_nonlinear(const std::vector<uint32_t>& cores, std::vector<JobDescriptor> jobs, uint64_t timeout_ns) {
    NpuResult r;
    if (cores.size() != jobs.size()) {
        r.message = "one agent job per core";
        return r;
    }
    uint64_t seen = 0;
    for (uint32_t c : cores) {
        if (c >= cores_ || (seen >> c & 1)) {
            r.message = "core " + std::to_string(c) + " does not exist or appears twice";
            return r;
        }
        seen |= uint64_t(1) << c;
    }
    for (auto& d : jobs) d.kind = kJobNonlinear;
    return launch(jobs, cores, timeout_ns);
}

NpuResult NpuDriver::launch_slots(JobDescriptor d, uint32_t slots, uint32_t first_core, uint64_t timeout_ns) {
    // One descriptor, one dispatch: the engine starts the cores and interrupts once (npu_regs.h DISPATCH_*).
    NpuResult r;
    r.cores_used = slots;
    d.slot = 0;
    d.slots = slots;
    uint8_t raw[kJobBytes];
    encode_job(d, raw);
    const uint64_t at = scratch_ + uint64_t(cores_) * kJobBytes + kScheduleBytes;
    hal_.write_block(at, raw, kJobBytes);
    hal_.write32(control_reg(DISPATCH_JOB_LO), uint32_t(at));
    hal_.write32(control_reg(DISPATCH_JOB_HI), uint32_t(at >> 32));
    hal_.write32(control_reg(DISPATCH_FIRST), first_core);
    hal_.write32(control_reg(DISPATCH_COUNT), slots);
    hal_.write32(control_reg(DISPATCH_IRQ), dispatch::DONE.mask() | dispatch::ERROR.mask()); // nothing older is waited for
    hal_.write32(control_reg(DISPATCH_CMD), dispatch::kStart);
    if (auto f = hal_.take_fault()) {
        r.message = "bus fault (" + f->response + ") while dispatching";
        return r;
    }
    // The engine accepts or refuses within the command write.
    const uint32_t st0 = hal_.read32(control_reg(DISPATCH_STATUS));
    if (dispatch::REFUSED.get(st0)) {
        hal_.write32(control_reg(DISPATCH_IRQ), dispatch::DONE.mask() | dispatch::ERROR.mask());
        const uint32_t core = dispatch::ERR_CORE.get(st0);
        r.failed_core = int(core);
        r.err_code = dispatch::ERR_CODE.get(st0);
        r.message = r.err_code == kErrBusy ? "core " + std::to_string(core) + " is still busy (an earlier launch timed out?): nothing started"
                                           : std::string("dispatch refused: ") + err_name(r.err_code) + " (core " + std::to_string(core) + ")";
        return r;
    }
    for (;;) {
        const uint32_t irqs = hal_.read32(control_reg(DISPATCH_IRQ));
        if (irqs) {
            const uint32_t st = hal_.read32(control_reg(DISPATCH_STATUS));
            // A completion may be an older launch's (one that timed out).
            if (hal_.read32(control_reg(DISPATCH_DONE_GROUP)) == d.group) {
                hal_.write32(control_reg(DISPATCH_IRQ), irqs);
                const uint32_t core = dispatch::ERR_CORE.get(st);
                r.cycles = hal_.read32(control_reg(DISPATCH_CYCLES));
                if (dispatch::STATE.get(st) == status::kError) {
                    r.failed_core = int(core);
                    r.err_code = dispatch::ERR_CODE.get(st);
                    r.err_detail = hal_.read32(core_reg(core, ERR_DETAIL));
                    r.message = "core " + std::to_string(core) + ": " + err_name(r.err_code) + " (detail " + std::to_string(r.err_detail) + ")";
                    return r;
                }
                r.ok = true;
                return r;
            }
            hal_.write32(control_reg(DISPATCH_IRQ), irqs); // stale: an older dispatch finished late
        }
        if (const uint32_t stale = hal_.read32(control_reg(IRQ_PENDING))) { // per-core events of an older, timed-out launch
            for (uint32_t c = 0; c < cores_; ++c)
                if (stale >> c & 1) hal_.write32(core_reg(c, IRQ_STATUS), irq::DONE.mask() | irq::ERROR.mask());
            continue;
        }
        if (!hal_.wait_irq(unsigned(irq_), timeout_ns)) {
            r.message = "timeout waiting for the npu interrupt (dispatch of group " + std::to_string(d.group) + " on cores " +
                        std::to_string(first_core) + ".." + std::to_string(first_core + slots - 1) + ")";
            return r;
        }
    }
}

NpuResult NpuDriver::launch(const std::vector<JobDescriptor>& jobs, const std::vector<uint32_t>& cores, uint64_t timeout_ns) {
    NpuResult r;
    r.cores_used = uint32_t(cores.size());
    for (uint32_t c : cores)
        if (status::STATE.get(hal_.read32(core_reg(c, STATUS))) == status::kBusy) {
            r.failed_core = int(c);
            r.message = "core " + std::to_string(c) + " is still busy (an earlier launch timed out?): nothing started";
            return r;
        }
    for (size_t i = 0; i < jobs.size(); ++i) {
        const uint32_t c = cores[i];
        uint8_t raw[kJobBytes];
        encode_job(jobs[i], raw);
        const uint64_t at = scratch_ + uint64_t(c) * kJobBytes;
        hal_.write_block(at, raw, kJobBytes);
        hal_.write32(core_reg(c, IRQ_STATUS), irq::DONE.mask() | irq::ERROR.mask()); // stale events
        hal_.write32(core_reg(c, CTRL), ctrl::IRQ_DONE_EN.make(1) | ctrl::IRQ_ERR_EN.make(1));
        hal_.write32(core_reg(c, JOB_LO), uint32_t(at));
        hal_.write32(core_reg(c, JOB_HI), uint32_t(at >> 32));
    }
    for (uint32_t c : cores) hal_.write32(core_reg(c, CMD), cmd::kStart);
    if (auto f = hal_.take_fault()) {
        r.message = "bus fault (" + f->response + ") while launching";
        return r;
    }
    uint64_t waiting = 0;
    for (uint32_t c : cores) waiting |= uint64_t(1) << c;
    bool ok = true;
    while (waiting) {
        if (!hal_.wait_irq(unsigned(irq_), timeout_ns)) {
            r.message = "timeout waiting for the npu interrupt; still running:";
            for (uint32_t c : cores)
                if (waiting >> c & 1) r.message += " core " + std::to_string(c);
            return r;
        }
        const uint32_t pending = hal_.read32(control_reg(IRQ_PENDING));
        if (!pending) { // the line is high for a dispatch (an older, timed-out one): not ours
            if (const uint32_t stale = hal_.read32(control_reg(DISPATCH_IRQ))) hal_.write32(control_reg(DISPATCH_IRQ), stale);
            else hal_.delay_ns(10); // the line has not caught up with a just-cleared status yet
        }
        for (uint32_t c : cores) {
            if (!(pending >> c & 1)) continue;
            const uint32_t st = hal_.read32(core_reg(c, STATUS));
            hal_.write32(core_reg(c, IRQ_STATUS), irq::DONE.mask() | irq::ERROR.mask());
            waiting &= ~(uint64_t(1) << c);
            const uint64_t cyc = (uint64_t(hal_.read32(core_reg(c, CYCLES_HI))) << 32) | hal_.read32(core_reg(c, CYCLES_LO));
            r.cycles = std::max(r.cycles, cyc);
            if (status::START_IGNORED.get(st) && ok) { // cannot happen after the busy check, unless firmware raced us
                ok = false;
                r.failed_core = int(c);
                r.message = "core " + std::to_string(c) + " ignored START: it was busy";
            }
            if (status::STATE.get(st) == status::kError && ok) {
                ok = false;
                r.failed_core = int(c);
                r.err_code = status::ERR_CODE.get(st);
                r.err_detail = hal_.read32(core_reg(c, ERR_DETAIL));
                r.message = "core " + std::to_string(c) + ": " + err_name(r.err_code) + " (detail " + std::to_string(r.err_detail) + ")";
            }
        }
    }
    r.ok = ok;
    return r;
}

std::vector<core::RuntimeEntry> NpuDriver::runtime_table(uint32_t core) {
    std::vector<core::RuntimeEntry> out;
    const uint32_t n = hal_.read32(core_reg(core, RT_COUNT));
    for (uint32_t i = 0; i < n; ++i) out.push_back(core::decode(hal_.read32(base_ + core_page(core) + kRuntimeTableBase + 4 * i)));
    return out;
}

bool NpuDriver::timing_only() { return sim_flags::TIMING_ONLY.get(hal_.read32(control_reg(SIM_FLAGS))) != 0; }

void NpuDriver::clear_runtime_table(uint32_t core) { hal_.write32(core_reg(core, CMD), cmd::kClearRt); }

void NpuDriver::map_prefetch_tile(uint32_t entry, uint64_t dram_addr, uint32_t pfb_offset, uint32_t bytes, bool valid, bool disabled) {
    hal_.write32(control_reg(PFB_SEL), entry);
    hal_.write32(control_reg(PFB_DRAM_LO), uint32_t(dram_addr));
    hal_.write32(control_reg(PFB_DRAM_HI), uint32_t(dram_addr >> 32));
    hal_.write32(control_reg(PFB_OFFSET), pfb_offset);
    hal_.write32(control_reg(PFB_BYTES), bytes);
    hal_.write32(control_reg(PFB_CTRL), pfb_ctrl::VALID.make(valid) | pfb_ctrl::DISABLE.make(disabled));
}

} // namespace dynavp::fw
