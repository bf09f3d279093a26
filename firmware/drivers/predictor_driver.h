// Driver for the predictor (ip/predictor) and the runtime monitor
// (ip/runtime_monitor): DNA's prefetch path (sec. VI) and the agent-outcome
// path (Fig. 8c). Uses only the HAL and the two register headers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "device_irq.h"
#include "ip/core/runtime_table.h"
#include "ip/scheduling/operator.h"

namespace dynavp::fw {

struct TileLayout {
    uint32_t tiles = 0;          // TileIDs 0 .. tiles-1 of this operator
    uint64_t dram = 0;           // tile t at dram + t * stride (stride 0: tile_bytes)
    uint32_t tile_bytes = 0;     // bytes prefetched per tile
    uint32_t pfb_offset = 0;     // slot t at pfb_offset + t * tile_bytes in the prefetch buffer
    uint32_t directory_base = 0; // prefetch-directory entries directory_base + t
    uint32_t table_base = 0;     // prediction-table rows table_base + t (one range per layer)
    uint32_t stride = 0;         // DRAM distance between tiles; > tile_bytes: only each tile's first tile_bytes
};

struct PredictorCounters {
    uint32_t decisions = 0, correct = 0, prefetched = 0, useful = 0, useless = 0, missed = 0;
};

class PredictorDriver {
public:
    explicit PredictorDriver(Hal& hal) : hal_(hal) {}
    bool init();
    const std::string& why() const { return why_; }
    uint32_t tiles() const { return tiles_; }
    uint32_t rat_bits() const { return rat_bits_; }

    // Operator context (bank 0 or 1) the next calls act on, and its tile layout.
    void select_bank(uint32_t bank);
    void set_layout(const TileLayout& l);
    void predict();                              // RAT lookup -> FIFO
    void prefetch(const std::vector<bool>& m);   // explicit tiles -> FIFO (conventional, oracle)
    void resolve(const std::vector<bool>& used); // firmware path; the runtime monitor has its own wire
    void release();
    void reset_table();
    // Waits until every used tile is in the prefetch buffer. False on timeout or error (why()).
    bool wait_ready(uint64_t timeout_ns = 0);

    uint32_t rat();
    void set_rat(uint32_t r);
    std::vector<bool> predicted();
    std::vector<bool> loaded();
    uint8_t state(uint32_t tile, uint32_t rat);
    void set_state(uint32_t tile, uint32_t rat, uint8_t s); // read-modify-write of the packed table word
    PredictorCounters counters();

private:
    std::vector<bool> mask(uint32_t base);
    void write_mask(uint32_t base, const std::vector<bool>& m);
    Hal& hal_;
    DeviceHandle dev_;
    uint32_t tiles_ = 0, rat_bits_ = 0, layer_tiles_ = 0;
    std::string why_;
};

struct AgentOutcomes {
    bool ok = false;
    std::string message;
    std::vector<uint32_t> counts; // per tile
    std::vector<bool> trace;
    uint32_t entries = 0, cycles = 0;
};

class RuntimeMonitorDriver {
public:
    explicit RuntimeMonitorDriver(Hal& hal) : hal_(hal) {}
    bool init();
    const std::string& why() const { return why_; }

    // Reads the runtime tables of `core_mask`, counts `policy` entries per
    // tile (addresses addr_base ..), optionally hands the trace to the
    // predictor and empties the tables. Waits for it to finish.
    AgentOutcomes collect(uint32_t core_mask, core::AgentPolicy policy, uint32_t addr_base, uint32_t tiles, bool to_predictor,
                          bool clear_tables, uint64_t timeout_ns = 0);
    // COUNT[tile] becomes the transverter's dynamic dim j; with go, the transverter starts.
    bool forward_dim(uint32_t tile, sched::Dim j, bool go, uint64_t timeout_ns = 0);

private:
    bool command(uint32_t c, uint64_t timeout_ns);
    Hal& hal_;
    DeviceHandle dev_;
    uint32_t ctrl_ = 0;
    std::string why_;
};

} // namespace dynavp::fw
