// DyPipe's unit of scheduling (DyPipe sec. 3.3, Figs. 4-6): an operation is
// split at compile time into module functions -- LoadFunction (IO load),
// ComputeFunction (the PFU), StoreFunction (IO store) -- one of each per data
// block. At run time the ones of the operations actually executed are saved,
// with their contexts, into the context buffer, and the runtime scheduler
// issues them as module and data dependencies allow (sec. 3.4). Pure C++.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dynavp::dypipe {

enum class Module : uint8_t { Load = 0, Compute = 1, Store = 2 };
constexpr int kModules = 3;
const char* to_string(Module m);

struct ModuleFunction {
    Module module = Module::Load;
    uint32_t op = 0, block = 0; // operation index in the program, data block in the operation
    uint64_t bytes = 0;         // Load / Store: bytes moved to / from DRAM
    uint64_t macs = 0;          // Compute: multiply-accumulates on the PE array
    uint64_t vector_ops = 0;    // Compute: element operations on the vector lanes (pooling, adds, activations)
    // Functions (indices into Program::functions, all earlier) whose results
    // this one needs: its own Load for a Compute, its Compute for a Store, the
    // producers' Stores for a Load of activations, and the Compute that frees
    // the double-buffer slot a Load refills.
    std::vector<uint32_t> deps;
};

struct ProgramOp {
    std::string name;
    std::string kind;             // "conv", "fc", "pool_max", "rnn_cell", ...
    uint32_t first = 0, count = 0; // its functions: functions[first .. first + count)
    // A control-flow decision on a computed value precedes this operation (a
    // branch, a loop exit such as a decoder's end-of-sequence test): it is
    // known once function `decided_by` has finished (-1: known from the input).
    // Run time unfolds the graph past it only then; a compile-time pipeline
    // drains before it (a bubble).
    int64_t decided_by = -1;
};

// What the compiler hands over: the functions of the operations that run, in
// program order (the order the graph unfolds at run time).
struct Program {
    std::string name;
    std::vector<ProgramOp> ops;
    std::vector<ModuleFunction> functions;
    uint64_t useful_macs = 0; // MACs of the operations as the input needs them (no padding)
};

} // namespace dynavp::dypipe
