// Firmware images known to this build, by name (`dynavp run --firmware`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hal.h"

namespace dynavp {
struct PlatformConfig;
}

namespace dynavp::fw {

struct FirmwareArgs {
    uint64_t seed = 1;
    // The hardware description the offline compiler (mapper) works from: the
    // same JSON the board was built from. Null when a firmware needs none.
    const PlatformConfig* platform = nullptr;
};

using FirmwareEntry = int (*)(Hal&, const FirmwareArgs&); // 0 = pass

struct FirmwareInfo {
    const char* name;
    const char* description;
    FirmwareEntry entry;
};

const std::vector<FirmwareInfo>& firmware_images();
const FirmwareInfo* find_firmware(const std::string& name);

// Individual images (one file each in firmware/).
int selftest_main(Hal& hal, const FirmwareArgs& args);
int conv_check_main(Hal& hal, const FirmwareArgs& args);

} // namespace dynavp::fw
