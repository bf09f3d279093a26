// System-bus address decoding (pure C++; the Router sc_module uses it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dynavp {

struct AddressRegion {
    std::string name;
    uint64_t base = 0;
    uint64_t size = 0;
    unsigned target = 0; // index of the router's initiator socket
    uint64_t end() const { return base + size; } // exclusive
};

enum class DecodeStatus { Ok, Unmapped, CrossesRegion };

struct DecodeResult {
    DecodeStatus status = DecodeStatus::Unmapped;
    const AddressRegion* region = nullptr;
    uint64_t offset = 0; // address relative to region->base
};

class AddressMap {
public:
    // Throws std::invalid_argument naming both regions when they overlap,
    // or when a region is empty or wraps around.
    void add(const AddressRegion& r);
    // An access of len bytes at addr: Ok only when it lies inside one region.
    DecodeResult decode(uint64_t addr, uint64_t len) const;
    const std::vector<AddressRegion>& regions() const { return regions_; } // sorted by base

private:
    std::vector<AddressRegion> regions_;
};

} // namespace dynavp
