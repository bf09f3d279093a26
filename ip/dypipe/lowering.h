// The compiler side of DyPipe (sec. 3.3): operations split into module
// functions per data block, blocks sized so that a block's operands fit half
// of the global buffer left after resident weights (the other half is the
// next block's: double buffering), or `block_bytes` if smaller. Pure C++.
//   conv / pool / add: blocks of output rows (all channels); a conv whose
//     weights exceed a quarter of the buffer is also split by output-channel
//     groups, each group's weights loaded with its first row block;
//   fc: blocks of output neurons, the input vector loaded with block 0;
//   concat: no functions (producers write into the concatenated tensor).
// A Load of activations depends on the producers' Stores of the rows it reads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dypipe_hw.h"
#include "module_function.h"
#include "workloads/zoo.h"

namespace dynavp::dypipe {

// A network from the model zoo (conv, fc, pool_max, pool_avg, add, concat layers).
Program lower_network(const ZooNetwork& net, const DyPipeHardware& hw);

// Recurrent sequence-to-sequence models (DyPipe sec. 4.4): an encoder of
// `lengths[s]` steps and a decoder of as many, per sample s. Cell = FC over
// [x_t, h_t-1] -> gates (RNN 1, GRU 3, LSTM 4 x hidden) and its element-wise
// activations. Padding (static pipelines) runs `pad_to` steps instead.
enum class CellKind { Rnn, Lstm, Gru };
const char* to_string(CellKind k);
CellKind parse_cell_kind(const std::string& s); // "rnn" | "lstm" | "gru"
struct SequenceModel {
    CellKind cell = CellKind::Lstm;
    uint32_t hidden = 512, embedding = 512;
};
// pad_to = 0: every sample runs its own length, and each decoder step past the
// first is decided by the previous step's output (its end-of-sequence test).
Program lower_sequence(const SequenceModel& m, const std::vector<uint32_t>& lengths, uint32_t pad_to, const DyPipeHardware& hw);

// A tree-structured RNN (DyPipe sec. 4.4): per sample a binary tree over its
// tokens, each internal node an FC cell over its two children. The structure
// depends on the input, so there is no padded form: static pipelining cannot
// compile it (lowering for it throws std::invalid_argument saying so).
// for_static = true throws: there is nothing a compile-time pipeline could be built for.
Program lower_tree_rnn(uint32_t hidden, const std::vector<std::vector<int32_t>>& trees, const DyPipeHardware& hw, bool for_static = false);

// Seeded inputs: lengths uniform in [lo, hi]; random binary trees over them
// (parent index per node, -1 for the root; leaves first).
std::vector<uint32_t> random_lengths(uint32_t samples, uint32_t lo, uint32_t hi, uint64_t seed);
std::vector<std::vector<int32_t>> random_trees(const std::vector<uint32_t>& leaves, uint64_t seed);

} // namespace dynavp::dypipe
