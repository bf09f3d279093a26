#include "rtl_attach.h"

#include "ip/predictor/predictor.h"
#include "platform/board.h"
#include "platform/config_reader.h"
#include "platform/stats.h"
#include "rtl_predictor.h"

namespace dynavp::rtl {
namespace {

// The RTL is verilated with the dna-16c predictor's parameters (CMakeLists.txt).
constexpr uint32_t kRtlTiles = 256, kRtlRatBits = 4;

class Attached : public RtlOnBoard {
public:
    std::unique_ptr<RtlPredictor> predictor;
    std::unique_ptr<RtlPredictionTable> table;
    void report(Stats& s) const override {
        if (!predictor) return;
        s.set("rtl.predictor.commands", table->commands());
        s.set("rtl.predictor.bus_cycles", predictor->bus_cycles());
    }
};

} // namespace

std::unique_ptr<RtlOnBoard> attach_rtl(Board& board, const std::vector<std::string>& blocks, const std::string& vcd) {
    auto a = std::make_unique<Attached>();
    for (const std::string& b : blocks) {
        if (b == "predictor") {
            Predictor* p = board.predictor();
            if (!p) throw ConfigError("--rtl", "", "the platform has no predictor to replace");
            if (p->tiles() != kRtlTiles || p->rat_bits() != kRtlRatBits)
                throw ConfigError("--rtl", "", "the predictor RTL is built for 256 tiles and 4 RAT bits; the platform's predictor has " +
                                                   std::to_string(p->tiles()) + " and " + std::to_string(p->rat_bits()));
            a->predictor = std::make_unique<RtlPredictor>("rtl_predictor", board.board_clock_ps(), false, vcd);
            a->table = std::make_unique<RtlPredictionTable>(*a->predictor);
            p->set_table_backend(a->table.get());
        } else if (b == "transverter") {
            throw ConfigError("--rtl", "", "the transverter RTL is not in this build yet (rtl/README.md)");
        } else {
            throw ConfigError("--rtl", "", "unknown RTL block \"" + b + "\" (known: predictor)");
        }
    }
    return a;
}

} // namespace dynavp::rtl
