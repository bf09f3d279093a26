// The board a platform test runs on. SystemC elaborates once per process, so
// each test case (its own process under ctest) builds one board, from the
// config it first asks for, and runs firmware on it to completion.
#pragma once

#include <catch2/catch.hpp>

#include <systemc>

#include "platform/board.h"

namespace dynavp::test {

inline const PlatformConfig& dna16c() {
    static PlatformConfig cfg = load_platform("dna-16c");
    return cfg;
}

inline Board& the_board(const PlatformConfig& cfg = dna16c()) {
    static Board board(cfg);
    return board;
}

// Runs `fw` as the board's firmware until it returns. Assertions belong
// after this returns: Catch must not throw inside an SC_THREAD.
template <class F> Board& run_board(const PlatformConfig& cfg, F fw) {
    Board& board = the_board(cfg);
    board.host().set_firmware(fw);
    sc_core::sc_start();
    REQUIRE(board.host().finished());
    return board;
}

template <class F> Board& run_board(F fw) { return run_board(dna16c(), fw); }

} // namespace dynavp::test
