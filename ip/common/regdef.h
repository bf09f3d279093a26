// Register-map vocabulary shared by IP models and firmware drivers.
// Each IP's <block>_regs.h declares its registers and fields with these
// types, once; the model builds its RegisterBank from that table and the
// driver takes offsets and fields from the same header. No SystemC here.
#pragma once

#include <cstdint>

namespace dynavp::reg {

enum class Access : uint8_t {
    RW,  // read/write
    RO,  // read-only: writes are ignored (and counted by the model)
    WO,  // write-only: reads return 0
    W1C, // write 1 to clear
};

struct Field {
    uint8_t lsb;
    uint8_t width;
    constexpr uint32_t mask() const { return (width >= 32 ? 0xFFFFFFFFu : ((1u << width) - 1u)) << lsb; }
    constexpr uint32_t get(uint32_t reg) const { return (reg & mask()) >> lsb; }
    constexpr uint32_t make(uint32_t value) const { return (value << lsb) & mask(); }
    constexpr uint32_t insert(uint32_t reg, uint32_t value) const { return (reg & ~mask()) | make(value); }
};

struct Register {
    uint32_t offset; // byte offset inside the block; 32-bit registers, 4-byte aligned
    const char* name;
    uint32_t reset;
    Access access;
};

// The command/status convention of the blocks that run one command at a
// time (NPU cores, transverter, runtime monitor): STATUS.STATE and ERR_CODE,
// and a write-1-to-clear IRQ_STATUS with DONE and ERROR.
namespace unit_status {
constexpr Field STATE{0, 2};
constexpr Field ERR_CODE{8, 8};
constexpr uint32_t kIdle = 0, kBusy = 1, kDone = 2, kError = 3;
} // namespace unit_status
namespace unit_irq {
constexpr Field DONE{0, 1};
constexpr Field ERROR{1, 1};
} // namespace unit_irq

} // namespace dynavp::reg
