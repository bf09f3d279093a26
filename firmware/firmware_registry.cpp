#include "firmware_registry.h"

namespace dynavp::fw {

const std::vector<FirmwareInfo>& firmware_images() {
    static const std::vector<FirmwareInfo> images = {
        {"selftest", "board bring-up: DMA copies DRAM<->DRAM and DRAM<->SRAM (1 MiB, 1-D and 2-D), register "
                     "reset values and read-back, provoked bus errors",
         &selftest_main},
        {"conv-check", "NPU bring-up: a 3x3 conv (int8, requantised) and a matmul (fp32) split over the cores by the "
                       "offline mapper's schedule, pooling, a residual add and a top-k agent; outputs checked bit for bit "
                       "against the reference",
         &conv_check_main},
        {"moe-layer", "DNA in the loop: one MoE layer (8 experts, top-2, 64 tokens per sample, seeded router) sample by sample; "
                      "the router agent on the cores, the runtime monitor, the transverter for each expert's schedule and the "
                      "predictor's prefetching, as --design / --sched / --prefetch choose; outputs checked bit for bit",
         &moe_layer_main, true},
        {"dypipe-rnn", "DyPipe on its accelerator: a recurrent fp16 FC cell over seeded variable-length sequences (1-20 steps), "
                       "module functions saved into the context buffer as the loop unfolds, run under --pipeline none|static|dynamic "
                       "(static pads to the longest); final states checked bit for bit against the reference",
         &dypipe_rnn_main, false, true},
        {"runtime", "the DynNN firmware runtime (firmware/runtime): runs the zoo model given by --workload sample by sample, "
                    "layer by layer, the way DNA Fig. 8 describes -- agents on the nonlinear units, runtime monitor, transverter, "
                    "predictor -- under --design; decisions from the board's agents (functional) or a trace",
         &model_runtime_main, true, false, true},
    };
    return images;
}

const FirmwareInfo* find_firmware(const std::string& name) {
    for (const auto& f : firmware_images())
        if (name == f.name) return &f;
    return nullptr;
}

} // namespace dynavp::fw
