// Small shared helpers for the TLM models.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "register_bank.h"

namespace dynavp {

// The board runs with SystemC's default 1 ps resolution (checked in Board),
// so sc_time::value() is picoseconds.
inline uint64_t ps_of(const sc_core::sc_time& t) { return t.value(); }
inline sc_core::sc_time ps_time(uint64_t ps) { return sc_core::sc_time::from_value(ps); }
inline uint64_t now_ps() { return sc_core::sc_time_stamp().value(); }
inline uint64_t period_ps(double mhz) { return uint64_t(1e6 / mhz + 0.5); }

inline tlm::tlm_response_status to_tlm(RegAccessStatus s) {
    switch (s) {
    case RegAccessStatus::Ok: return tlm::TLM_OK_RESPONSE;
    case RegAccessStatus::AddressError: return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    case RegAccessStatus::BurstError: return tlm::TLM_BURST_ERROR_RESPONSE;
    }
    return tlm::TLM_GENERIC_ERROR_RESPONSE;
}

// Marks a transaction that carries timing but no data: memories charge its
// time and count its bytes, and leave their contents alone. The NPU uses it
// for tile transfers whose values the cores read functionally (npu.h).
struct TimingOnlyExtension : tlm::tlm_extension<TimingOnlyExtension> {
    tlm::tlm_extension_base* clone() const override { return new TimingOnlyExtension; }
    void copy_from(const tlm::tlm_extension_base&) override {}
};
inline bool timing_only(const tlm::tlm_generic_payload& t) { return t.get_extension<TimingOnlyExtension>() != nullptr; }

// A copy over an initiator socket as a DMA-style engine does it: the source
// read in pieces that never cross 4 KiB (like AXI bursts), every read issued
// at start_ps (the memory queues them), the writes in order, each once its
// read and the writes before it are done. Real data. False on a bus error
// (fault_addr set); done_ps: when the last write completed.
template <class Socket>
bool timed_copy(Socket& bus, uint64_t src, uint64_t dst, uint64_t len, uint64_t start_ps, std::vector<uint8_t>& buf, uint64_t& done_ps,
                uint64_t& fault_addr) {
    constexpr uint64_t kBoundary = 4096;
    buf.resize(len);
    tlm::tlm_generic_payload p;
    done_ps = start_ps;
    for (uint64_t a = 0; a < len;) {
        const uint64_t end = std::min(len, ((src + a) / kBoundary + 1) * kBoundary - src);
        for (int write = 0; write < 2; ++write) {
            p.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
            p.set_address(write ? dst + a : src + a);
            p.set_data_ptr(&buf[a]);
            p.set_data_length(uint32_t(end - a));
            p.set_streaming_width(uint32_t(end - a));
            p.set_byte_enable_ptr(nullptr);
            p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            const uint64_t at = write ? done_ps : start_ps, now = now_ps();
            sc_core::sc_time d = ps_time(at > now ? at - now : 0);
            bus->b_transport(p, d);
            if (!p.is_response_ok()) {
                fault_addr = write ? dst + a : src + a;
                return false;
            }
            done_ps = std::max(done_ps, now + ps_of(d));
        }
        a = end;
    }
    return true;
}

// A bus access to a register file: read or write at `offset`, response set.
inline void access_registers(RegisterBank& regs, uint64_t offset, tlm::tlm_generic_payload& t) {
    const RegAccessStatus st = t.is_write() ? regs.write(offset, t.get_data_ptr(), t.get_data_length())
                                            : regs.read(offset, t.get_data_ptr(), t.get_data_length());
    t.set_response_status(to_tlm(st));
}

// Rejects what a plain memory or register target does not support.
// Returns false (with the response set) when the payload is unusable.
inline bool check_plain_payload(tlm::tlm_generic_payload& t) {
    if (t.get_byte_enable_ptr()) {
        t.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return false;
    }
    if (t.get_streaming_width() < t.get_data_length()) {
        t.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return false;
    }
    if (t.get_command() == tlm::TLM_IGNORE_COMMAND) {
        t.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return false;
    }
    return true;
}

} // namespace dynavp
