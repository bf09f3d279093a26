// Driver for the NPU compute engine (ip/core): launches one operator split
// across cores, a nonlinear (agent) job on one core, reads runtime tables,
// programs the prefetch-buffer tile directory. Uses only the HAL and
// ip/core/npu_regs.h (the same header the model is built from).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "firmware/hal.h"
#include "ip/core/npu_regs.h"
#include "ip/core/runtime_table.h"

namespace dynavp::fw {

struct NpuTensorJob {
    sched::Operator op;
    sched::Schedule schedule;     // for the whole engine: its GLB-level spatial loops split the op over cores
    uint32_t dtype = npu::kInt8;
    uint32_t out_format = npu::kOutRequantInt8;
    float scale = 1.0f;
    uint64_t in_addr = 0, w_addr = 0, out_addr = 0;
    uint64_t psum_addr = 0;       // only for schedules that spill partial sums to DRAM
    uint32_t weight_layout = 0;   // core::WeightLayout (ip/core/layout.h): lay weights out with to_blocked()
    uint32_t pad = 0;             // zero border of the input, not stored: input in memory is [N][G*C][in_h][in_w]
    uint32_t in_h = 0, in_w = 0;  // stored input size; 0 = H - 2*pad, W - 2*pad (npu_regs.h)
    // The serialised schedule is already in memory (e.g. the transverter's
    // scheduling table): the cores fetch it there. `schedule` still says how
    // the operator splits over cores. 0 = the driver writes `schedule` out.
    uint64_t sched_addr = 0;
    uint32_t sched_bytes = 0;
};

struct NpuResult {
    bool ok = false;
    uint32_t cores_used = 0;
    uint64_t cycles = 0;          // slowest core, from its CYCLES registers
    int failed_core = -1;
    uint32_t err_code = 0, err_detail = 0;
    std::string message;          // "core 3: R1 violated ... (detail 1)" or a driver-side reason
};

class NpuDriver {
public:
    // scratch: DRAM the driver owns for descriptors and serialised schedules
    // (64 KiB is plenty: one 256-byte descriptor per core + one schedule).
    NpuDriver(Hal& hal, uint64_t scratch_addr, uint64_t scratch_bytes = 64 * 1024);

    // Checks the ID and reads the core count. False (why()) if there is no NPU.
    bool init();
    uint32_t cores() const { return cores_; }
    const std::string& why() const { return why_; }

    // One operator on schedule.spatial_product(GLB) cores (slots 0..n-1),
    // waits for every core's interrupt. timeout_ns == 0: wait forever.
    // first_core: the launch uses cores first_core .. first_core + n - 1.
    NpuResult run(const NpuTensorJob& job, uint64_t timeout_ns = 0, uint32_t first_core = 0);
    // The board computes nothing (`dynavp run --timing-only`): outputs are not written.
    bool timing_only();
    // out = a + b (residual add) over a whole [N][C][P][Q] tensor, split over `cores` cores.
    NpuResult run_eltwise_add(const sched::Operator& shape, uint32_t dtype, float scale, uint64_t a, uint64_t b, uint64_t out,
                              uint32_t cores, uint64_t timeout_ns = 0);
    // Max / average pooling (op: R, S, P, Q, C, N, stride), channels split over `cores` cores.
    NpuResult run_pool(const sched::Operator& op, uint32_t kind, uint32_t dtype, float scale, uint64_t in, uint64_t out, uint32_t cores,
                       uint64_t timeout_ns = 0);
    // An agent on `core`'s nonlinear unit (JobDescriptor nl_* fields, kind set here).
    NpuResult run_nonlinear(uint32_t core, npu::JobDescriptor d, uint64_t timeout_ns = 0);
    // Agents on several cores at once (jobs[i] on cores[i]); waits for all.
    NpuResult run_nonlinear(const std::vector<uint32_t>& cores, std::vector<npu::JobDescriptor> jobs, uint64_t timeout_ns = 0);

    std::vector<core::RuntimeEntry> runtime_table(uint32_t core);
    void clear_runtime_table(uint32_t core);
    // Prefetch-buffer tile directory entry (DNA VI-B: valid / disabled).
    void map_prefetch_tile(uint32_t entry, uint64_t dram_addr, uint32_t pfb_offset, uint32_t bytes, bool valid, bool disabled = false);

    uint64_t core_reg(uint32_t core, const reg::Register& r) const { return base_ + npu::core_page(core) + r.offset; }
    uint64_t control_reg(const reg::Register& r) const { return base_ + r.offset; }

private:
    NpuResult launch(const std::vector<npu::JobDescriptor>& jobs, const std::vector<uint32_t>& cores, uint64_t timeout_ns);
    // d on cores first_core .. first_core + slots - 1, as slots 0 .. slots - 1.
    NpuResult launch_slots(npu::JobDescriptor d, uint32_t slots, uint32_t first_core, uint64_t timeout_ns);
    static constexpr uint64_t kScheduleBytes = 4096; // scratch: per-core descriptors, one schedule, the dispatch descriptor
    Hal& hal_;
    uint64_t scratch_, scratch_bytes_;
    uint64_t base_ = 0;
    int irq_ = -1;
    uint32_t cores_ = 0;
    uint32_t next_group_ = 1;
    std::string why_;
};

} // namespace dynavp::fw
