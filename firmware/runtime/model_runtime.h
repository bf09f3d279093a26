// The firmware runtime for dynamic NNs (DNA Fig. 8): runs a zoo model on the
// board sample by sample, layer by layer.
//
// Offline (host, before deployment; no simulated time): backbone schedules
// from the `offline` mapper, a kernel library per dynamic layer (the
// `library` policy), the agents' own operators, the DRAM layout of weights
// and activations, the constraint table (transverter) and one prediction-
// table range per agent layer (predictor TILE_BASE).
//
// Online, per sample, per layer:
//   static layer      conv / fc / pool / add on the cores with its offline schedule
//   agent layer       1. the agent: its operator on the PE arrays (FBS saliency
//                        fc on the pooled input, MoE router, exit classifier,
//                        DCN offset conv, ToMe similarity, CondConv routing fc),
//                        then the nonlinear unit (top-k / threshold / sigmoid)
//                        -> the cores' runtime tables
//                     2. runtime monitor COLLECT -> per-tile counts and the
//                        access trace -> predictor RESOLVE (misses load at once)
//                     3. wait until the used tiles are on chip (READY)
//                     4. the next agent layer's prefetch starts in the other
//                        predictor bank (PREDICT from the RAT = this layer's
//                        trace; conventional: every tile; oracle: the exact ones)
//                     5. the dynamic operator as pieces (plan.h), each with a
//                        schedule from the design's policy (transverter: the
//                        unit rewrites the backbone's schedule, the monitor
//                        forwards an expert's token count; the cores fetch the
//                        schedule from the unit's table)
//   follower layer    step 5 with the decision of the layer it follows
//   early exit        a sample whose exit agent says "exit" ends there
//
// Decisions come from the board's own agents on real activations
// (functional: small int8 models, outputs checked bit for bit against a C++
// reference forward pass) or from a trace (FirmwareArgs::decisions): the
// agent still runs on the board for its time, reading scores that encode the
// trace's decision, and the runtime checks the hardware reproduced it.
#pragma once

#include <string>

#include "firmware/firmware_registry.h"

namespace dynavp::fw {

// "" when the runtime can run `net` with agents computing on real data
// (functional mode), else why not.
std::string functional_support(const ZooNetwork& net);

} // namespace dynavp::fw
