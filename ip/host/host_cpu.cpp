#include "host_cpu.h"

#include <cstring>
#include <exception>

#include "ip/common/tlm_util.h"
#include "platform/trace.h"

namespace dynavp {

HostCpu::HostCpu(sc_core::sc_module_name name, unsigned irq_lines, double clock_mhz, fw::BoardInfo board)
    : sc_module(name), socket("socket"), irq("irq", irq_lines), board_(std::move(board)), clk_ps_(period_ps(clock_mhz)) {
    SC_THREAD(run);
}

void HostCpu::run() {
    qk_.reset();
    try {
        exit_code_ = entry_ ? entry_(*this) : -1;
        if (!entry_) log("no firmware loaded");
    } catch (const std::exception& e) {
        log(std::string("firmware aborted: ") + e.what());
        exit_code_ = -2;
    }
    qk_.sync();
    board_trace().span(name(), "firmware", 0, now_ps(), {{"exit_code", exit_code_}});
    finished_ = true;
    sc_core::sc_stop();
}

bool HostCpu::access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len) {
    tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(addr);
    t.set_data_ptr(static_cast<unsigned char*>(data));
    t.set_data_length(len);
    t.set_streaming_width(len);
    t.set_byte_enable_ptr(nullptr);
    t.set_dmi_allowed(false);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = qk_.get_local_time() + ps_time(clk_ps_); // issue cost: one CPU cycle
    socket->b_transport(t, delay);
    qk_.set(delay);
    if (qk_.need_sync()) qk_.sync();
    (cmd == tlm::TLM_READ_COMMAND ? reads_ : writes_) += 1;
    if (t.is_response_ok()) return true;
    ++faults_seen_;
    faults_.push_back(fw::BusFault{addr, cmd == tlm::TLM_WRITE_COMMAND, t.get_response_string()});
    if (cmd == tlm::TLM_READ_COMMAND) std::memset(data, 0xFF, len); // a faulting load reads as all ones
    return false;
}

uint32_t HostCpu::read32(uint64_t addr) {
    uint32_t v = 0;
    access(tlm::TLM_READ_COMMAND, addr, &v, 4);
    return v;
}

void HostCpu::write32(uint64_t addr, uint32_t value) { access(tlm::TLM_WRITE_COMMAND, addr, &value, 4); }

uint64_t HostCpu::read64(uint64_t addr) {
    uint64_t v = 0;
    access(tlm::TLM_READ_COMMAND, addr, &v, 8);
    return v;
}

void HostCpu::write64(uint64_t addr, uint64_t value) { access(tlm::TLM_WRITE_COMMAND, addr, &value, 8); }

void HostCpu::read_block(uint64_t addr, void* dst, size_t len) {
    auto* p = static_cast<uint8_t*>(dst);
    while (len > 0) {
        const unsigned n = unsigned(std::min<uint64_t>(len, kLineBytes - addr % kLineBytes));
        access(tlm::TLM_READ_COMMAND, addr, p, n);
        addr += n;
        p += n;
        len -= n;
    }
}

void HostCpu::write_block(uint64_t addr, const void* src, size_t len) {
    const auto* p = static_cast<const uint8_t*>(src);
    uint8_t line[kLineBytes];
    while (len > 0) {
        const unsigned n = unsigned(std::min<uint64_t>(len, kLineBytes - addr % kLineBytes));
        std::memcpy(line, p, n);
        access(tlm::TLM_WRITE_COMMAND, addr, line, n);
        addr += n;
        p += n;
        len -= n;
    }
}

std::optional<fw::BusFault> HostCpu::take_fault() {
    if (faults_.empty()) return std::nullopt;
    fw::BusFault f = faults_.front();
    faults_.pop_front();
    return f;
}

// DMI first (no timing, no bus traffic); debug transport where DMI is refused.
bool HostCpu::functional(tlm::tlm_command cmd, uint64_t addr, void* data, size_t len) {
    auto* p = static_cast<uint8_t*>(data);
    while (len > 0) {
        tlm::tlm_generic_payload t;
        t.set_command(cmd);
        t.set_address(addr);
        tlm::tlm_dmi dmi;
        const bool want_write = cmd == tlm::TLM_WRITE_COMMAND;
        if (socket->get_direct_mem_ptr(t, dmi) && (want_write ? dmi.is_write_allowed() : dmi.is_read_allowed()) &&
            addr >= dmi.get_start_address() && addr <= dmi.get_end_address()) {
            const uint64_t n = std::min<uint64_t>(len, dmi.get_end_address() - addr + 1);
            if (n == 0) return false; // a grant spanning all 2^64 bytes: not from our targets
            uint8_t* mem = dmi.get_dmi_ptr() + (addr - dmi.get_start_address());
            if (want_write) std::memcpy(mem, p, n);
            else std::memcpy(p, mem, n);
            dmi_bytes_ += n;
            addr += n;
            p += n;
            len -= size_t(n);
            continue;
        }
        const unsigned n = unsigned(std::min<uint64_t>(len, 4096));
        t.set_data_ptr(p);
        t.set_data_length(n);
        t.set_streaming_width(n);
        t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        if (socket->transport_dbg(t) != n) return false;
        dbg_bytes_ += n;
        addr += n;
        p += n;
        len -= n;
    }
    return true;
}

bool HostCpu::load(uint64_t addr, const void* src, size_t len) {
    return functional(tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(src), len);
}

bool HostCpu::peek(uint64_t addr, void* dst, size_t len) { return functional(tlm::TLM_READ_COMMAND, addr, dst, len); }

bool HostCpu::wait_irq(unsigned line, uint64_t timeout_ns) {
    ++irq_waits_;
    if (line >= irq.size()) {
        log("wait_irq: no interrupt line " + std::to_string(line));
        return false;
    }
    qk_.sync(); // interrupts are observed at the global time
    if (irq[line].read()) return true;
    const uint64_t t0 = now_ps();
    if (timeout_ns == 0) wait(irq[line].posedge_event());
    else wait(sc_core::sc_time(double(timeout_ns), sc_core::SC_NS), irq[line].posedge_event());
    qk_.reset();
    board_trace().span(name(), "wait irq " + std::to_string(line), t0, now_ps());
    if (irq[line].read()) return true;
    ++irq_timeouts_;
    return false;
}

void HostCpu::delay_ns(uint64_t ns) {
    qk_.inc(sc_core::sc_time(double(ns), sc_core::SC_NS));
    if (qk_.need_sync()) qk_.sync();
}

uint64_t HostCpu::now_ns() { return ps_of(qk_.get_current_time()) / 1000; }

void HostCpu::log(const std::string& message) { log_.push_back(message); }

void HostCpu::report(Stats& s, const std::string& p) const {
    s.set(p + ".reads", reads_);
    s.set(p + ".writes", writes_);
    s.set(p + ".bus_faults", faults_seen_);
    s.set(p + ".irq_waits", irq_waits_);
    s.set(p + ".irq_timeouts", irq_timeouts_);
    s.set(p + ".functional_dmi_bytes", dmi_bytes_);
    s.set(p + ".functional_debug_bytes", dbg_bytes_);
}

} // namespace dynavp
