// Shared by the drivers of small MMIO devices: find the device, check its ID,
// wait for its interrupt and acknowledge it (write-1-to-clear).
#pragma once

#include <cstdint>
#include <string>

#include "firmware/hal.h"

namespace dynavp::fw {

struct DeviceHandle {
    uint64_t base = 0;
    int irq = -1;
};

// False (why set) if the board has no device of `type`, it has no IRQ line, or its ID register is wrong.
inline bool find_device(Hal& hal, const std::string& type, uint32_t id_offset, uint32_t id_value, DeviceHandle& h, std::string& why) {
    const DeviceInfo* d = hal.board().first_of(type);
    if (!d) {
        why = "the board has no device of type " + type;
        return false;
    }
    h.base = d->base;
    h.irq = d->irq;
    if (h.irq < 0) {
        why = "the " + type + " has no interrupt line";
        return false;
    }
    if (hal.read32(h.base + id_offset) != id_value) {
        why = "the " + type + " ID register does not match";
        return false;
    }
    return true;
}

// Waits until (IRQ_STATUS & mask) != 0, then clears those bits; returns them (0 on timeout).
inline uint32_t wait_device_irq(Hal& hal, const DeviceHandle& h, uint32_t irq_status_offset, uint32_t mask, uint64_t timeout_ns) {
    for (;;) {
        const uint32_t st = hal.read32(h.base + irq_status_offset) & mask;
        if (st) {
            hal.write32(h.base + irq_status_offset, st);
            return st;
        }
        if (!hal.wait_irq(unsigned(h.irq), timeout_ns)) return 0;
    }
}

} // namespace dynavp::fw
