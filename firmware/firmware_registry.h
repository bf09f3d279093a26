// Firmware images known to this build, by name (`dynavp run --firmware`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "design.h"
#include "hal.h"

namespace dynavp {
struct PlatformConfig;
struct ZooNetwork;
struct DecisionTrace;
} // namespace dynavp

namespace dynavp::fw {

struct FirmwareArgs {
    uint64_t seed = 1;
    // The hardware description the offline compiler (mapper) works from: the
    // same JSON the board was built from. Null when a firmware needs none.
    const PlatformConfig* platform = nullptr;
    // For images that run a dynamic NN (FirmwareInfo::takes_design).
    Design design;
    std::string design_name = "dna"; // what the report calls it ("custom" for other pairs)
    uint32_t samples = 0;            // 0: the image's default
    // For images that run on the DyPipe accelerator (FirmwareInfo::takes_pipeline):
    // "none", "static", "dynamic", in the order to run them.
    std::vector<std::string> pipelines = {"dynamic"};
    // For images that run a zoo model (FirmwareInfo::takes_workload).
    const ZooNetwork* workload = nullptr;
    // The agents' decisions, sample by sample; null: the agents compute them
    // on the board from real activations (functional mode).
    const DecisionTrace* decisions = nullptr;
};

using FirmwareEntry = int (*)(Hal&, const FirmwareArgs&); // 0 = pass

struct FirmwareInfo {
    const char* name;
    const char* description;
    FirmwareEntry entry;
    bool takes_design = false;   // honours --design / --sched / --prefetch / --samples
    bool takes_pipeline = false; // honours --pipeline / --samples
    bool takes_workload = false; // honours --workload (and --design, --samples, --decisions)
};

const std::vector<FirmwareInfo>& firmware_images();
const FirmwareInfo* find_firmware(const std::string& name);

// Individual images (one file each in firmware/).
int selftest_main(Hal& hal, const FirmwareArgs& args);
int conv_check_main(Hal& hal, const FirmwareArgs& args);
int moe_layer_main(Hal& hal, const FirmwareArgs& args);
int dypipe_rnn_main(Hal& hal, const FirmwareArgs& args);
int model_runtime_main(Hal& hal, const FirmwareArgs& args); // firmware/runtime/model_runtime.cpp

} // namespace dynavp::fw
