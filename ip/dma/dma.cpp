#include "dma.h"

#include <cstring>

#include "dma_regs.h"
#include "ip/common/tlm_util.h"
#include "platform/trace.h"

namespace dynavp {

using namespace dma;

Dma::Dma(sc_core::sc_module_name name, const DmaDeviceConfig& cfg, double clock_mhz)
    : sc_module(name), regs_socket("regs_socket"), bus_socket("bus_socket"), irq("irq"), cfg_(cfg),
      clk_ps_(period_ps(clock_mhz)), buf_(size_t(cfg.chunk_bytes) * cfg.outstanding) {
    regs_socket.register_b_transport(this, &Dma::regs_b_transport);
    regs_.declare(kRegisters);
    regs_.on_write(CTRL, [this](uint32_t, uint32_t w) {
        if (ctrl::SOFT_RESET.get(w)) {
            regs_.reset();
            bytes_ = 0;
            ++generation_; // a descriptor in flight retires into the void
        }
        update_irq();
        doorbell_.notify(access_delay_);
    });
    regs_.on_write(IRQ_STATUS, [this](uint32_t, uint32_t) { update_irq(); });
    regs_.on_write(RING_TAIL, [this](uint32_t, uint32_t) { doorbell_.notify(access_delay_); });
    regs_.on_write(RING_SIZE, [this](uint32_t, uint32_t) { // restarts the ring
        ++generation_;
        regs_.set(RING_HEAD, 0);
        regs_.set(RING_TAIL, 0);
    });
    regs_.on_read(STATUS, [this](uint32_t v) { return status::RING_ERROR.insert(v, ring_valid() ? 0 : 1); });
    irq.initialize(false);
    SC_THREAD(run);
    SC_METHOD(drive_irq);
    sensitive << irq_update_;
    dont_initialize();
}

bool Dma::ring_valid() const {
    const uint32_t n = regs_.get(RING_SIZE);
    return n >= 2 && n <= kMaxRingEntries && (n & (n - 1)) == 0;
}

void Dma::regs_b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    if (!check_plain_payload(t)) return;
    access_delay_ = delay; // register side effects happen at the initiator's local time
    access_registers(regs_, t.get_address(), t);
    delay += ps_time(clk_ps_); // one register-file cycle
}

void Dma::update_irq() {
    const uint32_t st = regs_.get(IRQ_STATUS), c = regs_.get(CTRL);
    irq_level_ = (irq::DONE.get(st) && ctrl::IRQ_DONE_EN.get(c)) || (irq::ERROR.get(st) && ctrl::IRQ_ERR_EN.get(c));
    irq_update_.notify(sc_core::SC_ZERO_TIME);
}

void Dma::drive_irq() { irq.write(irq_level_); }

void Dma::raise(uint32_t bits) {
    regs_.set(IRQ_STATUS, regs_.get(IRQ_STATUS) | bits);
    update_irq();
}

void Dma::fail(uint32_t index, uint32_t cause, uint64_t addr) {
    ++errors_;
    regs_.set(ERR_ADDR_LO, uint32_t(addr));
    regs_.set(ERR_ADDR_HI, uint32_t(addr >> 32));
    regs_.set(ERR_INFO, err_info::DESC_INDEX.make(index) | err_info::CAUSE.make(cause));
}

// Leave the temporally decoupled region before local time runs a quantum ahead.
void Dma::sync_to(uint64_t t_ps) {
    const uint64_t now = now_ps();
    if (t_ps > now && t_ps - now >= ps_of(tlm::tlm_global_quantum::instance().get())) wait(ps_time(t_ps - now));
}

bool Dma::bus(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, uint32_t len, uint64_t issue_ps, uint64_t& done_ps) {
    tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(addr);
    t.set_data_ptr(data);
    t.set_data_length(len);
    t.set_streaming_width(len);
    t.set_byte_enable_ptr(nullptr);
    t.set_dmi_allowed(false);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = ps_time(issue_ps - now_ps());
    bus_socket->b_transport(t, delay);
    done_ps = now_ps() + ps_of(delay);
    return t.is_response_ok();
}

// The engine works in batches of `outstanding` chunks through one batch
// buffer: it reads a batch (requests pipelined, one per clock), then writes
// it out; the next batch's reads issue once the last write has issued, so
// they overlap only with the writes' completion. Batching amortises the
// DRAM's read/write turnaround and row switches, as a real engine's burst
// buffer does. Returns the time the last write ends in t_ps.
Dma::Failure Dma::copy(const DmaTransfer& tr, uint64_t& t_ps, uint64_t& fail_addr) {
    TransferPlan plan(tr, cfg_.chunk_bytes);
    std::vector<DmaChunk> batch;
    std::vector<uint64_t> rd_done;
    uint64_t rd_issue = t_ps, wr_issue = t_ps, end = t_ps;
    for (;;) {
        batch.clear();
        DmaChunk c;
        while (batch.size() < cfg_.outstanding && plan.next(c)) batch.push_back(c);
        if (batch.empty()) break;
        rd_done.assign(batch.size(), 0);
        // The buffer half we read into is free once its previous writes issued.
        rd_issue = std::max(rd_issue, wr_issue);
        sync_to(rd_issue);
        for (size_t i = 0; i < batch.size(); ++i) {
            if (!bus(tlm::TLM_READ_COMMAND, batch[i].src, &buf_[i * cfg_.chunk_bytes], batch[i].len, rd_issue, rd_done[i])) {
                fail_addr = batch[i].src;
                t_ps = std::max(end, rd_done[i]);
                return Failure::Read;
            }
            rd_issue += clk_ps_; // one request per DMA clock
        }
        for (size_t i = 0; i < batch.size(); ++i) {
            wr_issue = std::max(wr_issue, rd_done[i]);
            uint64_t wr_done = 0;
            if (!bus(tlm::TLM_WRITE_COMMAND, batch[i].dst, &buf_[i * cfg_.chunk_bytes], batch[i].len, wr_issue, wr_done)) {
                fail_addr = batch[i].dst;
                t_ps = std::max(end, wr_done);
                return Failure::Write;
            }
            wr_issue += clk_ps_;
            end = std::max(end, wr_done);
            bytes_ += batch[i].len;
            ++chunks_;
        }
    }
    t_ps = end;
    return Failure::None;
}

void Dma::run() {
    for (;;) {
        const uint32_t head = regs_.get(RING_HEAD);
        const bool enabled = ctrl::ENABLE.get(regs_.get(CTRL));
        if (!enabled || !ring_valid() || head == regs_.get(RING_TAIL) % regs_.get(RING_SIZE)) {
            regs_.set(STATUS, status::IDLE.insert(status::BUSY.insert(regs_.get(STATUS), 0), 1));
            wait(doorbell_);
            continue;
        }
        regs_.set(STATUS, status::IDLE.insert(status::BUSY.insert(regs_.get(STATUS), 1), 0));
        const uint64_t start = now_ps();
        const uint64_t generation = generation_;
        const uint64_t ring = (uint64_t(regs_.get(RING_BASE_HI)) << 32) | regs_.get(RING_BASE_LO);
        const uint64_t daddr = ring + uint64_t(head) * desc::kBytes;
        uint8_t d[desc::kBytes];
        uint64_t t = start + clk_ps_;
        uint32_t st = 0;
        uint32_t control = 0;
        if (!bus(tlm::TLM_READ_COMMAND, daddr, d, desc::kBytes, t, t)) {
            fail(head, err_info::kCauseFetch, daddr);
            st = desc::ST_ERROR.make(1);
        } else {
            DmaTransfer tr;
            std::memcpy(&tr.src, d + desc::SRC, 8);
            std::memcpy(&tr.dst, d + desc::DST, 8);
            std::memcpy(&tr.row_bytes, d + desc::ROW_BYTES, 4);
            std::memcpy(&tr.rows, d + desc::ROWS, 4);
            std::memcpy(&tr.src_stride, d + desc::SRC_STRIDE, 4);
            std::memcpy(&tr.dst_stride, d + desc::DST_STRIDE, 4);
            std::memcpy(&control, d + desc::CONTROL, 4);
            uint64_t fail_addr = 0;
            if (!tr.valid()) {
                fail(head, err_info::kCauseBadDesc, daddr);
                st = desc::ST_ERROR.make(1);
            } else if (Failure f = copy(tr, t, fail_addr); f != Failure::None) {
                fail(head, f == Failure::Read ? err_info::kCauseRead : err_info::kCauseWrite, fail_addr);
                st = desc::ST_ERROR.make(1);
            } else {
                st = desc::ST_DONE.make(1);
            }
            // Status write-back, so software may poll the descriptor too.
            if (!bus(tlm::TLM_WRITE_COMMAND, daddr + desc::STATUS, reinterpret_cast<uint8_t*>(&st), 4, t, t)) {
                fail(head, err_info::kCauseWriteback, daddr + desc::STATUS);
                st = desc::ST_ERROR.make(1);
            }
        }
        if (t > now_ps()) wait(ps_time(t - now_ps()));
        busy_ps_ += now_ps() - start;
        board_trace().span(name(), "descriptor " + std::to_string(head), start, now_ps(),
                           {{"status", desc::ST_ERROR.get(st) ? "error" : "done"}});
        ++descriptors_;
        // Software reset or resized the ring meanwhile: the engine's ring
        // state is already the new one; this descriptor updates nothing.
        if (generation != generation_) continue;
        regs_.set(RING_HEAD, (head + 1) % regs_.get(RING_SIZE));
        regs_.set(DONE_COUNT, regs_.get(DONE_COUNT) + 1);
        regs_.set(BYTES_LO, uint32_t(bytes_));
        regs_.set(BYTES_HI, uint32_t(bytes_ >> 32));
        // Interrupts fire when the descriptor retires, so RING_HEAD is current.
        if (desc::ST_ERROR.get(st)) raise(irq::ERROR.make(1));
        else if (desc::IRQ_ON_DONE.get(control)) raise(irq::DONE.make(1));
    }
}

void Dma::report(Stats& s, const std::string& p) const {
    s.set(p + ".descriptors", descriptors_);
    s.set(p + ".errors", errors_);
    s.set(p + ".bytes", bytes_);
    s.set(p + ".chunks", chunks_);
    s.set(p + ".busy_ns", double(busy_ps_) / 1000.0);
    s.set(p + ".register_writes_ignored", regs_.ignored_writes());
}

} // namespace dynavp
