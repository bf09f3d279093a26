// DyPipe's programming interface for firmware (DyPipe sec. 3.3, Figs. 4-6):
// an operation is written as module functions -- LoadFunction (IO load),
// ComputeFunction (the PE array), StoreFunction (IO store), one of each per
// data block -- and each call *saves* the function's context and PC into the
// context buffer (SaveContext / SavePC) instead of running it. Firmware calls
// them as its own control flow unfolds, so only the branches actually taken
// are recorded (DyPipe Fig. 7); the accelerator's runtime scheduler runs what
// is saved. When the buffer is full, the pending functions are run first
// (each such RUN drains the pipeline: note it in results).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "drivers/dypipe_driver.h"

namespace dynavp::fw {

class ModuleFunctions {
public:
    using Id = uint64_t; // position in the stream of saved functions
    // pipeline: 0 none, 1 static, 2 dynamic (dypipe_regs.h PIPELINE)
    ModuleFunctions(DyPipeDriver& dp, uint32_t pipeline, uint64_t run_timeout_ns = 1000000000)
        : dp_(dp), pipeline_(pipeline), timeout_(run_timeout_ns) {}

    // `after`: the functions whose results this one needs (its data dependencies).
    Id LoadFunction(uint32_t op, uint32_t block, uint64_t dram_src, uint64_t onchip_dst, uint32_t bytes, const std::vector<Id>& after = {});
    Id StoreFunction(uint32_t op, uint32_t block, uint64_t onchip_src, uint64_t dram_dst, uint32_t bytes, const std::vector<Id>& after = {});
    // out[k] = (relu)(W[k][c] x in[c]), fp16 operands in the global buffer.
    Id ComputeFunction(uint32_t op, uint32_t block, uint64_t in, uint64_t weights, uint64_t out, uint32_t c, uint32_t k, bool relu,
                       const std::vector<Id>& after = {});
    // A compute that only takes its time (MACs on the array, vector ops on the lanes).
    Id TimedCompute(uint32_t op, uint32_t block, uint32_t macs, uint32_t vector_ops, const std::vector<Id>& after = {});

    // Runs everything still pending. False (error()) if a run failed or a record overflowed.
    bool finish();
    const std::string& error() const { return error_; }
    uint64_t functions() const { return functions_; }
    uint64_t runs() const { return runs_; }
    uint64_t accelerator_cycles() const { return cycles_; }
    uint64_t cf_ctx_cycles() const { return cf_ctx_; }

private:
    Id save(context_buffer::ContextRecord r, const std::vector<Id>& after);
    void run();
    DyPipeDriver& dp_;
    uint32_t pipeline_;
    uint64_t timeout_;
    Id next_ = 0;
    std::string error_;
    uint64_t functions_ = 0, runs_ = 0, cycles_ = 0, cf_ctx_ = 0;
};

} // namespace dynavp::fw
