#include "rtl_attach.h"

#include "ip/predictor/predictor.h"
#include "platform/board.h"
#include "platform/config_reader.h"
#include "platform/stats.h"
#include "ip/transverter/transverter.h"
#include "rtl_predictor.h"
#include "rtl_transverter.h"

namespace dynavp::rtl {
namespace {

// The RTL is verilated with the dna-16c predictor's parameters (CMakeLists.txt).
constexpr uint32_t kRtlTiles = 256, kRtlRatBits = 4;

class Attached : public RtlOnBoard {
public:
    std::unique_ptr<RtlPredictor> predictor;
    std::unique_ptr<RtlPredictionTable> table;
    std::unique_ptr<RtlTransverter> transverter;
    void report(Stats& s) const override {
        if (predictor) {
            s.set("rtl.predictor.commands", table->commands());
            s.set("rtl.predictor.bus_cycles", predictor->bus_cycles());
        }
        if (transverter) s.set("rtl.transverter.bus_cycles", transverter->bus_cycles());
    }
};

} // namespace

std::unique_ptr<RtlOnBoard> attach_rtl(Board& board, const std::vector<std::string>& blocks, const std::string& vcd) {
    auto a = std::make_unique<Attached>();
    // One waveform file per block: w.vcd -> w.predictor.vcd, w.transverter.vcd when there are two.
    auto vcd_of = [&](const std::string& block) {
        if (vcd.empty() || blocks.size() < 2) return vcd;
        const size_t dot = vcd.rfind('.');
        return dot == std::string::npos ? vcd + "." + block : vcd.substr(0, dot) + "." + block + vcd.substr(dot);
    };
    for (const std::string& b : blocks) {
        if (b == "predictor") {
            Predictor* p = board.predictor();
            if (!p) throw ConfigError("--rtl", "", "the platform has no predictor to replace");
            if (p->tiles() != kRtlTiles || p->rat_bits() != kRtlRatBits)
                throw ConfigError("--rtl", "", "the predictor RTL is built for 256 tiles and 4 RAT bits; the platform's predictor has " +
                                                   std::to_string(p->tiles()) + " and " + std::to_string(p->rat_bits()));
            a->predictor = std::make_unique<RtlPredictor>("rtl_predictor", board.board_clock_ps(), false, vcd_of(b));
            a->table = std::make_unique<RtlPredictionTable>(*a->predictor);
            p->set_table_backend(a->table.get());
        } else if (b == "transverter") {
            Transverter* t = board.transverter();
            if (!t) throw ConfigError("--rtl", "", "the platform has no transverter to replace");
            const DeviceConfig* d = board.config().first_of(DeviceType::Transverter);
            if (d && d->transverter.table_entries != 64)
                throw ConfigError("--rtl", "", "the transverter RTL is built for 64 table rows; the platform's has " + std::to_string(d->transverter.table_entries));
            a->transverter = std::make_unique<RtlTransverter>("rtl_transverter", board.board_clock_ps(), vcd_of(b));
            a->transverter->forward_irq(&t->irq);
            t->set_passthrough(a->transverter.get());
        } else {
            throw ConfigError("--rtl", "", "unknown RTL block \"" + b + "\" (known: predictor, transverter)");
        }
    }
    return a;
}

} // namespace dynavp::rtl
