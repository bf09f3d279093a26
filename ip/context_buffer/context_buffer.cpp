#include "context_buffer.h"

#include <cstring>

#include "context_buffer_regs.h"
#include "context_record.h"
#include "ip/common/tlm_util.h"

namespace dynavp {

using namespace context_buffer;

ContextBuffer::ContextBuffer(sc_core::sc_module_name name, const DeviceConfig& dev)
    : sc_module(name), socket("socket"), clk_ps_(period_ps(dev.clock_mhz)), mem_(dev.size / 4, 0), ring_(uint32_t(dev.size)) {
    socket.register_b_transport(this, &ContextBuffer::b_transport);
    socket.register_transport_dbg(this, &ContextBuffer::transport_dbg);
    regs_.declare(kRegisters);
    regs_.set(CB_CAPACITY, ring_.capacity_bytes());
    // SavePC: the context words are in place after the tail; the header goes at the tail.
    regs_.on_write(CB_COMMIT, [this](uint32_t, uint32_t header) {
        const uint32_t at = ring_.tail_offset() / 4;
        if (ring_.commit(words_in_header(header))) {
            mem_[at] = header;
            ++saves_;
        } else if (overflow_) {
            overflow_();
        }
        refresh();
    });
    regs_.on_read(CB_POP, [this](uint32_t) {
        ContextRing::Record r;
        if (!ring_.pop(r)) return 0u;
        ++pops_;
        regs_.set(CB_POP_OFFSET, r.start * 4);
        refresh();
        return mem_[r.start];
    });
    refresh();
}

void ContextBuffer::refresh() {
    regs_.set(CB_TAIL, ring_.tail_offset());
    regs_.set(CB_HEAD, ring_.head_offset());
    regs_.set(CB_COUNT, ring_.count());
    regs_.set(CB_USED, ring_.used_bytes());
    regs_.set(CB_PEAK, ring_.peak_bytes());
    regs_.set(CB_OVERFLOWS, uint32_t(ring_.overflows()));
}

void ContextBuffer::reset() {
    ring_.reset();
    refresh();
}

void ContextBuffer::retire(size_t n) {
    ContextRing::Record gone;
    for (size_t i = 0; i < n; ++i) ring_.pop(gone);
    refresh();
}

bool ContextBuffer::access(tlm::tlm_generic_payload& t) {
    const uint64_t off = t.get_address(), len = t.get_data_length();
    if (off >= mem_.size() * 4 || len > mem_.size() * 4 - off) return false;
    uint8_t* bytes = reinterpret_cast<uint8_t*>(mem_.data());
    if (t.is_write()) {
        std::memcpy(bytes + off, t.get_data_ptr(), len);
        bytes_written_ += len;
    } else {
        std::memcpy(t.get_data_ptr(), bytes + off, len);
        bytes_read_ += len;
    }
    return true;
}

void ContextBuffer::b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    if (!check_plain_payload(t)) return;
    t.set_response_status(access(t) ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
    delay += ps_time(((t.get_data_length() + 63) / 64) * clk_ps_); // a 64-byte port of the global memory array
}

unsigned int ContextBuffer::transport_dbg(tlm::tlm_generic_payload& t) { return access(t) ? t.get_data_length() : 0; }

void ContextBuffer::report(Stats& s, const std::string& p) const {
    s.set(p + ".capacity_bytes", uint64_t(ring_.capacity_bytes()));
    s.set(p + ".records_saved", saves_);
    s.set(p + ".records_restored", pops_);
    s.set(p + ".pending", uint64_t(ring_.count()));
    s.set(p + ".peak_bytes", uint64_t(ring_.peak_bytes()));
    s.set(p + ".overflows", ring_.overflows());
    s.set(p + ".bytes_written", bytes_written_);
    s.set(p + ".bytes_read", bytes_read_);
}

} // namespace dynavp
