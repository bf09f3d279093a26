// DyPipe controller register page (device "dypipe"): the single source for
// the model (dypipe.cpp) and firmware/drivers/dypipe_driver. Offsets 0x100-0x1FF
// are the context buffer's control registers (ip/context_buffer/context_buffer_regs.h).
#pragma once

#include <cstdint>

#include "ip/common/regdef.h"

namespace dynavp::dypipe {

using reg::Access;
using reg::Field;
using reg::Register;

constexpr uint32_t kIdValue = 0x44595030; // "DYP0"
constexpr uint32_t kVersionValue = 0x00010000;

constexpr Register ID{0x00, "ID", kIdValue, Access::RO};
constexpr Register VERSION{0x04, "VERSION", kVersionValue, Access::RO};
constexpr Register CTRL{0x08, "CTRL", 0, Access::RW};
constexpr Register CMD{0x0C, "CMD", 0, Access::WO};
constexpr Register STATUS{0x10, "STATUS", 0, Access::RO};
constexpr Register IRQ_STATUS{0x14, "IRQ_STATUS", 0, Access::W1C};
constexpr Register PIPELINE{0x18, "PIPELINE", 2, Access::RW};   // 0 none, 1 static, 2 dynamic (PipelineMode)
constexpr Register CYCLES_LO{0x1C, "CYCLES_LO", 0, Access::RO}; // accelerator clocks of the last RUN
constexpr Register CYCLES_HI{0x20, "CYCLES_HI", 0, Access::RO};
constexpr Register FUNCTIONS{0x24, "FUNCTIONS", 0, Access::RO};  // module functions the last RUN executed
constexpr Register CF_CTX{0x28, "CF_CTX", 0, Access::RO};        // save + restore + dispatch clocks of the last RUN
constexpr Register ERR_DETAIL{0x2C, "ERR_DETAIL", 0, Access::RO};

constexpr Register kRegisters[] = {ID, VERSION, CTRL, CMD, STATUS, IRQ_STATUS, PIPELINE, CYCLES_LO, CYCLES_HI, FUNCTIONS, CF_CTX, ERR_DETAIL};

namespace ctrl {
constexpr Field IRQ_EN{0, 1};
}
namespace cmd {
constexpr uint32_t kRun = 1;     // execute every pending record of the context buffer
constexpr uint32_t kCbReset = 2; // forget the pending records
} // namespace cmd
namespace status = reg::unit_status;
namespace irq = reg::unit_irq;

enum ErrCode : uint32_t {
    kErrNone = 0,
    kErrOverflow = 1,   // a record did not fit the context buffer (dropped)
    kErrRecord = 2,     // a pending record is malformed (ERR_DETAIL: its index in the run)
    kErrPipeline = 3,   // PIPELINE is not 0, 1 or 2
    kErrBus = 4,        // a load / store / compute access faulted (ERR_DETAIL: address low bits)
};
const char* err_name(uint32_t code);

} // namespace dynavp::dypipe
