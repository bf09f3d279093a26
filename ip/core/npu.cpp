#include "npu.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include "ip/common/tlm_util.h"
#include "ip/core/functional.h"
#include "ip/core/nonlinear.h"
#include "platform/trace.h"

namespace dynavp {

using namespace npu;
using sched::Dim;
using sched::Tensor;
using sched::Output;
using core::TileBox;
using core::TileStep;
using core::TileWalk;
using core::compute_tile;

// A box of a tensor in its row-major 4-D home layout (functional.h layouts).
struct TensorRegion {
    std::array<uint64_t, 4> size{}, lo{}, hi{};
    uint64_t elems() const {
        uint64_t n = 1;
        for (int d = 0; d < 4; ++d) n *= hi[size_t(d)] - lo[size_t(d)];
        return n;
    }
};

namespace {

constexpr uint64_t kBurstBoundary = 4096; // AXI bursts never cross 4 KiB

TensorRegion region_of(const sched::Operator& op, Tensor v, uint32_t g, const std::array<uint32_t, sched::kDims>& lo,
                 const std::array<uint64_t, sched::kDims>& ext) {
    using namespace sched;
    TensorRegion r;
    const uint64_t G = op.groups;
    switch (v) {
    case Weight:
        r.size = {G * op[K], op[C], op[R], op[S]};
        r.lo = {uint64_t(g) * op[K] + lo[K], lo[C], lo[R], lo[S]};
        r.hi = {r.lo[0] + ext[K], r.lo[1] + ext[C], r.lo[2] + ext[R], r.lo[3] + ext[S]};
        break;
    case Input:
        r.size = {op[N], G * op[C], op.input_extent(op[P], op[R]), op.input_extent(op[Q], op[S])};
        r.lo = {lo[N], uint64_t(g) * op[C] + lo[C], uint64_t(lo[P]) * op.stride + uint64_t(lo[R]) * op.dilation,
                uint64_t(lo[Q]) * op.stride + uint64_t(lo[S]) * op.dilation};
        r.hi = {r.lo[0] + ext[N], r.lo[1] + ext[C], r.lo[2] + op.input_extent(ext[P], ext[R]), r.lo[3] + op.input_extent(ext[Q], ext[S])};
        break;
    case Output:
        r.size = {op[N], G * op[K], op[P], op[Q]};
        r.lo = {lo[N], uint64_t(g) * op[K] + lo[K], lo[P], lo[Q]};
        r.hi = {r.lo[0] + ext[N], r.lo[1] + ext[K], r.lo[2] + ext[P], r.lo[3] + ext[Q]};
        break;
    }
    return r;
}

// f(element offset, elements) for each maximal contiguous run of the box.
template <class F> void for_each_run(const TensorRegion& r, F f) {
    std::array<uint64_t, 4> block{};
    block[3] = 1;
    for (int d = 2; d >= 0; --d) block[size_t(d)] = block[size_t(d) + 1] * r.size[size_t(d) + 1];
    int m = 3; // dims after m are covered whole: the run spans dim m's range
    while (m > 0 && r.lo[size_t(m)] == 0 && r.hi[size_t(m)] == r.size[size_t(m)]) --m;
    const uint64_t run = (r.hi[size_t(m)] - r.lo[size_t(m)]) * block[size_t(m)];
    std::array<uint64_t, 4> i = r.lo;
    for (;;) {
        uint64_t off = r.lo[size_t(m)] * block[size_t(m)];
        for (int d = 0; d < m; ++d) off += i[size_t(d)] * block[size_t(d)];
        f(off, run);
        int d = m - 1;
        while (d >= 0 && ++i[size_t(d)] == r.hi[size_t(d)]) {
            i[size_t(d)] = r.lo[size_t(d)];
            --d;
        }
        if (d < 0) break;
    }
}

std::array<uint32_t, sched::kDims> glb_tile_lo(const TileBox& b, const std::array<uint64_t, sched::kDims>& ext2) {
    std::array<uint32_t, sched::kDims> lo{};
    for (int d = 0; d < sched::kDims; ++d) lo[size_t(d)] = uint32_t(b.lo[size_t(d)] / ext2[size_t(d)] * ext2[size_t(d)]);
    return lo;
}

// The operator a descriptor describes; `why` is set when a field is out of range.
sched::Operator operator_of(const JobDescriptor& d, std::string& why) {
    using namespace sched;
    Operator op;
    for (int i = 0; i < kDims; ++i) op.size[size_t(i)] = d.dims[i];
    op.stride = d.stride;
    op.dilation = d.dilation;
    op.groups = d.groups;
    for (int i = 0; i < kDims; ++i)
        if (d.dims[i] == 0 || d.dims[i] > kMaxDim) why = std::string("dimension ") + dim_name(Dim(i)) + " out of range";
    if (d.stride == 0 || d.stride > 64 || d.dilation == 0 || d.dilation > 64 || d.groups == 0 || d.groups > kMaxDim)
        why = "stride/dilation/groups out of range";
    if (d.slots == 0 || d.slot >= d.slots) why = "slot >= slots";
    return op;
}

// Functional (untimed) copy through the bus's debug path, in 64 KiB pieces.
bool debug_copy(tlm_utils::simple_initiator_socket<NpuCore>& bus, tlm::tlm_command cmd, uint64_t addr, void* data, uint64_t len) {
    tlm::tlm_generic_payload p;
    for (uint64_t at = 0; at < len;) {
        const uint64_t n = std::min<uint64_t>(len - at, 1 << 16);
        p.set_command(cmd);
        p.set_address(addr + at);
        p.set_data_ptr(static_cast<uint8_t*>(data) + at);
        p.set_data_length(unsigned(n));
        p.set_streaming_width(unsigned(n));
        if (bus->transport_dbg(p) != n) return false;
        at += n;
    }
    return true;
}

// Products of descriptor fields, saturating instead of wrapping.
uint64_t product(std::initializer_list<uint64_t> xs) {
    unsigned __int128 p = 1;
    for (uint64_t x : xs) {
        p *= x;
        if (p > ~uint64_t(0)) return ~uint64_t(0);
    }
    return uint64_t(p);
}

constexpr uint64_t kMaxMacs = uint64_t(1) << 50; // as operator.h's parser
constexpr uint64_t kNotYet = ~uint64_t(0);

} // namespace

// ============================================================================ core

NpuCore::NpuCore(sc_core::sc_module_name name, Npu& npu, uint32_t index)
    : sc_module(name), bus("bus"), npu_(npu), rt_(npu.cfg_.npu.runtime_table_entries) {
    regs_.declare(kCoreRegisters);
    regs_.set(CORE_ID, index);
    regs_.on_read(RT_COUNT, [this](uint32_t) { return uint32_t(rt_.entries().size()); });
    regs_.on_read(RT_OVERFLOW, [this](uint32_t) { return uint32_t(std::min<uint64_t>(rt_.overflows(), 0xFFFFFFFFu)); });
    regs_.on_write(CTRL, [this](uint32_t, uint32_t) { npu_.update_irq(); });
    regs_.on_write(IRQ_STATUS, [this](uint32_t, uint32_t) { npu_.update_irq(); });
    regs_.on_write(CMD, [this](uint32_t, uint32_t v) {
        if (v == cmd::kClearRt) clear_runtime_table();
        if (v == cmd::kStart) {
            if (status::STATE.get(regs_.get(STATUS)) == status::kBusy) {
                ++errors; // the running job goes on; the host sees the sticky bit
                regs_.set(STATUS, regs_.get(STATUS) | status::START_IGNORED.make(1));
                return;
            }
            regs_.set(STATUS, status::STATE.make(status::kBusy));
            dispatched_ = false;
            start(npu_.access_delay_);
        }
    });
    pl_.set_extension(new TimingOnlyExtension);
    SC_THREAD(run);
}

void NpuCore::clear_runtime_table() { rt_.clear(); }

bool NpuCore::start_dispatched(uint32_t slot, uint32_t slots, uint32_t group, uint64_t job, const sc_core::sc_time& delay) {
    if (status::STATE.get(regs_.get(STATUS)) == status::kBusy) return false;
    regs_.set(JOB_LO, uint32_t(job));
    regs_.set(JOB_HI, uint32_t(job >> 32));
    regs_.set(STATUS, status::STATE.make(status::kBusy));
    dispatched_ = true;
    dispatch_slot_ = slot;
    dispatch_slots_ = slots;
    dispatch_group_ = group;
    start(delay);
    return true;
}

void NpuCore::run() {
    for (;;) {
        wait(start_);
        execute();
    }
}

void NpuCore::sync_to(uint64_t t_ps) {
    const uint64_t now = now_ps();
    if (t_ps > now) wait(ps_time(t_ps - now));
}

bool NpuCore::data_access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, uint32_t len, uint64_t& t_ps) {
    tlm::tlm_generic_payload p;
    p.set_command(cmd);
    p.set_address(addr);
    p.set_data_ptr(data);
    p.set_data_length(len);
    p.set_streaming_width(len);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time d = ps_time(t_ps > now_ps() ? t_ps - now_ps() : 0);
    bus->b_transport(p, d);
    t_ps = now_ps() + ps_of(d);
    if (!p.is_response_ok()) {
        bus_error_ = true;
        bus_error_addr_ = addr;
        return false;
    }
    return true;
}

uint64_t NpuCore::xfer(uint64_t addr, uint64_t len, bool write, uint64_t at_ps) {
    static uint8_t scratch[kBurstBoundary]; // never written or read: the transfers carry timing only
    uint64_t done = at_ps;
    const uint64_t now = now_ps();
    const uint64_t arrival = std::max(at_ps, now);
    for (uint64_t a = addr; a < addr + len;) {
        const uint64_t end = std::min(addr + len, (a / kBurstBoundary + 1) * kBurstBoundary);
        pl_.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        pl_.set_address(a);
        pl_.set_data_ptr(scratch);
        pl_.set_data_length(uint32_t(end - a));
        pl_.set_streaming_width(uint32_t(end - a));
        pl_.set_byte_enable_ptr(nullptr);
        pl_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_core::sc_time d = ps_time(arrival - now);
        bus->b_transport(pl_, d);
        if (!pl_.is_response_ok() && !bus_error_) {
            bus_error_ = true;
            bus_error_addr_ = a;
        }
        done = std::max(done, now + ps_of(d));
        ++npu_.n_.tile_transactions;
        a = end;
    }
    return done;
}

void NpuCore::fail(uint32_t code, uint32_t detail, const std::string& why) {
    ++errors;
    regs_.set(STATUS, status::STATE.make(status::kError) | status::ERR_CODE.make(code));
    regs_.set(ERR_DETAIL, detail);
    if (!dispatched_) regs_.set(IRQ_STATUS, regs_.get(IRQ_STATUS) | irq::ERROR.make(1)); // a dispatch reports for all its cores
    board_trace().instant(std::string(name()), std::string("error: ") + err_name(code) + (why.empty() ? "" : ": " + why), now_ps());
    npu_.update_irq();
}

void NpuCore::succeed() {
    regs_.set(STATUS, status::STATE.make(status::kDone));
    if (!dispatched_) regs_.set(IRQ_STATUS, regs_.get(IRQ_STATUS) | irq::DONE.make(1));
    npu_.update_irq();
}

void NpuCore::execute() {
    npu_.core_started();
    const uint64_t t0 = now_ps();
    uint64_t t = t0;
    bus_error_ = aborted_ = false;
    const uint64_t job = (uint64_t(regs_.get(JOB_HI)) << 32) | regs_.get(JOB_LO);
    uint8_t raw[kJobBytes];
    JobDescriptor d;
    const bool read = data_access(tlm::TLM_READ_COMMAND, job, raw, kJobBytes, t);
    const bool decoded = read && decode_job(raw, d);
    if (decoded && dispatched_) { // one descriptor for all cores of a dispatch: the slot is the core's place in it
        d.slot = dispatch_slot_;
        d.slots = dispatch_slots_;
    }
    if (!read) {
        sync_to(t);
        fail(kErrBusFault, uint32_t(job), "job descriptor read");
    } else if (!decoded) {
        sync_to(t);
        fail(kErrBadDescriptor, 0, "bad magic");
    } else if (d.kind == kJobNonlinear) {
        run_nonlinear_job(d, t);
    } else if (d.kind == kJobTensor) {
        run_tensor_job(d, t);
    } else if (d.kind == kJobEltwise || d.kind == kJobPool) {
        run_stream_job(d, t);
    } else {
        sync_to(t);
        fail(kErrBadDescriptor, d.kind, "unknown job kind");
    }
    ++jobs;
    const uint64_t cycles = (now_ps() - t0) / npu_.clk_ps_;
    regs_.set(CYCLES_LO, uint32_t(cycles));
    regs_.set(CYCLES_HI, uint32_t(cycles >> 32));
    npu_.core_stopped();
    if (dispatched_) {
        dispatched_ = false;
        const uint32_t st = regs_.get(STATUS);
        npu_.dispatch_finished(regs_.get(CORE_ID), dispatch_group_, status::STATE.get(st) == status::kError ? status::ERR_CODE.get(st) : 0, cycles);
    }
}

void NpuCore::run_nonlinear_job(const JobDescriptor& d, uint64_t& t) {
    using namespace core;
    const uint64_t rows = std::max<uint32_t>(1, d.nl_rows);
    if (d.nl_op > uint32_t(NonlinearOp::Gelu) || d.nl_n == 0 || d.nl_k == 0 || d.nl_k > d.nl_n || uint64_t(d.nl_n) * rows > (1u << 20) ||
        d.nl_in_format > kNlInInt32) {
        sync_to(t);
        return fail(kErrBadDescriptor, d.nl_op, "nonlinear op, n, rows, k or input format out of range");
    }
    const auto op = NonlinearOp(d.nl_op);
    const uint64_t n = d.nl_n;
    std::vector<float> x(n * rows);
    if (!data_access(tlm::TLM_READ_COMMAND, d.nl_src, reinterpret_cast<uint8_t*>(x.data()), uint32_t(x.size() * 4), t)) {
        sync_to(t);
        return fail(kErrBusFault, uint32_t(bus_error_addr_), "agent input read");
    }
    if (d.nl_in_format == kNlInInt32)
        for (float& v : x) {
            int32_t i;
            std::memcpy(&i, &v, 4);
            v = float(i);
        }
    const uint64_t begin = t;
    t += rows * nonlinear_cycles(op, n, npu_.cfg_.npu.nonlinear_lanes, d.nl_k) * npu_.clk_ps_;
    const auto policy = AgentPolicy(d.policy);
    auto record = [&](uint32_t i, uint32_t result) { rt_.record({d.rt_address + i, policy, result}); };
    std::vector<float> y;
    for (uint64_t row = 0; row < rows; ++row) {
        const std::vector<float> xr(x.begin() + long(row * n), x.begin() + long((row + 1) * n));
        std::vector<float> yr;
        switch (op) {
        case NonlinearOp::TopK:
            for (uint32_t i : top_k(xr, d.nl_k)) record(i, 1);
            break;
        case NonlinearOp::Argmax: record(argmax(xr), 1); break;
        case NonlinearOp::SigmoidGate: {
            const auto g = sigmoid_gate(xr, d.nl_threshold);
            for (uint32_t i = 0; i < g.size(); ++i) record(i, g[i]);
            break;
        }
        case NonlinearOp::Threshold: {
            const auto g = threshold(xr, d.nl_threshold);
            for (uint32_t i = 0; i < g.size(); ++i) record(i, g[i]);
            break;
        }
        case NonlinearOp::Softmax: yr = softmax(xr); break;
        case NonlinearOp::Relu: yr = relu(xr); break;
        case NonlinearOp::Gelu: yr = gelu(xr); break;
        }
        y.insert(y.end(), yr.begin(), yr.end());
    }
    if (!y.empty() && !data_access(tlm::TLM_WRITE_COMMAND, d.nl_dst, reinterpret_cast<uint8_t*>(y.data()), uint32_t(y.size() * 4), t)) {
        sync_to(t);
        return fail(kErrBusFault, uint32_t(bus_error_addr_), "agent output write");
    }
    sync_to(t);
    busy_ps += t - begin;
    ++nonlinear_jobs;
    board_trace().span(std::string(name()), std::string("agent ") + to_string(op), begin, t, {{"n", n}, {"rows", rows}});
    // One track for every agent on the engine (DNA Fig. 8's agent step), whichever core ran it.
    board_trace().span("npu.agents", std::string(name()) + ": " + to_string(op), begin, t, {{"n", n}, {"rows", rows}, {"policy", uint64_t(d.policy)}});
    succeed();
}

// Streaming operators: no reuse to exploit, so operands flow from their home
// memory straight into the input buffer in chunks that fit it, and results
// straight back; chunk i+1 loads while chunk i computes (double buffering).
// The PE array does one add / compare per PE per cycle.
void NpuCore::run_stream_job(const JobDescriptor& d, uint64_t& t) {
    using namespace sched;
    std::string why;
    JobDescriptor dd = d;
    dd.groups = 1; // streaming jobs have no groups
    Operator op = operator_of(dd, why);
    if (d.dtype > kFp32 || d.pool_kind > 1) why = "dtype or pool kind";
    if (!why.empty()) {
        sync_to(t);
        return fail(kErrBadDescriptor, 0, why);
    }
    const bool fp = d.dtype == kFp32, functional = !npu_.opt_.timing_only;
    const uint64_t eb = fp ? 4 : 1, lanes = uint64_t(npu_.cfg_.npu.pe_rows) * npu_.cfg_.npu.pe_cols;
    const uint64_t buf = npu_.cfg_.npu.input_buffer_bytes;
    const uint64_t H = op.input_extent(op[P], op[R]), W = op.input_extent(op[Q], op[S]);
    const uint64_t out_bytes = product({op[N], op[C], op[P], op[Q], eb});
    const uint64_t in_bytes = d.kind == kJobEltwise ? out_bytes : product({op[N], op[C], H, W, eb});
    std::vector<std::pair<uint64_t, uint64_t>> ranges = {{d.in_addr, in_bytes}, {d.out_addr, out_bytes}};
    if (d.kind == kJobEltwise) ranges.push_back({d.w_addr, in_bytes});
    for (const auto& [a, n] : ranges)
        if (!npu_.range_ok(a, n)) {
            sync_to(t);
            return fail(kErrRange, uint32_t(a), "tensor at " + std::to_string(a) + " of " + std::to_string(n) + " bytes");
        }
    struct Chunk {
        std::pair<uint64_t, uint64_t> reads[2]; // addr, bytes (bytes 0: unused)
        uint64_t cycles;
        uint64_t out_addr, out_bytes;
    };
    // This core's share, [first, first + count): elements (eltwise) or channels (pool).
    uint64_t first = 0, count = 0;
    std::function<bool(Chunk&)> next; // chunks one by one: no list as long as the tensor
    uint64_t at = 0;
    if (d.kind == kJobEltwise) {
        const uint64_t total = out_bytes / eb;
        first = uint64_t((unsigned __int128)total * d.slot / d.slots);
        count = uint64_t((unsigned __int128)total * (d.slot + 1) / d.slots) - first;
        const uint64_t per = std::max<uint64_t>(1, buf / (2 * eb)); // both operands share the input buffer
        next = [&, per](Chunk& ch) {
            if (at >= count) return false;
            const uint64_t n = std::min(per, count - at), off = (first + at) * eb;
            ch = {{{d.in_addr + off, n * eb}, {d.w_addr + off, n * eb}}, (n + lanes - 1) / lanes, d.out_addr + off, n * eb};
            at += n;
            return true;
        };
    } else {
        first = uint64_t(op[C]) * d.slot / d.slots;
        count = uint64_t(op[C]) * (d.slot + 1) / d.slots - first;
        const uint64_t row_in = W * eb;
        // Output rows per chunk: as many as the input rows they need fit the buffer (at least one).
        uint64_t band = 1;
        while (band < op[P] && (band * op.stride + (op[R] - 1) * op.dilation + 1) * row_in <= buf) ++band;
        const uint64_t bands = (op[P] + band - 1) / band;
        next = [&, band, bands, row_in](Chunk& ch) { // `at` counts (n, channel, band) in that order
            if (at >= op[N] * count * bands) return false;
            const uint64_t n = at / (count * bands), c = first + at / bands % count, p = at % bands * band;
            const uint64_t rows = std::min<uint64_t>(band, op[P] - p);
            const uint64_t in_rows = (rows - 1) * op.stride + (op[R] - 1) * op.dilation + 1;
            const uint64_t in_off = ((n * op[C] + c) * H + p * op.stride) * row_in;
            const uint64_t out_off = ((n * op[C] + c) * op[P] + p) * op[Q] * eb;
            const uint64_t ops = rows * op[Q] * op[R] * op[S];
            ch = {{{d.in_addr + in_off, in_rows * row_in}, {0, 0}}, (ops + lanes - 1) / lanes, d.out_addr + out_off, rows * op[Q] * eb};
            ++at;
            return true;
        };
    }
    // Timing.
    const uint64_t clk = npu_.clk_ps_, start0 = t;
    sync_to(t);
    uint64_t prev_start = t, prev_end = t, end = t, n_chunks = 0;
    Chunk ch;
    while (next(ch)) {
        ++n_chunks;
        const uint64_t issue = std::max(now_ps(), npu_.cfg_.npu.double_buffered ? prev_start : prev_end);
        sync_to(issue);
        uint64_t ready = issue;
        for (const auto& [a, len] : ch.reads) {
            if (len == 0) continue;
            ready = std::max(ready, xfer(a, len, false, issue));
            npu_.count(a, len, false);
            npu_.n_.core_fill += len;
        }
        const uint64_t start = std::max(ready, prev_end);
        stall_ps += start - prev_end;
        prev_start = start;
        prev_end = start + ch.cycles * clk;
        busy_ps += ch.cycles * clk;
        end = std::max(end, xfer(ch.out_addr, ch.out_bytes, true, prev_end));
        npu_.count(ch.out_addr, ch.out_bytes, true);
        npu_.n_.core_drain += ch.out_bytes;
        if (bus_error_) break;
    }
    end = std::max(end, prev_end);
    sync_to(end);
    stall_ps += end - prev_end;
    tiles += n_chunks;
    regs_.set(TILES, uint32_t(n_chunks));
    board_trace().span(std::string(name()), d.kind == kJobEltwise ? "eltwise add" : "pool", start0, end, {{"chunks", n_chunks}});
    if (bus_error_) return fail(kErrBusFault, uint32_t(bus_error_addr_), "stream transfer");
    // Functional: this core's share, read and written through the bus's debug path.
    if (functional && count > 0) {
        bool ok = true; // the ranges were checked: a failure here is a model bug, reported all the same
        auto dbg = [&](tlm::tlm_command cmd, uint64_t addr, void* p, uint64_t len) { ok &= debug_copy(bus, cmd, addr, p, len); };
        auto run = [&](auto zero) {
            using T = decltype(zero);
            if (d.kind == kJobEltwise) {
                std::vector<T> a(count), b(count);
                dbg(tlm::TLM_READ_COMMAND, d.in_addr + first * eb, a.data(), count * eb);
                dbg(tlm::TLM_READ_COMMAND, d.w_addr + first * eb, b.data(), count * eb);
                std::vector<T> o;
                if constexpr (std::is_same_v<T, float>) o = core::eltwise_add(a, b);
                else o = core::eltwise_add(a, b, d.scale);
                dbg(tlm::TLM_WRITE_COMMAND, d.out_addr + first * eb, o.data(), count * eb);
            } else {
                Operator sub = op;
                sub[N] = 1;
                sub[C] = uint32_t(count);
                for (uint64_t n = 0; n < op[N]; ++n) {
                    std::vector<T> in(count * H * W);
                    dbg(tlm::TLM_READ_COMMAND, d.in_addr + ((n * op[C] + first) * H * W) * eb, in.data(), in.size() * eb);
                    std::vector<T> o;
                    if constexpr (std::is_same_v<T, float>) o = core::pool(sub, core::PoolKind(d.pool_kind), in);
                    else o = core::pool(sub, core::PoolKind(d.pool_kind), in, d.scale);
                    dbg(tlm::TLM_WRITE_COMMAND, d.out_addr + ((n * op[C] + first) * op[P] * op[Q]) * eb, o.data(), o.size() * eb);
                }
            }
        };
        if (fp) run(0.0f);
        else run(int8_t(0));
        if (!ok) return fail(kErrBusFault, 0, "functional access to a tensor");
    }
    succeed();
}

bool NpuCore::load_operand(NpuLaunch& L, Tensor v, const TensorRegion& r, uint64_t off, uint64_t n, uint64_t src, uint64_t pad) {
    const bool fp = L.job.dtype == kFp32;
    const uint64_t eb = fp ? 4 : 1;
    uint8_t* base = v == sched::Weight ? (fp ? reinterpret_cast<uint8_t*>(L.wf.data()) : reinterpret_cast<uint8_t*>(L.w8.data()))
                                       : (fp ? reinterpret_cast<uint8_t*>(L.inf.data()) : reinterpret_cast<uint8_t*>(L.in8.data()));
    if (off != ~uint64_t(0) && pad == 0) return debug_copy(bus, tlm::TLM_READ_COMMAND, src, base + off * eb, n * eb);
    if (off != ~uint64_t(0)) { // a run of the stored (unpadded) input: row by row into the padded operand
        const uint64_t H0 = r.size[2], W0 = r.size[3];
        const uint64_t H = L.op.input_extent(L.op[sched::P], L.op[sched::R]), W = L.op.input_extent(L.op[sched::Q], L.op[sched::S]);
        for (uint64_t e = off; e < off + n;) {
            const uint64_t x = e % W0, row = e / W0, y = row % H0, nc = row / H0;
            const uint64_t len = std::min(W0 - x, off + n - e);
            // Stored rows/columns past the padded extent are never used (e.g. stride 2 on an even size).
            const uint64_t keep = y + pad < H && x + pad < W ? std::min(len, W - (x + pad)) : 0;
            if (keep && !debug_copy(bus, tlm::TLM_READ_COMMAND, src + (e - off) * eb, base + ((nc * H + y + pad) * W + x + pad) * eb, keep * eb))
                return false;
            e += len;
        }
        return true;
    }
    // A blocked weight tile: its elements are the region's, row-major [k][c][r][s].
    std::vector<uint8_t> block(n * eb);
    if (!debug_copy(bus, tlm::TLM_READ_COMMAND, src, block.data(), block.size())) return false;
    const uint8_t* p = block.data();
    for (uint64_t k = r.lo[0]; k < r.hi[0]; ++k)
        for (uint64_t c = r.lo[1]; c < r.hi[1]; ++c)
            for (uint64_t y = r.lo[2]; y < r.hi[2]; ++y)
                for (uint64_t x = r.lo[3]; x < r.hi[3]; ++x, p += eb)
                    std::memcpy(base + (((k * r.size[1] + c) * r.size[2] + y) * r.size[3] + x) * eb, p, eb);
    return true;
}

bool NpuCore::store_output(NpuLaunch& L, const TensorRegion& r) {
    const JobDescriptor& j = L.job;
    const uint64_t out_eb = j.out_format == kOutRequantInt8 ? 1 : 4;
    bool ok = true;
    std::vector<uint8_t> buf;
    for_each_run(r, [&](uint64_t off, uint64_t n) {
        buf.resize(n * out_eb);
        if (j.dtype == kFp32) std::memcpy(buf.data(), L.accf.data() + off, n * 4);
        else if (j.out_format == kOutRequantInt8)
            for (uint64_t i = 0; i < n; ++i) buf[i] = uint8_t(core::requantize(L.acc32[off + i], j.scale));
        else std::memcpy(buf.data(), L.acc32.data() + off, n * 4);
        ok &= debug_copy(bus, tlm::TLM_WRITE_COMMAND, j.out_addr + off * out_eb, buf.data(), buf.size());
    });
    return ok;
}

uint64_t NpuCore::stage_glb_tile(NpuLaunch& L, Tensor v, uint64_t seq, uint64_t at) {
    auto& ready = L.glb_ready[v];
    const auto& tiles = L.glb_tiles[v];
    // Tile seq+1 streams in behind tile seq (the DRAM queue orders them).
    // Partial sums of a revisited output tile can only come back once the
    // previous visit has written them: tile seq waits for that; tile seq+1
    // is not staged ahead until it has happened.
    while (ready.size() <= seq + 1 && ready.size() < tiles.size()) {
        const uint64_t k = ready.size();
        const NpuLaunch::GlbTile& gt = tiles[k];
        uint64_t done = at;
        const JobDescriptor& j = L.job;
        const uint64_t eb = j.dtype == kFp32 ? 4 : 1;
        if (v == Output) {
            // A revisited GLB output tile gets its partial sums back from DRAM.
            if (gt.revisit && npu_.where(j.out_addr) != Npu::Where::Glb) {
                const int64_t prev = L.out_prev_visit[k];
                if (prev >= 0 && L.out_written_ps[size_t(prev)] == kNotYet) {
                    if (k > seq) break; // not ahead of time: the partial sums are not written yet
                    if (L.failed) {     // a core of the launch failed: that tile will never come back
                        aborted_ = true;
                        return at;
                    }
                    wait(L.out_written);
                    continue; // look again: another core may have staged it meanwhile
                }
                const uint64_t from = std::max(at, prev >= 0 ? L.out_written_ps[size_t(prev)] : 0);
                const TensorRegion r = region_of(L.op, Output, gt.group, gt.lo, L.ext2);
                for_each_run(r, [&](uint64_t off, uint64_t n) {
                    done = std::max(done, xfer(j.psum_addr + off * 4, n * 4, false, from));
                    npu_.count(j.psum_addr, n * 4, false);
                });
                done = xfer(npu_.glb_base_, r.elems() * 4, true, done);
                npu_.n_.glb_write += r.elems() * 4;
            }
        } else {
            // Weights / inputs: from their home (or the prefetch buffer's copy)
            // into the GLB; a home in the GLB needs no staging. The values the
            // cores compute with are the bytes at the source when the tile is staged.
            const uint64_t home = v == sched::Weight ? j.w_addr : j.in_addr;
            const bool staged = npu_.where(home) != Npu::Where::Glb;
            const bool blocked = v == sched::Weight && j.w_layout == uint32_t(core::WeightLayout::Blocked);
            const TensorRegion r = region_of(L.op, v, gt.group, gt.lo, L.ext2);
            uint64_t arrived = at;
            // A padded input is stored without its border: read only the part of
            // the tile inside the stored tensor (the border is zeros on chip).
            const uint64_t pad = v == sched::Input ? j.pad : 0;
            TensorRegion m = r;
            if (pad) {
                m.size[2] = L.in_h, m.size[3] = L.in_w;
                for (int dd = 2; dd < 4; ++dd) {
                    m.lo[size_t(dd)] = std::min(std::max(r.lo[size_t(dd)], pad) - pad, m.size[size_t(dd)]);
                    m.hi[size_t(dd)] = std::max(std::min(r.hi[size_t(dd)], pad + m.size[size_t(dd)]), pad) - pad;
                    m.hi[size_t(dd)] = std::max(m.hi[size_t(dd)], m.lo[size_t(dd)]);
                }
            }
            auto runs = [&](auto f) {
                if (blocked) f(L.blocking.block_offset(r.lo[0], r.lo[1], r.lo[2], r.lo[3]), r.elems()); // one contiguous block
                else if (m.elems() > 0) for_each_run(m, f);
            };
            runs([&](uint64_t off, uint64_t n) {
                const uint64_t a = home + off * eb, len = n * eb;
                uint64_t src = a;
                if (staged) {
                    // The prefetch buffer serves what its directory holds (a tile may hold
                    // only the first part of a run: the rest comes from DRAM).
                    uint64_t covered = 0;
                    if (const Npu::PfbEntry* e = npu_.pfb_lookup(a, len, covered)) {
                        const uint64_t p = npu_.pfb_base_ + e->offset + (a - e->dram);
                        if (covered == len) src = p; // else the values are read at home (the copy equals it)
                        arrived = std::max(arrived, xfer(p, covered, false, at));
                        npu_.n_.pfb_read += covered;
                        (v == sched::Weight ? npu_.n_.pfb_read_weight : npu_.n_.pfb_read_feature) += covered;
                    }
                    if (covered < len) {
                        arrived = std::max(arrived, xfer(a + covered, len - covered, false, at));
                        npu_.count(a + covered, len - covered, false);
                        if (npu_.where(a) == Npu::Where::Dram) (v == sched::Weight ? npu_.n_.dram_read_weight : npu_.n_.dram_read_feature) += len - covered;
                    }
                }
                if (L.functional && !load_operand(L, v, blocked ? r : m, blocked ? ~uint64_t(0) : off, n, src, pad)) npu_.fail_launch(L);
            });
            if (staged && m.elems() > 0) {
                done = xfer(npu_.glb_base_, m.elems() * eb, true, arrived);
                npu_.n_.glb_write += m.elems() * eb;
            }
        }
        ready.push_back(done);
    }
    return ready.at(seq);
}

uint64_t NpuCore::shared_glb_xfer(NpuLaunch& L, const TileWalk& w, Tensor v, uint64_t step, uint64_t addr, uint64_t len, bool write,
                                  uint64_t at) {
    npu_.n_.core_fill += write ? 0 : len;
    npu_.n_.core_drain += write ? len : 0;
    const uint32_t n = w.sharers(v);
    if (n == 1) {
        (write ? npu_.n_.glb_write : npu_.n_.glb_read) += len;
        return xfer(addr, len, write, at);
    }
    const auto key = std::make_tuple(int(v) * 2 + (write ? 1 : 0), step, w.sharing_key(v));
    auto it = L.shared.find(key);
    if (it == L.shared.end()) {
        (write ? npu_.n_.glb_write : npu_.n_.glb_read) += len;
        it = L.shared.emplace(key, std::make_pair(xfer(addr, len, write, at), n)).first;
    }
    const uint64_t done = std::max(it->second.first, at);
    if (--it->second.second == 0) L.shared.erase(it);
    return done;
}

uint64_t NpuCore::release_glb_out(NpuLaunch& L, uint64_t seq, uint64_t at) {
    L.out_release_ps[seq] = std::max(L.out_release_ps[seq], at);
    if (++L.out_releases[seq] < L.job.slots) return at;
    // Last core out: the GLB output tile goes to DRAM (final values, or partial sums to come back).
    const JobDescriptor& j = L.job;
    L.out_written.notify(sc_core::SC_ZERO_TIME);
    const NpuLaunch::GlbTile& gt = L.glb_tiles[Output][seq];
    const TensorRegion r = region_of(L.op, Output, gt.group, gt.lo, L.ext2);
    const bool final = gt.final;
    // Final values land at the output's home as the tile leaves the GLB
    // (partial sums stay in the launch's accumulators; their traffic is timed).
    if (final && L.functional && !L.failed && !store_output(L, r)) npu_.fail_launch(L);
    if (npu_.where(j.out_addr) == Npu::Where::Glb) return L.out_written_ps[seq] = at; // forwarded: it stays in the GLB
    const uint64_t eb = final ? (j.out_format == kOutRequantInt8 ? 1 : 4) : 4;
    const uint64_t base = final ? j.out_addr : j.psum_addr;
    uint64_t t = xfer(npu_.glb_base_, r.elems() * 4, false, L.out_release_ps[seq]);
    npu_.n_.glb_read += r.elems() * 4;
    uint64_t done = t;
    for_each_run(r, [&](uint64_t off, uint64_t n) {
        done = std::max(done, xfer(base + off * eb, n * eb, true, t));
        npu_.count(base, n * eb, true);
    });
    return L.out_written_ps[seq] = done;
}

void NpuCore::run_tensor_job(const JobDescriptor& d, uint64_t& t) {
    using namespace sched;
    // ---- validate the descriptor and the schedule (nothing runs on a bad one).
    // A core that gives up before joining its launch tells the launch, so
    // the other cores' launch is cleaned up and writes no output.
    auto reject = [&](uint32_t code, uint32_t detail, const std::string& why) {
        sync_to(t);
        npu_.abandon(d);
        fail(code, detail, why);
    };
    std::string why;
    const Operator op = operator_of(d, why);
    if (d.dtype > kFp32 || d.out_format > kOutRequantInt8 || (d.dtype == kFp32 && d.out_format != kOutRaw)) why = "dtype/out_format";
    if (d.sched_bytes < 8 || d.sched_bytes > 65536) why = "sched_bytes outside [8, 65536]";
    if (d.w_layout > uint32_t(core::WeightLayout::Blocked)) why = "unknown weight layout " + std::to_string(d.w_layout);
    if (why.empty() && product({op[R], op[S], op[P], op[Q], op[C], op[K], op[N], op.groups}) > kMaxMacs) why = "more than 2^50 MACs";
    if (!why.empty()) return reject(kErrBadDescriptor, 0, why);
    // Every tensor must lie inside one memory.
    const uint64_t eb = d.dtype == kFp32 ? 4 : 1, out_eb = d.out_format == kOutRequantInt8 ? 1 : 4;
    const uint64_t G = op.groups, H = op.input_extent(op[P], op[R]), W = op.input_extent(op[Q], op[S]);
    if (d.pad > uint64_t(op[R] - 1) * op.dilation || d.pad > uint64_t(op[S] - 1) * op.dilation || uint64_t(d.pad) * 2 >= std::min(H, W))
        return reject(kErrBadDescriptor, d.pad, "padding " + std::to_string(d.pad) + " beyond the window's reach or leaving no input");
    const uint64_t in_h = d.in_h ? d.in_h : H - 2 * d.pad, in_w = d.in_w ? d.in_w : W - 2 * d.pad;
    if (d.pad == 0 && (d.in_h || d.in_w)) return reject(kErrBadDescriptor, 0, "in_h / in_w are for padded inputs only");
    if (product({op[N], G, op[C], H, W, eb}) > npu_.dram_size_) return reject(kErrRange, 0, "the padded input is larger than the DRAM");
    const uint64_t in_bytes = product({op[N], G, op[C], in_h, in_w, eb}), w_bytes = product({G, op[K], op[C], op[R], op[S], eb});
    const uint64_t out_elems = product({op[N], G, op[K], op[P], op[Q]});
    const std::pair<uint64_t, uint64_t> ranges[] = {{d.in_addr, in_bytes}, {d.w_addr, w_bytes}, {d.out_addr, product({out_elems, out_eb})}};
    for (const auto& [a, n] : ranges)
        if (!npu_.range_ok(a, n)) return reject(kErrRange, uint32_t(a), "tensor at " + std::to_string(a) + " of " + std::to_string(n) + " bytes");
    std::vector<uint8_t> sb(d.sched_bytes);
    if (!data_access(tlm::TLM_READ_COMMAND, d.sched_addr, sb.data(), d.sched_bytes, t))
        return reject(kErrBusFault, uint32_t(bus_error_addr_), "schedule read");
    Schedule s;
    if (std::string e = decode_schedule(sb.data(), sb.size(), s); !e.empty()) return reject(kErrBadSchedule, 0, e);
    const Hardware& hw = npu_.hardware(d.dtype);
    if (std::string e = check_valid(op, s, hw); !e.empty()) {
        uint32_t level = 0;
        for (size_t i = 0; i < hw.levels.size(); ++i)
            if (e.find(" at " + hw.levels[i].name) != std::string::npos) level = uint32_t(i);
        const uint32_t code = e.rfind("R1", 0) == 0 ? kErrR1 : e.rfind("R2", 0) == 0 ? kErrR2 : kErrShape;
        return reject(code, level, e);
    }
    if (s.spatial_product(2) != d.slots || s.spatial_product(2) > npu_.cores())
        return reject(kErrSlot, uint32_t(s.spatial_product(2)),
                      "the schedule has " + std::to_string(s.spatial_product(2)) + " spatial instances at the GLB, the job " + std::to_string(d.slots));
    TileWalk walk(op, s, d.slot);
    if (d.w_layout == uint32_t(core::WeightLayout::Blocked)) {
        try {
            core::weight_blocking(op, walk.glb_extent());
        } catch (const std::invalid_argument& e) {
            return reject(kErrBadDescriptor, 0, e.what());
        }
    }
    if (walk.glb_out_visits_per_tile() > 1 && npu_.where(d.out_addr) != Npu::Where::Glb && !npu_.range_ok(d.psum_addr, product({out_elems, 4})))
        return reject(kErrRange, uint32_t(d.psum_addr), "the schedule spills partial sums to DRAM: psum_addr must hold " +
                                                            std::to_string(out_elems) + " int32 values");
    NpuLaunch* Lp = npu_.join(d, op, s, why);
    if (!Lp) {
        sync_to(t);
        return fail(kErrGroup, d.group, why); // join already counted this core as gone
    }
    NpuLaunch& L = *Lp;
    L.start_ps = std::min(L.start_ps, t);
    const bool functional = L.functional;

    // ---- the walk: per tile, refill what moved, compute, drain outputs
    const uint64_t clk = npu_.clk_ps_;
    const auto& tile_bytes = L.cost.level[1].tile_bytes; // a core-buffer tile of each tensor (partial sums at full width)
    // Core buffer <-> PE array traffic of one tile (the same for every tile):
    // the cost model's level-1 traffic over all tiles of all cores.
    const double inner_bytes = (L.cost.level[1].read_bytes[0] + L.cost.level[1].read_bytes[1] + L.cost.level[1].read_bytes[2] +
                                L.cost.level[1].write_bytes[0] + L.cost.level[1].write_bytes[1] + L.cost.level[1].write_bytes[2]) /
                               double(L.cost.level[1].instances * walk.tiles());
    const double port_cycles = inner_bytes / double(npu_.cfg_.npu.core_buffer_bytes_per_cycle);
    const uint64_t tile_cycles = std::max<uint64_t>(walk.inner_cycles(), uint64_t(port_cycles + 0.999999));
    auto glb_addr = [&](uint64_t home, uint64_t len) { // where a core reads/writes its tile in the GLB
        if (npu_.where(home) == Npu::Where::Glb) return std::min(home, npu_.glb_base_ + npu_.glb_size_ - len);
        return npu_.glb_base_;
    };
    const uint64_t job_start = t;
    uint64_t prev_start = t, prev_end = t, out_wb_done = t, end = t;
    bool have_out = false;
    int64_t out_seq = -1;
    std::array<int64_t, 3> held_seq{-1, -1, -1};
    TileStep st;
    uint64_t n_tiles = 0;
    while (walk.next(st)) {
        const uint64_t issue = std::max(now_ps(), npu_.cfg_.npu.double_buffered ? prev_start : prev_end);
        sync_to(issue);
        uint64_t ready = issue;
        for (Tensor v : {Weight, Input}) {
            if (!st.fetch[v]) continue;
            const uint64_t g = stage_glb_tile(L, v, st.glb_tile[v], issue);
            held_seq[v] = int64_t(st.glb_tile[v]);
            const uint64_t home = v == Weight ? d.w_addr : d.in_addr;
            ready = std::max(ready, shared_glb_xfer(L, walk, v, n_tiles, glb_addr(home, tile_bytes[v]), tile_bytes[v], false, std::max(issue, g)));
        }
        if (st.fetch[Output]) {
            const uint64_t oaddr = glb_addr(d.out_addr, tile_bytes[Output]);
            if (have_out) { // drain the finished output tile into the GLB
                out_wb_done = shared_glb_xfer(L, walk, Output, n_tiles, oaddr, tile_bytes[Output], true, prev_end);
                end = std::max(end, out_wb_done);
            }
            if (st.glb_change[Output]) {
                if (out_seq >= 0) end = std::max(end, release_glb_out(L, uint64_t(out_seq), out_wb_done));
                stage_glb_tile(L, Output, st.glb_tile[Output], issue);
                if (aborted_) break;
                out_seq = int64_t(st.glb_tile[Output]);
            }
            if (st.out_revisit) { // partial sums come back into the output buffer
                const uint64_t g = L.glb_ready[Output][size_t(out_seq)];
                ready = std::max(ready, shared_glb_xfer(L, walk, Output, n_tiles, oaddr, tile_bytes[Output], false, std::max({issue, g, out_wb_done})));
            } else {
                ready = std::max(ready, L.glb_ready[Output][size_t(out_seq)]);
            }
            have_out = true;
        }
        aborted_ |= L.failed; // another core of the launch failed: stop
        if (bus_error_ || aborted_) break;
        const uint64_t start = std::max(ready, prev_end);
        stall_ps += start - prev_end;
        prev_start = start;
        prev_end = start + tile_cycles * clk;
        busy_ps += tile_cycles * clk;
        if (functional) {
            if (d.dtype == kFp32) compute_tile<float, float>(op, st.group, st.box.lo, st.box.hi, L.inf.data(), L.wf.data(), L.accf.data());
            else compute_tile<int8_t, int32_t>(op, st.group, st.box.lo, st.box.hi, L.in8.data(), L.w8.data(), L.acc32.data());
        }
        ++n_tiles;
        if (board_trace().enabled() && n_tiles <= 4096)
            board_trace().span(std::string(name()), "tile", start, prev_end, {{"n", n_tiles - 1}});
    }
    if (have_out && !bus_error_ && !aborted_) {
        out_wb_done = shared_glb_xfer(L, walk, Output, n_tiles, glb_addr(d.out_addr, tile_bytes[Output]), tile_bytes[Output], true, prev_end);
        end = std::max(end, release_glb_out(L, uint64_t(out_seq), out_wb_done));
    }
    end = std::max({end, prev_end, out_wb_done});
    sync_to(end);
    aborted_ |= L.failed && !bus_error_; // the launch failed (another core, or a data access): report it
    stall_ps += end - prev_end;
    tiles += n_tiles;
    regs_.set(TILES, uint32_t(n_tiles));
    board_trace().span(std::string(name()), "job " + op.to_string(), job_start, end, {{"tiles", n_tiles}, {"slot", d.slot}});
    L.end_ps = std::max(L.end_ps, end);
    // Energy of the inner-tile traffic (registers, core buffers): this core's share.
    npu_.n_.reg_pj += L.cost.level[0].energy_pj / d.slots;
    npu_.n_.core_buffer_pj += L.cost.level[1].energy_pj / d.slots;
    if (bus_error_ || aborted_) {
        npu_.leave(L, true);
        return bus_error_ ? fail(kErrBusFault, uint32_t(bus_error_addr_), "tile transfer")
                          : fail(kErrGroup, d.group, "the launch failed (another of its cores, or a tensor access)");
    }
    npu_.leave(L, false);
    succeed();
}

// ============================================================================ engine

Npu::Npu(sc_core::sc_module_name name, const PlatformConfig& cfg, const NpuOptions& opt)
    : sc_module(name), regs_socket("regs_socket"), irq("irq"), cfg_(cfg), opt_(opt), clk_ps_(period_ps(cfg.clock_mhz)),
      hw_int8_(sched::hardware_from_platform(cfg)), hw_fp32_(sched::fp32_hardware(hw_int8_)), pfb_(cfg.npu.prefetch_tiles) {
    for (const DeviceConfig& dev : cfg.devices) {
        if (dev.name == "glb") glb_base_ = dev.base, glb_size_ = dev.size;
        if (dev.name == "prefetch_buffer") pfb_base_ = dev.base, pfb_size_ = dev.size;
    }
    const DeviceConfig* dram = cfg.first_of(DeviceType::Dram);
    dram_base_ = dram->base;
    dram_size_ = dram->size;
    regs_socket.register_b_transport(this, &Npu::regs_b_transport);
    control_.declare(kControlRegisters);
    control_.set(CORES, cfg.npu.cores);
    control_.set(PFB_ENTRIES, cfg.npu.prefetch_tiles);
    control_.on_write(LAUNCH_CLEAR, [this](uint32_t, uint32_t id) {
        auto it = launches_.find(id);
        if (it != launches_.end() && it->second.failed && it->second.finished == it->second.joined) launches_.erase(it);
    });
    control_.on_read(SIM_FLAGS, [this](uint32_t) { return sim_flags::TIMING_ONLY.make(opt_.timing_only ? 1 : 0); });
    control_.on_read(IRQ_PENDING, [this](uint32_t) {
        uint32_t m = 0;
        for (uint32_t i = 0; i < cores() && i < 32; ++i) {
            const uint32_t st = cores_[i]->regs().get(IRQ_STATUS), c = cores_[i]->regs().get(CTRL);
            if ((irq::DONE.get(st) && ctrl::IRQ_DONE_EN.get(c)) || (irq::ERROR.get(st) && ctrl::IRQ_ERR_EN.get(c))) m |= 1u << i;
        }
        return m;
    });
    auto load_entry = [this] {
        const uint32_t i = control_.get(PFB_SEL);
        if (i >= pfb_.size()) return;
        control_.set(PFB_DRAM_LO, uint32_t(pfb_[i].dram));
        control_.set(PFB_DRAM_HI, uint32_t(pfb_[i].dram >> 32));
        control_.set(PFB_OFFSET, uint32_t(pfb_[i].offset));
        control_.set(PFB_BYTES, uint32_t(pfb_[i].bytes));
        control_.set(PFB_CTRL, pfb_ctrl::VALID.make(pfb_[i].valid) | pfb_ctrl::DISABLE.make(pfb_[i].disabled));
    };
    control_.on_write(PFB_SEL, [load_entry](uint32_t, uint32_t) { load_entry(); });
    control_.on_write(PFB_CTRL, [this](uint32_t, uint32_t v) {
        set_prefetch_entry(control_.get(PFB_SEL), (uint64_t(control_.get(PFB_DRAM_HI)) << 32) | control_.get(PFB_DRAM_LO),
                           control_.get(PFB_OFFSET), control_.get(PFB_BYTES), pfb_ctrl::VALID.get(v), pfb_ctrl::DISABLE.get(v));
    });
    control_.on_write(DISPATCH_CMD, [this](uint32_t, uint32_t v) {
        if (v == dispatch::kStart) dispatch();
    });
    control_.on_write(DISPATCH_IRQ, [this](uint32_t, uint32_t) { update_irq(); });
    control_.on_write(DISPATCH_CTRL, [this](uint32_t, uint32_t) { update_irq(); });
    for (uint32_t i = 0; i < cfg.npu.cores; ++i) cores_.push_back(std::make_unique<NpuCore>(("core" + std::to_string(i)).c_str(), *this, i));
    irq.initialize(false);
    SC_METHOD(drive_irq);
    sensitive << irq_update_;
    dont_initialize();
}

Npu::~Npu() = default;

void Npu::set_prefetch_entry(uint32_t i, uint64_t dram, uint64_t offset, uint64_t bytes, bool valid, bool disabled) {
    if (i >= pfb_.size()) return; // the directory has PFB_ENTRIES entries
    PfbEntry e;
    e.dram = dram;
    e.offset = offset;
    e.bytes = bytes;
    e.valid = valid && offset + bytes <= pfb_size_; // cannot point outside the buffer
    e.disabled = disabled;
    pfb_[i] = e;
}

Npu::Where Npu::where(uint64_t a) const {
    if (a >= glb_base_ && a - glb_base_ < glb_size_) return Where::Glb;
    if (a >= pfb_base_ && a - pfb_base_ < pfb_size_) return Where::Prefetch;
    if (a >= dram_base_ && a - dram_base_ < dram_size_) return Where::Dram;
    return Where::Other;
}

const Npu::PfbEntry* Npu::pfb_lookup(uint64_t a, uint64_t len, uint64_t& covered) {
    for (const PfbEntry& e : pfb_)
        if (e.valid && !e.disabled && a >= e.dram && a < e.dram + e.bytes) {
            ++pfb_hits_;
            covered = std::min(len, e.dram + e.bytes - a);
            return &e;
        }
    covered = 0;
    return nullptr;
}

void Npu::regs_b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    if (!check_plain_payload(t)) return;
    access_delay_ = delay;
    const uint64_t a = t.get_address(), page = a / kPageBytes, off = a % kPageBytes;
    delay += ps_time(clk_ps_);
    if (page == 0) {
        control_.set(PFB_HITS, uint32_t(std::min<uint64_t>(pfb_hits_, 0xFFFFFFFFu)));
        return access_registers(control_, off, t);
    }
    if (page > cores()) return t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    NpuCore& c = *cores_[page - 1];
    if (off < kRuntimeTableBase) return access_registers(c.regs(), off, t);
    // The runtime table window: read-only words.
    const uint64_t i = (off - kRuntimeTableBase) / 4;
    if (!(t.is_read() && t.get_data_length() == 4 && off % 4 == 0 && i < c.runtime_table().capacity()))
        return t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    const auto& es = c.runtime_table().entries();
    const uint32_t w = i < es.size() ? core::encode(es[i]) : 0;
    std::memcpy(t.get_data_ptr(), &w, 4);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Npu::dispatch() {
    const uint32_t first = control_.get(DISPATCH_FIRST), count = control_.get(DISPATCH_COUNT);
    const uint64_t job = (uint64_t(control_.get(DISPATCH_JOB_HI)) << 32) | control_.get(DISPATCH_JOB_LO);
    auto refuse = [&](uint32_t code, uint32_t core) {
        control_.set(DISPATCH_STATUS, dispatch::STATE.make(status::kError) | dispatch::ERR_CODE.make(code) | dispatch::ERR_CORE.make(core) |
                                          dispatch::REFUSED.make(1));
        control_.set(DISPATCH_IRQ, control_.get(DISPATCH_IRQ) | dispatch::ERROR.make(1));
        update_irq();
    };
    if (count == 0 || first >= cores() || count > cores() - first) return refuse(kErrSlot, first);
    for (uint32_t i = first; i < first + count; ++i)
        if (status::STATE.get(cores_[i]->regs().get(STATUS)) == status::kBusy) return refuse(kErrBusy, i);
    // The launch group is in the descriptor; the cores read it (functionally here, to key the bookkeeping).
    uint8_t raw[kJobBytes];
    tlm::tlm_generic_payload p;
    p.set_command(tlm::TLM_READ_COMMAND);
    p.set_address(job);
    p.set_data_ptr(raw);
    p.set_data_length(kJobBytes);
    p.set_streaming_width(kJobBytes);
    JobDescriptor d;
    if (cores_[first]->bus->transport_dbg(p) != kJobBytes || !decode_job(raw, d)) return refuse(kErrBadDescriptor, first);
    if (dispatches_.count(d.group)) return refuse(kErrGroup, first); // that group still runs
    dispatches_[d.group] = Dispatch{count, 0, 0, 0};
    control_.set(DISPATCH_STATUS, dispatch::STATE.make(status::kBusy));
    for (uint32_t i = 0; i < count; ++i) cores_[first + i]->start_dispatched(i, count, d.group, job, access_delay_);
}

void Npu::dispatch_finished(uint32_t core, uint32_t group, uint32_t err, uint64_t cycles) {
    auto it = dispatches_.find(group);
    if (it == dispatches_.end()) return;
    Dispatch& D = it->second;
    D.cycles = std::max(D.cycles, cycles);
    // Report the root cause: a core's own failure before the kErrGroup of the cores it took down.
    if (err && (!D.err || (D.err == kErrGroup && err != kErrGroup))) D.err = err, D.err_core = core;
    if (--D.pending) return;
    control_.set(DISPATCH_STATUS, dispatch::STATE.make(D.err ? status::kError : status::kDone) | dispatch::ERR_CODE.make(D.err) |
                                      dispatch::ERR_CORE.make(D.err_core));
    control_.set(DISPATCH_CYCLES, uint32_t(std::min<uint64_t>(D.cycles, 0xFFFFFFFFu)));
    control_.set(DISPATCH_DONE_GROUP, group);
    control_.set(DISPATCH_IRQ, control_.get(DISPATCH_IRQ) | (D.err ? dispatch::ERROR.make(1) : dispatch::DONE.make(1)));
    dispatches_.erase(it);
    update_irq();
}

void Npu::update_irq() {
    bool level = dispatch::IRQ_EN.get(control_.get(DISPATCH_CTRL)) && control_.get(DISPATCH_IRQ) != 0;
    for (auto& c : cores_) {
        const uint32_t st = c->regs().get(IRQ_STATUS), ct = c->regs().get(CTRL);
        level |= (irq::DONE.get(st) && ctrl::IRQ_DONE_EN.get(ct)) || (irq::ERROR.get(st) && ctrl::IRQ_ERR_EN.get(ct));
    }
    irq_level_ = level;
    irq_update_.notify(sc_core::SC_ZERO_TIME);
}

void Npu::drive_irq() { irq.write(irq_level_); }

void Npu::core_started() {
    if (running_++ == 0) active_since_ = now_ps();
}

void Npu::core_stopped() {
    if (--running_ == 0) n_.active_ps += now_ps() - active_since_;
}

void Npu::count(uint64_t addr, uint64_t bytes, bool write) {
    switch (where(addr)) {
    case Where::Glb: (write ? n_.glb_write : n_.glb_read) += bytes; break;
    case Where::Prefetch: (write ? n_.pfb_write : n_.pfb_read) += bytes; break;
    default: (write ? n_.dram_write : n_.dram_read) += bytes; break;
    }
}

bool Npu::range_ok(uint64_t a, uint64_t n) const {
    const std::pair<uint64_t, uint64_t> mems[] = {{dram_base_, dram_size_}, {glb_base_, glb_size_}, {pfb_base_, pfb_size_}};
    for (const auto& [base, size] : mems)
        if (size > 0 && a >= base && a - base <= size && n <= size - (a - base)) return true;
    return false;
}

NpuLaunch* Npu::join(const JobDescriptor& d, const sched::Operator& op, const sched::Schedule& s, std::string& why) {
    auto it = launches_.find(d.group);
    if (it != launches_.end()) {
        NpuLaunch& L = it->second;
        JobDescriptor a = L.job, b = d;
        a.slot = b.slot = 0;
        uint8_t ra[kJobBytes], rb[kJobBytes];
        encode_job(a, ra);
        encode_job(b, rb);
        if (L.failed) why = "another core of launch " + std::to_string(d.group) + " failed";
        else if (std::memcmp(ra, rb, kJobBytes) != 0 || !(L.schedule == s)) why = "launch " + std::to_string(d.group) + " runs a different job";
        else if (L.slot_mask >> d.slot & 1) why = "slot " + std::to_string(d.slot) + " of launch " + std::to_string(d.group) + " started twice";
        if (!why.empty()) {
            fail_launch(L); // it cannot produce a correct output any more
            if (d.slot < L.job.slots && !(L.slot_mask >> d.slot & 1)) L.gone_mask |= uint64_t(1) << d.slot;
            finish_if_done(L);
            return nullptr;
        }
        ++L.joined;
        L.slot_mask |= uint64_t(1) << d.slot;
        return &L;
    }
    NpuLaunch& L = launches_[d.group];
    L.id = d.group;
    L.job = d;
    L.op = op;
    L.schedule = s;
    L.hw = hardware(d.dtype);
    L.cost = sched::evaluate(op, s, L.hw);
    L.joined = 1;
    L.slot_mask = uint64_t(1) << d.slot;
    L.functional = !opt_.timing_only;
    L.in_h = d.in_h ? d.in_h : op.input_extent(op[sched::P], op[sched::R]) - 2 * d.pad;
    L.in_w = d.in_w ? d.in_w : op.input_extent(op[sched::Q], op[sched::S]) - 2 * d.pad;
    L.start_ps = now_ps();
    L.macs = op.macs();
    {
        TileWalk probe(op, s, 0);
        L.ext2 = probe.glb_extent();
        TileStep st;
        std::map<std::pair<uint32_t, std::array<uint32_t, sched::kDims>>, int64_t> last_visit; // GLB output tile -> its latest seq
        while (probe.next(st))
            for (int v = 0; v < sched::kTensors; ++v)
                if (st.glb_change[size_t(v)]) {
                    const auto lo = glb_tile_lo(st.box, L.ext2);
                    L.glb_tiles[size_t(v)].push_back({lo, st.group, st.glb_out_revisit, st.glb_out_final});
                    if (v == Output) {
                        auto key = lo; // the same output tile whatever the reduction indices
                        for (sched::Dim dd : {sched::R, sched::S, sched::C}) key[dd] = 0;
                        auto [pos, fresh] = last_visit.try_emplace({st.group, key}, -1);
                        L.out_prev_visit.push_back(pos->second);
                        pos->second = int64_t(L.glb_tiles[Output].size() - 1);
                        (void)fresh;
                    }
                }
        const size_t n = L.glb_tiles[Output].size();
        L.out_releases.assign(n, 0);
        L.out_release_ps.assign(n, 0);
        L.out_written_ps.assign(n, kNotYet);
    }
    if (d.w_layout == uint32_t(core::WeightLayout::Blocked)) L.blocking = core::weight_blocking(op, L.ext2);
    L.at_start = {n_.dram_read, n_.dram_write, n_.pfb_read, n_.glb_read, n_.glb_write, n_.core_fill, n_.core_drain};
    if (L.functional) { // operands fill in as their GLB tiles are staged; accumulators start at zero
        if (d.dtype == kFp32) {
            L.inf.assign(core::input_elems(op), 0.f);
            L.wf.assign(core::weight_elems(op), 0.f);
            L.accf.assign(core::output_elems(op), 0.f);
        } else {
            L.in8.assign(core::input_elems(op), 0);
            L.w8.assign(core::weight_elems(op), 0);
            L.acc32.assign(core::output_elems(op), 0);
        }
    }
    ++n_.launches;
    return &L;
}

void Npu::fail_launch(NpuLaunch& L) {
    if (!L.failed) L.out_written.notify(sc_core::SC_ZERO_TIME); // wake cores waiting for its tiles
    L.failed = true;
}

void Npu::abandon(const JobDescriptor& d) {
    if (d.kind != kJobTensor) return;
    auto it = launches_.find(d.group);
    if (it == launches_.end()) {
        // The first word of this launch is a failure: leave a record the
        // others will meet -- unless the descriptor cannot name a real launch.
        if (d.slots == 0 || d.slots > cores() || d.slot >= d.slots) return;
        NpuLaunch& L = launches_[d.group];
        L.id = d.group;
        L.job = d;
        it = launches_.find(d.group);
    }
    NpuLaunch& L = it->second;
    fail_launch(L);
    if (d.slot < L.job.slots && !(L.slot_mask >> d.slot & 1)) L.gone_mask |= uint64_t(1) << d.slot;
    finish_if_done(L);
}

void Npu::leave(NpuLaunch& L, bool failed) {
    if (failed) fail_launch(L);
    ++L.finished;
    finish_if_done(L);
}

// A launch ends when every core that joined has left. A failed launch frees
// its tensors then, and its record once every slot is accounted for or
// firmware clears it (LAUNCH_CLEAR): until then a late core of it is refused
// rather than starting a launch of its own that would wait for the others.
void Npu::finish_if_done(NpuLaunch& L) {
    if (L.finished < L.joined) return; // cores still run on it
    const uint64_t all = L.job.slots >= 64 ? ~uint64_t(0) : (uint64_t(1) << L.job.slots) - 1;
    const bool accounted = ((L.slot_mask | L.gone_mask) & all) == all;
    if (L.failed) {
        L.in8 = {}, L.w8 = {}, L.inf = {}, L.wf = {}, L.acc32 = {}, L.accf = {};
        if (accounted) launches_.erase(L.id);
        return;
    }
    if (!accounted) return;
    n_.macs += L.macs;
    const uint64_t cycles = (L.end_ps - L.start_ps) / clk_ps_;
    const double pes = double(hw_int8_.total_pes());
    launch_log_.push_back({{"operator", L.op.to_string()},
                           {"dtype", L.job.dtype == kFp32 ? "fp32" : "int8"},
                           {"cores", L.job.slots},
                           {"start_ns", double(L.start_ps) / 1000.0},
                           {"cycles", cycles},
                           {"cost_model_cycles", L.cost.cycles},
                           {"macs", L.macs},
                           {"pe_utilization", cycles ? double(L.macs) / (double(cycles) * pes) : 0.0},
                           {"bytes",
                            {{"dram_read", n_.dram_read - L.at_start.dram_read},
                             {"dram_write", n_.dram_write - L.at_start.dram_write},
                             {"prefetch_read", n_.pfb_read - L.at_start.pfb_read},
                             {"glb_read", n_.glb_read - L.at_start.glb_read},
                             {"glb_write", n_.glb_write - L.at_start.glb_write},
                             {"core_buffer_fill", n_.core_fill - L.at_start.core_fill},
                             {"core_buffer_drain", n_.core_drain - L.at_start.core_drain}}}});
    board_trace().span(std::string(name()), "launch " + L.op.to_string(), L.start_ps, L.end_ps,
                       {{"cycles", cycles}, {"cores", L.job.slots}});
    launches_.erase(L.id);
}

void Npu::report(Stats& s, const std::string& p) const {
    const double pes = double(hw_int8_.total_pes());
    const uint64_t now = now_ps();
    const uint64_t active = n_.active_ps + (running_ ? now - active_since_ : 0);
    const uint64_t active_cycles = active / clk_ps_;
    s.set(p + ".cores", uint64_t(cores()));
    s.set(p + ".timing_only", opt_.timing_only);
    s.set(p + ".launches", n_.launches);
    s.set(p + ".macs", n_.macs);
    s.set(p + ".active_cycles", active_cycles);
    s.set(p + ".pe_utilization", active_cycles ? double(n_.macs) / (double(active_cycles) * pes) : 0.0);
    if (!launch_log_.empty()) { // the last row of the launch log, for scripts that want one number
        const auto& last = launch_log_.back();
        s.set(p + ".last_launch.cycles", last["cycles"].get<uint64_t>());
        s.set(p + ".last_launch.macs", last["macs"].get<uint64_t>());
        s.set(p + ".last_launch.pe_utilization", last["pe_utilization"].get<double>());
    } else {
        s.set(p + ".last_launch.cycles", uint64_t(0));
        s.set(p + ".last_launch.macs", uint64_t(0));
        s.set(p + ".last_launch.pe_utilization", 0.0);
    }
    s.set(p + ".tile_transactions", n_.tile_transactions);
    s.set(p + ".bytes.dram_read", n_.dram_read);
    s.set(p + ".bytes.dram_write", n_.dram_write);
    s.set(p + ".bytes.prefetch_read", n_.pfb_read);
    s.set(p + ".bytes.dram_read_weight", n_.dram_read_weight);
    s.set(p + ".bytes.dram_read_feature", n_.dram_read_feature);
    s.set(p + ".bytes.prefetch_read_weight", n_.pfb_read_weight);
    s.set(p + ".bytes.prefetch_read_feature", n_.pfb_read_feature);
    s.set(p + ".bytes.prefetch_write", n_.pfb_write);
    s.set(p + ".bytes.glb_read", n_.glb_read);
    s.set(p + ".bytes.glb_write", n_.glb_write);
    s.set(p + ".bytes.core_buffer_fill", n_.core_fill);
    s.set(p + ".bytes.core_buffer_drain", n_.core_drain);
    const uint64_t total_ps = now;
    for (uint32_t i = 0; i < cores(); ++i) {
        const NpuCore& c = *cores_[i];
        const std::string q = p + ".core." + std::to_string(i);
        const uint64_t busy = c.busy_ps / clk_ps_, stall = c.stall_ps / clk_ps_, all = total_ps / clk_ps_;
        s.set(q + ".busy_cycles", busy);
        s.set(q + ".stall_cycles", stall);
        s.set(q + ".idle_cycles", all > busy + stall ? all - busy - stall : 0);
        s.set(q + ".jobs", c.jobs);
        s.set(q + ".tiles", c.tiles);
        s.set(q + ".errors", c.errors);
        s.set(q + ".runtime_table_entries", uint64_t(c.runtime_table().entries().size()));
    }
    // Energy (pJ). Per-byte and per-MAC figures: hardware.cpp (REFERENCE-DATA.md, 45 nm).
    const auto& L = hw_int8_.levels;
    const double pe = double(n_.macs) * hw_int8_.mac_pj;
    const double glb = double(n_.glb_read) * L[2].read_pj_per_byte + double(n_.glb_write) * L[2].write_pj_per_byte;
    const double pfb = double(n_.pfb_read) * L[2].read_pj_per_byte + double(n_.pfb_write) * L[2].write_pj_per_byte; // same 128 KB SRAM figure
    const double dram = double(n_.dram_read + n_.dram_write) * L[3].read_pj_per_byte;
    // NoC: Eyeriss' rule of thumb, ~2x a MAC per access (REFERENCE-DATA.md), one access per byte GLB <-> core.
    const double noc = double(n_.core_fill + n_.core_drain) * 2.0 * hw_int8_.mac_pj;
    const double leak = cfg_.npu.leakage_mw * 1e-3 * double(total_ps) * 1e-12 * 1e12; // mW x s -> pJ
    s.set(p + ".energy_pj.pe", pe);
    s.set(p + ".energy_pj.registers", n_.reg_pj);
    s.set(p + ".energy_pj.core_buffers", n_.core_buffer_pj);
    s.set(p + ".energy_pj.glb", glb);
    s.set(p + ".energy_pj.prefetch_buffer", pfb);
    s.set(p + ".energy_pj.dram", dram);
    s.set(p + ".energy_pj.noc", noc);
    s.set(p + ".energy_pj.leakage", leak);
    s.set(p + ".energy_pj.total", pe + n_.reg_pj + n_.core_buffer_pj + glb + pfb + dram + noc + leak);
}

} // namespace dynavp
