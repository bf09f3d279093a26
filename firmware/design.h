// A design point of DNA's evaluation (sec. VII-A): how dynamic operators get
// their schedules and how agent-dependent data is brought on chip.
//   scheduling: static      the backbone's schedule, operator padded back to the backbone
//               library     nearest precompiled kernel (Nimble/DietCode-style), padded
//               transverter the transverter IP rewrites the backbone's schedule (Algorithm 1)
//               oracle      the offline search on each dynamic operator (prophetic, free)
//   prefetch:   none        weights stream from DRAM after the agent decided
//               conventional every tile the static graph may touch, in FIFO order
//               predictor   the tiles the prediction table expects (DNA sec. VI)
//               oracle      exactly the tiles the agent will pick (prophetic)
#pragma once

#include <string>
#include <vector>

namespace dynavp::fw {

struct Design {
    std::string sched = "transverter";
    std::string prefetch = "predictor";
};

inline const std::vector<std::string>& sched_policies() {
    static const std::vector<std::string> v = {"static", "library", "transverter", "oracle"};
    return v;
}
inline const std::vector<std::string>& prefetch_policies() {
    static const std::vector<std::string> v = {"none", "conventional", "predictor", "oracle"};
    return v;
}

struct NamedDesign {
    const char* name;
    Design design;
};
// DNA VII-A: baseline = library + none, online = transverter + none,
// prefetch = library + predictor, dna = transverter + predictor, oracle = oracle + oracle.
inline const std::vector<NamedDesign>& named_designs() {
    static const std::vector<NamedDesign> v = {{"baseline", {"library", "none"}},
                                               {"online", {"transverter", "none"}},
                                               {"prefetch", {"library", "predictor"}},
                                               {"dna", {"transverter", "predictor"}},
                                               {"oracle", {"oracle", "oracle"}}};
    return v;
}

} // namespace dynavp::fw
