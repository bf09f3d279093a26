// The predictor on the board (DNA sec. VI-B, Fig. 10): the prediction table,
// the FIFO scheduler with its address converter (TileID -> DRAM address and
// prefetch-buffer slot), the bus master that moves tiles into the prefetch
// buffer, and the misprediction paths (a used tile that was not requested is
// loaded at once, bypassing the FIFO; a useless one is disabled; no rollback).
// Register map: predictor_regs.h; table: prediction_table.h; README.md here.
#pragma once

#include <deque>
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

namespace dynavp {

class Npu;

class Predictor : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Predictor> socket;     // registers and table
    tlm_utils::simple_initiator_socket<Predictor> bus;     // tile transfers
    IrqLine irq;

    SC_HAS_PROCESS(Predictor);
    Predictor(sc_core::sc_module_name name, const PlatformConfig& cfg, const DeviceConfig& dev);
    void attach(Npu* npu) { npu_ = npu; } // the prefetch-buffer directory it controls

    // Hardware side (the runtime monitor's wires): the actual access trace, then RESOLVE.
    void resolve(const std::vector<bool>& actual);
    const predictor::PredictionTable& table() const { return table_; }

    void report(Stats& s, const std::string& prefix) const;

private:
    enum class Tile : uint8_t { Absent, Queued, Demand, InFlight, Loaded };
    void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
    void command(uint32_t c);
    bool check_layer();
    void enqueue(const std::vector<bool>& tiles, bool demand);
    void do_resolve(const std::vector<bool>& actual);
    void engine();
    bool move_tile(uint32_t t, uint64_t& t_ps);
    void set_entry(uint32_t t, bool valid, bool disabled);
    void check_ready();
    void fail(uint32_t code, uint32_t detail);
    void update_irq();
    void update_status();
    std::vector<bool> read_mask(uint32_t base) const;
    void write_mask(uint32_t base, const std::vector<bool>& m);
    uint64_t tile_dram(uint32_t t) const;

    PredictorDeviceConfig cfg_;
    uint64_t clk_ps_;
    Npu* npu_ = nullptr;
    uint64_t pfb_base_ = 0, pfb_size_ = 0;
    RegisterBank regs_;
    predictor::PredictionTable table_;
    std::vector<Tile> state_;
    std::vector<bool> needed_;       // after RESOLVE: the tiles the operator uses
    std::vector<bool> requested_;    // asked for ahead of the agent (PREDICT / PREFETCH)
    bool resolved_ = false, predicted_round_ = false, ready_ = false;
    uint32_t err_code_ = 0;
    uint64_t resolve_ps_ = 0;
    std::deque<uint32_t> fifo_, demand_;
    sc_core::sc_event work_;
    sc_core::sc_time access_delay_ = sc_core::SC_ZERO_TIME;
    uint64_t release_generation_ = 0;
    std::vector<uint8_t> buf_;
    // Counters (stats; the saturating copies are registers).
    uint64_t decisions_ = 0, correct_ = 0, prefetched_ = 0, useful_ = 0, useless_ = 0, missed_ = 0, dropped_ = 0;
    uint64_t bytes_prefetched_ = 0, bytes_demand_ = 0, bytes_useless_ = 0, bytes_useful_ = 0, bytes_missed_ = 0;
    uint64_t bytes_if_none_ = 0, bytes_if_conventional_ = 0, resolves_ = 0, predictions_ = 0;
    uint64_t data_stall_ps_ = 0, busy_ps_ = 0, errors_ = 0, fifo_overflows_ = 0;
};

} // namespace dynavp
