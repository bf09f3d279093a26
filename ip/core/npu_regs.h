// NPU register map, job descriptor and serialised-schedule format: the
// single source of truth for the model (ip/core/npu.cpp) and the driver
// (firmware/drivers/npu_driver). No SystemC here.
//
// Address space of the "npu" device: page 0 (0x0000-0x0FFF) is the engine's
// control page (IRQ summary, prefetch-buffer tile directory); page i+1 is
// core i's register page (command/status/job pointer/IRQ, runtime table).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ip/common/regdef.h"
#include "ip/scheduling/schedule.h"

namespace dynavp::npu {

using reg::Access;
using reg::Field;
using reg::Register;

constexpr uint32_t kPageBytes = 0x1000;
constexpr uint64_t core_page(uint32_t core) { return uint64_t(core + 1) * kPageBytes; }

// ---- control page ---------------------------------------------------------
constexpr uint32_t kIdValue = 0x4E505530;      // "NPU0"
constexpr uint32_t kVersionValue = 0x00010000; // 1.0

constexpr Register ID{0x00, "ID", kIdValue, Access::RO};
constexpr Register VERSION{0x04, "VERSION", kVersionValue, Access::RO};
constexpr Register CORES{0x08, "CORES", 0, Access::RO};             // number of cores
constexpr Register IRQ_PENDING{0x0C, "IRQ_PENDING", 0, Access::RO}; // bit i: core i asserts its interrupt
// Simulation-only: how the virtual board was started (no silicon has it).
constexpr Register SIM_FLAGS{0x10, "SIM_FLAGS", 0, Access::RO};
// A launch that failed (a core refused its job, a tensor access faulted, ...)
// keeps refusing that group id, so late cores of it cannot start a launch of
// their own, until firmware writes the id here (ignored while cores still run on it).
constexpr Register LAUNCH_CLEAR{0x14, "LAUNCH_CLEAR", 0, Access::WO};
// Prefetch buffer (L3) tile directory (DNA IV-A, VI-B): entry PFB_SEL maps
// PFB_BYTES bytes of DRAM at PFB_DRAM into the prefetch buffer at
// PFB_OFFSET. Writing PFB_SEL loads the entry into the PFB_* registers;
// writing PFB_CTRL commits all of them to the entry. A valid entry that is
// not disabled serves the engine's DRAM reads it covers.
constexpr Register PFB_SEL{0x20, "PFB_SEL", 0, Access::RW};
constexpr Register PFB_DRAM_LO{0x24, "PFB_DRAM_LO", 0, Access::RW};
constexpr Register PFB_DRAM_HI{0x28, "PFB_DRAM_HI", 0, Access::RW};
constexpr Register PFB_OFFSET{0x2C, "PFB_OFFSET", 0, Access::RW};
constexpr Register PFB_BYTES{0x30, "PFB_BYTES", 0, Access::RW};
constexpr Register PFB_CTRL{0x34, "PFB_CTRL", 0, Access::RW};
constexpr Register PFB_ENTRIES{0x38, "PFB_ENTRIES", 0, Access::RO}; // directory size
constexpr Register PFB_HITS{0x3C, "PFB_HITS", 0, Access::RO};       // reads served by the prefetch buffer (saturating)

// Dispatch (the execution scheduler's path to the cores, DNA Fig. 8): one
// descriptor at DISPATCH_JOB started on cores FIRST .. FIRST + COUNT - 1 by
// one write, core FIRST + i running it as slot i of COUNT. The cores do not
// raise their own interrupts for it; the dispatch raises DONE (or ERROR)
// once all of them finished, and DONE_GROUP says which launch (the
// descriptor's group) that was. If a core in the range is busy, nothing starts
// (ERROR, ERR_CODE busy, ERR_CORE the core).
constexpr Register DISPATCH_JOB_LO{0x40, "DISPATCH_JOB_LO", 0, Access::RW};
constexpr Register DISPATCH_JOB_HI{0x44, "DISPATCH_JOB_HI", 0, Access::RW};
constexpr Register DISPATCH_FIRST{0x48, "DISPATCH_FIRST", 0, Access::RW};
constexpr Register DISPATCH_COUNT{0x4C, "DISPATCH_COUNT", 0, Access::RW};
constexpr Register DISPATCH_CMD{0x50, "DISPATCH_CMD", 0, Access::WO};   // 1: start
constexpr Register DISPATCH_STATUS{0x54, "DISPATCH_STATUS", 0, Access::RO};
constexpr Register DISPATCH_CYCLES{0x58, "DISPATCH_CYCLES", 0, Access::RO}; // slowest core of the finished dispatch
constexpr Register DISPATCH_IRQ{0x5C, "DISPATCH_IRQ", 0, Access::W1C};
constexpr Register DISPATCH_CTRL{0x60, "DISPATCH_CTRL", 0, Access::RW};
constexpr Register DISPATCH_DONE_GROUP{0x64, "DISPATCH_DONE_GROUP", 0, Access::RO};

constexpr Register kControlRegisters[] = {ID,          VERSION,    CORES,     IRQ_PENDING, SIM_FLAGS,  LAUNCH_CLEAR, PFB_SEL,     PFB_DRAM_LO,
                                          PFB_DRAM_HI, PFB_OFFSET, PFB_BYTES, PFB_CTRL,    PFB_ENTRIES, PFB_HITS,
                                          DISPATCH_JOB_LO, DISPATCH_JOB_HI, DISPATCH_FIRST, DISPATCH_COUNT, DISPATCH_CMD,
                                          DISPATCH_STATUS, DISPATCH_CYCLES, DISPATCH_IRQ, DISPATCH_CTRL, DISPATCH_DONE_GROUP};

namespace dispatch {
constexpr uint32_t kStart = 1;
constexpr Field STATE{0, 2};    // status::kIdle / kBusy / kDone / kError
constexpr Field ERR_CODE{8, 8}; // of the failing core (the root cause when several failed)
constexpr Field ERR_CORE{16, 8};
constexpr Field REFUSED{24, 1}; // the last DISPATCH_CMD started nothing (ERR_CODE / ERR_CORE say why); an accepted one clears it
constexpr Field IRQ_EN{0, 1};   // DISPATCH_CTRL
constexpr Field DONE{0, 1};     // DISPATCH_IRQ
constexpr Field ERROR{1, 1};
} // namespace dispatch

namespace sim_flags {
constexpr Field TIMING_ONLY{0, 1}; // cores move and time tiles but compute nothing: outputs are not written
} // namespace sim_flags

namespace pfb_ctrl {
constexpr Field VALID{0, 1};   // the entry holds its DRAM range
constexpr Field DISABLE{1, 1}; // a useless tile: kept but never served (DNA VI-B)
} // namespace pfb_ctrl

// ---- core page --------------------------------------------------------------
constexpr Register CORE_ID{0x00, "CORE_ID", 0, Access::RO};
constexpr Register CTRL{0x04, "CTRL", 0, Access::RW};
constexpr Register CMD{0x08, "CMD", 0, Access::WO};
constexpr Register STATUS{0x0C, "STATUS", 0, Access::RO};
constexpr Register IRQ_STATUS{0x10, "IRQ_STATUS", 0, Access::W1C};
constexpr Register JOB_LO{0x14, "JOB_LO", 0, Access::RW}; // job descriptor address
constexpr Register JOB_HI{0x18, "JOB_HI", 0, Access::RW};
constexpr Register CYCLES_LO{0x1C, "CYCLES_LO", 0, Access::RO}; // core clocks of the last job
constexpr Register CYCLES_HI{0x20, "CYCLES_HI", 0, Access::RO};
constexpr Register TILES{0x24, "TILES", 0, Access::RO};         // tiles of the last job
constexpr Register ERR_DETAIL{0x28, "ERR_DETAIL", 0, Access::RO}; // error-specific: level index, bus address low bits
constexpr Register RT_COUNT{0x40, "RT_COUNT", 0, Access::RO};   // runtime-table entries recorded
constexpr Register RT_OVERFLOW{0x44, "RT_OVERFLOW", 0, Access::RO};
constexpr uint32_t kRuntimeTableBase = 0x100; // RT_ENTRY[i] at +4i, runtime_table.h encoding
constexpr uint32_t kMaxRuntimeTableEntries = (kPageBytes - kRuntimeTableBase) / 4; // 960: the rest of the core page

constexpr Register kCoreRegisters[] = {CORE_ID, CTRL,      CMD,   STATUS,     IRQ_STATUS, JOB_LO,
                                       JOB_HI,  CYCLES_LO, CYCLES_HI, TILES, ERR_DETAIL, RT_COUNT, RT_OVERFLOW};

namespace ctrl {
constexpr Field IRQ_DONE_EN{0, 1};
constexpr Field IRQ_ERR_EN{1, 1};
} // namespace ctrl

namespace cmd {
constexpr uint32_t kStart = 1;    // fetch the descriptor at JOB and run it
constexpr uint32_t kClearRt = 2;  // empty the runtime table
} // namespace cmd

namespace status {
using namespace reg::unit_status;     // STATE idle/busy/done/error, ERR_CODE
constexpr Field START_IGNORED{16, 1}; // sticky: a START arrived while busy and was dropped (cleared by an accepted START)
} // namespace status

namespace irq = reg::unit_irq; // DONE, ERROR

// STATUS.ERR_CODE values.
enum ErrCode : uint32_t {
    kErrNone = 0,
    kErrBusy = 1,           // START while a job runs
    kErrBusFault = 2,       // descriptor, schedule or tensor access faulted (ERR_DETAIL: address low 32 bits)
    kErrBadDescriptor = 3,  // magic, kind, dtype or a field out of range
    kErrBadSchedule = 4,    // the serialised schedule is malformed
    kErrShape = 5,          // factors do not multiply to the operator's dims
    kErrR1 = 6,             // a tile exceeds a buffer (ERR_DETAIL: level)
    kErrR2 = 7,             // more spatial instances than a level has (ERR_DETAIL: level)
    kErrSlot = 8,           // slot/slots do not match the schedule's spatial loops across cores
    kErrGroup = 9,          // cores of one launch disagree on the job, or another core of the launch failed
    kErrRange = 10,         // a tensor does not fit the memory it is placed in (ERR_DETAIL: address low 32 bits)
};
const char* err_name(uint32_t code);

// ---- job descriptor (in memory, little-endian, kJobBytes) --------------------
constexpr uint32_t kJobMagic = 0x4E424F4A; // bytes "JOBN"
constexpr uint32_t kJobBytes = 256;
// Tensor: conv/matmul/depthwise under a schedule. Nonlinear: an agent on the
// nonlinear unit. Eltwise: out = a + b over N*C*P*Q elements (a at in_addr,
// b at w_addr). Pool: max/average over R x S windows, input [N][C][H][W].
// Eltwise and pool stream through the cores (no reuse to schedule): slot i
// of `slots` takes an equal share (elements, or channels for pooling).
enum JobKind : uint32_t { kJobTensor = 1, kJobNonlinear = 2, kJobEltwise = 3, kJobPool = 4 };
enum DType : uint32_t { kInt8 = 0, kFp32 = 1 };
enum OutFormat : uint32_t { kOutRaw = 0, kOutRequantInt8 = 1 }; // raw: int32 (int8 jobs) or fp32

struct JobDescriptor {
    uint32_t kind = kJobTensor;
    // Tensor operator (conv, matmul = R=S=1, depthwise = groups): DNA/CoSA dims.
    uint32_t dims[7] = {1, 1, 1, 1, 1, 1, 1}; // R S P Q C K N
    uint32_t stride = 1, dilation = 1, groups = 1;
    uint32_t dtype = kInt8;
    uint32_t out_format = kOutRequantInt8;
    float scale = 1.0f;
    // This core's share: its coordinate among the schedule's spatial loops
    // at the GLB level (one slot per core), and the launch it belongs to.
    uint32_t slot = 0, slots = 1, group = 0;
    uint64_t in_addr = 0, w_addr = 0, out_addr = 0;
    uint64_t sched_addr = 0;
    uint32_t sched_bytes = 0;
    // int32/fp32 partial sums [N][G*K][P][Q], needed only when the schedule
    // sends partial sums out of the GLB (a reduction loop at the DRAM level
    // outside an output loop); 0 otherwise.
    uint64_t psum_addr = 0;
    uint32_t pool_kind = 0; // core::PoolKind: 0 max, 1 average
    // Zero padding of the input on every side (tensor jobs), at most the
    // window's reach ((R-1)*dilation, (S-1)*dilation). The input is then
    // stored without its border as [N][G*C][in_h][in_w]; in_h / in_w = 0 mean
    // H - 2*pad / W - 2*pad (H, W: the padded extents the operator reads).
    // Stored rows or columns the padded window never reaches are not read.
    uint32_t pad = 0, in_h = 0, in_w = 0;
    uint32_t w_layout = 0; // core::WeightLayout: 0 canonical [G*K][C][R][S], 1 blocked by GLB tile (layout.h)
    // Nonlinear (agent) job: softmax/top-k/gate/... over nl_n fp32 values.
    uint32_t nl_op = 0, nl_n = 0, nl_k = 1;
    float nl_threshold = 0.5f;
    uint32_t policy = 0;       // runtime_table.h AgentPolicy of the entries it records
    uint32_t rt_address = 0;   // agent-controlled address of element 0
    uint64_t nl_src = 0, nl_dst = 0;
    // Rows of nl_n values, each its own agent decision (e.g. one token's
    // router logits: top-k per row); every row records with addresses
    // rt_address .. rt_address + nl_n - 1. 0 reads as 1.
    uint32_t nl_rows = 1;
    // Format of the agent's input at nl_src: 0 fp32, 1 int32 (the tensor
    // unit's raw accumulators, e.g. an int8 gate matmul with kOutRaw; each
    // value converts to the nearest float, exact below 2^24).
    uint32_t nl_in_format = 0;
};
enum NlInFormat : uint32_t { kNlInFp32 = 0, kNlInInt32 = 1 };

void encode_job(const JobDescriptor& d, uint8_t out[kJobBytes]);
// False when the magic is wrong (the rest is checked by the core).
bool decode_job(const uint8_t in[kJobBytes], JobDescriptor& d);

// ---- serialised schedule (at JobDescriptor::sched_addr) -----------------------
// u32 magic "SCHD", u16 levels, u16 factors; per factor 8 bytes {u8 dim, u8
// level, u8 spatial, u8 0, u32 value}; then per level the 7 dims of its loop
// order, outermost first (one byte each); padded to 4 bytes.
constexpr uint32_t kSchedMagic = 0x44484353; // bytes "SCHD"
std::vector<uint8_t> encode_schedule(const sched::Schedule& s);
// Empty string on success, else what is malformed.
std::string decode_schedule(const uint8_t* bytes, size_t len, sched::Schedule& s);

} // namespace dynavp::npu
