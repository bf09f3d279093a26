// Transverter IP register map (DNA sec. V-C, Fig. 9b): the single source for
// the model (transverter.cpp) and the driver (firmware/drivers/transverter_driver).
//
// Page 0 (0x000-0xFFF): control registers, the operator's dims and the
// constraint table eta (one 0x20-byte row per memory level, innermost first).
// Page 1 (0x1000-0x1FFF): the scheduling table X, byte-addressable, in the
// serialised-schedule format of ip/core/npu_regs.h ("SCHD": one 8-byte row
// per prime factor {dim, level, spatial, 0, value}, then each level's loop
// order). Firmware writes the backbone's schedule there; after a run it
// holds the transformed schedule, and a job descriptor's sched_addr may
// point at it so the cores fetch their schedule straight from the unit.
#pragma once

#include <cstdint>

#include "ip/common/regdef.h"

namespace dynavp::transverter {

using reg::Access;
using reg::Field;
using reg::Register;

constexpr uint32_t kIdValue = 0x54525630; // "TRV0"
constexpr uint32_t kVersionValue = 0x00010000;

constexpr Register ID{0x00, "ID", kIdValue, Access::RO};
constexpr Register VERSION{0x04, "VERSION", kVersionValue, Access::RO};
constexpr Register CTRL{0x08, "CTRL", 0, Access::RW};
constexpr Register CMD{0x0C, "CMD", 0, Access::WO};
constexpr Register STATUS{0x10, "STATUS", 0, Access::RO};
constexpr Register IRQ_STATUS{0x14, "IRQ_STATUS", 0, Access::W1C};
constexpr Register TABLE_ENTRIES{0x18, "TABLE_ENTRIES", 0, Access::RO}; // factor rows the scheduling table holds
constexpr Register LEVELS{0x1C, "LEVELS", 0, Access::RO};               // rows of the constraint table
constexpr Register UPDATES{0x20, "UPDATES", 0, Access::RO};             // table writes of the last run
constexpr Register CYCLES{0x24, "CYCLES", 0, Access::RO};               // unit clocks of the last run
constexpr Register RUNS{0x28, "RUNS", 0, Access::RO};                   // GOs accepted since reset
constexpr Register OP_STRIDE{0x2C, "OP_STRIDE", 1, Access::RW};
constexpr Register OP_DILATION{0x30, "OP_DILATION", 1, Access::RW};
constexpr Register OP_GROUPS{0x34, "OP_GROUPS", 1, Access::RW};
constexpr Register ELEM_BYTES{0x38, "ELEM_BYTES", 0, Access::RW}; // reset: the platform's int8 machine
constexpr Register TABLE_BYTES{0x3C, "TABLE_BYTES", 0, Access::RO}; // bytes of the schedule now in the table
constexpr Register MAX_PRIME{0x40, "MAX_PRIME", 0, Access::RW};     // larger prime factors are padded away
constexpr Register ERR_DETAIL{0x44, "ERR_DETAIL", 0, Access::RO};

// Dims in R, S, P, Q, C, K, N order: the backbone operator alpha, the dynamic
// operator tau (what the agent decided; the runtime monitor can write these),
// and what runs (tau with dims padded to MAX_PRIME-smooth sizes).
constexpr uint32_t kDimBackbone = 0x80, kDimDynamic = 0xA0, kDimExecuted = 0xC0;
constexpr Register dim_backbone(uint32_t j) { return {kDimBackbone + 4 * j, "DIM_BB", 1, Access::RW}; }
constexpr Register dim_dynamic(uint32_t j) { return {kDimDynamic + 4 * j, "DIM_DYN", 1, Access::RW}; }
constexpr Register dim_executed(uint32_t j) { return {kDimExecuted + 4 * j, "DIM_EXEC", 1, Access::RO}; }

// Constraint table eta (DNA eq. 1): row i at kConstraintBase + i * kConstraintStride.
// Capacities in bytes; 0 = the level does not hold that tensor (B matrix of
// eq. 2); 0xFFFFFFFF = unbounded (DRAM). SHARED > 0: the held tensors share it.
constexpr uint32_t kConstraintBase = 0x100, kConstraintStride = 0x20, kMaxLevels = 8;
constexpr uint32_t kCapWeight = 0x00, kCapInput = 0x04, kCapOutput = 0x08, kCapShared = 0x0C, kFanout = 0x10;
constexpr uint32_t kUnboundedCapacity = 0xFFFFFFFFu;

constexpr uint32_t kTablePage = 0x1000, kTableWindowBytes = 0x1000;

constexpr Register kRegisters[] = {ID,        VERSION,     CTRL,      CMD,        STATUS,     IRQ_STATUS, TABLE_ENTRIES,
                                   LEVELS,    UPDATES,     CYCLES,    RUNS,       OP_STRIDE,  OP_DILATION, OP_GROUPS,
                                   ELEM_BYTES, TABLE_BYTES, MAX_PRIME, ERR_DETAIL};

namespace ctrl {
constexpr Field IRQ_EN{0, 1};
// Algorithm 1 leaves the order of "forall operator dimension j" open
// (ip/scheduling/README.md): MaxBuff 0 = table order, 1 = nest order;
// MaxComp 0 = table order, 1 = backbone's spatial dims first.
constexpr Field MAXBUFF_NEST{4, 1};
constexpr Field MAXCOMP_BACKBONE{5, 1};
} // namespace ctrl

namespace cmd {
constexpr uint32_t kGo = 1;
} // namespace cmd

namespace status = reg::unit_status; // STATE idle/busy/done/error, ERR_CODE
namespace irq = reg::unit_irq;       // DONE, ERROR

// ELEM_BYTES: bytes per element of each tensor on chip, and of final outputs in DRAM.
namespace elem {
constexpr Field WEIGHT{0, 8};
constexpr Field INPUT{8, 8};
constexpr Field OUTPUT{16, 8};
constexpr Field DRAM_OUTPUT{24, 8};
} // namespace elem

enum ErrCode : uint32_t {
    kErrNone = 0,
    kErrTable = 2,       // the scheduling table is not a valid schedule (ERR_DETAIL: factor row, or 0xFFFF for the header)
    kErrShape = 3,       // the table's factors do not multiply to DIM_BB (ERR_DETAIL: dim)
    kErrDynamic = 4,     // a DIM_DYN is 0 or larger than DIM_BB (ERR_DETAIL: dim)
    kErrTableFull = 5,   // the result needs more factor rows than TABLE_ENTRIES (ERR_DETAIL: rows needed)
    kErrConstraint = 6,  // the constraint table is unusable: a level with fan-out 0, levels mismatch (ERR_DETAIL: level)
    kErrOperator = 7,    // stride / dilation / groups / element bytes out of range
};
const char* err_name(uint32_t code);

} // namespace dynavp::transverter
