// Predictor IP register map (DNA sec. VI, Fig. 10): the single source for the
// model (predictor.cpp) and the driver (firmware/drivers/predictor_driver).
//
// Page 0: control, the address converter of the FIFO scheduler, tile masks
// (256 tiles = 8 words each) and counters. Page 1 (0x1000): the prediction
// table, 2-bit states packed 16 per 32-bit word; entry e = TileID * 2^RAT_BITS + RAT
// sits in word e / 16, bits 2 * (e % 16) + 1 .. 2 * (e % 16).
#pragma once

#include <cstdint>

#include "ip/common/regdef.h"

namespace dynavp::predictor {

using reg::Access;
using reg::Field;
using reg::Register;

constexpr uint32_t kIdValue = 0x50524430; // "PRD0"
constexpr uint32_t kVersionValue = 0x00010000;
constexpr uint32_t kMaxTiles = 256;
constexpr uint32_t kMaskWords = kMaxTiles / 32;

constexpr Register ID{0x00, "ID", kIdValue, Access::RO};
constexpr Register VERSION{0x04, "VERSION", kVersionValue, Access::RO};
constexpr Register CTRL{0x08, "CTRL", 0, Access::RW};
constexpr Register CMD{0x0C, "CMD", 0, Access::WO};
constexpr Register STATUS{0x10, "STATUS", 0, Access::RO};
constexpr Register IRQ_STATUS{0x14, "IRQ_STATUS", 0, Access::W1C};
constexpr Register TILES{0x18, "TILES", 0, Access::RO};             // TileIDs the table covers
constexpr Register RAT_BITS{0x1C, "RAT_BITS", 0, Access::RO};
constexpr Register TABLE_BYTES{0x20, "TABLE_BYTES", 0, Access::RO};
constexpr Register RAT{0x24, "RAT", 0, Access::RW};                 // recent access trace of the current sample
constexpr Register LAYER_TILES{0x28, "LAYER_TILES", 0, Access::RW}; // tiles of the operator at hand (<= TILES)
// Address converter: tile t lives at TILE_DRAM + t * TILE_STRIDE and is
// prefetched to PFB_OFFSET + t * TILE_BYTES in the prefetch buffer, described
// by prefetch-directory entry DIR_BASE + t (ip/core/npu_regs.h PFB_*).
constexpr Register TILE_DRAM_LO{0x2C, "TILE_DRAM_LO", 0, Access::RW};
constexpr Register TILE_DRAM_HI{0x30, "TILE_DRAM_HI", 0, Access::RW};
constexpr Register TILE_BYTES{0x34, "TILE_BYTES", 0, Access::RW};
constexpr Register PFB_OFFSET{0x38, "PFB_OFFSET", 0, Access::RW};
constexpr Register DIR_BASE{0x3C, "DIR_BASE", 0, Access::RW};
constexpr Register ERR_DETAIL{0x40, "ERR_DETAIL", 0, Access::RO};
// Two operator contexts ("banks"), so the next sample's tiles can be
// prefetched while this sample's operator still reads its own: LAYER_TILES,
// the address converter, PRED, LOADED and the commands act on bank BANK;
// the RAT and the prediction table are shared. The runtime monitor resolves
// the selected bank.
constexpr Register BANK{0x44, "BANK", 0, Access::RW};
// Per bank as well. TILE_BASE: the operator's first row in the prediction
// table (its TileID t is table row TILE_BASE + t), so the layers of a network
// keep separate histories in one table. TILE_STRIDE: DRAM distance between
// tiles (0 = TILE_BYTES). A stride larger than TILE_BYTES prefetches the
// first TILE_BYTES of each tile's data, when a layer's tiles are larger than
// its share of the prefetch buffer; the cores read the rest from DRAM.
constexpr Register TILE_BASE{0x48, "TILE_BASE", 0, Access::RW};
constexpr Register TILE_STRIDE{0x4C, "TILE_STRIDE", 0, Access::RW};
constexpr uint32_t kBanks = 2;
// Counters since reset (saturating).
constexpr Register DECISIONS{0x50, "DECISIONS", 0, Access::RO}; // tile predictions judged against the actual trace
constexpr Register CORRECT{0x54, "CORRECT", 0, Access::RO};
constexpr Register PREFETCHED{0x58, "PREFETCHED", 0, Access::RO}; // tiles loaded from the FIFO
constexpr Register USEFUL{0x5C, "USEFUL", 0, Access::RO};         // requested ahead and used
constexpr Register USELESS{0x60, "USELESS", 0, Access::RO};       // requested ahead, not used (loaded and disabled, or dropped)
constexpr Register MISSED{0x64, "MISSED", 0, Access::RO};         // used, not requested ahead: loaded at once
// Tile masks: bit t of word t / 32.
constexpr uint32_t kMask = 0x100, kActual = 0x120, kPredicted = 0x140, kLoaded = 0x160;
constexpr Register mask(uint32_t w) { return {kMask + 4 * w, "MASK", 0, Access::RW}; }        // tiles for PREFETCH
constexpr Register actual(uint32_t w) { return {kActual + 4 * w, "ACTUAL", 0, Access::RW}; }  // the agent's trace, for RESOLVE
constexpr Register predicted(uint32_t w) { return {kPredicted + 4 * w, "PRED", 0, Access::RO}; }
constexpr Register loaded(uint32_t w) { return {kLoaded + 4 * w, "LOADED", 0, Access::RO}; } // valid in the prefetch buffer

constexpr uint32_t kTablePage = 0x1000;

constexpr Register kRegisters[] = {ID,          VERSION,     CTRL,       CMD,       STATUS,     IRQ_STATUS, TILES,     RAT_BITS,
                                   TABLE_BYTES, RAT,         LAYER_TILES, TILE_DRAM_LO, TILE_DRAM_HI, TILE_BYTES, PFB_OFFSET, DIR_BASE,
                                   ERR_DETAIL,  BANK,        TILE_BASE,   TILE_STRIDE, DECISIONS,   CORRECT,    PREFETCHED, USEFUL,     USELESS,    MISSED};

namespace ctrl {
constexpr Field IRQ_EN{0, 1};
} // namespace ctrl

namespace cmd {
constexpr uint32_t kPredict = 1;    // look the RAT up; push the tiles predicted useful into the FIFO
constexpr uint32_t kPrefetch = 2;   // push the tiles of MASK into the FIFO (conventional / oracle prefetching)
constexpr uint32_t kResolve = 3;    // ACTUAL holds the agent's trace: misprediction handling, table update, RAT <- trace
constexpr uint32_t kRelease = 4;    // the operator is done: invalidate its directory entries, empty the FIFO
constexpr uint32_t kResetTable = 5; // every state to the initial state, RAT to 0
} // namespace cmd

namespace status {
constexpr Field FIFO_LEVEL{0, 12};  // operations waiting (FIFO scheduler and demand queue)
constexpr Field BUSY{12, 1};        // a tile transfer in flight
constexpr Field READY{13, 1};       // the selected bank is resolved and every used tile is in the prefetch buffer
constexpr Field ERR_CODE{16, 8};
} // namespace status

namespace irq {
constexpr Field READY{0, 1}; // a resolved bank became ready (STATUS.READY tells which, per BANK)
constexpr Field ERROR{1, 1};
} // namespace irq

enum ErrCode : uint32_t {
    kErrNone = 0,
    kErrLayer = 1,  // LAYER_TILES is 0, TILE_BASE + LAYER_TILES above TILES, or TILE_STRIDE below TILE_BYTES
    kErrPlace = 2,  // the tiles do not fit the prefetch buffer or its directory (ERR_DETAIL: tiles that fit)
    kErrBus = 3,    // a tile transfer faulted (ERR_DETAIL: TileID)
    kErrCommand = 4 // unknown command
};
const char* err_name(uint32_t code);

} // namespace dynavp::predictor
