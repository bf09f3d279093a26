#include "module_functions.h"

#include "ip/dypipe/module_function.h"

namespace dynavp::fw {

using context_buffer::ComputeKind;
using context_buffer::ContextRecord;

// Function bodies (the PCs a record names): one per module and kind.
enum Pc : uint16_t { kLoadBody = 1, kComputeBody = 2, kStoreBody = 3, kTimedBody = 4 };

void ModuleFunctions::run() {
    const DyPipeRun r = dp_.run(pipeline_, timeout_);
    if (!r.ok && error_.empty()) error_ = r.message;
    ++runs_;
    functions_ += r.functions;
    cycles_ += r.cycles;
    cf_ctx_ += r.cf_ctx_cycles;
}

ModuleFunctions::Id ModuleFunctions::save(ContextRecord r, const std::vector<Id>& after) {
    for (Id d : after) r.dep_distances.push_back(uint32_t(next_ - d));
    if (!dp_.fits(r.words())) run(); // the buffer is full: run what is saved, then go on
    if (!dp_.save(r) && error_.empty()) error_ = dp_.why();
    return next_++;
}

ModuleFunctions::Id ModuleFunctions::LoadFunction(uint32_t op, uint32_t block, uint64_t src, uint64_t dst, uint32_t bytes, const std::vector<Id>& after) {
    ContextRecord r;
    r.pc = kLoadBody, r.module = uint8_t(dypipe::Module::Load), r.op = op, r.block = block;
    r.src = uint32_t(src), r.dst = uint32_t(dst), r.a = bytes;
    return save(r, after);
}

ModuleFunctions::Id ModuleFunctions::StoreFunction(uint32_t op, uint32_t block, uint64_t src, uint64_t dst, uint32_t bytes, const std::vector<Id>& after) {
    ContextRecord r;
    r.pc = kStoreBody, r.module = uint8_t(dypipe::Module::Store), r.op = op, r.block = block;
    r.src = uint32_t(src), r.dst = uint32_t(dst), r.a = bytes;
    return save(r, after);
}

ModuleFunctions::Id ModuleFunctions::ComputeFunction(uint32_t op, uint32_t block, uint64_t in, uint64_t w, uint64_t out, uint32_t c, uint32_t k,
                                                     bool relu, const std::vector<Id>& after) {
    ContextRecord r;
    r.pc = kComputeBody, r.module = uint8_t(dypipe::Module::Compute), r.op = op, r.block = block;
    r.kind = relu ? ComputeKind::FcRelu : ComputeKind::Fc;
    r.src = uint32_t(in), r.aux = uint32_t(w), r.dst = uint32_t(out), r.a = c, r.b = k;
    return save(r, after);
}

ModuleFunctions::Id ModuleFunctions::TimedCompute(uint32_t op, uint32_t block, uint32_t macs, uint32_t vector_ops, const std::vector<Id>& after) {
    ContextRecord r;
    r.pc = kTimedBody, r.module = uint8_t(dypipe::Module::Compute), r.op = op, r.block = block;
    r.kind = ComputeKind::Timed, r.a = macs, r.b = vector_ops;
    return save(r, after);
}

bool ModuleFunctions::finish() {
    if (dp_.pending()) run();
    return error_.empty();
}

} // namespace dynavp::fw
