// Context-buffer control registers (DyPipe sec. 3.2). The buffer's storage is
// its own device ("context_buffer", carved from the top of the global memory
// array); it is managed by the DyPipe controller, so these registers sit in the
// controller's page (device "dypipe", offsets below). The single source for
// the model (ip/dypipe/dypipe.cpp) and firmware/drivers/dypipe_driver.
//
// Saving a module function (Figs. 5-6): write its context words into the
// storage at CB_TAIL + 4, CB_TAIL + 8, ... (SaveContext), then write its header
// to CB_COMMIT (SavePC): the controller writes the header at CB_TAIL and the
// record is pending. Records are word-granular in a ring; a record that does
// not fit the free space is dropped and counted (CB_OVERFLOWS, ERROR interrupt
// with ERR_CODE overflow): never silent.
#pragma once

#include <cstdint>

#include "ip/common/regdef.h"

namespace dynavp::context_buffer {

using reg::Access;
using reg::Register;

constexpr Register CB_CAPACITY{0x100, "CB_CAPACITY", 0, Access::RO}; // bytes of storage
constexpr Register CB_TAIL{0x104, "CB_TAIL", 0, Access::RO};         // byte offset of the next record's header
constexpr Register CB_COMMIT{0x108, "CB_COMMIT", 0, Access::WO};     // header of the record whose words are in place
constexpr Register CB_COUNT{0x10C, "CB_COUNT", 0, Access::RO};       // records pending
constexpr Register CB_USED{0x110, "CB_USED", 0, Access::RO};         // bytes pending
constexpr Register CB_PEAK{0x114, "CB_PEAK", 0, Access::RO};         // most bytes ever pending
constexpr Register CB_OVERFLOWS{0x118, "CB_OVERFLOWS", 0, Access::RO};
constexpr Register CB_POP{0x11C, "CB_POP", 0, Access::RO};           // reading removes the oldest record, returns its header (0: empty)
constexpr Register CB_POP_OFFSET{0x120, "CB_POP_OFFSET", 0, Access::RO}; // byte offset of the popped record's header
constexpr Register CB_HEAD{0x124, "CB_HEAD", 0, Access::RO};         // byte offset of the oldest pending record

constexpr Register kRegisters[] = {CB_CAPACITY, CB_TAIL, CB_COMMIT, CB_COUNT, CB_USED, CB_PEAK, CB_OVERFLOWS, CB_POP, CB_POP_OFFSET, CB_HEAD};

} // namespace dynavp::context_buffer
