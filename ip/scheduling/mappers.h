// Mappers: named strategies that produce a schedule for a dynamic operator.
//   offline     search for the best schedule of an operator (the compiler)
//   static      the backbone's schedule reused, dynamic dims padded back
//   library     Nimble/DietCode-style: nearest of N precompiled kernels, padded
//   transverter DNA Algorithm 1 on the backbone's schedule
//   oracle      the offline search run on each dynamic operator
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cost_model.h"

namespace dynavp::sched {

// Algorithm 1 leaves open in which order "forall operator dimension j"
// visits the dimensions. Table: j = R, S, P, Q, C, K, N (Table II, the
// literal reading; reproduces Fig. 9). Nest (MaxBuff): level i+1's loops
// from the innermost out, disturbing the loop order least. Backbone
// (MaxComp): the dims the backbone ran spatially at level i first.
enum class DimOrder { Table, Nest, Backbone };
struct TransverterOptions {
    DimOrder maxbuff = DimOrder::Table;
    DimOrder maxcomp = DimOrder::Table;
};
DimOrder parse_dim_order(const std::string& s); // "table" | "nest" | "backbone"

struct MapperOptions {
    TransverterOptions transverter;
    uint64_t seed = 1;
    uint32_t samples = 400;        // random valid candidates
    uint32_t local_steps = 1500;   // hill-climbing moves after sampling
    uint64_t exhaustive_limit = 4096; // enumerate placements when there are at most this many
};

struct MapResult {
    std::string mapper;
    Operator executed;             // what runs (padded where needed)
    Schedule schedule;
    Cost cost;
    uint64_t candidates = 0;       // schedules evaluated (search mappers)
    uint64_t table_updates = 0;    // transverter: X entries rewritten
    double seconds = 0;            // mapper wall time
    std::vector<std::string> notes; // padding and other remarks
};

// Pads dims whose prime factors exceed hw.max_prime to the next smooth size.
Operator pad_to_smooth(const Operator& op, const Hardware& hw, std::vector<std::string>* notes);

// A random valid schedule: every factor at a random (level, spatial|temporal),
// random loop orders, then repaired to satisfy R1/R2 (overflow moves outwards).
Schedule random_schedule(const Operator& op, const Hardware& hw, uint64_t seed);

// The search behind `offline` and `oracle`. `seeds` are starting points
// (e.g. the transverter's answer) that take part in the local search.
MapResult search_schedule(const Operator& op, const Hardware& hw, const MapperOptions& o, uint64_t useful_macs = 0,
                          const std::vector<Schedule>& seeds = {});

// DNA Algorithm 1: Initialization, then MaxBuff and MaxComp from level I-1
// down to 1. Returns the transformed schedule; *updates counts table writes.
Schedule transverter_transform(const Operator& backbone, const Schedule& backbone_schedule, const Operator& dynamic,
                               const Hardware& hw, uint64_t* updates = nullptr, const TransverterOptions& opt = {});

// Which dims differ between backbone and dynamic operator.
std::vector<Dim> changed_dims(const Operator& backbone, const Operator& dynamic);

// Nimble/DietCode-style kernel library for one backbone operator.
class KernelLibrary {
public:
    struct Kernel {
        Operator shape;
        Schedule schedule;
    };
    // `count` kernels: the backbone plus shapes sampled over the dynamic dims
    // (sizes in [backbone/8, backbone], rounded up to multiples of 8 where
    // the backbone allows), each compiled with the offline search.
    KernelLibrary(const Operator& backbone, const std::vector<Dim>& dynamic_dims, const Hardware& hw, uint32_t count,
                  const MapperOptions& o);
    // The covering kernel with the fewest padded MACs.
    const Kernel& lookup(const Operator& dynamic) const;
    const std::vector<Kernel>& kernels() const { return kernels_; }
    double build_seconds() const { return build_seconds_; }

private:
    std::vector<Kernel> kernels_;
    double build_seconds_ = 0;
};

// One backbone operator with everything the mappers need, built once
// (offline search of the backbone, kernel library) and reused per sample.
class MapperSuite {
public:
    MapperSuite(const Operator& backbone, const std::vector<Dim>& dynamic_dims, const Hardware& hw, const MapperOptions& o,
                uint32_t library_kernels = 32);
    const Operator& backbone() const { return backbone_; }
    const MapResult& offline() const { return offline_; }
    const KernelLibrary& library() const { return *library_; }

    MapResult run(const std::string& mapper, const Operator& dynamic) const;
    static const std::vector<std::string>& names(); // offline, static, library, transverter, oracle

private:
    Operator backbone_;
    Hardware hw_;
    MapperOptions opts_;
    MapResult offline_;
    std::unique_ptr<KernelLibrary> library_;
};

} // namespace dynavp::sched
