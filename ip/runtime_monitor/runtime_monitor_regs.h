// Runtime monitor register map (DNA sec. IV-B, Fig. 8c): collects the agent
// outcomes from the cores' runtime tables and forwards them to the predictor
// (the actual access trace) and the transverter (modified dims). The single
// source for the model and firmware/drivers/runtime_monitor_driver.
#pragma once

#include <cstdint>

#include "ip/common/regdef.h"

namespace dynavp::runtime_monitor {

using reg::Access;
using reg::Field;
using reg::Register;

constexpr uint32_t kIdValue = 0x52544D30; // "RTM0"
constexpr uint32_t kVersionValue = 0x00010000;
constexpr uint32_t kMaxTiles = 256;

constexpr Register ID{0x00, "ID", kIdValue, Access::RO};
constexpr Register VERSION{0x04, "VERSION", kVersionValue, Access::RO};
constexpr Register CTRL{0x08, "CTRL", 0, Access::RW};
constexpr Register CMD{0x0C, "CMD", 0, Access::WO};
constexpr Register STATUS{0x10, "STATUS", 0, Access::RO};
constexpr Register IRQ_STATUS{0x14, "IRQ_STATUS", 0, Access::W1C};
constexpr Register CORE_MASK{0x18, "CORE_MASK", 0, Access::RW}; // runtime tables to collect (bit = core)
constexpr Register POLICY{0x1C, "POLICY", 0, Access::RW};       // core::AgentPolicy of the entries that count
constexpr Register ADDR_BASE{0x20, "ADDR_BASE", 0, Access::RW}; // agent-controlled address of tile 0
constexpr Register TILES{0x24, "TILES", 0, Access::RW};         // tiles of the operator (<= 256)
constexpr Register ENTRIES{0x28, "ENTRIES", 0, Access::RO};     // entries scanned by the last COLLECT
constexpr Register CYCLES{0x2C, "CYCLES", 0, Access::RO};       // monitor clocks of the last command
constexpr Register FWD_TILE{0x30, "FWD_TILE", 0, Access::RW};   // FORWARD_DIM: COUNT[FWD_TILE] ...
constexpr Register FWD_DIM{0x34, "FWD_DIM", 0, Access::RW};     // ... becomes the transverter's DIM_DYN[FWD_DIM]
constexpr uint32_t kTrace = 0x40;   // TRACE[w], 8 words: bit t = tile t used
constexpr uint32_t kCounts = 0x100; // COUNT[t] at +4t, t < 256
constexpr Register trace_word(uint32_t w) { return {kTrace + 4 * w, "TRACE", 0, Access::RO}; }
constexpr Register tile_count(uint32_t t) { return {kCounts + 4 * t, "COUNT", 0, Access::RO}; }

constexpr Register kRegisters[] = {ID, VERSION, CTRL, CMD, STATUS, IRQ_STATUS, CORE_MASK, POLICY, ADDR_BASE, TILES, ENTRIES, CYCLES, FWD_TILE, FWD_DIM};

namespace ctrl {
constexpr Field IRQ_EN{0, 1};
constexpr Field TO_PREDICTOR{1, 1}; // COLLECT hands the trace to the predictor (its RESOLVE)
constexpr Field CLEAR_TABLES{2, 1}; // COLLECT empties the tables it read
constexpr Field AUTO_GO{3, 1};      // FORWARD_DIM also starts the transverter
} // namespace ctrl

namespace cmd {
constexpr uint32_t kCollect = 1;
constexpr uint32_t kForwardDim = 2;
} // namespace cmd

namespace status = reg::unit_status; // STATE idle/busy/done/error, ERR_CODE
namespace irq = reg::unit_irq;       // DONE, ERROR

enum ErrCode : uint32_t {
    kErrNone = 0,
    kErrTiles = 1,    // TILES is 0 or above 256, or FWD_TILE >= TILES
    kErrCore = 2,     // CORE_MASK names a core the NPU does not have
    kErrNoTarget = 3, // forwarding to a predictor / transverter the board does not have
    kErrDim = 4,      // FWD_DIM >= 7, or COUNT[FWD_TILE] is 0 (an operator cannot shrink to nothing)
    kErrCommand = 5,  // unknown command
    kErrTargetBusy = 6, // FORWARD_DIM with AUTO_GO while the transverter runs: nothing forwarded
};
const char* err_name(uint32_t code);

} // namespace dynavp::runtime_monitor
