// The hardware abstraction layer firmware is written against. On the virtual
// board the host CPU model implements it with TLM transactions; nothing in
// firmware/ sees SystemC or a model's internals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dynavp::fw {

// What the board tells firmware about itself (a device tree, in effect).
struct DeviceInfo {
    std::string name;
    std::string type; // "dram", "sram", "dma", ...
    uint64_t base = 0;
    uint64_t size = 0;
    int irq = -1;
};

struct BoardInfo {
    std::string platform;
    std::vector<DeviceInfo> devices;
    const DeviceInfo* find(const std::string& name) const {
        for (const auto& d : devices)
            if (d.name == name) return &d;
        return nullptr;
    }
    const DeviceInfo* first_of(const std::string& type) const {
        for (const auto& d : devices)
            if (d.type == type) return &d;
        return nullptr;
    }
};

// A bus error seen by the CPU (a data abort on real silicon).
struct BusFault {
    uint64_t address = 0;
    bool write = false;
    std::string response; // e.g. "TLM_ADDRESS_ERROR_RESPONSE"
};

class Hal {
public:
    virtual ~Hal() = default;

    // Timed MMIO / memory accesses. A faulting access reads as all ones and
    // is recorded: take_fault() returns (and clears) the oldest unhandled one.
    virtual uint32_t read32(uint64_t addr) = 0;
    virtual void write32(uint64_t addr, uint32_t value) = 0;
    virtual uint64_t read64(uint64_t addr) = 0;
    virtual void write64(uint64_t addr, uint64_t value) = 0;
    // CPU copies to/from memory, in cache-line sized transactions.
    virtual void read_block(uint64_t addr, void* dst, size_t len) = 0;
    virtual void write_block(uint64_t addr, const void* src, size_t len) = 0;
    virtual std::optional<BusFault> take_fault() = 0;

    // Functional (untimed) access, like a debugger or boot loader: DMI where
    // the target grants it. Returns false if the range is not backed memory.
    virtual bool load(uint64_t addr, const void* src, size_t len) = 0;
    virtual bool peek(uint64_t addr, void* dst, size_t len) = 0;

    // Waits until interrupt line `line` is high; false on timeout.
    // timeout_ns == 0 waits forever.
    virtual bool wait_irq(unsigned line, uint64_t timeout_ns) = 0;
    virtual void delay_ns(uint64_t ns) = 0;
    virtual uint64_t now_ns() = 0;

    virtual void log(const std::string& message) = 0;
    // Simulation only (semihosting): a named number for the run's stats
    // (`firmware.metrics.<name>`), e.g. the cycles a runtime spent per phase.
    virtual void metric(const std::string& name, double value) = 0;
    virtual const BoardInfo& board() const = 0;
};

} // namespace dynavp::fw
