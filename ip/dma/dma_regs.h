// DMA engine register map and descriptor format: the single source of truth
// for the model (ip/dma/dma.cpp) and the driver (firmware/drivers/dma_driver).
#pragma once

#include <cstdint>

#include "ip/common/regdef.h"

namespace dynavp::dma {

using reg::Access;
using reg::Field;
using reg::Register;

constexpr uint32_t kIdValue = 0x444D4130;      // "DMA0"
constexpr uint32_t kVersionValue = 0x00010000; // 1.0

constexpr Register ID{0x00, "ID", kIdValue, Access::RO};
constexpr Register VERSION{0x04, "VERSION", kVersionValue, Access::RO};
constexpr Register CTRL{0x08, "CTRL", 0x0, Access::RW};
constexpr Register STATUS{0x0C, "STATUS", 0x4, Access::RO};
constexpr Register IRQ_STATUS{0x10, "IRQ_STATUS", 0x0, Access::W1C};
constexpr Register RING_BASE_LO{0x14, "RING_BASE_LO", 0x0, Access::RW};
constexpr Register RING_BASE_HI{0x18, "RING_BASE_HI", 0x0, Access::RW};
constexpr Register RING_SIZE{0x1C, "RING_SIZE", 0x0, Access::RW};  // entries: power of two in [2, kMaxRingEntries]; writing it restarts the ring
constexpr Register RING_HEAD{0x20, "RING_HEAD", 0x0, Access::RO};  // next descriptor the engine takes
constexpr Register RING_TAIL{0x24, "RING_TAIL", 0x0, Access::RW};  // one past the last posted; write = doorbell
constexpr Register DONE_COUNT{0x28, "DONE_COUNT", 0x0, Access::RO};
constexpr Register ERR_ADDR_LO{0x2C, "ERR_ADDR_LO", 0x0, Access::RO};
constexpr Register ERR_ADDR_HI{0x30, "ERR_ADDR_HI", 0x0, Access::RO};
constexpr Register ERR_INFO{0x34, "ERR_INFO", 0x0, Access::RO};
constexpr Register BYTES_LO{0x38, "BYTES_LO", 0x0, Access::RO};    // bytes moved since reset
constexpr Register BYTES_HI{0x3C, "BYTES_HI", 0x0, Access::RO};

constexpr Register kRegisters[] = {ID,          VERSION,   CTRL,       STATUS,      IRQ_STATUS,  RING_BASE_LO,
                                   RING_BASE_HI, RING_SIZE, RING_HEAD,  RING_TAIL,   DONE_COUNT,  ERR_ADDR_LO,
                                   ERR_ADDR_HI,  ERR_INFO,  BYTES_LO,   BYTES_HI};

namespace ctrl {
constexpr Field ENABLE{0, 1};      // process descriptors
constexpr Field IRQ_DONE_EN{1, 1}; // raise the IRQ line on IRQ_STATUS.DONE
constexpr Field IRQ_ERR_EN{2, 1};  // raise the IRQ line on IRQ_STATUS.ERROR
constexpr Field SOFT_RESET{31, 1}; // self-clearing: empties the ring state, clears counters
} // namespace ctrl

namespace status {
constexpr Field BUSY{0, 1};       // a descriptor is in flight
constexpr Field RING_ERROR{1, 1}; // RING_SIZE invalid: engine refuses to start
constexpr Field IDLE{2, 1};       // ring empty and nothing in flight
} // namespace status

namespace irq {
constexpr Field DONE{0, 1};  // a descriptor with desc::IRQ_ON_DONE completed
constexpr Field ERROR{1, 1}; // a descriptor failed (see ERR_*)
} // namespace irq

namespace err_info {
constexpr Field DESC_INDEX{0, 16};
constexpr Field CAUSE{16, 4};
constexpr uint32_t kCauseNone = 0;
constexpr uint32_t kCauseFetch = 1;     // bus error reading the descriptor
constexpr uint32_t kCauseRead = 2;      // bus error on the source
constexpr uint32_t kCauseWrite = 3;     // bus error on the destination
constexpr uint32_t kCauseBadDesc = 4;   // rows or row_bytes is 0
constexpr uint32_t kCauseWriteback = 5; // bus error writing the status word back
} // namespace err_info

constexpr uint32_t kMaxRingEntries = 65536;

// Descriptor in memory: 64 bytes, little endian, 64-byte aligned ring.
// A 1-D copy is rows = 1. A 2-D copy moves `rows` rows of `row_bytes`,
// advancing by src_stride / dst_stride between rows (stride 0 repeats a row).
namespace desc {
constexpr uint32_t kBytes = 64;
constexpr uint32_t SRC = 0x00;        // u64
constexpr uint32_t DST = 0x08;        // u64
constexpr uint32_t ROW_BYTES = 0x10;  // u32
constexpr uint32_t ROWS = 0x14;       // u32
constexpr uint32_t SRC_STRIDE = 0x18; // u32
constexpr uint32_t DST_STRIDE = 0x1C; // u32
constexpr uint32_t CONTROL = 0x20;    // u32, fields below
constexpr uint32_t STATUS = 0x24;     // u32, written back by the engine
constexpr uint32_t TAG = 0x28;        // u32, software's, untouched
constexpr Field IRQ_ON_DONE{0, 1};    // in CONTROL
constexpr Field ST_DONE{0, 1};        // in STATUS
constexpr Field ST_ERROR{1, 1};       // in STATUS
} // namespace desc

} // namespace dynavp::dma
