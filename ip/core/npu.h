// The NPU compute engine (DNA sec. IV-A, Fig. 8) on the board: N cores,
// each an R x C PE array with private weight/input/output buffers, a
// nonlinear unit for agents and a runtime table; the GLB (L2) shared by all
// cores; the prefetch buffer (L3) with its tile directory. Register map and
// job format: npu_regs.h. Behaviour and timing model: README.md here.
//
// *What* a core computes is functional.h / tile_walk.h (pure C++); this is
// the *when*: per tile, TLM transfers between DRAM / prefetch buffer / GLB /
// core buffers with their bandwidth and latency, compute time from the
// mapping on the PE array, overlap by double buffering.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "ip/common/register_bank.h"
#include "ip/core/layout.h"
#include "ip/core/npu_regs.h"
#include "ip/core/runtime_table.h"
#include "ip/core/tile_walk.h"
#include "ip/scheduling/cost_model.h"
#include "platform/platform_config.h"
#include "platform/stats.h"

namespace dynavp {

struct NpuOptions {
    bool timing_only = false; // skip the arithmetic; all timing and traffic stay
};

class Npu;
struct TensorRegion; // a box of a tensor in its home layout (npu.cpp)

// A launch: the cores that run one operator together (same job but slot).
struct NpuLaunch {
    uint32_t id = 0;
    npu::JobDescriptor job;
    sched::Operator op;
    sched::Schedule schedule;
    sched::Hardware hw;
    sched::Cost cost;
    std::array<uint64_t, sched::kDims> ext2{}; // GLB tile extents
    core::WeightBlocking blocking;             // when job.w_layout is blocked
    uint32_t joined = 0, finished = 0;
    uint64_t slot_mask = 0;                      // slots that joined
    uint64_t gone_mask = 0;                      // slots whose core failed before joining
    bool failed = false;                         // a core failed: no further output is written
    bool functional = true;                      // false in timing-only mode (fixed per launch)
    uint64_t in_h = 0, in_w = 0;                 // stored input rows / columns (job.pad)
    uint64_t start_ps = 0, end_ps = 0, macs = 0;
    struct Snapshot {
        uint64_t dram_read, dram_write, pfb_read, glb_read, glb_write, core_fill, core_drain;
    } at_start{};
    // Ready time of each GLB tile, per tensor, in walk order (shared: the
    // first core that needs a GLB tile stages it for all).
    std::array<std::vector<uint64_t>, sched::kTensors> glb_ready;
    // The GLB tiles of each tensor in walk order (the same for every core).
    struct GlbTile {
        std::array<uint32_t, sched::kDims> lo{};
        uint32_t group = 0;
        bool revisit = false, final = false; // outputs: partial sums come back / leave final
    };
    std::array<std::vector<GlbTile>, sched::kTensors> glb_tiles;
    std::vector<uint32_t> out_releases;     // per GLB output tile: cores done with it
    std::vector<uint64_t> out_release_ps;
    std::vector<int64_t> out_prev_visit;    // per GLB output tile: seq of the previous visit of the same tile, or -1
    std::vector<uint64_t> out_written_ps;   // per GLB output tile: when it reached DRAM (~0 = not yet)
    sc_core::sc_event out_written;          // some GLB output tile reached DRAM
    // GLB <-> core transfers shared by several cores (multicast / reduction):
    // (tensor, step, sharing key) -> completion time and cores still to come.
    std::map<std::tuple<int, uint64_t, uint64_t>, std::pair<uint64_t, uint32_t>> shared;
    // Functional state: operands as read at launch, accumulators.
    std::vector<int8_t> in8, w8;
    std::vector<float> inf, wf;
    std::vector<int32_t> acc32;
    std::vector<float> accf;
};

class NpuCore : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<NpuCore> bus;

    SC_HAS_PROCESS(NpuCore);
    NpuCore(sc_core::sc_module_name name, Npu& npu, uint32_t index);

    RegisterBank& regs() { return regs_; }
    const core::RuntimeTable& runtime_table() const { return rt_; }
    void start(const sc_core::sc_time& delay) { start_.notify(delay); }
    // Started by a dispatch (npu_regs.h DISPATCH_*) as `slot` of `slots`.
    bool start_dispatched(uint32_t slot, uint32_t slots, uint32_t group, uint64_t job, const sc_core::sc_time& delay);
    void clear_runtime_table();

    uint64_t busy_ps = 0, stall_ps = 0, jobs = 0, tiles = 0, errors = 0, nonlinear_jobs = 0;

private:
    void run();
    void execute();
    void run_tensor_job(const npu::JobDescriptor& d, uint64_t& t);
    void run_nonlinear_job(const npu::JobDescriptor& d, uint64_t& t);
    void run_stream_job(const npu::JobDescriptor& d, uint64_t& t); // eltwise, pool
    void fail(uint32_t code, uint32_t detail, const std::string& why); // STATE error, ERR_CODE, ERROR interrupt
    void succeed();                                                    // STATE done, DONE interrupt
    void sync_to(uint64_t t_ps);
    // Timed access with data (descriptors, agent vectors). False on a bus error.
    bool data_access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, uint32_t len, uint64_t& t_ps);
    // Timed access without data (tile transfers), cut at 4 KiB boundaries
    // like an AXI burst; returns the completion time of the last piece.
    uint64_t xfer(uint64_t addr, uint64_t len, bool write, uint64_t at_ps);
    // Stages GLB tile `seq` of tensor v (DRAM or prefetch buffer -> GLB) if no
    // core has yet, and the next one behind it (the GLB is double-buffered,
    // like the cost model assumes). Returns when tile `seq` is in the GLB.
    uint64_t stage_glb_tile(NpuLaunch& L, sched::Tensor v, uint64_t seq, uint64_t at_ps);
    // A GLB <-> core-buffer transfer of one step: the first of the cores that
    // share it (TileWalk::sharers) moves it; the others get the same data
    // at the same time over the NoC's multicast (or reduction) tree.
    uint64_t shared_glb_xfer(NpuLaunch& L, const core::TileWalk& w, sched::Tensor v, uint64_t step, uint64_t addr, uint64_t len, bool write,
                             uint64_t at_ps);
    // Functional data: n elements of tensor v at element offset `off` of its
    // canonical layout (~0: the whole region r, a blocked weight tile) read
    // from src; the final values of output region r written to its home.
    // pad: the input is stored without its zero border of `pad` (r is then the stored region).
    bool load_operand(NpuLaunch& L, sched::Tensor v, const TensorRegion& r, uint64_t off, uint64_t n, uint64_t src, uint64_t pad);
    bool store_output(NpuLaunch& L, const TensorRegion& r);
    uint64_t release_glb_out(NpuLaunch& L, uint64_t seq, uint64_t at_ps);

    Npu& npu_;
    RegisterBank regs_;
    core::RuntimeTable rt_;
    sc_core::sc_event start_;
    tlm::tlm_generic_payload pl_;
    bool bus_error_ = false;
    bool aborted_ = false; // the core's launch failed elsewhere: stop walking
    bool dispatched_ = false;
    uint32_t dispatch_slot_ = 0, dispatch_slots_ = 0, dispatch_group_ = 0;
    uint64_t bus_error_addr_ = 0;
};

class Npu : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Npu> regs_socket;
    sc_core::sc_out<bool> irq;

    SC_HAS_PROCESS(Npu);
    Npu(sc_core::sc_module_name name, const PlatformConfig& cfg, const NpuOptions& opt);
    ~Npu() override;

    uint32_t cores() const { return uint32_t(cores_.size()); }
    // Simulation control (not a register): benchmarks switch modes between launches.
    void set_timing_only(bool on) { opt_.timing_only = on; }
    NpuCore& core(uint32_t i) { return *cores_.at(i); }
    void report(Stats& s, const std::string& prefix) const;
    // One row per finished launch: operator, cores, cycles next to the cost
    // model's, bytes per level moved while it ran.
    const nlohmann::json& launch_log() const { return launch_log_; }
    // Hardware side of the prefetch-buffer tile directory (the predictor's
    // wires, DNA VI-B); firmware uses the PFB_* registers. Out-of-range
    // entries are ignored, as through the registers.
    void set_prefetch_entry(uint32_t i, uint64_t dram, uint64_t offset, uint64_t bytes, bool valid, bool disabled);
    uint32_t prefetch_entries() const { return uint32_t(pfb_.size()); }

    // Engine-wide counters (bytes by memory level, energy inputs).
    struct Counters {
        uint64_t dram_read = 0, dram_write = 0, pfb_read = 0, pfb_write = 0, glb_read = 0, glb_write = 0;
        // Of dram_read / pfb_read: tensor-job weight and input (feature) reads (DNA Fig. 17's split).
        uint64_t dram_read_weight = 0, dram_read_feature = 0, pfb_read_weight = 0, pfb_read_feature = 0;
        uint64_t core_fill = 0, core_drain = 0; // bytes into / out of core buffers (over the NoC)
        uint64_t macs = 0, launches = 0, tile_transactions = 0;
        double reg_pj = 0, core_buffer_pj = 0; // inner-tile traffic (cost model, identical for every tile)
        uint64_t active_ps = 0;                // time with at least one core running a job
    };

private:
    friend class NpuCore;
    enum class Where { Dram, Glb, Prefetch, Other };
    struct PfbEntry {
        uint64_t dram = 0, offset = 0, bytes = 0;
        bool valid = false, disabled = false;
    };
    void regs_b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
    void update_irq();
    void drive_irq();
    Where where(uint64_t addr) const;
    // The valid, enabled entry holding byte `addr`, if any; `covered`: how many
    // of the `len` bytes from addr it holds (the rest come from DRAM).
    const PfbEntry* pfb_lookup(uint64_t addr, uint64_t len, uint64_t& covered);
    const sched::Hardware& hardware(uint32_t dtype) const { return dtype == npu::kFp32 ? hw_fp32_ : hw_int8_; }
    NpuLaunch* join(const npu::JobDescriptor& d, const sched::Operator& op, const sched::Schedule& s, std::string& why);
    void leave(NpuLaunch& L, bool failed);
    void abandon(const npu::JobDescriptor& d); // a core of launch d.group failed before it joined
    void finish_if_done(NpuLaunch& L);
    void fail_launch(NpuLaunch& L); // marks it failed and wakes cores waiting on it
    // [addr, addr + bytes) lies inside one memory (DRAM, GLB, prefetch buffer).
    bool range_ok(uint64_t addr, uint64_t bytes) const;
    void count(uint64_t addr, uint64_t bytes, bool write); // bytes by the memory addr lies in
    void core_started();
    void core_stopped();
    void dispatch();                                          // DISPATCH_CMD start
    void dispatch_finished(uint32_t core, uint32_t group, uint32_t err, uint64_t cycles);

    PlatformConfig cfg_;
    NpuOptions opt_;
    uint64_t clk_ps_;
    sched::Hardware hw_int8_, hw_fp32_;
    uint64_t glb_base_ = 0, glb_size_ = 0, pfb_base_ = 0, pfb_size_ = 0, dram_base_ = 0, dram_size_ = 0;
    RegisterBank control_;
    std::vector<std::unique_ptr<NpuCore>> cores_;
    std::vector<PfbEntry> pfb_;
    std::map<uint32_t, NpuLaunch> launches_;
    sc_core::sc_event irq_update_;
    bool irq_level_ = false;
    sc_core::sc_time access_delay_;
    Counters n_;
    uint32_t running_ = 0;
    uint64_t pfb_hits_ = 0;
    uint64_t active_since_ = 0;
    struct Dispatch {
        uint32_t pending = 0, err = 0, err_core = 0;
        uint64_t cycles = 0;
    };
    std::map<uint32_t, Dispatch> dispatches_; // by launch group, while cores run
    nlohmann::json launch_log_ = nlohmann::json::array();
};

} // namespace dynavp
