// The predictor on the board (DNA sec. VI-B, Fig. 10): the prediction table,
// the FIFO scheduler with its address converter (TileID -> DRAM address and
// prefetch-buffer slot), the bus master that moves tiles into the prefetch
// buffer, and the misprediction paths (a used tile that was not requested is
// loaded at once, bypassing the FIFO; a useless one is disabled; no rollback).
// Register map: predictor_regs.h; table: prediction_table.h; README.md here.
#pragma once

#include <array>
#include <deque>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "ip/common/irq_line.h"
#include "ip/common/register_bank.h"
#include "platform/platform_config.h"
#include "platform/stats.h"
#include "prediction_table.h"
#include "predictor_regs.h"

namespace dynavp {

class Npu;

// Where the prediction table lives: the C++ model (default) or an RTL block
// (`dynavp run --rtl predictor`: rtl/adapters). Called from SystemC threads
// at the current simulated time (the predictor syncs its local time first),
// so an implementation may wait() for clocks.
class PredictionTableBackend {
public:
    virtual ~PredictionTableBackend() = default;
    virtual std::vector<bool> predict(uint32_t rat, uint32_t n, uint32_t base) = 0;
    virtual void update(uint32_t rat, const std::vector<bool>& actual, uint32_t base) = 0;
    virtual void reset() = 0;
    virtual uint32_t word(size_t i) = 0;
    virtual void set_word(size_t i, uint32_t w) = 0;
};

class Predictor : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Predictor> socket; // registers and table
    tlm_utils::simple_initiator_socket<Predictor> bus; // tile transfers
    IrqLine irq;

    SC_HAS_PROCESS(Predictor);
    Predictor(sc_core::sc_module_name name, const PlatformConfig& cfg, const DeviceConfig& dev);
    void attach(Npu* npu) { npu_ = npu; } // the prefetch-buffer directory it controls
    // Lookup and update by another implementation of the table (e.g. the RTL); null: the C++ model.
    void set_table_backend(PredictionTableBackend* b) { backend_ = b; }
    uint32_t tiles() const { return cfg_.tiles; }
    uint32_t rat_bits() const { return cfg_.rat_bits; }

    // Hardware side (the runtime monitor's wires): the bank selected now, and
    // RESOLVE of bank `bank` with the actual access trace.
    uint32_t selected_bank() const { return sel_; }
    void resolve(uint32_t bank, const std::vector<bool>& actual);

    void report(Stats& s, const std::string& prefix) const;

private:
    enum class Tile : uint8_t { Absent, Queued, Demand, InFlight, Loaded };
    // One operator context: its address converter, its tiles, what was asked.
    struct Bank {
        uint32_t layer_tiles = 0, tile_bytes = 0, pfb_offset = 0, dir_base = 0, tile_base = 0, tile_stride = 0;
        uint64_t dram = 0;
        std::vector<Tile> state;
        std::vector<bool> needed, requested, predicted;
        bool resolved = false, predicted_round = false, ready = false;
        uint64_t resolve_ps = 0, generation = 0;
        uint64_t tile_dram(uint32_t t) const { return dram + uint64_t(t) * (tile_stride ? tile_stride : tile_bytes); }
    };
    using Op = std::pair<uint32_t, uint32_t>; // (bank, TileID)

    void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
    Bank& bank() { return banks_[sel_]; }
    void latch_layout(); // registers -> selected bank
    void show_bank();    // selected bank -> registers
    void command(uint32_t c);
    bool check_layer(const Bank& b);
    void enqueue(uint32_t bank, const std::vector<bool>& tiles, bool demand);
    void do_resolve(const std::vector<bool>& actual);
    void release(uint32_t bank);
    void engine();
    bool move_tile(const Bank& b, uint32_t t, uint64_t& done_ps);
    void set_entry(uint32_t bank, uint32_t t, bool valid, bool disabled);
    void check_ready(uint32_t bank);
    void fail(uint32_t code, uint32_t detail);
    void update_irq();
    std::vector<bool> read_mask(uint32_t base) const;
    void write_mask(uint32_t base, const std::vector<bool>& m);
    static void erase(std::deque<Op>& q, Op op);

    PredictorDeviceConfig cfg_;
    uint64_t clk_ps_;
    Npu* npu_ = nullptr;
    uint64_t pfb_base_ = 0, pfb_size_ = 0;
    double dram_pj_per_byte_ = 0, pfb_write_pj_per_byte_ = 0; // the NPU's figures for the same memories
    RegisterBank regs_;
    predictor::PredictionTable table_;
    PredictionTableBackend* backend_ = nullptr;
    std::array<Bank, predictor::kBanks> banks_;
    uint32_t sel_ = 0;
    std::deque<Op> fifo_, demand_;
    sc_core::sc_event work_;
    sc_core::sc_time access_delay_ = sc_core::SC_ZERO_TIME;
    uint32_t err_code_ = 0, in_flight_ = 0;
    std::vector<uint8_t> buf_;
    // Counters (stats; the saturating copies are registers).
    uint64_t decisions_ = 0, correct_ = 0, prefetched_ = 0, useful_ = 0, useless_ = 0, missed_ = 0, dropped_ = 0;
    uint64_t bytes_prefetched_ = 0, bytes_demand_ = 0, bytes_useless_ = 0, bytes_useful_ = 0, bytes_missed_ = 0;
    uint64_t bytes_if_none_ = 0, bytes_if_conventional_ = 0, resolves_ = 0, predictions_ = 0;
    uint64_t data_stall_ps_ = 0, busy_ps_ = 0, errors_ = 0, fifo_overflows_ = 0;
};

} // namespace dynavp
