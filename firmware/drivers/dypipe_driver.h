// Driver for the DyPipe accelerator and its context buffer (ip/dypipe,
// ip/context_buffer): SaveContext / SavePC of module functions into the
// context buffer (DyPipe Figs. 5-6), RUN under a pipeline mode, and POP for
// reading records back. Uses only the HAL and the register headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "device_irq.h"
#include "ip/context_buffer/context_record.h"

namespace dynavp::fw {

struct DyPipeRun {
    bool ok = false;
    std::string message;
    uint64_t cycles = 0;
    uint32_t functions = 0, cf_ctx_cycles = 0;
};

class DyPipeDriver {
public:
    explicit DyPipeDriver(Hal& hal) : hal_(hal) {}
    bool init();
    const std::string& why() const { return why_; }

    uint32_t capacity() const { return capacity_; }
    uint32_t used();
    uint32_t pending();
    uint32_t overflows();
    // Room for a record of `context_words` words now?
    bool fits(uint32_t context_words) { return used() + 4 * (1 + context_words) <= capacity_; }
    // SaveContext (the words after the header slot) then SavePC (the header to CB_COMMIT).
    // False if the record overflowed the buffer (dropped by the hardware).
    bool save(const context_buffer::ContextRecord& r);
    // Executes every pending record; mode 0 none, 1 static, 2 dynamic.
    DyPipeRun run(uint32_t mode, uint64_t timeout_ns = 0);
    // The oldest pending record, removed (restore path for tests and debuggers).
    std::optional<context_buffer::ContextRecord> pop();
    void reset_buffer();

private:
    Hal& hal_;
    DeviceHandle dev_;
    uint64_t cb_base_ = 0;
    uint32_t capacity_ = 0;
    std::string why_;
};

} // namespace dynavp::fw
